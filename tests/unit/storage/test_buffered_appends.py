"""SQLite holds a unit of work's appends back and writes them at once.

The events of every stream appended in one unit of work go in with one ``executemany``
and their outbox messages with another, at the commit, or earlier when a read must see
them (the stream's events, its hashes, the aggregate ids, the outbox). A rollback writes
none of them, and a version found taken at the commit fails the whole unit of work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ordercycle.inventory.events import StockReceived
from ordercycle.storage import SQLiteStorage
from ordercycle.storage.errors import StreamConflictError
from ordercycle.storage.records import Snapshot

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _received(sku: str, version: int, quantity: int = 1) -> StockReceived:
    return StockReceived(
        aggregate_id=sku, version=version, occurred_at=AT, sku=sku, bin="WH-A/01", quantity=quantity
    )


class _Counting:
    """A connection that notes each call (``execute`` or ``executemany``) and its SQL."""

    def __init__(self, raw: Any, calls: list[tuple[str, str]]) -> None:
        self.raw = raw
        self.calls = calls

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.calls.append(("execute", sql))
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        self.calls.append(("executemany", sql))
        return self.raw.executemany(sql, rows)

    def close(self) -> None:
        self.raw.close()


@pytest.fixture
def storage(tmp_path: Path) -> Any:
    opened = SQLiteStorage(tmp_path / "buffered.db")
    yield opened
    opened.close()


def _counted(storage: SQLiteStorage) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    connect = storage._pool._connect
    storage._pool._connect = lambda: _Counting(connect(), calls)  # type: ignore[method-assign]
    return calls


def _inserts(calls: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (how, sql.split()[2])
        for how, sql in calls
        if sql.startswith(("INSERT INTO ordercycle_events", "INSERT INTO ordercycle_outbox"))
    ]


def test_appends_to_three_streams_are_two_statements_at_the_commit(
    storage: SQLiteStorage,
) -> None:
    calls = _counted(storage)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received("MUG", 1)], expected_version=0)
        uow.events.append(
            "stock", "TEA", [_received("TEA", 1), _received("TEA", 2)], expected_version=0
        )
        uow.events.append("stock", "MUG", [_received("MUG", 2)], expected_version=1)
        assert _inserts(calls) == []
    assert _inserts(calls) == [
        ("executemany", "ordercycle_events"),
        ("executemany", "ordercycle_outbox"),
    ]
    with storage.unit_of_work() as uow:
        messages = uow.outbox.read()
        assert [(m.aggregate_id, m.version) for m in messages] == [
            ("MUG", 1),
            ("TEA", 1),
            ("TEA", 2),
            ("MUG", 2),
        ]
        assert [e.version for e in uow.events.load("stock", "TEA")] == [1, 2]


def test_reads_in_the_same_unit_of_work_see_the_appends(storage: SQLiteStorage) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received("MUG", 1, 5)], expected_version=0)
        assert uow.events.version("stock", "MUG") == 1
        assert [e.quantity for e in uow.events.load("stock", "MUG")] == [5]  # type: ignore[attr-defined]
        uow.events.append("stock", "TEA", [_received("TEA", 1)], expected_version=0)
        assert uow.events.aggregate_ids("stock") == ("MUG", "TEA")
        assert uow.outbox.last_position() == 2
        assert [m.aggregate_id for m in uow.outbox.read()] == ["MUG", "TEA"]
        uow.events.append("stock", "MUG", [_received("MUG", 2, 6)], expected_version=1)
    with storage.unit_of_work() as uow:
        assert [e.quantity for e in uow.events.load("stock", "MUG")] == [5, 6]  # type: ignore[attr-defined]
        assert uow.outbox.last_position() == 3


def test_a_rollback_writes_none_of_the_appends(storage: SQLiteStorage) -> None:
    calls = _counted(storage)
    uow = storage.unit_of_work()
    with uow:
        uow.events.append("stock", "MUG", [_received("MUG", 1)], expected_version=0)
        uow.rollback()
    assert _inserts(calls) == []
    with storage.unit_of_work() as uow:
        assert uow.events.version("stock", "MUG") == 0
        assert uow.outbox.last_position() == 0


def test_a_version_taken_at_the_commit_fails_the_whole_unit_of_work(
    storage: SQLiteStorage,
) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received("MUG", 1)], expected_version=0)
    stale = storage.unit_of_work()
    with stale:
        stale.events.append("stock", "TEA", [_received("TEA", 1)], expected_version=0)
        # A head read that went stale (SQLite's lock rules it out; this forces it): the
        # append is accepted here and the taken version is found at the commit.
        stale._heads[("stock", "MUG")] = (0, None)
        stale.events.append("stock", "MUG", [_received("MUG", 1, 9)], expected_version=0)
        with pytest.raises(StreamConflictError) as raised:
            stale.commit()
    assert raised.value.aggregate_id == "MUG"
    with storage.unit_of_work() as uow:
        assert uow.events.version("stock", "TEA") == 0
        assert [e.quantity for e in uow.events.load("stock", "MUG")] == [1]  # type: ignore[attr-defined]
        assert uow.outbox.last_position() == 1


def test_a_snapshot_of_the_head_just_appended_needs_no_read_and_no_early_insert(
    storage: SQLiteStorage,
) -> None:
    calls = _counted(storage)
    with storage.unit_of_work() as uow:
        uow.events.append(
            "stock", "MUG", [_received("MUG", 1), _received("MUG", 2)], expected_version=0
        )
        uow.snapshots.save(
            Snapshot(kind="stock", aggregate_id="MUG", version=2, payload='{"on_hand": 2}')
        )
        # The event hash the snapshot is bound to came from the append itself.
        assert not [sql for _, sql in calls if sql.startswith("SELECT hash")]
        assert _inserts(calls) == []
    assert _inserts(calls) == [
        ("executemany", "ordercycle_events"),
        ("executemany", "ordercycle_outbox"),
    ]
    with storage.reading() as uow:
        # latest() checks the stored snapshot's hash against the stored event's hash.
        found = uow.snapshots.latest("stock", "MUG")
    assert found == Snapshot(kind="stock", aggregate_id="MUG", version=2, payload='{"on_hand": 2}')


def test_a_snapshot_of_an_older_version_reads_that_event_hash(storage: SQLiteStorage) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append(
            "stock", "MUG", [_received("MUG", 1), _received("MUG", 2)], expected_version=0
        )
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received("MUG", 3)], expected_version=2)
        uow.snapshots.save(Snapshot(kind="stock", aggregate_id="MUG", version=1, payload="{}"))
    with storage.reading() as uow:
        found = uow.snapshots.latest("stock", "MUG")
    assert found == Snapshot(kind="stock", aggregate_id="MUG", version=1, payload="{}")
