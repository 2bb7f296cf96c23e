"""The storage contract suite against the SQLite adapter (threads and OS processes)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ordercycle.storage import SQLiteStorage
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


class TestSQLiteStorageContract(StorageContract, ReadingContract, ProjectionsContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> Iterator[SQLiteStorage]:
        storage = SQLiteStorage(tmp_path / "contract.db")
        yield storage
        storage.close()


class TestSQLiteProcessContract(ProcessConcurrencyContract):
    @pytest.fixture
    def storage_opener(self, tmp_path: Path) -> Callable[[], SQLiteStorage]:
        return functools.partial(SQLiteStorage, tmp_path / "processes.db")


class TestSQLiteTamperEvidence(TamperEvidenceContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> Iterator[SQLiteStorage]:
        storage = SQLiteStorage(tmp_path / "tamper.db")
        yield storage
        storage.close()

    @pytest.fixture
    def tampering(self, storage: SQLiteStorage) -> SqlTampering:
        return SqlTampering.sqlite(storage.path)


class TestSQLiteReopenContract(ReopenContract):
    @pytest.fixture
    def storage_opener(self, tmp_path: Path) -> Callable[[], SQLiteStorage]:
        return functools.partial(SQLiteStorage, tmp_path / "reopened.db")


class TestSQLiteSchemaContract(SchemaContract):
    @pytest.fixture
    def storage_opener(self, tmp_path: Path) -> Callable[[], SQLiteStorage]:
        return functools.partial(SQLiteStorage, tmp_path / "schema.db")
