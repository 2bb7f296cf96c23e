"""ordercycle: a pure-Python domain library for the whole order-to-cash cycle.

The nouns most programs start from are importable from here: :class:`Money`,
:class:`Currency` and :class:`Rounding` for amounts, :data:`Q_` for physical quantities,
:class:`OrderDesk` for the application service, and :class:`OrderCycleError`, the root
of every error the library raises on purpose. The foundation is ``ordercycle.money``,
``ordercycle.units`` and ``ordercycle.lifecycle``; the shared vocabulary and the order
aggregate are ``ordercycle.model`` and ``ordercycle.model.order``; each area has its own
package (``ordercycle.inventory``, ``ordercycle.picking``, ``ordercycle.packing``,
``ordercycle.invoicing``), then ``ordercycle.storage``, ``ordercycle.service``,
``ordercycle.simulation`` and ``ordercycle.examples``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from ordercycle.errors import OrderCycleError
from ordercycle.money import Currency, Money, Rounding
from ordercycle.units import Q_, ureg

if TYPE_CHECKING:  # pragma: no cover
    from ordercycle.service import OrderDesk

try:
    __version__ = version("ordercycle")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "Q_",
    "Currency",
    "Money",
    "OrderCycleError",
    "OrderDesk",
    "Rounding",
    "__version__",
    "ureg",
]


def __getattr__(name: str) -> Any:
    # OrderDesk pulls in storage and every domain area; load it only when asked for, so
    # `import ordercycle` stays light for code that needs only money or units.
    if name == "OrderDesk":
        from ordercycle.service import OrderDesk

        return OrderDesk
    raise AttributeError(f"module 'ordercycle' has no attribute {name!r}")
