"""A memory commit skips its per-stream version check only when no stream changed since
its first base was read (``_State.changes``): the outcome equals the full check's.

Units of work interleave appends, commits and forget() calls on a few streams; the same
script runs once as the storage runs it and once with every commit forced down the full
check, and every step must end the same (the same error, or none) and leave the same
streams.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ConcurrencyError
from ordercycle.inventory.events import StockReceived
from ordercycle.storage import MemoryStorage
from ordercycle.storage.memory import ForgottenError, MemoryUnitOfWork

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SKUS = ("A", "B", "C")
UNITS = 3

_step = st.one_of(
    st.tuples(st.just("append"), st.integers(0, UNITS - 1), st.sampled_from(SKUS)),
    st.tuples(st.just("commit"), st.integers(0, UNITS - 1)),
    st.tuples(st.just("forget"), st.sampled_from(SKUS)),
)


def _event(sku: str, version: int) -> StockReceived:
    return StockReceived(
        aggregate_id=sku, version=version, occurred_at=AT, sku=sku, bin="WH-A/01", quantity=1
    )


def _run(script: list[tuple[Any, ...]], *, roundtrip: bool, full: bool) -> list[object]:
    storage = MemoryStorage(roundtrip=roundtrip)
    units: list[MemoryUnitOfWork | None] = [None] * UNITS
    outcomes: list[object] = []
    for step in script:
        try:
            if step[0] == "append":
                _, index, sku = step
                uow = units[index]
                if uow is None:
                    uow = units[index] = storage.unit_of_work()
                    uow.__enter__()
                version = uow.events.version("stock", sku)
                uow.events.append(
                    "stock", sku, [_event(sku, version + 1)], expected_version=version
                )
                if full:
                    uow._changes = -2  # never the storage's count: the full check runs
                outcomes.append(version)
            elif step[0] == "commit":
                uow = units[step[1]]
                units[step[1]] = None
                if uow is not None:
                    uow.commit()
                outcomes.append("committed")
            else:
                storage.forget([("stock", step[1])])
                outcomes.append("forgot")
        except (ConcurrencyError, ForgottenError) as error:
            outcomes.append(f"{type(error).__name__}: {error}")
    with storage.reading() as uow:
        for sku in SKUS:
            try:
                outcomes.append([e.version for e in uow.events.load("stock", sku)])
            except ForgottenError:
                outcomes.append("forgotten")
    return outcomes


@pytest.mark.parametrize("roundtrip", [True, False])
@settings(max_examples=150, deadline=None)
@given(script=st.lists(_step, max_size=24))
def test_a_commit_ends_as_the_full_version_check_ends(
    roundtrip: bool, script: list[tuple[Any, ...]]
) -> None:
    assert _run(script, roundtrip=roundtrip, full=False) == _run(
        script, roundtrip=roundtrip, full=True
    )


def test_a_commit_after_another_unit_committed_checks_its_streams() -> None:
    storage = MemoryStorage()
    units = [storage.unit_of_work() for _ in range(3)]
    for uow in units:
        uow.__enter__()
    units[0].events.append("stock", "A", [_event("A", 1)], expected_version=0)
    units[1].events.append("stock", "B", [_event("B", 1)], expected_version=0)
    units[2].events.append("stock", "A", [_event("A", 1)], expected_version=0)
    units[1].commit()  # another stream: the full check runs and finds A unchanged
    units[0].commit()
    with pytest.raises(ConcurrencyError):
        units[2].commit()  # A moved since its base was read
    with storage.reading() as uow:
        assert [uow.events.version("stock", sku) for sku in "AB"] == [1, 1]


def test_a_stream_forgotten_after_the_append_is_refused_at_the_commit() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "A", [_event("A", 1)], expected_version=0)
    uow = storage.unit_of_work()
    uow.__enter__()
    uow.events.append("stock", "A", [_event("A", 2)], expected_version=1)
    storage.forget([("stock", "A")])
    with pytest.raises(ForgottenError):
        uow.commit()
