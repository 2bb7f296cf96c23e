"""The in-memory adapter: the default for tests, notebooks and simulations.

It behaves like the database adapters: events are stored as JSON (so what you load is a
fresh copy that went through :mod:`ordercycle.serialization`), writes are staged in the
unit of work and applied at commit under a lock, and a commit whose streams moved on
since they were appended to raises :class:`~ordercycle.errors.ConcurrencyError` and
writes nothing. Threads may share one :class:`MemoryStorage`.

``MemoryStorage(roundtrip=False)`` keeps the appended event objects instead of their JSON
text (events are deeply immutable, so sharing them is safe): nothing is decoded on a read,
and memory holds one object per event instead of its text. The first event of each type
is still encoded when it is appended, so a type a database could not store fails here
too; later events of a known type are not encoded. Simulations use it: they read events
far more often than they write them. The round trip itself is proven for every event
type by the storage contract suite.

Streams are tamper-evident as in the databases: stored rows carry their chained hashes and
every read checks them (see :mod:`ordercycle.storage._unit`). With ``roundtrip=False``
there is no stored text to hash (the objects are immutable), so reads check version
continuity only.

A long run need not keep what it will never read again: :meth:`MemoryStorage.forget`
releases finished streams (their events and snapshot), read-model rows, the history of
long-lived streams (all but their two newest events) and the outbox messages every
consumer has passed. What is forgotten is refused afterwards, with
:class:`ForgottenError`, instead of reading as if it had never been written. Nothing is
forgotten unless asked; simulations with KPIs-only results ask for it (see
:mod:`ordercycle.simulation`).

>>> from ordercycle.storage import MemoryStorage
>>> storage = MemoryStorage()
>>> with storage.unit_of_work() as uow:
...     uow.events.version("order", "O-1")
0
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import attrs

from ordercycle.errors import ConcurrencyError, StorageError, ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.storage._checks import check_name, check_version
from ordercycle.storage._closing import ClosingStorage
from ordercycle.storage._codec import decode_event, encode_event
from ordercycle.storage._unit import (
    _NEW,
    EventRow,
    OutboxRow,
    ProjectingUnitOfWork,
    StoredRow,
    _Projections,
    decoded_message,
)
from ordercycle.storage.errors import CommandConflictError, StreamConflictError, UnitOfWorkError
from ordercycle.storage.records import OutboxMessage, Snapshot
from ordercycle.storage.views import ViewQuery, ViewRow

__all__ = ["ForgottenError", "MemoryStorage", "MemoryUnitOfWork"]

_Key = tuple[str, str]
#: A stored event: its JSON text, or (``roundtrip=False``) the event object itself.
_Stored = str | DomainEvent
#: ``(position, kind, aggregate_id, version, event_type, stored event)``.
_Row = tuple[int, str, str, int, str, _Stored]
#: A stream row: ``(version, event_type, stored event, hash or None)``.
_Event = tuple[int, str, _Stored, str | None]


#: Events :meth:`MemoryStorage.forget` keeps of a stream whose history it forgets: a state
#: record is read as its newest event after the one before it.
HISTORY_KEPT = 2


class ForgottenError(StorageError, LookupError):
    """A read or write reached what :meth:`MemoryStorage.forget` released.

    Attributes:
        subject: What was asked for (``"the order 'O-1'"``, ``"outbox position 12"``).
        action: What was refused (``"read"``, ``"append to"``).
    """

    def __init__(self, subject: str, action: str) -> None:
        super().__init__(
            f"Cannot {action} {subject}: the memory storage has forgotten it"
            " (MemoryStorage.forget); forget only what nothing reads or writes again."
        )
        self.subject = subject
        self.action = action


def _stream_subject(key: _Key) -> str:
    return f"the {key[0]} {key[1]!r}"


def _event(stored: _Stored) -> DomainEvent:
    return stored if isinstance(stored, DomainEvent) else decode_event(stored)


def _text(stored: _Stored) -> str:
    return encode_event(stored) if isinstance(stored, DomainEvent) else stored


class _Bits:
    """A set of non-negative ints as a bitmap from the smallest one (ids made in sequence
    are dense, so a bit each). A number that would stretch the bitmap past a few bytes per
    member is refused (``add`` gives False) and kept elsewhere: a sparse or hostile id
    ("O-99999999999") must not allocate a bit for every number below it."""

    __slots__ = ("base", "bits", "members")

    #: Bytes the bitmap may always span; beyond it, at most ``SPREAD`` bytes per member.
    SLACK = 1 << 16
    SPREAD = 4

    def __init__(self, first: int) -> None:
        self.base = first - first % 8
        self.bits = bytearray(1)
        self.members = 0

    def add(self, number: int) -> bool:
        """Add ``number``, or give False (and change nothing) if it is too far away."""
        index = number - self.base
        bits = self.bits
        if 0 <= index < 8 * len(bits):
            # Within the bitmap (ids made in sequence mostly are): nothing to stretch.
            if not bits[index // 8] >> index % 8 & 1:
                bits[index // 8] |= 1 << index % 8
                self.members += 1
            return True
        low = min(self.base, number - number % 8)
        high = max(self.base + 8 * len(self.bits), number + 1)
        if (high - low + 7) // 8 > self.SLACK + self.SPREAD * self.members:
            return False
        if number < self.base:
            grow = (self.base - low) // 8
            self.bits[:0] = bytes(grow)
            self.base = low
        index = number - self.base
        if index >= 8 * len(self.bits):
            self.bits.extend(bytes(index // 8 + 1 - len(self.bits)))
        if not self.bits[index // 8] >> index % 8 & 1:
            self.bits[index // 8] |= 1 << index % 8
            self.members += 1
        return True

    def __contains__(self, number: int) -> bool:
        index = number - self.base
        return 0 <= index < 8 * len(self.bits) and bool(self.bits[index // 8] >> index % 8 & 1)


#: ``prefix digits`` or ``prefix digits infix digits`` (``"O-12"``, ``"PL-3/O-12"``).
#: ASCII digits only: ``int()`` reads other scripts' digits too, so "O-\u0663" (an
#: Arabic-Indic three) would have been kept as "O-3".
_NUMBERED = re.compile(r"(\D*)(\d+)(?:(\D+)(\d+))?", re.ASCII)


def _number(digits: str) -> tuple[int, int]:
    """The number of a run of digits and its width if zero-padded (0 if not): the pair
    gives the digits back, so two ids never share a key."""
    return int(digits), len(digits) if digits[0] == "0" and len(digits) > 1 else 0


class _Pairs:
    """A set of ints below 2**62 as a sorted array, with the newest in a small set until
    there are enough of them to merge (8 bytes an int, where a set took about 60)."""

    __slots__ = ("new", "sorted")

    MERGE = 1024

    def __init__(self) -> None:
        self.sorted = array("q")
        self.new: set[int] = set()

    def add(self, number: int) -> None:
        self.new.add(number)
        if len(self.new) >= self.MERGE:
            # Only the kept tail from the smallest new number on is merged: ids made in
            # sequence come mostly after the kept ones, and re-sorting the whole array at
            # every merge made a long run's forgetting quadratic.
            fresh = sorted(self.new)
            found = self.sorted
            cut = bisect_left(found, fresh[0])
            merged = sorted({*found[cut:], *fresh})
            del found[cut:]
            found.extend(merged)
            self.new = set()

    def __contains__(self, number: int) -> bool:
        if number in self.new:
            return True
        found = self.sorted
        spot = bisect_left(found, number)
        return spot < len(found) and found[spot] == number


class _ForgottenIds:
    """The ids of the streams of one kind that :meth:`MemoryStorage.forget` released.

    A long run forgets several streams for each order; a set of their id strings took
    hundreds of bytes an order. Ids made in sequence (``"O-12"``, ``"INV-000434"``) are
    kept as bits of a bitmap by their text around the number, and pairs (``"PL-3/O-12"``)
    as one 8-byte int in a sorted array by their text around the numbers; any other id
    is kept as it is. Membership is exact either way.
    """

    __slots__ = ("_greatest", "_others", "_pairs", "_singles")

    def __init__(self) -> None:
        self._singles: dict[tuple[str, int], _Bits] = {}
        self._pairs: dict[tuple[str, int, str, int], _Pairs] = {}
        self._others: set[str] = set()
        # The greatest id forgotten of each length. Almost every id asked about is a new
        # one, made in sequence after everything forgotten: one of the same length that
        # sorts after the greatest (or of a length never forgotten) was never added, which
        # answers without parsing it. One string per length: the adds' own lengths.
        self._greatest: dict[int, str] = {}

    def _single(self, aggregate_id: str) -> tuple[Any, int] | None:
        """The table key and number of an id, or ``None`` (kept as it is)."""
        match = _NUMBERED.fullmatch(aggregate_id)
        if match is None:
            return None
        prefix, digits, infix, more = match.groups()
        # _number(digits), inlined: every new stream of a forgetting kind is asked here.
        number = int(digits)
        width = len(digits) if digits[0] == "0" and len(digits) > 1 else 0
        if more is None:
            return ((prefix, width), number) if number < _PAIRED else None
        second, second_width = _number(more)
        if number >= _PAIRED or second >= _PAIRED:
            return None
        return (prefix, width, infix, second_width), number * _PAIRED + second

    def add(self, aggregate_id: str) -> None:
        """Remember that ``aggregate_id`` was forgotten."""
        # As a plain str: a subclass's own len or comparison must not bend the bound.
        text = str.__str__(aggregate_id)
        greatest = self._greatest.get(len(text))
        if greatest is None or text > greatest:
            self._greatest[len(text)] = text
        found = self._single(aggregate_id)
        if found is None:
            self._others.add(aggregate_id)
            return
        key, number = found
        if len(key) == 2:
            bits = self._singles.get(key)
            if bits is None:
                self._singles[key] = bits = _Bits(number)
            if not bits.add(number):
                self._others.add(aggregate_id)  # far from the others: kept as it is
            return
        pairs = self._pairs.get(key)
        if pairs is None:
            self._pairs[key] = pairs = _Pairs()
        pairs.add(number)

    def __contains__(self, aggregate_id: object) -> bool:
        if type(aggregate_id) is str:
            greatest = self._greatest.get(len(aggregate_id))
            if greatest is None or aggregate_id > greatest:
                return False  # never added: nothing of its length sorts as high
        elif not isinstance(aggregate_id, str):
            return False
        return self._kept(aggregate_id)

    def _kept(self, aggregate_id: str) -> bool:
        """Whether ``aggregate_id`` is among those kept, found by parsing it (what
        :meth:`__contains__` asks when the greatest of its length does not answer)."""
        found = self._single(aggregate_id)
        if found is None:
            return aggregate_id in self._others
        key, number = found
        kept = self._singles.get(key) if len(key) == 2 else self._pairs.get(key)
        return (kept is not None and number in kept) or aggregate_id in self._others


#: A pair's first number is kept times this plus its second (both must be below it).
_PAIRED = 2**31
#: How many streams found not forgotten :attr:`_State.absent` keeps before it starts over.
ABSENT_KEPT = 1024


@attrs.define
class _State:
    """Everything committed so far."""

    streams: dict[_Key, list[_Event]] = attrs.Factory(dict)
    # Only the newest snapshot of a stream is ever read, so only it is kept.
    snapshots: dict[_Key, tuple[int, str, str | None]] = attrs.Factory(dict)
    commands: dict[str, tuple[str, str]] = attrs.Factory(dict)
    # The outbox, by position - 1: each message's stream and its stream row (the same
    # tuple the stream holds, not a copy). Two flat lists rather than a row tuple per
    # message: a long simulation writes dozens of messages per order and keeps them all.
    outbox_keys: list[_Key] = attrs.Factory(list)
    outbox_rows: list[_Event] = attrs.Factory(list)
    checkpoints: dict[str, int] = attrs.Factory(dict)
    # Event types already shown to encode (``roundtrip=False``).
    encoded_types: set[type] = attrs.Factory(set)
    # Read-model rows by view and key, and the keys of each (view, field, value) term.
    views: dict[str, dict[str, ViewRow]] = attrs.Factory(dict)
    terms: dict[tuple[str, str, str], set[str]] = attrs.Factory(dict)
    # What forget() released: the ids of forgotten streams by kind (so they are refused,
    # not silently started again), the events dropped from the front of each stream whose
    # history was forgotten, and the outbox messages released before the kept ones.
    forgotten: dict[str, _ForgottenIds] = attrs.Factory(dict)
    offsets: dict[_Key, int] = attrs.Factory(dict)
    outbox_base: int = 0
    # Streams without events lately found not forgotten: a new stream is asked about
    # several times in its first unit of work (its version, the append, the commit's
    # check), and asking the forgotten ids parses the id each time. forget() empties it
    # (what it forgets may be in it), and so does reaching ABSENT_KEPT keys.
    absent: dict[_Key, None] = attrs.Factory(dict)
    # How many times committed streams changed: each commit that appended (even nothing)
    # and each forget() adds one. A unit of work that read its first stream's version
    # when this was n, and finds it still n at its commit, needs no per-stream check that
    # the versions it appended at still hold (nothing changed any stream since).
    changes: int = 0

    def length(self, key: _Key, action: str) -> int:
        """The version of a committed stream; a forgotten stream raises."""
        rows = self.streams.get(key)
        if rows is None:
            if key[0] in self.forgotten and key not in self.absent:
                self.check_absent(key, action)
            return 0
        return self.offsets.get(key, 0) + len(rows) if self.offsets else len(rows)

    def check_absent(self, key: _Key, action: str) -> None:
        """Raise if the stream ``key``, which has no events, was forgotten; else note it
        in :attr:`absent`."""
        forgotten = self.forgotten.get(key[0])
        if forgotten is None:
            return  # nothing of its kind is forgotten: nothing to parse or remember
        if key[1] in forgotten:
            raise ForgottenError(_stream_subject(key), action)
        absent = self.absent
        if len(absent) >= ABSENT_KEPT:
            absent.clear()
        absent[key] = None

    def slice(self, key: _Key, start: int, stop: int | None) -> list[_Event]:
        """Committed rows from index ``start`` to ``stop`` (versions ``start + 1`` ...)."""
        rows = self.streams.get(key)
        if rows is None:
            if key[0] in self.forgotten and key not in self.absent:
                self.check_absent(key, "read")
            return []
        offset = self.offsets.get(key, 0) if self.offsets else 0
        if not offset:
            return rows[start:stop]
        if start < offset:
            raise ForgottenError(f"version {start + 1} of {_stream_subject(key)}", "read")
        return rows[start - offset : None if stop is None else stop - offset]

    def drop_row(self, view: str, key: str) -> None:
        """Remove a committed row and its terms (a term no other row has goes with it)."""
        rows = self.views.get(view)
        row = None if rows is None else rows.pop(key, None)
        if row is not None:
            terms = self.terms
            for field, value in row.terms:
                term = (view, field, value)
                found = terms.get(term)
                if found is not None:
                    found.discard(key)
                    if not found:
                        del terms[term]

    def keep_row(self, row: ViewRow) -> None:
        """Store a committed row (replacing the one at its key) unless a newer one is kept."""
        view, key = row.view, row.key
        rows = self.views.get(view)
        if rows is None:
            rows = self.views[view] = {}
        kept = rows.get(key)
        if kept is not None:
            if kept.version > row.version:
                return
            rows[key] = row
            before, after = kept.terms, row.terms
            if before == after:
                # The same terms index the same key: only the row changes (most rewrites of
                # an order's or invoice's row keep its terms).
                return
            # Only the terms the row lost or gained move (a rewrite changes one or two: an
            # order's state, say); the key stays in the sets of the others. Each side is a
            # handful of pairs, so a tuple's ``in`` is cheap.
            terms = self.terms
            for field, value in before:
                if (field, value) not in after:
                    lost = terms.get((view, field, value))
                    if lost is not None:
                        lost.discard(key)
            for field, value in after:
                if (field, value) not in before:
                    found = terms.get((view, field, value))
                    if found is None:
                        terms[(view, field, value)] = {key}
                    else:
                        found.add(key)
            return
        rows[key] = row
        terms = self.terms
        for field, value in row.terms:
            found = terms.get((view, field, value))
            if found is None:
                terms[(view, field, value)] = {key}
            else:
                found.add(key)


class MemoryStorage(ClosingStorage):
    """Storage in this process's memory; see the module docstring.

    Args:
        roundtrip: Store events as JSON and decode them on every read (the default), or
            keep the event objects themselves (faster; see the module docstring).
        projections: Keep read-model rows (the default), or none: its units of work then
            have no ``projections``, as an adapter without read models (see
            :class:`~ordercycle.storage.ports.Projecting`), so a desk over it builds no
            rows and its listing queries raise :class:`~ordercycle.errors.StorageError`.
            Simulations with KPIs-only results use it: nothing reads their rows.

    Raises:
        ValidationError: ``projections`` is not a bool.

    Example:
        >>> storage = MemoryStorage()
        >>> storage.unit_of_work()
        <MemoryUnitOfWork (new)>
    """

    def __init__(self, *, roundtrip: bool = True, projections: bool = True) -> None:
        if type(projections) is not bool:
            raise ValidationError.invalid(
                "MemoryStorage", "projections", projections, "True or False"
            )
        self._lock = threading.Lock()
        self._state = _State()
        self._closed = False
        self.roundtrip = roundtrip
        self.keeps_projections = projections

    def unit_of_work(self) -> MemoryUnitOfWork:
        """Return a new unit of work over this storage."""
        return self._unit(read_only=False)

    def reading(self) -> MemoryUnitOfWork:
        """Return a new read-only unit of work (see :class:`~ordercycle.storage.ports.Reading`).

        It reads the committed state as it is at each read (threads sharing the storage
        may commit in between) and refuses every write.
        """
        return self._unit(read_only=True)

    def _unit(self, *, read_only: bool) -> MemoryUnitOfWork:
        if self._closed:
            raise UnitOfWorkError(
                "Cannot use the memory storage: it has been closed.", reason=UnitOfWorkError.CLOSED
            )
        return MemoryUnitOfWork(
            self._lock,
            self._state,
            roundtrip=self.roundtrip,
            read_only=read_only,
            keeps_projections=self.keeps_projections,
        )

    def close(self) -> None:
        """Mark the storage closed; new units of work are refused."""
        self._closed = True

    def forget(
        self,
        streams: Iterable[tuple[str, str]] = (),
        *,
        rows: Iterable[tuple[str, str]] = (),
        history: Iterable[tuple[str, str]] = (),
        trim: Iterable[tuple[str, str, int]] = (),
        outbox: bool = False,
    ) -> None:
        """Release from memory what will never be read again; see the module docstring.

        Args:
            streams: ``(kind, aggregate_id)`` of streams to forget whole: their events and
                snapshot are released and only the id is kept, so that loading the stream,
                reading its version or snapshot, or appending to it raises
                :class:`ForgottenError` (a stream that was never written is not refused).
            rows: ``(view, key)`` of read-model rows to delete, with their terms, as a
                committed delete would (queries no longer find them).
            history: ``(kind, aggregate_id)`` of streams whose events before their
                newest two are released (and their snapshot, if older than those): the
                version goes on counting, the newest state can still be read and
                appended to, and reading from an older version raises
                :class:`ForgottenError`.
            trim: ``(kind, aggregate_id, version)`` of streams whose events before
                ``version`` are released (event ``version`` and the newer ones are kept,
                and always the newest: a read after a version checks that version's event,
                and the next append chains its hash), with their snapshot if it is not
                newer: for a stream whose state its reader keeps as of ``version`` and only
                ever catches up from there, as an :class:`~ordercycle.OrderDesk` keeps
                each SKU's stock. As with ``history``, the version goes on counting,
                appending at the stream's version still works (a stale expected version
                still conflicts), loading after ``version`` reads as before, and loading
                after an older version raises :class:`ForgottenError`. A stream never
                written, or already trimmed that far, is left as it is.
            outbox: Also release the outbox messages that every consumer's checkpoint has
                passed (none without a checkpoint). Positions do not change; reading from
                a released position raises :class:`ForgottenError`, so a consumer that
                has not saved a checkpoint yet must not start after this.

        Raises:
            ValidationError: An entry that is not a tuple of non-empty names without
                surrounding spaces (and, for ``trim``, a version of at least 1), more than
                10,000,000 entries in one argument, or ``outbox`` not a bool; nothing is
                released then.

        Example:
            >>> storage = MemoryStorage()
            >>> storage.forget([("order", "O-1")])
            >>> with storage.unit_of_work() as uow:
            ...     uow.events.version("order", "O-1")
            Traceback (most recent call last):
            ...
            ordercycle.storage.memory.ForgottenError: Cannot read the version of the order \
