"""Invoice lines: what is billed, at what price, with which taxes and discount.

A *discount line* (``is_discount=True``) takes an amount off the goods line before it:
its unit price is negative, its quantity and tax codes are those of the goods line, and
several may follow one goods line (one per discount, each naming its reason). An invoice
taxes the goods line and its discount lines together, on the net amount, so the list
price, every discount and the tax on what is really charged all show on the document
(see :func:`invoice_amounts`).

>>> goods = InvoiceLine("MUG", "Mug", 3, Money("9.99", "USD"), ["VAT"])
>>> off = InvoiceLine("DISCOUNT", "less 10 % (SPRING10)", 3, Money("-0.999", "USD"), ["VAT"],
...                   is_discount=True)
>>> amounts, groups = invoice_amounts([goods, off], Decimal("0.01"), "ROUND_HALF_UP")
>>> [str(a) for a in amounts], groups
(['29.97', '-3.00'], (0, 0))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.invoicing._decimal import quantum_of
from ordercycle.limits import MAX_UNITS, exact_decimal
from ordercycle.money import MONEY_CONTEXT, Money, Rounding

__all__ = ["InvoiceLine"]

_HUNDRED = Decimal(100)


def _number(value: object, field: str) -> Decimal:
    return exact_decimal(value, "InvoiceLine", field, error=InvalidQuantityError)


def _quantity(value: object) -> Decimal:
    return _number(value, "quantity")


def _discount(value: object) -> Decimal:
    return _number(value, "discount")


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class InvoiceLine:
    """One line of an invoice (fed later from the order ledger's ordered or shipped quantities).

    Attributes:
        sku: The product's stock-keeping unit.
        description: The text printed on the invoice.
        quantity: The quantity billed, more than zero.
        unit_price: The price of one unit (tax excluded or included, as the tax profile says).
        tax_codes: The codes of the taxes on this line (from the invoice's tax profile).
        discount: A line discount in percent, from 0 to 100.
        is_discount: A discount line: a negative ``unit_price`` taken off the goods line
            before it on the invoice (same quantity and tax codes), with ``discount`` 0.
    """

    sku: str
    description: str
    quantity: Decimal = attrs.field(converter=_quantity)
    unit_price: Money
    tax_codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    discount: Decimal = attrs.field(default=Decimal(0), converter=_discount)
    # Left out of stored data while False: invoices without discount lines keep their form.
    is_discount: bool = attrs.field(default=False, kw_only=True, metadata={"omit_if_default": True})

    def __attrs_post_init__(self) -> None:
        if not 0 < self.quantity <= MAX_UNITS:
            raise InvalidQuantityError.invalid(
                f"InvoiceLine {self.sku}",
                "quantity",
                self.quantity,
                f"a quantity above zero, at most {MAX_UNITS:_}",
            )
        if not 0 <= self.discount <= _HUNDRED:
            raise InvalidQuantityError.invalid(
                f"InvoiceLine {self.sku}", "discount", self.discount, "a percent from 0 to 100"
            )
        if not isinstance(self.is_discount, bool):
            raise ValidationError.invalid(
                f"InvoiceLine {self.sku}", "is_discount", self.is_discount, "True or False"
            )
        if self.is_discount:
            if not isinstance(self.unit_price, Money) or not self.unit_price.is_negative:
                raise ValidationError.invalid(
                    f"InvoiceLine {self.sku}",
                    "unit_price",
                    self.unit_price,
                    "a negative Money on a discount line (the amount taken off each unit)",
                )
            if self.discount:
                raise ValidationError.invalid(
                    f"InvoiceLine {self.sku}",
                    "discount",
                    self.discount,
                    "0 on a discount line (a discount line is the discount)",
                )
        elif not isinstance(self.unit_price, Money) or self.unit_price.is_negative:
            raise ValidationError.invalid(
                f"InvoiceLine {self.sku}",
                "unit_price",
                self.unit_price,
                "a Money of zero or more (only a discount line, is_discount=True, is negative)",
            )

    def amount(self, quantity: Decimal | None = None, mode: Rounding = Rounding.HALF_UP) -> Money:
        """The line amount for ``quantity`` (all of it by default), after the discount.

        Rounded to the currency's minor unit with ``mode``. On an invoice, a discount
        line's amount is what it takes off its goods line's rounded net
        (:attr:`Invoice.line_amounts <ordercycle.invoicing.Invoice.line_amounts>`), which
        may be a cent from this when several discounts reduce one goods line.

        >>> InvoiceLine("MUG", "Mug", 3, Money("3.335", "USD"), discount=10).amount()
        Money('9.00', 'USD')
        """
        price = self.unit_price
        return Money.of_rounded(self.raw_amount(quantity, mode), price.currency)

    def raw_amount(
        self, quantity: Decimal | None = None, mode: Rounding = Rounding.HALF_UP
    ) -> Decimal:
        """:meth:`amount` as a decimal (rounded to the minor unit)."""
        qty = self.quantity if quantity is None else quantity
        price = self.unit_price
        return line_amount(price.amount, qty, self.discount, quantum_of(price.currency), mode.value)


def invoice_amounts(
    lines: Sequence[InvoiceLine], quantum: Decimal, rounding: str
) -> tuple[list[Decimal], tuple[int, ...]]:
    """The amount of each line of an invoice, and the goods line each one belongs to (private).

    A goods line's amount is its :meth:`InvoiceLine.raw_amount`. A discount line's amount
    is the goods line's net after it minus its net before it, each rounded to
    ``quantum``: the goods line and its discount lines add up to exactly the rounded net
    amount (``unit price x quantity`` less every discount), never a cent apart.

    Args:
        lines: The invoice lines, each discount line after its goods line (or after
            another discount line of the same goods line).
        quantum: The currency's minor unit.
        rounding: A :mod:`decimal` rounding constant.

    Returns:
        The amounts (rounded to ``quantum``) and, per line, the index of its goods line
        (its own index for a goods line).

    Raises:
        ValidationError: A discount line comes first, differs from its goods line in
            quantity, tax codes or currency, or the discounts take more than the goods
            line's amount.
    """
    amounts: list[Decimal] = []
    groups: list[int] = []
    start = -1
    exact = before = Decimal(0)
    for index, line in enumerate(lines):
        if not line.is_discount:
            start = index
            exact = _multiply(line.unit_price.amount, line.quantity)
            if line.discount:
                exact = _divide(_multiply(exact, _subtract(_HUNDRED, line.discount)), _HUNDRED)
            before = exact.quantize(quantum, rounding=rounding, context=MONEY_CONTEXT)
            amounts.append(before)
            groups.append(index)
            continue
        goods = lines[start] if start >= 0 else None
        subject = f"invoice line {index + 1} ({line.sku})"
        if goods is None:
            raise ValidationError.invalid(
                subject, "is_discount", True, "a discount line after the goods line it reduces"
            )
        for field, mine, theirs in (
            ("quantity", line.quantity, goods.quantity),
            ("tax_codes", line.tax_codes, goods.tax_codes),
            ("currency", line.unit_price.currency, goods.unit_price.currency),
        ):
            if mine != theirs:
                raise ValidationError.invalid(
                    subject,
                    field,
                    mine,
                    f"{theirs}, as on the goods line {start + 1} ({goods.sku}) it reduces",
                )
        exact = _add(exact, _multiply(line.unit_price.amount, line.quantity))
        if exact < 0:
            raise ValidationError.invalid(
                subject,
                "unit_price",
                line.unit_price,
                f"discounts that leave the goods line {start + 1} ({goods.sku}) at zero or more",
            )
        after = exact.quantize(quantum, rounding=rounding, context=MONEY_CONTEXT)
        amounts.append(_subtract(after, before))
        groups.append(start)
        before = after
    return amounts, tuple(groups)


def line_amount(
    price: Decimal, quantity: Decimal, discount: Decimal, quantum: Decimal, rounding: str
) -> Decimal:
    """``price × quantity`` less ``discount`` percent, rounded to ``quantum`` (private).

    ``rounding`` is a :mod:`decimal` rounding constant; the result has exactly the
    exponent of ``quantum``.
    """
    gross = _multiply(price, quantity)
    if discount:
        gross = _divide(_multiply(gross, _subtract(_HUNDRED, discount)), _HUNDRED)
    return gross.quantize(quantum, rounding=rounding, context=MONEY_CONTEXT)


_multiply = MONEY_CONTEXT.multiply
_divide = MONEY_CONTEXT.divide
_subtract = MONEY_CONTEXT.subtract
_add = MONEY_CONTEXT.add
