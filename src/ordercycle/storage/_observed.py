"""A unit of work that reports every append to an observer, and is otherwise the one it wraps.

The desk uses it to learn whether a command recorded an event its outbox handlers react to
(``service._watch``); the testing package to keep the events the desk made, as it made them
(``testing.domain_events``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Self

from ordercycle.model.events import DomainEvent
from ordercycle.storage.ports import AggregateStore, CommandLog, Outbox, SnapshotStore, UnitOfWork

__all__ = ["AppendObserver", "ObservedUnitOfWork"]

#: Called after each successful append with the stream's kind, id and the events appended.
AppendObserver = Callable[[str, str, tuple[DomainEvent, ...]], None]


class _ObservedEvents:
    """An aggregate store whose appends pass through and are then reported.

    Attributes:
        inner: The wrapped store, unobserved (a reader that must not pay the observing
            call takes it from here instead of asking the unit for another).
    """

    def __init__(self, inner: AggregateStore, observe: AppendObserver) -> None:
        self.inner = inner
        self._observe = observe

    def append(
        self,
        kind: str,
        aggregate_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
    ) -> int:
        appended = tuple(events)
        version = self.inner.append(kind, aggregate_id, appended, expected_version=expected_version)
        self._observe(kind, aggregate_id, appended)
        return version

    def load(self, kind: str, aggregate_id: str, after_version: int = 0) -> tuple[DomainEvent, ...]:
        return self.inner.load(kind, aggregate_id, after_version=after_version)

    def version(self, kind: str, aggregate_id: str) -> int:
        return self.inner.version(kind, aggregate_id)

    def aggregate_ids(self, kind: str) -> tuple[str, ...]:
        return self.inner.aggregate_ids(kind)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class ObservedUnitOfWork:
    """``inner`` as it is, except that each append is reported to ``observe``.

    Anything else (``projections``, adapter extras) is ``inner``'s own.
    """

    def __init__(self, inner: UnitOfWork, observe: AppendObserver | None = None) -> None:
        self._inner = inner
        # Without ``observe`` a subclass overrides ``_observe`` instead: a bound method of
        # this object kept on it would be a reference cycle.
        self._observer = observe

    def _observe(self, kind: str, aggregate_id: str, events: tuple[DomainEvent, ...]) -> None:
        """Report an append when no ``observe`` was given (subclasses override it)."""

    @property
    def inner(self) -> UnitOfWork:
        """The wrapped unit of work, unobserved (the desk's session reads through it and
        appends through :attr:`events`, so that every append is still reported)."""
        return self._inner

    @property
    def events(self) -> _ObservedEvents:
        """The wrapped aggregate store, observed (made when asked for, not kept)."""
        return _ObservedEvents(self._inner.events, self._observer or self._observe)

    @property
    def snapshots(self) -> SnapshotStore:
        """The wrapped unit's snapshots."""
        return self._inner.snapshots

    @property
    def commands(self) -> CommandLog:
        """The wrapped unit's command log."""
        return self._inner.commands

    @property
    def outbox(self) -> Outbox:
        """The wrapped unit's outbox."""
        return self._inner.outbox

    def commit(self) -> None:
        """Commit the wrapped unit of work."""
        self._inner.commit()

    def rollback(self) -> None:
        """Roll the wrapped unit of work back."""
        self._inner.rollback()

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
