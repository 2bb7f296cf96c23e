"""The unit-of-work skeleton every bundled adapter shares.

An adapter subclasses :class:`BaseUnitOfWork` and implements the ``_tx_*`` primitives
(raw reads and writes inside its transaction). The skeleton checks arguments, keeps the
``with`` protocol, turns rows into records and presents the four stores of the ports.

It also keeps the streams tamper-evident, for every kind alike (see
:mod:`ordercycle.storage._chain`): appends chain each event's hash to the one before it,
snapshots carry a hash bound to their event, and every read checks that the versions run
on without a gap and that each row matches its hash, or raises
:class:`~ordercycle.storage.errors.TamperedStreamError` naming the stream and version.
A read after version ``n`` (a cache catching up) checks only the new rows, chained to the
stored hash of event ``n``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Sequence
from types import TracebackType
from typing import Any, Self

from ordercycle.errors import ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.storage import _checks
from ordercycle.storage._chain import GENESIS, event_hash, matches, snapshot_hash
from ordercycle.storage._codec import (
    decode_event,
    decode_stored,
    decode_value,
    encode_event,
    encode_stored,
    encode_value,
)
from ordercycle.storage.errors import (
    CommandAlreadyRecordedError,
    CommandPayloadMismatchError,
    InvalidCheckpointError,
    StreamConflictError,
    TamperedStreamError,
    UnitOfWorkError,
    UnreadableOutboxMessageError,
)
from ordercycle.storage.records import CommandRecord, OutboxMessage, Snapshot, is_written_json
from ordercycle.storage.views import ViewQuery, ViewRow

__all__ = [
    "BaseUnitOfWork",
    "EventRow",
    "OutboxRow",
    "ProjectingUnitOfWork",
    "StoredRow",
    "decoded_message",
    "outbox_message",
]

#: ``(version, event_type, payload, hash)`` of one event to insert.
EventRow = tuple[int, str, str, str]
#: ``(version, event_type, payload, hash)`` of one stored event; an adapter that keeps
#: event objects (``chained = False``) gives the object as payload and ``None`` as hash.
StoredRow = tuple[int, str, "str | DomainEvent", "str | None"]
#: ``(position, kind, aggregate_id, version, event_type, payload)`` of one outbox message.
OutboxRow = tuple[int, str, str, int, str, str]

_NEW, _ACTIVE, _DONE = "new", "active", "finished"


class BaseUnitOfWork(ABC):
    """A unit of work built from transaction primitives (see the module docstring)."""

    #: Whether rows carry chained hashes (an adapter keeping event objects sets ``False``
    #: and is checked for version continuity only).
    chained = True
    #: Whether :meth:`_tx_record_command` itself refuses a command id already recorded
    #: (one insert that reports the duplicate), so ``commands.record`` need not look first.
    records_by_insert = False
    #: Whether events this process appended are read back as the objects appended
    #: (:func:`~ordercycle.storage._codec.decode_stored`) instead of decoded again.
    remembers_appended = False

    #: Whether the class overrides :meth:`_tx_flush` (holds writes back): set for each
    #: subclass when it is defined, so a read of an adapter that holds nothing back skips
    #: the call (a desk loads streams tens of times per order).
    _flushes = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._flushes = cls._tx_flush is not BaseUnitOfWork._tx_flush

    def __init__(self, where: str, *, read_only: bool = False) -> None:
        self._where = where
        self.read_only = read_only
        self._state = _NEW

    # --- the ports -----------------------------------------------------------------------
    # Each port is a small view made when asked for, not kept: a unit of work holding its
    # ports while they hold it would be a reference cycle, which only the cyclic garbage
    # collector frees (a desk makes tens of units of work per order).

    @property
    def events(self) -> _Events:
        """The aggregate event streams."""
        return _Events(self)

    @property
    def snapshots(self) -> _Snapshots:
        """The aggregate snapshots."""
        return _Snapshots(self)

    @property
    def commands(self) -> _Commands:
        """The processed command ids."""
        return _Commands(self)

    @property
    def outbox(self) -> _Outbox:
        """The outbox of appended events and the consumer checkpoints."""
        return _Outbox(self)

    def __enter__(self) -> Self:
        if self._state != _NEW:
            raise UnitOfWorkError(
                f"Cannot enter this unit of work on {self._where}: it is {self._state};"
                " get a new one from storage.unit_of_work().",
                reason=UnitOfWorkError.FINISHED,
                action="enter",
            )
        self._tx_begin()
        self._state = _ACTIVE
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state != _ACTIVE:
            return
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def commit(self) -> None:
        """Make every write durable and visible at once, or raise and write nothing."""
        if self._state != _ACTIVE:  # (compared here: every unit of work that writes commits)
            self.require_active("commit")
        self._state = _DONE
        try:
            self._tx_commit()
        except BaseException:
            self._tx_rollback()
            raise

    def rollback(self) -> None:
        """Discard every write of this unit of work."""
        self.require_active("roll back")
        self._state = _DONE
        self._tx_rollback()

    def require_active(self, action: str) -> None:
        """Refuse ``action`` unless the unit of work is inside its ``with`` block."""
        if self._state == _ACTIVE:
            return
        if self._state == _NEW:
            why = "it has not begun; use it in a `with storage.unit_of_work() as uow:` block"
            reason = UnitOfWorkError.NOT_BEGUN
        else:
            why = "it has already been committed or rolled back; start a new one"
            reason = UnitOfWorkError.FINISHED
        raise UnitOfWorkError(
            f"Cannot {action} on {self._where}: {why}.", reason=reason, action=action
        )

    def require_writable(self, action: str) -> None:
        """Refuse ``action`` (a write) in an active read-only unit of work."""
        self.require_active(action)
        if self.read_only:
            raise UnitOfWorkError(
                f"Cannot {action} on {self._where}: this unit of work is read-only"
                " (from storage.reading()); write in storage.unit_of_work().",
                reason=UnitOfWorkError.READ_ONLY,
                action=action,
            )

    # --- event (de)coding and the hash chain: every adapter's reads pass through here -----

    def _tx_append_events(
        self, kind: str, aggregate_id: str, expected_version: int, events: Sequence[DomainEvent]
    ) -> None:
        """Check the stream's head, encode the events, chain their hashes and insert them.

        Raises:
            StreamConflictError: The stream is not at ``expected_version``.
        """
        version, head = self._tx_head(kind, aggregate_id)
        if version != expected_version:
            raise StreamConflictError(kind, aggregate_id, expected_version, version)
        previous = head or GENESIS
        rows: list[EventRow] = []
        encode = encode_stored if self.remembers_appended else encode_event
        for event in events:
            payload = encode(event)
            digest = event_hash(
                previous, kind, aggregate_id, event.version, event.event_type, payload
            )
            rows.append((event.version, event.event_type, payload, digest))
            previous = digest
        self._tx_append(kind, aggregate_id, expected_version, rows)

    def _tx_load_events(
        self, kind: str, aggregate_id: str, after_version: int
    ) -> Sequence[DomainEvent]:
        """The checked, decoded events of a stream after ``after_version``.

        Raises:
            TamperedStreamError: A version is missing, or a row does not match its hash.
        """
        rows = self._tx_rows(kind, aggregate_id, after_version)
        previous: str | None = GENESIS
        expected = after_version
        first = 0
        if after_version > 0:
            if not rows:
                return []
            if rows[0][0] != after_version:
                raise TamperedStreamError(
                    kind,
                    aggregate_id,
                    after_version,
                    f"the event is missing (the next stored one is version {rows[0][0]})",
                )
            previous = rows[0][3]
            first = 1  # the anchor row is skipped, not copied away (rows[1:])
        events: list[DomainEvent] = []
        checked = self._checked_event
        for index in range(first, len(rows)):
            row = rows[index]
            expected += 1
            if row[0] != expected:
                raise TamperedStreamError(
                    kind,
                    aggregate_id,
                    expected,
                    f"the event is missing (the next stored one is version {row[0]})",
                )
            events.append(checked(kind, aggregate_id, previous, row))
            previous = row[3]
        return events

    def _checked_event(
        self, kind: str, aggregate_id: str, previous: str | None, row: StoredRow
    ) -> DomainEvent:
        """The event of a stored row that follows the row whose hash is ``previous``,
        checked against its hash and its row (see :meth:`_tx_load_events`).

        Raises:
            TamperedStreamError: The row does not match its hash, or the event its row.
        """
        version, event_type, payload, digest = row
        if isinstance(payload, DomainEvent):
            event = payload
        else:
            if self.chained and (
                digest is None
                or previous is None
                or not matches(digest, previous, kind, aggregate_id, version, event_type, payload)
            ):
                raise TamperedStreamError(
                    kind,
                    aggregate_id,
                    version,
                    "the stored event does not match its chained hash (edited, moved"
                    " or swapped with another row)",
                )
            event = (decode_stored if self.remembers_appended else decode_event)(payload)
        if (
            event.version != version
            or event.aggregate_id != aggregate_id
            or event.event_type != event_type
        ):
            raise TamperedStreamError(
                kind,
                aggregate_id,
                version,
                f"the stored event is {event.event_type} {event.aggregate_id!r} version"
                f" {event.version}, not the {event_type} its row names",
            )
        return event

    def _tx_newest(self, kind: str, aggregate_id: str) -> DomainEvent | None:
        """The newest event of a stream, checked as :meth:`_tx_load_events` checks it
        (``None`` for an empty stream).

        The version is read first and the events after the one before it are loaded: under
        READ COMMITTED another writer may commit in between, and then the newest of those
        is the answer.
        """
        version = self._tx_version(kind, aggregate_id)
        if not version:
            return None
        self._tx_flush((kind, aggregate_id))
        events = self._tx_load_events(kind, aggregate_id, version - 1)
        return events[-1] if events else None

    def _tx_snapshot_hash(self, kind: str, aggregate_id: str, version: int, payload: str) -> str:
        """The hash a snapshot at ``version`` must carry (bound to that event's hash)."""
        self._tx_flush((kind, aggregate_id))  # the event's row must be readable
        event = self._tx_event_hash(kind, aggregate_id, version)
        return snapshot_hash(event or GENESIS, kind, aggregate_id, version, payload)

    def _tx_messages(self, after: int, limit: int) -> Sequence[OutboxMessage]:
        """The decoded outbox messages after position ``after``, at most ``limit``."""
        decode = decode_stored if self.remembers_appended else decode_event
        return [decoded_message(row, decode) for row in self._tx_outbox(after, limit)]

    def _tx_messages_of(
        self, event_types: Collection[str], after: int, limit: int
    ) -> tuple[list[OutboxMessage], int, int]:
        """The messages of ``event_types`` among the next ``limit`` after ``after``, how
        many were scanned and the last position scanned.

        This default reads the messages as :meth:`_tx_messages` gives them (right for an
        adapter that keeps event objects), and only when one cannot be decoded reads the
        rows again and decodes the wanted ones; an adapter that stores text decodes only
        the wanted rows from the start (:meth:`_tx_rows_of`).
        """
        try:
            scanned = self._tx_messages(after, limit)
        except UnreadableOutboxMessageError:
            return self._tx_rows_of(event_types, after, limit)
        last = scanned[-1].position if scanned else after
        return [m for m in scanned if m.event_type in event_types], len(scanned), last

    def _tx_rows_of(
        self, event_types: Collection[str], after: int, limit: int
    ) -> tuple[list[OutboxMessage], int, int]:
        """:meth:`_tx_messages_of` over :meth:`_tx_outbox`, decoding only wanted rows."""
        rows = self._tx_outbox(after, limit)
        decode = decode_stored if self.remembers_appended else decode_event
        wanted = [decoded_message(row, decode) for row in rows if row[4] in event_types]
        return wanted, len(rows), rows[-1][0] if rows else after

    # --- primitives for adapters -----------------------------------------------------------

    @abstractmethod
    def _tx_begin(self) -> None: ...

    @abstractmethod
    def _tx_commit(self) -> None: ...

    @abstractmethod
    def _tx_rollback(self) -> None: ...

    @abstractmethod
    def _tx_version(self, kind: str, aggregate_id: str) -> int: ...

    @abstractmethod
    def _tx_head(self, kind: str, aggregate_id: str) -> tuple[int, str | None]:
        """The stream's version and its newest event's hash (``(0, None)`` when empty).

        An adapter that locks for writes takes its lock first: the append that follows
        relies on the head staying put until the commit.
        """

    @abstractmethod
    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        """Insert rows (and outbox messages) after :meth:`_tx_head` showed the stream at
        ``expected_version``; raise ``ConcurrencyError`` if it moved on, all or nothing."""

    @abstractmethod
    def _tx_rows(self, kind: str, aggregate_id: str, from_version: int) -> list[StoredRow]:
        """The stored rows of a stream with versions ``>= from_version``, by version.

        The row at ``from_version`` (when it is above 0) only anchors the chain: only its
        version and hash are read, so an adapter may leave its payload empty.
        """

    @abstractmethod
    def _tx_event_hash(self, kind: str, aggregate_id: str, version: int) -> str | None:
        """The stored hash of one event (``None`` without such a row or hash)."""

    @abstractmethod
    def _tx_ids(self, kind: str) -> list[str]: ...

    @abstractmethod
    def _tx_save_snapshot(self, snapshot: Snapshot, digest: str | None) -> None: ...

    @abstractmethod
    def _tx_latest_snapshot(
        self, kind: str, aggregate_id: str
    ) -> tuple[int, str, str | None] | None:
        """``(version, payload, hash)`` of the newest snapshot of a stream."""

    @abstractmethod
    def _tx_command(self, command_id: str) -> tuple[str, str] | None: ...

    @abstractmethod
    def _tx_record_command(self, command_id: str, payload_hash: str, result: str) -> None: ...

    @abstractmethod
    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]: ...

    @abstractmethod
    def _tx_last_position(self) -> int: ...

    @abstractmethod
    def _tx_checkpoint(self, consumer: str) -> int: ...

    @abstractmethod
    def _tx_save_checkpoint(self, consumer: str, position: int) -> None: ...

    def _tx_flush(self, stream: tuple[str, str] | None = None) -> None:
        """Write what the adapter holds back before a read that must see it.

        An adapter that buffers appends until the commit (see
        ``SqlUnitOfWork.buffers_appends``) writes those of ``stream`` (``(kind, id)``),
        or of every stream when ``None``, before the skeleton reads that stream's stored
        rows, its hashes, the list of aggregates or the outbox. The default holds nothing
        back.
        """
        return  # nothing held back

    def _tx_claim_checkpoint(self, consumer: str) -> int:
        """The checkpoint, read so that no other unit of work moves it until this one ends.

        The default reads it; an adapter whose writers do not queue from their first
        statement (PostgreSQL) takes its write lock first, and one that commits
        optimistically (memory) checks at commit that the checkpoint did not move.
        """
        return self._tx_checkpoint(consumer)


