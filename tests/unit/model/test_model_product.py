"""Products: quantities as given plus exact canonical values, and handling rules."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs
import pytest

from ordercycle.errors import DimensionalityError, InvalidQuantityError, ValidationError
from ordercycle.model.ids import InvalidIdError
from ordercycle.model.product import Product, Rotation
from ordercycle.units import Q_


def mug(**changes: object) -> Product:
    fields: dict[str, object] = {
        "sku": "MUG",
        "name": "Mug",
        "length": Q_(12, "cm"),
        "width": Q_(9, "cm"),
        "height": Q_(10, "cm"),
        "weight": Q_(350, "g"),
    }
    fields.update(changes)
    return Product(**fields)  # type: ignore[arg-type]


def test_product_keeps_quantities_as_given_and_exact_canonical_values():
    product = mug(length=Q_("4.5", "in"))
    assert product.length == Q_("4.5", "in")
    assert str(product.length.units) == "inch"
    assert product.length_mm == Fraction(11430, 100)
    assert product.dimensions_mm == (Fraction(11430, 100), Fraction(90), Fraction(100))
    assert product.weight_g == 350
    assert product.volume_mm3 == Fraction(11430, 100) * 90 * 100
    assert product.dimensions == (Q_("4.5", "in"), Q_(9, "cm"), Q_(10, "cm"))


def test_defaults_are_the_most_permissive_handling():
    product = mug()
    assert product.rotation is Rotation.ANY
    assert not product.fragile
    assert product.max_load_on_top is None
    assert product.load_limit_g is None
    assert not product.ship_alone
    assert not product.ships_in_own_packaging


def test_rotation_values_are_stable_names():
    assert [r.value for r in Rotation] == ["any", "this_side_up", "fixed"]


def test_products_in_different_units_are_equal_when_physically_equal():
    metric = Product.from_mm("BOX", "Box", Decimal("254"), "203.2", 152.4, "1133.98")
    imperial = Product.from_inches("BOX", "Box", 10, 8, 6, Fraction(113398, 45359237) * 1000)
    assert metric.dimensions_mm == imperial.dimensions_mm
    assert metric == imperial
    assert hash(metric) == hash(imperial)
    assert metric != attrs.evolve(metric, fragile=True)


def test_from_inches_is_exact():
    box = Product.from_inches("BOX", "Box", 10, 8, 6, "2.5")
    assert box.length_mm == 254
    assert box.weight_g == Fraction(45359237, 100000) * Fraction(5, 2)
    assert box.length == Q_(10, "inch")


def test_fragile_means_a_zero_load_limit():
    assert mug(fragile=True).load_limit_g == 0
    assert mug(fragile=True, max_load_on_top=Q_(0, "kg")).load_limit_g == 0
    assert mug(max_load_on_top=Q_(2, "kg")).load_limit_g == 2000


def test_fragile_with_a_positive_load_limit_is_contradictory():
    with pytest.raises(ValidationError, match="fragile means nothing on top"):
        mug(fragile=True, max_load_on_top=Q_(1, "kg"))


@pytest.mark.parametrize(
    ("field", "bad", "error", "words"),
    [
        ("height", Q_(3, "kg"), DimensionalityError, "expected a length, got 3 kilogram"),
        ("length", 12, DimensionalityError, "a plain number"),
        ("weight", Q_(1, "cm"), DimensionalityError, "expected a mass"),
        ("max_load_on_top", Q_(1, "cm"), DimensionalityError, "expected a mass"),
        ("width", Q_(0, "cm"), InvalidQuantityError, "more than zero"),
        ("weight", Q_(-1, "g"), InvalidQuantityError, "more than zero"),
        ("max_load_on_top", Q_(-1, "g"), InvalidQuantityError, "zero or more"),
        ("sku", " MUG", InvalidIdError, "Invalid sku"),
        ("name", "", ValidationError, "non-empty text"),
        ("rotation", "any", ValidationError, "Rotation.THIS_SIDE_UP"),
        ("fragile", 1, ValidationError, "True or False"),
        ("ship_alone", None, ValidationError, "True or False"),
    ],
)
def test_bad_fields_raise_typed_errors_naming_product_and_field(field, bad, error, words):
    with pytest.raises(error) as info:
        mug(**{field: bad})
    message = str(info.value)
    assert words in message
    if field != "sku":
        assert "product MUG" in message
        assert field in message


def test_evolve_revalidates_and_recomputes_and_original_is_unchanged():
    product = mug()
    bigger = attrs.evolve(product, length=Q_(20, "cm"))
    assert bigger.length_mm == 200
    assert product.length_mm == 120
    with pytest.raises(InvalidQuantityError):
        attrs.evolve(product, length=Q_(-1, "cm"))
    assert product.length == Q_(12, "cm")


def test_product_is_frozen():
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mug().length_mm = Fraction(1)  # type: ignore[misc]


def test_product_pickles_with_its_canonical_values():
    import pickle

    product = mug(max_load_on_top=Q_(2, "kg"))
    copy = pickle.loads(pickle.dumps(product))
    assert copy == product
    assert copy.length == product.length
    assert copy.max_load_on_top_g == 2000
