"""The PostgreSQL adapter: many application servers on many machines, one database.

It needs the ``postgres`` extra (psycopg 3), imported when a storage is opened; without
it, opening raises :class:`~ordercycle.errors.MissingDependencyError`.

Consistency: events live in a table whose primary key is ``(kind, aggregate_id,
version)``, so two transactions appending the same version cannot both commit; the
loser gets :class:`~ordercycle.errors.ConcurrencyError`. Writers take no lock for the
whole schema, so writers of different streams run in parallel:

- an append takes a transaction-scoped advisory lock on its stream (in the statement
  that inserts the events), and an empty append (``expected_version`` stated, no events)
  takes the same lock before it reads the stream's head, so a stream a unit of work has
  checked cannot move on until that unit of work ends;
- an outbox message's position is ``(transaction id << 20) + n``, the ``n``-th message
  of its transaction (``pg_current_xact_id()``, so at most 2**20 - 1 messages per unit
  of work). A reader returns only messages whose transaction is older than every
  transaction still in flight (``pg_snapshot_xip(pg_current_snapshot())``, less those of
  backends connected to other databases), and its own
  once it is the oldest: every transaction that could still add a lower position has
  ended, so a position that appears later is always above every position seen before
  (no message is skipped by a consumer resuming after its checkpoint). A reader in a
  read-committed unit of work that finds committed messages still behind that horizon
  waits for it, a little (:attr:`PostgresUnitOfWork.horizon_wait` seconds), so a
  message committed before the read is seen. A long transaction in this database
  delays consumers (never writers); transactions of other databases on the server do not.

Round trips: a pooled connection stays in psycopg's pipeline mode, so a statement whose
result nothing waits for is sent without waiting: ``BEGIN``, an append (its stream lock,
events and messages in one statement), a read-model row's terms. Their results arrive
with the next statement whose result is read (a read, a read-model row, the commit), in
one round trip. An append's count is checked then: one that met a version stored by a
concurrent transaction dooms the unit of work, and its commit raises
:class:`~ordercycle.storage.errors.StreamConflictError` (the port allows a conflict at
commit for a stream that moved on after ``append``); the reads in between still work. A
statement the server refuses loses the transaction: every later statement of the unit
of work raises the same :class:`~ordercycle.errors.StorageError` and it rolls back.

Serialization failures and deadlocks reported by the server are raised as
:class:`~ordercycle.errors.ConcurrencyError` (retry).

Give ``schema=`` to keep the tables in their own PostgreSQL schema (created on open).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, ClassVar

from ordercycle.errors import (
    ConcurrencyError,
    MissingDependencyError,
    StorageError,
    ValidationError,
)
from ordercycle.storage._closing import ClosingStorage
from ordercycle.storage._codec import terms_json
from ordercycle.storage._sql import (
    CHECKPOINTS,
    COMMANDS,
    EVENTS,
    HASH_COLUMNS,
    OUTBOX,
    SNAPSHOTS,
    UPSERT_NEWER_VIEW_ROW,
    VIEW_TERMS,
    ConnectionPool,
    SqlUnitOfWork,
    chain_stored_rows,
    migrate,
    view_tables,
)
from ordercycle.storage._unit import EventRow, OutboxRow
from ordercycle.storage.errors import StreamConflictError, UnitOfWorkError
from ordercycle.storage.migrations import Execute, Migration
from ordercycle.storage.views import ViewRow

if TYPE_CHECKING:
    import psycopg

__all__ = ["POSTGRES_MIGRATIONS", "PostgresStorage", "PostgresUnitOfWork"]

_MIGRATION_LOCK = 731_101
#: Bits of an outbox position below its transaction id (messages per transaction).
POSITION_BITS = 20
_XID = "pg_current_xact_id()::text::bigint"
#: The oldest transaction still in flight that may write this database's outbox, as the
#: lowest position it could take: the snapshot's in-flight transactions, less those of
#: backends connected to other databases (which cannot write here); the snapshot's xmax
#: when none is left. A transaction id of a backend that is not visible counts (safe).
_HORIZON = (
    "(SELECT COALESCE(MIN(x::text::bigint),"
    " pg_snapshot_xmax(pg_current_snapshot())::text::bigint) << 20"
    " FROM pg_snapshot_xip(pg_current_snapshot()) AS x"
    " WHERE x::text::bigint & 4294967295 NOT IN (SELECT backend_xid::text::bigint"
    " FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND datid <>"
    " (SELECT oid FROM pg_database WHERE datname = current_database())))"
)
_HORIZON_CTE = (
    f"WITH h AS (SELECT {_HORIZON} AS horizon,"
    " pg_current_xact_id_if_assigned()::text::bigint AS own) "
)
#: Which outbox rows a reader may return (see the module docstring), given ``h``.
_VISIBLE = (
    "(position < h.horizon OR COALESCE(position >> 20 = h.own AND h.own << 20 = h.horizon, false))"
)
#: Outbox rows not visible yet that waiting for older transactions would make visible.
_BEHIND = f"(NOT {_VISIBLE} AND (h.own IS NULL OR position >> 20 <= h.own))"


@functools.lru_cache(maxsize=1024)
def _pg_sql(sql: str) -> str:
    """The statement with psycopg's parameter markers (``%s`` for ``?``), translated once
    per statement text: the desk sends the same few texts with every command."""
    return sql.replace("?", "%s")


def _positions_by_transaction(execute: Execute, placeholder: str) -> None:
    """Migration step 4: check that the stored positions are below the new ones."""
    (found,) = execute(f"SELECT COALESCE(MAX(position), 0), {_XID} FROM {OUTBOX}", ())
    if int(found[0]) >= int(found[1]) << POSITION_BITS:
        raise StorageError(
            f"Cannot migrate the outbox to positions by transaction: its last position"
            f" {found[0]} is not below {int(found[1]) << POSITION_BITS}, where new"
            " positions start; renumber the outbox and the consumer checkpoints first."
        )


_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

#: The PostgreSQL schema's history; the last entry's version is the current version.
POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        name="events, outbox and consumer checkpoints",
        statements=(
            f"CREATE TABLE {EVENTS} (kind TEXT NOT NULL, aggregate_id TEXT NOT NULL,"
            " version INTEGER NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL,"
            f" CONSTRAINT {EVENTS}_stream_version PRIMARY KEY (kind, aggregate_id, version))",
            f"CREATE TABLE {OUTBOX} (position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " kind TEXT NOT NULL, aggregate_id TEXT NOT NULL, version INTEGER NOT NULL,"
            " event_type TEXT NOT NULL, payload TEXT NOT NULL)",
            f"CREATE TABLE {CHECKPOINTS} (consumer TEXT PRIMARY KEY, position BIGINT NOT NULL)",
        ),
    ),
    Migration(
        version=2,
        name="snapshots and processed commands",
        statements=(
            f"CREATE TABLE {SNAPSHOTS} (kind TEXT NOT NULL, aggregate_id TEXT NOT NULL,"
            " version INTEGER NOT NULL, payload TEXT NOT NULL,"
            " PRIMARY KEY (kind, aggregate_id, version))",
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
        statements=view_tables(),
    ),
    Migration(
        version=5,
        name="outbox positions by transaction id: no writer lock",
        statements=(f"ALTER TABLE {OUTBOX} ALTER COLUMN position DROP IDENTITY",),
        run=_positions_by_transaction,
    ),
)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise MissingDependencyError("PostgresStorage", "psycopg", "postgres") from None
    return psycopg


class PostgresStorage(ClosingStorage):
    """Storage in a PostgreSQL database; see the module docstring.

    Args:
        dsn: A libpq connection string or URL (``postgresql://user:pw@host/db``).
        schema: A PostgreSQL schema to keep the tables in (lower-case letters, digits and
            ``_``); created on open. ``None`` uses the connection's search path.
        migrate_upto: Stop migrating at this schema version (for tests of migrations).

    Attributes:
        schema_version: The schema version recorded in the database after opening it
            (the newest of :attr:`migrations` unless ``migrate_upto`` stopped earlier).

    Raises:
        MissingDependencyError: psycopg is not installed (``pip install
            'ordercycle[postgres]'``).
        SchemaVersionError: The database's schema is newer than this code.
        StorageError: The server cannot be reached.
    """

    #: The migrations this adapter applies, in order; the last one's version is the
    #: newest schema it knows (:attr:`schema_version` after opening a current database).
    migrations: ClassVar[tuple[Migration, ...]] = POSTGRES_MIGRATIONS

    def __init__(
        self, dsn: str, *, schema: str | None = None, migrate_upto: int | None = None
    ) -> None:
        if not isinstance(dsn, str) or not dsn.strip():
            raise ValidationError.invalid(
                "PostgresStorage", "dsn", dsn, "a libpq connection string or URL"
            )
        if schema is not None and (
            not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema)
        ):
            raise ValidationError.invalid(
                "PostgresStorage",
                "schema",
                schema,
                "a name of lower-case letters, digits and '_' (at most 63), or None",
            )
        self._psycopg = _psycopg()
        self.dsn = dsn
        self.schema = schema
        self._where = "PostgreSQL database" + (f" (schema {schema})" if schema else "")
        self._pool: ConnectionPool[_PipedConnection] = ConnectionPool(
            self._connect_piped, _close, where=self._where
        )
        self.schema_version = self._migrate(migrate_upto)

    def __repr__(self) -> str:
        return f"PostgresStorage(schema={self.schema!r})"

    def unit_of_work(self) -> PostgresUnitOfWork:
        """Return a new unit of work; it begins when entered."""
        return PostgresUnitOfWork(self._where, self._pool, self.schema or "public")

    def reading(self) -> PostgresUnitOfWork:
        """Return a new read-only unit of work: one ``REPEATABLE READ READ ONLY`` snapshot.

        It takes no locks and refuses every write.
        """
        return PostgresUnitOfWork(self._where, self._pool, self.schema or "public", read_only=True)

    def close(self) -> None:
        """Close every pooled connection; new units of work are refused."""
        self._pool.close()

    def _connect(self) -> psycopg.Connection[Any]:
        psycopg = self._psycopg
        try:
            connection = psycopg.connect(self.dsn, autocommit=True)
            if self.schema is not None:
                connection.execute(f'SET search_path TO "{self.schema}"')
        except psycopg.Error as error:
            raise StorageError(f"Cannot connect to the {self._where}: {error}".strip()) from error
        return connection  # type: ignore[no-any-return]

    def _connect_piped(self) -> _PipedConnection:
        connection = self._connect()
        try:
            return _PipedConnection(connection)
        except self._psycopg.Error as error:
            connection.close()
            raise StorageError(f"Cannot connect to the {self._where}: {error}".strip()) from error

    def _migrate(self, upto: int | None) -> int:
        connection = self._connect()

        def prepare() -> None:
            connection.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                (_MIGRATION_LOCK, self.schema or "public"),
            )
            if self.schema is not None:
                connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')

        return migrate(
            connection,
            self.migrations,
            where=self._where,
            begin="BEGIN",
            driver_error=self._psycopg.Error,
            placeholder="%s",
            upto=upto,
            prepare=prepare,
        )


class PostgresUnitOfWork(SqlUnitOfWork["_PipedConnection"]):
    """A unit of work of :class:`PostgresStorage` (one read-committed transaction)."""

    placeholder = "%s"
    # Behind a driving term with few rows, a subquery with OFFSET is never turned into a
    # join: each further term stays one index lookup per candidate, whatever the
    # planner's statistics say (without them a semi-join over a common term can read the
    # whole index). Behind a common one, the further terms are joined on the whole primary
    # key and the planner merges their entries, all in (sort, key) order (probing cost
    # 30 ms for three common terms on 100,000 orders; the merge, 2 ms).
    term_check_suffix = " OFFSET 0"
    terms_by_join = True
    # Counting is a server's work here (2 ms for 4,096 rows of three terms, 0.6 ms for
    # 1,024); the merge needs no exact order among common terms.
    probe_rows = 1024
    #: Seconds a read of the outbox waits for older transactions to end (see the module).
    horizon_wait = 2.0

    def __init__(
        self,
        where: str,
        pool: ConnectionPool[_PipedConnection],
        lock_scope: str,
        *,
        read_only: bool = False,
    ) -> None:
        super().__init__(where, pool, read_only=read_only)
        self._lock_scope = lock_scope
        self._messages = 0
        # Appends sent and not yet confirmed: (cursor, kind, id, expected version, rows).
        self._unconfirmed: list[tuple[Any, str, str, int, int]] = []
        # A statement failed: the server aborted the transaction, every later one fails.
        self._lost: Exception | None = None

    def __repr__(self) -> str:
        return f"<PostgresUnitOfWork ({self._state})>"

    def _begin_sql(self) -> str:
        self._messages = 0
        if self.read_only:
            return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        return "BEGIN"

    def _driver_error(self) -> type[BaseException]:
        return _psycopg().Error  # type: ignore[no-any-return]

    # --- round trips: statements queued in the connection's pipeline ---------------------------

    def _tx_begin(self) -> None:
        self._heads.clear()
        self._tops.clear()
        self._doomed = self._lost = None
        self._unconfirmed = []
        self._connection = self._pool.acquire()
        # Sent with the first statement whose result is read: no round trip of its own.
        self._send(self._begin_sql())

    def _send(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Queue a statement in the pipeline; its result is read at the next round trip."""
        if self._connection is None:
            raise UnitOfWorkError(f"Cannot run a statement on {self._where}: no transaction.")
        if self._lost is not None:
            raise self._lost
        try:
            return self._connection.connection.execute(_pg_sql(sql), tuple(params))
        except self._driver_error() as error:
            raise self._failed(error) from error

    def _round_trip(self) -> None:
        """Send what is queued, read every result, then check the appends sent.

        An append that met a conflict dooms the unit of work: its commit raises the
        conflict (the reads in between still work: the transaction is not aborted).
        """
        if self._connection is None:
            raise UnitOfWorkError(f"Cannot run a statement on {self._where}: no transaction.")
        try:
            self._connection.pipeline.sync()
        except self._driver_error() as error:
            raise self._failed(error) from error
        unconfirmed, self._unconfirmed = self._unconfirmed, []
        for cursor, kind, aggregate_id, expected_version, count in unconfirmed:
            if len(cursor.fetchall()) == count:
                continue
            # Another transaction stored one of these versions first: nothing may commit.
            self._heads.pop((kind, aggregate_id), None)
            conflict = StreamConflictError(
                kind, aggregate_id, expected_version, self._tx_version(kind, aggregate_id)
            )
            self._heads.pop((kind, aggregate_id), None)
            if self._doomed is None:
                self._doomed = conflict

    def _failed(self, error: BaseException) -> Exception:
        """The error to raise for a driver error; the transaction is lost with it."""
        if self._is_conflict(error):
            failure: Exception = ConcurrencyError(
                f"a transaction on {self._where}", "no concurrent change", "a conflict"
            )
        else:
            failure = StorageError(f"Storage failure on {self._where}: {error}")
        failure.__cause__ = error
        self._lost = failure
        return failure

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._send(sql, params)
        self._round_trip()
        try:
            return list(cursor.fetchall()) if cursor.description is not None else []
        except self._driver_error() as error:
            raise self._failed(error) from error

    def _tx_commit(self) -> None:
        if self._unconfirmed:
            self._round_trip()  # an append that met a conflict must not commit
        if self._doomed is not None:
            raise self._doomed  # the caller rolls back
        self._send("COMMIT")
        self._round_trip()
        self._finish(healthy=True)

    def _tx_rollback(self) -> None:
        piped = self._connection
        if piped is None:
            return
        healthy = True
        self._unconfirmed = []
        try:
            try:
                piped.pipeline.sync()  # an aborted pipeline runs nothing until its sync
            except self._driver_error():
                pass  # already reported: the reason for this rollback
            piped.connection.execute("ROLLBACK")
            piped.pipeline.sync()
        except self._driver_error():
            healthy = False
        self._finish(healthy=healthy)

    def _is_unique_violation(self, error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) == "23505"

    def _is_conflict(self, error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) in {"40001", "40P01"}

    # --- writes ----------------------------------------------------------------------------

    def _stream_lock(self, kind: str) -> str:
        return f"{self._lock_scope}/{kind}"

    def _tx_checked_head(self, kind: str, aggregate_id: str) -> int:
        # Lock the stream (as every append to it does), then read its head afresh.
        self._run(
            "SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))",
            (self._stream_lock(kind), aggregate_id),
        )
        self._heads.pop((kind, aggregate_id), None)
        return self._tx_head(kind, aggregate_id)[0]

    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        """Send the append without waiting: one statement per batch locks the stream and
        inserts the events, then their messages.

        A version already stored (or being stored by a transaction in flight, which is
        waited for) is skipped, not an error, so the transaction needs no savepoint; the
        count inserted is checked at the next round trip (a read, or before the commit),
        and a short count dooms the unit of work: its commit raises
        :class:`~ordercycle.storage.errors.StreamConflictError`, as the port allows for a
        stream that moved on after the append was called.
        """
        if not rows:
            return
        if self._messages + len(rows) >= 1 << POSITION_BITS:
            raise StorageError(
                f"Cannot append {len(rows)} more events in one unit of work on {self._where}:"
                f" at most {(1 << POSITION_BITS) - 1} per unit of work."
            )
        for start in range(0, len(rows), self.batch_rows):
            chunk = rows[start : start + self.batch_rows]
            values: list[Any] = [self._stream_lock(kind), aggregate_id, kind, aggregate_id]
            for version, event_type, payload, digest in chunk:
                values += (version, event_type, payload, digest)
            values += (self._messages - chunk[0][0], kind, aggregate_id)
            cursor = self._send(
                "WITH stream AS (SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))),"
                f" stored AS (INSERT INTO {EVENTS}"
                " (kind, aggregate_id, version, event_type, payload, hash)"
                " SELECT ?, ?, v.version, v.event_type, v.payload, v.hash FROM (VALUES "
                + ", ".join(["(?::integer, ?, ?, ?)"] * len(chunk))
                + ") AS v (version, event_type, payload, hash) CROSS JOIN stream"
                " ON CONFLICT DO NOTHING RETURNING version, event_type, payload)"
                f" INSERT INTO {OUTBOX} (position, kind, aggregate_id, version, event_type,"
                f" payload) SELECT ({_XID} << 20) + ? + version, ?, ?, version, event_type,"
                " payload FROM stored RETURNING version",
                values,
            )
            self._messages += len(chunk)
            self._unconfirmed.append((cursor, kind, aggregate_id, expected_version, len(chunk)))
        self._heads[(kind, aggregate_id)] = (rows[-1][0], rows[-1][3])

    def _tx_claim_checkpoint(self, consumer: str) -> int:
        # Lock the consumer's row (creating it at 0): a second claimer waits here until
        # this unit of work ends, then reads the checkpoint it saved.
        rows = self._run(
            f"INSERT INTO {CHECKPOINTS} (consumer, position) VALUES (?, 0)"
            f" ON CONFLICT (consumer) DO UPDATE SET position = {CHECKPOINTS}.position"
            " RETURNING position",
            (consumer,),
        )
        return int(rows[0][0])

    # --- read-model rows ---------------------------------------------------------------------

    def _tx_view_upsert(self, row: ViewRow) -> bool:
        """Two statements, not three: the row (kept if newer), then only its changed terms.

        The first statement locks the row (or finds a newer one and writes nothing). The
        second runs with a snapshot taken after that lock, so it sees the terms of every
        writer of this key that committed before: it deletes the terms the row no longer
        has and inserts the new ones (a term kept is neither deleted nor inserted again).
        The two cannot be one statement: a statement's snapshot is taken before it waits
        for the row's lock, and would miss the terms a writer committed meanwhile.
        """
        stored = self._run(
            UPSERT_NEWER_VIEW_ROW,
            (row.view, row.key, row.version, row.sort, terms_json(row.terms), row.data),
        )
        if not stored:
            return False
        if not row.terms:
            self._send(
                f"DELETE FROM {VIEW_TERMS} WHERE view_name = ? AND row_key = ?",
                (row.view, row.key),
            )
            return True
        values = ", ".join(["(?::text, ?::text)"] * len(row.terms))
        pairs = [x for term in row.terms for x in term]
        # Nothing is read from it: it goes with the next round trip.
        self._send(
            f"WITH new (field, value) AS (VALUES {values}),"
            f" gone AS (DELETE FROM {VIEW_TERMS} t WHERE t.view_name = ? AND t.row_key = ?"
            " AND (t.field, t.value, t.sort_key) NOT IN (SELECT field, value, ? FROM new))"
            f" INSERT INTO {VIEW_TERMS} (view_name, field, value, sort_key, row_key)"
            " SELECT ?, field, value, ?, ? FROM new ON CONFLICT DO NOTHING",
            [*pairs, row.view, row.key, row.sort, row.view, row.sort, row.key],
        )
        return True

    # --- the outbox: only below the horizon -------------------------------------------------

    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]:
        deadline = time.monotonic() + self.horizon_wait
        while True:
            rows = self._run(
                f"{_HORIZON_CTE}(SELECT position, kind, aggregate_id, version, event_type,"
                f" payload FROM {OUTBOX}, h WHERE position > ? AND {_VISIBLE}"
                f" ORDER BY position LIMIT ?) UNION ALL (SELECT position, NULL, NULL, NULL,"
                f" NULL, NULL FROM {OUTBOX}, h WHERE position > ? AND {_BEHIND}"
                " ORDER BY position LIMIT 1)",
                (after, limit, after),
            )
            found = [row for row in rows if row[1] is not None]
            behind = len(found) < len(rows)
            if not behind or len(found) == limit or not self._can_wait(deadline):
                break
            self._wait_a_little()
        return [(int(p), str(k), str(a), int(v), str(t), str(d)) for p, k, a, v, t, d in found]

    def _tx_last_position(self) -> int:
        deadline = time.monotonic() + self.horizon_wait
        while True:
            rows = self._run(
                f"{_HORIZON_CTE}SELECT COALESCE(MAX(position) FILTER (WHERE {_VISIBLE}), 0),"
                f" COALESCE(MAX(position) FILTER (WHERE {_VISIBLE} OR {_BEHIND}), 0)"
                f" FROM {OUTBOX}, h"
            )
            last, newest = int(rows[0][0]), int(rows[0][1])
            if last == newest or not self._can_wait(deadline):
                return last
            self._wait_a_little()

    def _wait_a_little(self) -> None:
        time.sleep(0.002)
        # pg_stat_activity is read once per transaction; read it afresh next time.
        self._run("SELECT pg_stat_clear_snapshot()")

    def _can_wait(self, deadline: float) -> bool:
        """Whether waiting can move the horizon (a read-committed reader, time left)."""
        return not self.read_only and time.monotonic() < deadline


class _PipedConnection:
    """A pooled connection kept in psycopg's pipeline mode for its whole life.

    A statement is sent when it is executed; results are read at a sync (one round trip
    for everything sent since the last). Leaving pipeline mode costs a round trip of its
    own, so a connection stays in it between units of work.

    Attributes:
        connection: The psycopg connection.
        pipeline: Its pipeline (``sync()`` is one round trip).
    """

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection
        self._stack = ExitStack()
        self.pipeline = self._stack.enter_context(connection.pipeline())

    def close(self) -> None:
        """Close the connection (its pipeline with it)."""
        try:
            self._stack.close()
        except _psycopg().Error:
            pass  # a broken connection is closed all the same
        finally:
            self.connection.close()


def _close(connection: _PipedConnection) -> None:
    connection.close()
