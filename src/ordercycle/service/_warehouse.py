"""Warehouse commands: release a wave (routed pick list), confirm picks, pack, ship, deliver.

A pick list is stored twice in its life, released and confirmed. Confirming also stores
one :class:`~ordercycle.service.records.PickedOrder` per order on the list, under the
kind :data:`PICKED_ORDER`; packing an order reads and changes only that small record, so
the work of a pack does not grow with the size of the wave. :func:`pick_list` lays the
picked orders' lines over the stored list, which gives exactly the list as it would be
if every pack had stored the whole list again (as streams written before did).

Packing plans come from the desk's :class:`~ordercycle.service._packing.DeskPacking`
(a :class:`~ordercycle.packing.PackingMemo` of plans, and the items of products and the
parcels of remembered plans, by the identity of those immutable objects).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs

from ordercycle.errors import ConcurrencyError, ValidationError
from ordercycle.model._replace import replace
from ordercycle.model.order import Order, OrderEvent
from ordercycle.packing import PackingMemo, PackingPlan, PackRequest, Shipment, ShipmentLine
from ordercycle.picking import Bin as PickingBin
from ordercycle.picking import WavePickLine, WavePickList, route
from ordercycle.service._command_handlers import handles, prepares
from ordercycle.service._freight import bill_freight
from ordercycle.service._orders import (
    allocate_stock,
    backlog_key,
    product,
    track_backorders,
)
from ordercycle.service._packing import PACKING_MEMO_SIZE
from ordercycle.service._session import Session
from ordercycle.service.commands import (
    ConfirmPicks,
    DeliverShipment,
    PackOrder,
    ReleaseWave,
    ShipShipment,
)
from ordercycle.service.errors import DeskCommandError
from ordercycle.service.records import (
    OpenPickLists,
    OpenPickListsChanged,
    PickedOrder,
    PickedOrderChanged,
    PickListChanged,
    ShipmentChanged,
)
from ordercycle.service.results import CommandResult

__all__ = [
    "PACKING_MEMO_SIZE",
    "PICKED_ORDER",
    "PackPlanned",
    "confirm_picks",
    "deliver_shipment",
    "pack_order",
    "packing_memo",
    "pick_list",
    "picked_order_key",
    "plan_pack",
    "release_wave",
    "reserved_units",
    "shipment",
]

#: The record kind of :class:`~ordercycle.service.records.PickedOrder` (one per order on a
#: confirmed pick list, keyed by :func:`picked_order_key`).
PICKED_ORDER = "picked_order"


def packing_memo(s: Session) -> PackingMemo:
    """The desk's memo of packing plans (one per desk, see :mod:`~ordercycle.service._packing`)."""
    return s.packing.memo


def picked_order_key(pick_list_id: str, order_id: str) -> str:
    """The record key of an order's lines on a pick list: ``"PL-1/O-7"``.

    A ``%`` or ``/`` inside the pick list id is escaped (``%25``, ``%2F``), so two
    different pairs never share a key.

    >>> picked_order_key("PL-1", "O-7"), picked_order_key("PL/1", "O-7")
    ('PL-1/O-7', 'PL%2F1/O-7')
    """
    escaped = pick_list_id.replace("%", "%25").replace("/", "%2F")
    return f"{escaped}/{order_id}"


def _stored_list(s: Session, pick_list_id: str) -> WavePickList:
    """The pick list as last stored: without the packing of its orders."""
    return s.require("pick_list", pick_list_id, WavePickList)


def _picked_order(s: Session, pick_list_id: str, order_id: str) -> PickedOrder | None:
    return s.record(PICKED_ORDER, picked_order_key(pick_list_id, order_id), PickedOrder)


def pick_list(s: Session, pick_list_id: str) -> WavePickList:
    """The pick list with the shipments its orders were packed into.

    Raises:
        UnknownAggregateError: No pick list has this id.
    """
    made = _stored_list(s, pick_list_id)
    if made.status != "confirmed":
        return made
    picked: dict[str, Iterator[WavePickLine]] = {}
    for order_id in made.order_ids:
        found = _picked_order(s, made.pick_list_id, order_id)
        if found is not None:
            picked[order_id] = iter(found.lines)
    if not picked:
        return made
    return replace(
        made,
        lines=tuple(
            next(picked[line.order_id]) if line.order_id in picked else line for line in made.lines
        ),
    )


