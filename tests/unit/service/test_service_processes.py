"""Several OS processes place and allocate orders for scarce stock on one database.

Nothing may be allocated twice, no order may be lost, and the stock on hand must equal
what was received: 4 processes on one SQLite file, 8 on PostgreSQL (when configured).
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import CustomerId, SequentialIdFactory
from ordercycle.model.order import Order
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.storage.ports import Projecting
from ordercycle.storage.views import ViewQuery

ORDERS_PER_PROCESS = 3
RUGS_IN_STOCK = 4  # the sample shop's rugs: far fewer than the processes order

Opener = Callable[[int], OrderDesk]


def _ids(worker: int) -> SequentialIdFactory:
    return SequentialIdFactory(prefixes={"order": f"O{worker}", "pick_list": f"PL{worker}"})


def _clock() -> SteppableClock:
    return SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))


def _work(opener: Opener, worker: int) -> None:
    desk = opener(worker)
    try:
        for _ in range(ORDERS_PER_PROCESS):
            order_id = desk.place_order("C-RACE", {"RUG": 1, "MUG": 1}).aggregate_id
            desk.confirm_order(order_id)
            desk.allocate_order(order_id)
    finally:
        desk.close()


def _race(opener: Opener, processes: int) -> None:
    setup = opener(99)
    open_sample_shop(setup)
    setup.register_customer(
        attrs.evolve(
            setup.customer("C-BOLT"),
            id=CustomerId("C-RACE"),
            credit_limit=Money("1000000.00", "USD"),
        )
    )
    setup.close()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_work, args=(opener, n)) for n in range(processes)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
    assert [p.exitcode for p in workers] == [0] * processes
    desk = opener(98)
    try:
        orders = [desk.order(i) for i in desk.order_ids()]
        assert len(orders) == processes * ORDERS_PER_PROCESS
        rugs = [line.ledger for order in orders for line in order.lines if line.sku == "RUG"]
        assert sum(ledger.allocated for ledger in rugs) == RUGS_IN_STOCK
        assert sum(ledger.backordered for ledger in rugs) == len(rugs) - RUGS_IN_STOCK
        positions = desk.stock_positions("RUG")
        assert sum(p.on_hand for p in positions) == RUGS_IN_STOCK
        assert sum(p.allocated for p in positions) == RUGS_IN_STOCK
        assert desk.available_units("RUG") == 0
        mugs = sum(line.ledger.allocated for o in orders for line in o.lines if line.sku == "MUG")
        assert mugs == len(orders)
        assert desk.available_units("MUG") == 40 - len(orders)
        _listings_kept_by_the_commands(desk, orders)
    finally:
        desk.close()


def _listings_kept_by_the_commands(desk: OrderDesk, orders: list[Order]) -> None:
    """The rows the racing commands wrote (not a rebuild) show every order as it is."""
    with desk.storage.unit_of_work() as uow:
        assert isinstance(uow, Projecting)
        rows = uow.projections.find(ViewQuery(view="orders", limit=1000))
        with_rugs = uow.projections.find(
            ViewQuery(view="orders", where=(("customer", "C-RACE"), ("sku", "RUG")), limit=1000)
        )
    assert {r.key: r.version for r in rows} == {o.id: o.version for o in orders}
    assert {r.key: r.loads()["state"] for r in rows} == {o.id: o.state for o in orders}
    assert len(with_rugs) == len(orders)
    listed = desk.orders(customer_id="C-RACE", limit=500)
    assert [o.order_id for o in listed] == sorted(
        (o.id for o in orders), key=lambda i: (desk.order(i).created_at, i)
    )


def test_four_processes_on_one_sqlite_file_never_oversell(tmp_path: Path) -> None:
    path = tmp_path / "race.db"

    def opener(worker: int) -> OrderDesk:
        return OrderDesk.sqlite(path, clock=_clock(), ids=_ids(worker))

    _race(opener, 4)


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[tuple[str, str]]:
    """``(dsn, schema)`` of a fresh PostgreSQL schema, dropped afterwards."""
    import psycopg

    dsn = postgres_dsn
    schema = f"oc_race_{uuid.uuid4().hex[:16]}"
    try:
        yield dsn, schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_eight_processes_on_postgres_never_oversell(pg_schema: tuple[str, str]) -> None:
    dsn, schema = pg_schema

    def opener(worker: int) -> OrderDesk:
        return OrderDesk.postgres(dsn, schema=schema, clock=_clock(), ids=_ids(worker))

    _race(opener, 8)
