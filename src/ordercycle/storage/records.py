"""Plain records that cross the storage ports: snapshots, outbox messages, command records."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs

from ordercycle.model.events import DomainEvent
from ordercycle.serialization import compiled_encoder

__all__ = [
    "CommandRecord",
    "OutboxMessage",
    "Snapshot",
    "canonical_json",
    "payload_hash",
    "remember_written",
]


@attrs.frozen(kw_only=True)
class Snapshot:
    """The state of one aggregate at one version, as JSON text the domain type wrote.

    Attributes:
        kind: The aggregate kind (``"order"``, ``"stock"``, ...).
        aggregate_id: The aggregate's id.
        version: The aggregate version the state belongs to (>= 1).
        payload: JSON text; its meaning belongs to the aggregate type.
    """

    kind: str
    aggregate_id: str
    version: int
    payload: str


@attrs.frozen(kw_only=True)
class OutboxMessage:
    """One domain event in the outbox, at its global position.

    Attributes:
        position: The global position, at least 1, increasing in commit order (not
            necessarily by one: PostgreSQL's are grouped by transaction).
        kind: The kind of the aggregate that recorded the event.
        aggregate_id: The aggregate's id.
        version: The aggregate version after the event.
        event_type: The event's registered type name.
        event: The event itself.
    """

    position: int
    kind: str
    aggregate_id: str
    version: int
    event_type: str
    event: DomainEvent


@attrs.frozen(kw_only=True)
class CommandRecord:
    """A processed command: its id, the hash of its payload and the result it returned.

    Attributes:
        command_id: The id the caller gave the command.
        payload_hash: :func:`payload_hash` of the command's payload.
        result: The JSON-compatible result the command returned.
    """

    command_id: str
    payload_hash: str
    result: Any


#: The canonical encoder, with the C encoder made once (see ``compiled_encoder``).
_CANONICAL = compiled_encoder(
    json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
)


def canonical_json(value: Any) -> str:
    """Write JSON-compatible data as canonical JSON (sorted keys, no spaces).

    >>> canonical_json({"b": 1, "a": [1, "x"]})
    '{"a":[1,"x"],"b":1}'
    """
    try:
        text = _CANONICAL(value)
    except RecursionError:
        # Data that refers to itself: json.dumps names it (the compiled encoder has no
        # circular-reference check, and recursion is what it meets instead).
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    return remember_written(text)


def remember_written(text: str) -> str:
    """Note that ``text`` is canonical JSON the library wrote (see :func:`is_written_json`)
    and return it: for text written another way, such as an invoice snapshot written
    without building its data, that is exactly what :func:`canonical_json` writes."""
    if len(_WRITTEN) >= WRITTEN_KEPT:
        _WRITTEN.clear()
    _WRITTEN[text] = None
    return text


#: How many texts :func:`canonical_json` remembers for :func:`is_written_json`.
WRITTEN_KEPT = 64

# Texts canonical_json wrote lately (a memo, cleared when full, so dropping is safe).
_WRITTEN: dict[str, None] = {}


def is_written_json(text: str) -> bool:
    """Whether :func:`canonical_json` wrote ``text`` lately: then it is JSON, and a store
    that checks a payload it is given (a snapshot's) need not parse it again."""
    return text in _WRITTEN


def payload_hash(payload: Any) -> str:
    """Hash a JSON-compatible command payload (SHA-256 of its canonical JSON, in hex).

    Equal payloads hash equally whatever the key order:

    >>> payload_hash({"sku": "MUG", "qty": 2}) == payload_hash({"qty": 2, "sku": "MUG"})
    True
    """
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