def shipment(s: Session, shipment_id: str) -> Shipment:
    """The shipment (``UnknownAggregateError`` if none)."""
    return s.require("shipment", shipment_id, Shipment)


def _open_lists(s: Session, warehouse: str) -> OpenPickLists:
    return s.record("open_pick_lists", warehouse, OpenPickLists) or OpenPickLists(
        warehouse=warehouse
    )


def _on_open_lists(s: Session, warehouse: str) -> dict[tuple[str, str], int]:
    """Units per ``(reference, bin)`` already on open pick lists of the warehouse."""
    listed: dict[tuple[str, str], int] = {}
    for list_id in _open_lists(s, warehouse).pick_list_ids:
        for line in _stored_list(s, list_id).lines:
            key = (line.reference, line.bin)
            listed[key] = listed.get(key, 0) + line.quantity
    return listed


def reserved_units(
    s: Session, orders: Sequence[Order]
) -> dict[str, list[tuple[str, str, str, int]]]:
    """What :func:`~ordercycle.service._orders.allocations` gives for each order, by order id.

    One read of the stock state for all the orders, instead of one per order (each of
    which can also reload the ledger for the order's products).
    """
    skus = sorted({line.sku for order in orders for line in order.lines})
    state = s.stock(skus).state()
    owners: dict[str, list[tuple[str, str]]] = {}
    for order in orders:
        for line in order.lines:
            owners.setdefault(f"{order.id}/{line.line_id}", []).append((order.id, line.line_id))
    found: dict[str, list[tuple[str, str, str, int]]] = {order.id: [] for order in orders}
    for sku, bin_id, _lot, _on_hand, allocated, *_rest in state["buckets"]:
        for reference, units in allocated:
            if not units:
                continue
            for order_id, line_id in owners.get(reference, ()):
                found[order_id].append((line_id, str(sku), str(bin_id), int(units)))
    return {order_id: sorted(units) for order_id, units in found.items()}


@handles(ReleaseWave)
def release_wave(s: Session, c: ReleaseWave) -> CommandResult:
    """Put the reserved, not yet listed units of the orders in one warehouse on a pick list."""
    warehouse = str(s.settings.network.warehouse(c.warehouse).id)
    if not c.order_ids or len(set(c.order_ids)) != len(c.order_ids):
        raise ValidationError.invalid(
            f"wave for {warehouse}", "order_ids", c.order_ids, "one or more distinct order ids"
        )
    listed = _on_open_lists(s, warehouse)
    orders: list[Order] = []
    for order_id in c.order_ids:
        order = s.order(order_id)
        if order.state == "confirmed":
            order = s.save_order(order.release(at=s.now))
        else:
            # Listed without a write of its own: a cancel or change committed meanwhile
            # must make this release run again rather than list units no longer reserved.
            s.rely_on_order(order)
        orders.append(order)
    reserved = reserved_units(s, orders)
    lines: list[WavePickLine] = []
    # Each bin's picking spot, made once (a bin holds the units of many lines of a wave).
    spots: dict[str, PickingBin] = {}
    for order in orders:
        for line_id, sku, bin_id, units in reserved[order.id]:
            if s.settings.network.warehouse_of(bin_id) != warehouse:
                continue
            key = (f"{order.id}/{line_id}", bin_id)
            fresh = units - listed.get(key, 0)
            if fresh > 0:
                spot = spots.get(bin_id)
                if spot is None:
                    spot = spots[bin_id] = s.settings.picking_bin(bin_id)
                lines.append(
                    WavePickLine(
                        order_id=order.id,
                        line_id=line_id,
                        sku=sku,
                        bin=bin_id,
                        location=spot.label,
                        quantity=fresh,
                    )
                )
    if not lines:
        raise DeskCommandError(
            f"release a wave of {', '.join(c.order_ids)} to {warehouse}",
            "no reserved units there are waiting for a pick list",
        )
    # (spots holds exactly the bins of the lines.)
    walk = route(
        s.settings.layouts[warehouse],
        [spots[b] for b in sorted(spots)],
        method=s.settings.route_method,
    )
    stop_of = {stop: n for n, stop in reversed(list(enumerate(walk.stops)))}
    lines.sort(key=lambda line: (stop_of[spots[line.bin]], line.order_id, line.line_id))
    list_id = s.new_id("pick_list", "pick_list")
    made = WavePickList(
        pick_list_id=list_id,
        warehouse=warehouse,
        lines=tuple(lines),
        route_length=walk.length,
        route_method=walk.method,
        route_exact=walk.exact,
        route_explanation=walk.explanation,
        released_at=s.now,
    )
    s.put("pick_list", list_id, PickListChanged, made, "released")
    open_lists = _open_lists(s, warehouse)
    s.put(
        "open_pick_lists",
        warehouse,
        OpenPickListsChanged,
        replace(open_lists, pick_list_ids=(*open_lists.pick_list_ids, list_id)),
        f"opened {list_id}",
    )
    return CommandResult(
        command="ReleaseWave",
        aggregate_id=list_id,
        details={
            "warehouse": warehouse,
            "orders": list(made.order_ids),
            "units": sum(line.quantity for line in lines),
            "route_length": str(walk.length),
            "stops": [line.location for line in lines],
        },
        notes=(walk.explanation,),
    )


