"""The results of a KPIs-only run, folded as its events happen instead of from a kept log.

:class:`ResultFold` takes each :class:`~ordercycle.simulation.events.SimEvent` as the engine
logs it and keeps only what the KPIs, ledger totals, daily series and stability warnings
still need: running counts and sums, a compact record of each order until the run forgets
it (:meth:`ResultFold.forget`), and, for what is a function of every order (percentiles,
and sums whose terms the KPIs add in an order other than the log's), one number or a few
per order in columns of :mod:`array` chunks (:class:`~ordercycle.simulation._column.Column`:
tens of bytes an order, where the log took about two kilobytes); a plain mean (``fmean``
rounds the exact sum once) is kept as an exact running sum instead
(:class:`~ordercycle.simulation._stats.RunningMean`).

It mirrors :func:`~ordercycle.simulation.kpis.kpis_from_events`,
:func:`~ordercycle.simulation.kpis.totals_from_events`, the daily series of
:class:`~ordercycle.simulation.SimulationResult`,
:func:`~ordercycle.simulation.stability.fill_rate_by_third` and
:func:`~ordercycle.simulation.stability.busy_shares` operation for operation: every float
sum adds the same terms in the same order as they do (a sum in log order runs as the events
come; the others keep their terms), so a KPIs-only run's results are identical to the same
run's results computed from its log, bit for bit (tested on scenarios with every path an
order can take).
"""

from __future__ import annotations

import math
import statistics
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from ordercycle.service.cycle_kpis import percentile, ratio
from ordercycle.simulation._column import Column
from ordercycle.simulation._stats import RunningMean
from ordercycle.simulation.events import SimEvent
from ordercycle.simulation.kpis import (
    KPIS,
    TOTALS,
    _add_to_totals,
    _inventory_and_cost_from_sums,
    _zone_values,
    zone_tag,
)
from ordercycle.simulation.results import _share, _spread
from ordercycle.simulation.scenario import ROLES, Scenario
from ordercycle.simulation.stability import _shares

__all__ = ["ResultFold"]

_UNSETTLED = math.nan
# The kinds each part of the fold acts on (its branches); any other kind would only walk
# the part's branches and change nothing, so it is not handed to it.
_DAILY_KINDS = frozenset(
    (
        *("placed", "shipped", "delivered", "invoiced", "applied", "discount", "credited"),
        *("picked", "packed", "consolidated", "queues", "dock"),
    )
)
_BUSY_KINDS = frozenset(("picked", "packed", "consolidated"))
_O2C_KINDS = frozenset(
    (
        *("placed", "allocated", "shipped", "delivered", "invoiced", "applied", "discount"),
        *("credited", "returned", "canceled", "held"),
    )
)
_WAREHOUSE_KINDS = frozenset(
    ("wave", "picked", "packed", "shipped", "short", "consolidated", "stock", "backlog")
)


