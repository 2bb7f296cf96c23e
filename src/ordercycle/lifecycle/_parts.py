"""The parts a lifecycle is declared with: states, guards, transitions and the wildcard.

These are plain frozen values. They check only their own types; whether they fit
together (names, reachability, exits of final states) is checked by
:class:`~ordercycle.lifecycle.Lifecycle`, which reports every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

import attrs

from ordercycle.errors import LifecycleError, NotFoundError, ValidationError

__all__ = ["ANY", "Guard", "GuardCheck", "State", "Transition", "UnknownStateError"]

ANY = "*"
"""Wildcard source of a :class:`Transition`: every non-final state except the target."""

GuardCheck: TypeAlias = Callable[[Any], "bool | str"]
"""A guard's predicate: ``True`` allows; ``False`` or a reason string refuses."""


class UnknownStateError(LifecycleError, NotFoundError):
    """A state name was given that the lifecycle does not define.

    Attributes:
        lifecycle: The name of the lifecycle.
        kind: ``"<lifecycle> state"``.
        key: The unknown state name.
        known: The states the lifecycle does define (sorted).

    >>> print(UnknownStateError("order", "shiped", ["shipped", "placed"]))
    Unknown order state 'shiped'; known: placed, shipped.
    """

    def __init__(self, lifecycle: str, state: object, known: Iterable[str]) -> None:
        super().__init__(f"{lifecycle} state", state, known=known)
        self.lifecycle = lifecycle


# Tracebacks name an error by its module: show the public home users import it from.
UnknownStateError.__module__ = "ordercycle.lifecycle"


@attrs.frozen
class State:
    """One state of a lifecycle.

    Attributes:
        name: A snake_case identifier, unique within its lifecycle (``"in_transit"``).
        description: What the state means, shown by ``describe()`` and in Mermaid.
        final: Whether the lifecycle ends here; a final state has no exits.

    >>> State("delivered", final=True)
    State(name='delivered', description='', final=True)
    """

    name: str
    description: str = ""
    final: bool = False


def _as_state(value: State | str) -> State:
    """Accept a :class:`State` or a bare state name."""
    return value if isinstance(value, State) else State(value)


@attrs.frozen
class Guard:
    """A named condition that must hold for a transition to be taken.

    The check receives the *context* given to ``next_state``/``fire`` (``None`` when none
    was given) and returns ``True`` to allow the transition, or ``False`` or a reason
    string to refuse it. A reason completes the sentence ``Cannot ship order O-17: ...``,
    so phrase it like ``"it is on hold (credit)"``. Keep checks pure: a check may run more
    than once per event (an error lists the events allowed now, which runs guards again).

    Attributes:
        name: A snake_case identifier; shown in Mermaid labels as ``ship [credit_ok]`` and
            used to find the guard again when a definition is loaded with ``from_dict``.
        check: The predicate, called with the context.
        refusal: The reason used when the check returns ``False`` (a returned string
            takes precedence). Defaults to ``"guard <name> is not met"``.

    >>> credit_ok = Guard(
    ...     "credit_ok", lambda order: not order["on_hold"], refusal="it is on hold (credit)"
    ... )
    >>> credit_ok.refuses({"on_hold": True})
    'it is on hold (credit)'
    >>> credit_ok.refuses({"on_hold": False}) is None
    True
    """

    name: str
    check: GuardCheck = attrs.field(repr=False)
    refusal: str = ""

    def refuses(self, context: Any) -> str | None:
        """Run the check on *context*.

        Args:
            context: Whatever the caller passed as context (an order, a mapping, ``None``).

        Returns:
            ``None`` when the guard allows the transition, otherwise the reason it refuses.
        """
        verdict = self.check(context)
        if isinstance(verdict, str):
            return verdict or self._default_refusal()
        if verdict:
            return None
        return self._default_refusal()

    def _default_refusal(self) -> str:
        return self.refusal or f"guard {self.name} is not met"


def _as_sources(value: str | Iterable[str]) -> tuple[str, ...]:
    """Normalise a transition source to a tuple of state names (sets are sorted)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, set | frozenset):
        return tuple(sorted(value))
    return tuple(value)


@attrs.frozen
class Transition:
    """An event that moves an object from one of its source states to the target state.

    Attributes:
        event: A snake_case event name (``"ship"``).
        source: One state name, several (any iterable; stored as a tuple), or
            :data:`ANY` (``"*"``) for every non-final state except the target, which is
            handy for ``cancel``.
        target: The state the object is in afterwards.
        guard: An optional :class:`Guard`; when it refuses, the next transition declared
            for the same event and state is tried, and the event is refused if none is left.
        description: What the transition means, shown by ``describe()``.

    >>> Transition("cancel", ANY, "canceled").is_wildcard
    True
    >>> Transition("ship", ["packed", "invoiced"], "shipped").source
    ('packed', 'invoiced')
    """

    event: str
    source: tuple[str, ...] = attrs.field(converter=_as_sources)
    target: str
    guard: Guard | None = None
    description: str = ""

    @property
    def is_wildcard(self) -> bool:
        """Whether the source is the wildcard :data:`ANY`."""
        return self.source == (ANY,)

    @property
    def label(self) -> str:
        """The event with its guard, as drawn on diagrams: ``"ship [credit_ok]"``."""
        return f"{self.event} [{self.guard.name}]" if self.guard else self.event


TransitionLike: TypeAlias = (
    Transition
    | tuple[str, str | Iterable[str], str]
    | tuple[str, str | Iterable[str], str, Guard | None]
)
"""A :class:`Transition` or a tuple ``(event, source, target[, guard])``."""


def _as_transition(value: TransitionLike) -> Transition:
    """Accept a :class:`Transition` or a tuple ``(event, source, target[, guard])``."""
    if isinstance(value, Transition):
        return value
    if isinstance(value, tuple | list) and len(value) == 3:
        event, source, target = value
        return Transition(event, source, target)
    if isinstance(value, tuple | list) and len(value) == 4:
        event, source, target, guard = value
        if guard is None or isinstance(guard, Guard):
            return Transition(event, source, target, guard=guard)
    raise ValidationError.invalid(
        "a lifecycle",
        "transition",
        value,
        "a Transition or a tuple (event, source, target) or (event, source, target, guard)",
    )
