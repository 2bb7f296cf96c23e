"""The result fold hands each event only to the parts that act on its kind: a part given
any other kind changes nothing (so skipping it folds the same results)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from decimal import Decimal

import pytest

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
