"""Forked and based ledgers: copies of live stock that behave exactly like a full replay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ConcurrencyError, DuplicateError, OrderCycleError, ValidationError
from ordercycle.inventory import (
    Demand,
    DemandLine,
    Lot,
    Network,
    StockEvent,
    StockLedger,
    plan_allocation,
)
from ordercycle.model.ids import LotId, Sku

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
NETWORK = Network.simple(["WH-A", "WH-B"], bins=2)
BINS = NETWORK.bin_ids
SKUS = ("JAM", "MUG", "TEA")


def _jam_lot(name: str, days: int) -> Lot:
    return Lot(Sku("JAM"), LotId(name), date(2026, 2, 1), T0.date() + timedelta(days=days))


def _shop() -> StockLedger:
    """Three skus with lots, holds (open and ended), receipts and allocations."""
    ledger = StockLedger(NETWORK)
    ledger.receive("MUG", "WH-A/01", 10, at=T0)
    ledger.receive("MUG", "WH-B/01", 5, at=T0)
    ledger.receive("JAM", "WH-A/02", 6, lot=_jam_lot("J1", 30), at=T0)
    ledger.receive("JAM", "WH-A/02", 4, lot=_jam_lot("J2", 60), at=T0)
    ledger.schedule_receipt("PO-1", "TEA", 8, date(2026, 3, 9), at=T0)
    ledger.receive("TEA", "WH-B/02", 3, receipt="PO-1", at=T0)
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 4, at=T0)
    ledger.place_hold("H-1", "MUG", "WH-A/01", 2, expires_at=T0 + timedelta(hours=1), at=T0)
    ledger.place_hold(
        "H-2", "JAM", "WH-A/02", 1, lot="J1", expires_at=T0 + timedelta(hours=2), at=T0
    )
    ledger.release_hold("H-2", at=T0)
    ledger.mark_damaged("TEA", "WH-B/02", 1, at=T0)
    return ledger


def _replayed(events: Any, skus: Any = None) -> StockLedger:
    chosen = [e for e in events if skus is None or e.sku in skus]
    return StockLedger.replay(chosen, network=NETWORK)


# --- fork --------------------------------------------------------------------------------


def test_a_fork_of_every_sku_equals_the_ledger_and_starts_without_events() -> None:
    ledger = _shop()
    fork = ledger.fork()
    assert fork.state() == ledger.state()
    assert fork.events == ()
    assert fork.version == ledger.version == len(ledger.events)
    assert {s: fork.version_of(s) for s in SKUS} == {s: ledger.version_of(s) for s in SKUS}
    assert fork.holds() == ledger.holds()
    assert fork.receipts() == ledger.receipts()
    assert fork.positions(at=T0) == ledger.positions(at=T0)
    mine, theirs = fork.snapshot(at=T0), ledger.snapshot(at=T0)
    assert (mine.slots, mine.versions, mine.at) == (theirs.slots, theirs.versions, theirs.at)


def test_a_fork_of_some_skus_equals_a_replay_of_their_events() -> None:
    ledger = _shop()
    for chosen in (["MUG"], ["JAM"], ["TEA"], ["JAM", "TEA"], ["MUG", "NOT-STOCKED"]):
        fork = ledger.fork(chosen)
        assert fork.state() == _replayed(ledger.events, chosen).state(), chosen
        assert fork.version == sum(ledger.version_of(s) for s in chosen)
    jam = ledger.fork(["JAM"])
    assert jam.skus == ("JAM",)
    assert [h.id for h in jam.holds()] == ["H-2"]
    assert jam.receipts() == ()
    assert jam.lot("JAM", "J2").expires_on == T0.date() + timedelta(days=60)
    # Every sku named (once or more, among unknown ones): the whole ledger.
    every = ledger.fork(["TEA", "MUG", "NOT-STOCKED", "JAM", "TEA"])
    assert every.state() == ledger.state()
    assert every.version == ledger.version
    assert (every.holds(), every.receipts()) == (ledger.holds(), ledger.receipts())


def test_commands_on_a_fork_and_on_its_source_never_reach_the_other() -> None:
    ledger = _shop()
    before = ledger.state()
    fork = ledger.fork(["MUG", "JAM"])
    forked = fork.state()
    fork.allocate("O-2/1", "MUG", "WH-A/01", 1, at=T0)
    fork.release_hold("H-1", at=T0)
    fork.receive("JAM", "WH-A/02", 2, lot="J1", at=T0)
    fork.mark_damaged("JAM", "WH-A/02", 1, lot="J2", at=T0)
    assert ledger.state() == before
    ledger.consume("O-1/1", "MUG", "WH-A/01", 4, at=T0)
    ledger.place_hold(
        "H-3", "JAM", "WH-A/02", 1, lot="J1", expires_at=T0 + timedelta(hours=1), at=T0
    )
    assert fork.available("MUG", at=T0) == 15 - 4 - 1
    assert fork.get_hold("H-1").state == "released"
    assert ledger.get_hold("H-1").state == "created"
    assert len(fork.events) == 4
    # The fork's recorded events on top of its source's events replay to the fork.
    assert (
        fork.state() == _replayed(list(_shop().events) + list(fork.events), ["MUG", "JAM"]).state()
    )
    assert forked != fork.state()


def test_a_fork_keeps_the_versions_that_apply_plan_compares() -> None:
    ledger = _shop()
    fork = ledger.fork(["MUG"])
    demand = Demand("O-9", [DemandLine("1", Sku("MUG"), 3)])
    plan = plan_allocation(demand, ledger.snapshot(["MUG"], at=T0))
    _, events = fork.apply_plan(plan, at=T0)
    assert [e.version for e in events] == [ledger.version_of("MUG") + 1]
    stale = ledger.fork(["MUG"])
    stale.receive("MUG", "WH-A/01", 1, at=T0)
    before = stale.state()
    with pytest.raises(ConcurrencyError, match="stock of MUG") as caught:
        stale.apply_plan(plan, at=T0)
    assert "expected version 4" in str(caught.value)
    assert stale.state() == before


def test_a_fork_answers_at_the_instant_it_is_asked_about() -> None:
    ledger = _shop()
    later = ledger.fork()
    three_hours_on = T0 + timedelta(hours=3)
    assert later.available("MUG", at=three_hours_on) == 15 - 4  # H-1 has expired by then
    assert ledger.available("MUG", at=T0) == 15 - 4 - 2
    assert [e.hold_id for e in later.sweep(at=three_hours_on).events] == ["H-1"]  # type: ignore[attr-defined]
    assert ledger.get_hold("H-1").state == "created"


def test_a_fork_keeps_the_catalogue_and_refuses_other_skus_unchanged() -> None:
    ledger = StockLedger(NETWORK, skus=["MUG"])
    ledger.receive("MUG", "WH-A/01", 3, at=T0)
    fork = ledger.fork()
    before = fork.state()
    with pytest.raises(OrderCycleError, match="TEA"):
        fork.receive("TEA", "WH-A/01", 1, at=T0)
    assert fork.state() == before
    assert fork.events == ()


def test_forks_and_replays_hold_the_fields_a_new_ledger_holds() -> None:
    # fork and replay build their ledger around a copied state rather than through
    # __init__: each field __init__ sets must be there, with the same catalogue.
    ledger = StockLedger(NETWORK, skus=[*SKUS, "OAT"])
    ledger.receive("MUG", "WH-A/01", 3, at=T0)
    fresh = StockLedger(NETWORK, skus=[*SKUS, "OAT"])
    built = [
        ledger.fork(),
        ledger.fork(["MUG"]),
        StockLedger.replay(ledger.events, network=NETWORK, skus=[*SKUS, "OAT"]),
        StockLedger.replay((), base=ledger),
        StockLedger.replay((), base=[ledger.fork(["MUG"])]),
    ]
    for made in built:
        assert type(made) is StockLedger
        assert vars(made).keys() == vars(fresh).keys()
        assert (made.network, made.catalogue) == (fresh.network, fresh.catalogue)
        assert made._stock.state is made._state
        assert (made._stock.network, made._stock.catalogue) == (NETWORK, fresh.catalogue)
    assert StockLedger.replay((), network=NETWORK).catalogue is None


# --- replay on a base ----------------------------------------------------------------------


def test_replay_on_a_base_applies_only_the_newer_events() -> None:
    ledger = _shop()
    base = ledger.fork()
    cut = len(ledger.events)
    ledger.consume("O-1/1", "MUG", "WH-A/01", 2, at=T0)
    ledger.commit_hold("H-1", "CART-1", at=T0)
    ledger.cancel_receipt("PO-1", at=T0)
    newer = list(ledger.events[cut:])
    before = base.state()
    caught_up = StockLedger.replay(newer, base=base)
    assert caught_up.state() == ledger.state()
    assert caught_up.events == tuple(newer)
    assert caught_up.version == ledger.version
    assert base.state() == before


def test_replay_on_several_bases_joins_them_like_one_replay() -> None:
    ledger = _shop()
    parts = [ledger.fork([sku]) for sku in SKUS]
    joined = StockLedger.replay((), base=reversed(parts))
    assert joined.state() == ledger.state()
    assert joined.events == ()
    assert joined.version == ledger.version


def test_replay_on_bases_that_share_a_sku_is_refused_and_changes_nothing() -> None:
    ledger = _shop()
    mugs, more_mugs = ledger.fork(["MUG", "TEA"]), ledger.fork(["MUG"])
    before = (mugs.state(), more_mugs.state())
    with pytest.raises(DuplicateError, match="sku 'MUG'") as caught:
        StockLedger.replay((), base=[mugs, more_mugs])
    assert "one base ledger" in str(caught.value)
    assert caught.value.kind == "sku"
    assert (mugs.state(), more_mugs.state()) == before


def test_a_hold_id_used_by_two_skus_resolves_as_a_replay_in_sku_order() -> None:
    a, b = StockLedger(NETWORK), StockLedger(NETWORK)
    until = T0 + timedelta(hours=1)
    a.receive("MUG", "WH-A/01", 3, at=T0)
    a.place_hold("H-1", "MUG", "WH-A/01", 1, expires_at=until, at=T0)
    a.schedule_receipt("PO-1", "MUG", 2, date(2026, 3, 9), at=T0)
    b.receive("TEA", "WH-A/01", 3, at=T0)
    b.place_hold("H-1", "TEA", "WH-A/01", 2, expires_at=until, at=T0)
    b.schedule_receipt("PO-1", "TEA", 5, date(2026, 3, 9), at=T0)
    everything = sorted([*a.events, *b.events], key=lambda e: e.sku)
    for bases in ([a, b], [b, a]):
        joined = StockLedger.replay((), base=bases)
        assert joined.state() == _replayed(everything).state()
        assert joined.get_hold("H-1").sku == "TEA"


# --- properties ----------------------------------------------------------------------------

_OPS = st.lists(
    st.tuples(
        st.sampled_from(["receive", "allocate", "consume", "hold", "release", "damage", "move"]),
        st.sampled_from(SKUS),
        st.sampled_from(BINS),
        st.integers(1, 6),
    ),
    max_size=40,
)


def _run(ledger: StockLedger, ops: list[tuple[str, str, str, int]]) -> None:
    """Apply random commands; refused ones change nothing and are skipped."""
    for n, (op, sku, bin_id, qty) in enumerate(ops):
        try:
            if op == "receive":
                ledger.receive(sku, bin_id, qty, at=T0)
            elif op == "allocate":
                ledger.allocate(f"O-{qty}/1", sku, bin_id, qty, at=T0)
            elif op == "consume":
                ledger.consume(f"O-{qty}/1", sku, bin_id, 1, at=T0)
            elif op == "hold":
                ledger.place_hold(
                    f"H-{sku}-{n}", sku, bin_id, qty, expires_at=T0 + timedelta(minutes=n), at=T0
                )
            elif op == "release":
                open_holds = [h for h in ledger.holds() if h.sku == sku and h.state == "created"]
                if open_holds:
                    ledger.release_hold(open_holds[qty % len(open_holds)].id, at=T0)
            elif op == "damage":
                ledger.mark_damaged(sku, bin_id, 1, at=T0)
            else:
                ledger.move(sku, bin_id, BINS[(BINS.index(bin_id) + 1) % len(BINS)], 1, at=T0)
        except OrderCycleError:
            continue


@settings(max_examples=60, deadline=None)
@given(before=_OPS, after=_OPS, chosen=st.sets(st.sampled_from(SKUS)))
def test_a_fork_after_more_events_equals_a_full_replay(
    before: list[Any], after: list[Any], chosen: set[str]
) -> None:
    ledger = StockLedger(NETWORK)
    _run(ledger, before)
    fork = ledger.fork(chosen)
    cut = len(ledger.events)
    _run(ledger, after)
    _run(fork, after)
    history: list[StockEvent] = list(ledger.events)
    # The fork, with its own commands, equals a replay of its skus' whole history.
    mine = [e for e in history[:cut] if e.sku in chosen] + list(fork.events)
    assert fork.state() == _replayed(mine).state()
    # The source's newer events on top of a fork taken earlier equal a full replay.
    base = StockLedger.replay(history[:cut], network=NETWORK).fork()
    caught_up = StockLedger.replay(history[cut:], base=base)
    assert caught_up.state() == ledger.state() == _replayed(history).state()
    # Per-sku forks joined again equal the whole ledger.
    joined = StockLedger.replay((), base=[ledger.fork([s]) for s in SKUS])
    assert joined.state() == ledger.state()


# --- events built without re-checks -------------------------------


def test_recorded_events_equal_events_built_through_their_checked_class() -> None:
    ledger = _shop()
    _run(
        ledger,
        [(op, s, b, 2) for op in ("hold", "allocate", "consume") for s in SKUS for b in BINS],
    )
    ledger.sweep(at=T0 + timedelta(days=1))
    assert {type(e).__name__ for e in ledger.events} >= {
        "StockReceived",
        "StockReceiptScheduled",
        "StockAllocated",
        "StockConsumed",
        "StockHeld",
        "StockHoldReleased",
        "StockHoldExpired",
        "StockMarkedUnavailable",
    }
    for event in ledger.events:
        rebuilt = type(event)(**attrs.asdict(event, recurse=False))
        assert rebuilt == event
        assert attrs.asdict(rebuilt, recurse=False) == attrs.asdict(event, recurse=False)


@pytest.mark.parametrize("sku", [" MUG", "MUG ", "\tMUG"])
def test_a_sku_with_surrounding_spaces_is_still_refused_by_its_event(sku: str) -> None:
    ledger = _shop()
    before = ledger.state()
    with pytest.raises(ValidationError, match="aggregate_id"):
        ledger.receive(sku, "WH-A/01", 3, at=T0)
    with pytest.raises(ValidationError, match="aggregate_id"):
        ledger.schedule_receipt("PO-9", sku, 3, date(2026, 3, 9), at=T0)
    assert ledger.state() == before


_TREE = st.lists(
    st.one_of(
        st.tuples(st.just("fork"), st.integers(0, 5), st.sets(st.sampled_from(SKUS))),
        st.tuples(st.just("run"), st.integers(0, 5), _OPS),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(start=_OPS, steps=_TREE)
def test_forks_of_forks_changed_in_any_order_each_equal_a_replay_of_their_history(
    start: list[Any], steps: list[Any]
) -> None:
    # A fork shares its source's buckets until one of the two changes them: whichever
    # ledger of a family of forks changes a sku, every other one keeps its own stock.
    first = StockLedger(NETWORK)
    _run(first, start)
    ledgers = [first]
    histories: list[list[StockEvent]] = [list(first.events)]
    for kind, which, arg in steps:
        index = which % len(ledgers)
        source = ledgers[index]
        if kind == "fork":
            ledgers.append(source.fork(arg))
            histories.append([e for e in histories[index] if e.sku in arg])
        else:
            cut = len(source.events)
            _run(source, arg)
            histories[index] += source.events[cut:]
    for ledger, history in zip(ledgers, histories, strict=True):
        assert ledger.state() == _replayed(history).state()
        assert ledger.version == len(history)
