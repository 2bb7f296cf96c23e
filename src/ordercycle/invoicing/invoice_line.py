"""Invoice lines: what is billed, at what price, with which taxes and discount."""

from __future__ import annotations

from collections.abc import Iterable
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
    """

    sku: str
    description: str
    quantity: Decimal = attrs.field(converter=_quantity)
    unit_price: Money
    tax_codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    discount: Decimal = attrs.field(default=Decimal(0), converter=_discount)

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
        if not isinstance(self.unit_price, Money) or self.unit_price.is_negative:
            raise ValidationError.invalid(
                f"InvoiceLine {self.sku}", "unit_price", self.unit_price, "a Money of zero or more"
            )

    def amount(self, quantity: Decimal | None = None, mode: Rounding = Rounding.HALF_UP) -> Money:
        """The line amount for ``quantity`` (all of it by default), after the discount.

        Rounded to the currency's minor unit with ``mode``.

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
