"""Errors raised by the storage ports and adapters.

Each one subclasses a family from :mod:`ordercycle.errors`, so callers can catch the
family (``DuplicateError``, ``StorageError``, ``ValidationError``) or the precise error.
Version conflicts are :class:`~ordercycle.errors.ConcurrencyError`\\ s:
:class:`StreamConflictError` for a stream, :class:`CommandConflictError` for a command id
another unit of work recorded first.

Every error carries its facts as attributes (the stream, the versions, the consumer and
positions, why a unit of work refused); match those, not the wording of messages.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ordercycle.errors import ConcurrencyError, DuplicateError, StorageError, ValidationError

__all__ = [
    "CommandAlreadyRecordedError",
    "CommandConflictError",
    "CommandPayloadMismatchError",
    "EventSequenceError",
    "InvalidCheckpointError",
    "SchemaVersionError",
    "StreamConflictError",
    "TamperedStreamError",
    "UnitOfWorkError",
    "UnreadableOutboxMessageError",
]


class CommandPayloadMismatchError(DuplicateError):
    """A command id was used again with a different payload.

    Attributes:
        command_id: The command id.
        stored_hash: The payload hash recorded the first time.
        given_hash: The payload hash given now.
    """

    def __init__(self, command_id: str, stored_hash: str, given_hash: str) -> None:
        super().__init__(
            "command id",
            command_id,
            f"Command id {command_id!r} was already used with a different payload"
            f" (stored hash {stored_hash[:12]}..., given {given_hash[:12]}...);"
            " use a new command id for a new command.",
        )
        self.command_id = command_id
        self.stored_hash = stored_hash
        self.given_hash = given_hash


class CommandAlreadyRecordedError(DuplicateError):
    """A command id was recorded twice with the same payload.

    Look the command up first with ``uow.commands.find(...)`` and return the stored
    result instead of running the command again.

    Attributes:
        command_id: The command id.
    """

    def __init__(self, command_id: str) -> None:
        super().__init__(
            "command id",
            command_id,
            f"Command id {command_id!r} is already recorded; look it up with"
            " `uow.commands.find(...)` and return its stored result.",
        )
        self.command_id = command_id


class EventSequenceError(ValidationError):
    """Events given to ``append`` do not continue the stream they are appended to.

    Every event must belong to the aggregate named in the call, and their versions must
    run ``expected_version + 1, expected_version + 2, ...`` without gaps.
    """


class InvalidCheckpointError(ValidationError):
    """A consumer checkpoint would move backwards or past the end of the outbox.

    Attributes:
        consumer: The consumer whose checkpoint was being saved.
        position: The position given (also ``value``).
        current: The consumer's checkpoint before (0 if it never saved one).
        last: The outbox's last position.
    """

    def __init__(
        self,
        message: str,
        *,
        consumer: str = "",
        current: int | None = None,
        last: int | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, **details)
        self.consumer = consumer
        self.position = self.value
        self.current = current
        self.last = last

    @classmethod
    def out_of_range(
        cls, consumer: str, position: int, current: int, last: int
    ) -> InvalidCheckpointError:
        """The error for a position outside ``current..last``."""
        subject = f"checkpoint of consumer {consumer!r}"
        expected = (
            f"a position from the current checkpoint {current} to the last outbox position {last}"
        )
        return cls(
            f"Invalid position for {subject}: {position!r}; expected {expected}.",
            consumer=consumer,
            current=current,
            last=last,
            subject=subject,
            field="position",
            value=position,
            expected=expected,
        )


class SchemaVersionError(StorageError):
    """The database schema is newer than this version of ``ordercycle`` understands.

    Attributes:
        found: The schema version found in the database.
        supported: The newest schema version this code knows.
    """

    def __init__(self, where: str, found: int, supported: int) -> None:
        super().__init__(
            f"The database {where} has schema version {found}, newer than the newest"
            f" version this ordercycle knows ({supported}); upgrade ordercycle to open it."
        )
        self.found = found
        self.supported = supported


class UnitOfWorkError(StorageError):
    """A unit of work (or a storage) refused to be used.

    Attributes:
        reason: Why, one of :attr:`NOT_BEGUN` (used before its ``with`` block),
            :attr:`FINISHED` (used or entered again after it committed or rolled back),
            :attr:`READ_ONLY` (a write in a unit of work from ``storage.reading()``),
            :attr:`CLOSED` (the storage was closed), or ``""`` for another reason.
        action: What was refused (``"append events"``), when known.
    """

    NOT_BEGUN: ClassVar[str] = "not-begun"
    FINISHED: ClassVar[str] = "finished"
    READ_ONLY: ClassVar[str] = "read-only"
    CLOSED: ClassVar[str] = "closed"

    def __init__(self, message: str, *, reason: str = "", action: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.action = action


class TamperedStreamError(StorageError):
    """A stored stream or snapshot was changed outside the library (or is corrupt).

    Raised on read when a stream skips a version (a row deleted or moved), when an
    event's row no longer matches its chained hash (a payload, type or version edited,
    rows swapped), or when a snapshot no longer matches the event it stands for. The
    state is not built from it: restore the database from a backup.

    Attributes:
        kind: The aggregate kind of the stream (``"order"``, ``"stock"``, ...).
        aggregate_id: The aggregate's id.
        version: The version where the stream breaks.
        problem: What is wrong there.
    """

    def __init__(self, kind: str, aggregate_id: str, version: int, problem: str) -> None:
        shown = aggregate_id if len(aggregate_id) <= 80 else aggregate_id[:80] + "..."
        super().__init__(
            f"The stored {kind} {shown!r} is broken at version {version}: {problem}; a"
            " stream must run 1, 2, 3, ... with every row matching its chained hash, so it"
            " was changed outside ordercycle. Restore the database from a backup."
        )
        self.kind = kind
        self.aggregate_id = aggregate_id
        self.version = version
        self.problem = problem


class UnreadableOutboxMessageError(StorageError):
    """An outbox row cannot be read back as the event it was written from.

    Raised by ``Outbox.read`` when a row's payload or event type was corrupted (edited
    outside ordercycle, or written by a library that registered an event type this one
    lacks). The desk's dispatcher quarantines the message (see
    :meth:`~ordercycle.service.OrderDesk.quarantined_messages`) and moves past it.

    Attributes:
        position: The row's outbox position.
        kind: The kind of the aggregate the row names.
        aggregate_id: The aggregate's id.
        version: The aggregate version the row names.
        event_type: The event type the row names.
        problem: Why it cannot be decoded (at most 300 characters).
    """

    def __init__(
        self,
        position: int,
        kind: str,
        aggregate_id: str,
        version: int,
        event_type: str,
        problem: str,
    ) -> None:
        problem = problem if len(problem) <= 300 else problem[:300] + "..."
        shown = aggregate_id if len(aggregate_id) <= 80 else aggregate_id[:80] + "..."
        event_shown = event_type if len(event_type) <= 80 else event_type[:80] + "..."
        super().__init__(
            f"The outbox message at position {position} ({kind} {shown!r} version {version},"
            f" {event_shown!r}) cannot be decoded: {problem}; a message must hold an event"
            " of a registered type as ordercycle wrote it. Quarantine it (the desk's"
            " dispatcher does) or restore the database from a backup."
        )
        self.position = position
        self.kind = kind
        self.aggregate_id = aggregate_id
        self.version = version
        self.event_type = event_type
        self.problem = problem


class StreamConflictError(ConcurrencyError):
    """A stream was not at the version an append was planned against.

    Raised by ``append`` (the stream is elsewhere now) or by ``commit`` (the stream moved
    on after the append); in both cases the unit of work's writes to the stream are not
    made.

    Attributes:
        kind: The stream's aggregate kind.
        aggregate_id: The stream's aggregate id.
        expected_version: The version the append was planned against.
        actual_version: The version found.
    """

    def __init__(
        self, kind: str, aggregate_id: str, expected_version: int, actual_version: int
    ) -> None:
        super().__init__(f"{kind} {aggregate_id!r}", expected_version, actual_version)
        self.kind = kind
        self.aggregate_id = aggregate_id


class CommandConflictError(ConcurrencyError):
    """Another unit of work recorded the same command id first (found at commit).

    Look the command up again in a new unit of work: its record holds the winner's result.

    Attributes:
        command_id: The command id.
    """

    def __init__(self, command_id: str) -> None:
        super().__init__(f"command {command_id!r}", "unrecorded", "recorded")
        self.command_id = command_id
