"""A command that moves several lines of one order (allocate, pack, ship, deliver) stores one
event per line, at consecutive versions, and leaves the read model at the final order."""

from __future__ import annotations

from ordercycle.model import SteppableClock
from ordercycle.model.order import Order, OrderEvent
from ordercycle.model.order.events import (
    OrderCompleted,
    OrderLineAllocated,
    OrderLineDelivered,
    OrderLinePacked,
    OrderLineShipped,
)
from ordercycle.service import OrderDesk


def _stored(desk: OrderDesk, order_id: str) -> list[OrderEvent]:
    with desk.storage.unit_of_work() as uow:
        return [e for e in uow.events.load("order", order_id) if isinstance(e, OrderEvent)]


def test_every_line_of_a_multi_line_shipment_is_stored_once_in_order(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    # The sample shop stocks MUG in WH-EAST only and 2 LAMPs there: one two-line shipment.
    order_id = desk.place_order("C-BOLT", {"MUG": 3, "LAMP": 2}).aggregate_id
    desk.confirm_order(order_id)
    assert desk.allocate_order(order_id)["warehouses"] == ["WH-EAST"]
    lines = {line.line_id: line.ledger.ordered for line in desk.order(order_id).lines}
    assert len(lines) == 2
    wave = desk.release_wave("WH-EAST", [order_id])
    desk.confirm_picks(wave.aggregate_id)
    packed = desk.pack_order(order_id, wave.aggregate_id)
    desk.ship_shipment(packed.aggregate_id, f"1Z-{packed.aggregate_id}")
    clock.advance(days=2)
    desk.deliver_shipment(packed.aggregate_id)

    events = _stored(desk, order_id)
    assert [event.version for event in events] == list(range(1, len(events) + 1))
    for kind in (OrderLineAllocated, OrderLinePacked, OrderLineShipped, OrderLineDelivered):
        moved: dict[str, int] = {}
        for event in events:
            if isinstance(event, kind):
                moved[event.line_id] = moved.get(event.line_id, 0) + event.quantity
        assert moved == lines, kind.__name__
    assert isinstance(events[-1], OrderCompleted)
    final = desk.order(order_id)
    assert final.state == "completed"
    assert Order.replay(events) == final
    listed = desk.orders(state="completed").items
    assert [row.order_id for row in listed] == [order_id]