@handles(ConfirmPicks)
def confirm_picks(s: Session, c: ConfirmPicks) -> CommandResult:
    """Confirm what was picked; shortages are written off the bin and go back to backorder.

    The missing units are put on quality hold in their bin. Each order that came up short
    (if confirmed or released and without holds) is then allocated again from the stock
    still available, in backlog order (priority, requested date, order time): a short line
    is reallocated when other stock exists and stays backordered for the next receipt
    otherwise.
    """
    made = _stored_list(s, c.pick_list_id)
    done = made.confirm(((x.reference, x.quantity) for x in c.shortages), at=s.now)
    ledger = s.stock({line.sku for line in made.lines})
    came_short: set[str] = set()
    picked_total = short_total = 0
    # The events of a run of lines of one order are appended together (one append and one
    # view row), before anything else is written: the same events in the same places as a
    # save per line.
    order: Order | None = None
    events: list[OrderEvent] = []
    for line in done.lines:
        picked, missing = line.quantity - line.short, line.short
        if order is None or order.id != line.order_id:
            if order is not None:
                s.save_order((order, events))
                events = []
            order = s.order(line.order_id)
        if picked:
            ledger.consume(line.reference, line.sku, line.bin, picked, at=s.now)
            order, recorded = order.pick(line.line_id, picked, at=s.now)
            events += recorded
        if missing:
            ledger.deallocate(line.reference, line.sku, line.bin, missing, at=s.now)
            ledger.mark_unavailable(line.sku, line.bin, missing, reason="quality_hold", at=s.now)
            order, recorded = order.deallocate(line.line_id, missing, at=s.now)
            events += recorded
            order, recorded = order.backorder(line.line_id, missing, at=s.now)
            events += recorded
            order = s.save_order((order, events))
            events = []
            track_backorders(s, order)
            came_short.add(order.id)
        picked_total += picked
        short_total += missing
    if order is not None:
        s.save_order((order, events))
    s.save_stock()
    short_orders = sorted((s.order(order_id) for order_id in came_short), key=backlog_key)
    reallocated = sum(_reallocate(s, order) for order in short_orders)
    s.put("pick_list", made.pick_list_id, PickListChanged, done, "confirmed")
    per_order: dict[str, list[WavePickLine]] = {}
    for line in done.lines:
        per_order.setdefault(line.order_id, []).append(line)
    for order_id, lines in per_order.items():
        s.put(
            PICKED_ORDER,
            picked_order_key(made.pick_list_id, order_id),
            PickedOrderChanged,
            PickedOrder(
                pick_list_id=made.pick_list_id,
                order_id=order_id,
                warehouse=made.warehouse,
                lines=tuple(lines),
            ),
            "confirmed",
        )
    open_lists = _open_lists(s, made.warehouse)
    s.put(
        "open_pick_lists",
        made.warehouse,
        OpenPickListsChanged,
        replace(
            open_lists,
            pick_list_ids=tuple(i for i in open_lists.pick_list_ids if i != made.pick_list_id),
        ),
        f"closed {made.pick_list_id}",
    )
    return CommandResult(
        command="ConfirmPicks",
        aggregate_id=made.pick_list_id,
        details={"picked": picked_total, "short": short_total, "reallocated": reallocated},
    )


