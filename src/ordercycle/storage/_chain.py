"""The hash chain of event streams and snapshots (tamper evidence), in one place.

Each stored event carries ``event_hash(previous, kind, id, version, event_type, payload)``:
SHA-256 over the hash of the event before it in its stream (``""`` for the first) and the
event's row, with the stored JSON text as it is. Each snapshot carries
``snapshot_hash(event hash, kind, id, version, payload)``, which binds it to the event it
stands for. Reading checks both, so a row edited, deleted or moved outside the library
raises :class:`~ordercycle.storage.errors.TamperedStreamError` instead of giving a
wrong state. (The chain is not keyed: it detects edits, it does not authenticate writers.)

>>> first = event_hash("", "order", "O-1", 1, "ItemAdded", '{"sku":"MUG"}')
>>> len(first), first == event_hash("", "order", "O-1", 1, "ItemAdded", '{"sku":"MUD"}')
(64, False)
"""

from __future__ import annotations

import hashlib

__all__ = ["GENESIS", "ROWS_REMEMBERED", "event_hash", "matches", "snapshot_hash"]

#: The "previous hash" of a stream's first event.
GENESIS = ""


def event_hash(
    previous: str, kind: str, aggregate_id: str, version: int, event_type: str, payload: str
) -> str:
    """The chained hash of one stored event (hex SHA-256)."""
    # Length-prefixed parts, so no two different rows hash the same text.
    v = str(version)
    text = (
        f"{len(previous)}:{previous}{len(kind)}:{kind}{len(aggregate_id)}:{aggregate_id}"
        f"{len(v)}:{v}{len(event_type)}:{event_type}{len(payload)}:{payload}"
    )
    digest: str = _sha256(text.encode()).hexdigest()
    # Remembered for matches(); cleared when full (a memo of a pure function).
    if len(_hashed) >= ROWS_REMEMBERED:
        _hashed.clear()
    _hashed[digest] = (previous, kind, aggregate_id, version, event_type, payload)
    return digest


_sha256 = hashlib.sha256

#: How many ``hash -> row`` results :func:`matches` remembers.
ROWS_REMEMBERED = 8192

_Row = tuple[str, str, str, int, str, str]
# A memo of the pure function row -> hash (never of what storage holds): a row equal to
# one hashed before has that hash, so checking it again is a string comparison.
_hashed: dict[str, _Row] = {}


def matches(
    digest: str,
    previous: str,
    kind: str,
    aggregate_id: str,
    version: int,
    event_type: str,
    payload: str,
) -> bool:
    """Whether a stored row has the hash ``digest`` (remembering rows hashed before).

    A stream read again (a desk's state records are read by every command) costs a
    comparison of the row with the one that gave this hash last time, not a new hash.
    """
    row = (previous, kind, aggregate_id, version, event_type, payload)
    if _hashed.get(digest) == row:
        return True
    return event_hash(*row) == digest


def snapshot_hash(event: str, kind: str, aggregate_id: str, version: int, payload: str) -> str:
    """The hash of a snapshot at ``version``, bound to that event's hash ``event``."""
    return event_hash(event, kind, aggregate_id, version, "snapshot", payload)
