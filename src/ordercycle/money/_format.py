"""Formatting money for people, through babel when it is installed.

Babel only draws the number (grouping, decimal sign, currency symbol and its position);
it never decides precision. The digits shown are the amount's own: at least the currency's
minor-unit digits (from ISO 4217, not CLDR, which differ for a few currencies such as IQD),
and every further digit of an unrounded amount. Round first to show fewer.
"""

from __future__ import annotations

import copy
import decimal
from decimal import Decimal

from ordercycle.errors import ValidationError
from ordercycle.money._rounding import MONEY_CONTEXT

__all__ = ["format_amount", "plain"]


def plain(amount: Decimal, code: str) -> str:
    """The locale-free form ``"1234.50 USD"`` (never scientific notation)."""
    return f"{amount:f} {code}"


def format_amount(amount: Decimal, code: str, exponent: int, locale: str) -> str:
    """Format with babel's currency pattern for ``locale``; plain form without babel."""
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:
        return plain(amount, code)
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError) as error:
        raise ValidationError.invalid(
            "Money.format", "locale", locale, "a CLDR locale identifier such as 'en_US' or 'de_DE'"
        ) from error
    pattern = copy.copy(parsed.currency_formats["standard"])
    pattern.frac_prec = (exponent, exponent)
    # Babel calls into decimal; shield it from the caller's context as well.
    with decimal.localcontext(MONEY_CONTEXT):
        text: str = pattern.apply(
            amount, parsed, currency=code, currency_digits=False, decimal_quantization=False
        )
    return text
