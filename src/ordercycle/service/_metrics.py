"""The desk's order-to-cash event log, written from its order, shipment and invoice streams."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ordercycle.errors import ValidationError
from ordercycle.invoicing.events import (
    CreditNoteIssued,
    InvoiceDrafted,
    InvoiceIssued,
    PaymentApplied,
)
from ordercycle.model.order.events import (
    OrderCanceled,
    OrderHoldPlaced,
    OrderLineAllocated,
    OrderLineBackordered,
    OrderReturnReceived,
)
from ordercycle.model.order.policies import HoldReason
from ordercycle.packing import Shipment
from ordercycle.service._session import Session
from ordercycle.service._views import INVOICES, ORDERS, SHIPMENTS, all_rows
from ordercycle.service.cycle_kpis import order_to_cash_kpis
from ordercycle.service.cycle_log import SimEvent
from ordercycle.service.metrics import CashPeriod, KpiValue, OrderToCashReport, kpi_values

__all__ = ["order_to_cash_report"]


def _check(start: object, end: object, promise_days: object) -> tuple[date, date, int]:
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValidationError.invalid("order-to-cash report", name, value, "a date")
    assert isinstance(start, date)
    assert isinstance(end, date)
    if end < start:
        raise ValidationError.invalid(
            "order-to-cash report", "end", end, f"a date on or after {start}"
        )
    if isinstance(promise_days, bool) or not isinstance(promise_days, int) or promise_days < 0:
        raise ValidationError.invalid(
            "order-to-cash report", "promise_days", promise_days, "an integer >= 0"
        )
    return start, end, promise_days


def order_to_cash_report(
    s: Session, start: object, end: object, promise_days: object, as_of: object = None
) -> OrderToCashReport:
    """Measure the orders placed from ``start`` to ``end`` (both included)."""
    first, last, promise = _check(start, end, promise_days)
    if as_of is not None and (
        not isinstance(as_of, datetime) or as_of.tzinfo is None or as_of.utcoffset() is None
    ):
        raise ValidationError.invalid(
            "order-to-cash report", "as_of", as_of, "None or a timezone-aware datetime"
        )
    until = s.now if as_of is None else as_of
    origin = datetime.combine(first, time(), tzinfo=UTC)

    def hours(instant: datetime) -> float:
        return (instant - origin).total_seconds() / 3600

    low, high = first.isoformat(), (last + timedelta(days=1)).isoformat()
    log: list[SimEvent] = []
    customers: dict[str, str] = {}
    channels: dict[str, str] = {}
    for row in all_rows(s.uow, ORDERS, (), low, high):
        order = s.order(row.key)
        customers[order.id] = order.customer_id
        channels[order.id] = order.channel
        log.extend(_order_events(s, order.id, hours))
        for found in all_rows(s.uow, SHIPMENTS, (("order", order.id),), None, None):
            shipment = s.require("shipment", found.key, Shipment)
            units = sum(line.quantity for line in shipment.lines)
            for kind, at in (
                ("shipped", shipment.shipped_at),
                ("delivered", shipment.delivered_at),
            ):
                if at is not None:
                    log.append(
                        SimEvent(
                            time=hours(at),
                            kind=kind,
                            order_id=order.id,
                            ref=shipment.shipment_id,
                            warehouse=shipment.warehouse,
                            quantity=units,
                        )
                    )
        for found in all_rows(s.uow, INVOICES, (("order", order.id),), None, None):
            log.extend(_invoice_events(s, order.id, found.key, hours))
    log.sort(key=lambda e: (e.time, e.order_id, e.kind, e.ref))
    horizon = hours(until)
    values: list[KpiValue] = []
    overall = order_to_cash_kpis(log, promise_hours=promise * 24, horizon_hours=horizon)
    values.extend(kpi_values("overall", "all", overall))
    for scope, groups in (("customer", customers), ("channel", channels)):
        members: dict[str, set[str]] = defaultdict(set)
        for order_id, group in groups.items():
            members[group].add(order_id)
        for group in sorted(members):
            part = [e for e in log if e.order_id in members[group]]
            measured = order_to_cash_kpis(part, promise_hours=promise * 24, horizon_hours=horizon)
            values.extend(kpi_values(scope, group, measured))
    return OrderToCashReport(
        start=first,
        end=last,
        promise_days=promise,
        values=tuple(values),
        periods=_periods(log, origin),
        events=tuple(log),
    )


def _order_events(s: Session, order_id: str, hours: Callable[[datetime], float]) -> list[SimEvent]:
    order = s.order(order_id)
    found = [
        SimEvent(
            time=hours(order.created_at),
            kind="placed",
            order_id=order_id,
            ref=order.customer_id,
            quantity=sum(line.ledger.ordered for line in order.lines),
            measure=float(len(order.lines)),
        )
    ]
    allocation: list[OrderLineAllocated | OrderLineBackordered] = []
    for event in s.uow.events.load("order", order_id):
        if isinstance(event, OrderLineAllocated | OrderLineBackordered):
            if not allocation or event.occurred_at == allocation[0].occurred_at:
                allocation.append(event)
        elif isinstance(event, OrderCanceled):
            found.append(
                SimEvent(time=hours(event.occurred_at), kind="canceled", order_id=order_id)
            )
        elif isinstance(event, OrderHoldPlaced) and event.reason is HoldReason.CREDIT:
            found.append(SimEvent(time=hours(event.occurred_at), kind="held", order_id=order_id))
        elif isinstance(event, OrderReturnReceived):
            found.append(
                SimEvent(
                    time=hours(event.occurred_at),
                    kind="returned",
                    order_id=order_id,
                    ref=event.return_id,
                    quantity=event.quantity,
                )
            )
    if allocation:
        allocated: dict[str, int] = defaultdict(int)
        backordered = 0
        for event in allocation:
            if isinstance(event, OrderLineAllocated):
                allocated[event.line_id] += event.quantity
            else:
                backordered += event.quantity
        complete = sum(
            1 for line in order.lines if allocated.get(line.line_id, 0) == line.ledger.ordered
        )
        found.append(
            SimEvent(
                time=hours(allocation[0].occurred_at),
                kind="allocated",
                order_id=order_id,
                quantity=sum(allocated.values()),
                measure=float(complete),
                note=str(backordered),
            )
        )
    return found


def _invoice_events(
    s: Session, order_id: str, invoice_id: str, hours: Callable[[datetime], float]
) -> list[SimEvent]:
    found: list[SimEvent] = []
    total = Decimal(0)
    for event in s.uow.events.load("invoice", invoice_id):
        at = hours(event.occurred_at)
        if isinstance(event, InvoiceDrafted):
            total = event.total.amount
        elif isinstance(event, InvoiceIssued):
            found.append(
                SimEvent(time=at, kind="invoiced", amount=total, order_id=order_id, ref=invoice_id)
            )
        elif isinstance(event, PaymentApplied):
            at = hours(_paid_at(s, event.payment_id, event.paid_on))
            found.append(
                SimEvent(
                    time=at,
                    kind="applied",
                    amount=event.applied.amount,
                    order_id=order_id,
                    ref=invoice_id,
                )
            )
            if not event.discount.is_zero:
                found.append(
                    SimEvent(
                        time=at,
                        kind="discount",
                        amount=event.discount.amount,
                        order_id=order_id,
                        ref=invoice_id,
                    )
                )
            if event.state == "paid":
                found.append(SimEvent(time=at, kind="settled", order_id=order_id, ref=invoice_id))
        elif isinstance(event, CreditNoteIssued):
            found.append(
                SimEvent(
                    time=at,
                    kind="credited",
                    amount=event.total.amount,
                    order_id=order_id,
                    ref=invoice_id,
                )
            )
    return found


def _paid_at(s: Session, payment_id: str, paid_on: date) -> datetime:
    """When a payment counts: the instant the desk recorded it, if that was on its paid-on
    date, else noon (UTC) of the paid-on date, as the simulation pays."""
    recorded = s.uow.events.load("payment", payment_id) if payment_id else ()
    if recorded and recorded[0].occurred_at.astimezone(UTC).date() == paid_on:
        return recorded[0].occurred_at
    return datetime.combine(paid_on, time(12), tzinfo=UTC)


def _periods(log: list[SimEvent], origin: datetime) -> tuple[CashPeriod, ...]:
    invoiced: dict[date, Decimal] = defaultdict(Decimal)
    collected: dict[date, Decimal] = defaultdict(Decimal)
    for event in log:
        if event.kind not in ("invoiced", "applied"):
            continue
        day = (origin + timedelta(hours=event.time)).date()
        month = day.replace(day=1)
        target = invoiced if event.kind == "invoiced" else collected
        target[month] += event.amount
    months = sorted(set(invoiced) | set(collected))
    return tuple(
        CashPeriod(
            period=m,
            invoiced=invoiced[m],
            collected=collected[m],
            conversion=float(collected[m] / invoiced[m]) if invoiced[m] else None,
        )
        for m in months
    )
