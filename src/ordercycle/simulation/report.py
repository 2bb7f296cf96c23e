"""Self-contained HTML reports: parameters, KPI tables and plots embedded as PNG.

:func:`html_report` reports one run; :func:`comparison_report` reports a
:class:`~ordercycle.simulation.experiments.Comparison` with its paired differences and the
distribution of the KPIs over the replications. :func:`parameter_rows` gives the readable
parameters table both use.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import attrs

from ordercycle.simulation._tables import html_table
from ordercycle.simulation.kpis import KPIS
from ordercycle.simulation.plots import (
    COST_PARTS,
    plot_costs,
    plot_inventory,
    plot_kpi_distribution,
    plot_timeseries,
    plot_zones,
)
from ordercycle.simulation.results import SimulationResult
from ordercycle.simulation.scenario import Scenario

__all__ = ["comparison_report", "figure_png", "html_report", "parameter_rows", "zone_rows"]

#: KPIs whose distributions :func:`comparison_report` plots by default.
REPORT_KPIS = ("unit_fill_rate", "cycle_time_mean", "picker_utilisation", "cost_per_order")

_COST_KPIS = (*COST_PARTS, "total_cost", "cost_per_order")
_CAPACITY_KPIS = (
    "picker_utilisation",
    "packer_utilisation",
    "dock_utilisation",
    "order_to_ship_mean",
    "dock_wait_mean",
    "same_day_ship_rate",
    "cutoff_made_rate",
)
_INVENTORY_KPIS = (
    "average_on_hand_units",
    "average_inventory_value",
    "inventory_turns",
    "days_of_supply",
)


def figure_png(figure: Any) -> bytes:
    """PNG bytes of a matplotlib figure (the figure is closed afterwards)."""
    import matplotlib.pyplot as pyplot

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    pyplot.close(figure)
    return buffer.getvalue()


def _readable(value: Any) -> str:
    """A parameter value as short text: specs by name, profiles as lists."""
    if attrs.has(type(value)):
        fields = attrs.asdict(value, recurse=False)
        return ", ".join(f"{k}={_readable(v)}" for k, v in fields.items())
    if isinstance(value, tuple | list):
        if value and attrs.has(type(value[0])):
            first = attrs.fields(type(value[0]))[0].name
            return f"{len(value)}: " + ", ".join(str(getattr(v, first)) for v in value)
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v:g}" for k, v in value.items()) or "–"
    if value is None:
        return "–"
    return str(value)


def parameter_rows(scenarios: Scenario | Sequence[Scenario]) -> list[dict[str, str]]:
    """The scenario fields as readable rows: ``parameter`` and a column per scenario name.

    Catalogue, warehouses, segments, carriers and cartons are listed by name (with their
    count); the replenishment policy field by field; ``days`` shows the arrival days used.

    >>> rows = parameter_rows(Scenario(name="base", pickers=3))
    >>> next(row for row in rows if row["parameter"] == "pickers")
    {'parameter': 'pickers', 'base': '3'}
    """
    many = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    rows = []
    for field in attrs.fields(Scenario):
        if field.name == "name":
            continue
        row = {"parameter": field.name}
        for scenario in many:
            value = getattr(scenario, field.name)
            if field.name == "days" and value is None:
                value = f"{scenario.arrival_days} (from orders / orders_per_day)"
            row[scenario.name] = _readable(value)
        rows.append(row)
    return rows


def _image(figure: Any, alt: str) -> str:
    png = base64.b64encode(figure_png(figure)).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png}">'


def _kpi_table(result: SimulationResult, names: Sequence[str], caption: str) -> str:
    rows = [
        {"kpi": n, "value": result.kpis.get(n), "unit": KPIS[n][0], "meaning": KPIS[n][1]}
        for n in names
        if n in result.kpis
    ]
    return html_table(rows, ["kpi", "value", "unit", "meaning"], caption)


def zone_rows(result: SimulationResult) -> list[dict[str, Any]]:
    """One row per zone of each warehouse: ``warehouse``, ``zone``, ``aisles``,
    ``pickers``, ``lines`` (picked over the arrival days) and ``utilisation`` (of its
    pickers' scheduled hours); empty for a scenario without zones.

    >>> from ordercycle.simulation import Scenario, ZoneSpec, simulate
    >>> zoned = Scenario(orders=3, days=1, drain_days=6, zones=[
    ...     ZoneSpec(name="FRONT", aisles=range(5)), ZoneSpec(name="BACK", aisles=range(5, 10))])
    >>> first, second = zone_rows(simulate(zoned))[0:2]
    >>> (first["zone"], first["aisles"]), (second["zone"], second["aisles"])
    (('FRONT', '0-4'), ('BACK', '5-9'))
    """
    scenario = result.scenario
    rows = []
    for warehouse in scenario.warehouses:
        for zone in scenario.zones_of(warehouse.id):
            tag = f"{warehouse.id}/{zone.name}"
            rows.append(
                {
                    "warehouse": warehouse.id,
                    "zone": zone.name,
                    "aisles": _spans(zone.aisles),
                    "pickers": zone.pickers,
                    "lines": result.kpis.get(f"zone_lines[{tag}]"),
                    "utilisation": result.kpis.get(f"zone_utilisation[{tag}]"),
                }
            )
    return rows


def _spans(aisles: Sequence[int]) -> str:
    """``0-4, 7`` for aisles 0, 1, 2, 3, 4 and 7."""
    spans: list[list[int]] = []
    for aisle in sorted(set(aisles)):
        if spans and aisle == spans[-1][1] + 1:
            spans[-1][1] = aisle
        else:
            spans.append([aisle, aisle])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def _zones_section(result: SimulationResult) -> str:
    """The report's per-zone load, when the scenario has zones."""
    if not result.scenario.zones:
        return ""
    rate = result.kpis.get("consolidation_rate")
    shown = "–" if rate is None else f"{rate:.3f}"
    columns = ["warehouse", "zone", "aisles", "pickers", "lines", "utilisation"]
    return (
        "<h2>Picking zones</h2>"
        f"{html_table(zone_rows(result), columns, 'load and utilisation per zone')}"
        f"<p>Orders consolidated from several zones: {shown} of the orders packed.</p>"
        f"{_image(plot_zones(result), 'zones')}"
    )


def _page(title: str, body: str, path: str | PathLike[str] | None) -> str:
    text = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>"
    )
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def html_report(result: SimulationResult, path: str | PathLike[str] | None = None) -> str:
    """The report of one run as HTML text; also written to ``path`` when given.

    Sections: parameters, KPIs, daily series, capacity and the dock (utilisation against
    scheduled hours, dock wait and pickups), the load and utilisation of each picking zone
    (when the scenario has zones), inventory, costs and time by stage. Needs
    matplotlib (the ``sim`` extra) for the plots.
    """
    scenario = result.scenario
    series = "".join(
        _image(plot_timeseries(result, column), column)
        for column in (
            "open_orders",
            "units_shipped",
            "receivables",
            "tours_waiting",
        )
    )
    capacity = "".join(
        _image(plot_timeseries(result, column), column)
        for column in ("picker_utilisation", "packer_utilisation", "parcels_at_dock")
        + (("dock_utilisation",) if scenario.shifts_of("dock") else ())
    )
    inventory = "".join(
        _image(plot_inventory(result, column), column) for column in ("on_hand", "on_order")
    )
    stages = "".join(
        f"<li>{html.escape(stage)}: {seconds:.2f} s</li>"
        for stage, seconds in result.timings.items()
    )
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    flagged = f"<h2>Stability warnings</h2><ul>{warnings}</ul>" if warnings else ""
    body = (
        f"{flagged}"
        f"<h2>Parameters</h2>{html_table(parameter_rows(scenario), ['parameter', scenario.name])}"
        f"<h2>KPIs</h2>{result._repr_html_()}"
        f"<h2>Daily series</h2>{series}"
        f"<h2>Capacity and the dock</h2>{_kpi_table(result, _CAPACITY_KPIS, 'capacity')}"
        "<p>Utilisation is busy hours over the hours each role's shifts scheduled"
        " (days off and holidays left out), not over the clock.</p>"
        f"{capacity}"
        f"{_zones_section(result)}"
        f"<h2>Inventory</h2>{_kpi_table(result, _INVENTORY_KPIS, 'inventory')}{inventory}"
        f"<h2>Costs</h2>{_kpi_table(result, _COST_KPIS, 'costs')}"
        f"{_image(plot_costs([result]), 'costs')}"
        f"<h2>Time by stage</h2><ul>{stages}</ul>"
    )
    return _page(f"Simulation of {scenario.name!r}, seed {scenario.seed}", body, path)


