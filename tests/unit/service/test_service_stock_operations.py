"""Stock operations at the desk: CountStock, ReleaseStock, ScrapStock, MoveStock (issue 16).

Every test runs on memory, SQLite and PostgreSQL (``any_desk``); refusals are checked to
leave the whole desk unchanged.
"""

from __future__ import annotations

import pytest

from ordercycle.errors import OrderCycleError, SerializationError, ValidationError
from ordercycle.service import DeskCommandError, OrderDesk

from .test_service_changes import refused


def _position(desk: OrderDesk, sku: str, bin_id: str) -> tuple[int, int, int]:
    """(on hand, allocated, unavailable) of a bin."""
    for p in desk.stock_positions(sku):
        if p.bin == bin_id:
            return p.on_hand, p.allocated, p.unavailable
    return 0, 0, 0


def _no_oversell(desk: OrderDesk, sku: str) -> None:
    for p in desk.stock_positions(sku):
        assert p.allocated + p.unavailable + p.held <= p.on_hand
        assert p.available >= 0


def test_a_count_posts_the_difference_and_explains_it(any_desk: OrderDesk) -> None:
    desk = any_desk
    result = desk.count_stock("MUG", "WH-EAST/A1", 37)
    assert result["adjusted"] == -3
    assert result.notes[0] == "counted 37 MUG in WH-EAST/A1, expected 40: adjusted -3 (cycle count)"
    assert desk.available_units("MUG") == 37
    more = desk.execute_json(
        {
            "type": "CountStock",
            "sku": "MUG",
            "bin": "WH-EAST/A1",
            "counted": 41,
            "reason": "found behind the shelf",
        }
    )
    assert more["adjusted"] == 4
    assert "(found behind the shelf)" in more.notes[0]
    assert _position(desk, "MUG", "WH-EAST/A1") == (41, 0, 0)


def test_a_count_short_of_allocated_units_backorders_the_latest_orders(
    any_desk: OrderDesk,
) -> None:
    desk = any_desk
    urgent = desk.place_order("C-ACME", {"TEAPOT": 4}, priority=2).aggregate_id
    later = desk.place_order("C-BOLT", {"TEAPOT": 8}).aggregate_id
    for order_id in (urgent, later):
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
    # WH-WEST/A2 holds 10 teapots, some of them allocated: a count finds only 3.
    on_hand, allocated, _ = _position(desk, "TEAPOT", "WH-WEST/A2")
    assert on_hand == 10
    result = desk.count_stock("TEAPOT", "WH-WEST/A2", 3)
    assert result["adjusted"] == -7
    short = 7 - (on_hand - allocated)
    assert result["backordered"] == short
    _no_oversell(desk, "TEAPOT")
    orders = [desk.order(urgent), desk.order(later)]
    for order in orders:
        assert order.check() == ()
    # The lower priority order lost its units first; the urgent one kept its allocation.
    assert desk.order(urgent).line("L1").ledger.backordered == 0
    assert desk.order(later).line("L1").ledger.backordered == short
    assert desk.backlog("TEAPOT") == (later,)
    assert any("back to backorder" in note for note in result.notes)
    total_allocated = sum(p.allocated for p in desk.stock_positions("TEAPOT"))
    assert total_allocated == sum(o.line("L1").ledger.allocated for o in orders)


