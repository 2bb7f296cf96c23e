"""A model-based state machine: an adapter behaves like a list of events per stream.

Random sequences of committed appends, stale appends, rolled-back units of work,
commands and checkpoints; after every step the adapter's streams, outbox, commands and
checkpoints equal the model's.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ordercycle.errors import ConcurrencyError
from ordercycle.storage import (
    CommandPayloadMismatchError,
    MemoryStorage,
    SQLiteStorage,
    Storage,
    payload_hash,
)
from ordercycle.testing.contracts import item_added

STREAMS = [("order", "O-1"), ("order", "O-2"), ("stock", "MUG")]
streams = st.sampled_from(STREAMS)


class StorageMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.storage = self.open()
        self.events: dict[tuple[str, str], int] = dict.fromkeys(STREAMS, 0)
        self.outbox: list[tuple[str, str, int]] = []
        self.commands: dict[str, tuple[object, str]] = {}
        self.checkpoint = 0

    def open(self) -> Storage:
        raise NotImplementedError("subclasses open the storage under test")

    def teardown(self) -> None:
        self.storage.close()

    @rule(stream=streams, count=st.integers(1, 3))
    def append(self, stream: tuple[str, str], count: int) -> None:
        kind, aggregate_id = stream
        start = self.events[stream]
        events = [item_added(aggregate_id, start + n, quantity=n) for n in range(1, count + 1)]
        with self.storage.unit_of_work() as uow:
            uow.events.append(kind, aggregate_id, events, expected_version=start)
        self.events[stream] += count
        self.outbox += [(kind, aggregate_id, event.version) for event in events]

    @precondition(lambda self: any(self.events.values()))
    @rule(stream=streams, behind=st.integers(1, 3))
    def stale_append_changes_nothing(self, stream: tuple[str, str], behind: int) -> None:
        kind, aggregate_id = stream
        stale = max(self.events[stream] - behind, 0)
        if stale == self.events[stream]:
            return

        def write_new_order_and_stale_stream() -> None:
            with self.storage.unit_of_work() as uow:
                uow.events.append("order", "O-9", [item_added("O-9", 1)], expected_version=0)
                uow.events.append(
                    kind,
                    aggregate_id,
                    [item_added(aggregate_id, stale + 1)],
                    expected_version=stale,
                )

        with pytest.raises(ConcurrencyError):
            write_new_order_and_stale_stream()

    @rule(stream=streams)
    def rolled_back_append_changes_nothing(self, stream: tuple[str, str]) -> None:
        kind, aggregate_id = stream
        version = self.events[stream]
        with self.storage.unit_of_work() as uow:
            uow.events.append(
                kind,
                aggregate_id,
                [item_added(aggregate_id, version + 1)],
                expected_version=version,
            )
            uow.commands.record("rolled-back", payload_hash(0), None)
            uow.rollback()

    @rule(command=st.sampled_from(["c1", "c2", "c3"]), payload=st.integers(0, 2))
    def run_command(self, command: str, payload: int) -> None:
        digest = payload_hash(payload)
        with self.storage.unit_of_work() as uow:
            if command in self.commands and self.commands[command][1] != digest:
                with pytest.raises(CommandPayloadMismatchError):
                    uow.commands.find(command, digest)
                return
            found = uow.commands.find(command, digest)
            if command in self.commands:
                assert found is not None
                assert found.result == self.commands[command][0]
                return
            assert found is None
            uow.commands.record(command, digest, [command, payload])
        self.commands[command] = ([command, payload], digest)

    @precondition(lambda self: len(self.outbox) > self.checkpoint)
    @rule(data=st.data())
    def consume(self, data: st.DataObject) -> None:
        with self.storage.unit_of_work() as uow:
            pending = uow.outbox.read(after=uow.outbox.checkpoint("machine"))
            upto = data.draw(st.integers(1, len(pending)))
            uow.outbox.save_checkpoint("machine", pending[upto - 1].position)
        self.checkpoint += upto

    @invariant()
    def storage_equals_the_model(self) -> None:
        with self.storage.unit_of_work() as uow:
            for (kind, aggregate_id), version in self.events.items():
                events = uow.events.load(kind, aggregate_id)
                assert [e.version for e in events] == list(range(1, version + 1))
                assert uow.events.version(kind, aggregate_id) == version
            messages = uow.outbox.read(limit=1000)
            assert [(m.kind, m.aggregate_id, m.version) for m in messages] == self.outbox
            checkpoint = uow.outbox.checkpoint("machine")
            assert len([m for m in messages if m.position <= checkpoint]) == self.checkpoint
            assert uow.events.aggregate_ids("order") == tuple(
                sorted(i for (k, i), v in self.events.items() if k == "order" and v)
            )
            assert uow.commands.find("rolled-back", payload_hash(0)) is None


class MemoryMachine(StorageMachine):
    def open(self) -> Storage:
        return MemoryStorage()


class SQLiteMachine(StorageMachine):
    def open(self) -> Storage:
        self.folder = Path(tempfile.mkdtemp(prefix="ordercycle-machine-"))
        return SQLiteStorage(self.folder / "machine.db")

    def teardown(self) -> None:
        super().teardown()
        shutil.rmtree(self.folder, ignore_errors=True)


bounded = settings(max_examples=25, stateful_step_count=15, deadline=None)
TestMemoryStorageMachine = bounded(MemoryMachine).TestCase
TestSQLiteStorageMachine = bounded(SQLiteMachine).TestCase
