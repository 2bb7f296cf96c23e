"""The storage contract suite against a real PostgreSQL server.

The server comes from ``tests/conftest.py`` (``postgres_dsn``: a throwaway server, or the
one ``ORDERCYCLE_TEST_POSTGRES_DSN`` names); without one these tests skip. Every test
gets its own PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest

from ordercycle.errors import ConcurrencyError
from ordercycle.storage import PostgresStorage, SchemaVersionError, payload_hash
from ordercycle.storage._codec import encode_event
from ordercycle.testing.contracts import (
    ProcessConcurrencyContract,
    ProjectionsContract,
    ReadingContract,
    ReopenContract,
    SchemaContract,
    StorageContract,
    TamperEvidenceContract,
    item_added,
)
from ordercycle.testing.tampering import SqlTampering


@pytest.fixture
def schema(postgres_dsn: str) -> Iterator[tuple[str, str]]:
    """``(dsn, schema name)`` of a fresh schema, dropped after the test."""
    import psycopg

    dsn = postgres_dsn
    name = f"oc_test_{uuid.uuid4().hex[:16]}"
    try:
        yield dsn, name
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


class TestPostgresStorageContract(StorageContract, ReadingContract, ProjectionsContract):
    @pytest.fixture
    def storage(self, schema: tuple[str, str]) -> Iterator[PostgresStorage]:
        dsn, name = schema
        storage = PostgresStorage(dsn, schema=name)
        yield storage
        storage.close()


class TestPostgresTamperEvidence(TamperEvidenceContract):
    @pytest.fixture
    def storage(self, schema: tuple[str, str]) -> Iterator[PostgresStorage]:
        dsn, name = schema
        storage = PostgresStorage(dsn, schema=name)
        yield storage
        storage.close()

    @pytest.fixture
    def tampering(self, schema: tuple[str, str]) -> SqlTampering:
        return SqlTampering.postgres(*schema)


class TestPostgresProcessContract(ProcessConcurrencyContract):
    @pytest.fixture
    def storage_opener(self, schema: tuple[str, str]) -> Callable[[], PostgresStorage]:
        dsn, name = schema
        return functools.partial(PostgresStorage, dsn, schema=name)


class TestPostgresReopenContract(ReopenContract):
    @pytest.fixture
    def storage_opener(self, schema: tuple[str, str]) -> Callable[[], PostgresStorage]:
        dsn, name = schema
        return functools.partial(PostgresStorage, dsn, schema=name)


class TestPostgresSchemaContract(SchemaContract):
    @pytest.fixture
    def storage_opener(self, schema: tuple[str, str]) -> Callable[[], PostgresStorage]:
        dsn, name = schema
        return functools.partial(PostgresStorage, dsn, schema=name)


def test_an_old_postgres_schema_is_migrated_on_open(schema: tuple[str, str]) -> None:
    import psycopg

    dsn, name = schema
    old = PostgresStorage(dsn, schema=name, migrate_upto=1)
    assert old.schema_version == 1
    old.close()
    with psycopg.connect(dsn, autocommit=True) as connection:  # a row as schema 1 stored it
        connection.execute(
            f'INSERT INTO "{name}".ordercycle_events VALUES (%s, %s, %s, %s, %s)',
            (
                "order",
                "O-1",
                1,
                item_added("O-1", 1).event_type,
                encode_event(item_added("O-1", 1)),
            ),
        )
        connection.execute(  # and its outbox message, at the identity position schema 1 gave
            f'INSERT INTO "{name}".ordercycle_outbox'
            " (kind, aggregate_id, version, event_type, payload) VALUES (%s, %s, %s, %s, %s)",
            (
                "order",
                "O-1",
                1,
                item_added("O-1", 1).event_type,
                encode_event(item_added("O-1", 1)),
            ),
        )
    storage = PostgresStorage(dsn, schema=name)
    assert storage.schema_version == len(storage.migrations)
    with storage.unit_of_work() as uow:
        assert uow.events.load("order", "O-1") == (item_added("O-1", 1),)
        uow.commands.record("cmd-1", payload_hash(1), "ok")
        uow.events.append("order", "O-1", [item_added("O-1", 2)], expected_version=1)
    with storage.unit_of_work() as uow:
        # The old message keeps its position; the new one (by transaction id) comes after.
        old_message, new_message = uow.outbox.read()
        assert (old_message.position, old_message.version) == (1, 1)
        assert new_message.version == 2
        assert new_message.position > 1 << 20
    storage.close()
    with psycopg.connect(dsn, autocommit=True) as connection:
        rows = connection.execute(f'SELECT version FROM "{name}".ordercycle_schema ORDER BY 1')
        assert [row[0] for row in rows] == [m.version for m in PostgresStorage.migrations]


def test_a_newer_postgres_schema_is_refused(schema: tuple[str, str]) -> None:
    import psycopg

    dsn, name = schema
    PostgresStorage(dsn, schema=name).close()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"INSERT INTO \"{name}\".ordercycle_schema VALUES (7, 'future')")
    with pytest.raises(SchemaVersionError, match="schema version 7"):
        PostgresStorage(dsn, schema=name)


def test_the_unique_constraint_turns_a_racing_insert_into_a_conflict(
    schema: tuple[str, str],
) -> None:
    """A writer that bypasses the adapter's lock still cannot write version 2 twice."""
    import psycopg

    dsn, name = schema
    storage = PostgresStorage(dsn, schema=name)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [item_added("MUG", 1)], expected_version=0)
    rogue = psycopg.connect(dsn, autocommit=True)
    rogue.execute("BEGIN")
    rogue.execute(
        f'INSERT INTO "{name}".ordercycle_events VALUES (%s, %s, %s, %s, %s, %s)',
        ("stock", "MUG", 2, "rogue", "{}", None),
    )
    committer = threading.Timer(0.5, lambda: rogue.execute("COMMIT"))
    committer.start()

    def racing() -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("stock", "MUG", [item_added("MUG", 2)], expected_version=1)
            uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
            assert uow.events.load("order", "O-1")[0].version == 1

    try:
        # The append is sent without waiting for its result; the next round trip blocks on
        # the unique index until the rogue commits, and finds the version taken: the
        # commit raises the conflict and writes nothing.
        with pytest.raises(ConcurrencyError, match="found version 2"):
            racing()
        with storage.unit_of_work() as uow:
            assert uow.events.version("stock", "MUG") == 2
            assert uow.events.version("order", "O-1") == 0
    finally:
        committer.join()
        rogue.close()
        storage.close()
