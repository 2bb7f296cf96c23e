"""Billing commands: invoice on terms, payments, returns and credit notes."""

from __future__ import annotations

from decimal import Decimal

from ordercycle.invoicing import (
    Invoice,
    InvoiceLine,
    Payment,
    PaymentTerms,
    apply_payment,
    order_line_invoice_lines,
)
from ordercycle.model.order import Order, OrderLine
from ordercycle.model.order.policies import ReturnCondition, ReturnStatus
from ordercycle.money import Money
from ordercycle.service import _receivables
from ordercycle.service._command_handlers import handles
from ordercycle.service._orders import _account, customer, set_exposure, update_account
from ordercycle.service._session import InvoiceMeta, Session
from ordercycle.service.commands import (
    AuthorizeReturn,
    InvoiceOrder,
    IssueCreditNote,
    ReceiveReturn,
    RecordPayment,
    RequestReturn,
)
from ordercycle.service.errors import DeskCommandError
from ordercycle.service.records import DeskPaymentReceived
from ordercycle.service.results import CommandResult

_OPEN = ("issued", "partially_paid")

__all__ = [
    "authorize_return",
    "invoice_order",
    "issue_credit_note",
    "receive_return",
    "record_payment",
    "request_return",
]


@handles(InvoiceOrder)
def invoice_order(s: Session, c: InvoiceOrder) -> CommandResult:
    """Invoice what the order's invoice policy allows, issued at once on the order's terms."""
    order = s.order(c.order_id)
    buyer = customer(s, order.customer_id)
    policy = order.invoice_policy
    quantities: dict[str, int] = {}
    billed: list[OrderLine] = []  # the lines of ``quantities``, in order (no second look-up)
    for line in order.lines:
        invoiceable = line.ledger.invoiceable(policy)  # asked once per line, not twice
        if invoiceable > 0:
            quantities[line.line_id] = invoiceable
            billed.append(line)
    if not quantities:
        raise DeskCommandError(
            f"invoice {order.subject}",
            f"no units are invoiceable under its {order.invoice_policy.value} invoice policy",
        )
    profile = s.settings.tax_profile(buyer.tax_profile, subject=f"customer {buyer.id}")
    every_rate = tuple(rate.code for rate in profile.rates)
    lines: list[InvoiceLine] = []
    line_ids: list[str] = []
    for line in billed:
        line_id = line.line_id
        made = order_line_invoice_lines(
            line,
            quantities[line_id],
            (line.tax_code,) if line.tax_code else every_rate,
            f"{line.sku} (order {order.id}, line {line_id})",
            f"order {order.id}",
        )
        lines.extend(made)
        line_ids.extend([line_id] * len(made))
    invoice_id = s.new_id("invoice", "invoice")
    terms = PaymentTerms.parse(order.payment_terms or buyer.payment_terms)
    draft, _ = Invoice.draft(invoice_id, buyer.id, lines, profile, terms, s.today, at=s.now)
    issued, _ = draft.issue(s.invoice_series(), at=s.now)
    s.save_invoice(issued, InvoiceMeta(order.id, tuple(line_ids)), 0)
    s.save_order(order.record_invoice(invoice_id, quantities, at=s.now))
    order = s.order(order.id)
    _receivables.remember_number(s, issued)
    _receivables.post(
        s,
        buyer.id,
        issued.currency,
        lambda a: a.post_invoice(invoice_id, issued.total, issued.invoice_date),
        f"invoice {invoice_id}",
    )
    done = all(line.ledger.net_invoiced >= line.ledger.active for line in order.lines)
    update_account(
        s,
        buyer.id,
        f"invoice {invoice_id}",
        add_invoices=(invoice_id,),
        drop_orders=(order.id,) if done else (),
        balance_change=s.balance_moved(buyer.id, issued.currency),
    )
    set_exposure(s, order, f"invoice {invoice_id}")
    schedule = issued.schedule
    assert schedule is not None
    details = {
        "invoice_id": invoice_id,
        "order_id": order.id,
        "number": issued.number,
        "total": str(issued.total),
        "terms": terms.name,
        "due_dates": [i.due_date.isoformat() for i in schedule.installments],
    }
    if schedule.discount is not None and schedule.discount_deadline is not None:
        details["discount"] = str(schedule.discount)
        details["discount_deadline"] = schedule.discount_deadline.isoformat()
    return CommandResult(command="InvoiceOrder", aggregate_id=invoice_id, details=details)


