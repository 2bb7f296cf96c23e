"""Order-to-cash metrics measured on the desk's own data.

``desk.order_to_cash_report(start, end)`` writes the order-to-cash event log
(:class:`~ordercycle.service.cycle_log.SimEvent` records) of the orders placed from
``start`` to ``end`` from their order, shipment and invoice streams, then measures it with
:func:`~ordercycle.service.cycle_kpis.order_to_cash_kpis`: the code a simulation run is
measured with. A simulated month and a real one therefore compare line by line.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.errors import MissingDependencyError, ValidationError
from ordercycle.service.cycle_kpis import O2C_KPIS
from ordercycle.service.cycle_log import SimEvent

__all__ = ["CashPeriod", "KpiValue", "OrderToCashReport", "kpi_values"]


@attrs.frozen(kw_only=True)
class KpiValue:
    """One KPI of one scope.

    Attributes:
        scope: ``"overall"``, ``"customer"`` or ``"channel"``.
        group: ``"all"``, the customer id or the channel.
        kpi: A name of :data:`~ordercycle.service.cycle_kpis.O2C_KPIS`.
        value: Its value (``None`` when undefined, e.g. no delivered orders).
        unit: Its unit.
    """

    scope: str
    group: str
    kpi: str
    value: float | None
    unit: str

    def to_record(self) -> dict[str, Any]:
        """A flat record."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class CashPeriod:
    """The cash conversion of one calendar month of the report.

    Attributes:
        period: The first day of the month.
        invoiced: Invoice totals issued in the month.
        collected: Payments applied in the month.
        conversion: ``collected / invoiced`` (``None`` when nothing was invoiced).
    """

    period: date
    invoiced: Decimal
    collected: Decimal
    conversion: float | None

    def to_record(self) -> dict[str, Any]:
        """A flat record."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class OrderToCashReport:
    """The order-to-cash KPIs of the orders placed in a period, overall and by group.

    Attributes:
        start: The first day of the period.
        end: The last day of the period.
        promise_days: Days from placing to the promised delivery (on time in full).
        values: Every KPI of every scope and group, tidy.
        periods: The cash conversion of each month.
        events: The event log measured (times in hours from ``start``, UTC midnight).
    """

    start: date
    end: date
    promise_days: int
    values: tuple[KpiValue, ...]
    periods: tuple[CashPeriod, ...]
    events: tuple[SimEvent, ...]

    def value(self, kpi: str, *, scope: str = "overall", group: str = "all") -> float | None:
        """One KPI's value.

        Raises:
            ValidationError: No such KPI, scope or group in the report.
        """
        for item in self.values:
            if (item.kpi, item.scope, item.group) == (kpi, scope, group):
                return item.value
        raise ValidationError.invalid(
            "order-to-cash report",
            "kpi",
            f"{kpi} ({scope} {group})",
            "one of " + ", ".join(O2C_KPIS) + " for a scope and group of the report",
        )

    def overall(self) -> dict[str, float | None]:
        """The overall KPIs as ``{name: value}``, in :data:`O2C_KPIS` order."""
        return {v.kpi: v.value for v in self.values if v.scope == "overall"}

    def groups(self, scope: str) -> tuple[str, ...]:
        """The groups of ``scope`` (``"customer"`` or ``"channel"``), sorted."""
        return tuple(sorted({v.group for v in self.values if v.scope == scope}))

    def to_records(self) -> list[dict[str, Any]]:
        """One tidy record per scope, group and KPI."""
        return [v.to_record() for v in self.values]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed in CI
            raise MissingDependencyError("OrderToCashReport.to_pandas", "pandas", "sim") from None
        return pd.DataFrame(self.to_records())

    def to_text(self) -> str:
        """The overall KPIs and the monthly cash conversion as text."""
        lines = [f"Order to cash, orders placed {self.start} to {self.end}"]
        for name, value in self.overall().items():
            unit = O2C_KPIS[name][0]
            shown = "-" if value is None else f"{value:.4g}"
            lines.append(f"  {name:<22} {shown:>12} {unit}")
        for period in self.periods:
            conversion = "-" if period.conversion is None else f"{period.conversion:.1%}"
            lines.append(
                f"  {period.period:%Y-%m}  invoiced {period.invoiced}  collected"
                f" {period.collected}  conversion {conversion}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.to_html(plots=False)

    def to_html(self, *, plots: bool = True) -> str:
        """A small HTML report: KPIs by scope, cash by month, and (with matplotlib) plots."""
        scopes = [("overall", ("all",))] + [
            (scope, self.groups(scope)) for scope in ("customer", "channel")
        ]
        parts = [
            f"<h3>Order to cash, orders placed {self.start} to {self.end}</h3>",
        ]
        for scope, groups in scopes:
            if not groups:
                continue
            head = "".join(f"<th>{html.escape(g)}</th>" for g in groups)
            body = []
            for name, (unit, text) in O2C_KPIS.items():
                cells = []
                for group in groups:
                    value = self.value(name, scope=scope, group=group)
                    cells.append(
                        "<td style='text-align:right'>"
                        + ("" if value is None else f"{value:.4g}")
                        + "</td>"
                    )
                label = f"<td title='{html.escape(text)}'>{html.escape(name)} ({unit})</td>"
                body.append(f"<tr>{label}{''.join(cells)}</tr>")
            parts.append(
                f"<table><caption>{scope}</caption><tr><th>KPI</th>{head}</tr>"
                + "".join(body)
                + "</table>"
            )
        rows = "".join(
            f"<tr><td>{p.period:%Y-%m}</td><td>{p.invoiced}</td><td>{p.collected}</td>"
            f"<td>{'' if p.conversion is None else f'{p.conversion:.1%}'}</td></tr>"
            for p in self.periods
        )
        parts.append(
            "<table><caption>cash conversion</caption><tr><th>month</th><th>invoiced</th>"
            f"<th>collected</th><th>conversion</th></tr>{rows}</table>"
        )
        if plots:
            parts.append(self._plots())
        return "\n".join(parts)

    def _plots(self) -> str:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import io

            import matplotlib.pyplot as plt
        except ImportError:
            return "<p>(plots need matplotlib: pip install 'ordercycle[sim]')</p>"
        customers = self.groups("customer")
        cycle = [self.value("cycle_time_mean", scope="customer", group=c) or 0.0 for c in customers]
        cash = [
            self.value("order_to_cash_days", scope="customer", group=c) or 0.0 for c in customers
        ]
        figure, axis = plt.subplots(figsize=(6, 3))
        spots = range(len(customers))
        axis.bar([x - 0.2 for x in spots], cycle, width=0.4, label="placed to delivered")
        axis.bar([x + 0.2 for x in spots], cash, width=0.4, label="placed to paid")
        axis.set_xticks(list(spots), customers)
        axis.set_ylabel("days")
        axis.legend()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(figure)
        svg = buffer.getvalue()
        return svg[svg.index("<svg") :]


def kpi_values(scope: str, group: str, values: dict[str, float | None]) -> Iterable[KpiValue]:
    """The tidy values of one scope and group."""
    for name, (unit, _text) in O2C_KPIS.items():
        yield KpiValue(scope=scope, group=group, kpi=name, value=values[name], unit=unit)
