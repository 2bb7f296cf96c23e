"""Checking a lifecycle definition, and the lookup table the runtime uses.

:func:`find_problems` returns every problem in a definition, one sentence each, in a
fixed order (names, initial and final states, transitions, exits of final states,
ambiguous transitions, unreachable states, dead ends), so that
:class:`~ordercycle.errors.DefinitionError` can report them all at once.

:func:`candidates` builds the table ``(state, event) -> transitions to try, in order``:
transitions naming the state explicitly come first, then wildcard transitions, each
group in declaration order. The first candidate whose guard allows it is taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ordercycle.lifecycle._parts import ANY, Guard, State, Transition

__all__ = ["Table", "candidates", "describe_transition", "find_problems", "is_identifier"]

Table = Mapping[tuple[str, str], tuple[Transition, ...]]
"""``(state, event) -> transitions to try, in order``."""

_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*\Z")


def is_identifier(name: object) -> bool:
    """Whether *name* is a snake_case identifier such as ``credit_review``.

    >>> is_identifier("credit_review"), is_identifier("CreditReview"), is_identifier("a__b")
    (True, False, False)
    """
    return isinstance(name, str) and _IDENTIFIER.match(name) is not None


def describe_transition(transition: Transition) -> str:
    """Name a transition in a problem sentence: ``transition 'ship' from 'placed' to 'shipped'``."""
    if transition.is_wildcard:
        source = "any state"
    else:
        source = ", ".join(repr(name) for name in transition.source) or "nowhere"
    guard = f" [{transition.guard.name}]" if transition.guard else ""
    return f"transition {transition.event!r}{guard} from {source} to {transition.target!r}"


def _wildcard_sources(transition: Transition, states: Sequence[State]) -> list[str]:
    return [s.name for s in states if not s.final and s.name != transition.target]


def candidates(states: Sequence[State], transitions: Sequence[Transition]) -> Table:
    """Build the lookup table ``(state, event) -> transitions to try, in order``.

    Sources that are not states of the lifecycle are ignored here (validation reports them).
    """
    known = {state.name for state in states}
    explicit: dict[tuple[str, str], list[Transition]] = {}
    wildcard: dict[tuple[str, str], list[Transition]] = {}
    for transition in transitions:
        if transition.is_wildcard:
            sources, table = _wildcard_sources(transition, states), wildcard
        else:
            sources, table = [s for s in transition.source if s in known], explicit
        for source in dict.fromkeys(sources):
            table.setdefault((source, transition.event), []).append(transition)
    merged: dict[tuple[str, str], tuple[Transition, ...]] = {}
    for key in sorted(explicit.keys() | wildcard.keys()):
        merged[key] = (*explicit.get(key, ()), *wildcard.get(key, ()))
    return merged


def find_problems(
    name: str, states: Sequence[State], transitions: Sequence[Transition], initial: str
) -> list[str]:
    """Every problem in a definition, one sentence each (empty when it is valid)."""
    problems: list[str] = []
    if not is_identifier(name):
        problems.append(f"the lifecycle name {name!r} is not a snake_case identifier")
    problems += _state_problems(states, initial)
    problems += _transition_problems(states, transitions)
    problems += _final_exit_problems(states, transitions)
    problems += _ambiguity_problems(states, transitions)
    problems += _graph_problems(states, transitions, initial)
    return problems


def _state_problems(states: Sequence[State], initial: str) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for state in states:
        if not is_identifier(state.name):
            problems.append(f"the state name {state.name!r} is not a snake_case identifier")
        if state.name in seen:
            problems.append(f"the state {state.name!r} is declared more than once")
        seen.add(state.name)
    if not initial:
        problems.append("there is no initial state; exactly one is needed")
    elif initial not in seen:
        problems.append(f"the initial state {initial!r} is not one of its states")
    if states and not any(state.final for state in states):
        problems.append("there is no final state; mark at least one state final")
    if not states:
        problems.append("it has no states")
    return problems


def _transition_problems(states: Sequence[State], transitions: Sequence[Transition]) -> list[str]:
    problems: list[str] = []
    known = {state.name for state in states}
    bad_events: dict[str, None] = {}
    guards: dict[str, Guard] = {}
    seen: list[Transition] = []
    for transition in transitions:
        what = describe_transition(transition)
        if not is_identifier(transition.event):
            bad_events.setdefault(transition.event, None)
        if transition in seen:
            problems.append(f"the {what} is declared more than once")
        seen.append(transition)
        if not transition.source:
            problems.append(f"the {what} has no source state")
        elif ANY in transition.source and not transition.is_wildcard:
            problems.append(f"the {what} mixes the wildcard {ANY!r} with named source states")
        for source in _unique(transition.source):
            if source != ANY and source not in known:
                problems.append(f"the {what} starts from the unknown state {source!r}")
        if transition.target not in known:
            problems.append(f"the {what} leads to the unknown state {transition.target!r}")
        guard = transition.guard
        if guard is not None:
            if not is_identifier(guard.name):
                problems.append(
                    f"the guard name {guard.name!r} of the {what} is not a snake_case identifier"
                )
            elif guard.name in guards and guards[guard.name] != guard:
                problems.append(f"two different guards are named {guard.name!r}")
            guards.setdefault(guard.name, guard)
    problems[:0] = [f"the event name {e!r} is not a snake_case identifier" for e in bad_events]
    return problems


def _final_exit_problems(states: Sequence[State], transitions: Sequence[Transition]) -> list[str]:
    problems: list[str] = []
    for state in states:
        if not state.final:
            continue
        for transition in transitions:
            if state.name in transition.source:
                problems.append(
                    f"the final state {state.name!r} has an exit: the"
                    f" {describe_transition(transition)}"
                )
    return problems


def _ambiguity_problems(states: Sequence[State], transitions: Sequence[Transition]) -> list[str]:
    """Report transitions shadowed by an earlier unguarded one in the same group."""
    shadowed: dict[tuple[Transition, Transition], list[str]] = {}
    for (state, _event), options in candidates(states, transitions).items():
        for group in (
            [t for t in options if not t.is_wildcard],
            [t for t in options if t.is_wildcard],
        ):
            blocker = next((t for t in group if t.guard is None), None)
            if blocker is None:
                continue
            for later in group[group.index(blocker) + 1 :]:
                if later != blocker:
                    shadowed.setdefault((blocker, later), []).append(state)
    order = {transition: index for index, transition in enumerate(transitions)}
    problems = []
    for blocker, later in sorted(shadowed, key=lambda pair: (order[pair[1]], order[pair[0]])):
        where = ", ".join(repr(state) for state in shadowed[blocker, later])
        problems.append(
            f"the {describe_transition(later)} can never be taken from {where}: the unguarded"
            f" {describe_transition(blocker)} is tried first (guard one of them, or remove one)"
        )
    return problems


def _graph_problems(
    states: Sequence[State], transitions: Sequence[Transition], initial: str
) -> list[str]:
    known = [state.name for state in states]
    edges: dict[str, set[str]] = {name: set() for name in known}
    for (source, _event), options in candidates(states, transitions).items():
        edges[source].update(t.target for t in options if t.target in edges)
    problems: list[str] = []
    if initial in edges:
        reached = reachable(edges, [initial])
        problems += [
            f"the state {name!r} is not reachable from the initial state {initial!r}"
            for name in known
            if name not in reached
        ]
    finals = [state.name for state in states if state.final]
    if finals:
        reverse: dict[str, set[str]] = {name: set() for name in known}
        for source, targets in edges.items():
            for target in targets:
                reverse[target].add(source)
        ending = reachable(reverse, finals)
        problems += [
            f"the state {state.name!r} is a dead end: no final state can be reached from it"
            for state in states
            if not state.final and state.name not in ending
        ]
    return problems


def reachable(edges: Mapping[str, Iterable[str]], start: Iterable[str]) -> set[str]:
    """States reachable from *start* (included) along *edges*."""
    seen = set(start)
    stack = list(seen)
    while stack:
        for target in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