def decoded_message(
    row: tuple[int, str, str, int, str, Any], decode: Callable[[Any], DomainEvent]
) -> OutboxMessage:
    """The message of an outbox row, its payload decoded by ``decode``.

    Raises:
        UnreadableOutboxMessageError: The payload cannot be decoded, naming the row.
    """
    position, kind, aggregate_id, version, event_type, payload = row
    try:
        event = decode(payload)
    except Exception as error:  # any failure to decode: the row, not the caller, is wrong
        problem = f"{type(error).__name__}: {error}"
        raise UnreadableOutboxMessageError(
            position, kind, aggregate_id, version, event_type, problem[:400]
        ) from None
    return outbox_message(row, event)


def outbox_message(
    row: tuple[int, str, str, int, str, object], event: DomainEvent
) -> OutboxMessage:
    """The message of an outbox row ``(position, kind, id, version, type, payload)``."""
    position, kind, aggregate_id, version, event_type, _payload = row
    return OutboxMessage(
        position=position,
        kind=kind,
        aggregate_id=aggregate_id,
        version=version,
        event_type=event_type,
        event=event,
    )


class _Part:
    def __init__(self, uow: BaseUnitOfWork) -> None:
        self._uow = uow


class _Events(_Part):
    """The :class:`~ordercycle.storage.ports.AggregateStore` of a unit of work."""

    def append(
        self,
        kind: str,
        aggregate_id: str,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
    ) -> int:
        """See :meth:`ordercycle.storage.ports.AggregateStore.append`."""
        uow = self._uow
        # The state is compared here and the method called only to raise: the desk
        # appends, loads and reads versions tens of times per command.
        if uow._state != _ACTIVE or uow.read_only:
            uow.require_writable("append events")
        checked = _checks.check_events(kind, aggregate_id, events, expected_version)
        uow._tx_append_events(kind, aggregate_id, expected_version, checked)
        return expected_version + len(checked)

    def load(
        self, kind: str, aggregate_id: str, *, after_version: int = 0
    ) -> tuple[DomainEvent, ...]:
        """See :meth:`ordercycle.storage.ports.AggregateStore.load`."""
        uow = self._uow
        if uow._state != _ACTIVE:
            uow.require_active("load events")
        if not _checks.clean_stream(kind, aggregate_id, after_version):
            subject = f"load of {_checks.stream_name(kind, aggregate_id)}"
            _checks.check_name(kind, "kind", subject)
            _checks.check_name(aggregate_id, "aggregate_id", subject)
            _checks.check_version(after_version, "after_version", subject)
        if uow._flushes:
            uow._tx_flush((kind, aggregate_id))
        return tuple(uow._tx_load_events(kind, aggregate_id, after_version))

    def newest(self, kind: str, aggregate_id: str) -> DomainEvent | None:
        """The newest event of a stream (``None`` when it has none), checked as
        :meth:`load` checks events.

        What :meth:`version` and then ``load(after_version=version - 1)`` give, in one
        call: the desk reads each state record (customers, accounts, pick lists) as its
        newest event.

        Raises:
            ValidationError: ``kind`` or ``aggregate_id`` is not a non-empty clean string.
            TamperedStreamError: The stored event is missing or does not match its hash.
        """
        uow = self._uow
        if uow._state != _ACTIVE:
            uow.require_active("load events")
        if not _checks.clean_stream(kind, aggregate_id):
            subject = f"load of {_checks.stream_name(kind, aggregate_id)}"
            _checks.check_name(kind, "kind", subject)
            _checks.check_name(aggregate_id, "aggregate_id", subject)
        return uow._tx_newest(kind, aggregate_id)

    def version(self, kind: str, aggregate_id: str) -> int:
        """See :meth:`ordercycle.storage.ports.AggregateStore.version`."""
        uow = self._uow
        if uow._state != _ACTIVE:
            uow.require_active("read a version")
        if not _checks.clean_stream(kind, aggregate_id):
            subject = f"version of {_checks.stream_name(kind, aggregate_id)}"
            _checks.check_name(kind, "kind", subject)
            _checks.check_name(aggregate_id, "aggregate_id", subject)
        return uow._tx_version(kind, aggregate_id)

    def aggregate_ids(self, kind: str) -> tuple[str, ...]:
        """See :meth:`ordercycle.storage.ports.AggregateStore.aggregate_ids`."""
        self._uow.require_active("list aggregates")
        _checks.check_name(kind, "kind", "aggregate listing")
        self._uow._tx_flush()
        return tuple(sorted(self._uow._tx_ids(kind)))


