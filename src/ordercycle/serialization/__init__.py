"""Turn library objects into plain data (dicts, lists, strings) and JSON, and back.

One :mod:`cattrs` converter serves the whole library (:func:`make_converter` builds a fresh
one; the module keeps a default). Values are written so that nothing is lost and any
language can read them:

- :class:`~decimal.Decimal` as a string (``"12.50"``), :class:`~fractions.Fraction` as
  ``"n/d"``;
- pint quantities as ``{"value": "12.5", "unit": "centimeter"}`` (the value exact: an
  integer, decimal or fraction string);
- :class:`~ordercycle.money.Money` as ``{"amount": "10.00", "currency": "USD"}`` and a
  :class:`~ordercycle.money.Currency` as its code;
- dates and datetimes in ISO 8601 (datetimes must carry a timezone);
- enums by value, tuples as lists;
- domain events as a tagged union: ``{"type": "OrderPlaced", ...}``, resolved through the
  :class:`~ordercycle.model.events.DomainEvent` registry, so events defined anywhere
  serialize without extra setup.

Input is checked strictly: unknown keys are refused, a string is not silently taken for a
number, and every problem is reported at once as ``message @ $.path`` in a
:class:`~ordercycle.errors.SerializationError`.

>>> from ordercycle.money import Money
>>> to_dict(Money("10.00", "USD"))
{'amount': '10.00', 'currency': 'USD'}
>>> from_json('{"amount": "10.00", "currency": "USD"}', Money)
Money('10.00', 'USD')
>>> from ordercycle.units import Q_
>>> to_dict(Q_("12.5", "cm"))
{'value': '12.5', 'unit': 'centimeter'}
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, TypeVar, get_origin, overload

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.v import format_exception, transform_error

from ordercycle.errors import OrderCycleError, SerializationError, ValidationError, shown
from ordercycle.limits import check_json_depth, load_json
from ordercycle.serialization._converter import EVENT_TAG, converter, make_converter
from ordercycle.serialization._text import CanonicalText

__all__ = [
    "EVENT_TAG",
    "CanonicalText",
    "compiled_encoder",
    "converter",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

T = TypeVar("T")


def to_dict(obj: Any, *, converter: cattrs.Converter | None = None) -> Any:
    """Turn a library object into plain data: dicts, lists, strings, numbers, booleans.

    Args:
        obj: A value object, event, money amount, quantity, ... (or a collection of them).
        converter: A converter from :func:`make_converter`; the default one if omitted.

    Raises:
        SerializationError: If a value cannot be represented (a naive datetime, say).
    """
    conv = converter or _default()
    try:
        return conv.unstructure(obj)
    except SerializationError:
        raise
    except (ValidationError, ValueError, TypeError, AttributeError, ArithmeticError) as error:
        # A field holding a value of the wrong type (a str where a date belongs) fails
        # inside cattrs's generated code; it is still a value the library cannot write.
        raise SerializationError(
            f"Cannot serialize {type(obj).__name__}: {shown(str(error), 200)} @ $",
            problems=[("$", shown(str(error), 200))],
        ) from None
    except RecursionError:
        raise SerializationError(
            f"Cannot serialize {type(obj).__name__}: it is nested too deeply @ $",
            problems=[("$", "nested too deeply")],
        ) from None


@overload
def from_dict(data: Any, cls: type[T], *, converter: cattrs.Converter | None = None) -> T: ...
@overload
def from_dict(data: Any, cls: Any, *, converter: cattrs.Converter | None = None) -> Any: ...
def from_dict(data: Any, cls: Any, *, converter: cattrs.Converter | None = None) -> Any:
    """Build a ``cls`` from plain data, checking every field.

    Args:
        data: Plain data as produced by :func:`to_dict` (or parsed from JSON).
        cls: The type to build, such as ``Money``, ``Product``, ``tuple[Address, ...]`` or
            ``DomainEvent`` (any registered event, chosen by its ``"type"`` key).
        converter: A converter from :func:`make_converter`; the default one if omitted.

    Raises:
        SerializationError: Listing every problem as ``message @ $.path``, with the same
            pairs in ``problems``.
    """
    conv = converter or _default()
    check_json_depth(data, _name(cls))
    try:
        return conv.structure(data, cls)
    except RecursionError:
        raise SerializationError(
            f"Cannot read {_name(cls)}: the data is nested too deeply @ $",
            problems=[("$", "nested too deeply")],
        ) from None
    except (ClassValidationError, IterableValidationError, OrderCycleError) as error:
        raise _flatten(error, cls) from error
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        ArithmeticError,
        ForbiddenExtraKeysError,
    ) as error:
        raise _flatten(error, cls) from error


#: What :func:`json.dumps` builds for each call with these options; made once, because
#: every event a unit of work appends is written through it.
_ENCODER: Final = json.JSONEncoder(allow_nan=False, ensure_ascii=False)


def compiled_encoder(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """``encoder.encode`` for tree-shaped data, with the C encoder made once.

    ``JSONEncoder.encode`` builds a new C encoder object on every call (for its
    circular-reference check); the data the library writes (from :func:`to_dict`, view rows,
    command payloads) is a tree that cannot refer to itself, so one encoder without that
    check serves every call and writes the same text, in about half the time for small
    documents. Without the C accelerator (or with ``indent``) it is ``encoder.encode``.

    >>> encode = compiled_encoder(json.JSONEncoder(sort_keys=True))
    >>> encode({"b": [1, 2], "a": "é"}) == json.dumps({"b": [1, 2], "a": "é"}, sort_keys=True)
    True
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    indent: object = encoder.indent  # None unless set (typeshed types it without None)
    if make is None or indent is not None:
        return encoder.encode
    run = make(
        None,
        encoder.default,
        json.encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json.encoder.encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):  # as JSONEncoder.encode does
            return encoder.encode(value)
        return "".join(run(value, 0))

    return encode


