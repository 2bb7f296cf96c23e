"""What the SQLite and PostgreSQL adapters share: a connection pool and SQL primitives.

Both drivers are used with autocommit on and explicit ``BEGIN``/``COMMIT``, so that the
adapter, not the driver, decides when transactions start. Queries are written with ``?``
parameters and translated to the driver's marker.
"""

from __future__ import annotations

import functools
import json
import threading
from abc import abstractmethod
from collections.abc import Callable, Collection, Sequence
from typing import Any, Generic, Protocol, TypeVar

from ordercycle.errors import ConcurrencyError, StorageError
from ordercycle.model.events import DomainEvent
from ordercycle.storage._chain import GENESIS, event_hash, snapshot_hash
from ordercycle.storage._codec import terms_json
from ordercycle.storage._unit import EventRow, OutboxRow, ProjectingUnitOfWork, StoredRow
from ordercycle.storage.errors import (
    CommandAlreadyRecordedError,
    CommandConflictError,
    StreamConflictError,
    UnitOfWorkError,
)
from ordercycle.storage.migrations import (
    SCHEMA_TABLE,
    Execute,
    Migration,
    apply_migrations,
    needs_migration,
)
from ordercycle.storage.records import OutboxMessage, Snapshot
from ordercycle.storage.views import ViewQuery, ViewRow

__all__ = [
    "HASH_COLUMNS",
    "VIEW_ROWS",
    "VIEW_TERMS",
    "ConnectionPool",
    "SqlUnitOfWork",
    "chain_stored_rows",
    "migrate",
    "view_tables",
]

C = TypeVar("C")

EVENTS = "ordercycle_events"
OUTBOX = "ordercycle_outbox"
CHECKPOINTS = "ordercycle_checkpoints"
SNAPSHOTS = "ordercycle_snapshots"
COMMANDS = "ordercycle_commands"

VIEW_ROWS = "ordercycle_view_rows"
VIEW_TERMS = "ordercycle_view_terms"

# The statements every command sends, made once: a text built per call is a new string,
# which the driver's statement cache (and psycopg's) must hash again.
_NEWEST_TWO = (
    f"SELECT version, event_type, payload, hash FROM {EVENTS}"
    " WHERE kind = ? AND aggregate_id = ? ORDER BY version DESC LIMIT 2"
)
_HEAD = (
    f"SELECT version, hash FROM {EVENTS} WHERE kind = ? AND aggregate_id = ?"
    " ORDER BY version DESC LIMIT 1"
)
_ROWS_FROM = (
    f"SELECT version, event_type, CASE WHEN version = ? THEN '' ELSE payload END,"
    f" hash FROM {EVENTS}"
    " WHERE kind = ? AND aggregate_id = ? AND version >= ? ORDER BY version"
)
_INSERT_EVENTS = (
    f"INSERT INTO {EVENTS} (kind, aggregate_id, version, event_type, payload,"
    " hash) VALUES (?, ?, ?, ?, ?, ?)"
)
_INSERT_MESSAGES = (
    f"INSERT INTO {OUTBOX} (kind, aggregate_id, version, event_type, payload)"
    " VALUES (?, ?, ?, ?, ?)"
)
_UPDATE_SAME_TERMS = (
    f"UPDATE {VIEW_ROWS} SET version = ?, data = ? WHERE view_name = ?"
    " AND row_key = ? AND version <= ? AND terms = ? AND sort_key = ?"
    " RETURNING version"
)
_DELETE_TERMS = f"DELETE FROM {VIEW_TERMS} WHERE view_name = ? AND row_key = ?"
_INSERT_NEW_VIEW_ROW = (
    f"INSERT INTO {VIEW_ROWS} (view_name, row_key, version, sort_key, terms, data)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (view_name, row_key) DO NOTHING RETURNING version"
)
#: A read-model row at a version up to this one is first tried as a new row (see
#: ``SqlUnitOfWork._tx_view_upsert``): a new order's row is at version 2 (drafted, placed).
NEW_ROW_VERSIONS = 2


@functools.lru_cache(maxsize=64)
def _insert_terms_sql(count: int) -> str:
    """The insert of ``count`` term rows in one statement."""
    values = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO {VIEW_TERMS} (view_name, field, value, sort_key, row_key) VALUES {values}"


#: A read-model row written only if the stored one is not newer (the row's version
#: decides, under its lock on PostgreSQL); returns the version when it was written.
UPSERT_NEWER_VIEW_ROW = (
    f"INSERT INTO {VIEW_ROWS} (view_name, row_key, version, sort_key, terms, data)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (view_name, row_key) DO UPDATE SET"
    " version = excluded.version, sort_key = excluded.sort_key,"
    " terms = excluded.terms, data = excluded.data"
    f" WHERE {VIEW_ROWS}.version <= excluded.version RETURNING version"
)


