"""run_once (idempotent commands) and relay (at-least-once outbox delivery)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordercycle.errors import ConcurrencyError, ValidationError
from ordercycle.storage import (
    CommandPayloadMismatchError,
    MemoryStorage,
    OutboxMessage,
    SQLiteStorage,
    Storage,
    UnitOfWork,
    payload_hash,
    relay,
    run_once,
)
from ordercycle.testing.contracts import item_added


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "memory":
        return MemoryStorage()
    return SQLiteStorage(tmp_path / "helpers.db")


def place_order(uow: UnitOfWork) -> object:
    uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
    return ("O-1", 1)


def test_a_command_runs_once_and_repeats_return_the_stored_result(storage: Storage) -> None:
    assert run_once(storage, "cmd-1", {"sku": "MUG"}, place_order) == ["O-1", 1]
    assert run_once(storage, "cmd-1", {"sku": "MUG"}, place_order) == ["O-1", 1]
    with storage.unit_of_work() as uow:
        assert uow.events.version("order", "O-1") == 1


def test_a_reused_command_id_with_another_payload_runs_nothing(storage: Storage) -> None:
    run_once(storage, "cmd-1", {"sku": "MUG"}, place_order)
    calls: list[int] = []
    with pytest.raises(CommandPayloadMismatchError, match="cmd-1"):
        run_once(storage, "cmd-1", {"sku": "TEA"}, lambda uow: calls.append(1))
    assert calls == []


def test_a_failing_command_records_nothing(storage: Storage) -> None:
    def stale(uow: UnitOfWork) -> object:
        uow.events.append("order", "O-2", [item_added("O-2", 1)], expected_version=0)
        uow.events.append("order", "O-1", [item_added("O-1", 3)], expected_version=2)
        return None

    place_order_once = run_once(storage, "cmd-0", 0, place_order)
    assert place_order_once == ["O-1", 1]
    with pytest.raises(ConcurrencyError, match="order 'O-1'"):
        run_once(storage, "cmd-1", 1, stale)
    with storage.unit_of_work() as uow:
        assert uow.commands.find("cmd-1", payload_hash(1)) is None
        assert uow.events.version("order", "O-2") == 0


def test_a_command_recorded_concurrently_returns_the_winners_result() -> None:
    storage = MemoryStorage()

    def racing(uow: UnitOfWork) -> object:
        with storage.unit_of_work() as other:  # another worker finishes first
            other.commands.record("cmd-1", payload_hash("p"), "winner")
        return "loser"

    assert run_once(storage, "cmd-1", "p", racing) == "winner"


def test_relay_delivers_every_message_in_order_in_batches(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append(
            "order", "O-1", [item_added("O-1", n) for n in (1, 2, 3)], expected_version=0
        )
        uow.events.append(
            "order", "O-2", [item_added("O-2", 1), item_added("O-2", 2)], expected_version=0
        )
    seen: list[tuple[str, int]] = []
    assert (
        relay(storage, "audit", lambda uow, m: seen.append((m.aggregate_id, m.version)), batch=2)
        == 5
    )
    assert seen == [("O-1", 1), ("O-1", 2), ("O-1", 3), ("O-2", 1), ("O-2", 2)]
    assert relay(storage, "audit", lambda uow, m: seen.append(("again", 0))) == 0


def test_a_failing_handler_gets_the_batch_again(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append(
            "order", "O-1", [item_added("O-1", 1), item_added("O-1", 2)], expected_version=0
        )
    delivered: list[int] = []

    def flaky(uow: UnitOfWork, message: OutboxMessage) -> None:
        delivered.append(message.version)
        uow.events.append(
            "mail",
            f"M-{message.version}",
            [item_added(f"M-{message.version}", 1)],
            expected_version=0,
        )
        if message.version == 2 and delivered.count(2) == 1:
            raise RuntimeError("mail server down")

    with pytest.raises(RuntimeError, match="mail server down"):
        relay(storage, "mailer", flaky)
    with storage.unit_of_work() as uow:
        assert uow.outbox.checkpoint("mailer") == 0
        assert uow.events.aggregate_ids("mail") == ()  # the handler's writes rolled back too
    assert relay(storage, "mailer", flaky) == 2
    assert delivered == [1, 2, 1, 2]
    with storage.unit_of_work() as uow:
        assert uow.events.aggregate_ids("mail") == ("M-1", "M-2")


def test_relay_refuses_bad_arguments(storage: Storage) -> None:
    with pytest.raises(ValidationError, match="consumer"):
        relay(storage, "", lambda uow, m: None)
    with pytest.raises(ValidationError, match="batch"):
        relay(storage, "audit", lambda uow, m: None, batch=0)


class _RaceAtCommit:
    """A storage whose first commit loses a race: another worker records the command."""

    def __init__(self) -> None:
        self.inner = MemoryStorage()
        self.raced = False

    def unit_of_work(self) -> UnitOfWork:
        uow = self.inner.unit_of_work()
        outer = self

        class Racing(type(uow)):  # type: ignore[misc]
            def _tx_commit(self) -> None:
                if not outer.raced:
                    outer.raced = True
                    with outer.inner.unit_of_work() as other:
                        other.commands.record("cmd-1", payload_hash("p"), "winner")
                super()._tx_commit()

        uow.__class__ = Racing
        return uow

    def close(self) -> None:
        self.inner.close()


def test_a_command_that_loses_the_race_at_commit_returns_the_winners_result() -> None:
    storage = _RaceAtCommit()
    assert run_once(storage, "cmd-1", "p", place_order) == "winner"
    with storage.inner.unit_of_work() as uow:
        assert uow.events.version("order", "O-1") == 0  # the loser's writes were undone


def test_a_snapshot_payload_the_library_wrote_is_not_parsed_again_and_others_are(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ordercycle.storage import Snapshot, _unit
    from ordercycle.storage.records import canonical_json, is_written_json

    written = canonical_json({"state": "open", "lines": [1, 2]})
    assert is_written_json(written)
    assert not is_written_json('{"lines":[1,2],"state":"open"} ')
    parsed: list[str] = []
    real_loads = _unit.json.loads

    def loads(text: str) -> object:
        parsed.append(text)
        return real_loads(text)

    monkeypatch.setattr(_unit.json, "loads", loads)
    with storage.unit_of_work() as uow:
        uow.events.append("item", "I-1", [item_added("I-1", 1)], expected_version=0)
        uow.snapshots.save(Snapshot(kind="item", aggregate_id="I-1", version=1, payload=written))
        other = '{"state": "open"}'
        uow.snapshots.save(Snapshot(kind="item", aggregate_id="I-1", version=1, payload=other))
        with pytest.raises(ValidationError, match="payload"):
            uow.snapshots.save(
                Snapshot(kind="item", aggregate_id="I-1", version=1, payload="{not json")
            )
    assert parsed == [other, "{not json"]
