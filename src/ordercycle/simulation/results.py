"""The result of one run: KPIs, the event log, ledger totals and conservation counts.

Results are plain, picklable data (they cross process boundaries in :func:`run_many`),
and compare equal when two runs produced the same log and KPIs (timings are
kept aside and do not take part).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.simulation._optional import require
from ordercycle.simulation._tables import html_table, markdown_table
from ordercycle.simulation.conservation import check_conservation
from ordercycle.simulation.errors import UnknownKpiError
from ordercycle.simulation.events import SimEvent
from ordercycle.simulation.kpis import KPIS, kpis_from_events, totals_from_desk, totals_from_events
from ordercycle.simulation.scenario import Scenario

__all__ = ["SimulationResult"]


@attrs.frozen(kw_only=True)
class SimulationResult:
    """What one run produced.

    Attributes:
        scenario: The scenario that ran (its seed included).
        kpis: KPI values by name (see :data:`~ordercycle.simulation.KPIS`); ``None`` when a
            KPI is undefined for the run (no orders, nothing shipped...).
        events: The event log, in time order.
        totals: Ledger totals from the event log.
        state_totals: The same totals read from the desk at the end.
        conservation: Orders and invoices counted by final class.
        timings: Wall-clock seconds by stage (not compared, not reproducible).
    """

    scenario: Scenario
    kpis: dict[str, float | None]
    events: tuple[SimEvent, ...]
    totals: dict[str, Any]
    state_totals: dict[str, Any]
    conservation: dict[str, dict[str, int]]
    timings: dict[str, float] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_simulation(cls, simulation: Any) -> SimulationResult:
        """Collect the result of a finished :class:`~ordercycle.simulation.Simulation`."""
        events = tuple(simulation.events)
        return cls(
            scenario=simulation.scenario,
            kpis=kpis_from_events(events, simulation.scenario),
            events=events,
            totals=totals_from_events(events),
            state_totals=totals_from_desk(simulation.desk),
            conservation=check_conservation(simulation.desk),
            timings=dict(simulation.timings),
        )

    def __repr__(self) -> str:
        return (
            f"<SimulationResult {self.scenario.name!r} seed={self.scenario.seed}: "
            f"{len(self.events)} events>"
        )

    def kpi(self, name: str) -> float | None:
        """One KPI by name.

        Raises:
            UnknownKpiError: No KPI has that name.
        """
        try:
            return self.kpis[name]
        except KeyError:
            raise UnknownKpiError(name, list(self.kpis)) from None

    def to_records(self) -> list[dict[str, Any]]:
        """Tidy records: one per KPI with ``scenario``, ``seed``, ``kpi``, ``value``, ``unit``."""
        return [
            {
                "scenario": self.scenario.name,
                "seed": self.scenario.seed,
                "kpi": name,
                "value": value,
                "unit": KPIS[name][0],
            }
            for name, value in self.kpis.items()
        ]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a pandas DataFrame (needs the ``sim`` extra)."""
        pandas = require("pandas", "SimulationResult.to_pandas")
        return pandas.DataFrame.from_records(self.to_records())

    def event_records(self) -> list[dict[str, Any]]:
        """The event log as flat dicts."""
        return [event.to_record() for event in self.events]

    def events_frame(self) -> Any:
        """The event log as a pandas DataFrame (needs the ``sim`` extra)."""
        pandas = require("pandas", "SimulationResult.events_frame")
        columns = list(attrs.fields_dict(SimEvent))
        return pandas.DataFrame.from_records(self.event_records(), columns=columns)

    def timeseries(self) -> list[dict[str, Any]]:
        """Daily records: orders placed, units shipped and delivered, open orders, receivables."""
        days = int(self.scenario.arrival_days + self.scenario.drain_days)
        placed: dict[int, int] = defaultdict(int)
        shipped: dict[int, int] = defaultdict(int)
        delivered: dict[int, int] = defaultdict(int)
        done: dict[int, int] = defaultdict(int)
        money: dict[int, Decimal] = defaultdict(Decimal)
        ordered: dict[str, int] = {}
        got: dict[str, int] = defaultdict(int)
        for event in self.events:
            day = min(event.day, days - 1)
            if event.kind == "placed":
                placed[day] += 1
                ordered[event.order_id] = event.quantity
            elif event.kind == "shipped":
                shipped[day] += event.quantity
            elif event.kind == "delivered":
                delivered[day] += event.quantity
                got[event.order_id] += event.quantity
                if got[event.order_id] == ordered.get(event.order_id):
                    done[day] += 1
            elif event.kind == "invoiced":
                money[day] += event.amount
            elif event.kind in ("applied", "discount", "credited"):
                money[day] -= event.amount
        rows = []
        open_orders = 0
        receivables = Decimal(0)
        for day in range(days):
            open_orders += placed[day] - done[day]
            receivables += money[day]
            rows.append(
                {
                    "scenario": self.scenario.name,
                    "day": day,
                    "orders_placed": placed[day],
                    "units_shipped": shipped[day],
                    "units_delivered": delivered[day],
                    "open_orders": open_orders,
                    "receivables": float(receivables),
                }
            )
        return rows

    def inventory(self) -> list[dict[str, Any]]:
        """Tidy daily stock records: one per day, SKU and warehouse.

        Columns: ``scenario``, ``day``, ``sku``, ``warehouse``, ``on_hand`` (units
        physically in the warehouse at the start of the day), ``on_order`` (units ordered
        from the supplier, not yet received), ``value`` (on hand at list price) and
        ``backordered`` (units of the SKU waiting on backorder, over all warehouses; the
        same on each warehouse's row).
        """
        backlog: dict[tuple[int, str], int] = {}
        for event in self.events:
            if event.kind == "backlog":
                backlog[(event.day, event.ref)] = event.quantity
        rows = []
        for event in self.events:
            if event.kind != "stock":
                continue
            sku = event.ref.rsplit("@", 1)[0]
            rows.append(
                {
                    "scenario": self.scenario.name,
                    "day": event.day,
                    "sku": sku,
                    "warehouse": event.warehouse,
                    "on_hand": event.quantity,
                    "on_order": int(event.measure),
                    "value": float(event.amount),
                    "backordered": backlog.get((event.day, sku), 0),
                }
            )
        return rows

    def inventory_frame(self) -> Any:
        """:meth:`inventory` as a pandas DataFrame (needs the ``sim`` extra)."""
        pandas = require("pandas", "SimulationResult.inventory_frame")
        columns = ["scenario", "day", "sku", "warehouse", "on_hand", "on_order", "value"]
        return pandas.DataFrame.from_records(self.inventory(), columns=[*columns, "backordered"])

    def kpi_rows(self) -> list[dict[str, Any]]:
        """KPI, value, unit and description rows (for tables)."""
        return [
            {"kpi": name, "value": value, "unit": KPIS[name][0], "meaning": KPIS[name][1]}
            for name, value in self.kpis.items()
        ]

    def to_markdown(self) -> str:
        """The KPI table as markdown."""
        return markdown_table(self.kpi_rows(), ["kpi", "value", "unit", "meaning"])

    def _repr_html_(self) -> str:
        caption = f"{self.scenario.name} (seed {self.scenario.seed}): {len(self.events)} events"
        return html_table(self.kpi_rows(), ["kpi", "value", "unit", "meaning"], caption)
