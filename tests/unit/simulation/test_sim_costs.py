"""Inventory over time, inventory and cost KPIs, lead-time spread, and the reports."""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal
from typing import Any

import attrs
import pytest

from ordercycle.simulation import (
    KPIS,
    Replenishment,
    Scenario,
    ScenarioError,
    Simulation,
    SimulationResult,
    SkuSpec,
    UnknownKpiError,
    compare,
    comparison_report,
    html_report,
    plot_costs,
    plot_inventory,
    plot_timeseries,
    simulate,
)
from ordercycle.simulation._seeds import RandomStreams
from ordercycle.simulation.report import parameter_rows

COSTS = ("labour_cost", "holding_cost", "backorder_cost", "total_cost", "cost_per_order")


def small(seed: int = 1, **changes: Any) -> Scenario:
    """Forty orders over two days, then four weeks to deliver and collect."""
    values: dict[str, Any] = {"orders": 40, "orders_per_day": 20.0, "drain_days": 28}
    return Scenario.default(seed=seed, **{**values, **changes})


def scarce(seed: int = 2, **policy: Any) -> Scenario:
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
    replenishment = Replenishment(**{"review_days": 1, "lead_time_days": 2, **policy})
    return small(seed, catalogue=catalogue, replenishment=replenishment, orders=24, days=2)


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return simulate(small())


@pytest.fixture(scope="module")
def short() -> SimulationResult:
    return simulate(scarce())


def _no_costs(kpis: dict[str, float | None]) -> dict[str, float | None]:
    return {name: value for name, value in kpis.items() if name not in COSTS}


# --- stock over time ---------------------------------------------------------------------------


def test_the_first_stock_record_is_the_initial_stock(result: SimulationResult) -> None:
    first = [row for row in result.inventory() if row["day"] == 0]
    scenario = result.scenario
    assert len(first) == len(scenario.catalogue) * len(scenario.warehouses)
    stocked = {item.sku: item.initial_stock for item in scenario.catalogue}
    assert all(row["on_hand"] == stocked[row["sku"]] for row in first)
    prices = {item.sku: Decimal(item.price) for item in scenario.catalogue}
    assert all(row["value"] == float(row["on_hand"] * prices[row["sku"]]) for row in first)


def test_every_day_of_the_run_has_one_record_per_sku_and_warehouse(
    result: SimulationResult,
) -> None:
    scenario = result.scenario
    days = scenario.arrival_days + scenario.drain_days
    counts: dict[int, int] = defaultdict(int)
    for row in result.inventory():
        counts[row["day"]] += 1
    assert sorted(counts) == list(range(days))
    assert set(counts.values()) == {len(scenario.catalogue) * len(scenario.warehouses)}


def test_a_stock_record_is_what_the_desk_holds_physically_then() -> None:
    run = Simulation(scarce())
    run.advance(48.0)
    desk_on_hand: dict[tuple[str, str], int] = defaultdict(int)
    for item in run.scenario.catalogue:
        for position in run.desk.stock_positions(item.sku):
            desk_on_hand[(item.sku, position.warehouse)] += position.on_hand
    on_order = dict(run.on_order)
    run.advance(48.001)
    records = [e for e in run.events if e.kind == "stock" and e.time == 48.0]
    assert records
    for event in records:
        sku = event.ref.split("@")[0]
        assert event.quantity == desk_on_hand[(sku, event.warehouse)]
        assert event.measure == on_order.get((sku, event.warehouse), 0)


def test_on_order_is_what_was_reordered_and_not_yet_received(short: SimulationResult) -> None:
    balance: dict[str, int] = defaultdict(int)
    checked = 0
    for event in short.events:  # in time order; a record sees what happened before it
        if event.kind == "reordered":
            balance[event.ref] += event.quantity
        elif event.kind == "received":
            balance[event.ref] -= event.quantity
        elif event.kind == "stock":
            assert event.measure == balance[event.ref]
            checked += event.measure > 0
    assert checked  # the scarce scenario had stock on order at some day's start


def test_backlog_records_sum_to_what_orders_wait_for(short: SimulationResult) -> None:
    backlog = [e for e in short.events if e.kind == "backlog"]
    assert backlog
    assert all(e.quantity > 0 for e in backlog)
    rows = short.inventory()
    by_day_sku = {(e.day, e.ref): e.quantity for e in backlog}
    assert all(row["backordered"] == by_day_sku.get((row["day"], row["sku"]), 0) for row in rows)


