"""Replications, sweeps and comparisons of scenarios, on any ``concurrent.futures`` executor.

Replication ``r`` of a scenario runs it with the seed ``derive_seed(scenario.seed,
"replication", r)``: independent streams, the same for every run of the experiment.
Scenarios that share a seed share their replication seeds too (common random numbers),
which makes a comparison of two policies sharper; give them different seeds to make
them independent.

A :class:`Comparison` reads alternatives in pairs: replication ``r`` of one scenario
against replication ``r`` of the baseline, which saw the same world. The interval of the
mean *difference* (a paired t interval) is what says whether a policy is better: two
overlapping per-scenario intervals say nothing when the runs are correlated, and with
common random numbers they always are.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from functools import partial
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.simulation._optional import require
from ordercycle.simulation._seeds import derive_seed
from ordercycle.simulation._stats import t95
from ordercycle.simulation._tables import html_table, markdown_table
from ordercycle.simulation.engine import simulate
from ordercycle.simulation.kpis import KPIS, describe_kpi
from ordercycle.simulation.results import SimulationResult
from ordercycle.simulation.scenario import Scenario

__all__ = [
    "Comparison",
    "PairedDifference",
    "Replications",
    "compare",
    "confidence_interval",
    "replicate",
    "replication_seeds",
    "run_many",
]


def confidence_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95 % Student t interval ``(mean, low, high)`` of ``values``.

    With one value the interval is the value itself (no spread can be estimated).

    >>> tuple(round(x, 3) for x in confidence_interval([1.0, 2.0, 3.0]))
    (2.0, -0.484, 4.484)
    """
    if not values:
        raise ValidationError.invalid("confidence_interval", "values", values, "at least one value")
    mean = statistics.fmean(values)
    if len(values) < 2:
        return (mean, mean, mean)
    t = t95(len(values) - 1)
    half = t * statistics.stdev(values) / math.sqrt(len(values))
    return (mean, mean - half, mean + half)


def replication_seeds(scenario: Scenario, replications: int) -> list[int]:
    """The seeds of replications ``0 .. replications - 1`` of ``scenario``."""
    return [derive_seed(scenario.seed, "replication", r) for r in range(replications)]


def _check_count(replications: int) -> None:
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValidationError.invalid(
            "the experiment", "replications", replications, "an integer of 1 or more"
        )


def run_many(
    scenarios: Iterable[Scenario],
    executor: Executor | None = None,
    *,
    replications: int = 1,
    progress: bool = False,
    events: bool = False,
) -> list[SimulationResult]:
    """Run every scenario ``replications`` times, in parallel, with derived seeds.

    Args:
        scenarios: The scenarios.
        executor: Any :class:`concurrent.futures.Executor` (a Dask
            ``Client.get_executor()`` or a Ray pool works too); a process pool by default.
        replications: Runs per scenario (replication seeds from :func:`replication_seeds`).
        progress: Show a tqdm progress bar (needs the ``sim`` extra).
        events: Keep each run's event log; by default results are KPIs-only (see
            :func:`~ordercycle.simulation.simulate`), so many runs cross process
            boundaries and stay in memory cheaply.

    Returns:
        Results in input order: every replication of the first scenario, then the next.
    """
    _check_count(replications)
    jobs = [
        scenario.evolve(seed=seed)
        for scenario in scenarios
        for seed in replication_seeds(scenario, replications)
    ]
    own = executor is None
    pool: Executor = ProcessPoolExecutor() if executor is None else executor
    try:
        futures: list[Future[SimulationResult]] = [
            pool.submit(partial(simulate, events=events), job) for job in jobs
        ]
        if progress:
            _follow(futures)
        return [future.result() for future in futures]
    finally:
        if own:
            pool.shutdown()


def _follow(futures: list[Future[SimulationResult]]) -> None:
    from concurrent.futures import as_completed

    tqdm = require("tqdm", "a simulation progress bar").tqdm
    for _ in tqdm(as_completed(futures), total=len(futures), desc="simulating", unit="run"):
        pass


