"""Argument checks shared by every adapter (so all of them refuse the same input)."""

from __future__ import annotations

from collections.abc import Sequence

from ordercycle.errors import ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.storage.errors import EventSequenceError
from ordercycle.storage.records import Snapshot

__all__ = [
    "check_events",
    "check_name",
    "check_position",
    "check_snapshot",
    "check_version",
    "stream_name",
]


def stream_name(kind: str, aggregate_id: str) -> str:
    """How a stream is named in messages: ``order 'O-1'``."""
    return f"{kind} {aggregate_id!r}"


def check_name(value: object, field: str, subject: str) -> str:
    """Refuse a name (kind, id, consumer, command id) that is not a non-empty clean string."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise ValidationError.invalid(
            subject, field, value, "a non-empty string without surrounding spaces"
        )
    return value


def check_version(value: object, field: str, subject: str, *, minimum: int = 0) -> int:
    """Refuse a version that is not an integer at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError.invalid(subject, field, value, f"an integer >= {minimum}")
    return value


def check_position(value: object, field: str, subject: str, *, minimum: int = 0) -> int:
    """Refuse an outbox position or limit that is not an integer at least ``minimum``."""
    return check_version(value, field, subject, minimum=minimum)


def check_events(
    kind: str, aggregate_id: str, events: object, expected_version: int
) -> tuple[DomainEvent, ...]:
    """Check that ``events`` continue the stream ``(kind, aggregate_id)`` from a version."""
    subject = f"append to {stream_name(kind, aggregate_id)}"
    check_name(kind, "kind", subject)
    check_name(aggregate_id, "aggregate_id", subject)
    check_version(expected_version, "expected_version", subject)
    # A tuple or list (what the desk passes) skips the ABC check, which costs more than the rest.
    if (
        type(events) is not tuple
        and type(events) is not list
        and (isinstance(events, str | bytes) or not isinstance(events, Sequence))
    ):
        raise ValidationError.invalid(subject, "events", events, "a sequence of domain events")
    result: tuple[object, ...] = tuple(events)
    for index, event in enumerate(result):
        if not isinstance(event, DomainEvent):
            raise EventSequenceError.invalid(
                subject, f"events[{index}]", event, "a DomainEvent instance"
            )
        if event.aggregate_id != aggregate_id:
            raise EventSequenceError.invalid(
                subject,
                f"events[{index}].aggregate_id",
                event.aggregate_id,
                f"{aggregate_id!r} (the aggregate being appended to)",
            )
        wanted = expected_version + index + 1
        if event.version != wanted:
            raise EventSequenceError.invalid(
                subject,
                f"events[{index}].version",
                event.version,
                f"{wanted} (expected_version {expected_version} + {index + 1})",
            )
    return result  # type: ignore[return-value]


def check_snapshot(snapshot: object) -> Snapshot:
    """Refuse a snapshot with a bad kind, id, version or payload."""
    if not isinstance(snapshot, Snapshot):
        raise ValidationError.invalid("snapshot store", "snapshot", snapshot, "a Snapshot")
    subject = f"snapshot of {stream_name(snapshot.kind, snapshot.aggregate_id)}"
    check_name(snapshot.kind, "kind", subject)
    check_name(snapshot.aggregate_id, "aggregate_id", subject)
    check_version(snapshot.version, "version", subject, minimum=1)
    if not isinstance(snapshot.payload, str):
        raise ValidationError.invalid(subject, "payload", snapshot.payload, "JSON text")
    return snapshot
