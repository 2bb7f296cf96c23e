"""Versioned schema migrations, applied by the SQL adapters when they open a database.

Each adapter lists its :class:`Migration`\\ s in order. The database remembers the ones it
has in a table (``ordercycle_schema``: version, name); opening a database applies the
missing ones, in order, inside one exclusive transaction, so two processes opening the
same new database at once migrate it once. Opening a database that is already current
takes no lock at all: the version is read first, and only a database that needs a step
is locked (and read again under the lock). A database whose schema is newer than the
code is refused with :class:`~ordercycle.storage.errors.SchemaVersionError`.

A step is written in whichever form fits the adapter, and its version is recorded and
checked the same way whatever the form:

- raw SQL (:attr:`Migration.statements`), with ``?`` or ``%s`` parameters;
- code after the statements (:attr:`Migration.run`, given ``execute`` and the parameter
  marker), for data the SQL alone cannot compute: version 3 chains the hashes of the rows
  earlier versions wrote;
- a callable given the adapter's own connection (:attr:`Migration.apply`): an SQLAlchemy
  ``MetaData.create_all``, an Alembic ``Operations`` step, or anything else that speaks
  the adapter's driver. The SQLAlchemy adapter (:mod:`ordercycle.storage.sqlalchemy`)
  creates its tables this way.

>>> from ordercycle.storage.migrations import Migration
>>> created = []
>>> step = Migration(version=1, name="tables", apply=created.append)
>>> steps = apply_migrations(lambda sql, params: [(0,)], [step], where="a test database",
...                          connection="the connection")
>>> steps, created
((0, 1), ['the connection'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from ordercycle.errors import ConfigurationError
from ordercycle.storage.errors import SchemaVersionError

__all__ = [
    "SCHEMA_TABLE",
    "Migration",
    "apply_migrations",
    "check_migrations",
    "needs_migration",
]

#: The table that records applied migrations.
SCHEMA_TABLE = "ordercycle_schema"

Execute = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
#: Code run by a step after its statements: ``run(execute, placeholder)``.
Step = Callable[[Execute, str], None]
#: Code run by a step with the adapter's own connection: ``apply(connection)``.
Apply = Callable[[Any], Any]


@attrs.frozen(kw_only=True)
class Migration:
    """One step of a schema's history.

    Attributes:
        version: The schema version after this step (1, 2, ...).
        name: A short description (``"events, outbox and checkpoints"``).
        statements: The SQL statements to run, in order (none for a step that only
            has :attr:`apply`).
        run: Optional code run after the statements, with the same ``execute`` and the
            driver's parameter marker (to rewrite stored data).
        apply: Optional code run last, with the adapter's own connection inside the
            migration's transaction (``metadata.create_all``, an Alembic operation).
            Refused with :class:`~ordercycle.errors.ConfigurationError` by an adapter
            that gives :func:`apply_migrations` no connection.
    """

    version: int
    name: str
    statements: tuple[str, ...] = ()
    run: Step | None = None
    apply: Apply | None = None


def check_migrations(migrations: Sequence[Migration]) -> None:
    """Refuse a migration list whose versions are not exactly 1, 2, 3, ...

    >>> check_migrations([Migration(version=2, name="x", statements=())])
    Traceback (most recent call last):
    ...
    ordercycle.errors.ConfigurationError: Invalid versions for migration list: [2]; ...
    """
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ConfigurationError.invalid(
            "migration list", "versions", versions, "1, 2, 3, ... in order without gaps"
        )


def apply_migrations(
    execute: Execute,
    migrations: Sequence[Migration],
    *,
    where: str,
    placeholder: str = "?",
    upto: int | None = None,
    connection: Any = None,
) -> tuple[int, int]:
    """Bring a schema up to date; the caller holds an exclusive transaction around it.

    Args:
        execute: Runs one statement with parameters and returns its rows (``[]`` for
            statements without rows).
        migrations: The full list for this dialect (checked by :func:`check_migrations`).
        where: How to name the database in errors.
        placeholder: The parameter marker of the driver (``"?"`` or ``"%s"``).
        upto: Stop at this version (tests use it to build old databases).
        connection: The adapter's own connection, given to each :attr:`Migration.apply`
            (inside the same transaction as ``execute``).

    Returns:
        ``(version before, version after)``.

    Raises:
        SchemaVersionError: The database is newer than the newest migration.
        ConfigurationError: A step has :attr:`Migration.apply` but no ``connection`` was
            given.
    """
    check_migrations(migrations)
    execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE}"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL)",
        (),
    )
    rows = execute(f"SELECT COALESCE(MAX(version), 0) FROM {SCHEMA_TABLE}", ())
    before = int(rows[0][0])
    newest = len(migrations)
    if before > newest:
        raise SchemaVersionError(where, before, newest)
    target = newest if upto is None else min(upto, newest)
    for migration in migrations[before:target]:
        for statement in migration.statements:
            execute(statement, ())
        if migration.run is not None:
            migration.run(execute, placeholder)
        if migration.apply is not None:
            if connection is None:
                raise ConfigurationError.invalid(
                    f"migration {migration.version} ({migration.name})",
                    "apply",
                    migration.apply,
                    "a step this adapter can run: it gives apply_migrations no connection",
                )
            migration.apply(connection)
        execute(
            f"INSERT INTO {SCHEMA_TABLE} (version, name) VALUES ({placeholder}, {placeholder})",
            (migration.version, migration.name),
        )
    return before, max(before, target)


def needs_migration(
    found: int, migrations: Sequence[Migration], *, where: str, upto: int | None = None
) -> bool:
    """Whether a schema at version ``found`` needs a step (read without a lock first).

    Raises:
        SchemaVersionError: The database is newer than the newest migration.
    """
    newest = len(migrations)
    if found > newest:
        raise SchemaVersionError(where, found, newest)
    target = newest if upto is None else min(upto, newest)
    return found < target
