"""Deliberately broken adapters: each breaks one promise of the storage ports.

``tests/contract/test_contract_mutants.py`` runs the shipped contract suite
(:mod:`ordercycle.testing.contracts`) against every one of them and fails unless each is
caught. A mutant is a small subclass of the memory, SQLite or PostgreSQL adapter; its
docstring says which promise it breaks. :data:`MUTANTS` lists them with the contract
classes that apply (the suite runs those, in order, and stops at the first failure).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import attrs

from ordercycle.errors import StorageError
from ordercycle.storage import MemoryStorage, PostgresStorage, SQLiteStorage
from ordercycle.storage._sql import SqlUnitOfWork
from ordercycle.storage._unit import EventRow, OutboxRow, StoredRow, _Projections
from ordercycle.storage.errors import (
    CommandConflictError,
    SchemaVersionError,
    StreamConflictError,
)
from ordercycle.storage.memory import MemoryUnitOfWork, _Stored
from ordercycle.storage.migrations import SCHEMA_TABLE
from ordercycle.storage.postgres import PostgresUnitOfWork
from ordercycle.storage.sqlalchemy import SQLAlchemyStorage, SQLAlchemyUnitOfWork
from ordercycle.storage.sqlite import SQLiteUnitOfWork
from ordercycle.storage.views import ViewQuery, ViewRow

# --- memory ---------------------------------------------------------------------------------


class _MemoryMutant(MemoryStorage):
    """A memory storage whose units of work are of class :attr:`unit`."""

    unit: type[MemoryUnitOfWork] = MemoryUnitOfWork

    def unit_of_work(self) -> MemoryUnitOfWork:
        return self.unit(self._lock, self._state, roundtrip=self.roundtrip)

    def reading(self) -> MemoryUnitOfWork:
        return self.unit(self._lock, self._state, roundtrip=self.roundtrip, read_only=True)


def _memory(unit: type[MemoryUnitOfWork]) -> type[MemoryStorage]:
    return type(f"Memory{unit.__name__}", (_MemoryMutant,), {"unit": unit})


class NoVersionCheckAtCommit(MemoryUnitOfWork):
    """Commit does not check that the streams are still where they were appended to."""

    def _tx_commit(self) -> None:
        with self._lock:
            for key in self._bases:
                self._bases[key] = len(self._shared.streams.get(key, ()))
        super()._tx_commit()


class EmptyAppendNotRechecked(MemoryUnitOfWork):
    """An empty append checks the version now, but not again at commit."""

    def _stage(
        self,
        kind: str,
        aggregate_id: str,
        expected_version: int,
        rows: Sequence[tuple[int, str, _Stored]],
    ) -> None:
        if rows:
            super()._stage(kind, aggregate_id, expected_version, rows)
            return
        current = self._tx_version(kind, aggregate_id)
        if current != expected_version:
            raise StreamConflictError(kind, aggregate_id, expected_version, current)


class CommandNotCheckedAtCommit(MemoryUnitOfWork):
    """A command id recorded concurrently overwrites the winner's record at commit."""

    def _tx_commit(self) -> None:
        pending = dict(self._new_commands)
        self._new_commands.clear()
        super()._tx_commit()
        with self._lock:
            self._shared.commands.update(pending)


class LatestIgnoresOwnSnapshot(MemoryUnitOfWork):
    """``latest()`` returns the committed snapshot, ignoring one saved in this unit of work."""

    def _tx_latest_snapshot(self, kind: str, aggregate_id: str) -> tuple[int, str] | None:
        with self._lock:
            return self._shared.snapshots.get((kind, aggregate_id))


class OwnEventsFirst(MemoryUnitOfWork):
    """``load`` after an append returns the new events before the committed ones."""

    def _stored(self, kind: str, aggregate_id: str, after_version: int) -> list[_Stored]:
        key = (kind, aggregate_id)
        if key not in self._bases:
            return super()._stored(kind, aggregate_id, after_version)
        base = self._bases[key]
        staged = self._new_events.get(key, [])
        own = staged[max(after_version - base, 0) :]
        return own + self._committed(key, after_version, base)


