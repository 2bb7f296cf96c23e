"""Cash rounding: rounding a payable total to the smallest coin, as a separate step.

Switzerland has no coin below 0.05 CHF, so a total of 10.52 CHF is paid as 10.50 CHF when
paid in cash. The difference is not a tax or price change; it is booked on its own, which
is why it is a separate, explicit step applied to a final total, never inside tax rounding.

>>> from decimal import Decimal
>>> from ordercycle.money import Money
>>> rounded = CashRounding(Decimal("0.05")).apply(Money("10.52", "CHF"))
>>> str(rounded.rounded), str(rounded.adjustment)
('10.50 CHF', '-0.02 CHF')
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from ordercycle.invoicing.errors import InvalidTaxError
from ordercycle.money import Money, Rounding

__all__ = ["CashRounded", "CashRounding"]


def _increment(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise InvalidTaxError(
            f"Invalid increment for CashRounding: {value!r}; expected a positive Decimal"
            " such as Decimal('0.05') (never float)."
        )
    result = Decimal(value)
    if not result.is_finite() or result <= 0:
        raise InvalidTaxError(
            f"Invalid increment for CashRounding: {value!r}; expected a positive Decimal"
            " such as Decimal('0.05')."
        )
    return result


@attrs.frozen
class CashRounded:
    """The result of cash rounding.

    Attributes:
        original: The total before cash rounding.
        rounded: The total to collect.
        adjustment: ``rounded - original`` (booked as a rounding difference).
    """

    original: Money
    rounded: Money
    adjustment: Money


@attrs.frozen
class CashRounding:
    """Round totals to a multiple of ``increment`` (for example 0.05 CHF).

    Attributes:
        increment: The smallest amount that can be paid, such as ``Decimal("0.05")``.
        mode: How to round; half up by default.
    """

    increment: Decimal = attrs.field(converter=_increment)
    mode: Rounding = Rounding.HALF_UP

    def apply(self, total: Money) -> CashRounded:
        """Round ``total`` to the increment and report the adjustment."""
        rounded = total.round_to(self.increment, self.mode)
        return CashRounded(total, rounded, rounded - total)
