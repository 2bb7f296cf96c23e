"""Customer history and statements, gathered through the read models' indexes."""

from __future__ import annotations

from datetime import date, timedelta

from ordercycle.errors import ValidationError
from ordercycle.invoicing import Invoice, Payment
from ordercycle.money import Currency, Money
from ordercycle.packing import Shipment
from ordercycle.service import _orders
from ordercycle.service._session import Session
from ordercycle.service._views import INVOICES, ORDERS, PAYMENTS, SHIPMENTS, all_rows
from ordercycle.service.history import CustomerHistory, ProductVolume
from ordercycle.service.listings import InvoiceListing, OrderListing
from ordercycle.service.order_money import OrderMoney
from ordercycle.service.statements import (
    Statement,
    StatementEntry,
    build_statement,
    entries_from_documents,
    entries_from_ledger,
)

__all__ = ["customer_history", "order_money", "statement"]


def _period(customer_id: str, start: object, end: object) -> tuple[date, date]:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, date):
            raise ValidationError.invalid(
                f"history of customer {customer_id}", name, value, "a date"
            )
    assert isinstance(start, date)
    assert isinstance(end, date)
    if end < start:
        raise ValidationError.invalid(
            f"history of customer {customer_id}", "end", end, f"a date on or after {start}"
        )
    return start, end


def _documents(s: Session, customer_id: str) -> tuple[list[Invoice], list[Payment]]:
    """Every invoice and payment of the customer (found by the customer's index)."""
    customer = (("customer", customer_id),)
    invoices = [s.invoice(r.key)[0] for r in all_rows(s.uow, INVOICES, customer, None, None)]
    payments = [
        s.require("payment", r.key, Payment)
        for r in all_rows(s.uow, PAYMENTS, customer, None, None)
    ]
    return invoices, payments


def _entries(
    s: Session, customer_id: str, invoices: list[Invoice], payments: list[Payment]
) -> tuple[list[StatementEntry], Currency | str]:
    """The statement's movements: the account ledger's entries, or (for an account stored
    before the desk kept a ledger) its documents."""
    stored = _orders._account(s, customer_id).ledger
    if stored is None:
        return entries_from_documents(invoices, payments), s.settings.currency
    posted = [
        entry
        for event in s.uow.events.load("account", customer_id)
        for entry in getattr(event, "entries", ())
    ]
    numbers = {i.invoice_id: i.number for i in invoices if i.number is not None}
    earlier = entries_from_documents(invoices, payments) if stored.version else []
    found = entries_from_ledger(stored, posted, numbers=numbers, documents=earlier)
    return found, stored.currency


def statement(s: Session, customer_id: str, start: object, end: object) -> Statement:
    """The customer's statement of account from ``start`` to ``end`` (both included)."""
    _orders.customer(s, customer_id)
    first, last = _period(customer_id, start, end)
    invoices, payments = _documents(s, customer_id)
    entries, currency = _entries(s, customer_id, invoices, payments)
    return build_statement(customer_id, entries, start=first, end=last, currency=currency)


def customer_history(s: Session, customer_id: str, start: object, end: object) -> CustomerHistory:
    """Orders, volumes, shipments, invoices, payments, credits and the statement of a period."""
    _orders.customer(s, customer_id)
    first, last = _period(customer_id, start, end)
    customer = (("customer", customer_id),)
    low, high = first.isoformat(), (last + timedelta(days=1)).isoformat()
    listed = [
        OrderListing.from_data(r.loads(), r.version)
        for r in all_rows(s.uow, ORDERS, customer, low, high)
    ]
    volumes: dict[str, dict[str, int]] = {}
    amounts: dict[str, Money] = {}
    shipments: list[Shipment] = []
    for listing in listed:
        order = s.order(listing.order_id)
        seen: set[str] = set()
        for line in order.lines:
            sku, ledger = str(line.sku), line.ledger
            volume = volumes.setdefault(
                sku, {"orders": 0, "ordered": 0, "shipped": 0, "delivered": 0, "returned": 0}
            )
            if sku not in seen and ledger.active:
                volume["orders"] += 1
                seen.add(sku)
            volume["ordered"] += ledger.active
            volume["shipped"] += ledger.shipped
            volume["delivered"] += ledger.delivered
            volume["returned"] += ledger.returned
            amount = line.amount(ledger.active)
            amounts[sku] = amounts.get(sku, Money.zero(amount.currency)) + amount
        for row in all_rows(s.uow, SHIPMENTS, (("order", listing.order_id),), None, None):
            shipments.append(s.require("shipment", row.key, Shipment))
    invoices, payments = _documents(s, customer_id)
    entries, currency = _entries(s, customer_id, invoices, payments)
    in_period = [i for i in invoices if first <= i.invoice_date <= last]
    invoice_rows = [
        InvoiceListing.from_data(r.loads(), r.version)
        for r in all_rows(s.uow, INVOICES, customer, None, None)
    ]
    return CustomerHistory(
        customer_id=customer_id,
        start=first,
        end=last,
        orders=tuple(listed),
        products=tuple(
            ProductVolume(sku=sku, amount=amounts[sku], **volumes[sku])
            for sku in sorted(volumes)
            if any(volumes[sku].values())
        ),
        shipments=tuple(sorted(shipments, key=lambda x: (x.packed_at, x.shipment_id))),
        invoices=tuple(
            r for r in invoice_rows if r.invoice_id in {i.invoice_id for i in in_period}
        ),
        payments=tuple(
            sorted(
                (p for p in payments if first <= p.paid_on <= last),
                key=lambda p: (p.paid_on, p.payment_id),
            )
        ),
        credit_notes=tuple(
            sorted(
                (n for i in invoices for n in i.credit_notes if first <= n.issued_on <= last),
                key=lambda n: (n.issued_on, n.credit_note_id),
            )
        ),
        statement=build_statement(customer_id, entries, start=first, end=last, currency=currency),
    )


def order_money(s: Session, order_id: str) -> OrderMoney:
    """The order's net figures beside its invoices' and credit notes' gross ones."""
    order = s.order(order_id)
    zero = Money.zero(order.currency)
    sums = dict.fromkeys(
        (
            "net_goods",
            "charges",
            "tax",
            "invoiced",
            "credited",
            "credited_net",
            "paid",
            "discount_taken",
            "written_off",
            "open",
            "credit",
        ),
        zero,
    )
    for document in order.invoices:
        invoice, meta = s.invoice(document.document_id)
        if invoice.state in ("draft", "canceled"):
            continue
        charges = Money.sum(
            (
                taxes.untaxed
                for taxes, line_id in zip(invoice.taxes.lines, meta.line_ids, strict=False)
                if not line_id
            ),
            currency=invoice.currency,
        )
        moved = {
            "net_goods": invoice.taxes.untaxed - charges,
            "charges": charges,
            "tax": invoice.taxes.tax,
            "invoiced": invoice.total,
            "credited": invoice.credited,
            "credited_net": Money.sum(
                (n.untaxed - n.restocking_fee for n in invoice.credit_notes),
                currency=invoice.currency,
            ),
            "paid": invoice.paid,
            "discount_taken": invoice.discount_taken,
            "written_off": invoice.written_off,
            "open": invoice.balance,
            "credit": Money.sum(
                (n.refund for n in invoice.credit_notes), currency=invoice.currency
            ),
        }
        sums = {name: sums[name] + moved[name] for name in sums}
    return OrderMoney(
        order_id=order.id,
        customer_id=order.customer_id,
        net_due=order.amount_due,
        net_paid=order.amount_paid,
        **sums,
    )