def _reallocate(s: Session, order: Order) -> int:
    """Allocate a short order again from available stock; returns the units allocated."""
    if order.state not in ("confirmed", "released") or order.on_hold:
        return 0
    _order, plan = allocate_stock(s, order)
    return 0 if plan is None else plan.allocated


def _is_id(value: object) -> bool:
    return isinstance(value, str) and bool(value) and value == value.strip()


def _order_on_list(s: Session, c: PackOrder) -> tuple[Order, PickedOrder, str]:
    """The order, its lines on the pick list, and the list's status.

    Reads the order's own :class:`PickedOrder`; only without one (the list is not
    confirmed, the order is not on it, or the list was confirmed before these records
    existed) is the whole list read, which also raises for unknown ids.
    """
    if _is_id(c.pick_list_id) and _is_id(c.order_id):
        found = _picked_order(s, c.pick_list_id, c.order_id)
        if found is not None:
            return s.order(c.order_id), found, "confirmed"
    made = pick_list(s, c.pick_list_id)
    order = s.order(c.order_id)
    lines = tuple(line for line in made.lines if line.order_id == order.id)
    mine = PickedOrder(
        pick_list_id=made.pick_list_id, order_id=order.id, warehouse=made.warehouse, lines=lines
    )
    return order, mine, made.status


@attrs.frozen
class PackPlanned:
    """The plan of a pack, computed before the write transaction (see :func:`plan_pack`).

    Attributes:
        versions: The versions it was computed from: the order, the order's picked lines
            (``PickedOrder``) and the pick list.
        plan: The packing plan of the picked units.
    """

    versions: tuple[int, int, int]
    plan: PackingPlan


def _pack_lines(
    s: Session, c: PackOrder
) -> tuple[Order, PickedOrder, list[tuple[int, WavePickLine]], dict[str, int]]:
    """What a pack reads and decides before the packer runs (refusing as the handler does):
    the order, its picked lines, the lines to pack (by place) and the units of each."""
    order, picked, status = _order_on_list(s, c)
    mine = [
        (n, line) for n, line in enumerate(picked.lines) if line.picked and not line.shipment_id
    ]
    if status != "confirmed" or not mine:
        raise DeskCommandError(
            f"pack {order.subject} from pick list {picked.pick_list_id}",
            "no confirmed picks of it are waiting to be packed"
            if status == "confirmed"
            else f"the pick list is {status}; confirm the picks first",
        )
    per_line: dict[str, int] = {}
    for _n, line in mine:
        assert line.picked is not None
        per_line[line.line_id] = per_line.get(line.line_id, 0) + line.picked
    return order, picked, mine, per_line


def _pack_request(s: Session, mine: list[tuple[int, WavePickLine]]) -> PackRequest:
    """The packer's request for the picked lines ``mine`` (of :func:`_pack_lines`)."""
    units: dict[str, int] = {}
    for _n, line in mine:
        assert line.picked is not None
        units[line.sku] = units.get(line.sku, 0) + line.picked
    remembered = s.packing
    items = [remembered.item(sku, product(s, sku).product, units[sku]) for sku in sorted(units)]
    return PackRequest(
        items, s.settings.cartons, s.settings.carrier, work_limit=s.settings.pack_work_limit
    )


def _pack_versions(s: Session, order: Order, picked: PickedOrder) -> tuple[int, int, int]:
    key = picked_order_key(picked.pick_list_id, order.id)
    return (
        order.version,
        s.record_version(PICKED_ORDER, key),
        s.record_version("pick_list", picked.pick_list_id),
    )


@prepares(PackOrder)
def plan_pack(s: Session, c: PackOrder) -> PackPlanned:
    """Compute the packing plan in a read-only session, before the write transaction.

    Packing can take long on large orders; the desk runs this first, so the write lock is
    held only to check the versions and append the result (:func:`pack_order`).
    """
    order, picked, mine, _per_line = _pack_lines(s, c)
    plan = s.packing.memo.pack(_pack_request(s, mine))
    return PackPlanned(versions=_pack_versions(s, order, picked), plan=plan)


