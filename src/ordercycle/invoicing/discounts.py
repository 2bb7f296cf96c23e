"""Early-payment (cash) discounts and how they treat tax.

"2/10 Net 30" offers 2 % off when the invoice is paid within 10 days. When the invoice
carries tax, jurisdictions and ERPs differ on what the 2 % applies to; the three
treatments of :class:`DiscountTaxTreatment` cover them. With 100.00 untaxed, 21 % VAT and
2 % off (Odoo's documented example):

| treatment | invoice total | paid early | paid late |
|---|---:|---:|---:|
| `ON_EARLY_PAYMENT` | 121.00 | 118.58 | 121.00 |
| `UNTAXED_ONLY` | 121.00 | 119.00 | 121.00 |
| `AT_INVOICING` | 120.58 | 118.58 | 120.58 |
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import attrs

from ordercycle.invoicing._decimal import ZERO, quantize
from ordercycle.invoicing.due_dates import DueDateRule
from ordercycle.invoicing.errors import InvalidDueDateRuleError
from ordercycle.money import MONEY_CONTEXT, Money, Rounding

__all__ = ["DiscountTaxTreatment", "EarlyDiscount"]

_HUNDRED = Decimal(100)


class DiscountTaxTreatment(enum.Enum):
    """What an early-payment discount applies to, and when tax is reduced.

    Attributes:
        ON_EARLY_PAYMENT: The discount applies to the tax-included total; the tax is
            reduced only if the customer actually pays early (Odoo "on early payment").
        UNTAXED_ONLY: The discount applies to the untaxed amount only; the tax is never
            reduced (Odoo "never").
        AT_INVOICING: The tax is computed on the discounted base when the invoice is made,
            whether or not the customer pays early (Odoo "always (upon invoice)", the
            Belgian rule).
    """

    ON_EARLY_PAYMENT = "on_early_payment"
    UNTAXED_ONLY = "untaxed_only"
    AT_INVOICING = "at_invoicing"


def _to_percent(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InvalidDueDateRuleError.invalid(
            "EarlyDiscount", "percent", value, "a Decimal, int or str (never float)"
        )
    try:
        return Decimal(value)
    except ArithmeticError:
        raise InvalidDueDateRuleError.invalid(
            "EarlyDiscount", "percent", value, "a number between 0 and 100"
        ) from None


@attrs.frozen
class EarlyDiscount:
    """A percentage off for paying in full by a deadline.

    Give exactly one of ``within`` (a due-date rule counted from the terms' anchor) and
    ``by`` (a fixed calendar date).

    Attributes:
        percent: The discount in percent, more than 0 and less than 100.
        within: The rule that gives the deadline from the anchor date ("within 10 days").
        by: A fixed last day for the discount.
        tax_treatment: How the discount treats tax.

    >>> EarlyDiscount.within_days(2, 10).deadline(date(2026, 1, 15))
    datetime.date(2026, 1, 25)
    """

    percent: Decimal = attrs.field(converter=_to_percent)
    within: DueDateRule | None = None
    by: date | None = None
    tax_treatment: DiscountTaxTreatment = DiscountTaxTreatment.ON_EARLY_PAYMENT

    def __attrs_post_init__(self) -> None:
        if not (0 < self.percent < _HUNDRED) or not self.percent.is_finite():
            raise InvalidDueDateRuleError.invalid(
                "EarlyDiscount", "percent", self.percent, "more than 0 and less than 100"
            )
        if (self.within is None) == (self.by is None):
            raise InvalidDueDateRuleError.invalid(
                "EarlyDiscount",
                "deadline",
                (self.within, self.by),
                "exactly one of within= (a DueDateRule) and by= (a date)",
            )

    @classmethod
    def within_days(
        cls,
        percent: Decimal | int | str,
        days: int,
        *,
        tax_treatment: DiscountTaxTreatment = DiscountTaxTreatment.ON_EARLY_PAYMENT,
    ) -> EarlyDiscount:
        """``percent`` off when paid within ``days`` days of the anchor date."""
        return cls(
            percent,
            within=DueDateRule.days_after(days),
            tax_treatment=tax_treatment,
        )

    @classmethod
    def until(
        cls,
        percent: Decimal | int | str,
        by: date,
        *,
        tax_treatment: DiscountTaxTreatment = DiscountTaxTreatment.ON_EARLY_PAYMENT,
    ) -> EarlyDiscount:
        """``percent`` off when paid on or before the date ``by``."""
        return cls(percent, by=by, tax_treatment=tax_treatment)

    @property
    def rate(self) -> Decimal:
        """The discount as a fraction (2 % is ``Decimal("0.02")``)."""
        return self.percent / _HUNDRED

    def deadline(self, anchor: date) -> date:
        """The last day to take the discount, for terms anchored on ``anchor``."""
        if self.by is not None:
            return self.by
        assert self.within is not None  # guaranteed by __attrs_post_init__
        return self.within.due_date(anchor)

    def amounts(
        self, total: Money, tax: Money, rounding: Rounding = Rounding.HALF_UP
    ) -> tuple[Money, Money]:
        """Return ``(discount, part of the discount that reduces tax)`` for an invoice.

        Args:
            total: The invoice total, tax included.
            tax: The tax included in ``total`` (as invoiced; under ``AT_INVOICING`` it is
                already computed on the discounted base).
            rounding: How to round the discount to the minor unit.

        >>> EarlyDiscount.within_days(2, 7).amounts(Money("121.00", "USD"), Money("21.00", "USD"))
        (Money('2.42', 'USD'), Money('0.42', 'USD'))
        """
        unit = total.currency
        discount, discount_tax = self.raw_amounts(total.amount, tax.amount, unit.quantum, rounding)
        return Money(discount, unit), Money(discount_tax, unit)

    def raw_amounts(
        self, total: Decimal, tax: Decimal, quantum: Decimal, rounding: Rounding
    ) -> tuple[Decimal, Decimal]:
        """:meth:`amounts` on decimals rounded to ``quantum``."""
        rate = self.rate
        if self.tax_treatment is DiscountTaxTreatment.ON_EARLY_PAYMENT:
            discount = quantize(MONEY_CONTEXT.multiply(total, rate), quantum, rounding)
            discount_tax = quantize(MONEY_CONTEXT.multiply(tax, rate), quantum, rounding)
            if abs(discount_tax) > abs(discount):
                discount_tax = discount
            return discount, discount_tax
        untaxed = MONEY_CONTEXT.subtract(total, tax)
        return quantize(MONEY_CONTEXT.multiply(untaxed, rate), quantum, rounding), ZERO * quantum

    def describe(self) -> str:
        """A short English description such as ``"2% within 10 days after anchor"``."""
        percent = format(self.percent.normalize(), "f")
        when = f"by {self.by.isoformat()}" if self.by is not None else ""
        if self.within is not None:
            when = f"within {self.within.describe()}"
        return f"{percent}% {when}"