'O-1': the memory storage has forgotten it (MemoryStorage.forget); forget only what \
nothing reads or writes again.
        """
        # Checked whole before anything is released: a refused call forgets nothing.
        streams = _forgettable(streams, "streams", ("kind", "aggregate_id"))
        rows = _forgettable(rows, "rows", ("view", "key"))
        history = _forgettable(history, "history", ("kind", "aggregate_id"))
        trim = _forgettable(trim, "trim", ("kind", "aggregate_id", "version"))
        if not isinstance(outbox, bool):
            raise ValidationError.invalid(_FORGET, "outbox", outbox, "True or False")
        state = self._state
        with self._lock:
            state.absent.clear()
            state.changes += 1  # (streams are dropped: commits check their versions)
            for key in streams:
                kind, aggregate_id = key
                key = (kind, aggregate_id)  # (an entry may be a tuple's subclass)
                state.streams.pop(key, None)
                state.snapshots.pop(key, None)
                if key in state.offsets:
                    del state.offsets[key]
                ids = state.forgotten.get(kind)
                if ids is None:
                    ids = state.forgotten[kind] = _ForgottenIds()
                ids.add(aggregate_id)
            for view, row_key in rows:
                state.drop_row(view, row_key)
            for key in history:
                kept = state.streams.get(key)
                # (Most entries of a daily call: a stream with nothing new since the last.)
                if kept is not None and len(kept) > HISTORY_KEPT:
                    _drop_front(state, key, kept, len(kept) - HISTORY_KEPT)
            for kind, aggregate_id, version in trim:
                key = (kind, aggregate_id)
                kept = state.streams.get(key)
                if kept is not None:
                    drop = min(version - 1 - state.offsets.get(key, 0), len(kept) - 1)
                    _drop_front(state, key, kept, drop)
            if outbox and state.checkpoints:
                passed = min(state.checkpoints.values()) - state.outbox_base
                if passed > 0:
                    del state.outbox_keys[:passed]
                    del state.outbox_rows[:passed]
                    state.outbox_base += passed


_FORGET = "MemoryStorage.forget"
#: How many entries one forget() call may name in each argument.
_FORGET_LIMIT = 10_000_000


def _forgettable(items: Iterable[Any], field: str, parts: tuple[str, ...]) -> list[Any]:
    """``items`` as a list of tuples of non-empty clean names (and a version >= 1 last, for
    three parts), or a :class:`ValidationError` naming the first one that is not."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise ValidationError.invalid(_FORGET, field, items, f"an iterable of {parts} tuples")
    checked: list[Any] = []
    size = len(parts)
    for item in items:
        if len(checked) >= _FORGET_LIMIT:
            raise ValidationError.invalid(
                _FORGET, field, f"more than {_FORGET_LIMIT:,} entries", "fewer per call"
            )
        if type(item) is tuple and len(item) == size:
            # The plain entry (a simulation forgets dozens per order), passed without a
            # call per part: what check_name and check_version admit, and nothing else.
            name, other = item[0], item[1]
            if (
                type(name) is str
                and type(other) is str
                and name != ""
                and other != ""
                and name == name.strip()
                and other == other.strip()
                and (size == 2 or (type(item[2]) is int and item[2] >= 1))
            ):
                checked.append(item)
                continue
        if not isinstance(item, tuple) or len(item) != size:
            raise ValidationError.invalid(_FORGET, field, item, f"a tuple {parts}")
        for name, part in zip(item[:2], parts, strict=False):
            check_name(name, f"{field} {part}", _FORGET)
        if size == 3:
            check_version(item[2], f"{field} version", _FORGET, minimum=1)
        checked.append(item)
    return checked


