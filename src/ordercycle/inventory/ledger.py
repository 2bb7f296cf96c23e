"""The stock ledger: every bucket of every sku, changed only through checked commands.

Each command checks everything first and then records one or more immutable events; a
rejected command raises a typed error and changes nothing. Each sku's stock has its own
version (its event stream), which :meth:`StockLedger.apply_plan` compares before it
allocates (compare-and-set). :meth:`StockLedger.fork` copies the live stock of some skus
into a new ledger and ``StockLedger.replay(..., base=...)`` applies newer events to such a
copy: both behave exactly like a full replay, at a cost that follows the live stock rather
than its history.

>>> from datetime import UTC, datetime, timedelta
>>> from ordercycle.inventory import Network
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

from datetime import date, datetime
from typing import Any

from ordercycle.errors import (
    ConcurrencyError,
    DuplicateError,
    InsufficientStockError,
    ValidationError,
)
from ordercycle.inventory import events as ev
from ordercycle.inventory._ledger_holds import LedgerHolds
from ordercycle.inventory._ledger_queries import LedgerQueries
from ordercycle.inventory._quantity import as_count
from ordercycle.inventory._state import Bucket
from ordercycle.inventory.allocation_plan import AllocationPlan
from ordercycle.inventory.errors import (
    ExpiredLotError,
)
from ordercycle.inventory.lots import Lot
from ordercycle.model.clock import ensure_aware
from ordercycle.model.ids import LotId, Sku

__all__ = ["StockLedger"]


class StockLedger(LedgerQueries, LedgerHolds):
    """Stock per (sku, bin, lot) with holds, allocations, receipts and events.

    Args:
        network: The warehouses, zones and bins stock may be kept in.
        clock: Where "now" comes from when a command gets no ``at``.
        skus: The catalogue; if given, other skus are refused as unknown.
    """

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
        return self._emit(
            ev.StockReceiptScheduled,
            checked,
            now,
            bin="",
            receipt=receipt,
            quantity=count,
            due_on=due_on,
        )

    def cancel_receipt(self, receipt: str, *, at: datetime | None = None) -> ev.StockEvent:
        """Drop the open quantity of a scheduled receipt.

        Raises:
            NotFoundError: The receipt is unknown.
            ValidationError: Nothing of it is still open (received or cancelled already).
        """
        now = self._now(at)
        found = self._receipt(receipt)
        if found.open == 0:
            raise ValidationError.invalid(
                f"receipt {receipt}", "open quantity", 0, "a receipt with units still to come"
            )
        return self._emit(
            ev.StockReceiptCancelled,
            found.sku,
            now,
            bin="",
            receipt=receipt,
            quantity=found.open,
        )

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
        return self._emit(
            ev.StockReceived,
            checked,
            now,
            bin=bin,
            lot=info.id if info else None,
            quantity=count,
            received_on=info.received_on if info else None,
            expires_on=info.expires_on if info else None,
            receipt=receipt,
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
        return self._emit(
            ev.StockAdjusted,
            checked,
            now,
            bin=bin,
            lot=lot,
            counted=count,
            delta=count - bucket.on_hand,
            reason=reason,
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
        return self._emit(
            ev.StockMoved,
            checked,
            now,
            bin=from_bin,
            lot=lot,
            to_bin=to_bin,
            quantity=count,
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
        return self._emit(
            ev.StockAllocated,
            checked,
            now,
            bin=bin,
            lot=lot,
            reference=reference,
            quantity=count,
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
        return self._from_allocation(
            ev.StockDeallocated,
            reference,
            sku,
            bin,
            quantity,
            lot,
            at,
            "deallocation",
            "deallocate",
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
        return self._from_allocation(
            ev.StockConsumed, reference, sku, bin, quantity, lot, at, "shipment", "ship"
        )

    def _from_allocation(
        self,
        event_type: type[ev.StockEvent],
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        lot: str | None,
        at: datetime | None,
        what: str,
        action: str,
    ) -> ev.StockEvent:
        """Take units out of ``reference``'s allocation (deallocate or ship them)."""
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, what)
        self._over(checked, bin, lot, reference, count, action)
        return self._emit(
            event_type, checked, now, bin=bin, lot=lot, reference=reference, quantity=count
        )

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
        return self._emit(
            ev.StockRestocked,
            checked,
            now,
            bin=bin,
            lot=lot,
            quantity=count,
            reference=reference,
            damaged=bool(damaged),
        )

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
        return self._emit(
            ev.StockMarkedUnavailable,
            checked,
            now,
            bin=bin,
            lot=lot,
            reason=why,
            quantity=count,
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
        return self._from_unavailable(
            ev.StockMadeAvailable, sku, bin, quantity, reason, lot, at, "release", "make available"
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
        return self._from_unavailable(
            ev.StockWrittenOff, sku, bin, quantity, reason, lot, at, "write-off", "write off"
        )

    def _from_unavailable(
        self,
        event_type: type[ev.StockEvent],
        sku: str,
        bin: str,
        quantity: Any,
        reason: str,
        lot: str | None,
        at: datetime | None,
        what: str,
        action: str,
    ) -> ev.StockEvent:
        """Take units out of the ``reason`` unavailable stock (release or write them off)."""
        now = self._now(at)
        checked, count = self._target(sku, bin, lot, quantity, what)
        why = self._check_reason(reason)
        self._unavailable(checked, bin, lot, why, count, action)
        return self._emit(event_type, checked, now, bin=bin, lot=lot, reason=why, quantity=count)

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
                self._emit(
                    ev.StockAllocated,
                    sku,
                    now,
                    bin=pick.bin,
                    lot=pick.lot,
                    reference=f"{plan.order_id}/{pick.line_id}",
                    quantity=pick.quantity,
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
