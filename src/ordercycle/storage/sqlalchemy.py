"""The SQLAlchemy Core adapter: any database SQLAlchemy speaks, one URL away.

It needs the ``sqlalchemy`` extra (SQLAlchemy 2), imported when a storage is opened;
without it, opening raises :class:`~ordercycle.errors.MissingDependencyError`. It is
tested on SQLite (``sqlite:///shop.db``) and PostgreSQL
(``postgresql+psycopg://user:pw@host/db``), with the whole contract suite of
:mod:`ordercycle.testing.contracts`.

It keeps the same tables as the bundled SQL adapters (``ordercycle_events``,
``ordercycle_outbox``, ...), described once as SQLAlchemy ``MetaData`` and created by a
migration step given as a callable (:attr:`~ordercycle.storage.migrations.Migration.apply`),
recorded in ``ordercycle_schema`` like every other step. Statements are Core constructs
(``insert``, ``select``, ``delete``), so the SQL is the dialect's own.

How it keeps the ports' promises on a database (see the how-to "Write a storage adapter"):

- *A failed call writes nothing and leaves the unit of work usable*: each write that may
  fail runs in a savepoint (``Connection.begin_nested()``); a unique violation rolls back
  to it and becomes the port's error (``StreamConflictError``, ``CommandConflictError``).
- *Outbox positions grow in commit order*: before its first write a unit of work updates
  the single row of ``ordercycle_writer``; the row lock is held until commit or rollback,
  so writers queue from their first write and take outbox positions in commit order. On
  SQLite a writer also begins with ``BEGIN IMMEDIATE`` (one writer at a time, from its
  first statement), because a deferred transaction that has read cannot wait for the lock.
- Read-only units of work (:meth:`SQLAlchemyStorage.reading`) take no lock: ``BEGIN
  DEFERRED`` on SQLite, one ``REPEATABLE READ`` snapshot on PostgreSQL.
- *Read models* (:class:`~ordercycle.storage.ports.Projections`, ``uow.projections``) live
  in the bundled adapters' two tables (migration step 2): ``ordercycle_view_rows`` and
  ``ordercycle_view_terms``, one row per ``(field, value)`` term. A put replaces a row and
  its terms under the writer lock (the unit of work first checked that the stored row is
  not newer); a query reads its first term's index in ``(sort, key)`` order from the
  cursor on, checks each further term with one lookup by key, and stops at the limit. On
  PostgreSQL those lookups carry ``OFFSET 0``, so the planner keeps them lookups.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from ordercycle.errors import (
    ConcurrencyError,
    MissingDependencyError,
    StorageError,
    ValidationError,
)
from ordercycle.storage._closing import ClosingStorage
from ordercycle.storage._sql import VIEW_ROWS, VIEW_TERMS
from ordercycle.storage._unit import EventRow, OutboxRow, ProjectingUnitOfWork, StoredRow
from ordercycle.storage.errors import CommandConflictError, StreamConflictError, UnitOfWorkError
from ordercycle.storage.migrations import SCHEMA_TABLE, Migration, apply_migrations, needs_migration
from ordercycle.storage.records import Snapshot
from ordercycle.storage.views import ViewQuery, ViewRow

__all__ = ["SQLALCHEMY_MIGRATIONS", "SQLAlchemyStorage", "SQLAlchemyUnitOfWork"]

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MIGRATION_LOCK = 731_103
_READ_ONLY = "ordercycle_read_only"


def _sqlalchemy() -> Any:
    try:
        return importlib.import_module("sqlalchemy")
    except ImportError:
        raise MissingDependencyError("SQLAlchemyStorage", "sqlalchemy", "sqlalchemy") from None


class _Tables:
    """The tables, as SQLAlchemy Core ``Table`` objects of one ``MetaData``."""

    def __init__(self, sa: Any) -> None:
        self.metadata = metadata = sa.MetaData()
        text, integer, big = sa.Text, sa.Integer, sa.BigInteger().with_variant(sa.Integer, "sqlite")
        self.events = sa.Table(
            "ordercycle_events",
            metadata,
            sa.Column("kind", text, primary_key=True),
            sa.Column("aggregate_id", text, primary_key=True),
            sa.Column("version", integer, primary_key=True, autoincrement=False),
            sa.Column("event_type", text, nullable=False),
            sa.Column("payload", text, nullable=False),
            sa.Column("hash", text),
        )
        self.outbox = sa.Table(
            "ordercycle_outbox",
            metadata,
            sa.Column("position", big, primary_key=True, autoincrement=True),
            sa.Column("kind", text, nullable=False),
            sa.Column("aggregate_id", text, nullable=False),
            sa.Column("version", integer, nullable=False),
            sa.Column("event_type", text, nullable=False),
            sa.Column("payload", text, nullable=False),
            sqlite_autoincrement=True,  # positions are never reused
        )
        self.checkpoints = sa.Table(
            "ordercycle_checkpoints",
            metadata,
            sa.Column("consumer", text, primary_key=True),
            sa.Column("position", big, nullable=False),
        )
        self.snapshots = sa.Table(
            "ordercycle_snapshots",
            metadata,
            sa.Column("kind", text, primary_key=True),
            sa.Column("aggregate_id", text, primary_key=True),
            sa.Column("version", integer, primary_key=True, autoincrement=False),
            sa.Column("payload", text, nullable=False),
            sa.Column("hash", text),
        )
        self.commands = sa.Table(
            "ordercycle_commands",
            metadata,
            sa.Column("command_id", text, primary_key=True),
            sa.Column("payload_hash", text, nullable=False),
            sa.Column("result", text, nullable=False),
        )
        self.writer = sa.Table(
            "ordercycle_writer",
            metadata,
            sa.Column("id", integer, primary_key=True, autoincrement=False),
            sa.Column("turn", big, nullable=False),
        )
        #: The tables of migration step 1.
        self.first = (
            self.events,
            self.outbox,
            self.checkpoints,
            self.snapshots,
            self.commands,
            self.writer,
        )
        # Step 2: read-model rows, listed by (view, sort, key), and one row per term, keyed
        # so that a term's rows are read in (sort, key) order, indexed by key so that the
        # other terms of a row are checked with one lookup each (as in the SQL adapters).
        self.view_rows = sa.Table(
            VIEW_ROWS,
            metadata,
            sa.Column("view_name", text, primary_key=True),
            sa.Column("row_key", text, primary_key=True),
            sa.Column("version", big, nullable=False),
            sa.Column("sort_key", text, nullable=False),
            sa.Column("terms", text, nullable=False),
            sa.Column("data", text, nullable=False),
            sa.Index(f"{VIEW_ROWS}_sort", "view_name", "sort_key", "row_key"),
            sqlite_with_rowid=False,
        )
        self.view_terms = sa.Table(
            VIEW_TERMS,
            metadata,
            sa.Column("view_name", text, primary_key=True),
            sa.Column("field", text, primary_key=True),
            sa.Column("value", text, primary_key=True),
            sa.Column("sort_key", text, primary_key=True),
            sa.Column("row_key", text, primary_key=True),
            sa.Index(f"{VIEW_TERMS}_key", "view_name", "row_key", "field", "value"),
            sqlite_with_rowid=False,
        )


@functools.cache
def _tables() -> _Tables:
    return _Tables(_sqlalchemy())


def _create_tables(connection: Any) -> None:
    """Migration step 1: the tables of events to the writer lock, and the lock's row."""
    tables = _tables()
    tables.metadata.create_all(connection, tables=tables.first)
    connection.execute(tables.writer.insert().values(id=1, turn=0))


