"""The contract suite proves its own strength: it catches every deliberately broken adapter.

Each mutant of ``tests/contract/mutants.py`` breaks one promise of the storage ports. The
contract classes that apply to it run against it (test by test, a fresh storage each,
stopping at the first failure); the mutant must fail at least one of them. Locks are
short (SQLite waits 1 s for a lock), so a broken lock costs a second, not a timeout.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.contract.mutants import MUTANTS, Mutant

from ordercycle.testing import contracts

#: Seconds a SQLite writer of a mutant's database waits for the write lock (see _opened).
BUSY_TIMEOUT = 3.0

#: The mutations of issue 18's table (the suite must catch at least these).
ISSUE_MUTANTS = {
    "memory-no-version-check-at-commit",
    "memory-empty-append-not-rechecked",
    "memory-command-not-checked-at-commit",
    "memory-latest-ignores-own-snapshot",
    "memory-own-events-first",
    "memory-partial-commit",
    "memory-outbox-not-written",
    "memory-outbox-written-twice",
    "memory-lost-last-event",
    "sqlite-no-kind-filter",
    "memory-writable-reader",
    "sqlite-reader-takes-write-lock",
    "sqlite-migrations-not-recorded",
    "sqlite-deferred-writers",
    "sqlite-commit-on-exception",
}


def _cases(cls: type, only: tuple[str, ...]) -> Iterator[tuple[str, Callable[..., Any], dict]]:
    """``(name, function, parameters)`` of each test a contract class defines, in order,
    with its ``pytest.mark.parametrize`` cases expanded."""
    for name, function in vars(cls).items():
        if not name.startswith("test_") or (only and name not in only):
            continue
        cases: list[dict[str, Any]] = [{}]
        for mark in getattr(function, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names, values = mark.args[0], mark.args[1]
            if isinstance(names, str):
                names = [part.strip() for part in names.split(",")]
            cases = [
                {**case, **dict(zip(names, value if len(names) > 1 else [value], strict=True))}
                for case in cases
                for value in values
            ]
        for case in cases:
            yield name, function, case


@contextlib.contextmanager
def _opened(mutant: Mutant, dsn: str | None) -> Iterator[tuple[Any, Callable[[], Any]]]:
    """A fresh storage of the mutant, and a picklable opener of the same database."""
    if mutant.adapter == "memory":
        storage = mutant.storage()
        yield storage, lambda: storage
        storage.close()
        return
    # A writer waits BUSY_TIMEOUT for the lock: long enough for the unbroken adapter on a
    # loaded machine (1 s was not, once), short enough that a mutant's blocked writer fails
    # the contract quickly.
    if mutant.adapter == "sqlite":
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
            opener = functools.partial(
                mutant.storage, Path(folder) / "mutant.db", busy_timeout=BUSY_TIMEOUT
            )
            storage = opener()
            try:
                yield storage, opener
            finally:
                storage.close()
        return
    if mutant.adapter == "sqlalchemy-sqlite":
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
            opener = functools.partial(
                mutant.storage, f"sqlite:///{Path(folder) / 'mutant.db'}", busy_timeout=BUSY_TIMEOUT
            )
            storage = opener()
            try:
                yield storage, opener
            finally:
                storage.close()
        return
    import psycopg

    assert dsn is not None
    schema = f"oc_mutant_{uuid.uuid4().hex[:12]}"
    url = dsn
    if mutant.adapter == "sqlalchemy-postgres":
        url = "postgresql+psycopg://" + dsn.split("://", 1)[1]
    opener = functools.partial(mutant.storage, url, schema=schema)
    storage = opener()
    try:
        yield storage, opener
    finally:
        storage.close()
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def first_failure(
    mutant: Mutant, module: ModuleType = contracts, dsn: str | None = None
) -> str | None:
    """Run the contract classes that apply to ``mutant`` (those ``module`` has); return
    the first test that fails against it, or ``None`` if the mutant survives."""
    for class_name in mutant.contracts:
        cls = getattr(module, class_name, None)
        if cls is None:
            continue
        for name, function, case in _cases(cls, mutant.tests):
            with _opened(mutant, dsn) as (storage, opener):
                takes = inspect.signature(function).parameters
                fixture = "storage_opener" if "storage_opener" in takes else "storage"
                argument = opener if fixture == "storage_opener" else storage
                contract = cls()
                if mutant.adapter == "memory":
                    # Staged writes never block: waiting longer costs nothing unless the
                    # machine is slow, and then it keeps the interleaving it means to test.
                    contract.blocked_after = 5.0
                try:
                    function(contract, **{fixture: argument}, **case)
                except (Exception, pytest.fail.Exception) as error:
                    return f"{class_name}.{name}{case or ''}: {type(error).__name__}"
    return None


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.name for mutant in MUTANTS])
def test_the_contract_suite_catches_the_mutant(
    mutant: Mutant, request: pytest.FixtureRequest
) -> None:
    if mutant.adapter.startswith("sqlalchemy"):
        pytest.importorskip("sqlalchemy", reason="the sqlalchemy extra is not installed")
    postgres = mutant.adapter.endswith("postgres")
    dsn = request.getfixturevalue("postgres_dsn") if postgres else None
    assert first_failure(mutant, dsn=dsn) is not None, (
        f"the contract suite passes against {mutant.name}: {mutant.promise}"
    )


def test_every_mutation_of_the_issue_is_kept() -> None:
    names = [mutant.name for mutant in MUTANTS]
    assert len(names) == len(set(names))
    assert set(names) >= ISSUE_MUTANTS
    for mutant in MUTANTS:
        for class_name in mutant.contracts:
            assert hasattr(contracts, class_name), class_name


def test_the_unbroken_adapters_pass_what_the_mutants_fail() -> None:
    """The harness itself: the real memory and SQLite adapters pass the same runs."""
    from ordercycle.storage import MemoryStorage, SQLiteStorage

    for adapter, storage in (("memory", MemoryStorage), ("sqlite", SQLiteStorage)):
        plain = Mutant(
            f"plain-{adapter}", adapter, storage, ("ReadingContract", "SnapshotContract")
        )
        assert first_failure(plain) is None


@pytest.mark.parametrize("adapter", ["sqlalchemy-sqlite", "sqlalchemy-postgres"])
def test_the_unbroken_sqlalchemy_adapter_passes_what_its_mutants_fail(
    adapter: str, request: pytest.FixtureRequest
) -> None:
    """The SQLAlchemy mutants are caught by their mutation, not by the harness."""
    pytest.importorskip("sqlalchemy", reason="the sqlalchemy extra is not installed")
    from ordercycle.storage.sqlalchemy import SQLAlchemyStorage

    dsn = request.getfixturevalue("postgres_dsn") if adapter.endswith("postgres") else None
    contracts_run = {m.contracts for m in MUTANTS if m.adapter == adapter}
    assert contracts_run  # every SQLAlchemy mutant's contracts, run on the real adapter
    for classes in contracts_run:
        plain = Mutant(f"plain-{adapter}", adapter, SQLAlchemyStorage, classes)
        assert first_failure(plain, dsn=dsn) is None
