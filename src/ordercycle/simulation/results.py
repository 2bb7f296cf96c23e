"""The result of one run: KPIs, the event log, ledger totals and conservation counts.

Results are plain, picklable data (they cross process boundaries in :func:`run_many`),
and compare equal when two runs produced the same log and KPIs (timings are
kept aside and do not take part).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.simulation._optional import require
from ordercycle.simulation._tables import html_table, markdown_table
from ordercycle.simulation.conservation import check_conservation
from ordercycle.simulation.errors import SimulationStateError, UnknownKpiError
from ordercycle.simulation.events import SimEvent
from ordercycle.simulation.kpis import (
    describe_kpi,
    kpis_from_events,
    totals_from_desk,
    totals_from_events,
    zone_tag,
)
from ordercycle.simulation.scenario import Scenario
from ordercycle.simulation.stability import BatchMeans

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
        warnings: Sentences that flag an unstable run (see
            :func:`~ordercycle.simulation.stability.stability_warnings`); empty when stable.
        series: The daily records of :meth:`timeseries`, computed when the run ended.
        events_kept: Whether :attr:`events` holds the log (``False`` for a KPIs-only result,
            whose ``events`` is empty).
        timings: Wall-clock seconds by stage (not compared, not reproducible).
    """

    scenario: Scenario
    kpis: dict[str, float | None]
    events: tuple[SimEvent, ...]
    totals: dict[str, Any]
    state_totals: dict[str, Any]
    conservation: dict[str, dict[str, int]]
    warnings: tuple[str, ...] = ()
    series: tuple[dict[str, Any], ...] = ()
    events_kept: bool = True
    timings: dict[str, float] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_simulation(cls, simulation: Any, *, events: bool = True) -> SimulationResult:
        """Collect the result of a finished :class:`~ordercycle.simulation.Simulation`.

        Args:
            simulation: The finished run.
            events: Keep the event log; ``False`` keeps only the KPIs, totals, warnings and
                daily series (a result of a few kilobytes whatever the run's length).
        """
        from ordercycle.simulation.stability import (
            busy_shares,
            fill_rate_by_third,
            stability_warnings,
        )

        scenario = simulation.scenario
        fold = getattr(simulation, "_fold", None)
        if fold is not None:
            # A run that kept no log folded its results as it went (the same values).
            fold.finish()
            log: tuple[SimEvent, ...] = ()
            series = tuple(fold.series())
            kpis = fold.kpis()
            totals = fold.totals()
            by_third = fold.fill_rate_by_third()
            busy = fold.busy_shares()
        else:
            log = tuple(simulation.events)
            series = tuple(_daily(scenario, log))
            kpis = kpis_from_events(log, scenario)
            totals = totals_from_events(log)
            by_third = fill_rate_by_third(log, scenario)
            busy = busy_shares(log, scenario)
        return cls(
            scenario=scenario,
            kpis=kpis,
            events=log if events else (),
            totals=totals,
            state_totals=totals_from_desk(simulation.desk, finished=simulation.finished_tally),
            conservation=check_conservation(simulation.desk, finished=simulation.finished_tally),
            warnings=stability_warnings(scenario, series, by_third, busy),
            series=series,
            events_kept=events,
            timings=dict(simulation.timings),
        )

    def __repr__(self) -> str:
        logged = f"{len(self.events)} events" if self.events_kept else "KPIs only"
        return f"<SimulationResult {self.scenario.name!r} seed={self.scenario.seed}: {logged}>"

    def batch_means(self, kpi: str, batches: int = 10) -> BatchMeans:
        """``kpi`` by consecutive batches of this (long) run's orders after the warm-up.

        The arrival days after :attr:`Scenario.warmup_days` are cut into ``batches`` equal
        spans; each batch's value is the KPI over the orders placed in its span, and the
        batches' mean and t interval estimate the steady-state value from one run (check
        that ``lag1``, the batches' autocorrelation, is small; else use fewer, longer
        batches). Needs the event log.

        Raises:
            UnknownKpiError: No KPI has that name.
            SimulationStateError: The result was kept without events.
            ValidationError: ``batches`` is below 2.
        """
        from ordercycle.simulation.stability import batch_means

        describe_kpi(kpi)
        if kpi not in self.kpis:
            raise UnknownKpiError(kpi, list(self.kpis))
        if not self.events_kept:
            raise SimulationStateError(
                "compute batch means of", "the result was kept without events (events=False)"
            )
        return batch_means(self.events, self.scenario, kpi, batches)

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
        """Tidy records: one per KPI with ``scenario``, ``seed``, ``kpi``, ``value``, ``unit``
        (the :data:`~ordercycle.simulation.kpis.ZONE_KPIS` too when the scenario has zones)."""
        return [
            {
                "scenario": self.scenario.name,
                "seed": self.scenario.seed,
                "kpi": name,
                "value": value,
                "unit": describe_kpi(name)[0],
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
        """Daily records: the flow of orders and money, and how busy the warehouse was.

        Columns: ``orders_placed``, ``units_shipped``, ``units_delivered``, ``open_orders``
        (placed and not yet delivered in full, at the end of the day), ``receivables``;
        ``picker_utilisation``, ``packer_utilisation`` and ``dock_utilisation`` (busy hours
        that day / the hours the role's shifts scheduled that day in every warehouse, 0 on
        a day off; a task that runs past midnight counts on both days); ``tours_waiting``
        and ``packs_waiting`` (picker tours and shipments waiting for a free worker,
        averaged over the day's hours); ``parcels_at_dock`` (shipments packed and not yet
        collected by their carrier, averaged over the day's hours). With picking zones
        (:attr:`Scenario.zones`), also ``zone_utilisation[<warehouse>/<zone>]`` (the zone's
        busy picker hours that day / its scheduled hours) and ``zone_lines[...]`` (lines
        its tours picked that day) for each zone of each warehouse.
        """
        return [dict(row) for row in self.series]

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
            {"kpi": name, "value": value, "unit": unit, "meaning": meaning}
            for name, value in self.kpis.items()
            for unit, meaning in (describe_kpi(name),)
        ]

    def to_markdown(self) -> str:
        """The KPI table as markdown."""
        return markdown_table(self.kpi_rows(), ["kpi", "value", "unit", "meaning"])

    def _repr_html_(self) -> str:
        logged = f"{len(self.events)} events" if self.events_kept else "KPIs only"
        caption = f"{self.scenario.name} (seed {self.scenario.seed}): {logged}"
        return html_table(self.kpi_rows(), ["kpi", "value", "unit", "meaning"], caption)


def _daily(s: Scenario, events: Sequence[SimEvent]) -> list[dict[str, Any]]:
    """The rows of :meth:`SimulationResult.timeseries` from a run's log."""
    days = int(s.arrival_days + s.drain_days)
    placed: dict[int, int] = defaultdict(int)
    shipped: dict[int, int] = defaultdict(int)
    delivered: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    money: dict[int, Decimal] = defaultdict(Decimal)
    picking: dict[int, float] = defaultdict(float)
    packing: dict[int, float] = defaultdict(float)
    tours: dict[int, float] = defaultdict(float)
    packs: dict[int, float] = defaultdict(float)
    dock: dict[int, float] = defaultdict(float)
    loading: dict[int, float] = defaultdict(float)
    ordered: dict[str, int] = {}
    got: dict[str, int] = defaultdict(int)
    pack_hours = s.pack_seconds_per_order / 3600
    zones = [(w.id, z.name) for w in s.warehouses for z in s.zones_of(w.id)]
    zone_busy: dict[str, dict[int, float]] = {f"{w}/{z}": defaultdict(float) for w, z in zones}
    zone_lines: dict[str, dict[int, int]] = {f"{w}/{z}": defaultdict(int) for w, z in zones}
    for event in events:
        day = min(event.day, days - 1)
        kind = event.kind
        if kind == "placed":
            placed[day] += 1
            ordered[event.order_id] = event.quantity
        elif kind == "shipped":
            shipped[day] += event.quantity
        elif kind == "delivered":
            delivered[day] += event.quantity
            got[event.order_id] += event.quantity
            if got[event.order_id] == ordered.get(event.order_id):
                done[day] += 1
        elif kind == "invoiced":
            money[day] += event.amount
        elif kind in ("applied", "discount", "credited"):
            money[day] -= event.amount
        elif kind == "picked":
            _spread(picking, event.time - event.measure, event.time, days)
            tag = zone_tag(event)
            if tag:
                _spread(zone_busy[tag], event.time - event.measure, event.time, days)
                zone_lines[tag][day] += event.quantity
        elif kind == "packed":
            _spread(packing, event.time - pack_hours, event.time, days)
        elif kind == "consolidated":
            _spread(packing, event.time - event.measure, event.time, days)
        elif kind == "queues":
            tours[day] += event.quantity / 24
            packs[day] += event.measure / 24
        elif kind == "dock":
            dock[day] += event.quantity / 24
        if kind == "packed" and s.dock_loaders + len(s.dock_shifts):
            hours = event.quantity * s.load_seconds_per_parcel / 3600
            loading[day] += hours

    def scheduled(role: str, day: int) -> float:
        return s.scheduled_hours(role, day * 24.0, day * 24.0 + 24)

    rows = []
    open_orders = 0
    receivables = Decimal(0)
    for day in range(days):
        open_orders += placed[day] - done[day]
        receivables += money[day]
        rows.append(
            {
                "scenario": s.name,
                "day": day,
                "orders_placed": placed[day],
                "units_shipped": shipped[day],
                "units_delivered": delivered[day],
                "open_orders": open_orders,
                "receivables": float(receivables),
                "picker_utilisation": _share(picking[day], scheduled("pickers", day)),
                "packer_utilisation": _share(packing[day], scheduled("packers", day)),
                "dock_utilisation": _share(loading[day], scheduled("dock", day)),
                "tours_waiting": tours[day],
                "packs_waiting": packs[day],
                "parcels_at_dock": dock[day],
            }
        )
        for warehouse, zone in zones:
            tag = f"{warehouse}/{zone}"
            hours = s.zone_hours(zone, day * 24.0, day * 24.0 + 24, warehouse)
            rows[-1][f"zone_utilisation[{tag}]"] = _share(zone_busy[tag][day], hours)
            rows[-1][f"zone_lines[{tag}]"] = zone_lines[tag][day]
    return rows


def _share(busy: float, scheduled: float) -> float:
    """Busy hours / scheduled hours; a day with no one scheduled is 0 (or 1 if work ran on)."""
    if scheduled:
        return busy / scheduled
    return 1.0 if busy else 0.0


def _spread(busy: dict[int, float], begin: float, end: float, days: int) -> None:
    """Add the hours from ``begin`` to ``end`` to ``busy`` by day (the last day takes the rest)."""
    while end > begin:
        day = min(int(begin // 24), days - 1)
        stop = end if day == days - 1 else min(end, (day + 1) * 24.0)
        busy[day] += stop - begin
        begin = stop