def test_inventory_frame_is_the_tidy_table(result: SimulationResult) -> None:
    pytest.importorskip("pandas")
    frame = result.inventory_frame()
    assert len(frame) == len(result.inventory())
    assert list(frame.columns) == [
        "scenario",
        "day",
        "sku",
        "warehouse",
        "on_hand",
        "on_order",
        "value",
        "backordered",
    ]


# --- inventory KPIs ----------------------------------------------------------------------------


def test_inventory_kpis_follow_their_formulas(result: SimulationResult) -> None:
    scenario = result.scenario
    days = scenario.arrival_days
    rows = [row for row in result.inventory() if row["day"] < days]
    units = sum(row["on_hand"] for row in rows) / days
    value = sum(row["value"] for row in rows) / days
    shipped = [e for e in result.events if e.kind == "shipped" and e.day < days]
    goods = sum(e.measure for e in shipped)
    assert result.kpi("average_on_hand_units") == pytest.approx(units)
    assert result.kpi("average_inventory_value") == pytest.approx(value)
    assert result.kpi("inventory_turns") == pytest.approx(goods / value * 365 / days)
    per_day = sum(e.quantity for e in shipped) / days
    assert result.kpi("days_of_supply") == pytest.approx(units / per_day)


def test_goods_shipped_are_valued_at_list_price() -> None:
    run = Simulation(small(orders=10, days=1))
    run.run()
    prices = {item.sku: Decimal(item.price) for item in run.scenario.catalogue}
    shipped = [e for e in run.events if e.kind == "shipped"]
    assert shipped
    for event in shipped:
        lines = run.desk.shipment(event.ref).lines
        assert event.measure == float(sum(line.quantity * prices[line.sku] for line in lines))


# --- costs -------------------------------------------------------------------------------------


def test_costs_default_to_carton_and_shipping_only(result: SimulationResult) -> None:
    assert result.kpi("labour_cost") == result.kpi("holding_cost") == 0.0
    assert result.kpi("backorder_cost") == 0.0
    shipping = sum(e.amount for e in result.events if e.kind == "packed")
    assert result.kpi("shipping_cost") == float(shipping.quantize(Decimal("0.01")))
    assert result.kpi("carton_cost") > 0
    total = result.kpi("carton_cost") + result.kpi("shipping_cost")
    assert result.kpi("total_cost") == pytest.approx(total, abs=0.011)


def test_carton_cost_is_the_cost_of_the_cartons_the_desk_packed() -> None:
    run = Simulation(small(orders=10, days=1))
    finished = run.run()
    costs = {c.name: Decimal(c.cost) for c in run.scenario.cartons}
    shipments = {e.ref for e in finished.events if e.kind == "shipped"}
    expected = sum(
        (costs[p.carton] for s in shipments for p in run.desk.shipment(s).parcels), Decimal(0)
    )
    assert finished.kpi("carton_cost") == float(expected)


def test_cost_rates_price_the_same_run_without_changing_it(result: SimulationResult) -> None:
    priced = simulate(
        result.scenario.evolve(
            labour_cost_per_hour="18.50",
            holding_cost_rate=0.25,
            backorder_cost_per_unit_day="0.40",
        )
    )
    assert _no_costs(priced.kpis) == _no_costs(result.kpis)
    scenario = result.scenario
    last_ship = max(e.time for e in result.events if e.kind == "shipped")
    # Labour is paid for the scheduled shift hours of every role, not the clock.
    paid = sum(scenario.scheduled_hours(role, 0, last_ship) for role in ("pickers", "packers"))
    assert paid < (scenario.pickers + scenario.packers) * len(scenario.warehouses) * last_ship
    assert priced.kpi("labour_cost") == pytest.approx(18.5 * paid, abs=0.011)
    days = scenario.arrival_days
    value = sum(row["value"] for row in result.inventory() if row["day"] < days)
    assert priced.kpi("holding_cost") == pytest.approx(0.25 * value / 365, abs=0.011)
    parts = ("labour_cost", "holding_cost", "backorder_cost", "carton_cost", "shipping_cost")
    total = sum(priced.kpi(p) or 0.0 for p in parts)
    assert priced.kpi("total_cost") == pytest.approx(total, abs=0.03)
    orders = len({e.order_id for e in result.events if e.kind == "shipped"})
    assert priced.kpi("cost_per_order") == pytest.approx(
        priced.kpi("total_cost") / orders, abs=0.01
    )


