"""Round trips of the PostgreSQL adapter: statements queued in pipeline mode.

A regression guard for the write path on PostgreSQL: ``BEGIN`` goes with the first read,
an append and a read-model row's terms go with the next read or the commit, so a desk
command costs about one round trip per read it needs, not one per statement. And what
pipeline mode changes in failures: an append that meets a conflict dooms its unit of
work (nothing commits), and a statement the server refuses loses the transaction but not
the connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from ordercycle.errors import ConcurrencyError, StorageError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.storage import PostgresStorage
from ordercycle.storage.errors import StreamConflictError
from ordercycle.testing.contracts import item_added


@pytest.fixture
def storage(postgres_dsn: str) -> Iterator[PostgresStorage]:
    import psycopg

    schema = f"oc_trips_{uuid.uuid4().hex[:12]}"
    opened = PostgresStorage(postgres_dsn, schema=schema)
    yield opened
    opened.close()
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class _Counted:
    """Counts the statements and the round trips (pipeline syncs) of pooled connections."""

    def __init__(self, storage: PostgresStorage) -> None:
        self.statements = 0
        self.trips = 0
        self.sent: list[str] = []
        pool = storage._pool
        connect = pool._connect
        counted = self

        class Statements:
            def __init__(self, raw: Any) -> None:
                self.raw = raw

            def execute(self, sql: str, params: Any = ()) -> Any:
                counted.statements += 1
                counted.sent.append(sql)
                return self.raw.execute(sql, params)

        class Syncs:
            def __init__(self, raw: Any) -> None:
                self.raw = raw

            def sync(self) -> None:
                counted.trips += 1
                counted.sent.append("-- sync")
                self.raw.sync()

        class Piped:
            def __init__(self, raw: Any) -> None:
                self.raw = raw
                self.connection = Statements(raw.connection)
                self.pipeline = Syncs(raw.pipeline)

            def close(self) -> None:
                self.raw.close()

        pool._connect = lambda: Piped(connect())  # type: ignore[method-assign]

    def cost(self, action: Callable[[], Any]) -> tuple[int, int, list[str]]:
        statements, trips, start = self.statements, self.trips, len(self.sent)
        action()
        return self.statements - statements, self.trips - trips, self.sent[start:]


def test_a_desk_command_costs_a_round_trip_per_read_not_per_statement(
    storage: PostgresStorage,
) -> None:
    counted = _Counted(storage)
    desk = OrderDesk(storage, clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    open_sample_shop(desk)
    desk.place_order("C-BOLT", {"MUG": 1})  # the desk's first command dispatches
    order: list[Any] = []
    place = counted.cost(lambda: order.append(desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id))
    confirm = counted.cost(lambda: desk.confirm_order(order[0]))
    allocate = counted.cost(lambda: desk.allocate_order(order[0]))
    for name, (statements, trips, sent) in (
        ("place", place),
        ("confirm", confirm),
        ("allocate", allocate),
    ):
        assert sum(1 for sql in sent if sql.startswith("BEGIN")) == 1, (name, sent)
        # A round trip for each read and each read-model row (whether it was stored is
        # its result), one for the commit and at most one to check the appends before it:
        # BEGIN, appends and terms ride with the next one.
        reads = sum(1 for sql in sent if sql.startswith(("SELECT", "INSERT INTO ordercycle_view")))
        assert trips <= reads + 2, (name, trips, sent)
        assert trips <= statements - 3, (name, statements, trips, sent)
        assert sent[-2:] == ["COMMIT", "-- sync"], (name, sent)


def test_an_append_that_meets_a_conflict_at_a_later_round_trip_commits_nothing(
    storage: PostgresStorage,
) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [item_added("MUG", 1)], expected_version=0)

    def stale() -> None:
        with storage.unit_of_work() as uow:
            assert uow.events.version("stock", "MUG") == 1
            with storage.unit_of_work() as other:  # moves the stream on meanwhile
                other.events.append("stock", "MUG", [item_added("MUG", 2)], expected_version=1)
            uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
            uow.events.append("stock", "MUG", [item_added("MUG", 2)], expected_version=1)
            # The appends' results come with this read: the reads still work.
            assert uow.events.version("invoice", "I-1") == 0

    with pytest.raises(ConcurrencyError) as caught:
        stale()
    conflict = caught.value
    assert isinstance(conflict, StreamConflictError), repr(conflict)
    assert (conflict.kind, conflict.aggregate_id, conflict.actual_version) == ("stock", "MUG", 2)
    with storage.unit_of_work() as uow:
        assert uow.events.version("order", "O-1") == 0
        assert [m.aggregate_id for m in uow.outbox.read()] == ["MUG", "MUG"]


def test_a_statement_the_server_refuses_loses_the_transaction_not_the_connection(
    storage: PostgresStorage,
) -> None:

    def refused() -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
            uow._send("SELECT 1 / 0")  # queued: refused at the next round trip
            uow.events.load("order", "O-2")

    with pytest.raises(StorageError, match="division by zero"):
        refused()
    for n in (1, 2):  # the pooled connection is reused, in a clean state
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == n - 1
            uow.events.append("order", "O-1", [item_added("O-1", n)], expected_version=n - 1)
    with storage.unit_of_work() as uow:
        assert [m.version for m in uow.outbox.read()] == [1, 2]
