"""The SQL adapters choose which term of a view query drives the scan (the one with the
fewest rows) and, on PostgreSQL, merge further terms behind a common one: which they do
changes the cost only, never the rows, their order or the pages (issue 17)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordercycle.storage import PostgresStorage, SQLiteStorage, _sql
from ordercycle.storage.ports import Projecting, Storage
from ordercycle.storage.postgres import PostgresUnitOfWork
from ordercycle.storage.views import ViewQuery, ViewRow

STATES = ("placed", "shipped", "paid", "canceled")


@pytest.fixture(params=["sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "sqlite":
        opened: Storage = SQLiteStorage(tmp_path / "views.db")
        yield opened
        opened.close()
        return
    import psycopg

    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"oc_terms_{uuid.uuid4().hex[:12]}"
    opened = PostgresStorage(dsn, schema=schema)
    yield opened
    opened.close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _rows(rng: random.Random) -> list[ViewRow]:
    rows = []
    for i in range(200):
        # Skewed terms: "paid" and channel "web" are common, "canceled" and each customer rare.
        state = rng.choices(STATES, (10, 20, 65, 5))[0]
        rows.append(
            ViewRow(
                view="orders",
                key=f"O-{rng.randrange(10**6):06d}-{i}",
                version=1,
                sort=f"2026-01-{rng.randint(1, 9):02d}",
                terms=(
                    ("state", state),
                    ("channel", rng.choices(("web", "edi"), (80, 20))[0]),
                    ("customer", f"C-{rng.randrange(12)}"),
                ),
                data="{}",
            )
        )
    return rows


def _pages(storage: Storage, query: ViewQuery) -> list[str]:
    keys: list[str] = []
    after = None
    while True:
        with storage.unit_of_work() as uow:
            assert isinstance(uow, Projecting)
            page = uow.projections.find(
                ViewQuery(
                    view=query.view,
                    where=query.where,
                    sort_from=query.sort_from,
                    sort_to=query.sort_to,
                    after=after,
                    limit=query.limit,
                )
            )
        if not page:
            return keys
        keys += [row.key for row in page]
        after = (page[-1].sort, page[-1].key)


@pytest.mark.parametrize(("probe", "merge_from"), [(1024, 512), (3, 0), (3, 10**9)])
def test_every_driving_term_and_plan_gives_the_reference_pages(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, probe: int, merge_from: int
) -> None:
    # Small probes make ties and saturated counts; merge_from 0 always merges (PostgreSQL).
    monkeypatch.setattr(_sql.SqlUnitOfWork, "probe_rows", probe)
    monkeypatch.setattr(PostgresUnitOfWork, "probe_rows", probe)
    monkeypatch.setattr(_sql, "MERGE_FROM", merge_from)
    rng = random.Random(1717)
    rows = _rows(rng)
    with storage.unit_of_work() as uow:
        assert isinstance(uow, Projecting)
        for row in rows:
            uow.projections.put(row)
    for _ in range(12):
        terms = [
            ("state", rng.choice(STATES)),
            ("channel", rng.choice(("web", "edi"))),
            ("customer", f"C-{rng.randrange(12)}"),
        ]
        where = tuple(rng.sample(terms, rng.choice((2, 3))))
        query = ViewQuery(
            view="orders",
            where=where,
            sort_from="2026-01-02" if rng.random() < 0.5 else None,
            sort_to="2026-01-08" if rng.random() < 0.5 else None,
            limit=rng.choice((1, 5, 50)),
        )
        expected = [r.key for r in sorted(rows, key=lambda r: (r.sort, r.key)) if query.admits(r)]
        assert _pages(storage, query) == expected, query


def test_the_rarest_term_drives(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "views.db")
    rows = [
        ViewRow(
            view="orders",
            key=f"O-{i:03d}",
            version=1,
            sort="2026-01-01",
            terms=(("state", "canceled" if i % 50 == 0 else "paid"), ("channel", "web")),
            data="{}",
        )
        for i in range(300)
    ]
    with storage.unit_of_work() as uow:
        assert isinstance(uow, Projecting)
        for row in rows:
            uow.projections.put(row)
    query = ViewQuery(view="orders", where=(("channel", "web"), ("state", "canceled")), limit=10)
    with storage.unit_of_work() as uow:
        assert isinstance(uow, _sql.SqlUnitOfWork)
        terms, driving = uow._most_selective_first(query)
    assert (terms, driving) == ([("state", "canceled"), ("channel", "web")], 6)
    storage.close()
