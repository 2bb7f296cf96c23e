"""Errors raised by the storage ports and adapters.

Each one subclasses a family from :mod:`ordercycle.errors`, so callers can catch the
family (``DuplicateError``, ``StorageError``, ``ValidationError``) or the precise error.
Version conflicts are plain :class:`~ordercycle.errors.ConcurrencyError`\\ s.
"""

from __future__ import annotations

from ordercycle.errors import DuplicateError, StorageError, ValidationError

__all__ = [
    "CommandAlreadyRecordedError",
    "CommandPayloadMismatchError",
    "EventSequenceError",
    "InvalidCheckpointError",
    "SchemaVersionError",
    "TamperedStreamError",
    "UnitOfWorkError",
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
    """A consumer checkpoint would move backwards or past the end of the outbox."""


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
    """A unit of work was used outside its ``with`` block or after it finished."""


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
