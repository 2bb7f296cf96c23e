"""Replications, run_many on executors, comparisons, plots, reports and the CLI command."""

from __future__ import annotations

import argparse
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ordercycle.errors import ValidationError
from ordercycle.simulation import (
    Comparison,
    CustomerSegment,
    Scenario,
    UnknownKpiError,
    compare,
    confidence_interval,
    html_report,
    plot_kpi_distribution,
    plot_timeseries,
    replicate,
    replication_seeds,
    run_many,
    simulate,
)
from ordercycle.simulation.cli import add_simulate_parser, run_simulate

os.environ.setdefault("MPLBACKEND", "Agg")

BASE = Scenario.default(seed=9, orders=6, days=1, drain_days=40, orders_per_day=30.0)
NET30 = BASE.evolve(name="net30", segments=(CustomerSegment(name="A", payment_terms="Net 30"),))
TWO10 = BASE.evolve(
    name="2/10 net30",
    segments=(
        CustomerSegment(name="A", payment_terms="2/10 Net 30", early=0.7, on_time=0.2, late=0.1),
    ),
)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    with ThreadPoolExecutor(2) as pool:
        return compare(NET30, TWO10, replications=2, executor=pool)


def test_confidence_interval_is_a_student_t_interval() -> None:
    mean, low, high = confidence_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert high - mean == pytest.approx(4.303 * 1.0 / 3**0.5)
    assert mean - low == pytest.approx(high - mean)
    assert confidence_interval([4.0]) == (4.0, 4.0, 4.0)
    with pytest.raises(ValidationError, match="at least one value"):
        confidence_interval([])


def test_replications_use_independent_derived_seeds() -> None:
    seeds = replication_seeds(BASE, 3)
    assert len(set(seeds)) == 3
    assert BASE.seed not in seeds
    assert replication_seeds(BASE, 3) == seeds


def test_run_many_on_a_thread_pool_matches_runs_one_by_one() -> None:
    with ThreadPoolExecutor(2) as pool:
        results = run_many([BASE], pool, replications=2, events=True)
    seeds = replication_seeds(BASE, 2)
    assert [r.scenario.seed for r in results] == seeds
    assert results[0] == simulate(BASE.evolve(seed=seeds[0]))
    assert results[0].events != results[1].events


def test_run_many_defaults_to_a_process_pool_with_the_same_results() -> None:
    in_processes = run_many([BASE], replications=1, events=True)
    assert in_processes == [simulate(BASE.evolve(seed=replication_seeds(BASE, 1)[0]))]


def test_run_many_with_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    with ThreadPoolExecutor(1) as pool:
        results = run_many([BASE], pool, progress=True)
    assert len(results) == 1
    assert "simulating" in capsys.readouterr().err


def test_bad_replication_counts_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"Invalid replications .* 0; expected an integer"):
        run_many([BASE], replications=0)
    with pytest.raises(ValidationError, match="distinct names"):
        compare(BASE, BASE)
    with pytest.raises(ValidationError, match="distinct names"):
        compare()


def test_comparison_puts_scenarios_side_by_side(comparison: Comparison) -> None:
    assert comparison.names == ["net30", "2/10 net30"]
    records = comparison.to_records()
    discounts = {r["scenario"]: r for r in records if r["kpi"] == "discounts_taken"}
    assert discounts["net30"]["mean"] == 0
    assert discounts["2/10 net30"]["mean"] > 0
    assert all(r["n"] == 2 for r in records if r["kpi"] == "orders")
    table = comparison.table()
    assert table[0]["kpi"] == "orders"
    assert set(table[0]) == {"kpi", "unit", "net30", "2/10 net30"}
    assert "| dso |" in comparison.to_markdown()
    frame = comparison.to_pandas()
    assert set(frame["scenario"]) == {"net30", "2/10 net30"}
    assert "mean [95 % interval]" in comparison._repr_html_()
    assert repr(comparison) == "<Comparison of 'net30' x2, '2/10 net30' x2>"
    assert repr(comparison.replications[0]) == "<Replications 'net30' x2>"


def test_replicate_summarises_with_intervals() -> None:
    with ThreadPoolExecutor(2) as pool:
        group = replicate(BASE, 2, pool)
    rows = {row["kpi"]: row for row in group.summary()}
    assert rows["orders"]["n"] == 2
    assert rows["orders"]["low"] <= rows["orders"]["mean"] <= rows["orders"]["high"]
    assert len(group.to_records()) == 2 * len(rows)
    assert len(group.to_pandas()) == len(rows)
    assert "95 % intervals" in group._repr_html_()


def test_plots_render_with_the_agg_backend(comparison: Comparison, tmp_path: Path) -> None:
    figure = plot_kpi_distribution(comparison, "dso")
    figure.savefig(tmp_path / "dso.png")
    result = comparison.replications[0].results[0]
    series = plot_timeseries([result], "receivables")
    series.savefig(tmp_path / "ar.png")
    assert (tmp_path / "dso.png").stat().st_size > 1000
    assert (tmp_path / "ar.png").stat().st_size > 1000
    with pytest.raises(UnknownKpiError):
        plot_kpi_distribution(comparison, "happiness")
    with pytest.raises(UnknownKpiError, match="open_orders"):
        plot_timeseries(result, "happiness")


