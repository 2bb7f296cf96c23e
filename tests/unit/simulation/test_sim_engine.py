"""Runs are reproducible, conserve orders and invoices, and their log tells the desk's truth."""

from __future__ import annotations

import builtins
import math
from typing import Any

import pytest

from ordercycle.errors import MissingDependencyError, ValidationError
from ordercycle.simulation import (
    KPIS,
    STAGES,
    CustomerSegment,
    Replenishment,
    Scenario,
    ScenarioError,
    SimEvent,
    Simulation,
    SimulationResult,
    SimulationStateError,
    SkuSpec,
    UnknownKpiError,
    check_conservation,
    simulate,
    totals_from_desk,
    totals_from_events,
)


def small(seed: int = 1, **changes: Any) -> Scenario:
    """About a dozen orders on day one, then six weeks to deliver and collect."""
    values: dict[str, Any] = {"orders": 12, "days": 1, "drain_days": 42, "orders_per_day": 40.0}
    return Scenario.default(seed=seed, **{**values, **changes})


def scarce(seed: int = 2, policy: str = "sS") -> Scenario:
    """Little stock and a lead time, so orders wait on backorder for replenishment."""
    catalogue = tuple(
        SkuSpec(
            sku=f"SKU{n}",
            length_cm=10 + n,
            width_cm=8,
            height_cm=6,
            weight_g=300 + 50 * n,
            price=f"{10 + n}.00",
            initial_stock=2,
            reorder_point=2,
            order_up_to=8,
            order_quantity=5,
        )
        for n in range(4)
    )
    return small(
        seed,
        catalogue=catalogue,
        replenishment=Replenishment(policy=policy, review_days=1, lead_time_days=2),
        units_max=3,
    )


@pytest.fixture(scope="module")
def run() -> Simulation:
    simulation = Simulation(small())
    simulation.run()
    return simulation


@pytest.fixture(scope="module")
def result(run: Simulation) -> SimulationResult:
    return SimulationResult.from_simulation(run)


def test_same_seed_gives_the_same_result_bit_for_bit(result: SimulationResult) -> None:
    again = simulate(small())
    assert again == result
    assert again.events == result.events
    assert again.to_records() == result.to_records()


def test_a_different_seed_gives_different_results(result: SimulationResult) -> None:
    other = simulate(small(seed=2))
    assert other.events != result.events
    assert other.kpis != result.kpis


def test_every_order_and_invoice_ends_in_exactly_one_class(
    run: Simulation, result: SimulationResult
) -> None:
    orders = result.conservation["orders"]
    invoices = result.conservation["invoices"]
    assert set(orders) <= {"delivered", "in_flight", "backordered", "canceled"}
    assert set(invoices) <= {"paid", "open", "credited"}
    assert sum(orders.values()) == len(run.desk.order_ids()) == result.kpi("orders")
    assert sum(invoices.values()) == len(run.desk.invoices())
    assert check_conservation(run.desk) == result.conservation


def test_totals_from_the_event_log_agree_with_the_desk(
    run: Simulation, result: SimulationResult
) -> None:
    assert totals_from_events(result.events) == totals_from_desk(run.desk)
    assert result.totals == result.state_totals
    money = result.totals
    open_balance = sum(i.balance.amount for i in run.desk.invoices())
    assert money["invoiced"] == money["paid"] + money["discounts"] + money["credited"] + (
        open_balance
    ) - sum(i.customer_credit.amount for i in run.desk.invoices())


def test_kpis_from_the_log_agree_with_the_domain_state(
    run: Simulation, result: SimulationResult
) -> None:
    desk = run.desk
    orders = [desk.order(o) for o in desk.order_ids()]
    units = sum(line.ledger.ordered for order in orders for line in order.lines)
    assert result.kpi("units_ordered") == units
    shipments = {event.ref for event in result.events if event.kind == "packed"}
    parcels = sum(len(desk.shipment(s).parcels) for s in shipments)
    shipped_orders = len({desk.shipment(s).order_id for s in shipments})
    assert result.kpi("cartons_per_order") == pytest.approx(parcels / shipped_orders)
    invoiced = sum(float(i.total.amount) for i in desk.invoices())
    assert result.kpi("revenue_invoiced") == pytest.approx(invoiced)
    discounts = sum(float(i.discount_taken.amount) for i in desk.invoices())
    assert result.kpi("discounts_taken") == pytest.approx(discounts)
    delivered = [
        o for o in orders if all(li.ledger.delivered == li.ledger.ordered for li in o.lines)
    ]
    assert result.conservation["orders"].get("delivered", 0) == len(delivered)


