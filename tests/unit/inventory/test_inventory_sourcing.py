"""The allocation planner: rule chains, policies, explanations, compare-and-set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ordercycle.errors import (
    ConcurrencyError,
    ConfigurationError,
    DuplicateError,
    InsufficientStockError,
    InvalidQuantityError,
    ValidationError,
)
from ordercycle.inventory import (
    AllocationPlan,
    AllocationPolicy,
    AllocationStrategy,
    Closest,
    Demand,
    DemandLine,
    Fefo,
    FewestShipments,
    Fifo,
    LeastPackages,
    Lifo,
    Lot,
    MostStock,
    Network,
    StockLedger,
    StockSlot,
    StockSnapshot,
    WarehousePriority,
    allocate,
    plan_allocation,
)
from ordercycle.units import Q_

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
NETWORK = Network.build(
    {
        "WH-A": {"A": ["A-01", "A-02"]},
        "WH-B": {"B": ["B-01"]},
        "WH-C": {"C": ["C-01"]},
    },
    priorities={"WH-A": 0, "WH-B": 1, "WH-C": 2},
    positions={"WH-A": (0.0, 0.0), "WH-B": (10.0, 0.0), "WH-C": (3.0, 0.0)},
)


def slot(sku: str, bin_: str, available: int, lot: str | None = None, **dates: Any) -> StockSlot:
    return StockSlot(sku, bin_, NETWORK.warehouse_of(bin_), lot, available=available, **dates)


def snap(*slots: StockSlot, versions: dict[str, int] | None = None) -> StockSnapshot:
    return StockSnapshot.of(NETWORK, slots, at=T0, versions=versions)


def taken(plan: AllocationPlan) -> list[tuple[str, str | None, int]]:
    return [(p.bin, p.lot, p.quantity) for p in plan.picks]


def test_warehouse_priority_splits_and_explains_the_shortfall() -> None:
    plan = plan_allocation(
        Demand.of("O-1", {"MUG": 6}), snap(slot("MUG", "A-01", 2), slot("MUG", "B-01", 3))
    )
    line = plan.line("1")
    assert taken(plan) == [("A-01", None, 2), ("B-01", None, 3)]
    assert (line.allocated, line.backordered, plan.status) == (5, 1, "partial")
    assert line.reasons[0] == "WH-A taken: 2 of 6, 4 short there (priority 0)"
    assert "1 backordered" in line.reasons
    assert plan.warehouses == ("WH-A", "WH-B")


def test_most_stock_prefers_the_fullest_warehouse() -> None:
    stock = snap(slot("MUG", "A-01", 2), slot("MUG", "B-01", 9))
    plan = plan_allocation(Demand.of("O-1", {"MUG": 2}), stock, AllocationStrategy.most_stock())
    assert taken(plan) == [("B-01", None, 2)]
    assert plan.line("1").reasons == (
        "WH-B taken: 2 of 2 (9 available)",
        "  B-01 taken: 2 (does not expire)",
        "WH-A skipped: line already covered",
    )


def test_closest_uses_the_distance_function() -> None:
    def distance(warehouse: Any, destination: Any) -> float:
        return abs(warehouse.position[0] - destination[0])

    stock = snap(slot("MUG", "A-01", 5), slot("MUG", "B-01", 5), slot("MUG", "C-01", 5))
    demand = Demand.of("O-1", {"MUG": 2}, destination=(9.0, 0.0))
    plan = plan_allocation(demand, stock, AllocationStrategy.closest(distance))
    assert plan.warehouses == ("WH-B",)
    assert plan.line("1").reasons[0] == "WH-B taken: 2 of 2 (distance 1.0; priority 1)"


def test_fewest_shipments_prefers_one_warehouse_that_covers_everything() -> None:
    stock = snap(
        slot("MUG", "A-01", 5),
        slot("TEA", "B-01", 5),
        slot("MUG", "C-01", 5),
        slot("TEA", "C-01", 5),
    )
    demand = Demand.of("O-1", {"MUG": 2, "TEA": 2})
    by_priority = plan_allocation(demand, stock, AllocationStrategy.warehouse_priority())
    fewest = plan_allocation(demand, stock, AllocationStrategy.fewest_shipments())
    assert by_priority.shipment_count == 2
    assert fewest.warehouses == ("WH-C",)
    assert "WH-A skipped: 2 short (priority 0)" in fewest.reasons
    assert "fewest shipments: WH-C alone covers the order" in fewest.reasons
    assert "WH-A skipped: not in the chosen shipment set" in fewest.line("1").reasons


def test_fewest_shipments_tries_pairs_then_falls_back_to_the_best_cover() -> None:
    stock = snap(slot("MUG", "A-01", 5), slot("TEA", "B-01", 5), slot("JAM", "C-01", 1))
    pair = plan_allocation(
        Demand.of("O-1", {"MUG": 2, "TEA": 2}), stock, AllocationStrategy.fewest_shipments()
    )
    assert pair.warehouses == ("WH-A", "WH-B")
    assert any("WH-A + WH-B cover it in 2 shipments" in r for r in pair.reasons)
    short = plan_allocation(
        Demand.of("O-2", {"MUG": 2, "TEA": 2, "JAM": 3}),
        stock,
        AllocationStrategy.fewest_shipments(max_warehouses=2),
    )
    assert short.allocated == 5
    assert short.backordered == 2
    assert any("filling each line in rank order" in r for r in short.reasons)


@pytest.mark.parametrize(
    ("rule", "order"),
    [(Fefo(), ["L2", "L1", "L3"]), (Fifo(), ["L1", "L3", "L2"]), (Lifo(), ["L2", "L3", "L1"])],
)
def test_lot_rules_order_lots(rule: Any, order: list[str]) -> None:
    stock = snap(
        slot("MILK", "A-01", 1, "L1", received_on=date(2026, 1, 1), expires_on=date(2026, 5, 1)),
        slot("MILK", "A-01", 1, "L2", received_on=date(2026, 2, 1), expires_on=date(2026, 4, 1)),
        slot("MILK", "A-02", 1, "L3", received_on=date(2026, 1, 15), expires_on=date(2026, 6, 1)),
    )
    plan = plan_allocation(Demand.of("O-1", {"MILK": 3}), stock, AllocationStrategy((rule,)))
    assert [p.lot for p in plan.picks] == order


def test_least_packages_takes_one_slot_that_covers_the_line() -> None:
    stock = snap(slot("MUG", "A-01", 3), slot("MUG", "A-02", 8))
    plan = plan_allocation(
        Demand.of("O-1", {"MUG": 5}),
        stock,
        AllocationStrategy((WarehousePriority(), LeastPackages())),
    )
    assert taken(plan) == [("A-02", None, 5)]


def test_shelf_life_skips_lots_too_close_to_expiry_and_says_so() -> None:
    stock = snap(
        slot("MILK", "A-01", 5, "L1", expires_on=date(2026, 3, 10)),
        slot("MILK", "A-02", 5, "L2", expires_on=date(2026, 4, 30)),
        slot("MILK", "B-01", 5, "L0", expires_on=date(2026, 3, 1)),
    )
    demand = Demand("O-1", [DemandLine("1", "MILK", 4, min_shelf_life_days=14)])  # type: ignore[arg-type]
    plan = plan_allocation(demand, stock)
    assert taken(plan) == [("A-02", "L2", 4)]
    reasons = plan.line("1").reasons
    assert (
        "lot L1 in A-01 skipped: expires 2026-03-10, 8 days of shelf life left, 14 required"
        in reasons
    )
    assert any(r.startswith("lot L0 in B-01 skipped: expires 2026-03-01, 0 days") for r in reasons)


def test_all_or_nothing_per_line_and_per_order() -> None:
    stock = snap(slot("MUG", "A-01", 5), slot("TEA", "A-01", 1))
    demand = Demand.of("O-1", {"MUG": 2, "TEA": 3})
    per_line = plan_allocation(demand, stock, policy=AllocationPolicy.all_or_nothing_per_line())
    assert (per_line.line("1").allocated, per_line.line("2").allocated) == (2, 0)
    assert per_line.line("2").backordered == 3
    per_order = plan_allocation(
        demand, stock, policy=AllocationPolicy.all_or_nothing_per_order(backorders=False)
    )
    assert per_order.allocated == 0
    assert per_order.status == "rejected"
    assert per_order.unfulfilled == 5
    assert any("all or nothing per order" in r for r in per_order.reasons)
    partial = plan_allocation(demand, stock, policy=AllocationPolicy.partial(backorders=False))
    assert (partial.allocated, partial.unfulfilled, partial.backordered) == (3, 2, 0)
    assert "2 unfulfilled: backorders are not allowed" in partial.line("2").reasons


def test_two_lines_of_one_sku_share_the_stock() -> None:
    demand = Demand("O-1", [DemandLine("1", "MUG", 3), DemandLine("2", "MUG", 3)])  # type: ignore[arg-type]
    plan = plan_allocation(demand, snap(slot("MUG", "A-01", 4)))
    assert [line.allocated for line in plan.lines] == [3, 1]
    assert plan.backordered == 2


def test_plan_reports_and_html() -> None:
    plan = plan_allocation(Demand.of("O-<1>", {"MUG": 3}), snap(slot("MUG", "A-01", 2)))
    html = plan._repr_html_()
    assert "O-&lt;1&gt;" in html
    assert "<table>" in html
    assert [r["kind"] for r in plan.to_records()] == ["pick", "backorder"]
    frame = plan.to_pandas()
    assert list(frame["quantity"]) == [2, 1]
    assert "line 1 MUG x3: allocated 2, backordered 1" in plan.explain()
    with pytest.raises(KeyError):
        plan.line("9")


def test_bad_demand_and_strategies_are_refused() -> None:
    with pytest.raises(InvalidQuantityError, match="line 1"):
        DemandLine("1", "MUG", -1)  # type: ignore[arg-type]
    with pytest.raises(DuplicateError, match="line id"):
        Demand("O-1", [DemandLine("1", "MUG", 1), DemandLine("1", "TEA", 1)])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="at least one DemandLine"):
        Demand("O-1", [])
    with pytest.raises(ValidationError, match="min_shelf_life_days"):
        DemandLine("1", "MUG", 1, min_shelf_life_days=-1)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="at most one FewestShipments"):
        AllocationStrategy((FewestShipments(), FewestShipments()))
    with pytest.raises(ConfigurationError, match="WarehouseRule, LotRule or FewestShipments"):
        AllocationStrategy(("most stock",))  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_warehouses"):
        FewestShipments(0)
    assert DemandLine("1", "MUG", Q_(2, "count")).quantity == 2  # type: ignore[arg-type]


def test_strategies_describe_their_chain() -> None:
    assert AllocationStrategy((MostStock(), Closest(abs), Lifo())).describe() == (
        "most stock → closest → LIFO"
    )
    assert repr(Closest(abs)) == "Closest(abs)"


# --- applying plans ----------------------------------------------------------------------------


@pytest.fixture
def ledger() -> StockLedger:
    ledger = StockLedger(NETWORK)
    ledger.receive("MUG", "A-01", 3, at=T0)
    ledger.receive("MUG", "B-01", 3, at=T0)
    return ledger


def test_applying_a_plan_allocates_each_pick_to_its_line(ledger: StockLedger) -> None:
    plan = plan_allocation(Demand.of("O-1", {"MUG": 4}), ledger.snapshot(["MUG"], at=T0))
    _, events = ledger.apply_plan(plan, at=T0)
    assert [(e.bin, e.quantity, e.reference) for e in events] == [  # type: ignore[attr-defined]
        ("A-01", 3, "O-1/1"),
        ("B-01", 1, "O-1/1"),
    ]
    assert ledger.available("MUG", at=T0) == 2


def test_applying_a_stale_plan_raises_and_changes_nothing(ledger: StockLedger) -> None:
    plan = plan_allocation(Demand.of("O-1", {"MUG": 4}), ledger.snapshot(["MUG"], at=T0))
    ledger.allocate("O-2/1", "MUG", "A-01", 1, at=T0)
    before = ledger.state()
    with pytest.raises(ConcurrencyError, match="expected version 2, found version 3") as info:
        ledger.apply_plan(plan, at=T0)
    assert isinstance(info.value, RuntimeError)
    assert ledger.state() == before


def test_a_plan_that_no_longer_fits_is_refused_before_anything_changes(
    ledger: StockLedger,
) -> None:
    stock = snap(slot("MUG", "A-01", 3), slot("MUG", "B-01", 9), versions={"MUG": 2})
    plan = plan_allocation(Demand.of("O-1", {"MUG": 8}), stock)
    before = ledger.state()
    with pytest.raises(InsufficientStockError, match="at B-01: requested 5, available 3"):
        ledger.apply_plan(plan, at=T0)
    assert ledger.state() == before


def test_plans_can_be_applied_as_expiring_holds(ledger: StockLedger) -> None:
    plan = plan_allocation(Demand.of("O-1", {"MUG": 4}), ledger.snapshot(["MUG"], at=T0))
    ledger.apply_plan(plan, hold_until=T0 + timedelta(minutes=10), at=T0)
    assert [h.id for h in ledger.holds()] == ["O-1/1/1", "O-1/1/2"]
    assert ledger.available("MUG", at=T0) == 2
    assert ledger.available("MUG", at=T0 + timedelta(minutes=10)) == 6


def test_allocate_replans_after_a_concurrent_change(ledger: StockLedger) -> None:
    calls: list[int] = []

    def competitor(plan: AllocationPlan) -> None:
        calls.append(1)
        if len(calls) == 1:
            ledger.allocate("O-9/1", "MUG", "A-01", 3, at=T0)

    plan = allocate(ledger, Demand.of("O-1", {"MUG": 2}), between=competitor, at=T0)
    assert len(calls) == 2
    assert taken(plan) == [("B-01", None, 2)]


def test_allocate_gives_up_after_its_attempts(ledger: StockLedger) -> None:
    def always(plan: AllocationPlan) -> None:
        ledger.receive("MUG", "C-01", 1, at=T0)

    with pytest.raises(ConcurrencyError):
        allocate(ledger, Demand.of("O-1", {"MUG": 2}), attempts=2, between=always, at=T0)
    assert ledger.position("MUG", "A-01", at=T0).allocated == 0
    with pytest.raises(ValidationError, match="attempts"):
        allocate(ledger, Demand.of("O-1", {"MUG": 2}), attempts=0, at=T0)


def test_plan_against_ledger_with_lots_and_fefo() -> None:
    ledger = StockLedger(NETWORK)
    ledger.receive(
        "MILK", "A-01", 2, lot=Lot("MILK", "late", date(2026, 3, 1), date(2026, 5, 1)), at=T0
    )  # type: ignore[arg-type]
    ledger.receive(
        "MILK", "A-02", 2, lot=Lot("MILK", "soon", date(2026, 3, 1), date(2026, 3, 20)), at=T0
    )  # type: ignore[arg-type]
    plan = allocate(ledger, Demand.of("O-1", {"MILK": 3}), at=T0)
    assert taken(plan) == [("A-02", "soon", 2), ("A-01", "late", 1)]


def test_holding_a_plan_refuses_a_past_expiry_and_reused_ids(ledger: StockLedger) -> None:
    plan = plan_allocation(Demand.of("O-1", {"MUG": 1}), ledger.snapshot(["MUG"], at=T0))
    before = ledger.state()
    with pytest.raises(ValidationError, match="hold_until"):
        ledger.apply_plan(plan, hold_until=T0, at=T0)
    assert ledger.state() == before
    ledger.apply_plan(plan, hold_until=T0 + timedelta(minutes=5), at=T0)
    again = plan_allocation(Demand.of("O-1", {"MUG": 1}), ledger.snapshot(["MUG"], at=T0))
    before = ledger.state()
    with pytest.raises(DuplicateError, match="O-1/1/1"):
        ledger.apply_plan(again, hold_until=T0 + timedelta(minutes=5), at=T0)
    assert ledger.state() == before


def test_lot_rules_explain_themselves() -> None:
    dated = slot("MILK", "A-01", 3, "L1", received_on=date(2026, 1, 5), expires_on=date(2026, 4, 1))
    bare = slot("MUG", "A-01", 3)
    assert Fefo().explain(dated) == "expires 2026-04-01"
    assert Fifo().explain(dated) == "received 2026-01-05"
    assert Lifo().explain(bare) == "received on an unknown date"
    assert Lifo().key(bare, 1) == 0
    assert LeastPackages().explain(bare) == "3 in the slot"
    assert repr(Fefo()) == "Fefo()"
    assert repr(WarehousePriority()) == "WarehousePriority()"
