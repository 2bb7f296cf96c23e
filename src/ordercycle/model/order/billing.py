"""Billing records an order keeps: the invoices, credit notes and payments reported to it.

These are records of documents issued by :mod:`ordercycle.invoicing` (one per event), not
counters: the amount due is the sum of the invoices minus the sum of the credit notes,
the amount paid is the sum of the payments, and the payment status is derived from both.
:func:`new_document_id` and :func:`billed_quantities` are the checks the billing commands
share.

>>> from ordercycle.money import Money
>>> invoice = BillingDocument("INV-1", (("L1", 2),), Money("20.00", "USD"))
>>> invoice.quantity_of("L1")
2
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from ordercycle.errors import DuplicateError, ValidationError
from ordercycle.model.ids import parse_id
from ordercycle.model.order.events import LineQuantity
from ordercycle.model.order.lines import OrderLine, find_line, line_subject
from ordercycle.model.order.policies import InvoicePolicy
from ordercycle.money import Money

__all__ = ["BillingDocument", "OrderPayment", "billed_quantities", "new_document_id"]


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
class OrderPayment:
    """A payment reported against the order.

    Attributes:
        payment_id: The payment's id.
        amount: The amount received.
    """

    payment_id: str
    amount: Money


def new_document_id(kind: str, value: str, existing: Iterable[str]) -> str:
    """``value`` as the id of a new ``kind`` of document (``"invoice"``), if it is new.

    Raises:
        ValidationError: ``value`` is not an id.
        DuplicateError: It was recorded before.
    """
    document_id = parse_id(f"{kind} id", value)
    if document_id in existing:
        raise DuplicateError(kind, document_id)
    return document_id


def billed_quantities(
    lines: tuple[OrderLine, ...],
    document: str,
    quantities: Mapping[str, int],
    check: Literal["invoice", "credit"],
    *,
    subject: str,
    policy: InvoicePolicy,
) -> tuple[LineQuantity, ...]:
    """The quantities of ``document`` after checking each against its line's ledger.

    Args:
        lines: The order's lines.
        document: The document, for messages (``"invoice INV-1"``).
        quantities: Line id -> units.
        check: Whether the units are invoiced or credited.
        subject: The order, for messages.
        policy: The order's invoice policy.

    Raises:
        ValidationError: ``quantities`` is not a non-empty mapping.
        UnknownLineError: A line does not exist.
        QuantityNotAvailableError: More units than the ledger can invoice or credit.
    """
    if not isinstance(quantities, Mapping) or not quantities:
        raise ValidationError.invalid(
            subject,
            f"quantities of {document}",
            quantities,
            "a non-empty mapping line id -> units",
        )
    items = []
    for line_id, quantity in quantities.items():
        ledger = find_line(lines, line_id, subject=subject).ledger
        of_line = line_subject(subject, line_id)
        if check == "invoice":
            ledger.invoice(quantity, policy, subject=of_line)
        else:
            ledger.credit(quantity, subject=of_line)
        items.append(LineQuantity(line_id, quantity))
    return tuple(items)