def test_html_report_embeds_png_plots(comparison: Comparison, tmp_path: Path) -> None:
    result = comparison.replications[0].results[0]
    path = tmp_path / "report.html"
    text = html_report(result, path)
    assert path.read_text(encoding="utf-8") == text
    # 4 daily series, 3 capacity (picker, packer utilisation, parcels at the dock), 2 stock,
    # 1 costs
    assert text.count("data:image/png;base64,") == 10
    assert "<h2>Capacity and the dock</h2>" in text
    assert "dock_wait_mean" in text
    assert "unit_fill_rate" in text


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_simulate_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["simulate", *argv])


def test_cli_prints_the_kpi_table_and_writes_a_report(tmp_path: Path) -> None:
    scenario = tmp_path / "small.toml"
    scenario.write_text('name = "small"\ndays = 1\ndrain_days = 40\n', encoding="utf-8")
    report = tmp_path / "out.html"
    out = io.StringIO()
    code = run_simulate(
        _parse(
            "--orders", "5", "--seed", "7", "--scenario", str(scenario), "--report", str(report)
        ),
        out=out,
    )
    text = out.getvalue()
    assert code == 0
    assert text.startswith("Scenario 'small', seed 7:")
    assert "| orders | 5 | orders |" in text
    assert "orders by end state:" in text
    assert report.exists()


def test_cli_refuses_a_bad_scenario_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text("orders_per_day = -5\n", encoding="utf-8")
    out = io.StringIO()
    assert run_simulate(_parse("--scenario", str(scenario)), out=out) == 2
    assert "Invalid orders_per_day" in capsys.readouterr().err
    assert out.getvalue() == ""
    assert run_simulate(_parse("--scenario", str(tmp_path / "missing.toml")), out=out) == 2


def test_cli_progress_bar_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert run_simulate(_parse("--orders", "3", "--seed", "2", "--progress"), out=out) == 0
    assert "| orders | 3 | orders |" in out.getvalue()
    assert "day" in capsys.readouterr().err


def test_cli_timings_print_every_stage_once() -> None:
    from ordercycle.simulation import STAGES

    out = io.StringIO()
    assert run_simulate(_parse("--orders", "4", "--seed", "2", "--timings"), out=out) == 0
    text = out.getvalue()
    table = text[text.index("time by stage (wall clock):") :].splitlines()[1:]
    assert [line.split()[0] for line in table] == [stage.split()[0] for stage in STAGES]
    assert "\n".join(table).count("%") == len(STAGES)
    quiet = io.StringIO()
    run_simulate(_parse("--orders", "4", "--seed", "2"), out=quiet)
    assert "time by stage" not in quiet.getvalue()


def test_paired_differences_equal_a_hand_computed_paired_t_interval(
    comparison: Comparison,
) -> None:
    import statistics

    base, other = comparison.replications
    for diff in comparison.differences():
        assert (diff.scenario, diff.baseline) == ("2/10 net30", "net30")
        deltas = [
            a.kpi(diff.kpi) - b.kpi(diff.kpi)  # type: ignore[operator]
            for b, a in zip(base.results, other.results, strict=True)
            if a.kpi(diff.kpi) is not None and b.kpi(diff.kpi) is not None
        ]
        assert diff.n == len(deltas) == 2
        mean = sum(deltas) / 2
        half = 12.706 * statistics.stdev(deltas) / 2**0.5
        assert diff.mean == pytest.approx(mean)
        assert (diff.low, diff.high) == (pytest.approx(mean - half), pytest.approx(mean + half))
        assert diff.significant == (mean - half > 0 or mean + half < 0)
    swapped = {d.kpi: d for d in comparison.differences(baseline="2/10 net30")}
    for diff in comparison.differences():
        assert swapped[diff.kpi].mean == pytest.approx(-diff.mean)
    with pytest.raises(ValidationError, match="baseline"):
        comparison.differences(baseline="nope")


def test_the_comparison_shows_the_differences() -> None:
    from ordercycle.simulation.experiments import Replications

    def fake(name: str, values: list[float]) -> Replications:
        class Result:
            def __init__(self, value: float) -> None:
                self.value = value
                self.kpis = {"orders": value}

            def kpi(self, name: str) -> float | None:
                return self.value if name == "orders" else None

        runs = tuple(Result(v) for v in values)
        return Replications(BASE.evolve(name=name), runs)  # type: ignore[arg-type]

    # Paired: each alternative run is the baseline's plus a small, steady gain. Apart,
    # the two intervals overlap; paired, the gain is significant.
    base = fake("base", [10.0, 20.0, 30.0, 40.0])
    alt = fake("alt", [10.5, 20.4, 30.6, 40.5])
    comparison = Comparison((base, alt))
    (diff,) = comparison.differences()
    assert diff.significant
    assert diff.low > 0
    assert diff.mean == pytest.approx(0.5)
    text = comparison.to_markdown()
    assert "alt − base" in text
    assert "+0.5 [" in text
    assert "*" in text
