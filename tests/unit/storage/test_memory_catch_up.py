"""A kept-objects memory load after a stream's newest version: nothing, checked as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordercycle.inventory.events import StockReceived
from ordercycle.storage import MemoryStorage, TamperedStreamError
from ordercycle.storage.memory import ForgottenError

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _received(version: int) -> StockReceived:
    return StockReceived(
        aggregate_id="MUG", version=version, occurred_at=AT, sku="MUG", bin="WH-A/01", quantity=1
    )


def _storage(events: int) -> MemoryStorage:
    storage = MemoryStorage(roundtrip=False)
    with storage.unit_of_work() as uow:
        uow.events.append(
            "stock", "MUG", [_received(v) for v in range(1, events + 1)], expected_version=0
        )
    return storage


def test_a_load_after_the_newest_version_is_empty_and_one_before_it_gives_the_rest() -> None:
    storage = _storage(3)
    with storage.reading() as reader:
        assert reader.events.load("stock", "MUG", after_version=3) == ()
        assert reader.events.load("stock", "MUG", after_version=2) == (_received(3),)
        assert reader.events.load("stock", "MUG", after_version=4) == ()
    with storage.unit_of_work() as uow:
        # Staged events after the committed ones are seen by the unit that appended them.
        uow.events.append("stock", "MUG", [_received(4)], expected_version=3)
        assert uow.events.load("stock", "MUG", after_version=3) == (_received(4),)
        assert uow.events.load("stock", "MUG", after_version=4) == ()


def test_a_stream_whose_newest_row_is_not_its_version_is_refused() -> None:
    storage = _storage(2)
    rows = storage._state.streams[("stock", "MUG")]
    rows[-1] = (3, *rows[-1][1:])  # the newest row names another version
    with storage.reading() as reader, pytest.raises(TamperedStreamError, match="version 2"):
        reader.events.load("stock", "MUG", after_version=2)


def test_forgotten_history_is_still_refused_and_the_newest_version_still_caught_up() -> None:
    storage = _storage(5)
    storage.forget(history=[("stock", "MUG")])
    with storage.reading() as reader:
        assert reader.events.load("stock", "MUG", after_version=5) == ()
        assert reader.events.load("stock", "MUG", after_version=4) == (_received(5),)
        with pytest.raises(ForgottenError):
            reader.events.load("stock", "MUG", after_version=2)
    storage.forget([("stock", "MUG")])
    with storage.reading() as reader, pytest.raises(ForgottenError):
        reader.events.load("stock", "MUG", after_version=5)