def test_backorder_cost_counts_waiting_unit_days(short: SimulationResult) -> None:
    priced = simulate(short.scenario.evolve(backorder_cost_per_unit_day="0.40"))
    unit_days = sum(e.quantity for e in short.events if e.kind == "backlog")
    assert unit_days > 0
    assert priced.kpi("backorder_cost") == pytest.approx(0.4 * unit_days)


def test_a_run_without_orders_has_no_cost_per_order() -> None:
    empty = simulate(small(orders=0, orders_per_day=0.0, days=1, labour_cost_per_hour="10"))
    assert empty.kpi("cost_per_order") is None
    assert empty.kpi("inventory_turns") == 0.0  # stock held, nothing shipped
    assert empty.kpi("days_of_supply") is None
    assert empty.kpi("total_cost") == 0.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("labour_cost_per_hour", "-1"),
        ("labour_cost_per_hour", "ten"),
        ("holding_cost_rate", -0.1),
        ("backorder_cost_per_unit_day", "-0.5"),
    ],
)
def test_bad_cost_rates_are_refused(field: str, value: object) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario(**{field: value})
    assert caught.value.field == field


# --- lead times --------------------------------------------------------------------------------


def _lead_times(events: Any) -> list[float]:
    waiting: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event.kind == "reordered":
            waiting[event.ref].append(event.time)
    received: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event.kind == "received":
            received[event.ref].append(event.time)
    return [
        got - sent
        for ref, times in received.items()
        for got, sent in zip(sorted(times), waiting[ref], strict=False)
    ]


def test_without_a_spread_every_lead_time_is_the_mean(short: SimulationResult) -> None:
    times = _lead_times(short.events)
    assert times
    assert all(t == pytest.approx(48.0) for t in times)


def test_a_uniform_spread_draws_each_order_within_the_band() -> None:
    run = Simulation(scarce(lead_time_spread=1.0))
    hours = [run._lead_time_hours(("SKU0", "WH-EAST")) for _ in range(200)]
    assert all(24.0 <= h <= 72.0 for h in hours)
    assert statistics.mean(hours) == pytest.approx(48.0, abs=4.0)
    assert len(set(hours)) == len(hours)


def test_lead_times_are_common_random_numbers_per_supplier_order() -> None:
    a = Simulation(scarce(lead_time_spread=1.0))
    b = Simulation(scarce(lead_time_spread=1.0).evolve(pickers=5, routing="s_shape"))
    keys = [("SKU1", "WH-WEST"), ("SKU0", "WH-EAST")] * 5
    drawn_a: dict[tuple[str, str], list[float]] = defaultdict(list)
    drawn_b: dict[tuple[str, str], list[float]] = defaultdict(list)
    for key in keys:  # a asks for SKU1 first, b for SKU0: the n-th order of a key still matches
        drawn_a[key].append(a._lead_time_hours(key))
    for key in reversed(keys):
        drawn_b[key].append(b._lead_time_hours(key))
    assert drawn_a == drawn_b
    assert len(set(drawn_a[keys[0]])) == 5


def test_a_gamma_spread_has_the_mean_and_coefficient_of_variation() -> None:
    streams = RandomStreams(11)
    draws = [streams.gamma("lead time", f"K/{n}", 4.0, 0.5) for n in range(2000)]
    mean = statistics.mean(draws)
    assert mean == pytest.approx(4.0, rel=0.06)
    assert statistics.stdev(draws) / mean == pytest.approx(0.5, rel=0.1)


