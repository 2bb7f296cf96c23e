"""The exact search on small orders: optimal plans that say so, and bounds worth quoting."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.errors import UnpackableItemError, ValidationError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.packing import Carton, Item, PackRequest, carriers, pack, verify
from ordercycle.service import DeskSettings, OrderDesk
from ordercycle.units import Q_

CARTONS = [
    Carton.from_inches("S", 8, 6, 4),
    Carton.from_inches("M", 12, 10, 8),
    Carton.from_inches("L", 18, 14, 12),
]
MUGS = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]


def test_four_mugs_bill_four_pounds_in_two_small_cartons() -> None:
    plan = pack(MUGS, CARTONS, carriers.UPS_DAILY, objective="billable_weight")
    verify(plan)
    assert plan.billable_weight == Q_(4, "lb")
    assert [p.carton.name for p in plan.packages] == ["S", "S"]
    assert [len(p) for p in plan.packages] == [2, 2]
    assert plan.optimal
    assert plan.proof == "bound met"
    assert plan.lower_bound == Q_(4, "lb")
    assert plan.gap == 0
    assert "proven optimal: bound met" in plan.explain()


def test_the_heuristic_alone_bills_more_and_is_not_proven() -> None:
    plan = pack(MUGS, CARTONS, carriers.UPS_DAILY, exact=False)
    assert plan.billable_weight == Q_(6, "lb")
    assert not plan.optimal
    assert plan.proof == ""
    assert plan.gap == Fraction(1, 3)
    assert "not proven optimal: within 33.3% of the lower bound" in plan.explain()


def test_four_mugs_with_the_default_settings_cartons() -> None:
    cartons = DeskSettings.default().cartons
    plan = pack(MUGS, cartons, carriers.UPS_DAILY)
    assert plan.billable_weight == Q_(4, "lb")
    assert plan.optimal


def test_four_mugs_through_the_desk_bill_four_pounds() -> None:
    desk = OrderDesk.in_memory(clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    open_sample_shop(desk)
    order_id = desk.place_order("C-BOLT", {"MUG": 4}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.shipment(desk.pack_order(order_id, wave).aggregate_id)
    assert sum(p.billable_weight for p in shipment.parcels) == 4
    assert [p.contents for p in shipment.parcels] == [(("MUG", 2),), (("MUG", 2),)]


def test_four_teapots_bill_two_medium_cartons() -> None:
    teapots = [Item("TEAPOT", Q_(20, "cm"), Q_(16, "cm"), Q_(15, "cm"), Q_(1200, "g"), quantity=4)]
    plan = pack(teapots, CARTONS, carriers.UPS_DAILY)
    assert plan.billable_weight == Q_(14, "lb")
    assert plan.optimal


def test_a_one_unit_order_has_its_best_single_carton_as_bound() -> None:
    plan = pack([Item.from_mm("BOOK", 200, 150, 40, 700)], CARTONS, carriers.UPS_DAILY)
    assert plan.lower_bound == plan.billable_weight == Q_(2, "lb")
    assert plan.optimal
    assert plan.gap == 0


def test_the_search_is_deterministic_and_the_flag_is_checked() -> None:
    items = [
        Item.from_mm("A", 77, 169, 175, 500, quantity=2),
        Item.from_mm("B", 239, 22, 89, 500, quantity=2),
        Item.from_mm("C", 210, 220, 69, 500, quantity=2),
    ]
    first = pack(items, CARTONS, carriers.UPS_DAILY)
    assert first == pack(items, CARTONS, carriers.UPS_DAILY)
    assert first.explain() == pack(items, CARTONS, carriers.UPS_DAILY).explain()
    with pytest.raises(ValidationError, match="exact"):
        pack(items, CARTONS, carriers.UPS_DAILY, exact=1)  # type: ignore[arg-type]
    assert PackRequest(items, CARTONS).exact is True


side = st.integers(min_value=40, max_value=320)


@st.composite
def small_orders(draw: st.DrawFn) -> list[Item]:
    kinds = draw(st.integers(min_value=1, max_value=3))
    return [
        Item.from_mm(
            f"K{k}",
            draw(side),
            draw(side),
            draw(st.integers(min_value=20, max_value=200)),
            draw(st.integers(min_value=50, max_value=6000)),
            quantity=draw(st.integers(min_value=1, max_value=3)),
        )
        for k in range(kinds)
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_orders(), st.sampled_from(["billable_weight", "cartons"]))
def test_exact_is_never_worse_than_the_heuristic_nor_below_the_bound(
    items: list[Item], objective: str
) -> None:
    cartons = DeskSettings.default().cartons
    try:
        heuristic = pack(items, cartons, carriers.UPS_DAILY, objective=objective, exact=False)
    except UnpackableItemError:
        return
    plan = pack(items, cartons, carriers.UPS_DAILY, objective=objective)
    verify(plan)
    assert plan.objective_value <= heuristic.objective_value
    assert plan.objective_value >= plan.lower_bound
    assert plan.lower_bound == heuristic.lower_bound
    assert plan.gap is not None
    assert 0 <= plan.gap < 1
    if plan.optimal:
        assert plan.proof in ("bound met", "search exhausted")


def _pack_four_mugs(desk: OrderDesk) -> tuple[list[tuple[tuple[str, int], ...]], object]:
    open_sample_shop(desk)
    order_id = desk.place_order("C-BOLT", {"MUG": 4}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.shipment(desk.pack_order(order_id, wave).aggregate_id)
    return [p.contents for p in shipment.parcels], sum(p.billable_weight for p in shipment.parcels)


@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_the_desk_packs_within_its_work_budget_setting(storage: str, tmp_path: Path) -> None:
    # A budget of one work unit stops the search after its first pass (all four mugs in
    # one M, 7 lb), before the exact search finds two S cartons (4 lb).
    clock = SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tight = attrs.evolve(DeskSettings.default(), pack_work_limit=1)
    if storage == "memory":
        desk = OrderDesk.in_memory(clock=clock, settings=tight)
    else:
        desk = OrderDesk.sqlite(tmp_path / "desk.db", clock=clock, settings=tight)
    assert _pack_four_mugs(desk) == ([(("MUG", 4),)], 7)
    default = OrderDesk.in_memory(clock=clock)
    assert _pack_four_mugs(default) == ([(("MUG", 2),), (("MUG", 2),)], 4)


# --- units that must stack along one axis (issue 15) ---------------------------------------

FLAT = Carton.from_mm("Flat", 220, 260, 15)


def _sheets(quantity: int, thickness: str = "1.3") -> list[Item]:
    return [
        Item(
            "SHEET",
            Q_(200, "mm"),
            Q_(240, "mm"),
            Q_(Fraction(thickness), "mm"),
            Q_(20, "g"),
            quantity=quantity,
        )
    ]


def test_sheets_that_overflow_the_flat_side_are_proven_to_need_two_cartons() -> None:
    # 12 x 1.3 mm = 15.6 mm > 15 mm: no two sheets sit side by side along the long sides,
    # so they stack, and the stack overflows. Volume and weight alone allow one carton.
    plan = pack(_sheets(12), [FLAT], objective="cartons")
    verify(plan)
    assert len(plan.packages) == 2
    assert plan.lower_bound == 2
    assert plan.optimal
    assert plan.proof == "bound met"


def test_sheets_whose_stack_fits_share_one_carton() -> None:
    plan = pack(_sheets(11), [FLAT], objective="cartons")
    verify(plan)
    assert len(plan.packages) == 1
    assert plan.lower_bound == 1


def test_the_stacking_argument_needs_every_pair_to_stack() -> None:
    # Narrow sheets fit two side by side along the long side, so nothing is proven and
    # twelve of them share one carton.
    narrow = [Item("STRIP", Q_(200, "mm"), Q_(120, "mm"), Q_(2, "mm"), Q_(5, "g"), quantity=12)]
    plan = pack(narrow, [FLAT], objective="cartons")
    verify(plan)
    assert len(plan.packages) == 1


def test_stacked_overflow_directly() -> None:
    from ordercycle.packing._engine import EngineUnit, stacked_overflow

    def unit(uid: int, x: int, y: int, z: int) -> EngineUnit:
        return EngineUnit(uid, [(x, y, z), (y, x, z)], 1, None, None, (uid,))

    size = (220, 260, 15)
    assert stacked_overflow(size, [unit(i, 200, 240, 5) for i in range(4)])
    assert not stacked_overflow(size, [unit(i, 200, 240, 5) for i in range(3)])
    # One narrow unit can sit beside the others: the remaining three still stack (15 mm).
    assert not stacked_overflow(
        size, [*(unit(i, 200, 240, 5) for i in range(3)), unit(9, 200, 10, 5)]
    )
    # A unit that fits no way proves it at once.
    assert stacked_overflow(size, [unit(0, 300, 300, 5), unit(1, 10, 10, 1)])


def test_a_remembered_stacking_answer_is_the_one_worked_out() -> None:
    from ordercycle.packing import _engine
    from ordercycle.packing._engine import EngineUnit, stacked_overflow

    def unit(uid: int, x: int, y: int, z: int) -> EngineUnit:
        return EngineUnit(uid, [(x, y, z), (y, x, z)], 1, None, None, (uid,))

    size = (220, 260, 15)
    cases = [
        [unit(i, 200, 240, 5) for i in range(4)],
        [unit(i, 200, 240, 5) for i in range(3)],
        [*(unit(i, 200, 240, 5) for i in range(3)), unit(9, 200, 10, 5)],
    ]
    for units in cases:
        _engine._OVERFLOWS.clear()
        fresh = stacked_overflow(size, units)
        assert fresh is _engine._stacked_overflow(size, units)
        assert len(_engine._OVERFLOWS) == 1
        # Other units of the same shapes (other ids): the remembered answer.
        others = [unit(100 + n, *u.orientations[0]) for n, u in enumerate(units)]
        assert stacked_overflow(size, others) is fresh
        assert len(_engine._OVERFLOWS) == 1
    # Another carton, or the units in another order, is another key.
    stacked_overflow((220, 260, 20), cases[0])
    stacked_overflow(size, list(reversed(cases[2])))
    assert len(_engine._OVERFLOWS) == 3
