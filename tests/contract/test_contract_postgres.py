"""The storage contract suite against a real PostgreSQL server.

Skipped unless ``ORDERCYCLE_TEST_POSTGRES_DSN`` is set; as root, ``eval
"$(.ci/postgres.sh)"`` installs and starts Debian's PostgreSQL and sets it. Every test
gets its own PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from ordercycle.storage import PostgresStorage
from ordercycle.testing.contracts import ProcessConcurrencyContract, StorageContract

DSN_VARIABLE = "ORDERCYCLE_TEST_POSTGRES_DSN"


@pytest.fixture
def schema() -> Iterator[tuple[str, str]]:
    """``(dsn, schema name)`` of a fresh schema, dropped after the test."""
    dsn = os.environ.get(DSN_VARIABLE, "").strip()
    if not dsn:
        pytest.skip(
            f"PostgreSQL tests need a server: set {DSN_VARIABLE} to a DSN, for example with"
            ' `eval "$(.ci/postgres.sh)"` run as root (installs and starts PostgreSQL).'
        )
    import psycopg

    name = f"oc_test_{uuid.uuid4().hex[:16]}"
    try:
        yield dsn, name
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


class TestPostgresStorageContract(StorageContract):
    @pytest.fixture
    def storage(self, schema: tuple[str, str]) -> Iterator[PostgresStorage]:
        dsn, name = schema
        storage = PostgresStorage(dsn, schema=name)
        yield storage
        storage.close()


class TestPostgresProcessContract(ProcessConcurrencyContract):
    @pytest.fixture
    def storage_opener(self, schema: tuple[str, str]) -> Callable[[], PostgresStorage]:
        dsn, name = schema
        return functools.partial(PostgresStorage, dsn, schema=name)
