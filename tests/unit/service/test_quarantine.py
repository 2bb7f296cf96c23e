"""An outbox message the handlers cannot handle is quarantined, and the rest flow on.

On every adapter: a row that cannot be decoded, or whose handler keeps failing, is set
aside with the reason in the unit of work that moves the checkpoint past it; later
commands dispatch cleanly; the desk lists it, and a command retries or releases it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests import races

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk, _reactions
from ordercycle.service.errors import DeskCommandError, UnknownAggregateError
from ordercycle.service.settings import DeskSettings
from ordercycle.storage import MemoryStorage, UnreadableOutboxMessageError

Corrupt = Callable[[int], None]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def adapter(
    request: pytest.FixtureRequest, tmp_path: Path, clock: SteppableClock
) -> Iterator[tuple[Callable[..., OrderDesk], Corrupt]]:
    """``(opener(dispatch=True), corrupt(position))`` on one adapter's storage."""
    kind = request.param
    if kind == "memory":
        storage = MemoryStorage()

        def memory(*, dispatch: bool = True) -> OrderDesk:
            settings = attrs.evolve(DeskSettings.default(), auto_dispatch=dispatch)
            return OrderDesk(storage, clock=clock, settings=settings)

        def corrupt_memory(position: int) -> None:
            # The outbox keeps each message's stream row at position - 1: replace the
            # outbox's reference only, as a damaged outbox row in a database would be.
            rows = storage._state.outbox_rows
            rows[position - 1] = (*rows[position - 1][:2], "{not json", rows[position - 1][3])

        yield memory, corrupt_memory
    elif kind == "sqlite":
        path = tmp_path / "shop.db"
        opener = races.sqlite_opener(path)

        def corrupt_sqlite(position: int) -> None:
            with contextlib.closing(sqlite3.connect(path)) as connection, connection:
                connection.execute(
                    "UPDATE ordercycle_outbox SET payload = '{not json' WHERE position = ?",
                    (position,),
                )

        yield (lambda *, dispatch=True: opener("q", dispatch=dispatch)), corrupt_sqlite
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        with races.postgres_schema(dsn, "oc_quarantine") as (dsn, schema):
            opener = races.postgres_opener(dsn, schema)

            def corrupt_postgres(position: int) -> None:
                import psycopg

                with psycopg.connect(dsn, autocommit=True) as connection:
                    connection.execute(f'SET search_path TO "{schema}"')
                    connection.execute(
                        "UPDATE ordercycle_outbox SET payload = '{not json' WHERE position = %s",
                        (position,),
                    )

            yield (lambda *, dispatch=True: opener("q", dispatch=dispatch)), corrupt_postgres


def _last_position(desk: OrderDesk) -> int:
    with desk.storage.unit_of_work() as uow:
        return uow.outbox.last_position()


def _receipt_position(desk: OrderDesk, after: int) -> int:
    with desk.storage.unit_of_work() as uow:
        messages = uow.outbox.read(after=after, limit=100)
    return next(m.position for m in messages if m.event_type == "StockReceived")


def test_a_corrupt_row_no_handler_wants_is_passed_over_undecoded(
    adapter: tuple[Callable[..., OrderDesk], Corrupt],
) -> None:
    opener, corrupt = adapter
    desk = opener()
    open_sample_shop(desk)
    quiet = opener(dispatch=False)
    placed = quiet.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    bad = _last_position(quiet)
    corrupt(bad)
    with quiet.storage.unit_of_work() as uow:
        with pytest.raises(UnreadableOutboxMessageError):
            uow.outbox.read(after=bad - 1, limit=1)  # a plain read still decodes it
        wanted, scanned, last = uow.outbox.read_types({"StockReceived"}, after=bad - 1)
    assert (wanted, scanned, last) == ((), 1, bad)
    # The desk's dispatch wants only what its handlers react to: it moves past the row
    # without decoding it, and nothing is quarantined.
    assert desk.dispatch() >= 1
    with desk.storage.unit_of_work() as uow:
        assert uow.outbox.checkpoint(_reactions.CONSUMER) == uow.outbox.last_position()
    assert desk.quarantined_messages() == ()
    assert desk.order(placed).id == placed
    quiet.close()
    desk.close()


