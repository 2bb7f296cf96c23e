"""verify(): an independent checker that finds every broken rule."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ordercycle.errors import PackingError
from ordercycle.packing import (
    Carton,
    InvalidPlanError,
    Item,
    Package,
    PackingPlan,
    Placement,
    Rotation,
    Unpacked,
    pack,
    verify,
)
from ordercycle.packing.verify import violations
from ordercycle.units import Q_

BOX = Carton.from_mm("BOX", 200, 100, 100, max_weight_g=1000, stock=1)
CUBE = Item.from_mm("CUBE", 100, 100, 100, 300, quantity=2)


def at(item: Item, unit: int, x: int, y: int, z: int, size: tuple[int, int, int]) -> Placement:
    return Placement(
        item,
        unit,
        (Fraction(x), Fraction(y), Fraction(z)),
        (Fraction(size[0]), Fraction(size[1]), Fraction(size[2])),
    )


def plan_of(
    items: tuple[Item, ...],
    *packages: tuple[Carton, tuple[Placement, ...]],
    support: Fraction | None = None,
    unpacked: tuple[Unpacked, ...] = (),
) -> PackingPlan:
    return PackingPlan(
        packages=tuple(Package(carton, placements) for carton, placements in packages),
        items=items,
        objective="cartons",
        support=support,
        unpacked=unpacked,
        catalogue=(BOX,),
    )


def problems_of(plan: PackingPlan) -> str:
    with pytest.raises(InvalidPlanError) as caught:
        verify(plan)
    error = caught.value
    assert isinstance(error, PackingError)
    assert isinstance(error, ValueError)
    assert error.violations == violations(plan)
    return " | ".join(error.violations)


def test_a_valid_plan_passes() -> None:
    plan = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 1, 0, 0, 0, (100, 100, 100)), at(CUBE, 2, 100, 0, 0, (100, 100, 100)))),
    )
    assert verify(plan) is None
    assert violations(plan) == ()


def test_overlap_is_found() -> None:
    plan = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 1, 0, 0, 0, (100, 100, 100)), at(CUBE, 2, 99, 0, 0, (100, 100, 100)))),
    )
    text = problems_of(plan)
    assert text == "CUBE #1 and CUBE #2 overlap in package 1 (BOX)"


def test_touching_faces_do_not_overlap() -> None:
    plan = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 2, 100, 0, 0, (100, 100, 100)), at(CUBE, 1, 0, 0, 0, (100, 100, 100)))),
    )
    verify(plan)


def test_a_unit_outside_the_carton_is_found() -> None:
    plan = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 1, 0, 0, 1, (100, 100, 100)), at(CUBE, 2, 100, 0, 0, (100, 100, 100)))),
    )
    assert "CUBE #1 in package 1 (BOX) sticks out along z: 1..101 mm" in problems_of(plan)


def test_a_size_that_is_not_an_allowed_orientation_is_found() -> None:
    flat = Item.from_mm("FLAT", 100, 50, 20, 10, rotation=Rotation.THIS_SIDE_UP)
    plan = plan_of((flat,), (BOX, (at(flat, 1, 0, 0, 0, (100, 20, 50)),)))
    assert "not an allowed orientation (this_side_up)" in problems_of(plan)
    resized = plan_of((flat,), (BOX, (at(flat, 1, 0, 0, 0, (100, 50, 21)),)))
    assert "has size 100 x 50 x 21 mm" in problems_of(resized)


def test_overweight_is_found() -> None:
    heavy = Item.from_mm("LEAD", 100, 100, 100, 600, quantity=2)
    plan = plan_of(
        (heavy,),
        (BOX, (at(heavy, 1, 0, 0, 0, (100, 100, 100)), at(heavy, 2, 100, 0, 0, (100, 100, 100)))),
    )
    assert "weighs 1200 g, above its maximum of 1000 g" in problems_of(plan)


def test_missing_and_duplicated_units_are_found() -> None:
    missing = plan_of((CUBE,), (BOX, (at(CUBE, 1, 0, 0, 0, (100, 100, 100)),)))
    assert "CUBE #2 is neither packed nor reported unpacked" in problems_of(missing)
    twice = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 1, 0, 0, 0, (100, 100, 100)), at(CUBE, 2, 100, 0, 0, (100, 100, 100)))),
        unpacked=(Unpacked(CUBE, 2, "test"),),
    )
    assert "CUBE #2 appears 2 times" in problems_of(twice)
    stranger = Item.from_mm("GHOST", 10, 10, 10, 1)
    unknown = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 1, 0, 0, 0, (100, 100, 100)), at(CUBE, 2, 100, 0, 0, (100, 100, 100)))),
        unpacked=(Unpacked(stranger, 1, "test"),),
    )
    assert "GHOST #1 is not a unit of the order's items" in problems_of(unknown)


def test_item_rules_are_checked() -> None:
    alone = Item.from_mm("VASE", 100, 100, 100, 10, ship_alone=True)
    other = Item.from_mm("SOCK", 100, 100, 100, 10)
    plan = plan_of(
        (alone, other),
        (BOX, (at(alone, 1, 0, 0, 0, (100, 100, 100)), at(other, 1, 100, 0, 0, (100, 100, 100)))),
    )
    assert "must ship alone" in problems_of(plan)
    kit_a = Item.from_mm("KIT-A", 100, 100, 100, 10, group="kit")
    kit_b = Item.from_mm("KIT-B", 100, 100, 100, 10, group="kit")
    split = plan_of(
        (kit_a, kit_b),
        (BOX, (at(kit_a, 1, 0, 0, 0, (100, 100, 100)),)),
        (BOX, (at(kit_b, 1, 0, 0, 0, (100, 100, 100)),)),
    )
    text = problems_of(split)
    assert "group 'kit' is split over packages 1, 2" in text
    assert "carton BOX is used 2 times; stock is 1" in text
    own = Item.from_mm("TV", 100, 100, 100, 10, own_packaging=True)
    boxed = plan_of(
        (own, other),
        (BOX, (at(own, 1, 0, 0, 0, (100, 100, 100)), at(other, 1, 100, 0, 0, (100, 100, 100)))),
    )
    assert "own packaging with other units" in problems_of(boxed)


def test_fragile_and_load_limits_are_checked() -> None:
    tall = Carton.from_mm("TALL", 100, 100, 300)
    eggs = Item.from_mm("EGGS", 100, 100, 100, 10, fragile=True)
    brick = Item.from_mm("BRICK", 100, 100, 100, 2000)
    plan = PackingPlan(
        packages=(
            Package(
                tall,
                (at(eggs, 1, 0, 0, 0, (100, 100, 100)), at(brick, 1, 0, 0, 150, (100, 100, 100))),
            ),
        ),
        items=(eggs, brick),
        objective="cartons",
    )
    assert "EGGS #1 in package 1 (TALL) carries 2000 g on top; its limit is 0 g" in problems_of(
        plan
    )


def test_support_rule_is_checked_when_the_plan_has_one() -> None:
    floating = plan_of(
        (CUBE,),
        (BOX, (at(CUBE, 1, 0, 0, 0, (100, 100, 50)), at(CUBE, 2, 50, 0, 50, (100, 100, 50)))),
    )
    # sizes 100 x 100 x 50 are not orientations of a 100 mm cube
    assert "not an allowed orientation" in problems_of(floating)
    slab = Item.from_mm("SLAB", 100, 100, 50, 10, quantity=2)
    overhang = plan_of(
        (slab,),
        (BOX, (at(slab, 1, 0, 0, 0, (100, 100, 50)), at(slab, 2, 50, 0, 50, (100, 100, 50)))),
        support=Fraction(3, 4),
    )
    assert (
        "SLAB #2 in package 1 (BOX) rests on 50% of its base; the support rule needs 75%"
        in problems_of(overhang)
    )
    lenient = plan_of(
        (slab,),
        (BOX, (at(slab, 1, 0, 0, 0, (100, 100, 50)), at(slab, 2, 50, 0, 50, (100, 100, 50)))),
        support=Fraction(1, 2),
    )
    verify(lenient)


def test_a_carton_from_outside_the_catalogue_is_found() -> None:
    stray = Carton.from_mm("STRAY", 300, 300, 300)
    plan = plan_of(
        (CUBE,),
        (stray, (at(CUBE, 1, 0, 0, 0, (100, 100, 100)), at(CUBE, 2, 100, 0, 0, (100, 100, 100)))),
    )
    assert "not in the catalogue" in problems_of(plan)


def test_verify_leaves_the_plan_unchanged_and_lists_many_problems() -> None:
    plan = plan_of((CUBE,), (BOX, tuple(at(CUBE, 1, 0, 0, 0, (100, 100, 100)) for _ in range(7))))
    before = (plan.packages, plan.items)
    with pytest.raises(InvalidPlanError) as caught:
        verify(plan)
    assert (plan.packages, plan.items) == before
    found = caught.value.violations
    assert "CUBE #1 appears 7 times" in found
    assert "CUBE #2 is neither packed nor reported unpacked" in found
    assert str(caught.value).endswith(f"; and {len(found) - 5} more.")
    assert str(caught.value).startswith("Invalid packing plan: ")


def test_every_plan_from_pack_verifies() -> None:
    items = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=9)]
    verify(pack(items, [BOX, Carton.from_mm("BIG", 400, 300, 300)]))
