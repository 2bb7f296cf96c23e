"""A unit of work that notes whether a command recorded an event the handlers react to.

The desk runs its command handlers over a :class:`WatchedUnitOfWork`; after the commit it
dispatches the outbox at once only when the command recorded such an event (see
:func:`ordercycle.service._reactions.reacts_to`), so a command nothing reacts to costs one
transaction, not two.
"""

from __future__ import annotations

from ordercycle.model.events import DomainEvent
from ordercycle.service import _reactions
from ordercycle.storage._observed import ObservedUnitOfWork
from ordercycle.storage.ports import UnitOfWork

__all__ = ["WatchedUnitOfWork"]


class WatchedUnitOfWork(ObservedUnitOfWork):
    """``uow`` as it is, except that :attr:`reacting` tells whether a handler has work.

    Attributes:
        reacting: Whether an appended event is one the outbox handlers react to.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        super().__init__(uow, self._noted)
        self.reacting = False

    def _noted(self, kind: str, aggregate_id: str, events: tuple[DomainEvent, ...]) -> None:
        if not self.reacting and any(_reactions.reacts_to(e) for e in events):
            self.reacting = True