@handles(PackOrder)
def pack_order(s: Session, c: PackOrder) -> CommandResult:
    """Pack the order's picked units of a pick list into cartons at the lowest billable weight.

    The plan comes from :func:`plan_pack` (run before the write transaction) when the
    order and its pick list are still at the versions it read; if they moved on, the
    command meets a :class:`~ordercycle.errors.ConcurrencyError` and the desk runs it
    again. Without a prepared plan (a handler called directly) it packs here.
    """
    order, picked, mine, per_line = _pack_lines(s, c)
    carrier = s.settings.carrier
    remembered = s.packing
    prepared = s.prepared
    if isinstance(prepared, PackPlanned):
        now = _pack_versions(s, order, picked)
        if now != prepared.versions:
            raise ConcurrencyError(
                f"pack of {order.subject} (order, picked lines, pick list versions)",
                prepared.versions,
                now,
            )
        # The same versions: the same picked lines, so the request would be the same too
        # (it is not built again: its items cost a product read each).
        plan = prepared.plan
    else:
        plan = remembered.memo.pack(_pack_request(s, mine))
    parcels = remembered.parcels(plan, carrier)
    # One append (and one view row) for all the lines: the same events as a save per line.
    events: list[OrderEvent] = []
    for line_id in sorted(per_line):
        order, recorded = order.pack(line_id, per_line[line_id], at=s.now)
        events += recorded
    order = s.save_order((order, events))
    shipment_id = s.new_id("shipment", "shipment")
    packed = Shipment(
        shipment_id=shipment_id,
        order_id=order.id,
        warehouse=picked.warehouse,
        pick_list_id=picked.pick_list_id,
        lines=tuple(
            ShipmentLine(line_id=i, sku=str(order.line(i).sku), quantity=q)
            for i, q in sorted(per_line.items())
        ),
        parcels=tuple(parcels),
        carrier=carrier.name,
        packed_at=s.now,
    )
    s.put("shipment", shipment_id, ShipmentChanged, packed, "packed")
    lines = list(picked.lines)
    for n, line in mine:
        lines[n] = replace(line, shipment_id=shipment_id)
    s.put(
        PICKED_ORDER,
        picked_order_key(picked.pick_list_id, order.id),
        PickedOrderChanged,
        replace(picked, lines=tuple(lines)),
        f"packed {shipment_id}",
    )
    return CommandResult(
        command="PackOrder",
        aggregate_id=shipment_id,
        details={
            "order_id": order.id,
            "cartons": [p.carton for p in parcels],
            "billable_weight": f"{packed.billable_weight} {carrier.weight_unit}",
        },
        notes=tuple(p.reason for p in parcels),
    )


@handles(ShipShipment)
def ship_shipment(s: Session, c: ShipShipment) -> CommandResult:
    """Hand the packed shipment to the carrier with its tracking number."""
    found = shipment(s, c.shipment_id)
    shipped = found.ship(tracking_number=c.tracking_number, carrier=c.carrier, at=s.now)
    order = s.order(found.order_id)
    events: list[OrderEvent] = []
    for line in found.lines:
        order, recorded = order.ship(line.line_id, line.quantity, at=s.now)
        events += recorded
    order = s.save_order((order, events))
    s.put("shipment", found.shipment_id, ShipmentChanged, shipped, "shipped")
    order, freight = bill_freight(s, order, found)
    return CommandResult(
        command="ShipShipment",
        aggregate_id=found.shipment_id,
        details={"tracking_number": c.tracking_number, "carrier": shipped.carrier, **freight},
    )


@handles(DeliverShipment)
def deliver_shipment(s: Session, c: DeliverShipment) -> CommandResult:
    """Record the delivery; the order completes once every unit on order is delivered."""
    found = shipment(s, c.shipment_id)
    delivered = found.deliver(at=s.now)
    order = s.order(found.order_id)
    events: list[OrderEvent] = []
    for line in found.lines:
        order, recorded = order.deliver(line.line_id, line.quantity, at=s.now)
        events += recorded
    # The one event asked about, not every allowed event's guards (the same answer).
    if order.lifecycle.can(order.state, "complete", order):
        order, recorded = order.complete(at=s.now)
        events += recorded
    order = s.save_order((order, events))
    s.put("shipment", found.shipment_id, ShipmentChanged, delivered, "delivered")
    return CommandResult(
        command="DeliverShipment",
        aggregate_id=found.shipment_id,
        details={"order_id": order.id, "order_state": order.state},
    )
