"""Hooks for the scalar values of :mod:`ordercycle.serialization` (one function each).

Structure hooks take ``(value, type)`` and raise a
:class:`~ordercycle.errors.ValidationError` whose message names the value and what was
expected; :mod:`ordercycle.serialization` reports it with its path.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, get_origin

import pint

from ordercycle.errors import SerializationError, ValidationError
from ordercycle.money import Currency, Money
from ordercycle.units import get_registry

__all__: list[str] = []


def bad(what: str, value: object, expected: str) -> ValidationError:
    return ValidationError.invalid(what, "value", value, expected)


# --- numbers --------------------------------------------------------------------------------


def structure_str(value: Any, _type: object) -> str:
    if not isinstance(value, str):
        raise bad("text", value, "a JSON string")
    return value


def structure_int(value: Any, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad("integer", value, "a JSON integer such as 3 (not a string, float or bool)")
    return value


def structure_bool(value: Any, _type: object) -> bool:
    if not isinstance(value, bool):
        raise bad("boolean", value, "true or false")
    return value


def structure_float(value: Any, _type: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad("number", value, "a JSON number")
    return float(value)


def structure_decimal(value: Any, _type: object) -> Decimal:
    expected = "a decimal number as a string, such as '12.50'"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad("Decimal", value, expected)
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise bad("Decimal", value, expected) from None
    if not result.is_finite():
        raise bad("Decimal", value, expected)
    return result


def fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def structure_fraction(value: Any, _type: object) -> Fraction:
    expected = "a fraction as a string, such as '381/5' or '3'"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad("Fraction", value, expected)
    if isinstance(value, str) and ("." in value or "e" in value.lower() or " " in value):
        raise bad("Fraction", value, expected)
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise bad("Fraction", value, expected) from None


# --- dates ------------------------------------------------------------------------------------


def structure_date(value: Any, _type: object) -> date:
    expected = "an ISO 8601 date such as '2026-01-15'"
    if not isinstance(value, str) or len(value) != 10:
        raise bad("date", value, expected)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad("date", value, expected) from None


def structure_datetime(value: Any, _type: object) -> datetime:
    expected = "an ISO 8601 datetime with a timezone, such as '2026-01-15T09:30:00+00:00'"
    if not isinstance(value, str):
        raise bad("datetime", value, expected)
    try:
        result = datetime.fromisoformat(value)
    except ValueError:
        raise bad("datetime", value, expected) from None
    if result.utcoffset() is None:
        raise bad("datetime", value, expected + " (this one has no timezone)")
    return result


# The last datetime written and its text: the events of one command share its instant
# (the very object), and a datetime is immutable, so the same object has the same text.
_last_datetime: tuple[datetime | None, str] = (None, "")


def unstructure_datetime(value: datetime) -> str:
    global _last_datetime
    last, text = _last_datetime
    if value is last:
        return text
    if value.utcoffset() is None:
        raise SerializationError(
            f"Cannot serialize the naive datetime {value.isoformat()!r}: datetimes must be"
            " timezone-aware.",
            problems=[("$", "naive datetime")],
        )
    text = value.isoformat()
    _last_datetime = (value, text)
    return text


# --- quantities ---------------------------------------------------------------------------------


def is_quantity_type(type_: Any) -> bool:
    origin = get_origin(type_) or type_
    return isinstance(origin, type) and issubclass(origin, pint.Quantity)


def magnitude_text(magnitude: object) -> str:
    if isinstance(magnitude, bool):
        raise bad("quantity", magnitude, "an int, Fraction, Decimal or float magnitude")
    if isinstance(magnitude, int):
        return str(magnitude)
    if isinstance(magnitude, Fraction):
        return str(magnitude.numerator) if magnitude.denominator == 1 else fraction_text(magnitude)
    if isinstance(magnitude, Decimal):
        return str(magnitude)
    if isinstance(magnitude, float):
        return repr(magnitude)  # the shortest text that reads back as the same float
    raise bad("quantity", magnitude, "an int, Fraction, Decimal or float magnitude")


def unstructure_quantity(quantity: Any) -> dict[str, str]:
    return {"value": magnitude_text(quantity.magnitude), "unit": str(quantity.units)}


def parse_magnitude(text: str) -> int | Fraction | Decimal:
    if "/" in text:
        return structure_fraction(text, Fraction)
    try:
        return int(text)
    except ValueError:
        return structure_decimal(text, Decimal)


def structure_quantity(value: Any, _type: object) -> Any:
    expected = "an object {'value': '12.5', 'unit': 'centimeter'} with the value as a string"
    if not isinstance(value, Mapping) or set(value) != {"value", "unit"}:
        raise bad("quantity", value, expected)
    text, unit = value["value"], value["unit"]
    if not isinstance(text, str) or not isinstance(unit, str):
        raise bad("quantity", value, expected)
    try:
        magnitude = parse_magnitude(text)
    except ValidationError:
        raise bad("quantity value", text, "an integer, decimal or fraction string") from None
    registry = get_registry()
    try:
        units = registry.Unit(unit)
    except (pint.errors.UndefinedUnitError, ValueError, TypeError, AttributeError):
        raise bad("quantity unit", unit, "a unit pint knows, such as 'centimeter'") from None
    return registry.Quantity(magnitude, units)


# --- money ----------------------------------------------------------------------------------------


def unstructure_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency.code}


def structure_money(value: Any, _type: object) -> Money:
    expected = "an object {'amount': '10.00', 'currency': 'USD'} with the amount as a string"
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise bad("Money", value, expected)
    amount, code = value["amount"], value["currency"]
    if isinstance(amount, bool) or not isinstance(amount, str | int):
        raise bad("Money amount", amount, "a decimal string such as '10.00'")
    return Money(amount, structure_currency(code, Currency))


def structure_currency(value: Any, _type: object) -> Currency:
    if not isinstance(value, str):
        raise bad("Currency", value, "an ISO 4217 code as a string, such as 'USD'")
    return Currency.of(value)


# --- enums and tuples ---------------------------------------------------------------------------


def is_enum(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def structure_enum(value: Any, type_: type[enum.Enum]) -> enum.Enum:
    try:
        return type_(value)
    except ValueError:
        valid = ", ".join(repr(member.value) for member in type_)
        raise bad(type_.__name__, value, f"one of {valid}") from None


def is_tuple(type_: Any) -> bool:
    return type_ is tuple or get_origin(type_) is tuple
