"""The discrete-event engine: SimPy processes that drive an in-memory ``OrderDesk``.

Time in the SimPy environment is in hours since :attr:`Scenario.start`; a
:class:`~ordercycle.model.SteppableClock` is moved to ``env.now`` before every desk
command, so the desk stamps events, due dates and payments with simulated time.

Processes: Poisson arrivals thinned by the daily and weekly profiles; waves at the
cut-off hours, one pick list per warehouse, split into picker tours by the picking
package's batching (:attr:`Scenario.tour_orders` orders a tour), each walked by a picker
(a SimPy resource) or, in a warehouse with zones (:attr:`Scenario.zones`), split by zone
with the picking package's zoning and walked by the zone's own pickers, the orders picked
in several zones consolidated by a packer before packing; packing, once a list's last
tour is back, by a packer (another resource) into cartons by the desk's packer; shipping
and delivery after the carrier's transit time; invoicing on delivery; payment on the
customer segment's behaviour; returns and credit notes; replenishment reviews with lead
times. Randomness comes from :class:`RandomStreams` seeded from the scenario: a stream per
source (arrivals, slotting) and, for decisions about one order (credit refusal,
cancellation, short picks, transit delays, returns, payment behaviour), that order's own
sequence in the source, so alternatives that share a seed see the same world.

With ``keep_finished=False`` (what :func:`simulate` does for KPIs-only results) the run
forgets each order it is finished with, so its memory stays about flat however long it
runs: once an order is delivered in full, every invoice of it is paid or credited and no
payment or return of it is still to come (or once it is canceled), at the start of the
next simulated day the order is counted in :attr:`Simulation.finished_tally`
(conservation and ledger totals) and its streams and cache entries are released from
the in-memory desk (:meth:`~ordercycle.service.OrderDesk.forget`): the order, its
open-order record, picked orders, shipments, invoices and invoice numbers, the payments
recorded for it, its restocked returns, and a pick list once all its orders are
forgotten; and so are its keyed random draws' counts. Once a simulated day the history of the
long-lived streams is released too (each customer's account, the invoice number series,
the warehouses' open pick lists, each SKU's backlog), each SKU's stock stream is trimmed
to the version the desk has just read (on the days the stock is read, below), and the
outbox messages the desk's reactions have handled are released. Such a run's desk keeps
no read models (``OrderDesk.in_memory(projections=False)``): nothing in a run reads them,
building their rows cost about a tenth of its CPU, and its listing queries raise
:class:`~ordercycle.errors.StorageError`. With
``keep_events=False`` (also what :func:`simulate` does for KPIs-only results) no event log
is kept: each event is folded into the KPIs, totals, daily series and stability checks as
it happens, and the daily ``stock`` records are taken only on the days the KPIs count
(the arrival days). The KPIs, totals, conservation counts and warnings are the same as
with everything kept (tested).

>>> from ordercycle.simulation.scenario import Scenario
>>> result = simulate(Scenario.default(seed=1, orders=5, days=1, drain_days=40))
>>> result.kpi("orders")
5.0
"""

from __future__ import annotations

import heapq
import math
import time
from array import array
from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any, TypeVar

import attrs

from ordercycle.errors import MissingDependencyError, ValidationError
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.model.order.policies import HoldReason
from ordercycle.money import Money
from ordercycle.packing import carriers
from ordercycle.picking import (
    PickerCapacity,
    PickLine,
    PickOrder,
    Zone,
    batch_orders,
    route,
    zone_pick_lists,
)
from ordercycle.service import DeskCommandError, OrderDesk
from ordercycle.simulation._collector import settle, spaced_collections
from ordercycle.simulation._fold import ResultFold
from ordercycle.simulation._optional import require
from ordercycle.simulation._seeds import RandomStreams, derive_seed
from ordercycle.simulation._world import World, build_world
from ordercycle.simulation.conservation import FinishedTally, invoice_class, order_class
from ordercycle.simulation.errors import SimulationStateError
from ordercycle.simulation.events import SimEvent
from ordercycle.simulation.results import SimulationResult
from ordercycle.simulation.scenario import ROLES, CarrierSpec, CustomerSegment, Scenario

__all__ = ["STAGES", "Simulation", "simulate"]

#: Stages of the time split (desk commands by kind, and the engine itself).
STAGES = ("allocation", "routing", "packing", "invoicing", "other desk commands", "engine")

T = TypeVar("T")
_Proc = Generator[Any, Any, None]


def _simpy() -> Any:
    try:
        import simpy
    except ImportError:  # pragma: no cover - simpy is installed with the sim extra
        raise MissingDependencyError("ordercycle.simulation", "simpy", "sim") from None
    return simpy


@attrs.define
class _Track:
    """What the engine remembers about an order (the desk keeps the truth)."""

    customer: str
    segment: int
    placed: float
    delivered: bool = False
    # What the run forgets with the order when it is finished (keep_finished=False): the
    # payments and returns still to come, and the ids of what belongs to it.
    pending: int = 0
    lists: list[str] = attrs.Factory(list)
    shipments: list[str] = attrs.Factory(list)
    invoices: list[str] = attrs.Factory(list)
    payments: list[str] = attrs.Factory(list)
    returns: list[str] = attrs.Factory(list)
    numbers: list[str] = attrs.Factory(list)


@attrs.frozen
class _Arrival:
    """One planned order arrival."""

    time: float
    segment: int
    customer: str
    items: dict[str, int]