class PartialCommit(MemoryUnitOfWork):
    """Commit writes stream after stream: those before a conflicting stream stay written."""

    def _tx_commit(self) -> None:
        shared = self._shared
        with self._lock:
            for command_id in sorted(self._new_commands):
                if command_id in shared.commands:
                    raise CommandConflictError(command_id)
            for key, base in sorted(self._bases.items()):
                actual = len(shared.streams.get(key, ()))
                if actual != base:
                    raise StreamConflictError(*key, base, actual)
                shared.streams.setdefault(key, []).extend(self._new_events.get(key, []))
            for kind, aggregate_id, version, event_type, payload in self._new_outbox:
                position = len(shared.outbox) + 1
                shared.outbox.append((position, kind, aggregate_id, version, event_type, payload))
            for (kind, aggregate_id, version), payload in self._new_snapshots.items():
                kept = shared.snapshots.get((kind, aggregate_id))
                if kept is None or kept[0] <= version:
                    shared.snapshots[(kind, aggregate_id)] = (version, payload)
            shared.commands.update(self._new_commands)
            shared.checkpoints.update(self._new_checkpoints)
        self._tx_rollback()


class OutboxNotWritten(MemoryUnitOfWork):
    """Appended events never reach the outbox."""

    def _stage(
        self,
        kind: str,
        aggregate_id: str,
        expected_version: int,
        rows: Sequence[tuple[int, str, _Stored]],
    ) -> None:
        before = len(self._new_outbox_rows)
        super()._stage(kind, aggregate_id, expected_version, rows)
        del self._new_outbox_keys[before:]
        del self._new_outbox_rows[before:]


class OutboxWrittenTwice(MemoryUnitOfWork):
    """Every appended event reaches the outbox twice."""

    def _stage(
        self,
        kind: str,
        aggregate_id: str,
        expected_version: int,
        rows: Sequence[tuple[int, str, _Stored]],
    ) -> None:
        before = len(self._new_outbox_rows)
        super()._stage(kind, aggregate_id, expected_version, rows)
        self._new_outbox_keys.extend(self._new_outbox_keys[before:])
        self._new_outbox_rows.extend(self._new_outbox_rows[before:])


class LostLastEvent(MemoryUnitOfWork):
    """An append of several events loses the last one."""

    def _stage(
        self,
        kind: str,
        aggregate_id: str,
        expected_version: int,
        rows: Sequence[tuple[int, str, _Stored]],
    ) -> None:
        super()._stage(kind, aggregate_id, expected_version, rows[:-1] if len(rows) > 1 else rows)


class DirtyWrites(MemoryUnitOfWork):
    """Appends go straight to the shared state: others see them, rollback keeps them."""

    def _stage(
        self,
        kind: str,
        aggregate_id: str,
        expected_version: int,
        rows: Sequence[tuple[int, str, _Stored]],
    ) -> None:
        current = self._tx_version(kind, aggregate_id)
        if current != expected_version:
            raise StreamConflictError(kind, aggregate_id, expected_version, current)
        with self._lock:
            shared = self._shared
            for version, event_type, payload in rows:
                shared.streams.setdefault((kind, aggregate_id), []).append(payload)
                position = len(shared.outbox) + 1
                shared.outbox.append((position, kind, aggregate_id, version, event_type, payload))


class CheckpointNotCommitted(MemoryUnitOfWork):
    """Saved checkpoints are seen in the unit of work but dropped at commit."""

    def _tx_commit(self) -> None:
        self._new_checkpoints.clear()
        super()._tx_commit()


class WritableReader(MemoryUnitOfWork):
    """A read-only unit of work (``storage.reading()``) accepts writes."""

    def require_writable(self, action: str) -> None:
        self.require_active(action)


# --- SQLite ----------------------------------------------------------------------------------


class _SQLiteMutant(SQLiteStorage):
    """An SQLite storage whose units of work are of class :attr:`unit`."""

    unit: type[SQLiteUnitOfWork] = SQLiteUnitOfWork

    def unit_of_work(self) -> SQLiteUnitOfWork:
        return self.unit(self._where, self._pool)

    def reading(self) -> SQLiteUnitOfWork:
        return self.unit(self._where, self._pool, read_only=True)


def _sqlite(unit: type[SQLiteUnitOfWork]) -> type[SQLiteStorage]:
    return type(f"SQLite{unit.__name__}", (_SQLiteMutant,), {"unit": unit})


