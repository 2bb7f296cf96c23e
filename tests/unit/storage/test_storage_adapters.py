"""Adapter behaviour beyond the contract: arguments, closing, locks, lazy psycopg."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from ordercycle.errors import (
    ConcurrencyError,
    DuplicateError,
    MissingDependencyError,
    StorageError,
    ValidationError,
)
from ordercycle.storage import (
    CommandAlreadyRecordedError,
    CommandPayloadMismatchError,
    MemoryStorage,
    PostgresStorage,
    SQLiteStorage,
    UnitOfWorkError,
    payload_hash,
)
from ordercycle.testing.contracts import item_added


@pytest.mark.parametrize("path", [":memory:", "", "file:shop.db?mode=memory"])
def test_sqlite_needs_a_file_path(path: str) -> None:
    with pytest.raises(ValidationError, match="MemoryStorage"):
        SQLiteStorage(path)


@pytest.mark.parametrize("timeout", [-1, True, "5"])
def test_sqlite_busy_timeout_must_be_seconds(tmp_path: Path, timeout: object) -> None:
    with pytest.raises(ValidationError, match="busy_timeout"):
        SQLiteStorage(tmp_path / "db", busy_timeout=timeout)  # type: ignore[arg-type]
    assert not (tmp_path / "db").exists()


def test_sqlite_uses_wal_mode(tmp_path: Path) -> None:
    import sqlite3

    SQLiteStorage(tmp_path / "db").close()
    with sqlite3.connect(tmp_path / "db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_writer_that_cannot_get_the_lock_in_time_gets_a_storage_error(tmp_path: Path) -> None:
    holder = SQLiteStorage(tmp_path / "db")
    impatient = SQLiteStorage(tmp_path / "db", busy_timeout=0)
    with holder.unit_of_work() as uow:
        uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
        with pytest.raises(StorageError, match="locked"):
            impatient.unit_of_work().__enter__()
    with impatient.unit_of_work() as uow:
        assert uow.events.version("order", "O-1") == 1
    holder.close()
    impatient.close()


def test_closed_storages_refuse_new_units_of_work(tmp_path: Path) -> None:
    memory = MemoryStorage()
    memory.close()
    with pytest.raises(UnitOfWorkError, match="closed"):
        memory.unit_of_work()
    with SQLiteStorage(tmp_path / "db") as sqlite:
        pass
    with pytest.raises(UnitOfWorkError, match="closed"), sqlite.unit_of_work():
        pass  # pragma: no cover


def test_memory_commit_fails_whole_when_another_commit_moved_a_stream() -> None:
    storage = MemoryStorage()
    first, second = storage.unit_of_work(), storage.unit_of_work()
    with first:
        first.events.append("stock", "MUG", [item_added("MUG", 1)], expected_version=0)
        with second:
            second.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
            second.events.append("stock", "MUG", [item_added("MUG", 1)], expected_version=0)
            first.commit()
            with pytest.raises(ConcurrencyError, match=r"stock 'MUG'.*found version 1"):
                second.commit()
    with storage.unit_of_work() as uow:
        assert uow.events.version("order", "O-1") == 0
        assert [m.aggregate_id for m in uow.outbox.read()] == ["MUG"]


def test_memory_condition_without_events_is_checked_at_commit() -> None:
    storage = MemoryStorage()
    planner, other = storage.unit_of_work(), storage.unit_of_work()
    with planner:
        planner.events.append("stock", "MUG", [], expected_version=0)
        planner.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
        with other:
            other.events.append("stock", "MUG", [item_added("MUG", 1)], expected_version=0)
        with pytest.raises(ConcurrencyError, match="stock 'MUG'"):
            planner.commit()
    with storage.unit_of_work() as uow:
        assert uow.events.aggregate_ids("order") == ()


def test_memory_command_recorded_twice_concurrently_fails_at_commit() -> None:
    storage = MemoryStorage()
    first, second = storage.unit_of_work(), storage.unit_of_work()
    with first, second:
        first.commands.record("cmd-1", payload_hash(1), "first")
        second.commands.record("cmd-1", payload_hash(1), "second")
        first.commit()
        with pytest.raises(ConcurrencyError, match="command 'cmd-1'"):
            second.commit()
    with storage.unit_of_work() as uow:
        record = uow.commands.find("cmd-1", payload_hash(1))
        assert record is not None
        assert record.result == "first"


def test_postgres_refuses_bad_arguments_before_connecting() -> None:
    with pytest.raises(ValidationError, match="dsn"):
        PostgresStorage("  ")
    with pytest.raises(ValidationError, match="schema"):
        PostgresStorage("postgresql://localhost/x", schema="Bad-Name")


def test_postgres_without_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependencyError, match=r"ordercycle\[postgres\]") as caught:
        PostgresStorage("postgresql://localhost/x")
    assert (caught.value.package, caught.value.extra) == ("psycopg", "postgres")


def test_postgres_unreachable_server_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="Cannot connect"):
        PostgresStorage("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_storage_errors_pickle_with_their_attributes() -> None:
    mismatch = CommandPayloadMismatchError("cmd-1", "a" * 64, "b" * 64)
    again = pickle.loads(pickle.dumps(mismatch))
    assert isinstance(again, DuplicateError)
    assert (again.command_id, again.stored_hash, again.given_hash) == ("cmd-1", "a" * 64, "b" * 64)
    assert str(again) == str(mismatch)
    recorded = pickle.loads(pickle.dumps(CommandAlreadyRecordedError("cmd-2")))
    assert recorded.command_id == "cmd-2"
    assert "uow.commands.find" in str(recorded)


def test_a_stored_event_of_an_unknown_type_is_a_serialization_error(tmp_path: Path) -> None:
    import sqlite3

    from ordercycle.errors import SerializationError
    from ordercycle.storage._chain import event_hash

    storage = SQLiteStorage(tmp_path / "db")
    payload = '{"type": "Ghost", "aggregate_id": "O-1"}'
    # A well-chained row (not tampering): a type this code does not know.
    digest = event_hash("", "order", "O-1", 1, "Ghost", payload)
    with sqlite3.connect(tmp_path / "db") as connection:
        connection.execute(
            "INSERT INTO ordercycle_events VALUES ('order', 'O-1', 1, 'Ghost', ?, ?)",
            (payload, digest),
        )
    with storage.unit_of_work() as uow:
        assert uow.events.version("order", "O-1") == 1
        with pytest.raises(SerializationError, match="Ghost"):
            uow.events.load("order", "O-1")
    storage.close()
