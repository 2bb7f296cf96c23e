"""The SQLAlchemy adapter's own refusals (the contract suite covers its behaviour)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
        assert storage.schema_version == len(SQLALCHEMY_MIGRATIONS) == 1
        assert SQLALCHEMY_MIGRATIONS[0].statements == ()  # a callable step, no raw SQL
        assert "sqlite" in repr(storage)
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        versions = list(connection.execute("SELECT version, name FROM ordercycle_schema"))
    assert {"ordercycle_events", "ordercycle_outbox", "ordercycle_writer"} <= tables
    assert versions == [(1, SQLALCHEMY_MIGRATIONS[0].name)]