def test_kpis_are_in_range(result: SimulationResult) -> None:
    assert list(result.kpis) == list(KPIS)
    for name in ("unit_fill_rate", "line_fill_rate", "order_fill_rate", "on_time_in_full"):
        value = result.kpi(name)
        assert value is not None
        assert 0 <= value <= 1
    assert result.kpi("cycle_time_p90") is not None
    assert result.kpi("cycle_time_variance") >= 0
    assert result.kpi("shipping_cost_per_order") > 0
    assert result.kpi("dso") > 0


def test_events_are_in_time_order_and_of_known_kinds(result: SimulationResult) -> None:
    times = [event.time for event in result.events]
    assert times == sorted(times)
    kinds = {event.kind for event in result.events}
    assert {"placed", "allocated", "wave", "picked", "packed", "shipped", "delivered"} <= kinds
    assert {"invoiced", "applied"} <= kinds


def test_stock_shortage_backorders_and_replenishment_serves_them() -> None:
    result = simulate(scarce())
    assert result.kpi("backorder_rate") > 0
    assert result.kpi("unit_fill_rate") < 1
    kinds = [event.kind for event in result.events]
    assert "reordered" in kinds
    assert "received" in kinds
    assert result.totals == result.state_totals
    assert sum(result.conservation["orders"].values()) == result.kpi("orders")


def test_rq_policy_orders_in_multiples_of_q() -> None:
    result = simulate(scarce(policy="RQ"))
    ordered = [e.quantity for e in result.events if e.kind == "reordered"]
    assert ordered
    assert all(q % 5 == 0 for q in ordered)


def test_two_ten_net_thirty_early_payers_take_the_discount() -> None:
    segment = CustomerSegment(
        name="TRADE", payment_terms="2/10 Net 30", early=1.0, on_time=0.0, late=0.0
    )
    result = simulate(small(segments=(segment,), return_rate=0.0))
    assert result.kpi("discounts_taken") == pytest.approx(0.02 * result.kpi("revenue_invoiced"))
    assert result.conservation["invoices"] == {
        "paid": len([e for e in result.events if e.kind == "invoiced"])
    }


def test_no_arrivals_is_a_valid_empty_run() -> None:
    result = simulate(small(orders=0, orders_per_day=0.0))
    assert result.kpi("orders") == 0
    assert result.kpi("unit_fill_rate") is None
    assert result.conservation == {"orders": {}, "invoices": {}}


def test_unknown_kpi_is_a_typed_error(result: SimulationResult) -> None:
    with pytest.raises(
        UnknownKpiError, match=r"Unknown KPI 'speed'; known: average_inventory_value"
    ) as caught:
        result.kpi("speed")
    assert isinstance(caught.value, LookupError)


def test_a_finished_simulation_refuses_to_advance(run: Simulation) -> None:
    events = len(run.events)
    with pytest.raises(SimulationStateError, match="finished"):
        run.advance(run.horizon + 1)
    with pytest.raises(SimulationStateError):
        run.run()
    assert len(run.events) == events


def test_advance_refuses_to_go_back_and_changes_nothing() -> None:
    simulation = Simulation(small())
    simulation.advance(30)
    events = list(simulation.events)
    with pytest.raises(SimulationStateError, match="before the simulated now"):
        simulation.advance(10)
    assert simulation.events == events
    assert simulation.now == 30


def test_advancing_in_steps_gives_the_same_result_as_one_run(result: SimulationResult) -> None:
    simulation = Simulation(small())
    for hours in (5.5, 24, 100, 500):
        simulation.advance(hours)
    assert simulation.run() == result


def test_timings_cover_every_stage(result: SimulationResult) -> None:
    assert list(result.timings) == list(STAGES)
    assert all(seconds >= 0 for seconds in result.timings.values())


def test_clock_follows_simulated_time(run: Simulation) -> None:
    elapsed = run.clock.now() - run.start
    assert math.isclose(elapsed.total_seconds() / 3600, run.horizon)


