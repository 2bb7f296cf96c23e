"""The invoice aggregate: draft, issue, pay, credit, cancel.

An :class:`Invoice` is immutable and follows the aggregate contract
(:class:`~ordercycle.model.aggregate.Aggregate`): every command decides, then applies, and
returns an :class:`~ordercycle.model.aggregate.Outcome`, the *new* invoice (``version``
raised by one, one more event in ``events``) and the tuple holding that event; a refused
command raises before anything is built, so the invoice you hold never changes. What a
command made besides the event is on the new invoice: the payment's
:class:`InvoicePayment` is ``invoice.payments[-1]``, the credit note is
``invoice.credit_notes[-1]``. Balances are derived from the recorded payments and credit
notes, never kept in a second counter.

States (see :data:`INVOICE_LIFECYCLE`): ``draft`` → ``issued`` → ``partially_paid`` →
``paid``, or ``canceled`` (from ``draft`` or ``issued`` before any payment). Undoing a
payment (:meth:`Invoice.unapply`, when the payment is reversed) moves a ``paid`` or
``partially_paid`` invoice back to ``partially_paid`` or ``issued``.

>>> from datetime import date
>>> from ordercycle.money import Money
>>> from ordercycle.invoicing import PaymentTerms, TaxProfile, TaxRate, InvoiceLine, NumberSeries
>>> vat = TaxProfile("NL", [TaxRate("VAT21", 21)])
>>> line = InvoiceLine("MUG", "Mug", 4, Money("25.00", "EUR"), ["VAT21"])
>>> draft, _ = Invoice.draft("I-1", "C-1", [line], vat, PaymentTerms.parse("Net 30"),
...                          date(2026, 1, 15))
>>> invoice, _ = draft.issue(NumberSeries("INV-"))
>>> invoice.number, str(invoice.total), invoice.state
('INV-000001', '121.00 EUR', 'issued')
>>> invoice, events = invoice.pay("P-1", Money("21.00", "EUR"), date(2026, 2, 1))
>>> invoice.state, str(invoice.balance), invoice.version, [e.event_type for e in events]
('partially_paid', '100.00 EUR', 3, ['InvoicePaymentApplied'])
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, TypeAlias

import attrs

from ordercycle._memo import remember_for
from ordercycle.errors import (
    CurrencyMismatchError,
    TransitionNotAllowedError,
    ValidationError,
    shown,
)
from ordercycle.invoicing._decimal import ZERO, quantum_of
from ordercycle.invoicing.credit_notes import CreditNote, build_credit_note
from ordercycle.invoicing.discounts import DiscountTaxTreatment
from ordercycle.invoicing.due_dates import Anchor
from ordercycle.invoicing.errors import PaymentNotAllowedError
from ordercycle.invoicing.events import (
    CreditNoteIssued,
    InvoiceCanceled,
    InvoiceDrafted,
    InvoiceEvent,
    InvoiceIssued,
    PaymentApplied,
    PaymentUnapplied,
    make_event,
)
from ordercycle.invoicing.invoice_line import InvoiceLine, invoice_amounts, line_amount
from ordercycle.invoicing.numbering import NumberSeries
from ordercycle.invoicing.schedule import Installment, PaymentSchedule
from ordercycle.invoicing.taxes import TaxComputation, TaxProfile
from ordercycle.invoicing.terms import PaymentTerms
from ordercycle.lifecycle import Lifecycle
from ordercycle.limits import MAX_ID_CHARS, check_date
from ordercycle.model._replace import trusted_replace
from ordercycle.model.aggregate import Outcome
from ordercycle.money import Currency, Money

__all__ = ["INVOICE_LIFECYCLE", "Invoice", "InvoiceOutcome", "InvoicePayment"]

#: The states of an invoice and the events that move it.
INVOICE_LIFECYCLE = Lifecycle.build(
    "invoice",
    initial="draft",
    final=["canceled"],
    transitions=[
        ("issue", "draft", "issued"),
        ("pay", "issued", "partially_paid"),
        ("pay", "partially_paid", "partially_paid"),
        ("settle", "issued", "paid"),
        ("settle", "partially_paid", "paid"),
        ("unpay", "paid", "issued"),
        ("unpay", "partially_paid", "issued"),
        ("unpay_part", "paid", "partially_paid"),
        ("unpay_part", "partially_paid", "partially_paid"),
        ("credit", "issued", "issued"),
        ("credit", "partially_paid", "partially_paid"),
        ("cancel", "draft", "canceled"),
        ("cancel", "issued", "canceled"),
    ],
)

#: What every invoice command returns: the new invoice and the events it recorded.
InvoiceOutcome: TypeAlias = "Outcome[Invoice, InvoiceEvent]"

_EXCESS = ("credit", "write_off")
_ALLOWED: dict[tuple[str, str], str] = {}

#: How many balances of settled-on invoices ``Invoice.balance`` remembers.
BALANCES_KEPT = 256
# Invoice id() -> (the invoice, its balance): a memo of a pure function of a frozen value,
# emptied whole when full (``ordercycle._memo``). Not a cached property: that gives the
# class a ``__getattr__``, and every attribute read of every invoice would then take the
# interpreter's slow path.
_BALANCES: dict[int, tuple[object, Money]] = {}


def _balance_of(invoice: Invoice) -> Money:
    return invoice.total - invoice.settled


def _moment(day: date, at: datetime | None) -> datetime:
    return at if at is not None else datetime.combine(day, time(), tzinfo=UTC)


@attrs.frozen
class InvoicePayment:
    """How one payment was applied to an invoice.

    Attributes:
        payment_id: The payment's id.
        paid_on: The payment date.
        amount: The amount received for this invoice.
        applied: The part of ``amount`` that reduced the balance.
        discount: The early-payment discount taken with it.
        written_off: The shortfall written off on explicit request.
        excess: The overpayment (``amount - applied``).
        excess_written_off: Whether the excess was written off instead of kept as credit.
    """

    payment_id: str
    paid_on: date
    amount: Money
    applied: Money
    discount: Money
    written_off: Money
    excess: Money
    excess_written_off: bool = False


def _lines(values: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Invoice:
    """An invoice with its lines, taxes, payment schedule, payments and credit notes.

    Build one with :meth:`draft`; change it only through its commands, each of which
    returns an :data:`InvoiceOutcome` (the new invoice and the event it recorded).

    Unlike orders, whose commands take only the instant ``at``, invoice commands take a
    business date (``invoice_date``, ``issued_on``, ``paid_on``, ``on``): an invoice is a
    dated document. Its dates are printed on it and drive due dates, early-payment
    discounts and aging, and they may differ from the moment the change was recorded
    (a payment received on Friday and booked on Monday). ``at`` stays optional and
    defaults to midnight UTC of that date. The invoice also keeps its whole history in
    :attr:`events` (the desk stores it next to a snapshot).

    Attributes:
        invoice_id: The aggregate id (not the printed number).
        customer_id: The customer billed.
        lines: The invoice lines.
        tax_profile: The taxes applied.
        terms: The payment terms.
        invoice_date: The invoice date.
        anchor_date: The date the terms count from (invoice date unless given).
        taxes: The tax computation of the lines.
        state: The lifecycle state.
        number: The printed number, once issued.
        schedule: The payment schedule, once issued.
        payments: The payments applied, in order.
        credit_notes: The credit notes issued, in order.
        version: Raised by one with every command.
        events: Every event recorded, oldest first.
    """

    invoice_id: str
    customer_id: str
    lines: tuple[InvoiceLine, ...] = attrs.field(converter=_lines)
    tax_profile: TaxProfile
    terms: PaymentTerms
    invoice_date: date
    anchor_date: date
    taxes: TaxComputation
    state: str = "draft"
    number: str | None = None
    schedule: PaymentSchedule | None = None
    payments: tuple[InvoicePayment, ...] = ()
    credit_notes: tuple[CreditNote, ...] = ()
    version: int = 0
    events: tuple[InvoiceEvent, ...] = ()

    # --- creation -----------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        invoice_id: str,
        customer_id: str,
        lines: Iterable[InvoiceLine],
        tax_profile: TaxProfile,
        terms: PaymentTerms,
        invoice_date: date,
        *,
        anchor_date: date | None = None,
        at: datetime | None = None,
    ) -> InvoiceOutcome:
        """Create a draft invoice and compute its taxes (event :class:`InvoiceDrafted`).

        Args:
            invoice_id: The aggregate id.
            customer_id: The customer billed.
            lines: At least one line, all in one currency.
            tax_profile: The taxes to apply.
            terms: The payment terms.
            invoice_date: The invoice date.
            anchor_date: The date the terms count from; required for terms anchored on
                the order, shipment, receipt or next delivery (COD, CWO, ROG, ...), the
                invoice date by default otherwise.
            at: When the event occurred (midnight UTC of ``invoice_date`` by default).

        Raises:
            ValidationError: No lines, or an empty id; a discount line first, or unlike
                the goods line it reduces (quantity, tax codes), or taking more than it.
            CurrencyMismatchError: Lines in different currencies.
            InvalidTaxError: A tax code the profile does not know.
        """
        given: object = lines
        if isinstance(given, str) or not isinstance(given, Iterable):
            raise ValidationError.invalid("Invoice", "lines", given, "InvoiceLine values")
        items = tuple(lines)
        for name, value in (("invoice_id", invoice_id), ("customer_id", customer_id)):
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_CHARS:
                raise ValidationError.invalid(
                    "Invoice", name, value, f"a non-empty id of at most {MAX_ID_CHARS} characters"
                )
        if not isinstance(tax_profile, TaxProfile):
            raise ValidationError.invalid(
                f"invoice {invoice_id}", "tax_profile", tax_profile, "a TaxProfile"
            )
        if not isinstance(terms, PaymentTerms):
            raise ValidationError.invalid(f"invoice {invoice_id}", "terms", terms, "a PaymentTerms")
        for item in items:
            if not isinstance(item, InvoiceLine):
                raise ValidationError.invalid(
                    f"invoice {invoice_id}", "lines", item, "InvoiceLine values"
                )
        check_date(invoice_date, f"invoice {invoice_id}", "invoice_date")
        check_date(anchor_date, f"invoice {invoice_id}", "anchor_date", optional=True)
        if not items:
            raise ValidationError.invalid(
                f"invoice {invoice_id}", "lines", (), "at least one InvoiceLine"
            )
        if anchor_date is None and terms.anchor not in (Anchor.INVOICE, Anchor.AS_OF):
            raise ValidationError.invalid(
                f"invoice {invoice_id}",
                "anchor_date",
                None,
                f"the {terms.anchor.value.replace('_', ' ')} date that terms {terms} count from",
            )
        unit = items[0].unit_price.currency
        for item in items:
            currency = item.unit_price.currency
            if currency is not unit and currency != unit:
                raise CurrencyMismatchError("invoice", unit.code, currency.code)
        quantum = quantum_of(unit)
        rounding = tax_profile.rounding_mode.value
        if any(item.is_discount for item in items):
            amounts, groups = invoice_amounts(items, quantum, rounding)
            taxes = tax_profile._compute(
                amounts, [item.tax_codes for item in items], unit, terms.tax_base_discount, groups
            )
        else:
            taxes = tax_profile._compute(
                [
                    line_amount(
                        item.unit_price.amount, item.quantity, item.discount, quantum, rounding
                    )
                    for item in items
                ],
                [item.tax_codes for item in items],
                unit,
                terms.tax_base_discount,
            )
        event = make_event(
            InvoiceDrafted,
            invoice_id,
            1,
            invoice_date,
            at,
            customer_id=customer_id,
            invoice_date=invoice_date,
            anchor_date=anchor_date or invoice_date,
            lines=items,
            tax_profile=tax_profile,
            terms=terms,
            total=taxes.total,
        )
        invoice = cls(
            invoice_id=invoice_id,
            customer_id=customer_id,
            lines=items,
            tax_profile=tax_profile,
            terms=terms,
            invoice_date=invoice_date,
            anchor_date=anchor_date or invoice_date,
            taxes=taxes,
            version=1,
            events=(event,),
        )
        return Outcome(invoice, (event,))

    @classmethod
    def replay(cls, events: Iterable[InvoiceEvent], *, base: Invoice | None = None) -> Invoice:
        """Rebuild an invoice from its events (as recorded in :attr:`events`).

        Each event is re-applied through the same command, so the result equals the
        invoice that recorded them, events included. With ``base`` (the invoice at an
        earlier version, say from a snapshot), ``events`` are those recorded after it.

        Raises:
            ValidationError: The history does not start with ``InvoiceDrafted`` (without a
                base), or an event belongs to another invoice or skips a version.
        """
        history = list(events)
        if base is None:
            first = history[0] if history else None
            if not isinstance(first, InvoiceDrafted):
                raise ValidationError.invalid(
                    "Invoice.replay", "events", first, "a history that starts with InvoiceDrafted"
                )
            invoice = cls.draft(
                first.aggregate_id,
                first.customer_id,
                first.lines,
                first.tax_profile,
                first.terms,
                first.invoice_date,
                anchor_date=first.anchor_date,
                at=first.occurred_at,
            ).aggregate
            history = history[1:]
        else:
            invoice = base
        for event in history:
            if event.aggregate_id != invoice.invoice_id or event.version != invoice.version + 1:
                raise ValidationError.invalid(
                    f"Invoice.replay of {invoice.invoice_id}",
                    "event",
                    (event.event_type, event.aggregate_id, event.version),
                    f"an event of {invoice.invoice_id} with version {invoice.version + 1}",
                )
            invoice = invoice._apply(event)
        return invoice

    def _apply(self, event: InvoiceEvent) -> Invoice:
        at = event.occurred_at
        if isinstance(event, InvoiceIssued):
            return self._issue(event.number, event.issued_on, at).aggregate
        if isinstance(event, PaymentApplied):
            return self.pay(
                event.payment_id,
                event.amount,
                event.paid_on,
                write_off=event.written_off if event.written_off else None,
                excess="write_off" if event.excess_written_off else "credit",
                at=at,
            ).aggregate
        if isinstance(event, CreditNoteIssued):
            return self.credit(
                event.credit_note_id,
                event.issued_on,
                dict(event.quantities),
                restocking_fee_percent=event.restocking_fee_percent,
                restocking_fee_taxed=event.restocking_fee_taxed,
                respect_discount=(event.early_discount_percent, event.early_discount_on_tax),
                at=at,
            ).aggregate
        if isinstance(event, PaymentUnapplied):
            return self.unapply(
                event.payment_id, event.unapplied_on, reason=event.reason, at=at
            ).aggregate
        if isinstance(event, InvoiceCanceled):
            return self.cancel(event.reason, event.canceled_on, at=at).aggregate
        raise ValidationError.invalid(
            f"Invoice.replay of {self.invoice_id}",
            "event",
            event.event_type,
            "InvoiceIssued, InvoicePaymentApplied, InvoicePaymentUnapplied,"
            " InvoiceCreditNoteIssued or InvoiceCanceled",
        )

    # --- derived amounts ------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The aggregate id (:attr:`invoice_id`), as every aggregate names it."""
        return self.invoice_id

    @property
    def line_amounts(self) -> tuple[Money, ...]:
        """The amount of each line as billed, tax excluded or included as the profile says.

        A goods line's is :meth:`InvoiceLine.amount`; a discount line's is what it takes
        off its goods line's rounded net amount, so a goods line and its discount lines
        add up to exactly their rounded net (a discount line's own
        :meth:`InvoiceLine.amount` may be a cent apart when several discounts apply).
        """
        unit = self.currency
        amounts, _ = invoice_amounts(
            self.lines, quantum_of(unit), self.tax_profile.rounding_mode.value
        )
        return tuple(Money.of_rounded(amount, unit) for amount in amounts)

    @property
    def currency(self) -> Currency:
        """The invoice currency."""
        return self.taxes.currency

    @property
    def subject(self) -> str:
        """How messages name this invoice (``"invoice INV-000001"``)."""
        return f"invoice {self.number or self.invoice_id}"

    @property
    def total(self) -> Money:
        """The invoice total, tax included."""
        return self.taxes.total

    def _sum(self, amounts: Iterable[Money]) -> Money:
        return Money.sum(amounts, currency=self.currency)

    @property
    def paid(self) -> Money:
        """The payments that reduced the balance (excess excluded)."""
        return self._sum(p.applied for p in self.payments)

    @property
    def discount_taken(self) -> Money:
        """Early-payment discounts taken."""
        return self._sum(p.discount for p in self.payments)

    @property
    def written_off(self) -> Money:
        """Shortfalls written off on request."""
        return self._sum(p.written_off for p in self.payments)

    @property
    def credited(self) -> Money:
        """The total of all credit notes."""
        return self._sum(c.total for c in self.credit_notes)

    @property
    def credit_applied(self) -> Money:
        """The part of the credit notes that reduced the balance."""
        return self._sum(c.applied for c in self.credit_notes)

    @property
    def settled(self) -> Money:
        """Everything that reduced the balance: payments, discounts, write-offs, credits."""
        # One exact sum instead of four (the balance is read several times per command).
        return self._sum(
            [
                *(
                    amount
                    for p in self.payments
                    for amount in (p.applied, p.discount, p.written_off)
                ),
                *(c.applied for c in self.credit_notes),
            ]
        )

    @property
    def balance(self) -> Money:
        """What the customer still owes (never negative)."""
        if not self.payments and not self.credit_notes:
            return self.total  # nothing settled yet: the common case while it is open
        # Remembered by the invoice's identity (see _BALANCES): a payment reads the
        # balance of the invoice it pays, and saving the paid invoice reads it again.
        return remember_for(_BALANCES, BALANCES_KEPT, self, _balance_of)

    @property
    def customer_credit(self) -> Money:
        """Overpayments kept as credit plus credit notes beyond the balance (refundable)."""
        kept = self._sum(p.excess for p in self.payments if not p.excess_written_off)
        return kept + self._sum(c.refund for c in self.credit_notes)

    @property
    def discount_taken_rate(self) -> tuple[Decimal, bool]:
        """``(percent, on tax)`` of the early-payment discount the customer took (``(0,
        False)`` when none was taken): what a credit note that refunds what was paid
        takes off. ``on tax`` is true for an ``ON_EARLY_PAYMENT`` discount (it applied to
        the tax-included total)."""
        discount = self.terms.discount
        if discount is None or not self.discount_taken:
            return Decimal(0), False
        return discount.percent, discount.tax_treatment is DiscountTaxTreatment.ON_EARLY_PAYMENT

    def credited_quantity(self, line: int) -> Decimal:
        """The quantity already credited on line ``line`` (0-based)."""
        return sum((q for note in self.credit_notes for i, q in note.quantities if i == line), ZERO)

    def discount_available(self, paid_on: date) -> Money:
        """The early-payment discount still available for a payment on ``paid_on``.

        Zero after the deadline or without a discount. With one installment, zero once
        the discount was taken; with several, the shares of the installments still open
        (see :meth:`open_discounts`). After credit notes the discount shrinks in
        proportion to what is left of the total.
        """
        if self._installment_discounts():
            return self._sum(share for _, _, share in self.open_discounts(paid_on))
        return self._whole_discount(paid_on)

    def _installment_discounts(self) -> bool:
        """Whether the early-payment discount is earned installment by installment."""
        schedule = self.schedule
        return (
            schedule is not None
            and schedule.discount is not None
            and len(schedule.installment_discounts) > 1
        )

    def open_discounts(self, paid_on: date) -> tuple[tuple[Installment, Money, Money], ...]:
        """Each installment (oldest due first), its open amount and the discount it earns.

        The rule for terms with several installments and an early-payment discount: each
        installment settled on or before the discount deadline earns its share of the
        discount (:attr:`PaymentSchedule.installment_discounts`, the discount split over
        the installments in proportion to their amounts), so settling everything early
        earns exactly the whole discount. An installment already settled earns nothing.
        After credit notes, the discount on what is left of the total (the discount times
        the share of the total not credited), less the discounts already taken, is split
        over the open installments in proportion to their shares (never more than those
        shares). A share is never more than the installment's open amount. With one
        installment the share is :meth:`discount_available`.
        """
        zero = Money.zero(self.currency)
        rows = self.open_installments()
        schedule = self.schedule
        if schedule is None:
            return ()
        if not self._installment_discounts():
            whole = self._whole_discount(paid_on)
            return tuple((inst, open_, min(whole, open_)) for inst, open_ in rows)
        deadline = schedule.discount_deadline
        if deadline is None or paid_on > deadline or not self.total:
            return tuple((inst, open_, zero) for inst, open_ in rows)
        index = {id(inst): i for i, inst in enumerate(schedule.installments)}
        shares = [
            schedule.installment_discounts[index[id(inst)]] if open_ else zero
            for inst, open_ in rows
        ]
        if self.credit_notes and any(shares) and schedule.discount is not None:
            factor = (self.total - self.credited).amount / self.total.amount
            reduced = (schedule.discount * factor).round(self.terms.rounding)
            left = min(max(reduced - self.discount_taken, zero), self._sum(shares))
            shares = list(left.allocate([share.minor_units for share in shares]))
        return tuple(
            (inst, open_, min(share, open_))
            for (inst, open_), share in zip(rows, shares, strict=True)
        )

    def _installments_discount(self, amount: Money, paid_on: date, balance: Money) -> Money:
        """The discount a payment of ``amount`` takes when installments earn shares.

        Open installments are covered oldest due first, each at its open amount less its
        share; the shares of those fully covered are taken. When the payment covers every
        open installment this way, it settles the invoice and the discount is what it
        leaves open (as with one installment): ``balance - amount``, at most the shares.
        """
        zero = Money.zero(self.currency)
        covered = zero
        earned = zero
        for _installment, open_, share in self.open_discounts(paid_on):
            if not open_:
                continue
            if covered + open_ - share > amount:
                return earned
            covered += open_ - share
            earned += share
        return max(zero, min(earned, balance - amount))

    def _whole_discount(self, paid_on: date) -> Money:
        zero = Money.zero(self.currency)
        schedule = self.schedule
        if (
            schedule is None
            or schedule.discount is None
            or schedule.discount_deadline is None
            or paid_on > schedule.discount_deadline
            or (self.payments and self.discount_taken)  # no payments: none was taken
            or not self.total
        ):
            return zero
        if not self.credit_notes:
            return schedule.discount
        share = (self.total - self.credited).amount / self.total.amount
        return max((schedule.discount * share).round(self.terms.rounding), zero)

    def open_installments(self) -> tuple[tuple[Installment, Money], ...]:
        """Each installment (oldest due first) with what is still open on it.

        What was settled covers the oldest due installments first.
        """
        schedule = self.schedule
        if schedule is None:
            return ()
        if len(schedule.installments) == 1 and not self.payments and not self.credit_notes:
            # Nothing settled and one installment (the common case): what the loop below
            # gives a non-negative installment, its amount less ``min(amount, 0)``, is its
            # amount as it is.
            installment = schedule.installments[0]
            if not installment.amount.is_negative:
                return ((installment, installment.amount),)
        covered = self.settled
        result = []
        for installment in schedule.by_due_date():
            used = min(installment.amount, covered)
            covered -= used
            result.append((installment, installment.amount - used))
        return tuple(result)

    def amount_overdue(self, as_of: date) -> Money:
        """The open amount of installments due before ``as_of``."""
        return self._sum(open_ for inst, open_ in self.open_installments() if inst.due_date < as_of)

    # --- commands -----------------------------------------------------------------------

    def _record(self, event: InvoiceEvent, **changes: Any) -> InvoiceOutcome:
        # attrs.evolve without its introspection: the changed fields have no converters
        # or validators (the lines, the one field with a converter, a tuple already, are
        # kept), so copying the fields gives the same invoice.
        changes["version"] = event.version
        changes["events"] = (*self.events, event)
        return Outcome(trusted_replace(self, **changes), (event,))

    def _require(self, event: str) -> str:
        # The invoice lifecycle has no guards: an allowed move depends only on the state
        # and the event, so it is remembered; refusals always go through the lifecycle.
        key = (self.state, event)
        found = _ALLOWED.get(key)
        if found is None:
            found = _ALLOWED[key] = INVOICE_LIFECYCLE.next_state(
                self.state, event, subject=self.subject
            )
        return found

    def issue(
        self, series: NumberSeries, issued_on: date | None = None, *, at: datetime | None = None
    ) -> InvoiceOutcome:
        """Number the invoice with the next number of ``series`` and fix its schedule.

        The series is a value and is not consumed here: once the invoice is issued, use
        ``series.next()`` (a refused issue leaves no gap in the numbers).

        Args:
            series: The numbering series.
            issued_on: The issue date (the invoice date by default).
            at: When the event occurred.

        Returns:
            The issued invoice and its :class:`InvoiceIssued` event (which holds the
            number).

        Raises:
            TransitionNotAllowedError: The invoice is not a draft.
        """
        self._require("issue")
        return self._issue(series.peek(), issued_on or self.invoice_date, at)

    def _issue(self, number: str, day: date, at: datetime | None) -> InvoiceOutcome:
        state = self._require("issue")
        schedule = self.terms.schedule(self.total, self.anchor_date, tax=self.taxes.tax)
        event = make_event(
            InvoiceIssued,
            self.invoice_id,
            self.version + 1,
            day,
            at,
            number=number,
            issued_on=day,
            due_dates=tuple(i.due_date for i in schedule.installments),
        )
        return self._record(event, state=state, number=number, schedule=schedule)

    def pay(
        self,
        payment_id: str,
        amount: Money,
        paid_on: date,
        *,
        write_off: Money | None = None,
        excess: str = "credit",
        at: datetime | None = None,
    ) -> InvoiceOutcome:
        """Apply a payment (event :class:`PaymentApplied`).

        The early-payment discount is taken automatically when the payment, made on or
        before the deadline, leaves no more than the available discount open. With several
        installments, each installment the payment settles by the deadline (oldest due
        first, each at its open amount less its share) earns its share of the discount
        (see :meth:`open_discounts`). A shortfall
        is closed only by an explicit ``write_off`` equal to it. An overpayment is kept as
        customer credit (``excess="credit"``) or written off (``excess="write_off"``).

        Args:
            payment_id: The payment's id.
            amount: The amount received, positive, in the invoice currency.
            paid_on: The payment date.
            write_off: Close the invoice by writing off exactly this shortfall.
            excess: What to do with an overpayment: ``"credit"`` or ``"write_off"``.
            at: When the event occurred.

        Returns:
            The new invoice and its event; how the payment was applied is
            ``invoice.payments[-1]`` (a :class:`InvoicePayment`), as the event says.

        Raises:
            TransitionNotAllowedError: The invoice is a draft, paid or canceled.
            PaymentNotAllowedError: A bad amount, or a write-off that does not close it.
            CurrencyMismatchError: The amount is in another currency.
        """
        self._require("pay")
        if (
            not isinstance(payment_id, str)
            or not payment_id.strip()
            or len(payment_id) > MAX_ID_CHARS
        ):
            raise PaymentNotAllowedError(
                f"Invalid payment_id for {self.subject}: {shown(payment_id)}; expected a non-empty"
                f" id of at most {MAX_ID_CHARS} characters."
            )
        if any(applied.payment_id == payment_id for applied in self.payments):
            raise PaymentNotAllowedError(
                f"Cannot apply payment {payment_id} to {self.subject} again: it was applied"
                " already; expected a new payment id."
            )
        check_date(paid_on, f"payment {payment_id} on {self.subject}", "paid_on")
        zero = Money.zero(self.currency)
        if write_off is None or not isinstance(amount, Money) or amount != zero:
            self._check_amount(amount, "amount")
        if write_off is not None:
            self._check_amount(write_off, "write_off")
        if excess not in _EXCESS:
            raise PaymentNotAllowedError(
                f"Invalid excess for payment {payment_id} on {self.subject}: {excess!r};"
                " expected 'credit' or 'write_off'."
            )
        balance = self.balance
        discount = zero
        if write_off is None and self._installment_discounts():
            discount = self._installments_discount(amount, paid_on, balance)
        elif write_off is None:
            # discount_available without asking _installment_discounts again (just no).
            available = self._whole_discount(paid_on)
            if available and balance - available <= amount < balance:
                discount = balance - amount
        remaining = balance - amount - discount
        if write_off is not None and write_off != remaining:
            raise PaymentNotAllowedError(
                f"Cannot write off {write_off} with payment {payment_id} on {self.subject}:"
                f" the balance after the payment is {remaining}; the write-off must equal it."
            )
        overpaid = max(-remaining, zero)
        record = InvoicePayment(
            payment_id,
            paid_on,
            amount,
            amount - overpaid,
            discount,
            write_off or zero,
            overpaid,
            bool(overpaid) and excess == "write_off",
        )
        settled = write_off is not None or not remaining.is_positive
        state = self._require("settle" if settled else "pay")
        event = make_event(
            PaymentApplied,
            self.invoice_id,
            self.version + 1,
            paid_on,
            at,
            payment_id=payment_id,
            paid_on=paid_on,
            amount=amount,
            applied=record.applied,
            discount=discount,
            written_off=record.written_off,
            excess=overpaid,
            excess_written_off=record.excess_written_off,
            state=state,
        )
        return self._record(event, state=state, payments=(*self.payments, record))

    def unapply(
        self, payment_id: str, on: date, *, reason: str = "", at: datetime | None = None
    ) -> InvoiceOutcome:
        """Undo payment ``payment_id`` (event :class:`PaymentUnapplied`): what it settled,
        and the early-payment discount it took, are open again.

        The desk does this when a payment that was applied is reversed.

        Raises:
            PaymentNotAllowedError: No payment ``payment_id`` is applied to the invoice,
                or it only wrote off a rest (nothing was received).
        """
        record = next((p for p in self.payments if p.payment_id == payment_id), None)
        if record is None or not record.amount:
            raise PaymentNotAllowedError(
                f"Cannot unapply payment {shown(payment_id)} from {self.subject}: no such"
                " payment is applied to it; expected one of"
                f" {', '.join(p.payment_id for p in self.payments if p.amount) or 'none'}."
            )
        check_date(on, f"unapplying payment {payment_id} from {self.subject}", "on")
        payments = tuple(p for p in self.payments if p is not record)
        state = self._require("unpay_part" if payments else "unpay")
        event = make_event(
            PaymentUnapplied,
            self.invoice_id,
            self.version + 1,
            on,
            at,
            payment_id=payment_id,
            unapplied_on=on,
            applied=record.applied,
            discount=record.discount,
            reason=reason,
            state=state,
        )
        return self._record(event, state=state, payments=payments)

    def write_off(
        self, write_off_id: str, amount: Money, on: date, *, at: datetime | None = None
    ) -> InvoiceOutcome:
        """Close the invoice by writing off its whole balance, with no money received.

        Recorded as a :class:`PaymentApplied` of zero with ``written_off`` set (as
        :meth:`pay` records the shortfall it writes off), under ``write_off_id``.

        Raises:
            TransitionNotAllowedError: The invoice is a draft, paid or canceled.
            PaymentNotAllowedError: ``amount`` is not exactly the balance.
        """
        return self.pay(write_off_id, Money.zero(self.currency.code), on, write_off=amount, at=at)

    def credit(
        self,
        credit_note_id: str,
        issued_on: date,
        quantities: Mapping[int, Decimal | int | str] | None = None,
        *,
        restocking_fee_percent: Decimal | int | str = 0,
        restocking_fee_taxed: bool = False,
        respect_discount: bool | tuple[Decimal, bool] = False,
        at: datetime | None = None,
    ) -> InvoiceOutcome:
        """Issue a credit note for some or all of the invoiced quantities.

        Args:
            credit_note_id: The credit note's id.
            issued_on: Its date.
            quantities: ``{line index: quantity}`` to credit; everything not yet credited
                when omitted (a full credit).
            restocking_fee_percent: A fee kept back, in percent of the credited untaxed
                amount.
            restocking_fee_taxed: Whether the fee carries the taxes of the credited lines
                (VAT on a restocking service, as in the EU): the same percent of each tax
                credited is kept back too. Off by default (the fee is kept back untaxed,
                as where such fees are not taxable).
            respect_discount: Refund what was paid: when the customer took the terms'
                early-payment discount, the credit is reduced by the same percent (of the
                tax-included amount for an ``ON_EARLY_PAYMENT`` discount, of the untaxed
                amount otherwise; see :meth:`discount_taken_rate`). Off by default.
                (Replay passes the recorded ``(percent, on tax)`` pair.)
            at: When the event occurred.

        Returns:
            The new invoice and its :class:`CreditNoteIssued` event; the credit note is
            ``invoice.credit_notes[-1]``. The credit reduces the balance; what exceeds the
            balance becomes customer credit (a refund).

        Raises:
            TransitionNotAllowedError: The invoice is a draft or canceled.
            CreditExceedsInvoicedError: More than was invoiced (and not yet credited) on a
                line.
            InvoicingError: An unknown line, a bad quantity or fee, or nothing to credit.
        """
        if self.state != "paid":
            self._require("credit")
        credited = tuple(self.credited_quantity(i) for i in range(len(self.lines)))
        if isinstance(respect_discount, tuple):
            percent, on_tax = respect_discount
        elif respect_discount:
            percent, on_tax = self.discount_taken_rate
        else:
            percent, on_tax = Decimal(0), False
        note = build_credit_note(
            credit_note_id,
            self.invoice_id,
            issued_on,
            self.lines,
            self.taxes,
            credited,
            quantities,
            restocking_fee_percent,
            self.balance,
            subject=self.subject,
            fee_taxed=restocking_fee_taxed,
            early_discount_percent=percent,
            early_discount_on_tax=on_tax,
        )
        balance_after = self.balance - note.applied
        state = self.state
        if state != "paid" and not balance_after:
            state = self._require("settle")
        event = CreditNoteIssued(
            aggregate_id=self.invoice_id,
            version=self.version + 1,
            occurred_at=_moment(issued_on, at),
            credit_note_id=credit_note_id,
            issued_on=issued_on,
            quantities=note.quantities,
            restocking_fee_percent=note.restocking_fee_percent,
            restocking_fee_taxed=bool(restocking_fee_taxed),
            early_discount_percent=note.early_discount_percent,
            early_discount_on_tax=on_tax and bool(percent),
            total=note.total,
            state=state,
        )
        return self._record(event, state=state, credit_notes=(*self.credit_notes, note))

    def cancel(self, reason: str, on: date, *, at: datetime | None = None) -> InvoiceOutcome:
        """Cancel a draft or an issued invoice that has no payments or credit notes.

        Raises:
            TransitionNotAllowedError: The invoice is partially paid, paid or canceled,
                or has credit notes.
        """
        if self.credit_notes:
            raise TransitionNotAllowedError(
                self.subject, "cancel", self.state, reason="it has credit notes"
            )
        state = self._require("cancel")
        event = InvoiceCanceled(
            aggregate_id=self.invoice_id,
            version=self.version + 1,
            occurred_at=_moment(on, at),
            canceled_on=on,
            reason=reason,
        )
        return self._record(event, state=state)

    def _check_amount(self, amount: Money, field: str) -> None:
        if not isinstance(amount, Money):
            raise PaymentNotAllowedError(
                f"Invalid {field} for {self.subject}: {amount!r}; expected a Money."
            )
        if amount.currency != self.currency:
            raise CurrencyMismatchError("pay", self.currency.code, amount.currency.code)
        if not amount.is_positive or not amount.is_rounded:
            raise PaymentNotAllowedError(
                f"Invalid {field} for {self.subject}: {amount}; expected a positive amount"
                " in whole minor units."
            )

    # --- display ------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(line.sku)}</td><td>{esc(line.description)}</td>"
            f"<td style='text-align:right'>{line.quantity}</td>"
            f"<td style='text-align:right'>{esc(str(line.unit_price))}</td>"
            f"<td>{esc(', '.join(line.tax_codes))}</td>"
            f"<td style='text-align:right'>{esc(str(taxes.untaxed))}</td></tr>"
            for line, taxes in zip(self.lines, self.taxes.lines, strict=True)
        )
        tax_rows = "".join(
            f"<tr><td colspan='5' style='text-align:right'>{esc(t.code)} {t.percent}%"
            f" on {esc(str(t.base))}</td><td style='text-align:right'>{esc(str(t.amount))}"
            "</td></tr>"
            for t in self.taxes.by_rate
        )
        dues = ""
        if self.schedule is not None:
            dues = "".join(
                f"<li>{i.due_date.isoformat()}: {esc(str(i.amount))}</li>"
                for i in self.schedule.installments
            )
            dues = f"<p>Terms: {esc(str(self.terms))}</p><ul>{dues}</ul>"
        return (
            f"<div class='ordercycle-invoice'><h3>Invoice {esc(self.number or '(draft)')}</h3>"
            f"<p>Customer {esc(self.customer_id)} · dated {self.invoice_date.isoformat()}"
            f" · {esc(self.state)}</p><table><thead><tr><th>SKU</th><th>Description</th>"
            "<th>Qty</th><th>Unit price</th><th>Taxes</th><th>Amount</th></tr></thead>"
            f"<tbody>{rows}</tbody><tfoot><tr><td colspan='5' style='text-align:right'>"
            f"Untaxed</td><td style='text-align:right'>{esc(str(self.taxes.untaxed))}</td>"
            f"</tr>{tax_rows}<tr><th colspan='5' style='text-align:right'>Total</th>"
            f"<th style='text-align:right'>{esc(str(self.total))}</th></tr>"
            f"<tr><td colspan='5' style='text-align:right'>Balance due</td>"
            f"<td style='text-align:right'>{esc(str(self.balance))}</td></tr></tfoot>"
            f"</table>{dues}</div>"
        )
