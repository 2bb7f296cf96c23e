"""A read-model row whose terms did not change is rewritten with one statement.

The SQL adapters remember which terms they wrote last for a row (a hint, never trusted):
when a new version of the row has the same terms and sort key, one ``UPDATE`` writes it
if the stored row still has them; otherwise (another writer changed them, a newer version
is stored) the row and its terms are written in full, as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordercycle.storage import SQLiteStorage
from ordercycle.storage.views import ViewQuery, ViewRow


class _Counting:
    def __init__(self, raw: Any, calls: list[str]) -> None:
        self.raw = raw
        self.calls = calls

    def execute(self, sql: str, params: Any = ()) -> Any:
        self.calls.append(sql.split()[0])
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        self.calls.append(sql.split()[0])
        return self.raw.executemany(sql, rows)

    def close(self) -> None:
        self.raw.close()


#: The statements each test's storage ran, by their first word.
CALLS: list[str] = []


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[SQLiteStorage]:
    opened = SQLiteStorage(tmp_path / "rows.db")
    CALLS.clear()
    connect = opened._pool._connect
    opened._pool._connect = lambda: _Counting(connect(), CALLS)  # type: ignore[method-assign]
    yield opened
    opened.close()


def _row(version: int, state: str, data: str = "{}") -> ViewRow:
    return ViewRow(
        view="orders",
        key="O-1",
        version=version,
        sort="2026-01-02",
        terms=(("customer", "C-1"), ("state", state)),
        data=data,
    )


def _put(storage: SQLiteStorage, row: ViewRow) -> tuple[bool, list[str]]:
    start = len(CALLS)
    with storage.unit_of_work() as uow:
        stored = uow.projections.put(row)
    return stored, [c for c in CALLS[start:] if c not in ("BEGIN", "COMMIT")]


def _found(storage: SQLiteStorage, field: str, value: str) -> list[tuple[str, int, str]]:
    with storage.reading() as uow:
        rows = uow.projections.find(ViewQuery(view="orders", where=((field, value),)))
    return [(r.key, r.version, r.data) for r in rows]


def test_a_new_version_with_the_same_terms_is_one_update(storage: SQLiteStorage) -> None:
    # A new row (an early version this process has not written): the row, then its terms.
    assert _put(storage, _row(1, "placed")) == (True, ["INSERT", "INSERT"])
    assert _put(storage, _row(2, "placed", '{"n": 2}')) == (True, ["UPDATE"])
    assert _found(storage, "state", "placed") == [("O-1", 2, '{"n": 2}')]
    assert _found(storage, "customer", "C-1") == [("O-1", 2, '{"n": 2}')]


def test_changed_terms_are_written_in_full(storage: SQLiteStorage) -> None:
    _put(storage, _row(1, "placed"))
    assert _put(storage, _row(2, "shipped")) == (True, ["INSERT", "DELETE", "INSERT"])
    assert _found(storage, "state", "placed") == []
    assert _found(storage, "state", "shipped") == [("O-1", 2, "{}")]


def test_an_older_version_is_not_kept_by_either_write(storage: SQLiteStorage) -> None:
    _put(storage, _row(1, "placed"))
    _put(storage, _row(3, "placed", '{"n": 3}'))
    stored, _calls = _put(storage, _row(2, "placed", '{"n": 2}'))
    assert stored is False
    assert _found(storage, "state", "placed") == [("O-1", 3, '{"n": 3}')]


def test_terms_changed_by_another_writer_are_not_taken_for_the_remembered_ones(
    storage: SQLiteStorage,
) -> None:
    _put(storage, _row(1, "placed"))
    # Another process (not this one's memory of the row) moves the row on to "shipped".
    other = sqlite3.connect(storage.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "UPDATE ordercycle_view_rows SET version = 2, terms = ? WHERE row_key = 'O-1'",
        ('[["customer", "C-1"], ["state", "shipped"]]',),
    )
    other.execute(
        "UPDATE ordercycle_view_terms SET value = 'shipped' WHERE row_key = 'O-1'"
        " AND field = 'state'"
    )
    other.execute("COMMIT")
    other.close()
    assert _found(storage, "state", "shipped") == [("O-1", 2, "{}")]
    stored, calls = _put(storage, _row(3, "placed", '{"n": 3}'))
    assert stored is True
    assert calls == ["UPDATE", "INSERT", "DELETE", "INSERT"]  # tried, then written in full
    assert _found(storage, "state", "shipped") == []
    assert _found(storage, "state", "placed") == [("O-1", 3, '{"n": 3}')]


def test_an_early_version_of_a_row_written_elsewhere_is_written_in_full(
    storage: SQLiteStorage,
) -> None:
    # Another process (whose writes this one does not remember) stored the row first: the
    # insert meant for a new row does nothing, and the row and its terms are written in full.
    other = sqlite3.connect(storage.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO ordercycle_view_rows (view_name, row_key, version, sort_key, terms, data)"
        " VALUES ('orders', 'O-1', 1, '2026-01-02', ?, '{}')",
        ('[["customer", "C-1"], ["state", "shipped"]]',),
    )
    other.execute(
        "INSERT INTO ordercycle_view_terms (view_name, field, value, sort_key, row_key) VALUES"
        " ('orders', 'customer', 'C-1', '2026-01-02', 'O-1'),"
        " ('orders', 'state', 'shipped', '2026-01-02', 'O-1')"
    )
    other.execute("COMMIT")
    other.close()
    assert _found(storage, "state", "shipped") == [("O-1", 1, "{}")]
    stored, calls = _put(storage, _row(2, "placed", '{"n": 2}'))
    assert stored is True
    assert calls == ["INSERT", "INSERT", "DELETE", "INSERT"]
    assert _found(storage, "state", "shipped") == []
    assert _found(storage, "state", "placed") == [("O-1", 2, '{"n": 2}')]


def test_a_later_version_of_a_row_not_written_here_is_not_taken_for_a_new_row(
    storage: SQLiteStorage,
) -> None:
    assert _put(storage, _row(3, "placed")) == (True, ["INSERT", "DELETE", "INSERT"])
    assert _found(storage, "state", "placed") == [("O-1", 3, "{}")]
