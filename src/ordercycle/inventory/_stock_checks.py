"""What every stock decision reads, what it returns, and the checks they share.

A stock command is decided by a pure function (in :mod:`._stock_movements`,
:mod:`._stock_allocations` and :mod:`._stock_holds`) that reads a :class:`Stock` (the
ledger's state, network and catalogue), raises the typed error of a refused command,
and otherwise returns the events to record (each a :data:`Decision`) without changing
anything. Only then does the ledger apply them, so a refused command changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeAlias

from ordercycle.errors import InsufficientStockError, NotFoundError, ValidationError
from ordercycle.inventory import events as ev
from ordercycle.inventory._quantity import as_count
from ordercycle.inventory._stock_state import Bucket, Receipt, StockState
from ordercycle.inventory.errors import (
    OverReleaseError,
    UnknownLotError,
    UnknownSkuError,
    UnknownStockHoldError,
)
from ordercycle.inventory.holds import StockHold
from ordercycle.inventory.locations import Network
from ordercycle.inventory.position import UNAVAILABLE_REASONS
from ordercycle.model.clock import ensure_aware
from ordercycle.model.ids import Sku

__all__ = [
    "Decision",
    "Stock",
    "check_at",
    "check_lot",
    "check_reason",
    "check_reference",
    "check_sku",
    "find_hold",
    "find_receipt",
    "peek",
    "require_allocated",
    "require_free",
    "require_unavailable",
    "target",
]

#: One event a command decided on: its type, its sku (stream) and its other fields.
Decision: TypeAlias = "tuple[type[ev.StockEvent], Sku, dict[str, Any]]"


class Stock(NamedTuple):
    """What a stock decision reads: the state, the network and the catalogue (if any)."""

    state: StockState
    network: Network
    catalogue: Collection[str] | None


def check_at(at: object) -> datetime:
    """``at`` as an aware UTC datetime (commands and queries take time, never read a clock)."""
    if isinstance(at, datetime) and at.tzinfo is UTC:
        return at
    return ensure_aware(at, subject="StockLedger", field="at")


def check_sku(
    state: StockState, catalogue: Collection[str] | None, sku: object, *, new: bool = False
) -> Sku:
    """``sku`` as a :class:`Sku`: in the catalogue, and with stock records unless ``new``."""
    if not isinstance(sku, str) or not sku:
        raise ValidationError.invalid("StockLedger", "sku", sku, "a non-empty sku string")
    if catalogue is not None and sku not in catalogue:
        raise UnknownSkuError(sku, known=catalogue)
    if not new and sku not in state.buckets:
        raise UnknownSkuError(sku, known=state.buckets)
    return Sku(sku)


def check_lot(state: StockState, sku: Sku, lot: str | None) -> None:
    """Refuse a lot id that was never received for ``sku``."""
    if lot is not None and lot not in state.lots.get(sku, {}):
        raise UnknownLotError(lot, known=state.lots.get(sku, {}))


def peek(state: StockState, sku: str, bin: str, lot: str | None) -> Bucket | None:
    """The bucket of (sku, bin, lot), if it ever held stock."""
    per = state.buckets.get(sku)
    return per.get((bin, lot)) if per else None


def target(
    stock: Stock, sku: str, bin: str, lot: str | None, quantity: Any, what: str
) -> tuple[Sku, int]:
    """Check the sku, bin, lot and quantity a command names; return the sku and count."""
    checked = check_sku(stock.state, stock.catalogue, sku)
    stock.network.bin(bin)
    check_lot(stock.state, checked, lot)
    return checked, as_count(quantity, subject=f"{what} of {sku} at {bin}")


def require_free(
    state: StockState, sku: Sku, bin: str, lot: str | None, quantity: int, now: datetime
) -> None:
    """Refuse taking more than the free units of the bucket at ``now``."""
    bucket = peek(state, sku, bin, lot)
    available = bucket.available(now) if bucket else 0
    if quantity > available:
        where = bin if lot is None else f"{bin} lot {lot}"
        raise InsufficientStockError(sku, quantity, available, location=where)


def require_allocated(
    state: StockState,
    sku: Sku,
    bin: str,
    lot: str | None,
    reference: str,
    count: int,
    action: str,
) -> None:
    """Refuse taking more out of ``reference``'s allocation than it holds there."""
    bucket = peek(state, sku, bin, lot)
    limit = bucket.allocations.get(reference, 0) if bucket else 0
    if count > limit:
        where = bin if lot is None else f"{bin} lot {lot}"
        raise OverReleaseError(action, f"allocation {reference} of {sku} at {where}", count, limit)


def require_unavailable(
    state: StockState, sku: Sku, bin: str, lot: str | None, reason: str, count: int, action: str
) -> None:
    """Refuse taking more out of the ``reason`` unavailable units than there are."""
    bucket = peek(state, sku, bin, lot)
    limit = bucket.unavailable.get(reason, 0) if bucket else 0
    if count > limit:
        raise OverReleaseError(action, f"{reason} stock of {sku} at {bin}", count, limit)


def find_receipt(state: StockState, receipt: str) -> Receipt:
    """The scheduled receipt with this id (``NotFoundError`` if there is none)."""
    try:
        return state.receipts[receipt]
    except KeyError:
        raise NotFoundError("receipt", receipt, known=state.receipts) from None


def find_hold(state: StockState, hold_id: str) -> StockHold:
    """The hold with this id (``UnknownStockHoldError`` if there is none)."""
    try:
        return state.holds[hold_id]
    except KeyError:
        raise UnknownStockHoldError(hold_id, known=state.holds) from None


def check_reference(reference: object) -> None:
    """Refuse an empty allocation reference."""
    if not isinstance(reference, str) or not reference.strip():
        raise ValidationError.invalid(
            "allocation", "reference", reference, "a non-empty reference such as 'O-1/1'"
        )


def check_reason(reason: object) -> str:
    """``reason`` if it is one of :data:`UNAVAILABLE_REASONS`."""
    if reason not in UNAVAILABLE_REASONS:
        raise ValidationError.invalid(
            "unavailable stock", "reason", reason, "one of " + ", ".join(UNAVAILABLE_REASONS)
        )
    return str(reason)
