"""Available to promise: what can still be promised for a date.

``ATP(day) = free stock now (lots still good on that day) + receipts due by that day
- units already waiting as backorders``, never below zero. Active holds count as taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from ordercycle.inventory.backorders import BackorderBook
from ordercycle.inventory.ledger import StockLedger

__all__ = ["atp_profile", "available_to_promise"]


def available_to_promise(
    ledger: StockLedger,
    sku: str,
    on: date,
    *,
    backorders: BackorderBook | None = None,
    at: datetime,
) -> int:
    """Units of ``sku`` that can be promised for delivery on ``on``.

    Args:
        ledger: The stock ledger.
        sku: The sku.
        on: The promise date.
        backorders: Waiting lines, served first from free stock and receipts.
        at: The instant free stock is measured at.
    """
    free = 0
    for position in ledger.positions(sku, at=at):
        if position.lot is not None:
            lot = ledger.lot(sku, position.lot)
            if lot.is_expired(on):
                continue
        free += position.available
    incoming = sum(r.open for r in ledger.receipts(sku) if r.due_on <= on)
    waiting = backorders.waiting(sku) if backorders is not None else 0
    return max(0, free + incoming - waiting)


def atp_profile(
    ledger: StockLedger,
    sku: str,
    days: Iterable[date],
    *,
    backorders: BackorderBook | None = None,
    at: datetime,
) -> list[tuple[date, int]]:
    """``(day, ATP)`` for each day, sorted by day."""
    return [
        (day, available_to_promise(ledger, sku, day, backorders=backorders, at=at))
        for day in sorted(set(days))
    ]
