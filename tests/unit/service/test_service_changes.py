"""Changes after confirmation at the desk: CancelOrderLine and AmendOrder (issue 16).

Every test runs on memory, SQLite and PostgreSQL (skipped without a server). A refused
command is checked to leave the whole desk as it was (:func:`desk_state`).
"""

from __future__ import annotations

from typing import Any

import pytest

from ordercycle.errors import OrderCycleError, SerializationError, ValidationError
from ordercycle.model.address import Address
from ordercycle.model.order.errors import ChangeNotAllowedError
from ordercycle.money import Money
from ordercycle.service import DeskCommandError, OrderDesk

from .conftest import outbox_position


def desk_state(desk: OrderDesk) -> dict[str, Any]:
    """Everything a command could change: orders, invoices, stock, backlogs, accounts."""
    skus = ("MUG", "TEAPOT", "LAMP", "RUG")
    return {
        "outbox": outbox_position(desk),
        "orders": [desk.order(i) for i in desk.order_ids()],
        "invoices": desk.invoices(),
        "stock": [desk.stock_positions(sku) for sku in skus],
        "backlogs": [desk.backlog(sku) for sku in skus],
        "accounts": [desk.account(c) for c in ("C-ACME", "C-BOLT", "C-CAFE")],
    }


def refused(desk: OrderDesk, error: type[Exception], run: Any, match: str | None = None) -> None:
    """``run()`` raises ``error`` (matching ``match``) and changes nothing."""
    before = desk_state(desk)
    with pytest.raises(error, match=match):
        run()
    assert desk_state(desk) == before


def ship_east(desk: OrderDesk, order_id: str) -> str:
    """Release, pick, pack, ship and deliver what the order has reserved in WH-EAST."""
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.pack_order(order_id, wave).aggregate_id
    desk.ship_shipment(shipment, f"1Z-{shipment}")
    desk.deliver_shipment(shipment)
    return wave


def books(desk: OrderDesk, order_id: str) -> Money:
    """Invoices minus credit notes of an order, read from the invoices themselves."""
    order = desk.order(order_id)
    total = Money.zero("USD")
    for document in order.invoices:
        invoice = desk.invoice(document.document_id)
        total += invoice.total - Money.sum(
            (note.total for note in invoice.credit_notes), currency="USD"
        )
    return total


# --- cancel the rest of a line ---------------------------------------------------------------