@attrs.frozen
class Replications:
    """Several runs of one scenario with derived seeds.

    Attributes:
        scenario: The scenario (with its base seed).
        results: One result per replication.
    """

    scenario: Scenario
    results: tuple[SimulationResult, ...]

    def values(self, kpi: str) -> list[float]:
        """The defined values of ``kpi`` over the replications (none for a zone KPI of
        a scenario without that zone).

        Raises:
            UnknownKpiError: No KPI has that name.
        """
        describe_kpi(kpi)
        found = [result.kpis.get(kpi) for result in self.results]
        return [value for value in found if value is not None]

    def kpi_names(self) -> list[str]:
        """The KPIs of the runs: :data:`KPIS`, then any others the runs have (the
        :data:`~ordercycle.simulation.kpis.ZONE_KPIS` of a scenario with zones)."""
        return _kpi_names(self.results)

    def summary(self) -> list[dict[str, Any]]:
        """Tidy rows: scenario, kpi, n, mean, low, high (95 % t interval), unit."""
        rows = []
        for kpi in self.kpi_names():
            values = self.values(kpi)
            if not values:
                rows.append({"scenario": self.scenario.name, "kpi": kpi, "n": 0})
                continue
            mean, low, high = confidence_interval(values)
            rows.append(
                {
                    "scenario": self.scenario.name,
                    "kpi": kpi,
                    "n": len(values),
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "unit": describe_kpi(kpi)[0],
                }
            )
        return rows

    def to_records(self) -> list[dict[str, Any]]:
        """Every KPI of every replication, tidy (with a ``replication`` column)."""
        return [
            {**record, "replication": n}
            for n, result in enumerate(self.results)
            for record in result.to_records()
        ]

    def to_pandas(self) -> Any:
        """:meth:`summary` as a pandas DataFrame (needs the ``sim`` extra)."""
        pandas = require("pandas", "Replications.to_pandas")
        return pandas.DataFrame.from_records(self.summary())

    def __repr__(self) -> str:
        return f"<Replications {self.scenario.name!r} x{len(self.results)}>"

    def _repr_html_(self) -> str:
        columns = ["kpi", "n", "mean", "low", "high", "unit"]
        return html_table(self.summary(), columns, f"{self.scenario.name}: 95 % intervals")


def replicate(
    scenario: Scenario,
    replications: int,
    executor: Executor | None = None,
    *,
    progress: bool = False,
    events: bool = False,
) -> Replications:
    """Run ``scenario`` ``replications`` times (see :func:`run_many`; KPIs-only unless
    ``events``)."""
    results = run_many(
        [scenario], executor, replications=replications, progress=progress, events=events
    )
    return Replications(scenario, tuple(results))


@attrs.frozen(kw_only=True)
class PairedDifference:
    """The mean difference of one KPI between a scenario and the baseline, paired by run.

    Attributes:
        kpi: The KPI's name (see :data:`~ordercycle.simulation.KPIS`).
        scenario: The alternative's name.
        baseline: The baseline's name.
        n: Pairs in which the KPI is defined in both runs.
        mean: Mean of ``alternative - baseline`` over the pairs.
        low: Lower end of the 95 % paired t interval.
        high: Upper end of the 95 % paired t interval.
        unit: The KPI's unit.
    """

    kpi: str
    scenario: str
    baseline: str
    n: int
    mean: float
    low: float
    high: float
    unit: str

    @property
    def significant(self) -> bool:
        """True when the 95 % interval excludes zero (needs two pairs or more)."""
        return self.n >= 2 and (self.low > 0 or self.high < 0)

    def to_record(self) -> dict[str, Any]:
        """A tidy row (with ``significant``)."""
        row = attrs.asdict(self)
        row["significant"] = self.significant
        return row