def test_a_corrupt_outbox_row_is_quarantined_and_later_messages_flow(
    adapter: tuple[Callable[..., OrderDesk], Corrupt],
) -> None:
    opener, corrupt = adapter
    desk = opener()
    open_sample_shop(desk)
    quiet = opener(dispatch=False)
    placed = quiet.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    before = _last_position(quiet)
    quiet.receive_stock("MUG", "WH-EAST/A1", 1)  # a message the handlers react to
    bad = _receipt_position(quiet, before)
    corrupt(bad)
    with quiet.storage.unit_of_work() as uow, pytest.raises(UnreadableOutboxMessageError) as info:
        uow.outbox.read(after=bad - 1, limit=1)
    assert info.value.position == bad
    assert f"position {bad}" in str(info.value)
    # The next dispatch moves past the bad row: nothing pending, no error.
    desk.place_order("C-BOLT", {"MUG": 1})
    desk.dispatch()
    with desk.storage.unit_of_work() as uow:  # the checkpoint is past every message
        assert uow.outbox.checkpoint(_reactions.CONSUMER) == uow.outbox.last_position()
    (held,) = desk.quarantined_messages()
    assert (held.position, held.status, held.attempts) == (bad, "quarantined", 1)
    assert (held.kind, held.event_type) == ("stock", "StockReceived")
    assert "cannot be decoded" in held.reason
    assert len(held.reason) <= 500
    assert desk.order(placed).id == placed
    # Later messages flow: a receipt serves the backlog (its handler runs).
    big = desk.place_order("C-BOLT", {"RUG": 6}).aggregate_id
    desk.confirm_order(big)
    desk.allocate_order(big)
    assert desk.order(big).line("L1").ledger.backordered == 2
    desk.receive_stock("RUG", "WH-WEST/A8", 2)
    assert desk.order(big).line("L1").ledger.backordered == 0
    # A retry of a row that still cannot be decoded is refused and writes nothing.
    before = _last_position(desk)
    with pytest.raises(DeskCommandError, match=f"retry outbox message {bad}"):
        desk.retry_quarantined_message(bad)
    assert _last_position(desk) == before
    # Released through execute_json, it leaves the list (and stays on record).
    released = desk.execute_json(
        {"type": "ReleaseQuarantinedMessage", "position": bad, "note": "edited by hand"}
    )
    assert released.details == {"position": bad, "status": "released"}
    assert desk.quarantined_messages() == ()
    (kept,) = desk.quarantined_messages(include_resolved=True)
    assert (kept.status, kept.note) == ("released", "edited by hand")
    with pytest.raises(DeskCommandError, match="released already"):
        desk.release_quarantined_message(bad)
    with pytest.raises(UnknownAggregateError):
        desk.release_quarantined_message(bad + 1000)
    quiet.close()
    desk.close()


def _failing_restock(times: int) -> tuple[Callable[..., list[str]], list[int]]:
    """A restock handler that raises ``RuntimeError`` ``times`` times, then restocks."""
    restock = _reactions._restock
    calls: list[int] = []

    def failing(s: Any, event: Any) -> list[str]:
        calls.append(1)
        if len(calls) <= times:
            raise RuntimeError("the restock service is down")
        return restock(s, event)

    return failing, calls


def test_a_handler_that_keeps_failing_is_quarantined_then_retried(
    adapter: tuple[Callable[..., OrderDesk], Corrupt],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opener, _corrupt = adapter
    desk = opener()
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
    on_hand = sum(p.on_hand for p in desk.stock_positions("MUG"))
    failing, calls = _failing_restock(4)  # its batch, then three times alone
    monkeypatch.setattr(_reactions, "_restock", failing)
    result = desk.receive_return(order_id, return_id)
    # Tried in its batch, then three times alone, then set aside: the command is done,
    # nothing is pending.
    assert (result.pending, result.dispatch_error) == (0, "")
    assert len(calls) == 1 + 3
    (held,) = desk.quarantined_messages()
    assert (held.event_type, held.attempts) == ("OrderReturnReceived", 3)
    assert held.reason == "RuntimeError: the restock service is down"
    assert sum(p.on_hand for p in desk.stock_positions("MUG")) == on_hand
    # Retried once the cause is gone: the units come back once, the message is marked.
    retried = desk.retry_quarantined_message(held.position, note="service back")
    assert retried.details == {"position": held.position, "status": "retried"}
    assert sum(p.on_hand for p in desk.stock_positions("MUG")) == on_hand + 2
    assert desk.quarantined_messages() == ()
    assert desk.quarantined_messages(include_resolved=True)[0].status == "retried"
    with pytest.raises(DeskCommandError, match="retried already"):
        desk.retry_quarantined_message(held.position)
    assert sum(p.on_hand for p in desk.stock_positions("MUG")) == on_hand + 2
    desk.close()


def test_a_retry_that_fails_again_is_refused_and_writes_nothing(
    memory_desk: OrderDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = memory_desk
    failing, _calls = _failing_restock(1_000)
    monkeypatch.setattr(_reactions, "serve_backlog", lambda s, skus: failing(s, None))
    desk.receive_stock("MUG", "WH-EAST/A1", 1)
    (held,) = desk.quarantined_messages()
    before = _last_position(desk)
    with pytest.raises(DeskCommandError, match="fails again"):
        desk.retry_quarantined_message(held.position)
    assert _last_position(desk) == before
    assert desk.quarantined_messages() == (held,)


@pytest.mark.parametrize("position", [0, -1, True, 10**30, "1", None])
def test_a_bad_position_is_refused_with_a_typed_error(
    memory_desk: OrderDesk, position: Any
) -> None:
    with pytest.raises(OrderCycleError) as info:
        memory_desk.release_quarantined_message(position)
    assert "position" in str(info.value) or "quarantined" in str(info.value)
