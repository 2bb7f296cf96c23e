"""The whole cycle through OrderDesk, place to pay, in memory and on SQLite."""

from __future__ import annotations

from pathlib import Path

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.order.status import PaymentStatus
from ordercycle.money import Money
from ordercycle.service import OrderDesk


def _ship_everything(desk: OrderDesk, clock: SteppableClock, order_id: str) -> list[str]:
    shipments = []
    for warehouse in desk.settings.network.warehouse_ids:
        try:
            wave = desk.release_wave(warehouse, [order_id])
        except ValueError:
            continue
        desk.confirm_picks(wave.aggregate_id)
        packed = desk.pack_order(order_id, wave.aggregate_id)
        desk.ship_shipment(packed.aggregate_id, f"1Z-{packed.aggregate_id}")
        shipments.append(packed.aggregate_id)
    clock.advance(days=2)
    for shipment_id in shipments:
        desk.deliver_shipment(shipment_id)
    return shipments


def test_an_order_goes_from_placed_to_paid(desk: OrderDesk, clock: SteppableClock) -> None:
    placed = desk.place_order("C-BOLT", {"MUG": 4, "TEAPOT": 8})
    order_id = placed.aggregate_id
    assert placed["total"] == "398.00 USD"
    assert desk.confirm_order(order_id)["credit"] == "approve"
    allocated = desk.allocate_order(order_id)
    assert allocated["status"] == "allocated"
    assert allocated["warehouses"] == ["WH-EAST", "WH-WEST"]
    shipments = _ship_everything(desk, clock, order_id)
    assert len(shipments) == 2
    order = desk.order(order_id)
    assert order.state == "completed"
    invoice = desk.invoice_order(order_id)
    assert invoice["total"] == "398.00 USD"
    assert invoice["due_dates"] == ["2026-04-03"]
    desk.record_payment("C-BOLT", Money("398.00", "USD"))
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.PAID
    assert desk.invoice(invoice.aggregate_id).state == "paid"
    assert desk.available_units("MUG") == 36
    assert desk.available_units("TEAPOT") == 8
    assert desk.aging_report().total == Money("0.00", "USD")


def test_an_early_payment_takes_the_discount(desk: OrderDesk, clock: SteppableClock) -> None:
    order_id = desk.place_order("C-ACME", {"MUG": 10}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    _ship_everything(desk, clock, order_id)
    invoice = desk.invoice_order(order_id)
    assert invoice["total"] == "103.43 USD"  # 95.00 + 8.875 % tax
    assert invoice["discount"] == "2.07 USD"
    paid = desk.record_payment("C-ACME", Money("101.36", "USD"))
    assert paid["discounts"] == {invoice.aggregate_id: "2.07 USD"}
    assert desk.invoice(invoice.aggregate_id).state == "paid"
    assert desk.order(order_id).payment_status is PaymentStatus.PAID


def test_a_return_is_restocked_and_credited(desk: OrderDesk, clock: SteppableClock) -> None:
    order_id = desk.place_order("C-BOLT", {"TEAPOT": 3}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    _ship_everything(desk, clock, order_id)
    invoice_id = desk.invoice_order(order_id).aggregate_id
    desk.record_payment("C-BOLT", Money("135.00", "USD"))
    assert desk.available_units("TEAPOT") == 13
    return_id = desk.request_return(order_id, "L1", 1, "lid cracked")["return_id"]
    desk.authorize_return(order_id, return_id, restocking_fee_rate="0.10")
    desk.receive_return(order_id, return_id, "resellable")
    assert desk.available_units("TEAPOT") == 14
    credit = desk.issue_credit_note(order_id, return_id)
    assert credit["total"] == "40.50 USD"
    assert credit["refund"] == "40.50 USD"
    order = desk.order(order_id)
    assert order.line("L1").ledger.credited == 1
    assert desk.invoice(invoice_id).customer_credit == Money("40.50", "USD")


def test_sqlite_desk_reopens_with_everything(clock: SteppableClock, tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with OrderDesk.sqlite(path, clock=clock) as first:
        open_sample_shop(first)
        order_id = first.place_order("C-BOLT", {"LAMP": 2}).aggregate_id
        first.confirm_order(order_id)
        first.allocate_order(order_id)
    with OrderDesk.sqlite(path, clock=clock) as second:
        open_sample_shop(second)  # command ids: nothing happens twice
        assert second.available_units("LAMP") == 3
        assert second.order(order_id).line("L1").ledger.allocated == 2
        fresh = second.place_order("C-BOLT", {"MUG": 1}).aggregate_id
        assert fresh != order_id
        assert second.order_ids() == tuple(sorted((order_id, fresh)))
