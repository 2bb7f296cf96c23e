"""Errors specific to money, all rooted in :mod:`ordercycle.errors`.

Each class subclasses a family from :mod:`ordercycle.errors` and, where it helps callers
that know nothing about ``ordercycle``, the fitting builtin: a float where an exact number
was needed is also a :class:`TypeError`, a division by zero also a :class:`ZeroDivisionError`.
They are re-exported from :mod:`ordercycle.money`.
"""

from __future__ import annotations

from ordercycle.errors import UnknownCurrencyError, ValidationError

__all__ = [
    "CurrencyWithoutMinorUnitError",
    "FloatNotAllowedError",
    "InvalidAmountError",
    "InvalidRatiosError",
    "InvalidRoundingError",
    "MoneyDivisionByZeroError",
    "UnroundedAmountError",
    "UnsupportedMoneyOperationError",
]


class CurrencyWithoutMinorUnitError(UnknownCurrencyError):
    """The code is in ISO 4217 but has no minor unit (gold ``XAU``, ``XDR``, ``XXX``, ...).

    Such codes name units of account, metals or test markers, not currencies that amounts
    can be counted in, so :class:`~ordercycle.money.Money` refuses them.
    """


class InvalidAmountError(ValidationError):
    """An amount is not a finite decimal number in the supported range."""


class FloatNotAllowedError(InvalidAmountError, TypeError):
    """A binary ``float`` was given where an exact number (``str``, ``int``, ``Decimal``) is needed.

    Binary floats cannot represent most decimal amounts (``0.1`` is really
    ``0.1000000000000000055511151231257827...``), so money never accepts them.
    """


class UnroundedAmountError(ValidationError):
    """An operation needs a whole number of minor units and the amount has more digits.

    Call :meth:`~ordercycle.money.Money.round` first, choosing the rounding mode.
    """


class InvalidRatiosError(ValidationError):
    """Ratios given to :meth:`~ordercycle.money.Money.allocate` cannot split an amount."""


class InvalidRoundingError(ValidationError):
    """A rounding mode or cash-rounding increment is not acceptable."""


class UnsupportedMoneyOperationError(ValidationError, TypeError):
    """An operation has no meaning for money (``Money * Money``, ``Money + 5``, ...)."""


class MoneyDivisionByZeroError(ValidationError, ZeroDivisionError):
    """Money was divided by zero."""


# Tracebacks name an error by its module: show the public home users import it from
# ("ordercycle.money.InvalidAmountError"), and pickle by reference to it.
for _error in (
    CurrencyWithoutMinorUnitError,
    FloatNotAllowedError,
    InvalidAmountError,
    InvalidRatiosError,
    InvalidRoundingError,
    MoneyDivisionByZeroError,
    UnroundedAmountError,
    UnsupportedMoneyOperationError,
):
    _error.__module__ = "ordercycle.money"
del _error
