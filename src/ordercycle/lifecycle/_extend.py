"""Edits of a definition: the pure list surgery behind ``Lifecycle.insert_state`` and friends.

Each function takes the parts of a definition and returns new parts plus the problems
that make the edit impossible (an unknown state, nothing to remove). The caller builds a
new :class:`~ordercycle.lifecycle.Lifecycle` from the parts, which validates the
result as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ordercycle.lifecycle._parts import ANY, Guard, State, Transition

__all__ = ["add_state", "add_transitions", "insert_state", "remove_state", "remove_transition"]

Parts = tuple[tuple[State, ...], tuple[Transition, ...], list[str]]


def _names(states: Sequence[State]) -> list[str]:
    return [state.name for state in states]


def insert_state(
    states: Sequence[State],
    transitions: Sequence[Transition],
    state: State,
    *,
    between: tuple[str, str],
    leave: str,
    enter: str | None,
    leave_guard: Guard | None,
) -> Parts:
    """Put *state* on the way from ``between[0]`` to ``between[1]``.

    Every transition declared from ``before`` (by name, not by wildcard) to ``after`` now
    leads to *state*, keeping its guard and, unless *enter* is given, its event; a new
    transition *leave* goes on from *state* to ``after``.
    """
    before, after = between
    known = _names(states)
    problems = [
        f"cannot insert {state.name!r} between {before!r} and {after!r}: {what!r} is not a state"
        for what in dict.fromkeys((before, after))
        if what not in known
    ]
    if state.name in known:
        problems.append(f"cannot insert {state.name!r}: the state already exists")
    if state.final:
        problems.append(f"cannot insert {state.name!r} as a final state: it needs an exit")
    matches = [
        t for t in transitions if not t.is_wildcard and before in t.source and t.target == after
    ]
    if not matches and not problems:
        wildcard = any(t.is_wildcard and t.target == after for t in transitions)
        hint = " (wildcard transitions are not rerouted)" if wildcard else ""
        problems.append(
            f"cannot insert {state.name!r} between {before!r} and {after!r}: no transition"
            f" leads from {before!r} to {after!r}{hint}"
        )
    if problems:
        return tuple(states), tuple(transitions), problems
    leaving = Transition(leave, state.name, after, guard=leave_guard)
    edited: list[Transition] = []
    for transition in transitions:
        if transition not in matches:
            edited.append(transition)
            continue
        rest = tuple(source for source in transition.source if source != before)
        if rest:
            edited.append(attrs.evolve(transition, source=rest))
        entering = attrs.evolve(
            transition, event=enter or transition.event, source=(before,), target=state.name
        )
        if entering not in edited:
            edited.append(entering)
        if leaving not in edited:
            edited.append(leaving)
    at = known.index(before) + 1
    return (*states[:at], state, *states[at:]), tuple(edited), []


def add_state(
    states: Sequence[State],
    transitions: Sequence[Transition],
    state: State,
    new: Sequence[Transition],
) -> Parts:
    """Add *state* (before the first final state, unless it is final) and its transitions."""
    if state.name in _names(states):
        return (
            tuple(states),
            tuple(transitions),
            [f"cannot add {state.name!r}: the state already exists"],
        )
    finals = [i for i, s in enumerate(states) if s.final]
    at = len(states) if state.final or not finals else finals[0]
    return (*states[:at], state, *states[at:]), (*transitions, *new), []


def add_transitions(
    states: Sequence[State],
    transitions: Sequence[Transition],
    new: Sequence[Transition],
    *,
    first: bool,
) -> Parts:
    """Append *new* transitions, or with *first* put each before the others of its event."""
    edited = list(transitions)
    for transition in new:
        same_event = [i for i, t in enumerate(edited) if t.event == transition.event]
        edited.insert(same_event[0] if first and same_event else len(edited), transition)
    return tuple(states), tuple(edited), []


def remove_transition(
    states: Sequence[State], transitions: Sequence[Transition], event: str, source: str | None
) -> Parts:
    """Remove the transitions of *event* (only from *source* when given).

    A transition with several sources loses just *source*; the wildcard is removed only
    when *source* is ``None`` or :data:`ANY`.
    """
    edited: list[Transition] = []
    removed = False
    for transition in transitions:
        if transition.event != event:
            edited.append(transition)
        elif source is None or transition.source == (source,):
            removed = True
        elif source != ANY and source in transition.source:
            removed = True
            rest = tuple(s for s in transition.source if s != source)
            edited.append(attrs.evolve(transition, source=rest))
        else:
            edited.append(transition)
    if not removed:
        where = "" if source is None else f" from {source!r}"
        events = ", ".join(dict.fromkeys(t.event for t in transitions))
        return (
            tuple(states),
            tuple(transitions),
            [f"there is no transition {event!r}{where} to remove (events: {events})"],
        )
    return tuple(states), tuple(edited), []


def remove_state(
    states: Sequence[State], transitions: Sequence[Transition], name: str, initial: str
) -> Parts:
    """Remove a state with every transition into it and every exit out of it."""
    if name not in _names(states):
        known = ", ".join(_names(states))
        return (
            tuple(states),
            tuple(transitions),
            [f"cannot remove {name!r}: no such state (states: {known})"],
        )
    if name == initial:
        return tuple(states), tuple(transitions), [f"cannot remove the initial state {name!r}"]
    edited: list[Transition] = []
    for transition in transitions:
        if transition.target == name:
            continue
        rest = tuple(s for s in transition.source if s != name)
        if rest:
            edited.append(
                attrs.evolve(transition, source=rest) if rest != transition.source else transition
            )
    return tuple(s for s in states if s.name != name), tuple(edited), []