class _Snapshots(_Part):
    """The :class:`~ordercycle.storage.ports.SnapshotStore` of a unit of work."""

    def save(self, snapshot: Snapshot) -> None:
        """See :meth:`ordercycle.storage.ports.SnapshotStore.save`."""
        self._uow.require_writable("save a snapshot")
        _checks.check_snapshot(snapshot)
        subject = f"snapshot of {_checks.stream_name(snapshot.kind, snapshot.aggregate_id)}"
        # A payload the library itself just wrote (the desk's snapshots) is JSON already.
        if not is_written_json(snapshot.payload):
            try:
                json.loads(snapshot.payload)
            except ValueError:
                raise ValidationError.invalid(
                    subject, "payload", snapshot.payload, "JSON text"
                ) from None
        current = self._uow._tx_version(snapshot.kind, snapshot.aggregate_id)
        if snapshot.version > current:
            raise ValidationError.invalid(
                subject,
                "version",
                snapshot.version,
                f"a version the stream has reached (1 to {current})",
            )
        uow = self._uow
        digest = (
            uow._tx_snapshot_hash(
                snapshot.kind, snapshot.aggregate_id, snapshot.version, snapshot.payload
            )
            if uow.chained
            else None
        )
        uow._tx_save_snapshot(snapshot, digest)

    def latest(self, kind: str, aggregate_id: str) -> Snapshot | None:
        """See :meth:`ordercycle.storage.ports.SnapshotStore.latest`."""
        self._uow.require_active("read a snapshot")
        subject = f"snapshot of {_checks.stream_name(kind, aggregate_id)}"
        _checks.check_name(kind, "kind", subject)
        _checks.check_name(aggregate_id, "aggregate_id", subject)
        self._uow._tx_flush((kind, aggregate_id))
        found = self._uow._tx_latest_snapshot(kind, aggregate_id)
        if found is None:
            return None
        version, payload, digest = found
        uow = self._uow
        if uow.chained:
            event = uow._tx_event_hash(kind, aggregate_id, version)
            if event is None or digest != snapshot_hash(
                event, kind, aggregate_id, version, payload
            ):
                raise TamperedStreamError(
                    kind,
                    aggregate_id,
                    version,
                    "the snapshot does not match the event it stands for (the snapshot or"
                    " the event was edited, or the event is missing)",
                )
        return Snapshot(kind=kind, aggregate_id=aggregate_id, version=version, payload=payload)