_ENCODE: Final = compiled_encoder(_ENCODER)


def to_json(
    obj: Any, *, indent: int | None = None, converter: cattrs.Converter | None = None
) -> str:
    """Serialize a library object to JSON text (standard :mod:`json`).

    Raises:
        SerializationError: If the object holds something JSON cannot represent.
    """
    data = to_dict(obj, converter=converter)
    try:
        if indent is None:
            return _ENCODE(data)
        return json.dumps(data, indent=indent, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise SerializationError(
            f"Cannot serialize {type(obj).__name__} to JSON: {error} @ $",
            problems=[("$", str(error))],
        ) from error


@overload
def from_json(
    text: str | bytes, cls: type[T], *, converter: cattrs.Converter | None = None
) -> T: ...
@overload
def from_json(text: str | bytes, cls: Any, *, converter: cattrs.Converter | None = None) -> Any: ...
def from_json(text: str | bytes, cls: Any, *, converter: cattrs.Converter | None = None) -> Any:
    """Build a ``cls`` from JSON text.

    Raises:
        SerializationError: If the text is not JSON, or the data does not fit ``cls``.
    """
    data = load_json(text, _name(cls))
    return from_dict(data, cls, converter=converter)


def _default() -> cattrs.Converter:
    return converter


def _name(cls: Any) -> str:
    if get_origin(cls) is None and isinstance(getattr(cls, "__name__", None), str):
        return str(cls.__name__)
    return str(cls).replace("ordercycle.", "").replace("typing.", "")


def _format(error: BaseException, type_: type | None) -> str:
    if isinstance(error, OrderCycleError):
        return str(error)
    return format_exception(error, type_)


def _flatten(error: BaseException, cls: Any) -> SerializationError:
    lines = transform_error(error, path="$", format_exception=_format)
    problems = []
    for line in lines:
        message, _, path = line.rpartition(" @ ")
        problems.append((path, message))
    listing = "\n".join(f"  {message} @ {path}" for path, message in problems)
    return SerializationError(f"Cannot read {_name(cls)}:\n{listing}", problems=problems)
