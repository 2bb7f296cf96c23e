"""A frozen ``(lifecycle, state)`` pair that fires events and returns the next pair."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from ordercycle.model.lifecycle import Lifecycle

__all__ = ["Machine"]


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

    >>> from ordercycle.model.lifecycle import Lifecycle
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
