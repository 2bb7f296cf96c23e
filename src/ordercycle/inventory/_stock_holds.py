"""Deciding cart holds: place, release, commit, and record expiries.

A hold counts against availability until it is released, committed or its
``expires_at`` passes; expiry needs no event (see
:class:`~ordercycle.inventory.StockLedger`). Each function returns the events to record
(as :data:`~._stock_checks.Decision` values), or raises; none changes anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordercycle.errors import DuplicateError, ValidationError
from ordercycle.inventory import events as ev
from ordercycle.inventory._stock_checks import (
    Decision,
    Stock,
    check_reference,
    find_hold,
    require_free,
    target,
)
from ordercycle.inventory.holds import StockHold
from ordercycle.model.clock import ensure_aware

__all__ = ["commit_hold", "place_hold", "release_hold", "sweep"]


def place_hold(
    stock: Stock,
    hold_id: str,
    sku: str,
    bin: str,
    quantity: Any,
    expires_at: datetime,
    lot: str | None,
    owner: str,
    now: datetime,
) -> Decision:
    """Hold free units until ``expires_at`` (``StockHeld``)."""
    checked, count = target(stock, sku, bin, lot, quantity, "hold")
    if hold_id in stock.state.holds:
        raise DuplicateError("hold", hold_id)
    until = ensure_aware(expires_at, subject=f"hold {hold_id}", field="expires_at")
    if until <= now:
        raise ValidationError.invalid(
            f"hold {hold_id}", "expires_at", until, f"an instant after {now.isoformat()}"
        )
    require_free(stock.state, checked, bin, lot, count, now)
    fields = {
        "bin": bin,
        "lot": lot,
        "hold_id": hold_id,
        "quantity": count,
        "expires_at": until,
        "owner": owner,
    }
    return ev.StockHeld, checked, fields


def release_hold(stock: Stock, hold_id: str, now: datetime) -> Decision:
    """Give an active hold back (``StockHoldReleased``)."""
    hold = find_hold(stock.state, hold_id)
    hold.moved("release", now)
    return _ending(ev.StockHoldReleased, hold)


def commit_hold(stock: Stock, hold_id: str, reference: str, now: datetime) -> Decision:
    """Turn an active hold into an allocation for ``reference`` (``StockHoldCommitted``)."""
    hold = find_hold(stock.state, hold_id)
    check_reference(reference)
    hold.moved("commit", now)
    return _ending(ev.StockHoldCommitted, hold, reference=reference)


def sweep(stock: Stock, now: datetime) -> list[Decision]:
    """A ``StockHoldExpired`` for every placed hold whose time has passed by ``now``."""
    due = sorted(
        (h for h in stock.state.holds.values() if h.state == "created" and h.expires_at <= now),
        key=lambda h: (h.expires_at, h.id),
    )
    return [_ending(ev.StockHoldExpired, h, expired_at=h.expires_at) for h in due]


def _ending(event_type: type[ev.StockEvent], hold: StockHold, **fields: Any) -> Decision:
    """An event that ends ``hold`` (its sku, bin, lot, id and quantity)."""
    fields.update(bin=hold.bin, lot=hold.lot, hold_id=hold.id, quantity=hold.quantity)
    return event_type, hold.sku, fields
