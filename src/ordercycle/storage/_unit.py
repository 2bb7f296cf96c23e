"""The unit-of-work skeleton every bundled adapter shares.

An adapter subclasses :class:`BaseUnitOfWork` and implements the ``_tx_*`` primitives
(raw reads and writes inside its transaction). The skeleton checks arguments, keeps the
``with`` protocol, turns rows into records and presents the four stores of the ports.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from ordercycle.errors import ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.storage import _checks
from ordercycle.storage._codec import decode_event, decode_value, encode_event, encode_value
from ordercycle.storage.errors import (
    CommandAlreadyRecordedError,
    CommandPayloadMismatchError,
    InvalidCheckpointError,
    UnitOfWorkError,
)
from ordercycle.storage.records import CommandRecord, OutboxMessage, Snapshot

__all__ = ["BaseUnitOfWork", "EventRow", "OutboxRow", "outbox_message"]

#: ``(version, event_type, payload)`` of one event to insert.
EventRow = tuple[int, str, str]
#: ``(position, kind, aggregate_id, version, event_type, payload)`` of one outbox message.
OutboxRow = tuple[int, str, str, int, str, str]

_NEW, _ACTIVE, _DONE = "new", "active", "finished"


class BaseUnitOfWork(ABC):
    """A unit of work built from transaction primitives (see the module docstring)."""

    def __init__(self, where: str, *, read_only: bool = False) -> None:
        self._where = where
        self.read_only = read_only
        self._state = _NEW
        self._events = _Events(self)
        self._snapshots = _Snapshots(self)
        self._commands = _Commands(self)
        self._outbox = _Outbox(self)

    # --- the ports -----------------------------------------------------------------------

    @property
    def events(self) -> _Events:
        """The aggregate event streams."""
        return self._events

    @property
    def snapshots(self) -> _Snapshots:
        """The aggregate snapshots."""
        return self._snapshots

    @property
    def commands(self) -> _Commands:
        """The processed command ids."""
        return self._commands

    @property
    def outbox(self) -> _Outbox:
        """The outbox of appended events and the consumer checkpoints."""
        return self._outbox

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

    # --- event (de)coding: an adapter that keeps event objects overrides these ---------------

    def _tx_append_events(
        self, kind: str, aggregate_id: str, expected_version: int, events: Sequence[DomainEvent]
    ) -> None:
        """Encode checked events and insert them (see :meth:`_tx_append`)."""
        rows = [(event.version, event.event_type, encode_event(event)) for event in events]
        self._tx_append(kind, aggregate_id, expected_version, rows)

    def _tx_load_events(
        self, kind: str, aggregate_id: str, after_version: int
    ) -> Sequence[DomainEvent]:
        """The decoded events of a stream after ``after_version``."""
        return [decode_event(text) for text in self._tx_events(kind, aggregate_id, after_version)]

    def _tx_messages(self, after: int, limit: int) -> Sequence[OutboxMessage]:
        """The decoded outbox messages after position ``after``, at most ``limit``."""
        return [outbox_message(row, decode_event(row[5])) for row in self._tx_outbox(after, limit)]

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
    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        """Insert rows (and outbox messages) or raise ``ConcurrencyError``, all or nothing."""

    @abstractmethod
    def _tx_events(self, kind: str, aggregate_id: str, after_version: int) -> list[str]: ...

    @abstractmethod
    def _tx_ids(self, kind: str) -> list[str]: ...

    @abstractmethod
    def _tx_save_snapshot(self, snapshot: Snapshot) -> None: ...

    @abstractmethod
    def _tx_latest_snapshot(self, kind: str, aggregate_id: str) -> tuple[int, str] | None: ...

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
        self._uow.require_writable("append events")
        checked = _checks.check_events(kind, aggregate_id, events, expected_version)
        self._uow._tx_append_events(kind, aggregate_id, expected_version, checked)
        return expected_version + len(checked)

    def load(
        self, kind: str, aggregate_id: str, *, after_version: int = 0
    ) -> tuple[DomainEvent, ...]:
        """See :meth:`ordercycle.storage.ports.AggregateStore.load`."""
        self._uow.require_active("load events")
        subject = f"load of {_checks.stream_name(kind, aggregate_id)}"
        _checks.check_name(kind, "kind", subject)
        _checks.check_name(aggregate_id, "aggregate_id", subject)
        _checks.check_version(after_version, "after_version", subject)
        return tuple(self._uow._tx_load_events(kind, aggregate_id, after_version))

    def version(self, kind: str, aggregate_id: str) -> int:
        """See :meth:`ordercycle.storage.ports.AggregateStore.version`."""
        self._uow.require_active("read a version")
        subject = f"version of {_checks.stream_name(kind, aggregate_id)}"
        _checks.check_name(kind, "kind", subject)
        _checks.check_name(aggregate_id, "aggregate_id", subject)
        return self._uow._tx_version(kind, aggregate_id)

    def aggregate_ids(self, kind: str) -> tuple[str, ...]:
        """See :meth:`ordercycle.storage.ports.AggregateStore.aggregate_ids`."""
        self._uow.require_active("list aggregates")
        _checks.check_name(kind, "kind", "aggregate listing")
        return tuple(sorted(self._uow._tx_ids(kind)))


class _Snapshots(_Part):
    """The :class:`~ordercycle.storage.ports.SnapshotStore` of a unit of work."""

    def save(self, snapshot: Snapshot) -> None:
        """See :meth:`ordercycle.storage.ports.SnapshotStore.save`."""
        self._uow.require_writable("save a snapshot")
        _checks.check_snapshot(snapshot)
        subject = f"snapshot of {_checks.stream_name(snapshot.kind, snapshot.aggregate_id)}"
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
        self._uow._tx_save_snapshot(snapshot)

    def latest(self, kind: str, aggregate_id: str) -> Snapshot | None:
        """See :meth:`ordercycle.storage.ports.SnapshotStore.latest`."""
        self._uow.require_active("read a snapshot")
        subject = f"snapshot of {_checks.stream_name(kind, aggregate_id)}"
        _checks.check_name(kind, "kind", subject)
        _checks.check_name(aggregate_id, "aggregate_id", subject)
        found = self._uow._tx_latest_snapshot(kind, aggregate_id)
        if found is None:
            return None
        version, payload = found
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
        if self.find(command_id, payload_hash) is not None:
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
        return tuple(self._uow._tx_messages(after, limit))

    def last_position(self) -> int:
        """See :meth:`ordercycle.storage.ports.Outbox.last_position`."""
        self._uow.require_active("read the outbox")
        return self._uow._tx_last_position()

    def checkpoint(self, consumer: str) -> int:
        """See :meth:`ordercycle.storage.ports.Outbox.checkpoint`."""
        self._uow.require_active("read a checkpoint")
        _checks.check_name(consumer, "consumer", "outbox checkpoint")
        return self._uow._tx_checkpoint(consumer)

    def save_checkpoint(self, consumer: str, position: int) -> None:
        """See :meth:`ordercycle.storage.ports.Outbox.save_checkpoint`."""
        self._uow.require_writable("save a checkpoint")
        subject = f"checkpoint of consumer {consumer!r}"
        _checks.check_name(consumer, "consumer", "outbox checkpoint")
        _checks.check_position(position, "position", subject)
        current = self._uow._tx_checkpoint(consumer)
        last = self._uow._tx_last_position()
        if not current <= position <= last:
            raise InvalidCheckpointError.out_of_range(consumer, position, current, last)
        self._uow._tx_save_checkpoint(consumer, position)
