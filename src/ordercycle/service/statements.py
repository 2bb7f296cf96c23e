"""A customer's statement of account and order history over a period.

A statement lists the dated movements of the customer's account between two dates, with
the balance brought forward before them and the balance after each: invoices (debits),
payments received, early-payment discounts, write-offs and credit notes (credits). The
balance is what the customer owes (negative: what the shop owes the customer, such as cash
received on account).

The desk's statements read the customer's account ledger
(:class:`~ordercycle.invoicing.CustomerAccount`) through :func:`entries_from_ledger`, so
payments on account, applied credit, refunds, write-offs, reversals and discounts taken
all appear, and the closing balance is the ledger's balance to the cent. An account stored
before the desk kept a ledger is read from its invoices and payments instead
(:func:`entries_from_documents`). :func:`build_statement` only needs dated
:class:`StatementEntry` values, whichever feeds it.

>>> from datetime import date
>>> from ordercycle.money import Money
>>> usd = lambda a: Money(a, "USD")
>>> moves = [
...     StatementEntry(on=date(2026, 1, 5), kind="invoice", reference="INV-1",
...                    description="order O-1", debit=usd("100.00"), credit=usd(0)),
...     StatementEntry(on=date(2026, 2, 3), kind="payment", reference="PAY-1",
...                    description="payment", debit=usd(0), credit=usd("60.00")),
... ]
>>> s = build_statement("C-1", moves, start=date(2026, 2, 1), end=date(2026, 2, 28),
...                     currency="USD")
>>> (str(s.opening), str(s.closing), [e.reference for e in s.entries])
('100.00 USD', '40.00 USD', ['PAY-1'])
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from ordercycle.errors import MissingDependencyError, ValidationError
from ordercycle.invoicing import CustomerAccount, Invoice, Payment
from ordercycle.invoicing.account import AccountEntry, EntryKind
from ordercycle.money import Currency, Money

__all__ = [
    "Statement",
    "StatementEntry",
    "build_statement",
    "entries_from_documents",
    "entries_from_ledger",
]

#: The order of movements on one day: documents before the money that settles them.
KIND_ORDER = (
    "ledger_opened",
    "invoice",
    "credit_note",
    "payment",
    "application",
    "discount",
    "write_off",
    "excess_write_off",
    "refund",
    "reversal",
)


@attrs.frozen(kw_only=True)
class StatementEntry:
    """One dated movement of a customer's account.

    Attributes:
        on: Its date.
        kind: ``invoice``, ``credit_note``, ``payment``, ``discount``, ``write_off`` or
            ``excess_write_off`` (an overpayment written off instead of kept as credit);
            from the ledger also ``application`` (credit moved onto invoices: no debit, no
            credit), ``refund``, ``reversal`` and ``ledger_opened`` (the balance an account
            stored before the ledger had when its ledger opened).
        reference: The document (invoice number, payment id, credit note id).
        description: One line for the statement.
        debit: What it adds to the balance (the customer owes more).
        credit: What it takes off.
        balance: The balance after it (set by :func:`build_statement`).
    """

    on: date
    kind: str
    reference: str
    description: str
    debit: Money
    credit: Money
    balance: Money | None = None

    def to_record(self) -> dict[str, Any]:
        """A flat record (amounts as ``Decimal``)."""
        return {
            "date": self.on,
            "kind": self.kind,
            "reference": self.reference,
            "description": self.description,
            "debit": self.debit.amount,
            "credit": self.credit.amount,
            "balance": None if self.balance is None else self.balance.amount,
        }


@attrs.frozen(kw_only=True)
class Statement:
    """A statement of account: the opening balance, the movements, the closing balance.

    Attributes:
        customer_id: The customer.
        start: The first day covered.
        end: The last day covered.
        currency: The account's currency.
        opening: The balance brought forward (movements before ``start``).
        entries: The movements from ``start`` to ``end``, each with its running balance.
        closing: The balance after the last movement (``opening + debits - credits``).
    """

    customer_id: str
    start: date
    end: date
    currency: Currency
    opening: Money
    entries: tuple[StatementEntry, ...]
    closing: Money

    @property
    def debits(self) -> Money:
        """The total of the period's debits."""
        return Money.sum((e.debit for e in self.entries), currency=self.currency)

    @property
    def credits(self) -> Money:
        """The total of the period's credits."""
        return Money.sum((e.credit for e in self.entries), currency=self.currency)

    def to_records(self) -> list[dict[str, Any]]:
        """One record per movement, after an opening row (``kind`` ``"opening"``)."""
        zero = Money.zero(self.currency)
        opening = StatementEntry(
            on=self.start,
            kind="opening",
            reference="",
            description="balance brought forward",
            debit=zero,
            credit=zero,
            balance=self.opening,
        )
        return [opening.to_record(), *(e.to_record() for e in self.entries)]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed in CI
            raise MissingDependencyError("Statement.to_pandas", "pandas", "sim") from None
        return pd.DataFrame(self.to_records())

    def to_text(self) -> str:
        """The statement as fixed-width text."""
        code = self.currency.code
        lines = [
            f"Statement of account {self.customer_id}, {self.start} to {self.end} ({code})",
            f"{'date':<10}  {'reference':<12} {'description':<32} {'debit':>12}"
            f" {'credit':>12} {'balance':>12}",
            f"{self.start!s:<10}  {'':<12} {'balance brought forward':<32} {'':>12} {'':>12}"
            f" {self.opening.amount!s:>12}",
        ]
        for e in self.entries:
            debit = "" if e.debit.is_zero else str(e.debit.amount)
            credit = "" if e.credit.is_zero else str(e.credit.amount)
            balance = "" if e.balance is None else str(e.balance.amount)
            lines.append(
                f"{e.on!s:<10}  {e.reference[:12]:<12} {e.description[:32]:<32} {debit:>12}"
                f" {credit:>12} {balance:>12}"
            )
        lines.append(
            f"{self.end!s:<10}  {'':<12} {'closing balance':<32} {self.debits.amount!s:>12}"
            f" {self.credits.amount!s:>12} {self.closing.amount!s:>12}"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        def cell(value: object, right: bool = False) -> str:
            style = " style='text-align:right'" if right else ""
            return f"<td{style}>{html.escape(str(value))}</td>"

        rows = [
            "<tr>"
            + cell(self.start)
            + cell("")
            + cell("balance brought forward")
            + cell("")
            + cell("")
            + cell(self.opening.amount, True)
            + "</tr>"
        ]
        for e in self.entries:
            rows.append(
                "<tr>"
                + cell(e.on)
                + cell(e.reference)
                + cell(e.description)
                + cell("" if e.debit.is_zero else e.debit.amount, True)
                + cell("" if e.credit.is_zero else e.credit.amount, True)
                + cell("" if e.balance is None else e.balance.amount, True)
                + "</tr>"
            )
        rows.append(
            "<tr><th colspan='3'>closing balance</th>"
            + cell(self.debits.amount, True)
            + cell(self.credits.amount, True)
            + cell(self.closing.amount, True)
            + "</tr>"
        )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("date", "reference", "description", "debit", "credit", "balance")
        )
        title = html.escape(
            f"Statement of account {self.customer_id}, {self.start} to {self.end}"
            f" ({self.currency.code})"
        )
        return f"<table><caption>{title}</caption><tr>{head}</tr>{''.join(rows)}</table>"


