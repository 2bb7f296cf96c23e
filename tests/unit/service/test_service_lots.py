"""Receiving stock into lots through the desk: dates, shelf life and refusals."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.examples.shop import sample_customers
from ordercycle.inventory.errors import ExpiredLotError
from ordercycle.model import Product, SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.service.commands import ReceiveStock, command_payload
from ordercycle.units import Q_

from .conftest import outbox_position

TODAY = date(2026, 3, 2)


def _tea_shop(desk: OrderDesk) -> None:
    tea = Product(
        sku="TEA",
        name="Green tea, 100 g",
        length=Q_(10, "cm"),
        width=Q_(6, "cm"),
        height=Q_(4, "cm"),
        weight=Q_(120, "g"),
    )
    desk.register_product(tea, Money("6.00", "USD"))
    picky = attrs.evolve(sample_customers()[1], id="C-FRESH", min_remaining_shelf_life_days=30)
    desk.register_customer(picky)


def test_a_new_lot_is_received_today_with_its_expiry(memory_desk: OrderDesk) -> None:
    desk = memory_desk
    _tea_shop(desk)
    done = desk.receive_stock("TEA", "WH-EAST/A1", 6, lot="L-1", expires_on=date(2026, 9, 1))
    assert done["lot"] == "L-1"
    (position,) = desk.stock_positions("TEA")
    assert (position.lot, position.on_hand) == ("L-1", 6)
    desk.receive_stock("TEA", "WH-EAST/A1", 4, lot="L-1")  # the same lot keeps its dates
    assert [(p.lot, p.on_hand) for p in desk.stock_positions("TEA")] == [("L-1", 10)]


def test_a_customers_shelf_life_waits_for_a_fresher_lot(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    desk = memory_desk
    _tea_shop(desk)
    desk.receive_stock("TEA", "WH-EAST/A1", 5, lot="OLD", expires_on=TODAY + timedelta(days=10))
    order_id = desk.place_order("C-FRESH", {"TEA": 3}).aggregate_id
    desk.confirm_order(order_id)
    assert desk.allocate_order(order_id)["backordered"] == 3
    desk.receive_stock("TEA", "WH-WEST/A2", 5, lot="NEW", expires_on=TODAY + timedelta(days=90))
    line = desk.order(order_id).lines[0]
    assert (line.ledger.allocated, line.ledger.backordered) == (3, 0)
    fresh = {p.lot: p for p in desk.stock_positions("TEA")}
    assert fresh["NEW"].allocated == 3
    assert fresh["OLD"].allocated == 0


def test_bad_lot_receipts_are_refused_and_write_nothing(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    desk = memory_desk
    _tea_shop(desk)
    desk.receive_stock("TEA", "WH-EAST/A1", 2, lot="L-1", expires_on=date(2026, 9, 1))
    desk.receive_stock("TEA", "WH-EAST/A1", 1, lot="SOON", expires_on=TODAY + timedelta(days=3))
    clock.advance(days=5)
    before = outbox_position(desk)
    with pytest.raises(ValidationError, match="its recorded expiry 2026-09-01"):
        desk.receive_stock("TEA", "WH-EAST/A1", 2, lot="L-1", expires_on=date(2026, 10, 1))
    with pytest.raises(ValidationError, match="a date only with a lot"):
        desk.receive_stock("TEA", "WH-EAST/A1", 2, expires_on=date(2026, 10, 1))
    with pytest.raises(ValidationError, match="on or after the receipt date"):
        desk.receive_stock("TEA", "WH-EAST/A1", 2, lot="GONE", expires_on=date(2026, 1, 1))
    with pytest.raises(ExpiredLotError):
        desk.receive_stock("TEA", "WH-EAST/A1", 2, lot="SOON")
    with pytest.raises(ValidationError, match="lot"):
        desk.receive_stock("TEA", "WH-EAST/A1", 2, lot="  ")
    assert outbox_position(desk) == before
    assert sorted((p.lot, p.on_hand) for p in desk.stock_positions("TEA")) == [
        ("L-1", 2),
        ("SOON", 1),
    ]


def test_the_payload_of_a_receipt_without_a_lot_is_what_it_always_was() -> None:
    plain = ReceiveStock(sku="MUG", bin="WH-EAST/A1", quantity=3)
    assert command_payload(plain) == {
        "sku": "MUG",
        "bin": "WH-EAST/A1",
        "quantity": 3,
        "type": "ReceiveStock",
    }
    with_lot = ReceiveStock(sku="MUG", bin="WH-EAST/A1", quantity=3, lot="L-9")
    assert command_payload(with_lot)["lot"] == "L-9"
