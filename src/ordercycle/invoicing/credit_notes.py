"""Credit notes: crediting invoiced quantities back, exactly and never more than invoiced.

Amounts are credited by *cumulative proportion* of what each line was invoiced for: after
crediting ``c`` of ``q`` units, the line's untaxed amount and each of its taxes are credited
up to ``round(invoiced × c / q)``. A credit note is the difference between that and what
was credited before, so partial credits never add up to more than the invoice, and
crediting everything returns exactly the invoiced amounts, tax by tax.

A *restocking fee* keeps back a percentage of the credited untaxed amount. Where the fee
is a taxable charge for a service on the returned goods (VAT in the EU), ask for
``restocking_fee_taxed=True``: the fee then carries the taxes of the credited lines. For
each tax code, the tax kept back is the same percentage of the tax credited under that
code on this note, rounded half-up to the minor unit
(:attr:`CreditNote.restocking_fee_taxes`), and the customer gets back
``untaxed + tax - restocking_fee - restocking_fee_tax``; exempt taxes (zero) keep back
nothing. By default the fee is kept back untaxed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from ordercycle.errors import InvoicingError
from ordercycle.invoicing._decimal import ZERO, quantize
from ordercycle.invoicing.errors import CreditExceedsInvoicedError
from ordercycle.invoicing.invoice_line import InvoiceLine
from ordercycle.invoicing.taxes import TaxComputation
from ordercycle.money import MONEY_CONTEXT, Money, Rounding

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
        total: ``untaxed + tax - restocking_fee - restocking_fee_tax``.
        applied: The part of ``total`` that reduced the invoice balance.
        refund: The part of ``total`` beyond the balance (customer credit).
        restocking_fee_taxes: ``(tax code, amount)`` pairs: the tax on the restocking
            fee, per code of the credited taxes (empty without a fee or when the fee is
            not taxed).
        early_discount_percent: The early-payment discount the customer took on the
            invoice, in percent (0: none): the credit refunds what was paid, not the list
            price.
        early_discount: What that discount takes off this credit note:
            ``early_discount_percent`` of the untaxed amount less the fee, and of the tax
            too when the discount applied to the tax-included total
            (:attr:`~ordercycle.invoicing.DiscountTaxTreatment.ON_EARLY_PAYMENT`), rounded
            to the minor unit. ``total`` is after it. ``None`` in notes stored before.
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
    restocking_fee_taxes: tuple[tuple[str, Money], ...] = ()
    early_discount_percent: Decimal = Decimal(0)
    early_discount: Money | None = None

    def explain(self) -> str:
        """How the total was computed, one step per line (what the document shows).

        >>> from datetime import date
        >>> from ordercycle.money import Money
        >>> usd = lambda v: Money(v, "USD")
        >>> note = CreditNote("CN-1", "INV-1", date(2026, 1, 5), (), usd("100.00"),
        ...     usd("8.88"), Decimal(0), usd("0"), usd("106.70"), usd("106.70"), usd("0"),
        ...     early_discount_percent=Decimal(2), early_discount=usd("2.18"))
        >>> print(note.explain())
        untaxed 100.00 USD
        + tax 8.88 USD
        − early-payment discount taken 2 % 2.18 USD
        = total 106.70 USD
        """
        steps = [f"untaxed {self.untaxed}", f"+ tax {self.tax}"]
        if self.restocking_fee:
            steps.append(f"− restocking fee {self.restocking_fee_percent} % {self.restocking_fee}")
        if self.restocking_fee_taxes:
            steps.append(f"− tax on the fee {self.restocking_fee_tax}")
        if self.early_discount:
            steps.append(
                f"− early-payment discount taken {self.early_discount_percent} %"
                f" {self.early_discount}"
            )
        steps.append(f"= total {self.total}")
        return "\n".join(steps)

    @property
    def restocking_fee_tax(self) -> Money:
        """The tax kept back with the restocking fee (the sum of the per-code amounts)."""
        return Money.sum(
            (amount for _, amount in self.restocking_fee_taxes),
            currency=self.restocking_fee.currency,
        )

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
    exact = MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(amount.amount, numerator), denominator)
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
    fee_taxed: bool = False,
    early_discount_percent: Decimal = Decimal(0),
    early_discount_on_tax: bool = False,
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
        fee_taxed: Whether the restocking fee carries the taxes of the credited lines.
        early_discount_percent: The early-payment discount taken on the invoice, in
            percent: the credit is reduced by as much (see :class:`CreditNote`).
        early_discount_on_tax: Whether that discount applied to the tax too.

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
    rate = fee_percent / _HUNDRED
    fee = (untaxed_total * rate).round()
    fee_taxes = _fee_taxes(note_lines, rate, code) if fee_percent and fee_taxed else ()
    fee_tax = Money.sum((amount for _, amount in fee_taxes), currency=code)
    total = untaxed_total + tax_total - fee - fee_tax
    discount = None
    if early_discount_percent:
        base = untaxed_total - fee
        if early_discount_on_tax:
            base += tax_total - fee_tax
        discount = (base * (Decimal(early_discount_percent) / _HUNDRED)).round()
        total -= discount
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
        fee_taxes,
        Decimal(early_discount_percent),
        discount,
    )


def _fee_taxes(
    note_lines: Sequence[CreditNoteLine], rate: Decimal, code: str
) -> tuple[tuple[str, Money], ...]:
    """The tax on the restocking fee: ``rate`` of the tax credited per code, rounded half-up."""
    credited: dict[str, Money] = {}
    for note_line in note_lines:
        for tax_code, amount in note_line.taxes:
            credited[tax_code] = credited.get(tax_code, Money.zero(code)) + amount
    return tuple((tax_code, (amount * rate).round()) for tax_code, amount in credited.items())
