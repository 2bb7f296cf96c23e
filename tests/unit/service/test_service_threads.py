"""Threads sharing one desk (as web servers do) never oversell and lose no order."""

from __future__ import annotations

import threading

import attrs

from ordercycle.model.ids import CustomerId
from ordercycle.money import Money
from ordercycle.service import OrderDesk


def test_threads_sharing_a_desk_never_oversell(desk: OrderDesk) -> None:
    big = Money("1000000.00", "USD")
    desk.register_customer(
        attrs.evolve(desk.customer("C-BOLT"), id=CustomerId("C-MANY"), credit_limit=big)
    )
    failures: list[BaseException] = []

    def shop() -> None:
        try:
            for _ in range(3):
                order_id = desk.place_order("C-MANY", {"RUG": 1}).aggregate_id
                desk.confirm_order(order_id)
                desk.allocate_order(order_id)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=shop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    orders = [desk.order(i) for i in desk.order_ids()]
    assert len(orders) == 12
    ledgers = [line.ledger for order in orders for line in order.lines]
    assert sum(x.allocated for x in ledgers) == 4
    assert sum(x.backordered for x in ledgers) == 8
    assert sum(p.allocated for p in desk.stock_positions("RUG")) == 4
    assert desk.available_units("RUG") == 0
