"""The result fold hands each event only to the parts that act on its kind: a part given
any other kind changes nothing (so skipping it folds the same results)."""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.simulation import Scenario
from ordercycle.simulation import _fold as fold_module
from ordercycle.simulation._fold import ResultFold
from ordercycle.simulation.events import EVENT_KINDS, SimEvent


def _state(fold: ResultFold) -> bytes:
    """Everything the fold holds, as bytes (its per-order records compare by identity)."""
    return pickle.dumps(vars(fold))


def _fold() -> ResultFold:
    """A fold of a scenario with dock loaders, its order O-1 placed."""
    scenario = Scenario.default(seed=1, orders=5, days=4).evolve(dock_loaders=1)
    fold = ResultFold(scenario)
    fold.add(SimEvent(time=1.0, kind="placed", order_id="O-1", quantity=2, measure=1.0))
    return fold


def _event(kind: str) -> SimEvent:
    # Inside the busy shares' window (the second half of the arrival days) and the stock
    # days, so a part that acts on the kind changes something.
    warehouse = Scenario.default(seed=1, orders=5, days=4).warehouses[0].id
    return SimEvent(
        time=60.0,
        kind=kind,
        order_id="O-1",
        ref="X-1",
        warehouse=warehouse,
        quantity=2,
        measure=1.5,
        amount=Decimal("3.25"),
        note="tour 1/1",
    )


PARTS: dict[str, Callable[[ResultFold, SimEvent], None]] = {
    "_DAILY_KINDS": lambda fold, event: fold._daily(event, event.kind, fold._orders["O-1"]),
    "_BUSY_KINDS": lambda fold, event: fold._busy_share(event, event.kind),
    "_O2C_KINDS": lambda fold, event: fold._o2c(event, event.kind, fold._orders["O-1"]),
    "_WAREHOUSE_KINDS": lambda fold, event: fold._warehouse(event, event.kind, fold._orders["O-1"]),
}


@pytest.mark.parametrize("name", sorted(PARTS))
def test_a_fold_part_changes_nothing_for_the_kinds_it_is_not_given(name: str) -> None:
    kinds: frozenset[str] = getattr(fold_module, name)
    assert kinds <= set(EVENT_KINDS)
    skipped = sorted(set(EVENT_KINDS) - kinds)
    assert skipped
    for kind in skipped:
        fold = _fold()
        before = _state(fold)
        PARTS[name](fold, _event(kind))
        assert _state(fold) == before, kind


@pytest.mark.parametrize("name", sorted(PARTS))
def test_a_fold_part_acts_on_the_kinds_it_is_given(name: str) -> None:
    kinds: frozenset[str] = getattr(fold_module, name)
    changed = set()
    for kind in sorted(kinds):
        fold = _fold()
        before = _state(fold)
        PARTS[name](fold, _event(kind))
        if _state(fold) != before:
            changed.add(kind)
    assert changed == kinds


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 50)), max_size=80))
def test_parcels_walked_by_rank_are_a_stable_sort_by_rank(steps: list[int | None]) -> None:
    # Each step packs a shipment: None for a new order's first (the next rank), k for a
    # later shipment of an order already ranked (k modulo the orders so far).
    ranks = array("q")
    orders = 0
    for step in steps:
        if step is None or not orders:
            ranks.append(orders)
            orders += 1
        else:
            ranks.append(step % orders)
    walk = fold_module._by_rank(ranks)
    expected = sorted(range(len(ranks)), key=ranks.__getitem__)
    assert list(walk()) == expected
    assert list(walk()) == expected  # walked afresh each time
