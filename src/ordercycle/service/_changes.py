"""Changes after confirmation: cancel the rest of a line, amend an order (issue 16).

Each command is one unit of work that keeps the order, the stock and the books in step:

- units taken off an order release the stock reserved for them (units on an open pick
  list are the picker's: confirm the picks first), and the released stock serves the
  orders waiting for that product;
- units already invoiced and now taken off are credited first, on the invoices that
  billed them (one credit note per invoice, newest invoice first);
- units added are allocated (or backordered), and when the order was invoiced before and
  its invoice policy bills ordered units, billed on an extra invoice;
- an order left with nothing to ship or deliver reaches its final state: ``canceled``
  when no unit ever shipped, ``completed`` when every unit still on order is delivered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model.address import Address
from ordercycle.model.ids import Sku
from ordercycle.model.order import Order
from ordercycle.model.order.changes import (
    AddLine,
    ChangeAddress,
    ChangeQuantity,
    OrderChange,
    RemoveLine,
)
from ordercycle.model.order.events import OrderAmended, OrderLineCanceled
from ordercycle.model.order.lines import NewLine
from ordercycle.model.order.policies import AddressKind, InvoicePolicy
from ordercycle.picking import WavePickList
from ordercycle.service import _billing, _receivables
from ordercycle.service._amendments import OrderAmendment
from ordercycle.service._command_handlers import handles
from ordercycle.service._orders import (
    allocate_stock,
    cancel_order,
    product,
    serve_backlog,
    set_exposure,
    track_backorders,
    update_account,
)
from ordercycle.service._session import Session
from ordercycle.service.commands import AmendOrder, CancelOrder, CancelOrderLine, InvoiceOrder
from ordercycle.service.errors import DeskCommandError
from ordercycle.service.records import OpenPickLists
from ordercycle.service.results import CommandResult

__all__ = [
    "amend_order",
    "cancel_order_line",
    "cancel_whole_order",
    "credit_units",
    "listed_units",
    "release_reserved",
    "settle_order",
]

_OPEN = ("issued", "partially_paid")


# --- stock -------------------------------------------------------------------------------------


def _reserved(s: Session, reference: str, sku: str) -> list[tuple[str, int]]:
    """``(bin, units)`` allocated to ``reference`` in stock now, sorted by bin."""
    state = s.stock([sku]).state()
    found = []
    for bucket_sku, bin_id, _lot, _on_hand, allocated, *_rest in state["buckets"]:
        if str(bucket_sku) != sku:
            continue
        for owner, units in allocated:
            if owner == reference and units:
                found.append((str(bin_id), int(units)))
    return sorted(found)


def listed_units(s: Session) -> dict[tuple[str, str], int]:
    """Units on open pick lists (released, not confirmed) by ``(reference, bin)``."""
    found: dict[tuple[str, str], int] = {}
    for warehouse in s.settings.network.warehouse_ids:
        lists = s.record("open_pick_lists", str(warehouse), OpenPickLists)
        for list_id in () if lists is None else lists.pick_list_ids:
            for line in s.require("pick_list", list_id, WavePickList).lines:
                key = (line.reference, line.bin)
                found[key] = found.get(key, 0) + line.quantity
    return found


def _listed(s: Session, order: Order) -> dict[tuple[str, str], int]:
    """Units of the order on open pick lists, by ``(line_id, bin)``."""
    prefix = f"{order.id}/"
    return {
        (reference[len(prefix) :], bin_id): units
        for (reference, bin_id), units in listed_units(s).items()
        if reference.startswith(prefix)
    }


def _listed_on_line(listed: dict[tuple[str, str], int], line_id: str) -> int:
    return sum(units for (line, _bin), units in listed.items() if line == line_id)


def release_reserved(
    s: Session,
    order_id: str,
    line_id: str,
    sku: str,
    units: int,
    listed: dict[tuple[str, str], int],
) -> list[str]:
    """Give back ``units`` reserved for a line, from bins whose units are not on a pick list.

    Returns one note per bin released.
    """
    reference = f"{order_id}/{line_id}"
    ledger = s.stock([sku])
    notes = []
    left = units
    for bin_id, reserved in _reserved(s, reference, sku):
        free = reserved - listed.get((line_id, bin_id), 0)
        take = min(free, left)
        if take <= 0:
            continue
        ledger.deallocate(reference, sku, bin_id, take, at=s.now)
        notes.append(f"released {take} {sku} reserved at {bin_id}")
        left -= take
    if left:  # the caller checked the listed units; this is a broken promise, not input
        raise DeskCommandError(
            f"release {units} units of line {line_id} of order {order_id}",
            f"only {units - left} reserved units are off the open pick lists",
        )
    s.save_stock()
    return notes


# --- the books ---------------------------------------------------------------------------------


def credit_units(
    s: Session, order: Order, line_id: str, units: int
) -> tuple[Order, list[str], list[str]]:
    """Credit ``units`` invoiced units of a line, newest invoice first.

    Returns the order, the credit-note ids and the ids of invoices the credits closed.
    The customer's account is not updated here (the caller does it once).
    """
    left = units
    made: list[str] = []
    closed: list[str] = []
    for document in reversed(order.invoices):
        if not left:
            break
        invoice, meta = s.invoice(document.document_id)
        indices = meta.indices(line_id)
        if not indices:
            continue
        index = indices[0]
        uncredited = int(invoice.lines[index].quantity - invoice.credited_quantity(index))
        take = min(uncredited, left)
        if take <= 0:
            continue
        credit_id = f"CN-{order.id}-{len(order.credit_notes) + 1}"
        base = _receivables.ledger(s, order.customer_id, invoice.currency)
        credited, _ = invoice.credit(credit_id, s.today, dict.fromkeys(indices, take), at=s.now)
        s.save_invoice(credited, meta, invoice.version)
        note = credited.credit_notes[-1]
        _receivables.post(
            s,
            order.customer_id,
            invoice.currency,
            lambda a, n=note, i=invoice.invoice_id: a.post_credit_note(  # type: ignore[misc]
                n.credit_note_id, i, n.total, s.today
            ),
            f"credit {credit_id}",
            base=base,
        )
        if credited.state not in _OPEN:
            closed.append(credited.invoice_id)
        order = s.save_order(order.record_credit(credit_id, {line_id: take}, at=s.now))
        made.append(credit_id)
        left -= take
    if left:
        raise DeskCommandError(
            f"credit {units} units of line {line_id} of {order.subject}",
            f"its invoices hold only {units - left} uncredited units of the line",
        )
    return order, made, closed


def settle_order(s: Session, order: Order) -> Order:
    """Close an order with nothing left to ship or deliver (canceled or completed)."""
    if order.is_final or order.state == order.lifecycle.initial:
        return order
    if all(line.ledger.active == 0 for line in order.lines) and "cancel" in (
        order.allowed_events()
    ):
        return s.save_order(order.cancel(at=s.now, reason="every unit canceled"))
    if "complete" in order.allowed_events():
        return s.save_order(order.complete(at=s.now))
    return order


def _finish(
    s: Session,
    order: Order,
    *,
    change: str,
    had_invoices: bool,
    closed: Sequence[str],
    released_skus: Iterable[str],
) -> tuple[Order, dict[str, object], list[str]]:
    """What every change ends with: allocation, extra invoice, final state, backlog, account.

    Returns the order, the details to add to the result and notes.
    """
    details: dict[str, object] = {}
    notes: list[str] = []
    if (
        order.state in ("confirmed", "released")
        and not order.on_hold
        and any(line.ledger.open for line in order.lines)
    ):
        order, plan = allocate_stock(s, order)
        if plan is not None:
            details["allocated"] = plan.allocated
            details["backordered"] = plan.backordered
            notes.extend(plan.explain().splitlines())
    track_backorders(s, order)
    invoiced = None
    if (
        had_invoices
        and order.invoice_policy is InvoicePolicy.ORDERED
        and order.state in ("confirmed", "released")
        and any(line.ledger.invoiceable(order.invoice_policy) for line in order.lines)
    ):
        # invoice_order moves the account by everything this session billed and credited.
        invoiced = _billing.invoice_order(s, InvoiceOrder(order_id=order.id))
        order = s.order(order.id)
        details["invoice_id"] = invoiced["invoice_id"]
        notes.append(f"added units billed on invoice {invoiced['invoice_id']}")
    order = settle_order(s, order)
    notes.extend(serve_backlog(s, released_skus))
    # A draft or quote is on no account until it is placed.
    entered = order.state in ("draft", "quoted")
    done = (
        entered
        or order.is_final
        or (
            any(doc.quantities for doc in order.invoices)
            and all(line.ledger.net_invoiced >= line.ledger.active for line in order.lines)
        )
    )
    update_account(
        s,
        order.customer_id,
        change,
        add_orders=() if done else (order.id,),
        drop_orders=(order.id,) if done and not entered else (),
        drop_invoices=tuple(closed),
        balance_change=None
        if invoiced is not None
        else s.balance_moved(order.customer_id, order.currency),
    )
    set_exposure(s, order, change)
    details["order_state"] = order.state
    details["revision"] = order.revision
    return order, details, notes


# --- cancel a whole order ------------------------------------------------------------------------


@handles(CancelOrder)
def cancel_whole_order(s: Session, c: CancelOrder) -> CommandResult:
    """Cancel an order: credit the billed units that will never ship, then cancel it.

    Whatever the invoice policy, every unit invoiced and not shipped is credited on the
    invoices that billed it (newest first) before the order is canceled; reserved stock
    is released and picked or packed units are restocked (``_orders.cancel_order``). If
    the order cannot be canceled (a unit shipped), nothing is credited: the unit of work
    is rolled back whole.
    """
    order = s.order(c.order_id)
    credits: list[str] = []
    closed: list[str] = []
    credited_units = 0
    for line in order.lines:
        ledger = line.ledger
        beyond = min(ledger.net_invoiced - ledger.shipped, ledger.unshipped)
        if beyond > 0:
            order, made, shut = credit_units(s, order, line.line_id, beyond)
            credits.extend(made)
            closed.extend(shut)
            credited_units += beyond
    result = cancel_order(s, c)
    if not credits:
        return result
    update_account(
        s,
        order.customer_id,
        f"credited canceled {order.id}",
        drop_invoices=tuple(closed),
        balance_change=s.balance_moved(order.customer_id, order.currency),
    )
    return attrs.evolve(
        result,
        details={**result.details, "credit_notes": credits},
        notes=(*result.notes, f"{credited_units} billed units credited on {', '.join(credits)}"),
    )


# --- cancel the rest of a line -------------------------------------------------------------------


@handles(CancelOrderLine)
def cancel_order_line(s: Session, c: CancelOrderLine) -> CommandResult:
    """Cancel units of a line not yet picked; credit them if billed; close a finished order."""
    order = s.order(c.order_id)
    line = order.line(c.line_id)
    ledger = line.ledger
    listed = _listed(s, order)
    on_lists = _listed_on_line(listed, c.line_id)
    cancelable = ledger.unpicked - on_lists
    action = f"cancel units of line {c.line_id} of {order.subject}"
    why = (
        f"{ledger.picked_or_later} are picked, packed or shipped, {ledger.canceled} canceled"
        f" and {on_lists} on open pick lists (confirm the picks first)"
    )
    if ledger.picked + ledger.packed:
        why += (
            "; picked and packed units are not canceled line by line: cancel the whole order"
            " (they go back to stock and billed units are credited), or ship them and take"
            " them back with a return"
        )
    quantity = cancelable if c.quantity is None else c.quantity
    if c.quantity is None and cancelable <= 0:
        raise DeskCommandError(action, f"no units are left to cancel: {why}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationError.invalid(action, "quantity", quantity, "a positive integer or None")
    if quantity > cancelable:
        raise DeskCommandError(
            action, f"only {max(cancelable, 0)} of its units can be canceled now: {why}"
        )
    had_invoices = any(doc.quantities for doc in order.invoices)  # goods, not freight
    billed_beyond = quantity - (ledger.active - ledger.net_invoiced)
    credits: list[str] = []
    closed: list[str] = []
    if billed_beyond > 0:
        order, credits, closed = credit_units(s, order, c.line_id, billed_beyond)
    order, events = order.cancel_line(c.line_id, quantity, at=s.now, reason=c.reason)
    s.save_order((order, events))
    notes = [f"canceled {quantity} units of line {c.line_id} ({line.sku})"]
    if credits:
        notes.append(f"{billed_beyond} billed units credited on {', '.join(credits)}")
    released = 0
    for event in events:
        if isinstance(event, OrderLineCanceled) and event.release.allocated:
            released += event.release.allocated
            notes.extend(
                release_reserved(
                    s, order.id, c.line_id, str(line.sku), event.release.allocated, listed
                )
            )
    order, details, more = _finish(
        s,
        order,
        change=f"canceled units of {order.id}",
        had_invoices=had_invoices,
        closed=closed,
        released_skus=[str(line.sku)] if released else [],
    )
    return CommandResult(
        command="CancelOrderLine",
        aggregate_id=order.id,
        details={
            "line_id": c.line_id,
            "canceled": quantity,
            "released_units": released,
            "credit_notes": credits,
            **details,
        },
        notes=(*notes, *more),
    )


# --- amend ---------------------------------------------------------------------------------------


def _next_line_id(taken: set[str]) -> str:
    numbers = [
        int(line_id[1:]) for line_id in taken if line_id[:1] == "L" and line_id[1:].isdigit()
    ]
    return f"L{max(numbers, default=0) + 1}"


@handles(AmendOrder)
def amend_order(s: Session, c: AmendOrder) -> CommandResult:
    """Apply a change set as the order's next revision, with its stock and invoice corrections."""
    order = s.order(c.order_id)
    if not c.changes:
        raise ValidationError.invalid(
            f"amend {order.subject}", "changes", (), "at least one OrderAmendment"
        )
    listed = _listed(s, order)
    had_invoices = any(doc.quantities for doc in order.invoices)  # goods, not freight
    taken_ids = {line.line_id for line in order.lines}
    domain: list[OrderChange] = []
    to_cancel: list[tuple[str, int]] = []  # invoiced lines to remove: canceled instead
    to_credit: list[tuple[str, int]] = []
    notes: list[str] = []
    for change in c.changes:
        if not isinstance(change, OrderAmendment):
            raise ValidationError.invalid(
                f"amend {order.subject}", "change", change, "an OrderAmendment"
            )
        if change.action == "ship_to":
            if not isinstance(change.address, Address):
                raise ValidationError.invalid(
                    f"amend {order.subject}", "address", change.address, "an Address"
                )
            domain.append(ChangeAddress(AddressKind.SHIPPING, change.address))
            notes.append("ship-to address changed")
            continue
        if change.action == "add_line":
            assert change.sku is not None
            assert change.quantity is not None
            entry = product(s, change.sku)
            line_id = change.line_id or _next_line_id(taken_ids)
            taken_ids.add(line_id)
            price, catalogue, why = entry.price, None, ""
            if change.unit_price is not None:
                if change.unit_price.currency != entry.price.currency:
                    raise ValidationError.invalid(
                        f"amend {order.subject}: price override of {change.sku}",
                        "unit price",
                        change.unit_price,
                        f"an amount in {entry.price.currency.code}, the catalogue price's currency",
                    )
                price, catalogue, why = change.unit_price, entry.price, change.price_reason
            domain.append(
                AddLine(
                    NewLine(
                        line_id,
                        Sku(change.sku),
                        change.quantity,
                        price,
                        tax_code=entry.tax_code,
                        list_price=catalogue,
                        price_reason=why,
                    )
                )
            )
            notes.append(f"line {line_id} added: {change.quantity} {change.sku}")
            if catalogue is not None:
                notes.append(f"line {line_id}: price {price} instead of {catalogue} ({why})")
            continue
        assert change.line_id is not None
        line = order.line(change.line_id)
        ledger = line.ledger
        on_lists = _listed_on_line(listed, line.line_id)
        if change.action == "remove_line":
            taken = ledger.unpicked
            new_quantity = ledger.canceled
        else:
            assert change.quantity is not None
            new_quantity = change.quantity
            taken = ledger.ordered - new_quantity
        if taken > 0 and taken > ledger.unpicked - on_lists and on_lists:
            raise DeskCommandError(
                f"amend line {line.line_id} of {order.subject}",
                f"{on_lists} of its units are on open pick lists; confirm the picks first",
            )
        if change.action == "remove_line" and ledger.invoiced and not ledger.picked_or_later:
            # A billed line stays on the order as a record: its units are canceled.
            if ledger.net_invoiced:
                to_credit.append((line.line_id, ledger.net_invoiced))
            if ledger.unshipped:
                to_cancel.append((line.line_id, ledger.unshipped))
            notes.append(
                f"line {line.line_id} was invoiced: its units are canceled and credited;"
                " the line stays on the order"
            )
            continue
        if change.action == "remove_line":
            domain.append(RemoveLine(line.line_id))
            notes.append(f"line {line.line_id} removed")
            continue
        if isinstance(new_quantity, int) and not isinstance(new_quantity, bool):
            over = ledger.canceled + ledger.net_invoiced - new_quantity
            if over > 0 and new_quantity >= max(ledger.canceled + ledger.picked_or_later, 1):
                to_credit.append((line.line_id, over))
        domain.append(ChangeQuantity(line.line_id, new_quantity))
        notes.append(f"line {line.line_id}: {ledger.ordered} -> {new_quantity} ordered")
    credits: list[str] = []
    closed: list[str] = []
    for line_id, units in to_credit:
        order, made, shut = credit_units(s, order, line_id, units)
        credits.extend(made)
        closed.extend(shut)
    if credits:
        notes.append(f"billed units taken off are credited on {', '.join(credits)}")
    released: dict[str, int] = {}
    skus_before = {line.line_id: str(line.sku) for line in order.lines}
    if domain:
        order, events = order.amend(domain, at=s.now, by="desk", note=c.note)
        s.save_order((order, events))
        for event in events:
            if isinstance(event, OrderAmended):
                for item in event.releases:
                    if item.release.allocated:
                        sku = skus_before[item.line_id]
                        released[sku] = released.get(sku, 0) + item.release.allocated
                        notes.extend(
                            release_reserved(
                                s, order.id, item.line_id, sku, item.release.allocated, listed
                            )
                        )
    for line_id, units in to_cancel:
        order, events = order.cancel_line(line_id, units, at=s.now, reason=c.note or "removed")
        s.save_order((order, events))
        for event in events:
            if isinstance(event, OrderLineCanceled) and event.release.allocated:
                sku = skus_before[line_id]
                released[sku] = released.get(sku, 0) + event.release.allocated
                notes.extend(
                    release_reserved(s, order.id, line_id, sku, event.release.allocated, listed)
                )
    order, details, more = _finish(
        s,
        order,
        change=f"amended {order.id}",
        had_invoices=had_invoices,
        closed=closed,
        released_skus=released,
    )
    return CommandResult(
        command="AmendOrder",
        aggregate_id=order.id,
        details={
            "released_units": sum(released.values()),
            "credit_notes": credits,
            "lines": [line.line_id for line in order.lines],
            "total": str(order.total),
            **details,
        },
        notes=(*notes, *more),
    )
