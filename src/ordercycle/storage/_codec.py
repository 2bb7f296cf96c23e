"""How events and results become stored text, and back (the one place to change it)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from ordercycle.errors import SerializationError
from ordercycle.model.events import DomainEvent
from ordercycle.serialization import compiled_encoder, converter, from_json, to_json
from ordercycle.storage.records import canonical_json

__all__ = [
    "decode_event",
    "decode_stored",
    "decode_value",
    "encode_event",
    "encode_stored",
    "encode_value",
    "terms_json",
]

#: ``json.dumps(terms)`` with the C encoder made once (see
#: :func:`~ordercycle.serialization.compiled_encoder`).
_encode_terms = compiled_encoder(json.JSONEncoder())

#: How many view rows' terms :func:`terms_json` remembers the text of.
TERMS_KEPT = 4096

# terms -> their JSON text; cleared when full (a memo of a pure function). Sound because a
# ViewRow's terms are a tuple of (str, str) pairs (its converter makes them so, and the
# desk's trusted rows are proved equal to converted ones): equal terms, the same text.
_terms_text: dict[tuple[tuple[str, str], ...], str] = {}


def terms_json(terms: tuple[tuple[str, str], ...]) -> str:
    """``json.dumps(terms)`` of a view row's terms.

    Every saved aggregate writes a row, and its terms (an order's customer, channel and
    state) mostly repeat: a text written before costs a dict lookup instead of encoding.
    """
    try:
        found = _terms_text.get(terms)
    except TypeError:  # not hashable (not a tuple of pairs): encoded as it is
        return _encode_terms(terms)
    if found is None:
        found = _encode_terms(terms)
        if len(_terms_text) >= TERMS_KEPT:
            _terms_text.clear()
        _terms_text[terms] = found
    return found


def encode_event(event: DomainEvent) -> str:
    """Serialize an event to JSON text with its ``"type"`` tag (what :func:`to_json` writes)."""
    hook = _EVENT_HOOKS.get(type(event))
    if hook is not None:
        try:
            return _EVENT_JSON(hook(event))
        except Exception:  # to_json below raises the error it reports
            return to_json(event)
    text = to_json(event)
    # Encoded once through to_json: the converter's hook for this class is now known (and
    # cached by the converter), so the next event of the class calls it directly.
    _EVENT_HOOKS[type(event)] = converter.get_unstructure_hook(type(event))
    return text


# Event class -> the default converter's unstructure hook for it, so that encoding an
# event skips to_json's and the converter's dispatch layers (about 0.5 us of the ~5 us of
# an event): the same hook, then the same encoder settings as to_json, so the same text.
# Anything that fails is encoded again through to_json, which raises its own error. (The
# library registers no hook on the default converter after it is built; a user who does
# should build their own converter, as make_converter's docs say.)
_EVENT_HOOKS: dict[type, Callable[[Any], Any]] = {}
#: :func:`to_json`'s encoder settings, compiled once (see ``compiled_encoder``).
_EVENT_JSON = compiled_encoder(json.JSONEncoder(allow_nan=False, ensure_ascii=False))


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


#: How many appended events :func:`encode_stored` remembers.
APPENDED_EVENTS_KEPT = 8192

# text -> the event it was encoded from; cleared when full (a memo, so dropping is safe).
_appended: dict[str, DomainEvent] = {}


def encode_stored(event: DomainEvent) -> str:
    """:func:`encode_event`, remembering that the text stands for ``event``.

    An event a unit of work appends is mostly read back by the same process soon after
    (the newest state of a record, the outbox dispatch): :func:`decode_stored` then gives
    the event itself instead of decoding its text. Decoding would give an equal event:
    the storage contract checks the round trip of every event type (the memory adapter's
    default mode decodes every event it loads, and does not use this memo).
    """
    text = encode_event(event)
    if len(_appended) >= APPENDED_EVENTS_KEPT:
        _appended.clear()
    _appended[text] = event
    return text


def decode_stored(text: str) -> DomainEvent:
    """:func:`decode_event`, or the event :func:`encode_stored` encoded to ``text``."""
    found = _appended.get(text)
    return found if found is not None else _decode_event(text)


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
