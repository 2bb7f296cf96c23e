"""The customer account ledger on the desk: posting entries, applying credit, refunds.

The ledger (:class:`~ordercycle.invoicing.CustomerAccount`) lives in the customer's
``account`` stream, inside the :class:`~ordercycle.service.records.Account` record, and
each change stores the entries it posted beside it (``AccountChanged.entries``). Every
command that moves money appends to that one stream at the version it read, so two
commands that use the same credit at once conflict and one runs again on the other's
result: cash is never applied twice.

The ledger keeps only what is open. What each payment settled is its
:class:`~ordercycle.invoicing.PaymentSettlement`, a record of its own (``settlement``,
keyed by the payment) that :func:`post` updates from the entries that name the payment,
in the same unit of work; refund and write-off ids get a small record each
(``account_document``) so an id is posted once. Both are keyed by one document, so no
record grows with the customer's history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import attrs

from ordercycle.errors import ValidationError
from ordercycle.invoicing import (
    CustomerAccount,
    DunningNotice,
    DunningPolicy,
    Invoice,
    LateInterestPolicy,
    Payment,
    PaymentApplication,
    dso_of,
)
from ordercycle.invoicing.account import (
    AccountEntry,
    AccountEntryPosted,
    EntryKind,
    PaymentSettlement,
)
from ordercycle.invoicing.errors import AccountLedgerError
from ordercycle.model._replace import replace
from ordercycle.model.aggregate import Outcome
from ordercycle.money import Currency, Money
from ordercycle.service._command_handlers import handles
from ordercycle.service._orders import _account, customer, update_account
from ordercycle.service._session import Session
from ordercycle.service.commands import (
    ApplyCredit,
    RefundCredit,
    ReversePayment,
    WriteOffBalance,
)
from ordercycle.service.errors import UnknownInvoiceError
from ordercycle.service.records import (
    Account,
    AccountChanged,
    AccountDocumentPosted,
    InvoiceNumberAssigned,
    PaymentSettlementChanged,
)
from ordercycle.service.results import CommandResult

__all__ = [
    "apply_credit",
    "days_sales_outstanding",
    "dunning_notices",
    "ledger",
    "payment_view",
    "post",
    "refund_credit",
    "remember_number",
    "resolve_invoice",
    "reverse_payment",
    "settled_share",
    "write_off_balance",
]

_OPEN = ("issued", "partially_paid")


def ledger(s: Session, customer_id: str, currency: Currency | str) -> CustomerAccount:
    """The customer's ledger.

    An account stored before the desk kept a ledger opens one from what its documents say
    now: each open invoice's balance (at its invoice date), the credit left by credit notes
    beyond their invoice's balance, and what is unapplied of each payment (at its date).
    That looks through the customer's invoices and payments once; the first command that
    posts to the account stores the ledger.
    """
    return _ledger_of(s, _account(s, customer_id), customer_id, currency)


def _ledger_of(
    s: Session, account: Account, customer_id: str, currency: Currency | str
) -> CustomerAccount:
    """:func:`ledger`, with the customer's ``account`` record read already."""
    if account.ledger is not None:
        return account.ledger
    found = CustomerAccount.open(customer_id, currency)
    for invoice_id in account.open_invoice_ids:
        invoice = s.invoice(invoice_id)[0]
        if invoice.balance.is_positive:
            found = found.post_invoice(invoice_id, invoice.balance, invoice.invoice_date).aggregate
    for invoice_id in s.ids_of("invoice"):
        invoice = s.invoice(invoice_id)[0]
        if invoice.customer_id != customer_id:
            continue
        for note in invoice.credit_notes:
            if note.refund.is_positive:
                found = found.post_credit_note(
                    note.credit_note_id, invoice_id, note.refund, note.issued_on
                ).aggregate
    for payment_id in s.ids_of("payment"):
        payment = s.record("payment", payment_id, Payment)
        if payment is not None and payment.customer_id == customer_id and payment.unapplied:
            found = found.post_payment(payment_id, payment.unapplied, payment.paid_on).aggregate
    return found


