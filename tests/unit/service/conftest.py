"""Fixtures for the OrderDesk tests: a stepping clock and a desk with the sample shop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def clock() -> SteppableClock:
    """A clock at Monday 2 March 2026, 09:00 UTC."""
    return SteppableClock(START)


@pytest.fixture(params=["memory", "sqlite"])
def desk(
    request: pytest.FixtureRequest, clock: SteppableClock, tmp_path: Path
) -> Iterator[OrderDesk]:
    """The sample shop, in memory and on a SQLite file."""
    if request.param == "memory":
        opened = OrderDesk.in_memory(clock=clock)
    else:
        opened = OrderDesk.sqlite(tmp_path / "shop.db", clock=clock)
    open_sample_shop(opened)
    yield opened
    opened.close()


@pytest.fixture
def memory_desk(clock: SteppableClock) -> OrderDesk:
    """The sample shop in memory only."""
    opened = OrderDesk.in_memory(clock=clock)
    open_sample_shop(opened)
    return opened


def outbox_position(desk: OrderDesk) -> int:
    """How many events storage holds (the outbox's last position): a 'nothing written' probe."""
    with desk.storage.unit_of_work() as uow:
        return uow.outbox.last_position()
