"""Reading a stock ledger: positions, availability, snapshots, plain state, replay."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self, cast

from ordercycle.inventory import events as ev
from ordercycle.inventory._ledger_core import LedgerCore
from ordercycle.inventory._state import Bucket, Receipt
from ordercycle.inventory.errors import (
    UnknownLotError,
)
from ordercycle.inventory.holds import Hold
from ordercycle.inventory.locations import Network
from ordercycle.inventory.lots import Lot
from ordercycle.inventory.position import StockPosition
from ordercycle.inventory.snapshot import StockSlot, StockSnapshot
from ordercycle.model.clock import Clock
from ordercycle.model.ids import LotId, Sku

__all__ = ["LedgerQueries"]


class LedgerQueries(LedgerCore):
    """The read side of :class:`~ordercycle.inventory.StockLedger`."""

    @property
    def version(self) -> int:
        """How many events the ledger has recorded."""
        return self._state.version

    @property
    def events(self) -> tuple[ev.StockEvent, ...]:
        """Every event, oldest first."""
        return tuple(self._events)

    @property
    def skus(self) -> tuple[Sku, ...]:
        """The skus that have stock records, sorted."""
        return tuple(Sku(s) for s in sorted(self._state.buckets))

    def lot(self, sku: str, lot: str) -> Lot:
        """The lot ``lot`` of ``sku``.

        Raises:
            UnknownLotError: No such lot was received.
        """
        found = self._state.lots.get(Sku(sku), {}).get(LotId(lot))
        if found is None:
            raise UnknownLotError(lot, known=self._state.lots.get(Sku(sku), {}))
        return found

    def holds(self) -> tuple[Hold, ...]:
        """Every hold ever placed, sorted by id."""
        return tuple(h for _, h in sorted(self._state.holds.items()))

    def receipts(self, sku: str | None = None) -> tuple[Receipt, ...]:
        """Scheduled receipts (of one sku), sorted by due date and id."""
        found = [r for r in self._state.receipts.values() if sku is None or r.sku == sku]
        return tuple(sorted(found, key=lambda r: (r.due_on, r.id)))

    def positions(
        self, sku: str | None = None, *, at: datetime | None = None
    ) -> list[StockPosition]:
        """Every bucket (of one sku) at ``at`` (default: now), sorted by sku, bin, lot."""
        now = self._now(at)
        skus = [Sku(sku)] if sku is not None else self.skus
        out = []
        for s in skus:
            buckets = self._state.buckets.get(s, {})
            for key in self._keys(s):
                out.append(self._position(s, key[0], key[1], buckets[key], now))
        return out

    def position(
        self, sku: str, bin: str, lot: str | None = None, *, at: datetime | None = None
    ) -> StockPosition:
        """The bucket of (sku, bin, lot) at ``at`` (all zeros if it never held stock).

        Raises:
            UnknownLocationError: ``bin`` is not a bin of the network.
        """
        self.network.bin(bin)
        bucket = self._peek(sku, bin, lot) or Bucket()
        return self._position(Sku(sku), bin, lot, bucket, self._now(at))

    def _position(
        self, sku: Sku, bin: str, lot: str | None, bucket: Bucket, now: datetime
    ) -> StockPosition:
        return StockPosition(
            sku,
            bin,
            self.network.warehouse_of(bin),
            LotId(lot) if lot is not None else None,
            bucket.on_hand,
            bucket.allocated,
            bucket.held(now),
            bucket.unavailable_total,
            tuple(sorted(bucket.unavailable.items())),
        )

    def available(
        self, sku: str, *, warehouse: str | None = None, at: datetime | None = None
    ) -> int:
        """Units of ``sku`` available at ``at`` (default now), in total or in one warehouse."""
        now = self._now(at)
        total = 0
        for (bin_id, _), bucket in self._state.buckets.get(Sku(sku), {}).items():
            if warehouse is None or self.network.warehouse_of(bin_id) == warehouse:
                total += bucket.available(now)
        return total

    def snapshot(
        self, skus: Iterable[str] | None = None, *, at: datetime | None = None
    ) -> StockSnapshot:
        """Available stock of ``skus`` (default: all) at ``at``, with their versions."""
        now = self._now(at)
        if skus is None:
            wanted: list[str] = list(self.skus)
        else:
            wanted = list(skus)
            if len(wanted) > 1:
                wanted = sorted(set(wanted))
        state = self._state
        lots = state.lots
        all_buckets = state.buckets
        known_versions = state.versions
        slots: dict[str, tuple[StockSlot, ...]] = {}
        versions: dict[str, int] = {}
        warehouse_of = self._warehouse_of
        for raw in wanted:
            sku = Sku(raw)
            versions[sku] = known_versions.get(sku, 0)
            buckets = all_buckets.get(sku)
            if not buckets:
                continue
            sku_lots = lots.get(sku)
            row = []
            for key in self._keys(sku):
                bin_id, lot_id = key
                info = sku_lots.get(lot_id) if sku_lots and lot_id is not None else None
                b = buckets[key]
                free = b.on_hand - b.allocated - b.unavailable_total
                if b.holds:
                    free -= b.held(now)
                row.append(
                    StockSlot(
                        sku,
                        bin_id,
                        warehouse_of(bin_id),
                        cast("LotId | None", lot_id),
                        info.received_on if info else None,
                        info.expires_on if info else None,
                        free,
                    )
                )
            slots[sku] = tuple(row)
        return StockSnapshot(self.network, slots, versions, now)

    def state(self) -> dict[str, Any]:
        """Every counter, hold, lot and receipt as plain sorted data (replay checks this)."""
        buckets = []
        for sku in self.skus:
            for key in self._keys(sku):
                b = self._state.buckets[sku][key]
                buckets.append(
                    (
                        sku,
                        key[0],
                        key[1],
                        b.on_hand,
                        tuple(sorted(b.allocations.items())),
                        tuple(sorted(b.unavailable.items())),
                        tuple(sorted(b.holds)),
                    )
                )
        return {
            "buckets": buckets,
            "holds": self.holds(),
            "lots": sorted(
                (
                    (lot.sku, lot.id, lot)
                    for per in self._state.lots.values()
                    for lot in per.values()
                ),
                key=lambda row: (row[0], row[1]),
            ),
            "receipts": self.receipts(),
            "versions": sorted(self._state.versions.items()),
            "version": self.version,
        }

    @classmethod
    def replay(
        cls,
        network: Network,
        clock: Clock,
        events: Iterable[ev.StockEvent],
        *,
        skus: Iterable[str] | None = None,
    ) -> Self:
        """Rebuild a ledger from its events (no checks: the events already happened)."""
        ledger = cls(network, clock, skus=skus)
        for event in events:
            ledger._state.apply(event)
            ledger._events.append(event)
        return ledger
