"""The in-memory adapter: the default for tests, notebooks and simulations.

It behaves like the database adapters: events are stored as JSON (so what you load is a
fresh copy that went through :mod:`ordercycle.serialization`), writes are staged in the
unit of work and applied at commit under a lock, and a commit whose streams moved on
since they were appended to raises :class:`~ordercycle.errors.ConcurrencyError` and
writes nothing. Threads may share one :class:`MemoryStorage`.

>>> from ordercycle.storage import MemoryStorage
>>> storage = MemoryStorage()
>>> with storage.unit_of_work() as uow:
...     uow.events.version("order", "O-1")
0
"""

from __future__ import annotations

import threading

import attrs

from ordercycle.errors import ConcurrencyError
from ordercycle.storage._checks import stream_name
from ordercycle.storage._closing import ClosingStorage
from ordercycle.storage._unit import BaseUnitOfWork, EventRow, OutboxRow
from ordercycle.storage.errors import UnitOfWorkError
from ordercycle.storage.records import Snapshot

__all__ = ["MemoryStorage", "MemoryUnitOfWork"]

_Key = tuple[str, str]


@attrs.define
class _State:
    """Everything committed so far."""

    streams: dict[_Key, list[str]] = attrs.Factory(dict)
    snapshots: dict[_Key, dict[int, str]] = attrs.Factory(dict)
    commands: dict[str, tuple[str, str]] = attrs.Factory(dict)
    outbox: list[OutboxRow] = attrs.Factory(list)
    checkpoints: dict[str, int] = attrs.Factory(dict)


