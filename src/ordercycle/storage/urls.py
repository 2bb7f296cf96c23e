"""Open any bundled storage adapter from one string: :func:`open_url`.

- ``memory:``: :class:`~ordercycle.storage.memory.MemoryStorage`;
- a file path (``shop.db``, ``/var/shop.db``) or ``sqlite:///shop.db``:
  :class:`~ordercycle.storage.sqlite.SQLiteStorage`;
- ``postgresql://user:pw@host/db``: :class:`~ordercycle.storage.postgres.PostgresStorage`
  (the ``postgres`` extra);
- ``sqlalchemy+DIALECT[+DRIVER]://...``:
  :class:`~ordercycle.storage.sqlalchemy.SQLAlchemyStorage` (the ``sqlalchemy`` extra).

``postgres://`` is taken as ``postgresql://``. After ``sqlalchemy+`` comes an SQLAlchemy
URL: ``sqlalchemy+sqlite:///shop.db``, ``sqlalchemy+postgresql+psycopg://host/db``. As in
SQLAlchemy, ``sqlite:///`` is followed by a relative path and ``sqlite:////`` by an
absolute one. Text without ``SCHEME://`` (other than ``memory:``) is a SQLite file path.

>>> from ordercycle.storage.urls import open_url
>>> storage = open_url("memory:")
>>> type(storage).__name__
'MemoryStorage'
>>> storage.close()
>>> open_url("mysql://localhost/shop")
Traceback (most recent call last):
...
ordercycle.storage.urls.UnknownStorageURLError: Unknown storage URL 'mysql://localhost/shop'; ...
"""

from __future__ import annotations

import os
import re
from typing import Any

from ordercycle.errors import ParseError, ValidationError
from ordercycle.storage.ports import Storage

__all__ = ["STORAGE_URL_FORMS", "UnknownStorageURLError", "open_url"]

#: The forms :func:`open_url` accepts, as its error lists them.
STORAGE_URL_FORMS: tuple[str, ...] = (
    "memory:",
    "a SQLite file path",
    "sqlite:///PATH",
    "postgresql://USER:PASSWORD@HOST/DB",
    "sqlalchemy+DIALECT[+DRIVER]://... (any SQLAlchemy URL)",
)

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")


class UnknownStorageURLError(ParseError):
    """A storage URL has a scheme no adapter opens; ``accepted`` lists the valid forms."""


def _unknown(url: str) -> UnknownStorageURLError:
    shown = url if len(url) <= 80 else url[:77] + "..."
    return UnknownStorageURLError(
        f"Unknown storage URL {shown!r}; expected one of: {'; '.join(STORAGE_URL_FORMS)}.",
        text=url,
        accepted=STORAGE_URL_FORMS,
    )


def open_url(url: str | os.PathLike[str], *, schema: str | None = None, **options: Any) -> Storage:
    """Open the storage a URL names (see the module docstring for the forms).

    Args:
        url: The URL, or a SQLite file path (a string or :class:`os.PathLike`).
        schema: The PostgreSQL schema to keep the tables in (PostgreSQL URLs only, also
            through SQLAlchemy).
        **options: Passed on to the adapter (``busy_timeout=`` for SQLite).

    Returns:
        An open storage; close it (or use it in a ``with`` block) when done.

    Raises:
        UnknownStorageURLError: The URL's scheme is not one of the forms (a
            :class:`~ordercycle.errors.ValidationError`).
        ValidationError: ``schema=`` given for a storage without schemas, or an empty URL.
        MissingDependencyError: The adapter's extra (``postgres``, ``sqlalchemy``) is not
            installed.
    """
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or not url.strip():
        raise ValidationError.invalid("open_url", "url", url, ", ".join(STORAGE_URL_FORMS))
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else None
    if schema is not None and not (
        scheme in ("postgresql", "postgres") or (scheme or "").startswith("sqlalchemy+postgresql")
    ):
        raise ValidationError.invalid("open_url", "schema", schema, "None for this URL")
    if url == "memory:":
        from ordercycle.storage.memory import MemoryStorage

        return MemoryStorage(**options)
    if scheme is None:
        from ordercycle.storage.sqlite import SQLiteStorage

        return SQLiteStorage(url, **options)
    rest = url[len(scheme) + 3 :]
    if scheme == "sqlite":
        from ordercycle.storage.sqlite import SQLiteStorage

        path = rest[1:] if rest.startswith("/") else rest
        if not path or rest[:1] != "/":
            raise ValidationError.invalid(
                "open_url", "url", url, "sqlite:///RELATIVE/PATH or sqlite:////ABSOLUTE/PATH"
            )
        return SQLiteStorage(path, **options)
    if scheme in ("postgresql", "postgres"):
        from ordercycle.storage.postgres import PostgresStorage

        return PostgresStorage(f"postgresql://{rest}", schema=schema, **options)
    if scheme.startswith("sqlalchemy+") and len(scheme) > len("sqlalchemy+"):
        from ordercycle.storage.sqlalchemy import SQLAlchemyStorage

        return SQLAlchemyStorage(url[len("sqlalchemy+") :], schema=schema, **options)
    raise _unknown(url)