def entries_from_documents(
    invoices: Iterable[Invoice], payments: Iterable[Payment]
) -> list[StatementEntry]:
    """The movements of an account, read from its invoices and payments.

    Each issued invoice is a debit on its invoice date; each payment a credit of the whole
    amount received (applied or kept on account) on its date; each credit note a credit
    on its date; each early-payment discount and write-off a credit on the date of its
    payment; an overpayment written off (not kept as credit) a debit.
    """
    found: list[StatementEntry] = []
    for invoice in invoices:
        if invoice.number is None or invoice.state in ("draft", "canceled"):
            continue
        zero = Money.zero(invoice.currency)
        name = invoice.number

        def entry(on: date, kind: str, ref: str, text: str, debit: Money, credit: Money) -> None:
            found.append(
                StatementEntry(
                    on=on, kind=kind, reference=ref, description=text, debit=debit, credit=credit
                )
            )

        entry(invoice.invoice_date, "invoice", name, f"invoice {name}", invoice.total, zero)
        for paid in invoice.payments:
            if not paid.discount.is_zero:
                text = f"early-payment discount on {name}"
                entry(paid.paid_on, "discount", paid.payment_id, text, zero, paid.discount)
            if not paid.written_off.is_zero:
                text = f"short payment written off on {name}"
                entry(paid.paid_on, "write_off", paid.payment_id, text, zero, paid.written_off)
            if paid.excess_written_off and not paid.excess.is_zero:
                text = f"overpayment on {name} written off"
                entry(paid.paid_on, "excess_write_off", paid.payment_id, text, paid.excess, zero)
        for note in invoice.credit_notes:
            text = f"credit note on {name}"
            entry(note.issued_on, "credit_note", note.credit_note_id, text, zero, note.total)
    for payment in payments:
        zero = Money.zero(payment.amount.currency)
        found.append(
            StatementEntry(
                on=payment.paid_on,
                kind="payment",
                reference=payment.payment_id,
                description="payment received",
                debit=zero,
                credit=payment.amount,
            )
        )
    return found