class Simulation:
    """One run of a scenario. Use :func:`simulate` unless you need the desk afterwards.

    Args:
        scenario: What to simulate.
        keep_finished: Keep every order in the desk to the end (the default), or forget
            each one the run is finished with (see the module docstring): memory grows
            far less, the desk holds only the orders still open at the end, and it keeps
            no read models (its listing queries raise ``StorageError``).
        keep_events: Keep the event log in :attr:`events` (the default), or fold each
            event into the KPIs, totals and daily series as it happens and keep no log
            (what :func:`simulate` does for KPIs-only results): the result's KPIs are
            the same, and :meth:`run` can then return only a KPIs-only result.

    Attributes:
        scenario: The scenario.
        desk: The in-memory desk the run drives (inspect it after :meth:`run`).
        finished_tally: The orders and invoices forgotten so far, counted
            (``None`` when ``keep_finished``).
        events: The event log, in time order (empty when not ``keep_events``).
        orders_placed: The orders placed so far.
        timings: Seconds by stage (see :data:`STAGES`), on the wall clock: a CPU-time
            clock costs a system call per desk command, which on some machines took more
            than the command itself. Not reproducible.
    """

    def __init__(
        self, scenario: Scenario, *, keep_finished: bool = True, keep_events: bool = True
    ) -> None:
        _check_run_arguments(scenario, keep_finished=keep_finished, keep_events=keep_events)
        simpy = _simpy()
        self.scenario = scenario
        self.keep_events = keep_events
        # Without a log, the results are folded as the events happen (see _fold).
        self._fold: ResultFold | None = None if keep_events else ResultFold(scenario)
        self.orders_placed = 0
        self.finished_tally: FinishedTally | None = None if keep_finished else FinishedTally()
        # Orders finished with, as they ended, not forgotten yet (see _forget_finished).
        self._finished: dict[str, tuple[Any, list[Any]]] = {}
        # The orders of each pick list not yet forgotten.
        self._list_orders: dict[str, int] = {}
        self.streams = RandomStreams(derive_seed(scenario.seed, "run"))
        self._arrival_rng = self.streams.source("arrivals")
        self.env = simpy.Environment()
        # The processes started and not ended yet, with their generators: those still
        # waiting at the horizon are closed then (see _close_processes).
        self._processes: dict[Any, _Proc] = {}
        self.start: datetime = scenario.start_at
        self.clock = SteppableClock(self.start)
        # The simulated hour the clock was last moved to (the clock only moves forward).
        self._synced: float = -1.0
        self.world: World = build_world(scenario, self.streams.source("slotting"))
        # Event objects are kept as appended: a run reads its streams far more often than
        # it writes them, and the JSON round trip is proven by the storage contract suite.
        # A run that forgets finished orders keeps no read models: nothing reads them, and
        # building their rows cost about a tenth of its CPU.
        self.desk = OrderDesk.in_memory(
            clock=self.clock,
            ids=SequentialIdFactory(),
            settings=self.world.settings,
            roundtrip=False,
            projections=keep_finished,
        )
        self.events: list[SimEvent] = []
        self.timings: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        # One resource per role and warehouse, as large as the role's busiest shift; the
        # calendar holds the seats of workers off duty (see _calendar).
        self.staff: dict[str, dict[str, Any]] = {
            role: {
                w.id: simpy.PriorityResource(self.env, max(1, scenario.most_staff(role, w.id)))
                for w in scenario.warehouses
            }
            for role in ROLES
            if scenario.shifts_of(role)
        }
        self.pickers = self.staff["pickers"]
        # A zoned warehouse's tours are walked by the pickers of their zone, on duty
        # whenever the warehouse's picker calendar has anyone on duty.
        self.zone_pickers: dict[tuple[str, str], Any] = {
            (w.id, zone.name): simpy.PriorityResource(self.env, zone.pickers)
            for w in scenario.warehouses
            for zone in scenario.zones_of(w.id)
        }
        self.packers = self.staff["packers"]
        self._off_duty: dict[tuple[str, str], list[Any]] = {}
        self.at_dock: dict[str, int] = dict.fromkeys((w.id for w in scenario.warehouses), 0)
        self.orders: dict[str, _Track] = {}
        # The final due date of every invoice issued, so a payment reads only the invoices
        # it can settle instead of every open invoice of the customer.
        self.final_due: dict[str, date] = {}
        # Each invoice as a payment last read it back, right after applying to it (see
        # _pay), while forgetting: its order's finish check takes it instead of reading it
        # again (most invoices are settled by a later invoice's payment, not their own).
        # It is still what the desk holds then: the run changes an invoice only by a
        # payment applied to it (read back again) or by its order's credit note (_return
        # drops the order's invoices here); the desk's reactions write no invoice. An
        # entry goes when its order is forgotten.
        self._paid_invoices: dict[str, Any] = {}
        # Each customer's invoices as (final due date, id), earliest due first, while
        # forgetting (see _nothing_due); one read back paid or forgotten is dropped when it
        # comes first.
        self._due_invoices: dict[str, list[tuple[date, str]]] = {}
        self.waiting: dict[str, None] = {}
        self.backordered: dict[str, None] = {}
        self.on_order: dict[tuple[str, str], int] = {}
        self._reorders: dict[tuple[str, str], int] = {}
        self._prices = {item.sku: Decimal(item.price) for item in scenario.catalogue}
        self._carton_costs = {c.name: Decimal(c.cost) for c in scenario.cartons}
        self.carrier = next(c for c in scenario.carriers if c.name == scenario.carrier)
        self._outer_mm = {c.name: c.outer_mm for c in self.world.settings.cartons}
        # A parcel's quote by (carrier rank, carton, exact grams): billable grams and cost.
        self._quotes: dict[tuple[int, str, Any], tuple[Fraction, Decimal]] = {}
        # Each set of parcels' answer: (carton, exact grams as numerator and denominator) of
        # each -> carrier, cost, kg.
        self._shops: dict[tuple[tuple[str, int, int], ...], tuple[CarrierSpec, Decimal, float]] = {}
        self._weights = self._demand_weights()
        self._segment_weights = [g.share for g in scenario.segments]
        self._customers: list[list[str]] = [[] for _ in scenario.segments]
        for customer, segment in self.world.customers:
            self._customers[segment].append(str(customer.id))
        self.horizon = float((scenario.arrival_days + scenario.drain_days) * 24)
        self.arrivals = self._plan_arrivals()
        self.started = False
        self.finished = False

    # --- helpers ---------------------------------------------------------------------------

    def _demand_weights(self) -> list[float]:
        s = self.scenario
        return [
            s.demand_profile.get(item.sku, 1.0 / (rank**s.zipf_exponent))
            for rank, item in enumerate(s.catalogue, 1)
        ]

    def _sync(self) -> None:
        now = self.env.now
        if now == self._synced:
            return  # several desk commands at one simulated instant: the clock is there
        self._synced = now
        target = self.start + timedelta(seconds=round(now * 3600))
        step = target - self.clock.now()
        if step > _NO_TIME:
            self.clock.advance(step)

    def _start(self, generator: _Proc) -> Any:
        """Start ``generator`` as a process (returned); see :meth:`_close_processes`."""
        process = self.env.process(generator)
        self._processes[process] = generator
        process.callbacks.append(self._processes.pop)
        return process

    def _close_processes(self) -> None:
        """Close the processes still waiting once the run has reached the horizon.

        Nothing of theirs would ever run again, and each one's generator holds the run (its
        frame's ``self``) while its event waits in the environment's queue or a resource's,
        which the run holds: a reference cycle through the run and its desk, which only
        the cyclic collector could free, and a run keeps the collector off what it holds
        (see ``_collector``). Closed, a finished run is freed as soon as it is dropped.
        A task closed inside a worker's request leaves the seat as it is (SimPy releases
        nothing on a generator's cleanup) and schedules nothing.
        """
        waiting = list(self._processes.values())
        self._processes.clear()
        for generator in waiting:
            generator.close()

    def _call(self, stage: str, action: Callable[[], T]) -> T:
        self._sync()
        began = time.perf_counter()
        try:
            return action()
        finally:
            self.timings[stage] += time.perf_counter() - began

    def _log(self, kind: str, **fields: Any) -> None:
        event = SimEvent(time=float(self.env.now), kind=kind, **fields)
        if self._fold is None:
            self.events.append(event)
        else:
            self._fold.add(event)

    def _calendar(self, role: str) -> _Proc:
        """Keep the seats of ``role``'s off-duty workers taken, at every shift boundary.

        A seat is taken by a request ahead of every task (priority -1), so a worker still
        busy when the shift ends finishes the task first and then goes home; at the next
        shift start the seats are given back. Holidays and days off leave every seat taken.
        """
        s = self.scenario
        shifts = s.shifts_of(role)
        hours = sorted({0.0, *(x.start for x in shifts), *(x.end for x in shifts if x.end < 24)})
        day = 0
        while day * 24 < self.horizon:
            for hour in hours:
                at = day * 24 + hour
                if at >= self.horizon:
                    return
                yield self.env.timeout(max(0.0, at - float(self.env.now)))
                for warehouse, resource in self.staff[role].items():
                    off = resource.capacity - s.staff_at(role, at, warehouse)
                    self._hold_seats((role, warehouse), resource, off)
                if role == "pickers":
                    for (warehouse, zone), resource in self.zone_pickers.items():
                        on = s.staff_at(role, at, warehouse) > 0
                        off = 0 if on else resource.capacity
                        self._hold_seats(("zone", f"{warehouse}/{zone}"), resource, off)
            day += 1

    def _hold_seats(self, key: tuple[str, str], resource: Any, off: int) -> None:
        """Keep ``off`` seats of ``resource`` taken (see :meth:`_calendar`)."""
        held = self._off_duty.setdefault(key, [])
        while len(held) < off:
            held.append(resource.request(priority=-1))
        while len(held) > off:
            seat = held.pop()
            seat.cancel()
            resource.release(seat)

    def _waiting(self, role: str, warehouse: str) -> int:
        """Tasks of ``role`` waiting for a worker (the calendar's held seats left out)."""
        return self._queued(self.staff[role][warehouse], (role, warehouse))

    def _queued(self, resource: Any, key: tuple[str, str]) -> int:
        queued = len(resource.queue)
        for seat in self._off_duty.get(key, ()):
            if not seat.triggered:
                queued -= 1
        return queued

    def _hours_until(self, day: date, hour: float = 12.0) -> float:
        now = float(self.env.now)
        return max(0.0, (day - self.start.date()).days * 24 + hour - now)

    def _poisson(self, mean: float) -> int:
        if mean <= 0:
            return 0
        rng = self._arrival_rng
        limit, k, product = math.exp(-mean), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return k

    # --- processes -------------------------------------------------------------------------

    def _plan_arrivals(self) -> Iterator[_Arrival]:
        """Every arrival of the run: the times drawn before the clock starts, the rest as
        each arrives (see :meth:`_draw_arrivals`).

        Exactly :attr:`Scenario.orders` arrivals over :attr:`Scenario.arrival_days`: a
        Poisson process conditioned on its count, whose arrival times are independent
        draws from the rate's shape (the daily and weekly profiles), taken by thinning
        and then sorted. So a scenario never plans fewer orders than it asks for.

        Drawing them first, from a stream of their own, keeps the order stream identical
        for scenarios that share a seed and differ only in policies (routing, allocation,
        cartons, terms), so a comparison sees the same customers ordering the same things
        at the same times.
        """
        s = self.scenario
        rng = self._arrival_rng
        hours = s.arrival_days * 24
        weekday = self.start.weekday()
        daily, weekly = s.daily_profile, s.weekly_profile
        top = max(daily) * max(weekly)
        times: list[float] = []
        while len(times) < s.orders:
            now = rng.random() * hours
            shape = daily[int(now) % 24] * weekly[(weekday + int(now // 24)) % 7]
            if rng.random() * top < shape:
                times.append(now)
        times.sort()
        return self._draw_arrivals(array("d", times))

    def _draw_arrivals(self, times: array[float]) -> Iterator[_Arrival]:
        """Each arrival at ``times``, its segment, customer and items drawn as it comes.

        The arrival stream serves only the arrivals, so drawing each one when it is due
        gives the same draws as drawing them all first; a long run then keeps a float per
        planned order (its time) instead of every planned order.
        """
        s = self.scenario
        rng = self._arrival_rng
        for now in times:
            segment = rng.choices(range(len(s.segments)), weights=self._segment_weights)[0]
            customer = rng.choice(self._customers[segment])
            lines = min(1 + self._poisson(s.lines_mean - 1), len(s.catalogue))
            indexes = list(range(len(s.catalogue)))
            weights = list(self._weights)
            items: dict[str, int] = {}
            while len(items) < lines and any(weights):
                pick = rng.choices(indexes, weights=weights)[0]
                weights[pick] = 0.0
                items[s.catalogue[pick].sku] = rng.randint(1, s.units_max)
            yield _Arrival(now, segment, customer, items)

    def _arrivals(self) -> _Proc:
        for arrival in self.arrivals:
            yield self.env.timeout(arrival.time - float(self.env.now))
            self._place(arrival)

    def _place(self, arrival: _Arrival) -> None:
        customer, segment, items = arrival.customer, arrival.segment, arrival.items
        desk = self.desk
        placed = self._call(
            "other desk commands",
            lambda: desk.place_order(customer, items, invoice_policy="delivered"),
        )
        order_id = placed.aggregate_id
        confirmed = self._call("other desk commands", lambda: desk.confirm_order(order_id))
        held = bool(confirmed["on_hold"])
        allocated = (
            None if held else self._call("allocation", lambda: desk.allocate_order(order_id))
        )
        self.orders[order_id] = _Track(customer, segment, float(self.env.now))
        self.orders_placed += 1
        self._log(
            "placed",
            order_id=order_id,
            ref=customer,
            quantity=sum(items.values()),
            measure=float(len(items)),
        )
        if allocated is None:
            self._log("held", order_id=order_id, ref=customer, note="credit")
            self._start(self._credit_review(order_id))
            return
        self._allocated(order_id, allocated, items)

    def _allocated(
        self, order_id: str, allocated: Any, items: dict[str, int] | None = None
    ) -> None:
        """Log an order's first allocation and queue it for waves (and replenishment).

        ``items`` are the order's items as placed (a line each), if the caller has them.
        """
        units = int(allocated["allocated"])
        if items is not None and units == sum(items.values()):
            # A first allocation of every unit ordered: each line has all its units
            # allocated (no line can have more), so the order need not be read back.
            complete = len(items)
        else:
            order = self.desk.order(order_id)
            complete = sum(
                1 for line in order.lines if line.ledger.allocated == line.ledger.ordered
            )
        backordered = int(allocated["backordered"])
        self._log(
            "allocated",
            order_id=order_id,
            ref=",".join(allocated["warehouses"]),
            quantity=units,
            measure=float(complete),
            note=str(backordered),
        )
        self.waiting[order_id] = None
        if backordered:
            self.backordered[order_id] = None
        if (
            self.scenario.cancel_rate
            and self.streams.uniform("cancel", order_id) < self.scenario.cancel_rate
        ):
            self._start(self._cancel(order_id))

    def _credit_review(self, order_id: str) -> _Proc:
        """After the review time a credit controller refuses the order or releases it."""
        s = self.scenario
        yield self.env.timeout(s.credit_review_hours)
        desk = self.desk
        if (
            s.credit_refusal_rate
            and self.streams.uniform("credit", order_id) < s.credit_refusal_rate
        ):
            self._call(
                "other desk commands", lambda: desk.cancel_order(order_id, reason="credit refused")
            )
            self._log("canceled", order_id=order_id, note="credit refused")
            self._finish_canceled(order_id)
            return
        self._call(
            "other desk commands",
            lambda: desk.release_hold(order_id, HoldReason.CREDIT, by="credit control"),
        )
        self._log("released", order_id=order_id, note="credit")
        allocated = self._call("allocation", lambda: desk.allocate_order(order_id))
        self._allocated(order_id, allocated)

    def _cancel(self, order_id: str) -> _Proc:
        """The customer asks to cancel; only an order not yet on a pick list is canceled."""
        yield self.env.timeout(self.scenario.cancel_after_hours)
        if order_id not in self.orders or self.desk.order(order_id).state != "confirmed":
            return
        self._call(
            "other desk commands",
            lambda: self.desk.cancel_order(order_id, reason="customer request"),
        )
        self.waiting.pop(order_id, None)
        self.backordered.pop(order_id, None)
        self._log("canceled", order_id=order_id, note="customer request")
        self._finish_canceled(order_id)

    def _waves(self) -> _Proc:
        s = self.scenario
        day = 0
        while day * 24 < self.horizon:
            for hour in s.wave_cutoffs:
                at = day * 24 + hour
                if at >= self.horizon:
                    return
                yield self.env.timeout(max(0.0, at - self.env.now))
                self._release()
            day += 1

    def _release(self) -> None:
        if not self.waiting:
            return
        order_ids = list(self.waiting)
        self.waiting.clear()
        for warehouse in self.scenario.warehouses:
            try:
                wave = self._call(
                    "routing", partial(self.desk.release_wave, warehouse.id, order_ids)
                )
            except DeskCommandError:
                continue
            self._log(
                "wave",
                ref=wave.aggregate_id,
                warehouse=warehouse.id,
                quantity=len(wave["stops"]),
                measure=float(Fraction(wave["route_length"])),
            )
            self._start(
                self._pick(
                    wave.aggregate_id,
                    warehouse.id,
                    wave["orders"],
                    (len(wave["stops"]), float(Fraction(wave["route_length"]))),
                )
            )

    def _tours(self, list_id: str, warehouse: str) -> list[tuple[int, float]]:
        """Split a released pick list into picker tours: ``(lines, route length)`` each.

        The list's orders are batched with :func:`ordercycle.picking.batch_orders` (method
        :attr:`Scenario.batching`, at most :attr:`Scenario.tour_orders` orders a tour, 0 for
        the whole list), and each tour is routed with the scenario's routing method.
        """
        s = self.scenario
        settings = self.world.settings
        layout = settings.layouts[warehouse]
        orders = self._pick_orders(list_id)
        if not s.tour_orders or len(orders) <= s.tour_orders:
            groups = [orders]
        elif s.batching == "fcfs":
            # What batch_orders' next fit does with a tote limit alone, without routing
            # every batch optimally on the way.
            size = s.tour_orders
            groups = [orders[n : n + size] for n in range(0, len(orders), size)]
        else:
            capacity = PickerCapacity(totes=s.tour_orders)
            groups = [
                list(batch.orders) for batch in batch_orders(layout, orders, capacity, s.batching)
            ]
        tours = []
        for group in groups:
            bins = [line.bin for order in group for line in order.lines]
            length = route(layout, bins, method=settings.route_method).length
            tours.append((len(bins), float(length)))
        return tours

    def _pick_orders(self, list_id: str) -> list[PickOrder]:
        """The orders of a released pick list as the picking package's orders."""
        settings = self.world.settings
        by_order: dict[str, list[PickLine]] = {}
        for line in self.desk.pick_list(list_id).lines:
            by_order.setdefault(line.order_id, []).append(
                PickLine(
                    f"{line.line_id}@{line.bin}",
                    line.sku,
                    settings.picking_bin(line.bin),
                    line.quantity,
                )
            )
        return [PickOrder(order_id, tuple(lines)) for order_id, lines in by_order.items()]

    def _zone_tours(
        self, list_id: str, warehouse: str
    ) -> tuple[list[tuple[str, int, float]], dict[str, int]]:
        """Split a released pick list by zone into tours: ``(zone, lines, route length)``.

        :func:`ordercycle.picking.zone_pick_lists` splits each order by the zones of its
        bins' aisles, then batches each zone's parts (:attr:`Scenario.batching`, at most
        :attr:`Scenario.tour_orders` orders a tour, 0 for one tour a zone) and routes each
        tour with the scenario's routing method from the layout's depot. Also returns the
        number of zones each order was picked in (its totes to consolidate).
        """
        s = self.scenario
        settings = self.world.settings
        zones = [Zone(zone.name, zone.aisles) for zone in s.zones_of(warehouse)]
        plan = zone_pick_lists(
            settings.layouts[warehouse],
            self._pick_orders(list_id),
            zones,
            PickerCapacity(totes=s.tour_orders or None),
            batching=s.batching,
            method=settings.route_method,
        )
        # Lists are named <zone>-<n>; the zone is everything before the last dash.
        tours = [
            (sheet.name.rsplit("-", 1)[0], len(sheet.lines), float(sheet.route.length))
            for sheet in plan.pick_lists
        ]
        parts = {order_id: len(names) for order_id, names in plan.consolidation}
        return tours, parts

    def _pick(
        self, list_id: str, warehouse: str, order_ids: list[str], whole: tuple[int, float]
    ) -> _Proc:
        """Walk the list's tours (each a picker request), then confirm it and pack its orders.

        Tours of one list are walked in parallel by as many pickers as are free; the list is
        confirmed, and its orders go to packing, when its last tour is back (pick, then sort
        and pack). ``whole`` is the list's lines and route length, its one tour when it
        holds no more than :attr:`Scenario.tour_orders` orders.
        """
        s = self.scenario
        parts: dict[str, int] = {}
        if s.zones_of(warehouse):
            zoned, parts = self._call("routing", partial(self._zone_tours, list_id, warehouse))
        elif s.tour_orders and len(order_ids) > s.tour_orders:
            tours = self._call("routing", partial(self._tours, list_id, warehouse))
            zoned = [("", lines, length) for lines, length in tours]
        else:  # one tour: the list as the desk routed it
            zoned = [("", *whole)]
        count = {zone: sum(1 for z, _, _ in zoned if z == zone) for zone, _, _ in zoned}
        number: dict[str, int] = {}
        walks = []
        for zone, lines, length in zoned:
            number[zone] = number.get(zone, 0) + 1
            walks.append(
                self._start(
                    self._tour(list_id, warehouse, number[zone], count[zone], lines, length, zone)
                )
            )
        yield self.env.all_of(walks)
        shortages = self._shortages(list_id) if s.short_pick_rate else {}
        self._call(
            "other desk commands",
            lambda: self.desk.confirm_picks(list_id, shortages),
        )
        short_orders = set()
        for reference, units in sorted(shortages.items()):
            order_id = reference.rsplit("/", 1)[0]
            short_orders.add(order_id)
            self._log("short", order_id=order_id, ref=list_id, warehouse=warehouse, quantity=units)
        for order_id in sorted(short_orders):
            # Reallocated units wait for the next wave; the others for a receipt.
            self.waiting[order_id] = None
            if any(line.ledger.backordered for line in self.desk.order(order_id).lines):
                self.backordered[order_id] = None
        if self.finished_tally is not None:
            self._list_orders[list_id] = len(order_ids)
            for order_id in order_ids:
                self.orders[order_id].lists.append(list_id)
        for order_id in order_ids:
            self._start(
                self._pack(
                    order_id, list_id, warehouse, order_id in short_orders, parts.get(order_id, 1)
                )
            )

    def _tour(
        self,
        list_id: str,
        warehouse: str,
        number: int,
        tours: int,
        lines: int,
        length: float,
        zone: str = "",
    ) -> _Proc:
        """One picker tour: wait for a picker (of the zone, if any; and the shift), walk
        and pick. The ``picked`` note says ``tour n/k`` (``, zone Z`` when zoned)."""
        s = self.scenario
        pickers = self.zone_pickers[(warehouse, zone)] if zone else self.pickers[warehouse]
        with pickers.request() as turn:
            yield turn
            hours = length * s.travel_seconds_per_unit + lines * s.pick_seconds_per_line
            yield self.env.timeout(hours / 3600)
            self._log(
                "picked",
                ref=list_id,
                warehouse=warehouse,
                quantity=lines,
                measure=hours / 3600,
                amount=Decimal(repr(length)),
                note=f"tour {number}/{tours}, zone {zone}" if zone else f"tour {number}/{tours}",
            )

    def _queues(self) -> _Proc:
        """Sample the picker, packer and dock queues every hour (logged when not empty)."""
        loading = "dock" in self.staff
        # Each queue a sample counts, with its key in _off_duty (a sample an hour, all
        # run long, including the drain: worked out once).
        picking = [(resource, ("pickers", w)) for w, resource in self.pickers.items()]
        picking += [
            (resource, ("zone", f"{warehouse}/{zone}"))
            for (warehouse, zone), resource in self.zone_pickers.items()
        ]
        packing = [(resource, ("packers", w)) for w, resource in self.packers.items()]
        while self.env.now < self.horizon:
            tours = packs = 0
            for resource, key in picking:
                tours += self._queued(resource, key)
            for resource, key in packing:
                packs += self._queued(resource, key)
            if tours or packs:
                self._log("queues", quantity=tours, measure=float(packs))
            for warehouse, parcels in self.at_dock.items():
                if parcels:
                    waiting = self._waiting("dock", warehouse) if loading else 0
                    self._log("dock", warehouse=warehouse, quantity=parcels, measure=waiting)
            yield self.env.timeout(1.0)

    def _shortages(self, list_id: str) -> dict[str, int]:
        """Units the picker does not find: one per line, with ``short_pick_rate``."""
        shortages: dict[str, int] = {}
        for line in self.desk.pick_list(list_id).lines:
            if self.streams.uniform("short pick", line.reference) < self.scenario.short_pick_rate:
                shortages[line.reference] = shortages.get(line.reference, 0) + 1
        return shortages

    def _pack(
        self, order_id: str, list_id: str, warehouse: str, short: bool = False, parts: int = 1
    ) -> _Proc:
        """Pack an order's picked units; one picked in ``parts`` > 1 zones is consolidated
        first, by the same packer (:attr:`Scenario.consolidation_seconds_per_order`)."""
        s = self.scenario
        with self.packers[warehouse].request() as turn:
            yield turn
            if parts > 1:
                hours = s.consolidation_seconds_per_order / 3600
                yield self.env.timeout(hours)
                self._log(
                    "consolidated",
                    order_id=order_id,
                    ref=list_id,
                    warehouse=warehouse,
                    quantity=parts,
                    measure=hours,
                )
            yield self.env.timeout(s.pack_seconds_per_order / 3600)
            try:
                packed = self._call("packing", lambda: self.desk.pack_order(order_id, list_id))
            except DeskCommandError:
                if short:  # every unit of the order on this list was short: nothing to pack
                    return
                raise
        shipment_id = packed.aggregate_id
        self.orders[order_id].shipments.append(shipment_id)
        shipment = self.desk.shipment(shipment_id)
        carrier, cost, billable_kg = self._rate_shop(shipment.parcels)
        units = sum(line.quantity for line in shipment.lines)
        goods = sum(
            (line.quantity * self._prices[str(line.sku)] for line in shipment.lines), Decimal(0)
        )
        cartons = sum((self._carton_costs[p.carton] for p in shipment.parcels), Decimal(0))
        self._log(
            "packed",
            order_id=order_id,
            ref=shipment_id,
            warehouse=warehouse,
            quantity=len(shipment.parcels),
            measure=billable_kg,
            amount=cost,
            note=carrier.name,
        )
        if "dock" in self.staff or carrier.pickups:
            self._start(
                self._dock(order_id, shipment_id, warehouse, units, goods, cartons, carrier)
            )
        else:
            self._ship(order_id, shipment_id, warehouse, units, goods, cartons, carrier, "")

    def _dock(
        self,
        order_id: str,
        shipment_id: str,
        warehouse: str,
        units: int,
        goods: Decimal,
        cartons: Decimal,
        carrier: CarrierSpec,
    ) -> _Proc:
        """A packed shipment at the dock: loaded by a loader, then collected at a pickup.

        With loaders (:attr:`Scenario.dock_loaders` or :attr:`Scenario.dock_shifts`) it
        waits for one, who stages its cartons; then it waits for the first pickup of its
        carrier whose cut-off it makes. It ships at that pickup; the ``shipped`` event's
        note says whether it made the first pickup after packing (``"first pickup"``) or
        missed a cut-off (``"missed cut-off"``).
        """
        s = self.scenario
        self.at_dock[warehouse] += 1
        packed_at = float(self.env.now)
        if "dock" in self.staff:
            parcels = len(self.desk.shipment(shipment_id).parcels)
            with self.staff["dock"][warehouse].request() as turn:
                yield turn
                yield self.env.timeout(parcels * s.load_seconds_per_parcel / 3600)
        note = ""
        pickup = s.pickup_after(carrier, float(self.env.now))
        if pickup is not None:
            first = s.pickup_after(carrier, packed_at)
            note = "first pickup" if pickup == first else "missed cut-off"
            yield self.env.timeout(pickup - float(self.env.now))
        self.at_dock[warehouse] -= 1
        self._ship(order_id, shipment_id, warehouse, units, goods, cartons, carrier, note)

    def _ship(
        self,
        order_id: str,
        shipment_id: str,
        warehouse: str,
        units: int,
        goods: Decimal,
        cartons: Decimal,
        carrier: CarrierSpec,
        note: str,
    ) -> None:
        self._call(
            "other desk commands",
            lambda: self.desk.ship_shipment(
                shipment_id, f"SIM-{shipment_id}", carrier=carrier.name
            ),
        )
        self._log(
            "shipped",
            order_id=order_id,
            ref=shipment_id,
            warehouse=warehouse,
            quantity=units,
            measure=float(goods),
            amount=cartons,
            note=note,
        )
        self._deliver(order_id, shipment_id, warehouse, units, carrier)

    def _rate_shop(self, parcels: Any) -> tuple[CarrierSpec, Decimal, float]:
        """The carrier that ships these parcels, its cost and the billable weight in kg.

        With ``carrier_selection = "fixed"`` it is :attr:`Scenario.carrier`; with
        ``"cheapest"`` every carrier is quoted (its own dimensional-weight rule on the
        cartons' outer sides, its own rate) and the cheapest wins, ties by scenario order.
        """
        # The same parcels come back all run long (the packing memo's plans): the whole
        # answer is a pure function of their cartons and weights, kept like the quotes.
        # A weight is keyed by its numerator and denominator (a Fraction is always in
        # lowest terms, so the pair is as exact): hashing a Fraction costs a modular inverse.
        shop = tuple(
            [
                (
                    parcel.carton,
                    parcel.actual_weight_g.numerator,
                    parcel.actual_weight_g.denominator,
                )
                for parcel in parcels
            ]
        )
        shopped = self._shops.get(shop)
        if shopped is not None:
            return shopped
        s = self.scenario
        candidates = s.carriers if s.carrier_selection == "cheapest" else (self.carrier,)
        best: tuple[Decimal, int] | None = None
        quotes = []
        for rank, spec in enumerate(candidates):
            rule = carriers.PRESETS[spec.dim_rule]
            cost = Decimal(0)
            grams = Fraction(0)
            for parcel in parcels:
                key = (rank, parcel.carton, parcel.actual_weight_g)
                quoted = self._quotes.get(key)
                if quoted is None:
                    # The same cartons at the same weights come back all run long.
                    sides = self._outer_mm[parcel.carton]
                    billable = rule.billable_weight_exact(sides, parcel.actual_weight_g)
                    quoted = (
                        rule.to_grams(billable),
                        Decimal(spec.base_rate) + Decimal(spec.rate_per_unit) * _decimal(billable),
                    )
                    if len(self._quotes) >= _QUOTES_KEPT:
                        self._quotes.clear()
                    self._quotes[key] = quoted
                grams += quoted[0]
                cost += quoted[1]
            quotes.append((spec, cost, float(grams / 1000)))
            if best is None or (cost, rank) < best:
                best = (cost, rank)
        assert best is not None
        if len(self._shops) >= _QUOTES_KEPT:
            self._shops.clear()
        self._shops[shop] = shopped = quotes[best[1]]
        return shopped

    def _after(self, hours: float, then: Callable[[], None]) -> None:
        """Call ``then`` in ``hours``: a timeout with a callback.

        What a process that waits once and then acts (a delivery, a payment, a return)
        does, in the same order, without its start and end events, which cost more than
        the step itself: its start event would run right after the step that started it
        (start events go first among the events of their instant, in the order they were
        made, and the only event scheduled in between is the starting process's own end,
        which nothing waits for), so its wait is scheduled in the same place among the
        others when it is started.

        A step after the horizon never happens (the run stops there, within a rounding
        of it), so it is not scheduled: a callback left queued at the end would hold the
        run and its desk in a reference cycle, for the collector to free (a process left
        waiting is closed at the horizon, see :meth:`_close_processes`).
        """
        if self.env.now + hours > self.horizon:
            return
        self.env.timeout(hours).callbacks.append(lambda _event: then())

    def _deliver(
        self, order_id: str, shipment_id: str, warehouse: str, units: int, carrier: CarrierSpec
    ) -> None:
        """The shipment is delivered after the carrier's transit time (a day more if late)."""
        days = carrier.transit_days
        if self.streams.uniform("transit", order_id) < carrier.delay_probability:
            days += 1
        self._after(days * 24, partial(self._delivered, order_id, shipment_id, warehouse, units))

    def _delivered(self, order_id: str, shipment_id: str, warehouse: str, units: int) -> None:
        """Deliver the shipment and invoice it; the payment (and maybe a return) to come."""
        self._call("other desk commands", lambda: self.desk.deliver_shipment(shipment_id))
        self._log(
            "delivered", order_id=order_id, ref=shipment_id, warehouse=warehouse, quantity=units
        )
        invoice = self._call("invoicing", lambda: self.desk.invoice_order(order_id))
        invoice_id = invoice.aggregate_id
        amount = _money_amount(invoice["total"])
        due = date.fromisoformat(invoice["due_dates"][-1])
        self.final_due[invoice_id] = due
        self._log(
            "invoiced", order_id=order_id, ref=invoice_id, amount=amount, note=due.isoformat()
        )
        track = self.orders[order_id]
        track.invoices.append(invoice_id)
        if self.finished_tally is not None:
            heapq.heappush(self._due_invoices.setdefault(track.customer, []), (due, invoice_id))
        self._pay(order_id, invoice_id, invoice.details)
        # The return rate is per delivered order: drawn at its first delivery only, however
        # many shipments it takes.
        if not track.delivered:
            track.delivered = True
            if self.streams.uniform("returns", order_id) < self.scenario.return_rate:
                self._then_finish(
                    order_id,
                    self.scenario.return_after_days * 24,
                    partial(self._return, order_id, shipment_id),
                )

    def _then_finish(self, order_id: str, hours: float, step: Callable[[], None]) -> None:
        """Take ``step`` (a payment or a return of the order) in ``hours``, then see whether
        the order is finished with (only when forgetting; the events waited for are the
        same)."""
        if self.finished_tally is None:
            self._after(hours, step)
            return
        # Counted when started, so no other step can find the order finished meanwhile.
        self.orders[order_id].pending += 1
        self._after(hours, partial(self._counted, order_id, step))

    def _counted(self, order_id: str, step: Callable[[], None]) -> None:
        step()
        track = self.orders[order_id]
        track.pending -= 1
        if track.pending == 0:
            self._finish(order_id)

    def _finish(self, order_id: str) -> None:
        """Forget the order if the run is finished with it (see the module docstring)."""
        order = self.desk.order(order_id)
        if order_class(order) != "delivered":
            return  # units still to ship: a later delivery invoices (and pays) again
        track = self.orders[order_id]
        read = self._paid_invoices
        invoices = [
            read[invoice_id] if invoice_id in read else self.desk.invoice(invoice_id)
            for invoice_id in track.invoices
        ]
        if any(invoice_class(invoice) == "open" for invoice in invoices):
            return
        track.numbers = [invoice.number for invoice in invoices if invoice.number]
        # Counted and forgotten with the day's others at the next day's start (one call for
        # them all); an order still finished but not forgotten at the end stays in the desk.
        self._finished[order_id] = (order, invoices)

    def _finish_canceled(self, order_id: str) -> None:
        """Forget a canceled order (nothing of it was picked, shipped or invoiced)."""
        if self.finished_tally is None:
            return
        self._finished[order_id] = (self.desk.order(order_id), [])

    def _forget_finished(self) -> None:
        """Forget the finished orders no wave or receipt will look at again (once a day:
        forgetting them one at a time cost more calls than it saved memory)."""
        ready = [o for o in self._finished if o not in self.waiting and o not in self.backordered]
        if not ready:
            return
        streams: list[tuple[str, str]] = []
        assert self.finished_tally is not None
        keys: list[str] = []
        for order_id in ready:
            order, invoices = self._finished.pop(order_id)
            self.finished_tally.add(order, invoices)
            track = self.orders.pop(order_id)
            if self._fold is not None:
                self._fold.forget(order_id)
            # Its draws: keyed by the order, and by its lines' references for short picks.
            keys.append(order_id)
            keys += [f"{order_id}/{line.line_id}" for line in order.lines]
            streams += [("order", order_id), ("open_order", order_id)]
            for list_id in track.lists:
                streams.append(("picked_order", f"{list_id}/{order_id}"))
                self._list_orders[list_id] -= 1
                if not self._list_orders[list_id]:
                    del self._list_orders[list_id]
                    streams.append(("pick_list", list_id))
            for shipment_id in track.shipments:
                streams.append(("shipment", shipment_id))
            for invoice_id in track.invoices:
                streams.append(("invoice", invoice_id))
                self.final_due.pop(invoice_id, None)
                self._paid_invoices.pop(invoice_id, None)
            streams += [("invoice_number", number) for number in track.numbers]
            for payment_id in track.payments:
                streams += [("payment", payment_id), ("settlement", payment_id)]
            streams += [("restock", f"{order_id}/{rma}") for rma in track.returns]
        # (No read-model rows to forget: a forgetting run's desk keeps none.)
        self.desk.forget(streams)
        self.streams.forget(keys)

    def _forget_history(self, *, stock_read: bool) -> None:
        """Release the history of the long-lived streams and the handled outbox messages
        (called right after :meth:`_record_stock`; ``stock_read``: whether it read the
        stock)."""
        s = self.scenario
        history = [("account", customer) for group in self._customers for customer in group]
        history += [("series", "invoice"), *(("backlog", item.sku) for item in s.catalogue)]
        history += [("open_pick_lists", warehouse.id) for warehouse in s.warehouses]
        trim: list[tuple[str, str, int]] = []
        if stock_read:
            # Each SKU's stock stream, up to the version _record_stock has just read: the
            # desk keeps the stock as of that version and only ever reads the events after
            # it. (On a day it was not read, the desk may not have read that far.)
            with self.desk.storage.unit_of_work() as uow:
                trim = [
                    ("stock", item.sku, uow.events.version("stock", item.sku))
                    for item in s.catalogue
                ]
        self.desk.forget(history=history, trim=trim, outbox=True)

    def _pay(self, order_id: str, invoice_id: str, details: dict[str, Any]) -> None:
        """The customer's behaviour (early, on time, late) decides the day it pays."""
        track = self.orders[order_id]
        segment: CustomerSegment = self.scenario.segments[track.segment]
        behaviour = self.streams.choice(
            "payment",
            order_id,
            ("early", "on_time", "late"),
            (segment.early, segment.on_time, segment.late),
        )
        due = date.fromisoformat(details["due_dates"][-1])
        today = self.clock.today()
        if behaviour == "early" and "discount_deadline" in details:
            paid_on = date.fromisoformat(details["discount_deadline"])
        elif behaviour == "early":
            paid_on = max(today, due - timedelta(days=segment.early_days))
        elif behaviour == "on_time":
            paid_on = due
        else:
            late = (
                math.ceil(self.streams.exponential("payment", order_id, segment.late_days_mean))
                if segment.late_days_mean > 0
                else 0
            )
            paid_on = due + timedelta(days=max(1, late))
        paid_on = max(paid_on, today)
        self._then_finish(
            order_id,
            self._hours_until(paid_on),
            partial(self._pay_on, track, behaviour, due, paid_on),
        )

    def _pay_on(self, track: _Track, behaviour: str, due: date, paid_on: date) -> None:
        """The customer pays what is due by ``due`` (see :meth:`_amount_due`)."""
        amount, invoice_ids = self._amount_due(track.customer, due, paid_on)
        if amount <= 0:
            return
        currency = self.scenario.currency
        paid = self._call(
            "invoicing",
            lambda: self.desk.record_payment(
                track.customer, Money(amount, currency), paid_on=paid_on, invoice_ids=invoice_ids
            ),
        )
        track.payments.append(paid.aggregate_id)
        self._call("invoicing", self.desk.dispatch)
        discounts = paid["discounts"]
        for applied_to, applied in sorted(paid["applied"].items()):
            self._log("applied", ref=applied_to, amount=_money_amount(applied), note=behaviour)
            if applied_to in discounts:
                self._log("discount", ref=applied_to, amount=_money_amount(discounts[applied_to]))
            invoice = self.desk.invoice(applied_to)
            if self.finished_tally is not None:  # (what its order's _finish takes)
                self._paid_invoices[applied_to] = invoice
            if invoice.state == "paid":
                self._log("settled", ref=applied_to)

    def _amount_due(
        self, customer: str, due: date, paid_on: date
    ) -> tuple[Decimal, tuple[str, ...]]:
        """What the customer pays, and for which invoices (the remittance advice).

        The customer pays every open invoice due by ``due``, less the discounts still
        available on ``paid_on``, and names those invoices, so the desk applies the payment
        to them only (oldest due first) instead of reading every open invoice.
        """
        amount = Decimal(0)
        paying = []
        if self._nothing_due(customer, due):
            return amount, ()
        for invoice_id in self.desk.open_invoice_ids(customer):
            known = self.final_due.get(invoice_id)
            if known is not None and known > due:
                continue
            invoice = self.desk.invoice(invoice_id)
            schedule = invoice.schedule
            if schedule is None or schedule.installments[-1].due_date > due:
                continue
            amount += invoice.balance.amount - invoice.discount_available(paid_on).amount
            paying.append(invoice_id)
        return amount, tuple(paying)

    def _nothing_due(self, customer: str, due: date) -> bool:
        """Whether the customer surely has no open invoice due by ``due``, so that
        :meth:`_amount_due` would read its open invoices and pay none (most payments find
        their invoice settled already by an earlier one of the customer's).

        Only while forgetting: every open invoice of the customer is then one the run
        issued and has not forgotten (an order is forgotten once its invoices are settled),
        so it is in :attr:`_due_invoices`. One a payment read back paid (see
        :attr:`_paid_invoices`) is paid for good: the run never reverses a payment, and a
        credit note leaves a paid invoice paid.
        """
        if self.finished_tally is None:
            return False
        waiting = self._due_invoices.get(customer)
        final_due, paid = self.final_due, self._paid_invoices
        while waiting:
            first, invoice_id = waiting[0]
            if first > due:
                return True
            if invoice_id in final_due:
                kept = paid.get(invoice_id)
                if kept is None or kept.state != "paid":
                    return False
            heapq.heappop(waiting)  # paid or forgotten: never due again
        return True

    def _return(self, order_id: str, shipment_id: str) -> None:
        """The customer sends a unit of the shipment back; it is restocked and credited."""
        shipment = self.desk.shipment(shipment_id)
        line = shipment.lines[0]
        desk = self.desk
        rma = self._call(
            "other desk commands",
            lambda: desk.request_return(order_id, line.line_id, 1, "simulated return"),
        )["return_id"]
        self.orders[order_id].returns.append(rma)
        self._call("other desk commands", lambda: desk.authorize_return(order_id, rma))
        self._call("other desk commands", lambda: desk.receive_return(order_id, rma))
        self._call("other desk commands", desk.dispatch)
        self._log("returned", order_id=order_id, ref=rma, quantity=1)
        credit = self._call("invoicing", lambda: desk.issue_credit_note(order_id, rma))
        # The credit note changed an invoice of the order: a payment's read-back is stale.
        for invoice_id in self.orders[order_id].invoices:
            self._paid_invoices.pop(invoice_id, None)
        self._log(
            "credited",
            order_id=order_id,
            ref=credit["invoice_id"],
            amount=_money_amount(credit["total"]),
        )

    def _replenishment(self) -> _Proc:
        s = self.scenario
        policy = s.replenishment
        yield self.env.timeout(6)
        while self.env.now < self.horizon:
            if self.env.now < s.arrival_days * 24 or self.backordered:
                self._review()
            yield self.env.timeout(policy.review_days * 24)

    def _backlog(self) -> dict[str, int]:
        """Units on backorder by SKU (orders wait for any warehouse)."""
        backlog: dict[str, int] = {}
        for order_id in self.backordered:
            for line in self.desk.order(order_id).lines:
                if line.ledger.backordered:
                    sku = str(line.sku)
                    backlog[sku] = backlog.get(sku, 0) + line.ledger.backordered
        return backlog

    def _review(self) -> None:
        """Review every (SKU, warehouse) position and order what the policy asks for.

        The inventory position is available + on order, less the backlog of the SKU in
        the preferred (first) warehouse, which is where backorders are served first.
        """
        s = self.scenario
        backlog = self._backlog()
        for index, warehouse in enumerate(s.warehouses):
            for item in s.catalogue:
                key = (item.sku, warehouse.id)
                available = self._call(
                    "allocation",
                    partial(self.desk.available_units, item.sku, warehouse=warehouse.id),
                )
                position = available + self.on_order.get(key, 0)
                if index == 0:
                    position -= backlog.get(item.sku, 0)
                if position > item.reorder_point:
                    continue
                if s.replenishment.policy == "sS":
                    quantity = item.order_up_to - position
                else:
                    batches = (item.reorder_point - position) // item.order_quantity + 1
                    quantity = batches * item.order_quantity
                if quantity <= 0:
                    continue
                self.on_order[key] = self.on_order.get(key, 0) + quantity
                self._log(
                    "reordered",
                    ref=f"{item.sku}@{warehouse.id}",
                    warehouse=warehouse.id,
                    quantity=quantity,
                )
                self._start(self._receive(key, quantity, self._lead_time_hours(key)))

    def _lead_time_hours(self, key: tuple[str, str]) -> float:
        """The lead time of the next supplier order for ``key``, in hours.

        The mean is :attr:`Replenishment.lead_time_days`; with a spread, each order draws
        its own from the ``"lead time"`` stream, keyed by ``sku@warehouse`` and the order's
        number, so two alternatives' n-th orders of a SKU wait equally long.
        """
        policy = self.scenario.replenishment
        number = self._reorders.get(key, 0) + 1
        self._reorders[key] = number
        days = float(policy.lead_time_days)
        if policy.lead_time_spread:
            stream = f"{key[0]}@{key[1]}/{number}"
            if policy.lead_time_distribution == "gamma":
                days = self.streams.gamma("lead time", stream, days, policy.lead_time_spread)
            else:
                draw = self.streams.uniform("lead time", stream)
                days += policy.lead_time_spread * (2 * draw - 1)
        return max(0.0, days) * 24

    def _receive(self, key: tuple[str, str], quantity: int, hours: float) -> _Proc:
        yield self.env.timeout(hours)
        sku, warehouse = key
        self.on_order[key] -= quantity
        bin_id = self.world.bins[key]
        self._call("allocation", lambda: self.desk.receive_stock(sku, bin_id, quantity))
        self._call("allocation", self.desk.dispatch)
        self._log("received", ref=f"{sku}@{warehouse}", warehouse=warehouse, quantity=quantity)
        still: dict[str, None] = {}
        for order_id in self.backordered:
            self.waiting[order_id] = None
            order = self.desk.order(order_id)
            if any(line.ledger.backordered for line in order.lines):
                still[order_id] = None
        self.backordered = still

    def _stock_days(self) -> _Proc:
        """At the start of every day, record the stock of each SKU in each warehouse.

        One ``stock`` event per (SKU, warehouse): the units physically on hand (every
        bucket of the SKU's bins, allocated or not, until it is picked), the units on order
        with the supplier and the on-hand value at list price; and one ``backlog`` event
        per SKU with units waiting on backorder. The records only read the desk.
        """
        day = 0
        while day * 24 < self.horizon:
            yield self.env.timeout(max(0.0, day * 24 - float(self.env.now)))
            # Without a log, a day's stock records the KPIs do not count would be folded
            # into nothing: the stock is not even read then (the backlog always counts).
            stock = self._fold is None or self._fold.counts_stock(day)
            self._record_stock(stock=stock)
            if self.finished_tally is not None:
                self._forget_finished()
                self._forget_history(stock_read=stock)
            # What the run holds now is out of the young collections' sight (see _collector).
            settle()
            day += 1

    def _record_stock(self, *, stock: bool) -> None:
        """Log the day's ``stock`` records (if ``stock``) and ``backlog`` records."""
        s = self.scenario
        for item in s.catalogue if stock else ():
            positions = self._call(
                "other desk commands", partial(self.desk.stock_positions, item.sku)
            )
            on_hand: dict[str, int] = {}
            for position in positions:
                on_hand[position.warehouse] = on_hand.get(position.warehouse, 0) + position.on_hand
            for warehouse in s.warehouses:
                units = on_hand.get(warehouse.id, 0)
                self._log(
                    "stock",
                    ref=f"{item.sku}@{warehouse.id}",
                    warehouse=warehouse.id,
                    quantity=units,
                    measure=float(self.on_order.get((item.sku, warehouse.id), 0)),
                    amount=units * self._prices[item.sku],
                )
        for sku, units in sorted(self._backlog().items()):
            if units:
                self._log("backlog", ref=sku, quantity=units)

    # --- running ---------------------------------------------------------------------------

    def _setup(self) -> None:
        desk = self.desk
        for customer, _segment in self.world.customers:
            desk.register_customer(customer)
        for product, price in self.world.products:
            desk.register_product(product, price)
        for item in self.scenario.catalogue:
            for warehouse in self.scenario.warehouses:
                if item.initial_stock:
                    desk.receive_stock(
                        item.sku, self.world.bins[(item.sku, warehouse.id)], item.initial_stock
                    )
        desk.dispatch()

    @property
    def now(self) -> float:
        """Simulated hours since the start."""
        return float(self.env.now)

    def advance(self, until: float) -> None:
        """Run the simulation up to ``until`` hours (at most the horizon); may be repeated.

        Raises:
            SimulationStateError: The run is finished, or ``until`` is before :attr:`now`.
        """
        if self.finished:
            raise SimulationStateError("advance", "the run has finished; make a new Simulation")
        if until < self.now:
            raise SimulationStateError(
                "advance", f"{until} hours is before the simulated now ({self.now} hours)"
            )
        began = time.perf_counter()
        before = sum(v for k, v in self.timings.items() if k != "engine")
        if not self.started:
            self.started = True
            self._setup()
            for role in self.staff:
                self._start(self._calendar(role))
            self._start(self._arrivals())
            self._start(self._waves())
            self._start(self._replenishment())
            self._start(self._queues())
            self._start(self._stock_days())
        target = min(until, self.horizon)
        with spaced_collections():
            if target > self.now:
                self.env.run(until=target)
            self._call("other desk commands", self.desk.dispatch)
        if target >= self.horizon:
            self._close_processes()
        self._sync()
        spent = time.perf_counter() - began
        desk = sum(v for k, v in self.timings.items() if k != "engine") - before
        self.timings["engine"] += spent - desk

    def run(self, *, progress: bool = False, events: bool = True) -> SimulationResult:
        """Run to the horizon and return the :class:`SimulationResult`.

        Args:
            progress: Show a tqdm bar over simulated days (needs the ``sim`` extra).
            events: Keep the event log in the result; ``False`` for KPIs, totals, warnings
                and the daily series only (:attr:`events` of this object keeps the log,
                unless it was made with ``keep_events=False``).

        Raises:
            SimulationStateError: The run has finished already, or ``events`` is asked
                of a run made with ``keep_events=False``.
        """
        if events and not self.keep_events:
            raise SimulationStateError(
                "return the event log of", "the run was made with keep_events=False"
            )
        if progress:
            tqdm = require("tqdm", "a simulation progress bar").tqdm
            days = math.ceil(self.horizon / 24)
            for day in tqdm(range(days), desc=self.scenario.name, unit="day"):
                self.advance(max(self.now, min(self.horizon, (day + 1) * 24.0)))
        self.advance(self.horizon)
        self.finished = True
        with spaced_collections():
            return SimulationResult.from_simulation(self, events=events)


def simulate(
    scenario: Scenario, *, progress: bool = False, events: bool = True
) -> SimulationResult:
    """Run ``scenario`` once and return its :class:`SimulationResult`.

    Args:
        scenario: What to simulate.
        progress: Show a tqdm bar over simulated days (needs the ``sim`` extra).
        events: Keep the event log in the result (the default). ``False`` returns the
            KPIs, totals, conservation counts, stability warnings and daily series without
            it: a result of a few kilobytes instead of about a megabyte per thousand
            orders, which is what :func:`~ordercycle.simulation.run_many` and
            :func:`~ordercycle.simulation.compare` return unless asked for events.
    """
    # A KPIs-only run never shows its desk or its log: it forgets what it is finished with
    # and folds its results as it goes.
    _check_run_arguments(scenario, events=events, progress=progress)
    simulation = Simulation(scenario, keep_finished=events, keep_events=events)
    return simulation.run(progress=progress, events=events)


def _check_run_arguments(scenario: object, **flags: object) -> None:
    """Refuse a scenario that is not a :class:`Scenario` and flags that are not bools."""
    if not isinstance(scenario, Scenario):
        raise ValidationError.invalid(
            "a simulation", "scenario", scenario, "a Scenario (Scenario.default(), ...)"
        )
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise ValidationError.invalid("a simulation", name, value, "True or False")


_NO_TIME = timedelta(0)

#: How many parcel quotes a run keeps (see ``Simulation._rate_shop``).
_QUOTES_KEPT = 4096


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _money_amount(text: str) -> Decimal:
    """The amount of ``"12.30 USD"``."""
    return Decimal(str(text).split()[0])
