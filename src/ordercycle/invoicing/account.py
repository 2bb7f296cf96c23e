"""The customer account ledger: every amount a customer owes or is owed, as dated entries.

A :class:`CustomerAccount` follows the aggregate contract
(:class:`~ordercycle.model.aggregate.Aggregate`). Its history is a list of
:class:`AccountEntry` values, one :class:`AccountEntryPosted` event each, all in the
account's currency:

* ``invoice`` raises what the customer owes; ``payment`` and ``credit_note`` lower it, and
  what they do not settle at once stays on the account as *credit* (cash on account, or
  a credit note beyond the invoice's balance);
* ``discount`` is an early-payment discount taken, ``write_off`` closes a small rest (of an
  invoice, or of a credit: then it raises the balance back to zero);
* ``application`` moves credit onto open invoices (the balance does not move);
* ``refund`` pays credit back to the customer, ``reversal`` takes back a mistaken payment
  (both raise the balance); before a reversal, ``unapplication`` entries move what the
  payment settled back onto its invoices (the balance does not move) and
  ``discount_reversal`` entries reopen the early-payment discounts it took (they raise
  the balance).

The account keeps, besides the totals (:class:`AccountBalance`), the open amount of every
open invoice (oldest first) and the credit left on each payment or credit note, so
applying cash never over-applies: an application, a refund or a write-off is refused
when it asks for more than is open or left.

The account keeps only what is *open*, never its history: its size follows the customer's
open invoices and credits, not the documents it was ever sent, so storing it after every
change costs the same in the first year and the tenth. The history is the entries
(the account's journal). What one payment settled, which a reversal must undo, is the
payment's own history: a :class:`PaymentSettlement` folded from the entries that name the
payment, kept with the payment (the desk stores one per payment).

>>> from datetime import date
>>> from ordercycle.money import Money
>>> account = CustomerAccount.open("C-CAFE", "USD")
>>> account, _ = account.post_payment("P-1", Money("50.00", "USD"), date(2026, 1, 5))
>>> account, _ = account.post_invoice("INV-1", Money("19.00", "USD"), date(2026, 1, 9))
>>> str(account.balance.balance), str(account.balance.unapplied)
('-31.00 USD', '50.00 USD')
>>> account, _ = account.apply_credit(date(2026, 1, 9))
>>> str(account.open_amount("INV-1")), str(account.credit_left("P-1"))
('0.00 USD', '31.00 USD')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeAlias

import attrs

from ordercycle.errors import ValidationError
from ordercycle.invoicing.errors import AccountLedgerError, PaymentRefundedError
from ordercycle.invoicing.events import make_event
from ordercycle.model._replace import replace, trusted_replace
from ordercycle.model.aggregate import Outcome
from ordercycle.model.events import DomainEvent
from ordercycle.money import MONEY_CONTEXT, Currency, Money

__all__ = [
    "AccountBalance",
    "AccountEntry",
    "AccountEntryPosted",
    "AccountOutcome",
    "CustomerAccount",
    "EntryKind",
    "PaymentSettlement",
]

#: What every account command returns: the new account and the events it recorded.
AccountOutcome: TypeAlias = "Outcome[CustomerAccount, AccountEntryPosted]"


class EntryKind(enum.StrEnum):
    """What an :class:`AccountEntry` records (its sign in the balance is in the name)."""

    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    DISCOUNT = "discount"
    WRITE_OFF = "write_off"
    APPLICATION = "application"
    REFUND = "refund"
    REVERSAL = "reversal"
    UNAPPLICATION = "unapplication"
    DISCOUNT_REVERSAL = "discount_reversal"


@attrs.frozen(kw_only=True)
class AccountEntry:
    """One dated line of a customer's account.

    Attributes:
        sequence: Its place in the account (the account's version after it).
        kind: What it records.
        document_id: The invoice, payment, credit note, refund or write-off it records.
        on: The business date.
        amount: Positive; how it moves the balance depends on ``kind`` (see
            :class:`AccountBalance`).
        applied: ``(invoice id, amount)`` pairs: the open invoices this entry settled.
        source_id: For an application, refund, credit write-off or reversal: the payment
            or credit note whose credit it used.
        method: For a refund: how it was paid back (``"bank transfer"``, ``"card"``, ...).
        reference: For a refund: the bank or card reference; otherwise a free note.
    """

    sequence: int
    kind: EntryKind
    document_id: str
    on: date
    amount: Money
    applied: tuple[tuple[str, Money], ...] = ()
    source_id: str = ""
    method: str = ""
    reference: str = ""


@attrs.frozen(kw_only=True)
class AccountEntryPosted(DomainEvent):
    """An entry was posted to a customer's account (the event carries the whole entry)."""

    entry: AccountEntry


@attrs.frozen(kw_only=True)
class AccountBalance:
    """A customer's totals, like an order line's ``LineLedger``: laws checked by :meth:`check`.

    Laws (all amounts in one currency; every total is zero or more):

    1. ``balance = invoiced − paid − credited − discounts + refunded + reversed
       − written_off + credit_written_off``;
    2. ``balance = open_invoices − unapplied``: what is open on invoices less the credit
       still on the account (cash on account and unapplied credit notes);
    3. ``open_invoices`` and ``unapplied`` are never negative.

    Attributes:
        invoiced: Invoices posted.
        paid: Payments received (applied or on account).
        credited: Credit notes posted.
        discounts: Early-payment discounts taken.
        written_off: Rests of invoices written off.
        credit_written_off: Small credits written off (they raise the balance).
        refunded: Credit paid back.
        reversed: Payments taken back.
        open_invoices: The sum of the open invoices' open amounts.
        unapplied: The credit left on payments and credit notes.
    """

    invoiced: Money
    paid: Money
    credited: Money
    discounts: Money
    written_off: Money
    credit_written_off: Money
    refunded: Money
    reversed: Money
    open_invoices: Money
    unapplied: Money

    @classmethod
    def zero(cls, currency: Currency | str) -> AccountBalance:
        """All totals zero."""
        z = Money.zero(currency)
        return cls(
            invoiced=z,
            paid=z,
            credited=z,
            discounts=z,
            written_off=z,
            credit_written_off=z,
            refunded=z,
            reversed=z,
            open_invoices=z,
            unapplied=z,
        )

    @property
    def balance(self) -> Money:
        """What the customer owes (negative: what the desk owes the customer), by law 1."""
        return (
            self.invoiced
            - self.paid
            - self.credited
            - self.discounts
            + self.refunded
            + self.reversed
            - self.written_off
            + self.credit_written_off
        )

    def check(self) -> None:
        """Raise :class:`AccountLedgerError` if a law of the class docstring is broken."""
        # Every post checks the laws, so they are worked out on the exact amounts (sums in
        # the money context, which holds them exactly; every total is in the account's one
        # currency) rather than with Money arithmetic, which builds a value per step.
        # Laws 1 and 2 together, with every term moved to the side where it is added.
        amounts = [getattr(self, name).amount for name in _BALANCE_FIELDS]
        if min(amounts) < 0:
            for name, value in zip(_BALANCE_FIELDS, amounts, strict=True):
                if value < 0:
                    raise AccountLedgerError(
                        f"Invalid {name} for account balance: {getattr(self, name)};"
                        " expected zero or more."
                    )
        add = MONEY_CONTEXT.add
        (invoiced, paid, credited, discounts, written_off, credit_written_off, refunded,
         reversed_, open_invoices, unapplied) = amounts  # fmt: skip
        owed = add(add(add(invoiced, refunded), add(reversed_, credit_written_off)), unapplied)
        settled = add(add(add(paid, credited), add(discounts, written_off)), open_invoices)
        if owed != settled:
            raise AccountLedgerError(
                f"Invalid account balance: {self.balance} by its entries, but open invoices"
                f" {self.open_invoices} less unapplied credit {self.unapplied} is"
                f" {self.open_invoices - self.unapplied}; expected them equal."
            )


#: The totals of :class:`AccountBalance`, in the order of its fields.
_BALANCE_FIELDS = tuple(field.name for field in attrs.fields(AccountBalance))


def _currency(code: Currency | str) -> Currency:
    return Currency.of(code)


def _set(
    pairs: tuple[tuple[str, Money], ...], key: str, value: Money
) -> tuple[tuple[str, Money], ...]:
    """``pairs`` with ``key`` set to ``value`` (dropped at zero; new keys go last)."""
    # One pass to the key's place (an account has a dozen or so open items, and every
    # post sets one or two): the pairs before it are kept as they are, any later pair of
    # the same key is dropped, as a filter of the whole tuple would.
    for position, pair in enumerate(pairs):
        if pair[0] == key:
            rest = [p for p in pairs[position + 1 :] if p[0] != key]
            if value:
                return (*pairs[:position], (key, value), *rest)
            return (*pairs[:position], *rest)
    return (*pairs, (key, value)) if value else pairs


def _get(pairs: tuple[tuple[str, Money], ...], key: str) -> Money | None:
    """The value of ``key`` in ``pairs`` (the last one, as ``dict(pairs)`` has it), or
    ``None``; without building the dict for one look-up."""
    for k, v in reversed(pairs):
        if k == key:
            return v
    return None


_SETTLING = (
    EntryKind.APPLICATION,
    EntryKind.DISCOUNT,
    EntryKind.UNAPPLICATION,
    EntryKind.DISCOUNT_REVERSAL,
)


@attrs.frozen(kw_only=True)
class PaymentSettlement:
    """What one payment settled on its customer's invoices: the payment's own history.

    A :class:`CustomerAccount` keeps only what is open, so what a payment did (the
    invoices it settled when it was received or when its credit was applied later, and
    the early-payment discounts it took there) is folded from the entries that name it,
    with :meth:`of` (from a journal) or :meth:`with_entries` (one change at a time), and
    kept with the payment. :meth:`CustomerAccount.reverse_payment` undoes exactly this.

    >>> from datetime import date
    >>> from ordercycle.money import Money
    >>> account = CustomerAccount.open("C-CAFE", "USD")
    >>> account, posted = account.post_invoice("INV-1", Money("30.00", "USD"), date(2026, 1, 2))
    >>> account, paid = account.post_payment(
    ...     "P-1", Money("50.00", "USD"), date(2026, 1, 5), applied={"INV-1": Money("30.00", "USD")}
    ... )
    >>> settlement = PaymentSettlement.of("P-1", [e.entry for e in (*posted, *paid)])
    >>> [(i, str(a)) for i, a, _ in settlement.settled], str(settlement.received)
    ([('INV-1', '30.00 USD')], '50.00 USD')

    Attributes:
        payment_id: The payment.
        customer_id: Whose account it was posted to.
        received: The amount received.
        settled: ``(invoice id, applied, discount)`` per invoice it settles now, in the order
            it first reached them (rows at zero are dropped).
        reversed: Whether the payment was taken back.
    """

    payment_id: str
    customer_id: str
    received: Money
    settled: tuple[tuple[str, Money, Money], ...] = ()
    reversed: bool = False

    @classmethod
    def of(
        cls, payment_id: str, entries: Iterable[AccountEntry], *, customer_id: str = ""
    ) -> PaymentSettlement | None:
        """The settlement of ``payment_id`` folded from an account's ``entries`` (``None``
        if no ``payment`` entry posts it)."""
        found: PaymentSettlement | None = None
        for entry in entries:
            if entry.kind is EntryKind.PAYMENT and entry.document_id == payment_id:
                found = cls(payment_id=payment_id, customer_id=customer_id, received=entry.amount)
            if found is not None:
                found = found.with_entries((entry,))
        return found

    @staticmethod
    def payer(entry: AccountEntry) -> str:
        """The payment (or credit note) whose settlement ``entry`` may change: the
        document it posts, for a payment; the source of its credit otherwise."""
        return entry.document_id if entry.kind is EntryKind.PAYMENT else entry.source_id

    @property
    def on_invoices(self) -> Money:
        """What the payment settles on invoices now (discounts not counted)."""
        return Money.sum((row[1] for row in self.settled), currency=self.received.currency)

    def with_entries(self, entries: Iterable[AccountEntry]) -> PaymentSettlement:
        """The settlement after ``entries`` (those that do not name the payment change
        nothing)."""
        rows = list(self.settled)
        reversed_ = self.reversed
        for entry in entries:
            if self.payer(entry) != self.payment_id:
                continue
            if entry.kind is EntryKind.REVERSAL:
                reversed_ = True
                continue
            if entry.kind is not EntryKind.PAYMENT and entry.kind not in _SETTLING:
                continue
            undo = entry.kind in (EntryKind.UNAPPLICATION, EntryKind.DISCOUNT_REVERSAL)
            discount = entry.kind in (EntryKind.DISCOUNT, EntryKind.DISCOUNT_REVERSAL)
            for invoice_id, m in entry.applied:
                change = -m if undo else m
                at = next((n for n, row in enumerate(rows) if row[0] == invoice_id), None)
                zero = m - m
                old = rows[at] if at is not None else (invoice_id, zero, zero)
                row = (
                    (invoice_id, old[1], old[2] + change)
                    if discount
                    else (invoice_id, old[1] + change, old[2])
                )
                if at is None:
                    rows.append(row)
                elif row[1] or row[2]:
                    rows[at] = row
                else:
                    del rows[at]
        return replace(self, settled=tuple(rows), reversed=reversed_)


@attrs.frozen(kw_only=True)
class CustomerAccount:
    """A customer's account ledger (see the module docstring).

    Attributes:
        customer_id: The customer (the aggregate id).
        currency: The account's currency; every entry is in it.
        balance: The totals and their laws.
        open_items: ``(invoice id, open amount)`` of each open invoice, oldest posted first.
        credits: ``(payment or credit note id, credit left)``, oldest first.
        version: How many entries were posted.

    The account refuses a document id that is open on it (an open invoice, a payment or
    credit note with credit left). That a document settled long ago is never posted again
    is the document store's rule, not the account's (which would have to keep every id it
    was ever sent): the desk keeps one record per invoice, payment, refund and write-off.
    """

    customer_id: str
    currency: Currency = attrs.field(converter=_currency)
    balance: AccountBalance
    open_items: tuple[tuple[str, Money], ...] = ()
    credits: tuple[tuple[str, Money], ...] = ()
    version: int = 0

    @classmethod
    def open(cls, customer_id: str, currency: Currency | str) -> CustomerAccount:
        """An empty account (version 0, no events)."""
        if not isinstance(customer_id, str) or not customer_id.strip():
            raise ValidationError.invalid("CustomerAccount", "customer_id", customer_id, "an id")
        code = Currency.of(currency)
        return cls(customer_id=customer_id, currency=code, balance=AccountBalance.zero(code))

    @property
    def id(self) -> str:
        """The aggregate id (:attr:`customer_id`)."""
        return self.customer_id

    @property
    def subject(self) -> str:
        """How messages name the account."""
        return f"account of customer {self.customer_id}"

    def open_amount(self, invoice_id: str) -> Money:
        """What is open on ``invoice_id`` (zero when settled or unknown)."""
        found = _get(self.open_items, invoice_id)
        return Money.zero(self.currency) if found is None else found

    def credit_left(self, source_id: str) -> Money:
        """The credit left on a payment or credit note (zero when used up or unknown)."""
        found = _get(self.credits, source_id)
        return Money.zero(self.currency) if found is None else found

    # --- commands ------------------------------------------------------------------------

    def post_invoice(
        self, invoice_id: str, amount: Money, on: date, *, at: datetime | None = None
    ) -> AccountOutcome:
        """Post an issued invoice (its total, tax included); it is open for ``amount``."""
        self._new_document(invoice_id)
        self._positive(amount, f"invoice {invoice_id}")
        return self._post(EntryKind.INVOICE, invoice_id, on, amount, at=at)

    def post_payment(
        self,
        payment_id: str,
        amount: Money,
        on: date,
        *,
        applied: Mapping[str, Money] | None = None,
        discounts: Mapping[str, Money] | None = None,
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Post money received: ``applied`` settles open invoices, the rest stays as credit.

        ``discounts`` are the early-payment discounts taken with it (one ``discount``
        entry each, after the payment).

        Raises:
            AccountLedgerError: A posted id, a bad amount, or more applied than received or
                than is open on an invoice.
        """
        self._new_document(payment_id)
        self._positive(amount, f"payment {payment_id}")
        pairs = self._applications(applied or {}, f"payment {payment_id}", limit=amount)
        events: list[AccountEntryPosted] = []
        account, first = self._post(EntryKind.PAYMENT, payment_id, on, amount, applied=pairs, at=at)
        events.extend(first)
        for invoice_id, discount in sorted((discounts or {}).items()):
            if discount:
                account, more = account.post_discount(
                    invoice_id, discount, on, source_id=payment_id, at=at
                )
                events.extend(more)
        return Outcome(account, tuple(events))

    def post_discount(
        self,
        invoice_id: str,
        amount: Money,
        on: date,
        *,
        source_id: str,
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Post an early-payment discount taken on ``invoice_id`` with ``source_id``'s money.

        Raises:
            AccountLedgerError: A bad amount, or more than is open on the invoice.
        """
        self._positive(amount, f"discount on invoice {invoice_id}")
        if amount > self.open_amount(invoice_id):
            raise AccountLedgerError(
                f"Cannot take a discount of {amount} on invoice {invoice_id} for"
                f" {self.subject}: only {self.open_amount(invoice_id)} is open."
            )
        document_id = f"{source_id}/discount/{invoice_id}"
        self._new_document(document_id)
        return self._post(
            EntryKind.DISCOUNT,
            document_id,
            on,
            amount,
            applied=((invoice_id, amount),),
            source_id=source_id,
            at=at,
        )

    def post_credit_note(
        self,
        credit_note_id: str,
        invoice_id: str,
        amount: Money,
        on: date,
        *,
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Post a credit note on ``invoice_id``: it settles what is open there; the rest is
        credit."""
        self._new_document(credit_note_id)
        self._positive(amount, f"credit note {credit_note_id}")
        applied = min(amount, self.open_amount(invoice_id))
        pairs = ((invoice_id, applied),) if applied else ()
        return self._post(
            EntryKind.CREDIT_NOTE,
            credit_note_id,
            on,
            amount,
            applied=pairs,
            source_id=invoice_id,
            at=at,
        )

    def plan_application(
        self,
        amount: Money | None = None,
        *,
        invoice_ids: Sequence[str] = (),
        source_ids: Sequence[str] = (),
    ) -> tuple[tuple[str, str, Money], ...]:
        """``(source id, invoice id, amount)`` moves that apply credit to open invoices.

        Credit is taken from ``source_ids`` (every credit, oldest first, when empty) and
        applied to ``invoice_ids`` in the order given (every open invoice, oldest first,
        when empty), up to ``amount`` (as much as possible when ``None``).

        Raises:
            AccountLedgerError: An unknown source or invoice, or ``amount`` larger than the
                credit or than what is open on the chosen invoices.
        """
        subject = f"apply credit on {self.subject}"
        for source in source_ids:
            if not self.credit_left(source):
                raise AccountLedgerError(
                    f"Cannot {subject}: {source!r} has no credit left; expected one of"
                    f" {', '.join(k for k, _ in self.credits) or 'none (no credit on account)'}."
                )
        for invoice_id in invoice_ids:
            if not self.open_amount(invoice_id):
                raise AccountLedgerError(
                    f"Cannot {subject}: invoice {invoice_id!r} is not open; expected one of"
                    f" {', '.join(k for k, _ in self.open_items) or 'none (nothing open)'}."
                )
        credits: list[tuple[str, Money]] = [
            (k, v) for k, v in self.credits if not source_ids or k in source_ids
        ]
        opens: list[tuple[str, Money]] = [
            (k, v) for k, v in self.open_items if not invoice_ids or k in invoice_ids
        ]
        if invoice_ids:
            order = list(invoice_ids)
            opens.sort(key=lambda kv: order.index(kv[0]))
        available = Money.sum((v for _, v in credits), currency=self.currency)
        open_total = Money.sum((v for _, v in opens), currency=self.currency)
        if amount is not None:
            self._positive(amount, "credit to apply")
            if amount > available or amount > open_total:
                raise AccountLedgerError(
                    f"Cannot {subject}: {amount} asked, but the credit chosen is {available}"
                    f" and the invoices chosen have {open_total} open; expected at most"
                    f" {min(available, open_total)}."
                )
        left = min(available, open_total) if amount is None else amount
        moves: list[tuple[str, str, Money]] = []
        credit_left = dict(credits)
        for invoice_id, open_ in opens:
            for source in credit_left:
                take = min(open_, credit_left[source], left)
                if take:
                    moves.append((source, invoice_id, take))
                    open_ -= take
                    credit_left[source] -= take
                    left -= take
        return tuple(moves)

    def apply_credit(
        self,
        on: date,
        amount: Money | None = None,
        *,
        invoice_ids: Sequence[str] = (),
        source_ids: Sequence[str] = (),
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Apply credit (cash on account, credit notes) to open invoices: one
        ``application`` entry per source used (see :meth:`plan_application`).

        Raises:
            AccountLedgerError: Nothing to apply, or what :meth:`plan_application` refuses.
        """
        moves = self.plan_application(amount, invoice_ids=invoice_ids, source_ids=source_ids)
        if not moves:
            raise AccountLedgerError(
                f"Cannot apply credit on {self.subject}: credit {self.balance.unapplied},"
                f" open invoices {self.balance.open_invoices}; expected both above zero."
            )
        by_source: dict[str, list[tuple[str, Money]]] = {}
        for source, invoice_id, take in moves:
            by_source.setdefault(source, []).append((invoice_id, take))
        account = self
        events: list[AccountEntryPosted] = []
        for source, pairs in by_source.items():
            total = Money.sum((m for _, m in pairs), currency=self.currency)
            account, more = account._post(
                EntryKind.APPLICATION,
                f"{source}/applied/{account.version + 1}",
                on,
                total,
                applied=tuple(pairs),
                source_id=source,
                at=at,
            )
            events.extend(more)
        return Outcome(account, tuple(events))

    def refund(
        self,
        refund_id: str,
        amount: Money,
        on: date,
        *,
        method: str,
        reference: str,
        source_ids: Sequence[str] = (),
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Pay credit back to the customer (one ``refund`` entry per source used).

        Raises:
            AccountLedgerError: A posted id, no method or reference, or more than the
                credit chosen (all credit, oldest first, when ``source_ids`` is empty).
        """
        self._new_document(refund_id)
        self._positive(amount, f"refund {refund_id}")
        for name, value in (("method", method), ("reference", reference)):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError.invalid(
                    f"refund {refund_id} on {self.subject}", name, value, "a non-empty text"
                )
        plan = self._take_credit(amount, source_ids, f"refund {refund_id}")
        account = self
        events: list[AccountEntryPosted] = []
        for n, (source, take) in enumerate(plan):
            account, more = account._post(
                EntryKind.REFUND,
                refund_id if n == 0 else f"{refund_id}/{n + 1}",
                on,
                take,
                source_id=source,
                method=method,
                reference=reference,
                at=at,
            )
            events.extend(more)
        return Outcome(account, tuple(events))

    def write_off(
        self,
        write_off_id: str,
        document_id: str,
        on: date,
        *,
        tolerance: Money,
        reason: str = "",
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Write off what is open on invoice ``document_id``, or the credit left on payment
        or credit note ``document_id``, if it is no more than ``tolerance``.

        Raises:
            AccountLedgerError: A posted id, nothing open or left on the document, or more
                than the tolerance.
        """
        self._new_document(write_off_id)
        open_ = self.open_amount(document_id)
        credit = self.credit_left(document_id)
        rest = open_ or credit
        if not rest:
            raise AccountLedgerError(
                f"Cannot write off {document_id!r} on {self.subject}: nothing is open or left"
                " on it; expected an open invoice"
                f" ({', '.join(k for k, _ in self.open_items) or 'none'}) or a credit"
                f" ({', '.join(k for k, _ in self.credits) or 'none'})."
            )
        if rest > tolerance:
            raise AccountLedgerError(
                f"Cannot write off {rest} on {document_id} for {self.subject}: it is above the"
                f" write-off tolerance {tolerance}; expected a rest of at most {tolerance}."
            )
        if open_:
            return self._post(
                EntryKind.WRITE_OFF,
                write_off_id,
                on,
                rest,
                applied=((document_id, rest),),
                reference=reason,
                at=at,
            )
        return self._post(
            EntryKind.WRITE_OFF,
            write_off_id,
            on,
            rest,
            source_id=document_id,
            reference=reason,
            at=at,
        )

    def reverse_payment(
        self,
        settlement: PaymentSettlement,
        on: date,
        *,
        reason: str,
        at: datetime | None = None,
    ) -> AccountOutcome:
        """Take back a payment posted by mistake (a bounced cheque, a charged-back card).

        ``settlement`` is what the payment settled (:class:`PaymentSettlement`, kept with
        the payment). That is undone first, one ``unapplication`` entry per invoice (the
        invoice is open again for that amount) and one ``discount_reversal`` per
        early-payment discount it took; then a ``reversal`` entry takes the whole amount
        off the account.

        Raises:
            AccountLedgerError: The settlement is of another customer, or the payment was
                reversed already.
            PaymentRefundedError: Part of it was refunded or written off (as credit).
        """
        if not isinstance(settlement, PaymentSettlement):
            raise ValidationError.invalid(
                f"reverse payment on {self.subject}",
                "settlement",
                settlement,
                "the PaymentSettlement of the payment (PaymentSettlement.of(payment_id, entries))",
            )
        payment_id = settlement.payment_id
        entry_id = f"{payment_id}/reversed"
        received = settlement.received
        if settlement.customer_id and settlement.customer_id != self.customer_id:
            raise AccountLedgerError(
                f"Cannot reverse payment {payment_id!r} on {self.subject}: it was posted to"
                f" customer {settlement.customer_id}; expected a payment of this customer."
            )
        if settlement.reversed:
            raise AccountLedgerError(
                f"Cannot reverse payment {payment_id} on {self.subject}: it was reversed"
                f" already ({entry_id} is posted already); expected a payment not yet"
                " reversed."
            )
        self._new_document(entry_id)
        self._positive(received, f"payment {payment_id}")
        mine = settlement.settled
        left = self.credit_left(payment_id) + settlement.on_invoices
        if left != received:
            raise PaymentRefundedError(
                f"Cannot reverse payment {payment_id} on {self.subject}: only {left} of"
                f" {received} is still on the account or on its invoices (the rest was"
                " refunded or written off); expected a payment none of which was refunded"
                " or written off.",
                payment_id=payment_id,
                received=received,
                left=left,
            )
        account = self
        events: list[AccountEntryPosted] = []
        for invoice_id, applied, discount in mine:
            # What the payment settled on the invoice, and the discount it took there.
            for kind, entry, amount in (
                (EntryKind.UNAPPLICATION, f"{payment_id}/unapplied/{invoice_id}", applied),
                (
                    EntryKind.DISCOUNT_REVERSAL,
                    f"{payment_id}/discount/{invoice_id}/reversed",
                    discount,
                ),
            ):
                if amount:
                    account, more = account._post(
                        kind,
                        entry,
                        on,
                        amount,
                        applied=((invoice_id, amount),),
                        source_id=payment_id,
                        reference=reason,
                        at=at,
                    )
                    events.extend(more)
        account, more = account._post(
            EntryKind.REVERSAL,
            entry_id,
            on,
            received,
            source_id=payment_id,
            reference=reason,
            at=at,
        )
        events.extend(more)
        return Outcome(account, tuple(events))

    # --- deciding ------------------------------------------------------------------------

    def _new_document(self, document_id: str) -> None:
        if not isinstance(document_id, str) or not document_id.strip():
            raise ValidationError.invalid(self.subject, "document id", document_id, "an id")
        if _get(self.open_items, document_id) is not None or (
            self.credits and _get(self.credits, document_id) is not None
        ):
            raise AccountLedgerError(
                f"Cannot post {document_id} to {self.subject}: it was posted already (it is"
                " open on the account); expected a new document id."
            )

    def _positive(self, amount: Money, what: str) -> None:
        if not isinstance(amount, Money) or amount.currency != self.currency:
            raise AccountLedgerError(
                f"Invalid amount for {what} on {self.subject}: {amount!r}; expected a Money in"
                f" {self.currency.code}, the account's currency."
            )
        if not amount.is_positive or not amount.is_rounded:
            raise AccountLedgerError(
                f"Invalid amount for {what} on {self.subject}: {amount}; expected a positive"
                " amount in whole minor units."
            )

    def _applications(
        self, applied: Mapping[str, Money], what: str, *, limit: Money
    ) -> tuple[tuple[str, Money], ...]:
        pairs = []
        total = Money.zero(self.currency)
        for invoice_id, amount in applied.items():
            if not amount:
                continue
            self._positive(amount, f"{what} on invoice {invoice_id}")
            if amount > self.open_amount(invoice_id):
                raise AccountLedgerError(
                    f"Cannot apply {amount} of {what} to invoice {invoice_id} on"
                    f" {self.subject}: only {self.open_amount(invoice_id)} is open."
                )
            pairs.append((invoice_id, amount))
            total += amount
        if total > limit:
            raise AccountLedgerError(
                f"Cannot apply {total} of {what} on {self.subject}: only {limit} was received."
            )
        return tuple(pairs)

    def _take_credit(
        self, amount: Money, source_ids: Sequence[str], what: str
    ) -> list[tuple[str, Money]]:
        chosen = [(k, v) for k, v in self.credits if not source_ids or k in source_ids]
        available = Money.sum((v for _, v in chosen), currency=self.currency)
        if amount > available:
            raise AccountLedgerError(
                f"Cannot {what} of {amount} on {self.subject}: the credit"
                f" {'chosen ' if source_ids else ''}is {available}; expected at most that."
            )
        plan = []
        left = amount
        for source, credit in chosen:
            take = min(credit, left)
            if take:
                plan.append((source, take))
                left -= take
        return plan

    def _post(
        self,
        kind: EntryKind,
        document_id: str,
        on: date,
        amount: Money,
        *,
        applied: tuple[tuple[str, Money], ...] = (),
        source_id: str = "",
        method: str = "",
        reference: str = "",
        at: datetime | None = None,
    ) -> AccountOutcome:
        entry = AccountEntry(
            sequence=self.version + 1,
            kind=kind,
            document_id=document_id,
            on=on,
            amount=amount,
            applied=applied,
            source_id=source_id,
            method=method,
            reference=reference,
        )
        # Without the common fields' checks when they plainly pass (see make_event).
        event = make_event(
            AccountEntryPosted, self.customer_id, self.version + 1, on, at, entry=entry
        )
        account = self._apply(entry)
        account.balance.check()
        return Outcome(account, (event,))

    # --- applying ------------------------------------------------------------------------

    def _apply(self, entry: AccountEntry) -> CustomerAccount:
        b = self.balance
        opens = self.open_items
        credits = self.credits
        amount = entry.amount
        # Most entries apply nothing (an invoice, cash kept on account): zero, what the sum
        # of nothing is, without the sum.
        applied = (
            Money.sum((m for _, m in entry.applied), currency=self.currency)
            if entry.applied
            else Money.zero(self.currency)
        )
        kind = entry.kind
        sign = -1 if kind in (EntryKind.UNAPPLICATION, EntryKind.DISCOUNT_REVERSAL) else 1
        for invoice_id, m in entry.applied:
            # Subtract or add the amount, rather than multiply it by the sign (a Money
            # product checks and rounds; a sum of cent amounts is exact already).
            before = _get(opens, invoice_id)
            if before is None:
                before = amount - amount
            opens = _set(opens, invoice_id, before - m if sign == 1 else before + m)
        if kind is EntryKind.UNAPPLICATION:
            credits = _set(
                credits,
                entry.source_id,
                dict(credits).get(entry.source_id, amount - amount) + amount,
            )
            b = replace(b, open_invoices=b.open_invoices + applied, unapplied=b.unapplied + amount)
        elif kind is EntryKind.DISCOUNT_REVERSAL:
            b = replace(b, discounts=b.discounts - amount, open_invoices=b.open_invoices + applied)
        elif kind is EntryKind.INVOICE:
            opens = _set(opens, entry.document_id, amount)
            b = replace(b, invoiced=b.invoiced + amount, open_invoices=b.open_invoices + amount)
        elif kind in (EntryKind.PAYMENT, EntryKind.CREDIT_NOTE):
            rest = amount - applied
            credits = _set(credits, entry.document_id, rest)
            if kind is EntryKind.PAYMENT:
                b = replace(b, paid=b.paid + amount)
            else:
                b = replace(b, credited=b.credited + amount)
            b = replace(b, open_invoices=b.open_invoices - applied, unapplied=b.unapplied + rest)
        elif kind is EntryKind.DISCOUNT:
            b = replace(b, discounts=b.discounts + amount, open_invoices=b.open_invoices - applied)
        elif kind is EntryKind.APPLICATION:
            credits = _set(credits, entry.source_id, dict(credits)[entry.source_id] - amount)
            b = replace(b, open_invoices=b.open_invoices - applied, unapplied=b.unapplied - amount)
        elif kind is EntryKind.WRITE_OFF and entry.applied:
            b = replace(
                b, written_off=b.written_off + amount, open_invoices=b.open_invoices - applied
            )
        else:  # refund, reversal, write-off of a credit: credit leaves the account
            credits = _set(credits, entry.source_id, dict(credits)[entry.source_id] - amount)
            field = {
                EntryKind.REFUND: "refunded",
                EntryKind.REVERSAL: "reversed",
                EntryKind.WRITE_OFF: "credit_written_off",
            }[kind]
            b = replace(b, unapplied=b.unapplied - amount, **{field: getattr(b, field) + amount})
        # Not ``replace``: it hands a class with a converter to attrs.evolve, which converts
        # ``currency`` again, and the account's currency is a Currency already
        # (``Currency.of`` returns a Currency as it is), so the plain copy is the same.
        return trusted_replace(
            self, balance=b, open_items=opens, credits=credits, version=entry.sequence
        )

    @classmethod
    def replay(
        cls, events: Iterable[AccountEntryPosted], *, base: CustomerAccount | None = None
    ) -> CustomerAccount:
        """Rebuild an account from its events (those after ``base``, when given).

        Without a base the account is opened in the currency of the first entry.

        Raises:
            ValidationError: No events and no base, or an event of another account or one
                that skips a version.
        """
        account = base
        for event in events:
            if account is None:
                account = cls.open(event.aggregate_id, event.entry.amount.currency)
            if event.aggregate_id != account.customer_id or event.version != account.version + 1:
                raise ValidationError.invalid(
                    f"CustomerAccount.replay of {account.customer_id}",
                    "event",
                    (event.event_type, event.aggregate_id, event.version),
                    f"an event of {account.customer_id} with version {account.version + 1}",
                )
            account = account._apply(event.entry)
        if account is None:
            raise ValidationError.invalid(
                "CustomerAccount.replay", "events", (), "at least one event, or a base"
            )
        return account

    @classmethod
    def from_entries(
        cls, customer_id: str, currency: Currency | str, entries: Iterable[AccountEntry]
    ) -> CustomerAccount:
        """Rebuild an account from its entries (as a statement lists them)."""
        account = cls.open(customer_id, currency)
        for entry in entries:
            account = account._apply(entry)
        return account
