"""Billing records an order keeps: the invoices, credit notes and payments reported to it.

These are records of documents issued by :mod:`ordercycle.invoicing` (one per event), not
counters: the amount due is the sum of the invoices minus the sum of the credit notes,
the amount paid is the sum of the payments, and the payment status is derived from both.

>>> from ordercycle.money import Money
>>> invoice = BillingDocument("INV-1", (("L1", 2),), Money("20.00", "USD"))
>>> invoice.quantity_of("L1")
2
"""

from __future__ import annotations

import attrs

from ordercycle.money import Money

__all__ = ["BillingDocument", "PaymentRecord"]


@attrs.frozen
class BillingDocument:
    """An invoice or credit note for quantities of an order's lines.

    Attributes:
        document_id: The invoice or credit-note number.
        quantities: ``(line_id, quantity)`` pairs, in the order given.
        amount: The document's total (net of any restocking fee for a credit note).
    """

    document_id: str
    quantities: tuple[tuple[str, int], ...]
    amount: Money

    def quantity_of(self, line_id: str) -> int:
        """Units of ``line_id`` on this document (0 if none)."""
        return sum(quantity for line, quantity in self.quantities if line == line_id)


@attrs.frozen
class PaymentRecord:
    """A payment reported against the order.

    Attributes:
        payment_id: The payment's id.
        amount: The amount received.
    """

    payment_id: str
    amount: Money
