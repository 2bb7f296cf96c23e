"""Items and cartons: construction, exact conversion and refusals."""

from __future__ import annotations

import pickle
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import DimensionalityError, InvalidQuantityError, ValidationError
from ordercycle.money import Money
from ordercycle.packing import Carton, Item, Rotation
from ordercycle.packing.packer import _IN_MM, _in_mm
from ordercycle.units import Q_


def test_item_converts_once_to_exact_millimetres_and_grams() -> None:
    item = Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_("10.5", "cm"), Q_("0.35", "kg"), quantity=4)
    assert item.dims_mm == (Fraction(120), Fraction(90), Fraction(105))
    assert item.weight_g == 350
    assert item.quantity == 4
    assert item.rotation is Rotation.ANY
    assert item.load_limit_g is None
    assert item.volume == Q_(120 * 90 * 105, "mm**3")


def test_inches_stay_exact() -> None:
    item = Item.from_inches("BOX", 1, 2, 3, "0.5")
    assert item.dims_mm == (Fraction(127, 5), Fraction(254, 5), Fraction(381, 5))
    assert item.weight_g == Fraction(45359237, 200000)


@pytest.mark.parametrize(
    ("rotation", "count"), [(Rotation.ANY, 6), (Rotation.THIS_SIDE_UP, 2), (Rotation.FIXED, 1)]
)
def test_rotation_rules_give_the_allowed_orientations(rotation: Rotation, count: int) -> None:
    item = Item.from_mm("A", 10, 20, 30, 1, rotation=rotation)
    found = item.orientations_mm()
    assert len(found) == count
    assert (10, 20, 30) in found
    if rotation is Rotation.THIS_SIDE_UP:
        assert all(o[2] == 30 for o in found)


def test_a_cube_has_one_orientation_and_a_string_rotation_is_accepted() -> None:
    assert len(Item.from_mm("CUBE", 10, 10, 10, 1).orientations_mm()) == 1
    assert Item.from_mm("A", 1, 2, 3, 1, rotation="this_side_up").rotation is Rotation.THIS_SIDE_UP


def test_fragile_means_no_load_on_top() -> None:
    assert Item.from_mm("EGG", 10, 10, 10, 60, fragile=True).load_limit_g == 0
    assert Item.from_mm("BOX", 10, 10, 10, 60, max_load=Q_(2, "kg")).load_limit_g == 2000


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"sku": ""}, ValidationError, ["sku", "non-empty"]),
        ({"length": Q_(0, "mm")}, ValidationError, ["length", "item A", "positive"]),
        ({"width": Q_(-1, "mm")}, ValidationError, ["width", "positive"]),
        ({"height": Q_(3, "kg")}, DimensionalityError, ["height", "item A", "length"]),
        ({"weight": Q_(3, "mm")}, DimensionalityError, ["weight", "mass"]),
        ({"weight": Q_(-3, "g")}, ValidationError, ["weight", "0 or more"]),
        ({"quantity": 0}, InvalidQuantityError, ["quantity", "positive integer"]),
        ({"quantity": 1.5}, InvalidQuantityError, ["quantity"]),
        ({"rotation": "upside"}, ValidationError, ["rotation", "this_side_up"]),
        ({"max_load": Q_(-1, "g")}, ValidationError, ["max_load"]),
        ({"group": "G", "ship_alone": True}, ValidationError, ["group", "alone"]),
        ({"group": ""}, ValidationError, ["group"]),
    ],
)
def test_bad_items_are_refused(kwargs: dict[str, object], error: type, words: list[str]) -> None:
    arguments: dict[str, object] = {
        "sku": "A",
        "length": Q_(10, "mm"),
        "width": Q_(10, "mm"),
        "height": Q_(10, "mm"),
        "weight": Q_(10, "g"),
        **kwargs,
    }
    with pytest.raises(error) as caught:
        Item(**arguments)  # type: ignore[arg-type]
    for word in words:
        assert word in str(caught.value)


def test_items_are_frozen_and_pickle() -> None:
    item = Item.from_mm("A", 10, 20, 30, 40, quantity=2)
    with pytest.raises(AttributeError):
        item.quantity = 3  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(item))
    assert copy == item
    assert copy.dims_mm == item.dims_mm


def test_carton_outer_defaults_to_inner_and_capacity_is_net() -> None:
    carton = Carton(
        "S",
        inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")),
        tare=Q_(120, "g"),
        max_weight=Q_(10, "kg"),
    )
    assert carton.outer == carton.inner
    assert carton.outer_mm == carton.inner_mm == (200, 200, 150)
    assert carton.capacity_g == 9880
    assert carton.max_weight_g == 10000
    assert carton.inner_volume == Q_(6_000_000, "mm**3")


