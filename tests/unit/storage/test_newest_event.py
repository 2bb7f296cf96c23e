"""``events.newest``: a stream's newest event in one call, as version() then load() give it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.inventory.events import StockReceived
from ordercycle.serialization import to_json
from ordercycle.storage import MemoryStorage, SQLiteStorage, TamperedStreamError
from ordercycle.storage.memory import ForgottenError
from ordercycle.testing.tampering import SqlTampering

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _received(version: int, quantity: int = 5) -> StockReceived:
    return StockReceived(
        aggregate_id="MUG",
        version=version,
        occurred_at=AT,
        sku="MUG",
        bin="WH-A/01",
        quantity=quantity,
    )


@pytest.fixture(params=["memory", "memory-objects", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "sqlite":
        opened = SQLiteStorage(tmp_path / "newest.db")
        yield opened
        opened.close()
    else:
        yield MemoryStorage(roundtrip=request.param == "memory")


def _newest_by_load(uow: object, kind: str, aggregate_id: str) -> object:
    version = uow.events.version(kind, aggregate_id)  # type: ignore[attr-defined]
    if not version:
        return None
    return uow.events.load(kind, aggregate_id, after_version=version - 1)[-1]  # type: ignore[attr-defined]


def test_newest_is_what_version_then_load_give(storage: object) -> None:
    with storage.unit_of_work() as uow:  # type: ignore[attr-defined]
        assert uow.events.newest("stock", "MUG") is None
        uow.events.append("stock", "MUG", [_received(1, 3)], expected_version=0)
        # Staged in this unit of work: seen by it.
        assert uow.events.newest("stock", "MUG") == _received(1, 3)
        uow.events.append("stock", "MUG", [_received(2, 4), _received(3, 7)], expected_version=1)
        assert uow.events.newest("stock", "MUG") == _received(3, 7)
    with storage.reading() as reader:  # type: ignore[attr-defined]
        newest = reader.events.newest("stock", "MUG")
        assert newest == _received(3, 7)
        assert newest == _newest_by_load(reader, "stock", "MUG")
        assert reader.events.newest("stock", "CUP") is None
    with storage.unit_of_work() as uow:  # type: ignore[attr-defined]
        # Committed rows and staged ones after them.
        uow.events.append("stock", "MUG", [_received(4, 1)], expected_version=3)
        assert uow.events.newest("stock", "MUG") == _received(4, 1)
        uow.rollback()
    with storage.reading() as reader:  # type: ignore[attr-defined]
        assert reader.events.newest("stock", "MUG") == _received(3, 7)


@pytest.mark.parametrize(("kind", "aggregate_id"), [("", "MUG"), ("stock", " MUG"), ("stock", 7)])
def test_newest_refuses_a_name_that_is_not_clean_text(
    storage: object, kind: object, aggregate_id: object
) -> None:
    with (
        storage.reading() as reader,  # type: ignore[attr-defined]
        pytest.raises(ValidationError, match="load of"),
    ):
        reader.events.newest(kind, aggregate_id)


def test_newest_outside_a_unit_of_work_is_refused(storage: object) -> None:
    uow = storage.unit_of_work()  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="has not begun"):
        uow.events.newest("stock", "MUG")


def test_kept_objects_that_do_not_continue_the_stream_are_refused_as_a_load_refuses_them() -> None:
    storage = MemoryStorage(roundtrip=False)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received(1), _received(2)], expected_version=0)
    # Swap the newest row's object for another version's (tampering with the kept rows).
    rows = storage._state.streams[("stock", "MUG")]
    rows[-1] = (*rows[-1][:2], attrs.evolve(_received(2), version=1), None)
    with storage.reading() as reader:
        with pytest.raises(TamperedStreamError, match="version 2"):
            reader.events.load("stock", "MUG")
        with pytest.raises(TamperedStreamError, match="version 2"):
            reader.events.newest("stock", "MUG")


def test_newest_of_a_forgotten_stream_is_refused() -> None:
    storage = MemoryStorage(roundtrip=False)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received(1)], expected_version=0)
    storage.forget([("stock", "MUG")])
    with storage.reading() as reader, pytest.raises(ForgottenError):
        reader.events.newest("stock", "MUG")


def _tampered_sqlite(tmp_path: Path, versions: int) -> tuple[SQLiteStorage, SqlTampering]:
    storage = SQLiteStorage(tmp_path / "tampered.db")
    with storage.unit_of_work() as uow:
        uow.events.append(
            "stock", "MUG", [_received(v, v) for v in range(1, versions + 1)], expected_version=0
        )
    return storage, SqlTampering.sqlite(tmp_path / "tampered.db")


@pytest.mark.parametrize(
    "change",
    [
        "edit the newest",
        "delete the one before",
        "swap the last two",
    ],
)
def test_newest_on_sqlite_refuses_a_tampered_stream_as_a_load_refuses_it(
    tmp_path: Path, change: str
) -> None:
    # newest() checks the newest row against the hash of the row before it, read with the
    # version: every change a load after version - 1 refuses, it refuses.
    storage, tampering = _tampered_sqlite(tmp_path, 3)
    if change == "edit the newest":
        tampering.set_event_payload("stock", "MUG", 3, tampering.event_payload("stock", "MUG", 2))
    elif change == "delete the one before":
        tampering.delete_event("stock", "MUG", 2)
    else:
        tampering.swap_events("stock", "MUG", 2, 3)
    refusals = []
    for read in (lambda u: u.events.newest("stock", "MUG"), _newest_by_load_of_mug):
        with storage.reading() as uow, pytest.raises(TamperedStreamError) as error:
            read(uow)
        refusals.append(str(error.value))
    storage.close()
    assert refusals[0] == refusals[1]


def _newest_by_load_of_mug(uow: object) -> object:
    return _newest_by_load(uow, "stock", "MUG")


def test_newest_on_sqlite_refuses_an_edited_first_event(tmp_path: Path) -> None:
    storage, tampering = _tampered_sqlite(tmp_path, 1)
    tampering.set_event_payload("stock", "MUG", 1, to_json(_received(1, 9)))
    with storage.reading() as uow, pytest.raises(TamperedStreamError, match="chained hash"):
        uow.events.newest("stock", "MUG")
    storage.close()