def test_the_rest_of_a_partly_shipped_line_is_canceled_credited_and_the_order_completes(
    any_desk: OrderDesk,
) -> None:
    desk = any_desk
    order_id = desk.place_order("C-BOLT", {"TEAPOT": 20, "MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)  # TEAPOT: 6 east, 10 west, 4 backordered
    desk.invoice_order(order_id)  # the ordered policy bills all 22 units
    ship_east(desk, order_id)
    assert desk.order(order_id).state == "released"
    assert desk.backlog("TEAPOT") == (order_id,)

    result = desk.cancel_order_line(order_id, "L1", reason="customer sourced elsewhere")

    order = desk.order(order_id)
    assert result["canceled"] == 14
    assert result["released_units"] == 10
    assert result["credit_notes"] == [f"CN-{order_id}-1"]
    assert result["order_state"] == "completed" == order.state
    assert order.line("L1").ledger.canceled == 14
    assert order.line("L1").ledger.net_invoiced == 6
    assert order.check() == ()
    assert desk.available_units("TEAPOT", warehouse="WH-WEST") == 10
    assert desk.backlog("TEAPOT") == ()
    # The books: what is billed is exactly what shipped.
    shipped_value = Money.sum(
        (line.amount(line.ledger.shipped) for line in order.lines), currency="USD"
    )
    assert order.amount_due == shipped_value
    assert books(desk, order_id) == shipped_value
    assert any("credited" in note for note in result.notes)
    assert order_id not in desk.account("C-BOLT").open_order_ids


def test_cancel_line_through_json_is_idempotent_by_command_id(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-ACME", {"MUG": 5}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    command = {
        "type": "CancelOrderLine",
        "order_id": order_id,
        "line_id": "L1",
        "quantity": 2,
        "command_id": "cancel-1",
    }
    first = desk.execute_json(command)
    assert first["canceled"] == 2
    assert first["released_units"] == 2
    assert desk.available_units("MUG") == 37
    again = desk.execute_json(command)
    assert again.replayed
    assert again.details == first.details
    assert desk.order(order_id).line("L1").ledger.canceled == 2


def test_canceling_every_unit_of_an_unshipped_order_cancels_it(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-ACME", {"LAMP": 3}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    result = desk.cancel_order_line(order_id, "L1")
    assert result["order_state"] == "canceled"
    assert desk.order(order_id).is_final
    assert desk.available_units("LAMP") == 5
    assert order_id not in desk.account("C-ACME").open_order_ids


def test_released_stock_serves_the_orders_waiting_for_it(any_desk: OrderDesk) -> None:
    desk = any_desk
    first = desk.place_order("C-BOLT", {"LAMP": 5}).aggregate_id
    second = desk.place_order("C-ACME", {"LAMP": 2}).aggregate_id
    for order_id in (first, second):
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
    assert desk.backlog("LAMP") == (second,)
    result = desk.cancel_order_line(first, "L1", 2)
    assert desk.order(second).line("L1").ledger.allocated == 2
    assert desk.backlog("LAMP") == ()
    assert any(second in note for note in result.notes)


def test_cancel_line_refusals_change_nothing(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-BOLT", {"TEAPOT": 8}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)  # 6 east, 2 west
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    # 6 units are on an open pick list: only the 2 west units can go.
    refused(
        desk,
        DeskCommandError,
        lambda: desk.cancel_order_line(order_id, "L1", 3),
        "only 2 of its units can be canceled now",
    )
    refused(desk, OrderCycleError, lambda: desk.cancel_order_line(order_id, "L9"), "L9")
    refused(desk, ValidationError, lambda: desk.cancel_order_line(order_id, "L1", 0), "quantity")
    desk.confirm_picks(wave)
    desk.cancel_order_line(order_id, "L1")  # the 2 west units
    # The 6 picked units will ship: nothing is left to cancel.
    refused(
        desk,
        DeskCommandError,
        lambda: desk.cancel_order_line(order_id, "L1"),
        "no units are left to cancel",
    )


# --- amend ------------------------------------------------------------------------------------


def test_amend_changes_quantities_adds_a_line_and_corrects_the_invoice(
    any_desk: OrderDesk,
) -> None:
    desk = any_desk
    order_id = desk.place_order("C-BOLT", {"TEAPOT": 10, "MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    first_invoice = desk.invoice_order(order_id)["invoice_id"]
    result = desk.execute_json(
        {
            "type": "AmendOrder",
            "order_id": order_id,
            "changes": [
                {"action": "set_quantity", "line_id": "L1", "quantity": 4},
                {"action": "set_quantity", "line_id": "L2", "quantity": 5},
                {"action": "add_line", "sku": "LAMP", "quantity": 1},
            ],
            "note": "customer call",
        }
    )
    order = desk.order(order_id)
    assert order.revision == 1
    assert [line.line_id for line in order.lines] == ["L1", "L2", "L3"]
    assert order.line("L1").ledger.ordered == 4
    assert order.line("L3").ledger.allocated == 1
    assert result["released_units"] == 6
    assert result["credit_notes"] == [f"CN-{order_id}-1"]
    extra = result["invoice_id"]
    assert extra != first_invoice
    # The extra invoice bills exactly the added units: 3 mugs and a lamp.
    billed = {line.sku: line.quantity for line in desk.invoice(extra).lines}
    assert billed == {"MUG": 3, "LAMP": 1}
    assert order.check() == ()
    active_value = Money.sum(
        (line.amount(line.ledger.active) for line in order.lines), currency="USD"
    )
    assert order.amount_due == active_value == order.total
    assert books(desk, order_id) == active_value
    assert desk.available_units("TEAPOT") == 16 - 4
    account = desk.account("C-BOLT")
    assert set(account.open_invoice_ids) == {first_invoice, extra}
    assert account.receivables == Money.sum(
        (desk.invoice(i).balance for i in account.open_invoice_ids), currency="USD"
    )


def test_amend_removes_lines_and_changes_the_ship_to_address(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-ACME", {"MUG": 3, "RUG": 1}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    pier = Address(lines=("5 Pier",), city="Boston", postal_code="02110", region="MA", country="US")
    result = desk.amend_order(
        order_id,
        [
            {"action": "remove_line", "line_id": "L2"},
            {"action": "ship_to", "address": pier},
        ],
    )
    order = desk.order(order_id)
    assert [line.line_id for line in order.lines] == ["L1"]
    assert order.shipping_address == pier
    assert result["released_units"] == 1
    assert desk.available_units("RUG") == 4


def test_removing_an_invoiced_line_cancels_and_credits_it(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-BOLT", {"MUG": 3, "RUG": 1}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    invoice_id = desk.invoice_order(order_id)["invoice_id"]
    result = desk.amend_order(order_id, [{"action": "remove_line", "line_id": "L2"}])
    rug = desk.order(order_id).line("L2").ledger
    assert (rug.canceled, rug.net_invoiced, rug.allocated) == (1, 0, 0)
    assert result["credit_notes"] == [f"CN-{order_id}-1"]
    assert desk.order(order_id).amount_due == desk.product("MUG").price * 3
    assert desk.invoice(invoice_id).balance == desk.product("MUG").price * 3  # tax exempt
    assert desk.available_units("RUG") == 4


def test_amend_refusals_change_nothing(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-ACME", {"MUG": 3}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    pier = Address(lines=("5 Pier",), city="Boston", postal_code="02110", region="MA", country="US")
    refused(
        desk,
        SerializationError,
        lambda: desk.execute_json(
            {"type": "AmendOrder", "order_id": order_id, "changes": [{"action": "explode"}]}
        ),
        "expected one of set_quantity",
    )
    refused(desk, ValidationError, lambda: desk.amend_order(order_id, []), "changes")
    refused(
        desk,
        ChangeNotAllowedError,
        lambda: desk.amend_order(order_id, [{"action": "remove_line", "line_id": "L1"}]),
        "only line",
    )
    refused(
        desk,
        OrderCycleError,
        lambda: desk.amend_order(order_id, [{"action": "add_line", "sku": "NOPE", "quantity": 1}]),
        "NOPE",
    )
    order_id = desk.place_order("C-ACME", {"MUG": 3, "LAMP": 5}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    ship_east(desk, order_id)  # the mugs and 2 lamps; 3 lamps wait in WH-WEST
    refused(
        desk,
        ChangeNotAllowedError,
        lambda: desk.amend_order(order_id, [{"action": "ship_to", "address": pier}]),
        "picked, packed or shipped",
    )
    refused(
        desk,
        ChangeNotAllowedError,
        lambda: desk.amend_order(
            order_id, [{"action": "set_quantity", "line_id": "L1", "quantity": 1}]
        ),
        "lowest quantity allowed is 3",
    )


def test_units_added_after_shipment_are_shipped_and_billed_later(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id = desk.place_order("C-ACME", {"MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    desk.invoice_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    result = desk.amend_order(
        order_id, [{"action": "set_quantity", "line_id": "L1", "quantity": 3}]
    )
    assert result["allocated"] == 1
    assert "invoice_id" in result.details
    ledger = desk.order(order_id).line("L1").ledger
    assert (ledger.picked, ledger.allocated, ledger.net_invoiced) == (2, 1, 3)
    mug = desk.product("MUG").price
    assert desk.order(order_id).amount_due == mug * 3
