"""``execute()`` returns once the command has committed, whatever the dispatch after it does.

A failing dispatch (the write lock held by another process) is logged and reported on
the result; the command stays committed, and the messages are handled by a later
dispatch. A corrupt outbox row no longer fails it: the row is quarantined.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.service.desk import DISPATCH_EVERY
from ordercycle.service.settings import DeskSettings
from ordercycle.storage import SQLiteStorage


def _desk(path: Path, clock: SteppableClock, *, dispatch: bool = True) -> OrderDesk:
    settings = attrs.evolve(DeskSettings.default(), auto_dispatch=dispatch)
    return OrderDesk(SQLiteStorage(path, busy_timeout=0.05), clock=clock, settings=settings)


def test_a_command_whose_dispatch_meets_a_held_lock_returns_its_committed_result(
    tmp_path: Path, clock: SteppableClock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "shop.db"
    desk = _desk(path, clock)
    open_sample_shop(desk)
    holder = sqlite3.connect(path, isolation_level=None)
    committed = desk._cache.committed

    def then_lock(*args: Any) -> None:
        committed(*args)
        holder.execute("BEGIN IMMEDIATE")  # another process takes the lock right after

    desk._cache.committed = then_lock  # type: ignore[method-assign]
    results = []
    before = sum(p.on_hand for p in desk.stock_positions("MUG"))
    for _ in range(3):
        # A stock receipt is something the handlers react to: the desk dispatches at once.
        results.append(desk.receive_stock("MUG", "WH-EAST/A1", 1))
        holder.execute("ROLLBACK")
    desk._cache.committed = committed  # type: ignore[method-assign]
    assert [r.command for r in results] == ["ReceiveStock"] * 3
    assert all(r.pending > 0 for r in results)
    assert all("StorageError" in r.dispatch_error for r in results)
    assert "committed; the outbox handlers failed" in caplog.text
    assert sum(p.on_hand for p in desk.stock_positions("MUG")) == before + 3
    # After a failed dispatch the next command dispatches whatever it recorded, and handles
    # what was left: nothing is pending after it.
    later = desk.place_order("C-BOLT", {"MUG": 1})
    assert (later.pending, later.dispatch_error) == (0, "")
    holder.close()
    desk.close()


def test_a_corrupt_outbox_row_does_not_make_later_commands_raise(
    tmp_path: Path, clock: SteppableClock, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "shop.db"
    setup = _desk(path, clock)
    open_sample_shop(setup)
    setup.close()
    quiet = _desk(path, clock, dispatch=False)
    quiet.place_order("C-BOLT", {"MUG": 1})
    quiet.receive_stock("MUG", "WH-EAST/A1", 1)
    quiet.close()
    with sqlite3.connect(path) as connection:  # a row the handlers want (and must decode)
        connection.execute(
            "UPDATE ordercycle_outbox SET payload = '{not json' WHERE position ="
            " (SELECT MAX(position) FROM ordercycle_outbox WHERE event_type = 'StockReceived')"
        )
    desk = _desk(path, clock)
    for _ in range(3):
        # The bad row is quarantined (see test_quarantine.py): the dispatch moves past it.
        result = desk.place_order("C-BOLT", {"MUG": 1})
        assert (result.pending, result.dispatch_error) == (0, "")
    assert len(desk.order_ids()) == 4
    assert len(desk.quarantined_messages()) == 1
    desk.close()


def test_a_command_that_dispatches_cleanly_has_nothing_pending(desk: OrderDesk) -> None:
    result = desk.place_order("C-BOLT", {"MUG": 1})
    assert (result.pending, result.dispatch_error) == (0, "")
    assert result.to_data().keys() == {"command", "aggregate_id", "details", "notes"}


def _handled(desk: OrderDesk) -> tuple[int, int]:
    """The desk consumer's checkpoint and the outbox's last position."""
    with desk.storage.unit_of_work() as uow:
        return uow.outbox.checkpoint("order-desk"), uow.outbox.last_position()


def test_only_commands_the_handlers_react_to_are_dispatched_at_once(
    tmp_path: Path, clock: SteppableClock
) -> None:
    path = tmp_path / "shop.db"
    desk = _desk(path, clock)
    open_sample_shop(desk)
    done, last = _handled(desk)
    assert done == last
    # Placing an order records nothing a handler reacts to: no second transaction.
    desk.place_order("C-BOLT", {"MUG": 1})
    assert _handled(desk)[0] == done < _handled(desk)[1]
    # A stock receipt is dispatched at once, with what was left before it.
    desk.receive_stock("MUG", "WH-EAST/A1", 1)
    done, last = _handled(desk)
    assert done == last
    # Every DISPATCH_EVERY commands the desk dispatches anyway.
    for n in range(1, DISPATCH_EVERY + 1):
        desk.place_order("C-BOLT", {"MUG": 1})
        caught_up = _handled(desk)
        assert (caught_up[0] == caught_up[1]) == (n == DISPATCH_EVERY), n
    # A new desk dispatches after its first command (messages others left are handled).
    desk.place_order("C-BOLT", {"MUG": 1})
    desk.close()
    other = _desk(path, clock)
    other.place_order("C-BOLT", {"MUG": 1})
    done, last = _handled(other)
    assert done == last
    other.close()
