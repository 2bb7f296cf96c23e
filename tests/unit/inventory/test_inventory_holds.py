"""Holds: soft reservations that stop counting exactly when they expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ordercycle.errors import (
    DuplicateError,
    InsufficientStockError,
    TransitionNotAllowedError,
    ValidationError,
)
from ordercycle.inventory import (
    STOCK_HOLD_LIFECYCLE,
    Network,
    StockHoldExpired,
    StockLedger,
    UnknownStockHoldError,
)
from ordercycle.model.clock import SteppableClock

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
TTL = timedelta(minutes=15)


@pytest.fixture
def clock() -> SteppableClock:
    return SteppableClock(T0)


@pytest.fixture
def ledger(clock: SteppableClock) -> StockLedger:
    ledger = StockLedger(Network.simple(["WH-A"]))
    ledger.receive("MUG", "WH-A/01", 10, at=clock.now())
    ledger.place_hold(
        "H-1", "MUG", "WH-A/01", 4, expires_at=T0 + TTL, owner="cart-7", at=clock.now()
    )
    return ledger


def test_hold_lifecycle_is_declared_with_the_engine() -> None:
    assert STOCK_HOLD_LIFECYCLE.initial == "created"
    assert STOCK_HOLD_LIFECYCLE.final_states == ("committed", "expired", "released")


def test_an_expired_hold_stops_counting_exactly_at_expiry_without_a_sweep(
    ledger: StockLedger, clock: SteppableClock
) -> None:
    assert ledger.available("MUG", at=T0 + TTL - timedelta(microseconds=1)) == 6
    assert ledger.available("MUG", at=T0 + TTL) == 10
    clock.advance(TTL)
    assert ledger.available("MUG", at=clock.now()) == 10
    assert ledger.get_hold("H-1").state == "created"
    assert ledger.get_hold("H-1").status_at(clock.now()) == "expired"


def test_sweep_records_each_expiry_once_and_availability_is_restored_once(
    ledger: StockLedger, clock: SteppableClock
) -> None:
    clock.advance(TTL)
    before = ledger.available("MUG", at=clock.now())
    _, (event,) = ledger.sweep(at=clock.now())
    assert isinstance(event, StockHoldExpired)
    assert (event.hold_id, event.expired_at) == ("H-1", T0 + TTL)
    assert ledger.available("MUG", at=clock.now()) == before == 10
    assert ledger.sweep(at=clock.now()).events == ()
    assert ledger.available("MUG", at=clock.now()) == 10
    assert ledger.get_hold("H-1").state == "expired"


def test_commit_turns_a_hold_into_an_allocation(ledger: StockLedger) -> None:
    ledger.commit_hold("H-1", "O-1/1", at=T0)
    position = ledger.position("MUG", "WH-A/01", at=T0 + 2 * TTL)
    assert (position.allocated, position.held, position.available) == (4, 0, 6)
    assert ledger.get_hold("H-1").state == "committed"


def test_release_gives_the_units_back(ledger: StockLedger) -> None:
    ledger.release_hold("H-1", at=T0)
    assert ledger.available("MUG", at=T0) == 10
    assert ledger.get_hold("H-1").state == "released"


def test_holds_cannot_oversell(ledger: StockLedger) -> None:
    before = ledger.state()
    with pytest.raises(InsufficientStockError, match="requested 7, available 6"):
        ledger.place_hold("H-2", "MUG", "WH-A/01", 7, expires_at=T0 + TTL, at=T0)
    assert ledger.state() == before


@pytest.mark.parametrize("action", ["commit", "release"])
def test_an_expired_hold_cannot_be_committed_or_released(
    ledger: StockLedger, clock: SteppableClock, action: str
) -> None:
    clock.advance(TTL)
    before = ledger.state()

    def act() -> object:
        if action == "commit":
            return ledger.commit_hold("H-1", "O-1/1", at=clock.now())
        return ledger.release_hold("H-1", at=clock.now())

    with pytest.raises(TransitionNotAllowedError, match=f"Cannot {action} hold H-1: it expired"):
        act()
    assert ledger.state() == before


def test_a_finished_hold_cannot_move_again(ledger: StockLedger) -> None:
    ledger.release_hold("H-1", at=T0)
    before = ledger.state()
    with pytest.raises(TransitionNotAllowedError, match="Cannot commit hold H-1: it is released"):
        ledger.commit_hold("H-1", "O-1/1", at=T0)
    assert ledger.state() == before


def test_bad_holds_are_refused_and_change_nothing(ledger: StockLedger) -> None:
    before = ledger.state()
    with pytest.raises(DuplicateError, match="Duplicate hold 'H-1'"):
        ledger.place_hold("H-1", "MUG", "WH-A/01", 1, expires_at=T0 + TTL, at=T0)
    with pytest.raises(ValidationError, match="expected an instant after"):
        ledger.place_hold("H-2", "MUG", "WH-A/01", 1, expires_at=T0, at=T0)
    with pytest.raises(ValidationError, match="timezone-aware"):
        ledger.place_hold("H-2", "MUG", "WH-A/01", 1, expires_at=datetime(2026, 3, 3), at=T0)
    with pytest.raises(UnknownStockHoldError, match="Unknown hold 'H-9'; known: H-1"):
        ledger.release_hold("H-9", at=T0)
    with pytest.raises(ValidationError, match="reference"):
        ledger.commit_hold("H-1", " ", at=T0)
    assert ledger.state() == before
