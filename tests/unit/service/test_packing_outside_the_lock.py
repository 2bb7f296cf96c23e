"""Issue 14, case 6: a pack computes its plan before the write transaction.

Packing a large order can take seconds; the desk used to run it inside the unit of work,
so on SQLite the write lock was held the whole time and every other writer (and, with
opening taking the lock too, every other process) waited. Now the plan is computed in a
read-only unit of work and the write transaction only checks that the order and its pick
list have not moved on, then appends the result.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.packing import PackingMemo
from ordercycle.service import OrderDesk, commands
from ordercycle.service._command_handlers import PREPARERS
from ordercycle.storage import SQLiteStorage

from .conftest import START

SLOW_PLAN_SECONDS = 2.0


def _picked(desk: OrderDesk, basket: dict[str, int]) -> tuple[str, str]:
    order_id = desk.place_order("C-BOLT", basket).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    return order_id, wave


def _slow_pack(path: Path, order_id: str, wave: str, started: Any, done: Any) -> None:
    """In a child process: pack with a packer that takes SLOW_PLAN_SECONDS."""
    real = PackingMemo.pack

    def slow(self: PackingMemo, request: Any) -> Any:
        started.set()
        time.sleep(SLOW_PLAN_SECONDS)
        return real(self, request)

    PackingMemo.pack = slow  # type: ignore[method-assign]  # this process only
    desk = OrderDesk.sqlite(path, clock=SteppableClock(START))
    try:
        desk.pack_order(order_id, wave)
    finally:
        desk.close()
        done.set()


def test_another_process_commits_while_a_slow_pack_plans(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    desk = OrderDesk.sqlite(path, clock=SteppableClock(START))
    open_sample_shop(desk)
    order_id, wave = _picked(desk, {"MUG": 2})
    desk.close()
    context = multiprocessing.get_context("fork")
    started, done = context.Event(), context.Event()
    packer = context.Process(target=_slow_pack, args=(path, order_id, wave, started, done))
    packer.start()
    try:
        assert started.wait(30), "the pack never reached the packer"
        # A writer that would give up after half a second of waiting for the lock.
        other = OrderDesk(SQLiteStorage(path, busy_timeout=0.5), clock=SteppableClock(START))
        before = time.monotonic()
        other.receive_stock("MUG", "WH-EAST/A1", 5)
        waited = time.monotonic() - before
        assert not done.is_set(), "the pack finished first: the plan was not slow enough"
        assert waited < SLOW_PLAN_SECONDS
        other.close()
    finally:
        packer.join(60)
    assert packer.exitcode == 0
    check = OrderDesk.sqlite(path, clock=SteppableClock(START))
    assert check.order(order_id).state in {"packed", "released"}
    assert any(line.shipment_id for line in check.pick_list(wave).lines)
    assert check.available_units("MUG") == 40 - 2 + 5
    check.close()


def test_a_plan_made_stale_by_a_concurrent_change_is_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = OrderDesk.in_memory(clock=SteppableClock(START))
    open_sample_shop(desk)
    order_id, wave = _picked(desk, {"MUG": 2, "TEAPOT": 1})
    real = PREPARERS[commands.PackOrder]
    calls: list[int] = []

    def racing(s: Any, c: Any) -> object:
        planned = real(s, c)
        calls.append(1)
        if len(calls) == 1:  # another desk changes the order after the plan was made
            desk.hold_order(order_id, "manual")
            desk.release_hold(order_id, "manual")
        return planned

    monkeypatch.setitem(PREPARERS, commands.PackOrder, racing)
    shipment = desk.pack_order(order_id, wave)
    assert len(calls) == 2  # the first plan's versions had moved on: planned and run again
    assert desk.shipment(shipment.aggregate_id).order_id == order_id
    assert sum(line.quantity for line in desk.shipment(shipment.aggregate_id).lines) == 3


def test_a_refused_pack_is_refused_as_before(memory_desk: OrderDesk) -> None:
    order_id, wave = _picked(memory_desk, {"MUG": 1})
    memory_desk.pack_order(order_id, wave)
    with pytest.raises(Exception, match="no confirmed picks of it are waiting to be packed"):
        memory_desk.pack_order(order_id, wave)
