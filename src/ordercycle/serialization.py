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

import enum
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeVar, get_args, get_origin, overload

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import format_exception, transform_error

from ordercycle import _serialization_values as values
from ordercycle.errors import OrderCycleError, SerializationError, ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.money import Currency, Money

__all__ = [
    "EVENT_TAG",
    "converter",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

#: The key that names an event's type in serialized events.
EVENT_TAG: Final = "type"


# --- tuples and events (hooks that need the converter) ----------------------------------


def _is_event(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, DomainEvent)


class _Library:
    """The hooks that need the converter (tuples and tagged events)."""

    def __init__(self, conv: cattrs.Converter) -> None:
        self.conv = conv
        self._unstructurers: dict[type, Callable[[Any], dict[str, Any]]] = {}
        self._structurers: dict[type, Callable[[Mapping[str, Any], Any], Any]] = {}

    def structure_tuple(self, value: Any, type_: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise values.bad("list", value, "a JSON array")
        args = get_args(type_)
        if not args:
            return tuple(value)
        if len(args) == 2 and args[1] is Ellipsis:
            types = [args[0]] * len(value)
        elif len(args) != len(value):
            raise values.bad("list", value, f"a JSON array of exactly {len(args)} items")
        else:
            types = list(args)
        errors: list[Exception] = []
        result = []
        for index, (item, item_type) in enumerate(zip(value, types, strict=True)):
            try:
                result.append(self.conv.structure(item, item_type))
            except Exception as error:
                note = IterableValidationNote(
                    f"Structuring {type_} @ index {index}", index, item_type
                )
                error.__notes__ = [*getattr(error, "__notes__", []), note]
                errors.append(error)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return tuple(result)

    def attrs_structurer(self, cls: type) -> Callable[[Any, Any], Any]:
        """Structure hook for an attrs class that first checks it was given an object."""
        generated: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(cls, self.conv)

        def structure(value: Any, type_: Any) -> Any:
            if not isinstance(value, Mapping):
                raise values.bad(cls.__name__, value, "a JSON object")
            return _with_field_paths(generated, value, type_)

        return structure

    def unstructure_event(self, event: DomainEvent) -> dict[str, Any]:
        cls = type(event)
        hook = self._unstructurers.get(cls)
        if hook is None:
            hook = make_dict_unstructure_fn(cls, self.conv)
            self._unstructurers[cls] = hook
        return {EVENT_TAG: cls.event_type, **hook(event)}

    def structure_event(self, value: Any, type_: type[DomainEvent]) -> DomainEvent:
        if not isinstance(value, Mapping):
            raise values.bad("event", value, f"an object with a {EVENT_TAG!r} key naming the event")
        tag = value.get(EVENT_TAG)
        if tag is None:
            if type_ is DomainEvent or type_.event_type not in DomainEvent.registry():
                raise SerializationError(
                    f"Missing {EVENT_TAG!r} key in the event data for {type_.__name__};"
                    " expected the name of a registered event type, such as"
                    f" {{{EVENT_TAG!r}: {next(iter(DomainEvent.registry()), 'OrderPlaced')!r}}}."
                )
            target = type_
        else:
            target = DomainEvent.lookup(tag)
        if not issubclass(target, type_):
            raise values.bad("event type", tag, f"the type of a {type_.__name__} event")
        hook = self._structurers.get(target)
        if hook is None:
            hook = make_dict_structure_fn(target, self.conv, _cattrs_forbid_extra_keys=True)
            self._structurers[target] = hook
        data = {k: v for k, v in value.items() if k != EVENT_TAG}
        return _with_field_paths(hook, data, target)  # type: ignore[no-any-return]


def _with_field_paths(
    hook: Callable[[Mapping[str, Any], Any], Any], data: Mapping[str, Any], cls: Any
) -> Any:
    """Run a generated attrs hook; point validator errors at the field they name.

    Errors raised by a class's own validators (while it is built) carry no path of their
    own; a :class:`~ordercycle.errors.ValidationError` names its ``field``, so that field
    becomes the path (``$.credit_limit`` rather than ``$``).
    """
    try:
        return hook(data, cls)
    except ClassValidationError as group:
        fields = {field.name: field.type for field in attrs.fields(cls)}
        for error in group.exceptions:
            field = getattr(error, "field", None)
            if not isinstance(error, ValidationError) or not isinstance(field, str):
                continue
            if field in fields and not _noted(error):
                note = AttributeValidationNote(
                    f"Structuring class {cls.__qualname__} @ attribute {field}",
                    field,
                    fields[field],
                )
                error.__notes__ = [*getattr(error, "__notes__", []), note]
        raise


def _noted(error: BaseException) -> bool:
    notes = getattr(error, "__notes__", [])
    return any(isinstance(note, AttributeValidationNote | IterableValidationNote) for note in notes)


def _currency_code(currency: Currency) -> str:
    return currency.code


def make_converter() -> cattrs.Converter:
    """Build a new converter configured with every library hook.

    Use it to add hooks for your own types without touching the library's default
    converter; pass it to :func:`to_dict` / :func:`from_dict` with ``converter=``.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, unstruct_collection_overrides={tuple: list})
    library = _Library(conv)

    conv.register_structure_hook_factory(attrs.has, library.attrs_structurer)
    for type_, hook in (
        (str, values.structure_str),
        (int, values.structure_int),
        (bool, values.structure_bool),
        (float, values.structure_float),
        # Hooks registered by type also serve subclasses, and an IntEnum or StrEnum is an
        # int or a str first in its MRO: claim them for the enum hook, or a Priority field
        # would come back as a plain number.
        (enum.IntEnum, values.structure_enum),
        (enum.StrEnum, values.structure_enum),
        (Decimal, values.structure_decimal),
        (Fraction, values.structure_fraction),
        (date, values.structure_date),
        (datetime, values.structure_datetime),
        (Money, values.structure_money),
        (Currency, values.structure_currency),
    ):
        conv.register_structure_hook(type_, hook)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(Fraction, values.fraction_text)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, values.unstructure_datetime)
    conv.register_unstructure_hook(Money, values.unstructure_money)
    conv.register_unstructure_hook(Currency, _currency_code)

    conv.register_structure_hook_func(values.is_quantity_type, values.structure_quantity)
    conv.register_unstructure_hook_func(values.is_quantity_type, values.unstructure_quantity)
    conv.register_structure_hook_func(values.is_enum, values.structure_enum)
    conv.register_structure_hook_func(values.is_tuple, library.structure_tuple)
    conv.register_structure_hook_func(_is_event, library.structure_event)
    conv.register_unstructure_hook_func(_is_event, library.unstructure_event)
    return conv


#: The library's default converter. Prefer :func:`make_converter` to customise.
converter: Final = make_converter()


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
    except ValidationError as error:
        if isinstance(error, SerializationError):
            raise
        raise SerializationError(
            f"Cannot serialize {type(obj).__name__}: {error} @ $", problems=[("$", str(error))]
        ) from error


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
    try:
        return conv.structure(data, cls)
    except (ClassValidationError, IterableValidationError, OrderCycleError) as error:
        raise _flatten(error, cls) from error
    except (ValueError, TypeError, KeyError, AttributeError, ForbiddenExtraKeysError) as error:
        raise _flatten(error, cls) from error


def to_json(
    obj: Any, *, indent: int | None = None, converter: cattrs.Converter | None = None
) -> str:
    """Serialize a library object to JSON text (standard :mod:`json`).

    Raises:
        SerializationError: If the object holds something JSON cannot represent.
    """
    data = to_dict(obj, converter=converter)
    try:
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
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as error:
        raise SerializationError(
            f"Cannot read {_name(cls)} from JSON: {error} @ $", problems=[("$", str(error))]
        ) from error
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
