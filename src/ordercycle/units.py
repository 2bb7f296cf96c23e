"""Physical quantities: one pint registry, dimension checks, exact conversion at the boundary.

Quantities enter and leave the public API as :mod:`pint` quantities, so users can write
``Q_(12, "cm")`` or ``Q_(4.5, "in")`` and mix systems freely. Inside the library, geometry
and carrier rules must never see float noise (``0.1 + 0.2``), so every quantity is converted
**once**, at the boundary, into an exact :class:`~fractions.Fraction` of a documented base
unit with :func:`to_exact` (or an exact integer with :func:`to_exact_int`).

The conversion factors come from pint's own definitions evaluated with exact fractions,
so ``1 lb`` is exactly ``45359237/100000`` grams and ``1 in`` exactly ``127/5`` millimetres.

>>> to_exact(Q_(3, "in"), "mm")
Fraction(381, 5)
>>> to_exact(Q_("0.1", "kg"), "g")
Fraction(100, 1)
>>> to_exact(Q_(3, "kg"), "mm", subject="item MUG", field="height")
Traceback (most recent call last):
...
ordercycle.errors.DimensionalityError: Invalid height for item MUG: expected a length, got 3 ...

The package registry :data:`ureg` (with :data:`Q_`) can be replaced by a user's own registry
with :func:`set_registry`; quantities from any registry are accepted by the conversion
helpers.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from fractions import Fraction
from numbers import Rational
from typing import Any, Final

import pint

from ordercycle.errors import DimensionalityError, InvalidQuantityError, ValidationError, shown
from ordercycle.limits import (
    MAX_DECIMAL_DIGITS,
    MAX_DECIMAL_EXPONENT,
    MAX_ID_CHARS,
    MAX_MAGNITUDE,
    check_decimal,
    check_number_text,
)

__all__ = [
    "BASE_LENGTH",
    "BASE_MASS",
    "DIMENSIONS",
    "Q_",
    "Quantity",
    "dimension_of",
    "ensure_dimension",
    "exact_magnitude",
    "from_exact",
    "get_registry",
    "is_quantity",
    "set_registry",
    "to_exact",
    "to_exact_int",
    "ureg",
]

#: Base unit for lengths inside the library (geometry, carton sizes).
BASE_LENGTH: Final = "mm"
#: Base unit for masses inside the library (item and carton weights).
BASE_MASS: Final = "g"

#: Dimension names accepted by :func:`ensure_dimension`, with their pint dimensionality.
DIMENSIONS: Final[dict[str, str]] = {
    "length": "[length]",
    "mass": "[mass]",
    "volume": "[length] ** 3",
    "area": "[length] ** 2",
    "time": "[time]",
    "dimensionless": "",
}

Quantity = pint.Quantity
"""The pint quantity type (for annotations and ``isinstance`` checks)."""

#: The package registry. Replace it with :func:`set_registry`.
ureg: pint.UnitRegistry[Any] = pint.UnitRegistry()


def _exact_registry() -> pint.UnitRegistry[Any]:
    # A private registry that parses definitions as Fractions, so conversion factors
    # (inch = yard / 36, yard = 0.9144 m) are exact. Never handed to users.
    return pint.UnitRegistry(non_int_type=Fraction)


_EXACT: Final = _exact_registry()


def get_registry() -> pint.UnitRegistry[Any]:
    """Return the registry that :data:`Q_` builds quantities with."""
    return ureg


def set_registry(registry: pint.UnitRegistry[Any]) -> None:
    """Replace the package registry, for users who share one registry across libraries.

    pint refuses arithmetic between quantities of different registries, so a user with
    their own registry calls this once at start-up; :data:`Q_` then builds quantities in
    it. The exact conversion helpers accept quantities from any registry.

    Args:
        registry: A :class:`pint.UnitRegistry`.

    Raises:
        ValidationError: If ``registry`` is not a pint unit registry.
    """
    global ureg
    if not isinstance(registry, pint.UnitRegistry):
        raise ValidationError.invalid("set_registry", "registry", registry, "a pint.UnitRegistry")
    ureg = registry


def Q_(value: Any, units: Any = None) -> Any:  # noqa: N802 - pint's conventional name
    """Build a quantity in the package registry: ``Q_(12, "cm")``, ``Q_("4.5 in")``.

    A string magnitude such as ``Q_("0.1", "kg")`` keeps its exact decimal value through
    :func:`to_exact`. The magnitude must be a finite number within
    :data:`~ordercycle.limits.MAX_MAGNITUDE` and the units a unit the registry knows.

    Raises:
        ValidationError: A magnitude that is not a finite number in range, or unknown or
            malformed units (``"bogus_unit"``, ``"cm/0"``).
    """
    if units is None:
        if not isinstance(value, str):
            raise ValidationError.invalid(
                "Q_", "quantity", value, "text such as '4.5 in', or a magnitude and units"
            )
        check_number_text(value, "Q_", "quantity")
        try:
            quantity: Any = get_registry().Quantity(value)
        except Exception:
            raise ValidationError.invalid(
                "Q_", "quantity", value, "a number and units such as '4.5 in'"
            ) from None
        exact_magnitude(quantity.magnitude, subject="Q_", field="magnitude")
        return quantity
    magnitude = exact_magnitude(value, subject="Q_", field="magnitude")
    if isinstance(value, str):
        value = Decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        pass
    elif isinstance(value, Rational):
        value = magnitude
    _units_dimensionality(units)
    return get_registry().Quantity(value, units)


# Numbers inside units text ("1e-999999999", "m**99999") make pint's exact arithmetic
# build huge integers; real units need at most a small power.
_NUMBER_IN_UNITS: Final = re.compile(r"\d[eE]|\d{4,}|\.\d")


def _check_units_text(units: object, subject: str, field: str = "units") -> str:
    """Return ``units`` as text if it is short units text without large numbers in it.

    Raises:
        ValidationError: Not text, longer than :data:`~ordercycle.limits.MAX_ID_CHARS`, or
            holding a number with an exponent or of four or more digits.
    """
    text = str(units) if isinstance(units, pint.Unit) else units
    if not isinstance(text, str) or len(text) > MAX_ID_CHARS or _NUMBER_IN_UNITS.search(text):
        raise ValidationError.invalid(
            subject, field, units, "units text such as 'cm', 'kg' or 'm**3' (small powers only)"
        )
    return text


def _units_dimensionality(units: object) -> Dims:
    """The dimensionality of a units text, or a typed error for units pint cannot use."""
    text = _check_units_text(units, "Q_")
    try:
        return _dimensionality(text)
    except Exception:
        try:
            get_registry().Unit(text)
        except Exception:
            raise ValidationError.invalid(
                "Q_", "units", units, "units the registry knows, such as 'cm', 'kg' or 'in'"
            ) from None
        return ()


def is_quantity(value: object) -> bool:
    """Return whether ``value`` is a pint quantity (from any registry)."""
    return isinstance(value, pint.Quantity)


def _describe(value: object) -> str:
    if is_quantity(value):
        return f"{_format_magnitude(value.magnitude)} {value.units}"  # type: ignore[attr-defined]
    text = shown(value)
    if isinstance(value, int | float | Decimal | Fraction) and not isinstance(value, bool):
        return f"{text} (a plain number; give a quantity such as Q_({text}, 'cm'))"
    return f"{text} (not a quantity; give a quantity such as Q_(12, 'cm'))"


def _format_magnitude(magnitude: object) -> str:
    if isinstance(magnitude, Fraction) and magnitude.denominator == 1:
        return str(magnitude.numerator)
    return str(magnitude)


Dims = tuple[tuple[str, Fraction], ...]


def _dims(dimensionality: Any) -> Dims:
    # pint's text form of a dimensionality breaks on Fraction exponents, and float and
    # Fraction registries spell exponents differently, so compare normalised tuples.
    return tuple(sorted((str(key), Fraction(value)) for key, value in dimensionality.items()))


@functools.lru_cache(maxsize=512)
def _dimensionality(units: str) -> Dims:
    return _dims(_EXACT.Unit(units).dimensionality) if units else ()


def dimension_of(quantity: Any) -> str:
    """Return the pint dimensionality of a quantity as text, such as ``"[length]"``.

    Raises:
        ValidationError: If ``quantity`` is not a pint quantity.
    """
    if not is_quantity(quantity):
        raise ValidationError.invalid("dimension_of", "quantity", quantity, "a pint quantity")
    return str(quantity.dimensionality)


def ensure_dimension(
    quantity: Any, dimension: str, *, subject: str = "value", field: str = "quantity"
) -> Any:
    """Return ``quantity`` unchanged if it has ``dimension``, else raise a clear error.

    Args:
        quantity: The value to check.
        dimension: One of the names in :data:`DIMENSIONS` (``"length"``, ``"mass"``, ...).
        subject: What the quantity belongs to, for the message (``"item MUG"``).
        field: Which field it is, for the message (``"height"``).

    Raises:
        DimensionalityError: ``Invalid height for item MUG: expected a length, got 3 kilogram.``
    """
    expected = _expected_dimensionality(dimension)
    if not is_quantity(quantity) or _dims(quantity.dimensionality) != expected:
        article = "an" if dimension[0] in "aeiou" else "a"
        if dimension == "dimensionless":
            article, dimension_text = "a", "dimensionless quantity"
        else:
            dimension_text = dimension
        raise DimensionalityError(
            f"Invalid {field} for {subject}: expected {article} {dimension_text},"
            f" got {_describe(quantity)}.",
            expected_dimension=dimension,
            actual=_describe(quantity),
            subject=subject,
            field=field,
        )
    return quantity


@functools.lru_cache(maxsize=64)
def _expected_dimensionality(dimension: str) -> Dims:
    try:
        pint_form = DIMENSIONS[dimension]
    except KeyError:
        raise ValidationError.invalid(
            "ensure_dimension", "dimension", dimension, "one of " + ", ".join(sorted(DIMENSIONS))
        ) from None
    return _dims(_EXACT.get_dimensionality(pint_form)) if pint_form else ()


def exact_magnitude(value: object, *, subject: str = "value", field: str = "magnitude") -> Fraction:
    """Convert a magnitude (int, Fraction, Decimal, decimal string or float) to a Fraction.

    A float is read through its shortest decimal representation, so ``0.1`` becomes
    exactly ``1/10`` (the number the user wrote), not the binary approximation.

    Raises:
        ValidationError: For anything that is not a finite real number.
    """
    expected = (
        f"a finite real number of absolute value at most {MAX_MAGNITUDE:.0e}"
        f" (at most {MAX_DECIMAL_DIGITS} digits, exponent within ±{MAX_DECIMAL_EXPONENT})"
    )
    original = value
    if isinstance(value, bool):
        raise ValidationError.invalid(subject, field, value, expected)
    if isinstance(value, int | Fraction):
        result = Fraction(value)
    elif isinstance(value, Rational):
        result = Fraction(int(value.numerator), int(value.denominator))
    elif isinstance(value, Decimal | float | str):
        try:
            if isinstance(value, str):
                check_number_text(value, subject, field)
                value = Decimal(value.strip())
            number = Decimal(repr(value)) if isinstance(value, float) else value
            if not number.is_finite():
                raise ValueError(value)
            check_decimal(number, subject, field)
            result = Fraction(number)
        except (ValueError, ArithmeticError):
            raise ValidationError.invalid(subject, field, original, expected) from None
    else:
        raise ValidationError.invalid(subject, field, value, expected)
    if abs(result) > MAX_MAGNITUDE or result.denominator > 10**MAX_DECIMAL_EXPONENT:
        raise ValidationError.invalid(subject, field, original, expected)
    return result


@functools.lru_cache(maxsize=1024)
def _factor(from_units: str, to_units: str) -> Fraction:
    """Exact factor that converts a magnitude in ``from_units`` into ``to_units``."""
    converted = _EXACT.Quantity(Fraction(1), from_units).to(to_units).magnitude
    return Fraction(converted)


def to_exact(
    quantity: Any,
    unit: str,
    *,
    subject: str = "value",
    field: str = "quantity",
    dimension: str | None = None,
) -> Fraction:
    """Convert a quantity to an exact :class:`~fractions.Fraction` of ``unit``.

    Args:
        quantity: A pint quantity from any registry.
        unit: The target unit, such as ``"mm"`` or ``"g"``.
        subject: What the quantity belongs to, for error messages.
        field: Which field it is, for error messages.
        dimension: The expected dimension name; inferred from ``unit`` when omitted.

    Raises:
        DimensionalityError: If the quantity is not of the unit's dimension.
    """
    _check_units_text(unit, "to_exact", "unit")
    try:
        target_dims, target_name = _target(unit)
    except Exception:
        raise ValidationError.invalid(
            "to_exact", "unit", unit, "units the registry knows, such as 'mm' or 'g'"
        ) from None
    expected_name = dimension or target_name
    if not is_quantity(quantity):
        ensure_dimension(quantity, expected_name, subject=subject, field=field)
    units_text = _check_units_text(str(quantity.units), subject, field)
    try:
        actual = _dimensionality(units_text)
    except (pint.errors.UndefinedUnitError, ValueError):
        # A unit defined only in a user's registry: convert in that registry, then
        # recover the exact ratio the user most plausibly meant.
        approx = quantity.to(unit).magnitude
        return exact_magnitude(approx, subject=subject, field=field).limit_denominator(10**12)
    if actual != target_dims:
        ensure_dimension(quantity, expected_name, subject=subject, field=field)
    magnitude = exact_magnitude(quantity.magnitude, subject=subject, field=field)
    result = magnitude * _factor(units_text, unit)
    if abs(result) > MAX_MAGNITUDE:
        raise ValidationError.invalid(
            subject,
            field,
            quantity,
            f"a quantity of at most {MAX_MAGNITUDE:.0e} {unit}",
        )
    return result


@functools.lru_cache(maxsize=256)
def _target(unit: str) -> tuple[Dims, str]:
    """The dimensionality of ``unit`` and its name in :data:`DIMENSIONS`, computed once."""
    dims = _dims(_EXACT.Unit(unit).dimensionality)
    return dims, _dimension_name(dims)


def _dimension_name(dimensionality: Dims) -> str:
    for name in DIMENSIONS:
        if _expected_dimensionality(name) == dimensionality:
            return name
    return " * ".join(f"{key}^{power}" for key, power in dimensionality) or "dimensionless"


def to_exact_int(
    quantity: Any, unit: str, *, subject: str = "value", field: str = "quantity"
) -> int:
    """Convert a quantity to an exact integer count of ``unit``; refuse a fractional result.

    >>> to_exact_int(Q_(2, "cm"), "mm")
    20

    Raises:
        DimensionalityError: If the quantity has the wrong dimension.
        InvalidQuantityError: If the value is not a whole number of ``unit``.
    """
    value = to_exact(quantity, unit, subject=subject, field=field)
    if value.denominator != 1:
        raise InvalidQuantityError(
            f"Invalid {field} for {subject}: {_describe(quantity)} is {value} {unit},"
            f" not a whole number of {unit}; expected a multiple of 1 {unit}.",
            subject=subject,
            field=field,
            value=quantity,
            expected=f"a whole number of {unit}",
        )
    return value.numerator


def from_exact(value: int | Fraction, unit: str) -> Any:
    """Build a quantity in the package registry from an exact value in ``unit``.

    Integers stay integers and fractions stay fractions, so a value that went in exactly
    comes out exactly.

    >>> from_exact(Fraction(381, 5), "mm")
    <Quantity(381/5, 'millimeter')>
    >>> to_exact(from_exact(Fraction(381, 5), "mm"), "in")
    Fraction(3, 1)
    """
    magnitude: int | Fraction = value.numerator if value.denominator == 1 else Fraction(value)
    return get_registry().Quantity(magnitude, unit)
