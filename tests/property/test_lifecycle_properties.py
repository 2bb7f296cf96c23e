"""Properties of ordercycle.lifecycle over randomly generated valid definitions.

The generator builds a random tree rooted at the initial state (so every state is
reachable), marks its leaves final (so every other state can reach a final one and final
states have no exits), then adds random extra transitions between non-final states,
random guards and sometimes a wildcard ``abort``. Such definitions must always validate.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ordercycle.errors import DefinitionError, TransitionNotAllowedError
from ordercycle.lifecycle import ANY, Guard, Lifecycle, Machine, State, Transition

FACTS = ("paid", "approved")
GUARDS = tuple(
    Guard(f"is_{fact}", lambda context, fact=fact: fact in context, refusal=f"it is not {fact}")
    for fact in FACTS
)
EXTRA_EVENTS = ("advance", "skip", "retry", "escalate")
contexts = st.frozensets(st.sampled_from(FACTS))


@st.composite
def definitions(draw: st.DrawFn) -> Lifecycle:
    """A random valid lifecycle."""
    size = draw(st.integers(min_value=2, max_value=8))
    names = [f"s{i}" for i in range(size)]
    parents = [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    has_child = set(parents)
    finals = {names[i] for i in range(size) if i not in has_child}
    guard = st.none() | st.sampled_from(GUARDS)
    transitions = [
        Transition(f"reach_{names[child]}", names[parent], names[child], guard=draw(guard))
        for child, parent in enumerate(parents, start=1)
    ]
    open_states = [name for name in names if name not in finals]
    extras = draw(
        st.lists(
            st.tuples(
                st.sampled_from(EXTRA_EVENTS),
                st.sampled_from(open_states),
                st.sampled_from(names),
                guard,
            ),
            max_size=8,
        )
    )
    for event, source, target, extra_guard in extras:
        rivals = [t for t in transitions if t.event == event and source in t.source]
        if rivals and (extra_guard is None or any(t.guard is None for t in rivals)):
            continue  # an unguarded transition must be the only one for its event and state
        if any(t.target == target for t in rivals):
            continue
        transitions.append(Transition(event, source, target, guard=extra_guard))
    if draw(st.booleans()):
        transitions.append(Transition("abort", ANY, draw(st.sampled_from(sorted(finals)))))
    order = [names[0], *draw(st.permutations(names[1:]))]
    states = [State(name, final=name in finals) for name in order]
    return Lifecycle("random_flow", states, draw(st.permutations(transitions)), names[0])


@settings(max_examples=150, deadline=None)
@given(definitions())
def test_random_valid_definitions_validate_and_round_trip(lifecycle: Lifecycle) -> None:
    assert lifecycle.reachable_from(lifecycle.initial) == lifecycle.state_names
    for state in lifecycle.state_names:
        assert set(lifecycle.reachable_from(state)) & set(lifecycle.final_states)
        assert (lifecycle.transitions_from(state) == ()) == lifecycle.is_final(state)
    copy = Lifecycle.from_dict(lifecycle.to_dict(), guards=GUARDS)
    assert copy == lifecycle
    assert copy.to_mermaid() == lifecycle.to_mermaid()
    assert copy.describe() == lifecycle.describe()


@settings(max_examples=100, deadline=None)
@given(definitions(), contexts)
def test_allowed_events_are_exactly_the_events_that_succeed(
    lifecycle: Lifecycle, context: frozenset[str]
) -> None:
    for state in lifecycle.state_names:
        allowed = lifecycle.allowed_events(state, context)
        for event in (*lifecycle.events, "not_an_event"):
            if event in allowed:
                assert lifecycle.can(state, event, context)
                assert lifecycle.next_state(state, event, context=context) in (
                    lifecycle.state_names
                )
                continue
            assert not lifecycle.can(state, event, context)
            with pytest.raises(TransitionNotAllowedError) as caught:
                lifecycle.next_state(state, event, context=context, subject="thing T-1")
            error = caught.value
            assert (error.subject, error.event, error.state) == ("thing T-1", event, state)
            assert error.allowed == tuple(sorted(allowed))
            assert str(error).startswith(f"Cannot {event} thing T-1: ")


@settings(max_examples=100, deadline=None)
@given(definitions(), st.lists(st.tuples(st.integers(0, 20), contexts), max_size=30))
def test_random_walks_never_leave_the_state_set(
    lifecycle: Lifecycle, steps: list[tuple[int, frozenset[str]]]
) -> None:
    state = lifecycle.initial
    events = lifecycle.events
    for index, context in steps:
        event = events[index % len(events)]
        if lifecycle.can(state, event, context):
            state = lifecycle.next_state(state, event, context=context)
        assert state in lifecycle.state_names
        if lifecycle.is_final(state):
            assert lifecycle.allowed_events(state, context) == ()


@settings(max_examples=100, deadline=None)
@given(definitions(), st.data())
def test_insert_state_on_any_named_transition_gives_a_valid_copy(
    lifecycle: Lifecycle, data: st.DataObject
) -> None:
    named = [t for t in lifecycle.transitions if not t.is_wildcard]
    chosen = data.draw(st.sampled_from(named))
    before = lifecycle.to_dict()
    extended = lifecycle.insert_state(
        "inserted", between=(chosen.source[0], chosen.target), leave="move_on"
    )
    assert lifecycle.to_dict() == before
    assert "inserted" in extended.reachable_from(extended.initial)
    assert extended.next_state("inserted", "move_on") == chosen.target
    guard_passes = chosen.guard is None or chosen.guard.refuses(frozenset(FACTS)) is None
    assert guard_passes
    assert extended.can(chosen.source[0], chosen.event, frozenset(FACTS))


@settings(max_examples=100, deadline=None)
@given(definitions(), st.data())
def test_breaking_a_valid_definition_is_always_reported(
    lifecycle: Lifecycle, data: st.DataObject
) -> None:
    final = data.draw(st.sampled_from(lifecycle.final_states))
    with pytest.raises(DefinitionError) as caught:
        lifecycle.add_transition("reopen", final, lifecycle.initial)
    assert any(
        p.startswith(f"the final state {final!r} has an exit") for p in caught.value.problems
    )
    with pytest.raises(DefinitionError) as caught:
        lifecycle.add_state("island", transitions=[("leave_island", "island", final)])
    assert caught.value.problems == (
        f"the state 'island' is not reachable from the initial state {lifecycle.initial!r}",
    )


class TrackedStateMachine(RuleBasedStateMachine):
    """Fire random events at a tracked state; a refused event changes nothing."""

    lifecycle: Lifecycle
    machine: Machine

    @initialize(lifecycle=definitions())
    def start(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        self.machine = lifecycle.start("thing T-1")
        self.fired = 0

    @rule(
        pick=st.integers(min_value=0, max_value=40),
        context=contexts,
        bogus=st.booleans(),
    )
    def fire(self, pick: int, context: frozenset[str], bogus: bool) -> None:
        events = self.lifecycle.events
        event = "bogus_event" if bogus else events[pick % len(events)]
        before = self.machine
        allowed = before.allowed_events(context)
        if event in allowed:
            after = before.fire(event, context)
            assert after.state == self.lifecycle.next_state(before.state, event, context=context)
            assert before == self.machine  # the old value is untouched
            self.machine = after
            self.fired += 1
            return
        with pytest.raises(TransitionNotAllowedError) as caught:
            before.fire(event, context)
        assert self.machine == before
        assert caught.value.state == before.state
        assert caught.value.allowed == tuple(sorted(allowed))

    @precondition(lambda self: self.machine.is_final)
    @rule()
    def start_again(self) -> None:
        assert self.machine.allowed_events(frozenset(FACTS)) == ()
        self.machine = self.lifecycle.start("thing T-2")

    @invariant()
    def state_is_a_state_of_the_lifecycle(self) -> None:
        assert self.machine.state in self.lifecycle.state_names
        assert self.machine.lifecycle is self.lifecycle


TrackedStateMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None
)
test_tracked_state_machine = TrackedStateMachine.TestCase
