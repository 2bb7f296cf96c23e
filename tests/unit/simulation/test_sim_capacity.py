"""Capacity that behaves like a warehouse: picker tours, order-to-ship, utilisation over time."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ordercycle.simulation import KPIS, Scenario, ScenarioError, Simulation, compare, simulate


def loaded(**changes: Any) -> Scenario:
    """A busy day and a half: slow picks, so one picker per warehouse is the bottleneck."""
    values: dict[str, Any] = {
        "orders": 150,
        "orders_per_day": 120.0,
        "pick_seconds_per_line": 150.0,
        "drain_days": 4,
        "return_rate": 0.0,
        "pickers": 1,
        "tour_orders": 4,
    }
    return Scenario.default(seed=11, **{**values, **changes})


def test_order_to_ship_kpis_are_defined_in_hours() -> None:
    assert KPIS["order_to_ship_mean"][0] == "hours"
    result = simulate(loaded(orders=30))
    mean, p90 = result.kpi("order_to_ship_mean"), result.kpi("order_to_ship_p90")
    assert mean is not None
    assert p90 is not None
    assert 0 < mean <= p90
    # By hand from the log: placed to the last shipment of orders shipped in full.
    placed = {e.order_id: e for e in result.events if e.kind == "placed"}
    units: Counter[str] = Counter()
    last: dict[str, float] = {}
    for event in result.events:
        if event.kind == "shipped":
            units[event.order_id] += event.quantity
            last[event.order_id] = event.time
    hours = [last[o] - e.time for o, e in placed.items() if units[o] == e.quantity]
    assert mean == pytest.approx(sum(hours) / len(hours))


def test_each_list_is_split_into_tours_of_at_most_tour_orders() -> None:
    simulation = Simulation(loaded(orders=60, tour_orders=3, pickers=2))
    result = simulation.run()
    tours = Counter(e.ref for e in result.events if e.kind == "picked")
    assert tours
    for list_id, count in tours.items():
        orders = len(simulation.desk.pick_list(list_id).order_ids)
        assert count == math.ceil(orders / 3)  # first come, first served: next fit
    assert max(tours.values()) > 1
    whole = simulate(loaded(orders=60, tour_orders=0, pickers=2))
    assert Counter(e.ref for e in whole.events if e.kind == "picked").most_common(1)[0][1] == 1


def test_more_pickers_under_load_shorten_order_to_ship() -> None:
    one, three = loaded(name="one picker"), loaded(name="three pickers", pickers=3)
    with ThreadPoolExecutor(1) as pool:
        comparison = compare(one, three, replications=3, executor=pool)
    differences = {d.kpi: d for d in comparison.differences()}
    faster = differences["order_to_ship_mean"]
    assert faster.n == 3
    assert faster.high < 0
    assert faster.significant
    assert differences["cycle_time_mean"].mean < 0
    assert differences["picker_utilisation"].mean < 0


def test_tour_size_moves_order_to_ship_and_carrier_transit_does_not() -> None:
    base = simulate(loaded(pickers=3))
    whole_list = simulate(loaded(pickers=3, tour_orders=0))
    # With three pickers, small tours are walked in parallel; one long tour is not.
    assert base.kpi("order_to_ship_mean") < whole_list.kpi("order_to_ship_mean")  # type: ignore[operator]
    carriers = tuple(
        c.__class__(name=c.name, dim_rule=c.dim_rule, transit_days=c.transit_days + 3)
        for c in base.scenario.carriers
    )
    slow = simulate(loaded(pickers=3, carriers=carriers))
    assert slow.kpi("order_to_ship_mean") == base.kpi("order_to_ship_mean")
    assert slow.kpi("order_to_ship_p90") == base.kpi("order_to_ship_p90")
    assert slow.kpi("cycle_time_mean") > base.kpi("cycle_time_mean") + 2.5  # type: ignore[operator]


def test_timeseries_shows_utilisation_and_queues_by_day() -> None:
    result = simulate(loaded())
    rows = result.timeseries()
    for row in rows:
        assert 0 <= row["picker_utilisation"] <= 1
        assert 0 <= row["packer_utilisation"] <= 1
        assert row["tours_waiting"] >= 0
        assert row["packs_waiting"] >= 0
    picked = sum(e.measure for e in result.events if e.kind == "picked")
    s = result.scenario
    busy = sum(r["picker_utilisation"] for r in rows) * s.pickers * 24 * len(s.warehouses)
    assert busy == pytest.approx(picked)
    assert max(r["tours_waiting"] for r in rows) > 0  # one picker under load: tours queue
    relaxed = simulate(loaded(pickers=6)).timeseries()
    assert sum(r["tours_waiting"] for r in relaxed) < sum(r["tours_waiting"] for r in rows)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"tour_orders": -1}, "tour_orders"), ({"batching": "zigzag"}, "batching")],
)
def test_tour_fields_are_validated(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario(**changes)
    assert caught.value.field == field


def test_savings_batching_walks_no_more_than_first_come_first_served() -> None:
    fcfs = simulate(loaded(orders=60, pickers=2))
    savings = simulate(loaded(orders=60, pickers=2, batching="savings"))
    assert savings.kpi("pick_travel_per_line") <= fcfs.kpi("pick_travel_per_line")  # type: ignore[operator]


def test_first_come_first_served_tours_are_the_picking_package_batches() -> None:
    from ordercycle.picking import PickerCapacity, batch_orders

    simulation = Simulation(loaded(orders=40, tour_orders=3))
    simulation.run()
    list_id = next(e.ref for e in simulation.events if e.kind == "wave" and e.quantity > 6)
    warehouse = simulation.desk.pick_list(list_id).warehouse
    layout = simulation.world.settings.layouts[warehouse]
    tours = simulation._tours(list_id, warehouse)
    from ordercycle.picking import PickLine, PickOrder

    by_order: dict[str, list[PickLine]] = {}
    for line in simulation.desk.pick_list(list_id).lines:
        spot = simulation.world.settings.picking_bin(line.bin)
        by_order.setdefault(line.order_id, []).append(
            PickLine(f"{line.line_id}@{line.bin}", line.sku, spot, line.quantity)
        )
    orders = [PickOrder(o, tuple(lines)) for o, lines in by_order.items()]
    batches = batch_orders(layout, orders, PickerCapacity(totes=3), "fcfs")
    assert [lines for lines, _ in tours] == [sum(len(o.lines) for o in b.orders) for b in batches]
