"""A KPIs-only run folds its results as it goes, keeping no event log: the same results as
the same run computed from its log, field by field and bit for bit."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from ordercycle.simulation import Scenario, SimulationStateError, ZoneSpec, simulate
from ordercycle.simulation._fold import ResultFold
from ordercycle.simulation.engine import Simulation
from ordercycle.simulation.kpis import kpis_from_events


def _busy(seed: int, orders: int, **changes: Any) -> Scenario:
    """Every path an order can take: a warm-up, credit holds and refusals, cancellations,
    short picks, returns and credit notes, early and late payers."""
    values: dict[str, Any] = {
        "orders": orders,
        "orders_per_day": 60.0,
        "warmup_days": 1,
        "return_rate": 0.3,
        "short_pick_rate": 0.05,
        "cancel_rate": 0.05,
        "credit_refusal_rate": 0.3,
    }
    base = Scenario.default(seed=seed, **{**values, **changes})
    # The first segment's customers buy on a tight credit limit: some orders are held.
    first, *others = base.segments
    return base.evolve(segments=(attrs.evolve(first, credit_limit="300"), *others))


def _scarce(seed: int) -> Scenario:
    """Too little stock: backorders, orders shipped in several parts, replenishment."""
    base = _busy(seed, 160)
    catalogue = tuple(
        attrs.evolve(item, initial_stock=20, reorder_point=10, order_up_to=40)
        for item in base.catalogue
    )
    return base.evolve(catalogue=catalogue)


def _zoned(seed: int) -> Scenario:
    """Picking zones (consolidation, zone KPIs), a dock with loaders, a short drain."""
    zones = (
        ZoneSpec(name="FRONT", aisles=range(5), pickers=1),
        ZoneSpec(name="BACK", aisles=range(5, 10), pickers=1),
    )
    return _busy(seed, 150, zones=zones, drain_days=6, dock_loaders=1, warmup_days=0)


SCENARIOS = [
    pytest.param(_busy(21, 200), id="every path"),
    pytest.param(_scarce(22), id="backorders"),
    pytest.param(_zoned(23), id="zones and dock"),
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_folded_run_has_the_results_of_its_log(scenario: Scenario) -> None:
    logged = Simulation(scenario, keep_finished=False).run(events=False)
    folded_run = Simulation(scenario, keep_finished=False, keep_events=False)
    folded = folded_run.run(events=False)
    assert folded_run.events == []
    for name, value in logged.kpis.items():
        assert folded.kpis[name] == value, name
    assert list(folded.kpis) == list(logged.kpis)
    assert folded.totals == logged.totals
    assert folded.state_totals == logged.state_totals
    assert folded.conservation == logged.conservation
    assert folded.warnings == logged.warnings
    for day, (got, want) in enumerate(zip(folded.series, logged.series, strict=True)):
        assert got == want, day
    assert folded == logged


def test_the_stock_records_a_folded_run_skips_count_for_nothing() -> None:
    # A folded run takes the day's stock records only when ResultFold.counts_stock says so.
    scenario = _scarce(24)
    run = Simulation(scenario)
    run.run()
    fold = ResultFold(scenario)
    kept = [e for e in run.events if e.kind != "stock" or fold.counts_stock(e.day)]
    assert any(e.kind == "stock" and not fold.counts_stock(e.day) for e in run.events)
    assert any(e.kind == "stock" and fold.counts_stock(e.day) for e in run.events)
    assert kpis_from_events(kept, scenario) == kpis_from_events(run.events, scenario)


@pytest.mark.parametrize("forgetting", [True, False])
def test_a_folded_run_reads_the_stock_only_on_the_days_the_kpis_count(
    forgetting: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = _scarce(25)
    run = Simulation(scenario, keep_finished=not forgetting, keep_events=False)
    read_on: list[int] = []
    positions = run.desk.stock_positions

    def spy(sku: str) -> Any:
        read_on.append(int(run.now // 24))
        return positions(sku)

    monkeypatch.setattr(run.desk, "stock_positions", spy)
    folded = run.run(events=False)
    assert sorted(set(read_on)) == list(range(scenario.arrival_days))
    assert folded == Simulation(scenario, keep_finished=not forgetting).run(events=False)


def test_the_scenarios_take_the_paths_they_are_meant_to() -> None:
    # The comparison above is only as good as the paths its runs took.
    every = simulate(_busy(21, 200)).kpis
    assert every["cancel_rate"]
    assert every["credit_hold_rate"]
    assert every["units_returned"]
    assert simulate(_scarce(22)).kpis["backorder_rate"]
    assert simulate(_zoned(23)).kpis["consolidation_rate"]


def test_simulate_without_events_folds_and_keeps_no_log() -> None:
    scenario = Scenario.default(seed=5, orders=120, orders_per_day=60.0)
    assert simulate(scenario, events=False).kpis == simulate(scenario).kpis


def test_a_run_without_a_log_cannot_return_one() -> None:
    simulation = Simulation(Scenario.default(seed=5, orders=10), keep_events=False)
    with pytest.raises(SimulationStateError, match="keep_events=False"):
        simulation.run()
