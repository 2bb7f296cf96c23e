"""PostgreSQL writers of different streams run side by side; consumers still lose nothing.

Before schema version 4 every writer took one advisory lock for the whole schema, so a
second writer waited for the first to commit. Now only a stream's writers meet, and the
outbox stays safe to resume from a checkpoint: a reader returns only messages of
transactions older than every transaction still in flight.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from ordercycle.errors import ConcurrencyError
from ordercycle.storage import PostgresStorage
from ordercycle.storage.postgres import POSITION_BITS
from ordercycle.storage.views import ViewQuery, ViewRow
from ordercycle.testing.contracts import item_added


@pytest.fixture
def storage(postgres_dsn: str) -> Iterator[PostgresStorage]:
    import psycopg

    schema = f"oc_parallel_{uuid.uuid4().hex[:12]}"
    opened = PostgresStorage(postgres_dsn, schema=schema)
    yield opened
    opened.close()
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _in_thread(action: object) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()  # type: ignore[operator]
        except BaseException as error:  # reported by the test
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def test_a_writer_of_another_stream_commits_while_the_first_is_open(
    storage: PostgresStorage,
) -> None:
    def second() -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-2", [item_added("O-2", 1)], expected_version=0)
            uow.commands.record("cmd-2", "digest-2", "second")

    with storage.unit_of_work() as first:
        first.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
        first.commands.record("cmd-1", "digest-1", "first")
        thread, errors = _in_thread(second)
        thread.join(10)
        assert not thread.is_alive(), "the second writer waited for the first to commit"
        assert errors == []
        with storage.reading() as reader:  # committed, but behind the open first writer
            assert reader.events.version("order", "O-2") == 1
            assert reader.outbox.read() == ()
    with storage.unit_of_work() as uow:
        messages = uow.outbox.read()
        assert [(m.aggregate_id, m.version) for m in messages] == [("O-1", 1), ("O-2", 1)]
        # Positions are grouped by transaction: the first message of each is (xid << 20) + 0.
        assert all(m.position % (1 << POSITION_BITS) == 0 for m in messages)
        assert uow.outbox.last_position() == messages[-1].position


def test_writers_of_one_stream_still_meet_and_one_fails(storage: PostgresStorage) -> None:
    def second() -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)

    with storage.unit_of_work() as first:
        first.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
        thread, errors = _in_thread(second)
        time.sleep(0.3)
        assert thread.is_alive(), "the second writer of the stream did not wait"
    thread.join(10)
    assert len(errors) == 1
    assert isinstance(errors[0], ConcurrencyError)
    with storage.unit_of_work() as uow:
        assert [(m.aggregate_id, m.version) for m in uow.outbox.read()] == [("O-1", 1)]


def test_a_reader_waits_for_an_older_writer_to_see_a_newer_commit(
    storage: PostgresStorage,
) -> None:
    """A message committed before a read is returned by it, once the older writer ends."""
    first = storage.unit_of_work()
    first.__enter__()
    first.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
    with storage.unit_of_work() as uow:
        uow.events.append("order", "O-2", [item_added("O-2", 1)], expected_version=0)
    timer = threading.Timer(0.2, first.commit)
    timer.start()
    began = time.monotonic()
    with storage.unit_of_work() as reader:
        messages = reader.outbox.read()
    timer.join()
    assert time.monotonic() - began >= 0.15
    assert [(m.aggregate_id, m.version) for m in messages] == [("O-1", 1), ("O-2", 1)]


def test_a_transaction_in_another_database_does_not_hold_consumers_back(
    storage: PostgresStorage, postgres_dsn: str
) -> None:
    import psycopg

    with psycopg.connect(postgres_dsn, dbname="postgres", autocommit=True) as elsewhere:
        elsewhere.execute("BEGIN")
        elsewhere.execute("SELECT pg_current_xact_id()")  # an older transaction, in flight
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
        began = time.monotonic()
        with storage.unit_of_work() as reader:
            messages = reader.outbox.read()
        assert [(m.aggregate_id, m.version) for m in messages] == [("O-1", 1)]
        assert time.monotonic() - began < 1.0
        elsewhere.execute("ROLLBACK")


def test_an_older_read_model_row_waits_for_the_newer_one_and_is_not_kept(
    storage: PostgresStorage,
) -> None:

    def row(version: int) -> ViewRow:
        return ViewRow(
            view="orders",
            key="O-1",
            version=version,
            sort=f"s{version}",
            terms=(("state", f"v{version}"),),
            data=f'{{"v": {version}}}',
        )

    kept: list[bool] = []

    def older() -> None:
        with storage.unit_of_work() as uow:
            kept.append(uow.projections.put(row(1)))

    with storage.unit_of_work() as newer:
        assert newer.projections.put(row(2))
        # The older writer meets the row the newer one is writing: it waits for the
        # commit, then sees version 2 and keeps it (a read, then a write, would have read
        # no row and failed on the key, or replaced the newer row).
        thread, errors = _in_thread(older)
        time.sleep(0.3)
        assert thread.is_alive()
    thread.join(10)
    assert not errors
    assert kept == [False]
    with storage.unit_of_work() as uow:
        stored = uow.projections.get("orders", "O-1")
        found = uow.projections.find(ViewQuery(view="orders", where=(("state", "v2"),)))
        stale = uow.projections.find(ViewQuery(view="orders", where=(("state", "v1"),)))
    assert stored == row(2)
    assert [r.key for r in found] == ["O-1"]
    assert stale == ()


def test_a_newer_read_model_row_waiting_for_an_older_one_replaces_its_terms(
    storage: PostgresStorage,
) -> None:
    # The newer writer's terms are rewritten by a statement of their own, after it has
    # the row's lock: one statement would run on a snapshot taken before the wait and miss
    # the terms the older writer committed meanwhile (its "state" term would stay).
    def row(version: int) -> ViewRow:
        return ViewRow(
            view="orders",
            key="O-1",
            version=version,
            sort="s",
            terms=(("customer", "C-1"), ("state", f"v{version}")),
            data=f'{{"v": {version}}}',
        )

    kept: list[bool] = []

    def newer() -> None:
        with storage.unit_of_work() as uow:
            kept.append(uow.projections.put(row(2)))

    with storage.unit_of_work() as older:
        assert older.projections.put(row(1))
        thread, errors = _in_thread(newer)
        time.sleep(0.3)
        assert thread.is_alive()  # waits for the older writer's row
    thread.join(10)
    assert not errors
    assert kept == [True]
    with storage.unit_of_work() as uow:

        def keys(field: str, value: str) -> list[str]:
            query = ViewQuery(view="orders", where=((field, value),))
            return [r.key for r in uow.projections.find(query)]

        assert uow.projections.get("orders", "O-1") == row(2)
        assert keys("state", "v2") == ["O-1"]
        assert keys("state", "v1") == []
        assert keys("customer", "C-1") == ["O-1"]
