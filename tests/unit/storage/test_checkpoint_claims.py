"""``outbox.claim(consumer)``: a checkpoint no other unit of work moves until this one ends."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ordercycle.errors import ConcurrencyError
from ordercycle.storage import (
    ClaimingOutbox,
    MemoryStorage,
    PostgresStorage,
    SQLiteStorage,
    UnitOfWorkError,
    relay,
)
from ordercycle.storage.ports import Storage
from ordercycle.testing.contracts import item_added


def _two_messages(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
        uow.events.append("order", "O-1", [item_added("O-1", 2)], expected_version=1)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A fresh storage of each bundled adapter."""
    dropped: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "memory":
        opened: Storage = MemoryStorage()
    elif request.param == "sqlite":
        opened = SQLiteStorage(tmp_path / "db")
    else:
        import psycopg

        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_claim_{uuid.uuid4().hex[:12]}"
        opened = PostgresStorage(dsn, schema=schema)
        dropped = lambda: _drop(dsn, schema, psycopg)  # noqa: E731
    yield opened
    opened.close()
    dropped()


def _drop(dsn: str, schema: str, psycopg: object) -> None:
    with psycopg.connect(dsn, autocommit=True) as connection:  # type: ignore[attr-defined]
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_every_bundled_outbox_claims_and_reads_the_checkpoint(storage: Storage) -> None:
    _two_messages(storage)
    with storage.unit_of_work() as uow:
        assert isinstance(uow.outbox, ClaimingOutbox)
        assert uow.outbox.claim("mailer") == 0
        uow.outbox.save_checkpoint("mailer", 1)
        assert uow.outbox.claim("mailer") == 1  # its own move is seen
    with storage.unit_of_work() as uow:
        assert isinstance(uow.outbox, ClaimingOutbox)
        assert uow.outbox.claim("mailer") == 1


def test_a_read_only_unit_of_work_cannot_claim(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "db")
    with storage.reading() as uow:
        assert isinstance(uow.outbox, ClaimingOutbox)
        with pytest.raises(UnitOfWorkError, match="read-only"):
            uow.outbox.claim("mailer")
    storage.close()


def test_memory_a_claim_moved_by_another_commit_fails_at_commit() -> None:
    storage = MemoryStorage()
    _two_messages(storage)
    late = storage.unit_of_work().__enter__()
    assert isinstance(late.outbox, ClaimingOutbox)
    assert late.outbox.claim("mailer") == 0
    with storage.unit_of_work() as uow:
        uow.outbox.save_checkpoint("mailer", 2)
    late.outbox.save_checkpoint("mailer", 2)
    with pytest.raises(ConcurrencyError, match="checkpoint of consumer 'mailer'"):
        late.commit()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_claim_waits_for_the_unit_of_work_holding_it(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "sqlite":
        path = tmp_path / "db"
        opener: Callable[[], Storage] = lambda: SQLiteStorage(path)  # noqa: E731
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_claim_{uuid.uuid4().hex[:12]}"
        import psycopg

        request.addfinalizer(lambda: _drop(dsn, schema, psycopg))
        opener = lambda: PostgresStorage(dsn, schema=schema)  # noqa: E731
    first, second = opener(), opener()
    _two_messages(first)
    claimed: list[int] = []
    with first.unit_of_work() as uow:
        assert isinstance(uow.outbox, ClaimingOutbox)
        uow.outbox.claim("mailer")

        def claim() -> None:
            with second.unit_of_work() as other:
                assert isinstance(other.outbox, ClaimingOutbox)
                claimed.append(other.outbox.claim("mailer"))

        thread = threading.Thread(target=claim)
        thread.start()
        time.sleep(0.3)
        assert claimed == []  # waiting for the first unit of work
        uow.outbox.save_checkpoint("mailer", 2)
    thread.join(timeout=30)
    assert claimed == [2]  # and then it sees where the first one left the checkpoint
    first.close()
    second.close()


def test_relay_hands_each_message_to_one_of_two_relays_at_once(tmp_path: Path) -> None:
    path = tmp_path / "db"
    storages = [SQLiteStorage(path), SQLiteStorage(path)]
    _two_messages(storages[0])
    seen: list[int] = []
    barrier = threading.Barrier(2)

    def run(storage: Storage) -> None:
        barrier.wait(timeout=30)
        relay(storage, "mailer", lambda uow, message: seen.append(message.position))

    threads = [threading.Thread(target=run, args=(s,)) for s in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(seen) == [1, 2]
    for storage in storages:
        storage.close()