@handles(RecordPayment)
def record_payment(s: Session, c: RecordPayment) -> CommandResult:
    """Apply a payment to the customer's open invoices, oldest due first."""
    buyer = customer(s, c.customer_id)
    payment_id = s.new_id("payment", "payment") if c.payment_id is None else c.payment_id
    if c.payment_id is not None and s.exists("payment", payment_id):
        raise DeskCommandError(f"record payment {payment_id}", "a payment with this id exists")
    paid_on = c.paid_on or s.today
    account = _account(s, buyer.id)
    chosen = tuple(_receivables.resolve_invoice(s, i) for i in c.invoice_ids)
    loaded = [s.invoice(i) for i in chosen or account.open_invoice_ids]
    for invoice, _meta in loaded:
        if invoice.customer_id != buyer.id:
            raise DeskCommandError(
                f"record payment {payment_id} of customer {buyer.id}",
                f"invoice {invoice.invoice_id} was issued to customer {invoice.customer_id}",
            )
    base = _receivables.ledger(s, buyer.id, c.amount.currency)
    received, _ = Payment.receive(payment_id, buyer.id, c.amount, paid_on, at=s.now)
    result = apply_payment([inv for inv, _ in loaded], payment_id, c.amount, paid_on)
    payment = received.allocate(result, at=s.now).aggregate if result.records else received
    by_id = {inv.invoice_id: (inv, meta) for inv, meta in loaded}
    for updated in result.invoices:
        before, meta = by_id[updated.invoice_id]
        if updated.version != before.version:
            s.save_invoice(updated, meta, before.version)
    s.put("payment", payment_id, DeskPaymentReceived, payment, "received")
    applications = payment.applications
    _receivables.post(
        s,
        buyer.id,
        c.amount.currency,
        lambda a: a.post_payment(
            payment_id,
            c.amount,
            paid_on,
            applied={x.invoice_id: x.applied for x in applications},
            discounts={x.invoice_id: x.discount for x in applications if x.discount},
        ),
        f"payment {payment_id}",
        base=base,
    )
    settled = tuple(i.invoice_id for i in result.invoices if i.state not in _OPEN)
    update_account(
        s,
        buyer.id,
        f"payment {payment_id}",
        drop_invoices=settled,
        balance_change=s.balance_moved(buyer.id, c.amount.currency),
    )
    return CommandResult(
        command="RecordPayment",
        aggregate_id=payment_id,
        details={
            "applied": {a.invoice_id: str(a.applied) for a in applications},
            "discounts": {a.invoice_id: str(a.discount) for a in applications if a.discount},
            "unapplied": str(payment.unapplied),
        },
    )


@handles(RequestReturn)
def request_return(s: Session, c: RequestReturn) -> CommandResult:
    """Open a return (RMA) for delivered units of one line."""
    order = s.order(c.order_id)
    return_id = s.new_id("return", "return")
    order = s.save_order(
        order.request_return(
            return_id, line_id=c.line_id, quantity=c.quantity, reason=c.reason, at=s.now
        )
    )
    return CommandResult(
        command="RequestReturn", aggregate_id=order.id, details={"return_id": return_id}
    )


@handles(AuthorizeReturn)
def authorize_return(s: Session, c: AuthorizeReturn) -> CommandResult:
    """Authorize a requested return with an optional restocking-fee rate."""
    order = s.order(c.order_id)
    order = s.save_order(
        order.authorize_return(
            c.return_id, at=s.now, by="desk", restocking_fee_rate=Decimal(c.restocking_fee_rate)
        )
    )
    return CommandResult(
        command="AuthorizeReturn", aggregate_id=order.id, details={"return_id": c.return_id}
    )


