"""Order entry at the desk (issue 16): addresses, channel, currency checks, drafts and quotes.

Every test runs on memory, SQLite and PostgreSQL (skipped without a server), through the
keyword API and ``execute_json``; a refused command is checked to leave the whole desk as
it was (:func:`desk_state`).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import attrs
import pytest

from ordercycle.errors import (
    TransitionNotAllowedError,
    UnknownCurrencyError,
    ValidationError,
)
from ordercycle.examples.shop import sample_customers, sample_products
from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.order import CommandNotAllowedError, QuoteExpiredError
from ordercycle.model.order.errors import OrderCurrencyError
from ordercycle.money import Money
from ordercycle.serialization import to_dict
from ordercycle.service import OrderDesk

from . import test_service_changes as changes

refused = changes.refused  # raises, and the whole desk is as it was

PIER = Address(lines=("5 Pier",), city="Boston", postal_code="02110", region="MA", country="US")
DOCK = Address(lines=("7 Dock Rd",), city="Salem", postal_code="01970", region="MA", country="US")
PARIS = Address(lines=("1 Rue de Rivoli",), city="Paris", postal_code="75001", country="FR")


def _with_two_shipping_addresses(desk: OrderDesk) -> None:
    acme = attrs.evolve(sample_customers()[0], shipping_addresses=(PIER, DOCK))
    desk.register_customer(acme)


def _euro_shop(desk: OrderDesk) -> None:
    mug = attrs.evolve(sample_products()[0][0], sku="MUG-EU")
    desk.register_product(mug, Money("8.00", "EUR"))
    desk.receive_stock("MUG-EU", "WH-EAST/A1", 10)
    desk.register_customer(
        Customer(
            id="C-EURO",
            name="Euro Bistro",
            credit_limit=Money("1000.00", "EUR"),
            payment_terms="Net 30",
            tax_profile="EXEMPT",
            billing_address=PARIS,
        )
    )


# --- addresses and channel ----------------------------------------------------------------------


def test_an_order_carries_its_own_ship_to_bill_to_and_channel(any_desk: OrderDesk) -> None:
    result = any_desk.place_order(
        "C-ACME", {"MUG": 2}, channel="web", shipping_address=PIER, billing_address=DOCK
    )
    order = any_desk.order(result.aggregate_id)
    assert (order.channel, order.shipping_address, order.billing_address) == ("web", PIER, DOCK)
    assert f"ship to: {PIER}" in order.describe()
    assert f"bill to: {DOCK}" in order.describe()
    default = any_desk.order(any_desk.place_order("C-ACME", {"MUG": 1}).aggregate_id)
    acme = sample_customers()[0]
    assert (default.channel, default.shipping_address, default.billing_address) == (
        "direct",
        acme.default_shipping_address,
        acme.billing_address,
    )


def test_ship_to_can_be_one_of_the_customers_addresses_by_index(any_desk: OrderDesk) -> None:
    _with_two_shipping_addresses(any_desk)
    second = any_desk.place_order("C-ACME", {"MUG": 1}, shipping_address_index=1)
    first = any_desk.place_order("C-ACME", {"MUG": 1})
    assert any_desk.order(second.aggregate_id).shipping_address == DOCK
    assert any_desk.order(first.aggregate_id).shipping_address == PIER
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.place_order("C-ACME", {"MUG": 1}, shipping_address_index=2),
        match="position from 0 to 1 among customer C-ACME's 2 shipping addresses",
    )
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.place_order(
            "C-ACME", {"MUG": 1}, shipping_address=PIER, shipping_address_index=0
        ),
        match="one or the other",
    )
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.place_order("C-BOLT", {"MUG": 1}, shipping_address_index=0),
        match="C-BOLT has no shipping addresses",
    )


@pytest.mark.parametrize("channel", [" web", "x" * 201, "a\nb"])
def test_a_bad_channel_is_refused_and_writes_nothing(any_desk: OrderDesk, channel: str) -> None:
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.place_order("C-ACME", {"MUG": 1}, channel=channel),
        match="channel",
    )


def test_execute_json_takes_addresses_and_channel(any_desk: OrderDesk) -> None:
    result = any_desk.execute_json(
        json.dumps(
            {
                "type": "PlaceOrder",
                "customer_id": "C-ACME",
                "items": [{"sku": "MUG", "quantity": 1}],
                "channel": "edi",
                "currency": "USD",
                "shipping_address": to_dict(PIER),
                "command_id": "entry-1",
            }
        )
    )
    order = any_desk.order(result.aggregate_id)
    assert (order.channel, order.shipping_address) == ("edi", PIER)
    again = any_desk.place_order(
        "C-ACME", {"MUG": 1}, channel="edi", currency="USD", shipping_address=PIER,
        command_id="entry-1",
    )  # fmt: skip
    assert again.replayed
    assert again.aggregate_id == result.aggregate_id


# --- currency -------------------------------------------------------------------------------------


def test_a_eur_customer_orders_eur_products_and_is_invoiced_in_eur(any_desk: OrderDesk) -> None:
    _euro_shop(any_desk)
    placed = any_desk.place_order("C-EURO", {"MUG-EU": 3})
    order_id = placed.aggregate_id
    assert any_desk.order(order_id).currency.code == "EUR"
    any_desk.confirm_order(order_id)
    any_desk.allocate_order(order_id)
    invoice_id = any_desk.invoice_order(order_id).details["invoice_id"]
    invoice = any_desk.invoice(str(invoice_id))
    assert invoice.total == Money("24.00", "EUR")


def test_currency_is_checked_at_placement_and_a_refusal_writes_nothing(
    any_desk: OrderDesk,
) -> None:
    _euro_shop(any_desk)
    refused(
        any_desk,
        OrderCurrencyError,
        lambda: any_desk.place_order("C-ACME", {"MUG": 1, "MUG-EU": 1}),
        match="Cannot use EUR for the catalogue price of MUG-EU of order .* the order is in USD",
    )
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.place_order("C-ACME", {"MUG-EU": 1}, currency="EUR"),
        match="expected USD, customer C-ACME's account currency",
    )
    refused(
        any_desk,
        OrderCurrencyError,
        lambda: any_desk.create_draft_order("C-EURO", {"MUG": 1}),
        match="Cannot use USD for the catalogue price of MUG .* the order is in EUR",
    )
    refused(
        any_desk,
        UnknownCurrencyError,
        lambda: any_desk.place_order("C-ACME", {"MUG": 1}, currency="XQQ"),
    )


# --- drafts and quotes ----------------------------------------------------------------------------


def test_a_draft_is_edited_quoted_and_placed_then_goes_on_like_any_order(
    any_desk: OrderDesk,
) -> None:
    _with_two_shipping_addresses(any_desk)
    draft = any_desk.create_draft_order("C-ACME", {"MUG": 2}, channel="phone", order_id="Q-1")
    assert draft.details["state"] == "draft"
    assert any_desk.account("C-ACME").open_order_ids == ()
    any_desk.amend_order(
        "Q-1",
        [
            {"action": "add_line", "sku": "LAMP", "quantity": 1},
            {"action": "set_quantity", "line_id": "L1", "quantity": 3},
        ],
    )
    assert any_desk.account("C-ACME").open_order_ids == ()
    any_desk.update_draft_order(
        "Q-1",
        channel="web",
        payment_terms="Net 15",
        requested_delivery_date=date(2026, 3, 20),
        shipping_address_index=1,
        billing_address=PIER,
    )
    quoted = any_desk.send_quote("Q-1", date(2026, 3, 9))
    assert quoted.details["state"] == "quoted"
    assert quoted.details["valid_until"] == "2026-03-09"
    any_desk.update_draft_order("Q-1", clear_requested_delivery_date=True)
    order = any_desk.order("Q-1")
    assert (order.channel, order.payment_terms, order.requested_delivery_date) == (
        "web",
        "Net 15",
        None,
    )
    assert (order.shipping_address, order.billing_address) == (DOCK, PIER)
    assert [(line.sku, line.quantity) for line in order.lines] == [("MUG", 3), ("LAMP", 1)]
    placed = any_desk.place_draft_order("Q-1")
    assert placed.details["state"] == "placed"
    assert any_desk.account("C-ACME").open_order_ids == ("Q-1",)
    any_desk.confirm_order("Q-1")
    any_desk.allocate_order("Q-1")
    assert any_desk.order("Q-1").state == "confirmed"
    refused(
        any_desk,
        CommandNotAllowedError,
        lambda: any_desk.update_draft_order("Q-1", channel="edi"),
        match="change the header of order Q-1",
    )


def test_a_quote_past_its_validity_is_refused_at_placement_then_expires(
    any_desk: OrderDesk,
) -> None:
    any_desk.create_draft_order("C-ACME", {"MUG": 1}, order_id="Q-2")
    any_desk.send_quote("Q-2", date(2026, 3, 3))
    clock = any_desk.clock
    clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    refused(
        any_desk,
        QuoteExpiredError,
        lambda: any_desk.place_draft_order("Q-2"),
        match="valid until 2026-03-03 and today is 2026-03-04",
    )
    assert any_desk.expire_order("Q-2").details["state"] == "expired"
    refused(any_desk, TransitionNotAllowedError, lambda: any_desk.place_draft_order("Q-2"))
    assert any_desk.account("C-ACME").open_order_ids == ()


def test_a_revised_quote_can_be_placed_and_a_bad_date_is_refused(any_desk: OrderDesk) -> None:
    any_desk.create_draft_order("C-ACME", {"MUG": 1}, order_id="Q-3")
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.send_quote("Q-3", date(2026, 3, 1)),
        match="on or after 2026-03-02",
    )
    any_desk.send_quote("Q-3", date(2026, 3, 2))
    any_desk.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    any_desk.send_quote("Q-3", date(2026, 3, 31))
    assert any_desk.place_draft_order("Q-3").details["state"] == "placed"


def test_drafts_through_execute_json(any_desk: OrderDesk) -> None:
    any_desk.execute_json(
        {
            "type": "CreateDraftOrder",
            "customer_id": "C-BOLT",
            "order_id": "Q-4",
            "channel": "edi",
            "shipping_address": to_dict(PIER),
        }
    )
    refused(
        any_desk,
        TransitionNotAllowedError,
        lambda: any_desk.execute_json({"type": "SendQuote", "order_id": "Q-4",
                                       "valid_until": "2026-03-09"}),
        match="no lines",
    )  # fmt: skip
    any_desk.execute_json(
        {"type": "AmendOrder", "order_id": "Q-4",
         "changes": [{"action": "add_line", "sku": "TEAPOT", "quantity": 2}]}
    )  # fmt: skip
    any_desk.execute_json(
        {"type": "UpdateDraftOrder", "order_id": "Q-4", "payment_terms": "Net 15"}
    )
    any_desk.execute_json({"type": "SendQuote", "order_id": "Q-4", "valid_until": "2026-03-09"})
    any_desk.execute_json({"type": "PlaceDraftOrder", "order_id": "Q-4"})
    order = any_desk.order("Q-4")
    assert (order.state, order.channel, order.shipping_address) == ("placed", "edi", PIER)
    assert order.quote_valid_until == date(2026, 3, 9)
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.execute_json({"type": "UpdateDraftOrder", "order_id": "Q-4"}),
    )
    any_desk.execute_json({"type": "CreateDraftOrder", "customer_id": "C-BOLT", "order_id": "Q-5"})
    refused(
        any_desk,
        ValidationError,
        lambda: any_desk.execute_json({"type": "UpdateDraftOrder", "order_id": "Q-5"}),
        match="at least one of channel",
    )
    assert any_desk.execute_json({"type": "ExpireOrder", "order_id": "Q-5"}).details["state"] == (
        "expired"
    )
