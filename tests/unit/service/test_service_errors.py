"""Bad input at the desk's boundary: typed errors that name the problem, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ordercycle.errors import (
    NotFoundError,
    SerializationError,
    TransitionNotAllowedError,
    ValidationError,
)
from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.ids import CustomerId
from ordercycle.money import Money
from ordercycle.service import (
    DeskCommandError,
    OrderDesk,
    UnknownAggregateError,
    UnknownCommandError,
    UnknownTaxProfileError,
)

from .conftest import outbox_position


def _refused(
    desk: OrderDesk, error: type[Exception], words: list[str], action: Callable[[], Any]
) -> Exception:
    written = outbox_position(desk)
    orders = {i: desk.order(i) for i in desk.order_ids()}
    with pytest.raises(error) as caught:
        action()
    message = str(caught.value)
    for word in words:
        assert word in message
    assert outbox_position(desk) == written
    assert {i: desk.order(i) for i in desk.order_ids()} == orders
    return caught.value


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda d: d.confirm_order("O-404"), ["order", "O-404"]),
        (lambda d: d.place_order("C-NOBODY", {"MUG": 1}), ["customer", "C-NOBODY"]),
        (lambda d: d.place_order("C-BOLT", {"GHOST": 1}), ["product", "GHOST"]),
        (lambda d: d.receive_stock("GHOST", "WH-EAST/A1", 1), ["product", "GHOST"]),
        (lambda d: d.confirm_picks("PL-404"), ["pick list", "PL-404"]),
        (lambda d: d.ship_shipment("SHP-404", "1Z"), ["shipment", "SHP-404"]),
        (lambda d: d.record_payment("C-404", Money("1.00", "USD")), ["customer", "C-404"]),
        (lambda d: d.invoice("INV-404"), ["invoice", "INV-404"]),
    ],
)
def test_unknown_ids_are_named(
    desk: OrderDesk, call: Callable[[OrderDesk], Any], words: list[str]
) -> None:
    error = _refused(desk, UnknownAggregateError, words, lambda: call(desk))
    assert isinstance(error, NotFoundError)
    assert isinstance(error, LookupError)


def test_malformed_json_names_every_problem(desk: OrderDesk) -> None:
    text = '{"type": "PlaceOrder", "customer_id": 7, "items": [{"sku": "MUG"}], "rush": true}'
    error = _refused(
        desk,
        SerializationError,
        ["$.customer_id", "$.items[0].quantity"],
        lambda: desk.execute_json(text),
    )
    assert isinstance(error, ValueError)


def test_text_that_is_not_json_is_refused(desk: OrderDesk) -> None:
    _refused(desk, SerializationError, ["not JSON"], lambda: desk.execute_json("{place order"))
    _refused(desk, SerializationError, ['"type"'], lambda: desk.execute_json("[1, 2]"))


def test_an_unknown_command_type_lists_the_known_ones(desk: OrderDesk) -> None:
    _refused(
        desk,
        UnknownCommandError,
        ["ShipTheMoon", "AllocateOrder"],
        lambda: desk.execute_json('{"type": "ShipTheMoon"}'),
    )


def test_a_customer_with_an_unknown_tax_profile_is_refused(desk: OrderDesk) -> None:
    stranger = Customer(
        id=CustomerId("C-X"),
        name="X",
        credit_limit=Money("10.00", "USD"),
        payment_terms="Net 30",
        tax_profile="MARS",
        billing_address=Address(lines=("1 Crater",), city="Olympus", postal_code="1", country="US"),
    )
    error = _refused(
        desk,
        UnknownTaxProfileError,
        ["MARS", "EXEMPT", "US-NY"],
        lambda: desk.register_customer(stranger),
    )
    assert isinstance(error, ValidationError)
    with pytest.raises(UnknownAggregateError):
        desk.customer("C-X")


def test_an_order_over_the_credit_limit_goes_on_hold_and_cannot_be_allocated(
    desk: OrderDesk,
) -> None:
    order_id = desk.place_order("C-CAFE", {"LAMP": 2}).aggregate_id
    confirmed = desk.confirm_order(order_id)
    assert confirmed["credit"] == "hold"
    assert "over the credit limit 150.00 USD" in confirmed.notes[0]
    assert desk.order(order_id).on_hold
    error = _refused(
        desk, ValueError, ["allocate", order_id, "hold"], lambda: desk.allocate_order(order_id)
    )
    assert "release the hold" in str(error)
    desk.release_hold(order_id, "credit", by="finance")
    assert desk.allocate_order(order_id)["allocated"] == 2


def test_commands_with_nothing_to_act_on_say_so(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"RUG": 1}).aggregate_id
    _refused(
        desk,
        TransitionNotAllowedError,
        ["allocate", order_id],
        lambda: desk.allocate_order(order_id),
    )
    desk.confirm_order(order_id)
    _refused(
        desk,
        DeskCommandError,
        ["wave", "WH-EAST", "no reserved units"],
        lambda: desk.release_wave("WH-EAST", [order_id]),
    )
    desk.allocate_order(order_id)
    _refused(
        desk,
        DeskCommandError,
        ["allocate", "no units are open"],
        lambda: desk.allocate_order(order_id),
    )
    wave = desk.release_wave("WH-WEST", [order_id]).aggregate_id
    _refused(
        desk,
        DeskCommandError,
        ["pack", "confirm the picks first"],
        lambda: desk.pack_order(order_id, wave),
    )
    _refused(
        desk,
        ValidationError,
        ["shortage reference", "O-404/L1"],
        lambda: desk.confirm_picks(wave, {"O-404/L1": 1}),
    )
    _refused(
        desk,
        ValidationError,
        ["shortage of", "at most the 1 units"],
        lambda: desk.confirm_picks(wave, {f"{order_id}/L1": 2}),
    )
    desk.confirm_picks(wave)
    _refused(
        desk,
        TransitionNotAllowedError,
        [f"Cannot confirm pick list {wave}: it is confirmed", "no event is allowed now"],
        lambda: desk.confirm_picks(wave),
    )
    shipment = desk.pack_order(order_id, wave).aggregate_id
    _refused(
        desk,
        TransitionNotAllowedError,
        [f"Cannot deliver shipment {shipment}: it is packed", "allowed now: ship"],
        lambda: desk.deliver_shipment(shipment),
    )
    _refused(desk, ValidationError, ["tracking_number"], lambda: desk.ship_shipment(shipment, "  "))


def test_receiving_into_an_unknown_bin_is_refused(desk: OrderDesk) -> None:
    _refused(desk, NotFoundError, ["WH-MOON/1"], lambda: desk.receive_stock("MUG", "WH-MOON/1", 3))


def test_cancel_after_invoicing_credits_the_billed_units_first(desk: OrderDesk) -> None:
    # Issue 16, item 4: canceling no longer asks the caller to credit first; see
    # test_service_cancel_credits.py for every path.
    order_id = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    desk.confirm_order(order_id)
    invoice_id = desk.invoice_order(order_id).aggregate_id
    result = desk.cancel_order(order_id)
    assert result["credit_notes"] == [f"CN-{order_id}-1"]
    assert desk.invoice(invoice_id).credited == desk.invoice(invoice_id).total


def test_cancel_after_shipping_is_refused(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"MUG": 1, "RUG": 6}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    desk.invoice_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    desk.ship_shipment(desk.pack_order(order_id, wave).aggregate_id, "1Z")
    _refused(desk, ValueError, ["cancel", "shipped"], lambda: desk.cancel_order(order_id))


def test_short_stock_is_backordered_not_refused(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-BOLT", {"RUG": 6}).aggregate_id
    desk.confirm_order(order_id)
    result = desk.allocate_order(order_id)
    assert (result["allocated"], result["backordered"]) == (4, 2)
    assert desk.order(order_id).line("L1").ledger.backordered == 2


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"priority": 7}, ["priority", "7", "0, 1, 2, 3"]),
        ({"requested_delivery_date": datetime(2026, 3, 9, tzinfo=UTC)}, ["requested delivery"]),
        ({"requested_delivery_date": "2026-03-09"}, ["requested delivery", "a date or None"]),
    ],
    ids=["priority", "datetime", "text"],
)
def test_a_bad_priority_or_requested_date_is_refused(
    desk: OrderDesk, options: dict[str, Any], words: list[str]
) -> None:
    error = _refused(
        desk, ValidationError, words, lambda: desk.place_order("C-BOLT", {"MUG": 1}, **options)
    )
    assert isinstance(error, ValueError)
    assert desk.order_ids() == ()


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ('"priority": 9', ["$.priority", "9", "one of 0, 1, 2, 3"]),
        ('"requested_delivery_date": "tomorrow"', ["$.requested_delivery_date", "ISO 8601"]),
    ],
    ids=["priority", "requested_delivery_date"],
)
def test_a_bad_priority_or_requested_date_in_json_is_refused(
    desk: OrderDesk, field: str, words: list[str]
) -> None:
    text = (
        '{"type": "PlaceOrder", "customer_id": "C-BOLT", "items": [{"sku": "MUG", "quantity": 1}],'
        f" {field}}}"
    )
    _refused(desk, SerializationError, words, lambda: desk.execute_json(text))
    assert desk.order_ids() == ()
