"""A load calls ``_tx_flush`` only on an adapter that holds writes back (overrides it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ordercycle.storage import MemoryStorage, SQLiteStorage
from ordercycle.storage._sql import SqlUnitOfWork
from ordercycle.storage._unit import BaseUnitOfWork
from ordercycle.storage.memory import MemoryUnitOfWork


def test_the_classes_that_override_flush_are_the_ones_marked_as_flushing() -> None:
    assert BaseUnitOfWork._flushes is False
    assert MemoryUnitOfWork._flushes is False
    assert SqlUnitOfWork._flushes is True

    class Flushing(MemoryUnitOfWork):
        def _tx_flush(self, stream: tuple[str, str] | None = None) -> None:
            pass

    class Below(Flushing):  # inherits the override
        pass

    assert Flushing._flushes is True
    assert Below._flushes is True


def test_a_load_flushes_the_stream_on_an_adapter_that_holds_writes_back(tmp_path: Path) -> None:
    flushed: list[Any] = []

    class Recording(MemoryUnitOfWork):
        def _tx_flush(self, stream: tuple[str, str] | None = None) -> None:
            flushed.append(stream)

    storage = MemoryStorage()
    with Recording(storage._lock, storage._state) as uow:
        assert uow.events.load("order", "O-1") == ()
    assert flushed == [("order", "O-1")]
    # And the SQL adapter, which buffers appends, still reads its own appends back.
    sqlite = SQLiteStorage(tmp_path / "s.db")
    try:
        with sqlite.unit_of_work() as sql_uow:
            assert type(sql_uow)._flushes is True
    finally:
        sqlite.close()
