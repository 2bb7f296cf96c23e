"""The PostgreSQL adapter: many application servers on many machines, one database.

It needs the ``postgres`` extra (psycopg 3), imported when a storage is opened; without
it, opening raises :class:`~ordercycle.errors.MissingDependencyError`.

Consistency: events live in a table whose primary key is ``(kind, aggregate_id,
version)``, so two transactions appending the same version cannot both commit; the
loser gets :class:`~ordercycle.errors.ConcurrencyError`. Writers also take a
transaction-scoped advisory lock before they append, which keeps outbox positions in
commit order (a consumer never sees position 8 before position 7 commits) and turns
most races into a clean version check. Serialization failures and deadlocks reported by
the server are also raised as :class:`~ordercycle.errors.ConcurrencyError` (retry).

Give ``schema=`` to keep the tables in their own PostgreSQL schema (created on open).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from ordercycle.errors import MissingDependencyError, StorageError, ValidationError
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
from ordercycle.storage.migrations import Migration

if TYPE_CHECKING:
    import psycopg

__all__ = ["POSTGRES_MIGRATIONS", "PostgresStorage", "PostgresUnitOfWork"]

_MIGRATION_LOCK = 731_101
_WRITE_LOCK = 731_102
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
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            self._connect, _close, where=self._where
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


class PostgresUnitOfWork(SqlUnitOfWork["psycopg.Connection[Any]"]):
    """A unit of work of :class:`PostgresStorage` (one read-committed transaction)."""

    placeholder = "%s"
    # A subquery with OFFSET is never turned into a join: each further term of a view
    # query stays one index lookup per candidate, whatever the planner's statistics say
    # (without them a semi-join over a common term can read the whole index).
    term_check_suffix = " OFFSET 0"

    def __init__(
        self,
        where: str,
        pool: ConnectionPool[psycopg.Connection[Any]],
        lock_scope: str,
        *,
        read_only: bool = False,
    ) -> None:
        super().__init__(where, pool, read_only=read_only)
        self._lock_scope = lock_scope
        self._locked = False

    def __repr__(self) -> str:
        return f"<PostgresUnitOfWork ({self._state})>"

    def _begin_sql(self) -> str:
        self._locked = False
        if self.read_only:
            return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        return "BEGIN"

    def _driver_error(self) -> type[BaseException]:
        return _psycopg().Error  # type: ignore[no-any-return]

    def _is_unique_violation(self, error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) == "23505"

    def _is_conflict(self, error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) in {"40001", "40P01"}

    def _before_write(self) -> None:
        if not self._locked:
            self._run(
                "SELECT pg_advisory_xact_lock(?, hashtext(?))", (_WRITE_LOCK, self._lock_scope)
            )
            self._locked = True


def _close(connection: psycopg.Connection[Any]) -> None:
    connection.close()
