"""The storage ports: what the service needs from storage, as :class:`typing.Protocol`\\ s.

Storage is generic over aggregate *kinds*: orders, stock, holds, pick lists, shipments,
invoices, payments and customers are all streams of domain events named by
``(kind, aggregate_id)``. Everything is reached through a :class:`UnitOfWork`, which
commits all of its writes or none of them:

- :class:`AggregateStore` (``uow.events``): append an aggregate's new events at the
  version they were planned against (a stale write raises
  :class:`~ordercycle.errors.ConcurrencyError`), and load them back;
- :class:`SnapshotStore` (``uow.snapshots``): optional snapshots of aggregate state;
- :class:`CommandLog` (``uow.commands``): processed command ids, for idempotent commands;
- :class:`Outbox` (``uow.outbox``): every appended event, in commit order, with consumer
  checkpoints for at-least-once delivery (and, optionally, :class:`ClaimingOutbox`: a
  checkpoint claimed under the write lock, for exactly-once effects in storage, and
  :class:`SelectiveOutbox`: a read that decodes only the event types a consumer wants).

A unit of work may also offer :class:`Projections` (``uow.projections``, see
:class:`Projecting`): rows of read models written in the same transaction as the events
they are computed from, and paged queries over them (:mod:`ordercycle.storage.views`).

An adapter may also offer :class:`Reading` (``storage.reading()``): a unit of work for
queries that takes no write lock and refuses writes. The desk runs its queries in one
when the storage has it.

Names (``kind``, ``aggregate_id``, ``command_id``, ``payload_hash``, ``consumer``) must be
non-empty strings without surrounding spaces; versions, positions and limits must be
``int`` (a ``bool`` is refused) and not negative (a limit at least 1). Every refused
argument raises :class:`~ordercycle.errors.ValidationError` (or the subclass named
below) whose ``field`` names the argument and whose ``value`` is the value given, and
writes nothing. Errors are matched by class and attributes, never by their wording.

Adapters: :class:`~ordercycle.storage.memory.MemoryStorage`,
:class:`~ordercycle.storage.sqlite.SQLiteStorage` and
:class:`~ordercycle.storage.postgres.PostgresStorage`. Third-party adapters prove they fit
by passing :mod:`ordercycle.testing.contracts`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from ordercycle.model.events import DomainEvent
from ordercycle.storage.records import CommandRecord, OutboxMessage, Snapshot
from ordercycle.storage.views import ViewQuery, ViewRow

__all__ = [
    "AggregateStore",
    "ClaimingOutbox",
    "CommandLog",
    "Outbox",
    "Projecting",
    "Projections",
    "Reading",
    "SelectiveOutbox",
    "SnapshotStore",
    "Storage",
    "UnitOfWork",
]


@runtime_checkable
class AggregateStore(Protocol):
    """Event streams of aggregates, one stream per ``(kind, aggregate_id)``."""

    def append(
        self,
        kind: str,
        aggregate_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
    ) -> int:
        """Append ``events`` to a stream whose current version must be ``expected_version``.

        The events must belong to ``aggregate_id`` and carry the versions
        ``expected_version + 1, ...`` in order. They are also written to the outbox, in
        the same transaction. An empty ``events`` only states the condition: the commit
        fails if the stream's version is not ``expected_version`` (a write elsewhere that
        was planned against this version).

        Returns:
            The stream's version after the append.

        A refused call writes nothing and leaves the unit of work usable.

        Raises:
            StreamConflictError: The stream is not at ``expected_version`` (a
                :class:`~ordercycle.errors.ConcurrencyError`, with ``kind``,
                ``aggregate_id``, ``expected_version`` and ``actual_version``). Raised here
                when the stream is elsewhere now, or by :meth:`UnitOfWork.commit` when it
                moved on after this call (then nothing of the unit of work is written).
            EventSequenceError: The events do not continue the stream: ``field`` is
                ``events[i]`` (not a :class:`DomainEvent`), ``events[i].aggregate_id``
                (another aggregate) or ``events[i].version`` (not ``expected_version + i
                + 1``).
            ValidationError: ``kind`` or ``aggregate_id`` is empty or padded,
                ``expected_version`` is negative or not an ``int`` (``True`` included),
                or ``events`` is not a sequence.
            UnitOfWorkError: The unit of work is not active, or is read-only.
        """
        ...

    def load(
        self, kind: str, aggregate_id: str, *, after_version: int = 0
    ) -> tuple[DomainEvent, ...]:
        """Return the stream's events with versions above ``after_version``, oldest first.

        An unknown stream has no events (an empty tuple). Inside a unit of work that
        appended to the stream, the committed events come first, then its own, in version
        order.

        Raises:
            ValidationError: ``kind`` or ``aggregate_id`` is empty or padded, or
                ``after_version`` is negative or not an ``int`` (``field`` is
                ``"after_version"``).
        """
        ...

    def version(self, kind: str, aggregate_id: str) -> int:
        """Return the stream's current version (0 for a stream with no events).

        It counts the unit of work's own appends.

        Raises:
            ValidationError: ``kind`` or ``aggregate_id`` is empty or padded.
        """
        ...

    def aggregate_ids(self, kind: str) -> tuple[str, ...]:
        """Return the ids of every aggregate of ``kind`` that has events, sorted.

        Streams the unit of work appended to are included.

        Raises:
            ValidationError: ``kind`` is empty or padded.
        """
        ...


@runtime_checkable
class SnapshotStore(Protocol):
    """Optional snapshots of aggregate state, so long streams load fast."""

    def save(self, snapshot: Snapshot) -> None:
        """Store a snapshot (replacing one at the same kind, id and version).

        The stream's version includes the unit of work's own appends.

        Raises:
            ValidationError: ``field`` ``"version"``: below 1, not an ``int`` or above the
                stream's version; ``"payload"``: not JSON text; ``"kind"`` or
                ``"aggregate_id"``: empty or padded.
        """
        ...

    def latest(self, kind: str, aggregate_id: str) -> Snapshot | None:
        """Return the snapshot with the highest version, or ``None`` if there is none.

        Snapshots saved earlier in the same unit of work count.

        Raises:
            ValidationError: ``kind`` or ``aggregate_id`` is empty or padded.
        """
        ...


@runtime_checkable
class CommandLog(Protocol):
    """Processed command ids: command id → payload hash and result."""

    def find(self, command_id: str, payload_hash: str) -> CommandRecord | None:
        """Return the record of ``command_id``, or ``None`` if it was never processed.

        A command recorded earlier in the same unit of work is found.

        Raises:
            CommandPayloadMismatchError: The id was processed with another payload
                (``command_id``, ``stored_hash``, ``given_hash``).
            ValidationError: ``command_id`` or ``payload_hash`` is empty or padded.
        """
        ...

    def record(self, command_id: str, payload_hash: str, result: Any) -> CommandRecord:
        """Record that ``command_id`` was processed and returned ``result`` (JSON data).

        Two units of work recording the same id at once: one commits, the other fails
        with one of the first two errors below (an adapter that makes writers wait finds
        the record; one that stages writes finds it at commit).

        Raises:
            CommandAlreadyRecordedError: The id is recorded with this payload
                (``command_id``).
            CommandConflictError: Another unit of work recorded the id first, found at
                commit (a :class:`~ordercycle.errors.ConcurrencyError`, with
                ``command_id``); nothing of the unit of work is written.
            CommandPayloadMismatchError: The id is recorded with another payload.
            SerializationError: ``result`` is not JSON-compatible.
            ValidationError: ``command_id`` or ``payload_hash`` is empty or padded.
        """
        ...


@runtime_checkable
class Outbox(Protocol):
    """Every appended event at a global position, with consumer checkpoints."""

    def read(self, *, after: int = 0, limit: int = 100) -> tuple[OutboxMessage, ...]:
        """Return up to ``limit`` messages with positions above ``after``, in order.

        Inside a unit of work that appended events, its own messages follow the
        committed ones (their positions are final once it commits). Positions only grow
        in commit order: a message committed later never has a lower position than one
        a reader could already see.

        Raises:
            ValidationError: ``after`` is negative or ``limit`` below 1, or either is not
                an ``int`` (``field`` is ``"after"`` or ``"limit"``).
        """
        ...

    def last_position(self) -> int:
        """Return the position of the newest message (0 when the outbox is empty)."""
        ...

    def checkpoint(self, consumer: str) -> int:
        """Return the last position ``consumer`` has handled (0 if it never saved one).

        Raises:
            ValidationError: ``consumer`` is empty or padded.
        """
        ...

    def save_checkpoint(self, consumer: str, position: int) -> None:
        """Remember that ``consumer`` has handled every message up to ``position``.

        Raises:
            InvalidCheckpointError: ``position`` is below the current checkpoint or above
                :meth:`last_position` (``consumer``, ``position``, ``current``, ``last``).
            ValidationError: ``consumer`` is empty or padded, or ``position`` is negative
                or not an ``int``.
        """
        ...


@runtime_checkable
class ClaimingOutbox(Protocol):
    """Optional: an outbox whose consumers can claim their checkpoint for a unit of work.

    The bundled adapters all have it; the desk uses it when the storage offers it.
    """

    def claim(self, consumer: str) -> int:
        """Return ``consumer``'s checkpoint and keep it for this unit of work.

        Until this unit of work ends no other one moves the checkpoint: on SQLite and
        PostgreSQL the claim takes the write lock (so a dispatcher acts on a checkpoint no
        one can move under it); in memory the commit fails with
        :class:`~ordercycle.errors.ConcurrencyError` if the checkpoint moved.
        """
        ...


@runtime_checkable
class SelectiveOutbox(Protocol):
    """Optional: an outbox that decodes only the messages a consumer wants.

    The bundled adapters all have it; the desk uses it when the storage offers it, so a
    dispatch does not decode the payloads of messages no handler reacts to.
    """

    def read_types(
        self, event_types: Collection[str], *, after: int = 0, limit: int = 100
    ) -> tuple[tuple[OutboxMessage, ...], int, int]:
        """Scan up to ``limit`` messages after ``after``, as :meth:`Outbox.read` would.

        Returns the scanned messages whose ``event_type`` is in ``event_types`` (only
        their payloads are decoded), how many messages were scanned, and the position of
        the last one scanned (``after`` when none): the checkpoint a consumer that
        handled the returned messages may save.

        Raises:
            UnreadableOutboxMessageError: A wanted message cannot be decoded (an unwanted
                one is skipped without decoding).
            ValidationError: As :meth:`Outbox.read`.
        """
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """One transaction over every store: all of its writes are committed, or none.

    Use it as a context manager. Leaving the block normally commits; leaving it with an
    exception rolls back. :meth:`commit` and :meth:`rollback` end it early. Every read
    sees the unit of work's own writes after the committed data; other units of work see
    none of them before the commit. Used before its block, it raises
    :class:`UnitOfWorkError` with ``reason`` :attr:`~UnitOfWorkError.NOT_BEGUN`;
    after it finished (or entered twice), with :attr:`~UnitOfWorkError.FINISHED`;
    a write in a read-only one, with :attr:`~UnitOfWorkError.READ_ONLY`.
    """

    @property
    def events(self) -> AggregateStore:
        """The aggregate event streams."""
        ...

    @property
    def snapshots(self) -> SnapshotStore:
        """The aggregate snapshots."""
        ...

    @property
    def commands(self) -> CommandLog:
        """The processed command ids."""
        ...

    @property
    def outbox(self) -> Outbox:
        """The outbox of appended events and the consumer checkpoints."""
        ...

    def commit(self) -> None:
        """Make every write of this unit of work durable and visible, atomically.

        Raises:
            StreamConflictError: A stream changed since it was appended to at
                ``expected_version`` (also after an empty append); nothing is written.
            CommandConflictError: Another unit of work recorded one of its command ids
                first; nothing is written.
            UnitOfWorkError: The unit of work is not active.
        """
        ...

    def rollback(self) -> None:
        """Discard every write of this unit of work."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class Storage(Protocol):
    """An adapter: a factory of units of work over one database."""

    def unit_of_work(self) -> UnitOfWork:
        """Return a new unit of work; it begins when its ``with`` block is entered."""
        ...

    def close(self) -> None:
        """Release connections and files. The storage is unusable afterwards."""
        ...


