"""ordercycle: a pure-Python domain library for the whole order-to-cash cycle."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ordercycle.errors import OrderCycleError
from ordercycle.money import Currency, Money, Rounding
from ordercycle.units import Q_, ureg

try:
    __version__ = version("ordercycle")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["Q_", "Currency", "Money", "OrderCycleError", "Rounding", "__version__", "ureg"]
