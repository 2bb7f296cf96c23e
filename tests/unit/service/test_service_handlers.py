"""The outbox handlers: receipts serve backorders, returns restock, payments reach orders."""

from __future__ import annotations

from datetime import date

import attrs

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.order.policies import Priority
from ordercycle.model.order.status import PaymentStatus
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.service.settings import DeskSettings


def _delivered(desk: OrderDesk, clock: SteppableClock, customer: str, items: dict[str, int]) -> str:
    order_id = desk.place_order(customer, items).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    for warehouse in desk.settings.network.warehouse_ids:
        try:
            wave = desk.release_wave(warehouse, [order_id]).aggregate_id
        except ValueError:
            continue
        desk.confirm_picks(wave)
        shipment = desk.pack_order(order_id, wave).aggregate_id
        desk.ship_shipment(shipment, "1Z")
        desk.deliver_shipment(shipment)
    clock.advance(days=1)
    return order_id


def test_a_receipt_allocates_waiting_backorders_oldest_first(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    first = desk.place_order("C-BOLT", {"RUG": 5}).aggregate_id
    clock.advance(minutes=5)
    second = desk.place_order("C-ACME", {"RUG": 2}).aggregate_id
    for order_id in (first, second):
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
    assert desk.order(first).line("L1").ledger.backordered == 1
    assert desk.order(second).line("L1").ledger.backordered == 2
    assert desk.backlog("RUG") == (first, second)
    desk.receive_stock("RUG", "WH-WEST/A8", 2)
    assert desk.backlog("RUG") == (second,)
    assert desk.order(first).line("L1").ledger.allocated == 5
    assert desk.order(second).line("L1").ledger.allocated == 1
    assert desk.order(second).line("L1").ledger.backordered == 1
    assert desk.available_units("RUG") == 0


def test_a_receipt_serves_by_priority_then_requested_date_then_order_time(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    # The shop's four RUGs go to the first order; four more orders then wait for one each.
    placed = [desk.place_order("C-BOLT", {"RUG": 4}).aggregate_id]
    for items, options in [
        ({"RUG": 1}, {}),  # oldest waiting order, normal priority, no date
        ({"RUG": 1}, {"requested_delivery_date": date(2026, 3, 20)}),
        ({"RUG": 1}, {"requested_delivery_date": date(2026, 3, 10)}),
        ({"RUG": 1}, {"priority": Priority.HIGH}),  # newest, but urgent
    ]:
        clock.advance(minutes=5)
        placed.append(desk.place_order("C-ACME", items, **options).aggregate_id)  # type: ignore[arg-type]
    for order_id in placed:
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
    _full, oldest, late_date, early_date, urgent = placed
    assert desk.backlog("RUG") == (oldest, late_date, early_date, urgent)
    served = []
    for _ in range(4):
        desk.receive_stock("RUG", "WH-WEST/A8", 1)
        allocated = [o for o in placed[1:] if desk.order(o).line("L1").ledger.allocated]
        served += [o for o in allocated if o not in served]
    assert served == [urgent, early_date, late_date, oldest]
    assert desk.backlog("RUG") == ()


def test_a_pick_shortage_is_reallocated_from_other_available_stock(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"MUG": 5}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    confirmed = desk.confirm_picks(wave, {f"{order_id}/L1": 2})
    assert (confirmed["short"], confirmed["reallocated"]) == (2, 2)
    ledger = desk.order(order_id).line("L1").ledger
    assert (ledger.picked, ledger.allocated, ledger.backordered) == (3, 2, 0)
    assert desk.backlog("MUG") == ()
    # 40 mugs: 3 picked, 2 missing (quality hold), 2 reallocated -> 33 still available.
    assert desk.available_units("MUG") == 33
    [position] = desk.stock_positions("MUG")
    assert (position.allocated, position.unavailable) == (2, 2)
    again = desk.release_wave("WH-EAST", [order_id])
    assert again["units"] == 2


def test_a_whole_line_short_in_one_warehouse_is_reallocated_to_another(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"LAMP": 2}).aggregate_id
    desk.confirm_order(order_id)
    assert desk.allocate_order(order_id)["warehouses"] == ["WH-EAST"]
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    confirmed = desk.confirm_picks(wave, {f"{order_id}/L1": 2})
    assert (confirmed["picked"], confirmed["short"], confirmed["reallocated"]) == (0, 2, 2)
    ledger = desk.order(order_id).line("L1").ledger
    assert (ledger.allocated, ledger.backordered) == (2, 0)
    where = [(str(p.bin), p.allocated, p.unavailable) for p in desk.stock_positions("LAMP")]
    assert where == [("WH-EAST/A7", 0, 2), ("WH-WEST/A5", 2, 0)]
    assert desk.release_wave("WH-WEST", [order_id])["units"] == 2


def test_a_pick_shortage_stays_backordered_without_other_stock_and_a_receipt_fills_it(
    desk: OrderDesk,
) -> None:
    order_id = desk.place_order("C-BOLT", {"RUG": 4}).aggregate_id  # every RUG in the shop
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-WEST", [order_id]).aggregate_id
    confirmed = desk.confirm_picks(wave, {f"{order_id}/L1": 2})
    assert (confirmed["short"], confirmed["reallocated"]) == (2, 0)
    ledger = desk.order(order_id).line("L1").ledger
    assert (ledger.picked, ledger.allocated, ledger.backordered) == (2, 0, 2)
    assert desk.backlog("RUG") == (order_id,)
    assert desk.available_units("RUG") == 0
    desk.receive_stock("RUG", "WH-WEST/A8", 2)
    ledger = desk.order(order_id).line("L1").ledger
    assert (ledger.allocated, ledger.backordered) == (2, 0)
    assert desk.backlog("RUG") == ()


def test_a_damaged_return_is_kept_out_of_availability(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    order_id = _delivered(desk, clock, "C-BOLT", {"LAMP": 2})
    assert desk.available_units("LAMP") == 3
    return_id = desk.request_return(order_id, "L1", 1, "broken shade")["return_id"]
    desk.authorize_return(order_id, return_id)
    desk.receive_return(order_id, return_id, "damaged")
    assert desk.available_units("LAMP") == 3
    positions = [p for p in desk.stock_positions("LAMP") if p.unavailable]
    assert [(str(p.bin), p.unavailable) for p in positions] == [("WH-EAST/A7", 1)]


def test_payments_move_the_order_payment_status(desk: OrderDesk, clock: SteppableClock) -> None:
    order_id = _delivered(desk, clock, "C-BOLT", {"TEAPOT": 2})
    invoice_id = desk.invoice_order(order_id).aggregate_id
    assert desk.order(order_id).payment_status is PaymentStatus.UNPAID
    desk.record_payment("C-BOLT", Money("30.00", "USD"))
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.PARTIALLY_PAID
    assert order.amount_paid == Money("30.00", "USD")
    desk.record_payment("C-BOLT", Money("60.00", "USD"))
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.PAID
    assert order.amount_paid == order.amount_due == Money("90.00", "USD")
    assert desk.invoice(invoice_id).balance == Money("0.00", "USD")


def test_cancel_gives_reserved_stock_back(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"TEAPOT": 9}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    assert desk.available_units("TEAPOT") == 7
    assert desk.cancel_order(order_id, reason="customer changed mind")["released_units"] == 9
    assert desk.available_units("TEAPOT") == 16
    assert desk.order(order_id).state == "canceled"


def test_handlers_wait_for_dispatch_when_auto_dispatch_is_off(clock: SteppableClock) -> None:
    settings = attrs.evolve(DeskSettings.default(), auto_dispatch=False)
    quiet = OrderDesk.in_memory(clock=clock, settings=settings)
    open_sample_shop(quiet)
    quiet.dispatch()
    order_id = quiet.place_order("C-BOLT", {"RUG": 5}).aggregate_id
    quiet.confirm_order(order_id)
    quiet.allocate_order(order_id)
    quiet.receive_stock("RUG", "WH-WEST/A8", 1)
    assert quiet.order(order_id).line("L1").ledger.backordered == 1
    assert quiet.dispatch() > 0
    assert quiet.order(order_id).line("L1").ledger.backordered == 0
    assert quiet.dispatch() == 0
