"""The :class:`Lifecycle` definition and the :class:`Machine` that runs one object through it.

The two live in one module because each names the other: a lifecycle starts machines, and a
machine holds its lifecycle. Keeping them together keeps the package's import graph acyclic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ordercycle.errors import DefinitionError, TransitionNotAllowedError
from ordercycle.lifecycle import _extend
from ordercycle.lifecycle._parts import (
    ANY,
    Guard,
    State,
    Transition,
    TransitionLike,
    UnknownStateError,
    _as_state,
    _as_transition,
)
from ordercycle.lifecycle._render import (
    definition_from_dict,
    definition_to_dict,
    describe_table,
    mermaid,
    mermaid_html,
)
from ordercycle.lifecycle._validation import Table, candidates, find_problems, reachable

__all__ = ["Lifecycle", "Machine"]


def _to_states(values: Iterable[State | str]) -> tuple[State, ...]:
    return tuple(_as_state(value) for value in values)


def _to_transitions(values: Iterable[TransitionLike]) -> tuple[Transition, ...]:
    return tuple(_as_transition(value) for value in values)


@attrs.frozen
class Lifecycle:
    """A state machine given as data, checked when it is built.

    Prefer :meth:`build` for writing definitions by hand; the constructor takes the
    parts as they are stored.

    Validation collects every problem and raises one
    :class:`~ordercycle.errors.DefinitionError`: names must be snake_case identifiers;
    exactly one initial state, which exists; at least one final state; sources and
    targets must be states; final states have no exits; every state is reachable from
    the initial one; every non-final state can still reach a final one (no dead ends);
    and no transition may be hidden behind an unguarded one for the same event and state.

    Which transition an event takes from a state: transitions naming the state come
    first, then wildcard (:data:`ANY`) transitions, each group in declaration order; the
    first one whose guard allows it (or that has no guard) is taken. So several guarded
    alternatives for one event are fine, and a named source overrides a wildcard.

    Attributes:
        name: The lifecycle's name, a snake_case identifier (``"order"``).
        states: The states, in the order they are listed and drawn.
        transitions: The transitions, in the order they are tried and drawn.
        initial: The name of the initial state.

    Raises:
        DefinitionError: The definition is invalid; ``problems`` lists every reason.
    """

    name: str
    states: tuple[State, ...] = attrs.field(converter=_to_states)
    transitions: tuple[Transition, ...] = attrs.field(converter=_to_transitions)
    initial: str
    _table: Table = attrs.field(init=False, repr=False, eq=False, hash=False)
    _by_name: dict[str, State] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = find_problems(self.name, self.states, self.transitions, self.initial)
        if problems:
            raise DefinitionError(self.name, problems)
        object.__setattr__(self, "_table", candidates(self.states, self.transitions))
        object.__setattr__(self, "_by_name", {state.name: state for state in self.states})

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        name: str,
        *,
        initial: str,
        transitions: Iterable[TransitionLike],
        final: str | Iterable[str] = (),
        states: Iterable[State | str] = (),
    ) -> Lifecycle:
        """Define a lifecycle from its transitions; the states are found in them.

        Args:
            name: The lifecycle's name (``"shipment"``).
            initial: The initial state.
            transitions: :class:`Transition` objects or tuples
                ``(event, source, target[, guard])``.
            final: The names of the final states (one name may be given as a string).
            states: Optional states to declare first, in this order (for descriptions,
                or to fix the drawing order); others follow in order of first mention.

        Returns:
            The validated lifecycle.

        Raises:
            DefinitionError: The definition is invalid.

        >>> Lifecycle.build("door", initial="open", final=["locked"], transitions=[
        ...     ("close", "open", "closed"), ("lock", "closed", "locked"),
        ... ]).state_names
        ('open', 'closed', 'locked')
        """
        moves = _to_transitions(transitions)
        finals = [final] if isinstance(final, str) else list(dict.fromkeys(final))
        declared = {state.name: state for state in _to_states(states)}
        mentioned = [initial, *declared]
        for transition in moves:
            mentioned += [s for s in transition.source if s != ANY]
            mentioned.append(transition.target)
        mentioned += finals
        found = [declared.get(name_, State(name_)) for name_ in dict.fromkeys(mentioned) if name_]
        found = [attrs.evolve(s, final=True) if s.name in finals else s for s in found]
        return cls(name, found, moves, initial)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, guards: Mapping[str, Guard] | Iterable[Guard] = ()
    ) -> Lifecycle:
        """Load a definition written by :meth:`to_dict` (for example from JSON or YAML).

        Args:
            data: The mapping with ``name``, ``initial``, ``states`` and ``transitions``.
            guards: The guards the definition refers to by name (a mapping or an iterable
                of :class:`Guard`); code cannot be stored as data.

        Raises:
            DefinitionError: The data is malformed (problems read ``message @ $.path``) or
                the definition is invalid.
        """
        name, states, transitions, initial, problems = definition_from_dict(data, guards)
        if problems:
            raise DefinitionError(name or "<unnamed>", problems)
        return cls(name, states, transitions, initial)

    # --- introspection --------------------------------------------------------------------

    @property
    def state_names(self) -> tuple[str, ...]:
        """The names of the states, in declaration order."""
        return tuple(state.name for state in self.states)

    @property
    def final_states(self) -> tuple[str, ...]:
        """The names of the final states, in declaration order."""
        return tuple(state.name for state in self.states if state.final)

    @property
    def events(self) -> tuple[str, ...]:
        """The event names, in order of first declaration."""
        return tuple(dict.fromkeys(transition.event for transition in self.transitions))

    @property
    def guards(self) -> tuple[Guard, ...]:
        """The distinct guards used, in order of first use."""
        return tuple(dict.fromkeys(t.guard for t in self.transitions if t.guard is not None))

    def state(self, name: str) -> State:
        """The :class:`State` called *name*.

        Raises:
            UnknownStateError: The lifecycle has no such state.
        """
        try:
            return self._by_name[name]
        except (KeyError, TypeError):
            raise UnknownStateError(self.name, name, self.state_names) from None

    def is_final(self, state: str) -> bool:
        """Whether *state* is final (the lifecycle ends there).

        Raises:
            UnknownStateError: The lifecycle has no such state.
        """
        return self.state(state).final

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        """Every transition that can leave *state*, ignoring guards.

        Grouped by event (in :attr:`events` order); within an event, in the order they
        are tried. Wildcard transitions are included as declared.

        Raises:
            UnknownStateError: The lifecycle has no such state.
        """
        self.state(state)
        return tuple(t for event in self.events for t in self._table.get((state, event), ()))

    def reachable_from(self, state: str) -> tuple[str, ...]:
        """The states reachable from *state* (itself included), in declaration order.

        Raises:
            UnknownStateError: The lifecycle has no such state.
        """
        self.state(state)
        edges: dict[str, list[str]] = {}
        for (source, _event), options in self._table.items():
            edges.setdefault(source, []).extend(t.target for t in options)
        found = reachable(edges, [state])
        return tuple(name for name in self.state_names if name in found)

    # --- running --------------------------------------------------------------------------

    def _resolve(self, state: str, event: str, context: Any) -> Transition | list[str]:
        """The transition *event* takes from *state*, or the reasons it is refused."""
        self.state(state)
        reasons: list[str] = []
        for transition in self._table.get((state, event), ()):
            refusal = transition.guard.refuses(context) if transition.guard else None
            if refusal is None:
                return transition
            reasons.append(refusal)
        return reasons

    def next_state(
        self, state: str, event: str, *, context: Any = None, subject: str | None = None
    ) -> str:
        """The state an object in *state* moves to when *event* happens.

        Args:
            state: The current state name.
            event: The event name.
            context: Passed to guards (the order, a mapping of facts, ...).
            subject: Names the object in errors (``"order O-17"``); defaults to the
                lifecycle's name.

        Returns:
            The target state name.

        Raises:
            TransitionNotAllowedError: The event is not allowed now; the error names the
                subject, the event, the state, the guard's reason and the allowed events.
            UnknownStateError: The lifecycle has no such state.
        """
        found = self._resolve(state, event, context)
        if isinstance(found, Transition):
            return found.target
        if found:
            reason = " and ".join(dict.fromkeys(found))
        elif event not in self.events:
            reason = f"{event!r} is not an event of the {self.name} lifecycle"
        else:
            reason = ""
        raise TransitionNotAllowedError(
            subject or self.name,
            event,
            state,
            reason=reason,
            allowed=self.allowed_events(state, context),
        )

    def can(self, state: str, event: str, context: Any = None) -> bool:
        """Whether *event* is allowed in *state* (guards are run with *context*).

        Raises:
            UnknownStateError: The lifecycle has no such state.
        """
        return isinstance(self._resolve(state, event, context), Transition)

    def allowed_events(self, state: str, context: Any = None) -> tuple[str, ...]:
        """The events allowed in *state* now (guards run with *context*), in event order.

        Raises:
            UnknownStateError: The lifecycle has no such state.
        """
        self.state(state)
        return tuple(
            event
            for event in self.events
            if (state, event) in self._table and self.can(state, event, context)
        )

    def start(self, subject: str | None = None) -> Machine:
        """A :class:`Machine` in the initial state, for *subject* (used in errors)."""
        return Machine(self, self.initial, subject)

    # --- extension (each returns a new, validated lifecycle) ------------------------------

    def _edited(self, parts: _extend.Parts) -> Lifecycle:
        states, transitions, problems = parts
        if problems:
            raise DefinitionError(self.name, problems)
        return Lifecycle(self.name, states, transitions, self.initial)

    def insert_state(
        self,
        state: State | str,
        *,
        between: tuple[str, str],
        leave: str,
        enter: str | None = None,
        leave_guard: Guard | None = None,
    ) -> Lifecycle:
        """A copy with *state* inserted on the way from ``between[0]`` to ``between[1]``.

        Every transition declared from the first state (by name) to the second now leads
        to the new state, keeping its guard and, by default, its event, so code firing
        that event keeps working and lands in the new state. Pass *enter* to use a new
        event instead; the old event then no longer leaves the first state that way. The
        *leave* event moves on from the new state to the second one.

        Args:
            state: The new state (a name, or a :class:`State` with a description).
            between: ``(before, after)``; a transition from *before* to *after* must exist.
            leave: The event that moves on from the new state to *after*.
            enter: The event that enters the new state; defaults to the original event(s).
            leave_guard: A guard on the *leave* transition.

        Raises:
            DefinitionError: The states are unknown, no transition joins them, the new
                state exists already, or the result is invalid.
        """
        parts = _extend.insert_state(
            self.states,
            self.transitions,
            _as_state(state),
            between=between,
            leave=leave,
            enter=enter,
            leave_guard=leave_guard,
        )
        return self._edited(parts)

    def add_state(self, state: State | str, *, transitions: Iterable[TransitionLike]) -> Lifecycle:
        """A copy with a new state and the transitions that connect it.

        Raises:
            DefinitionError: The state exists already or the result is invalid (a state
                added without a way in is unreachable).
        """
        new = _to_transitions(transitions)
        return self._edited(_extend.add_state(self.states, self.transitions, _as_state(state), new))

    def add_transition(
        self,
        event: str,
        source: str | Iterable[str],
        target: str,
        *,
        guard: Guard | None = None,
        description: str = "",
        first: bool = False,
    ) -> Lifecycle:
        """A copy with one more transition (arguments as for :class:`Transition`).

        Args:
            event: The event name.
            source: One state, several, or :data:`ANY`.
            target: The target state.
            guard: An optional guard.
            description: What the transition means.
            first: Try it before the existing transitions of the same event (for a
                guarded alternative that must win); by default it is tried last.

        Raises:
            DefinitionError: The result is invalid.
        """
        new = Transition(event, source, target, guard=guard, description=description)
        return self._edited(
            _extend.add_transitions(self.states, self.transitions, [new], first=first)
        )

    def remove_transition(self, event: str, source: str | None = None) -> Lifecycle:
        """A copy without the transitions of *event* (only those from *source*, if given).

        Raises:
            DefinitionError: Nothing matched, or the result is invalid.
        """
        return self._edited(_extend.remove_transition(self.states, self.transitions, event, source))

    def remove_state(self, name: str) -> Lifecycle:
        """A copy without the state *name* and every transition into or out of it.

        Raises:
            DefinitionError: The state is unknown or initial, or the result is invalid.
        """
        parts = _extend.remove_state(self.states, self.transitions, name, self.initial)
        return self._edited(parts)

    # --- rendering ------------------------------------------------------------------------

    def to_mermaid(self) -> str:
        """The lifecycle as a Mermaid ``stateDiagram-v2`` (deterministic text).

        >>> print(Lifecycle.build("door", initial="open", final=["locked"], transitions=[
        ...     ("close", "open", "closed"), ("lock", "closed", "locked"),
        ... ]).to_mermaid())
        stateDiagram-v2
            [*] --> open
            open --> closed: close
            closed --> locked: lock
            locked --> [*]
        """
        return mermaid(self.states, self.transitions, self.initial)

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain data; :meth:`from_dict` reads it back (guards by name)."""
        return definition_to_dict(self.name, self.states, self.transitions, self.initial)

    def describe(self) -> str:
        """A plain-text summary: states (initial and final marked) and a transition table."""
        return describe_table(self.name, self.states, self.transitions, self.initial)

    def _repr_markdown_(self) -> str:
        return f"```mermaid\n{self.to_mermaid()}\n```\n"

    def _repr_html_(self) -> str:
        return mermaid_html(self.name, self.to_mermaid())


