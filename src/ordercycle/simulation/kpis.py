"""Key performance indicators, from the event log and (for checking) from the desk state.

:func:`kpis_from_events` computes every KPI of :data:`KPIS` from a run's event log alone.
:func:`totals_from_events` and :func:`totals_from_desk` compute the same ledger totals
(units ordered, shipped, delivered, returned; money invoiced, paid, discounted, credited)
two independent ways, so a test can check that the log tells the truth.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

from ordercycle.service.cycle_kpis import O2C_KPIS, order_to_cash_kpis, ratio
from ordercycle.service.cycle_log import SimEvent
from ordercycle.simulation.errors import UnknownKpiError
from ordercycle.simulation.scenario import ROLES, Scenario

__all__ = [
    "KPIS",
    "TOTALS",
    "ZONE_KPIS",
    "describe_kpi",
    "inventory_and_cost_kpis",
    "kpis_from_events",
    "totals_from_desk",
    "totals_from_events",
    "window_events",
    "zone_tag",
]

_SHARED = (
    "orders",
    "units_ordered",
    "unit_fill_rate",
    "line_fill_rate",
    "order_fill_rate",
    "backorder_rate",
    "on_time_in_full",
    "cancel_rate",
    "credit_hold_rate",
    "cycle_time_mean",
    "cycle_time_p90",
    "cycle_time_variance",
)
_WAREHOUSE: dict[str, tuple[str, str]] = {
    # Defined and computed once, with the order-to-cash KPIs, for the desk's report too.
    "order_to_ship_mean": O2C_KPIS["order_to_ship_mean"],
    "order_to_ship_p90": O2C_KPIS["order_to_ship_p90"],
    "pick_travel_per_line": ("layout units", "route length walked on picker tours per pick line"),
    "lines_per_picker_hour": ("lines/hour", "pick lines per busy picker hour"),
    "short_pick_rate": ("ratio", "order lines that came up short / pick lines picked"),
    "picker_utilisation": (
        "ratio",
        "busy picker hours / scheduled picker hours, over the arrival days",
    ),
    "packer_utilisation": (
        "ratio",
        "busy packer hours / scheduled packer hours, over the arrival days",
    ),
    "dock_utilisation": (
        "ratio",
        "busy loader hours / scheduled loader hours, as the pickers' (with loaders)",
    ),
    "dock_wait_mean": (
        "hours",
        "shipment packed to collected by its carrier (loading and waiting for a pickup)",
    ),
    "same_day_ship_rate": (
        "ratio",
        "orders shipped in full whose last shipment left on the day they were placed",
    ),
    "cutoff_made_rate": (
        "ratio",
        "shipments that left on the first pickup after packing (with carrier pickups)",
    ),
    "shipments_per_order": ("shipments", "shipments per shipped order"),
    "cartons_per_order": ("cartons", "cartons per shipped order"),
    "billable_weight_per_order": ("kg", "billable weight per shipped order"),
    "shipping_cost_per_order": ("currency", "carrier cost per shipped order"),
}
_CASH = ("revenue_invoiced", "discounts_taken", "dso", "order_to_cash_days", "units_returned")
_INVENTORY: dict[str, tuple[str, str]] = {
    "average_on_hand_units": ("units", "units on hand at the start of each arrival day, mean"),
    "average_inventory_value": ("currency", "on-hand value at list price, arrival-day mean"),
    "inventory_turns": (
        "turns/year",
        "goods shipped at list price / average inventory value, per 365 days",
    ),
    "days_of_supply": ("days", "average units on hand / units shipped per arrival day"),
}
_COSTS: dict[str, tuple[str, str]] = {
    "labour_cost": ("currency", "scheduled hours of every role until the last shipment x rate"),
    "holding_cost": ("currency", "daily on-hand value x holding rate / 365, arrival days"),
    "backorder_cost": ("currency", "daily backordered units x cost per unit-day"),
    "carton_cost": ("currency", "cost of the cartons shipped"),
    "shipping_cost": ("currency", "carrier cost of the parcels shipped"),
    "total_cost": ("currency", "labour + holding + backorder + carton + shipping"),
    "cost_per_order": ("currency", "total cost per shipped order"),
}

#: KPI name -> (unit, description), in report order. The order-to-cash ones are
#: :data:`~ordercycle.service.cycle_kpis.O2C_KPIS`, defined and computed once for the
#: simulation and the desk (``desk.order_to_cash_report``); the others measure the warehouse.
KPIS: dict[str, tuple[str, str]] = {
    **{name: O2C_KPIS[name] for name in _SHARED},
    **_WAREHOUSE,
    **{name: O2C_KPIS[name] for name in _CASH},
    **_INVENTORY,
    **_COSTS,
}

#: The KPIs of a scenario with picking zones (:attr:`Scenario.zones`), name -> (unit,
#: description). They are in a result's ``kpis`` only when the scenario has zones, after
#: the :data:`KPIS`: ``consolidation_rate`` once, and each per-zone one for every zone of
#: every warehouse, named ``<kpi>[<warehouse>/<zone>]`` (``zone_utilisation[WH-EAST/A]``).
ZONE_KPIS: dict[str, tuple[str, str]] = {
    "zone_utilisation": (
        "ratio",
        "busy picker hours of one zone / its scheduled picker hours, over the arrival days",
    ),
    "zone_lines": ("lines", "pick lines picked in one zone (its load), over the arrival days"),
    "consolidation_rate": (
        "ratio",
        "orders whose parts came from several zones / orders packed (with zones)",
    ),
}
_PER_ZONE = ("zone_utilisation", "zone_lines")


def describe_kpi(name: str) -> tuple[str, str]:
    """The unit and description of a KPI of :data:`KPIS` or :data:`ZONE_KPIS`.

    >>> describe_kpi("zone_lines[WH-EAST/A]")[0]
    'lines'

    Raises:
        UnknownKpiError: No KPI has that name.
    """
    if name in KPIS:
        return KPIS[name]
    base, bracket, rest = name.partition("[")
    if (base in _PER_ZONE and bracket and rest.endswith("]")) or name == "consolidation_rate":
        return ZONE_KPIS[base]
    known = [*KPIS, "consolidation_rate", *(f"{kpi}[<warehouse>/<zone>]" for kpi in _PER_ZONE)]
    raise UnknownKpiError(name, known)


def zone_tag(event: SimEvent) -> str:
    """``"<warehouse>/<zone>"`` of a zone's ``picked`` tour (``""`` for another event)."""
    _, marked, zone = event.note.partition(", zone ")
    return f"{event.warehouse}/{zone}" if marked else ""