@runtime_checkable
class Reading(Protocol):
    """Optional: a storage that opens read-only units of work.

    A read-only unit of work has the same stores, refuses every write with
    :class:`~ordercycle.storage.errors.UnitOfWorkError` and takes no write lock, so
    queries neither wait for writers nor make them wait. The bundled adapters all have it;
    :class:`ordercycle.testing.contracts.ReadingContract` checks an adapter's.
    """

    def reading(self) -> UnitOfWork:
        """Return a new read-only unit of work; it begins when its ``with`` block is entered."""
        ...


@runtime_checkable
class Projections(Protocol):
    """Optional: rows of read models (views), indexed by their terms and sort text.

    Rows are written in the unit of work of the events they are computed from, so a
    reader sees a row exactly when it sees those events. See
    :mod:`ordercycle.storage.views` for rows and queries;
    :class:`ordercycle.testing.contracts.ProjectionsContract` checks an adapter's.
    """

    def put(self, row: ViewRow) -> bool:
        """Store ``row`` in place of the row at ``(row.view, row.key)``, with its terms.

        A stored row of a higher version is kept (a late write never undoes a newer
        one); a row of the same version replaces it.

        Returns:
            Whether the row was stored.

        Raises:
            ValidationError: ``row`` is not a :class:`~ordercycle.storage.views.ViewRow`.
            UnitOfWorkError: The unit of work is not active, or is read-only.
        """
        ...

    def get(self, view: str, key: str) -> ViewRow | None:
        """Return the row at ``(view, key)``, or ``None``; the unit of work's own puts count.

        Raises:
            ValidationError: ``view`` or ``key`` is empty or padded.
        """
        ...

    def delete(self, view: str, key: str) -> None:
        """Remove the row at ``(view, key)`` and its terms (nothing if there is none).

        Raises:
            ValidationError: ``view`` or ``key`` is empty or padded.
            UnitOfWorkError: The unit of work is not active, or is read-only.
        """
        ...

    def clear(self, view: str) -> None:
        """Remove every row of ``view`` (before rebuilding it).

        Raises:
            ValidationError: ``view`` is empty or padded.
            UnitOfWorkError: The unit of work is not active, or is read-only.
        """
        ...

    def find(self, query: ViewQuery) -> tuple[ViewRow, ...]:
        """Return the rows that answer ``query``, in ``(sort, key)`` order, at most its limit.

        The unit of work's own puts and deletes count. An adapter answers from indexes:
        the cost grows with the rows it returns (and the rows of the first ``where`` pair
        it skips), not with the size of the view.

        Raises:
            ValidationError: ``query`` is not a :class:`~ordercycle.storage.views.ViewQuery`.
        """
        ...


@runtime_checkable
class Projecting(Protocol):
    """Optional: a unit of work with :class:`Projections` (the bundled adapters have it)."""

    @property
    def projections(self) -> Projections:
        """The read-model rows of this unit of work."""
        ...
