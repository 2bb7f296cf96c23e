"""Units: one registry, dimension checks, exact conversion at the boundary."""

from __future__ import annotations

import pickle
from decimal import Decimal
from fractions import Fraction

import pint
import pytest

from ordercycle import Q_, units
from ordercycle.errors import DimensionalityError, InvalidQuantityError, ValidationError
from ordercycle.units import (
    dimension_of,
    ensure_dimension,
    exact_magnitude,
    from_exact,
    to_exact,
    to_exact_int,
)


def test_inches_convert_to_millimetres_exactly() -> None:
    assert to_exact(Q_(3, "in"), "mm") == Fraction(381, 5)


def test_pounds_convert_to_grams_exactly() -> None:
    assert to_exact(Q_(1, "lb"), "g") == Fraction(45359237, 100000)
    assert to_exact(Q_(16, "oz"), "lb") == 1


def test_cubic_inches_convert_exactly() -> None:
    assert to_exact(Q_(1728, "in**3"), "ft**3") == 1


def test_float_magnitudes_mean_the_decimal_the_user_wrote() -> None:
    assert to_exact(Q_(0.1, "kg"), "g") == 100
    assert to_exact(Q_(2.54, "cm"), "in") == 1


def test_string_magnitudes_are_exact_decimals() -> None:
    quantity = Q_("0.1", "kg")
    assert quantity.magnitude == Decimal("0.1")
    assert to_exact(quantity, "g") == 100


def test_to_exact_int_refuses_fractions_of_the_unit() -> None:
    assert to_exact_int(Q_(2, "cm"), "mm") == 20
    with pytest.raises(InvalidQuantityError, match=r"not a whole number of mm") as caught:
        to_exact_int(Q_(1, "in"), "mm", subject="carton S", field="depth")
    assert "carton S" in str(caught.value)
    assert "depth" in str(caught.value)


def test_wrong_dimension_names_object_field_and_value() -> None:
    with pytest.raises(DimensionalityError) as caught:
        to_exact(Q_(3, "kg"), "mm", subject="item MUG", field="height")
    error = caught.value
    assert str(error) == "Invalid height for item MUG: expected a length, got 3 kilogram."
    assert error.expected_dimension == "length"
    assert isinstance(error, ValueError)


def test_plain_numbers_are_refused_with_a_hint() -> None:
    with pytest.raises(DimensionalityError, match=r"plain number; give a quantity"):
        to_exact(12, "mm")


def test_ensure_dimension_returns_the_quantity_unchanged() -> None:
    quantity = Q_(5, "kg")
    assert ensure_dimension(quantity, "mass") is quantity
    assert ensure_dimension(Q_(2, "m**3"), "volume").magnitude == 2
    with pytest.raises(DimensionalityError, match="expected an area"):
        ensure_dimension(Q_(2, "m"), "area")


def test_ensure_dimension_refuses_unknown_dimension_names() -> None:
    with pytest.raises(ValidationError, match=r"expected one of area, dimensionless"):
        ensure_dimension(Q_(2, "m"), "lenght")


def test_dimension_of_reports_pint_dimensionality() -> None:
    assert dimension_of(Q_(1, "in")) == "[length]"
    with pytest.raises(ValidationError, match="expected a pint quantity"):
        dimension_of(3)


def test_exact_magnitude_refuses_non_numbers() -> None:
    assert exact_magnitude(Decimal("1.25")) == Fraction(5, 4)
    for bad in (True, "abc", Decimal("NaN"), float("inf"), None, [1]):
        with pytest.raises(ValidationError, match="expected a finite real number"):
            exact_magnitude(bad)


def test_from_exact_keeps_integers_and_fractions() -> None:
    assert from_exact(Fraction(10, 1), "mm").magnitude == 10
    assert isinstance(from_exact(Fraction(10, 1), "mm").magnitude, int)
    assert from_exact(Fraction(1, 3), "mm").magnitude == Fraction(1, 3)


def test_quantities_from_another_registry_are_accepted() -> None:
    other = pint.UnitRegistry()
    assert to_exact(other.Quantity(2, "ft"), "in") == 24


def test_set_registry_replaces_the_registry_for_q_and_can_be_restored() -> None:
    original = units.get_registry()
    mine = pint.UnitRegistry()
    try:
        units.set_registry(mine)
        assert Q_(1, "m")._REGISTRY is mine
        assert units.get_registry() is mine
    finally:
        units.set_registry(original)
    assert Q_(1, "m")._REGISTRY is original


def test_set_registry_refuses_other_objects_and_changes_nothing() -> None:
    before = units.get_registry()
    with pytest.raises(ValidationError, match=r"expected a pint.UnitRegistry"):
        units.set_registry("metric")  # type: ignore[arg-type]
    assert units.get_registry() is before


def test_errors_pickle_with_their_attributes() -> None:
    with pytest.raises(DimensionalityError) as caught:
        ensure_dimension(Q_(1, "s"), "mass", subject="item A", field="weight")
    clone = pickle.loads(pickle.dumps(caught.value))
    assert type(clone) is DimensionalityError
    assert str(clone) == str(caught.value)
    assert clone.expected_dimension == "mass"
    assert (clone.subject, clone.field) == ("item A", "weight")