def settlement(s: Session, payment_id: str, customer_id: str) -> PaymentSettlement | None:
    """What ``payment_id`` settles on the customer's invoices now (``None``: the ledger
    never posted it).

    Payments posted before the desk kept settlements have no record: theirs is folded
    once from the account's journal (``AccountChanged.entries``); a payment the ledger
    only knows from when it opened from the documents has the credit it left, nothing on
    invoices.
    """
    found = s.record("settlement", payment_id, PaymentSettlement)
    if found is not None:
        return found
    entries = (
        e
        for event in s.uow.events.load("account", customer_id)
        for e in getattr(event, "entries", ())
    )
    folded = PaymentSettlement.of(payment_id, entries, customer_id=customer_id)
    if folded is not None:
        return folded
    known = _account(s, customer_id).ledger
    left = None if known is None else known.credit_left(payment_id)
    if not left:
        return None
    return PaymentSettlement(payment_id=payment_id, customer_id=customer_id, received=left)


def payment_view(s: Session, payment_id: str) -> Payment:
    """The stored payment as its customer's ledger has it now (see ``OrderDesk.payment``).

    A payment the ledger does not know (its account keeps no ledger yet) is returned as
    stored.
    """
    payment = s.require("payment", payment_id, Payment)
    stored = s.record("account", payment.customer_id, Account)
    if stored is None or stored.ledger is None:
        return payment
    found = settlement(s, payment_id, payment.customer_id)
    if found is None:
        return payment
    if found.settled or found.reversed or found.received == payment.amount:
        applications = tuple(
            PaymentApplication(invoice_id=i, applied=a, discount=d)
            for i, a, d in found.settled
            if a
        )
    else:  # known to a ledger opened from the documents: its applications are as stored
        applications = payment.applications
    left = stored.ledger.credit_left(payment_id)
    return attrs.evolve(payment, applications=applications, unapplied=left)


def _customers(s: Session, customer_id: str | None) -> tuple[str, ...]:
    if customer_id is not None:
        customer(s, customer_id)
        return (customer_id,)
    return tuple(s.ids_of("account"))


def dunning_notices(
    s: Session,
    policy: DunningPolicy,
    as_of: date,
    interest: LateInterestPolicy | None,
    customer_id: str | None,
) -> tuple[DunningNotice, ...]:
    """The reminders due at ``as_of``, per customer from its ledger: its open invoices,
    with its credit on account counted (see ``DunningPolicy.notices``)."""
    found: list[DunningNotice] = []
    for buyer_id in _customers(s, customer_id):
        buyer = customer(s, buyer_id)
        account = ledger(s, buyer_id, buyer.credit_limit.currency)
        invoices = [s.invoice(i)[0] for i, _ in account.open_items]
        found.extend(
            policy.notices(invoices, as_of, interest, credit_on_account=account.balance.unapplied)
        )
    return tuple(found)


def days_sales_outstanding(
    s: Session, customer_id: str | None, as_of: date, period_days: int
) -> Decimal:
    """DSO read from the account ledgers (see ``OrderDesk.days_sales_outstanding``)."""
    if isinstance(period_days, bool) or not isinstance(period_days, int) or period_days < 1:
        raise ValidationError.invalid("DSO", "period_days", period_days, "whole days of 1 or more")
    start = as_of - timedelta(days=period_days)
    ids = _customers(s, customer_id)
    currency = (
        customer(s, customer_id).credit_limit.currency
        if customer_id is not None
        else Currency.of(s.settings.currency)
    )
    receivables = Money.zero(currency)
    sales = Money.zero(currency)
    for buyer_id in ids:
        buyer = customer(s, buyer_id)
        if buyer.credit_limit.currency != currency:
            continue
        account = ledger(s, buyer_id, currency)
        receivables += max(account.balance.balance, Money.zero(currency))
        for event in s.uow.events.load("account", buyer_id):
            for entry in getattr(event, "entries", ()):
                if entry.kind is EntryKind.INVOICE and start < entry.on <= as_of:
                    sales += entry.amount
    return dso_of(receivables, sales, period_days)


