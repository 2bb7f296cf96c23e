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
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final, TypeVar, get_args, get_origin, overload

import attrs
import cattrs
import pint
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn
from cattrs.v import format_exception, transform_error

from ordercycle.errors import OrderCycleError, SerializationError, ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.money import Currency, Money
from ordercycle.units import get_registry

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


def _bad(what: str, value: object, expected: str) -> ValidationError:
    return ValidationError.invalid(what, "value", value, expected)


# --- numbers --------------------------------------------------------------------------------


def _structure_str(value: Any, _type: object) -> str:
    if not isinstance(value, str):
        raise _bad("text", value, "a JSON string")
    return value


def _structure_int(value: Any, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad("integer", value, "a JSON integer such as 3 (not a string, float or bool)")
    return value


def _structure_bool(value: Any, _type: object) -> bool:
    if not isinstance(value, bool):
        raise _bad("boolean", value, "true or false")
    return value


def _structure_float(value: Any, _type: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad("number", value, "a JSON number")
    return float(value)


def _structure_decimal(value: Any, _type: object) -> Decimal:
    expected = "a decimal number as a string, such as '12.50'"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _bad("Decimal", value, expected)
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise _bad("Decimal", value, expected) from None
    if not result.is_finite():
        raise _bad("Decimal", value, expected)
    return result


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _structure_fraction(value: Any, _type: object) -> Fraction:
    expected = "a fraction as a string, such as '381/5' or '3'"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _bad("Fraction", value, expected)
    if isinstance(value, str) and ("." in value or "e" in value.lower() or " " in value):
        raise _bad("Fraction", value, expected)
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise _bad("Fraction", value, expected) from None


# --- dates ------------------------------------------------------------------------------------


def _structure_date(value: Any, _type: object) -> date:
    expected = "an ISO 8601 date such as '2026-01-15'"
    if not isinstance(value, str) or len(value) != 10:
        raise _bad("date", value, expected)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad("date", value, expected) from None


def _structure_datetime(value: Any, _type: object) -> datetime:
    expected = "an ISO 8601 datetime with a timezone, such as '2026-01-15T09:30:00+00:00'"
    if not isinstance(value, str):
        raise _bad("datetime", value, expected)
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise _bad("datetime", value, expected) from None
    if result.utcoffset() is None:
        raise _bad("datetime", value, expected + " (this one has no timezone)")
    return result


def _unstructure_datetime(value: datetime) -> str:
    if value.utcoffset() is None:
        raise SerializationError(
            f"Cannot serialize the naive datetime {value.isoformat()!r}: datetimes must be"
            " timezone-aware.",
            problems=[("$", "naive datetime")],
        )
    return value.isoformat()


# --- quantities ---------------------------------------------------------------------------------


def _is_quantity_type(type_: Any) -> bool:
    origin = get_origin(type_) or type_
    return isinstance(origin, type) and issubclass(origin, pint.Quantity)


def _magnitude_text(magnitude: object) -> str:
    if isinstance(magnitude, bool):
        raise _bad("quantity", magnitude, "an int, Fraction, Decimal or float magnitude")
    if isinstance(magnitude, int):
        return str(magnitude)
    if isinstance(magnitude, Fraction):
        return str(magnitude.numerator) if magnitude.denominator == 1 else _fraction_text(magnitude)
    if isinstance(magnitude, Decimal):
        return str(magnitude)
    if isinstance(magnitude, float):
        return repr(magnitude)  # the shortest text that reads back as the same float
    raise _bad("quantity", magnitude, "an int, Fraction, Decimal or float magnitude")


def _unstructure_quantity(quantity: Any) -> dict[str, str]:
    return {"value": _magnitude_text(quantity.magnitude), "unit": str(quantity.units)}


def _parse_magnitude(text: str) -> int | Fraction | Decimal:
    if "/" in text:
        return _structure_fraction(text, Fraction)
    try:
        return int(text)
    except ValueError:
        return _structure_decimal(text, Decimal)


def _structure_quantity(value: Any, _type: object) -> Any:
    expected = "an object {'value': '12.5', 'unit': 'centimeter'} with the value as a string"
    if not isinstance(value, Mapping) or set(value) != {"value", "unit"}:
        raise _bad("quantity", value, expected)
    text, unit = value["value"], value["unit"]
    if not isinstance(text, str) or not isinstance(unit, str):
        raise _bad("quantity", value, expected)
    try:
        magnitude = _parse_magnitude(text)
    except ValidationError:
        raise _bad("quantity value", text, "an integer, decimal or fraction string") from None
    registry = get_registry()
    try:
        units = registry.Unit(unit)
    except (pint.errors.UndefinedUnitError, ValueError, TypeError, AttributeError):
        raise _bad("quantity unit", unit, "a unit pint knows, such as 'centimeter'") from None
    return registry.Quantity(magnitude, units)


# --- money ----------------------------------------------------------------------------------------


def _unstructure_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency.code}


def _structure_money(value: Any, _type: object) -> Money:
    expected = "an object {'amount': '10.00', 'currency': 'USD'} with the amount as a string"
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise _bad("Money", value, expected)
    amount, code = value["amount"], value["currency"]
    if isinstance(amount, bool) or not isinstance(amount, str | int):
        raise _bad("Money amount", amount, "a decimal string such as '10.00'")
    return Money(amount, _structure_currency(code, Currency))


def _structure_currency(value: Any, _type: object) -> Currency:
    if not isinstance(value, str):
        raise _bad("Currency", value, "an ISO 4217 code as a string, such as 'USD'")
    return Currency.of(value)


# --- enums and tuples ---------------------------------------------------------------------------


def _is_enum(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def _structure_enum(value: Any, type_: type[enum.Enum]) -> enum.Enum:
    try:
        return type_(value)
    except ValueError:
        valid = ", ".join(repr(member.value) for member in type_)
        raise _bad(type_.__name__, value, f"one of {valid}") from None


def _is_tuple(type_: Any) -> bool:
    return type_ is tuple or get_origin(type_) is tuple


# --- events ------------------------------------------------------------------------------------


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
            raise _bad("list", value, "a JSON array")
        args = get_args(type_)
        if not args:
            return tuple(value)
        if len(args) == 2 and args[1] is Ellipsis:
            types = [args[0]] * len(value)
        elif len(args) != len(value):
            raise _bad("list", value, f"a JSON array of exactly {len(args)} items")
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
                raise _bad(cls.__name__, value, "a JSON object")
            return generated(value, type_)

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
            raise _bad("event", value, f"an object with a {EVENT_TAG!r} key naming the event")
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
            raise _bad("event type", tag, f"the type of a {type_.__name__} event")
        hook = self._structurers.get(target)
        if hook is None:
            hook = make_dict_structure_fn(target, self.conv, _cattrs_forbid_extra_keys=True)
            self._structurers[target] = hook
        return hook({k: v for k, v in value.items() if k != EVENT_TAG}, target)  # type: ignore[no-any-return]


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
        (str, _structure_str),
        (int, _structure_int),
        (bool, _structure_bool),
        (float, _structure_float),
        (Decimal, _structure_decimal),
        (Fraction, _structure_fraction),
        (date, _structure_date),
        (datetime, _structure_datetime),
        (Money, _structure_money),
        (Currency, _structure_currency),
    ):
        conv.register_structure_hook(type_, hook)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(Fraction, _fraction_text)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_unstructure_hook(Money, _unstructure_money)
    conv.register_unstructure_hook(Currency, _currency_code)

    conv.register_structure_hook_func(_is_quantity_type, _structure_quantity)
    conv.register_unstructure_hook_func(_is_quantity_type, _unstructure_quantity)
    conv.register_structure_hook_func(_is_enum, _structure_enum)
    conv.register_structure_hook_func(_is_tuple, library.structure_tuple)
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
