"""Purchase orders and transfers between warehouses at the desk (issue 16).

Every test runs on memory, SQLite and PostgreSQL (``any_desk``); refusals are checked to
leave the whole desk (and the purchase orders and transfers) unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest

from ordercycle.errors import (
    OrderCycleError,
    SerializationError,
    TransitionNotAllowedError,
    ValidationError,
)
from ordercycle.inventory import PURCHASE_ORDER_LIFECYCLE, PurchaseOrder, PurchaseOrderLine
from ordercycle.model.ids import CustomerId
from ordercycle.money import Money
from ordercycle.service import DeskCommandError, OrderDesk, UnknownAggregateError

from .conftest import START
from .test_service_changes import desk_state

DUE = date(2026, 3, 9)
LATER = date(2026, 3, 16)


def _state(desk: OrderDesk, *, pos: tuple[str, ...] = (), transfers: tuple[str, ...] = ()) -> Any:
    return (
        desk_state(desk),
        [desk.purchase_order(p) for p in pos],
        [desk.transfer(t) for t in transfers],
        [desk.available_to_promise(sku, LATER) for sku in ("MUG", "RUG", "TEAPOT")],
    )


def _refused(
    desk: OrderDesk,
    error: type[Exception],
    run: Any,
    match: str | None = None,
    **known: tuple[str, ...],
) -> None:
    before = _state(desk, **known)
    with pytest.raises(error, match=match):
        run()
    assert _state(desk, **known) == before


def _no_oversell(desk: OrderDesk, sku: str) -> None:
    for p in desk.stock_positions(sku):
        assert p.allocated + p.unavailable + p.held <= p.on_hand
        assert p.available >= 0


def _rug_backorder(desk: OrderDesk, units: int = 30, customer: str = "C-ACME") -> str:
    """An order of rugs: the 4 in WH-WEST/A8 are allocated, the rest backordered."""
    order_id = desk.place_order(customer, {"RUG": units}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    return order_id


def _on_hand(desk: OrderDesk, sku: str, bin_id: str) -> int:
    return sum(p.on_hand for p in desk.stock_positions(sku) if p.bin == bin_id)


def test_a_purchase_order_is_incoming_stock_that_atp_and_backorders_count(
    any_desk: OrderDesk,
) -> None:
    desk = any_desk
    order_id = _rug_backorder(desk)
    assert desk.available_to_promise("RUG", DUE) == 0
    assert desk.backorder_promises("RUG") == ((order_id, None),)
    created = desk.create_purchase_order(
        "PO-1", "Weaver & Co", "WH-WEST", [{"sku": "RUG", "quantity": 40, "expected_on": DUE}]
    )
    assert created.details == {"status": "open", "expected_units": 40}
    assert created.notes == (
        "PO-1: 40 RUG expected on 2026-03-09 in WH-WEST from Weaver & Co",
        f"backorder of order {order_id} promised for 2026-03-09",
    )
    # Expected units count from their date on, less the 26 units already waiting.
    assert desk.available_to_promise("RUG", date(2026, 3, 8)) == 0
    assert desk.available_to_promise("RUG", DUE) == 40 - 26
    assert desk.backorder_promises("RUG") == ((order_id, DUE),)
    # A new order waiting for rugs is told when: 26 + 10 units are covered by the 40.
    desk.register_customer(
        attrs.evolve(
            desk.customer("C-BOLT"), id=CustomerId("C-BIG"), credit_limit=Money("99999.00", "USD")
        )
    )
    second = desk.place_order("C-BIG", {"RUG": 10}).aggregate_id
    desk.confirm_order(second)
    allocated = desk.allocate_order(second)
    assert allocated.notes[-1] == "RUG: backordered units promised for 2026-03-09"
    third = desk.place_order("C-BIG", {"RUG": 10}).aggregate_id
    desk.confirm_order(third)
    assert not any("promised" in note for note in desk.allocate_order(third).notes)
    assert desk.backorder_promises("RUG") == ((order_id, DUE), (second, DUE), (third, None))
    assert desk.available_to_promise("RUG", DUE) == 0
    po = desk.purchase_order("PO-1")
    assert (po.status, po.open_units, po.supplier, po.warehouse) == (
        "open",
        40,
        "Weaver & Co",
        "WH-WEST",
    )


def test_a_purchase_order_received_in_two_parts_serves_the_backlog(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = _rug_backorder(desk)
    desk.create_purchase_order(
        "PO-1",
        "Weaver & Co",
        "WH-WEST",
        [
            {"sku": "RUG", "quantity": 40, "expected_on": DUE},
            {"sku": "TEAPOT", "quantity": 5, "expected_on": LATER},
        ],
    )
    first = desk.execute_json(
        {
            "type": "ReceivePurchaseOrder",
            "purchase_order_id": "PO-1",
            "lines": [{"sku": "RUG", "quantity": 15, "bin": "WH-WEST/A8"}],
        }
    )
    assert first.details == {"status": "partially_received", "received": 15, "still_expected": 30}
    assert first.notes == (
        "PO-1: received 15 RUG into WH-WEST/A8, 25 still expected on 2026-03-09",
        f"backorder of order {order_id} allocated: 15 units",
    )
    line = desk.order(order_id).line("L1").ledger
    assert (line.allocated, line.backordered) == (19, 11)
    assert _on_hand(desk, "RUG", "WH-WEST/A8") == 19
    # Incoming dropped by what arrived: 25 rugs still expected, 11 waiting for them.
    assert desk.available_to_promise("RUG", DUE) == 25 - 11
    second = desk.receive_purchase_order(
        "PO-1",
        [
            {"sku": "RUG", "quantity": 20, "bin": "WH-WEST/A8"},
            {"sku": "RUG", "quantity": 5, "bin": "WH-WEST/A5"},
            {"sku": "TEAPOT", "quantity": 5, "bin": "WH-WEST/A2", "lot": "LOT-9"},
        ],
    )
    assert second.details == {"status": "received", "received": 30, "still_expected": 0}
    assert "PO-1: received 25 RUG into WH-WEST/A8, WH-WEST/A5, line complete" in second.notes
    assert desk.order(order_id).line("L1").ledger.backordered == 0
    assert desk.backlog("RUG") == ()
    assert desk.purchase_order("PO-1").status == "received"
    assert desk.available_to_promise("RUG", LATER) == 40 + 4 - 30
    assert desk.available_units("TEAPOT") == 16 + 5
    _no_oversell(desk, "RUG")
    assert desk.order(order_id).check() == ()


def test_canceling_the_rest_drops_what_is_expected(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = _rug_backorder(desk)
    desk.create_purchase_order(
        "PO-1", "Weaver & Co", "WH-WEST", [{"sku": "RUG", "quantity": 40, "expected_on": DUE}]
    )
    desk.receive_purchase_order("PO-1", [{"sku": "RUG", "quantity": 10, "bin": "WH-WEST/A8"}])
    canceled = desk.cancel_purchase_order("PO-1", "supplier out of stock")
    assert canceled.details == {"status": "canceled", "canceled": 30}
    assert canceled.notes == (
        "PO-1: 30 RUG no longer expected",
        "reason: supplier out of stock",
    )
    po = desk.purchase_order("PO-1")
    assert (po.status, po.line("RUG").received, po.line("RUG").canceled) == ("canceled", 10, 30)
    assert po.cancel_reason == "supplier out of stock"
    assert desk.available_to_promise("RUG", LATER) == 0
    assert desk.backorder_promises("RUG") == ((order_id, None),)
    assert desk.order(order_id).line("L1").ledger.backordered == 16


def test_purchase_order_refusals_change_nothing(any_desk: OrderDesk) -> None:
    desk = any_desk
    _rug_backorder(desk)
    good = [{"sku": "RUG", "quantity": 10, "expected_on": DUE}]
    for bad, error, match in (
        ({"warehouse": "WH-NORTH"}, ValidationError, "WH-NORTH"),
        ({"supplier": " "}, ValidationError, "supplier"),
        ({"lines": []}, ValidationError, "at least one line"),
        ({"lines": [{"sku": "NOPE", "quantity": 1, "expected_on": DUE}]}, OrderCycleError, "NOPE"),
        ({"lines": [{"sku": "RUG", "quantity": 0, "expected_on": DUE}]}, ValidationError, None),
        ({"lines": [*good, *good]}, ValidationError, "one line only"),
        ({"lines": "RUG"}, ValidationError, "a list of lines"),
        ({"purchase_order_id": " PO-X"}, ValidationError, "purchase_order_id"),
    ):
        fields: dict[str, Any] = {
            "purchase_order_id": "PO-X",
            "supplier": "Weaver & Co",
            "warehouse": "WH-WEST",
            "lines": good,
            **bad,
        }
        _refused(desk, error, lambda f=fields: desk.create_purchase_order(**f), match)  # type: ignore[misc]
    _refused(
        desk,
        SerializationError,
        lambda: desk.execute_json(
            {"type": "CreatePurchaseOrder", "purchase_order_id": "PO-X", "lines": good}
        ),
    )
    with pytest.raises(UnknownAggregateError):
        desk.purchase_order("PO-X")
    desk.create_purchase_order("PO-1", "Weaver & Co", "WH-WEST", good)
    pos = ("PO-1",)
    _refused(
        desk,
        DeskCommandError,
        lambda: desk.create_purchase_order("PO-1", "Weaver & Co", "WH-WEST", good),
        "exists",
        pos=pos,
    )
    receipt = {"sku": "RUG", "quantity": 11, "bin": "WH-WEST/A8"}
    _refused(
        desk,
        ValidationError,
        lambda: desk.receive_purchase_order("PO-1", [receipt]),
        "at most the 10 units still open",
        pos=pos,
    )
    _refused(
        desk,
        DeskCommandError,
        lambda: desk.receive_purchase_order(
            "PO-1", [{**receipt, "quantity": 1, "bin": "WH-EAST/A1"}]
        ),
        "the purchase order is for WH-WEST",
        pos=pos,
    )
    _refused(
        desk,
        ValidationError,
        lambda: desk.receive_purchase_order("PO-1", [{**receipt, "sku": "MUG", "quantity": 1}]),
        "one of its lines: RUG",
        pos=pos,
    )
    _refused(
        desk,
        ValidationError,
        lambda: desk.receive_purchase_order("PO-1", [{**receipt, "quantity": -1}]),
        None,
        pos=pos,
    )
    _refused(
        desk, ValidationError, lambda: desk.cancel_purchase_order("PO-1", ""), "reason", pos=pos
    )
    _refused(
        desk,
        UnknownAggregateError,
        lambda: desk.cancel_purchase_order("PO-9", "x"),
        "PO-9",
        pos=pos,
    )
    desk.receive_purchase_order("PO-1", [{**receipt, "quantity": 10}])
    _refused(
        desk,
        TransitionNotAllowedError,
        lambda: desk.cancel_purchase_order("PO-1", "too late"),
        "it is received",
        pos=pos,
    )
    _refused(
        desk,
        TransitionNotAllowedError,
        lambda: desk.receive_purchase_order("PO-1", [{**receipt, "quantity": 1}]),
        "it is received",
        pos=pos,
    )


def test_a_transfer_is_in_transit_until_received(any_desk: OrderDesk) -> None:
    desk = any_desk
    desk.receive_stock("RUG", "WH-EAST/A1", 5)
    sent = desk.transfer_stock("RUG", "WH-EAST/A1", "WH-WEST/A8", 3, expected_on=DUE)
    transfer_id = sent.aggregate_id
    assert sent.details == {
        "status": "in_transit",
        "quantity": 3,
        "from": "WH-EAST",
        "to": "WH-WEST",
    }
    assert sent.notes == (
        f"{transfer_id}: 3 RUG left WH-EAST/A1 for WH-WEST/A8, in transit until received"
        " (expected 2026-03-09)",
    )
    # In transit: on hand nowhere, incoming from the expected date.
    assert _on_hand(desk, "RUG", "WH-EAST/A1") == 2
    assert _on_hand(desk, "RUG", "WH-WEST/A8") == 4
    assert desk.transfer(transfer_id).status == "in_transit"
    assert desk.available_to_promise("RUG", START.date()) == 6
    assert desk.available_to_promise("RUG", DUE) == 9
    order_id = _rug_backorder(desk, units=9)  # 6 allocated, 3 waiting for the transfer
    assert desk.order(order_id).line("L1").ledger.backordered == 3
    assert desk.available_to_promise("RUG", DUE) == 0
    assert desk.backorder_promises("RUG") == ((order_id, DUE),)
    received = desk.execute_json({"type": "ReceiveTransfer", "transfer_id": transfer_id})
    assert received.notes == (
        f"{transfer_id}: received 3 RUG into WH-WEST/A8",
        f"backorder of order {order_id} allocated: 3 units",
    )
    assert desk.order(order_id).line("L1").ledger.backordered == 0
    assert _on_hand(desk, "RUG", "WH-WEST/A8") == 7
    assert desk.transfer(transfer_id).status == "received"
    assert desk.available_to_promise("RUG", DUE) == 0
    _no_oversell(desk, "RUG")
    transfers = (transfer_id,)
    _refused(
        desk,
        TransitionNotAllowedError,
        lambda: desk.receive_transfer(transfer_id),
        "it is received",
        transfers=transfers,
    )
    _refused(
        desk,
        DeskCommandError,
        lambda: desk.transfer_stock("MUG", "WH-EAST/A1", "WH-EAST/A2", 1),
        "MoveStock",
        transfers=transfers,
    )
    _refused(
        desk,
        DeskCommandError,
        lambda: desk.transfer_stock("RUG", "WH-WEST/A8", "WH-EAST/A1", 1),
        "only 0 units are free",
        transfers=transfers,
    )
    _refused(
        desk,
        ValidationError,
        lambda: desk.transfer_stock(
            "MUG", "WH-EAST/A1", "WH-WEST/A2", 1, expected_on=date(2026, 3, 1)
        ),
        "today or later",
        transfers=transfers,
    )
    _refused(
        desk,
        DeskCommandError,
        lambda: desk.transfer_stock("MUG", "WH-EAST/A1", "WH-WEST/A2", 1, transfer_id=transfer_id),
        "exists",
        transfers=transfers,
    )
    _refused(desk, UnknownAggregateError, lambda: desk.receive_transfer("TR-404"), "TR-404")
    _refused(
        desk,
        ValidationError,
        lambda: desk.transfer_stock("MUG", "WH-EAST/A1", "WH-WEST/A2", 1, transfer_id=""),
        "transfer_id",
    )


def test_the_purchase_order_lifecycle() -> None:
    assert PURCHASE_ORDER_LIFECYCLE.allowed_events("open") == (
        "receive_part",
        "receive_all",
        "cancel",
    )
    assert PURCHASE_ORDER_LIFECYCLE.final_states == ("received", "canceled")
    po = PurchaseOrder.create(
        "PO-1",
        supplier="S",
        warehouse="WH-WEST",
        lines=[PurchaseOrderLine(sku="RUG", quantity=3, expected_on=DUE)],
        at=START,
    )
    done = po.receive({"RUG": 3}, at=START)
    assert (done.status, done.is_final, done.closed_at) == ("received", True, START)
    with pytest.raises(ValidationError, match="within the 3 ordered"):
        PurchaseOrderLine(sku="RUG", quantity=3, expected_on=DUE, received=2, canceled=2)
