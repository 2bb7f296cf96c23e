"""Schemas are created and migrated on open; newer schemas are refused."""

from __future__ import annotations

import functools
import pickle
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ordercycle.errors import ConfigurationError, StorageError
from ordercycle.storage import SchemaVersionError, SQLiteStorage, payload_hash
from ordercycle.storage._codec import encode_event
from ordercycle.storage.migrations import SCHEMA_TABLE, Migration, check_migrations
from ordercycle.storage.sqlite import SQLITE_MIGRATIONS
from ordercycle.testing.contracts import SchemaContract, item_added


def schema_rows(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute(f"SELECT version, name FROM {SCHEMA_TABLE} ORDER BY 1"))


def test_a_new_file_gets_the_newest_schema(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "new.db")
    storage.close()
    assert storage.schema_version == len(SQLITE_MIGRATIONS) == 4
    assert schema_rows(tmp_path / "new.db") == [(m.version, m.name) for m in SQLITE_MIGRATIONS]


def test_an_old_database_is_migrated_on_open_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = SQLiteStorage(path, migrate_upto=1)
    assert old.schema_version == 1
    old.close()
    with sqlite3.connect(path) as connection:  # a row as schema 1 stored it (no hash)
        connection.execute(
            "INSERT INTO ordercycle_events VALUES ('order', 'O-1', 1, ?, ?)",
            (item_added("O-1", 1).event_type, encode_event(item_added("O-1", 1))),
        )
    assert [version for version, _ in schema_rows(path)] == [1]

    storage = SQLiteStorage(path)
    assert storage.schema_version == 4
    assert [version for version, _ in schema_rows(path)] == [1, 2, 3, 4]
    with storage.unit_of_work() as uow:
        assert uow.events.load("order", "O-1") == (item_added("O-1", 1),)
        uow.commands.record("cmd-1", payload_hash(1), "ok")  # a table from migration 2
    storage.close()


def test_opening_again_applies_nothing(tmp_path: Path) -> None:
    SQLiteStorage(tmp_path / "db").close()
    SQLiteStorage(tmp_path / "db").close()
    assert len(schema_rows(tmp_path / "db")) == 4


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SQLiteStorage(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute(f"INSERT INTO {SCHEMA_TABLE} VALUES (5, 'from the future')")
    with pytest.raises(SchemaVersionError, match="schema version 5") as caught:
        SQLiteStorage(path)
    assert "upgrade ordercycle" in str(caught.value)
    assert (caught.value.found, caught.value.supported) == (5, 4)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.found, str(copy)) == (5, str(caught.value))
    assert len(schema_rows(path)) == 5  # nothing changed


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just words " * 100)
    with pytest.raises(StorageError, match=r"notes\.txt"):
        SQLiteStorage(path)
    assert path.read_text().startswith("not a database")


def test_migration_lists_must_be_numbered_from_one() -> None:
    check_migrations(SQLITE_MIGRATIONS)
    with pytest.raises(ConfigurationError, match=r"\[1, 3\]"):
        check_migrations(
            [
                Migration(version=1, name="a", statements=()),
                Migration(version=3, name="c", statements=()),
            ]
        )


