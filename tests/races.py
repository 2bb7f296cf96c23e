"""Helpers shared by the tests where OS processes race on one database.

Used by ``tests/unit/service/test_desk_races.py`` and the chaos suite in ``tests/chaos``:
desks opened per worker with their own id prefixes, a fresh PostgreSQL schema, and
forked processes that meet at a barrier.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from ordercycle.model import SteppableClock
from ordercycle.model.ids import DEFAULT_PREFIXES, SequentialIdFactory
from ordercycle.service import OrderDesk
from ordercycle.service.settings import DeskSettings

Opener = Callable[..., OrderDesk]


def clock() -> SteppableClock:
    """The clock every racing desk starts from."""
    return SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))


def ids(worker: int | str) -> SequentialIdFactory:
    """Ids whose prefixes name the worker, so processes never make the same id."""
    return SequentialIdFactory(prefixes={k: f"{v}{worker}" for k, v in DEFAULT_PREFIXES.items()})


def settings(*, dispatch: bool = True) -> DeskSettings:
    """The default settings, with the dispatch after each command on or off."""
    return attrs.evolve(DeskSettings.default(), auto_dispatch=dispatch)


@contextlib.contextmanager
def postgres_schema(dsn: str, prefix: str = "oc_races") -> Iterator[tuple[str, str]]:
    """``(dsn, schema)`` of a fresh PostgreSQL schema name, dropped afterwards."""
    import psycopg

    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
    try:
        yield dsn, schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_opener(dsn: str, schema: str) -> Opener:
    """``opener(worker, *, dispatch=True)``: a desk on the PostgreSQL schema."""

    def opener(worker: int | str, *, dispatch: bool = True) -> OrderDesk:
        return OrderDesk.postgres(
            dsn,
            schema=schema,
            clock=clock(),
            ids=ids(worker),
            settings=settings(dispatch=dispatch),
        )

    return opener


def sqlite_opener(path: Path) -> Opener:
    """``opener(worker, *, dispatch=True)``: a desk on the SQLite file."""

    def opener(worker: int | str, *, dispatch: bool = True) -> OrderDesk:
        return OrderDesk.sqlite(
            path, clock=clock(), ids=ids(worker), settings=settings(dispatch=dispatch)
        )

    return opener


def in_processes(
    work: Callable[[int, Any], Any], processes: int, timeout: float = 120
) -> dict[int, Any]:
    """Run ``work(worker, barrier)`` in forked processes; return each one's value.

    A worker that raises fails the test with the worker's error.
    """
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results = context.Queue()

    def run(worker: int) -> None:
        try:
            results.put((worker, "ok", work(worker, barrier)))
        except BaseException as error:  # reported to the parent, which fails the test
            results.put((worker, "error", f"{type(error).__name__}: {error}"))

    workers = [context.Process(target=run, args=(n,)) for n in range(processes)]
    for process in workers:
        process.start()
    found: dict[int, Any] = {}
    problems = []
    try:
        for _ in workers:
            worker, status, value = results.get(timeout=timeout)
            if status == "ok":
                found[worker] = value
            else:
                problems.append(f"process {worker}: {value}")
    finally:
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():  # pragma: no cover - only when a process hangs
                process.kill()
                process.join()
    assert not problems, "; ".join(problems)
    return found
