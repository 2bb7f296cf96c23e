"""Hold commands of a stock ledger: place, release, commit and sweep cart holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordercycle.errors import (
    DuplicateError,
    ValidationError,
)
from ordercycle.inventory import events as ev
from ordercycle.inventory._ledger_core import LedgerCore
from ordercycle.inventory.holds import StockHold
from ordercycle.model.clock import ensure_aware

__all__ = ["LedgerHolds"]


class LedgerHolds(LedgerCore):
    """Cart holds: soft reservations that stop counting when they expire."""

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
        return self._emit(
            ev.StockHeld,
            checked,
            now,
            bin=bin,
            lot=lot,
            hold_id=hold_id,
            quantity=count,
            expires_at=until,
            owner=owner,
        )

    def release_hold(self, hold_id: str, *, at: datetime | None = None) -> ev.StockEvent:
        """Give a hold back before it expires.

        Raises:
            UnknownStockHoldError: No such hold.
            TransitionNotAllowedError: It is committed, released or expired.
        """
        now = self._now(at)
        hold = self.get_hold(hold_id)
        hold.moved("release", now)
        return self._hold_event(ev.StockHoldReleased, hold, now)

    def commit_hold(
        self, hold_id: str, reference: str, *, at: datetime | None = None
    ) -> ev.StockEvent:
        """Turn an active hold into a hard allocation for ``reference``.

        Raises:
            UnknownStockHoldError: No such hold.
            TransitionNotAllowedError: It is committed, released or expired.
        """
        now = self._now(at)
        hold = self.get_hold(hold_id)
        self._check_reference(reference)
        hold.moved("commit", now)
        return self._hold_event(ev.StockHoldCommitted, hold, now, reference=reference)

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
        return [self._hold_event(ev.StockHoldExpired, h, at, expired_at=h.expires_at) for h in due]

    def _hold_event(
        self, event_type: type[ev.StockEvent], hold: StockHold, now: datetime, **fields: Any
    ) -> ev.StockEvent:
        """Record an event that ends ``hold`` (its sku, bin, lot, id and quantity)."""
        return self._emit(
            event_type,
            hold.sku,
            now,
            bin=hold.bin,
            lot=hold.lot,
            hold_id=hold.id,
            quantity=hold.quantity,
            **fields,
        )
