"""Change stored rows behind an adapter's back, for the tamper-evidence contracts.

:class:`~ordercycle.testing.contracts.TamperEvidenceContract` edits, deletes and swaps
stored events and edits snapshots the way an attacker or a broken tool would, then
checks that reading raises :class:`~ordercycle.storage.errors.TamperedStreamError`.
It does so through a :class:`Tampering`: an object that reaches the adapter's raw
storage. The bundled adapters have theirs here (:class:`MemoryTampering`,
:class:`SqlTampering`); an integrator writes one for their own storage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

__all__ = ["MemoryTampering", "SqlTampering", "Tampering"]


class Tampering(Protocol):
    """Raw access to one storage's stored events and snapshots, bypassing the adapter."""

    def event_payload(self, kind: str, aggregate_id: str, version: int) -> str:
        """The stored JSON text of one event."""
        ...

    def set_event_payload(self, kind: str, aggregate_id: str, version: int, text: str) -> None:
        """Overwrite the stored JSON text of one event (nothing else)."""
        ...

    def delete_event(self, kind: str, aggregate_id: str, version: int) -> None:
        """Remove one stored event."""
        ...

    def swap_events(self, kind: str, aggregate_id: str, first: int, second: int) -> None:
        """Exchange two stored events of a stream (their rows, hashes included)."""
        ...

    def set_snapshot_payload(self, kind: str, aggregate_id: str, version: int, text: str) -> None:
        """Overwrite the stored JSON text of one snapshot (nothing else)."""
        ...


class MemoryTampering:
    """A :class:`Tampering` of a :class:`~ordercycle.storage.memory.MemoryStorage`."""

    def __init__(self, storage: Any) -> None:
        self._state = storage._state

    def _rows(self, kind: str, aggregate_id: str) -> list[Any]:
        # The rows may change outside a commit: a unit of work staged now checks its
        # streams' versions at its commit (see the memory storage's _State.changes).
        self._state.changes += 1
        return self._state.streams[(kind, aggregate_id)]  # type: ignore[no-any-return]

    def _index(self, kind: str, aggregate_id: str, version: int) -> int:
        rows = self._rows(kind, aggregate_id)
        return next(n for n, row in enumerate(rows) if row[0] == version)

    def event_payload(self, kind: str, aggregate_id: str, version: int) -> str:
        """See :class:`Tampering`."""
        from ordercycle.storage._codec import encode_event

        stored = self._rows(kind, aggregate_id)[self._index(kind, aggregate_id, version)][2]
        return stored if isinstance(stored, str) else encode_event(stored)

    def set_event_payload(self, kind: str, aggregate_id: str, version: int, text: str) -> None:
        """See :class:`Tampering`."""
        rows = self._rows(kind, aggregate_id)
        n = self._index(kind, aggregate_id, version)
        rows[n] = (rows[n][0], rows[n][1], text, rows[n][3])

    def delete_event(self, kind: str, aggregate_id: str, version: int) -> None:
        """See :class:`Tampering`."""
        del self._rows(kind, aggregate_id)[self._index(kind, aggregate_id, version)]

    def swap_events(self, kind: str, aggregate_id: str, first: int, second: int) -> None:
        """See :class:`Tampering`."""
        rows = self._rows(kind, aggregate_id)
        a, b = self._index(kind, aggregate_id, first), self._index(kind, aggregate_id, second)
        rows[a], rows[b] = rows[b], rows[a]

    def set_snapshot_payload(self, kind: str, aggregate_id: str, version: int, text: str) -> None:
        """See :class:`Tampering`."""
        kept = self._state.snapshots[(kind, aggregate_id)]
        assert kept[0] == version, f"the memory storage keeps only version {kept[0]}"
        self._state.snapshots[(kind, aggregate_id)] = (version, text, kept[2])


class SqlTampering:
    """A :class:`Tampering` of the SQLite or PostgreSQL adapter, over its own connection.

    Args:
        connect: Opens a DB-API connection in autocommit mode to the same tables.
        placeholder: The driver's parameter marker (``"?"`` or ``"%s"``).
    """

    def __init__(self, connect: Callable[[], Any], placeholder: str = "?") -> None:
        self._connect = connect
        self._p = placeholder

    @classmethod
    def sqlite(cls, path: str | Path) -> SqlTampering:
        """Tamper with the SQLite file at ``path``."""
        return cls(lambda: sqlite3.connect(path, isolation_level=None))

    @classmethod
    def postgres(cls, dsn: str, schema: str | None = None) -> SqlTampering:
        """Tamper with the tables of a PostgreSQL database (in ``schema``, if given)."""

        def connect() -> Any:
            import psycopg

            connection = psycopg.connect(dsn, autocommit=True)
            if schema is not None:
                connection.execute(f'SET search_path TO "{schema}"')
            return connection

        return cls(connect, "%s")

    def _run(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        connection = self._connect()
        try:
            cursor = connection.execute(sql.replace("?", self._p), params)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            connection.close()

    _WHERE = " WHERE kind = ? AND aggregate_id = ? AND version = ?"

    def event_payload(self, kind: str, aggregate_id: str, version: int) -> str:
        """See :class:`Tampering`."""
        rows = self._run(
            "SELECT payload FROM ordercycle_events" + self._WHERE, (kind, aggregate_id, version)
        )
        return str(rows[0][0])

    def set_event_payload(self, kind: str, aggregate_id: str, version: int, text: str) -> None:
        """See :class:`Tampering`."""
        self._run(
            "UPDATE ordercycle_events SET payload = ?" + self._WHERE,
            (text, kind, aggregate_id, version),
        )

    def delete_event(self, kind: str, aggregate_id: str, version: int) -> None:
        """See :class:`Tampering`."""
        self._run("DELETE FROM ordercycle_events" + self._WHERE, (kind, aggregate_id, version))

    def swap_events(self, kind: str, aggregate_id: str, first: int, second: int) -> None:
        """See :class:`Tampering` (the version column stays; everything else moves)."""
        select = "SELECT event_type, payload, hash FROM ordercycle_events" + self._WHERE
        a = self._run(select, (kind, aggregate_id, first))[0]
        b = self._run(select, (kind, aggregate_id, second))[0]
        update = "UPDATE ordercycle_events SET event_type = ?, payload = ?, hash = ?" + self._WHERE
        self._run(update, (*b, kind, aggregate_id, first))
        self._run(update, (*a, kind, aggregate_id, second))

    def set_snapshot_payload(self, kind: str, aggregate_id: str, version: int, text: str) -> None:
        """See :class:`Tampering`."""
        self._run(
            "UPDATE ordercycle_snapshots SET payload = ?" + self._WHERE,
            (text, kind, aggregate_id, version),
        )

    def schema_versions(self) -> list[int]:
        """The schema versions recorded in the database (``ordercycle_schema``), ascending."""
        rows = self._run("SELECT version FROM ordercycle_schema ORDER BY version", ())
        return [int(row[0]) for row in rows]

    def record_schema_version(self, version: int, name: str) -> None:
        """Record a schema version as if a newer ``ordercycle`` had migrated the database."""
        self._run("INSERT INTO ordercycle_schema (version, name) VALUES (?, ?)", (version, name))
