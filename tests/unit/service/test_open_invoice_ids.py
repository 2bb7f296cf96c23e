"""``desk.open_invoice_ids`` answers what ``desk.account(...).open_invoice_ids`` does (the
open invoices in order of issue) without the open orders, on every adapter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.service import OrderDesk

from .conftest import START


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderDesk]:
    """The sample shop on each adapter (PostgreSQL skipped without a server)."""
    clock = SteppableClock(START)
    schema = ""
    if request.param == "memory":
        opened = OrderDesk.in_memory(clock=clock)
    elif request.param == "sqlite":
        opened = OrderDesk.sqlite(tmp_path / "shop.db", clock=clock)
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_open_invoices_{uuid.uuid4().hex[:16]}"
        opened = OrderDesk.postgres(dsn, schema=schema, clock=clock, ids=SequentialIdFactory())
    open_sample_shop(opened)
    yield opened
    opened.close()
    if schema:
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _invoiced(desk: OrderDesk, customer_id: str, items: dict[str, int]) -> str:
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
    return desk.invoice_order(order_id).aggregate_id


def test_the_open_invoices_are_the_accounts_in_order_of_issue(any_desk: OrderDesk) -> None:
    desk = any_desk
    assert desk.open_invoice_ids("C-BOLT") == ()
    first = _invoiced(desk, "C-BOLT", {"MUG": 2})
    second = _invoiced(desk, "C-BOLT", {"MUG": 1})
    still_open = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    account = desk.account("C-BOLT")
    assert still_open in account.open_order_ids
    assert desk.open_invoice_ids("C-BOLT") == account.open_invoice_ids == (first, second)
    desk.record_payment("C-BOLT", desk.invoice(first).total, invoice_ids=[first])
    desk.dispatch()
    assert desk.open_invoice_ids("C-BOLT") == desk.account("C-BOLT").open_invoice_ids
    assert desk.open_invoice_ids("C-BOLT") == (second,)


def test_an_unknown_customer_is_refused_as_the_account_refuses_it(any_desk: OrderDesk) -> None:
    with pytest.raises(OrderCycleError) as account:
        any_desk.account("C-NOBODY")
    with pytest.raises(type(account.value), match="C-NOBODY"):
        any_desk.open_invoice_ids("C-NOBODY")
