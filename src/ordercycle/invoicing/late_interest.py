"""Late-payment interest: simple annual interest by day count, and the EU preset.

Under the EU Late Payment Directive (2011/7/EU) a business creditor may charge statutory
interest of the central bank's reference rate plus at least 8 percentage points, from the
day after the due date, and a fixed 40 EUR compensation for recovery costs per invoice.
:meth:`LateInterestPolicy.eu` builds that policy from the reference rate in force.

>>> from datetime import date
>>> from ordercycle.money import Money
>>> policy = LateInterestPolicy.eu(Decimal("4.00"))
>>> policy.annual_rate
Decimal('12.00')
>>> str(policy.interest(Money("1000.00", "EUR"), date(2026, 1, 31), date(2026, 3, 2)))
'9.86 EUR'
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import attrs

from ordercycle.errors import ValidationError
from ordercycle.money import MONEY_CONTEXT, Money, Rounding

__all__ = ["DayCount", "LateCharges", "LateInterestPolicy"]

_HUNDRED = Decimal(100)


class DayCount(enum.Enum):
    """How days are turned into a fraction of a year.

    Attributes:
        ACT_365: Actual days ÷ 365 (the usual convention for statutory interest).
        ACT_360: Actual days ÷ 360 (money-market convention, slightly more interest).
    """

    ACT_365 = 365
    ACT_360 = 360


def _rate(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise ValidationError.invalid(
            "LateInterestPolicy", "annual_rate", value, "a Decimal percent (never float)"
        )
    try:
        rate = Decimal(value)
    except ArithmeticError:
        rate = Decimal("NaN")
    if not rate.is_finite() or not 0 <= rate <= 1000:
        raise ValidationError.invalid(
            "LateInterestPolicy", "annual_rate", value, "a percent from 0 to 1000"
        )
    return rate


@attrs.frozen
class LateCharges:
    """What a late payer owes on top of the amount.

    Attributes:
        days_late: Days past the due date.
        interest: The interest.
        compensation: The fixed compensation (zero when none applies).
        total: ``interest + compensation``.
    """

    days_late: int
    interest: Money
    compensation: Money
    total: Money


@attrs.frozen
class LateInterestPolicy:
    """Simple annual interest on overdue amounts, and optional fixed compensation.

    Attributes:
        annual_rate: The yearly rate in percent.
        day_count: How days become a year fraction.
        compensation: A fixed amount charged once per late invoice, if any.
        grace_days: Days after the due date before interest runs.
        rounding: How interest is rounded to the minor unit.
    """

    annual_rate: Decimal = attrs.field(converter=_rate)
    day_count: DayCount = DayCount.ACT_365
    compensation: Money | None = None
    grace_days: int = 0
    rounding: Rounding = Rounding.HALF_UP

    @classmethod
    def eu(
        cls, reference_rate: Decimal | int | str, *, margin: Decimal | int = 8
    ) -> LateInterestPolicy:
        """The EU statutory policy: reference rate + 8 points, 40 EUR compensation."""
        return cls(_rate(reference_rate) + Decimal(margin), compensation=Money("40.00", "EUR"))

    def days_late(self, due_date: date, paid_on: date) -> int:
        """Days of interest between the due date and the payment (0 when on time)."""
        return max(0, (paid_on - due_date).days - self.grace_days)

    def interest(self, amount: Money, due_date: date, paid_on: date) -> Money:
        """Simple interest on ``amount`` from ``due_date`` to ``paid_on``."""
        days = self.days_late(due_date, paid_on)
        factor = MONEY_CONTEXT.divide(
            MONEY_CONTEXT.multiply(self.annual_rate, days), _HUNDRED * self.day_count.value
        )
        return (amount * factor).round(self.rounding)

    def charges(self, amount: Money, due_date: date, paid_on: date) -> LateCharges:
        """Interest plus the fixed compensation when the payment is late.

        The compensation is charged in its own currency only when it matches the amount's;
        otherwise it is left to the caller (reported as zero).
        """
        interest = self.interest(amount, due_date, paid_on)
        days = self.days_late(due_date, paid_on)
        zero = Money.zero(amount.currency.code)
        compensation = zero
        if days and self.compensation is not None and self.compensation.currency == amount.currency:
            compensation = self.compensation
        return LateCharges(days, interest, compensation, interest + compensation)
