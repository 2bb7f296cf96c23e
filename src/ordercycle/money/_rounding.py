"""Rounding modes and the private decimal context used for all money arithmetic.

Every money operation runs in :data:`MONEY_CONTEXT`, never in the caller's thread-local
decimal context, so a program that sets ``decimal.getcontext().prec = 3`` or turns traps off
cannot change a single money result.
"""

from __future__ import annotations

import decimal
import enum
from decimal import Decimal
from typing import Final

__all__ = [
    "MAX_ABS_AMOUNT",
    "MONEY_CONTEXT",
    "MONEY_EXACT_CONTEXT",
    "PRECISION",
    "Rounding",
    "round_ratio",
]

PRECISION: Final = 60
"""Significant digits kept by money arithmetic.

Sums, differences and products of amounts that fit in this many digits are exact; a
quotient (``Money / 3``) or a product with a very long fractional tail is rounded half-even
at the 60th significant digit.
"""

MAX_ABS_AMOUNT: Final = Decimal(10) ** 40
"""Amounts stay strictly below this absolute value (``10**40``).

So rounding any amount to any currency's minor units fits in :data:`PRECISION` digits.
"""

MONEY_CONTEXT: Final = decimal.Context(
    prec=PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=decimal.MIN_EMIN,
    Emax=decimal.MAX_EMAX,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""The decimal context every money operation runs in, whatever ``decimal.getcontext()`` says.

60 significant digits, half-even for the rare inexact result (a quotient), and the signals
that would hide a mistake (invalid operation, division by zero, overflow) trapped. Treat it
as read-only.
"""

MONEY_EXACT_CONTEXT: Final = decimal.Context(
    prec=PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=decimal.MIN_EMIN,
    Emax=decimal.MAX_EMAX,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
""":data:`MONEY_CONTEXT` that also traps :class:`decimal.Inexact`: losing a digit raises.

For checks that must not round: ``amount.quantize(currency.quantum,
context=MONEY_EXACT_CONTEXT)`` gives the amount with exactly the currency's minor-unit
digits (``Decimal("100")`` becomes ``Decimal("100.00")`` for USD) and raises
:class:`decimal.Inexact` when a non-zero digit lies below the minor unit. Treat it as
read-only.
"""


class Rounding(enum.Enum):
    """How to round an amount that falls between two representable values.

    Each member's :attr:`value` is the matching :mod:`decimal` rounding constant, so code
    that rounds plain decimals passes it on: ``value.quantize(quantum,
    rounding=mode.value, context=MONEY_CONTEXT)`` rounds exactly as :meth:`Money.round`.

    Rounding to whole cents (see the explanation page for the reasoning):

    | mode      | 0.125 | 0.135 | 0.121 | -0.125 | -0.121 |
    |-----------|-------|-------|-------|--------|--------|
    | HALF_UP   | 0.13  | 0.14  | 0.12  | -0.13  | -0.12  |
    | HALF_EVEN | 0.12  | 0.14  | 0.12  | -0.12  | -0.12  |
    | HALF_DOWN | 0.12  | 0.13  | 0.12  | -0.12  | -0.12  |
    | UP        | 0.13  | 0.14  | 0.13  | -0.13  | -0.13  |
    | DOWN      | 0.12  | 0.13  | 0.12  | -0.12  | -0.12  |
    | CEILING   | 0.13  | 0.14  | 0.13  | -0.12  | -0.12  |
    | FLOOR     | 0.12  | 0.13  | 0.12  | -0.13  | -0.13  |

    >>> Rounding.HALF_EVEN.value
    'ROUND_HALF_EVEN'
    """

    HALF_UP = decimal.ROUND_HALF_UP
    """Nearest; ties away from zero (the school rule, and the default for money)."""
    HALF_EVEN = decimal.ROUND_HALF_EVEN
    """Nearest; ties to the even neighbour ("banker's rounding", no bias over many sums)."""
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    """Nearest; ties toward zero."""
    UP = decimal.ROUND_UP
    """Away from zero."""
    DOWN = decimal.ROUND_DOWN
    """Toward zero (truncation)."""
    CEILING = decimal.ROUND_CEILING
    """Toward positive infinity."""
    FLOOR = decimal.ROUND_FLOOR
    """Toward negative infinity."""


def round_ratio(numerator: int, denominator: int, mode: Rounding) -> int:
    """Round the exact fraction ``numerator / denominator`` to an integer, exactly.

    Args:
        numerator: Any integer.
        denominator: A positive integer.
        mode: The rounding mode.

    Returns:
        The integer chosen by ``mode``; no intermediate value is approximated.

    >>> [round_ratio(n, 2, Rounding.HALF_EVEN) for n in (1, 3, 5, -1, -3)]
    [0, 2, 2, 0, -2]
    """
    floor, remainder = divmod(numerator, denominator)  # 0 <= remainder < denominator
    if remainder == 0:
        return floor
    ceiling = floor + 1
    negative = numerator < 0
    if mode is Rounding.FLOOR:
        return floor
    if mode is Rounding.CEILING:
        return ceiling
    if mode is Rounding.DOWN:
        return ceiling if negative else floor
    if mode is Rounding.UP:
        return floor if negative else ceiling
    twice = 2 * remainder
    if twice < denominator:
        return floor
    if twice > denominator:
        return ceiling
    # An exact tie between floor and ceiling.
    if mode is Rounding.HALF_UP:
        return floor if negative else ceiling
    if mode is Rounding.HALF_DOWN:
        return ceiling if negative else floor
    return floor if floor % 2 == 0 else ceiling