@handles(ReceiveReturn)
def receive_return(s: Session, c: ReceiveReturn) -> CommandResult:
    """Receive an authorized return (the return handler restocks it)."""
    order = s.order(c.order_id)
    order = s.save_order(order.receive_return(c.return_id, c.condition, at=s.now))
    return CommandResult(
        command="ReceiveReturn",
        aggregate_id=order.id,
        details={
            "return_id": c.return_id,
            "condition": ReturnCondition(c.condition).value,
        },
    )


def _billing_invoice(
    s: Session, order: Order, line_id: str, quantity: int
) -> tuple[str, tuple[int, ...]]:
    """The newest invoice of the order with ``quantity`` uncredited units of ``line_id``.

    Returns its id and the indices of the line's goods line and discount lines on it.
    """
    for document in reversed(order.invoices):
        invoice, meta = s.invoice(document.document_id)
        indices = meta.indices(line_id)
        if not indices:
            continue
        index = indices[0]
        left = invoice.lines[index].quantity - invoice.credited_quantity(index)
        if left >= quantity:
            return document.document_id, indices
    raise DeskCommandError(
        f"credit {quantity} units of line {line_id} of {order.subject}",
        "no invoice of the order has that many uncredited units of the line",
    )


@handles(IssueCreditNote)
def issue_credit_note(s: Session, c: IssueCreditNote) -> CommandResult:
    """Credit a received return on the invoice that billed it (less the restocking fee)."""
    order = s.order(c.order_id)
    rma = order.return_authorization(c.return_id)
    if rma.status is not ReturnStatus.RECEIVED:
        raise DeskCommandError(
            f"credit return {c.return_id} of {order.subject}",
            f"it is {rma.status.value}; receive it first",
        )
    credit_id = f"CN-{c.return_id}"
    if any(doc.document_id == credit_id for doc in order.credit_notes):
        raise DeskCommandError(
            f"credit return {c.return_id} of {order.subject}", f"credit note {credit_id} exists"
        )
    invoice_id, indices = _billing_invoice(s, order, rma.line_id, rma.quantity)
    invoice, meta = s.invoice(invoice_id)
    base = _receivables.ledger(s, order.customer_id, invoice.currency)
    credited, _ = invoice.credit(
        credit_id,
        s.today,
        dict.fromkeys(indices, rma.quantity),
        restocking_fee_percent=rma.restocking_fee_rate * 100,
        respect_discount=True,
        at=s.now,
    )
    note = credited.credit_notes[-1]
    s.save_invoice(credited, meta, invoice.version)
    _receivables.post(
        s,
        order.customer_id,
        credited.currency,
        lambda a: a.post_credit_note(credit_id, invoice_id, note.total, s.today),
        f"credit {credit_id}",
        base=base,
    )
    update_account(
        s,
        order.customer_id,
        f"credit {credit_id}",
        drop_invoices=(credited.invoice_id,) if credited.state not in _OPEN else (),
        balance_change=s.balance_moved(order.customer_id, credited.currency),
    )
    s.save_order(
        order.record_credit(
            credit_id,
            {rma.line_id: rma.quantity},
            at=s.now,
            restocking_fee_rate=rma.restocking_fee_rate,
        )
    )
    return CommandResult(
        command="IssueCreditNote",
        aggregate_id=credit_id,
        details={
            "invoice_id": invoice_id,
            "total": str(note.total),
            "refund": str(note.refund),
            "invoice_balance": str(credited.balance),
            "early_discount": str(note.early_discount or Money.zero(credited.currency)),
            "computation": note.explain().splitlines(),
        },
    )


#: Kept importable here: the outbox reaction reads it from this module.
settled_share = _receivables.settled_share