class _Commands(_Part):
    """The :class:`~ordercycle.storage.ports.CommandLog` of a unit of work."""

    def find(self, command_id: str, payload_hash: str) -> CommandRecord | None:
        """See :meth:`ordercycle.storage.ports.CommandLog.find`."""
        self._uow.require_active("look up a command")
        _checks.check_name(command_id, "command_id", "command log")
        _checks.check_name(payload_hash, "payload_hash", f"command {command_id!r}")
        found = self._uow._tx_command(command_id)
        if found is None:
            return None
        stored_hash, result = found
        if stored_hash != payload_hash:
            raise CommandPayloadMismatchError(command_id, stored_hash, payload_hash)
        return CommandRecord(
            command_id=command_id, payload_hash=stored_hash, result=decode_value(result)
        )

    def record(self, command_id: str, payload_hash: str, result: Any) -> CommandRecord:
        """See :meth:`ordercycle.storage.ports.CommandLog.record`."""
        self._uow.require_writable("record a command")
        if self._uow.records_by_insert:
            _checks.check_name(command_id, "command_id", "command log")
            _checks.check_name(payload_hash, "payload_hash", f"command {command_id!r}")
        elif self.find(command_id, payload_hash) is not None:
            raise CommandAlreadyRecordedError(command_id)
        text = encode_value(result)
        self._uow._tx_record_command(command_id, payload_hash, text)
        return CommandRecord(
            command_id=command_id, payload_hash=payload_hash, result=decode_value(text)
        )


