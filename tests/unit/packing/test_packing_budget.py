"""The packer's budget: ``work_limit`` (deterministic work units) and ``time_limit`` (a guard)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ordercycle.errors import ValidationError
from ordercycle.packing import (
    DEFAULT_WORK_LIMIT,
    Carton,
    Item,
    PackingMemo,
    PackRequest,
    carriers,
    pack,
    verify,
)
from ordercycle.units import Q_

CARTONS = (
    Carton.from_inches("S", 8, 6, 4, tare_lb="0.25", max_weight_lb=20),
    Carton.from_inches("M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40),
    Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60),
)

#: A mixed order that needs several cartons and many placement attempts.
ORDER = (
    Item.from_mm("A", 120, 80, 60, 300, quantity=40),
    Item.from_mm("B", 200, 150, 40, 500, quantity=22),
    Item.from_mm("C", 90, 90, 90, 700, quantity=30),
    Item.from_mm("D", 310, 60, 50, 250, quantity=13),
)

STOPPED = "the search stopped at its work budget"


class MillisecondClock:
    """A clock that moves 1 ms forward each time it is read (deterministic time)."""

    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        self.at += timedelta(milliseconds=1)
        return self.at

    def today(self) -> object:
        return self.at.date()


def test_a_small_work_budget_still_gives_a_valid_plan_with_its_bound_and_gap() -> None:
    hurried = pack(ORDER, CARTONS, objective="cartons", work_limit=200)
    verify(hurried)
    assert any(STOPPED in note for note in hurried.notes)
    assert not hurried.optimal
    assert hurried.lower_bound >= 1
    assert hurried.gap is not None
    assert 0 <= hurried.gap < 1
    assert sum(len(p.placements) for p in hurried.packages) == sum(i.quantity for i in ORDER)


def test_a_larger_work_budget_is_never_worse_here_and_an_unlimited_one_never_stops() -> None:
    unlimited = pack(ORDER, CARTONS, objective="cartons", work_limit=None)
    verify(unlimited)
    assert not any(STOPPED in note for note in unlimited.notes)
    hurried = pack(ORDER, CARTONS, objective="cartons", work_limit=200)
    assert unlimited.carton_count <= hurried.carton_count


@pytest.mark.parametrize("objective", ["billable_weight", "cartons"])
def test_the_same_work_budget_gives_the_same_plan(objective: str) -> None:
    for limit in (150, 2_000, DEFAULT_WORK_LIMIT):
        first = pack(ORDER, CARTONS, carriers.UPS_DAILY, objective=objective, work_limit=limit)
        second = pack(ORDER, CARTONS, carriers.UPS_DAILY, objective=objective, work_limit=limit)
        assert first == second
        verify(first)


def test_the_default_budget_is_the_documented_constant() -> None:
    assert PackRequest(ORDER, CARTONS).work_limit == DEFAULT_WORK_LIMIT
    assert pack(ORDER, CARTONS, objective="cartons") == pack(
        ORDER, CARTONS, objective="cartons", work_limit=DEFAULT_WORK_LIMIT
    )


def test_a_memo_keys_plans_by_their_work_budget() -> None:
    memo = PackingMemo(maxsize=4)
    small = memo.pack(PackRequest(ORDER, CARTONS, objective="cartons", work_limit=200))
    large = memo.pack(PackRequest(ORDER, CARTONS, objective="cartons", work_limit=None))
    assert memo.misses == 2
    assert small == pack(ORDER, CARTONS, objective="cartons", work_limit=200)
    assert large == pack(ORDER, CARTONS, objective="cartons", work_limit=None)


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "100"])
def test_a_work_limit_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValidationError, match="work_limit"):
        pack(ORDER, CARTONS, work_limit=bad)  # type: ignore[arg-type]


def test_a_time_limit_stops_the_search_when_the_clock_passes_it() -> None:
    clock = MillisecondClock()
    plan = pack(
        ORDER,
        CARTONS,
        objective="cartons",
        work_limit=None,
        time_limit=Q_(20, "ms"),
        clock=clock,  # type: ignore[arg-type]
    )
    verify(plan)
    # The deadline is read at every check; once passed, the search reads it no more
    # (one read to start, twenty until the deadline, one for the note).
    assert 20 <= clock.reads <= 23
    assert any("the search stopped at its time limit" in note for note in plan.notes)


def test_an_exact_search_cut_short_by_the_budget_is_not_claimed_optimal() -> None:
    # Seven mixed units: the exact search proves the optimum with an ample budget.
    items = [
        Item("A", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4),
        Item("B", Q_(15, "cm"), Q_(7, "cm"), Q_(6, "cm"), Q_(150, "g"), quantity=3),
    ]
    ample = pack(items, CARTONS, carriers.UPS_DAILY, work_limit=None)
    assert ample.optimal
    for limit in (1, 10, 50):
        hurried = pack(items, CARTONS, carriers.UPS_DAILY, work_limit=limit)
        verify(hurried)
        assert hurried.objective_value >= ample.objective_value
        if not hurried.optimal:
            assert hurried.objective_value > hurried.lower_bound or hurried.notes


# --- the time limit is honoured (issue 15) --------------------------------------------------

#: BoxPacker's cartons and one of its 75-unit orders (paper in four sizes).
PAPER_CARTONS = (
    Carton.from_mm("Option 1", 230, 300, 240, tare_g=160, max_weight_g=15000),
    Carton.from_mm("Option 2", 364, 374, 40, outer=(370, 375, 60), tare_g=140, max_weight_g=3000),
    Carton.from_mm("Option 3", 229, 305, 520, tare_g=100, max_weight_g=10000),
    Carton.from_mm("Option 4", 220, 260, 15, outer=(240, 270, 15), tare_g=10, max_weight_g=500),
)
PAPER = (
    Item.from_mm("P1", 230, 330, 6, 320, quantity=2),
    Item.from_mm("P2", 210, 298, 4, 208, quantity=6),
    Item.from_mm("P3", 210, 297, 4, 228, quantity=8),
    Item.from_mm("P4", 210, 297, 8, 300, quantity=59),
)


class WorkClock:
    """A clock that reads the work done: 0.1 ms per placement attempt of the engine.

    Time then depends on the search alone, not on the machine or its load, so the test
    can ask how far past its limit the search runs, exactly and repeatably.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from ordercycle.packing import _engine

        self.placements = 0
        self.start = datetime(2026, 3, 2, 9, tzinfo=UTC)
        place = _engine.CartonFill.place

        def counted(box: _engine.CartonFill, unit: _engine.EngineUnit) -> bool:
            self.placements += 1
            return place(box, unit)

        monkeypatch.setattr(_engine.CartonFill, "place", counted)

    def now(self) -> datetime:
        return self.start + timedelta(microseconds=100 * self.placements)

    def today(self) -> object:
        return self.now().date()

    @property
    def elapsed_ms(self) -> float:
        return self.placements / 10