class ReaderTakesWriteLock(SQLiteUnitOfWork):
    """A reader begins with ``BEGIN IMMEDIATE``: it takes the write lock."""

    def _begin_sql(self) -> str:
        return "BEGIN IMMEDIATE"


class DeferredWriters(SQLiteUnitOfWork):
    """A writer begins with ``BEGIN DEFERRED``: it plans on a snapshot others may move."""

    def _begin_sql(self) -> str:
        return "BEGIN DEFERRED"


class NoKindFilter(SQLiteUnitOfWork):
    """``aggregate_ids(kind)`` lists the ids of every kind."""

    def _tx_ids(self, kind: str) -> list[str]:
        rows = self._run("SELECT DISTINCT aggregate_id FROM ordercycle_events ORDER BY 1")
        return [str(row[0]) for row in rows]


class CommitOnException(SQLiteUnitOfWork):
    """Leaving the ``with`` block with an exception commits instead of rolling back."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(None, None, None)


class NoVersionCheckAtAppend(SQLiteUnitOfWork):
    """``append`` inserts without comparing the stream's version to ``expected_version``."""

    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        for version, event_type, payload in rows:
            for table in ("ordercycle_events", "ordercycle_outbox"):
                self._run(
                    f"INSERT INTO {table} (kind, aggregate_id, version, event_type, payload)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (kind, aggregate_id, version, event_type, payload),
                )


class OutboxReadsFromAfter(SQLiteUnitOfWork):
    """``outbox.read(after=p)`` includes position ``p`` itself."""

    def _tx_outbox(self, after: int, limit: int) -> Any:
        return super()._tx_outbox(max(after - 1, 0), limit)


class OldestSnapshot(SQLiteUnitOfWork):
    """``latest()`` returns the oldest snapshot, not the newest."""

    def _tx_latest_snapshot(self, kind: str, aggregate_id: str) -> tuple[int, str] | None:
        rows = self._run(
            "SELECT version, payload FROM ordercycle_snapshots WHERE kind = ?"
            " AND aggregate_id = ? ORDER BY version LIMIT 1",
            (kind, aggregate_id),
        )
        return (int(rows[0][0]), str(rows[0][1])) if rows else None


class LoadIgnoresAfterVersion(SQLiteUnitOfWork):
    """``load(after_version=n)`` returns the whole stream."""

    def _tx_rows(self, kind: str, aggregate_id: str, from_version: int) -> list[StoredRow]:
        return super()._tx_rows(kind, aggregate_id, 0)


class CommandResultNotStored(SQLiteUnitOfWork):
    """A recorded command is stored without its result (``null``)."""

    def _tx_record_command(self, command_id: str, payload_hash: str, result: str) -> None:
        super()._tx_record_command(command_id, payload_hash, "null")


class MigrationsNotRecorded(SQLiteStorage):
    """The schema is created but its version is not recorded: the next open migrates again."""

    def _migrate(self, upto: int | None) -> int:
        version = super()._migrate(upto)
        connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            connection.execute(f"DELETE FROM {SCHEMA_TABLE}")
        finally:
            connection.close()
        return version


class NewerSchemaIgnored(SQLiteStorage):
    """A database whose schema is newer than the code is opened anyway, not refused."""

    def _migrate(self, upto: int | None) -> int:
        try:
            return super()._migrate(upto)
        except SchemaVersionError as error:
            return error.supported


# --- PostgreSQL -------------------------------------------------------------------------------


class ReadsPastInFlightWriters(PostgresUnitOfWork):
    """Readers ignore the transaction horizon: a message whose transaction commits late
    appears below a position a consumer has already seen (and passed)."""

    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]:
        return SqlUnitOfWork._tx_outbox(self, after, limit)

    def _tx_last_position(self) -> int:
        return SqlUnitOfWork._tx_last_position(self)


class PostgresReadsPastInFlightWriters(PostgresStorage):
    """A PostgreSQL storage whose outbox readers ignore the horizon."""

    def unit_of_work(self) -> PostgresUnitOfWork:
        return ReadsPastInFlightWriters(self._where, self._pool, self.schema or "public")


