"""A repository per aggregate kind, on top of a unit of work's event store.

The domain type supplies how to rebuild an aggregate from its events (usually its
``replay`` classmethod); the repository loads the stream and calls it, and saves new
events at the version the aggregate was loaded at.

>>> from datetime import UTC, datetime
>>> import attrs
>>> from ordercycle.model.events import DomainEvent
>>> from ordercycle.storage import MemoryStorage, Repository
>>> @attrs.frozen(kw_only=True)
... class CounterBumped(DomainEvent):
...     by: int
>>> @attrs.frozen
... class Counter:
...     total: int
...     version: int
...     @classmethod
...     def replay(cls, events):
...         return cls(sum(e.by for e in events), len(events))
>>> at = datetime(2026, 1, 5, tzinfo=UTC)
>>> storage = MemoryStorage()
>>> with storage.unit_of_work() as uow:
...     counters = Repository(uow, "counter", Counter.replay)
...     counters.save("C-1", [CounterBumped(aggregate_id="C-1", version=1, occurred_at=at, by=5)],
...                   expected_version=0)
1
>>> with storage.unit_of_work() as uow:
...     Repository(uow, "counter", Counter.replay).get("C-1")
Counter(total=5, version=1)
>>> DomainEvent._unregister("CounterBumped")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ordercycle.errors import NotFoundError
from ordercycle.model.events import DomainEvent
from ordercycle.storage._checks import check_name
from ordercycle.storage.ports import UnitOfWork
from ordercycle.storage.records import Snapshot

__all__ = ["Repository"]

A = TypeVar("A")


class Repository(Generic[A]):
    """Load and save aggregates of one kind through a unit of work.

    Args:
        uow: The unit of work to read and write in (entered).
        kind: The aggregate kind, such as ``"order"`` or ``"stock"``.
        rebuild: Builds an aggregate from its events, oldest first (for example
            ``Order.replay``, or a lambda that passes extra context to ``replay``).
        restore: Optional. Builds an aggregate from a snapshot and the events after it;
            when given, :meth:`get` starts from the latest snapshot.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        kind: str,
        rebuild: Callable[[Sequence[DomainEvent]], A],
        *,
        restore: Callable[[Snapshot, Sequence[DomainEvent]], A] | None = None,
    ) -> None:
        self.uow = uow
        self.kind = check_name(kind, "kind", "Repository")
        self._rebuild = rebuild
        self._restore = restore

    def __repr__(self) -> str:
        return f"Repository(kind={self.kind!r})"

    def get(self, aggregate_id: str) -> A:
        """Rebuild the aggregate from its events.

        Raises:
            NotFoundError: No aggregate of this kind has that id (the message says
                ``Unknown <kind> '<id>'``).
        """
        if self._restore is not None:
            snapshot = self.uow.snapshots.latest(self.kind, aggregate_id)
            if snapshot is not None:
                after = self.uow.events.load(
                    self.kind, aggregate_id, after_version=snapshot.version
                )
                return self._restore(snapshot, after)
        events = self.uow.events.load(self.kind, aggregate_id)
        if not events:
            raise NotFoundError(self.kind, aggregate_id)
        return self._rebuild(events)

    def save_snapshot(self, aggregate_id: str, version: int, payload: str) -> Snapshot:
        """Store the aggregate's state at ``version`` as JSON text (see ``restore``).

        Raises:
            ValidationError: ``version`` is not one the stream has reached, or the
                payload is not JSON.
        """
        snapshot = Snapshot(
            kind=self.kind, aggregate_id=aggregate_id, version=version, payload=payload
        )
        self.uow.snapshots.save(snapshot)
        return snapshot

    def exists(self, aggregate_id: str) -> bool:
        """Whether the aggregate has any events."""
        return self.uow.events.version(self.kind, aggregate_id) > 0

    def version(self, aggregate_id: str) -> int:
        """The aggregate's stored version (0 if it does not exist)."""
        return self.uow.events.version(self.kind, aggregate_id)

    def ids(self) -> tuple[str, ...]:
        """The ids of every stored aggregate of this kind, sorted."""
        return self.uow.events.aggregate_ids(self.kind)

    def save(
        self, aggregate_id: str, events: Sequence[DomainEvent], *, expected_version: int
    ) -> int:
        """Append the aggregate's new events at the version it was loaded at.

        Returns:
            The new version.

        Raises:
            ConcurrencyError: The aggregate changed since it was loaded.
            EventSequenceError: The events do not continue the stream.
        """
        return self.uow.events.append(
            self.kind, aggregate_id, events, expected_version=expected_version
        )
