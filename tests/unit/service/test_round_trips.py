"""How many statements and transactions a desk command costs on SQL storage.

A regression guard for the write path: versions come from the load (no extra read per
append), events and their outbox messages go in at the commit (one ``executemany`` each,
for every stream), nothing runs in a savepoint, a record's newest state comes with its
version, a command nothing reacts to is not followed by a dispatch transaction, and a
payment's share is recorded on its order in the payment's own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.storage import SQLiteStorage


class _Counting:
    def __init__(self, raw: Any, seen: list[str]) -> None:
        self.raw = raw
        self.seen = seen

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.seen.append(sql)
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        self.seen.append(sql)
        return self.raw.executemany(sql, rows)

    def close(self) -> None:
        self.raw.close()


@pytest.fixture
def counted(tmp_path: Path, clock: SteppableClock) -> tuple[OrderDesk, list[str]]:
    storage = SQLiteStorage(tmp_path / "shop.db")
    seen: list[str] = []
    connect = storage._pool._connect
    storage._pool._connect = lambda: _Counting(connect(), seen)  # type: ignore[method-assign]
    desk = OrderDesk(storage, clock=clock)
    open_sample_shop(desk)
    desk.place_order("C-BOLT", {"MUG": 1})  # the desk's first command dispatches
    return desk, seen


def _cost(seen: list[str], command: Callable[[], Any]) -> tuple[int, int, list[str]]:
    start = len(seen)
    command()
    sent = seen[start:]
    transactions = sum(1 for sql in sent if sql.startswith("BEGIN"))
    return len(sent), transactions, sent


def test_place_confirm_allocate_cost_one_transaction_and_few_statements(
    counted: tuple[OrderDesk, list[str]],
) -> None:
    desk, seen = counted
    order: list[Any] = []
    place = _cost(seen, lambda: order.append(desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id))
    confirm = _cost(seen, lambda: desk.confirm_order(order[0]))
    allocate = _cost(seen, lambda: order.append(desk.allocate_order(order[0])))
    # The events and outbox messages of every stream go in at the commit, one
    # executemany each (storage/_sql.py, buffers_appends). Each command also writes the
    # order's read-model row in its transaction: an upsert that keeps a newer row, then
    # the row's terms (a delete and an insert), or one UPDATE when its terms did not
    # change. A placement also opens the order in its own open-order record (the event,
    # its outbox row and its row of the open_orders view: a few small statements instead
    # of rewriting the customer's whole list, which grew with every open order).
    for name, (statements, transactions, sent), budget in (
        ("place", place, 15),
        ("confirm", confirm, 10),
        ("allocate", allocate, 10),
    ):
        assert transactions == 1, (name, sent)
        assert statements <= budget, (name, statements, sent)
        assert not any("SAVEPOINT" in sql for sql in sent), (name, sent)
        assert not any("MAX(version)" in sql for sql in sent), (name, sent)
    assert "MUG x2: allocated 2, backordered 0" in "\n".join(order[1].notes)


def test_a_payment_and_its_order_s_share_cost_one_transaction(
    counted: tuple[OrderDesk, list[str]],
) -> None:
    desk, seen = counted
    order_id = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.pack_order(order_id, wave).aggregate_id
    desk.ship_shipment(shipment, "1Z-1")
    desk.deliver_shipment(shipment)
    invoice = desk.invoice_order(order_id)
    amount = invoice["total"].split()[0]
    _, transactions, _ = _cost(seen, lambda: desk.record_payment("C-BOLT", Money(amount, "USD")))
    assert transactions == 1  # the order's share is recorded inline, in the payment's
    assert desk.order(order_id).payment_status.value == "paid"