class EmptyAppendUnlocked(PostgresUnitOfWork):
    """An empty append reads the stream's head without locking the stream."""

    def _tx_checked_head(self, kind: str, aggregate_id: str) -> int:
        self._heads.pop((kind, aggregate_id), None)
        return self._tx_head(kind, aggregate_id)[0]


class PostgresEmptyAppendUnlocked(PostgresStorage):
    """A PostgreSQL storage whose empty appends take no stream lock."""

    def unit_of_work(self) -> PostgresUnitOfWork:
        return EmptyAppendUnlocked(self._where, self._pool, self.schema or "public")


# --- the SQLAlchemy adapter (run when the sqlalchemy extra is installed) ---------------------


class SqlaNoWriterLock(SQLAlchemyUnitOfWork):
    """SQLAlchemy: writers skip the writer-lock row, so positions need not follow commits."""

    def _before_write(self) -> None:
        pass


class SqlaNoSavepoint(SQLAlchemyUnitOfWork):
    """SQLAlchemy: writes run without a savepoint, so a failed one aborts the transaction.

    Not in :data:`MUTANTS`: behind the writer lock no adapter write fails, so only a
    writer that bypasses the lock shows it, which no contract can stage portably.
    ``test_contract_sqlalchemy.py`` kills it with such a writer on PostgreSQL.
    """

    def _guarded(self, action: Callable[[], None], conflict: Callable[[], Exception]) -> None:
        try:
            action()
        except StorageError as error:
            if isinstance(error.__cause__, self._sa.exc.IntegrityError):
                raise conflict() from error.__cause__
            raise


class _UnguardedProjections(_Projections):
    def put(self, row: ViewRow) -> bool:
        self._uow.require_writable("put a view row")
        self._uow._tx_view_put(row)  # no look at the stored row's version
        return True


class SqlaUnguardedViewPut(SQLAlchemyUnitOfWork):
    """SQLAlchemy: a view row's put ignores the version guard (an older row replaces it)."""

    @property
    def projections(self) -> _UnguardedProjections:
        return _UnguardedProjections(self)


class SqlaFirstTermOnly(SQLAlchemyUnitOfWork):
    """SQLAlchemy: a view query checks its first term only (rows failing another are listed)."""

    def _tx_view_find(self, query: ViewQuery) -> list[ViewRow]:
        return super()._tx_view_find(attrs.evolve(query, where=query.where[:1]))


class _SqlaMutant(SQLAlchemyStorage):
    unit: type[SQLAlchemyUnitOfWork] = SQLAlchemyUnitOfWork

    def unit_of_work(self) -> SQLAlchemyUnitOfWork:
        return self.unit(self)


def _sqla(unit: type[SQLAlchemyUnitOfWork]) -> type[SQLAlchemyStorage]:
    return type(f"Sqla{unit.__name__}", (_SqlaMutant,), {"unit": unit})


class SqlaDeferredWriters(SQLAlchemyStorage):
    """SQLAlchemy on SQLite: writers begin ``DEFERRED``, planning on a snapshot others move."""

    def _connect(self, *, read_only: bool = False) -> Any:
        connection = super()._connect(read_only=read_only)
        return connection.execution_options(ordercycle_read_only=True)


# --- the list ---------------------------------------------------------------------------------


@attrs.frozen
class Mutant:
    """One broken adapter and the contract classes that apply to it, in the order run."""

    name: str
    adapter: str  # "memory", "sqlite", "postgres", "sqlalchemy-sqlite" or "sqlalchemy-postgres"
    storage: Callable[..., Any]
    contracts: tuple[str, ...]
    tests: tuple[str, ...] = ()  # run only these tests (names), if given

    @property
    def promise(self) -> str:
        """The promise it breaks (its class's docstring)."""
        cls = getattr(self.storage, "unit", self.storage)
        return str(cls.__doc__).split("\n")[0]


# Every single-process contract; the ones that wait for threads last.
_SINGLE = (
    "ReadYourWritesContract",
    "UnitOfWorkContract",
    "AggregateStoreContract",
    "SnapshotContract",
    "CommandLogContract",
    "OutboxContract",
    "InterleavingContract",
    "ThreadConcurrencyContract",
)
_READING = ("ReadingContract", *_SINGLE)

