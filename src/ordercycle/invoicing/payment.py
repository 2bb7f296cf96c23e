"""The payment aggregate: money received from a customer, allocated to invoices over time.

A :class:`Payment` records what was received and where it went. What is not allocated
yet is the customer's credit; it can be allocated later (to new invoices) or written off.
Like invoices, payments are immutable: each command returns a new payment with one more
event, and :meth:`Payment.replay` rebuilds a payment from its events.

>>> from datetime import date
>>> from ordercycle.money import Money
>>> payment = Payment.receive("P-1", "C-1", Money("150.00", "EUR"), date(2026, 2, 1))
>>> str(payment.unallocated), payment.version
('150.00 EUR', 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

import attrs

from ordercycle.errors import ValidationError
from ordercycle.invoicing.errors import PaymentNotAllowedError
from ordercycle.invoicing.invoice import Invoice
from ordercycle.invoicing.payment_events import (
    PaymentAllocated,
    PaymentEvent,
    PaymentReceived,
    PaymentWrittenOff,
)
from ordercycle.invoicing.payments import PaymentAllocation, apply_payment
from ordercycle.money import Money

__all__ = ["Payment"]


def _moment(day: date, at: datetime | None) -> datetime:
    return at if at is not None else datetime.combine(day, time(), tzinfo=UTC)


@attrs.frozen(kw_only=True)
class Payment:
    """Money received from a customer and its allocations to invoices.

    Attributes:
        payment_id: The payment's id.
        customer_id: Who paid.
        amount: What was received.
        received_on: When.
        allocations: ``(invoice id, amount)`` pairs, in the order they were made.
        written_off: What was written off of the unallocated rest.
        version: Raised by one with every command.
        events: Every event recorded, oldest first.
    """

    payment_id: str
    customer_id: str
    amount: Money
    received_on: date
    allocations: tuple[tuple[str, Money], ...] = ()
    written_off: Money
    version: int = 0
    events: tuple[PaymentEvent, ...] = ()

    @classmethod
    def receive(
        cls,
        payment_id: str,
        customer_id: str,
        amount: Money,
        received_on: date,
        *,
        at: datetime | None = None,
    ) -> Payment:
        """Record money received.

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
            occurred_at=_moment(received_on, at),
            customer_id=customer_id,
            amount=amount,
            received_on=received_on,
        )
        return cls(
            payment_id=payment_id,
            customer_id=customer_id,
            amount=amount,
            received_on=received_on,
            written_off=Money.zero(amount.currency),
            version=1,
            events=(event,),
        )

    @property
    def allocated(self) -> Money:
        """The total allocated to invoices."""
        return Money.sum((m for _, m in self.allocations), currency=self.amount.currency)

    @property
    def unallocated(self) -> Money:
        """What is left: the customer's credit from this payment."""
        return self.amount - self.allocated - self.written_off

    def allocate(
        self, invoices: Sequence[Invoice], on: date | None = None, *, at: datetime | None = None
    ) -> tuple[Payment, PaymentAllocation]:
        """Allocate the unallocated rest to ``invoices``, oldest due installment first.

        Args:
            invoices: The customer's open invoices (or the ones the customer named).
            on: The date the allocation counts as paid (the receipt date by default);
                early-payment discounts are judged against it.
            at: When the event occurred.

        Returns:
            ``(new payment, allocation)``; the allocation holds the updated invoices.

        Raises:
            PaymentNotAllowedError: Nothing left to allocate, or an invoice of another
                customer.
            CurrencyMismatchError: An invoice in another currency.
        """
        rest = self.unallocated
        if not rest.is_positive:
            raise PaymentNotAllowedError(
                f"Cannot allocate payment {self.payment_id}: nothing is left to allocate"
                f" (received {self.amount}, allocated {self.allocated},"
                f" written off {self.written_off})."
            )
        for invoice in invoices:
            if invoice.customer_id != self.customer_id:
                raise PaymentNotAllowedError(
                    f"Cannot allocate payment {self.payment_id} of customer {self.customer_id}"
                    f" to {invoice.subject} of customer {invoice.customer_id}."
                )
        day = on or self.received_on
        result = apply_payment(invoices, self.payment_id, rest, day)
        pairs = tuple((invoice_id, record.amount) for invoice_id, record in result.records)
        event = PaymentAllocated(
            aggregate_id=self.payment_id,
            version=self.version + 1,
            occurred_at=_moment(day, at),
            allocated_on=day,
            allocations=pairs,
        )
        payment = attrs.evolve(
            self,
            allocations=(*self.allocations, *pairs),
            version=event.version,
            events=(*self.events, event),
        )
        return payment, result

    def write_off(self, on: date, *, at: datetime | None = None) -> Payment:
        """Write off the unallocated rest (a small overpayment nobody will claim).

        Raises:
            PaymentNotAllowedError: Nothing is left to write off.
        """
        rest = self.unallocated
        if not rest.is_positive:
            raise PaymentNotAllowedError(
                f"Cannot write off payment {self.payment_id}: nothing is left unallocated."
            )
        event = PaymentWrittenOff(
            aggregate_id=self.payment_id,
            version=self.version + 1,
            occurred_at=_moment(on, at),
            written_off_on=on,
            amount=rest,
        )
        return attrs.evolve(
            self,
            written_off=self.written_off + rest,
            version=event.version,
            events=(*self.events, event),
        )

    @classmethod
    def replay(cls, events: Iterable[PaymentEvent]) -> Payment:
        """Rebuild a payment from its events.

        Raises:
            ValidationError: The history does not start with ``PaymentReceived`` or skips a
                version.
        """
        history = list(events)
        first = history[0] if history else None
        if not isinstance(first, PaymentReceived):
            raise ValidationError.invalid(
                "Payment.replay", "events", first, "a history that starts with PaymentReceived"
            )
        payment = cls.receive(
            first.aggregate_id,
            first.customer_id,
            first.amount,
            first.received_on,
            at=first.occurred_at,
        )
        for event in history[1:]:
            if event.aggregate_id != payment.payment_id or event.version != payment.version + 1:
                raise ValidationError.invalid(
                    f"Payment.replay of {payment.payment_id}",
                    "event",
                    (event.event_type, event.aggregate_id, event.version),
                    f"an event of {payment.payment_id} with version {payment.version + 1}",
                )
            if isinstance(event, PaymentAllocated):
                payment = attrs.evolve(
                    payment,
                    allocations=(*payment.allocations, *event.allocations),
                    version=event.version,
                    events=(*payment.events, event),
                )
            elif isinstance(event, PaymentWrittenOff):
                payment = attrs.evolve(
                    payment,
                    written_off=payment.written_off + event.amount,
                    version=event.version,
                    events=(*payment.events, event),
                )
            else:
                raise ValidationError.invalid(
                    f"Payment.replay of {payment.payment_id}",
                    "event",
                    event.event_type,
                    "PaymentAllocated or PaymentWrittenOff",
                )
        return payment