class _Order:
    """What the fold keeps of one order until the run forgets it."""

    __slots__ = (
        "alloc_lines",
        "alloc_note0",
        "alloc_quantity",
        "allocated",
        "consolidated",
        "day",
        "delivered",
        "got",
        "invoices",
        "last_delivery",
        "last_ship",
        "last_shipped",
        "lines",
        "packed_at",
        "quantity",
        "rank",
        "shipped",
        "spoiled",
        "time",
        "window",
    )

    def __init__(self, time: float, quantity: int, lines: float, window: bool) -> None:
        self.time = time
        self.day = int(time // 24)
        self.quantity = quantity
        self.lines = lines
        # Whether the order counts in the KPIs' window (placed after the warm-up).
        self.window = window
        self.allocated = False
        self.alloc_quantity = 0
        self.alloc_lines = 0.0
        self.alloc_note0 = False
        self.shipped = 0
        self.last_ship = -math.inf
        self.last_shipped = 0.0
        self.delivered = 0
        self.last_delivery = 0.0
        # Units delivered, counted for the daily series (every order, windowed or not).
        self.got = 0
        self.spoiled = False
        self.consolidated = False
        # Its rank among the orders packed (-1 until its first parcel is packed).
        self.rank = -1
        self.packed_at: dict[str, float] = {}
        # Invoice id -> the hour it was settled (NaN while open).
        self.invoices: dict[str, float] = {}


class ResultFold:
    """Folds a run's events into its KPIs, totals, daily series and stability inputs.

    Args:
        scenario: The scenario that runs.
    """

    def __init__(self, scenario: Scenario) -> None:
        s = scenario
        self.scenario = s
        self.placed = 0
        self._orders: dict[str, _Order] = {}
        # Invoice id -> its order, for the invoices of the orders not forgotten yet.
        self._invoice_order: dict[str, _Order] = {}
        # The KPIs' window (kpis_from_events with its default bounds).
        self._begin = s.warmup_days * 24.0
        self._windowed = self._begin > 0
        if not self._windowed:
            self._begin = 0.0
        self._promise = s.promise_days * 24
        self._horizon = float((s.arrival_days + s.drain_days) * 24)
        self._arrival_days = s.arrival_days
        # fill_rate_by_third's windows.
        begin = s.warmup_days * 24.0
        span = (s.arrival_days * 24.0 - begin) / 3
        self._thirds = [(begin + n * span, begin + (n + 1) * span) for n in range(3)]
        self._third_orders = [0, 0, 0]
        self._third_complete = [0, 0, 0]
        # --- order-to-cash KPIs (window) ---
        self._o2c_orders = 0
        self._units = 0
        # Started as an int, as sum() starts: the lines are whole numbers held as floats.
        self._lines: float = 0
        self._alloc_units = 0
        self._alloc_lines: float = 0
        self._complete = 0
        self._backordered = 0
        self._on_time = 0
        self._perfect = 0
        self._canceled = 0
        self._held = 0
        self._returned = 0
        self._discounts = Decimal(0)
        self._collected = Decimal(0)
        self._revenue = Decimal(0)
        self._sales = Decimal(0)
        self._integral = Decimal(0)
        self._cycle: Column[float] = Column("d")
        self._to_ship: Column[float] = Column("d")
        # Only means of these: kept exactly as running sums (see RunningMean), not a float
        # an order.
        self._to_cash = RunningMean()
        # --- warehouse KPIs (window) ---
        self._wave_lines = 0
        self._wave_length = 0.0
        self._tour_lines = 0
        self._tour_length = 0.0
        self._picked_lines = 0
        self._picker_hours = 0.0
        self._short_lines = 0
        self._last_ship = 0.0
        self._tour_time: Column[float] = Column("d")
        self._tour_hours: Column[float] = Column("d")
        self._tour_lines_of: Column[int] = Column("q")
        self._tour_tags: list[str] = []
        self._tags: dict[str, str] = {}
        self._parcel_rank: Column[int] = Column("q")
        self._parcel_time: Column[float] = Column("d")
        self._parcel_cartons: Column[int] = Column("q")
        self._parcel_weight: Column[float] = Column("d")
        self._parcel_cost = Decimal(0)
        self._shipped_orders = 0
        self._consolidated_time: Column[float] = Column("d")
        self._consolidated_hours: Column[float] = Column("d")
        self._consolidated_orders = 0
        self._dock_waits = RunningMean()
        self._pickups: dict[str, int] = defaultdict(int)
        self._in_full_shipped = 0
        self._same_day = 0
        self._stock_days: set[int] = set()
        self._units_on_hand = 0
        self._value_on_hand = Decimal(0)
        self._backlog_unit_days = 0
        self._shipped_units = 0
        self._shipped_goods = 0.0
        self._cartons = Decimal(0)
        self._shipping = Decimal(0)
        # --- ledger totals (every event) ---
        self._totals: dict[str, Any] = dict.fromkeys(TOTALS[:5], 0)
        self._totals.update(dict.fromkeys(TOTALS[5:], Decimal(0)))
        # --- the daily series (every event) ---
        self._days = int(s.arrival_days + s.drain_days)
        self._daily_placed: dict[int, int] = defaultdict(int)
        self._daily_shipped: dict[int, int] = defaultdict(int)
        self._daily_delivered: dict[int, int] = defaultdict(int)
        self._daily_done: dict[int, int] = defaultdict(int)
        self._daily_money: dict[int, Decimal] = defaultdict(Decimal)
        self._daily_picking: dict[int, float] = defaultdict(float)
        self._daily_packing: dict[int, float] = defaultdict(float)
        self._daily_tours: dict[int, float] = defaultdict(float)
        self._daily_packs: dict[int, float] = defaultdict(float)
        self._daily_dock: dict[int, float] = defaultdict(float)
        self._daily_loading: dict[int, float] = defaultdict(float)
        self._pack_hours = s.pack_seconds_per_order / 3600
        self._loads = bool(s.dock_loaders + len(s.dock_shifts))
        zones = [(w.id, z.name) for w in s.warehouses for z in s.zones_of(w.id)]
        self._zones = zones
        self._zone_busy: dict[str, dict[int, float]] = {
            f"{w}/{z}": defaultdict(float) for w, z in zones
        }
        self._zone_lines: dict[str, dict[int, int]] = {
            f"{w}/{z}": defaultdict(int) for w, z in zones
        }
        # --- busy shares (every event) ---
        self._busy_end = s.arrival_days * 24.0
        self._busy_begin = (s.warmup_days * 24.0 + self._busy_end) / 2
        self._busy: dict[tuple[str, str], float] = {}
        for warehouse in s.warehouses:
            self._busy[("pickers", warehouse.id)] = 0.0
            self._busy[("packers", warehouse.id)] = 0.0
            for zone in s.zones_of(warehouse.id):
                self._busy[("zone", f"{warehouse.id}/{zone.name}")] = 0.0

    # --- folding ---------------------------------------------------------------------------

    def add(self, event: SimEvent) -> None:
        """Fold one event (events come in time order, as the engine logs them)."""
        kind = event.kind
        order_id = event.order_id
        order = self._orders.get(order_id) if order_id else None
        if kind == "placed":
            order = self._place(event)
        _add_to_totals(self._totals, event, kind)
        if kind in _DAILY_KINDS:
            self._daily(event, kind, order)
        if kind in _BUSY_KINDS:
            self._busy_share(event, kind)
        if order_id:
            if order is None or not order.window:
                return  # an order placed during the warm-up (or forgotten): outside the KPIs
        elif kind in ("applied", "discount", "settled"):
            invoiced = self._invoice_order.get(event.ref)
            if self._windowed and (invoiced is None or not invoiced.window):
                return  # a payment of an invoice outside the window
            if kind == "settled" and invoiced is not None:
                invoiced.invoices[event.ref] = event.time
        elif event.time < self._begin:
            return
        if kind in _O2C_KINDS:
            self._o2c(event, kind, order)
        if kind in _WAREHOUSE_KINDS:
            self._warehouse(event, kind, order)

    def _place(self, event: SimEvent) -> _Order:
        time = event.time
        window = not self._windowed or time >= self._begin
        order = _Order(time, event.quantity, event.measure, window)
        self._orders[event.order_id] = order
        self.placed += 1
        return order

    def _daily(self, event: SimEvent, kind: str, order: _Order | None) -> None:
        days = self._days
        day = min(event.day, days - 1)
        if kind == "placed":
            self._daily_placed[day] += 1
        elif kind == "shipped":
            self._daily_shipped[day] += event.quantity
        elif kind == "delivered":
            self._daily_delivered[day] += event.quantity
            if order is not None:
                order.got += event.quantity
                if order.got == order.quantity:
                    self._daily_done[day] += 1
        elif kind == "invoiced":
            self._daily_money[day] += event.amount
        elif kind in ("applied", "discount", "credited"):
            self._daily_money[day] -= event.amount
        elif kind == "picked":
            _spread(self._daily_picking, event.time - event.measure, event.time, days)
            tag = self._tag(event)
            if tag:
                _spread(self._zone_busy[tag], event.time - event.measure, event.time, days)
                self._zone_lines[tag][day] += event.quantity
        elif kind == "packed":
            _spread(self._daily_packing, event.time - self._pack_hours, event.time, days)
        elif kind == "consolidated":
            _spread(self._daily_packing, event.time - event.measure, event.time, days)
        elif kind == "queues":
            self._daily_tours[day] += event.quantity / 24
            self._daily_packs[day] += event.measure / 24
        elif kind == "dock":
            self._daily_dock[day] += event.quantity / 24
        if kind == "packed" and self._loads:
            hours = event.quantity * self.scenario.load_seconds_per_parcel / 3600
            self._daily_loading[day] += hours

    def _tag(self, event: SimEvent) -> str:
        """:func:`zone_tag`, the tag strings shared (a tour's note is built per tour)."""
        tag = zone_tag(event)
        return self._tags.setdefault(tag, tag)

    def _busy_share(self, event: SimEvent, kind: str) -> None:
        if kind == "picked":
            keys, length = [("pickers", event.warehouse)], event.measure
            tag = zone_tag(event)
            if tag:
                keys.append(("zone", tag))
        elif kind == "packed":
            keys, length = [("packers", event.warehouse)], self._pack_hours
        elif kind == "consolidated":
            keys, length = [("packers", event.warehouse)], event.measure
        else:
            return
        inside = min(event.time, self._busy_end) - max(event.time - length, self._busy_begin)
        for key in keys:
            if inside > 0 and key in self._busy:
                self._busy[key] += inside

    def _o2c(self, event: SimEvent, kind: str, order: _Order | None) -> None:
        if kind == "placed":
            assert order is not None
            self._o2c_orders += 1
            self._units += order.quantity
            self._lines += order.lines
        elif kind == "allocated":
            assert order is not None
            order.allocated = True
            order.alloc_quantity = event.quantity
            order.alloc_lines = event.measure
            order.alloc_note0 = event.note == "0"
        elif kind == "shipped":
            assert order is not None
            order.shipped += event.quantity
            order.last_ship = max(event.time, order.last_ship)
        elif kind == "delivered":
            assert order is not None
            order.delivered += event.quantity
            order.last_delivery = event.time
        elif kind == "invoiced":
            assert order is not None
            order.invoices.setdefault(event.ref, _UNSETTLED)
            self._invoice_order[event.ref] = order
            self._revenue += event.amount
            self._flow(event.time, event.amount)
        elif kind in ("applied", "discount", "credited"):
            self._flow(event.time, -event.amount)
            if kind == "discount":
                self._discounts += event.amount
            elif kind == "applied":
                self._collected += event.amount
            else:
                assert order is not None
                order.spoiled = True
                credited = self._invoice_order.get(event.ref)
                if credited is not None:
                    credited.spoiled = True
        elif kind == "returned":
            assert order is not None
            self._returned += event.quantity
            order.spoiled = True
        elif kind == "canceled":
            self._canceled += 1
        elif kind == "held":
            self._held += 1

    def _flow(self, hour: float, amount: Decimal) -> None:
        """One term of :func:`~ordercycle.service.cycle_kpis.dso`, added as the log runs."""
        if amount > 0:
            self._sales += amount
        self._integral += amount * Decimal(repr(self._horizon - hour))

    def _warehouse(self, event: SimEvent, kind: str, order: _Order | None) -> None:
        if kind == "wave":
            self._wave_lines += event.quantity
            self._wave_length += event.measure
        elif kind == "picked":
            self._picked_lines += event.quantity
            self._picker_hours += event.measure
            self._tour_time.append(event.time)
            self._tour_hours.append(event.measure)
            self._tour_lines_of.append(event.quantity)
            self._tour_tags.append(self._tag(event))
            if event.amount:
                self._tour_lines += event.quantity
                self._tour_length += float(event.amount)
        elif kind == "packed":
            assert order is not None
            if order.rank < 0:
                order.rank = self._shipped_orders
                self._shipped_orders += 1
            self._parcel_rank.append(order.rank)
            self._parcel_time.append(event.time)
            self._parcel_cartons.append(event.quantity)
            self._parcel_weight.append(event.measure)
            self._parcel_cost += event.amount
            order.packed_at[event.ref] = event.time
            self._shipping += event.amount
        elif kind == "shipped":
            assert order is not None
            self._last_ship = max(self._last_ship, event.time)
            order.last_shipped = event.time
            packed = order.packed_at.get(event.ref)
            if packed is not None:
                self._dock_waits.add(event.time - packed)
            if event.note:
                self._pickups[event.note] += 1
            self._cartons += event.amount
            if event.day < self._arrival_days:
                self._shipped_units += event.quantity
                self._shipped_goods += event.measure
        elif kind == "short":
            self._short_lines += 1
        elif kind == "consolidated":
            assert order is not None
            self._consolidated_time.append(event.time)
            self._consolidated_hours.append(event.measure)
            if not order.consolidated:
                order.consolidated = True
                self._consolidated_orders += 1
        elif kind == "stock":
            if self.counts_stock(event.day):
                self._stock_days.add(event.day)
                self._units_on_hand += event.quantity
                self._value_on_hand += event.amount
        elif kind == "backlog":
            self._backlog_unit_days += event.quantity

    def counts_stock(self, day: int) -> bool:
        """Whether the KPIs count the ``stock`` records of ``day`` (those of the arrival
        days; see :func:`~ordercycle.simulation.kpis.inventory_and_cost_kpis`)."""
        return day < self._arrival_days

    def forget(self, order_id: str) -> None:
        """Count an order the run is finished with (no event of it is to come) and drop its
        record."""
        order = self._orders.pop(order_id, None)
        if order is not None:
            self._close(order)

    def _close(self, order: _Order) -> None:
        for invoice_id in order.invoices:
            self._invoice_order.pop(invoice_id, None)
        complete = order.allocated and order.alloc_quantity == order.quantity and order.alloc_note0
        for n, (begin, until) in enumerate(self._thirds):
            if begin <= order.time < until:
                self._third_orders[n] += 1
                self._third_complete[n] += complete
        if not order.window:
            return
        if order.allocated:
            self._alloc_units += order.alloc_quantity
            self._alloc_lines += order.alloc_lines
            self._complete += complete
            self._backordered += not order.alloc_note0
        if order.delivered == order.quantity:
            on_time = order.last_delivery <= order.time + self._promise
            self._on_time += on_time
            self._perfect += on_time and not order.spoiled
            self._cycle.append((order.last_delivery - order.time) / 24)
            settled = order.invoices.values()
            if settled and not any(math.isnan(hour) for hour in settled):
                self._to_cash.add((max(settled) - order.time) / 24)
        if order.shipped == order.quantity:
            self._to_ship.append(order.last_ship - order.time)
            self._in_full_shipped += 1
            self._same_day += int(order.last_shipped // 24) == order.day

    # --- results ---------------------------------------------------------------------------

    def finish(self) -> None:
        """Count the orders still open at the end (call once, after the last event)."""
        for order in self._orders.values():
            self._close(order)
        self._orders.clear()

    def totals(self) -> dict[str, Any]:
        """:func:`~ordercycle.simulation.kpis.totals_from_events` of the run."""
        return dict(self._totals)

    def busy_shares(self) -> dict[tuple[str, str], float]:
        """:func:`~ordercycle.simulation.stability.busy_shares` of the run."""
        s = self.scenario
        begin, end = self._busy_begin, self._busy_end
        return _shares(s, self._busy, begin, end)

    def fill_rate_by_third(self) -> list[float | None]:
        """:func:`~ordercycle.simulation.stability.fill_rate_by_third` of the run."""
        return [ratio(c, n) for c, n in zip(self._third_complete, self._third_orders, strict=True)]

    def series(self) -> list[dict[str, Any]]:
        """The daily series (:meth:`~ordercycle.simulation.SimulationResult.timeseries`)."""
        s = self.scenario

        def scheduled(role: str, day: int) -> float:
            return s.scheduled_hours(role, day * 24.0, day * 24.0 + 24)

        rows = []
        open_orders = 0
        receivables = Decimal(0)
        for day in range(self._days):
            open_orders += self._daily_placed[day] - self._daily_done[day]
            receivables += self._daily_money[day]
            rows.append(
                {
                    "scenario": s.name,
                    "day": day,
                    "orders_placed": self._daily_placed[day],
                    "units_shipped": self._daily_shipped[day],
                    "units_delivered": self._daily_delivered[day],
                    "open_orders": open_orders,
                    "receivables": float(receivables),
                    "picker_utilisation": _share(
                        self._daily_picking[day], scheduled("pickers", day)
                    ),
                    "packer_utilisation": _share(
                        self._daily_packing[day], scheduled("packers", day)
                    ),
                    "dock_utilisation": _share(self._daily_loading[day], scheduled("dock", day)),
                    "tours_waiting": self._daily_tours[day],
                    "packs_waiting": self._daily_packs[day],
                    "parcels_at_dock": self._daily_dock[day],
                }
            )
            for warehouse, zone in self._zones:
                tag = f"{warehouse}/{zone}"
                hours = s.zone_hours(zone, day * 24.0, day * 24.0 + 24, warehouse)
                rows[-1][f"zone_utilisation[{tag}]"] = _share(self._zone_busy[tag][day], hours)
                rows[-1][f"zone_lines[{tag}]"] = self._zone_lines[tag][day]
        return rows

    def kpis(self) -> dict[str, float | None]:
        """:func:`~ordercycle.simulation.kpis.kpis_from_events` of the run (default window)."""
        s = self.scenario
        orders = self._o2c_orders
        # The columns themselves, not list copies: statistics and percentile() only iterate.
        cycle, to_ship = self._cycle, self._to_ship
        shared: dict[str, float | None] = {
            "orders": float(orders),
            "units_ordered": float(self._units),
            "unit_fill_rate": ratio(self._alloc_units, self._units),
            "line_fill_rate": ratio(self._alloc_lines, self._lines),
            "order_fill_rate": ratio(self._complete, orders),
            "backorder_rate": ratio(self._backordered, orders),
            "on_time_in_full": ratio(self._on_time, orders - self._canceled),
            "perfect_order_rate": ratio(self._perfect, orders - self._canceled),
            "cancel_rate": ratio(self._canceled, orders),
            "credit_hold_rate": ratio(self._held, orders),
            "cycle_time_mean": statistics.fmean(cycle) if cycle else None,
            "cycle_time_p90": percentile(cycle, 0.9),
            "cycle_time_variance": statistics.pvariance(cycle) if cycle else None,
            "order_to_ship_mean": statistics.fmean(to_ship) if to_ship else None,
            "order_to_ship_p90": percentile(to_ship, 0.9),
            "revenue_invoiced": float(self._revenue),
            "cash_collected": float(self._collected),
            "cash_conversion": ratio(float(self._collected), float(self._revenue)),
            "discounts_taken": float(self._discounts),
            "dso": float(self._integral / self._sales / 24) if self._sales else None,
            "order_to_cash_days": self._to_cash.mean(),
            "units_returned": float(self._returned),
        }
        begin = self._begin
        end = min(self._last_ship, s.arrival_days * 24.0)
        scheduled = {role: s.scheduled_hours(role, begin, end) for role in ROLES}
        busy_picking = sum(
            h for t, h in zip(self._tour_time, self._tour_hours, strict=True) if t <= end
        )
        # kpis_from_events adds the parcels grouped by order (in the order of each order's
        # first parcel), not in log order: the same order here, by the parcels' ranks.
        grouped = _by_rank(self._parcel_rank)
        times, cartons, weights = self._parcel_time, self._parcel_cartons, self._parcel_weight
        pack_hours = s.pack_seconds_per_order / 3600
        load_hours = s.load_seconds_per_parcel / 3600
        busy_packing = sum(pack_hours for i in grouped() if times[i] <= end)
        busy_packing += sum(
            h
            for t, h in zip(self._consolidated_time, self._consolidated_hours, strict=True)
            if t <= end
        )
        busy_loading = sum(cartons[i] * load_hours for i in grouped() if times[i] <= end)
        paid = sum(s.scheduled_hours(role, begin, self._last_ship) for role in ROLES)
        made = self._pickups["first pickup"]
        shipped_orders = self._shipped_orders
        values: dict[str, float | None] = {
            **shared,
            "pick_travel_per_line": ratio(self._tour_length, self._tour_lines)
            if self._tour_lines
            else ratio(self._wave_length, self._wave_lines),
            "lines_per_picker_hour": ratio(self._picked_lines, self._picker_hours),
            "short_pick_rate": ratio(self._short_lines, self._picked_lines),
            "picker_utilisation": ratio(busy_picking, scheduled["pickers"]),
            "packer_utilisation": ratio(busy_packing, scheduled["packers"]),
            "dock_utilisation": ratio(busy_loading, scheduled["dock"]),
            "dock_wait_mean": self._dock_waits.mean(),
            "same_day_ship_rate": ratio(self._same_day, self._in_full_shipped),
            "cutoff_made_rate": ratio(made, made + self._pickups["missed cut-off"]),
            "shipments_per_order": ratio(len(self._parcel_rank), shipped_orders),
            "cartons_per_order": ratio(sum(cartons[i] for i in grouped()), shipped_orders),
            "billable_weight_per_order": ratio(sum(weights[i] for i in grouped()), shipped_orders),
            "shipping_cost_per_order": ratio(float(self._parcel_cost), shipped_orders),
            **self._inventory_and_cost(shipped_orders, paid),
        }
        found = {name: values[name] for name in KPIS}
        if s.zones:
            found.update(self._zone_kpis(shipped_orders, begin, end))
        return found

    def _inventory_and_cost(self, shipped_orders: int, paid: float) -> dict[str, float | None]:
        return _inventory_and_cost_from_sums(
            self.scenario,
            stock_days=len(self._stock_days),
            units_on_hand=self._units_on_hand,
            value_on_hand=self._value_on_hand,
            backlog_unit_days=self._backlog_unit_days,
            shipped_units=self._shipped_units,
            shipped_goods=self._shipped_goods,
            cartons=self._cartons,
            shipping=self._shipping,
            staffed_hours=0.0,
            shipped_orders=shipped_orders,
            paid_hours=paid,
        )

    def _zone_kpis(self, shipped_orders: int, begin: float, end: float) -> dict[str, float | None]:
        s = self.scenario
        busy: dict[str, float] = defaultdict(float)
        lines: dict[str, int] = defaultdict(int)
        for time, hours, count, tag in zip(
            self._tour_time, self._tour_hours, self._tour_lines_of, self._tour_tags, strict=True
        ):
            if time <= end:
                busy[tag] += hours
                lines[tag] += count
        return _zone_values(s, busy, lines, self._consolidated_orders, shipped_orders, begin, end)


def _by_rank(ranks: Column[int]) -> Callable[[], Iterator[int]]:
    """What ``sorted(range(len(ranks)), key=ranks.__getitem__)`` gives, as a function
    that walks it afresh, without a list of every index (and of every key) at once.

    Each order's first parcel gets the next rank (0, 1, 2, ...), so the first parcels come
    in rank order in the log, and an order's later parcels (ranks below the next one)
    after its first: a stable sort by rank is each first parcel followed by its order's
    later ones, in log order. Only those later parcels are sorted, into two columns.
    """
    size = len(ranks)
    first = 0
    keys = []
    for index, rank in enumerate(ranks):
        if rank == first:
            first += 1
        else:
            keys.append(rank * size + index)  # by rank, then log order
    keys.sort()
    later_rank = array("q", [key // size for key in keys])
    later = array("q", [key % size for key in keys])
    del keys

    def walk() -> Iterator[int]:
        rank = spot = 0
        count = len(later)
        for index, ranked in enumerate(ranks):
            if ranked == rank:
                yield index
                while spot < count and later_rank[spot] == rank:
                    yield later[spot]
                    spot += 1
                rank += 1

    return walk