def test_a_spread_changes_the_run_and_receipts_follow_the_draws() -> None:
    spread = simulate(scarce(lead_time_spread=1.5, lead_time_distribution="gamma"))
    times = _lead_times(spread.events)
    assert times
    assert len({round(t, 6) for t in times}) > 1


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"lead_time_days": 2, "lead_time_spread": 3.0}, "replenishment.lead_time_spread"),
        ({"lead_time_spread": -1.0}, "replenishment.lead_time_spread"),
        ({"lead_time_distribution": "normal"}, "replenishment.lead_time_distribution"),
    ],
)
def test_bad_lead_time_spreads_are_refused(policy: dict[str, Any], field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario(replenishment=Replenishment(**policy))
    assert caught.value.field == field


def test_a_gamma_spread_may_exceed_the_mean() -> None:
    policy = Replenishment(lead_time_days=2, lead_time_spread=3.0, lead_time_distribution="gamma")
    assert Scenario(replenishment=policy).replenishment.lead_time_spread == 3.0


# --- plots and reports -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pyplot() -> Any:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def test_plot_inventory_is_labelled_and_cut_after_the_arrivals(
    pyplot: Any, result: SimulationResult
) -> None:
    other = simulate(result.scenario.evolve(name="more pickers", pickers=4))
    figure = plot_inventory([result, other])
    axes = figure.axes[0]
    assert axes.get_xlabel()
    assert axes.get_ylabel()
    assert axes.get_title()
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["base", "more pickers"]
    last = max(max(line.get_xdata()) for line in axes.get_lines())
    horizon = result.scenario.arrival_days + result.scenario.drain_days - 1
    assert last < horizon
    pyplot.close(figure)


def test_plot_inventory_refuses_an_unknown_column(result: SimulationResult) -> None:
    with pytest.raises(UnknownKpiError):
        plot_inventory(result, "shelves")


def test_timeseries_legends_show_names_not_seeds(pyplot: Any, result: SimulationResult) -> None:
    again = simulate(result.scenario.evolve(seed=2))
    figure = plot_timeseries([result, again], "open_orders")
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["base, run 1", "base, run 2"]
    assert axes.get_xlabel() == "simulated day"
    rows = result.timeseries()
    changed = max(
        r["day"]
        for r, p in zip(rows[1:], rows, strict=False)
        if r["open_orders"] != p["open_orders"]
    )
    last = max(max(line.get_xdata()) for line in axes.get_lines())
    assert changed <= last < rows[-1]["day"]
    pyplot.close(figure)


def test_plot_costs_stacks_each_kind(pyplot: Any, result: SimulationResult) -> None:
    figure = plot_costs([result])
    axes = figure.axes[0]
    assert axes.get_ylabel() == "cost per shipped order (currency)"
    heights = sum(patch.get_height() for patch in axes.patches)
    parts = ("carton_cost", "shipping_cost")
    orders = len({e.order_id for e in result.events if e.kind == "shipped"})
    assert heights == pytest.approx(sum(result.kpi(p) or 0.0 for p in parts) / orders)
    pyplot.close(figure)


def test_parameter_rows_are_readable() -> None:
    rows = {row["parameter"]: row["base"] for row in parameter_rows(small(pickers=2))}
    assert rows["pickers"] == "2"
    assert rows["catalogue"].startswith("8: MUG, TEAPOT")
    assert "lead_time_days=3" in rows["replenishment"]
    assert rows["days"].startswith("2 (")
    assert set(rows) == {field.name for field in attrs.fields(Scenario)} - {"name"}


def test_html_report_has_every_section(
    pyplot: Any, result: SimulationResult, tmp_path: Any
) -> None:
    text = html_report(result, tmp_path / "run.html")
    for section in ("Parameters", "KPIs", "Daily series", "Inventory", "Costs", "Time by stage"):
        assert f"<h2>{section}</h2>" in text
    assert "cost_per_order" in text
    assert "days_of_supply" in text
    assert (tmp_path / "run.html").read_text(encoding="utf-8") == text


def test_comparison_report_has_the_paired_differences(pyplot: Any, tmp_path: Any) -> None:
    base = small(orders=20, days=1)
    faster = base.evolve(name="fast packing", pack_seconds_per_order=30.0)
    comparison = compare(base, faster, replications=2)
    text = comparison_report(comparison, tmp_path / "compare.html", kpis=["cycle_time_mean"])
    assert "<h2>Paired differences</h2>" in text
    assert "fast packing − base" in text
    assert text.count("<img") == 1 + 2 + 1 + 1  # a distribution, two series, stock, costs
    assert "<td>* pack_seconds_per_order</td>" in text
    assert "<td>pickers</td>" in text  # the same in both: not marked
    with pytest.raises(UnknownKpiError):
        comparison_report(comparison, kpis=["speed"])


def test_every_new_kpi_is_described() -> None:
    for name in ("average_on_hand_units", "inventory_turns", "days_of_supply", *COSTS):
        unit, meaning = KPIS[name]
        assert unit
        assert meaning