def test_named_constructors() -> None:
    metric = Carton.from_mm(
        "Option 1",
        230,
        300,
        240,
        outer=(230, 300, 240),
        tare_g=160,
        max_weight_g=15000,
        cost=Money("0.80", "USD"),
        stock=5,
    )
    assert metric.capacity_g == 14840
    assert metric.cost == Money("0.80", "USD")
    assert metric.stock == 5
    imperial = Carton.from_inches("M", 12, 10, 8, outer=(13, 11, 9), tare_lb="0.5")
    assert imperial.outer_mm == (Fraction(1651, 5), Fraction(1397, 5), Fraction(1143, 5))
    assert imperial.capacity_g is None


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"name": ""}, ValidationError, ["name"]),
        ({"inner": (Q_(1, "cm"), Q_(1, "cm"))}, ValidationError, ["inner", "three lengths"]),
        ({"inner": (Q_(0, "cm"), Q_(1, "cm"), Q_(1, "cm"))}, ValidationError, ["positive"]),
        ({"inner": (Q_(1, "kg"), Q_(1, "cm"), Q_(1, "cm"))}, DimensionalityError, ["length"]),
        (
            {"outer": (Q_(1, "cm"), Q_(10, "cm"), Q_(10, "cm"))},
            ValidationError,
            ["outer", "at least the inner"],
        ),
        ({"tare": Q_(-1, "g")}, ValidationError, ["tare"]),
        ({"max_weight": Q_(100, "g"), "tare": Q_(100, "g")}, ValidationError, ["above the tare"]),
        ({"cost": "1.00"}, ValidationError, ["cost", "Money"]),
        ({"stock": -1}, InvalidQuantityError, ["stock", "0 or more"]),
    ],
)
def test_bad_cartons_are_refused(kwargs: dict[str, object], error: type, words: list[str]) -> None:
    arguments: dict[str, object] = {
        "name": "C",
        "inner": (Q_(10, "cm"), Q_(10, "cm"), Q_(10, "cm")),
        **kwargs,
    }
    with pytest.raises(error) as caught:
        Carton(**arguments)  # type: ignore[arg-type]
    for word in words:
        assert word in str(caught.value)


def test_upright_sides_give_the_turns_about_each_side_allowed_vertical() -> None:
    # Length may not stand vertical; width and height may (a Bischoff-Ratcliff "0 1 1").
    item = Item.from_mm("CASE", 108, 76, 30, 1, upright=(False, True, True))
    assert set(item.orientations_mm()) == {
        (108, 30, 76),
        (30, 108, 76),
        (108, 76, 30),
        (76, 108, 30),
    }
    assert item.orientation_rule == "upright: width or height"
    cube = Item.from_mm("CUBE", 5, 5, 5, 1, upright=(True, False, False))
    assert len(cube.orientations_mm()) == 1


@pytest.mark.parametrize(
    ("upright", "rotation"),
    [
        ((False, False, False), "any"),
        ((True, True), "any"),
        ((1, 0, 1), "any"),
        ([True, True, True], "any"),
        ((True, True, True), "this_side_up"),
    ],
)
def test_upright_refuses_flags_that_allow_no_side_or_a_rotation_rule(
    upright: object, rotation: str
) -> None:
    with pytest.raises(ValidationError, match="upright"):
        Item.from_mm("CASE", 10, 20, 30, 1, upright=upright, rotation=rotation)


@pytest.mark.parametrize(
    ("rotation", "upright"),
    [
        (Rotation.ANY, None),
        (Rotation.THIS_SIDE_UP, None),
        (Rotation.FIXED, None),
        (Rotation.ANY, (False, True, True)),
    ],
)
def test_items_of_the_same_sides_and_rules_share_their_orientations(
    rotation: Rotation, upright: tuple[bool, bool, bool] | None
) -> None:
    from ordercycle.packing.packer import _engine_orientations

    first = Item.from_mm("A", 108, 76, 30, 1, rotation=rotation, upright=upright)
    other = Item.from_mm("B", 108, 76, 30, 5, quantity=3, rotation=rotation, upright=upright)
    found = first.orientations_mm()
    # Remembered: the same tuple for the same sides and rules, whatever else differs.
    assert other.orientations_mm() is found
    assert found == tuple(sorted(set(found)))
    # In engine steps: each side times the scale, remembered by the tuple's identity.
    for scale in (1, 5):
        steps = _engine_orientations(found, scale)
        assert steps == tuple(tuple(int(side * scale) for side in o) for o in found)
        assert _engine_orientations(found, scale) is steps
    # A different item (another side) has its own.
    assert (
        Item.from_mm("C", 108, 76, 31, 1, rotation=rotation, upright=upright).orientations_mm()
        != found
    )


_steps = st.integers(min_value=0, max_value=5000)


@settings(max_examples=100, deadline=None)
@given(
    corner=st.tuples(_steps, _steps, _steps),
    sides=st.tuples(*(st.integers(min_value=1, max_value=5000) for _ in range(3))),
    scale=st.integers(min_value=1, max_value=12),
)
def test_a_placed_box_in_millimetres_is_its_steps_over_the_scale(
    corner: tuple[int, int, int], sides: tuple[int, int, int], scale: int
) -> None:
    x, y, z = corner
    box = (x, y, z, x + sides[0], y + sides[1], z + sides[2])
    expected = (tuple(Fraction(c, scale) for c in corner), tuple(Fraction(s, scale) for s in sides))
    _IN_MM.clear()
    for _ in range(2):  # worked out, then remembered
        assert _in_mm(box, scale) == expected
    assert len(_IN_MM) == 1
