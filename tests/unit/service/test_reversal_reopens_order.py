"""A reversed payment reopens the order it paid (issue 17): the invoice is open again, and
the order's payment status and ``desk.order_money`` follow it, on every adapter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.model.order import PaymentStatus
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.storage.sqlalchemy import SQLAlchemyStorage

from .conftest import START


@pytest.fixture(params=["memory", "sqlite", "sqlalchemy", "postgres"])
def any_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderDesk]:
    """The sample shop on each adapter (PostgreSQL skipped without a server)."""
    clock = SteppableClock(START)
    schema = ""
    if request.param == "memory":
        opened = OrderDesk.in_memory(clock=clock)
    elif request.param == "sqlite":
        opened = OrderDesk.sqlite(tmp_path / "shop.db", clock=clock)
    elif request.param == "sqlalchemy":
        opened = OrderDesk(SQLAlchemyStorage(f"sqlite:///{tmp_path / 'sa.db'}"), clock=clock)
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_reversal_{uuid.uuid4().hex[:16]}"
        opened = OrderDesk.postgres(dsn, schema=schema, clock=clock, ids=SequentialIdFactory())
    open_sample_shop(opened)
    yield opened
    opened.close()
    if schema:
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _invoiced(desk: OrderDesk, customer_id: str, items: dict[str, int]) -> tuple[str, str]:
    order_id = desk.place_order(customer_id, items).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    for warehouse in desk.settings.network.warehouse_ids:
        try:
            wave = desk.release_wave(warehouse, [order_id])
        except ValueError:
            continue
        desk.confirm_picks(wave.aggregate_id)
        packed = desk.pack_order(order_id, wave.aggregate_id)
        desk.ship_shipment(packed.aggregate_id, f"1Z-{packed.aggregate_id}")
        desk.deliver_shipment(packed.aggregate_id)
    return order_id, desk.invoice_order(order_id).aggregate_id


def test_reversing_the_payment_that_paid_an_order_reopens_it(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id, invoice_id = _invoiced(desk, "C-BOLT", {"MUG": 2})
    total = desk.invoice(invoice_id).total
    paid = desk.record_payment("C-BOLT", total)
    assert desk.order(order_id).payment_status is PaymentStatus.PAID
    money = desk.order_money(order_id)
    assert (money.paid, money.net_paid) == (total, money.net_due)
    result = desk.reverse_payment("C-BOLT", paid.aggregate_id, "cheque bounced")
    assert result["orders"] == [order_id]
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.UNPAID
    assert order.amount_paid == Money("0.00", "USD")
    money = desk.order_money(order_id)
    assert money.paid == Money("0.00", "USD")
    assert money.net_paid == Money("0.00", "USD")
    assert money.open == total
    # Paid again, the order is paid again.
    desk.record_payment("C-BOLT", total)
    assert desk.order(order_id).payment_status is PaymentStatus.PAID
    assert desk.order_money(order_id).net_paid == desk.order_money(order_id).net_due


def test_reversing_one_of_two_payments_leaves_the_other_share_exact(any_desk: OrderDesk) -> None:
    desk = any_desk
    order_id, invoice_id = _invoiced(desk, "C-BOLT", {"MUG": 3})
    total = desk.invoice(invoice_id).total
    first = desk.record_payment("C-BOLT", Money("10.01", "USD"))
    desk.record_payment("C-BOLT", total - Money("10.01", "USD"))
    assert desk.order(order_id).payment_status is PaymentStatus.PAID
    desk.reverse_payment("C-BOLT", first.aggregate_id, "chargeback")
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.PARTIALLY_PAID
    invoice = desk.invoice(invoice_id)
    assert invoice.state == "partially_paid"
    assert invoice.balance == Money("10.01", "USD")
    money = desk.order_money(order_id)
    assert money.paid == total - Money("10.01", "USD")
    # The order keeps the share of the invoice that is still settled, to the cent.
    share = (money.net_due * (money.paid.amount / total.amount)).round()
    assert order.amount_paid == share == money.net_paid


def test_reversing_credit_applied_from_a_payment_reopens_the_order(any_desk: OrderDesk) -> None:
    desk = any_desk
    paid = desk.record_payment("C-BOLT", Money("500.00", "USD"))
    order_id, invoice_id = _invoiced(desk, "C-BOLT", {"MUG": 2})
    desk.apply_credit("C-BOLT", source_ids=[paid.aggregate_id])
    assert desk.order(order_id).payment_status is PaymentStatus.PAID
    desk.reverse_payment("C-BOLT", paid.aggregate_id, "sent by the wrong customer")
    assert desk.invoice(invoice_id).state == "issued"
    assert desk.order(order_id).payment_status is PaymentStatus.UNPAID
    assert desk.order_money(order_id).net_paid == Money("0.00", "USD")


def test_an_order_refuses_to_reverse_an_unknown_or_too_large_payment(
    any_desk: OrderDesk,
) -> None:
    desk = any_desk
    order_id, invoice_id = _invoiced(desk, "C-BOLT", {"MUG": 1})
    desk.record_payment("C-BOLT", desk.invoice(invoice_id).total)
    order = desk.order(order_id)
    recorded = order.payments[0]
    with pytest.raises(OrderCycleError, match=r"payment id.*NOPE"):
        order.reverse_payment("NOPE", Money("1.00", "USD"), at=START)
    with pytest.raises(OrderCycleError, match="up to the payment's"):
        order.reverse_payment(recorded.payment_id, recorded.amount + Money("0.01", "USD"), at=START)
    half, events = order.reverse_payment(recorded.payment_id, Money("0.01", "USD"), at=START)
    assert [type(e).__name__ for e in events] == ["OrderPaymentReversed"]
    assert half.amount_paid == recorded.amount - Money("0.01", "USD")
    assert type(order).replay(events, base=order) == half
