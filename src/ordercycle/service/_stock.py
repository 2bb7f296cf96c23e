"""Stock operations: count a bin, release or scrap units on hold, move units (issue 16).

Each explains itself in the result's notes, as allocation does::

    counted 7 MUG in WH-EAST/A1, expected 10: adjusted -3 (cycle count)

A count that finds fewer units than the books never oversells. The missing units are
taken, in this order, from the free units of the bin, from the units on hold there
(written off: they are the ones missing), and from allocations, latest in backlog order
first (lowest priority, latest requested date, newest order). An order line that loses its
allocation goes back to backorder and is then allocated again from other stock if there is
any. Units on an open pick list are the picker's: a count that needs them is refused until
the picks are confirmed (report the shortage there).
"""

from __future__ import annotations

from ordercycle.errors import ValidationError
from ordercycle.inventory import UNAVAILABLE_REASONS, StockLedger, StockPosition
from ordercycle.model.order import Order
from ordercycle.service._changes import listed_units
from ordercycle.service._command_handlers import handles
from ordercycle.service._orders import (
    allocate_stock,
    backlog_key,
    product,
    serve_backlog,
    track_backorders,
)
from ordercycle.service._session import Session
from ordercycle.service.commands import CountStock, MoveStock, ReleaseStock, ScrapStock
from ordercycle.service.errors import DeskCommandError
from ordercycle.service.results import CommandResult

__all__ = ["count_stock", "move_stock", "release_stock_hold", "scrap_stock"]


