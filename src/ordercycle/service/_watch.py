"""A unit of work that notes whether a command recorded an event the handlers react to.

The desk runs its command handlers over a :class:`WatchedUnitOfWork`; after the commit it
dispatches the outbox at once only when the command recorded such an event (see
:func:`ordercycle.service._reactions.reacts_to`), so a command nothing reacts to costs one
transaction, not two. A reaction whose effect belongs to the command itself (a payment
applied: the order records its share) runs inline, in the command's own unit of work.
"""

from __future__ import annotations

from ordercycle.model.events import DomainEvent
from ordercycle.service import _reactions
from ordercycle.storage._observed import ObservedUnitOfWork
from ordercycle.storage.ports import UnitOfWork

__all__ = ["WatchedUnitOfWork"]


class WatchedUnitOfWork(ObservedUnitOfWork):
    """``uow`` as it is, except that :attr:`reacting` tells whether a handler has work.

    With ``inline``, events whose reaction belongs to the command itself (see
    :func:`ordercycle.service._reactions.inline`) are collected in :attr:`pending` for
    the desk to handle in this unit of work, and do not count as reacting.

    Attributes:
        reacting: Whether an appended event is one the outbox handlers react to (and that
            is not handled inline).
        pending: Appended events to handle inline, not handled yet.
    """

    def __init__(self, uow: UnitOfWork, *, inline: bool = False) -> None:
        # What ObservedUnitOfWork.__init__(uow) sets, set here (no observer: _observe is
        # overridden): the desk wraps every command's unit of work, and the super() call
        # cost as much as the rest of this constructor (a test checks the fields).
        self._inner = uow
        self._observer = None
        self.reacting = False
        self.inline = inline
        self.pending: list[DomainEvent] = []

    def _observe(self, kind: str, aggregate_id: str, events: tuple[DomainEvent, ...]) -> None:
        known = _CLASSES
        for event in events:
            # The table is read here and asked through _classes only for a new class: a
            # desk appends tens of events per order, nearly all of classes already seen.
            inline, reacts = known.get(type(event)) or _classes(type(event))
            if self.inline and inline:
                self.pending.append(event)
            elif reacts:
                self.reacting = True


# event class -> (whether handled inline, whether a handler reacts to it): both are
# isinstance checks against fixed tuples of classes, so they hold for a class once asked.
_CLASSES: dict[type, tuple[bool, bool]] = {}


def _classes(cls: type[DomainEvent]) -> tuple[bool, bool]:
    """Whether events of ``cls`` are handled inline, and whether a handler reacts to them
    (:func:`~ordercycle.service._reactions.inline`,
    :func:`~ordercycle.service._reactions.reacts_to`)."""
    found = _CLASSES.get(cls)
    if found is None:
        found = _CLASSES[cls] = (
            issubclass(cls, _reactions.INLINE),
            issubclass(cls, _reactions.TRIGGERS),
        )
    return found
