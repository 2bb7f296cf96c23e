"""Desk queries run in read-only units of work: they neither wait for writers nor block them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.service.records import CustomerRegistered
from ordercycle.storage import SQLiteStorage
from ordercycle.storage.errors import UnitOfWorkError


def test_queries_answer_while_a_writer_holds_the_sqlite_write_lock(
    clock: SteppableClock, tmp_path: Path
) -> None:
    desk = OrderDesk(SQLiteStorage(tmp_path / "shop.db", busy_timeout=2), clock=clock)
    open_sample_shop(desk)
    order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    with desk.storage.unit_of_work() as writer:  # BEGIN IMMEDIATE: holds the write lock
        writer.events.version("order", order_id)
        assert desk.order(order_id).state == "placed"
        assert desk.available_units("MUG") == 40
        assert desk.account("C-BOLT").open_order_ids == (order_id,)
    desk.close()


def test_a_query_that_tried_to_write_would_be_refused(memory_desk: OrderDesk) -> None:
    customer = memory_desk.customer("C-BOLT")
    with pytest.raises(UnitOfWorkError, match="read-only"):
        memory_desk._read(
            lambda s: s.put("customer", "C-BOLT", CustomerRegistered, customer, "updated")
        )
    assert memory_desk.customer("C-BOLT") == customer
