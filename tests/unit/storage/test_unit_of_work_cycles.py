"""A finished unit of work is freed by reference counting: it is not a reference cycle.

A desk makes tens of units of work per order; when each one was a cycle (the unit held its
ports, which held it), only the cyclic garbage collector could free them, and a long
simulation spent a tenth of its CPU collecting them.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordercycle.service._watch import WatchedUnitOfWork
from ordercycle.storage import MemoryStorage, SQLiteStorage
from ordercycle.storage.ports import Storage


@pytest.fixture
def no_cyclic_collection() -> Iterator[None]:
    """Only reference counting frees objects inside the test."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _storages(tmp_path: Path) -> list[Storage]:
    return [MemoryStorage(), MemoryStorage(roundtrip=False), SQLiteStorage(tmp_path / "s.db")]


def _use(storage: Storage, *, watched: bool) -> weakref.ref[object]:
    """Use every port of a unit of work, then return a weak reference to it."""
    with storage.unit_of_work() as uow:
        used = WatchedUnitOfWork(uow) if watched else uow
        assert used.events.version("order", "O-1") == 0
        assert used.snapshots.latest("order", "O-1") is None
        assert used.commands.find("C-1", "0" * 64) is None
        assert used.outbox.read(after=0, limit=1) == ()
        assert used.projections.get("orders", "O-1") is None
        return weakref.ref(used)  # taken inside; the unit of work commits on the way out


@pytest.mark.usefixtures("no_cyclic_collection")
@pytest.mark.parametrize("watched", [False, True], ids=["plain", "watched"])
def test_a_finished_unit_of_work_is_freed_without_the_cyclic_collector(
    tmp_path: Path, watched: bool
) -> None:
    for storage in _storages(tmp_path):
        try:
            ref = _use(storage, watched=watched)
            assert ref() is None, f"a unit of work of {type(storage).__name__} outlived its use"
        finally:
            storage.close()