def _signed(entry: AccountEntry) -> Money:
    """How ``entry`` moves the balance (what the customer owes)."""
    kind = entry.kind
    if kind is EntryKind.INVOICE:
        return entry.amount
    if kind is EntryKind.APPLICATION:
        return entry.amount - entry.amount
    if kind in (EntryKind.REFUND, EntryKind.REVERSAL):
        return entry.amount
    if kind is EntryKind.WRITE_OFF and not entry.applied:
        return entry.amount  # credit written off: it leaves the account
    return -entry.amount  # payment, credit note, discount, write-off of an invoice's rest


def _describe(entry: AccountEntry, name: Mapping[str, str]) -> str:
    """One short line (at most 32 characters for the usual ids) for ``entry``."""

    def printed(invoice_id: str) -> str:
        return name.get(invoice_id, invoice_id)

    if len(entry.applied) == 1:
        on = printed(entry.applied[0][0])
    else:
        on = f"{len(entry.applied)} invoices"
    kind = entry.kind
    if kind is EntryKind.INVOICE:
        return f"invoice {printed(entry.document_id)}"
    if kind is EntryKind.PAYMENT:
        used = Money.sum((m for _, m in entry.applied), currency=entry.amount.currency)
        rest = entry.amount - used
        if not entry.applied:
            return "payment on account"
        return f"payment, {rest.amount} on account" if rest else f"payment for {on}"
    if kind is EntryKind.CREDIT_NOTE:
        return f"credit note on {printed(entry.source_id)}"
    if kind is EntryKind.DISCOUNT:
        return f"discount taken on {on}"
    if kind is EntryKind.APPLICATION:
        return f"{entry.source_id} applied to {on}"
    if kind is EntryKind.WRITE_OFF:
        if entry.applied:
            return f"rest of {on} written off"
        return f"credit on {entry.source_id} written off"
    if kind is EntryKind.REFUND:
        return " ".join(x for x in ("refund", entry.method, entry.reference) if x)
    return f"payment {entry.source_id or entry.document_id} reversed"


#: Entries whose own id is made from another document's: the statement shows that one.
_BY_SOURCE = (EntryKind.DISCOUNT, EntryKind.APPLICATION, EntryKind.REVERSAL)