def comparison_report(
    comparison: Any,
    path: str | PathLike[str] | None = None,
    *,
    kpis: Sequence[str] = REPORT_KPIS,
    baseline: str | None = None,
) -> str:
    """The report of a :class:`~ordercycle.simulation.experiments.Comparison` as HTML text.

    Sections: the parameters of every scenario side by side (``*`` marks those that
    differ), the KPI intervals, the paired
    differences from the baseline (``*`` where significant), box plots of ``kpis`` over
    the replications, the daily series and stock of each scenario's first replication,
    and the cost per order by kind. Also written to ``path`` when given.

    Args:
        comparison: What :func:`~ordercycle.simulation.compare` returned.
        path: Where to write the HTML, if anywhere.
        kpis: KPIs whose distributions are plotted.
        baseline: The baseline of the differences; the first scenario by default.

    Raises:
        UnknownKpiError: A name of ``kpis`` is not a KPI.
        ValidationError: ``baseline`` is not a scenario of the comparison.
    """
    groups = comparison.replications
    names = comparison.names
    scenarios = [g.scenario for g in groups]
    chosen = baseline or names[0]
    differences = ""
    if len(groups) > 1:
        differences = "<h2>Paired differences</h2>" + html_table(
            comparison.difference_table(chosen),
            ["kpi", *(f"{n} − {chosen}" for n in names if n != chosen), "unit"],
            "scenario − baseline, mean [95 % paired interval], * significant",
        )
    boxes = "".join(_image(plot_kpi_distribution(comparison, kpi), kpi) for kpi in kpis)
    firsts = [g.results[0] for g in groups if g.results]
    series = "".join(
        _image(plot_timeseries(firsts, column), column)
        for column in ("open_orders", "units_shipped")
    )
    parameters = parameter_rows(scenarios)
    for row in parameters:
        if len({row[name] for name in names}) > 1:
            row["parameter"] = f"* {row['parameter']}"
    caption = "* differs between the scenarios"
    body = (
        f"<h2>Parameters</h2>{html_table(parameters, ['parameter', *names], caption)}"
        f"<h2>KPIs</h2>"
        f"{html_table(comparison.table(), ['kpi', *names, 'unit'], 'mean [95 % interval]')}"
        f"{differences}<h2>Distributions over the replications</h2>{boxes}"
        f"<h2>Daily series (first replication)</h2>{series}"
        f"<h2>Inventory (first replication)</h2>{_image(plot_inventory(firsts), 'on hand')}"
        f"<h2>Costs</h2>{_image(plot_costs(comparison), 'costs')}"
    )
    runs = max((len(g.results) for g in groups), default=0)
    return _page(f"Comparison of {', '.join(names)} over {runs} replications", body, path)
