"""Dock and carrier pickups, shifts per role and calendars, and the default operating point."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.simulation import Scenario, simulate
from ordercycle.simulation.engine import Simulation
from ordercycle.simulation.errors import ScenarioError
from ordercycle.simulation.scenario import CarrierSpec, Shift

pytest.importorskip("simpy")


def _ups(*pickups: float, cutoff: float = 0.5) -> tuple[CarrierSpec, ...]:
    return (
        CarrierSpec(name="UPS", pickups=pickups, cutoff_hours=cutoff),
        CarrierSpec(name="FEDEX", dim_rule="FEDEX"),
    )


def _base(**changes: object) -> Scenario:
    return Scenario.default(
        seed=11, orders=240, orders_per_day=60.0, drain_days=30, warmup_days=1, **changes
    )


# --- the dock and carrier pickups -----------------------------------------------------------


def test_parcels_leave_only_at_their_carriers_pickups() -> None:
    run = Simulation(_base(carriers=_ups(12.0, 19.0)))
    result = run.run()
    shipped = [e for e in result.events if e.kind == "shipped"]
    assert shipped
    assert {round(e.time % 24, 6) for e in shipped} <= {12.0, 19.0}
    packed = {e.ref: e.time for e in result.events if e.kind == "packed"}
    for event in shipped:  # each waited for the first pickup whose cut-off it made
        ready = packed[event.ref]
        assert event.time - 0.5 >= ready
        assert event.time == run.scenario.pickup_after(run.scenario.carriers[0], ready)
    assert result.kpi("dock_wait_mean") > 0
    assert any(row["parcels_at_dock"] > 0 for row in result.timeseries())


def test_a_later_pickup_cutoff_raises_the_same_day_share() -> None:
    early = simulate(_base(carriers=_ups(16.0, cutoff=3.0)), events=False)
    late = simulate(_base(carriers=_ups(16.0, cutoff=0.25)), events=False)
    assert late.kpi("same_day_ship_rate") > early.kpi("same_day_ship_rate")
    assert late.kpi("order_to_ship_mean") < early.kpi("order_to_ship_mean")
    # The arrivals, the picking and the packing are the same world in both.
    assert late.kpi("picker_utilisation") == early.kpi("picker_utilisation")


def test_order_to_ship_ends_at_the_carrier_pickup() -> None:
    direct = simulate(_base(), events=False)
    collected = simulate(_base(carriers=_ups(20.0)), events=False)
    assert direct.kpi("cutoff_made_rate") is None
    assert collected.kpi("order_to_ship_mean") > direct.kpi("order_to_ship_mean")


def test_doubling_the_dock_capacity_lowers_the_dock_wait() -> None:
    slow = _base(carriers=_ups(16.0, 21.0), dock_loaders=1, load_seconds_per_parcel=600.0)
    one = simulate(slow, events=False)
    two = simulate(slow.evolve(dock_loaders=2), events=False)
    assert two.kpi("dock_wait_mean") < one.kpi("dock_wait_mean")
    assert two.kpi("cutoff_made_rate") >= one.kpi("cutoff_made_rate")
    assert 0 < two.kpi("dock_utilisation") < one.kpi("dock_utilisation") <= 1.05


def test_no_pickups_on_days_off_or_holidays() -> None:
    weekdays = _ups(15.0)[0]
    carrier = CarrierSpec(name="UPS", pickups=(15.0,), pickup_days=(0, 1, 2, 3, 4))
    scenario = _base(carriers=(carrier, *_ups()[1:]), holidays=("2026-03-04",))
    result = simulate(scenario)
    days = {scenario.weekday(e.day) for e in result.events if e.kind == "shipped"}
    assert days <= {0, 1, 3, 4}  # 2026-03-04 is the first Wednesday; later Wednesdays ship
    assert 2 in {scenario.weekday(d) for d in range(7, 21) if not scenario.closed_on(d)}
    assert weekdays.pickup_days == (0, 1, 2, 3, 4, 5, 6)
    assert not [e for e in result.events if e.kind == "shipped" and e.day == 2]  # the holiday


# --- shifts per role ------------------------------------------------------------------------


def test_each_role_works_only_in_its_own_shifts() -> None:
    scenario = _base(
        wave_cutoffs=(9.0, 13.0),
        picker_shifts=(
            Shift(start=8, end=12, days=(0, 1, 2, 3, 4), staff=2),
            Shift(start=13, end=15, staff=1),
        ),
        packer_shifts=(Shift(start=12, end=18, days=(0, 1, 2, 3, 4), staff=2),),
    )
    result = simulate(scenario)
    for event in result.events:
        if event.kind == "picked":
            began = event.time - event.measure
            weekday, hour = scenario.weekday(int(began // 24)), began % 24
            assert (8 <= hour < 12 and weekday < 5) or 13 <= hour < 15, (weekday, hour)
        elif event.kind == "packed":
            began = event.time - scenario.pack_seconds_per_order / 3600
            assert 12 <= began % 24 < 18
            assert scenario.weekday(int(began // 24)) < 5
    rows = result.timeseries()
    saturday = next(r for r in rows if scenario.weekday(r["day"]) == 5)
    assert saturday["packer_utilisation"] == 0.0


def test_utilisation_counts_scheduled_hours_not_the_clock() -> None:
    around = _base(pickers=2, packers=2)
    day = around.evolve(shift=(8.0, 20.0))
    a, b = simulate(around, events=False), simulate(day, events=False)
    # About the same work in half the scheduled hours: about twice the utilisation.
    ratio = b.kpi("packer_utilisation") / a.kpi("packer_utilisation")
    assert 1.7 < ratio < 2.3
    assert day.scheduled_hours("packers", 0, 48) == 2 * 2 * 12 * 2


def test_a_shift_that_ends_earlier_lengthens_order_to_ship() -> None:
    long = _base(
        wave_cutoffs=(10.0, 14.0),
        picker_shifts=(Shift(start=9, end=20, staff=1),),
        packer_shifts=(Shift(start=9, end=20, staff=1),),
    )
    short = long.evolve(packer_shifts=(Shift(start=9, end=12, staff=1),))
    assert simulate(short, events=False).kpi("order_to_ship_mean") > simulate(
        long, events=False
    ).kpi("order_to_ship_mean")


def test_holidays_close_every_role() -> None:
    scenario = _base(holidays=("2026-03-04",), pickers=1, packers=1)
    assert scenario.staff_at("pickers", 2 * 24 + 12, "WH-EAST") == 0
    assert scenario.staff_at("pickers", 3 * 24 + 12, "WH-EAST") == 1
    result = simulate(scenario)
    assert not [e for e in result.events if e.kind in ("picked", "packed") and e.day == 2]


_SHIFTS = (
    Shift(start=8, end=19, staff=1),
    Shift(start=8, end=12.5, days=(0, 1, 2, 3, 4), staff=2),
    Shift(start=10.3333, end=18, days=(0, 2, 5), staff=1, warehouse="WH-WEST"),
    Shift(start=22, end=24, staff=3, warehouse="WH-EAST"),
)


def _shifted() -> Scenario:
    return _base(holidays=("2026-03-04",), picker_shifts=_SHIFTS, packer_shifts=_SHIFTS[1:])


@settings(max_examples=100, deadline=None)
@given(
    hours=st.lists(
        st.one_of(
            st.floats(min_value=0, max_value=30 * 24, allow_nan=False),
            st.sampled_from([d * 24 + h for d in range(30) for h in (8, 10.3333, 12.5, 18, 22)]),
        ),
        min_size=1,
        max_size=40,
    ),
    role=st.sampled_from(["pickers", "packers"]),
    warehouse=st.sampled_from(["WH-EAST", "WH-WEST"]),
)
def test_staff_at_remembers_the_answers_it_would_work_out_again(
    hours: list[float], role: str, warehouse: str
) -> None:
    # staff_at remembers its answers by the scenario's identity: asked again, and asked of
    # an equal scenario (worked out afresh), it answers as the shifts say.
    scenario = _shifted()
    fresh = scenario.evolve()
    for hour in [*hours, *hours]:
        day = int(hour // 24)
        clock = hour - day * 24
        expected = 0
        if not scenario.closed_on(day):
            weekday = scenario.weekday(day)
            expected = sum(
                shift.staff
                for shift in scenario.shifts_of(role, warehouse)
                if weekday in shift.days and shift.start <= clock < shift.end
            )
        assert scenario.staff_at(role, hour, warehouse) == expected
        assert fresh.staff_at(role, hour, warehouse) == expected


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"picker_shifts": (Shift(start=8, end=12),), "wave_cutoffs": (10.0, 14.0)},
            "wave_cutoffs[1]",
        ),
        ({"carriers": _ups(7.0), "shift": (8.0, 18.0)}, "carriers[0].pickups[0]"),
        ({"carriers": _ups(15.0, 12.0)}, "carriers[0].pickups[1]"),
        ({"picker_shifts": (Shift(start=8, end=8),)}, "picker_shifts[0].end"),
        ({"picker_shifts": (Shift(start=8, end=12, days=(7,)),)}, "picker_shifts[0].days"),
        ({"picker_shifts": (Shift(start=0, end=24, staff=0),)}, "picker_shifts[0].staff"),
        (
            {"picker_shifts": (Shift(start=0, end=24, warehouse="WH-NORTH"),)},
            "picker_shifts[0].warehouse",
        ),
        (
            {"packer_shifts": (Shift(start=0, end=24, warehouse="WH-EAST"),)},
            "packer_shifts",
        ),
        ({"holidays": ("2026-02-30",)}, "holidays[0]"),
        ({"dock_loaders": -1}, "dock_loaders"),
    ],
)
def test_scenarios_that_cannot_work_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.default(**changes)
    assert caught.value.field == field
    assert "expected" in str(caught.value)


def test_calendars_round_trip_through_plain_data() -> None:
    scenario = _base(
        picker_shifts=(Shift(start=6, end=22, days=(0, 1, 2, 3, 4), staff=3),),
        carriers=_ups(12.0, 18.0),
        holidays=("2026-03-04",),
        dock_loaders=2,
    )
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    assert simulate(scenario, events=False).kpis == simulate(scenario, events=False).kpis


# --- the default operating point ------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"orders": 600},  # the default rate, 10 days
        {"orders": 2000},  # 10x the orders (CLI --orders 2000)
        {"orders": 3000, "orders_per_day": 600.0},  # 10x the rate
    ],
)
def test_the_default_scenario_runs_at_a_plausible_operating_point(
    changes: dict[str, float],
) -> None:
    scenario = Scenario.default(seed=7, warmup_days=1, **changes)
    result = simulate(scenario, events=False)
    assert 0.6 <= result.kpi("picker_utilisation") <= 0.85
    assert 0.55 <= result.kpi("packer_utilisation") <= 0.85
    assert result.kpi("order_fill_rate") >= 0.9
    if "orders_per_day" not in changes:
        # At 10x the rate the second warehouse's share of the work is less predictable
        # (it takes what the first runs out of); see the staffing estimate's docs.
        assert not result.warnings


def test_the_default_scales_staff_with_the_volume_and_keeps_given_staff() -> None:
    low = Scenario.default(seed=1, orders=600)
    high = Scenario.default(seed=1, orders=6000, orders_per_day=600.0)
    assert high.scheduled_hours("pickers", 0, 168) > 5 * low.scheduled_hours("pickers", 0, 168)
    given = Scenario.default(seed=1, pickers=4)
    assert given.shifts_of("pickers") == (Shift(start=0, end=24, staff=4),)
    with pytest.raises(ScenarioError):
        low.staffed_for_demand(utilisation=1.5)


def test_the_cli_sizes_the_default_for_its_rate() -> None:
    import argparse
    import io

    from ordercycle.simulation.cli import add_simulate_parser, run_simulate

    parser = argparse.ArgumentParser()
    add_simulate_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["simulate", "--orders", "40", "--orders-per-day", "400"])
    out = io.StringIO()
    assert run_simulate(args, out=out) == 0
    row = next(line for line in out.getvalue().splitlines() if "| picker_utilisation |" in line)
    assert float(row.split("|")[2]) > 0.3  # staffed for 400 a day, not idle around the clock