@attrs.frozen
class Comparison:
    """Scenarios side by side: per-scenario intervals and paired differences.

    The first scenario is the baseline of :meth:`differences` unless another is named.

    Attributes:
        replications: The replications of each scenario, in the order given.
    """

    replications: tuple[Replications, ...]

    @property
    def names(self) -> list[str]:
        """Scenario names in order."""
        return [r.scenario.name for r in self.replications]

    def to_records(self) -> list[dict[str, Any]]:
        """Tidy rows: kpi, scenario, n, mean, low, high, unit."""
        rows = [row for r in self.replications for row in r.summary()]
        order = {kpi: n for n, kpi in enumerate(self._kpi_names())}
        return sorted(rows, key=lambda row: order[row["kpi"]])

    def _kpi_names(self) -> list[str]:
        return _kpi_names([run for r in self.replications for run in r.results])

    def table(self) -> list[dict[str, Any]]:
        """Wide rows: one per KPI, a ``mean [low, high]`` column per scenario."""
        wide: dict[str, dict[str, Any]] = {}
        for row in self.to_records():
            unit = describe_kpi(row["kpi"])[0]
            line = wide.setdefault(row["kpi"], {"kpi": row["kpi"], "unit": unit})
            line[row["scenario"]] = _interval(row)
        return list(wide.values())

    def to_markdown(self) -> str:
        """:meth:`table` and, with two scenarios or more, :meth:`differences`, as markdown."""
        text = markdown_table(self.table(), ["kpi", *self.names, "unit"])
        if len(self.replications) > 1:
            text += "\n\n" + markdown_table(self.difference_table(), self._difference_columns())
        return text

    def differences(self, baseline: str | None = None) -> list[PairedDifference]:
        """Every KPI of every other scenario minus the baseline, paired by replication.

        Replication ``r`` of a scenario is paired with replication ``r`` of the baseline
        (they share a seed when the scenarios do, so both saw the same arrivals, refusals,
        shortages, delays, returns and payments). A pair counts when the KPI is defined
        in both runs.

        Args:
            baseline: The baseline's name; the first scenario by default.

        Raises:
            ValidationError: ``baseline`` is not a scenario of the comparison.
        """
        names = self.names
        chosen = names[0] if baseline is None else baseline
        if chosen not in names:
            raise ValidationError.invalid("the comparison", "baseline", baseline, f"one of {names}")
        base = self.replications[names.index(chosen)]
        rows = []
        for kpi in self._kpi_names():
            for other in self.replications:
                if other is base:
                    continue
                pairs = [
                    (b, a)
                    for b, a in zip(base.results, other.results, strict=False)
                    if b.kpis.get(kpi) is not None and a.kpis.get(kpi) is not None
                ]
                if not pairs:
                    continue
                deltas = [float(a.kpi(kpi) or 0.0) - float(b.kpi(kpi) or 0.0) for b, a in pairs]
                mean, low, high = confidence_interval(deltas)
                rows.append(
                    PairedDifference(
                        kpi=kpi,
                        scenario=other.scenario.name,
                        baseline=chosen,
                        n=len(deltas),
                        mean=mean,
                        low=low,
                        high=high,
                        unit=describe_kpi(kpi)[0],
                    )
                )
        return rows

    def difference_table(self, baseline: str | None = None) -> list[dict[str, Any]]:
        """Wide rows: one per KPI, ``mean [low, high]`` of each difference, ``*`` if significant."""
        wide: dict[str, dict[str, Any]] = {}
        for diff in self.differences(baseline):
            line = wide.setdefault(diff.kpi, {"kpi": diff.kpi, "unit": diff.unit})
            mark = " *" if diff.significant else ""
            line[f"{diff.scenario} − {diff.baseline}"] = (
                f"{diff.mean:+.4g} [{diff.low:+.4g}, {diff.high:+.4g}]{mark}"
            )
        return list(wide.values())

    def _difference_columns(self, baseline: str | None = None) -> list[str]:
        chosen = baseline or self.names[0]
        return ["kpi", *(f"{n} − {chosen}" for n in self.names if n != chosen), "unit"]

    def differences_to_pandas(self, baseline: str | None = None) -> Any:
        """:meth:`differences` as a tidy pandas DataFrame (needs the ``sim`` extra)."""
        pandas = require("pandas", "Comparison.differences_to_pandas")
        return pandas.DataFrame.from_records([d.to_record() for d in self.differences(baseline)])

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a pandas DataFrame (needs the ``sim`` extra)."""
        pandas = require("pandas", "Comparison.to_pandas")
        return pandas.DataFrame.from_records(self.to_records())

    def __repr__(self) -> str:
        runs = ", ".join(f"{r.scenario.name!r} x{len(r.results)}" for r in self.replications)
        return f"<Comparison of {runs}>"

    def _repr_html_(self) -> str:
        text = html_table(self.table(), ["kpi", *self.names, "unit"], "mean [95 % interval]")
        if len(self.replications) > 1:
            text += html_table(
                self.difference_table(),
                self._difference_columns(),
                "paired difference from the baseline, mean [95 % interval], * significant",
            )
        return text


def _interval(row: dict[str, Any]) -> str:
    if not row.get("n"):
        return "–"
    if row["n"] == 1:
        return f"{row['mean']:.4g}"
    return f"{row['mean']:.4g} [{row['low']:.4g}, {row['high']:.4g}]"


def compare(
    *scenarios: Scenario,
    replications: int = 3,
    executor: Executor | None = None,
    progress: bool = False,
    events: bool = False,
) -> Comparison:
    """Replicate each scenario and put the KPIs side by side.

    Results are KPIs-only unless ``events`` (see :func:`run_many`).

    Raises:
        ValidationError: Fewer than one scenario, two with the same name, or a bad count.
    """
    names = [s.name for s in scenarios]
    if not scenarios or len(set(names)) != len(names):
        raise ValidationError.invalid(
            "compare", "scenarios", names, "one or more scenarios with distinct names"
        )
    results = run_many(
        scenarios, executor, replications=replications, progress=progress, events=events
    )
    groups = tuple(
        Replications(s, tuple(results[n * replications : (n + 1) * replications]))
        for n, s in enumerate(scenarios)
    )
    return Comparison(groups)


def _kpi_names(results: Sequence[SimulationResult]) -> list[str]:
    """:data:`KPIS` in order, then the other KPIs of ``results`` in first-seen order."""
    names = dict.fromkeys(KPIS)
    for result in results:
        names.update(dict.fromkeys(result.kpis))
    return list(names)
