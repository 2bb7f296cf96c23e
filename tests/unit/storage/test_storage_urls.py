"""Every bundled adapter opens from a URL: open_url and OrderDesk.from_url."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordercycle.errors import ValidationError
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.model.ids import RandomIdFactory, SequentialIdFactory
from ordercycle.service import OrderDesk
from ordercycle.storage import (
    MemoryStorage,
    PostgresStorage,
    SQLiteStorage,
    Storage,
    UnknownStorageURLError,
    open_url,
)
from ordercycle.storage.urls import STORAGE_URL_FORMS
from ordercycle.testing.contracts import item_added

needs_sqlalchemy = pytest.mark.skipif(
    importlib.util.find_spec("sqlalchemy") is None, reason="the sqlalchemy extra is not installed"
)


def _round_trip(storage: Storage, opened_again: Storage) -> None:
    """What one storage commits, the other (opened from the same URL) reads."""
    with storage.unit_of_work() as uow:
        uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
    with opened_again.unit_of_work() as uow:
        assert uow.events.load("order", "O-1") == (item_added("O-1", 1),)
    storage.close()
    opened_again.close()


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[tuple[str, str]]:
    import psycopg

    name = f"oc_test_{uuid.uuid4().hex[:16]}"
    try:
        yield postgres_dsn, name
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_memory_opens_a_memory_storage() -> None:
    storage = open_url("memory:")
    assert isinstance(storage, MemoryStorage)
    storage.close()


def test_a_path_or_a_sqlite_url_opens_that_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cases = {
        "plain.db": tmp_path / "plain.db",
        str(tmp_path / "absolute.db"): tmp_path / "absolute.db",
        "sqlite:///relative.db": tmp_path / "relative.db",
        f"sqlite:///{tmp_path / 'four-slashes.db'}": tmp_path / "four-slashes.db",
    }
    for url, path in cases.items():
        storage = open_url(url)
        assert isinstance(storage, SQLiteStorage)
        assert storage.path.resolve() == path
        _round_trip(storage, open_url(url))
    path_like = open_url(tmp_path / "path-like.db", busy_timeout=2)
    assert isinstance(path_like, SQLiteStorage)
    assert path_like.busy_timeout == 2.0
    path_like.close()


@pytest.mark.parametrize(
    "url",
    ["mysql://localhost/shop", "http://example.com/x", "sqlalchemy+://x", "MEMORY://"],
)
def test_an_unknown_scheme_is_refused_listing_the_valid_forms(url: str) -> None:
    with pytest.raises(UnknownStorageURLError) as caught:
        open_url(url)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.text == url
    assert caught.value.accepted == STORAGE_URL_FORMS
    assert all(form in str(caught.value) for form in ("memory:", "sqlite:///", "sqlalchemy+"))


@pytest.mark.parametrize(
    ("url", "schema", "field"),
    [("", None, "url"), ("  ", None, "url"), ("sqlite://", None, "url"), ("x.db", "s", "schema")],
)
def test_malformed_urls_and_misplaced_schemas_are_refused(
    tmp_path: Path, url: str, schema: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        open_url(url, schema=schema)
    assert caught.value.field == field
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_postgresql_url_opens_postgres_storage(pg_schema: tuple[str, str], scheme: str) -> None:
    dsn, name = pg_schema
    url = f"{scheme}://" + dsn.split("://", 1)[1]
    storage = open_url(url, schema=name)
    assert isinstance(storage, PostgresStorage)
    assert storage.schema == name
    _round_trip(storage, open_url(url, schema=name))


@needs_sqlalchemy
def test_a_sqlalchemy_url_opens_the_sqlalchemy_adapter(tmp_path: Path) -> None:
    from ordercycle.storage.sqlalchemy import SQLAlchemyStorage

    url = f"sqlalchemy+sqlite:///{tmp_path / 'shop.db'}"
    storage = open_url(url)
    assert isinstance(storage, SQLAlchemyStorage)
    assert storage.dialect == "sqlite"
    _round_trip(storage, open_url(url))


@needs_sqlalchemy
def test_a_sqlalchemy_postgresql_url_opens_the_sqlalchemy_adapter(
    pg_schema: tuple[str, str],
) -> None:
    from ordercycle.storage.sqlalchemy import SQLAlchemyStorage

    dsn, name = pg_schema
    url = "sqlalchemy+postgresql+psycopg://" + dsn.split("://", 1)[1]
    storage = open_url(url, schema=name)
    assert isinstance(storage, SQLAlchemyStorage)
    assert storage.dialect == "postgresql"
    _round_trip(storage, open_url(url, schema=name))


def test_a_desk_from_a_url_places_and_reads_orders(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    with OrderDesk.from_url(url) as desk:
        assert isinstance(desk.storage, SQLiteStorage)
        assert isinstance(desk.ids, SequentialIdFactory)
        told = order_to_cash_story(desk)
        orders = desk.order_ids()
    with OrderDesk.from_url(tmp_path / "desk.db") as desk:  # the same file, as a path
        assert desk.order_ids() == orders
    assert told[0] == "Customers"
    with pytest.raises(UnknownStorageURLError):
        OrderDesk.from_url("oracle://db/shop")


def test_a_desk_on_a_database_server_gets_random_ids(pg_schema: tuple[str, str]) -> None:
    dsn, name = pg_schema
    with OrderDesk.from_url(dsn, schema=name) as desk:
        assert isinstance(desk.storage, PostgresStorage)
        assert isinstance(desk.ids, RandomIdFactory)


def test_the_story_tells_the_same_on_every_url(tmp_path: Path) -> None:
    in_memory = order_to_cash_story(open_story_desk())
    urls = ["memory:", f"sqlite:///{tmp_path / 'story.db'}"]
    if importlib.util.find_spec("sqlalchemy") is not None:
        urls.append(f"sqlalchemy+sqlite:///{tmp_path / 'story-sqla.db'}")
    for url in urls:
        with open_story_desk(url) as desk:
            assert order_to_cash_story(desk) == in_memory, url


def test_the_story_tells_the_same_on_postgresql(pg_schema: tuple[str, str]) -> None:
    import psycopg

    dsn, name = pg_schema
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    # libpq options in the URL put the tables in the test's schema.
    url = dsn + ("&" if "?" in dsn else "?") + f"options=-csearch_path%3D{name}"
    in_memory = order_to_cash_story(open_story_desk())
    with open_story_desk(url) as desk:
        assert order_to_cash_story(desk) == in_memory
