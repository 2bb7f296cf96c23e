"""Steady state: the warm-up, batch means, the stability check, and KPIs-only results."""

from __future__ import annotations

import argparse
import io
import pickle
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ordercycle.errors import ValidationError
from ordercycle.simulation import (
    Scenario,
    ScenarioError,
    SimulationStateError,
    UnknownKpiError,
    kpis_from_events,
    run_many,
    simulate,
)
from ordercycle.simulation.cli import add_simulate_parser, run_simulate


def busy(**changes: Any) -> Scenario:
    """Three busy days with one slow picker per warehouse: queues build from an empty start."""
    values: dict[str, Any] = {
        "orders": 240,
        "orders_per_day": 80.0,
        "weekly_profile": (1.0,) * 7,
        "pick_seconds_per_line": 700.0,
        "pickers": 1,
        "tour_orders": 4,
        "drain_days": 3,
        "return_rate": 0.0,
    }
    return Scenario.default(seed=3, **{**values, **changes})


def test_a_warm_up_leaves_the_empty_start_out_of_the_kpis() -> None:
    cold = simulate(busy())
    warm = simulate(busy(warmup_days=1))
    assert warm.events == cold.events  # the warm-up changes what is counted, not the run
    placed = {e.order_id: e.time for e in cold.events if e.kind == "placed"}
    late = {o for o, t in placed.items() if t >= 24}
    assert 0 < len(late) < len(placed)
    assert warm.kpi("orders") == len(late)
    shipped: dict[str, float] = {}
    for event in cold.events:
        if event.kind == "shipped":
            shipped[event.order_id] = event.time
    # Orders of day 0 met empty queues and shipped faster: leaving them out raises the mean.
    early_hours = [shipped[o] - placed[o] for o in placed if o not in late and o in shipped]
    late_hours = [shipped[o] - placed[o] for o in late if o in shipped]
    assert statistics.fmean(early_hours) < statistics.fmean(late_hours)
    assert warm.kpi("order_to_ship_mean") > cold.kpi("order_to_ship_mean")  # type: ignore[operator]
    assert warm.kpi("order_to_ship_mean") == pytest.approx(statistics.fmean(late_hours))
    assert warm.kpi("revenue_invoiced") < cold.kpi("revenue_invoiced")  # type: ignore[operator]


def test_warm_up_must_end_before_the_arrivals_do() -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario(orders=60, orders_per_day=60.0, days=2, warmup_days=2)
    assert caught.value.field == "warmup_days"
    assert "fewer days than the 2 days of arrivals" in str(caught.value)


def test_batch_means_split_one_long_run_by_placement_time() -> None:
    result = simulate(busy(pick_seconds_per_line=20.0, pickers=2, warmup_days=1, orders=160))
    batches = result.batch_means("order_to_ship_mean", 3)
    assert len(batches.values) == 3
    assert batches.bounds[0][0] == 24.0
    assert batches.bounds[-1][1] == result.scenario.arrival_days * 24.0
    for (low, high), value in zip(batches.bounds, batches.values, strict=True):
        expected = kpis_from_events(
            result.events, result.scenario, placed_from=low, placed_until=high
        )["order_to_ship_mean"]
        assert value == expected
    defined = [v for v in batches.values if v is not None]
    assert batches.mean == pytest.approx(statistics.fmean(defined))
    assert batches.low <= batches.mean <= batches.high
    with pytest.raises(ValidationError):
        result.batch_means("order_to_ship_mean", 1)
    with pytest.raises(UnknownKpiError):
        result.batch_means("speed", 3)


def _cli(*argv: str) -> str:
    parser = argparse.ArgumentParser()
    add_simulate_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    assert run_simulate(parser.parse_args(["simulate", *argv]), out=out) == 0
    return out.getvalue()


OVERLOADED = {"orders": 240, "pick_seconds_per_line": 1500.0, "days": 3, "drain_days": 1}


def test_an_overloaded_scenario_is_flagged_and_a_normal_one_is_not() -> None:
    over = simulate(busy(**OVERLOADED))
    assert any(w.startswith("At capacity: the pickers of WH-EAST (1)") for w in over.warnings)
    assert any(w.startswith("Unstable: open orders grew") for w in over.warnings)
    # The default staffed for its demand, past the empty start (a run of a few days with
    # no warm-up sees the transit pipeline fill up, which the open-orders check reads as
    # growth).
    normal = simulate(Scenario.default(seed=7, orders=600, warmup_days=1, drain_days=3))
    assert normal.warnings == ()


def test_the_cli_prints_the_warnings(tmp_path: Path) -> None:
    values = {**busy().to_dict(), **OVERLOADED}
    del values["catalogue"]
    lines = [f"{k} = {v!r}" for k, v in values.items() if isinstance(v, int | float | str)]
    path = tmp_path / "over.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n", encoding="utf-8")
    printed = _cli("--scenario", str(path))
    assert "warning: At capacity: the pickers of WH-EAST (1)" in printed
    plain = tmp_path / "plain.toml"  # around-the-clock staff, as the file leaves it
    plain.write_text('name = "plain"\n', encoding="utf-8")
    assert "warning:" not in _cli("--seed", "7", "--orders", "30", "--scenario", str(plain))


def test_kpis_only_results_match_the_full_run_without_the_log() -> None:
    full = simulate(busy(orders=60))
    lean = simulate(busy(orders=60), events=False)
    assert lean.events == ()
    assert not lean.events_kept
    assert lean.kpis == full.kpis
    assert lean.totals == full.totals
    assert lean.timeseries() == full.timeseries()
    assert lean.warnings == full.warnings
    assert len(pickle.dumps(lean)) * 5 < len(pickle.dumps(full))
    assert "KPIs only" in repr(lean)
    with pytest.raises(SimulationStateError):
        lean.batch_means("order_to_ship_mean", 3)


def test_run_many_is_kpis_only_unless_asked_for_events() -> None:
    scenario = busy(orders=20)
    with ThreadPoolExecutor(1) as pool:
        lean = run_many([scenario], pool)
        full = run_many([scenario], pool, events=True)
    assert lean[0].events == ()
    assert full[0].events
    assert lean[0].kpis == full[0].kpis


def test_plots_shade_the_warm_up_and_label_runs_without_seeds(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from ordercycle.simulation import html_report, plot_timeseries

    first = simulate(busy(orders=100, warmup_days=1), events=False)
    second = simulate(busy(orders=100, warmup_days=1).evolve(seed=4), events=False)
    figure = plot_timeseries([first, second], "picker_utilisation")
    axes = figure.axes[0]
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert labels == ["base, run 1", "base, run 2", "warm-up (1 days)"]
    assert axes.get_ylabel() == "picker utilisation (busy / scheduled hours)"
    assert axes.get_xlabel() == "simulated day"
    text = html_report(first, tmp_path / "report.html")
    assert "<h2>Parameters</h2>" in text
    assert "<td>tour_orders</td><td>4</td>" in text
