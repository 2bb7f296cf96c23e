"""Short picks and customer cancellations: the desk's own commands, driven by the scenario."""

from __future__ import annotations

from typing import Any

import pytest

from ordercycle.errors import ValidationError
from ordercycle.simulation import Scenario, Simulation, SimulationResult, check_conservation


def disrupted(seed: int = 5, **changes: Any) -> Scenario:
    values: dict[str, Any] = {
        "orders": 40,
        "days": 1,
        "drain_days": 42,
        "orders_per_day": 80.0,
        "short_pick_rate": 0.25,
        "cancel_rate": 0.3,
        "cancel_after_hours": 1.0,
    }
    return Scenario.default(seed=seed, **{**values, **changes})


@pytest.fixture(scope="module")
def run() -> Simulation:
    simulation = Simulation(disrupted())
    simulation.run()
    return simulation


@pytest.fixture(scope="module")
def result(run: Simulation) -> SimulationResult:
    return SimulationResult.from_simulation(run)


def test_short_picks_are_logged_and_the_desk_agrees(
    run: Simulation, result: SimulationResult
) -> None:
    shorts = [e for e in result.events if e.kind == "short"]
    assert shorts
    assert result.kpi("short_pick_rate") == pytest.approx(
        len(shorts) / sum(e.quantity for e in result.events if e.kind == "picked")
    )
    desk = run.desk
    for event in shorts:
        confirmed = desk.pick_list(event.ref)
        missing = sum(line.short for line in confirmed.lines if line.order_id == event.order_id)
        assert missing >= event.quantity


def test_canceled_orders_are_canceled_in_the_desk(
    run: Simulation, result: SimulationResult
) -> None:
    canceled = {e.order_id for e in result.events if e.kind == "canceled"}
    assert canceled
    assert {o for o in canceled if run.desk.order(o).state == "canceled"} == canceled
    assert result.kpi("cancel_rate") == pytest.approx(len(canceled) / result.kpi("orders"))
    assert result.conservation["orders"]["canceled"] == len(canceled)
    never_shipped = {e.order_id for e in result.events if e.kind == "shipped"}
    assert not canceled & never_shipped


def test_the_cycle_still_conserves_units_and_money(
    run: Simulation, result: SimulationResult
) -> None:
    assert result.totals == result.state_totals
    assert check_conservation(run.desk) == result.conservation
    assert sum(result.conservation["orders"].values()) == result.kpi("orders")
    assert set(result.conservation["orders"]) <= {"delivered", "canceled", "backordered"}


def test_on_time_in_full_leaves_canceled_orders_out(result: SimulationResult) -> None:
    canceled = {e.order_id for e in result.events if e.kind == "canceled"}
    placed = {e.order_id: e for e in result.events if e.kind == "placed"}
    delivered: dict[str, int] = {}
    last: dict[str, float] = {}
    for event in result.events:
        if event.kind == "delivered":
            delivered[event.order_id] = delivered.get(event.order_id, 0) + event.quantity
            last[event.order_id] = event.time
    promise = disrupted().promise_days * 24
    on_time = [
        o
        for o, e in placed.items()
        if delivered.get(o) == e.quantity and last[o] <= e.time + promise
    ]
    assert result.kpi("on_time_in_full") == pytest.approx(
        len(on_time) / (len(placed) - len(canceled))
    )


def test_the_same_seed_repeats_the_same_disruptions(result: SimulationResult) -> None:
    from ordercycle.simulation import simulate

    assert simulate(disrupted()) == result


def test_without_disruptions_the_random_stream_is_untouched() -> None:
    from ordercycle.simulation import simulate

    plain = Scenario.default(seed=5, orders=20, days=1, drain_days=40, orders_per_day=80.0)
    off = simulate(plain)
    again = simulate(plain.evolve(cancel_after_hours=7.0))  # rates 0: nothing drawn
    assert off.events == again.events
    assert off.kpi("cancel_rate") == 0
    assert off.kpi("short_pick_rate") == 0


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("short_pick_rate", 1.0, "from 0 to below 1"),
        ("short_pick_rate", -0.1, "between 0 and 1"),
        ("cancel_rate", 1.5, "between 0 and 1"),
        ("cancel_after_hours", -1, "0 or more hours"),
    ],
)
def test_bad_disruption_settings_name_the_field(field: str, value: float, words: str) -> None:
    with pytest.raises(ValidationError, match=field) as caught:
        Scenario.default(**{field: value})
    assert words in str(caught.value)


