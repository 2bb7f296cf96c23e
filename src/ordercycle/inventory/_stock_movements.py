"""Deciding stock movements: receipts, counts, moves, returns and unavailable stock.

Each function checks one command against a :class:`~._stock_checks.Stock` and returns the
:data:`~._stock_checks.Decision` to record, or raises; none changes anything (see
:class:`~ordercycle.inventory.StockLedger` for what each command means).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ordercycle.errors import DuplicateError, InsufficientStockError, ValidationError
from ordercycle.inventory import events as ev
from ordercycle.inventory._quantity import as_count
from ordercycle.inventory._stock_checks import (
    Decision,
    Stock,
    check_lot,
    check_reason,
    check_sku,
    find_receipt,
    peek,
    require_free,
    require_unavailable,
    target,
)
from ordercycle.inventory._stock_state import Bucket
from ordercycle.inventory.errors import ExpiredLotError
from ordercycle.inventory.lots import Lot
from ordercycle.model.ids import LotId, Sku

__all__ = [
    "adjust",
    "cancel_receipt",
    "mark_unavailable",
    "move",
    "receive",
    "restock",
    "schedule_receipt",
    "take_unavailable",
]


def schedule_receipt(stock: Stock, receipt: str, sku: str, quantity: Any, due_on: date) -> Decision:
    """Announce units due on a date (``StockReceiptScheduled``)."""
    checked = check_sku(stock.state, stock.catalogue, sku, new=True)
    count = as_count(quantity, subject=f"receipt {receipt} of {sku}")
    if receipt in stock.state.receipts:
        raise DuplicateError("receipt", receipt)
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise ValidationError.invalid(f"receipt {receipt}", "due_on", due_on, "a date")
    fields = {"bin": "", "receipt": receipt, "quantity": count, "due_on": due_on}
    return ev.StockReceiptScheduled, checked, fields


def cancel_receipt(stock: Stock, receipt: str) -> Decision:
    """Drop the open quantity of a scheduled receipt (``StockReceiptCancelled``)."""
    found = find_receipt(stock.state, receipt)
    if found.open == 0:
        raise ValidationError.invalid(
            f"receipt {receipt}", "open quantity", 0, "a receipt with units still to come"
        )
    return (
        ev.StockReceiptCancelled,
        found.sku,
        {"bin": "", "receipt": receipt, "quantity": found.open},
    )


def receive(
    stock: Stock,
    sku: str,
    bin: str,
    quantity: Any,
    lot: Lot | str | None,
    receipt: str,
    now: datetime,
) -> Decision:
    """Put units (of a lot) into a bin (``StockReceived``)."""
    state = stock.state
    checked = check_sku(state, stock.catalogue, sku, new=True)
    stock.network.bin(bin)
    count = as_count(quantity, subject=f"receipt of {sku} at {bin}")
    info: Lot | None = None
    if isinstance(lot, Lot):
        info = _new_lot(stock, checked, lot)
    elif lot is not None:
        check_lot(state, checked, lot)
        info = state.lots[checked][LotId(lot)]
    if info is not None and info.is_expired(now.date()):
        assert info.expires_on is not None
        raise ExpiredLotError("receive", info.id, info.expires_on, now.date())
    if receipt:
        found = find_receipt(state, receipt)
        if found.sku != checked:
            raise ValidationError.invalid(
                f"receipt of {sku}", "receipt", receipt, f"a receipt of {sku}, not {found.sku}"
            )
    fields = {
        "bin": bin,
        "lot": info.id if info else None,
        "quantity": count,
        "received_on": info.received_on if info else None,
        "expires_on": info.expires_on if info else None,
        "receipt": receipt,
    }
    return ev.StockReceived, checked, fields


def _new_lot(stock: Stock, sku: Sku, lot: Lot) -> Lot:
    if lot.sku != sku:
        raise ValidationError.invalid(
            f"receipt of {sku}", "lot", lot.id, f"a lot of {sku}, not of {lot.sku}"
        )
    known = stock.state.lots.get(sku, {}).get(lot.id)
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
    stock: Stock, sku: str, bin: str, counted: Any, reason: str, lot: str | None, now: datetime
) -> Decision:
    """Set on hand to a cycle count, never below what is committed (``StockAdjusted``)."""
    state = stock.state
    checked = check_sku(state, stock.catalogue, sku)
    stock.network.bin(bin)
    check_lot(state, checked, lot)
    count = as_count(counted, subject=f"count of {sku} at {bin}", field="counted", allow_zero=True)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError.invalid(
            f"count of {sku} at {bin}", "reason", reason, "a non-empty reason"
        )
    bucket = peek(state, checked, bin, lot) or Bucket()
    committed = bucket.allocated + bucket.held(now) + bucket.unavailable_total
    if count < committed:
        raise InsufficientStockError(
            checked,
            f"a count of {count}",
            f"{committed} committed (allocated, held or unavailable); release those first",
            location=bin,
        )
    fields = {
        "bin": bin,
        "lot": lot,
        "counted": count,
        "delta": count - bucket.on_hand,
        "reason": reason,
    }
    return ev.StockAdjusted, checked, fields


def move(
    stock: Stock,
    sku: str,
    from_bin: str,
    to_bin: str,
    quantity: Any,
    lot: str | None,
    now: datetime,
) -> Decision:
    """Move free units between two bins (``StockMoved``)."""
    checked, count = target(stock, sku, from_bin, lot, quantity, "move")
    stock.network.bin(to_bin)
    if to_bin == from_bin:
        raise ValidationError.invalid(
            f"move of {sku}", "to_bin", to_bin, f"a bin other than {from_bin}"
        )
    require_free(stock.state, checked, from_bin, lot, count, now)
    fields = {"bin": from_bin, "lot": lot, "to_bin": to_bin, "quantity": count}
    return ev.StockMoved, checked, fields


def restock(
    stock: Stock,
    sku: str,
    bin: str,
    quantity: Any,
    lot: str | None,
    reference: str,
    damaged: bool,
) -> Decision:
    """Put returned units back, damaged ones as unavailable (``StockRestocked``)."""
    checked, count = target(stock, sku, bin, lot, quantity, "restock")
    fields = {
        "bin": bin,
        "lot": lot,
        "quantity": count,
        "reference": reference,
        "damaged": bool(damaged),
    }
    return ev.StockRestocked, checked, fields


def mark_unavailable(
    stock: Stock, sku: str, bin: str, quantity: Any, reason: str, lot: str | None, now: datetime
) -> Decision:
    """Take free units out of availability for a reason (``StockMarkedUnavailable``)."""
    checked, count = target(stock, sku, bin, lot, quantity, "unavailable stock")
    why = check_reason(reason)
    require_free(stock.state, checked, bin, lot, count, now)
    fields = {"bin": bin, "lot": lot, "reason": why, "quantity": count}
    return ev.StockMarkedUnavailable, checked, fields


def take_unavailable(
    stock: Stock,
    event_type: type[ev.StockEvent],
    sku: str,
    bin: str,
    quantity: Any,
    reason: str,
    lot: str | None,
    what: str,
    action: str,
) -> Decision:
    """Take units out of the ``reason`` unavailable stock (release or write them off)."""
    checked, count = target(stock, sku, bin, lot, quantity, what)
    why = check_reason(reason)
    require_unavailable(stock.state, checked, bin, lot, why, count, action)
    return event_type, checked, {"bin": bin, "lot": lot, "reason": why, "quantity": count}
