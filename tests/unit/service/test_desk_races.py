"""Promises the desk keeps when OS processes race on one database, or crash.

- a return is restocked exactly once, whatever dispatches it, however often, and after a
  crash or a checkpoint reset;
- two confirmations at the same moment never take a customer past the credit limit;
- the same command id sent by several processes at once runs once, and every sender gets
  the winner's result.

Processes meet at a barrier; some sleep inside a handler on purpose, so the interleaving
that broke the promise happens on every run instead of now and then.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests import races
from tests.races import Opener

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import CustomerId
from ordercycle.money import Money
from ordercycle.service import OrderDesk, _reactions, _warehouse
from ordercycle.service.errors import DeskCommandError

_clock = races.clock
_ids = races.ids
_settings = races.settings
_postgres = races.postgres_opener
_sqlite = races.sqlite_opener
_in_processes = races.in_processes


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[tuple[str, str]]:
    """``(dsn, schema)`` of a fresh PostgreSQL schema, dropped afterwards."""
    with races.postgres_schema(postgres_dsn) as where:
        yield where


# --- a return is restocked once -----------------------------------------------------------


def _returned_mugs(opener: Opener) -> tuple[str, str, int]:
    """The sample shop with 3 MUGs delivered and 2 returned, not yet restocked.

    Returns the order id, the return id and the MUGs on hand before the restock.
    """
    desk = opener(90)
    clock = desk.clock
    assert isinstance(clock, SteppableClock)
    open_sample_shop(desk)
    order_id = desk.place_order("C-BOLT", {"MUG": 3}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.pack_order(order_id, wave).aggregate_id
    desk.ship_shipment(shipment, "1Z")
    desk.deliver_shipment(shipment)
    return_id = desk.request_return(order_id, "L1", 2, "too big")["return_id"]
    desk.authorize_return(order_id, return_id)
    desk.close()
    quiet = opener(91, dispatch=False)
    quiet.receive_return(order_id, return_id)
    on_hand = sum(p.on_hand for p in quiet.stock_positions("MUG"))
    quiet.close()
    return order_id, return_id, on_hand


def _mugs_on_hand(opener: Opener) -> int:
    desk = opener(92)
    try:
        return sum(p.on_hand for p in desk.stock_positions("MUG"))
    finally:
        desk.close()


def _slow_restock(delay: float) -> None:
    """Make this process's restock handler wait ``delay`` seconds before it starts."""
    restock = _reactions._restock

    def slow(s: Any, event: Any) -> list[str]:
        time.sleep(delay)
        return restock(s, event)

    _reactions._restock = slow  # type: ignore[assignment]


def _after_first_commit(desk: OrderDesk, then: Callable[[], None]) -> None:
    """Run ``then`` right after the desk's first dispatch unit of work commits."""
    committed = desk._cache.committed

    def hook(*args: Any) -> None:
        committed(*args)
        desk._cache.committed = committed  # type: ignore[method-assign]
        then()

    desk._cache.committed = hook  # type: ignore[method-assign]


def test_processes_dispatching_one_return_at_once_restock_it_once(
    pg_schema: tuple[str, str],
) -> None:
    opener = _postgres(*pg_schema)
    _order, _return, before = _returned_mugs(opener)

    def work(worker: int, barrier: Any) -> int:
        # Every worker reads the checkpoint at once. The first restocks and commits, then
        # stalls (as a process paused or killed there would) before it handles what its
        # restock appended; the others reach the stock after that commit.
        desk = opener(worker)
        if worker == 0:
            _after_first_commit(desk, lambda: time.sleep(2.0))
        else:
            _slow_restock(0.4 * worker)
        try:
            barrier.wait(timeout=60)
            return desk.dispatch()
        finally:
            desk.close()

    _in_processes(work, 3)
    assert _mugs_on_hand(opener) == before + 2


def _reset_checkpoints(kind: str, where: Any) -> None:
    if kind == "sqlite":
        with sqlite3.connect(where) as connection:
            connection.execute("DELETE FROM ordercycle_checkpoints")
        return
    import psycopg

    dsn, schema = where
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DELETE FROM "{schema}".ordercycle_checkpoints')


