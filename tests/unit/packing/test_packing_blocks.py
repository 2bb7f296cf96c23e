"""Large quantities of one SKU: full cartons as block arrangements, the rest searched."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.money import Money
from ordercycle.packing import Carton, Item, PackingPlan, Rotation, carriers, pack, verify
from ordercycle.packing._blocks import block_layout
from ordercycle.units import Q_


def units_of(plan: PackingPlan) -> list[tuple[str, int]]:
    return sorted((p.item.sku, p.unit) for package in plan.packages for p in package)


def test_a_mixed_guillotine_layout_beats_every_single_orientation() -> None:
    # 200 x 100 x 100 in 500 x 300 x 100: one orientation holds 2 x 3 = 6; a cut at
    # x = 400 leaves a 100 x 300 strip that takes one more unit turned: 7.
    orientations = [(200, 100, 100), (100, 200, 100), (100, 100, 200)]
    boxes = block_layout(orientations, (500, 300, 100), None, True)
    assert len(boxes) == 7
    assert all(0 <= b[0] < b[3] <= 500 and 0 <= b[1] < b[4] <= 300 for b in boxes)


def test_ten_thousand_units_fill_the_hand_counted_number_of_cartons() -> None:
    # 7 units a carton (see above): 10,000 = 1,428 x 7 + 4, so 1,429 cartons.
    item = Item.from_mm("BRICK", 200, 100, 100, 1000, quantity=10_000)
    carton = Carton.from_mm("C", 500, 300, 100, tare_g=100)
    plan = pack([item], [carton], objective="cartons")
    verify(plan)
    assert len(plan.packages) == 1_429
    assert len(units_of(plan)) == 10_000
    assert sorted(len(p.placements) for p in plan.packages)[-1] == 7
    assert any("as a block" in p.reason for p in plan.packages)


def test_the_carton_weight_limit_caps_a_full_carton() -> None:
    # Geometry takes 7, but 5 kg of contents at most: 5 units a carton, 2,000 cartons.
    item = Item.from_mm("BRICK", 200, 100, 100, 1000, quantity=10_000)
    carton = Carton.from_mm("C", 500, 300, 100, tare_g=0, max_weight_g=5000)
    plan = pack([item], [carton], objective="cartons")
    verify(plan)
    assert len(plan.packages) == 2_000
    assert max(len(p.placements) for p in plan.packages) == 5


def test_a_stack_never_exceeds_the_load_limit() -> None:
    # 100 mm cubes, 300 mm high carton: 3 a column by geometry, but one unit may carry
    # only 1 kg (one unit of 1 kg) so a column holds 2: 2 x 2 x 2 = 8 a carton.
    item = Item.from_mm("CUBE", 100, 100, 100, 1000, quantity=800, max_load=Q_(1, "kg"))
    carton = Carton.from_mm("C", 200, 200, 300, tare_g=0)
    plan = pack([item], [carton], objective="cartons")
    verify(plan)
    assert len(plan.packages) == 100


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    sides=st.tuples(*[st.integers(20, 160)] * 3),
    carton=st.tuples(*[st.integers(150, 500)] * 3),
    grams=st.integers(0, 3000),
    quantity=st.integers(97, 300),
    rotation=st.sampled_from(list(Rotation)),
    fragile=st.booleans(),
    support=st.sampled_from([None, Fraction(3, 4)]),
    objective=st.sampled_from(["billable_weight", "cartons", "cost"]),
    max_weight=st.sampled_from([None, 8000, 30000]),
)
def test_block_plans_verify_and_hold_every_unit(
    sides: tuple[int, int, int],
    carton: tuple[int, int, int],
    grams: int,
    quantity: int,
    rotation: Rotation,
    fragile: bool,
    support: Fraction | None,
    objective: str,
    max_weight: int | None,
) -> None:
    item = Item.from_mm("SKU", *sides, grams, quantity=quantity, rotation=rotation, fragile=fragile)
    cartons = [
        Carton.from_mm("BIG", *carton, tare_g=200, max_weight_g=max_weight, cost=None),
        Carton.from_mm("HUGE", *(s * 2 for s in carton), tare_g=500, max_weight_g=max_weight),
    ]
    if objective == "cost":
        cartons = [
            Carton(
                c.name,
                inner=c.inner,
                tare=c.tare,
                max_weight=c.max_weight,
                cost=Money("1.00", "USD"),
            )
            for c in cartons
        ]
    plan = pack(
        [item],
        cartons,
        carriers.UPS_DAILY,
        objective=objective,
        support=support,
        on_unpackable="report",
    )
    verify(plan)
    packed = units_of(plan)
    assert len(packed) + len(plan.unpacked) == quantity
    assert len(set(packed)) == len(packed)


def test_a_mixed_order_splits_the_large_sku_and_packs_the_rest_together() -> None:
    items = [
        Item.from_mm("MUG", 120, 90, 100, 350, quantity=300),
        Item.from_mm("BOOK", 210, 297, 30, 800, quantity=3, rotation=Rotation.THIS_SIDE_UP),
        Item.from_mm("LAMP", 200, 150, 250, 1500, quantity=2, group="SET"),
        Item.from_mm("SHADE", 150, 150, 100, 200, quantity=1, group="SET"),
    ]
    cartons = [
        Carton.from_inches("S", 8, 6, 4, tare_lb="0.25", max_weight_lb=20),
        Carton.from_inches("M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40),
        Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60),
    ]
    plan = pack(items, cartons, carriers.UPS_DAILY)
    verify(plan)
    assert len(units_of(plan)) == 306
    assert any("as a block" in p.reason for p in plan.packages)
    with_set = [p for p in plan.packages if {q.item.sku for q in p} & {"LAMP", "SHADE"}]
    assert len(with_set) == 1
    assert not plan.optimal or plan.proof == "bound met"


def test_a_full_carton_leaves_a_weight_step_to_the_rest_when_that_bills_less() -> None:
    # 250 units of 80 g that carry 200 g each, desk cartons, fewest cartons: one L and one
    # S either way. A full L (234 units) bills 43 lb; 232 units bill 42 lb, and the S
    # still bills 4 lb with the 18 units left, so the plan bills 46 lb, not 47 lb.
    cartons = (
        Carton.from_inches("S", 8, 6, 4, tare_lb="0.25", max_weight_lb=20),
        Carton.from_inches("M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40),
        Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60),
    )
    item = Item.from_mm("SMALL", 60, 50, 40, 80, quantity=250, max_load=Q_(200, "g"))
    plan = pack([item], cartons, carriers.UPS_DAILY, objective="cartons")
    verify(plan)
    assert plan.carton_count == 2
    assert sum(p.billable_weight for p in plan.packages) == Q_(46, "lb")
    assert sorted(p.carton.name for p in plan.packages) == ["L", "S"]