def view_tables(suffix: str = "") -> tuple[str, ...]:
    """Schema version 4 (``suffix`` is ``" WITHOUT ROWID"`` on SQLite): read-model rows.

    Rows are listed by ``(view_name, sort_key, row_key)``; each ``(field, value)`` term
    is a row of its own, keyed so that the rows of one term are read in ``(sort, key)``
    order, and indexed by key so that the other terms of a row are checked with one
    lookup each.
    """
    return (
        f"CREATE TABLE {VIEW_ROWS} (view_name TEXT NOT NULL, row_key TEXT NOT NULL,"
        " version BIGINT NOT NULL, sort_key TEXT NOT NULL, terms TEXT NOT NULL,"
        f" data TEXT NOT NULL, PRIMARY KEY (view_name, row_key)){suffix}",
        f"CREATE INDEX {VIEW_ROWS}_sort ON {VIEW_ROWS} (view_name, sort_key, row_key)",
        f"CREATE TABLE {VIEW_TERMS} (view_name TEXT NOT NULL, field TEXT NOT NULL,"
        " value TEXT NOT NULL, sort_key TEXT NOT NULL, row_key TEXT NOT NULL,"
        f" PRIMARY KEY (view_name, field, value, sort_key, row_key)){suffix}",
        f"CREATE INDEX {VIEW_TERMS}_key ON {VIEW_TERMS} (view_name, row_key, field, value)",
    )


#: Schema version 3 (both dialects): the hash columns of events and snapshots.
HASH_COLUMNS = (
    f"ALTER TABLE {EVENTS} ADD COLUMN hash TEXT",
    f"ALTER TABLE {SNAPSHOTS} ADD COLUMN hash TEXT",
)


def chain_stored_rows(execute: Execute, placeholder: str) -> None:
    """Migration step 3: compute the hash chain of every stored event and snapshot.

    Rows written before hashes existed (any 0.1.0 database) are chained as they are, so
    they keep opening; from then on every change outside the library is detected.
    """
    p = placeholder
    rows = execute(
        f"SELECT kind, aggregate_id, version, event_type, payload FROM {EVENTS}"
        " ORDER BY kind, aggregate_id, version",
        (),
    )
    hashes: dict[tuple[str, str, int], str] = {}
    stream: tuple[str, str] | None = None
    previous = GENESIS
    for kind, aggregate_id, version, event_type, payload in rows:
        if (kind, aggregate_id) != stream:
            stream, previous = (kind, aggregate_id), GENESIS
        digest = event_hash(previous, kind, aggregate_id, int(version), event_type, payload)
        execute(
            f"UPDATE {EVENTS} SET hash = {p}"
            f" WHERE kind = {p} AND aggregate_id = {p} AND version = {p}",
            (digest, kind, aggregate_id, version),
        )
        hashes[(kind, aggregate_id, int(version))] = previous = digest
    for kind, aggregate_id, version, payload in execute(
        f"SELECT kind, aggregate_id, version, payload FROM {SNAPSHOTS}", ()
    ):
        event = hashes.get((kind, aggregate_id, int(version)), GENESIS)
        execute(
            f"UPDATE {SNAPSHOTS} SET hash = {p}"
            f" WHERE kind = {p} AND aggregate_id = {p} AND version = {p}",
            (
                snapshot_hash(event, kind, aggregate_id, int(version), payload),
                kind,
                aggregate_id,
                version,
            ),
        )


class _Connection(Protocol):
    """What :func:`migrate` needs of a driver's connection (sqlite3 and psycopg have it)."""

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...

    def close(self) -> None: ...


def migrate(
    connection: _Connection,
    migrations: Sequence[Migration],
    *,
    where: str,
    begin: str,
    driver_error: type[BaseException],
    placeholder: str = "?",
    upto: int | None = None,
    prepare: Callable[[], None] | None = None,
) -> int:
    """Bring the schema up to date in one transaction of its own, then close ``connection``.

    The schema version is read first without a transaction: a current database is not
    locked at all (opening it never waits for, or blocks, a writer).

    Args:
        connection: A new connection in autocommit mode; closed on return. Steps with
            :attr:`Migration.apply` get it, inside the migration's transaction.
        migrations: The dialect's migrations (see :func:`apply_migrations`).
        where: How to name the database in errors.
        begin: The statement that starts an exclusive transaction, so that two processes
            opening the same database migrate it once.
        driver_error: The driver's base exception class, reported as a
            :class:`~ordercycle.errors.StorageError`.
        placeholder: The driver's parameter marker.
        upto: Stop at this version (tests use it to build old databases).
        prepare: Runs first inside the transaction (PostgreSQL takes its lock there).

    Returns:
        The schema version after.
    """

    def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cursor = connection.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description is not None else []

    try:
        try:
            found = int(execute(f"SELECT COALESCE(MAX(version), 0) FROM {SCHEMA_TABLE}", ())[0][0])
        except driver_error:
            found = -1  # no schema table yet (or unreadable): decide under the lock
        if found >= 0 and not needs_migration(found, migrations, where=where, upto=upto):
            return found
        try:
            connection.execute(begin)
            try:
                if prepare is not None:
                    prepare()
                _, after = apply_migrations(
                    execute,
                    migrations,
                    where=where,
                    placeholder=placeholder,
                    upto=upto,
                    connection=connection,
                )
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except driver_error as error:
            raise StorageError(f"Cannot migrate the {where}: {error}") from error
        return after
    finally:
        connection.close()