def test_migration_3_chains_the_rows_a_0_1_0_database_holds(tmp_path: Path) -> None:
    """The 0.1.0 fixture (schema 2, no hashes) is chained on open, then guarded like new data."""
    import shutil

    from ordercycle.storage import TamperedStreamError
    from ordercycle.testing.tampering import SqlTampering

    path = tmp_path / "story.db"
    shutil.copyfile(Path(__file__).parents[2] / "fixtures" / "story-0.1.0.db", path)
    assert [version for version, _ in schema_rows(path)] == [1, 2]
    storage = SQLiteStorage(path)
    assert storage.schema_version == 4
    with sqlite3.connect(path) as connection:
        streams = list(
            connection.execute("SELECT DISTINCT kind, aggregate_id FROM ordercycle_events")
        )
        assert connection.execute(
            "SELECT COUNT(*) FROM ordercycle_events WHERE hash IS NULL"
        ).fetchone() == (0,)
        snapshots = list(connection.execute("SELECT kind, aggregate_id FROM ordercycle_snapshots"))
    assert len(streams) > 10
    assert snapshots
    with storage.reading() as reader:
        for kind, aggregate_id in streams:
            assert reader.events.load(kind, aggregate_id)
        for kind, aggregate_id in snapshots:
            assert reader.snapshots.latest(kind, aggregate_id) is not None
    tampering = SqlTampering.sqlite(path)
    kind, aggregate_id = next((k, a) for k, a in streams if k == "stock")
    text = tampering.event_payload(kind, aggregate_id, 1)
    tampering.set_event_payload(kind, aggregate_id, 1, text.replace("1", "9", 1))
    with storage.reading() as reader, pytest.raises(TamperedStreamError, match="version 1"):
        reader.events.load(kind, aggregate_id)
    storage.close()


# --- steps as callables on the adapter's own connection -----------------------------------------

#: The version of a step added after the bundled ones.
NEXT = len(SQLITE_MIGRATIONS) + 1


def _add_audit_table(connection: sqlite3.Connection) -> None:
    connection.execute("CREATE TABLE shop_audit (note TEXT NOT NULL)")
    connection.execute("INSERT INTO shop_audit VALUES ('created by the next step')")


class AuditedSQLiteStorage(SQLiteStorage):
    """The bundled SQLite adapter with one more step, given as a callable."""

    migrations = (
        *SQLITE_MIGRATIONS,
        Migration(version=NEXT, name="an audit table", apply=_add_audit_table),
    )


def test_a_step_given_as_a_callable_runs_with_the_connection_and_is_recorded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audited.db"
    SQLiteStorage(path).close()  # a database as the bundled adapter leaves it
    storage = AuditedSQLiteStorage(path)
    storage.close()
    assert storage.schema_version == NEXT
    assert schema_rows(path)[-1] == (NEXT, "an audit table")
    with sqlite3.connect(path) as connection:
        notes = list(connection.execute("SELECT note FROM shop_audit"))
        assert notes == [("created by the next step",)]
    AuditedSQLiteStorage(path).close()  # current: the step does not run twice
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM shop_audit").fetchone() == (1,)
    with pytest.raises(SchemaVersionError) as caught:  # the bundled adapter is now too old
        SQLiteStorage(path)
    assert (caught.value.found, caught.value.supported) == (NEXT, NEXT - 1)


def test_a_failing_callable_step_records_nothing(tmp_path: Path) -> None:
    def broken(connection: sqlite3.Connection) -> None:
        connection.execute("CREATE TABLE half_done (x INTEGER)")
        raise sqlite3.OperationalError("disk on fire")

    class Broken(SQLiteStorage):
        migrations = (*SQLITE_MIGRATIONS, Migration(version=NEXT, name="broken", apply=broken))

    path = tmp_path / "broken.db"
    SQLiteStorage(path).close()
    with pytest.raises(StorageError, match="disk on fire"):
        Broken(path)
    assert [version for version, _ in schema_rows(path)] == list(range(1, NEXT))
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables


def test_a_callable_step_without_a_connection_is_a_configuration_error() -> None:
    from ordercycle.storage.migrations import apply_migrations

    step = Migration(version=1, name="metadata", apply=lambda connection: None)
    with pytest.raises(ConfigurationError) as caught:
        apply_migrations(lambda sql, params: [(0,)], [step], where="a test database")
    assert caught.value.field == "apply"


class TestACallableStepPassesTheSchemaContract(SchemaContract):
    """A schema extended by a callable step is recorded and checked like raw SQL steps."""

    @pytest.fixture
    def storage_opener(self, tmp_path: Path) -> Callable[[], SQLiteStorage]:
        return functools.partial(AuditedSQLiteStorage, tmp_path / "schema.db")