def post(
    s: Session,
    customer_id: str,
    currency: Currency | str,
    command: Callable[[CustomerAccount], Outcome[CustomerAccount, AccountEntryPosted]],
    change: str,
    *,
    base: CustomerAccount | None = None,
) -> CustomerAccount:
    """Run a ledger command and store the account with the entries it posted.

    ``base`` is the ledger read before the command changed any invoice (an account
    stored before the desk kept a ledger opens from its invoices as they were).
    """
    stored = _account(s, customer_id)  # read once: the command changes no record
    before = _ledger_of(s, stored, customer_id, currency) if base is None else base
    after, events = command(before)
    # A plain record (no converters or validators): copying it is what evolve builds.
    account = replace(stored, ledger=after)
    entries = tuple(e.entry for e in events)
    s.put("account", customer_id, AccountChanged, account, change, entries=entries)
    _settle(s, customer_id, entries, change)
    return after


def _settle(s: Session, customer_id: str, entries: tuple[AccountEntry, ...], change: str) -> None:
    """Store the settlement of every payment ``entries`` name (credit notes have none)."""
    payers: dict[str, None] = {}
    for entry in entries:
        if entry.kind is EntryKind.PAYMENT or entry.source_id:
            payers[PaymentSettlement.payer(entry)] = None
    for payer in payers:
        first = next(
            (e for e in entries if e.kind is EntryKind.PAYMENT and e.document_id == payer), None
        )
        if first is not None:
            current: PaymentSettlement | None = PaymentSettlement(
                payment_id=payer, customer_id=customer_id, received=first.amount
            )
        elif s.exists("payment", payer):
            current = settlement(s, payer, customer_id)
        else:  # a credit note, an invoice (a write-off's source): nothing to settle
            continue
        if current is None:
            continue
        after = current.with_entries(entries)
        if after != current or first is not None:
            s.put("settlement", payer, PaymentSettlementChanged, after, change)


def _claim_document(s: Session, customer_id: str, document_id: str, kind: str) -> None:
    """Refuse a refund or write-off id the customer's account posted before; else keep it."""
    key = f"{customer_id}/{document_id}"
    if s.exists("account_document", key):
        raise AccountLedgerError(
            f"Cannot post {document_id} to account of customer {customer_id}: it was posted"
            " already; expected a new document id."
        )
    s.put("account_document", key, AccountDocumentPosted, kind, "posted")


def remember_number(s: Session, invoice: Invoice) -> None:
    """Store the printed number of an issued invoice, so it finds the invoice."""
    if invoice.number is not None:
        s.put("invoice_number", invoice.number, InvoiceNumberAssigned, invoice.invoice_id, "issued")


def resolve_invoice(s: Session, reference: str) -> str:
    """The invoice id of ``reference``: an invoice id (``INV-1``) or a printed number
    (``INV-000001``).

    Raises:
        UnknownInvoiceError: Neither names an invoice (the message shows both forms).
    """
    if isinstance(reference, str) and reference and s.exists("invoice", reference):
        return reference
    if isinstance(reference, str) and reference and reference == reference.strip():
        found = s.record("invoice_number", reference, str)
        if found is not None:
            return found
        # Invoices issued before the desk remembered numbers: look once through them all.
        for invoice_id in s.ids_of("invoice"):
            if s.invoice(invoice_id)[0].number == reference:
                return invoice_id
    prefix = s.settings.invoice_prefix
    raise UnknownInvoiceError(reference, "INV-1", f"{prefix}000001")


