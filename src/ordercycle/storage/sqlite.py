"""The SQLite adapter: one database file, the embedded default for persistence.

It uses only the standard library's :mod:`sqlite3`. The file is put in WAL mode (readers
never block the writer), every unit of work starts with ``BEGIN IMMEDIATE`` (so writers
queue for the one write lock instead of failing halfway), and a busy timeout makes them
wait rather than error. Several threads and several OS processes may open the same file:
writes are serialized by SQLite's lock, and a write planned against a version that has
since moved on raises :class:`~ordercycle.errors.ConcurrencyError`.

The schema is created and migrated on open (see :mod:`ordercycle.storage.migrations`);
opening a file whose schema is current takes no lock.

>>> import tempfile, pathlib
>>> from ordercycle.storage import SQLiteStorage
>>> folder = tempfile.TemporaryDirectory()
>>> storage = SQLiteStorage(pathlib.Path(folder.name) / "shop.db")
>>> storage.schema_version
4
>>> with storage.unit_of_work() as uow:
...     uow.outbox.last_position()
0
>>> storage.close(); folder.cleanup()
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from ordercycle.errors import StorageError, ValidationError
from ordercycle.storage._closing import ClosingStorage
from ordercycle.storage._sql import (
    CHECKPOINTS,
    COMMANDS,
    EVENTS,
    HASH_COLUMNS,
    OUTBOX,
    SNAPSHOTS,
    ConnectionPool,
    SqlUnitOfWork,
    chain_stored_rows,
    migrate,
    view_tables,
)
from ordercycle.storage.errors import UnitOfWorkError
from ordercycle.storage.migrations import Migration

__all__ = ["SQLITE_MIGRATIONS", "SQLiteStorage", "SQLiteUnitOfWork"]

#: The SQLite schema's history; the last entry's version is the current schema version.
SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        name="events, outbox and consumer checkpoints",
        statements=(
            f"CREATE TABLE {EVENTS} (kind TEXT NOT NULL, aggregate_id TEXT NOT NULL,"
            " version INTEGER NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL,"
            " PRIMARY KEY (kind, aggregate_id, version)) WITHOUT ROWID",
            f"CREATE TABLE {OUTBOX} (position INTEGER PRIMARY KEY AUTOINCREMENT,"
            " kind TEXT NOT NULL, aggregate_id TEXT NOT NULL, version INTEGER NOT NULL,"
            " event_type TEXT NOT NULL, payload TEXT NOT NULL)",
            f"CREATE TABLE {CHECKPOINTS} (consumer TEXT PRIMARY KEY, position INTEGER NOT NULL)",
        ),
    ),
    Migration(
        version=2,
        name="snapshots and processed commands",
        statements=(
            f"CREATE TABLE {SNAPSHOTS} (kind TEXT NOT NULL, aggregate_id TEXT NOT NULL,"
            " version INTEGER NOT NULL, payload TEXT NOT NULL,"
            " PRIMARY KEY (kind, aggregate_id, version)) WITHOUT ROWID",
            f"CREATE TABLE {COMMANDS} (command_id TEXT PRIMARY KEY,"
            " payload_hash TEXT NOT NULL, result TEXT NOT NULL)",
        ),
    ),
    Migration(
        version=3,
        name="hash chains of events and snapshots",
        statements=HASH_COLUMNS,
        run=chain_stored_rows,
    ),
    Migration(
        version=4,
        name="read-model rows and their terms",
        statements=view_tables(" WITHOUT ROWID"),
    ),
)


class SQLiteStorage(ClosingStorage):
    """Storage in one SQLite file; see the module docstring.

    Args:
        path: The database file (created if missing). ``":memory:"`` is refused: use
            :class:`~ordercycle.storage.memory.MemoryStorage` instead.
        busy_timeout: Seconds a writer waits for the write lock before failing with
            :class:`~ordercycle.errors.StorageError`.
        migrate_upto: Stop migrating at this schema version (for tests of migrations).

    Attributes:
        schema_version: The schema version recorded in the database after opening it
            (the newest of :attr:`migrations` unless ``migrate_upto`` stopped earlier).

    Raises:
        SchemaVersionError: The file's schema is newer than this code.
        StorageError: The file cannot be opened or is not an SQLite database.
    """

    #: The migrations this adapter applies, in order; the last one's version is the
    #: newest schema it knows (:attr:`schema_version` after opening a current database).
    migrations: ClassVar[tuple[Migration, ...]] = SQLITE_MIGRATIONS

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 30.0,
        migrate_upto: int | None = None,
    ) -> None:
        text = os.fspath(path)
        if not text or text == ":memory:" or text.startswith("file:"):
            raise ValidationError.invalid(
                "SQLiteStorage", "path", text, "a file path (use MemoryStorage for memory)"
            )
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, int | float):
            raise ValidationError.invalid(
                "SQLiteStorage", "busy_timeout", busy_timeout, "a number of seconds >= 0"
            )
        if busy_timeout < 0:
            raise ValidationError.invalid(
                "SQLiteStorage", "busy_timeout", busy_timeout, "a number of seconds >= 0"
            )
        self.path = Path(text)
        self.busy_timeout = float(busy_timeout)
        self._where = f"SQLite database {text!r}"
        self._pool: ConnectionPool[sqlite3.Connection] = ConnectionPool(
            self._connect, _close, where=self._where
        )
        self.schema_version = self._migrate(migrate_upto)

    def __repr__(self) -> str:
        return f"SQLiteStorage({str(self.path)!r})"

    def unit_of_work(self) -> SQLiteUnitOfWork:
        """Return a new unit of work; it begins (``BEGIN IMMEDIATE``) when entered."""
        return SQLiteUnitOfWork(self._where, self._pool)

    def reading(self) -> SQLiteUnitOfWork:
        """Return a new read-only unit of work: ``BEGIN DEFERRED``, so no write lock.

        In WAL mode it reads one snapshot of the file (from its first read on) while
        writers go on committing, and it refuses every write.
        """
        return SQLiteUnitOfWork(self._where, self._pool, read_only=True)

    def close(self) -> None:
        """Close every pooled connection; new units of work are refused."""
        self._pool.close()

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()
            connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as error:
            raise StorageError(f"Cannot open {self._where}: {error}.") from error
        if mode is None or str(mode[0]).lower() != "wal":
            connection.close()
            raise StorageError(f"Cannot put {self._where} in WAL mode (got {mode!r}).")
        return connection

    def _migrate(self, upto: int | None) -> int:
        return migrate(
            self._connect(),
            self.migrations,
            where=self._where,
            begin="BEGIN IMMEDIATE",
            driver_error=sqlite3.Error,
            upto=upto,
        )


class SQLiteUnitOfWork(SqlUnitOfWork[sqlite3.Connection]):
    """A unit of work of :class:`SQLiteStorage` (one ``BEGIN IMMEDIATE`` transaction)."""

    # The one writer's head reads hold until its commit: appends can wait for it.
    buffers_appends = True

    def __repr__(self) -> str:
        return f"<SQLiteUnitOfWork ({self._state})>"

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        # SqlUnitOfWork._run without the dialect's steps: sqlite3 takes the "?" markers
        # the statements are written with, and any sequence of parameters.
        connection = self._connection
        if connection is None:
            raise UnitOfWorkError(f"Cannot run a statement on {self._where}: no transaction.")
        try:
            cursor = connection.execute(sql, params)
            # fetchall() gives a new list: no copy of it.
            return cursor.fetchall() if cursor.description is not None else []
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _begin_sql(self) -> str:
        # A writer queues for the write lock at once; a reader takes none.
        return "BEGIN DEFERRED" if self.read_only else "BEGIN IMMEDIATE"

    def _driver_error(self) -> type[BaseException]:
        return sqlite3.Error

    def _is_unique_violation(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.IntegrityError)


def _close(connection: sqlite3.Connection) -> None:
    connection.close()