def _drop_front(state: _State, key: _Key, kept: list[_Event], drop: int) -> None:
    """Release the oldest ``drop`` events still kept of a stream (none if ``drop`` < 1),
    and its snapshot if that is not newer: the offset keeps the version counting."""
    if drop < 1:
        return
    del kept[:drop]
    offset = state.offsets.get(key, 0) + drop
    state.offsets[key] = offset
    snapshot = state.snapshots.get(key)
    if snapshot is not None and snapshot[0] <= offset:
        del state.snapshots[key]


class MemoryUnitOfWork(ProjectingUnitOfWork):
    """A unit of work of :class:`MemoryStorage` (writes are staged until commit)."""

    def __init__(
        self,
        lock: threading.Lock,
        state: _State,
        *,
        roundtrip: bool = True,
        read_only: bool = False,
        keeps_projections: bool = True,
    ) -> None:
        # What BaseUnitOfWork.__init__ sets, set here: a desk makes tens of units of work
        # per order, and the super() call cost a third of this constructor (a test checks
        # that the fields are the base's own).
        self._where = "the memory storage"
        self.read_only = read_only
        self._state = _NEW
        self._lock = lock
        self._shared = state
        self._roundtrip = roundtrip
        self.chained = roundtrip
        # Staged writes, applied at commit.
        self._bases: dict[_Key, int] = {}
        # _State.changes when the first base was read (see _tx_commit).
        self._changes = -1
        self._new_events: dict[_Key, list[_Event]] = {}
        # The outbox messages of the appends, in order: each one's stream and its row, in
        # two lists as the committed outbox keeps them (a commit extends those by these).
        self._new_outbox_keys: list[_Key] = []
        self._new_outbox_rows: list[_Event] = []
        self._new_snapshots: dict[tuple[str, str, int], tuple[str, str | None]] = {}
        self._new_commands: dict[str, tuple[str, str]] = {}
        self._new_checkpoints: dict[str, int] = {}
        self._claimed: dict[str, int] = {}
        self._view_changes: dict[tuple[str, str], ViewRow | None] = {}
        self._view_cleared: set[str] = set()
        self._keeps_projections = keeps_projections

    def __repr__(self) -> str:
        return f"<MemoryUnitOfWork ({self._state})>"

    @property
    def projections(self) -> _Projections:
        """The read-model rows (see :class:`~ordercycle.storage.ports.Projections`).

        Raises:
            AttributeError: The storage keeps no read models
                (``MemoryStorage(projections=False)``): the unit of work then has no
                ``projections``, as an adapter without them has none, so
                ``getattr(uow, "projections", None)`` is ``None`` and ``isinstance(uow,
                Projecting)`` is false.
        """
        if not self._keeps_projections:
            raise AttributeError(
                f"{self!r} keeps no read models: MemoryStorage(projections=False) was asked for"
            )
        return super().projections

    def _tx_begin(self) -> None:
        pass

    def _tx_rollback(self) -> None:
        self._bases.clear()
        self._new_events.clear()
        self._new_outbox_keys.clear()
        self._new_outbox_rows.clear()
        self._new_snapshots.clear()
        self._new_commands.clear()
        self._new_checkpoints.clear()
        self._claimed.clear()
        self._view_changes.clear()
        self._view_cleared.clear()

    def _tx_commit(self) -> None:
        if self.read_only:
            return  # it refused every write: nothing is staged (half of a desk's units read)
        shared = self._shared
        bases = self._bases
        lock = self._lock
        lock.acquire()  # (see _tx_version)
        try:
            streams = shared.streams
            # The conflict reported must not depend on the order of the appends: the
            # streams are checked as they come, and only when one fails are they checked
            # again in sorted order, which raises for the first of them.
            length = shared.length
            moved = False
            if bases and shared.changes != self._changes:
                # Some stream changed since the first base was read (another commit, or
                # forget): each base is checked against its stream's version now.
                try:
                    for key, base in bases.items():
                        if length(key, "append to") != base:
                            moved = True
                            break
                except ForgottenError:
                    moved = True
            if moved:
                for key, base in sorted(bases.items()):
                    actual = length(key, "append to")
                    if actual != base:
                        raise StreamConflictError(key[0], key[1], base, actual)
            if bases:
                shared.changes += 1
            if self._claimed:
                for consumer, claimed in sorted(self._claimed.items()):
                    actual = shared.checkpoints.get(consumer, 0)
                    if actual != claimed:
                        raise ConcurrencyError(
                            f"checkpoint of consumer {consumer!r}", claimed, actual
                        )
            if self._new_commands:
                for command_id in sorted(self._new_commands):
                    if command_id in shared.commands:
                        raise CommandConflictError(command_id)
                shared.commands.update(self._new_commands)
            for key, staged in self._new_events.items():
                kept = streams.get(key)
                if kept is None:
                    # The staged list becomes the stream: this unit of work is finished and
                    # never touches it again.
                    streams[key] = staged
                else:
                    kept.extend(staged)
            if self._new_outbox_rows:
                shared.outbox_keys.extend(self._new_outbox_keys)
                shared.outbox_rows.extend(self._new_outbox_rows)
            if self._new_snapshots:
                for (kind, aggregate_id, version), (
                    payload,
                    digest,
                ) in self._new_snapshots.items():
                    kept_snapshot = shared.snapshots.get((kind, aggregate_id))
                    if kept_snapshot is None or kept_snapshot[0] <= version:
                        shared.snapshots[(kind, aggregate_id)] = (version, payload, digest)
            if self._new_checkpoints:
                shared.checkpoints.update(self._new_checkpoints)
            if self._view_cleared:
                for cleared in sorted(self._view_cleared):
                    for row_key in sorted(shared.views.get(cleared, {})):
                        shared.drop_row(cleared, row_key)
            for (view_name, row_key), row in self._view_changes.items():
                if row is None:
                    shared.drop_row(view_name, row_key)
                else:
                    shared.keep_row(row)
        finally:
            lock.release()
        # The staging is not cleared: the unit of work is finished and refuses every call
        # (a stream's staged list is now the stream itself), and it goes when the unit does.

    # --- events -------------------------------------------------------------------------------

    # Streams only grow (at the end), so a slice or a length read under the lock is a
    # consistent view; neither copies the whole stream (a long simulation reads its stock
    # streams constantly).
    def _committed(self, key: _Key, start: int = 0, stop: int | None = None) -> list[_Event]:
        lock = self._lock
        lock.acquire()  # (see _tx_version)
        try:
            return self._shared.slice(key, start, stop)
        finally:
            lock.release()

    def _tx_version(self, kind: str, aggregate_id: str) -> int:
        key = (kind, aggregate_id)
        base = self._bases.get(key)
        if base is not None:
            # _stage sets a stream's base and its staged list together.
            return base + len(self._new_events[key])
        # The lock taken by acquire() and release() rather than ``with``: the hot reads and
        # appends of a desk take it tens of times per order, and the ``with`` statement's
        # special-method calls cost as much again as the lock itself.
        lock = self._lock
        lock.acquire()
        try:
            return self._shared.length(key, "read the version of")
        finally:
            lock.release()

    def _tx_load_events(
        self, kind: str, aggregate_id: str, after_version: int
    ) -> Sequence[DomainEvent]:
        if not self._roundtrip and after_version > 0:
            # A cache catching up (the desk's orders and stock) mostly finds nothing new:
            # when the committed stream ends at ``after_version`` with that version's row,
            # which is what the full path checks of its anchor, there is nothing to load.
            key = (kind, aggregate_id)
            if key not in self._bases:
                lock = self._lock
                lock.acquire()  # (see _tx_version)
                try:
                    shared = self._shared
                    rows = shared.streams.get(key)
                    current = (
                        rows
                        and (shared.offsets.get(key, 0) if shared.offsets else 0) + len(rows)
                        == after_version
                        and rows[-1][0] == after_version
                    )
                finally:
                    lock.release()
                if current:
                    return []
        return super()._tx_load_events(kind, aggregate_id, after_version)

    def _tx_newest(self, kind: str, aggregate_id: str) -> DomainEvent | None:
        if self._roundtrip:
            return super()._tx_newest(kind, aggregate_id)
        # Event objects (roundtrip=False) carry no hash chain: the newest row is read under
        # one lock and checked as _tx_load_events checks it (its version is the stream's,
        # and the event is the one the row names); anything amiss takes the full path,
        # which raises the precise error.
        key = (kind, aggregate_id)
        base = self._bases.get(key)
        if base is not None:
            staged = self._new_events[key]
            if not staged:  # read at its base version, which others may have passed
                return super()._tx_newest(kind, aggregate_id)
            version = base + len(staged)
            row = staged[-1]
        else:
            lock = self._lock
            lock.acquire()  # (see _tx_version)
            try:
                shared = self._shared
                rows = shared.streams.get(key)
                version = shared.length(key, "read the version of")  # (raises if forgotten)
                if rows is None:
                    return None
            finally:
                lock.release()
            if not version:
                return None
            if not rows:  # (outside the lock: the full path takes it again)
                return super()._tx_newest(kind, aggregate_id)
            row = rows[-1]
        event = row[2]
        if (
            row[0] == version
            and isinstance(event, DomainEvent)
            and event.version == version
            and event.aggregate_id == aggregate_id
            and event.event_type == row[1]
        ):
            return event
        return super()._tx_newest(kind, aggregate_id)

    def _tx_head(self, kind: str, aggregate_id: str) -> tuple[int, str | None]:
        version = self._tx_version(kind, aggregate_id)
        return version, self._tx_event_hash(kind, aggregate_id, version)

    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        self._stage(kind, aggregate_id, expected_version, rows)

    def _tx_append_events(
        self, kind: str, aggregate_id: str, expected_version: int, events: Sequence[DomainEvent]
    ) -> None:
        if self._roundtrip:
            super()._tx_append_events(kind, aggregate_id, expected_version, events)
            return
        encoded = self._shared.encoded_types
        rows: list[_Event] = []
        for event in events:
            # One event of each type is encoded, so a type that cannot be stored fails here
            # as in a database; encoding every event would cost more than keeping objects
            # saves (state records grow with the run).
            if type(event) not in encoded:
                encode_event(event)
                with self._lock:
                    encoded.add(type(event))
            rows.append((event.version, event.event_type, event, None))
        self._stage(kind, aggregate_id, expected_version, rows)

    def _stage(
        self,
        kind: str,
        aggregate_id: str,
        expected_version: int,
        rows: Sequence[_Event],
    ) -> None:
        key = (kind, aggregate_id)
        base = self._bases.get(key)
        if base is None:
            lock = self._lock
            lock.acquire()  # (see _tx_version)
            try:
                current = self._shared.length(key, "read the version of")
                if not self._bases:
                    self._changes = self._shared.changes  # (read with the first base)
            finally:
                lock.release()
            if current != expected_version:
                raise StreamConflictError(kind, aggregate_id, expected_version, current)
            self._bases[key] = current
            # A list is the caller's own new one (both callers build it for this call), so
            # it is staged as it is, not copied.
            self._new_events[key] = rows if type(rows) is list else list(rows)
        else:
            staged = self._new_events[key]
            current = base + len(staged)
            if current != expected_version:
                raise StreamConflictError(kind, aggregate_id, expected_version, current)
            staged.extend(rows)
        if len(rows) == 1:  # (most appends: one event)
            self._new_outbox_keys.append(key)
            self._new_outbox_rows.append(rows[0])
        elif rows:
            self._new_outbox_keys.extend([key] * len(rows))
            self._new_outbox_rows.extend(rows)

    def _stored(self, kind: str, aggregate_id: str, start: int) -> list[_Event]:
        """The rows from index ``start`` (committed, then staged)."""
        key = (kind, aggregate_id)
        if key not in self._bases:
            return self._committed(key, start)
        base = self._bases[key]
        staged = self._new_events.get(key, [])
        return self._committed(key, start, base) + staged[max(start - base, 0) :]

    def _tx_rows(self, kind: str, aggregate_id: str, from_version: int) -> list[StoredRow]:
        # Version v is at index v - 1 unless rows were removed; the base checks versions.
        # _stored gives a new list (a slice, or a slice and the staged rows): no copy here.
        return self._stored(kind, aggregate_id, max(from_version - 1, 0))

    def _tx_event_hash(self, kind: str, aggregate_id: str, version: int) -> str | None:
        if version < 1:
            return None
        rows = self._stored(kind, aggregate_id, version - 1)
        return rows[0][3] if rows and rows[0][0] == version else None

    def _tx_events(self, kind: str, aggregate_id: str, after_version: int) -> list[str]:
        """The stored texts after ``after_version``, unchecked (for tests of the modes)."""
        return [_text(row[2]) for row in self._stored(kind, aggregate_id, after_version)]

    def _tx_ids(self, kind: str) -> list[str]:
        with self._lock:
            ids = {aggregate_id for (k, aggregate_id) in self._shared.streams if k == kind}
        ids.update(
            aggregate_id
            for (k, aggregate_id), texts in self._new_events.items()
            if k == kind
            if texts
        )
        return sorted(ids)

    # --- snapshots --------------------------------------------------------------------------

    def _tx_save_snapshot(self, snapshot: Snapshot, digest: str | None) -> None:
        key = (snapshot.kind, snapshot.aggregate_id, snapshot.version)
        self._new_snapshots[key] = (snapshot.payload, digest)

    def _tx_latest_snapshot(
        self, kind: str, aggregate_id: str
    ) -> tuple[int, str, str | None] | None:
        with self._lock:
            if aggregate_id in self._shared.forgotten.get(kind, ()):
                raise ForgottenError(_stream_subject((kind, aggregate_id)), "read the snapshot of")
            latest = self._shared.snapshots.get((kind, aggregate_id))
        for (k, a, version), (payload, digest) in self._new_snapshots.items():
            if (k, a) == (kind, aggregate_id) and (latest is None or latest[0] <= version):
                latest = (version, payload, digest)
        return latest

    # --- commands ---------------------------------------------------------------------------

    def _tx_command(self, command_id: str) -> tuple[str, str] | None:
        if command_id in self._new_commands:
            return self._new_commands[command_id]
        with self._lock:
            return self._shared.commands.get(command_id)

    def _tx_record_command(self, command_id: str, payload_hash: str, result: str) -> None:
        self._new_commands[command_id] = (payload_hash, result)

    # --- outbox -----------------------------------------------------------------------------

    def _page(self, after: int, limit: int) -> tuple[int, list[_Key], list[_Event]]:
        """At most ``limit`` outbox messages after position ``after``: the position of the
        first, and each one's stream and stream row (committed, then staged)."""
        # Positions are 1, 2, 3, ... without gaps, so the rows after ``after`` are a slice:
        # reading a page costs the page, not the whole history (a simulation reads the
        # outbox after every command).
        after = max(after, 0)
        shared = self._shared
        with self._lock:
            base = shared.outbox_base
            if after < base:
                raise ForgottenError(f"outbox position {after + 1}", "read")
            start = after - base
            committed = len(shared.outbox_rows)
            keys = shared.outbox_keys[start : start + limit]
            rows = shared.outbox_rows[start : start + limit]
        if len(rows) < limit:
            # The staged messages follow the committed ones: position after + 1 + index
            # either way (``first`` skips the staged ones before ``after``).
            first = max(start - committed, 0)
            stop = first + limit - len(rows)
            keys += self._new_outbox_keys[first:stop]
            rows += self._new_outbox_rows[first:stop]
        return after + 1, keys, rows

    def _rows(self, after: int, limit: int) -> list[_Row]:
        first, keys, stored = self._page(after, limit)
        return [
            (first + index, kind, aggregate_id, row[0], row[1], row[2])
            for index, ((kind, aggregate_id), row) in enumerate(zip(keys, stored, strict=True))
        ]

    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]:
        return [(*row[:5], _text(row[5])) for row in self._rows(after, limit)]

    def _tx_messages(self, after: int, limit: int) -> Sequence[OutboxMessage]:
        return [decoded_message(row, _event) for row in self._rows(after, limit)]

    def _tx_messages_of(
        self, event_types: Collection[str], after: int, limit: int
    ) -> tuple[list[OutboxMessage], int, int]:
        # What the base gives (the wanted messages, and a row that cannot be decoded
        # refused only if it is wanted), from one read of the rows: a message, and its row
        # tuple, is made only for a wanted row (a desk's dispatch wants a few types of the
        # dozens per order, from pages of up to 200).
        first, keys, stored = self._page(after, limit)
        wanted = [
            decoded_message(
                (first + index, *keys[index], row[0], row[1], row[2]),
                _event,
            )
            for index, row in enumerate(stored)
            if row[1] in event_types
        ]
        return wanted, len(stored), first + len(stored) - 1 if stored else after

    def _tx_last_position(self) -> int:
        with self._lock:
            shared = self._shared
            return shared.outbox_base + len(shared.outbox_rows) + len(self._new_outbox_rows)

    def _tx_checkpoint(self, consumer: str) -> int:
        if consumer in self._new_checkpoints:
            return self._new_checkpoints[consumer]
        with self._lock:
            return self._shared.checkpoints.get(consumer, 0)

    def _tx_claim_checkpoint(self, consumer: str) -> int:
        # Optimistic: the commit fails if another unit of work moved the checkpoint since.
        if consumer not in self._claimed:
            with self._lock:
                self._claimed[consumer] = self._shared.checkpoints.get(consumer, 0)
        return self._new_checkpoints.get(consumer, self._claimed[consumer])

    def _tx_save_checkpoint(self, consumer: str, position: int) -> None:
        self._new_checkpoints[consumer] = position

    # --- read models ------------------------------------------------------------------------

    def _tx_view_get(self, view: str, key: str) -> ViewRow | None:
        if (view, key) in self._view_changes:
            return self._view_changes[(view, key)]
        if view in self._view_cleared:
            return None
        with self._lock:
            return self._shared.views.get(view, {}).get(key)

    def _tx_view_put(self, row: ViewRow) -> None:
        self._view_changes[(row.view, row.key)] = row

    def _tx_view_upsert(self, row: ViewRow) -> bool:
        # The base's read-then-put, with the staged change looked up once (a session puts
        # a row for most aggregates it saves, several per command).
        key = (row.view, row.key)
        changes = self._view_changes
        if key in changes:
            stored = changes[key]
        elif row.view in self._view_cleared:
            stored = None
        else:
            lock = self._lock
            lock.acquire()  # (see _tx_version)
            try:
                rows = self._shared.views.get(row.view)
                stored = None if rows is None else rows.get(row.key)
            finally:
                lock.release()
        if stored is not None and stored.version > row.version:
            return False
        changes[key] = row
        return True

    def _tx_view_delete(self, view: str, key: str) -> None:
        self._view_changes[(view, key)] = None

    def _tx_view_clear(self, view: str) -> None:
        self._view_cleared.add(view)
        for pending in [k for k in self._view_changes if k[0] == view]:
            del self._view_changes[pending]

    def _tx_view_find(self, query: ViewQuery) -> list[ViewRow]:
        view = query.view
        with self._lock:
            if view in self._view_cleared:
                keys: set[str] = set()
            elif query.where:
                field, value = query.where[0]
                keys = set(self._shared.terms.get((view, field, value), ()))
            else:
                keys = set(self._shared.views.get(view, {}))
        keys.update(key for (v, key) in self._view_changes if v == view)
        rows = [self._tx_view_get(view, key) for key in keys]
        found = sorted(
            (row for row in rows if row is not None and query.admits(row)),
            key=lambda row: (row.sort, row.key),
        )
        return found[: query.limit]