class MemoryStorage(ClosingStorage):
    """Storage in this process's memory; see the module docstring.

    Example:
        >>> storage = MemoryStorage()
        >>> storage.unit_of_work()
        <MemoryUnitOfWork (new)>
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._closed = False

    def unit_of_work(self) -> MemoryUnitOfWork:
        """Return a new unit of work over this storage."""
        if self._closed:
            raise UnitOfWorkError("Cannot use the memory storage: it has been closed.")
        return MemoryUnitOfWork(self._lock, self._state)

    def close(self) -> None:
        """Mark the storage closed; new units of work are refused."""
        self._closed = True


class MemoryUnitOfWork(BaseUnitOfWork):
    """A unit of work of :class:`MemoryStorage` (writes are staged until commit)."""

    def __init__(self, lock: threading.Lock, state: _State) -> None:
        super().__init__("the memory storage")
        self._lock = lock
        self._shared = state
        # Staged writes, applied at commit.
        self._bases: dict[_Key, int] = {}
        self._new_events: dict[_Key, list[str]] = {}
        self._new_outbox: list[tuple[str, str, int, str, str]] = []
        self._new_snapshots: dict[tuple[str, str, int], str] = {}
        self._new_commands: dict[str, tuple[str, str]] = {}
        self._new_checkpoints: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<MemoryUnitOfWork ({self._state})>"

    def _tx_begin(self) -> None:
        pass

    def _tx_rollback(self) -> None:
        self._bases.clear()
        self._new_events.clear()
        self._new_outbox.clear()
        self._new_snapshots.clear()
        self._new_commands.clear()
        self._new_checkpoints.clear()

    def _tx_commit(self) -> None:
        shared = self._shared
        with self._lock:
            for (kind, aggregate_id), base in sorted(self._bases.items()):
                actual = len(shared.streams.get((kind, aggregate_id), ()))
                if actual != base:
                    raise ConcurrencyError(stream_name(kind, aggregate_id), base, actual)
            for command_id in sorted(self._new_commands):
                if command_id in shared.commands:
                    raise ConcurrencyError(f"command {command_id!r}", "unrecorded", "recorded")
            for key, texts in self._new_events.items():
                shared.streams.setdefault(key, []).extend(texts)
            for kind, aggregate_id, version, event_type, payload in self._new_outbox:
                position = len(shared.outbox) + 1
                shared.outbox.append((position, kind, aggregate_id, version, event_type, payload))
            for (kind, aggregate_id, version), payload in self._new_snapshots.items():
                shared.snapshots.setdefault((kind, aggregate_id), {})[version] = payload
            shared.commands.update(self._new_commands)
            shared.checkpoints.update(self._new_checkpoints)
        self._tx_rollback()

    # --- events -------------------------------------------------------------------------------

    def _committed(self, key: _Key) -> list[str]:
        with self._lock:
            return list(self._shared.streams.get(key, ()))

    def _tx_version(self, kind: str, aggregate_id: str) -> int:
        key = (kind, aggregate_id)
        if key in self._bases:
            return self._bases[key] + len(self._new_events.get(key, ()))
        return len(self._committed(key))

    def _tx_append(
        self, kind: str, aggregate_id: str, expected_version: int, rows: list[EventRow]
    ) -> None:
        key = (kind, aggregate_id)
        current = self._tx_version(kind, aggregate_id)
        if current != expected_version:
            raise ConcurrencyError(stream_name(kind, aggregate_id), expected_version, current)
        self._bases.setdefault(key, current)
        staged = self._new_events.setdefault(key, [])
        for version, event_type, payload in rows:
            staged.append(payload)
            self._new_outbox.append((kind, aggregate_id, version, event_type, payload))

    def _tx_events(self, kind: str, aggregate_id: str, after_version: int) -> list[str]:
        key = (kind, aggregate_id)
        if key in self._bases:
            texts = self._committed(key)[: self._bases[key]] + self._new_events.get(key, [])
        else:
            texts = self._committed(key)
        return texts[after_version:]

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

    def _tx_save_snapshot(self, snapshot: Snapshot) -> None:
        key = (snapshot.kind, snapshot.aggregate_id, snapshot.version)
        self._new_snapshots[key] = snapshot.payload

    def _tx_latest_snapshot(self, kind: str, aggregate_id: str) -> tuple[int, str] | None:
        with self._lock:
            found = dict(self._shared.snapshots.get((kind, aggregate_id), {}))
        for (k, a, version), payload in self._new_snapshots.items():
            if (k, a) == (kind, aggregate_id):
                found[version] = payload
        if not found:
            return None
        version = max(found)
        return version, found[version]

    # --- commands ---------------------------------------------------------------------------

    def _tx_command(self, command_id: str) -> tuple[str, str] | None:
        if command_id in self._new_commands:
            return self._new_commands[command_id]
        with self._lock:
            return self._shared.commands.get(command_id)

    def _tx_record_command(self, command_id: str, payload_hash: str, result: str) -> None:
        self._new_commands[command_id] = (payload_hash, result)

    # --- outbox -----------------------------------------------------------------------------

    def _tx_outbox(self, after: int, limit: int) -> list[OutboxRow]:
        # Positions are 1, 2, 3, ... without gaps, so the rows after ``after`` are a slice:
        # reading a page costs the page, not the whole history (a simulation reads the
        # outbox after every command).
        start = max(after, 0)
        with self._lock:
            committed = len(self._shared.outbox)
            rows = self._shared.outbox[start : start + limit]
        if len(rows) < limit:
            first = max(start - committed, 0)
            pending = self._new_outbox[first : first + limit - len(rows)]
            rows.extend(
                (committed + first + offset + 1, *message) for offset, message in enumerate(pending)
            )
        return rows

    def _tx_last_position(self) -> int:
        with self._lock:
            return len(self._shared.outbox) + len(self._new_outbox)

    def _tx_checkpoint(self, consumer: str) -> int:
        if consumer in self._new_checkpoints:
            return self._new_checkpoints[consumer]
        with self._lock:
            return self._shared.checkpoints.get(consumer, 0)

    def _tx_save_checkpoint(self, consumer: str, position: int) -> None:
        self._new_checkpoints[consumer] = position