def test_tables_records_and_frames(result: SimulationResult) -> None:
    records = result.to_records()
    assert records[0] == {
        "scenario": "base",
        "seed": 1,
        "kpi": "orders",
        "value": result.kpi("orders"),
        "unit": "orders",
    }
    frame = result.to_pandas()
    assert list(frame.columns) == ["scenario", "seed", "kpi", "value", "unit"]
    assert len(frame) == len(KPIS)
    events = result.events_frame()
    assert len(events) == len(result.events)
    assert "<table>" in result._repr_html_()
    assert "unit_fill_rate" in result._repr_html_()
    assert "| unit_fill_rate |" in result.to_markdown()
    series = result.timeseries()
    assert len(series) == 43
    assert sum(row["orders_placed"] for row in series) == result.kpi("orders")
    assert series[-1]["open_orders"] == result.conservation["orders"].get("in_flight", 0) + (
        result.conservation["orders"].get("backordered", 0)
    )
    assert repr(result).startswith("<SimulationResult 'base' seed=1")
    event = result.events[0]
    assert isinstance(event, SimEvent)
    assert event.to_record()["kind"] == event.kind


def test_to_pandas_without_pandas_names_the_sim_extra(
    result: SimulationResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_pandas(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(__import__("sys").modules, "pandas", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(MissingDependencyError, match=r"ordercycle\[sim\]") as caught:
        result.to_pandas()
    assert caught.value.package == "pandas"
    assert caught.value.extra == "sim"


def _orders_with(result: SimulationResult, kind: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in result.events:
        if event.kind == kind and event.order_id:
            counts[event.order_id] = counts.get(event.order_id, 0) + 1
    return counts


def test_return_rate_is_per_delivered_order_however_many_shipments() -> None:
    # Scarce stock splits orders into several shipments; with a return rate of 1 every
    # delivered order returns exactly once (drawn per shipment, split orders returned twice).
    result = simulate(scarce().evolve(return_rate=1.0))
    delivered = _orders_with(result, "delivered")
    returned = _orders_with(result, "returned")
    assert any(count > 1 for count in delivered.values()), "the scenario must split shipments"
    assert returned == dict.fromkeys(delivered, 1)


def test_alternatives_with_one_seed_see_the_same_world() -> None:
    # Common random numbers per source: slower picking and another allocation change the
    # timings and the shipments, yet the same orders are returned, the same lines come up
    # short (each source draws per order, however the events interleave).
    world = small(seed=5, orders=40, orders_per_day=40.0, return_rate=0.3, short_pick_rate=0.2)
    runs = [
        simulate(world),
        simulate(
            world.evolve(name="slow", allocation="fewest_shipments", pick_seconds_per_line=400.0)
        ),
    ]
    placed = [[e.order_id for e in r.events if e.kind == "placed"] for r in runs]
    assert placed[0]
    assert placed[0] == placed[1]
    assert runs[0].events != runs[1].events  # the timings and shipments differ
    for kind in ("returned", "short"):
        seen = [_orders_with(r, kind) for r in runs]
        assert seen[0], kind
        assert seen[0] == seen[1], kind


def test_a_scenario_places_exactly_the_orders_it_asks_for() -> None:
    # Unset days follow the rate; set days take the orders at the rate they imply.
    wide = Scenario.default(seed=7, orders=300, orders_per_day=60.0, drain_days=30)
    assert wide.days is None
    assert wide.arrival_days == 5
    for scenario in (wide, wide.evolve(days=2), wide.evolve(days=30)):
        result = simulate(scenario)
        assert result.kpi("orders") == 300
        placed = [e.time for e in result.events if e.kind == "placed"]
        assert max(placed) < scenario.arrival_days * 24
    with pytest.raises(ScenarioError, match="a positive rate for 5 orders"):
        Scenario.default(orders=5, orders_per_day=0.0)
    # 2026-03-07 is a Saturday: a weekend with no weekend arrivals has nowhere to put them.
    closed = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)
    with pytest.raises(ScenarioError, match="a positive weight on an arrival day"):
        Scenario.default(orders=5, days=2, start="2026-03-07T00:00:00+00:00", weekly_profile=closed)


@pytest.mark.parametrize(
    ("run", "named"),
    [
        (lambda: simulate("default"), "scenario"),  # type: ignore[arg-type]
        (lambda: Simulation({"orders": 5}), "scenario"),  # type: ignore[arg-type]
        (lambda: simulate(Scenario.default(orders=5), events="no"), "events"),  # type: ignore[arg-type]
        (lambda: simulate(Scenario.default(orders=5), progress=1), "progress"),  # type: ignore[arg-type]
        (lambda: Simulation(Scenario.default(orders=5), keep_events=None), "keep_events"),  # type: ignore[arg-type]
        (lambda: Simulation(Scenario.default(orders=5), keep_finished="yes"), "keep_finished"),  # type: ignore[arg-type]
    ],
)
def test_a_run_refuses_what_is_not_a_scenario_or_a_flag(run: Any, named: str) -> None:
    with pytest.raises(ValidationError, match=f"Invalid {named} for a simulation"):
        run()
