"""Deciding allocations: allocate, give back, ship, and apply a whole plan.

Each function returns the events to record (as :data:`~._stock_checks.Decision` values),
or raises; none changes anything. :func:`apply_plan` checks the whole plan (versions,
then the free units each bucket must give) before it decides any event, so a plan is
applied all or nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ordercycle.errors import ConcurrencyError, DuplicateError, ValidationError
from ordercycle.inventory import _stock_holds as holds
from ordercycle.inventory import events as ev
from ordercycle.inventory._stock_checks import (
    Decision,
    Stock,
    check_reference,
    require_allocated,
    require_free,
    target,
)
from ordercycle.inventory.allocation_plan import AllocationPlan
from ordercycle.model.clock import ensure_aware
from ordercycle.model.ids import Sku

__all__ = ["allocate", "apply_plan", "take_allocated"]


def allocate(
    stock: Stock,
    reference: str,
    sku: str,
    bin: str,
    quantity: Any,
    lot: str | None,
    now: datetime,
) -> Decision:
    """Allocate free units to ``reference`` (``StockAllocated``)."""
    check_reference(reference)
    checked, count = target(stock, sku, bin, lot, quantity, "allocation")
    require_free(stock.state, checked, bin, lot, count, now)
    fields = {"bin": bin, "lot": lot, "reference": reference, "quantity": count}
    return ev.StockAllocated, checked, fields


def take_allocated(
    stock: Stock,
    event_type: type[ev.StockEvent],
    reference: str,
    sku: str,
    bin: str,
    quantity: Any,
    lot: str | None,
    what: str,
    action: str,
) -> Decision:
    """Take units out of ``reference``'s allocation (deallocate or ship them)."""
    checked, count = target(stock, sku, bin, lot, quantity, what)
    require_allocated(stock.state, checked, bin, lot, reference, count, action)
    return event_type, checked, {"bin": bin, "lot": lot, "reference": reference, "quantity": count}


def apply_plan(
    stock: Stock, plan: AllocationPlan, hold_until: datetime | None, now: datetime
) -> list[Decision]:
    """One ``StockAllocated`` per pick (or, with ``hold_until``, one ``StockHeld``)."""
    state = stock.state
    for sku, version in plan.versions:
        actual = state.versions.get(sku, 0)
        if actual != version:
            raise ConcurrencyError(f"stock of {sku}", version, actual)
    picks = [pick for line in plan.lines for pick in line.picks]
    if len(picks) == 1:
        only = picks[0]
        require_free(state, only.sku, only.bin, only.lot, only.quantity, now)
    else:
        needed: dict[tuple[Sku, str, str | None], int] = {}
        for pick in picks:
            key = (pick.sku, pick.bin, pick.lot)
            needed[key] = needed.get(key, 0) + pick.quantity
        for (sku, bin_id, lot), quantity in needed.items():
            require_free(state, sku, bin_id, lot, quantity, now)
    if hold_until is not None:
        until = ensure_aware(hold_until, subject="apply_plan", field="hold_until")
        if until <= now:
            raise ValidationError.invalid(
                "apply_plan", "hold_until", until, f"an instant after {now.isoformat()}"
            )
        # Each hold alone fits: the buckets were checked for the whole plan above.
        return [
            holds.place_hold(
                stock, hold_id, p.sku, p.bin, p.quantity, until, p.lot, plan.order_id, now
            )
            for hold_id, p in zip(_hold_ids(stock, plan), picks, strict=True)
        ]
    order_id = plan.order_id
    allocated = ev.StockAllocated
    return [
        (
            allocated,
            pick.sku,
            {
                "bin": pick.bin,
                "lot": pick.lot,
                "reference": f"{order_id}/{pick.line_id}",
                "quantity": pick.quantity,
            },
        )
        for pick in picks
    ]


def _hold_ids(stock: Stock, plan: AllocationPlan) -> list[str]:
    """``"<order>/<line>/<n>"`` for each pick, refusing ids already taken."""
    ids = []
    counts: dict[str, int] = {}
    for pick in plan.picks:
        counts[pick.line_id] = counts.get(pick.line_id, 0) + 1
        hold_id = f"{plan.order_id}/{pick.line_id}/{counts[pick.line_id]}"
        if hold_id in stock.state.holds:
            raise DuplicateError("hold", hold_id)
        ids.append(hold_id)
    return ids
