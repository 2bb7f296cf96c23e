"""The ledger's private state and how each event changes it (no checks here)."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from ordercycle.inventory import events as ev
from ordercycle.inventory.holds import Hold
from ordercycle.inventory.lots import Lot
from ordercycle.model.ids import LotId, Sku

__all__ = ["Bucket", "Receipt", "StockState"]

BucketKey = tuple[str, str | None]


class Bucket:
    """Mutable counters of one (sku, bin, lot); only events change them."""

    __slots__ = ("allocated", "allocations", "holds", "on_hand", "unavailable", "unavailable_total")

    def __init__(self) -> None:
        self.on_hand = 0
        self.allocated = 0
        self.allocations: dict[str, int] = {}
        self.unavailable: dict[str, int] = {}
        self.unavailable_total = 0
        self.holds: dict[str, Hold] = {}

    def held(self, at: datetime) -> int:
        """Units in holds that are active at ``at``."""
        if not self.holds:
            return 0
        return sum(h.quantity for h in self.holds.values() if h.is_active(at))

    def available(self, at: datetime) -> int:
        """on hand − allocated − active holds − unavailable."""
        return self.on_hand - self.allocated - self.unavailable_total - self.held(at)

    def allocate(self, reference: str, quantity: int) -> None:
        self.allocated += quantity
        self.allocations[reference] = self.allocations.get(reference, 0) + quantity

    def deallocate(self, reference: str, quantity: int) -> None:
        self.allocated -= quantity
        remaining = self.allocations[reference] - quantity
        if remaining:
            self.allocations[reference] = remaining
        else:
            del self.allocations[reference]

    def mark(self, reason: str, quantity: int) -> None:
        self.unavailable_total += quantity
        remaining = self.unavailable.get(reason, 0) + quantity
        if remaining:
            self.unavailable[reason] = remaining
        else:
            del self.unavailable[reason]


@attrs.frozen
class Receipt:
    """A scheduled receipt: units of a sku due on a date, ``open`` still to arrive."""

    id: str
    sku: Sku
    due_on: date
    quantity: int
    open: int


class StockState:
    """All counters, lots, holds and receipts, changed only by :meth:`apply`."""

    def __init__(self) -> None:
        self.buckets: dict[str, dict[BucketKey, Bucket]] = {}
        self.lots: dict[str, dict[str, Lot]] = {}
        self.holds: dict[str, Hold] = {}
        self.receipts: dict[str, Receipt] = {}
        self.versions: dict[str, int] = {}
        self.version = 0

    def bucket(self, sku: str, bin_id: str, lot: str | None) -> Bucket:
        per = self.buckets.get(sku)
        if per is None:
            per = self.buckets[sku] = {}
        key: BucketKey = (bin_id, lot)
        found = per.get(key)
        if found is None:
            found = per[key] = Bucket()
        return found

    def apply(self, event: ev.StockEvent) -> None:
        """Change the state as ``event`` says."""
        sku = event.sku
        self.versions[sku] = event.version
        self.version += 1
        kind = type(event)
        if kind is ev.StockAllocated:
            assert isinstance(event, ev.StockAllocated)
            self.bucket(sku, event.bin, event.lot).allocate(event.reference, event.quantity)
        elif isinstance(event, ev.StockReceived):
            if event.lot is not None and event.received_on is not None:
                lots = self.lots.setdefault(sku, {})
                if event.lot not in lots:
                    lots[event.lot] = Lot(
                        Sku(sku), LotId(event.lot), event.received_on, event.expires_on
                    )
            self.bucket(sku, event.bin, event.lot).on_hand += event.quantity
            if event.receipt:
                r = self.receipts[event.receipt]
                self.receipts[r.id] = attrs.evolve(r, open=max(0, r.open - event.quantity))
        elif isinstance(event, ev.StockReceiptScheduled):
            if sku not in self.buckets:
                self.buckets[sku] = {}
            self.receipts[event.receipt] = Receipt(
                event.receipt, Sku(sku), event.due_on, event.quantity, event.quantity
            )
        elif isinstance(event, ev.StockReceiptCancelled):
            r = self.receipts[event.receipt]
            self.receipts[r.id] = attrs.evolve(r, open=0)
        elif isinstance(event, ev.StockAdjusted):
            self.bucket(sku, event.bin, event.lot).on_hand = event.counted
        elif isinstance(event, ev.StockMoved):
            self.bucket(sku, event.bin, event.lot).on_hand -= event.quantity
            self.bucket(sku, event.to_bin, event.lot).on_hand += event.quantity
        elif isinstance(event, ev.StockHeld):
            hold = Hold(
                event.hold_id,
                Sku(sku),
                event.bin,
                LotId(event.lot) if event.lot is not None else None,
                event.quantity,
                event.expires_at,
                event.owner,
            )
            self.holds[hold.id] = hold
            self.bucket(sku, event.bin, event.lot).holds[hold.id] = hold
        elif isinstance(event, ev.StockHoldReleased | ev.StockHoldExpired | ev.StockHoldCommitted):
            hold = self.holds[event.hold_id]
            state = {
                ev.StockHoldReleased: "released",
                ev.StockHoldExpired: "expired",
                ev.StockHoldCommitted: "committed",
            }[type(event)]
            self.holds[hold.id] = attrs.evolve(hold, state=state)
            bucket = self.bucket(sku, event.bin, event.lot)
            del bucket.holds[hold.id]
            if isinstance(event, ev.StockHoldCommitted):
                bucket.allocate(event.reference, event.quantity)
        elif isinstance(event, ev.StockDeallocated):
            self.bucket(sku, event.bin, event.lot).deallocate(event.reference, event.quantity)
        elif isinstance(event, ev.StockConsumed):
            bucket = self.bucket(sku, event.bin, event.lot)
            bucket.deallocate(event.reference, event.quantity)
            bucket.on_hand -= event.quantity
        elif isinstance(event, ev.StockRestocked):
            bucket = self.bucket(sku, event.bin, event.lot)
            bucket.on_hand += event.quantity
            if event.damaged:
                bucket.mark("damaged", event.quantity)
        elif isinstance(event, ev.StockMarkedUnavailable):
            self.bucket(sku, event.bin, event.lot).mark(event.reason, event.quantity)
        elif isinstance(event, ev.StockMadeAvailable):
            self.bucket(sku, event.bin, event.lot).mark(event.reason, -event.quantity)
        elif isinstance(event, ev.StockWrittenOff):
            bucket = self.bucket(sku, event.bin, event.lot)
            bucket.mark(event.reason, -event.quantity)
            bucket.on_hand -= event.quantity
        else:  # pragma: no cover - every StockEvent subclass is handled above
            raise TypeError(f"Unhandled stock event {kind.__name__}")