def _check_state(machine: Machine, _attribute: object, state: str) -> None:
    machine.lifecycle.state(state)


@attrs.frozen
class Machine:
    """An object's place in a lifecycle: a frozen ``(lifecycle, state)`` pair.

    Handy in tests and scripts; aggregates usually store just the state name and call
    :meth:`Lifecycle.next_state` themselves.

    Attributes:
        lifecycle: The lifecycle.
        state: The current state name.
        subject: Names the object in errors (``"order O-17"``).

    Raises:
        UnknownStateError: *state* is not a state of *lifecycle*.

    >>> door = Lifecycle.build("door", initial="open", final=["locked"], transitions=[
    ...     ("close", "open", "closed"), ("lock", "closed", "locked"),
    ... ])
    >>> door.start("door D-1").fire("close").fire("lock")
    Machine(lifecycle='door', state='locked', subject='door D-1')
    """

    lifecycle: Lifecycle = attrs.field(repr=lambda lifecycle: repr(lifecycle.name))
    state: str = attrs.field(validator=_check_state)
    subject: str | None = None

    def fire(self, event: str, context: Any = None) -> Machine:
        """The machine after *event*; this one is unchanged.

        Raises:
            TransitionNotAllowedError: The event is not allowed in the current state.
        """
        target = self.lifecycle.next_state(self.state, event, context=context, subject=self.subject)
        return attrs.evolve(self, state=target)

    def can(self, event: str, context: Any = None) -> bool:
        """Whether *event* is allowed now."""
        return self.lifecycle.can(self.state, event, context)

    def allowed_events(self, context: Any = None) -> tuple[str, ...]:
        """The events allowed now."""
        return self.lifecycle.allowed_events(self.state, context)

    @property
    def is_final(self) -> bool:
        """Whether the machine is in a final state."""
        return self.lifecycle.is_final(self.state)
