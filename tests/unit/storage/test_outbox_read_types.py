"""Outbox.read_types gives what read() gives, filtered by type, committed and staged alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ordercycle.inventory.events import StockAdjusted, StockReceived
from ordercycle.model.events import DomainEvent
from ordercycle.storage import MemoryStorage, SQLiteStorage

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _event(sku: str, version: int) -> DomainEvent:
    if version % 3:
        return StockReceived(
            aggregate_id=sku, version=version, occurred_at=AT, sku=sku, bin="WH-A/01", quantity=2
        )
    return StockAdjusted(
        aggregate_id=sku,
        version=version,
        occurred_at=AT,
        sku=sku,
        bin="WH-A/01",
        counted=1,
        delta=-1,
        reason="count",
    )


@pytest.mark.parametrize("adapter", ["memory", "objects", "sqlite"])
def test_read_types_is_read_filtered_across_committed_and_staged_messages(
    adapter: str, tmp_path: Path
) -> None:
    storage = (
        SQLiteStorage(tmp_path / "o.db")
        if adapter == "sqlite"
        else MemoryStorage(roundtrip=adapter == "memory")
    )
    with storage.unit_of_work() as uow:  # 6 committed messages
        uow.events.append("stock", "MUG", [_event("MUG", v) for v in (1, 2, 3)], expected_version=0)
        uow.events.append(
            "stock", "LAMP", [_event("LAMP", v) for v in (1, 2, 3)], expected_version=0
        )
    with storage.unit_of_work() as uow:  # and 4 staged ones, read in the same unit of work
        uow.events.append("stock", "MUG", [_event("MUG", v) for v in (4, 5, 6)], expected_version=3)
        uow.events.append("stock", "RUG", [_event("RUG", 1)], expected_version=0)
        for after in range(12):
            for limit in (1, 2, 3, 5, 100):
                everything = uow.outbox.read(after=after, limit=limit)
                wanted, scanned, last = uow.outbox.read_types(
                    {"StockAdjusted"}, after=after, limit=limit
                )
                assert wanted == tuple(m for m in everything if m.event_type == "StockAdjusted")
                assert scanned == len(everything)
                assert last == (everything[-1].position if everything else after)
        positions = [m.position for m in uow.outbox.read(after=0, limit=100)]
        assert positions == list(range(1, 11))
        uow.rollback()
    storage.close()