MUTANTS: tuple[Mutant, ...] = (
    Mutant("memory-no-version-check-at-commit", "memory", _memory(NoVersionCheckAtCommit), _SINGLE),
    Mutant(
        "memory-empty-append-not-rechecked", "memory", _memory(EmptyAppendNotRechecked), _SINGLE
    ),
    Mutant(
        "memory-command-not-checked-at-commit",
        "memory",
        _memory(CommandNotCheckedAtCommit),
        _SINGLE,
    ),
    Mutant(
        "memory-latest-ignores-own-snapshot", "memory", _memory(LatestIgnoresOwnSnapshot), _SINGLE
    ),
    Mutant("memory-own-events-first", "memory", _memory(OwnEventsFirst), _SINGLE),
    Mutant("memory-partial-commit", "memory", _memory(PartialCommit), _SINGLE),
    Mutant("memory-outbox-not-written", "memory", _memory(OutboxNotWritten), _SINGLE),
    Mutant("memory-outbox-written-twice", "memory", _memory(OutboxWrittenTwice), _SINGLE),
    Mutant("memory-lost-last-event", "memory", _memory(LostLastEvent), _SINGLE),
    Mutant("memory-dirty-writes", "memory", _memory(DirtyWrites), _SINGLE),
    Mutant("memory-checkpoint-not-committed", "memory", _memory(CheckpointNotCommitted), _SINGLE),
    Mutant("memory-writable-reader", "memory", _memory(WritableReader), _READING),
    Mutant("sqlite-reader-takes-write-lock", "sqlite", _sqlite(ReaderTakesWriteLock), _READING),
    Mutant("sqlite-deferred-writers", "sqlite", _sqlite(DeferredWriters), _SINGLE),
    Mutant("sqlite-no-kind-filter", "sqlite", _sqlite(NoKindFilter), _SINGLE),
    Mutant("sqlite-commit-on-exception", "sqlite", _sqlite(CommitOnException), _SINGLE),
    Mutant("sqlite-no-version-check-at-append", "sqlite", _sqlite(NoVersionCheckAtAppend), _SINGLE),
    Mutant("sqlite-outbox-reads-from-after", "sqlite", _sqlite(OutboxReadsFromAfter), _SINGLE),
    Mutant("sqlite-oldest-snapshot", "sqlite", _sqlite(OldestSnapshot), _SINGLE),
    Mutant(
        "sqlite-load-ignores-after-version", "sqlite", _sqlite(LoadIgnoresAfterVersion), _SINGLE
    ),
    Mutant("sqlite-command-result-not-stored", "sqlite", _sqlite(CommandResultNotStored), _SINGLE),
    Mutant(
        "sqlite-migrations-not-recorded",
        "sqlite",
        MigrationsNotRecorded,
        ("ReopenContract", *_SINGLE),
    ),
    Mutant(
        "sqlite-newer-schema-ignored",
        "sqlite",
        NewerSchemaIgnored,
        ("SchemaContract",),
    ),
    Mutant(
        "postgres-reads-past-in-flight-writers",
        "postgres",
        PostgresReadsPastInFlightWriters,
        ("InterleavingContract", "ThreadConcurrencyContract"),
    ),
    Mutant(
        "postgres-empty-append-unlocked",
        "postgres",
        PostgresEmptyAppendUnlocked,
        ("InterleavingContract",),
    ),
    Mutant(
        "sqlalchemy-postgres-no-writer-lock",
        "sqlalchemy-postgres",
        _sqla(SqlaNoWriterLock),
        ("InterleavingContract", "ThreadConcurrencyContract"),
    ),
    Mutant(
        "sqlalchemy-sqlite-deferred-writers",
        "sqlalchemy-sqlite",
        SqlaDeferredWriters,
        ("InterleavingContract", "ThreadConcurrencyContract"),
    ),
    Mutant(
        "sqlalchemy-sqlite-unguarded-view-put",
        "sqlalchemy-sqlite",
        _sqla(SqlaUnguardedViewPut),
        ("ProjectionsContract",),
    ),
    Mutant(
        "sqlalchemy-postgres-first-term-only",
        "sqlalchemy-postgres",
        _sqla(SqlaFirstTermOnly),
        ("ProjectionsContract",),
    ),
)