def tight_credit(seed: int = 3) -> Scenario:
    from ordercycle.simulation import CustomerSegment

    return Scenario.default(
        seed=seed,
        orders=30,
        days=2,
        drain_days=45,
        orders_per_day=40.0,
        segments=(
            CustomerSegment(name="SMALL", customers=3, credit_limit="150", payment_terms="Net 30"),
        ),
        credit_review_hours=6.0,
    )


def test_orders_over_the_credit_limit_wait_for_the_credit_review() -> None:
    simulation = Simulation(tight_credit())
    result = simulation.run()
    held = [e for e in result.events if e.kind == "held"]
    released = {e.order_id: e for e in result.events if e.kind == "released"}
    assert held
    assert result.kpi("credit_hold_rate") == pytest.approx(len(held) / result.kpi("orders"))
    allocated = {e.order_id: e for e in result.events if e.kind == "allocated"}
    for event in held:
        assert released[event.order_id].time == pytest.approx(event.time + 6.0)
        assert allocated[event.order_id].time >= released[event.order_id].time
        order = simulation.desk.order(event.order_id)
        assert not order.on_hold
    assert set(result.conservation["orders"]) == {"delivered"}
    assert result.totals == result.state_totals


def test_a_bad_credit_limit_names_the_segment_field() -> None:
    from ordercycle.simulation import CustomerSegment

    with pytest.raises(ValidationError, match=r"segments\[0\]\.credit_limit"):
        Scenario.default(segments=(CustomerSegment(name="X", credit_limit="lots"),))
    with pytest.raises(ValidationError, match="credit_review_hours"):
        Scenario.default(credit_review_hours=-2)


def test_pickers_and_packers_start_work_only_on_shift() -> None:
    day_shift = Scenario.default(
        seed=4, orders=30, days=2, drain_days=40, orders_per_day=30.0, shift=(8.0, 16.0)
    )
    result = Simulation(day_shift).run()
    picks = [e for e in result.events if e.kind == "picked"]
    assert picks
    for event in picks:  # a pick ends its time after it started inside the shift
        started = event.time - event.measure + 1e-9  # float hours: 31.999... is 8:00
        assert 8.0 <= started % 24 < 16.0
    evening_waves = [e for e in result.events if e.kind == "wave" and e.time % 24 >= 16]
    assert evening_waves  # the 18:00 wave waits for the next morning
    around_the_clock = Simulation(day_shift.evolve(shift=(0.0, 24.0))).run()
    assert result.kpi("cycle_time_mean") > around_the_clock.kpi("cycle_time_mean")
    assert result.totals == result.state_totals


@pytest.mark.parametrize("shift", [(16.0, 8.0), (0.0, 25.0), (-1.0, 8.0), (8.0,)])
def test_a_bad_shift_is_refused(shift: tuple[float, ...]) -> None:
    with pytest.raises(ValidationError, match="shift") as caught:
        Scenario.default(shift=shift)
    assert "0 <= start < end <= 24" in str(caught.value)


def test_the_scenario_file_in_the_how_to_loads_and_runs() -> None:
    import re
    from pathlib import Path

    from ordercycle.simulation import simulate

    page = Path(__file__).parents[3] / "docs" / "how-to" / "write-a-scenario-file.md"
    match = re.search(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert match is not None
    scenario = Scenario.from_toml(match.group(1))
    assert scenario.name == "tough week"
    assert scenario.replenishment.policy == "RQ"
    assert [s.credit_limit for s in scenario.segments] == ["", "2500"]
    result = simulate(scenario.evolve(orders=40, days=1))
    assert result.totals == result.state_totals


def test_credit_control_refuses_some_held_orders() -> None:
    simulation = Simulation(tight_credit().evolve(credit_refusal_rate=0.5))
    result = simulation.run()
    held = {e.order_id for e in result.events if e.kind == "held"}
    refused = {
        e.order_id for e in result.events if e.kind == "canceled" and e.note == "credit refused"
    }
    released = {e.order_id for e in result.events if e.kind == "released"}
    assert refused
    assert released
    assert refused | released == held
    assert not refused & released
    for order_id in refused:
        assert simulation.desk.order(order_id).state == "canceled"
    assert result.kpi("cancel_rate") == pytest.approx(len(refused) / result.kpi("orders"))
    assert result.conservation["orders"]["canceled"] == len(refused)
    assert result.totals == result.state_totals
