"""Issue 14, case 6: opening storage whose schema is current takes no lock.

Opening used to run the migrations in an exclusive transaction every time, so a second
process could not even open a SQLite file while a writer held its lock ("Cannot migrate
... database is locked"). Now the schema version is read first and the lock is taken only
when a migration step is due.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from ordercycle.storage import PostgresStorage, SQLiteStorage
from ordercycle.testing.contracts import item_added

_OPEN_AND_READ = """
import sys, time
from ordercycle.storage import SQLiteStorage
started = time.monotonic()
storage = SQLiteStorage(sys.argv[1], busy_timeout=0.3)
with storage.reading() as reader:
    print(reader.events.version("order", "O-1"), storage.schema_version)
storage.close()
print(round(time.monotonic() - started, 3))
"""


def test_another_process_opens_and_reads_a_sqlite_file_while_a_writer_holds_the_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.db"
    storage = SQLiteStorage(path)
    with storage.unit_of_work() as uow:
        uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
    with storage.unit_of_work() as uow:  # the write lock is held for the whole block
        uow.events.append("order", "O-1", [item_added("O-1", 2)], expected_version=1)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        done = subprocess.run(
            [sys.executable, "-c", _OPEN_AND_READ, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        # It read the last committed state (version 1), not the pending write.
        assert done.stdout.split("\n")[0] == f"1 {storage.schema_version}"
    storage.close()


def test_a_sqlite_file_that_needs_a_migration_still_waits_for_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SQLiteStorage(path, migrate_upto=2).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="locked"):
            SQLiteStorage(path, busy_timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert SQLiteStorage(path).schema_version == 4


def test_opening_a_current_postgres_schema_takes_no_lock(postgres_dsn: str) -> None:
    import psycopg

    schema = f"oc_open_{uuid.uuid4().hex[:16]}"
    PostgresStorage(postgres_dsn, schema=schema).close()
    holder = psycopg.connect(postgres_dsn, autocommit=True)
    try:
        holder.execute("BEGIN")
        # The lock that migrations take, held as a migrating process would.
        holder.execute("SELECT pg_advisory_xact_lock(731101, hashtext(%s))", (schema,))
        opened: list[object] = []
        thread = threading.Thread(
            target=lambda: opened.append(PostgresStorage(postgres_dsn, schema=schema)),
            daemon=True,
        )
        thread.start()
        thread.join(10)
        assert opened, "opening a current schema waited for the migration lock"
        storage = opened[0]
        assert isinstance(storage, PostgresStorage)
        with storage.reading() as reader:
            assert reader.events.version("order", "O-1") == 0
        storage.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
