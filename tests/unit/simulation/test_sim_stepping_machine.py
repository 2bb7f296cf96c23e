"""A state machine steps a simulation through time and checks its laws after every step."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ordercycle.simulation import (
    Scenario,
    Simulation,
    SimulationStateError,
    check_conservation,
    totals_from_desk,
    totals_from_events,
)

SCENARIO = Scenario.default(seed=5, orders=8, days=1, drain_days=40, orders_per_day=30.0)


class SteppedSimulation(RuleBasedStateMachine):
    """Advance by random amounts; the log and the desk agree at every pause."""

    simulation: Simulation

    @initialize()
    def start(self) -> None:
        self.simulation = Simulation(SCENARIO)

    @rule(hours=st.floats(0, 200, allow_nan=False))
    def advance(self, hours: float) -> None:
        before = self.simulation.now
        self.simulation.advance(before + hours)
        assert self.simulation.now == min(before + hours, self.simulation.horizon)

    @rule(back=st.floats(0.5, 10, allow_nan=False))
    @precondition(lambda self: self.simulation.now > 10)
    def going_back_is_refused(self, back: float) -> None:
        events = list(self.simulation.events)
        try:
            self.simulation.advance(self.simulation.now - back)
        except SimulationStateError:
            pass
        else:  # pragma: no cover - the rule exists to check this
            raise AssertionError("advancing into the past was accepted")
        assert self.simulation.events == events

    @invariant()
    def log_and_desk_agree(self) -> None:
        simulation = self.simulation
        assert totals_from_events(simulation.events) == totals_from_desk(simulation.desk)

    @invariant()
    def every_order_has_one_class(self) -> None:
        counts = check_conservation(self.simulation.desk)
        assert sum(counts["orders"].values()) == len(self.simulation.desk.order_ids())

    @invariant()
    def the_clock_follows_the_environment(self) -> None:
        simulation = self.simulation
        hours = (simulation.clock.now() - simulation.start).total_seconds() / 3600
        assert abs(hours - simulation.now) < 1e-3


TestSteppedSimulation = SteppedSimulation.TestCase
TestSteppedSimulation.settings = settings(max_examples=4, stateful_step_count=5, deadline=None)