def _short_pick_of_one_east_lamp(desk: OrderDesk) -> str:
    """An order of 2 lamps picked in WH-EAST with one not found (it goes on quality hold
    in WH-EAST/A7 and the order is allocated again from WH-WEST)."""
    order_id = desk.place_order("C-ACME", {"LAMP": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)  # both east lamps (WH-EAST/A7)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave, {f"{order_id}/L1": 1})
    assert _position(desk, "LAMP", "WH-EAST/A7") == (1, 0, 1)
    return order_id


def test_a_count_writes_off_the_missing_units_on_hold_first(any_desk: OrderDesk) -> None:
    desk = any_desk
    _short_pick_of_one_east_lamp(desk)
    counted = desk.count_stock("LAMP", "WH-EAST/A7", 0)
    assert (counted["adjusted"], counted["written_off"], counted["backordered"]) == (-1, 1, 0)
    assert "1 units on hold (quality_hold) were missing: written off" in counted.notes
    assert _position(desk, "LAMP", "WH-EAST/A7") == (0, 0, 0)


def test_releasing_a_quality_hold_serves_the_backorders(any_desk: OrderDesk) -> None:
    desk = any_desk
    _short_pick_of_one_east_lamp(desk)
    other = desk.place_order("C-BOLT", {"LAMP": 3}).aggregate_id
    desk.confirm_order(other)
    desk.allocate_order(other)  # the 2 lamps left in WH-WEST, 1 backordered
    assert desk.backlog("LAMP") == (other,)
    found = desk.count_stock("LAMP", "WH-EAST/A7", 1)  # the lamp is there after all
    assert found["adjusted"] == 0
    released = desk.release_stock("LAMP", "WH-EAST/A7", 1)
    assert released["released"] == 1
    assert desk.order(other).line("L1").ledger.backordered == 0
    assert desk.order(other).line("L1").ledger.allocated == 3
    assert desk.backlog("LAMP") == ()
    assert any("allocated: 1 units" in note for note in released.notes)
    _no_oversell(desk, "LAMP")


def test_scrap_and_move(any_desk: OrderDesk) -> None:
    desk = any_desk
    moved = desk.move_stock("MUG", "WH-EAST/A1", "WH-EAST/A2", 5)
    assert moved.notes == ("moved 5 MUG from WH-EAST/A1 to WH-EAST/A2 in WH-EAST",)
    assert _position(desk, "MUG", "WH-EAST/A2") == (5, 0, 0)
    scrapped = desk.execute_json(
        {"type": "ScrapStock", "sku": "MUG", "bin": "WH-EAST/A2", "quantity": 2}
    )
    assert (scrapped["from_hold"], scrapped["from_free"]) == (0, 2)
    assert _position(desk, "MUG", "WH-EAST/A2") == (3, 0, 0)
    assert desk.available_units("MUG") == 38


def test_stock_operation_refusals_change_nothing(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-ACME", {"RUG": 4}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    desk.release_wave("WH-WEST", [order_id])
    refused(
        desk,
        DeskCommandError,
        lambda: desk.count_stock("RUG", "WH-WEST/A8", 1),
        "on open pick lists",
    )
    refused(desk, ValidationError, lambda: desk.count_stock("RUG", "WH-WEST/A8", -1), "counted")
    refused(desk, OrderCycleError, lambda: desk.count_stock("NOPE", "WH-WEST/A8", 1), "NOPE")
    refused(
        desk,
        DeskCommandError,
        lambda: desk.scrap_stock("RUG", "WH-WEST/A8", 1),
        "allocated units cannot be scrapped",
    )
    refused(
        desk,
        DeskCommandError,
        lambda: desk.release_stock("MUG", "WH-EAST/A1", 1),
        "only 0 units are unavailable",
    )
    refused(desk, ValidationError, lambda: desk.release_stock("MUG", "WH-EAST/A1", 1, reason="x"))
    refused(
        desk,
        DeskCommandError,
        lambda: desk.move_stock("MUG", "WH-EAST/A1", "WH-WEST/A2", 1),
        "different warehouses",
    )
    refused(desk, OrderCycleError, lambda: desk.move_stock("MUG", "WH-EAST/A1", "WH-EAST/A2", 99))
    refused(
        desk,
        SerializationError,
        lambda: desk.execute_json({"type": "MoveStock", "sku": "MUG", "quantity": 1}),
    )


@pytest.mark.parametrize("counted", [0, 5, 40, 45])
def test_a_count_never_oversells(counted: int, any_desk: OrderDesk) -> None:
    desk = any_desk
    for customer, units in (("C-ACME", 12), ("C-BOLT", 20)):
        order_id = desk.place_order(customer, {"MUG": units}).aggregate_id
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
    desk.count_stock("MUG", "WH-EAST/A1", counted)
    _no_oversell(desk, "MUG")
    orders = [desk.order(i) for i in desk.order_ids()]
    assert sum(o.line("L1").ledger.allocated for o in orders) == min(counted, 32)
    assert sum(o.line("L1").ledger.backordered for o in orders) == 32 - min(counted, 32)
