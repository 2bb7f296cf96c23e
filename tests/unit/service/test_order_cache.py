"""The desk remembers the orders of a committed command, and only of a committed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.service.errors import DeskCommandError

from .conftest import outbox_position


def test_a_rolled_back_change_to_an_order_is_not_remembered(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    before = outbox_position(desk)
    # Releasing moves the confirmed order to "released" in the command's session, then
    # the command is refused (nothing is reserved there): the change must not survive.
    with pytest.raises(DeskCommandError, match="no reserved units"):
        desk.release_wave("WH-EAST", [order_id])
    assert outbox_position(desk) == before
    order = desk.order(order_id)
    assert order.state == "confirmed"
    assert order.version == desk.order(order_id).version


def test_the_next_command_sees_the_committed_order(desk: OrderDesk, clock: SteppableClock) -> None:
    order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id])
    committed = desk.order(order_id)
    assert committed.state == "released"
    with desk.storage.unit_of_work() as uow:
        assert uow.events.version("order", order_id) == committed.version
    desk.confirm_picks(wave.aggregate_id)
    packed = desk.pack_order(order_id, wave.aggregate_id)
    assert desk.order(order_id).version > committed.version
    assert desk.shipment(packed.aggregate_id).order_id == order_id


def test_two_desks_on_one_file_see_each_others_orders(
    clock: SteppableClock, tmp_path: Path
) -> None:
    path = tmp_path / "shop.db"
    first = OrderDesk.sqlite(path, clock=clock)
    open_sample_shop(first)
    second = OrderDesk.sqlite(path, clock=clock)
    order_id = first.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    assert second.order(order_id).state == "placed"
    second.confirm_order(order_id)
    assert first.order(order_id).state == "confirmed"
    first.allocate_order(order_id)
    assert second.order(order_id).version == first.order(order_id).version
    first.close()
    second.close()
