"""Waves: orders released to the floor together, grouped by cut-off, carrier or priority.

Examples:
    >>> from datetime import datetime, timezone
    >>> noon = datetime(2026, 5, 4, 12, tzinfo=timezone.utc)
    >>> orders = [
    ...     PickOrder("A", PickLine("1", "MUG", Bin(1, 2), 1), cutoff=noon, carrier="UPS"),
    ...     PickOrder("B", PickLine("1", "TEA", Bin(3, 9), 1), cutoff=noon, carrier="DHL"),
    ...     PickOrder("C", PickLine("1", "PEN", Bin(4, 1), 1), cutoff=noon, carrier="UPS",
    ...               priority=5),
    ... ]
    >>> [(w.name, w.carrier, [o.order_id for o in w.orders]) for w in build_waves(orders)]
    [('W1', 'DHL', ['B']), ('W2', 'UPS', ['C', 'A'])]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final

import attrs

from ordercycle.picking.errors import InvalidPickError
from ordercycle.picking.layout import Bin
from ordercycle.picking.orders import PickLine, PickOrder, checked_orders

__all__ = ["WAVE_KEYS", "Wave", "build_waves"]

#: The order attributes a wave can be grouped by.
WAVE_KEYS: Final = ("cutoff", "carrier", "priority")

_NO_CUTOFF: Final = datetime.min.replace(tzinfo=UTC)

# Keep doctest names importable from this module's namespace.
_EXAMPLE_TYPES = (Bin, PickLine)


@attrs.frozen
class Wave:
    """Orders released together.

    Attributes:
        name: ``W1``, ``W2``, ... in release order.
        cutoff: The shared cut-off, when waves are grouped by cut-off.
        carrier: The shared carrier, when grouped by carrier.
        priority: The shared priority, when grouped by priority.
        orders: Highest priority first, then in arrival order.
    """

    name: str
    cutoff: datetime | None
    carrier: str | None
    priority: int | None
    orders: tuple[PickOrder, ...]


def build_waves(
    orders: Iterable[PickOrder],
    *,
    by: tuple[str, ...] = ("cutoff", "carrier"),
    max_orders: int | None = None,
) -> tuple[Wave, ...]:
    """Group orders into waves.

    Waves are released by earliest cut-off (orders without one last), then highest
    priority, then carrier name; a group larger than ``max_orders`` becomes several waves.

    Args:
        orders: The orders, in arrival order.
        by: Which of :data:`WAVE_KEYS` to group by.
        max_orders: Largest wave, if limited.

    Raises:
        InvalidPickError: For an unknown key, a bad ``max_orders``, an order that is not a
            :class:`PickOrder` or a duplicate order id.
    """
    for name in by:
        if name not in WAVE_KEYS:
            raise InvalidPickError("build_waves", "by", name, "one of " + ", ".join(WAVE_KEYS))
    if max_orders is not None and (
        isinstance(max_orders, bool) or not isinstance(max_orders, int) or max_orders < 1
    ):
        raise InvalidPickError("build_waves", "max_orders", max_orders, "a positive integer")
    listed = tuple(checked_orders(tuple(orders), "build_waves"))
    groups: dict[_Key, list[tuple[int, PickOrder]]] = {}
    for arrival, order in enumerate(listed):
        key = _Key(
            order.cutoff if "cutoff" in by else None,
            order.carrier if "carrier" in by else None,
            order.priority if "priority" in by else None,
        )
        groups.setdefault(key, []).append((arrival, order))
    waves: list[Wave] = []
    for group in sorted(groups, key=_Key.release_order):
        members = sorted(groups[group], key=lambda item: (-item[1].priority, item[0]))
        size = max_orders or len(members)
        for begin in range(0, len(members), size):
            chunk = tuple(order for _, order in members[begin : begin + size])
            waves.append(
                Wave(f"W{len(waves) + 1}", group.cutoff, group.carrier, group.priority, chunk)
            )
    return tuple(waves)


@attrs.frozen
class _Key:
    cutoff: datetime | None
    carrier: str | None
    priority: int | None

    def release_order(self) -> tuple[bool, datetime, int, str]:
        return (
            self.cutoff is None,
            self.cutoff or _NO_CUTOFF,
            -(self.priority or 0),
            self.carrier or "",
        )
