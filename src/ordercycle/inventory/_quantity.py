"""Counts of stock units: plain positive integers or pint quantities of ``count``."""

from __future__ import annotations

from typing import Any

from ordercycle.errors import InvalidQuantityError
from ordercycle.units import is_quantity, to_exact_int

__all__ = ["as_count"]


def as_count(value: Any, *, subject: str, field: str = "quantity", allow_zero: bool = False) -> int:
    """Return ``value`` as an exact number of units.

    Accepts an ``int`` or a dimensionless pint quantity such as ``Q_(3, "count")``.

    Raises:
        DimensionalityError: A quantity with units (``Q_(3, "kg")``).
        InvalidQuantityError: A negative, zero (unless allowed), fractional or non-numeric value.
    """
    if type(value) is int:
        count = value
    elif is_quantity(value):
        count = to_exact_int(value, "count", subject=subject, field=field)
    else:
        raise _invalid(value, subject, field, allow_zero)
    if count < 0 or (count == 0 and not allow_zero):
        raise _invalid(value, subject, field, allow_zero)
    return count


def _invalid(value: object, subject: str, field: str, allow_zero: bool) -> InvalidQuantityError:
    expected = "a whole number of units, 0 or more" if allow_zero else "a positive whole number"
    return InvalidQuantityError(
        f"Invalid {field} for {subject}: {value!r}; expected {expected}.",
        subject=subject,
        field=field,
        value=value,
        expected=expected,
    )