class _Outbox(_Part):
    """The :class:`~ordercycle.storage.ports.Outbox` of a unit of work."""

    def read(self, *, after: int = 0, limit: int = 100) -> tuple[OutboxMessage, ...]:
        """See :meth:`ordercycle.storage.ports.Outbox.read`."""
        self._uow.require_active("read the outbox")
        _checks.check_position(after, "after", "outbox read")
        _checks.check_position(limit, "limit", "outbox read", minimum=1)
        self._uow._tx_flush()
        return tuple(self._uow._tx_messages(after, limit))

    def read_types(
        self, event_types: Collection[str], *, after: int = 0, limit: int = 100
    ) -> tuple[tuple[OutboxMessage, ...], int, int]:
        """See :meth:`ordercycle.storage.ports.SelectiveOutbox.read_types`."""
        self._uow.require_active("read the outbox")
        _checks.check_position(after, "after", "outbox read")
        _checks.check_position(limit, "limit", "outbox read", minimum=1)
        wanted = frozenset(event_types)
        self._uow._tx_flush()
        messages, scanned, last = self._uow._tx_messages_of(wanted, after, limit)
        return tuple(messages), scanned, last

    def last_position(self) -> int:
        """See :meth:`ordercycle.storage.ports.Outbox.last_position`."""
        self._uow.require_active("read the outbox")
        self._uow._tx_flush()
        return self._uow._tx_last_position()

    def checkpoint(self, consumer: str) -> int:
        """See :meth:`ordercycle.storage.ports.Outbox.checkpoint`."""
        self._uow.require_active("read a checkpoint")
        _checks.check_name(consumer, "consumer", "outbox checkpoint")
        return self._uow._tx_checkpoint(consumer)

    def claim(self, consumer: str) -> int:
        """See :meth:`ordercycle.storage.ports.ClaimingOutbox.claim`."""
        self._uow.require_writable("claim a checkpoint")
        _checks.check_name(consumer, "consumer", "outbox checkpoint")
        return self._uow._tx_claim_checkpoint(consumer)

    def save_checkpoint(self, consumer: str, position: int) -> None:
        """See :meth:`ordercycle.storage.ports.Outbox.save_checkpoint`."""
        self._uow.require_writable("save a checkpoint")
        subject = f"checkpoint of consumer {consumer!r}"
        _checks.check_name(consumer, "consumer", "outbox checkpoint")
        _checks.check_position(position, "position", subject)
        current = self._uow._tx_checkpoint(consumer)
        self._uow._tx_flush()
        last = self._uow._tx_last_position()
        if not current <= position <= last:
            raise InvalidCheckpointError.out_of_range(consumer, position, current, last)
        self._uow._tx_save_checkpoint(consumer, position)


