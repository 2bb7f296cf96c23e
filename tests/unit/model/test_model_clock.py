"""Clocks: the system clock, fixed and steppable clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ordercycle.errors import ValidationError
from ordercycle.model.clock import (
    Clock,
    ClockError,
    ClockWentBackwardsError,
    FixedClock,
    NaiveDatetimeError,
    SteppableClock,
    SystemClock,
    ensure_aware,
)

START = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def test_all_clocks_satisfy_the_port():
    for clock in (SystemClock(), FixedClock(START), SteppableClock(START)):
        assert isinstance(clock, Clock)


def test_system_clock_is_aware_utc_and_today_matches():
    clock = SystemClock()
    now = clock.now()
    assert now.tzinfo is UTC
    assert clock.today() in {now.date(), now.date() + timedelta(days=1)}


def test_fixed_clock_tells_the_same_instant_converted_to_utc():
    plus_two = timezone(timedelta(hours=2))
    clock = FixedClock(datetime(2026, 1, 1, 1, 0, tzinfo=plus_two))
    assert clock.now() == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.today() == date(2025, 12, 31)
    assert clock.now() == clock.now()


@pytest.mark.parametrize("cls", [FixedClock, SteppableClock])
@pytest.mark.parametrize("bad", [datetime(2026, 1, 1), date(2026, 1, 1), "2026-01-01T00:00Z"])
def test_clocks_refuse_naive_or_non_datetimes(cls, bad):
    with pytest.raises(NaiveDatetimeError) as info:
        cls(bad)
    assert isinstance(info.value, ValidationError)
    assert "timezone-aware datetime" in str(info.value)
    assert cls.__name__ in str(info.value)
    assert repr(bad) in str(info.value)


def test_steppable_clock_advances_by_timedelta_and_keywords():
    clock = SteppableClock(START)
    clock.advance(timedelta(hours=1))
    clock.advance(days=2, minutes=30)
    assert clock.now() == START + timedelta(days=2, hours=1, minutes=30)
    assert clock.today() == date(2026, 1, 17)
    clock.advance()
    assert clock.now() == START + timedelta(days=2, hours=1, minutes=30)


class _Step(timedelta):
    """A timedelta subclass: advance takes it the general way."""


@settings(max_examples=200, deadline=None)
@given(
    delta=st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=2)),
    seconds=st.sampled_from([0, 0.0, 1.5, -3]),
    subclass=st.booleans(),
)
def test_advance_by_a_lone_timedelta_is_the_step_the_general_sum_gives(
    delta: timedelta, seconds: float, subclass: bool
) -> None:
    step = _Step(seconds=delta.total_seconds()) if subclass else delta
    expected = (step or timedelta()) + timedelta(seconds=seconds)
    clock = SteppableClock(START)
    if expected < timedelta():
        with pytest.raises(ClockWentBackwardsError) as info:
            clock.advance(step, seconds=seconds)
        assert info.value.requested == START + expected
        assert clock.now() == START
    else:
        clock.advance(step, seconds=seconds)
        assert clock.now() == START + expected
        assert type(clock.now()) is datetime


def test_steppable_clock_set_jumps_forward():
    clock = SteppableClock(START)
    later = datetime(2026, 3, 1, tzinfo=UTC)
    clock.set(later)
    assert clock.now() == later
    clock.set(later)
    assert clock.now() == later


def test_steppable_clock_refuses_going_backwards_and_stays_put():
    clock = SteppableClock(START)
    with pytest.raises(ClockWentBackwardsError) as info:
        clock.advance(days=-1)
    assert "Cannot move SteppableClock back" in str(info.value)
    assert info.value.current == START
    assert info.value.requested == START - timedelta(days=1)
    with pytest.raises(ClockWentBackwardsError):
        clock.set(START - timedelta(seconds=1))
    with pytest.raises(ClockWentBackwardsError):
        clock.advance(timedelta(hours=1), hours=-2)
    assert clock.now() == START


def test_steppable_clock_set_refuses_naive_and_stays_put():
    clock = SteppableClock(START)
    with pytest.raises(NaiveDatetimeError):
        clock.set(datetime(2027, 1, 1))
    assert clock.now() == START


def test_advance_refuses_a_non_timedelta_and_stays_put():
    clock = SteppableClock(START)
    with pytest.raises(ClockError, match="expected a timedelta"):
        clock.advance(5)  # type: ignore[arg-type]
    assert clock.now() == START


def test_ensure_aware_names_subject_and_field():
    with pytest.raises(NaiveDatetimeError, match="Invalid occurred_at for event X"):
        ensure_aware(datetime(2026, 1, 1), subject="event X", field="occurred_at")


class SteppableClockMachine(RuleBasedStateMachine):
    """Time only moves forward, by exactly what was asked; refused steps change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = SteppableClock(START)
        self.expected = START

    @rule(seconds=st.integers(min_value=-(10**6), max_value=10**6))
    def advance(self, seconds: int) -> None:
        if seconds < 0:
            with pytest.raises(ClockWentBackwardsError):
                self.clock.advance(seconds=seconds)
        else:
            self.clock.advance(timedelta(seconds=seconds))
            self.expected += timedelta(seconds=seconds)

    @rule(offset=st.integers(min_value=-(10**6), max_value=10**6))
    def set(self, offset: int) -> None:
        target = self.expected + timedelta(seconds=offset)
        if offset < 0:
            with pytest.raises(ClockWentBackwardsError):
                self.clock.set(target)
        else:
            self.clock.set(target)
            self.expected = target

    @invariant()
    def tells_expected_time(self) -> None:
        assert self.clock.now() == self.expected
        assert self.clock.now().tzinfo is UTC
        assert self.clock.today() == self.expected.date()


TestSteppableClockMachine = SteppableClockMachine.TestCase
TestSteppableClockMachine.settings = settings(max_examples=50, stateful_step_count=20)
