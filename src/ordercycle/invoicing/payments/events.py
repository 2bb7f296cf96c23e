"""The events a payment records (see :class:`~ordercycle.invoicing.payments.payment.Payment`)."""

from __future__ import annotations

from datetime import date

import attrs

from ordercycle.model.events import DomainEvent
from ordercycle.money import Money

__all__ = ["PaymentAllocated", "PaymentEvent", "PaymentReceived"]


@attrs.frozen(kw_only=True)
class PaymentEvent(DomainEvent, abstract=True):
    """Base of the events of a payment."""


@attrs.frozen(kw_only=True)
class PaymentReceived(PaymentEvent):
    """Money was received from a customer (always the payment's first event, version 1).

    Attributes:
        customer_id: Who paid.
        amount: What was received.
        received_on: The payment date.
    """

    event_type = "PaymentReceived"
    customer_id: str
    amount: Money
    received_on: date


@attrs.frozen(kw_only=True)
class PaymentAllocated(PaymentEvent):
    """Part of a payment was applied to one invoice.

    Attributes:
        allocated_on: The date the allocation counts as paid.
        allocations: One ``(invoice id, amount)`` pair: the invoice and what it received.
        discounts: ``(invoice id, early-payment discount taken with it)``; empty when
            none was taken (and in events written before payments kept discounts).
    """

    event_type = "PaymentAllocated"
    allocated_on: date
    allocations: tuple[tuple[str, Money], ...]
    discounts: tuple[tuple[str, Money], ...] = ()