class ProjectingUnitOfWork(BaseUnitOfWork):
    """A unit of work that also keeps read-model rows (see ``Projections`` in the ports).

    The adapter implements the ``_tx_view_*`` primitives; the skeleton checks arguments
    and keeps a stored row of a higher version.
    """

    @property
    def projections(self) -> _Projections:
        """The read-model rows (see :class:`~ordercycle.storage.ports.Projections`)."""
        return _Projections(self)  # made when asked for, as the other ports are

    @abstractmethod
    def _tx_view_get(self, view: str, key: str) -> ViewRow | None: ...

    @abstractmethod
    def _tx_view_put(self, row: ViewRow) -> None:
        """Replace the row at ``(row.view, row.key)`` and its terms (the base checked versions)."""

    def _tx_view_upsert(self, row: ViewRow) -> bool:
        """Store ``row`` unless the stored row at its key has a higher version; whether it
        was stored.

        This default reads the stored row first; an adapter that can decide in the write
        itself (one statement that keeps the newer row, so two writers cannot both read
        the old version and the older one win) overrides it.
        """
        stored = self._tx_view_get(row.view, row.key)
        if stored is not None and stored.version > row.version:
            return False
        self._tx_view_put(row)
        return True

    @abstractmethod
    def _tx_view_delete(self, view: str, key: str) -> None: ...

    @abstractmethod
    def _tx_view_clear(self, view: str) -> None: ...

    @abstractmethod
    def _tx_view_find(self, query: ViewQuery) -> list[ViewRow]: ...


