"""A unit of work that notes whether a command recorded an event the handlers react to.

The desk runs its command handlers over a :class:`WatchedUnitOfWork`; after the commit it
dispatches the outbox at once only when the command recorded such an event (see
:func:`ordercycle.service._reactions.reacts_to`), so a command nothing reacts to costs one
transaction, not two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ordercycle.model.events import DomainEvent
from ordercycle.service import _reactions
from ordercycle.storage.ports import AggregateStore, CommandLog, Outbox, SnapshotStore, UnitOfWork

__all__ = ["WatchedUnitOfWork"]


class _WatchedEvents:
    """The aggregate store of a :class:`WatchedUnitOfWork`: appends pass through, noted."""

    def __init__(self, events: AggregateStore, owner: WatchedUnitOfWork) -> None:
        self._events = events
        self._owner = owner

    def append(
        self,
        kind: str,
        aggregate_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
    ) -> int:
        version = self._events.append(kind, aggregate_id, events, expected_version=expected_version)
        if not self._owner.reacting and any(_reactions.reacts_to(e) for e in events):
            self._owner.reacting = True
        return version

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)


class WatchedUnitOfWork:
    """``uow`` as it is, except that :attr:`reacting` tells whether a handler has work.

    Attributes:
        reacting: Whether an appended event is one the outbox handlers react to.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._events = _WatchedEvents(uow.events, self)
        self.reacting = False

    @property
    def events(self) -> AggregateStore:
        """The unit of work's aggregate store, watched."""
        return self._events

    @property
    def snapshots(self) -> SnapshotStore:
        """The unit of work's snapshots."""
        return self._uow.snapshots

    @property
    def commands(self) -> CommandLog:
        """The unit of work's command log."""
        return self._uow.commands

    @property
    def outbox(self) -> Outbox:
        """The unit of work's outbox."""
        return self._uow.outbox

    def commit(self) -> None:
        """Commit the unit of work."""
        self._uow.commit()

    def rollback(self) -> None:
        """Roll the unit of work back."""
        self._uow.rollback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)
