"""Packing an order leaves nothing for the cyclic garbage collector.

The exact search's recursive helpers were closures that named themselves (or each other):
each search was a reference cycle holding the search, its solver and its units, which only
the cyclic collector could free. A simulation packs thousands of orders; those cycles were
all the cyclic garbage it made (134,365 objects per 1,000 orders), and collecting them
cost a few percent of its CPU.
"""

from __future__ import annotations

import gc

import pytest

from ordercycle.packing import pack

from .test_packing_exact_relations import CARTONS, ORDERS, RATE, RULE, _items


@pytest.mark.parametrize("objective", ["billable_weight", "cost"])
def test_packing_orders_through_the_exact_search_leaves_no_cyclic_garbage(objective: str) -> None:
    for _, lines, _, _ in ORDERS:  # warm up: first uses build caches that live on
        pack(_items(lines), CARTONS, RULE, objective=objective, rate=RATE)
    gc.collect()
    gc.disable()
    try:
        for _, lines, _, _ in ORDERS:
            plan = pack(_items(lines), CARTONS, RULE, objective=objective, rate=RATE)
            assert plan.proof == "bound met"  # the exact search ran and proved it
            del plan
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0, f"packing left {unreachable} objects only the collector frees"
