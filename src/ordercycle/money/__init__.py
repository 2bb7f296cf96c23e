"""Money: exact decimal amounts in ISO 4217 currencies, explicit rounding, exact allocation.

>>> from decimal import Decimal
>>> price = Money("10.00", "USD")
>>> price.allocate([1, 1, 1])
(Money('3.34', 'USD'), Money('3.33', 'USD'), Money('3.33', 'USD'))
>>> (price * Decimal("0.175")).round(Rounding.HALF_EVEN)
Money('1.75', 'USD')

Amounts are :class:`~decimal.Decimal` and never pass through ``float``. Every operation
runs in a private decimal context of 60 significant digits (:data:`MONEY_CONTEXT`), so
the caller's ``decimal.getcontext()`` never changes a result. Sums and differences of
amounts are exact; products keep every digit (up to 60 significant digits) and are not
rounded until :meth:`Money.round` is called, with an explicit :class:`Rounding` mode.

This package is the one public path for every name below; its modules are private (their
names start with ``_``) and nothing outside the package imports them.
"""

from __future__ import annotations

from ordercycle.errors import (
    CurrencyError,
    CurrencyMismatchError,
    UnknownCurrencyError,
    ValidationError,
)
from ordercycle.money._allocation import AllocationMethod, round_to_total
from ordercycle.money._currency import Currency
from ordercycle.money._errors import (
    CurrencyWithoutMinorUnitError,
    FloatNotAllowedError,
    InvalidAmountError,
    InvalidRatiosError,
    InvalidRoundingError,
    MoneyDivisionByZeroError,
    UnroundedAmountError,
    UnsupportedMoneyOperationError,
)
from ordercycle.money._money import Money
from ordercycle.money._rounding import (
    MAX_ABS_AMOUNT,
    MONEY_CONTEXT,
    MONEY_EXACT_CONTEXT,
    PRECISION,
    Rounding,
)

__all__ = [
    "MAX_ABS_AMOUNT",
    "MONEY_CONTEXT",
    "MONEY_EXACT_CONTEXT",
    "PRECISION",
    "AllocationMethod",
    "Currency",
    "CurrencyError",
    "CurrencyMismatchError",
    "CurrencyWithoutMinorUnitError",
    "FloatNotAllowedError",
    "InvalidAmountError",
    "InvalidRatiosError",
    "InvalidRoundingError",
    "Money",
    "MoneyDivisionByZeroError",
    "Rounding",
    "UnknownCurrencyError",
    "UnroundedAmountError",
    "UnsupportedMoneyOperationError",
    "ValidationError",
    "round_to_total",
]
