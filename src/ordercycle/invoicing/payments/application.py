"""Applying one customer payment across several invoices, oldest due installment first.

:func:`apply_payment` decides where the money goes and pays each invoice it reaches;
:meth:`Payment.allocate <ordercycle.invoicing.payments.payment.Payment.allocate>` then
records the result on the payment.

>>> from datetime import date
>>> from ordercycle.money import Money
>>> from ordercycle.invoicing import (Invoice, InvoiceLine, NumberSeries, PaymentTerms,
...                                   TaxProfile)
>>> none = TaxProfile("none", [])
>>> series = NumberSeries()
>>> invoices = []
>>> for n, day in ((1, 10), (2, 5)):
...     draft, _ = Invoice.draft(
...         f"I-{n}", "C-1", [InvoiceLine("A", "A", 1, Money("50.00", "USD"))],
...         none, PaymentTerms.net(30), date(2026, 1, day))
...     issued, _ = draft.issue(series)
...     series = series.next()
...     invoices.append(issued)
>>> result = apply_payment(invoices, "P-1", Money("70.00", "USD"), date(2026, 2, 1))
>>> [(i.invoice_id, str(i.balance)) for i in result.invoices], str(result.unapplied)
([('I-1', '30.00 USD'), ('I-2', '0.00 USD')], '0.00 USD')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import attrs

from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.invoicing.errors import PaymentNotAllowedError
from ordercycle.invoicing.invoice import INVOICE_LIFECYCLE, Invoice, InvoicePayment
from ordercycle.money import Money

__all__ = ["PaymentAllocation", "apply_payment"]


@attrs.frozen
class PaymentAllocation:
    """The result of applying one payment to several invoices.

    Attributes:
        invoices: The invoices in the order given, updated where the payment reached them.
        records: ``(invoice id, record)`` for each invoice the payment reached.
        unapplied: What was left over and kept as customer credit.
        written_off: What was left over and written off (``excess="write_off"``).
    """

    invoices: tuple[Invoice, ...]
    records: tuple[tuple[str, InvoicePayment], ...]
    unapplied: Money
    written_off: Money


def apply_payment(
    invoices: Sequence[Invoice],
    payment_id: str,
    amount: Money,
    paid_on: date,
    *,
    excess: str = "credit",
) -> PaymentAllocation:
    """Apply ``amount`` to the open installments of ``invoices``, oldest due first.

    Pass only the invoices the customer named to pay those. Each open installment is due
    at its open amount less the early-payment discount it still earns on ``paid_on``
    (:meth:`Invoice.open_discounts`; the discount is taken when the payment covers it).
    Ties between installments due the same day go to the earlier invoice date, then the
    invoice id.

    Args:
        invoices: The customer's invoices (issued or partially paid; others are skipped).
        payment_id: The payment's id.
        amount: The amount received.
        paid_on: The payment date.
        excess: What to do with what is left over: keep it as customer credit
            (``"credit"``) or write it off (``"write_off"``).

    Returns:
        The updated invoices, the records, and the rest (credit or written off).

    Raises:
        PaymentNotAllowedError: A non-positive or unrounded amount, or a bad ``excess``.
        CurrencyMismatchError: An invoice or the amount in another currency.
        ValidationError: Two invoices with the same id.
    """
    if not isinstance(amount, Money) or not amount.is_positive or not amount.is_rounded:
        raise PaymentNotAllowedError(
            f"Invalid amount for payment {payment_id}: {amount!r}; expected a positive Money"
            " in whole minor units."
        )
    if excess not in ("credit", "write_off"):
        raise PaymentNotAllowedError(
            f"Invalid excess for payment {payment_id}: {excess!r}; expected 'credit' or"
            " 'write_off'."
        )
    ids = [invoice.invoice_id for invoice in invoices]
    if len(set(ids)) != len(ids):
        raise ValidationError.invalid(f"payment {payment_id}", "invoices", ids, "each invoice once")
    for invoice in invoices:
        if invoice.currency != amount.currency:
            raise CurrencyMismatchError("pay", invoice.currency.code, amount.currency.code)
    dues: list[tuple[date, date, str, int, Money]] = []
    for position, invoice in enumerate(invoices):
        if not INVOICE_LIFECYCLE.can(invoice.state, "pay"):
            continue
        # Each open installment is due at its open amount less the discount it earns.
        opened = [
            (inst.due_date, open_ - share)
            for inst, open_, share in invoice.open_discounts(paid_on)
            if open_
        ]
        for due_date, open_ in opened:
            if open_:
                dues.append((due_date, invoice.invoice_date, invoice.invoice_id, position, open_))
    dues.sort(key=lambda d: (d[0], d[1], d[2]))
    left = amount
    per_invoice: dict[int, Money] = {}
    for _due, _day, _id, position, open_ in dues:
        if not left:
            break
        take = min(open_, left)
        per_invoice[position] = per_invoice.get(position, Money.zero(amount.currency)) + take
        left -= take
    updated = list(invoices)
    records = []
    for position in sorted(per_invoice):
        new, _ = updated[position].pay(payment_id, per_invoice[position], paid_on)
        updated[position] = new
        records.append((new.invoice_id, new.payments[-1]))
    zero = Money.zero(amount.currency)
    if excess == "write_off":
        return PaymentAllocation(tuple(updated), tuple(records), zero, left)
    return PaymentAllocation(tuple(updated), tuple(records), left, zero)
