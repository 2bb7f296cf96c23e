"""The ledger's private state and how each event changes it (no checks here: apply only).

A state can be copied by sku (:meth:`StockState.part`) and parts with distinct skus can be
joined (:meth:`StockState.absorb`): the result is exactly the state a replay of those skus'
events would build, at a cost that follows the live state (lots, holds, receipts), not the
number of events behind it. A sku's buckets are shared by the copy and the original until
an event changes them in one of the two, which copies them first (:meth:`StockState.bucket`):
the desk copies the committed stock of a command's skus for every command, and a command
reads most of them without changing them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import TypeVar

import attrs

from ordercycle.inventory import events as ev
from ordercycle.inventory.holds import StockHold
from ordercycle.inventory.lots import Lot
from ordercycle.model.ids import LotId, Sku

__all__ = ["Bucket", "BucketKey", "Receipt", "StockState"]

BucketKey = tuple[str, str | None]
_HasSku = TypeVar("_HasSku", StockHold, "Receipt")


class Bucket:
    """Mutable counters of one (sku, bin, lot); only events change them."""

    __slots__ = ("allocated", "allocations", "holds", "on_hand", "unavailable", "unavailable_total")

    def __init__(self) -> None:
        self.on_hand = 0
        self.allocated = 0
        self.allocations: dict[str, int] = {}
        self.unavailable: dict[str, int] = {}
        self.unavailable_total = 0
        self.holds: dict[str, StockHold] = {}

    def held(self, at: datetime) -> int:
        """Units in holds that are active at ``at``."""
        if not self.holds:
            return 0
        return sum(h.quantity for h in self.holds.values() if h.is_active(at))

    def available(self, at: datetime) -> int:
        """on hand − allocated − active holds − unavailable."""
        return self.on_hand - self.allocated - self.unavailable_total - self.held(at)

    def copy(self) -> Bucket:
        """An independent copy (the holds themselves are immutable and shared)."""
        twin = Bucket.__new__(Bucket)
        twin.on_hand = self.on_hand
        twin.allocated = self.allocated
        twin.allocations = dict(self.allocations)
        twin.unavailable = dict(self.unavailable)
        twin.unavailable_total = self.unavailable_total
        twin.holds = dict(self.holds)
        return twin

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
    """All counters, lots, holds and receipts, changed only by :meth:`apply`.

    ``versions`` is the version of each sku's stream (the last event's), ``counts`` how
    many events of each sku were applied and ``version`` how many in all. ``shared`` are
    the skus whose buckets (the dict and the buckets in it) another state may hold too:
    they are read freely and copied before an event changes them.
    """

    def __init__(self) -> None:
        self.buckets: dict[str, dict[BucketKey, Bucket]] = {}
        self.shared: set[str] = set()
        self.lots: dict[str, dict[str, Lot]] = {}
        self.holds: dict[str, StockHold] = {}
        self.receipts: dict[str, Receipt] = {}
        self.versions: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.version = 0

    def part(self, skus: Collection[str] | None = None) -> StockState:
        """An independent copy of the state of ``skus`` (default: every sku).

        Only immutable values (holds, lots, receipts) are shared, and each sku's buckets
        until either state changes them (both states mark them ``shared``). Skus without
        events are ignored. Costs the size of the copied lots, holds and receipts, plus
        one pass over the holds and receipts when only some skus are asked for.
        """
        versions = self.versions
        keep = sorted(versions if skus is None else {s for s in skus if s in versions})
        every = len(keep) == len(versions)
        twin = StockState()
        shared = self.shared
        for sku in keep:
            buckets = self.buckets.get(sku)
            if buckets is not None:
                twin.buckets[sku] = buckets
                shared.add(sku)
            lots = self.lots.get(sku)
            if lots is not None:
                twin.lots[sku] = dict(lots)
            twin.versions[sku] = versions[sku]
            count = self.counts.get(sku, 0)
            twin.counts[sku] = count
            twin.version += count
        twin.shared.update(twin.buckets)
        if every:
            twin.holds = dict(self.holds)
            twin.receipts = dict(self.receipts)
        else:
            twin.holds = {k: h for k, h in self.holds.items() if h.sku in twin.versions}
            twin.receipts = {k: r for k, r in self.receipts.items() if r.sku in twin.versions}
        return twin

    def absorb(self, other: StockState) -> None:
        """Take over ``other``'s skus (``other`` must not be used afterwards).

        No sku may be in both states (check with :meth:`shared_skus`). A hold or receipt
        id found in both (ids of different skus) resolves as a replay in sku order would:
        the entry of the greater sku wins.
        """
        _join(self.holds, other.holds)
        _join(self.receipts, other.receipts)
        self.buckets.update(other.buckets)
        self.shared.update(other.shared)
        self.lots.update(other.lots)
        self.versions.update(other.versions)
        self.counts.update(other.counts)
        self.version += other.version

    def shared_skus(self, other: StockState) -> list[str]:
        """The skus with events in both states, sorted."""
        return sorted(self.versions.keys() & other.versions.keys())

    def bucket(self, sku: str, bin_id: str, lot: str | None) -> Bucket:
        """The bucket of (sku, bin, lot) to change: made if new, the sku's buckets copied
        first if they are shared with another state."""
        per = self.buckets.get(sku)
        if per is None:
            per = self.buckets[sku] = {}
        elif sku in self.shared:
            per = self.buckets[sku] = {key: b.copy() for key, b in per.items()}
            self.shared.discard(sku)
        key: BucketKey = (bin_id, lot)
        found = per.get(key)
        if found is None:
            found = per[key] = Bucket()
        return found

    def apply(self, event: ev.StockEvent) -> None:
        """Change the state as ``event`` says."""
        sku = event.sku
        self.versions[sku] = event.version
        self.counts[sku] = self.counts.get(sku, 0) + 1
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
            hold = StockHold(
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


def _join(mine: dict[str, _HasSku], theirs: dict[str, _HasSku]) -> None:
    """Add ``theirs`` to ``mine``; on a shared id the entry of the greater sku wins."""
    if mine.keys().isdisjoint(theirs):
        mine.update(theirs)
        return
    for key, value in theirs.items():
        present = mine.get(key)
        if present is None or present.sku < value.sku:
            mine[key] = value
