"""Credit notes: crediting invoiced quantities back, exactly and never more than invoiced.

Amounts are credited by *cumulative proportion* of what each line was invoiced for: after
crediting ``c`` of ``q`` units, the line's untaxed amount and each of its taxes are credited
up to ``round(invoiced × c / q)``. A credit note is the difference between that and what
was credited before, so partial credits never add up to more than the invoice, and
crediting everything returns exactly the invoiced amounts, tax by tax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from ordercycle.errors import InvoicingError
from ordercycle.invoicing._decimal import CONTEXT, ZERO, quantize
from ordercycle.invoicing.errors import CreditExceedsInvoicedError
from ordercycle.invoicing.invoice_line import InvoiceLine
from ordercycle.invoicing.taxes import TaxComputation
from ordercycle.money import Money, Rounding

__all__ = ["CreditNote", "CreditNoteLine", "build_credit_note"]

_HUNDRED = Decimal(100)


@attrs.frozen
class CreditNoteLine:
    """One credited invoice line.

    Attributes:
        line: The invoice line index (0-based).
        quantity: The quantity credited.
        untaxed: The untaxed amount credited.
        taxes: ``(tax code, amount)`` pairs credited.
    """

    line: int
    quantity: Decimal
    untaxed: Money
    taxes: tuple[tuple[str, Money], ...]


@attrs.frozen
class CreditNote:
    """A credit note linked to its invoice.

    Attributes:
        credit_note_id: Its id.
        invoice_id: The invoice it credits.
        issued_on: Its date.
        lines: The credited lines.
        untaxed: The untaxed amount credited.
        tax: The tax credited.
        restocking_fee_percent: The fee asked for, in percent of the untaxed amount.
        restocking_fee: The fee kept back (untaxed), deducted from the total.
        total: ``untaxed + tax - restocking_fee``.
        applied: The part of ``total`` that reduced the invoice balance.
        refund: The part of ``total`` beyond the balance (customer credit).
    """

    credit_note_id: str
    invoice_id: str
    issued_on: date
    lines: tuple[CreditNoteLine, ...]
    untaxed: Money
    tax: Money
    restocking_fee_percent: Decimal
    restocking_fee: Money
    total: Money
    applied: Money
    refund: Money

    @property
    def quantities(self) -> tuple[tuple[int, Decimal], ...]:
        """``(line index, quantity)`` pairs."""
        return tuple((line.line, line.quantity) for line in self.lines)


def _quantity(value: object, subject: str, line: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InvoicingError(
            f"Invalid quantity for line {line} of the credit note on {subject}: {value!r};"
            " expected a Decimal, int or str above zero."
        )
    try:
        qty = Decimal(value)
    except ArithmeticError:
        qty = Decimal("NaN")
    if not qty.is_finite() or qty <= 0:
        raise InvoicingError(
            f"Invalid quantity for line {line} of the credit note on {subject}: {value!r};"
            " expected a number above zero."
        )
    return qty


def _fee(value: object, subject: str) -> Decimal:
    fee = Decimal(-1)
    if not isinstance(value, bool) and isinstance(value, int | str | Decimal):
        try:
            fee = Decimal(value)
        except ArithmeticError:
            fee = Decimal(-1)
    if not fee.is_finite() or not ZERO <= fee < _HUNDRED:
        raise InvoicingError(
            f"Invalid restocking fee for the credit note on {subject}: {value!r};"
            " expected a percent from 0 to less than 100 (never float)."
        )
    return fee


def _share(amount: Money, numerator: Decimal, denominator: Decimal) -> Decimal:
    exact = CONTEXT.divide(CONTEXT.multiply(amount.amount, numerator), denominator)
    return quantize(exact, amount.currency.quantum, Rounding.HALF_UP)


def build_credit_note(
    credit_note_id: str,
    invoice_id: str,
    issued_on: date,
    lines: Sequence[InvoiceLine],
    taxes: TaxComputation,
    credited: Sequence[Decimal],
    quantities: Mapping[int, Decimal | int | str] | None,
    restocking_fee_percent: Decimal | int | str,
    balance: Money,
    *,
    subject: str,
) -> CreditNote:
    """Build a credit note for an invoice (used by :meth:`Invoice.credit`).

    Args:
        credit_note_id: The credit note's id.
        invoice_id: The invoice's id.
        issued_on: The credit note date.
        lines: The invoice lines.
        taxes: The invoice's tax computation (per line amounts).
        credited: The quantity already credited per line.
        quantities: ``{line index: quantity}``, or ``None`` for everything left.
        restocking_fee_percent: Percent of the credited untaxed amount kept back.
        balance: The invoice's open balance.
        subject: The invoice, for messages.

    Raises:
        CreditExceedsInvoicedError: A quantity beyond what is left to credit on a line.
        InvoicingError: Unknown lines, bad quantities or fee, or nothing to credit.
    """
    if not isinstance(credit_note_id, str) or not credit_note_id.strip():
        raise InvoicingError(
            f"Invalid credit_note_id for {subject}: {credit_note_id!r}; expected a non-empty id."
        )
    if quantities is None:
        wanted = {i: line.quantity - credited[i] for i, line in enumerate(lines)}
        wanted = {i: q for i, q in wanted.items() if q > 0}
    else:
        wanted = {}
        for index in sorted(quantities):
            if (
                isinstance(index, bool)
                or not isinstance(index, int)
                or not (0 <= index < len(lines))
            ):
                raise InvoicingError(
                    f"Unknown line {index!r} in the credit note on {subject}; expected a line"
                    f" index from 0 to {len(lines) - 1}."
                )
            wanted[index] = _quantity(quantities[index], subject, index)
    if not wanted:
        raise InvoicingError(
            f"Nothing to credit on {subject}: every invoiced quantity is already credited."
        )
    fee_percent = _fee(restocking_fee_percent, subject)
    code = balance.currency.code
    note_lines = []
    for index, qty in wanted.items():
        line = lines[index]
        before = credited[index]
        after = before + qty
        if after > line.quantity:
            raise CreditExceedsInvoicedError(
                f"Cannot credit {qty} of line {index} ({line.sku}) on {subject}: invoiced"
                f" {line.quantity}, already credited {before}; at most"
                f" {line.quantity - before} can be credited.",
                line=index,
                invoiced=line.quantity,
                credited=before,
                requested=qty,
            )
        line_taxes = taxes.lines[index]
        untaxed = _share(line_taxes.untaxed, after, line.quantity) - _share(
            line_taxes.untaxed, before, line.quantity
        )
        tax_pairs = tuple(
            (
                t.code,
                Money(
                    _share(t.amount, after, line.quantity)
                    - _share(t.amount, before, line.quantity),
                    code,
                ),
            )
            for t in line_taxes.taxes
        )
        note_lines.append(CreditNoteLine(index, qty, Money(untaxed, code), tax_pairs))
    untaxed_total = Money.sum((n.untaxed for n in note_lines), currency=code)
    tax_total = Money.sum((m for n in note_lines for _, m in n.taxes), currency=code)
    fee = (untaxed_total * (fee_percent / _HUNDRED)).round()
    total = untaxed_total + tax_total - fee
    applied = min(total, balance)
    return CreditNote(
        credit_note_id,
        invoice_id,
        issued_on,
        tuple(note_lines),
        untaxed_total,
        tax_total,
        fee_percent,
        fee,
        total,
        applied,
        total - applied,
    )
