"""The whole storage contract suite against the SQLAlchemy Core adapter.

It runs on a SQLite file (``sqlite:///...``) and on PostgreSQL (``postgresql+psycopg://``,
from ``postgres_dsn`` in ``tests/conftest.py``: every test gets its own PostgreSQL schema,
dropped afterwards). The adapter needs the ``sqlalchemy`` extra; CI installs it with
``test``.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy", reason="the sqlalchemy extra is not installed")

from ordercycle.storage.sqlalchemy import SQLAlchemyStorage
from ordercycle.testing.contracts import (
    ProcessConcurrencyContract,
    ProjectionsContract,
    ReadingContract,
    ReopenContract,
    SchemaContract,
    StorageContract,
    TamperEvidenceContract,
)
from ordercycle.testing.tampering import SqlTampering


def _tampering(storage: Any) -> SqlTampering:
    """Raw access to the tables behind an SQLAlchemy storage (SQLite or PostgreSQL)."""
    if storage.dialect == "sqlite":
        return SqlTampering.sqlite(storage.url.database)
    url = storage.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return SqlTampering.postgres(url, storage.schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """A picklable opener of a fresh database, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield functools.partial(SQLAlchemyStorage, f"sqlite:///{tmp_path / 'contract.db'}")
        return
    import psycopg

    dsn: str = request.getfixturevalue("postgres_dsn")
    name = f"oc_test_{uuid.uuid4().hex[:16]}"
    url = "postgresql+psycopg://" + dsn.split("://", 1)[1]
    try:
        yield functools.partial(SQLAlchemyStorage, url, schema=name)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def opened(opener: Callable[[], Any]) -> Iterator[Any]:
    storage = opener()
    yield storage
    storage.close()


class TestSQLAlchemyStorageContract(StorageContract, ReadingContract, ProjectionsContract):
    @pytest.fixture
    def storage(self, opened: Any) -> Any:
        return opened


class TestSQLAlchemyTamperEvidence(TamperEvidenceContract):
    @pytest.fixture
    def storage(self, opened: Any) -> Any:
        return opened

    @pytest.fixture
    def tampering(self, opened: Any) -> SqlTampering:
        return _tampering(opened)


class TestSQLAlchemyProcessContract(ProcessConcurrencyContract):
    @pytest.fixture
    def storage_opener(self, opener: Callable[[], Any]) -> Callable[[], Any]:
        return opener


class TestSQLAlchemyReopenContract(ReopenContract):
    @pytest.fixture
    def storage_opener(self, opener: Callable[[], Any]) -> Callable[[], Any]:
        return opener


class TestSQLAlchemySchemaContract(SchemaContract):
    def schema_tampering(self, storage: Any) -> SqlTampering:
        return _tampering(storage)

    @pytest.fixture
    def storage_opener(self, opener: Callable[[], Any]) -> Callable[[], Any]:
        return opener


@pytest.mark.parametrize("unit", ["adapter", "mutant-without-savepoint"])
def test_a_writer_that_bypasses_the_lock_is_a_conflict_and_the_unit_stays_usable(
    postgres_dsn: str, unit: str
) -> None:
    """On PostgreSQL a failed insert aborts the transaction unless it ran in a savepoint.

    Behind the writer lock no adapter write fails, so the contract suite cannot see a
    missing savepoint; a writer that bypasses the lock (a rogue connection) shows it.
    """
    import psycopg
    from tests.contract.mutants import SqlaNoSavepoint

    from ordercycle.errors import StorageError
    from ordercycle.storage import StreamConflictError
    from ordercycle.testing.contracts import item_added

    name = f"oc_test_{uuid.uuid4().hex[:16]}"
    url = "postgresql+psycopg://" + postgres_dsn.split("://", 1)[1]
    storage = SQLAlchemyStorage(url, schema=name)
    rogue = psycopg.connect(postgres_dsn, autocommit=True)
    try:
        with storage.unit_of_work() as uow:
            uow.events.append("stock", "MUG", [item_added("MUG", 1)], expected_version=0)
        rogue.execute("BEGIN")
        rogue.execute(
            f'INSERT INTO "{name}".ordercycle_events VALUES (%s, %s, %s, %s, %s, %s)',
            ("stock", "MUG", 2, "rogue", "{}", None),
        )
        committer = threading.Timer(0.5, lambda: rogue.execute("COMMIT"))
        committer.start()
        failure: Exception | None = None
        after: int | Exception
        with storage.unit_of_work() if unit == "adapter" else SqlaNoSavepoint(storage) as uow:
            try:  # blocks on the primary key until the rogue commits, then conflicts
                uow.events.append("stock", "MUG", [item_added("MUG", 2)], expected_version=1)
            except Exception as error:
                failure = error
            try:
                after = uow.events.version("stock", "MUG")
            except Exception as error:
                after = error
            uow.rollback()
        committer.join()
        if unit == "adapter":
            assert isinstance(failure, StreamConflictError)
            assert (failure.expected_version, failure.actual_version) == (1, 2)
            assert after == 2  # the unit of work is still usable
        else:  # the aborted transaction refuses even the conflict's own version read
            assert isinstance(failure, StorageError)
            assert not isinstance(failure, StreamConflictError)
            assert isinstance(after, StorageError)
    finally:
        rogue.close()
        storage.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
