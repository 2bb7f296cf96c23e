"""Processes receiving one purchase order and one transfer at once never over-receive.

Four processes meet at a barrier and each receives 3 of the 10 rugs of one purchase order,
then the same transfer: exactly three receipts and one transfer receipt go through, the
others are refused, and stock on hand is what was received (SQLite file and PostgreSQL).
"""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.service import OrderDesk

Opener = Callable[[int], OrderDesk]
WORKERS = 4


def _clock() -> SteppableClock:
    return SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))


def _work(opener: Opener, worker: int, barrier: Any, results: Any) -> None:
    desk = opener(worker)
    outcome = []
    try:
        barrier.wait(timeout=60)
        for run in (
            lambda: desk.receive_purchase_order(
                "PO-R", [{"sku": "RUG", "quantity": 3, "bin": "WH-WEST/A8"}]
            ),
            lambda: desk.receive_transfer("TR-R"),
        ):
            try:
                run()
                outcome.append("ok")
            except OrderCycleError as error:
                outcome.append(type(error).__name__)
    finally:
        desk.close()
        results.put(outcome)


def _race(opener: Opener) -> None:
    setup = opener(99)
    open_sample_shop(setup)
    setup.create_purchase_order(
        "PO-R",
        "Weaver & Co",
        "WH-WEST",
        [{"sku": "RUG", "quantity": 10, "expected_on": date(2026, 3, 9)}],
    )
    setup.transfer_stock("MUG", "WH-EAST/A1", "WH-WEST/A2", 5, transfer_id="TR-R")
    setup.close()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_work, args=(opener, n, barrier, results)) for n in range(WORKERS)
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * WORKERS
    receipts = sorted(o[0] for o in outcomes)
    transfers = sorted(o[1] for o in outcomes)
    assert receipts == ["ValidationError", "ok", "ok", "ok"]
    assert transfers == ["TransitionNotAllowedError"] * 3 + ["ok"]
    desk = opener(98)
    try:
        po = desk.purchase_order("PO-R")
        assert (po.status, po.line("RUG").received, po.open_units) == ("partially_received", 9, 1)
        assert sum(p.on_hand for p in desk.stock_positions("RUG")) == 4 + 9
        assert desk.available_units("MUG") == 40
        assert desk.available_units("MUG", warehouse="WH-WEST") == 5
        assert desk.available_to_promise("RUG", date(2026, 3, 9)) == 4 + 9 + 1
    finally:
        desk.close()


def test_four_processes_on_one_sqlite_file_never_over_receive(tmp_path: Path) -> None:
    path = tmp_path / "receive.db"

    def opener(worker: int) -> OrderDesk:
        return OrderDesk.sqlite(path, clock=_clock(), ids=SequentialIdFactory())

    _race(opener)


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[tuple[str, str]]:
    """``(dsn, schema)`` of a fresh PostgreSQL schema, dropped afterwards."""
    import psycopg

    schema = f"oc_receive_{uuid.uuid4().hex[:16]}"
    try:
        yield postgres_dsn, schema
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_four_processes_on_postgres_never_over_receive(pg_schema: tuple[str, str]) -> None:
    dsn, schema = pg_schema

    def opener(worker: int) -> OrderDesk:
        return OrderDesk.postgres(dsn, schema=schema, clock=_clock(), ids=SequentialIdFactory())

    _race(opener)
