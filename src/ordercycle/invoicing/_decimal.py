"""Private decimal helpers: one fixed context, rounding-mode mapping, largest remainder."""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from ordercycle.errors import MissingDependencyError
from ordercycle.money import Currency, Money, Rounding

__all__ = [
    "CONTEXT",
    "EXACT",
    "ZERO",
    "allocate_rounded",
    "data_frame",
    "decimal_rounding",
    "quantize",
    "quantum_of",
    "rounded_money",
]

#: Arithmetic for invoicing runs in this context, never in the caller's thread context.
CONTEXT: Final = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ZERO: Final = Decimal(0)

#: Like :data:`CONTEXT`, but losing a non-zero digit raises ``decimal.Inexact``.
EXACT: Final = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)

_MODES: Final[dict[Rounding, str]] = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.HALF_DOWN: decimal.ROUND_HALF_DOWN,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.CEILING: decimal.ROUND_CEILING,
    Rounding.FLOOR: decimal.ROUND_FLOOR,
}


_QUANTA: dict[str, Decimal] = {}


def quantum_of(currency: Currency) -> Decimal:
    """The currency's minor unit as a decimal (memoized by code)."""
    found = _QUANTA.get(currency.code)
    if found is None:
        found = _QUANTA[currency.code] = currency.quantum
    return found


#: ``rounded_money(value, currency)`` builds a :class:`Money` from a decimal already in
#: whole minor units with exactly the currency's exponent (a result of :func:`quantize` to
#: :func:`quantum_of` the currency, or sums and differences of such results), skipping the
#: re-validation of the public constructor; it equals ``Money(value, currency)``.
rounded_money: Final = Money._rounded


# Keyed by identity: hashing an enum member runs Python code, ``id`` does not (members
# are singletons).
_MODES_BY_ID: Final[dict[int, str]] = {id(mode): constant for mode, constant in _MODES.items()}


def decimal_rounding(mode: Rounding) -> str:
    """The :mod:`decimal` rounding constant for a :class:`Rounding` mode."""
    return _MODES_BY_ID[id(mode)]


def quantize(value: Decimal, quantum: Decimal, mode: Rounding) -> Decimal:
    """Round ``value`` to a multiple of ``quantum`` (a power of ten) with ``mode``."""
    return value.quantize(quantum, rounding=_MODES_BY_ID[id(mode)], context=CONTEXT)


def allocate_rounded(target: Decimal, parts: Sequence[Decimal], quantum: Decimal) -> list[Decimal]:
    """Split a rounded ``target`` over unrounded non-negative ``parts`` (largest remainder).

    Each part is first rounded down to ``quantum``; the units still missing to reach
    ``target`` go one each to the parts with the largest remainders (ties: earlier part).
    The result sums exactly to ``target`` when ``target`` is within one quantum per part of
    ``sum(parts)``.

    >>> allocate_rounded(Decimal("0.10"), [Decimal("0.033"), Decimal("0.033"), Decimal("0.034")],
    ...                  Decimal("0.01"))
    [Decimal('0.03'), Decimal('0.03'), Decimal('0.04')]
    """
    floors = [p.quantize(quantum, rounding=decimal.ROUND_FLOOR, context=CONTEXT) for p in parts]
    floor_sum = ZERO
    for floor in floors:
        floor_sum = CONTEXT.add(floor_sum, floor)
    missing = int(CONTEXT.divide(CONTEXT.subtract(target, floor_sum), quantum))
    if missing:
        order = sorted(range(len(parts)), key=lambda i: (-CONTEXT.subtract(parts[i], floors[i]), i))
        if missing > 0:
            for i in order[:missing]:
                floors[i] = CONTEXT.add(floors[i], quantum)
        else:
            for i in order[::-1][:-missing]:
                floors[i] = CONTEXT.subtract(floors[i], quantum)
    return floors


def data_frame(feature: str, records: list[dict[str, object]], columns: list[str]) -> Any:
    """``records`` as a :class:`pandas.DataFrame` (pandas is an optional dependency).

    Raises:
        MissingDependencyError: pandas is not installed (``ordercycle[sim]``).
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is installed in CI
        raise MissingDependencyError(feature, "pandas", "sim") from None
    return pd.DataFrame(records, columns=columns)
