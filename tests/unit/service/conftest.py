"""Fixtures for the OrderDesk tests: a stepping clock and a desk with the sample shop."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.service import OrderDesk

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def clock() -> SteppableClock:
    """A clock at Monday 2 March 2026, 09:00 UTC."""
    return SteppableClock(START)


@pytest.fixture(params=["memory", "sqlite"])
def desk(
    request: pytest.FixtureRequest, clock: SteppableClock, tmp_path: Path
) -> Iterator[OrderDesk]:
    """The sample shop, in memory and on a SQLite file."""
    if request.param == "memory":
        opened = OrderDesk.in_memory(clock=clock)
    else:
        opened = OrderDesk.sqlite(tmp_path / "shop.db", clock=clock)
    open_sample_shop(opened)
    yield opened
    opened.close()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderDesk]:
    """The sample shop on each of the three adapters (PostgreSQL in a schema of its own,
    dropped afterwards; skipped without a server)."""
    clock = SteppableClock(START)
    schema = ""
    if request.param == "memory":
        opened = OrderDesk.in_memory(clock=clock)
    elif request.param == "sqlite":
        opened = OrderDesk.sqlite(tmp_path / "shop.db", clock=clock)
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_desk_{uuid.uuid4().hex[:16]}"
        opened = OrderDesk.postgres(dsn, schema=schema, clock=clock, ids=SequentialIdFactory())
    open_sample_shop(opened)
    yield opened
    opened.close()
    if schema:
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def memory_desk(clock: SteppableClock) -> OrderDesk:
    """The sample shop in memory only."""
    opened = OrderDesk.in_memory(clock=clock)
    open_sample_shop(opened)
    return opened


def outbox_position(desk: OrderDesk) -> int:
    """How many events storage holds (the outbox's last position): a 'nothing written' probe."""
    with desk.storage.unit_of_work() as uow:
        return uow.outbox.last_position()


def invoiced(desk: OrderDesk, customer_id: str, items: dict[str, int]) -> str:
    """Place, confirm, allocate, pick, pack, ship and deliver an order of ``items`` from
    every warehouse that holds them, then invoice it: the invoice's id."""
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
