"""Shipping methods and freight at the desk (issue 16): chosen at entry, changed before
packing, billed on its own invoice when a shipment ships, taxed like goods by default.

Runs on memory, SQLite and PostgreSQL (skipped without a server); a refused command is
checked to leave the whole desk as it was.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

from ordercycle.errors import NotFoundError
from ordercycle.examples.shop import open_sample_shop, sample_products
from ordercycle.model import SteppableClock
from ordercycle.model.customer import Customer
from ordercycle.model.order import ChangeNotAllowedError, OrderCurrencyError
from ordercycle.money import Money
from ordercycle.service import DeskSettings, OrderDesk

from . import test_service_changes as changes
from .conftest import START
from .test_service_entry import PARIS

refused = changes.refused  # raises, and the whole desk is as it was

# UPS-GROUND's brackets in the default settings, by billable pounds (upper limits).
GROUND = ((1, "9.10"), (2, "9.85"), (5, "12.40"), (10, "16.20"), (20, "21.00"), (40, "31.50"))


def ground_rate(billable_lb: Fraction) -> Decimal:
    """The bracket price of a carton of this billable weight, read off the table above."""
    return next(Decimal(price) for limit, price in GROUND if billable_lb <= limit)


def pack_east(desk: OrderDesk, order_id: str) -> str:
    """Release, pick and pack what the order has reserved in WH-EAST; the shipment id."""
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    return desk.pack_order(order_id, wave).aggregate_id


def test_freight_is_billed_on_its_own_invoice_when_the_shipment_ships(
    any_desk: OrderDesk,
) -> None:
    order_id = any_desk.place_order(
        "C-ACME", {"MUG": 3, "LAMP": 1}, shipping_method="UPS-GROUND"
    ).aggregate_id
    any_desk.confirm_order(order_id)
    any_desk.allocate_order(order_id)
    goods = any_desk.invoice_order(order_id)["invoice_id"]
    shipment_id = pack_east(any_desk, order_id)
    parcels = any_desk.shipment(shipment_id).parcels
    assert parcels
    expected = sum(ground_rate(parcel.billable_weight) for parcel in parcels)
    assert len(any_desk.invoices()) == 1  # nothing billed at packing
    shipped = any_desk.ship_shipment(shipment_id, "1Z-1")
    assert shipped["freight"] == f"{expected:.2f} USD"
    freight = any_desk.invoice(str(shipped["freight_invoice_id"]))
    (line,) = freight.lines
    assert (line.sku, line.quantity, line.unit_price) == (
        "FREIGHT",
        1,
        Money(expected, "USD"),
    )
    # C-ACME's profile is US-NY (8.875 %): freight is taxed like goods by default.
    assert freight.total == Money(expected * Decimal("1.08875"), "USD").round()
    assert shipped["freight_total"] == str(freight.total)
    order = any_desk.order(order_id)
    assert [doc.document_id for doc in order.invoices] == [goods, freight.invoice_id]
    goods_net = Money.sum((line.amount(line.ledger.active) for line in order.lines), "USD")
    assert order.amount_due == goods_net + Money(expected, "USD")
    assert freight.invoice_id in any_desk.account("C-ACME").open_invoice_ids


def test_an_order_without_a_method_ships_without_freight(any_desk: OrderDesk) -> None:
    order_id = any_desk.place_order("C-BOLT", {"MUG": 2}, shipping_method="UPS-GROUND").aggregate_id
    any_desk.confirm_order(order_id)
    any_desk.allocate_order(order_id)
    changed = any_desk.change_shipping_method(order_id, "")
    assert changed.details == {"shipping_method": "", "was": "UPS-GROUND"}
    shipped = any_desk.ship_shipment(pack_east(any_desk, order_id), "1Z-2")
    assert "freight" not in shipped.details
    assert any_desk.invoices() == ()


def test_the_method_changes_before_packing_and_refusals_write_nothing(
    any_desk: OrderDesk,
) -> None:
    order_id = any_desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    refused(
        any_desk,
        NotFoundError,
        lambda: any_desk.change_shipping_method(order_id, "PIGEON"),
        match="Unknown shipping method for order O-1 'PIGEON'; known: UPS-GROUND",
    )
    version = any_desk.order(order_id).version
    any_desk.execute_json(
        {"type": "ChangeShippingMethod", "order_id": order_id, "shipping_method": "UPS-GROUND"}
    )
    assert any_desk.order(order_id).version == version + 1
    assert any_desk.order(order_id).shipping_method == "UPS-GROUND"
    any_desk.confirm_order(order_id)
    any_desk.allocate_order(order_id)
    shipment_id = pack_east(any_desk, order_id)
    refused(
        any_desk,
        ChangeNotAllowedError,
        lambda: any_desk.change_shipping_method(order_id, ""),
        match="2 units are packed and not shipped yet",
    )
    shipped = any_desk.ship_shipment(shipment_id, "1Z-3")
    # C-BOLT is tax exempt: the freight invoice carries no tax.
    freight = any_desk.invoice(str(shipped["freight_invoice_id"]))
    assert freight.total == freight.lines[0].unit_price
    refused(
        any_desk,
        NotFoundError,
        lambda: any_desk.place_order("C-BOLT", {"MUG": 1}, shipping_method="PIGEON"),
    )


def test_a_method_priced_in_another_currency_is_refused_at_entry(any_desk: OrderDesk) -> None:
    mug = attrs.evolve(sample_products()[0][0], sku="MUG-EU")
    any_desk.register_product(mug, Money("8.00", "EUR"))
    any_desk.register_customer(
        Customer(
            id="C-EURO",
            name="Euro Bistro",
            credit_limit=Money("1000.00", "EUR"),
            payment_terms="Net 30",
            tax_profile="EXEMPT",
            billing_address=PARIS,
        )
    )
    refused(
        any_desk,
        OrderCurrencyError,
        lambda: any_desk.place_order("C-EURO", {"MUG-EU": 1}, shipping_method="UPS-GROUND"),
        match="Cannot use USD for the rate of shipping method UPS-GROUND .* order is in EUR",
    )
    draft = any_desk.create_draft_order("C-EURO", {"MUG-EU": 1}).aggregate_id
    refused(
        any_desk,
        OrderCurrencyError,
        lambda: any_desk.change_shipping_method(draft, "UPS-GROUND"),
    )


def test_a_freight_tax_code_taxes_freight_at_that_rate_only(tmp_path: Path) -> None:
    settings = attrs.evolve(DeskSettings.default(), freight_tax_code="FREIGHT-NY")
    desk = OrderDesk.sqlite(tmp_path / "shop.db", clock=SteppableClock(START), settings=settings)
    open_sample_shop(desk)
    order_id = desk.place_order("C-ACME", {"MUG": 2}, shipping_method="UPS-GROUND").aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    shipped = desk.ship_shipment(pack_east(desk, order_id), "1Z-4")
    freight = desk.invoice(str(shipped["freight_invoice_id"]))
    # US-NY has no FREIGHT-NY rate, so freight goes untaxed there.
    assert freight.lines[0].tax_codes == ()
    assert freight.total == freight.lines[0].unit_price
    desk.close()


def test_settings_refuse_a_method_under_another_name() -> None:
    default = DeskSettings.default()
    method = default.shipping_methods["UPS-GROUND"]
    with pytest.raises(ValueError, match="shipping method 'GROUND' is not a ShippingMethod"):
        attrs.evolve(default, shipping_methods={"GROUND": method})


def test_a_freight_invoice_alone_does_not_bill_units_added_later(any_desk: OrderDesk) -> None:
    order_id = any_desk.place_order("C-BOLT", {"MUG": 2}, shipping_method="UPS-GROUND").aggregate_id
    any_desk.confirm_order(order_id)
    any_desk.allocate_order(order_id)
    any_desk.ship_shipment(pack_east(any_desk, order_id), "1Z-5")
    amended = any_desk.amend_order(order_id, [{"action": "add_line", "sku": "MUG", "quantity": 1}])
    # Goods were never invoiced: the added unit waits for invoice_order like the others.
    assert "invoice_id" not in amended.details
    assert any_desk.invoice_order(order_id)["total"] == "28.50 USD"


def test_a_freight_invoice_is_on_the_customer_account_ledger(any_desk: OrderDesk) -> None:
    order_id = any_desk.place_order("C-ACME", {"MUG": 2}, shipping_method="UPS-GROUND").aggregate_id
    any_desk.confirm_order(order_id)
    any_desk.allocate_order(order_id)
    goods = any_desk.invoice(str(any_desk.invoice_order(order_id)["invoice_id"]))
    shipped = any_desk.ship_shipment(pack_east(any_desk, order_id), "1Z-2")
    freight = any_desk.invoice(str(shipped["freight_invoice_id"]))
    totals = any_desk.account_ledger("C-ACME").balance
    assert totals.invoiced == goods.total + freight.total
    assert totals.open_invoices == goods.balance + freight.balance
    # Its printed number finds it, like any other invoice's.
    assert freight.number is not None
    assert any_desk.invoice(freight.number).invoice_id == freight.invoice_id
