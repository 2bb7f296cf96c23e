"""Order-to-cash KPIs from an event log: one definition for simulated and real data.

:func:`order_to_cash_kpis` reads a log of :class:`~ordercycle.service.cycle_log.SimEvent`
records (times in hours from the start of the period) and computes every KPI of
:data:`O2C_KPIS`. A simulation run passes its own log
(:func:`ordercycle.simulation.kpis.kpis_from_events` adds the warehouse KPIs); the desk
builds the same log from its orders, shipments and invoices
(``desk.order_to_cash_report(...)``), so a simulated month and a real one compare line by
line.

>>> from decimal import Decimal
>>> log = [
...     SimEvent(time=0, kind="placed", order_id="O-1", quantity=2, measure=1, ref="C-1"),
...     SimEvent(time=1, kind="allocated", order_id="O-1", quantity=2, measure=1, note="0"),
...     SimEvent(time=20, kind="shipped", order_id="O-1", ref="S-1", quantity=2),
...     SimEvent(time=48, kind="delivered", order_id="O-1", ref="S-1", quantity=2),
...     SimEvent(time=49, kind="invoiced", order_id="O-1", ref="I-1", amount=Decimal(10)),
...     SimEvent(time=97, kind="applied", ref="I-1", amount=Decimal(10)),
...     SimEvent(time=97, kind="settled", ref="I-1"),
... ]
>>> k = order_to_cash_kpis(log, promise_hours=72, horizon_hours=120)
>>> k["cycle_time_mean"], k["order_to_ship_mean"], k["order_to_cash_days"], k["dso"]
(2.0, 20.0, 4.041666666666667, 2.0)
>>> k["on_time_in_full"], k["perfect_order_rate"]
(1.0, 1.0)
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ordercycle.service.cycle_log import SimEvent

__all__ = ["O2C_KPIS", "dso", "order_to_cash_kpis", "percentile", "ratio"]

#: KPI name -> (unit, description): the order-to-cash KPIs both logs share, in report order.
O2C_KPIS: dict[str, tuple[str, str]] = {
    "orders": ("orders", "orders placed"),
    "units_ordered": ("units", "units ordered"),
    "unit_fill_rate": ("ratio", "units allocated at once / units ordered"),
    "line_fill_rate": ("ratio", "lines allocated in full at once / lines ordered"),
    "order_fill_rate": ("ratio", "orders allocated in full at once / orders"),
    "backorder_rate": ("ratio", "orders with a backorder at first allocation / orders"),
    "on_time_in_full": (
        "ratio",
        "orders delivered in full by the promise date / orders not canceled",
    ),
    "perfect_order_rate": (
        "ratio",
        "orders delivered on time in full, with nothing returned or credited / orders not canceled",
    ),
    "cancel_rate": ("ratio", "orders canceled (by the customer or credit control) / orders"),
    "credit_hold_rate": ("ratio", "orders put on credit hold when confirmed / orders"),
    "cycle_time_mean": ("days", "order placed to last delivery, delivered orders"),
    "cycle_time_p90": ("days", "90th percentile of the order cycle time"),
    "cycle_time_variance": ("days^2", "variance of the order cycle time"),
    "order_to_ship_mean": (
        "hours",
        "order placed to its last unit shipped, orders shipped in full (no carrier transit)",
    ),
    "order_to_ship_p90": ("hours", "90th percentile of the order-to-ship time"),
    "revenue_invoiced": ("currency", "total invoiced"),
    "cash_collected": ("currency", "payments applied to invoices"),
    "cash_conversion": ("ratio", "cash collected / total invoiced"),
    "discounts_taken": ("currency", "early-payment discounts taken"),
    "dso": ("days", "days sales outstanding: time integral of receivables / sales"),
    "order_to_cash_days": ("days", "order placed to its last invoice paid, paid orders"),
    "units_returned": ("units", "units returned"),
}


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or ``None`` when ``whole`` is zero."""
    return part / whole if whole else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile by linear interpolation (the default of numpy and pandas).

    Only the values on the quantile's side of the median are ordered (:mod:`heapq`), not a
    sorted copy of all of them: a long run's p90 holds a tenth of its values at once. The
    two order statistics and the interpolation are those of a full sort, so the result is
    the same to the bit.
    """
    count = len(values)
    if not count:
        return None
    spot = (count - 1) * q
    low, high = math.floor(spot), math.ceil(spot)
    if q >= 0.5:
        # Descending: the i-th smallest value is top[count - 1 - i], for every i >= low.
        top = heapq.nlargest(count - low, values)
        at_low, at_high = top[count - 1 - low], top[count - 1 - high]
    else:
        bottom = heapq.nsmallest(high + 1, values)
        at_low, at_high = bottom[low], bottom[high]
    return at_low + (at_high - at_low) * (spot - low)


def dso(flows: list[tuple[float, Decimal]], end: float) -> float | None:
    """Days a unit of sales stays outstanding: the time integral of receivables / sales.

    ``flows`` are ``(hour, change of receivables)``; open amounts count until ``end``.
    """
    sales = sum((amount for _, amount in flows if amount > 0), Decimal(0))
    if not sales:
        return None
    integral = sum((amount * Decimal(repr(end - hour)) for hour, amount in flows), Decimal(0))
    return float(integral / sales / 24)


def order_to_cash_kpis(
    events: Iterable[SimEvent], *, promise_hours: float, horizon_hours: float
) -> dict[str, float | None]:
    """Every KPI of :data:`O2C_KPIS` (``None`` where undefined, e.g. no delivered orders).

    Args:
        events: The log (see :data:`~ordercycle.service.cycle_log.EVENT_KINDS`).
        promise_hours: Hours from placing to the promised delivery (on time in full).
        horizon_hours: The end of the period measured: open receivables count until then.
    """
    placed: dict[str, SimEvent] = {}
    allocated: dict[str, SimEvent] = {}
    delivered: dict[str, int] = defaultdict(int)
    last_delivery: dict[str, float] = {}
    shipped: dict[str, int] = defaultdict(int)
    last_ship: dict[str, float] = {}
    invoices: dict[str, SimEvent] = {}
    settled: dict[str, float] = {}
    flows: list[tuple[float, Decimal]] = []
    spoiled: set[str] = set()
    credited_invoices: set[str] = set()
    returned = 0
    canceled = 0
    held = 0
    discounts = Decimal(0)
    collected = Decimal(0)
    for event in events:
        kind = event.kind
        if kind == "placed":
            placed[event.order_id] = event
        elif kind == "allocated":
            allocated[event.order_id] = event
        elif kind == "shipped":
            shipped[event.order_id] += event.quantity
            last_ship[event.order_id] = max(event.time, last_ship.get(event.order_id, event.time))
        elif kind == "delivered":
            delivered[event.order_id] += event.quantity
            last_delivery[event.order_id] = event.time
        elif kind == "invoiced":
            invoices[event.ref] = event
            flows.append((event.time, event.amount))
        elif kind in ("applied", "discount", "credited"):
            flows.append((event.time, -event.amount))
            if kind == "discount":
                discounts += event.amount
            elif kind == "applied":
                collected += event.amount
            else:
                credited_invoices.add(event.ref)
                spoiled.add(event.order_id)
        elif kind == "settled":
            settled[event.ref] = event.time
        elif kind == "returned":
            returned += event.quantity
            spoiled.add(event.order_id)
        elif kind == "canceled":
            canceled += 1
        elif kind == "held":
            held += 1
    orders = len(placed)
    units = sum(e.quantity for e in placed.values())
    lines = sum(e.measure for e in placed.values())
    complete = [
        o for o, e in allocated.items() if e.quantity == placed[o].quantity and e.note == "0"
    ]
    in_full = [o for o, e in placed.items() if delivered.get(o, 0) == e.quantity]
    on_time = [o for o in in_full if last_delivery[o] <= placed[o].time + promise_hours]
    cycle = [(last_delivery[o] - placed[o].time) / 24 for o in in_full]
    # Hours, like the warehouse KPIs: the time an order waits in the warehouse.
    to_ship = [last_ship[o] - e.time for o, e in placed.items() if shipped.get(o, 0) == e.quantity]
    invoice_orders: dict[str, list[str]] = defaultdict(list)
    for invoice_id, event in sorted(invoices.items()):
        invoice_orders[event.order_id].append(invoice_id)
    for invoice_id in credited_invoices:
        if invoice_id in invoices:
            spoiled.add(invoices[invoice_id].order_id)
    # A set for the membership test: the list made this quadratic in the orders (2 s of a
    # 20,000-order simulation's results, two minutes of a 100,000-order one's).
    delivered_in_full = set(in_full)
    to_cash = [
        (max(settled[i] for i in ids) - placed[o].time) / 24
        for o, ids in sorted(invoice_orders.items())
        if o in delivered_in_full and all(i in settled for i in ids)
    ]
    revenue = sum((e.amount for e in invoices.values()), Decimal(0))
    return {
        "orders": float(orders),
        "units_ordered": float(units),
        "unit_fill_rate": ratio(sum(e.quantity for e in allocated.values()), units),
        "line_fill_rate": ratio(sum(e.measure for e in allocated.values()), lines),
        "order_fill_rate": ratio(len(complete), orders),
        "backorder_rate": ratio(sum(1 for e in allocated.values() if e.note != "0"), orders),
        "on_time_in_full": ratio(len(on_time), orders - canceled),
        "perfect_order_rate": ratio(sum(1 for o in on_time if o not in spoiled), orders - canceled),
        "cancel_rate": ratio(canceled, orders),
        "credit_hold_rate": ratio(held, orders),
        "cycle_time_mean": statistics.fmean(cycle) if cycle else None,
        "cycle_time_p90": percentile(cycle, 0.9),
        "cycle_time_variance": statistics.pvariance(cycle) if cycle else None,
        "order_to_ship_mean": statistics.fmean(to_ship) if to_ship else None,
        "order_to_ship_p90": percentile(to_ship, 0.9),
        "revenue_invoiced": float(revenue),
        "cash_collected": float(collected),
        "cash_conversion": ratio(float(collected), float(revenue)),
        "discounts_taken": float(discounts),
        "dso": dso(flows, horizon_hours),
        "order_to_cash_days": statistics.fmean(to_cash) if to_cash else None,
        "units_returned": float(returned),
    }
