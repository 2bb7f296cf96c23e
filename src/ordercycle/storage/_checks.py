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
    "clean_stream",
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


def clean_stream(kind: object, aggregate_id: object, version: object = 0) -> bool:
    """Whether a stream's kind and id pass :func:`check_name` and ``version`` passes
    :func:`check_version`, for the plain values every read passes (no message is built:
    when this says ``False`` the caller runs the full checks, which raise)."""
    return (
        type(kind) is str
        and type(aggregate_id) is str
        and type(version) is int
        and version >= 0
        and (kind in _CLEAN or _clean_name(kind))
        and (aggregate_id in _CLEAN or _clean_name(aggregate_id))
    )


#: Names :func:`_clean_name` found clean, at most ``_CLEAN_KEPT``. A read passes the same
#: kind and id tens of times a command; asking a set is cheaper than stripping again.
#: Only plain ``str`` reaches it (a subclass could be equal yet strip differently).
_CLEAN: set[str] = set()
_CLEAN_KEPT = 4096


def _clean_name(name: str) -> bool:
    """Whether ``name`` is non-empty and has no surrounding spaces; noted in ``_CLEAN`` if so."""
    if name == "" or name != name.strip():
        return False
    if len(_CLEAN) >= _CLEAN_KEPT:
        _CLEAN.clear()  # start over: the names in use now come back at once
    _CLEAN.add(name)
    return True


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
    if type(events) is tuple or type(events) is list:
        # The common case, checked without building any message text (the desk appends
        # several times per command); anything amiss is reported by the full checks below.
        version = expected_version
        if clean_stream(kind, aggregate_id, expected_version):
            for event in events:
                version += 1
                if (
                    not isinstance(event, DomainEvent)
                    or event.aggregate_id != aggregate_id
                    or event.version != version
                ):
                    break
            else:
                return tuple(events)
    subject = f"append to {stream_name(kind, aggregate_id)}"
    if not clean_stream(kind, aggregate_id, expected_version):
        check_name(kind, "kind", subject)
        check_name(aggregate_id, "aggregate_id", subject)
        check_version(expected_version, "expected_version", subject)
    if type(events) is tuple or type(events) is list:
        result: tuple[object, ...] = tuple(events)
    elif isinstance(events, str | bytes) or not isinstance(events, Sequence):
        raise ValidationError.invalid(subject, "events", events, "a sequence of domain events")
    else:
        result = tuple(events)
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
