"""Commands with a command id run once; the same id with another payload is refused."""

from __future__ import annotations

import json

import pytest

from ordercycle.money import Money
from ordercycle.service import CommandPayloadMismatchError, OrderDesk
from ordercycle.storage.errors import CommandPayloadMismatchError as StorageMismatch

from .conftest import outbox_position


def test_a_repeated_command_returns_the_first_result_and_writes_nothing(desk: OrderDesk) -> None:
    first = desk.place_order("C-BOLT", {"MUG": 2}, command_id="web-17")
    written = outbox_position(desk)
    again = desk.place_order("C-BOLT", {"MUG": 2}, command_id="web-17")
    assert again.aggregate_id == first.aggregate_id
    assert again.details == first.details
    assert again.replayed
    assert not first.replayed
    assert outbox_position(desk) == written
    assert desk.order_ids() == (first.aggregate_id,)


def test_every_step_of_the_cycle_is_idempotent(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"MUG": 2}, command_id="p").aggregate_id
    steps = [
        lambda: desk.confirm_order(order_id, command_id="c"),
        lambda: desk.allocate_order(order_id, command_id="a"),
        lambda: desk.release_wave("WH-EAST", [order_id], command_id="w"),
        lambda: desk.confirm_picks("PL-1", command_id="k"),
        lambda: desk.pack_order(order_id, "PL-1", command_id="pk"),
        lambda: desk.ship_shipment("SHP-1", "1Z", command_id="s"),
        lambda: desk.deliver_shipment("SHP-1", command_id="d"),
        lambda: desk.invoice_order(order_id, command_id="i"),
        lambda: desk.record_payment("C-BOLT", Money("19.00", "USD"), command_id="m"),
    ]
    for step in steps:
        first = step()
        written = outbox_position(desk)
        before = desk.order(order_id)
        assert step().to_data() == first.to_data()
        assert outbox_position(desk) == written
        assert desk.order(order_id) == before
    assert desk.order(order_id).payment_status.value == "paid"


def test_a_command_id_with_another_payload_is_refused(desk: OrderDesk) -> None:
    desk.place_order("C-BOLT", {"MUG": 2}, command_id="web-18")
    written = outbox_position(desk)
    with pytest.raises(CommandPayloadMismatchError) as caught:
        desk.place_order("C-BOLT", {"MUG": 3}, command_id="web-18")
    assert "web-18" in str(caught.value)
    assert "different payload" in str(caught.value)
    assert isinstance(caught.value, StorageMismatch)
    assert isinstance(caught.value, ValueError)
    assert outbox_position(desk) == written


def test_a_json_command_runs_once_by_its_id(desk: OrderDesk) -> None:
    text = json.dumps(
        {
            "type": "PlaceOrder",
            "command_id": "edi-1",
            "customer_id": "C-BOLT",
            "items": [{"sku": "LAMP", "quantity": 1}],
        }
    )
    first = desk.execute_json(text)
    second = desk.execute_json(text)
    assert second.aggregate_id == first.aggregate_id
    assert second.replayed
    assert desk.order(first.aggregate_id).line("L1").sku == "LAMP"