#: Ledger totals computed both from the log and from the desk.
TOTALS = (
    "orders",
    "units_ordered",
    "units_shipped",
    "units_delivered",
    "units_returned",
    "invoiced",
    "paid",
    "discounts",
    "credited",
)


def kpis_from_events(
    events: Iterable[SimEvent],
    scenario: Scenario,
    *,
    placed_from: float | None = None,
    placed_until: float | None = None,
) -> dict[str, float | None]:
    """Every KPI of :data:`KPIS` from an event log (``None`` when undefined, e.g. no orders).

    The order-to-cash KPIs come from :func:`~ordercycle.service.cycle_kpis.order_to_cash_kpis`
    (the promise is ``scenario.promise_days``; receivables count until the end of the
    drain), the warehouse ones from the pick, pack and ship records.

    Only orders placed in ``[placed_from, placed_until)`` hours count (by default from the
    end of the warm-up, :attr:`Scenario.warmup_days`, to the end): every event of another
    order is left out, and so are payments of its invoices. Events of no one order (picker
    tours, waves) count from ``placed_from`` on (and before ``placed_until``), and the
    utilisations divide their busy hours by the hours the role's shifts scheduled from
    ``placed_from`` to the end of the arrival days, or the last shipment counted if
    sooner (:meth:`Scenario.scheduled_hours`; tasks that end later are left out). See
    :func:`window_events`.
    """
    begin = scenario.warmup_days * 24.0 if placed_from is None else placed_from
    if begin > 0 or placed_until is not None:
        events = window_events(events, begin, placed_until)
    else:
        begin = 0.0
    log = list(events)
    shared = order_to_cash_kpis(
        log,
        promise_hours=scenario.promise_days * 24,
        horizon_hours=float((scenario.arrival_days + scenario.drain_days) * 24),
    )
    placed: dict[str, SimEvent] = {}
    packed: dict[str, list[SimEvent]] = defaultdict(list)
    shipped: dict[str, int] = defaultdict(int)
    last_shipped: dict[str, float] = {}
    wave_lines = 0
    wave_length = 0.0
    tour_lines = 0
    tour_length = 0.0
    picked_lines = 0
    picker_hours = 0.0
    short_lines = 0
    last_ship = 0.0
    tours: list[SimEvent] = []
    packed_at: dict[str, float] = {}
    dock_waits: list[float] = []
    pickups: dict[str, int] = defaultdict(int)
    for event in log:
        kind = event.kind
        if kind == "placed":
            placed[event.order_id] = event
        elif kind == "wave":
            wave_lines += event.quantity
            wave_length += event.measure
        elif kind == "picked":
            picked_lines += event.quantity
            picker_hours += event.measure
            tours.append(event)
            if event.amount:
                tour_lines += event.quantity
                tour_length += float(event.amount)
        elif kind == "packed":
            packed[event.order_id].append(event)
            packed_at[event.ref] = event.time
        elif kind == "shipped":
            last_ship = max(last_ship, event.time)
            shipped[event.order_id] += event.quantity
            last_shipped[event.order_id] = event.time
            if event.ref in packed_at:
                dock_waits.append(event.time - packed_at[event.ref])
            if event.note:
                pickups[event.note] += 1
        elif kind == "short":
            short_lines += 1
    # Orders shipped in full (the order-to-ship KPIs' orders) and those of them whose last
    # unit left on the day they were placed.
    in_full = [e for o, e in placed.items() if shipped.get(o, 0) == e.quantity]
    same_day = [e for e in in_full if int(last_shipped[e.order_id] // 24) == e.day]
    shipped_orders = len(packed)
    parcels = [e for group in packed.values() for e in group]
    # Utilisation is counted against the hours the workers were scheduled, not the clock.
    # Over the arrival days (the drain's shifts, with only stragglers to do, would dilute
    # it), or until the last shipment if that is sooner.
    end = min(last_ship, scenario.arrival_days * 24.0)
    scheduled = {role: scenario.scheduled_hours(role, begin, end) for role in ROLES}
    busy_picking = sum(e.measure for e in tours if e.time <= end)
    pack_hours = scenario.pack_seconds_per_order / 3600
    load_hours = scenario.load_seconds_per_parcel / 3600
    busy_packing = sum(pack_hours for e in parcels if e.time <= end)
    # Consolidating an order's zone totes is packer work too.
    consolidated = [e for e in log if e.kind == "consolidated"]
    busy_packing += sum(e.measure for e in consolidated if e.time <= end)
    busy_loading = sum(e.quantity * load_hours for e in parcels if e.time <= end)
    paid = sum(scenario.scheduled_hours(role, begin, last_ship) for role in ROLES)
    made = pickups["first pickup"]
    values: dict[str, float | None] = {
        **shared,
        "order_to_ship_mean": shared["order_to_ship_mean"],
        "order_to_ship_p90": shared["order_to_ship_p90"],
        "pick_travel_per_line": ratio(tour_length, tour_lines)
        if tour_lines
        else ratio(wave_length, wave_lines),
        "lines_per_picker_hour": ratio(picked_lines, picker_hours),
        "short_pick_rate": ratio(short_lines, picked_lines),
        "picker_utilisation": ratio(busy_picking, scheduled["pickers"]),
        "packer_utilisation": ratio(busy_packing, scheduled["packers"]),
        "dock_utilisation": ratio(busy_loading, scheduled["dock"]),
        "dock_wait_mean": statistics.fmean(dock_waits) if dock_waits else None,
        "same_day_ship_rate": ratio(len(same_day), len(in_full)),
        "cutoff_made_rate": ratio(made, made + pickups["missed cut-off"]),
        "shipments_per_order": ratio(len(parcels), shipped_orders),
        "cartons_per_order": ratio(sum(e.quantity for e in parcels), shipped_orders),
        "billable_weight_per_order": ratio(sum(e.measure for e in parcels), shipped_orders),
        "shipping_cost_per_order": ratio(float(sum(e.amount for e in parcels)), shipped_orders),
        **inventory_and_cost_kpis(
            log,
            scenario,
            staffed_hours=0.0,
            shipped_orders=shipped_orders,
            paid_hours=paid,
        ),
    }
    found = {name: values[name] for name in KPIS}
    if scenario.zones:
        found.update(_zone_kpis(scenario, tours, consolidated, shipped_orders, begin, end))
    return found


def _zone_kpis(
    scenario: Scenario,
    tours: list[SimEvent],
    consolidated: list[SimEvent],
    shipped_orders: int,
    begin: float,
    end: float,
) -> dict[str, float | None]:
    """The :data:`ZONE_KPIS` over the window ``begin`` to ``end`` (as the utilisations)."""
    busy: dict[str, float] = defaultdict(float)
    lines: dict[str, int] = defaultdict(int)
    for event in tours:
        if event.time <= end:
            tag = zone_tag(event)
            busy[tag] += event.measure
            lines[tag] += event.quantity
    consolidated_orders = len({e.order_id for e in consolidated})
    return _zone_values(scenario, busy, lines, consolidated_orders, shipped_orders, begin, end)


def _zone_values(
    scenario: Scenario,
    busy: dict[str, float],
    lines: dict[str, int],
    consolidated_orders: int,
    shipped_orders: int,
    begin: float,
    end: float,
) -> dict[str, float | None]:
    """The :data:`ZONE_KPIS` from busy hours and lines by zone tag (defaultdicts)."""
    values: dict[str, float | None] = {
        "consolidation_rate": ratio(consolidated_orders, shipped_orders)
    }
    for warehouse in scenario.warehouses:
        for zone in scenario.zones_of(warehouse.id):
            tag = f"{warehouse.id}/{zone.name}"
            scheduled = scenario.zone_hours(zone.name, begin, end, warehouse.id)
            values[f"zone_utilisation[{tag}]"] = ratio(busy[tag], scheduled)
            values[f"zone_lines[{tag}]"] = float(lines[tag])
    return values


def window_events(
    events: Iterable[SimEvent], begin: float, end: float | None = None
) -> list[SimEvent]:
    """The events of the orders placed in ``[begin, end)`` hours (``end=None``: no end).

    An event of an order is kept when the order was placed in the window; a payment,
    discount or settlement when its invoice belongs to such an order; an event of no order
    (a wave, a picker tour, a queue sample, a reorder) when it happened in the window.
    """
    listed = list(events)
    stop = math.inf if end is None else end
    kept = {e.order_id for e in listed if e.kind == "placed" and begin <= e.time < stop}
    invoices: set[str] = set()
    found = []
    for event in listed:
        if event.order_id:
            if event.order_id not in kept:
                continue
            if event.kind == "invoiced":
                invoices.add(event.ref)
        elif event.kind in ("applied", "discount", "settled"):
            if event.ref not in invoices:
                continue
        elif not begin <= event.time < stop:
            continue
        found.append(event)
    return found


def inventory_and_cost_kpis(
    events: Iterable[SimEvent],
    scenario: Scenario,
    *,
    staffed_hours: float,
    shipped_orders: int,
    paid_hours: float | None = None,
) -> dict[str, float | None]:
    """The inventory and cost KPIs of :data:`KPIS` (see *Costs and inventory* in the
    simulation explanation for the formulas).

    Args:
        events: The log, with its daily ``stock`` and ``backlog`` records.
        scenario: The scenario (its arrival days and cost rates).
        staffed_hours: Hours each picker and packer was paid for (the shift hours until
            the last shipment, as in the utilisation KPIs).
        shipped_orders: Orders with at least one shipment (the divisor of ``cost_per_order``).
        paid_hours: Worker hours paid in all (every role's scheduled shift hours, every
            warehouse); when given it replaces ``staffed_hours`` × the head count.
    """
    arrival_days = scenario.arrival_days
    units_on_hand = 0
    value_on_hand = Decimal(0)
    stock_days: set[int] = set()
    backlog_unit_days = 0
    shipped_units = 0
    shipped_goods = 0.0
    cartons = Decimal(0)
    shipping = Decimal(0)
    for event in events:
        kind = event.kind
        if kind == "stock":
            if event.day < arrival_days:
                stock_days.add(event.day)
                units_on_hand += event.quantity
                value_on_hand += event.amount
        elif kind == "backlog":
            backlog_unit_days += event.quantity
        elif kind == "shipped":
            cartons += event.amount
            if event.day < arrival_days:
                shipped_units += event.quantity
                shipped_goods += event.measure
        elif kind == "packed":
            shipping += event.amount
    return _inventory_and_cost_from_sums(
        scenario,
        stock_days=len(stock_days),
        units_on_hand=units_on_hand,
        value_on_hand=value_on_hand,
        backlog_unit_days=backlog_unit_days,
        shipped_units=shipped_units,
        shipped_goods=shipped_goods,
        cartons=cartons,
        shipping=shipping,
        staffed_hours=staffed_hours,
        shipped_orders=shipped_orders,
        paid_hours=paid_hours,
    )


def _inventory_and_cost_from_sums(
    scenario: Scenario,
    *,
    stock_days: int,
    units_on_hand: int,
    value_on_hand: Decimal,
    backlog_unit_days: int,
    shipped_units: int,
    shipped_goods: float,
    cartons: Decimal,
    shipping: Decimal,
    staffed_hours: float,
    shipped_orders: int,
    paid_hours: float | None = None,
) -> dict[str, float | None]:
    """:func:`inventory_and_cost_kpis` from the sums it takes of the log (a KPIs-only run
    adds them up as it goes): the days with ``stock`` records before the end of the
    arrivals, the units and value on hand summed over those records, the backlog's unit
    days, the units and goods value shipped before the end of the arrivals, the carton and
    shipping costs."""
    arrival_days = scenario.arrival_days
    days = stock_days
    average_units = units_on_hand / days if days else None
    average_value = float(value_on_hand) / days if days else None
    turns = (
        shipped_goods / average_value * 365 / arrival_days
        if average_value and arrival_days
        else None
    )
    supply = (
        average_units / (shipped_units / arrival_days)
        if average_units is not None and shipped_units
        else None
    )
    staff = (scenario.pickers + scenario.packers) * len(scenario.warehouses)
    hours = staff * staffed_hours if paid_hours is None else paid_hours
    labour = Decimal(scenario.labour_cost_per_hour) * Decimal(repr(hours))
    holding = value_on_hand * Decimal(repr(scenario.holding_cost_rate)) / 365
    backorder = Decimal(scenario.backorder_cost_per_unit_day) * backlog_unit_days
    costs = {
        "labour_cost": labour,
        "holding_cost": holding,
        "backorder_cost": backorder,
        "carton_cost": cartons,
        "shipping_cost": shipping,
    }
    total = sum(costs.values(), Decimal(0))
    cent = Decimal("0.01")
    return {
        "average_on_hand_units": average_units,
        "average_inventory_value": average_value,
        "inventory_turns": turns,
        "days_of_supply": supply,
        **{name: float(value.quantize(cent)) for name, value in costs.items()},
        "total_cost": float(total.quantize(cent)),
        "cost_per_order": float((total / shipped_orders).quantize(cent))
        if shipped_orders
        else None,
    }


def totals_from_events(events: Iterable[SimEvent]) -> dict[str, Any]:
    """The :data:`TOTALS` as the event log tells them."""
    totals: dict[str, Any] = dict.fromkeys(TOTALS[:5], 0)
    totals.update(dict.fromkeys(TOTALS[5:], Decimal(0)))
    for event in events:
        _add_to_totals(totals, event, event.kind)
    return totals


#: Event kind -> the total its ``quantity`` adds to ("placed" also counts an order).
_QUANTITY_TOTALS: Final = {
    "placed": "units_ordered",
    "shipped": "units_shipped",
    "delivered": "units_delivered",
    "returned": "units_returned",
}
#: Event kind -> the total its ``amount`` adds to.
_AMOUNT_TOTALS: Final = {
    "invoiced": "invoiced",
    "applied": "paid",
    "discount": "discounts",
    "credited": "credited",
}


def _add_to_totals(totals: dict[str, Any], event: SimEvent, kind: str) -> None:
    """Add what ``event`` (of ``kind``) counts towards the :data:`TOTALS`."""
    name = _QUANTITY_TOTALS.get(kind)
    if name is not None:
        totals[name] += event.quantity
        if kind == "placed":
            totals["orders"] += 1
    else:
        name = _AMOUNT_TOTALS.get(kind)
        if name is not None:
            totals[name] += event.amount


def totals_from_desk(desk: Any, *, finished: Any = None) -> dict[str, Any]:
    """The :data:`TOTALS` as the desk's orders and invoices tell them.

    ``finished`` (a :class:`~ordercycle.simulation.conservation.FinishedTally`) adds the
    orders and invoices the run forgot before the end.
    """
    totals: dict[str, Any] = dict.fromkeys(TOTALS[:5], 0)
    totals.update(dict.fromkeys(TOTALS[5:], Decimal(0)))
    if finished is not None:
        for name, value in finished.totals.items():
            totals[name] += value
    for order_id in desk.order_ids():
        order = desk.order(order_id)
        totals["orders"] += 1
        for line in order.lines:
            ledger = line.ledger
            totals["units_ordered"] += ledger.ordered
            totals["units_shipped"] += ledger.shipped
            totals["units_delivered"] += ledger.delivered
            totals["units_returned"] += ledger.returned
    for invoice in desk.invoices():
        totals["invoiced"] += invoice.total.amount
        totals["paid"] += invoice.paid.amount
        totals["discounts"] += invoice.discount_taken.amount
        totals["credited"] += invoice.credited.amount
    return totals
