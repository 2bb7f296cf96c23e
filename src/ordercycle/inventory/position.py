"""A read-only view of one stock bucket: every counter and the derived availability."""

from __future__ import annotations

import attrs

from ordercycle.model.ids import LotId, Sku

__all__ = ["UNAVAILABLE_REASONS", "StockPosition"]

#: Why units can be unavailable: damaged, on quality hold, or kept as safety stock.
UNAVAILABLE_REASONS = ("damaged", "quality_hold", "safety_stock")


@attrs.frozen
class StockPosition:
    """The buckets of one (sku, bin, lot) at one instant.

    ``available = on_hand - allocated - held - unavailable``, and it is never negative.

    Attributes:
        sku: The sku.
        bin: The bin id.
        warehouse: The warehouse the bin is in.
        lot: The lot id, or ``None``.
        on_hand: Units physically in the bin.
        allocated: Units allocated (hard) to order lines.
        held: Units in holds that are active at the instant.
        unavailable: Units damaged, on quality hold or kept as safety stock.
        unavailable_by_reason: ``(reason, units)`` pairs, sorted by reason.
    """

    sku: Sku
    bin: str
    warehouse: str
    lot: LotId | None
    on_hand: int
    allocated: int
    held: int
    unavailable: int
    unavailable_by_reason: tuple[tuple[str, int], ...] = ()

    @property
    def available(self) -> int:
        """on hand − allocated − active holds − unavailable."""
        return self.on_hand - self.allocated - self.held - self.unavailable