def entries_from_ledger(
    account: CustomerAccount,
    posted: Iterable[AccountEntry],
    *,
    numbers: Mapping[str, str] | None = None,
    documents: Iterable[StatementEntry] = (),
) -> list[StatementEntry]:
    """The movements of an account, read from its ledger's entries.

    ``posted`` are the entries stored with the account (:meth:`OrderDesk.account_entries
    <ordercycle.service.OrderDesk.account_entries>`); ``numbers`` maps invoice ids to
    printed numbers, for the references. Invoices, refunds, reversals and credit written
    off are debits; payments (the whole amount, applied or on account), credit notes,
    discounts and rests written off are credits; an application moves credit onto invoices
    and is listed with no debit and no credit.

    An account stored before the desk kept a ledger opened its ledger from its documents
    without storing those opening entries (the first entry posted has a sequence above 1).
    Then ``documents`` (:func:`entries_from_documents` of its invoices and payments) tell
    what happened before: those of documents (invoices, payments, credit notes,
    write-offs) not posted to the ledger since are listed too, and, should they not add up
    to the balance the ledger opened with, one ``ledger_opened`` entry (dated with the
    first entry posted) carries the difference, so the entries always add up to
    ``account.balance.balance``.
    """
    name = dict(numbers or {})
    zero = Money.zero(account.currency)
    found: list[StatementEntry] = []
    total = zero
    posted = list(posted)
    if account.version and (not posted or posted[0].sequence > 1):
        seen = {name.get(e.document_id, e.document_id) for e in posted}
        for earlier in documents:
            # Credit applied from the ledger (``<source>/applied/<n>``) is the ledger's own.
            if earlier.reference not in seen and "/applied/" not in earlier.reference:
                found.append(earlier)
                total += earlier.debit - earlier.credit
    for entry in posted:
        moved = _signed(entry)
        total += moved
        document = entry.source_id if entry.kind in _BY_SOURCE else entry.document_id
        reference = name.get(document, document)
        found.append(
            StatementEntry(
                on=entry.on,
                kind=str(entry.kind),
                reference=reference,
                description=_describe(entry, name),
                debit=moved if moved.is_positive else zero,
                credit=-moved if moved.is_negative else zero,
            )
        )
    rest = account.balance.balance - total
    if rest:
        first = min((e.on for e in posted), default=date.min)
        found.append(
            StatementEntry(
                on=first,
                kind="ledger_opened",
                reference="",
                description="balance when the ledger opened",
                debit=rest if rest.is_positive else zero,
                credit=-rest if rest.is_negative else zero,
            )
        )
    return found


def build_statement(
    customer_id: str,
    entries: Iterable[StatementEntry],
    *,
    start: date,
    end: date,
    currency: Currency | str,
) -> Statement:
    """The statement from ``start`` to ``end`` (both included) of the dated ``entries``.

    Entries before ``start`` make the opening balance; those after ``end`` are left out.
    Entries are listed by date, then documents before the money that settles them, then
    reference.

    Raises:
        ValidationError: ``end`` before ``start``, or an entry in another currency.
    """
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValidationError.invalid(
            f"statement of {customer_id}", "end", end, f"a date on or after {start}"
        )
    code = Currency.of(currency) if isinstance(currency, str) else currency
    ordered = sorted(
        entries,
        key=lambda e: (
            e.on,
            KIND_ORDER.index(e.kind) if e.kind in KIND_ORDER else len(KIND_ORDER),
            e.reference,
        ),
    )
    balance = Money.zero(code)
    listed: list[StatementEntry] = []
    opening = balance
    for entry in ordered:
        if entry.debit.currency != code or entry.credit.currency != code:
            raise ValidationError.invalid(
                f"statement of {customer_id}",
                "currency",
                entry.debit.currency.code,
                f"{code.code}, the account's currency ({entry.reference})",
            )
        if entry.on > end:
            continue
        balance = balance + entry.debit - entry.credit
        if entry.on < start:
            opening = balance
            continue
        listed.append(attrs.evolve(entry, balance=balance))
    return Statement(
        customer_id=customer_id,
        start=start,
        end=end,
        currency=code,
        opening=opening,
        entries=tuple(listed),
        closing=balance,
    )
