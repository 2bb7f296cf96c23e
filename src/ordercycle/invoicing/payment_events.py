"""Immutable events recorded by payments (see :class:`ordercycle.invoicing.Payment`)."""

from __future__ import annotations

from datetime import date

import attrs

from ordercycle.model.events import DomainEvent
from ordercycle.money import Money

__all__ = ["PaymentAllocated", "PaymentEvent", "PaymentReceived", "PaymentWrittenOff"]


@attrs.frozen(kw_only=True)
class PaymentEvent(DomainEvent, abstract=True):
    """Base of the events of a payment."""


@attrs.frozen(kw_only=True)
class PaymentReceived(PaymentEvent):
    """Money was received from a customer.

    Attributes:
        customer_id: Who paid.
        amount: What was received.
        received_on: When.
    """

    event_type = "PaymentReceived"
    customer_id: str
    amount: Money
    received_on: date


@attrs.frozen(kw_only=True)
class PaymentAllocated(PaymentEvent):
    """Part of a payment was allocated to invoices.

    Attributes:
        allocated_on: The date the allocation counts as paid.
        allocations: ``(invoice id, amount)`` pairs.
    """

    event_type = "PaymentAllocated"
    allocated_on: date
    allocations: tuple[tuple[str, Money], ...]


@attrs.frozen(kw_only=True)
class PaymentWrittenOff(PaymentEvent):
    """The unallocated rest of a payment was written off.

    Attributes:
        written_off_on: When.
        amount: What was written off.
    """

    event_type = "PaymentWrittenOff"
    written_off_on: date
    amount: Money
