"""Payments: the payment aggregate, its events, and applying a payment across invoices.

* :mod:`~ordercycle.invoicing.payments.payment`: the :class:`Payment` aggregate (what was
  received and the invoices it reached);
* :mod:`~ordercycle.invoicing.payments.events`: the events it records;
* :mod:`~ordercycle.invoicing.payments.application`: :func:`apply_payment`, which decides
  where one payment goes (oldest due installment first) and pays those invoices.
"""

from __future__ import annotations

from ordercycle.invoicing.payments.application import PaymentAllocation, apply_payment
from ordercycle.invoicing.payments.events import PaymentAllocated, PaymentEvent, PaymentReceived
from ordercycle.invoicing.payments.payment import Payment, PaymentApplication, PaymentOutcome

__all__ = [
    "Payment",
    "PaymentAllocated",
    "PaymentAllocation",
    "PaymentApplication",
    "PaymentEvent",
    "PaymentOutcome",
    "PaymentReceived",
    "apply_payment",
]
