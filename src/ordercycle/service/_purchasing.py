"""Purchase orders and transfers between warehouses at the desk (issue 16).

A purchase order announces each line to the stock ledger as a scheduled receipt due on
its expected date, so :func:`~ordercycle.inventory.available_to_promise` and the backorder
promises count the units as incoming. Receiving moves units from incoming to on hand in a
bin of the purchase order's warehouse and serves the backlog; canceling drops what is
still expected. Each explains itself in the result's notes::

    PO-1: received 4 MUG into WH-EAST/A1, 6 still expected on 2026-03-09

**Over-receipt is refused.** A purchase order is the record of what was ordered and what
the supplier will bill; a receipt beyond a line's open units would make it say something
nobody agreed to. The clerk receives the ordered units against the purchase order and a
surplus with ``ReceiveStock`` (a separate, visible decision). An under-receipt leaves the
rest open until it arrives or the purchase order is canceled.

A transfer takes free units out of a bin of one warehouse at once (an adjustment whose
reason names the transfer) and announces them as a scheduled receipt; until
``ReceiveTransfer`` they are on hand nowhere, in transit, and counted as incoming.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeGuard

from ordercycle.errors import ValidationError
from ordercycle.inventory import (
    Backorder,
    BackorderBook,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLedger,
    StockTransfer,
    available_to_promise,
)
from ordercycle.model.ids import Sku, parse_id
from ordercycle.service._command_handlers import handles
from ordercycle.service._orders import (
    backorder_promises,
    product,
    receipt_lot,
    serve_backlog,
    waiting_orders,
)
from ordercycle.service._session import Session
from ordercycle.service.commands import (
    CancelPurchaseOrder,
    CreatePurchaseOrder,
    ReceivePurchaseOrder,
    ReceiveStock,
    ReceiveTransfer,
    TransferStock,
)
from ordercycle.service.errors import DeskCommandError
from ordercycle.service.records import PurchaseOrderChanged, TransferChanged
from ordercycle.service.results import CommandResult

__all__ = [
    "atp",
    "backorder_promises",
    "cancel_purchase_order",
    "create_purchase_order",
    "purchase_order",
    "receive_purchase_order",
    "receive_transfer",
    "transfer",
    "transfer_stock",
]

PURCHASE_ORDER, TRANSFER = "purchase_order", "transfer"


def purchase_order(s: Session, purchase_order_id: str) -> PurchaseOrder:
    """The purchase order (``UnknownAggregateError`` if none)."""
    return s.require(PURCHASE_ORDER, purchase_order_id, PurchaseOrder)


def transfer(s: Session, transfer_id: str) -> StockTransfer:
    """The transfer (``UnknownAggregateError`` if none)."""
    return s.require(TRANSFER, transfer_id, StockTransfer)


def _warehouse(s: Session, subject: str, warehouse: str) -> str:
    network = s.settings.network
    known = [str(w.id) for w in network.warehouses]
    if warehouse not in known:
        raise ValidationError.invalid(subject, "warehouse", warehouse, "one of " + ", ".join(known))
    return warehouse


def _is_day(value: object) -> TypeGuard[date]:
    return isinstance(value, date) and not isinstance(value, datetime)


def _units(subject: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.invalid(subject, "quantity", value, "a positive integer")
    return value


@handles(CreatePurchaseOrder)
def create_purchase_order(s: Session, c: CreatePurchaseOrder) -> CommandResult:
    """Create a purchase order; each line becomes a scheduled receipt (incoming stock)."""
    parse_id("purchase order id", c.purchase_order_id)
    subject = f"purchase order {c.purchase_order_id}"
    if s.exists(PURCHASE_ORDER, c.purchase_order_id):
        raise DeskCommandError(f"create {subject}", "a purchase order with this id exists")
    _warehouse(s, subject, c.warehouse)
    for item in c.lines:
        product(s, item.sku)
    po = PurchaseOrder.create(
        c.purchase_order_id,
        supplier=c.supplier,
        warehouse=c.warehouse,
        lines=[
            PurchaseOrderLine(sku=i.sku, quantity=i.quantity, expected_on=i.expected_on)
            for i in c.lines
        ],
        at=s.now,
    )
    ledger = s.stock(line.sku for line in po.lines)
    notes = []
    for line in po.lines:
        receipt = line.receipt_id(po.purchase_order_id)
        ledger.schedule_receipt(receipt, line.sku, line.quantity, line.expected_on, at=s.now)
        notes.append(
            f"{po.purchase_order_id}: {line.quantity} {line.sku} expected on"
            f" {line.expected_on.isoformat()} in {po.warehouse} from {po.supplier}"
        )
    s.save_stock()
    s.put(PURCHASE_ORDER, po.purchase_order_id, PurchaseOrderChanged, po, "created")
    for line in po.lines:
        for order_id, promised in backorder_promises(s, line.sku):
            if promised is not None:
                notes.append(f"backorder of order {order_id} promised for {promised.isoformat()}")
    return CommandResult(
        command="CreatePurchaseOrder",
        aggregate_id=po.purchase_order_id,
        details={"status": po.status, "expected_units": po.open_units},
        notes=tuple(notes),
    )


@handles(ReceivePurchaseOrder)
def receive_purchase_order(s: Session, c: ReceivePurchaseOrder) -> CommandResult:
    """Receive units against a purchase order: incoming to on hand, then serve the backlog."""
    po = purchase_order(s, c.purchase_order_id)
    network = s.settings.network
    units: dict[str, int] = {}
    for item in c.lines:
        _units(f"{po.subject} line {item.sku}", item.quantity)
        where = network.warehouse_of(item.bin)
        if str(where) != po.warehouse:
            raise DeskCommandError(
                f"receive {po.subject}",
                f"bin {item.bin} is in {where}; the purchase order is for {po.warehouse}",
            )
        units[item.sku] = units.get(item.sku, 0) + item.quantity
    received = po.receive(units, at=s.now)
    ledger = s.stock(units)
    notes = []
    for item in c.lines:
        lot = receipt_lot(
            ledger,
            ReceiveStock(
                sku=item.sku,
                bin=item.bin,
                quantity=item.quantity,
                lot=item.lot,
                expires_on=item.expires_on,
            ),
            s.today,
        )
        receipt = po.line(item.sku).receipt_id(po.purchase_order_id)
        ledger.receive(item.sku, item.bin, item.quantity, lot=lot, receipt=receipt, at=s.now)
    for sku in units:
        line = received.line(sku)
        bins = ", ".join(dict.fromkeys(item.bin for item in c.lines if item.sku == sku))
        rest = (
            f"{line.open} still expected on {line.expected_on.isoformat()}"
            if line.open
            else "line complete"
        )
        notes.append(f"{po.purchase_order_id}: received {units[sku]} {sku} into {bins}, {rest}")
    s.save_stock()
    s.put(PURCHASE_ORDER, po.purchase_order_id, PurchaseOrderChanged, received, "received")
    notes.extend(serve_backlog(s, units))
    return CommandResult(
        command="ReceivePurchaseOrder",
        aggregate_id=po.purchase_order_id,
        details={
            "status": received.status,
            "received": sum(units.values()),
            "still_expected": received.open_units,
        },
        notes=tuple(notes),
    )


@handles(CancelPurchaseOrder)
def cancel_purchase_order(s: Session, c: CancelPurchaseOrder) -> CommandResult:
    """Cancel the units still expected; their scheduled receipts are dropped."""
    po = purchase_order(s, c.purchase_order_id)
    if not isinstance(c.reason, str) or not c.reason.strip():
        raise ValidationError.invalid(po.subject, "reason", c.reason, "a non-empty reason")
    canceled = po.cancel(reason=c.reason, at=s.now)
    open_lines = [line for line in po.lines if line.open]
    ledger = s.stock(line.sku for line in po.lines)
    notes = []
    for line in open_lines:
        ledger.cancel_receipt(line.receipt_id(po.purchase_order_id), at=s.now)
        notes.append(f"{po.purchase_order_id}: {line.open} {line.sku} no longer expected")
    s.save_stock()
    s.put(PURCHASE_ORDER, po.purchase_order_id, PurchaseOrderChanged, canceled, "canceled")
    return CommandResult(
        command="CancelPurchaseOrder",
        aggregate_id=po.purchase_order_id,
        details={"status": canceled.status, "canceled": po.open_units},
        notes=(*notes, f"reason: {c.reason}"),
    )


@handles(TransferStock)
def transfer_stock(s: Session, c: TransferStock) -> CommandResult:
    """Send free units to a bin of another warehouse; they are in transit until received."""
    subject = f"transfer of {c.sku} from {c.from_bin} to {c.to_bin}"
    quantity = _units(subject, c.quantity)
    network = s.settings.network
    source, target = network.warehouse_of(c.from_bin), network.warehouse_of(c.to_bin)
    if source == target:
        raise DeskCommandError(
            f"transfer {quantity} {c.sku} from {c.from_bin} to {c.to_bin}",
            f"both bins are in {source}; move stock within a warehouse with MoveStock",
        )
    expected_on: object = s.today if c.expected_on is None else c.expected_on
    if not _is_day(expected_on) or expected_on < s.today:
        raise ValidationError.invalid(subject, "expected_on", expected_on, "today or later")
    product(s, c.sku)
    ledger = s.stock([c.sku])
    before = ledger.position(c.sku, c.from_bin, c.lot, at=s.now)
    if quantity > before.available:
        raise DeskCommandError(
            f"transfer {quantity} {c.sku} from {c.from_bin}",
            f"only {before.available} units are free there",
        )
    if c.transfer_id is None:
        transfer_id = s.new_id("transfer", TRANSFER)
    else:
        transfer_id = parse_id("transfer id", c.transfer_id)
    if s.exists(TRANSFER, transfer_id):
        raise DeskCommandError(f"transfer {transfer_id}", "a transfer with this id exists")
    sent = StockTransfer(
        transfer_id=transfer_id,
        sku=c.sku,
        from_bin=c.from_bin,
        to_bin=c.to_bin,
        quantity=quantity,
        expected_on=expected_on,
        sent_at=s.now,
        lot=c.lot,
    )
    ledger.adjust(
        c.sku,
        c.from_bin,
        before.on_hand - quantity,
        reason=f"transfer {transfer_id} to {c.to_bin}",
        lot=c.lot,
        at=s.now,
    )
    ledger.schedule_receipt(sent.receipt_id, c.sku, quantity, expected_on, at=s.now)
    s.save_stock()
    s.put(TRANSFER, transfer_id, TransferChanged, sent, "sent")
    return CommandResult(
        command="TransferStock",
        aggregate_id=transfer_id,
        details={"status": sent.status, "quantity": quantity, "from": source, "to": target},
        notes=(
            f"{transfer_id}: {quantity} {c.sku} left {c.from_bin} for {c.to_bin}, in transit"
            f" until received (expected {expected_on.isoformat()})",
        ),
    )


@handles(ReceiveTransfer)
def receive_transfer(s: Session, c: ReceiveTransfer) -> CommandResult:
    """Receive a transfer's units into its target bin; waiting backorders are served."""
    sent = transfer(s, c.transfer_id)
    done = sent.receive(at=s.now)
    ledger = s.stock([sent.sku])
    ledger.receive(
        sent.sku, sent.to_bin, sent.quantity, lot=sent.lot, receipt=sent.receipt_id, at=s.now
    )
    s.save_stock()
    s.put(TRANSFER, sent.transfer_id, TransferChanged, done, "received")
    notes = [f"{sent.transfer_id}: received {sent.quantity} {sent.sku} into {sent.to_bin}"]
    notes.extend(serve_backlog(s, [sent.sku]))
    return CommandResult(
        command="ReceiveTransfer",
        aggregate_id=sent.transfer_id,
        details={"status": done.status, "quantity": sent.quantity, "bin": sent.to_bin},
        notes=tuple(notes),
    )


# --- queries -----------------------------------------------------------------------------------


def atp(s: Session, sku: str, on: date) -> int:
    """Units of ``sku`` that can still be promised for ``on``: free stock, plus receipts
    due by then (purchase orders, transfers), minus the backlog."""
    product(s, sku)
    ledger: StockLedger = s.stock([sku])
    book = BackorderBook(
        Backorder(order.id, "*", Sku(sku), units) for order, units in waiting_orders(s, sku)
    )
    return available_to_promise(ledger, sku, on, backorders=book, at=s.now)
