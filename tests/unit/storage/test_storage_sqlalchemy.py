"""The SQLAlchemy adapter's own refusals (the contract suite covers its behaviour)."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from ordercycle.errors import MissingDependencyError, ValidationError
from ordercycle.storage.sqlalchemy import SQLALCHEMY_MIGRATIONS, SQLAlchemyStorage


def test_without_sqlalchemy_opening_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)  # an import of it now fails
    with pytest.raises(MissingDependencyError) as caught:
        SQLAlchemyStorage(f"sqlite:///{tmp_path / 'shop.db'}")
    assert (caught.value.package, caught.value.extra) == ("sqlalchemy", "sqlalchemy")
    assert "ordercycle[sqlalchemy]" in str(caught.value)


needs_sqlalchemy = pytest.mark.skipif(
    importlib.util.find_spec("sqlalchemy") is None, reason="the sqlalchemy extra is not installed"
)


@needs_sqlalchemy
@pytest.mark.parametrize(
    ("url", "schema", "field"),
    [
        ("", None, "url"),
        ("not a url", None, "url"),
        ("sqlite://", None, "url"),
        ("sqlite:///:memory:", None, "url"),
        ("sqlite:///{tmp}/shop.db", "shop", "schema"),
        ("postgresql://localhost/shop", "Bad-Name", "schema"),
    ],
)
def test_refused_arguments_name_the_field(
    tmp_path: Path, url: str, schema: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        SQLAlchemyStorage(url.format(tmp=tmp_path), schema=schema)
    assert caught.value.field == field


@needs_sqlalchemy
@pytest.mark.parametrize("timeout", [-1, True, "30"])
def test_a_bad_busy_timeout_is_refused(tmp_path: Path, timeout: object) -> None:
    with pytest.raises(ValidationError) as caught:
        SQLAlchemyStorage(f"sqlite:///{tmp_path / 'shop.db'}", busy_timeout=timeout)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.value) == ("busy_timeout", timeout)


@needs_sqlalchemy
def test_the_tables_come_from_metadata_and_the_version_is_recorded(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "shop.db"
    with SQLAlchemyStorage(f"sqlite:///{path}") as storage:
        assert storage.schema_version == len(SQLALCHEMY_MIGRATIONS) == 2
        # callable steps, no raw SQL
        assert all(step.statements == () for step in SQLALCHEMY_MIGRATIONS)
        assert "sqlite" in repr(storage)
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        versions = list(connection.execute("SELECT version, name FROM ordercycle_schema"))
    assert {
        "ordercycle_events",
        "ordercycle_outbox",
        "ordercycle_writer",
        "ordercycle_view_rows",
        "ordercycle_view_terms",
    } <= tables
    assert {"ordercycle_view_rows_sort", "ordercycle_view_terms_key"} <= tables  # indexes
    assert versions == [(step.version, step.name) for step in SQLALCHEMY_MIGRATIONS]


@needs_sqlalchemy
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_story_desk_lists_orders_and_prints_a_statement(
    request: pytest.FixtureRequest, tmp_path: Path, dialect: str
) -> None:
    """The read models work through SQLAlchemy: listings and statements as in memory."""
    from datetime import date

    from ordercycle.examples.story import open_story_desk, order_to_cash_story

    in_memory = open_story_desk()
    told = order_to_cash_story(in_memory)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    if dialect == "sqlite":
        url = f"sqlalchemy+sqlite:///{tmp_path / 'story.db'}"
        _check_story_desk(url, in_memory, told, year)
        return
    import psycopg

    dsn: str = request.getfixturevalue("postgres_dsn")
    name = f"oc_test_{uuid.uuid4().hex[:16]}"
    # libpq options in the URL put the tables in the test's schema.
    url = "sqlalchemy+postgresql+psycopg://" + dsn.split("://", 1)[1]
    url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{name}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    try:
        _check_story_desk(url, in_memory, told, year)
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _check_story_desk(url: str, in_memory: Any, told: list[str], year: tuple[Any, Any]) -> None:
    from ordercycle.examples.story import open_story_desk, order_to_cash_story

    with open_story_desk(url) as desk:
        assert isinstance(desk.storage, SQLAlchemyStorage)
        assert order_to_cash_story(desk) == told
        listed = desk.orders(limit=500).items
        assert sorted(o.order_id for o in listed) == sorted(desk.order_ids())
        assert len(listed) > 2
        assert listed == tuple(sorted(listed, key=lambda o: (o.placed_at, o.order_id)))
        assert listed == in_memory.orders(limit=500).items
        # Paged two at a time, filtered by customer: the same rows, in the same order.
        pages: list[Any] = []
        after = None
        while True:
            page = desk.orders(customer_id="C-ACME", limit=2, after=after)
            pages += page.items
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert pages == [o for o in listed if o.customer_id == "C-ACME"] != []
        assert desk.invoice_listings(limit=500).items == in_memory.invoice_listings(limit=500).items
        statement = desk.statement("C-ACME", *year)
        assert statement.entries
        assert str(statement) == str(in_memory.statement("C-ACME", *year))


@needs_sqlalchemy
def test_a_database_of_schema_1_gains_the_read_models_and_lists_its_orders(
    tmp_path: Path,
) -> None:
    """A database written before step 2 migrates on open; the first listing fills the views."""
    import sqlite3
    from datetime import date

    from ordercycle.examples.story import open_story_desk, order_to_cash_story

    path = tmp_path / "old.db"
    url = f"sqlalchemy+sqlite:///{path}"
    with open_story_desk(url) as desk:
        order_to_cash_story(desk)
        listed = desk.orders(limit=500).items
    # What schema 1 left behind: the same tables of step 1, no read models.
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM ordercycle_schema WHERE version = 2")
        connection.execute("DROP TABLE ordercycle_view_terms")
        connection.execute("DROP TABLE ordercycle_view_rows")
    with SQLAlchemyStorage(f"sqlite:///{path}", migrate_upto=1) as old:
        assert old.schema_version == 1
    with open_story_desk(url) as desk:
        assert desk.storage.schema_version == 2
        with desk.storage.reading() as uow:
            assert uow.projections.get("orders", listed[0].order_id) is None
        assert desk.orders(limit=500).items == listed
        assert desk.statement("C-ACME", date(2026, 1, 1), date(2026, 12, 31)).entries