def _units(subject: str, field: str, value: object, *, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        expected = "a whole number of units, 0 or more" if allow_zero else "a positive integer"
        raise ValidationError.invalid(subject, field, value, expected)
    return value


def _position(
    s: Session, sku: str, bin_id: str, lot: str | None
) -> tuple[StockLedger, StockPosition]:
    product(s, sku)
    ledger = s.stock([sku])
    return ledger, ledger.position(sku, bin_id, lot, at=s.now)


def _where(bin_id: str, lot: str | None) -> str:
    return bin_id if lot is None else f"{bin_id} (lot {lot})"


def _allocations_in(
    ledger: StockLedger, sku: str, bin_id: str, lot: str | None
) -> list[tuple[str, int]]:
    """``(reference, units)`` allocated in one bucket."""
    for b_sku, b_bin, b_lot, _on_hand, allocated, *_rest in ledger.state()["buckets"]:
        same_lot = b_lot is None if lot is None else str(b_lot) == lot
        if str(b_sku) == sku and str(b_bin) == bin_id and same_lot:
            return [(str(ref), int(units)) for ref, units in allocated if units]
    return []


def _take_allocations(
    s: Session, ledger: StockLedger, c: CountStock, missing: int
) -> tuple[list[str], list[Order]]:
    """Deallocate ``missing`` units of the bucket from orders, latest in backlog order first."""
    listed = listed_units(s)
    owners: list[tuple[Order, str, str, int]] = []
    for reference, units in _allocations_in(ledger, c.sku, c.bin, c.lot):
        order_id, _, line_id = reference.rpartition("/")
        free = units - listed.get((reference, c.bin), 0)
        if order_id and s.exists("order", order_id) and free > 0:
            owners.append((s.order(order_id), line_id, reference, free))
    owners.sort(key=lambda row: (backlog_key(row[0]), row[1]), reverse=True)
    notes: list[str] = []
    touched: dict[str, Order] = {}
    left = missing
    for order, line_id, reference, free in owners:
        if not left:
            break
        take = min(free, left)
        order = touched.get(order.id, order)
        ledger.deallocate(reference, c.sku, c.bin, take, lot=c.lot, at=s.now)
        order = s.save_order(order.deallocate(line_id, take, at=s.now))
        order = s.save_order(order.backorder(line_id, take, at=s.now))
        track_backorders(s, order)
        touched[order.id] = order
        notes.append(
            f"{order.subject} line {line_id}: {take} allocated units not found, back to backorder"
        )
        left -= take
    if left:
        raise DeskCommandError(
            f"count {c.sku} in {_where(c.bin, c.lot)}",
            f"{left} of the missing units are on open pick lists or held for carts; confirm"
            " the picks (report the shortage there) or release the holds first",
        )
    return notes, list(touched.values())


@handles(CountStock)
def count_stock(s: Session, c: CountStock) -> CommandResult:
    """Set a bin's on-hand units to a count; a shortage never leaves an order oversold."""
    subject = f"count of {c.sku} in {_where(c.bin, c.lot)}"
    counted = _units(subject, "counted", c.counted, allow_zero=True)
    if not isinstance(c.reason, str) or not c.reason.strip():
        raise ValidationError.invalid(subject, "reason", c.reason, "a non-empty reason")
    ledger, before = _position(s, c.sku, c.bin, c.lot)
    expected = before.on_hand
    delta = counted - expected
    notes = [
        f"counted {counted} {c.sku} in {_where(c.bin, c.lot)}, expected {expected}:"
        f" adjusted {delta:+d} ({c.reason})"
    ]
    written_off = backordered = 0
    touched: list[Order] = []
    if delta < 0:
        beyond = -delta - max(before.available, 0)
        for reason, units in before.unavailable_by_reason:
            take = min(units, beyond)
            if take <= 0:
                continue
            ledger.write_off(c.sku, c.bin, take, reason=reason, lot=c.lot, at=s.now)
            notes.append(f"{take} units on hold ({reason}) were missing: written off")
            written_off += take
            beyond -= take
        if beyond > 0:
            more, touched = _take_allocations(s, ledger, c, beyond)
            notes.extend(more)
            backordered = beyond
    ledger.adjust(c.sku, c.bin, counted, reason=c.reason, lot=c.lot, at=s.now)
    s.save_stock()
    reallocated = 0
    for order in sorted((s.order(o.id) for o in touched), key=backlog_key):
        if order.state in ("confirmed", "released") and not order.on_hold:
            _order, plan = allocate_stock(s, order)
            if plan is not None and plan.allocated:
                reallocated += plan.allocated
                notes.append(
                    f"{order.subject}: {plan.allocated} units allocated again from other stock"
                )
    if delta > 0:
        notes.extend(serve_backlog(s, [c.sku]))
    after = ledger.position(c.sku, c.bin, c.lot, at=s.now)
    return CommandResult(
        command="CountStock",
        aggregate_id=c.sku,
        details={
            "bin": c.bin,
            "counted": counted,
            "expected": expected,
            "adjusted": delta,
            "written_off": written_off,
            "backordered": backordered,
            "reallocated": reallocated,
            "available": after.available,
        },
        notes=tuple(notes),
    )


def _reason(subject: str, reason: object) -> str:
    if reason not in UNAVAILABLE_REASONS:
        raise ValidationError.invalid(
            subject, "reason", reason, "one of " + ", ".join(UNAVAILABLE_REASONS)
        )
    return str(reason)


@handles(ReleaseStock)
def release_stock_hold(s: Session, c: ReleaseStock) -> CommandResult:
    """Make units unavailable for a reason available again; waiting orders are then served."""
    subject = f"release of {c.sku} in {_where(c.bin, c.lot)}"
    quantity = _units(subject, "quantity", c.quantity)
    reason = _reason(subject, c.reason)
    ledger, before = _position(s, c.sku, c.bin, c.lot)
    held = dict(before.unavailable_by_reason).get(reason, 0)
    if quantity > held:
        raise DeskCommandError(
            f"release {quantity} {c.sku} in {_where(c.bin, c.lot)}",
            f"only {held} units are unavailable there for {reason}",
        )
    ledger.make_available(c.sku, c.bin, quantity, reason=reason, lot=c.lot, at=s.now)
    s.save_stock()
    notes = [f"released {quantity} {c.sku} in {_where(c.bin, c.lot)} from {reason}"]
    notes.extend(serve_backlog(s, [c.sku]))
    return CommandResult(
        command="ReleaseStock",
        aggregate_id=c.sku,
        details={
            "bin": c.bin,
            "released": quantity,
            "available": ledger.available(c.sku, at=s.now),
        },
        notes=tuple(notes),
    )


@handles(ScrapStock)
def scrap_stock(s: Session, c: ScrapStock) -> CommandResult:
    """Write units off: those unavailable for the reason first, then free units."""
    subject = f"scrap of {c.sku} in {_where(c.bin, c.lot)}"
    quantity = _units(subject, "quantity", c.quantity)
    reason = _reason(subject, c.reason)
    ledger, before = _position(s, c.sku, c.bin, c.lot)
    held = dict(before.unavailable_by_reason).get(reason, 0)
    from_hold = min(quantity, held)
    from_free = quantity - from_hold
    if from_free > before.available:
        raise DeskCommandError(
            f"scrap {quantity} {c.sku} in {_where(c.bin, c.lot)}",
            f"only {held} units are unavailable there for {reason} and {before.available}"
            " free; allocated units cannot be scrapped (count the bin instead)",
        )
    if from_free:
        ledger.mark_unavailable(c.sku, c.bin, from_free, reason=reason, lot=c.lot, at=s.now)
    ledger.write_off(c.sku, c.bin, quantity, reason=reason, lot=c.lot, at=s.now)
    s.save_stock()
    notes = [f"scrapped {quantity} {c.sku} in {_where(c.bin, c.lot)} ({reason})"]
    if from_free:
        notes.append(f"{from_hold} were on hold and {from_free} free")
    return CommandResult(
        command="ScrapStock",
        aggregate_id=c.sku,
        details={
            "bin": c.bin,
            "scrapped": quantity,
            "from_hold": from_hold,
            "from_free": from_free,
        },
        notes=tuple(notes),
    )


@handles(MoveStock)
def move_stock(s: Session, c: MoveStock) -> CommandResult:
    """Move free units between two bins of one warehouse."""
    subject = f"move of {c.sku} from {c.from_bin} to {c.to_bin}"
    quantity = _units(subject, "quantity", c.quantity)
    network = s.settings.network
    source, target = network.warehouse_of(c.from_bin), network.warehouse_of(c.to_bin)
    if source != target:
        raise DeskCommandError(
            f"move {quantity} {c.sku} from {c.from_bin} to {c.to_bin}",
            f"the bins are in different warehouses ({source}, {target}); a move stays in one"
            " warehouse",
        )
    ledger, _before = _position(s, c.sku, c.from_bin, c.lot)
    ledger.move(c.sku, c.from_bin, c.to_bin, quantity, lot=c.lot, at=s.now)
    s.save_stock()
    return CommandResult(
        command="MoveStock",
        aggregate_id=c.sku,
        details={"from_bin": c.from_bin, "to_bin": c.to_bin, "moved": quantity},
        notes=(f"moved {quantity} {c.sku} from {c.from_bin} to {c.to_bin} in {source}",),
    )
