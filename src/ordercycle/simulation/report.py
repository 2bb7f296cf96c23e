"""A self-contained HTML report: the KPI table and plots embedded as PNG."""

from __future__ import annotations

import base64
import html
import io
from os import PathLike
from pathlib import Path
from typing import Any

from ordercycle.simulation._tables import html_table
from ordercycle.simulation.plots import plot_timeseries
from ordercycle.simulation.results import SimulationResult

__all__ = ["figure_png", "html_report"]


#: Scenario fields shown in the report's parameters table.
_PARAMETERS = (
    "orders",
    "orders_per_day",
    "arrival_days",
    "warmup_days",
    "drain_days",
    "pickers",
    "packers",
    "tour_orders",
    "batching",
    "routing",
    "allocation",
    "wave_cutoffs",
    "shift",
    "pick_seconds_per_line",
    "pack_seconds_per_order",
    "carrier",
    "carrier_selection",
    "return_rate",
    "short_pick_rate",
    "cancel_rate",
    "promise_days",
    "seed",
)


def _short(value: Any) -> str:
    text = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def figure_png(figure: Any) -> bytes:
    """PNG bytes of a matplotlib figure (the figure is closed afterwards)."""
    import matplotlib.pyplot as pyplot

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    pyplot.close(figure)
    return buffer.getvalue()


def html_report(result: SimulationResult, path: str | PathLike[str] | None = None) -> str:
    """The report as HTML text; also written to ``path`` when given.

    Needs matplotlib (the ``sim`` extra) for the plots.
    """
    images = []
    for column in (
        "open_orders",
        "units_shipped",
        "receivables",
        "picker_utilisation",
        "tours_waiting",
    ):
        png = base64.b64encode(figure_png(plot_timeseries(result, column))).decode("ascii")
        images.append(f'<img alt="{column}" src="data:image/png;base64,{png}">')
    scenario = result.scenario
    title = html.escape(f"Simulation of {scenario.name!r}")
    stages = "".join(
        f"<li>{html.escape(stage)}: {seconds:.2f} s</li>"
        for stage, seconds in result.timings.items()
    )
    parameters = html_table(
        [{"parameter": name, "value": _short(getattr(scenario, name))} for name in _PARAMETERS],
        ["parameter", "value"],
        "scenario parameters",
    )
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    flagged = f"<h2>Stability warnings</h2><ul>{warnings}</ul>" if warnings else ""
    text = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><h1>{title}</h1>{flagged}"
        f"<h2>Parameters</h2>{parameters}"
        f"{result._repr_html_()}<h2>Daily series</h2>{''.join(images)}"
        f"<h2>Time by stage</h2><ul>{stages}</ul></body></html>"
    )
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
