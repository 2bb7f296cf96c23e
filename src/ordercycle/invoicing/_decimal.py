"""Private helpers of invoicing: the minor unit of a currency, rounding a plain decimal.

Invoicing does its arithmetic on plain decimals in money's context
(:data:`~ordercycle.money.MONEY_CONTEXT`) and builds :class:`~ordercycle.money.Money`
only for results, through the public fast constructor
:meth:`~ordercycle.money.Money.of_rounded`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from ordercycle.errors import MissingDependencyError
from ordercycle.money import MONEY_CONTEXT, Currency, Rounding

__all__ = ["ZERO", "data_frame", "quantize", "quantum_of"]

ZERO: Final = Decimal(0)

_QUANTA: dict[str, Decimal] = {}


def quantum_of(currency: Currency) -> Decimal:
    """The currency's minor unit as a decimal (memoized by code)."""
    found = _QUANTA.get(currency.code)
    if found is None:
        found = _QUANTA[currency.code] = currency.quantum
    return found


def quantize(value: Decimal, quantum: Decimal, mode: Rounding) -> Decimal:
    """Round ``value`` to a multiple of ``quantum`` (a power of ten) with ``mode``."""
    return value.quantize(quantum, rounding=mode.value, context=MONEY_CONTEXT)


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
