"""An order's money: its own net figures beside its invoices' gross ones, to the cent."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk, OrderMoney, UnknownAggregateError


@pytest.fixture(scope="module")
def story() -> OrderDesk:
    desk = open_story_desk()
    order_to_cash_story(desk)
    return desk


def _order_of(desk: OrderDesk, customer_id: str) -> str:
    return next(o for o in desk.order_ids() if desk.order(o).customer_id == customer_id)


def test_acme_paid_with_a_discount_then_returned_reconciles_to_the_cent(
    story: OrderDesk,
) -> None:
    order_id = _order_of(story, "C-ACME")
    money = story.order_money(order_id)
    (invoice,) = [i for i in story.invoices() if i.customer_id == "C-ACME"]
    (note,) = invoice.credit_notes
    (payment,) = invoice.payments
    assert money.check() == ()
    assert money.net_goods == invoice.taxes.untaxed == Money("417.00", "USD")
    assert money.charges == Money.zero("USD")
    assert money.tax == invoice.taxes.tax
    assert money.invoiced == invoice.total == Money("454.01", "USD")
    assert money.paid == payment.applied == Money("444.93", "USD")
    assert money.discount_taken == payment.discount == Money("9.08", "USD")
    # The return refunds what was paid for the goods: less the 2 % taken, after the fee.
    assert money.credited == note.total == Money("87.21", "USD")
    assert money.credited_net == note.untaxed - note.restocking_fee
    assert money.open == invoice.balance == Money.zero("USD")
    assert money.credit == story.account_ledger("C-ACME").balance.unapplied
    order = story.order(order_id)
    assert (money.net_due, money.net_paid) == (order.amount_due, order.amount_paid)
    assert "net of tax" in order.describe().splitlines()[2]
    text = money.to_text()
    assert "reconciles: yes" in text
    assert [r["basis"] for r in money.to_records()].count("gross") == 7
    records = {r["figure"]: r["amount"] for r in money.to_records()}
    assert records["invoiced"] == invoice.total.amount


@pytest.mark.parametrize("customer_id", ["C-BOLT", "C-CAFE"])
def test_every_story_order_reconciles(story: OrderDesk, customer_id: str) -> None:
    for order_id in story.order_ids():
        money = story.order_money(order_id)
        order = story.order(order_id)
        if order.customer_id != customer_id:
            continue
        assert money.check() == ()
        billed = [story.invoice(d.document_id) for d in order.invoices]
        assert money.open == Money.sum((i.balance for i in billed), currency="USD")
        assert money.invoiced == Money.sum((i.total for i in billed), currency="USD")


def test_freight_is_a_charge_net_of_tax_beside_the_goods() -> None:
    desk = OrderDesk.in_memory(clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    open_sample_shop(desk)
    order_id = desk.place_order("C-ACME", {"MUG": 3}, shipping_method="UPS-GROUND").aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    goods = desk.invoice(desk.invoice_order(order_id).aggregate_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.pack_order(order_id, wave).aggregate_id
    freight = desk.invoice(desk.ship_shipment(shipment, "1Z-1")["freight_invoice_id"])
    money = desk.order_money(order_id)
    assert money.check() == ()
    assert money.net_goods == goods.taxes.untaxed
    assert money.charges == freight.taxes.untaxed
    assert money.tax == goods.taxes.tax + freight.taxes.tax
    assert money.invoiced == goods.total + freight.total
    assert money.open == money.invoiced
    assert money.net_due == desk.order(order_id).amount_due == money.net_goods + money.charges


def test_broken_laws_are_named_and_unknown_orders_refused(story: OrderDesk) -> None:
    money = story.order_money(_order_of(story, "C-ACME"))
    cent = Money("0.01", "USD")
    (taxed,) = attrs.evolve(money, tax=money.tax + cent).check()
    assert "is not the invoiced 454.01 USD" in taxed
    (opened,) = attrs.evolve(money, open=money.open + cent).check()
    assert "open 0.01 USD less credit 87.21 USD is -87.20 USD" in opened
    (due,) = attrs.evolve(money, net_due=money.net_due + cent).check()
    assert "not the order's net due 336.01 USD" in due
    assert "reconciles: yes" not in str(attrs.evolve(money, open=money.open + cent))
    assert isinstance(money, OrderMoney)
    with pytest.raises(UnknownAggregateError):
        story.order_money("O-NOBODY")