def _create_views(connection: Any) -> None:
    """Migration step 2: the read-model rows and their terms, with their indexes."""
    tables = _tables()
    tables.metadata.create_all(connection, tables=(tables.view_rows, tables.view_terms))


#: The schema's history; the last entry's version is the current version.
SQLALCHEMY_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        name="events, outbox, checkpoints, snapshots, commands and the writer lock",
        apply=_create_tables,
    ),
    Migration(version=2, name="read-model rows and their terms", apply=_create_views),
)


class SQLAlchemyStorage(ClosingStorage):
    """Storage in any database SQLAlchemy Core speaks; see the module docstring.

    Args:
        url: An SQLAlchemy database URL (``sqlite:///shop.db``,
            ``postgresql+psycopg://user:pw@host/db``); ``postgresql://`` uses psycopg 3.
            SQLite in memory is refused (use :class:`~ordercycle.storage.memory.MemoryStorage`).
        schema: A PostgreSQL schema to keep the tables in (lower-case letters, digits and
            ``_``), created on open; ``None`` uses the connection's search path.
        busy_timeout: Seconds a SQLite writer waits for the write lock.
        migrate_upto: Stop migrating at this schema version (for tests of migrations).

    Attributes:
        url: The URL, as SQLAlchemy parsed it (its password hidden when shown).
        schema_version: The schema version recorded in the database after opening it.

    Raises:
        MissingDependencyError: SQLAlchemy is not installed (``pip install
            'ordercycle[sqlalchemy]'``), or the URL's driver is not.
        SchemaVersionError: The database's schema is newer than this code.
        StorageError: The database cannot be reached.
        ValidationError: The URL, schema or timeout is not valid.
    """

    #: The migrations this adapter applies, in order; the last one's version is the
    #: newest schema it knows (:attr:`schema_version` after opening a current database).
    migrations: ClassVar[tuple[Migration, ...]] = SQLALCHEMY_MIGRATIONS

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        busy_timeout: float = 30.0,
        migrate_upto: int | None = None,
    ) -> None:
        sa = _sqlalchemy()
        if not isinstance(url, str) or not url.strip():
            raise ValidationError.invalid(
                "SQLAlchemyStorage", "url", url, "an SQLAlchemy URL such as sqlite:///shop.db"
            )
        try:
            parsed = sa.engine.make_url(url)
        except (sa.exc.ArgumentError, ValueError):
            raise ValidationError.invalid(
                "SQLAlchemyStorage", "url", url, "an SQLAlchemy URL such as sqlite:///shop.db"
            ) from None
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        backend = parsed.get_backend_name()
        if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
            raise ValidationError.invalid(
                "SQLAlchemyStorage", "url", url, "a SQLite file (use MemoryStorage for memory)"
            )
        if schema is not None and (
            not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema)
        ):
            raise ValidationError.invalid(
                "SQLAlchemyStorage",
                "schema",
                schema,
                "a name of lower-case letters, digits and '_' (at most 63), or None",
            )
        if schema is not None and backend != "postgresql":
            raise ValidationError.invalid(
                "SQLAlchemyStorage", "schema", schema, f"None for a {backend} database"
            )
        if (
            isinstance(busy_timeout, bool)
            or not isinstance(busy_timeout, int | float)
            or busy_timeout < 0
        ):
            raise ValidationError.invalid(
                "SQLAlchemyStorage", "busy_timeout", busy_timeout, "a number of seconds >= 0"
            )
        self._sa = sa
        self.url = parsed
        self.schema = schema
        self.busy_timeout = float(busy_timeout)
        self._where = f"{backend} database (SQLAlchemy)" + (f" (schema {schema})" if schema else "")
        self._closed = False
        try:
            self._engine = sa.create_engine(parsed)
        except ImportError as error:
            raise MissingDependencyError(
                "SQLAlchemyStorage", error.name or str(parsed.drivername), "sqlalchemy"
            ) from None
        self._tables = _tables()
        self._install_hooks()
        try:
            self.schema_version = self._migrate(migrate_upto)
        except BaseException:
            self.close()  # a refused open leaves no connection behind
            raise

    def __repr__(self) -> str:
        return f"SQLAlchemyStorage({self.url.render_as_string(hide_password=True)!r})"

    @property
    def dialect(self) -> str:
        """The database's SQLAlchemy dialect name (``"sqlite"``, ``"postgresql"``, ...)."""
        return str(self._engine.dialect.name)

    def unit_of_work(self) -> SQLAlchemyUnitOfWork:
        """Return a new unit of work; it begins when entered."""
        return SQLAlchemyUnitOfWork(self)

    def reading(self) -> SQLAlchemyUnitOfWork:
        """Return a new read-only unit of work: one snapshot, no lock; it refuses writes."""
        return SQLAlchemyUnitOfWork(self, read_only=True)

    def close(self) -> None:
        """Dispose of the engine's pooled connections; new units of work are refused."""
        self._closed = True
        self._engine.dispose()

    # --- connections -----------------------------------------------------------------------

    def _install_hooks(self) -> None:
        event = self._sa.event
        engine = self._engine
        if self.dialect == "sqlite":
            timeout = int(self.busy_timeout * 1000)

            def on_connect(dbapi_connection: Any, record: Any) -> None:
                # The driver must not begin transactions itself: the "begin" hook does.
                dbapi_connection.isolation_level = None
                cursor = dbapi_connection.cursor()
                cursor.execute(f"PRAGMA busy_timeout = {timeout}")
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.close()

            def on_begin(connection: Any) -> None:
                read_only = connection.get_execution_options().get(_READ_ONLY, False)
                connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

            event.listen(engine, "connect", on_connect)
            event.listen(engine, "begin", on_begin)
        elif self.schema is not None:
            schema = self.schema

            def on_schema_connect(dbapi_connection: Any, record: Any) -> None:
                autocommit = dbapi_connection.autocommit
                dbapi_connection.autocommit = True
                cursor = dbapi_connection.cursor()
                cursor.execute(f'SET search_path TO "{schema}"')
                cursor.close()
                dbapi_connection.autocommit = autocommit

            event.listen(engine, "connect", on_schema_connect)

    def _connect(self, *, read_only: bool = False) -> Any:
        if self._closed:
            raise UnitOfWorkError(
                f"Cannot use the {self._where}: the storage has been closed.",
                reason=UnitOfWorkError.CLOSED,
            )
        try:
            connection = self._engine.connect()
            if read_only:
                options: dict[str, Any] = {_READ_ONLY: True}
                if self.dialect == "postgresql":
                    options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                connection = connection.execution_options(**options)
        except self._sa.exc.DBAPIError as error:
            raise StorageError(f"Cannot connect to the {self._where}: {error.orig}") from error
        return connection

    def _migrate(self, upto: int | None) -> int:
        """Bring the schema up to date; a current database is only read, without a lock."""
        sa = self._sa
        probe = self._connect(read_only=True)
        try:
            found = int(
                probe.execute(
                    sa.text(f"SELECT COALESCE(MAX(version), 0) FROM {SCHEMA_TABLE}")
                ).scalar_one()
            )
        except sa.exc.DBAPIError:
            found = -1  # no schema table yet: decide under the lock
        finally:
            probe.close()
        if found >= 0 and not needs_migration(found, self.migrations, where=self._where, upto=upto):
            return found
        connection = self._connect()

        def execute(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
            # apply_migrations writes "?" markers; SQLAlchemy's text() takes named ones.
            parts = sql.split("?")
            named = "".join(
                part + (f":p{index}" if index < len(parts) - 1 else "")
                for index, part in enumerate(parts)
            )
            result = connection.execute(
                sa.text(named), {f"p{index}": value for index, value in enumerate(params)}
            )
            return [tuple(row) for row in result] if result.returns_rows else []

        try:
            with connection.begin():
                if self.dialect == "postgresql":
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:lock, hashtext(:scope))"),
                        {"lock": _MIGRATION_LOCK, "scope": self.schema or "public"},
                    )
                    if self.schema is not None:
                        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                _, after = apply_migrations(
                    execute, self.migrations, where=self._where, upto=upto, connection=connection
                )
            return after
        except sa.exc.DBAPIError as error:
            raise StorageError(f"Cannot migrate the {self._where}: {error.orig}") from error
        finally:
            connection.close()


