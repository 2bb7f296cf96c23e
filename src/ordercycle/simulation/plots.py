"""Plots of KPI distributions and daily time series (matplotlib, ``sim`` extra).

Each function returns a matplotlib ``Figure`` and does not show it; save it with
``figure.savefig(path)``. Set the ``Agg`` backend for headless use (tests, servers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ordercycle.simulation._optional import require
from ordercycle.simulation.errors import UnknownKpiError
from ordercycle.simulation.kpis import describe_kpi
from ordercycle.simulation.results import SimulationResult

__all__ = [
    "plot_costs",
    "plot_inventory",
    "plot_kpi_distribution",
    "plot_timeseries",
    "plot_zones",
]

#: Days shown after the last arrival day at least (the drain beyond that is cut when the
#: plotted series no longer changes).
MARGIN_DAYS = 7

_LABELS = {
    "orders_placed": "orders placed per day",
    "units_shipped": "units shipped per day",
    "units_delivered": "units delivered per day",
    "open_orders": "open orders (placed, not delivered)",
    "receivables": "receivables (currency)",
    "on_hand": "units on hand",
    "on_order": "units on order",
    "value": "on-hand value at list price (currency)",
    "backordered": "units on backorder",
    "picker_utilisation": "picker utilisation (busy / scheduled hours)",
    "packer_utilisation": "packer utilisation (busy / scheduled hours)",
    "dock_utilisation": "loader utilisation (busy / scheduled hours)",
    "tours_waiting": "picker tours waiting (daily mean)",
    "packs_waiting": "shipments waiting for a packer (daily mean)",
    "parcels_at_dock": "shipments at the dock, not yet collected (daily mean)",
}


def _pyplot() -> Any:
    return require("matplotlib.pyplot", "simulation plots", "matplotlib")


def plot_kpi_distribution(groups: Sequence[Any], kpi: str) -> Any:
    """A box plot of ``kpi`` over the replications of each group.

    Args:
        groups: :class:`~ordercycle.simulation.experiments.Replications` (one box each),
            or a :class:`~ordercycle.simulation.experiments.Comparison`.
        kpi: A name of :data:`~ordercycle.simulation.KPIS` or a zone KPI
            (:data:`~ordercycle.simulation.kpis.ZONE_KPIS`).

    Raises:
        UnknownKpiError: ``kpi`` is not a KPI.
    """
    unit = describe_kpi(kpi)[0]
    groups = list(getattr(groups, "replications", groups))
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    axes.boxplot([g.values(kpi) for g in groups])
    axes.set_xticks(range(1, len(groups) + 1), [g.scenario.name for g in groups])
    axes.set_title(f"{kpi} over {max(len(g.results) for g in groups)} replications")
    axes.set_xlabel("scenario")
    axes.set_ylabel(f"{kpi} ({unit})")
    figure.tight_layout()
    return figure


def plot_timeseries(
    results: SimulationResult | Sequence[SimulationResult],
    column: str = "open_orders",
    *,
    until: float | None = None,
) -> Any:
    """A daily line per result of one :meth:`SimulationResult.timeseries` column.

    Columns: ``orders_placed``, ``units_shipped``, ``units_delivered``, ``open_orders``,
    ``receivables``, ``picker_utilisation``, ``packer_utilisation``, ``dock_utilisation``,
    ``tours_waiting``, ``packs_waiting``, ``parcels_at_dock``. The warm-up
    (:attr:`~ordercycle.simulation.Scenario.warmup_days`, left out of the KPIs) is shaded
    grey. Lines are labelled by scenario name. The x-axis
    ends at ``until`` (a day), by default at the last arrival day plus
    :data:`MARGIN_DAYS`, or later while a line still changes, so the quiet end of the drain
    period is not drawn.
    """
    many = [results] if isinstance(results, SimulationResult) else list(results)
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    series = []
    for result in many:
        rows = result.timeseries()
        if rows and column not in rows[0]:
            known = [k for k in rows[0] if k not in ("scenario", "day")]
            raise UnknownKpiError(column, known)
        series.append(([r["day"] for r in rows], [float(r[column]) for r in rows]))
    last = until if until is not None else _cut(many, series)
    for (days, values), label in zip(series, _labels(many), strict=True):
        shown = [n for n, day in enumerate(days) if day <= last]
        axes.plot([days[n] for n in shown], [values[n] for n in shown], label=label)
    warmup = max(r.scenario.warmup_days for r in many) if many else 0
    if warmup:  # left out of the KPIs (Scenario.warmup_days)
        axes.axvspan(0, warmup, color="0.85", label=f"warm-up ({warmup} days)")
    axes.set_xlabel("simulated day")
    axes.set_ylabel(_LABELS.get(column, column))
    axes.set_title(_LABELS.get(column, column).split(" (")[0])
    axes.legend(fontsize="small", title="scenario")
    figure.tight_layout()
    return figure


def plot_inventory(
    results: SimulationResult | Sequence[SimulationResult],
    column: str = "on_hand",
    *,
    sku: str | None = None,
    until: float | None = None,
) -> Any:
    """Daily stock of each result (every SKU and warehouse summed, or one SKU).

    Args:
        results: One result or several (one line each, labelled by scenario name).
        column: ``on_hand``, ``on_order``, ``value`` or ``backordered`` (see
            :meth:`SimulationResult.inventory`).
        sku: Only this SKU; all SKUs by default.
        until: The last day shown; by default the last arrival day plus
            :data:`MARGIN_DAYS`, or later while the series still changes.

    Raises:
        UnknownKpiError: ``column`` is not a column of the inventory table.
    """
    columns = ("on_hand", "on_order", "value", "backordered")
    if column not in columns:
        raise UnknownKpiError(column, list(columns))
    many = [results] if isinstance(results, SimulationResult) else list(results)
    series = []
    for result in many:
        daily: dict[int, float] = {}
        counted: set[tuple[int, str]] = set()
        for row in result.inventory():
            if sku is not None and row["sku"] != sku:
                continue
            if column == "backordered":  # one figure per SKU, repeated on warehouse rows
                if (row["day"], row["sku"]) in counted:
                    daily.setdefault(row["day"], 0.0)
                    continue
                counted.add((row["day"], row["sku"]))
            daily[row["day"]] = daily.get(row["day"], 0.0) + float(row[column])
        days = sorted(daily)
        series.append((days, [daily[d] for d in days]))
    last = until if until is not None else _cut(many, series)
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    for (days, values), label in zip(series, _labels(many), strict=True):
        shown = [n for n, day in enumerate(days) if day <= last]
        axes.step([days[n] for n in shown], [values[n] for n in shown], where="post", label=label)
    axes.set_xlabel("simulated day (stock at the start of the day)")
    axes.set_ylabel(_LABELS[column])
    what = "all SKUs" if sku is None else sku
    axes.set_title(f"{_LABELS[column].split(' (')[0]}, {what}, all warehouses")
    axes.legend(fontsize="small", title="scenario")
    figure.tight_layout()
    return figure


def plot_zones(results: SimulationResult | Sequence[SimulationResult]) -> Any:
    """Per-zone load and utilisation of runs with picking zones: two bar charts, lines
    picked per zone and zone picker utilisation, one bar per zone and result.

    Args:
        results: One result or several (bars side by side, labelled by scenario name).

    Raises:
        UnknownKpiError: A result's scenario has no zones.
    """
    many = [results] if isinstance(results, SimulationResult) else list(results)
    for result in many:
        if not result.scenario.zones:
            raise UnknownKpiError("zone_utilisation[<warehouse>/<zone>]", list(result.kpis))
    tags = list(
        dict.fromkeys(
            name[len("zone_lines[") : -1]
            for result in many
            for name in result.kpis
            if name.startswith("zone_lines[")
        )
    )
    pyplot = _pyplot()
    figure, (load, busy) = pyplot.subplots(1, 2, figsize=(9, 3.5))
    width = 0.8 / len(many)
    for n, (result, label) in enumerate(zip(many, _labels(many), strict=True)):
        where = [k + (n - (len(many) - 1) / 2) * width for k in range(len(tags))]
        lines = [result.kpis.get(f"zone_lines[{tag}]") or 0.0 for tag in tags]
        share = [result.kpis.get(f"zone_utilisation[{tag}]") or 0.0 for tag in tags]
        load.bar(where, lines, width, label=label)
        busy.bar(where, share, width, label=label)
    for axes, title in (
        (load, "pick lines per zone (load)"),
        (busy, "zone picker utilisation (busy / scheduled hours)"),
    ):
        axes.set_xticks(range(len(tags)), tags, rotation=20, fontsize="small")
        axes.set_xlabel("warehouse/zone")
        axes.set_title(title, fontsize="medium")
    load.set_ylabel("lines (arrival days)")
    busy.set_ylabel("ratio")
    busy.legend(fontsize="small", title="scenario")
    figure.tight_layout()
    return figure


#: The cost KPIs that :func:`plot_costs` stacks.
COST_PARTS = ("labour_cost", "holding_cost", "backorder_cost", "carton_cost", "shipping_cost")


def plot_costs(groups: Any) -> Any:
    """Stacked bars of cost per shipped order by kind, one bar per scenario.

    Args:
        groups: Results (one bar each), :class:`~ordercycle.simulation.experiments.Replications`
            (the mean over the replications), or a
            :class:`~ordercycle.simulation.experiments.Comparison`.
    """
    if isinstance(groups, SimulationResult) or hasattr(groups, "results"):
        items: list[Any] = [groups]
    else:
        items = list(getattr(groups, "replications", groups))
    names: list[str] = []
    parts: dict[str, list[float]] = {part: [] for part in COST_PARTS}
    for item in items:
        runs = list(getattr(item, "results", [item]))
        names.append(runs[0].scenario.name if runs else "?")
        for part in COST_PARTS:
            per_order = []
            for run in runs:
                orders = _shipped_orders(run)
                value = run.kpi(part)
                if orders and value is not None:
                    per_order.append(value / orders)
            parts[part].append(sum(per_order) / len(per_order) if per_order else 0.0)
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    bottom = [0.0] * len(names)
    for part in COST_PARTS:
        axes.bar(names, parts[part], bottom=bottom, label=part.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, parts[part], strict=True)]
    axes.set_xlabel("scenario")
    axes.set_ylabel("cost per shipped order (currency)")
    axes.set_title("cost per shipped order by kind")
    axes.legend(fontsize="small")
    figure.tight_layout()
    return figure


def _shipped_orders(result: SimulationResult) -> int:
    return len({e.order_id for e in result.events if e.kind == "shipped"})


def _labels(results: Sequence[SimulationResult]) -> list[str]:
    """Scenario names; runs that share a name are numbered (never their derived seeds)."""
    names = [r.scenario.name for r in results]
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(f"{name}, run {seen[name]}" if names.count(name) > 1 else name)
    return labels


def _cut(
    results: Sequence[SimulationResult], series: Sequence[tuple[list[int], list[float]]]
) -> int:
    """The last day to show: the last arrival day plus :data:`MARGIN_DAYS`, or later while
    a series still changes (plus one day), never past the horizon."""
    last = 0
    for result, (days, values) in zip(results, series, strict=True):
        arrival = result.scenario.arrival_days
        end = arrival + result.scenario.drain_days - 1
        changed = max(
            (days[n] for n in range(1, len(days)) if values[n] != values[n - 1]), default=0
        )
        last = max(last, min(end, max(arrival - 1 + MARGIN_DAYS, changed + 1)))
    return last
