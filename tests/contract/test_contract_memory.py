"""The storage contract suite against the in-memory adapter, in both of its modes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordercycle.storage import MemoryStorage
from ordercycle.testing.contracts import (
    ProjectionsContract,
    ReadingContract,
    StorageContract,
    StreamContinuityContract,
    TamperEvidenceContract,
)
from ordercycle.testing.tampering import MemoryTampering


class TestMemoryStorageContract(StorageContract, ReadingContract, ProjectionsContract):
    # Staged writes never block, so the interleaving tests can wait longer for free.
    blocked_after = 5.0

    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        storage = MemoryStorage()
        yield storage
        storage.close()


class TestMemoryStorageKeepingObjectsContract(
    StorageContract, ReadingContract, ProjectionsContract
):
    """``roundtrip=False`` keeps event objects; every promise of the ports still holds."""

    blocked_after = 5.0

    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        storage = MemoryStorage(roundtrip=False)
        yield storage
        storage.close()


class TestMemoryStorageWithoutViewsContract(StorageContract, ReadingContract):
    """``projections=False`` (what KPIs-only simulations use, with ``roundtrip=False``)
    keeps no read models; every promise of the other ports still holds."""

    blocked_after = 5.0

    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        storage = MemoryStorage(roundtrip=False, projections=False)
        yield storage
        storage.close()


class TestMemoryTamperEvidence(TamperEvidenceContract):
    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        storage = MemoryStorage()
        yield storage
        storage.close()

    @pytest.fixture
    def tampering(self, storage: MemoryStorage) -> MemoryTampering:
        return MemoryTampering(storage)


class TestMemoryKeepingObjectsStreamContinuity(StreamContinuityContract):
    """``roundtrip=False`` stores no text to hash; deleted and moved rows are still refused."""

    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        storage = MemoryStorage(roundtrip=False)
        yield storage
        storage.close()

    @pytest.fixture
    def tampering(self, storage: MemoryStorage) -> MemoryTampering:
        return MemoryTampering(storage)