@pytest.fixture(params=["sqlite", "postgres"])
def adapter(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Opener, Any]:
    """``(name, opener, where)`` of a fresh SQLite file or PostgreSQL schema."""
    if request.param == "sqlite":
        path = tmp_path / "shop.db"
        return "sqlite", _sqlite(path), path
    where = request.getfixturevalue("pg_schema")
    return "postgres", _postgres(*where), where


def test_a_reset_checkpoint_does_not_restock_a_return_again(
    adapter: tuple[str, Opener, Any],
) -> None:
    kind, opener, where = adapter
    _order, _return, before = _returned_mugs(opener)
    desk = opener(1)
    desk.dispatch()
    assert _mugs_on_hand(opener) == before + 2
    _reset_checkpoints(kind, where)
    assert desk.dispatch() > 0  # every message is read again ...
    desk.close()
    assert _mugs_on_hand(opener) == before + 2  # ... and the return is not restocked again


def test_a_dispatcher_killed_after_its_first_commit_does_not_restock_again(
    adapter: tuple[str, Opener, Any],
) -> None:
    _kind, opener, _where = adapter
    _order, _return, before = _returned_mugs(opener)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)

    def work(worker: int) -> None:
        desk = opener(worker)
        if worker == 0:
            _after_first_commit(desk, lambda: os._exit(0))  # killed right after its commit
        else:
            _slow_restock(0.5)  # a second dispatcher, started at the same moment
        barrier.wait(timeout=60)
        desk.dispatch()
        desk.close()

    workers = [context.Process(target=work, args=(n,)) for n in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert [p.exitcode for p in workers] == [0, 0]
    assert _mugs_on_hand(opener) == before + 2
    restarted = opener(2)
    restarted.dispatch()
    restarted.close()
    assert _mugs_on_hand(opener) == before + 2


# --- the credit limit holds under concurrent confirmations ---------------------------------

ROUNDS = 4


def _credit_setup(opener: Opener) -> list[tuple[str, str]]:
    """Per round, two placed 57.00 orders of a customer whose limit is 100.00."""
    desk = opener(90)
    open_sample_shop(desk)
    product = desk.product("MUG")
    desk.register_product(product.product, Money("57.00", "USD"), command_id="price-57")
    pairs = []
    for round_ in range(ROUNDS):
        customer = attrs.evolve(
            desk.customer("C-BOLT"),
            id=CustomerId(f"C-LIMIT-{round_}"),
            credit_limit=Money("100.00", "USD"),
        )
        desk.register_customer(customer)
        first = desk.place_order(customer.id, {"MUG": 1}).aggregate_id
        second = desk.place_order(customer.id, {"MUG": 1}).aggregate_id
        pairs.append((first, second))
    desk.close()
    return pairs


def _credit_check_race(
    opener: Opener, run: Callable[[Callable[[int, Any], Any]], dict[int, Any]]
) -> None:
    pairs = _credit_setup(opener)

    def work(worker: int, barrier: Any) -> list[bool]:
        desk = opener(worker)
        held = []
        try:
            for pair in pairs:
                barrier.wait(timeout=60)
                held.append(bool(desk.confirm_order(pair[worker])["on_hold"]))
        finally:
            desk.close()
        return held

    run(work)
    desk = opener(93)
    try:
        for first, second in pairs:
            orders = [desk.order(first), desk.order(second)]
            assert [o.state for o in orders] == ["confirmed", "confirmed"]
            approved = [o.id for o in orders if not o.on_hold]
            assert len(approved) == 1, f"{first}, {second}: approved {approved} (limit 100.00)"
    finally:
        desk.close()


def _credit_race(opener: Opener) -> None:
    _credit_check_race(opener, lambda work: _in_processes(work, 2))


def test_two_confirmations_at_once_never_exceed_the_credit_limit_on_postgres(
    pg_schema: tuple[str, str],
) -> None:
    _credit_race(_postgres(*pg_schema))


def test_two_confirmations_at_once_never_exceed_the_credit_limit_on_sqlite(
    tmp_path: Path,
) -> None:
    _credit_race(_sqlite(tmp_path / "shop.db"))


# --- one command id, several senders at once -----------------------------------------------


def test_the_same_command_id_at_once_runs_once_and_every_sender_gets_its_result(
    adapter: tuple[str, Opener, Any],
) -> None:
    _kind, opener, _where = adapter
    setup = opener(90)
    open_sample_shop(setup)
    setup.close()

    def work(worker: int, barrier: Any) -> list[tuple[str, bool]]:
        desk = opener(worker)
        seen = []
        try:
            for round_ in range(ROUNDS):
                barrier.wait(timeout=60)
                result = desk.place_order("C-BOLT", {"MUG": 1}, command_id=f"same-{round_}")
                seen.append((result.aggregate_id, result.replayed))
        finally:
            desk.close()
        return seen

    found = _in_processes(work, 3)
    desk = opener(93)
    try:
        assert len(desk.order_ids()) == ROUNDS
        for round_ in range(ROUNDS):
            ids = {found[worker][round_][0] for worker in found}
            assert len(ids) == 1, f"round {round_}: {ids}"
            ran = [worker for worker in found if not found[worker][round_][1]]
            assert len(ran) == 1, f"round {round_}: ran in {ran}"
    finally:
        desk.close()


# --- memory: threads race the same way ------------------------------------------------------


def _threads(work: Callable[[int, threading.Barrier], Any], count: int) -> dict[int, Any]:
    barrier = threading.Barrier(count)
    found: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            found[worker] = work(worker, barrier)
        except BaseException as error:  # reported below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return found


def test_threads_sending_one_command_id_at_once_on_memory_get_one_result() -> None:
    shared = OrderDesk.in_memory(clock=_clock())
    open_sample_shop(shared)

    def work(worker: int, barrier: threading.Barrier) -> list[str]:
        desk = OrderDesk(shared.storage, clock=_clock(), ids=_ids(worker))
        seen = []
        for round_ in range(ROUNDS):
            barrier.wait(timeout=30)
            seen.append(desk.place_order("C-BOLT", {"MUG": 1}, command_id=f"same-{round_}"))
        return [r.aggregate_id for r in seen]

    found = _threads(work, 3)
    assert len(shared.order_ids()) == ROUNDS
    assert len({tuple(ids) for ids in found.values()}) == 1


def test_threads_confirming_at_once_on_memory_never_exceed_the_credit_limit() -> None:
    shared = OrderDesk.in_memory(clock=_clock())

    def opener(worker: int, *, dispatch: bool = True) -> OrderDesk:
        desk = OrderDesk(
            shared.storage, clock=_clock(), ids=_ids(worker), settings=_settings(dispatch=dispatch)
        )
        desk.close = lambda: None  # type: ignore[method-assign]  # the storage is shared
        return desk

    _credit_check_race(opener, lambda work: _threads(work, 2))


def test_a_wave_released_while_its_order_is_canceled_lists_none_of_its_units(
    clock: SteppableClock,
) -> None:
    desk = OrderDesk.in_memory(clock=clock)
    open_sample_shop(desk)
    order_id = desk.place_order("C-BOLT", {"RUG": 5}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)  # 4 allocated, 1 backordered
    desk.release_wave("WH-WEST", [order_id])
    desk.receive_stock("RUG", "WH-WEST/A8", 1)  # the backorder is served: order stays released
    assert desk.order(order_id).state == "released"
    canceler = OrderDesk(desk.storage, clock=clock)
    reserved = _warehouse.reserved_units

    def cancel_meanwhile(s: Any, orders: Any) -> Any:
        _warehouse.reserved_units = reserved  # once
        found = reserved(s, orders)
        canceler.cancel_order(order_id)  # another process commits while this one decides
        return found

    _warehouse.reserved_units = cancel_meanwhile  # type: ignore[assignment]
    try:
        with pytest.raises(DeskCommandError, match="no reserved units"):
            desk.release_wave("WH-WEST", [order_id])
    finally:
        _warehouse.reserved_units = reserved
    assert desk.order(order_id).state == "canceled"
