"""Errors raised by :mod:`ordercycle.invoicing`.

Each one subclasses a family of :mod:`ordercycle.errors` (and through it the fitting
builtin), so callers can catch ``InvoicingError``, ``PaymentTermsError`` or plain
``ValueError``.
"""

from __future__ import annotations

from ordercycle.errors import InvoicingError, PaymentTermsError, ValidationError

__all__ = [
    "AccountLedgerError",
    "AmountExceedsTotalError",
    "CreditExceedsInvoicedError",
    "InvalidDueDateRuleError",
    "InvalidTaxError",
    "PaymentNotAllowedError",
    "PaymentRefundedError",
    "TermsShareError",
]


class InvalidDueDateRuleError(PaymentTermsError, ValidationError):
    """A due-date rule has out-of-range numbers (negative days, a 32nd day, ...)."""


class TermsShareError(PaymentTermsError, ValidationError):
    """The lines of payment terms do not add up to the whole amount (100 %)."""


class AmountExceedsTotalError(PaymentTermsError):
    """A fixed installment amount is larger than what is left of the total.

    Attributes:
        total: The total being scheduled.
        fixed: The sum of the fixed amounts that were asked for.
    """

    def __init__(self, message: str, *, total: object, fixed: object) -> None:
        super().__init__(message)
        self.total = total
        self.fixed = fixed


class InvalidTaxError(InvoicingError):
    """A tax rate, tax profile or tax code is invalid or unknown."""


class PaymentNotAllowedError(InvoicingError):
    """A payment cannot be applied (canceled or draft invoice, bad amount, ...)."""


class CreditExceedsInvoicedError(InvoicingError):
    """A credit note would credit more than was invoiced on a line.

    Attributes:
        line: The invoice line index (0-based).
        invoiced: The quantity invoiced on the line.
        credited: The quantity already credited before this note.
        requested: The quantity this credit note asked for.
    """

    def __init__(
        self, message: str, *, line: int, invoiced: object, credited: object, requested: object
    ) -> None:
        super().__init__(message)
        self.line = line
        self.invoiced = invoiced
        self.credited = credited
        self.requested = requested


class AccountLedgerError(InvoicingError):
    """A customer account ledger refused an entry (over-applied cash, a refund beyond the
    customer's credit, a write-off above the tolerance, an unknown document, ...)."""


class PaymentRefundedError(AccountLedgerError):
    """A payment cannot be reversed: part of its money was refunded or written off.

    Attributes:
        payment_id: The payment.
        received: What it brought in.
        left: What of it is still on the account (or on its invoices).
    """

    def __init__(self, message: str, *, payment_id: str, received: object, left: object) -> None:
        super().__init__(message)
        self.payment_id = payment_id
        self.received = received
        self.left = left