@handles(ApplyCredit)
def apply_credit(s: Session, c: ApplyCredit) -> CommandResult:
    """Apply cash on account and unapplied credit notes to open invoices (oldest first)."""
    buyer = customer(s, c.customer_id)
    currency = buyer.credit_limit.currency
    invoice_ids = tuple(resolve_invoice(s, i) for i in c.invoice_ids)
    on = c.applied_on or s.today
    before = ledger(s, buyer.id, currency)
    moves = before.plan_application(c.amount, invoice_ids=invoice_ids, source_ids=c.source_ids)
    after = post(
        s,
        buyer.id,
        currency,
        lambda a: a.apply_credit(on, c.amount, invoice_ids=invoice_ids, source_ids=c.source_ids),
        "credit applied",
    )
    settled = []
    for n, (source, invoice_id, take) in enumerate(moves, start=1):
        invoice, meta = s.invoice(invoice_id)
        paid, _ = invoice.pay(f"{source}/applied/{before.version + n}", take, on, at=s.now)
        if paid.payments[-1].discount:
            # The invoice took its early-payment discount with the credit: post it too.
            discount = paid.payments[-1].discount
            after = post(
                s,
                buyer.id,
                currency,
                lambda a, i=invoice_id, d=discount, src=source: a.post_discount(  # type: ignore[misc]
                    i, d, on, source_id=src
                ),
                f"discount on {invoice_id}",
            )
        s.save_invoice(paid, meta, invoice.version)
        if paid.state not in _OPEN:
            settled.append(invoice_id)
    # The invoices' balances moved: so do the account's receivables (and settled ones go).
    update_account(
        s,
        buyer.id,
        "invoices settled by credit",
        drop_invoices=tuple(settled),
        balance_change=s.balance_moved(buyer.id, currency),
    )
    return CommandResult(
        command="ApplyCredit",
        aggregate_id=buyer.id,
        details={
            "applied": [
                {"source": src, "invoice_id": inv, "amount": str(m)} for src, inv, m in moves
            ],
            "unapplied": str(after.balance.unapplied),
            "balance": str(after.balance.balance),
        },
    )


@handles(RefundCredit)
def refund_credit(s: Session, c: RefundCredit) -> CommandResult:
    """Pay credit on account back to the customer (with a method and a reference)."""
    buyer = customer(s, c.customer_id)
    currency = buyer.credit_limit.currency
    refund_id = c.refund_id or f"RF-{ledger(s, buyer.id, currency).version + 1}"
    on = c.refunded_on or s.today
    if c.refund_id:
        _claim_document(s, buyer.id, refund_id, "refund")
    after = post(
        s,
        buyer.id,
        currency,
        lambda a: a.refund(
            refund_id,
            c.amount,
            on,
            method=c.method,
            reference=c.reference,
            source_ids=c.source_ids,
        ),
        f"refund {refund_id}",
    )
    return CommandResult(
        command="RefundCredit",
        aggregate_id=refund_id,
        details={
            "amount": str(c.amount),
            "method": c.method,
            "reference": c.reference,
            "unapplied": str(after.balance.unapplied),
        },
    )


@handles(WriteOffBalance)
def write_off_balance(s: Session, c: WriteOffBalance) -> CommandResult:
    """Write off a small rest of an invoice or of a credit (within the tolerance)."""
    buyer = customer(s, c.customer_id)
    currency = buyer.credit_limit.currency
    before = ledger(s, buyer.id, currency)
    document_id = c.document_id
    if not before.credit_left(document_id):
        document_id = resolve_invoice(s, document_id)
    write_off_id = c.write_off_id or f"WO-{before.version + 1}"
    on = c.written_off_on or s.today
    tolerance = Money(s.settings.write_off_tolerance, currency)
    rest = before.open_amount(document_id)
    if c.write_off_id:
        _claim_document(s, buyer.id, write_off_id, "write_off")
    after = post(
        s,
        buyer.id,
        currency,
        lambda a: a.write_off(write_off_id, document_id, on, tolerance=tolerance, reason=c.reason),
        f"write-off {write_off_id}",
    )
    if rest:
        invoice, meta = s.invoice(document_id)
        closed, _ = invoice.write_off(write_off_id, rest, on, at=s.now)
        s.save_invoice(closed, meta, invoice.version)
        update_account(
            s,
            buyer.id,
            f"write-off {write_off_id}",
            drop_invoices=(document_id,),
            balance_change=s.balance_moved(buyer.id, currency),
        )
    return CommandResult(
        command="WriteOffBalance",
        aggregate_id=write_off_id,
        details={
            "document_id": document_id,
            "amount": str(after.balance.written_off - before.balance.written_off)
            if rest
            else str(after.balance.credit_written_off - before.balance.credit_written_off),
            "balance": str(after.balance.balance),
        },
    )


