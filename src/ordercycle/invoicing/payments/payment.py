"""The payment aggregate: money received from a customer and the invoices it was applied to.

A :class:`Payment` follows the aggregate contract
(:class:`~ordercycle.model.aggregate.Aggregate`): it is immutable, each command decides
and then applies, returning an :class:`~ordercycle.model.aggregate.Outcome` (the new
payment and its events), and :meth:`Payment.replay` rebuilds it from its events.

Where the money goes is decided by :func:`~ordercycle.invoicing.payments.application.apply_payment`
(oldest due installment first, early-payment discounts taken); the invoices it pays are
other aggregates, so the payment only *records* that result with :meth:`Payment.allocate`.
What is not applied stays the customer's credit (:attr:`Payment.unapplied`).

>>> from datetime import date
>>> from ordercycle.money import Money
>>> payment, events = Payment.receive("P-1", "C-1", Money("150.00", "EUR"), date(2026, 2, 1))
>>> str(payment.unapplied), payment.version, [e.event_type for e in events]
('150.00 EUR', 1, ['PaymentReceived'])
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import TypeAlias

import attrs

from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.invoicing.errors import PaymentNotAllowedError
from ordercycle.invoicing.payments.application import PaymentAllocation
from ordercycle.invoicing.payments.events import PaymentAllocated, PaymentEvent, PaymentReceived
from ordercycle.model._replace import replace
from ordercycle.model.aggregate import Outcome
from ordercycle.money import Money

__all__ = ["Payment", "PaymentApplication", "PaymentOutcome"]

#: What every payment command returns: the new payment and the events it recorded.
PaymentOutcome: TypeAlias = "Outcome[Payment, PaymentEvent]"


def _moment(day: date, at: datetime | None) -> datetime:
    return at if at is not None else datetime.combine(day, time(), tzinfo=UTC)


@attrs.frozen(kw_only=True)
class PaymentApplication:
    """The part of a payment applied to one invoice.

    Attributes:
        invoice_id: The invoice.
        applied: What reduced its balance.
        discount: The early-payment discount taken with it.
    """

    invoice_id: str
    applied: Money
    discount: Money


@attrs.frozen(kw_only=True)
class Payment:
    """A customer payment and how it was applied, oldest due invoice first.

    Like invoices, payments are dated documents: commands take the payment date besides
    the optional instant ``at`` (midnight UTC of that date by default).

    Every event after :class:`PaymentReceived` applies the payment to one invoice, so the
    version is not stored: it is one plus the number of :attr:`applications`. (The desk
    stores a payment as one state event holding exactly these fields, in the same shape
    since 0.1.0.)

    Attributes:
        payment_id: The id.
        customer_id: Who paid.
        amount: What was received.
        paid_on: The payment date.
        applications: The invoices it reached, in the order it reached them.
        unapplied: What is left over: the customer's credit.
    """

    payment_id: str
    customer_id: str
    amount: Money
    paid_on: date
    applications: tuple[PaymentApplication, ...] = ()
    unapplied: Money

    @property
    def id(self) -> str:
        """The aggregate id (:attr:`payment_id`), as every aggregate names it."""
        return self.payment_id

    @property
    def version(self) -> int:
        """How many events built the payment: its receipt and one per application."""
        return 1 + len(self.applications)

    @property
    def applied(self) -> Money:
        """The total applied to invoices."""
        return Money.sum((a.applied for a in self.applications), currency=self.amount.currency)

    @classmethod
    def receive(
        cls,
        payment_id: str,
        customer_id: str,
        amount: Money,
        paid_on: date,
        *,
        at: datetime | None = None,
    ) -> PaymentOutcome:
        """Record money received (event :class:`PaymentReceived`); all of it is unapplied.

        Raises:
            ValidationError: An empty id.
            PaymentNotAllowedError: A non-positive or unrounded amount.
        """
        for name, value in (("payment_id", payment_id), ("customer_id", customer_id)):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError.invalid("Payment", name, value, "a non-empty id")
        if not isinstance(amount, Money) or not amount.is_positive or not amount.is_rounded:
            raise PaymentNotAllowedError(
                f"Invalid amount for payment {payment_id}: {amount!r}; expected a positive Money"
                " in whole minor units."
            )
        event = PaymentReceived(
            aggregate_id=payment_id,
            version=1,
            occurred_at=_moment(paid_on, at),
            customer_id=customer_id,
            amount=amount,
            received_on=paid_on,
        )
        return Outcome(cls._received(event), (event,))

    @classmethod
    def _received(cls, event: PaymentReceived) -> Payment:
        return cls(
            payment_id=event.aggregate_id,
            customer_id=event.customer_id,
            amount=event.amount,
            paid_on=event.received_on,
            unapplied=event.amount,
        )

    def allocate(
        self, allocation: PaymentAllocation, *, at: datetime | None = None
    ) -> PaymentOutcome:
        """Record where :func:`apply_payment` applied (part of) this payment.

        One :class:`PaymentAllocated` per invoice reached, in the allocation's order.

        Args:
            allocation: The result of applying this payment's unapplied rest (or part of
                it) to the customer's invoices.
            at: When the events occurred (midnight UTC of each payment date by default).

        Raises:
            PaymentNotAllowedError: The allocation reached no invoice, belongs to another
                payment or another customer's invoice, overpays an invoice, or applies
                more than is unapplied.
            CurrencyMismatchError: An amount in another currency.
        """
        subject = f"payment {self.payment_id}"
        if not allocation.records:
            raise PaymentNotAllowedError(
                f"Cannot allocate {subject}: the allocation reached no invoice."
            )
        customers = {invoice.invoice_id: invoice.customer_id for invoice in allocation.invoices}
        total = Money.zero(self.amount.currency)
        for invoice_id, record in allocation.records:
            if record.payment_id != self.payment_id:
                raise PaymentNotAllowedError(
                    f"Cannot allocate {subject}: invoice {invoice_id} was paid by payment"
                    f" {record.payment_id}."
                )
            if customers.get(invoice_id, self.customer_id) != self.customer_id:
                raise PaymentNotAllowedError(
                    f"Cannot allocate {subject} of customer {self.customer_id} to invoice"
                    f" {invoice_id} of customer {customers[invoice_id]}."
                )
            if record.amount.currency != self.amount.currency:
                raise CurrencyMismatchError(
                    "allocate", self.amount.currency.code, record.amount.currency.code
                )
            if record.excess:
                raise PaymentNotAllowedError(
                    f"Cannot allocate {subject}: it overpays invoice {invoice_id} by"
                    f" {record.excess}; keep what is left over unapplied instead."
                )
            total += record.amount
        if total > self.unapplied:
            raise PaymentNotAllowedError(
                f"Cannot allocate {total} of {subject}: only {self.unapplied} is unapplied"
                f" (received {self.amount}, applied {self.applied})."
            )
        events = []
        payment = self
        for invoice_id, record in allocation.records:
            event = PaymentAllocated(
                aggregate_id=self.payment_id,
                version=payment.version + 1,
                occurred_at=_moment(record.paid_on, at),
                allocated_on=record.paid_on,
                allocations=((invoice_id, record.amount),),
                discounts=((invoice_id, record.discount),) if record.discount else (),
            )
            payment = payment._apply(event)
            events.append(event)
        return Outcome(payment, tuple(events))

    def _apply(self, event: PaymentAllocated) -> Payment:
        (invoice_id, amount), *more = event.allocations
        if more:
            raise ValidationError.invalid(
                f"Payment.replay of {self.payment_id}",
                "allocations",
                event.allocations,
                "one (invoice id, amount) pair per PaymentAllocated",
            )
        zero = Money.zero(amount.currency)
        discount = next((m for i, m in event.discounts if i == invoice_id), zero)
        application = PaymentApplication(invoice_id=invoice_id, applied=amount, discount=discount)
        return replace(
            self,
            applications=(*self.applications, application),
            unapplied=self.unapplied - amount,
        )

    @classmethod
    def replay(cls, events: Iterable[PaymentEvent], *, base: Payment | None = None) -> Payment:
        """Rebuild a payment from its events (those after ``base``, when given).

        Raises:
            ValidationError: The history does not start with ``PaymentReceived`` (without
                a base), an event belongs to another payment or skips a version, or an
                allocation names more than one invoice.
        """
        history = list(events)
        if base is None:
            first = history[0] if history else None
            if not isinstance(first, PaymentReceived) or first.version != 1:
                raise ValidationError.invalid(
                    "Payment.replay", "events", first, "a history that starts with PaymentReceived"
                )
            payment = cls._received(first)
            history = history[1:]
        else:
            payment = base
        for event in history:
            if event.aggregate_id != payment.payment_id or event.version != payment.version + 1:
                raise ValidationError.invalid(
                    f"Payment.replay of {payment.payment_id}",
                    "event",
                    (event.event_type, event.aggregate_id, event.version),
                    f"an event of {payment.payment_id} with version {payment.version + 1}",
                )
            if not isinstance(event, PaymentAllocated):
                raise ValidationError.invalid(
                    f"Payment.replay of {payment.payment_id}",
                    "event",
                    event.event_type,
                    "PaymentAllocated",
                )
            payment = payment._apply(event)
        return payment
