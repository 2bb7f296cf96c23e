"""Statuses derived from the quantity ledgers of an order's lines; never stored.

Because they are computed on demand from the ledger (and the billing records), they can
never drift from the quantities they describe.

Fulfilment, looking at the units still on order (``ordered - canceled``), first match wins:
``returned`` (every delivered unit came back), ``partially returned``, ``delivered`` (all
of them), ``shipped`` (all of them), ``partially shipped``, ``allocated`` (every unit
allocated or further), ``partially allocated``, ``unfulfilled``.

Billing: ``not invoiced`` (nothing invoiced), ``credited`` (everything invoiced was
credited), ``invoiced`` (at least as many units invoiced as are on order), ``partially invoiced``.

Payment, comparing the paid amount with the amount due (invoices minus credit notes, both
net of tax):
``overpaid`` (paid more than due), ``unpaid`` (nothing paid), ``partially paid``, ``paid``.

>>> from ordercycle.model.order.ledger import LineLedger
>>> fulfilment_status([LineLedger.of(4).allocate(4).pick(2).pack(2).ship(2)])
<FulfilmentStatus.PARTIALLY_SHIPPED: 'partially_shipped'>
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from ordercycle.model.order.ledger import LineLedger
from ordercycle.money import Money

__all__ = [
    "BillingStatus",
    "FulfilmentStatus",
    "PaymentStatus",
    "billing_status",
    "fulfilment_status",
    "payment_status",
]


class FulfilmentStatus(enum.Enum):
    """How far the goods of an order have gone."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_ALLOCATED = "partially_allocated"
    ALLOCATED = "allocated"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"


class BillingStatus(enum.Enum):
    """How much of an order has been invoiced or credited."""

    NOT_INVOICED = "not_invoiced"
    PARTIALLY_INVOICED = "partially_invoiced"
    INVOICED = "invoiced"
    CREDITED = "credited"


class PaymentStatus(enum.Enum):
    """How the amount paid compares with the amount due."""

    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"


def fulfilment_status(ledgers: Iterable[LineLedger]) -> FulfilmentStatus:
    """The fulfilment status of lines with these ledgers."""
    active = committed = shipped = delivered = returned = 0
    for ledger in ledgers:
        active += ledger.active
        committed += ledger.allocated + ledger.picked + ledger.packed + ledger.shipped
        shipped += ledger.shipped
        delivered += ledger.delivered
        returned += ledger.returned
    if returned and returned >= delivered:
        return FulfilmentStatus.RETURNED
    if returned:
        return FulfilmentStatus.PARTIALLY_RETURNED
    if active and delivered >= active:
        return FulfilmentStatus.DELIVERED
    if active and shipped >= active:
        return FulfilmentStatus.SHIPPED
    if shipped:
        return FulfilmentStatus.PARTIALLY_SHIPPED
    if active and committed >= active:
        return FulfilmentStatus.ALLOCATED
    if committed:
        return FulfilmentStatus.PARTIALLY_ALLOCATED
    return FulfilmentStatus.UNFULFILLED


def billing_status(ledgers: Iterable[LineLedger]) -> BillingStatus:
    """The billing status of lines with these ledgers."""
    active = invoiced = credited = 0
    for ledger in ledgers:
        active += ledger.active
        invoiced += ledger.invoiced
        credited += ledger.credited
    if not invoiced:
        return BillingStatus.NOT_INVOICED
    if credited >= invoiced:
        return BillingStatus.CREDITED
    if invoiced >= active:
        return BillingStatus.INVOICED
    return BillingStatus.PARTIALLY_INVOICED


def payment_status(paid: Money, due: Money) -> PaymentStatus:
    """The payment status for ``paid`` against ``due`` (same currency).

    >>> payment_status(Money("5.00", "USD"), Money("10.00", "USD"))
    <PaymentStatus.PARTIALLY_PAID: 'partially_paid'>
    """
    if paid > due:
        return PaymentStatus.OVERPAID
    if paid.is_zero:
        return PaymentStatus.UNPAID
    if paid < due:
        return PaymentStatus.PARTIALLY_PAID
    return PaymentStatus.PAID
