"""Fewest cartons within the default budget: orders of flat goods that meet their bound."""

from __future__ import annotations

from ordercycle.packing import Carton, Item, pack, verify

#: BoxPacker's four carton types (inner mm, outer mm, tare g, gross g).
CARTONS = tuple(
    Carton.from_mm(name, w, ln, d, outer=outer, tare_g=tare, max_weight_g=gross)
    for name, (w, ln, d), outer, tare, gross in (
        ("Option 1", (230, 300, 240), (230, 300, 240), 160, 15000),
        ("Option 2", (364, 374, 40), (370, 375, 60), 140, 3000),
        ("Option 3", (229, 305, 520), (229, 305, 520), 100, 10000),
        ("Option 4", (220, 260, 15), (240, 270, 15), 10, 500),
    )
)

#: BoxPacker's order 750d917e: 75 sheets and booklets, A4 and A5. Two "Option 1" cartons
#: hold it (volume and weight say at least two); the first constructions need three, and
#: only the merge of the last two cartons, tried with every placement strategy, finds two.
SHEETS = (
    Item.from_mm("A4-4a", 210, 298, 4, 208, quantity=12),
    Item.from_mm("A4-4b", 210, 298, 4, 208, quantity=3),
    Item.from_mm("A4-10", 210, 297, 10, 640, quantity=22),
    Item.from_mm("A4-8", 210, 297, 8, 300, quantity=12),
    Item.from_mm("A5-8", 148, 210, 8, 226, quantity=5),
    Item.from_mm("A5-10", 148, 210, 10, 322, quantity=20),
    Item.from_mm("SQ-2", 210, 210, 2, 61, quantity=1),
)


def test_flat_goods_fill_two_cartons_within_the_default_budget() -> None:
    plan = pack(SHEETS, CARTONS, objective="cartons")
    verify(plan)
    assert len(plan.packages) == 2
    assert sum(len(p.placements) for p in plan.packages) == 75
    assert plan.lower_bound == 2


def test_the_fewest_cartons_plan_is_the_same_on_every_run() -> None:
    first = pack(SHEETS, CARTONS, objective="cartons")
    again = pack(SHEETS, CARTONS, objective="cartons")
    assert [
        (p.carton.name, [(x.item.sku, x.position_mm, x.size_mm) for x in p.placements])
        for p in first.packages
    ] == [
        (p.carton.name, [(x.item.sku, x.position_mm, x.size_mm) for x in p.placements])
        for p in again.packages
    ]
