"""The collector is spaced out inside a run and comes back as it was."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from ordercycle.simulation import Scenario, Simulation, simulate
from ordercycle.simulation._collector import YOUNG_THRESHOLD, settle, spaced_collections


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_the_young_threshold_is_raised_inside_and_restored_after(
    thresholds: tuple[int, int, int],
) -> None:
    with spaced_collections():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        with spaced_collections():  # a nested (or concurrent) run shares the setting
            assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == thresholds


def test_the_thresholds_come_back_when_the_run_raises(thresholds: tuple[int, int, int]) -> None:
    with pytest.raises(RuntimeError, match="boom"), spaced_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == thresholds


def test_a_switched_off_or_wider_collector_is_left_alone(
    thresholds: tuple[int, int, int],
) -> None:
    for setting in ((0, 10, 10), (YOUNG_THRESHOLD * 2, 5, 5)):
        gc.set_threshold(*setting)
        with spaced_collections():
            assert gc.get_threshold() == setting
        assert gc.get_threshold() == setting


def test_a_simulation_leaves_the_thresholds_as_it_found_them(
    thresholds: tuple[int, int, int],
) -> None:
    result = simulate(Scenario.default(seed=3, orders=20), events=False)
    assert result.kpi("orders") == 20
    assert gc.get_threshold() == thresholds


def test_settle_freezes_inside_a_run_until_the_last_run_leaves(
    thresholds: tuple[int, int, int],
) -> None:
    settle()  # outside a run: nothing
    assert gc.get_freeze_count() == 0
    with spaced_collections():
        with spaced_collections():
            settle()
            frozen = gc.get_freeze_count()
            assert frozen > 0
            assert gc.get_count()[0] < 100  # the young count started over
        assert gc.get_freeze_count() > 0  # a run is still inside
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds


def test_settle_unfreezes_when_the_run_raises(thresholds: tuple[int, int, int]) -> None:
    def run() -> None:
        with spaced_collections():
            settle()
            assert gc.get_freeze_count() > 0
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run()
    assert gc.get_freeze_count() == 0


def test_settle_leaves_a_callers_freeze_and_a_collector_left_alone(
    thresholds: tuple[int, int, int],
) -> None:
    kept = [[n] for n in range(10)]  # tracked objects of the caller's, frozen by it
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with spaced_collections():
            settle()
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen  # not unfrozen by the run
    finally:
        gc.unfreeze()
    del kept
    for setting in ((0, 10, 10), (YOUNG_THRESHOLD * 2, 5, 5)):
        gc.set_threshold(*setting)
        with spaced_collections():
            settle()
            assert gc.get_freeze_count() == 0
    gc.set_threshold(*thresholds)
    gc.disable()
    try:
        with spaced_collections():
            settle()
            assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_a_simulation_settles_daily_and_leaves_nothing_frozen(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen: list[int] = []
    scenario = Scenario.default(seed=3, orders=20, days=2, drain_days=2)
    simulation = Simulation(scenario, keep_finished=False, keep_events=False)
    simulation.advance(30.0)  # past the second day's start: settled twice
    assert gc.get_freeze_count() == 0
    original = gc.freeze

    def watched() -> None:
        frozen.append(gc.get_freeze_count())
        original()

    monkeypatch.setattr(gc, "freeze", watched)
    simulation.run(events=False)
    # The start of days 2 and 3 (the horizon is 96 hours), and the run leaving.
    assert len(frozen) == 3
    assert gc.get_freeze_count() == 0


def test_a_run_leaves_nothing_young_for_the_restored_threshold(
    thresholds: tuple[int, int, int],
) -> None:
    with spaced_collections():
        settle()
        made = [[n] for n in range(5_000)]  # what a run makes after its last settle
    assert gc.get_count()[0] < 100  # gone to the oldest generation, not collected young
    assert gc.get_freeze_count() == 0
    del made


@pytest.mark.parametrize("drain_days", [0, 40])
def test_a_run_that_reached_its_horizon_is_freed_without_the_collector(
    thresholds: tuple[int, int, int], drain_days: int
) -> None:
    # Without a drain, tasks, deliveries and payments are still waiting at the horizon;
    # their processes are closed then, so nothing holds the run in a reference cycle.
    scenario = Scenario.default(seed=3, orders=40, days=2, drain_days=drain_days)
    gc.collect()
    gc.disable()
    try:
        ran = Simulation(scenario, keep_finished=False, keep_events=False)
        ran.run(events=False)
        stepped = Simulation(scenario)
        stepped.advance(stepped.horizon)  # reached without run()
        desks = [weakref.ref(ran.desk), weakref.ref(stepped.desk)]
        del ran, stepped
        assert [desk() for desk in desks] == [None, None]
    finally:
        gc.enable()


def test_a_run_dropped_before_its_horizon_is_freed_by_the_collector(
    thresholds: tuple[int, int, int],
) -> None:
    # What the run froze goes back to the collector when it leaves: a run still holding
    # its processes (a cycle) is found and freed by a full collection.
    scenario = Scenario.default(seed=3, orders=30, days=2, drain_days=2)
    simulation = Simulation(scenario, keep_finished=False, keep_events=False)
    simulation.advance(60.0)  # settled at the start of days 0, 1 and 2
    desk = weakref.ref(simulation.desk)
    del simulation
    assert desk() is not None
    gc.collect()
    assert desk() is None
    assert gc.get_freeze_count() == 0


def test_closing_the_waiting_processes_changes_no_result() -> None:
    scenario = Scenario.default(seed=3, orders=40, days=2, drain_days=0)
    whole = simulate(scenario)
    stepped = Simulation(scenario)
    stepped.advance(stepped.horizon)
    stepped.advance(stepped.horizon)  # at the horizon already: nothing more
    assert stepped.run() == whole


def _cyclic_garbage(orders: int, **changes: object) -> int:
    """Objects only the cyclic collector frees, left by a KPIs-only run of ``orders``."""
    gc.collect()
    gc.disable()
    try:
        scenario = Scenario.default(seed=7, orders=orders, orders_per_day=60, **changes)
        simulate(scenario, events=False)
        return gc.collect()
    finally:
        gc.enable()


def test_a_run_makes_no_cyclic_garbage_per_order() -> None:
    # What a run leaves for the collector is a few objects a simulated day (the engine's
    # own processes), not per order: the high threshold above relies on it. Units of work
    # and the packing search were once cycles, over a hundred objects an order.
    _cyclic_garbage(50)  # first uses build caches that live on
    grown = _cyclic_garbage(400) - _cyclic_garbage(100)
    assert grown < 300 // 4, f"{grown} more cyclic objects for 300 more orders"


def test_a_run_cut_short_leaves_no_cycle_through_its_desk() -> None:
    # Without a drain, deliveries, payments and returns are still due at the horizon; none
    # is left queued holding the run (and its desk, tens of thousands of objects) in a
    # reference cycle.
    _cyclic_garbage(50, drain_days=0)
    assert _cyclic_garbage(200, drain_days=0) < 1_000
