"""OrderDesk on a real PostgreSQL server (``postgres_dsn`` in tests/conftest.py; else skipped)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.model.order.status import PaymentStatus
from ordercycle.money import Money
from ordercycle.service import OrderDesk, UnknownAggregateError

from .conftest import START


@pytest.fixture
def pg_desk(postgres_dsn: str) -> Iterator[OrderDesk]:
    """A desk on a fresh PostgreSQL schema, dropped afterwards."""
    import psycopg

    dsn = postgres_dsn
    schema = f"oc_desk_{uuid.uuid4().hex[:16]}"
    desk = OrderDesk.postgres(
        dsn, schema=schema, clock=SteppableClock(START), ids=SequentialIdFactory()
    )
    try:
        yield desk
    finally:
        desk.close()
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_an_order_goes_from_placed_to_paid_on_postgres(pg_desk: OrderDesk) -> None:
    open_sample_shop(pg_desk)
    order_id = pg_desk.place_order("C-BOLT", {"TEAPOT": 8}, command_id="pg-1").aggregate_id
    pg_desk.confirm_order(order_id)
    assert pg_desk.allocate_order(order_id)["warehouses"] == ["WH-EAST", "WH-WEST"]
    for warehouse in ("WH-EAST", "WH-WEST"):
        wave = pg_desk.release_wave(warehouse, [order_id]).aggregate_id
        pg_desk.confirm_picks(wave)
        shipment = pg_desk.pack_order(order_id, wave).aggregate_id
        pg_desk.ship_shipment(shipment, f"1Z-{shipment}")
        pg_desk.deliver_shipment(shipment)
    pg_desk.invoice_order(order_id)
    pg_desk.record_payment("C-BOLT", Money("360.00", "USD"))
    assert pg_desk.order(order_id).payment_status is PaymentStatus.PAID
    assert pg_desk.place_order("C-BOLT", {"TEAPOT": 8}, command_id="pg-1").replayed
    assert pg_desk.available_units("TEAPOT") == 8
    with pytest.raises(UnknownAggregateError):
        pg_desk.order("O-404")


def test_the_story_reads_the_same_on_postgres(pg_desk: OrderDesk) -> None:
    expected = order_to_cash_story(open_story_desk())
    assert order_to_cash_story(pg_desk) == expected
