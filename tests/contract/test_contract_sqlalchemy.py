"""The whole storage contract suite against the SQLAlchemy Core adapter.

It runs on a SQLite file (``sqlite:///...``) and on PostgreSQL (``postgresql+psycopg://``,
from ``postgres_dsn`` in ``tests/conftest.py``: every test gets its own PostgreSQL schema,
dropped afterwards). The adapter needs the ``sqlalchemy`` extra; CI installs it with
``test``.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy", reason="the sqlalchemy extra is not installed")

from ordercycle.storage.sqlalchemy import SQLAlchemyStorage
from ordercycle.testing.contracts import (
    ProcessConcurrencyContract,
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


class TestSQLAlchemyStorageContract(StorageContract, ReadingContract):
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