@pytest.mark.parametrize("objective", ["cartons", "billable_weight"])
@pytest.mark.parametrize("limit_ms", [50, 100])
def test_the_time_limit_is_honoured_within_a_few_percent(
    monkeypatch: pytest.MonkeyPatch, objective: str, limit_ms: int
) -> None:
    clock = WorkClock(monkeypatch)
    plan = pack(
        PAPER,
        PAPER_CARTONS,
        objective=objective,
        work_limit=None,
        time_limit=Q_(limit_ms, "ms"),
        clock=clock,  # type: ignore[arg-type]
    )
    verify(plan)
    assert sum(len(p) for p in plan.packages) == 75
    # Before: the first complete pass could not be interrupted (131-133 ms for 100 ms).
    assert clock.elapsed_ms <= limit_ms * 1.03


def test_a_limit_shorter_than_the_first_pass_still_returns_a_valid_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = WorkClock(monkeypatch)
    plan = pack(
        PAPER,
        PAPER_CARTONS,
        objective="cartons",
        work_limit=None,
        time_limit=Q_(1, "ms"),
        clock=clock,  # type: ignore[arg-type]
    )
    verify(plan)
    assert sum(len(p) for p in plan.packages) == 75
    assert any("the search stopped at its time limit" in note for note in plan.notes)
    # The plan in hand first is one first-fit pass (before: greedy and first fit, 4x).
    assert clock.elapsed_ms <= 20


def test_too_many_paper_sheets_for_two_cartons_is_proven() -> None:
    # Volume and weight alone allow two cartons, and the count vector is too large for
    # the relaxation; the relaxation limited to two cartons shows no split into two parts
    # fits (Option 1 cannot take enough weight, two Option 3 are too weak).
    plan = pack(PAPER, PAPER_CARTONS, objective="cartons")
    verify(plan)
    assert len(plan.packages) == 3
    assert plan.lower_bound == 3
    assert plan.optimal
    assert plan.proof == "bound met"