@handles(ReversePayment)
def reverse_payment(s: Session, c: ReversePayment) -> CommandResult:
    """Take back a payment: undo what it settled on invoices (they are open again, with
    the early-payment discounts it took), then post the reversal in the ledger."""
    buyer = customer(s, c.customer_id)
    currency = buyer.credit_limit.currency
    on = c.reversed_on or s.today
    before = ledger(s, buyer.id, currency)
    paid = settlement(s, c.payment_id, buyer.id)
    if paid is None:
        raise AccountLedgerError(
            f"Cannot reverse payment {c.payment_id!r} on account of customer {buyer.id}: no"
            " such payment was posted; expected the id of a payment of this customer."
        )
    # Decide on the ledger first: a refused reversal writes nothing.
    _, events = before.reverse_payment(paid, on, reason=c.reason)
    reopened: list[str] = []
    for event in events:
        if event.entry.kind is not EntryKind.UNAPPLICATION:
            continue
        invoice_id = event.entry.applied[0][0]
        invoice, meta = s.invoice(invoice_id)
        version = invoice.version
        prefix = f"{c.payment_id}/applied/"
        for record in invoice.payments:
            if record.payment_id == c.payment_id or record.payment_id.startswith(prefix):
                invoice, _ = invoice.unapply(record.payment_id, on, reason=c.reason, at=s.now)
        s.save_invoice(invoice, meta, version)
        reopened.append(invoice_id)
    after = post(
        s,
        buyer.id,
        currency,
        lambda a: a.reverse_payment(paid, on, reason=c.reason),
        f"reversed {c.payment_id}",
        base=before,
    )
    orders = [_order_follows(s, invoice_id, c.payment_id) for invoice_id in reopened]
    open_ids = _account(s, buyer.id).open_invoice_ids
    update_account(
        s,
        buyer.id,
        f"reversed {c.payment_id}",
        add_invoices=tuple(i for i in reopened if i not in open_ids),
        balance_change=s.balance_moved(buyer.id, currency),
    )
    return CommandResult(
        command="ReversePayment",
        aggregate_id=c.payment_id,
        details={
            "reopened": reopened,
            "orders": [o for o in orders if o],
            "unapplied": str(after.balance.unapplied),
            "balance": str(after.balance.balance),
        },
    )


def settled_share(invoice: Invoice, amount: Money) -> Money:
    """The part of ``amount`` (the order's net invoiced amount) the invoice's payments settle."""
    if invoice.state == "paid" and not invoice.credit_notes:
        return amount
    paid = invoice.paid + invoice.discount_taken + invoice.written_off
    if not invoice.total:
        return Money.zero(amount.currency)
    return (amount * (paid.amount / invoice.total.amount)).round()


def _order_follows(s: Session, invoice_id: str, payment_id: str) -> str:
    """Take back from the invoice's order the payments the reopened invoice no longer
    settles, so its payment status and ``desk.order_money`` follow; returns the order id
    (``""`` if nothing was recorded on it).

    The order holds one payment per (payment, invoice), ``"<payment>@<invoice>"``, each the
    increment of the invoice's settled share when it was applied (see the outbox reaction).
    The excess over the share settled now is taken from the reversed payment's records
    first, then from the newest others, so the order's paid amount equals the settled share
    to the cent.
    """
    invoice, meta = s.invoice(invoice_id)
    order = s.order(meta.order_id)
    document = next((d for d in order.invoices if d.document_id == invoice.invoice_id), None)
    suffix = f"@{invoice.invoice_id}"
    records = [p for p in order.payments if p.payment_id.endswith(suffix)]
    if document is None or not records:
        return ""
    recorded = Money.sum((p.amount for p in records), currency=order.currency)
    excess = recorded - settled_share(invoice, document.amount)
    mine = [
        p
        for p in records
        if p.payment_id == f"{payment_id}{suffix}"
        or p.payment_id.startswith(f"{payment_id}/applied/")
    ]
    others = [p for p in reversed(records) if p not in mine]
    for record in (*mine, *others):
        if not excess.is_positive:
            break
        take = min(excess, record.amount)
        order = s.save_order(order.reverse_payment(record.payment_id, take, at=s.now))
        excess -= take
    return order.id
