"""A read-only picture of available stock, the input of the allocation planner.

A :class:`StockSnapshot` lists, per sku, the :class:`StockSlot` values (bin, lot, available
quantity) at one instant, plus the version of each sku's stock. The planner reads it; the
ledger compares the versions when a plan is applied (compare-and-set).

>>> from datetime import UTC, datetime
>>> network = Network.simple(["WH-A"])
>>> snap = StockSnapshot.of(network, [StockSlot("MUG", "WH-A/01", "WH-A", available=5)],
...                         at=datetime(2026, 1, 1, tzinfo=UTC))
>>> snap.available("MUG"), snap.version_of("MUG")
(5, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import attrs

from ordercycle.inventory.locations import Network
from ordercycle.model.clock import ensure_aware
from ordercycle.model.ids import LotId, Sku

__all__ = ["StockSlot", "StockSnapshot"]


@attrs.frozen
class StockSlot:
    """Available stock of one sku in one bin and lot.

    Attributes:
        sku: The sku.
        bin: The bin id.
        warehouse: The id of the warehouse the bin is in.
        lot: The lot id, or ``None`` for stock without lots.
        received_on: The lot's receipt date (FIFO / LIFO), if known.
        expires_on: The lot's expiry date (FEFO), if it expires.
        available: Units that can be allocated now.
    """

    sku: Sku
    bin: str
    warehouse: str
    lot: LotId | None = None
    received_on: date | None = None
    expires_on: date | None = None
    available: int = 0

    @property
    def label(self) -> str:
        """``"lot L-1 in WH-A/01"`` or ``"WH-A/01"`` when there is no lot."""
        return f"lot {self.lot} in {self.bin}" if self.lot is not None else self.bin


@attrs.frozen(eq=False)
class StockSnapshot:
    """Available stock per sku at one instant, with the stock version of each sku.

    Attributes:
        network: The warehouses, zones and bins the slots refer to.
        slots: The slots per sku; each tuple in a stable order (bin, then lot).
        versions: The version of each sku's stock when the snapshot was taken.
        at: The instant the availability was computed for (holds active at ``at`` count).
    """

    network: Network
    slots: Mapping[str, tuple[StockSlot, ...]]
    versions: Mapping[str, int]
    at: datetime

    @classmethod
    def of(
        cls,
        network: Network,
        slots: Iterable[StockSlot],
        *,
        at: datetime,
        versions: Mapping[str, int] | None = None,
    ) -> StockSnapshot:
        """Build a snapshot from loose slots (tests, notebooks, other stock systems).

        Slots are grouped by sku and sorted by bin and lot; missing versions are 0.
        """
        grouped: dict[str, list[StockSlot]] = {}
        for slot in slots:
            network.bin(slot.bin)
            grouped.setdefault(slot.sku, []).append(slot)
        ordered = {
            sku: tuple(sorted(items, key=lambda s: (s.bin, s.lot or "")))
            for sku, items in sorted(grouped.items())
        }
        known: dict[str, int] = dict(versions or {})
        return cls(
            network,
            ordered,
            {sku: known.get(sku, 0) for sku in sorted({*ordered, *known})},
            ensure_aware(at, subject="StockSnapshot", field="at"),
        )

    def slots_for(self, sku: str) -> tuple[StockSlot, ...]:
        """The slots of ``sku`` (empty if the snapshot has none)."""
        return self.slots.get(sku, ())

    def version_of(self, sku: str) -> int:
        """The stock version of ``sku`` when the snapshot was taken (0 if never touched)."""
        return self.versions.get(sku, 0)

    def available(self, sku: str, warehouse: str | None = None) -> int:
        """Units of ``sku`` available, in total or in one warehouse."""
        return sum(
            s.available
            for s in self.slots_for(sku)
            if warehouse is None or s.warehouse == warehouse
        )
