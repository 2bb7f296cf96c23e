"""The stock ledger: every bucket of every sku, changed only through checked commands.

Each command checks everything first and then records one or more immutable events; a
rejected command raises a typed error and changes nothing. Each sku's stock has its own
version (its event stream), which :meth:`StockLedger.apply_plan` compares before it
allocates (compare-and-set).

>>> from datetime import UTC, datetime, timedelta
>>> from ordercycle.model.clock import SteppableClock
>>> clock = SteppableClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
>>> ledger = StockLedger(Network.simple(["WH-A"]), clock)
>>> _ = ledger.receive("MUG", "WH-A/01", 10)
>>> until = clock.now() + timedelta(minutes=15)
>>> _ = ledger.place_hold("H-1", "MUG", "WH-A/01", 4, expires_at=until)
>>> ledger.available("MUG")
6
>>> clock.advance(minutes=15)
>>> ledger.available("MUG")
10
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, cast

from ordercycle.errors import (
    ConcurrencyError,
    DuplicateError,
    InsufficientStockError,
    NotFoundError,
    ValidationError,
)
from ordercycle.inventory import events as ev
from ordercycle.inventory._quantity import as_count
from ordercycle.inventory._state import Bucket, Receipt, StockState
from ordercycle.inventory.errors import (
    ExpiredLotError,
    OverReleaseError,
    UnknownHoldError,
    UnknownLotError,
    UnknownSkuError,
)
from ordercycle.inventory.holds import Hold
from ordercycle.inventory.locations import Network
from ordercycle.inventory.lots import Lot
from ordercycle.inventory.plan import AllocationPlan
from ordercycle.inventory.position import UNAVAILABLE_REASONS, StockPosition
from ordercycle.inventory.snapshot import StockSlot, StockSnapshot
from ordercycle.model.clock import Clock, ensure_aware
from ordercycle.model.ids import LotId, Sku

__all__ = ["StockLedger"]


class StockLedger:
    """Stock per (sku, bin, lot) with holds, allocations, receipts and events.

    Args:
        network: The warehouses, zones and bins stock may be kept in.
        clock: Where "now" comes from when a command gets no ``at``.
        skus: The catalogue; if given, other skus are refused as unknown.
    """

    def __init__(self, network: Network, clock: Clock, *, skus: Iterable[str] | None = None):
        self.network = network
        self.clock = clock
        self.catalogue: frozenset[str] | None = None if skus is None else frozenset(skus)
        self._state = StockState()
        self._events: list[ev.StockEvent] = []
        self._order: dict[str, tuple[int, list[tuple[str, str | None]]]] = {}
        self._bin_warehouse: dict[str, str] = {}

    # --- reading ---------------------------------------------------------------------------

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

    def version_of(self, sku: str) -> int:
        """The version of ``sku``'s stock (0 if it never changed)."""
        return self._state.versions.get(sku, 0)

    def lot(self, sku: str, lot: str) -> Lot:
        """The lot ``lot`` of ``sku``.

        Raises:
            UnknownLotError: No such lot was received.
        """
        found = self._state.lots.get(Sku(sku), {}).get(LotId(lot))
        if found is None:
            raise UnknownLotError(lot, known=self._state.lots.get(Sku(sku), {}))
        return found

    def get_hold(self, hold_id: str) -> Hold:
        """The hold with this id, in its recorded state (see :meth:`Hold.status_at`).

        Raises:
            UnknownHoldError: No such hold.
        """
        try:
            return self._state.holds[hold_id]
        except KeyError:
            raise UnknownHoldError(hold_id, known=self._state.holds) from None

    def holds(self) -> tuple[Hold, ...]:
        """Every hold ever placed, sorted by id."""
        return tuple(h for _, h in sorted(self._state.holds.items()))

    def receipts(self, sku: str | None = None) -> tuple[Receipt, ...]:
        """Scheduled receipts (of one sku), sorted by due date and id."""
        found = [r for r in self._state.receipts.values() if sku is None or r.sku == sku]
        return tuple(sorted(found, key=lambda r: (r.due_on, r.id)))

    def _keys(self, sku: str) -> list[tuple[str, str | None]]:
        buckets = self._state.buckets.get(sku, {})
        cached = self._order.get(sku)
        if cached is None or cached[0] != len(buckets):
            cached = (len(buckets), sorted(buckets, key=lambda k: (k[0], k[1] or "")))
            self._order[sku] = cached
        return cached[1]

    def _warehouse_of(self, bin_id: str) -> str:
        found = self._bin_warehouse.get(bin_id)
        if found is None:
            found = self._bin_warehouse[bin_id] = self.network.warehouse_of(bin_id)
        return found

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
                row.append(
                    StockSlot(
                        sku,
                        bin_id,
                        warehouse_of(bin_id),
                        cast("LotId | None", lot_id),
                        info.received_on if info else None,
                        info.expires_on if info else None,
                        buckets[key].available(now),
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

    # --- rebuilding ------------------------------------------------------------------------

    @classmethod
    def replay(
        cls,
        network: Network,
        clock: Clock,
        events: Iterable[ev.StockEvent],
        *,
        skus: Iterable[str] | None = None,
    ) -> StockLedger:
        """Rebuild a ledger from its events (no checks: the events already happened)."""
        ledger = cls(network, clock, skus=skus)
        for event in events:
            ledger._state.apply(event)
            ledger._events.append(event)
        return ledger

    # --- helpers ---------------------------------------------------------------------------

    def _now(self, at: datetime | None) -> datetime:
        if at is None:
            return self.clock.now()
        if isinstance(at, datetime) and at.tzinfo is UTC:
            return at
        return ensure_aware(at, subject="StockLedger", field="at")

    def _next(self, sku: str) -> int:
        return self._state.versions.get(sku, 0) + 1

    def _record(self, event: ev.StockEvent) -> ev.StockEvent:
        self._state.apply(event)
        self._events.append(event)
        return event

    def _check_sku(self, sku: object, *, new: bool = False) -> Sku:
        if not isinstance(sku, str) or not sku:
            raise ValidationError.invalid("StockLedger", "sku", sku, "a non-empty sku string")
        if self.catalogue is not None and sku not in self.catalogue:
            raise UnknownSkuError(sku, known=self.catalogue)
        if not new and sku not in self._state.buckets:
            raise UnknownSkuError(sku, known=self._state.buckets)
        return Sku(sku)

    def _check_lot(self, sku: Sku, lot: str | None) -> None:
        if lot is not None and lot not in self._state.lots.get(sku, {}):
            raise UnknownLotError(lot, known=self._state.lots.get(sku, {}))

    def _peek(self, sku: str, bin: str, lot: str | None) -> Bucket | None:
        per = self._state.buckets.get(sku)
        return per.get((bin, lot)) if per else None

    def _free(self, sku: Sku, bin: str, lot: str | None, quantity: int, now: datetime) -> None:
        bucket = self._peek(sku, bin, lot)
        available = bucket.available(now) if bucket else 0
        if quantity > available:
            where = bin if lot is None else f"{bin} lot {lot}"
            raise InsufficientStockError(sku, quantity, available, location=where)

    def _target(
        self, sku: str, bin: str, lot: str | None, quantity: Any, what: str, *, new: bool = False
    ) -> tuple[Sku, int]:
        checked = self._check_sku(sku, new=new)
        self.network.bin(bin)
        self._check_lot(checked, lot)
        count = as_count(quantity, subject=f"{what} of {sku} at {bin}")
        return checked, count

    def _allocation(self, sku: Sku, bin: str, lot: str | None, reference: str) -> int:
        bucket = self._peek(sku, bin, lot)
        return bucket.allocations.get(reference, 0) if bucket else 0

    # --- receipts --------------------------------------------------------------------------

    def schedule_receipt(
        self, receipt: str, sku: str, quantity: Any, due_on: date, *, at: datetime | None = None
    ) -> ev.StockEvent:
        """Announce ``quantity`` of ``sku`` due on ``due_on`` (counted as incoming)."""
        now = self._now(at)
        checked = self._check_sku(sku, new=True)
        count = as_count(quantity, subject=f"receipt {receipt} of {sku}")
        if receipt in self._state.receipts:
            raise DuplicateError("receipt", receipt)
        if not isinstance(due_on, date) or isinstance(due_on, datetime):
            raise ValidationError.invalid(f"receipt {receipt}", "due_on", due_on, "a date")
        self._state.buckets.setdefault(checked, {})
        return self._record(
            ev.StockReceiptScheduled(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin="",
                receipt=receipt,
                quantity=count,
                due_on=due_on,
            )
        )

    def cancel_receipt(self, receipt: str, *, at: datetime | None = None) -> ev.StockEvent:
        """Drop the open quantity of a scheduled receipt.

        Raises:
            NotFoundError: The receipt is unknown.
        """
        now = self._now(at)
        found = self._receipt(receipt)
        return self._record(
            ev.StockReceiptCancelled(
                aggregate_id=found.sku,
                version=self._next(found.sku),
                occurred_at=now,
                sku=found.sku,
                bin="",
                receipt=receipt,
                quantity=found.open,
            )
        )

    def _receipt(self, receipt: str) -> Receipt:
        try:
            return self._state.receipts[receipt]
        except KeyError:
            raise NotFoundError("receipt", receipt, known=self._state.receipts) from None

    def receive(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: Lot | str | None = None,
        receipt: str = "",
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Put ``quantity`` units of ``sku`` (optionally of a lot) into ``bin``.

        Args:
            sku: The sku.
            bin: The bin id.
            quantity: Units received (positive).
            lot: A new :class:`Lot`, the id of a lot received before, or ``None``.
            receipt: The scheduled receipt this fulfils, if any (reduces incoming).
            at: When (default: the clock's now).

        Raises:
            UnknownSkuError: The sku is not in the catalogue.
            UnknownLocationError: ``bin`` is not a bin.
            UnknownLotError: A lot id that was never received.
            ExpiredLotError: The lot is expired on the receiving date.
            InvalidQuantityError, DimensionalityError: A bad quantity.
        """
        now = self._now(at)
        checked = self._check_sku(sku, new=True)
        self.network.bin(bin)
        count = as_count(quantity, subject=f"receipt of {sku} at {bin}")
        info: Lot | None = None
        if isinstance(lot, Lot):
            info = self._new_lot(checked, lot)
        elif lot is not None:
            self._check_lot(checked, lot)
            info = self._state.lots[checked][LotId(lot)]
        if info is not None and info.is_expired(now.date()):
            assert info.expires_on is not None
            raise ExpiredLotError("receive", info.id, info.expires_on, now.date())
        if receipt:
            found = self._receipt(receipt)
            if found.sku != checked:
                raise ValidationError.invalid(
                    f"receipt of {sku}", "receipt", receipt, f"a receipt of {sku}, not {found.sku}"
                )
        return self._record(
            ev.StockReceived(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=info.id if info else None,
                quantity=count,
                received_on=info.received_on if info else None,
                expires_on=info.expires_on if info else None,
                receipt=receipt,
            )
        )

    def _new_lot(self, sku: Sku, lot: Lot) -> Lot:
        if lot.sku != sku:
            raise ValidationError.invalid(
                f"receipt of {sku}", "lot", lot.id, f"a lot of {sku}, not of {lot.sku}"
            )
        known = self._state.lots.get(sku, {}).get(lot.id)
        if known is not None and known != lot:
            raise DuplicateError(
                "lot",
                lot.id,
                f"Lot {lot.id} of {sku} is already known with other dates"
                f" ({known.received_on}, expires {known.expires_on}); expected the same lot"
                " or a new lot id.",
            )
        return lot

    # --- counts and moves ------------------------------------------------------------------

    def adjust(
        self,
        sku: str,
        bin: str,
        counted: Any,
        *,
        reason: str,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Set the on-hand quantity to a cycle count.

        Raises:
            ValidationError: No reason given.
            InsufficientStockError: The count is below what is allocated, held or
                unavailable there (deallocate or release first).
        """
        now = self._now(at)
        checked = self._check_sku(sku)
        self.network.bin(bin)
        self._check_lot(checked, lot)
        count = as_count(
            counted, subject=f"count of {sku} at {bin}", field="counted", allow_zero=True
        )
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError.invalid(
                f"count of {sku} at {bin}", "reason", reason, "a non-empty reason"
            )
        bucket = self._peek(checked, bin, lot) or Bucket()
        committed = bucket.allocated + bucket.held(now) + bucket.unavailable_total
        if count < committed:
            raise InsufficientStockError(
                checked,
                f"a count of {count}",
                f"{committed} committed (allocated, held or unavailable); release those first",
                location=bin,
            )
        return self._record(
            ev.StockAdjusted(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                counted=count,
                delta=count - bucket.on_hand,
                reason=reason,
            )
        )

    def move(
        self,
        sku: str,
        from_bin: str,
        to_bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Move free units between bins (allocated, held and unavailable units stay).

        Raises:
            ValidationError: The same bin twice.
            InsufficientStockError: Fewer free units in ``from_bin``.
        """
        now = self._now(at)
        checked, count = self._target(sku, from_bin, lot, quantity, "move")
        self.network.bin(to_bin)
        if to_bin == from_bin:
            raise ValidationError.invalid(
                f"move of {sku}", "to_bin", to_bin, f"a bin other than {from_bin}"
            )
        self._free(checked, from_bin, lot, count, now)
        return self._record(
            ev.StockMoved(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=from_bin,
                lot=lot,
                to_bin=to_bin,
                quantity=count,
            )
        )

    # --- holds -----------------------------------------------------------------------------

    def place_hold(
        self,
        hold_id: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        expires_at: datetime,
        lot: str | None = None,
        owner: str = "",
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Hold free units for a cart until ``expires_at``.

        Raises:
            DuplicateError: The hold id is taken.
            ValidationError: ``expires_at`` is not after now.
            InsufficientStockError: Fewer free units.
        """
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "hold")
        if hold_id in self._state.holds:
            raise DuplicateError("hold", hold_id)
        until = ensure_aware(expires_at, subject=f"hold {hold_id}", field="expires_at")
        if until <= now:
            raise ValidationError.invalid(
                f"hold {hold_id}", "expires_at", until, f"an instant after {now.isoformat()}"
            )
        self._free(checked, bin, lot, count, now)
        return self._record(
            ev.StockHeld(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                hold_id=hold_id,
                quantity=count,
                expires_at=until,
                owner=owner,
            )
        )

    def release_hold(self, hold_id: str, *, at: datetime | None = None) -> ev.StockEvent:
        """Give a hold back before it expires.

        Raises:
            UnknownHoldError: No such hold.
            TransitionNotAllowedError: It is committed, released or expired.
        """
        now = self._now(at)
        hold = self.get_hold(hold_id)
        hold.moved("release", now)
        return self._record(
            ev.StockHoldReleased(
                aggregate_id=hold.sku,
                version=self._next(hold.sku),
                occurred_at=now,
                sku=hold.sku,
                bin=hold.bin,
                lot=hold.lot,
                hold_id=hold_id,
                quantity=hold.quantity,
            )
        )

    def commit_hold(
        self, hold_id: str, reference: str, *, at: datetime | None = None
    ) -> ev.StockEvent:
        """Turn an active hold into a hard allocation for ``reference``.

        Raises:
            UnknownHoldError: No such hold.
            TransitionNotAllowedError: It is committed, released or expired.
        """
        now = self._now(at)
        hold = self.get_hold(hold_id)
        self._check_reference(reference)
        hold.moved("commit", now)
        return self._record(
            ev.StockHoldCommitted(
                aggregate_id=hold.sku,
                version=self._next(hold.sku),
                occurred_at=now,
                sku=hold.sku,
                bin=hold.bin,
                lot=hold.lot,
                hold_id=hold_id,
                quantity=hold.quantity,
                reference=reference,
            )
        )

    def sweep(self, now: datetime | None = None) -> list[ev.StockEvent]:
        """Record an expiry event for every created hold whose time has passed.

        Availability does not change: those holds stopped counting when they expired.
        A second sweep finds nothing new.
        """
        at = self._now(now)
        due = sorted(
            (h for h in self._state.holds.values() if h.state == "created" and h.expires_at <= at),
            key=lambda h: (h.expires_at, h.id),
        )
        return [
            self._record(
                ev.StockHoldExpired(
                    aggregate_id=h.sku,
                    version=self._next(h.sku),
                    occurred_at=at,
                    sku=h.sku,
                    bin=h.bin,
                    lot=h.lot,
                    hold_id=h.id,
                    quantity=h.quantity,
                    expired_at=h.expires_at,
                )
            )
            for h in due
        ]

    # --- allocations -----------------------------------------------------------------------

    @staticmethod
    def _check_reference(reference: object) -> None:
        if not isinstance(reference, str) or not reference.strip():
            raise ValidationError.invalid(
                "allocation", "reference", reference, "a non-empty reference such as 'O-1/1'"
            )

    def allocate(
        self,
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Allocate free units (hard) to ``reference``.

        Raises:
            InsufficientStockError: Fewer free units than asked.
        """
        now = self._now(at)
        self._check_reference(reference)
        checked, count = self._target(sku, bin, lot, quantity, "allocation")
        self._free(checked, bin, lot, count, now)
        return self._record(
            ev.StockAllocated(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                reference=reference,
                quantity=count,
            )
        )

    def deallocate(
        self,
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Give allocated units of ``reference`` back to free stock.

        Raises:
            OverReleaseError: More than is allocated to ``reference`` there.
        """
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "deallocation")
        self._over(checked, bin, lot, reference, count, "deallocate")
        return self._record(
            ev.StockDeallocated(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                reference=reference,
                quantity=count,
            )
        )

    def consume(
        self,
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Ship allocated units: they leave the allocation and the on-hand stock.

        Raises:
            OverReleaseError: More than is allocated to ``reference`` there.
        """
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "shipment")
        self._over(checked, bin, lot, reference, count, "ship")
        return self._record(
            ev.StockConsumed(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                reference=reference,
                quantity=count,
            )
        )

    def _over(
        self, sku: Sku, bin: str, lot: str | None, reference: str, count: int, action: str
    ) -> None:
        limit = self._allocation(sku, bin, lot, reference)
        if count > limit:
            where = bin if lot is None else f"{bin} lot {lot}"
            raise OverReleaseError(
                action, f"allocation {reference} of {sku} at {where}", count, limit
            )

    # --- returns and unavailable stock -----------------------------------------------------

    def restock(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        reference: str = "",
        damaged: bool = False,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Put returned units back; ``damaged=True`` keeps them unavailable."""
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "restock")
        return self._record(
            ev.StockRestocked(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                quantity=count,
                reference=reference,
                damaged=bool(damaged),
            )
        )

    def _check_reason(self, reason: object) -> str:
        if reason not in UNAVAILABLE_REASONS:
            raise ValidationError.invalid(
                "unavailable stock", "reason", reason, "one of " + ", ".join(UNAVAILABLE_REASONS)
            )
        return str(reason)

    def mark_unavailable(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        reason: str,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Take free units out of availability (damaged, quality hold, safety stock).

        Raises:
            ValidationError: An unknown reason.
            InsufficientStockError: Fewer free units.
        """
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "unavailable stock")
        why = self._check_reason(reason)
        self._free(checked, bin, lot, count, now)
        return self._record(
            ev.StockMarkedUnavailable(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                reason=why,
                quantity=count,
            )
        )

    def mark_damaged(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Shortcut for :meth:`mark_unavailable` with ``reason="damaged"``."""
        return self.mark_unavailable(sku, bin, quantity, reason="damaged", lot=lot, at=at)

    def _unavailable(
        self, sku: Sku, bin: str, lot: str | None, reason: str, count: int, action: str
    ) -> None:
        bucket = self._peek(sku, bin, lot)
        limit = bucket.unavailable.get(reason, 0) if bucket else 0
        if count > limit:
            raise OverReleaseError(action, f"{reason} stock of {sku} at {bin}", count, limit)

    def make_available(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        reason: str,
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Release unavailable units (a quality hold passed, safety stock lowered).

        Raises:
            OverReleaseError: More than is unavailable for that reason.
        """
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "release")
        why = self._check_reason(reason)
        self._unavailable(checked, bin, lot, why, count, "make available")
        return self._record(
            ev.StockMadeAvailable(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                reason=why,
                quantity=count,
            )
        )

    def write_off(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        reason: str = "damaged",
        lot: str | None = None,
        at: datetime | None = None,
    ) -> ev.StockEvent:
        """Remove unavailable units from stock for good (scrap damaged goods).

        Raises:
            OverReleaseError: More than is unavailable for that reason.
        """
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, "write-off")
        why = self._check_reason(reason)
        self._unavailable(checked, bin, lot, why, count, "write off")
        return self._record(
            ev.StockWrittenOff(
                aggregate_id=checked,
                version=self._next(checked),
                occurred_at=now,
                sku=checked,
                bin=bin,
                lot=lot,
                reason=why,
                quantity=count,
            )
        )

    # --- plans -----------------------------------------------------------------------------

    def apply_plan(
        self,
        plan: AllocationPlan,
        *,
        hold_until: datetime | None = None,
        at: datetime | None = None,
    ) -> list[ev.StockEvent]:
        """Allocate (or, with ``hold_until``, hold) every pick of ``plan``, all or nothing.

        Allocations are made to ``"<order>/<line>"``; holds get ids
        ``"<order>/<line>/<n>"``.

        Raises:
            ConcurrencyError: A sku's stock changed since the plan's snapshot.
            InsufficientStockError: A pick no longer fits (checked before anything changes).
        """
        now = self._now(at)
        for sku, version in plan.versions:
            actual = self._state.versions.get(sku, 0)
            if actual != version:
                raise ConcurrencyError(f"stock of {sku}", version, actual)
        picks = [pick for line in plan.lines for pick in line.picks]
        if len(picks) == 1:
            only = picks[0]
            self._free(only.sku, only.bin, only.lot, only.quantity, now)
        else:
            needed: dict[tuple[Sku, str, str | None], int] = {}
            for pick in picks:
                key = (pick.sku, pick.bin, pick.lot)
                needed[key] = needed.get(key, 0) + pick.quantity
            for (sku, bin_id, lot), quantity in needed.items():
                self._free(sku, bin_id, lot, quantity, now)
        if hold_until is not None:
            until = ensure_aware(hold_until, subject="apply_plan", field="hold_until")
            if until <= now:
                raise ValidationError.invalid(
                    "apply_plan", "hold_until", until, f"an instant after {now.isoformat()}"
                )
            ids = self._hold_ids(plan)
            return [
                self.place_hold(
                    hold_id,
                    p.sku,
                    p.bin,
                    p.quantity,
                    expires_at=until,
                    lot=p.lot,
                    owner=plan.order_id,
                    at=now,
                )
                for hold_id, p in zip(ids, picks, strict=True)
            ]
        out: list[ev.StockEvent] = []
        for pick in picks:
            sku = pick.sku
            out.append(
                self._record(
                    ev.StockAllocated(
                        aggregate_id=sku,
                        version=self._next(sku),
                        occurred_at=now,
                        sku=sku,
                        bin=pick.bin,
                        lot=pick.lot,
                        reference=f"{plan.order_id}/{pick.line_id}",
                        quantity=pick.quantity,
                    )
                )
            )
        return out

    def _hold_ids(self, plan: AllocationPlan) -> list[str]:
        ids = []
        counts: dict[str, int] = {}
        for pick in plan.picks:
            counts[pick.line_id] = counts.get(pick.line_id, 0) + 1
            hold_id = f"{plan.order_id}/{pick.line_id}/{counts[pick.line_id]}"
            if hold_id in self._state.holds:
                raise DuplicateError("hold", hold_id)
            ids.append(hold_id)
        return ids
