"""How events and results become stored text, and back (the one place to change it)."""

from __future__ import annotations

import functools
import json
from typing import Any

from ordercycle.errors import SerializationError
from ordercycle.model.events import DomainEvent
from ordercycle.serialization import from_json, to_json
from ordercycle.storage.records import canonical_json

__all__ = ["decode_event", "decode_value", "encode_event", "encode_value"]


def encode_event(event: DomainEvent) -> str:
    """Serialize an event to JSON text with its ``"type"`` tag."""
    return to_json(event)


#: How many decoded events :func:`decode_event` remembers.
DECODED_EVENTS_KEPT = 8192


def decode_event(text: str) -> DomainEvent:
    """Read an event back from the JSON text :func:`encode_event` wrote.

    The same text always decodes to an equal event, and events are deeply immutable, so
    the last :data:`DECODED_EVENTS_KEPT` decoded texts are remembered: a stream read again
    (an outbox page read by several consumers, the newest state of a record) costs a dict
    lookup instead of JSON parsing and structuring. Text that fails to decode is not kept.
    """
    return _decode_event(text)


@functools.lru_cache(maxsize=DECODED_EVENTS_KEPT)
def _decode_event(text: str) -> DomainEvent:
    return from_json(text, DomainEvent)


def encode_value(value: Any) -> str:
    """Serialize JSON-compatible data (a command result) as canonical JSON."""
    try:
        return canonical_json(value)
    except (TypeError, ValueError) as error:
        raise SerializationError(
            f"Cannot store the command result {value!r}: {error}; expected JSON-compatible"
            " data (dicts, lists, strings, numbers, booleans, None).",
            problems=[("$", str(error))],
        ) from error


def decode_value(text: str) -> Any:
    """Read JSON-compatible data back."""
    return json.loads(text)