class _Projections:
    """The :class:`~ordercycle.storage.ports.Projections` of a unit of work."""

    def __init__(self, uow: ProjectingUnitOfWork) -> None:
        self._uow = uow

    def put(self, row: ViewRow) -> bool:
        """See :meth:`ordercycle.storage.ports.Projections.put`."""
        uow = self._uow
        if uow._state != _ACTIVE or uow.read_only:  # (the desk puts rows at most saves)
            uow.require_writable("put a view row")
        if type(row) is not ViewRow and not isinstance(row, ViewRow):
            raise ValidationError.invalid("view rows", "row", row, "a ViewRow")
        return uow._tx_view_upsert(row)

    def get(self, view: str, key: str) -> ViewRow | None:
        """See :meth:`ordercycle.storage.ports.Projections.get`."""
        self._uow.require_active("read a view row")
        _checks.check_name(view, "view", "view row")
        _checks.check_name(key, "key", f"row of view {view!r}")
        return self._uow._tx_view_get(view, key)

    def delete(self, view: str, key: str) -> None:
        """See :meth:`ordercycle.storage.ports.Projections.delete`."""
        self._uow.require_writable("delete a view row")
        _checks.check_name(view, "view", "view row")
        _checks.check_name(key, "key", f"row of view {view!r}")
        self._uow._tx_view_delete(view, key)

    def clear(self, view: str) -> None:
        """See :meth:`ordercycle.storage.ports.Projections.clear`."""
        self._uow.require_writable("clear a view")
        _checks.check_name(view, "view", "view")
        self._uow._tx_view_clear(view)

    def find(self, query: ViewQuery) -> tuple[ViewRow, ...]:
        """See :meth:`ordercycle.storage.ports.Projections.find`."""
        self._uow.require_active("query a view")
        if not isinstance(query, ViewQuery):
            raise ValidationError.invalid("view query", "query", query, "a ViewQuery")
        return tuple(self._uow._tx_view_find(query))
