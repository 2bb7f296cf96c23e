"""The storage contract suite against the in-memory adapter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordercycle.storage import MemoryStorage
from ordercycle.testing.contracts import StorageContract


class TestMemoryStorageContract(StorageContract):
    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        storage = MemoryStorage()
        yield storage
        storage.close()