class SQLAlchemyUnitOfWork(ProjectingUnitOfWork):
    """A unit of work of :class:`SQLAlchemyStorage`: one transaction on one connection."""

    def __init__(self, storage: SQLAlchemyStorage, *, read_only: bool = False) -> None:
        super().__init__(storage._where, read_only=read_only)
        self._storage = storage
        self._sa = storage._sa
        self._t = storage._tables
        self._connection: Any = None
        self._transaction: Any = None
        self._locked = False

    def __repr__(self) -> str:
        return f"<SQLAlchemyUnitOfWork ({self._state})>"

    # --- running statements ------------------------------------------------------------------

    def _run(self, statement: Any) -> Any:
        if self._connection is None:
            raise UnitOfWorkError(f"Cannot run a statement on {self._where}: no transaction.")
        try:
            return self._connection.execute(statement)
        except self._sa.exc.DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) in {"40001", "40P01"}:
                raise ConcurrencyError(
                    f"a transaction on {self._where}", "no concurrent change", "a conflict"
                ) from error
            raise StorageError(f"Storage failure on {self._where}: {error.orig}") from error

    def _guarded(self, action: Callable[[], None], conflict: Callable[[], Exception]) -> None:
        """Run writes in a savepoint; a unique violation rolls back to it as ``conflict()``."""
        savepoint = self._connection.begin_nested()
        try:
            action()
        except StorageError as error:
            savepoint.rollback()
            if isinstance(error.__cause__, self._sa.exc.IntegrityError):
                raise conflict() from error.__cause__
            raise
        savepoint.commit()

    def _before_write(self) -> None:
        """Take the writer lock (the row of ``ordercycle_writer``) once per transaction."""
        if not self._locked:
            writer = self._t.writer
            self._run(writer.update().where(writer.c.id == 1).values(turn=writer.c.turn + 1))
            self._locked = True

    # --- transactions ------------------------------------------------------------------------

    def _tx_begin(self) -> None:
        self._locked = False
        self._connection = self._storage._connect(read_only=self.read_only)
        try:
            self._transaction = self._connection.begin()
        except self._sa.exc.DBAPIError as error:
            self._finish()
            raise StorageError(f"Cannot begin on {self._where}: {error.orig}") from error
        except BaseException:
            self._finish()
            raise

    def _tx_commit(self) -> None:
        try:
            self._transaction.commit()
        except self._sa.exc.DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) in {"40001", "40P01"}:
                raise ConcurrencyError(
                    f"a transaction on {self._where}", "no concurrent change", "a conflict"
                ) from error
            raise StorageError(f"Cannot commit on {self._where}: {error.orig}") from error
        self._finish()

    def _tx_rollback(self) -> None:
        if self._connection is None:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        except self._sa.exc.DBAPIError:
            self._connection.invalidate()
        self._finish()

    def _finish(self) -> None:
        connection, self._connection, self._transaction = self._connection, None, None
        if connection is not None:
            connection.close()

    # --- events ------------------------------------------------------------------------------

    def _stream(self, table: Any, kind: str, aggregate_id: str) -> Any:
        return (table.c.kind == kind) & (table.c.aggregate_id == aggregate_id)

    def _tx_version(self, kind: str, aggregate_id: str) -> int:
        events, func = self._t.events, self._sa.func
        statement = self._sa.select(func.coalesce(func.max(events.c.version), 0)).where(
            self._stream(events, kind, aggregate_id)
        )
        return int(self._run(statement).scalar_one())

    def _tx_head(self, kind: str, aggregate_id: str) -> tuple[int, str | None]:
        self._before_write()
        events = self._t.events
        statement = (
            self._sa.select(events.c.version, events.c.hash)
            .where(self._stream(events, kind, aggregate_id))
            .order_by(events.c.version.desc())
            .limit(1)
        )
        row = self._run(statement).first()
        if row is None:
            return 0, None
        return int(row[0]), None if row[1] is None else str(row[1])

    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        # The head was read under the writer lock (_tx_head); the primary key still turns
        # a writer that bypassed the lock into a conflict below.
        self._before_write()
        if not rows:
            return
        events, outbox = self._t.events, self._t.outbox

        def insert() -> None:
            self._run(
                events.insert().values(
                    [
                        {
                            "kind": kind,
                            "aggregate_id": aggregate_id,
                            "version": version,
                            "event_type": event_type,
                            "payload": payload,
                            "hash": digest,
                        }
                        for version, event_type, payload, digest in rows
                    ]
                )
            )
            for version, event_type, payload, _ in rows:  # one by one: positions in order
                self._run(
                    outbox.insert().values(
                        kind=kind,
                        aggregate_id=aggregate_id,
                        version=version,
                        event_type=event_type,
                        payload=payload,
                    )
                )

        def conflict() -> Exception:
            actual = self._tx_version(kind, aggregate_id)
            return StreamConflictError(kind, aggregate_id, expected_version, actual)

        self._guarded(insert, conflict)

    def _tx_rows(self, kind: str, aggregate_id: str, from_version: int) -> list[StoredRow]:
        sa, events = self._sa, self._t.events
        anchor = from_version if from_version > 0 else -1
        payload = sa.case((events.c.version == anchor, sa.literal("")), else_=events.c.payload)
        statement = (
            sa.select(events.c.version, events.c.event_type, payload, events.c.hash)
            .where(self._stream(events, kind, aggregate_id) & (events.c.version >= from_version))
            .order_by(events.c.version)
        )
        return [
            (int(v), str(t), str(p), None if h is None else str(h))
            for v, t, p, h in self._run(statement)
        ]

    def _tx_event_hash(self, kind: str, aggregate_id: str, version: int) -> str | None:
        events = self._t.events
        statement = self._sa.select(events.c.hash).where(
            self._stream(events, kind, aggregate_id) & (events.c.version == version)
        )
        value = self._run(statement).scalar()
        return None if value is None else str(value)

    def _tx_ids(self, kind: str) -> list[str]:
        events = self._t.events
        statement = (
            self._sa.select(events.c.aggregate_id)
            .where(events.c.kind == kind)
            .distinct()
            .order_by(events.c.aggregate_id)
        )
        return [str(value) for value in self._run(statement).scalars()]

    # --- snapshots ---------------------------------------------------------------------------

    def _tx_save_snapshot(self, snapshot: Snapshot, digest: str | None) -> None:
        # Replacing a row is a delete and an insert in every dialect; the writer lock keeps
        # two units of work from replacing the same one at once.
        self._before_write()
        snapshots = self._t.snapshots
        self._run(
            snapshots.delete().where(
                self._stream(snapshots, snapshot.kind, snapshot.aggregate_id)
                & (snapshots.c.version == snapshot.version)
            )
        )
        self._run(
            snapshots.insert().values(
                kind=snapshot.kind,
                aggregate_id=snapshot.aggregate_id,
                version=snapshot.version,
                payload=snapshot.payload,
                hash=digest,
            )
        )

    def _tx_latest_snapshot(
        self, kind: str, aggregate_id: str
    ) -> tuple[int, str, str | None] | None:
        snapshots = self._t.snapshots
        statement = (
            self._sa.select(snapshots.c.version, snapshots.c.payload, snapshots.c.hash)
            .where(self._stream(snapshots, kind, aggregate_id))
            .order_by(snapshots.c.version.desc())
            .limit(1)
        )
        row = self._run(statement).first()
        if row is None:
            return None
        return int(row[0]), str(row[1]), None if row[2] is None else str(row[2])

    # --- commands ----------------------------------------------------------------------------

    def _tx_command(self, command_id: str) -> tuple[str, str] | None:
        commands = self._t.commands
        statement = self._sa.select(commands.c.payload_hash, commands.c.result).where(
            commands.c.command_id == command_id
        )
        row = self._run(statement).first()
        return (str(row[0]), str(row[1])) if row is not None else None

    def _tx_record_command(self, command_id: str, payload_hash: str, result: str) -> None:
        self._before_write()
        commands = self._t.commands

        def insert() -> None:
            self._run(
                commands.insert().values(
                    command_id=command_id, payload_hash=payload_hash, result=result
                )
            )

        self._guarded(insert, lambda: CommandConflictError(command_id))

    # --- outbox ------------------------------------------------------------------------------

    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]:
        outbox = self._t.outbox
        statement = (
            self._sa.select(
                outbox.c.position,
                outbox.c.kind,
                outbox.c.aggregate_id,
                outbox.c.version,
                outbox.c.event_type,
                outbox.c.payload,
            )
            .where(outbox.c.position > after)
            .order_by(outbox.c.position)
            .limit(limit)
        )
        return [
            (int(p), str(k), str(a), int(v), str(t), str(d))
            for p, k, a, v, t, d in self._run(statement)
        ]

    def _tx_last_position(self) -> int:
        outbox, func = self._t.outbox, self._sa.func
        statement = self._sa.select(func.coalesce(func.max(outbox.c.position), 0))
        return int(self._run(statement).scalar_one())

    def _tx_checkpoint(self, consumer: str) -> int:
        checkpoints = self._t.checkpoints
        statement = self._sa.select(checkpoints.c.position).where(
            checkpoints.c.consumer == consumer
        )
        value = self._run(statement).scalar()
        return 0 if value is None else int(value)

    def _tx_claim_checkpoint(self, consumer: str) -> int:
        # Under the writer lock no other writer is between its reads and its commit.
        self._before_write()
        return self._tx_checkpoint(consumer)

    def _tx_save_checkpoint(self, consumer: str, position: int) -> None:
        self._before_write()
        checkpoints = self._t.checkpoints
        self._run(checkpoints.delete().where(checkpoints.c.consumer == consumer))
        self._run(checkpoints.insert().values(consumer=consumer, position=position))

    # --- read models -------------------------------------------------------------------------

    def _tx_view_get(self, view: str, key: str) -> ViewRow | None:
        rows = self._t.view_rows
        statement = self._sa.select(
            rows.c.version, rows.c.sort_key, rows.c.terms, rows.c.data
        ).where((rows.c.view_name == view) & (rows.c.row_key == key))
        found = self._run(statement).first()
        return None if found is None else _view_row(view, key, *found)

    def _tx_view_put(self, row: ViewRow) -> None:
        # A replacement is a delete and an insert in every dialect, under the writer lock.
        self._before_write()
        self._tx_view_delete(row.view, row.key)
        self._run(
            self._t.view_rows.insert().values(
                view_name=row.view,
                row_key=row.key,
                version=row.version,
                sort_key=row.sort,
                terms=json.dumps(row.terms),
                data=row.data,
            )
        )
        if row.terms:
            self._run(
                self._t.view_terms.insert().values(
                    [
                        {
                            "view_name": row.view,
                            "field": field,
                            "value": value,
                            "sort_key": row.sort,
                            "row_key": row.key,
                        }
                        for field, value in row.terms
                    ]
                )
            )

    def _tx_view_delete(self, view: str, key: str) -> None:
        self._before_write()
        for table in (self._t.view_terms, self._t.view_rows):
            self._run(table.delete().where((table.c.view_name == view) & (table.c.row_key == key)))

    def _tx_view_clear(self, view: str) -> None:
        self._before_write()
        for table in (self._t.view_terms, self._t.view_rows):
            self._run(table.delete().where(table.c.view_name == view))

    def _tx_view_find(self, query: ViewQuery) -> list[ViewRow]:
        # The first term drives: its index entries are read in (sort, key) order from the
        # cursor on, each other term is one lookup by key, and the scan stops at the limit.
        sa, terms, rows = self._sa, self._t.view_terms, self._t.view_rows
        if query.where:
            (field, value), rest = query.where[0], query.where[1:]
            d = terms.alias("d")
            conditions = [d.c.view_name == query.view, d.c.field == field, d.c.value == value]
            for other_field, other_value in rest:
                t = terms.alias("t")
                check = sa.select(sa.literal_column("1")).where(
                    (t.c.view_name == d.c.view_name)
                    & (t.c.row_key == d.c.row_key)
                    & (t.c.field == other_field)
                    & (t.c.value == other_value)
                )
                if self._storage.dialect == "postgresql":
                    # A subquery with OFFSET is never turned into a join: each further term
                    # stays one index lookup per candidate, whatever the statistics say.
                    check = check.offset(0)
                conditions.append(check.exists())
        else:
            d = rows.alias("d")
            conditions = [d.c.view_name == query.view]
        if query.sort_from is not None:
            conditions.append(d.c.sort_key >= query.sort_from)
        if query.sort_to is not None:
            conditions.append(d.c.sort_key < query.sort_to)
        if query.after is not None:
            after_sort, after_key = query.after
            conditions.append(
                sa.tuple_(d.c.sort_key, d.c.row_key)
                > sa.tuple_(after_sort, after_key, types=[sa.Text, sa.Text])
            )
        keys = (
            sa.select(d.c.view_name, d.c.row_key, d.c.sort_key)
            .where(sa.and_(*conditions))
            .order_by(d.c.sort_key, d.c.row_key)
            .limit(query.limit)
            .subquery("k")
        )
        # One statement: the page's keys from the index, then their rows by primary key.
        statement = (
            sa.select(rows.c.row_key, rows.c.version, rows.c.sort_key, rows.c.terms, rows.c.data)
            .select_from(
                keys.join(
                    rows,
                    (rows.c.view_name == keys.c.view_name) & (rows.c.row_key == keys.c.row_key),
                )
            )
            .order_by(keys.c.sort_key, keys.c.row_key)
        )
        return [_view_row(query.view, str(r[0]), *r[1:]) for r in self._run(statement)]


def _view_row(view: str, key: str, version: Any, sort: Any, terms: Any, data: Any) -> ViewRow:
    return ViewRow(
        view=view,
        key=key,
        version=int(version),
        sort=str(sort),
        terms=tuple((str(f), str(v)) for f, v in json.loads(str(terms))),
        data=str(data),
    )