class ConnectionPool(Generic[C]):
    """Idle connections kept for reuse; new ones are opened when none is idle."""

    def __init__(
        self, connect: Callable[[], C], close: Callable[[C], None], *, where: str, keep: int = 8
    ) -> None:
        self._connect = connect
        self._close = close
        self._where = where
        self._keep = keep
        self._idle: list[C] = []
        self._lock = threading.Lock()
        self._closed = False

    def acquire(self) -> C:
        """Return an idle connection, or a new one."""
        with self._lock:
            if self._closed:
                raise UnitOfWorkError(
                    f"Cannot use {self._where}: the storage has been closed.",
                    reason=UnitOfWorkError.CLOSED,
                )
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def release(self, connection: C, *, healthy: bool = True) -> None:
        """Give a connection back (closing it if unhealthy, surplus or the pool is closed)."""
        with self._lock:
            if healthy and not self._closed and len(self._idle) < self._keep:
                self._idle.append(connection)
                return
        self._close(connection)

    def close(self) -> None:
        """Close every idle connection and refuse new ones."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            self._close(connection)


class SqlUnitOfWork(ProjectingUnitOfWork, Generic[C]):
    """A unit of work over a DB-API connection taken from a :class:`ConnectionPool`."""

    #: The driver's parameter marker.
    placeholder = "?"
    #: Appended to the subquery that checks a further term of a view query.
    term_check_suffix = ""
    #: Further terms of a view query are joined on the primary key (the planner may merge
    #: the terms' sorted entries) instead of checked one candidate at a time.
    terms_by_join = False
    #: At most how many rows of each term a view query counts to choose its driving term
    #: (``None``: :data:`PROBE_ROWS`).
    probe_rows: int | None = None
    #: A command id is recorded with one ``INSERT ... ON CONFLICT DO NOTHING``.
    records_by_insert = True
    #: Events this process appended are read back as the objects it appended.
    remembers_appended = True
    #: Events per multi-row ``INSERT`` (bounded by the drivers' parameter limits).
    batch_rows = 500
    #: Appends wait in the unit of work and go in at the commit, or before a read that
    #: must see them, as one ``executemany`` for the events of every stream and one for
    #: their outbox messages (:meth:`_flush`), instead of two statements per append. For
    #: an adapter whose head reads cannot go stale (SQLite's one writer holds its lock from
    #: ``BEGIN IMMEDIATE``): a stale head would surface only at the commit.
    buffers_appends = False

    def __init__(self, where: str, pool: ConnectionPool[C], *, read_only: bool = False) -> None:
        super().__init__(where, read_only=read_only)
        self._pool = pool
        self._connection: C | None = None
        # The head ``(version, hash)`` of each stream as this transaction last read or
        # wrote it: an append after a load needs no read of its own. Under READ COMMITTED
        # it may be stale; the primary key then refuses the insert (a conflict).
        self._heads: dict[tuple[str, str], tuple[int, str | None]] = {}
        # A conflict met after part of an append was inserted: the commit must fail.
        self._doomed: Exception | None = None
        # The newest two rows of each stream whose version was read: a read of the newest
        # event (a record's state) that follows needs no statement of its own.
        self._tops: dict[tuple[str, str], list[StoredRow]] = {}
        # Appended rows not inserted yet (buffers_appends), in append order, and the
        # version each of their streams was appended at first.
        self._pending: list[tuple[str, str, int, str, str, str]] = []
        self._pending_streams: dict[tuple[str, str], int] = {}

    # --- dialect hooks -------------------------------------------------------------------------

    @abstractmethod
    def _begin_sql(self) -> str:
        """The statement that starts a transaction."""

    @abstractmethod
    def _driver_error(self) -> type[BaseException]:
        """The driver's base exception class."""

    @abstractmethod
    def _is_unique_violation(self, error: BaseException) -> bool: ...

    def _is_conflict(self, error: BaseException) -> bool:
        """Whether a driver error means "a concurrent transaction won" (retry)."""
        return False

    # --- running statements ----------------------------------------------------------------------

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._connection is None:
            raise UnitOfWorkError(f"Cannot run a statement on {self._where}: no transaction.")
        if self.placeholder != "?":
            sql = sql.replace("?", self.placeholder)
        if type(params) is not tuple:
            params = tuple(params)
        try:
            cursor = self._connection.execute(sql, params)  # type: ignore[attr-defined]
            # fetchall() gives a new list (sqlite3 and psycopg alike): no copy of it.
            return cursor.fetchall() if cursor.description is not None else []
        except self._driver_error() as error:
            raise self._failure(error) from error

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters (the driver's ``executemany``)."""
        if self._connection is None:
            raise UnitOfWorkError(f"Cannot run a statement on {self._where}: no transaction.")
        if self.placeholder != "?":
            sql = sql.replace("?", self.placeholder)
        # sqlite3 runs it on the connection; psycopg on a cursor.
        connection: Any = self._connection
        run = getattr(connection, "executemany", None) or connection.cursor().executemany
        try:
            run(sql, rows)
        except self._driver_error() as error:
            raise self._failure(error) from error

    def _failure(self, error: BaseException) -> Exception:
        """What a driver error is raised as: a conflict to retry, or a storage failure."""
        if self._is_conflict(error):
            return ConcurrencyError(
                f"a transaction on {self._where}", "no concurrent change", "a conflict"
            )
        return StorageError(f"Storage failure on {self._where}: {error}")

    def _insert_events(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> int:
        """Insert events and their outbox messages; return how many events went in.

        A version already stored is not inserted (and the count falls short): SQLite
        runs one writer at a time, so this only happens when the head read was stale.
        Each statement is a multi-row ``INSERT`` that either inserts all its rows or none.
        """
        done = 0
        for start in range(0, len(rows), self.batch_rows):
            chunk = rows[start : start + self.batch_rows]
            events: list[Any] = []
            messages: list[Any] = []
            for version, event_type, payload, digest in chunk:
                events += (kind, aggregate_id, version, event_type, payload, digest)
                messages += (kind, aggregate_id, version, event_type, payload)
            try:
                self._run(
                    f"INSERT INTO {EVENTS} (kind, aggregate_id, version, event_type, payload,"
                    " hash) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk)),
                    events,
                )
            except StorageError as error:
                cause = error.__cause__
                if cause is not None and self._is_unique_violation(cause):
                    return done
                raise
            self._run(
                f"INSERT INTO {OUTBOX} (kind, aggregate_id, version, event_type, payload)"
                " VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk)),
                messages,
            )
            done += len(chunk)
        return done

    # --- transactions ---------------------------------------------------------------------------

    def _tx_begin(self) -> None:
        self._heads.clear()
        self._tops.clear()
        self._pending.clear()
        self._pending_streams.clear()
        self._doomed = None
        self._connection = self._pool.acquire()
        try:
            self._run(self._begin_sql())
        except BaseException:
            self._finish(healthy=False)
            raise

    def _tx_commit(self) -> None:
        if self._doomed is not None:
            raise self._doomed  # the caller rolls back
        self._flush()
        self._run("COMMIT")
        self._finish(healthy=True)

    def _tx_rollback(self) -> None:
        self._pending.clear()
        self._pending_streams.clear()
        if self._connection is None:
            return
        healthy = True
        try:
            self._run("ROLLBACK")
        except StorageError:
            healthy = False
        self._finish(healthy=healthy)

    def _finish(self, *, healthy: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(connection, healthy=healthy)

    # --- events ---------------------------------------------------------------------------------

    def _tx_version(self, kind: str, aggregate_id: str) -> int:
        known = self._heads.get((kind, aggregate_id))
        if known is not None:
            # Read or written in this transaction already: the same answer as a read (a
            # version moved on under READ COMMITTED meanwhile makes the append conflict).
            return known[0]
        # The newest two rows, not MAX(version): reading a stream's version is mostly the
        # first step of reading its newest event, which then comes from these rows.
        rows = self._run(_NEWEST_TWO, (kind, aggregate_id))
        stream = (kind, aggregate_id)
        if not rows:
            self._heads.setdefault(stream, (0, None))
            return 0
        top: list[StoredRow] = [(int(v), str(t), str(p), _text(h)) for v, t, p, h in rows[::-1]]
        self._heads[stream] = (top[-1][0], top[-1][3])
        self._tops[stream] = top
        return top[-1][0]

    def _tx_newest(self, kind: str, aggregate_id: str) -> DomainEvent | None:
        stream = (kind, aggregate_id)
        head = self._heads.get(stream)
        if head is None:
            self._tx_version(kind, aggregate_id)  # reads the newest two rows into _tops
            head = self._heads[stream]
        version = head[0]
        if not version:
            return None
        top = self._tops.get(stream)
        if top is not None and top[-1][0] == version:
            # The newest two rows, read with the version, and the stream has not moved in
            # this unit: the newest row is checked against the hash of the one before it
            # (what loading after version - 1 does, without building its rows).
            if len(top) == 2 and top[0][0] == version - 1:
                return self._checked_event(kind, aggregate_id, top[0][3], top[1])
            if version == 1:
                return self._checked_event(kind, aggregate_id, GENESIS, top[0])
        return super()._tx_newest(kind, aggregate_id)  # a gap is reported there

    def _tx_head(self, kind: str, aggregate_id: str) -> tuple[int, str | None]:
        known = self._heads.get((kind, aggregate_id))
        if known is not None:
            return known
        rows = self._run(_HEAD, (kind, aggregate_id))
        head = (0, None) if not rows else (int(rows[0][0]), _text(rows[0][1]))
        self._heads[(kind, aggregate_id)] = head
        return head

    def _tx_append_events(
        self, kind: str, aggregate_id: str, expected_version: int, events: Sequence[Any]
    ) -> None:
        if not events:
            version = self._tx_checked_head(kind, aggregate_id)
            if version != expected_version:
                raise StreamConflictError(kind, aggregate_id, expected_version, version)
            return
        super()._tx_append_events(kind, aggregate_id, expected_version, events)

    def _tx_checked_head(self, kind: str, aggregate_id: str) -> int:
        """The version an empty append checks; it must hold until the commit.

        SQLite's one writer holds its lock from ``BEGIN IMMEDIATE``, so the head read in
        this transaction holds; PostgreSQL locks the stream first.
        """
        return self._tx_head(kind, aggregate_id)[0]

    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        if not rows:
            return
        stream = (kind, aggregate_id)
        if self.buffers_appends:
            self._pending_streams.setdefault(stream, expected_version)
            self._pending += [(kind, aggregate_id, *row) for row in rows]
            self._heads[stream] = (rows[-1][0], rows[-1][3])
            return
        inserted = self._insert_events(kind, aggregate_id, expected_version, rows)
        if inserted == len(rows):
            self._heads[stream] = (rows[-1][0], rows[-1][3])
            return
        # Another transaction stored one of these versions first.
        self._heads.pop(stream, None)
        error = StreamConflictError(
            kind, aggregate_id, expected_version, self._tx_version(kind, aggregate_id)
        )
        self._heads.pop(stream, None)
        if inserted:
            self._doomed = error  # part of the append went in: nothing may commit
        raise error

    def _tx_flush(self, stream: tuple[str, str] | None = None) -> None:
        if self._pending and (stream is None or stream in self._pending_streams):
            self._flush()

    def _flush(self) -> None:
        """Insert the appends waiting in this unit of work (see :attr:`buffers_appends`).

        If the insert fails, nothing of this unit of work may commit: a version already
        stored raises :class:`StreamConflictError` (a concurrent change, retried by the
        desk) naming the first stream whose version was taken.
        """
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        streams, self._pending_streams = self._pending_streams, {}
        try:
            try:
                self._run_many(_INSERT_EVENTS, rows)
            except StorageError as error:
                cause = error.__cause__
                if cause is None or not self._is_unique_violation(cause):
                    raise
                raise self._taken(rows, streams) from None
            self._run_many(_INSERT_MESSAGES, [row[:5] for row in rows])
        except Exception as error:
            # Part of the appends may be in: the transaction must not commit.
            self._doomed = error
            raise

    def _taken(
        self, rows: list[tuple[str, str, int, str, str, str]], streams: dict[tuple[str, str], int]
    ) -> StreamConflictError:
        """The conflict of a buffered insert that met a stored version: the first row
        whose version is stored with another hash than the one this unit appended."""
        for kind, aggregate_id, version, _type, _payload, digest in rows:
            stored = self._run(
                f"SELECT hash FROM {EVENTS} WHERE kind = ? AND aggregate_id = ? AND version = ?",
                (kind, aggregate_id, version),
            )
            if stored and stored[0][0] != digest:
                break
        else:
            kind, aggregate_id = next(iter(streams))
        self._heads.pop((kind, aggregate_id), None)
        (newest,) = self._run(
            f"SELECT COALESCE(MAX(version), 0) FROM {EVENTS} WHERE kind = ? AND aggregate_id = ?",
            (kind, aggregate_id),
        )
        return StreamConflictError(
            kind, aggregate_id, streams[(kind, aggregate_id)], int(newest[0])
        )

    def _tx_rows(self, kind: str, aggregate_id: str, from_version: int) -> list[StoredRow]:
        stream = (kind, aggregate_id)
        top = self._tops.get(stream)
        head = self._heads.get(stream)
        if top and head is not None and head[0] == top[-1][0]:
            # Rows read with the version, and the stream has not moved in this unit.
            first = top[0][0]
            if from_version > 0 and first <= from_version <= top[-1][0]:
                kept = [row for row in top if row[0] >= from_version]
                anchor = kept[0]
                return [(anchor[0], anchor[1], "", anchor[3]), *kept[1:]]
            if from_version == 0 and first == 1:
                return list(top)
        # The first row is only the chain's anchor when the read starts after it: its
        # hash is needed, not its payload (which may be long).
        rows = self._run(
            _ROWS_FROM,
            (from_version if from_version > 0 else -1, kind, aggregate_id, from_version),
        )
        stored = [(int(v), str(t), str(p), _text(h)) for v, t, p, h in rows]
        if stored:
            self._heads[(kind, aggregate_id)] = (stored[-1][0], stored[-1][3])
        elif from_version == 0:
            self._heads[(kind, aggregate_id)] = (0, None)
        return stored  # type: ignore[return-value]

    def _tx_event_hash(self, kind: str, aggregate_id: str, version: int) -> str | None:
        rows = self._run(
            f"SELECT hash FROM {EVENTS} WHERE kind = ? AND aggregate_id = ? AND version = ?",
            (kind, aggregate_id, version),
        )
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    def _tx_snapshot_hash(self, kind: str, aggregate_id: str, version: int, payload: str) -> str:
        head = self._heads.get((kind, aggregate_id))
        if head is not None and head[0] == version and head[1] is not None:
            # The snapshot stands for the head this transaction read or appended (a desk
            # saves one right after appending): its hash is known, and a stored event's
            # hash never changes, so neither a read nor a flush of the appends is needed.
            return snapshot_hash(head[1], kind, aggregate_id, version, payload)
        return super()._tx_snapshot_hash(kind, aggregate_id, version, payload)

    def _tx_ids(self, kind: str) -> list[str]:
        rows = self._run(
            f"SELECT DISTINCT aggregate_id FROM {EVENTS} WHERE kind = ? ORDER BY aggregate_id",
            (kind,),
        )
        return [str(row[0]) for row in rows]

    # --- snapshots ------------------------------------------------------------------------------

    def _tx_save_snapshot(self, snapshot: Snapshot, digest: str | None) -> None:
        self._run(
            f"INSERT INTO {SNAPSHOTS} (kind, aggregate_id, version, payload, hash)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, aggregate_id, version)"
            " DO UPDATE SET payload = excluded.payload, hash = excluded.hash",
            (snapshot.kind, snapshot.aggregate_id, snapshot.version, snapshot.payload, digest),
        )

    def _tx_latest_snapshot(
        self, kind: str, aggregate_id: str
    ) -> tuple[int, str, str | None] | None:
        rows = self._run(
            f"SELECT version, payload, hash FROM {SNAPSHOTS} WHERE kind = ? AND aggregate_id = ?"
            " ORDER BY version DESC LIMIT 1",
            (kind, aggregate_id),
        )
        if not rows:
            return None
        version, payload, digest = rows[0]
        return int(version), str(payload), None if digest is None else str(digest)

    # --- commands -------------------------------------------------------------------------------

    def _tx_command(self, command_id: str) -> tuple[str, str] | None:
        rows = self._run(
            f"SELECT payload_hash, result FROM {COMMANDS} WHERE command_id = ?", (command_id,)
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def _tx_record_command(self, command_id: str, payload_hash: str, result: str) -> None:
        # One statement that cannot fail on a duplicate, so no savepoint: a concurrent
        # transaction recording the same id is waited for, then this insert does nothing.
        rows = self._run(
            f"INSERT INTO {COMMANDS} (command_id, payload_hash, result) VALUES (?, ?, ?)"
            " ON CONFLICT (command_id) DO NOTHING RETURNING command_id",
            (command_id, payload_hash, result),
        )
        if rows:
            return
        if self.commands.find(command_id, payload_hash) is not None:
            raise CommandAlreadyRecordedError(command_id)
        raise CommandConflictError(command_id)

    # --- outbox ---------------------------------------------------------------------------------

    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]:
        rows = self._run(
            f"SELECT position, kind, aggregate_id, version, event_type, payload FROM {OUTBOX}"
            " WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )
        return [(int(p), str(k), str(a), int(v), str(t), str(d)) for p, k, a, v, t, d in rows]

    def _tx_messages_of(
        self, event_types: Collection[str], after: int, limit: int
    ) -> tuple[list[OutboxMessage], int, int]:
        # Rows carry their event type: a payload no consumer wants is never decoded.
        return self._tx_rows_of(event_types, after, limit)

    def _tx_last_position(self) -> int:
        return int(self._run(f"SELECT COALESCE(MAX(position), 0) FROM {OUTBOX}")[0][0])

    def _tx_checkpoint(self, consumer: str) -> int:
        rows = self._run(f"SELECT position FROM {CHECKPOINTS} WHERE consumer = ?", (consumer,))
        return int(rows[0][0]) if rows else 0

    def _tx_save_checkpoint(self, consumer: str, position: int) -> None:
        self._run(
            f"INSERT INTO {CHECKPOINTS} (consumer, position) VALUES (?, ?)"
            " ON CONFLICT (consumer) DO UPDATE SET position = excluded.position",
            (consumer, position),
        )

    # --- read models ----------------------------------------------------------------------------

    def _tx_view_get(self, view: str, key: str) -> ViewRow | None:
        rows = self._run(
            f"SELECT version, sort_key, terms, data FROM {VIEW_ROWS}"
            " WHERE view_name = ? AND row_key = ?",
            (view, key),
        )
        return _view_row(view, key, *rows[0]) if rows else None

    def _tx_view_put(self, row: ViewRow) -> None:
        self._tx_view_delete(row.view, row.key)
        self._run(
            f"INSERT INTO {VIEW_ROWS} (view_name, row_key, version, sort_key, terms, data)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (row.view, row.key, row.version, row.sort, terms_json(row.terms), row.data),
        )
        self._insert_terms(row)

    def _tx_view_upsert(self, row: ViewRow) -> bool:
        terms = terms_json(row.terms)
        hint = (self._where, row.view, row.key)
        # If this process wrote these terms last (an order's customer and channel, a
        # shipment's order), one statement writes only if the stored row still has them,
        # with the same sort key, and is not newer: its term rows, written with its terms
        # in one transaction, are then right as they are. Otherwise it writes nothing and
        # the row is written in full below.
        if _TERMS_WRITTEN.get(hint) == (terms, row.sort) and self._run(
            _UPDATE_SAME_TERMS,
            (row.version, row.data, row.view, row.key, row.version, terms, row.sort),
        ):
            return True
        # A row this process has not written, at one of the first versions of its stream
        # (a record or an order just created), is most likely new: one insert that does
        # nothing if the row exists tells. A row's terms are only ever written and deleted
        # with it, in one transaction, so a new row has none to delete.
        if (
            row.version <= NEW_ROW_VERSIONS
            and hint not in _TERMS_WRITTEN
            and self._run(
                _INSERT_NEW_VIEW_ROW, (row.view, row.key, row.version, row.sort, terms, row.data)
            )
        ):
            self._insert_terms(row)
            self._terms_written(hint, terms, row.sort)
            return True
        # One statement decides and writes: the stored row is replaced only if its version
        # is not higher, under the row's lock (PostgreSQL), so two writers cannot both read
        # the old version and the older row win; its terms are rewritten only then.
        stored = self._run(
            UPSERT_NEWER_VIEW_ROW, (row.view, row.key, row.version, row.sort, terms, row.data)
        )
        if not stored:
            return False
        self._run(_DELETE_TERMS, (row.view, row.key))
        self._insert_terms(row)
        self._terms_written(hint, terms, row.sort)
        return True

    @staticmethod
    def _terms_written(hint: tuple[str, str, str], terms: str, sort: str) -> None:
        if len(_TERMS_WRITTEN) >= TERMS_REMEMBERED:
            _TERMS_WRITTEN.clear()
        _TERMS_WRITTEN[hint] = (terms, sort)

    def _insert_terms(self, row: ViewRow) -> None:
        if row.terms:  # one multi-row statement for all of the row's terms
            self._run(
                _insert_terms_sql(len(row.terms)),
                [
                    x
                    for field, value in row.terms
                    for x in (row.view, field, value, row.sort, row.key)
                ],
            )

    def _tx_view_delete(self, view: str, key: str) -> None:
        self._run(f"DELETE FROM {VIEW_TERMS} WHERE view_name = ? AND row_key = ?", (view, key))
        self._run(f"DELETE FROM {VIEW_ROWS} WHERE view_name = ? AND row_key = ?", (view, key))

    def _tx_view_clear(self, view: str) -> None:
        self._run(f"DELETE FROM {VIEW_TERMS} WHERE view_name = ?", (view,))
        self._run(f"DELETE FROM {VIEW_ROWS} WHERE view_name = ?", (view,))

    def _tx_view_find(self, query: ViewQuery) -> list[ViewRow]:
        # The rarest term drives: its index entries are read in (sort, key) order from the
        # cursor on, each other term is checked (a lookup by key, or a merge on PostgreSQL),
        # and the scan stops at the limit.
        params: list[Any] = [query.view]
        if query.where:
            terms, driving = self._most_selective_first(query)
            (field, value), *rest = terms
            # A rare driver is cheapest probed row by row; a common one, merged.
            merge = self.terms_by_join and driving > MERGE_FROM
            source = f"{VIEW_TERMS} d"
            conditions = ["d.view_name = ?", "d.field = ?", "d.value = ?"]
            params += [field, value]
            joined: list[Any] = []
            for n, (other_field, other_value) in enumerate(rest):
                if merge:
                    # Every term's entries are in (sort, key) order: the planner can merge
                    # them (a join on the whole primary key) instead of probing each.
                    source += (
                        f" JOIN {VIEW_TERMS} t{n} ON t{n}.view_name = d.view_name"
                        f" AND t{n}.field = ? AND t{n}.value = ? AND t{n}.sort_key = d.sort_key"
                        f" AND t{n}.row_key = d.row_key"
                    )
                    joined += [other_field, other_value]
                    continue
                conditions.append(
                    f"EXISTS (SELECT 1 FROM {VIEW_TERMS} t WHERE t.view_name = d.view_name"
                    f" AND t.row_key = d.row_key AND t.field = ? AND t.value = ?"
                    f"{self.term_check_suffix})"
                )
                params += [other_field, other_value]
            params = [*joined, *params]
        else:
            source = f"{VIEW_ROWS} d"
            conditions = ["d.view_name = ?"]
        if query.sort_from is not None:
            conditions.append("d.sort_key >= ?")
            params.append(query.sort_from)
        if query.sort_to is not None:
            conditions.append("d.sort_key < ?")
            params.append(query.sort_to)
        if query.after is not None:
            conditions.append("(d.sort_key, d.row_key) > (?, ?)")
            params += list(query.after)
        keys = (
            f"SELECT d.view_name, d.row_key, d.sort_key FROM {source}"
            f" WHERE {' AND '.join(conditions)} ORDER BY d.sort_key, d.row_key LIMIT ?"
        )
        # One statement: the page's keys from the index, then their rows by primary key.
        rows = self._run(
            f"SELECT r.row_key, r.version, r.sort_key, r.terms, r.data FROM ({keys}) k"
            f" JOIN {VIEW_ROWS} r ON r.view_name = k.view_name AND r.row_key = k.row_key"
            " ORDER BY k.sort_key, k.row_key",
            (*params, query.limit),
        )
        return [_view_row(query.view, str(r[0]), *r[1:]) for r in rows]

    def _most_selective_first(self, query: ViewQuery) -> tuple[list[tuple[str, str]], int]:
        """The query's terms, the one with the fewest rows first (it drives the scan), and
        how many rows that one has (up to the probe's bound; 0 for a single term).

        The rows of every term are counted up to :attr:`probe_rows` in one statement (a
        bounded read of each term's index, within the sort bounds): a common term (an
        order state, a channel) saturates, a rare one (a customer, a canceled state) is
        counted exactly, and the rarest drives. Ties keep the caller's order. Which term
        drives changes only the cost, never the rows or their order.
        """
        where = list(query.where)
        if len(where) < 2:
            return where, 0
        bounds = ""
        extra: list[Any] = []
        if query.sort_from is not None:
            bounds += " AND sort_key >= ?"
            extra.append(query.sort_from)
        if query.sort_to is not None:
            bounds += " AND sort_key < ?"
            extra.append(query.sort_to)
        probes, params = [], []
        for n, (field, value) in enumerate(where):
            probes.append(
                f"(SELECT COUNT(*) FROM (SELECT 1 FROM {VIEW_TERMS} WHERE view_name = ?"
                f" AND field = ? AND value = ?{bounds} LIMIT ?) p{n})"
            )
            params += [query.view, field, value, *extra, self.probe_rows or PROBE_ROWS]
        (counts,) = self._run(f"SELECT {', '.join(probes)}", params)
        order = sorted(range(len(where)), key=lambda n: (int(counts[n]), n))
        return [where[n] for n in order], int(counts[order[0]])


#: How many read-model rows' terms :meth:`SqlUnitOfWork._tx_view_upsert` remembers.
TERMS_REMEMBERED = 8192

# (database, view, key) -> (terms JSON, sort key) this process last wrote for that row: a
# hint of which write to try first, never trusted (the write itself checks the stored row),
# so a stale entry (a rollback, another process, another storage) costs one statement.
_TERMS_WRITTEN: dict[tuple[str, str, str], tuple[str, str]] = {}

#: Where joining the further terms starts to pay (``terms_by_join``): a driving term with
#: fewer rows checks the others by one index probe per row.
MERGE_FROM = 512

#: How many rows of a view term :meth:`SqlUnitOfWork._most_selective_first` counts at most
#: by default to choose the term that drives a query (a bounded read: about a
#: millisecond on SQLite); an adapter may count fewer (:attr:`SqlUnitOfWork.probe_rows`).
PROBE_ROWS = 4096


def _view_row(view: str, key: str, version: Any, sort: Any, terms: Any, data: Any) -> ViewRow:
    return ViewRow(
        view=view,
        key=key,
        version=int(version),
        sort=str(sort),
        terms=tuple((str(f), str(v)) for f, v in json.loads(str(terms))),
        data=str(data),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
