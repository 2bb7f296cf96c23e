"""Plots of KPI distributions and daily time series (matplotlib, ``sim`` extra).

Each function returns a matplotlib ``Figure`` and does not show it; save it with
``figure.savefig(path)``. Set the ``Agg`` backend for headless use (tests, servers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ordercycle.simulation._optional import require
from ordercycle.simulation.errors import UnknownKpiError
from ordercycle.simulation.kpis import KPIS
from ordercycle.simulation.results import SimulationResult

__all__ = ["plot_kpi_distribution", "plot_timeseries"]


def _pyplot() -> Any:
    return require("matplotlib.pyplot", "simulation plots", "matplotlib")


def plot_kpi_distribution(groups: Sequence[Any], kpi: str) -> Any:
    """A box plot of ``kpi`` over the replications of each group.

    Args:
        groups: :class:`~ordercycle.simulation.experiments.Replications` (one box each),
            or a :class:`~ordercycle.simulation.experiments.Comparison`.
        kpi: A name of :data:`~ordercycle.simulation.KPIS`.

    Raises:
        UnknownKpiError: ``kpi`` is not a KPI.
    """
    if kpi not in KPIS:
        raise UnknownKpiError(kpi, list(KPIS))
    groups = list(getattr(groups, "replications", groups))
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    axes.boxplot([g.values(kpi) for g in groups])
    axes.set_xticks(range(1, len(groups) + 1), [g.scenario.name for g in groups])
    axes.set_title(f"{kpi} over {max(len(g.results) for g in groups)} replications")
    axes.set_ylabel(KPIS[kpi][0])
    figure.tight_layout()
    return figure


_LABELS = {
    "orders_placed": "orders placed",
    "units_shipped": "units shipped",
    "units_delivered": "units delivered",
    "open_orders": "open orders (placed, not delivered in full)",
    "receivables": "receivables (currency)",
    "picker_utilisation": "picker utilisation (busy / shift hours)",
    "packer_utilisation": "packer utilisation (busy / shift hours)",
    "tours_waiting": "picker tours waiting (daily mean)",
    "packs_waiting": "shipments waiting for a packer (daily mean)",
}


_LABELS = {
    "orders_placed": "orders placed",
    "units_shipped": "units shipped",
    "units_delivered": "units delivered",
    "open_orders": "open orders (placed, not delivered in full)",
    "receivables": "receivables (currency)",
    "picker_utilisation": "picker utilisation (busy / shift hours)",
    "packer_utilisation": "packer utilisation (busy / shift hours)",
    "tours_waiting": "picker tours waiting (daily mean)",
    "packs_waiting": "shipments waiting for a packer (daily mean)",
}


def plot_timeseries(
    results: SimulationResult | Sequence[SimulationResult], column: str = "open_orders"
) -> Any:
    """A daily line per result of one :meth:`SimulationResult.timeseries` column.

    Columns: ``orders_placed``, ``units_shipped``, ``units_delivered``, ``open_orders``,
    ``receivables``, ``picker_utilisation``, ``packer_utilisation``, ``tours_waiting``,
    ``packs_waiting``. The warm-up (:attr:`~ordercycle.simulation.Scenario.warmup_days`,
    left out of the KPIs) is shaded grey.
    """
    many = [results] if isinstance(results, SimulationResult) else list(results)
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    seen: dict[str, int] = {}
    for result in many:
        rows = result.timeseries()
        if rows and column not in rows[0]:
            known = [k for k in rows[0] if k not in ("scenario", "day")]
            raise UnknownKpiError(column, known)
        name = result.scenario.name
        seen[name] = seen.get(name, 0) + 1
        # Derived seeds are 19 digits long: runs of one scenario are numbered instead.
        repeats = sum(1 for r in many if r.scenario.name == name)
        label = f"{name} (run {seen[name]})" if repeats > 1 else name
        axes.plot([r["day"] for r in rows], [r[column] for r in rows], label=label)
    warmup = max(r.scenario.warmup_days for r in many) if many else 0
    if warmup:
        axes.axvspan(0, warmup, color="0.85", label=f"warm-up ({warmup} days)")
    title = _LABELS.get(column, column)
    axes.set_xlabel("day since the start")
    axes.set_ylabel(title)
    axes.set_title(title[0].upper() + title[1:] + " by day")
    axes.legend(fontsize="small")
    figure.tight_layout()
    return figure
