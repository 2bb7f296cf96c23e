"""The storage adapter contract suite, shipped so integrators can prove their adapter.

Every adapter of :mod:`ordercycle.storage` (memory, SQLite, PostgreSQL, and yours) must
pass the same tests. They are plain pytest classes with an abstract fixture: subclass
one in a test module whose name pytest collects, give the subclass a name starting with
``Test``, and provide the fixture. That fixture is the integrator's hook:

.. code-block:: python

    import pytest
    from ordercycle.testing.contracts import StorageContract
    from my_package import MyStorage

    class TestMyStorage(StorageContract):
        @pytest.fixture
        def storage(self):
            storage = MyStorage(...)  # a fresh, empty database for every test
            yield storage
            storage.close()

:class:`StorageContract` gathers every single-process contract (round trips, version
conflicts, atomic commit and rollback, snapshots, idempotent command ids, outbox order
and checkpoints, threads racing for one stream and for scarce stock, and
:class:`InterleavingContract`: two units of work open at once, whose conflicts must be
caught at commit whether the adapter stages writes or makes writers wait, and
:class:`ReadYourWritesContract`: a unit of work reads its own writes after the committed
ones).
:class:`ProcessConcurrencyContract` adds OS processes racing on one database; it needs a
``storage_opener`` fixture instead: a picklable callable with no arguments that opens
the same database in another process (``functools.partial(MyStorage, url)``);
:class:`ReopenContract` takes the same hook and checks that committed data survives
closing and opening again; :class:`SchemaContract` takes it too and checks the recorded
schema version and that a database with a newer schema is refused untouched.

:meth:`~AggregateStoreContract.test_every_domain_event_type_round_trips` also stores the
library's real domain events, at least one of every type (built by
:func:`ordercycle.testing.domain_events.sample_streams`), and checks they come back equal,
in order, with their versions, and with the exact type of every value.

The events the contracts write are defined here (:class:`ContractItemAdded`,
:class:`ContractStockReceived`, :class:`ContractStockReserved`), so an adapter is tested
with events that carry text, integers, money and timestamps.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from ordercycle.errors import ConcurrencyError, SerializationError, ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.money import Money
from ordercycle.storage.errors import (
    CommandAlreadyRecordedError,
    CommandConflictError,
    CommandPayloadMismatchError,
    EventSequenceError,
    InvalidCheckpointError,
    SchemaVersionError,
    StreamConflictError,
    TamperedStreamError,
    UnitOfWorkError,
)
from ordercycle.storage.ports import (
    AggregateStore,
    CommandLog,
    Outbox,
    Reading,
    SnapshotStore,
    Storage,
    UnitOfWork,
)
from ordercycle.storage.records import Snapshot, payload_hash
from ordercycle.testing._fixtures import StorageFixture
from ordercycle.testing.domain_events import NOT_SAMPLED, domain_event_types, sample_streams
from ordercycle.testing.tampering import SqlTampering, Tampering
from ordercycle.testing.view_contract import ProjectionsContract

__all__ = [
    "AggregateStoreContract",
    "CommandLogContract",
    "ContractItemAdded",
    "ContractStockReceived",
    "ContractStockReserved",
    "InterleavingContract",
    "OpenerFixture",
    "OutboxContract",
    "ProcessConcurrencyContract",
    "ProjectionsContract",
    "ReadYourWritesContract",
    "ReadingContract",
    "ReopenContract",
    "SchemaContract",
    "SnapshotContract",
    "StorageContract",
    "StorageFixture",
    "StreamContinuityContract",
    "TamperEvidenceContract",
    "ThreadConcurrencyContract",
    "UnitOfWorkContract",
    "item_added",
]

_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@attrs.frozen(kw_only=True)
class ContractItemAdded(DomainEvent):
    """A contract test event: an item was added to a cart-like aggregate."""

    event_type = "ordercycle.contract.ItemAdded"

    sku: str
    quantity: int
    price: Money


@attrs.frozen(kw_only=True)
class ContractStockReceived(DomainEvent):
    """A contract test event: units of a sku arrived (the first event of a stock stream)."""

    event_type = "ordercycle.contract.StockReceived"

    quantity: int


@attrs.frozen(kw_only=True)
class ContractStockReserved(DomainEvent):
    """A contract test event: one worker reserved units of a stock stream."""

    event_type = "ordercycle.contract.StockReserved"

    quantity: int
    worker: int
    attempt: int


def item_added(
    aggregate_id: str, version: int, *, sku: str = "MUG", quantity: int = 1, price: str = "9.99"
) -> ContractItemAdded:
    """Build a :class:`ContractItemAdded` at a given version (a helper for the contracts)."""
    return ContractItemAdded(
        aggregate_id=aggregate_id,
        version=version,
        occurred_at=_EPOCH + timedelta(minutes=version),
        sku=sku,
        quantity=quantity,
        price=Money(price, "USD"),
    )


def _items(aggregate_id: str, first: int, count: int) -> list[ContractItemAdded]:
    return [
        item_added(aggregate_id, version, sku=f"SKU-{version}", quantity=version)
        for version in range(first, first + count)
    ]


def _write(storage: Storage, kind: str, aggregate_id: str, count: int) -> None:
    with storage.unit_of_work() as uow:
        start = uow.events.version(kind, aggregate_id)
        uow.events.append(
            kind, aggregate_id, _items(aggregate_id, start + 1, count), expected_version=start
        )


def _last_position(storage: Storage) -> int:
    """The outbox's last position now (positions grow, not necessarily by one)."""
    with storage.unit_of_work() as uow:
        return uow.outbox.last_position()


def _store_samples(storage: Storage) -> list[tuple[DomainEvent, ...]]:
    """Append every sample stream in one unit of work; load each back in the next."""
    streams = sample_streams()
    with storage.unit_of_work() as uow:
        for kind, aggregate_id, events in streams:
            appended = uow.events.append(kind, aggregate_id, events, expected_version=0)
            assert appended == len(events)
    with storage.unit_of_work() as uow:
        return [uow.events.load(kind, aggregate_id) for kind, aggregate_id, _ in streams]


def _differences(where: str, path: str, original: Any, loaded: Any) -> Iterator[tuple[str, str]]:
    """``(field path, description)`` wherever ``loaded`` is not an exact copy of
    ``original`` (type and ``repr``), field by field through attrs classes (fields
    compared by ``==``) and tuples."""
    at = f"{where}{path}"
    if type(original) is not type(loaded):
        yield path.lstrip("."), f"{at}: {original!r} came back as {loaded!r}"
    elif attrs.has(type(original)):
        for field in attrs.fields(type(original)):
            if not field.eq:  # a cache, not part of the value
                continue
            yield from _differences(
                where,
                f"{path}.{field.name}",
                getattr(original, field.name),
                getattr(loaded, field.name),
            )
    elif isinstance(original, tuple) and len(original) == len(loaded):
        for index, (left, right) in enumerate(zip(original, loaded, strict=True)):
            yield from _differences(where, f"{path}[{index}]", left, right)
    elif repr(original) != repr(loaded):
        yield path.lstrip("."), f"{at}: {original!r} came back as {loaded!r}"


def _conflict(
    error: BaseException, kind: str, aggregate_id: str, expected: int, actual: int
) -> None:
    """Check a :class:`StreamConflictError` by its attributes (not its wording)."""
    assert isinstance(error, StreamConflictError), repr(error)
    found = (error.kind, error.aggregate_id, error.expected_version, error.actual_version)
    assert found == (kind, aggregate_id, expected, actual), f"{found} in {error!r}"


_ANY = object()


@contextlib.contextmanager
def _refused(
    field: str, value: object = _ANY, *, error: type[ValidationError] = ValidationError
) -> Iterator[None]:
    """Expect ``error`` naming ``field`` (and ``value``) in its attributes."""
    with pytest.raises(error) as caught:
        yield
    assert caught.value.field == field, f"field {caught.value.field!r} of {caught.value!r}"
    if value is not _ANY:
        assert caught.value.value == value, f"value {caught.value.value!r} of {caught.value!r}"
        assert type(caught.value.value) is type(value), repr(caught.value)


@contextlib.contextmanager
def _unusable(reason: str) -> Iterator[None]:
    """Expect :class:`UnitOfWorkError` with ``reason``."""
    with pytest.raises(UnitOfWorkError) as caught:
        yield
    assert caught.value.reason == reason, f"reason {caught.value.reason!r} of {caught.value!r}"


# --- aggregate streams --------------------------------------------------------------------


class AggregateStoreContract(StorageFixture):
    """Round trips, versions and version conflicts of event streams."""

    def test_a_new_stream_has_version_zero_and_no_events(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 0
            assert uow.events.load("order", "O-1") == ()
            assert uow.events.aggregate_ids("order") == ()

    def test_appended_events_load_back_equal_and_in_order(self, storage: Storage) -> None:
        events = _items("O-1", 1, 3)
        with storage.unit_of_work() as uow:
            assert uow.events.append("order", "O-1", events, expected_version=0) == 3
        with storage.unit_of_work() as uow:
            loaded = uow.events.load("order", "O-1")
            assert loaded == tuple(events)
            assert [type(event) for event in loaded] == [ContractItemAdded] * 3
            assert isinstance(loaded[2], ContractItemAdded)
            assert loaded[2].price == Money("9.99", "USD")
            assert uow.events.version("order", "O-1") == 3

    def test_every_contract_event_type_round_trips(self, storage: Storage) -> None:
        events = [
            ContractStockReceived(aggregate_id="MUG", version=1, occurred_at=_EPOCH, quantity=7),
            ContractStockReserved(
                aggregate_id="MUG", version=2, occurred_at=_EPOCH, quantity=2, worker=1, attempt=1
            ),
        ]
        with storage.unit_of_work() as uow:
            uow.events.append("stock", "MUG", events, expected_version=0)
        with storage.unit_of_work() as uow:
            assert uow.events.load("stock", "MUG") == tuple(events)

    def test_every_domain_event_type_round_trips(self, storage: Storage) -> None:
        """The library's real events (orders, stock, invoices, payments, the service's
        state) load back equal, in order, with their types and versions."""
        streams = sample_streams()
        known = domain_event_types()
        sampled = {type(event).event_type for _, _, events in streams for event in events}
        missing = sorted(set(known) - sampled - set(NOT_SAMPLED))
        assert not missing, f"no sample event of {missing}; add them to sample_streams()"
        assert set(NOT_SAMPLED) <= set(known) - sampled, "NOT_SAMPLED lists sampled types"
        loaded = _store_samples(storage)
        with storage.unit_of_work() as uow:
            for (kind, aggregate_id, events), back in zip(streams, loaded, strict=True):
                assert back == events, f"{kind} {aggregate_id!r} changed in storage"
                assert [type(event) for event in back] == [type(event) for event in events]
                assert [event.version for event in back] == list(range(1, len(events) + 1))
                assert uow.events.version(kind, aggregate_id) == len(events)
            for kind in sorted({kind for kind, _, _ in streams}):
                ids = sorted(aggregate_id for k, aggregate_id, _ in streams if k == kind)
                assert uow.events.aggregate_ids(kind) == tuple(ids)
            messages = _read_all(uow)
        written = [event for _, _, events in streams for event in events]
        assert [m.event for m in messages] == written
        assert [m.event_type for m in messages] == [type(e).event_type for e in written]
        assert [(m.kind, m.aggregate_id, m.version) for m in messages] == [
            (kind, aggregate_id, event.version)
            for kind, aggregate_id, events in streams
            for event in events
        ]

    def test_domain_events_keep_the_exact_type_of_every_value(self, storage: Storage) -> None:
        """Stricter than ``==``, which forgives an enum read back as its number, a Decimal
        with another exponent or a timestamp moved to another timezone: every field of
        every sample event comes back with the same type and ``repr``."""
        streams = sample_streams()
        loaded = _store_samples(storage)
        changed = [
            difference
            for (kind, aggregate_id, events), back in zip(streams, loaded, strict=True)
            for event, event_back in zip(events, back, strict=True)
            for field, difference in _differences(
                f"{kind} {aggregate_id} v{event.version}", "", event, event_back
            )
        ]
        assert not changed, f"{len(changed)} values changed in storage: {changed[:5]}"

    def test_load_after_a_version_returns_only_newer_events(self, storage: Storage) -> None:
        events = _items("O-1", 1, 4)
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", events, expected_version=0)
        with storage.unit_of_work() as uow:
            assert uow.events.load("order", "O-1", after_version=2) == tuple(events[2:])
            assert uow.events.load("order", "O-1", after_version=4) == ()
            assert uow.events.load("order", "O-1", after_version=9) == ()

    def test_appends_in_sequence_continue_the_stream(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 2)
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            assert [event.version for event in uow.events.load("order", "O-1")] == [1, 2, 3]

    def test_streams_are_kept_apart_by_kind_and_id(self, storage: Storage) -> None:
        _write(storage, "order", "X-1", 2)
        _write(storage, "invoice", "X-1", 1)
        _write(storage, "order", "X-2", 3)
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "X-1") == 2
            assert uow.events.version("invoice", "X-1") == 1
            assert uow.events.version("order", "X-2") == 3
            assert uow.events.aggregate_ids("order") == ("X-1", "X-2")
            assert uow.events.aggregate_ids("invoice") == ("X-1",)
            assert uow.events.aggregate_ids("payment") == ()

    def test_aggregate_ids_are_sorted(self, storage: Storage) -> None:
        for aggregate_id in ["O-3", "O-1", "O-2"]:
            _write(storage, "order", aggregate_id, 1)
        with storage.unit_of_work() as uow:
            assert uow.events.aggregate_ids("order") == ("O-1", "O-2", "O-3")

    def test_a_stale_append_raises_a_concurrency_error_naming_the_stream(
        self, storage: Storage
    ) -> None:
        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            with pytest.raises(ConcurrencyError) as caught:
                uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            _conflict(caught.value, "order", "O-1", 0, 2)
            assert "O-1" in str(caught.value)
            assert uow.events.version("order", "O-1") == 2
        with storage.unit_of_work() as uow:
            assert len(uow.events.load("order", "O-1")) == 2

    def test_an_append_ahead_of_the_stream_raises(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            with pytest.raises(StreamConflictError) as caught:
                uow.events.append("order", "O-1", _items("O-1", 4, 1), expected_version=3)
            _conflict(caught.value, "order", "O-1", 3, 1)
            assert uow.events.version("order", "O-1") == 1

    def test_a_failed_append_leaves_the_unit_of_work_usable(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            with pytest.raises(ConcurrencyError):
                uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            uow.events.append("order", "O-1", _items("O-1", 2, 1), expected_version=1)
        with storage.unit_of_work() as uow:
            assert [event.version for event in uow.events.load("order", "O-1")] == [1, 2]
            assert [m.version for m in uow.outbox.read()] == [1, 2]

    def test_events_must_continue_the_stream(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            with _refused("events[0].version", 3, error=EventSequenceError):
                uow.events.append("order", "O-1", _items("O-1", 3, 1), expected_version=1)
            with _refused("events[1].version", 2, error=EventSequenceError):
                uow.events.append(
                    "order", "O-1", [*_items("O-1", 2, 1), *_items("O-1", 2, 1)], expected_version=1
                )
            with _refused("events[0].aggregate_id", "O-2", error=EventSequenceError):
                uow.events.append("order", "O-1", _items("O-2", 2, 1), expected_version=1)
            with _refused("events[0]", "not an event", error=EventSequenceError):
                uow.events.append("order", "O-1", ["not an event"], expected_version=1)  # type: ignore[list-item]
            assert uow.events.version("order", "O-1") == 1
        with storage.unit_of_work() as uow:
            assert len(uow.events.load("order", "O-1")) == 1
            assert uow.outbox.last_position() >= 1
            assert len(uow.outbox.read()) == 1

    @pytest.mark.parametrize(
        ("kind", "aggregate_id", "expected_version", "field"),
        [
            ("", "O-1", 0, "kind"),
            (" order", "O-1", 0, "kind"),
            ("order", "", 0, "aggregate_id"),
            ("order", "O-1 ", 0, "aggregate_id"),
            ("order", "O-1", -1, "expected_version"),
            ("order", "O-1", True, "expected_version"),
        ],
    )
    def test_bad_names_and_versions_are_refused(
        self, storage: Storage, kind: str, aggregate_id: str, expected_version: int, field: str
    ) -> None:
        with storage.unit_of_work() as uow:
            with _refused(field):
                uow.events.append(kind, aggregate_id, [], expected_version=expected_version)
            assert uow.outbox.last_position() == 0

    def test_bad_load_arguments_are_refused(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            with _refused("after_version", -1):
                uow.events.load("order", "O-1", after_version=-1)
            with _refused("after_version", True):
                uow.events.load("order", "O-1", after_version=True)
            with _refused("kind", ""):
                uow.events.load("", "O-1")
            with _refused("kind", ""):
                uow.events.version("", "O-1")
            with _refused("aggregate_id", " O-1"):
                uow.events.version("order", " O-1")
            with _refused("kind", ""):
                uow.events.aggregate_ids("")

    def test_an_empty_append_only_checks_the_version(self, storage: Storage) -> None:
        _write(storage, "stock", "MUG", 2)
        with storage.unit_of_work() as uow:
            assert uow.events.append("stock", "MUG", [], expected_version=2) == 2
            with pytest.raises(StreamConflictError) as caught:
                uow.events.append("stock", "MUG", [], expected_version=1)
            _conflict(caught.value, "stock", "MUG", 1, 2)
        with storage.unit_of_work() as uow:
            assert uow.events.version("stock", "MUG") == 2
            assert len(uow.outbox.read()) == 2

    def test_appends_in_one_unit_of_work_see_each_other(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            assert uow.events.version("order", "O-1") == 1
            assert len(uow.events.load("order", "O-1")) == 1
            assert uow.events.aggregate_ids("order") == ("O-1",)
            uow.events.append("order", "O-1", _items("O-1", 2, 1), expected_version=1)
            with pytest.raises(ConcurrencyError):
                uow.events.append("order", "O-1", _items("O-1", 2, 1), expected_version=1)
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 2


# --- units of work ------------------------------------------------------------------------


class UnitOfWorkContract(StorageFixture):
    """Atomic commit and rollback over every store, and the ``with`` protocol."""

    def test_the_adapter_implements_the_ports(self, storage: Storage) -> None:
        assert isinstance(storage, Storage)
        with storage.unit_of_work() as uow:
            assert isinstance(uow, UnitOfWork)
            assert isinstance(uow.events, AggregateStore)
            assert isinstance(uow.snapshots, SnapshotStore)
            assert isinstance(uow.commands, CommandLog)
            assert isinstance(uow.outbox, Outbox)

    def test_leaving_the_block_normally_commits(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", _items("O-1", 1, 2), expected_version=0)
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 2

    def test_an_exception_rolls_back_every_store(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            uow.outbox.save_checkpoint("mailer", 1)

        class BoomError(Exception):
            pass

        def write_everything_then_fail() -> None:
            with storage.unit_of_work() as uow:
                uow.events.append("order", "O-1", _items("O-1", 2, 1), expected_version=1)
                uow.events.append("invoice", "I-1", _items("I-1", 1, 1), expected_version=0)
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=2, payload='{"lines": 2}')
                )
                uow.commands.record("cmd-1", payload_hash({"n": 1}), {"ok": True})
                uow.outbox.save_checkpoint("mailer", uow.outbox.last_position())
                raise BoomError

        with pytest.raises(BoomError):
            write_everything_then_fail()
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 1
            assert uow.events.version("invoice", "I-1") == 0
            assert uow.events.aggregate_ids("invoice") == ()
            assert uow.snapshots.latest("order", "O-1") is None
            assert uow.commands.find("cmd-1", payload_hash({"n": 1})) is None
            assert uow.outbox.checkpoint("mailer") == 1
            assert [m.aggregate_id for m in uow.outbox.read()] == ["O-1"]

    def test_rollback_discards_the_writes(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            uow.rollback()
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 0
            assert uow.outbox.last_position() == 0

    def test_an_explicit_commit_ends_the_unit_of_work(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            uow.commit()
            with _unusable(UnitOfWorkError.FINISHED):
                uow.events.version("order", "O-1")
            with pytest.raises(UnitOfWorkError):
                uow.commit()
            with pytest.raises(UnitOfWorkError):
                uow.rollback()
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 1

    def test_a_unit_of_work_is_used_inside_its_block_only(self, storage: Storage) -> None:
        uow = storage.unit_of_work()
        with _unusable(UnitOfWorkError.NOT_BEGUN):
            uow.events.load("order", "O-1")
        with _unusable(UnitOfWorkError.NOT_BEGUN):
            uow.commit()
        with uow:
            pass
        with _unusable(UnitOfWorkError.FINISHED):
            uow.outbox.read()
        with _unusable(UnitOfWorkError.FINISHED), uow:
            pass  # pragma: no cover

    def test_a_stale_write_in_one_stream_undoes_the_whole_unit_of_work(
        self, storage: Storage
    ) -> None:
        _write(storage, "stock", "MUG", 1)
        with storage.unit_of_work() as uow:
            planned = uow.events.version("stock", "MUG")
        _write(storage, "stock", "MUG", 1)  # someone else moved the stock on

        def place_order_and_take_stock() -> None:
            with storage.unit_of_work() as uow:
                uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
                uow.events.append(
                    "stock", "MUG", _items("MUG", planned + 1, 1), expected_version=planned
                )

        with pytest.raises(StreamConflictError) as caught:
            place_order_and_take_stock()
        _conflict(caught.value, "stock", "MUG", planned, planned + 1)
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 0
            assert uow.events.version("stock", "MUG") == 2
            assert [m.aggregate_id for m in uow.outbox.read()] == ["MUG", "MUG"]

    def test_units_of_work_in_sequence_see_each_others_commits(self, storage: Storage) -> None:
        for _ in range(3):
            _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 3


# --- snapshots ----------------------------------------------------------------------------


class SnapshotContract(StorageFixture):
    """Optional snapshots: latest wins, versions stay within the stream."""

    def test_a_stream_without_snapshots_has_none(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.snapshots.latest("order", "O-1") is None

    def test_the_latest_snapshot_wins(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 3)
        with storage.unit_of_work() as uow:
            uow.snapshots.save(
                Snapshot(kind="order", aggregate_id="O-1", version=3, payload='{"v": 3}')
            )
            uow.snapshots.save(
                Snapshot(kind="order", aggregate_id="O-1", version=1, payload='{"v": 1}')
            )
        with storage.unit_of_work() as uow:
            assert uow.snapshots.latest("order", "O-1") == Snapshot(
                kind="order", aggregate_id="O-1", version=3, payload='{"v": 3}'
            )
            assert uow.snapshots.latest("invoice", "O-1") is None

    def test_saving_the_same_version_again_replaces_it(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        for payload in ['{"v": "old"}', '{"v": "new"}']:
            with storage.unit_of_work() as uow:
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=1, payload=payload)
                )
        with storage.unit_of_work() as uow:
            found = uow.snapshots.latest("order", "O-1")
            assert found is not None
            assert found.payload == '{"v": "new"}'

    def test_a_snapshot_beyond_the_stream_is_refused(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            with _refused("version", 3):
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=3, payload="{}")
                )
            with _refused("version", 0):
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=0, payload="{}")
                )
            with _refused("version", True):
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=True, payload="{}")
                )
            with _refused("aggregate_id", ""):
                uow.snapshots.latest("order", "")
            with _refused("payload", "{not json"):
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=1, payload="{not json")
                )
            assert uow.snapshots.latest("order", "O-1") is None


# --- idempotency ---------------------------------------------------------------------------


class CommandLogContract(StorageFixture):
    """Processed command ids: found again with their result; other payloads refused."""

    def test_an_unknown_command_is_not_found(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.commands.find("cmd-1", payload_hash({"sku": "MUG"})) is None

    def test_a_recorded_command_is_found_with_its_result(self, storage: Storage) -> None:
        digest = payload_hash({"sku": "MUG", "qty": 2})
        result = {"order_id": "O-7", "lines": [1, 2], "total": "19.98"}
        with storage.unit_of_work() as uow:
            record = uow.commands.record("cmd-1", digest, result)
            assert record.result == result
        with storage.unit_of_work() as uow:
            found = uow.commands.find("cmd-1", payload_hash({"qty": 2, "sku": "MUG"}))
            assert found is not None
            assert (found.command_id, found.payload_hash, found.result) == ("cmd-1", digest, result)

    def test_the_same_id_with_another_payload_is_refused(self, storage: Storage) -> None:
        first, other = payload_hash({"qty": 2}), payload_hash({"qty": 3})
        with storage.unit_of_work() as uow:
            uow.commands.record("cmd-1", first, "done")
        with storage.unit_of_work() as uow:
            with pytest.raises(CommandPayloadMismatchError) as caught:
                uow.commands.find("cmd-1", other)
            assert caught.value.command_id == "cmd-1"
            assert (caught.value.stored_hash, caught.value.given_hash) == (first, other)
            with pytest.raises(CommandPayloadMismatchError) as caught:
                uow.commands.record("cmd-1", other, "again")
            assert caught.value.command_id == "cmd-1"
            assert (caught.value.stored_hash, caught.value.given_hash) == (first, other)
        with storage.unit_of_work() as uow:
            found = uow.commands.find("cmd-1", first)
            assert found is not None
            assert found.result == "done"

    def test_recording_a_command_twice_is_refused(self, storage: Storage) -> None:
        digest = payload_hash([1])
        with storage.unit_of_work() as uow:
            uow.commands.record("cmd-1", digest, 1)
            with pytest.raises(CommandAlreadyRecordedError) as caught:
                uow.commands.record("cmd-1", digest, 2)
            assert caught.value.command_id == "cmd-1"
        with storage.unit_of_work() as uow:
            with pytest.raises(CommandAlreadyRecordedError):
                uow.commands.record("cmd-1", digest, 3)
            found = uow.commands.find("cmd-1", digest)
            assert found is not None
            assert found.result == 1

    def test_a_result_that_is_not_json_is_refused(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            with pytest.raises(SerializationError):
                uow.commands.record("cmd-1", payload_hash(1), {"when": object()})
            assert uow.commands.find("cmd-1", payload_hash(1)) is None

    def test_bad_command_ids_are_refused(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            with _refused("command_id", ""):
                uow.commands.find("", payload_hash(1))
            with _refused("command_id", " cmd-1"):
                uow.commands.record(" cmd-1", payload_hash(1), 1)
            with _refused("payload_hash", ""):
                uow.commands.record("cmd-1", "", 1)


# --- outbox --------------------------------------------------------------------------------


class OutboxContract(StorageFixture):
    """The outbox: every appended event in commit order; checkpoints per consumer."""

    def test_an_empty_outbox(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            assert uow.outbox.read() == ()
            assert uow.outbox.last_position() == 0
            assert uow.outbox.checkpoint("mailer") == 0

    def test_events_appear_in_commit_order_with_increasing_positions(
        self, storage: Storage
    ) -> None:
        _write(storage, "order", "O-2", 2)
        _write(storage, "invoice", "I-1", 1)
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            messages = uow.outbox.read()
            assert [(m.kind, m.aggregate_id, m.version) for m in messages] == [
                ("order", "O-2", 1),
                ("order", "O-2", 2),
                ("invoice", "I-1", 1),
                ("order", "O-1", 1),
            ]
            positions = [m.position for m in messages]
            assert positions == sorted(set(positions))
            assert positions[0] >= 1
            assert uow.outbox.last_position() == positions[-1]
            assert messages[1].event == item_added("O-2", 2, sku="SKU-2", quantity=2)
            assert messages[1].event_type == "ordercycle.contract.ItemAdded"

    def test_reading_pages_through_the_outbox(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 5)
        with storage.unit_of_work() as uow:
            everything = uow.outbox.read()
            first = uow.outbox.read(limit=2)
            rest = uow.outbox.read(after=first[-1].position, limit=10)
            assert first + rest == everything
            assert uow.outbox.read(after=everything[-1].position) == ()
            with _refused("limit", 0):
                uow.outbox.read(limit=0)
            with _refused("after", -1):
                uow.outbox.read(after=-1)
            with _refused("after", True):
                uow.outbox.read(after=True)
            with _refused("consumer", ""):
                uow.outbox.checkpoint("")

    def test_rolled_back_events_never_reach_the_outbox(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", _items("O-1", 2, 3), expected_version=1)
            uow.rollback()
        _write(storage, "order", "O-2", 1)
        with storage.unit_of_work() as uow:
            assert [(m.aggregate_id, m.version) for m in uow.outbox.read()] == [
                ("O-1", 1),
                ("O-2", 1),
            ]

    def test_checkpoints_are_saved_per_consumer(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 3)
        with storage.unit_of_work() as uow:
            positions = [m.position for m in uow.outbox.read()]
            uow.outbox.save_checkpoint("mailer", positions[1])
            uow.outbox.save_checkpoint("ledger", positions[2])
        with storage.unit_of_work() as uow:
            assert uow.outbox.checkpoint("mailer") == positions[1]
            assert uow.outbox.checkpoint("ledger") == positions[2]
            assert uow.outbox.checkpoint("audit") == 0
            pending = uow.outbox.read(after=uow.outbox.checkpoint("mailer"))
            assert [m.position for m in pending] == positions[2:]

    def test_a_checkpoint_never_moves_backwards_or_past_the_end(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            last = uow.outbox.last_position()
            uow.outbox.save_checkpoint("mailer", last)
        with storage.unit_of_work() as uow:
            for position in (last - 1, last + 1):
                with pytest.raises(InvalidCheckpointError) as caught:
                    uow.outbox.save_checkpoint("mailer", position)
                error = caught.value
                assert (error.consumer, error.position, error.current, error.last) == (
                    "mailer",
                    position,
                    last,
                    last,
                )
                assert error.field == "position"
            with _refused("consumer", ""):
                uow.outbox.save_checkpoint("", last)
            with _refused("position", -1):
                uow.outbox.save_checkpoint("ledger", -1)
            uow.outbox.save_checkpoint("mailer", last)  # saving the same position is fine
            assert uow.outbox.checkpoint("mailer") == last

    def test_a_consumer_that_fails_before_its_checkpoint_sees_the_events_again(
        self, storage: Storage
    ) -> None:
        _write(storage, "order", "O-1", 2)
        handled: list[tuple[str, int]] = []

        def consume(fail: bool) -> None:
            with storage.unit_of_work() as uow:
                after = uow.outbox.checkpoint("mailer")
                messages = uow.outbox.read(after=after)
                for message in messages:
                    handled.append((message.aggregate_id, message.version))
                if fail:
                    raise RuntimeError("mailer crashed")
                if messages:
                    uow.outbox.save_checkpoint("mailer", messages[-1].position)

        with pytest.raises(RuntimeError):
            consume(fail=True)
        consume(fail=False)
        consume(fail=False)
        assert handled == [("O-1", 1), ("O-1", 2), ("O-1", 1), ("O-1", 2)]


# --- concurrency -------------------------------------------------------------------------------


def _append_with_retry(storage: Storage, aggregate_id: str, worker: int, count: int) -> int:
    """Append ``count`` reservations, each planned in one unit of work and written in the
    next (so that other writers can get in between); retry on conflicts. Returns the
    number of conflicts met."""
    conflicts = 0
    done = 0
    while done < count:
        with storage.unit_of_work() as uow:
            planned = uow.events.version("stock", aggregate_id)
        event = ContractStockReserved(
            aggregate_id=aggregate_id,
            version=planned + 1,
            occurred_at=_EPOCH,
            quantity=1,
            worker=worker,
            attempt=done,
        )
        try:
            with storage.unit_of_work() as uow:
                uow.events.append("stock", aggregate_id, [event], expected_version=planned)
        except ConcurrencyError:
            conflicts += 1
            continue
        done += 1
    return conflicts


def _reserve_until_sold_out(storage: Storage, sku: str, worker: int) -> tuple[int, int]:
    """Reserve one unit at a time, planned against the version read, until none is left.

    Returns ``(units reserved, conflicts met)``.
    """
    reserved = conflicts = 0
    while True:
        with storage.unit_of_work() as uow:
            events = uow.events.load("stock", sku)
        available = sum(
            event.quantity if isinstance(event, ContractStockReceived) else -event.quantity
            for event in events
            if isinstance(event, ContractStockReceived | ContractStockReserved)
        )
        if available <= 0:
            return reserved, conflicts
        event = ContractStockReserved(
            aggregate_id=sku,
            version=len(events) + 1,
            occurred_at=_EPOCH,
            quantity=1,
            worker=worker,
            attempt=reserved,
        )
        try:
            with storage.unit_of_work() as uow:
                uow.events.append("stock", sku, [event], expected_version=len(events))
        except ConcurrencyError:
            conflicts += 1
            continue
        reserved += 1


def _receive(storage: Storage, sku: str, quantity: int) -> None:
    with storage.unit_of_work() as uow:
        uow.events.append(
            "stock",
            sku,
            [
                ContractStockReceived(
                    aggregate_id=sku, version=1, occurred_at=_EPOCH, quantity=quantity
                )
            ],
            expected_version=0,
        )


def _check_stream(storage: Storage, sku: str, expected: Counter[int], first: int) -> None:
    """The stream holds versions ``1..n`` once each, and exactly the reported reservations;
    the outbox holds the same events in version order."""
    with storage.unit_of_work() as uow:
        events = uow.events.load("stock", sku)
        messages = [m for m in _read_all(uow) if m.aggregate_id == sku]
    assert [event.version for event in events] == list(range(1, len(events) + 1))
    reservations = [event for event in events[first:] if isinstance(event, ContractStockReserved)]
    assert len(reservations) == len(events) - first
    assert Counter(event.worker for event in reservations) == expected
    per_worker: dict[int, list[int]] = {}
    for event in reservations:
        per_worker.setdefault(event.worker, []).append(event.attempt)
    for attempts in per_worker.values():
        assert attempts == list(range(len(attempts)))  # none lost, none written twice
    assert [m.version for m in messages] == [event.version for event in events]


def _read_all(uow: UnitOfWork) -> list[Any]:
    messages: list[Any] = []
    after = 0
    while batch := uow.outbox.read(after=after, limit=500):
        assert len(batch) <= 500, f"outbox.read(limit=500) returned {len(batch)} messages"
        assert batch[0].position > after, (
            f"outbox.read(after={after}) returned position {batch[0].position}"
        )
        messages.extend(batch)
        after = batch[-1].position
    return messages


class ThreadConcurrencyContract(StorageFixture):
    """Threads sharing one storage race for one stream: nothing is lost or doubled."""

    threads = 4
    appends_per_thread = 6
    stock = 20

    def _run(self, target: Callable[[int], Any]) -> list[Any]:
        results: dict[int, Any] = {}
        errors: list[BaseException] = []
        start = threading.Barrier(self.threads)

        def run(worker: int) -> None:
            try:
                start.wait(timeout=60)
                results[worker] = target(worker)
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        workers = [threading.Thread(target=run, args=(n,)) for n in range(self.threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in workers), "a worker thread hung"
        if errors:
            raise errors[0]
        return [results[n] for n in range(self.threads)]

    def test_threads_appending_to_one_stream_write_each_version_once(
        self, storage: Storage
    ) -> None:
        _receive(storage, "MUG", 0)
        self._run(
            lambda worker: _append_with_retry(storage, "MUG", worker, self.appends_per_thread)
        )
        expected = Counter(dict.fromkeys(range(self.threads), self.appends_per_thread))
        _check_stream(storage, "MUG", expected, first=1)

    def test_threads_reserving_scarce_stock_never_oversell(self, storage: Storage) -> None:
        _receive(storage, "MUG", self.stock)
        results = self._run(lambda worker: _reserve_until_sold_out(storage, "MUG", worker))
        reserved = Counter({n: units for n, (units, _) in enumerate(results) if units})
        assert sum(reserved.values()) == self.stock
        _check_stream(storage, "MUG", reserved, first=1)


def _killed_mid_unit_of_work(opener: Callable[[], Storage]) -> None:
    """Body of a process that writes in a unit of work and is killed before it commits."""
    storage = opener()
    uow = storage.unit_of_work()
    uow.__enter__()
    uow.events.append("stock", "MUG", [item_added("MUG", 2)], expected_version=1)
    uow.events.append("order", "O-1", [item_added("O-1", 1)], expected_version=0)
    uow.commands.record("cmd-killed", payload_hash("killed"), "never committed")
    os.kill(os.getpid(), signal.SIGKILL)


def _process_worker(
    opener: Callable[[], Storage],
    mode: str,
    worker: int,
    count: int,
    start: Any,
    results: Any,
) -> None:
    """Body of one OS process in :class:`ProcessConcurrencyContract` (importable by name)."""
    try:
        storage = opener()
        try:
            start.wait(timeout=120)
            if mode == "append":
                outcome: Any = (_append_with_retry(storage, "MUG", worker, count), count)
            else:
                outcome = _reserve_until_sold_out(storage, "MUG", worker)
        finally:
            storage.close()
        results.put((worker, "ok", outcome))
    except BaseException as error:
        results.put((worker, "error", f"{type(error).__name__}: {error}"))


class ProcessConcurrencyContract:
    """OS processes sharing one database: races lose nothing, crashes leave nothing.

    Four processes append to one stream and sell scarce stock from it (no version is
    written twice, no event is lost, no unit is sold twice), and a process killed with
    ``SIGKILL`` inside a unit of work leaves no trace and no lock behind.

    Provide ``storage_opener``: a picklable callable without arguments that opens the
    same (fresh, empty) database in any process, for example
    ``functools.partial(SQLiteStorage, tmp_path / "shop.db")``. Processes are started
    from a ``forkserver`` (safe when the test process runs threads), so the opener must
    be picklable and importable by reference.
    """

    processes = 4
    appends_per_process = 20
    stock = 100

    @pytest.fixture
    def storage_opener(self) -> Callable[[], Storage]:
        """The integrator's hook: return a picklable opener of one fresh database."""
        raise NotImplementedError(
            "Provide a `storage_opener` fixture returning a picklable callable that opens"
            " the same fresh database in any process."
        )

    def _run(self, opener: Callable[[], Storage], mode: str, count: int) -> dict[int, Any]:
        context = multiprocessing.get_context("forkserver")
        # The fork server imports this module once; every worker forks from it.
        context.set_forkserver_preload([__name__])
        start = context.Barrier(self.processes)
        results = context.Queue()
        workers = [
            context.Process(target=_process_worker, args=(opener, mode, n, count, start, results))
            for n in range(self.processes)
        ]
        for process in workers:
            process.start()
        outcomes: dict[int, Any] = {}
        problems: list[str] = []
        try:
            for _ in workers:
                worker, status, outcome = results.get(timeout=300)
                if status == "ok":
                    outcomes[worker] = outcome
                else:
                    problems.append(f"process {worker}: {outcome}")
        except queue.Empty:  # pragma: no cover - only when a process hangs
            problems.append("a worker process did not report within 300 s")
        finally:
            for process in workers:
                process.join(timeout=60)
                if process.is_alive():  # pragma: no cover
                    process.kill()
                    process.join()
            results.close()
            results.join_thread()
        assert not problems, "; ".join(problems)
        return outcomes

    def test_processes_appending_to_one_stream_write_each_version_once(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        storage = storage_opener()
        try:
            _receive(storage, "MUG", 0)
            self._run(storage_opener, "append", self.appends_per_process)
            expected = Counter(dict.fromkeys(range(self.processes), self.appends_per_process))
            _check_stream(storage, "MUG", expected, first=1)
        finally:
            storage.close()

    def test_a_process_killed_in_a_unit_of_work_leaves_nothing_behind(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        storage = storage_opener()
        try:
            _receive(storage, "MUG", 5)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            victim = context.Process(target=_killed_mid_unit_of_work, args=(storage_opener,))
            victim.start()
            victim.join(timeout=300)
            assert victim.exitcode == -signal.SIGKILL
            with storage.unit_of_work() as uow:  # the lock died with the process
                assert uow.events.version("stock", "MUG") == 1
                assert uow.events.aggregate_ids("order") == ()
                assert uow.commands.find("cmd-killed", payload_hash("killed")) is None
                assert [m.aggregate_id for m in uow.outbox.read()] == ["MUG"]
                uow.events.append("stock", "MUG", [item_added("MUG", 2)], expected_version=1)
            with storage.unit_of_work() as uow:
                assert uow.events.version("stock", "MUG") == 2
        finally:
            storage.close()

    def test_processes_reserving_scarce_stock_never_oversell(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        storage = storage_opener()
        try:
            _receive(storage, "MUG", self.stock)
            outcomes = self._run(storage_opener, "reserve", 0)
            reserved = Counter({n: units for n, (units, _) in outcomes.items() if units})
            assert sum(reserved.values()) == self.stock
            _check_stream(storage, "MUG", reserved, first=1)
        finally:
            storage.close()


# --- read-only units of work (optional) -----------------------------------------------------


class ReadingContract(StorageFixture):
    """Optional :class:`~ordercycle.storage.ports.Reading`: read-only units of work.

    Add it next to :class:`StorageContract` when your storage has ``reading()``.
    """

    def _reader(self, storage: Storage) -> UnitOfWork:
        assert isinstance(storage, Reading), "the storage has no reading() method"
        return storage.reading()

    def test_a_reader_sees_what_was_committed(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            uow.snapshots.save(Snapshot(kind="order", aggregate_id="O-1", version=2, payload="{}"))
            uow.commands.record("cmd-1", payload_hash("x"), {"ok": True})
        with self._reader(storage) as uow:
            assert uow.events.load("order", "O-1") == tuple(_items("O-1", 1, 2))
            assert uow.events.version("order", "O-1") == 2
            assert uow.events.aggregate_ids("order") == ("O-1",)
            latest = uow.snapshots.latest("order", "O-1")
            assert latest is not None
            assert latest.version == 2
            found = uow.commands.find("cmd-1", payload_hash("x"))
            assert found is not None
            assert found.result == {"ok": True}
            assert [m.version for m in uow.outbox.read()] == [1, 2]
            assert uow.outbox.checkpoint("reader") == 0

    def test_a_reader_refuses_every_write_and_writes_nothing(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with self._reader(storage) as uow:
            with _unusable(UnitOfWorkError.READ_ONLY):
                uow.events.append("order", "O-1", _items("O-1", 2, 1), expected_version=1)
            with _unusable(UnitOfWorkError.READ_ONLY):
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=1, payload="{}")
                )
            with _unusable(UnitOfWorkError.READ_ONLY):
                uow.commands.record("cmd-1", payload_hash("x"), "r")
            with _unusable(UnitOfWorkError.READ_ONLY):
                uow.outbox.save_checkpoint("reader", 1)
        with storage.unit_of_work() as uow:
            assert uow.events.version("order", "O-1") == 1
            assert uow.snapshots.latest("order", "O-1") is None
            assert uow.commands.find("cmd-1", payload_hash("x")) is None
            assert uow.outbox.checkpoint("reader") == 0
            (message,) = uow.outbox.read()
            assert (message.aggregate_id, message.version) == ("O-1", 1)
            assert uow.outbox.last_position() == message.position

    def test_a_writer_commits_while_a_reader_is_open(self, storage: Storage) -> None:
        _write(storage, "order", "O-1", 1)
        with self._reader(storage) as reader:
            assert reader.events.version("order", "O-1") == 1
            # Takes no write lock: a writer would wait for the reader if it did.
            writer = _Worker(lambda: _write(storage, "order", "O-1", 1))
            assert writer.finished(InterleavingContract.timeout), (
                "a writer waited for an open reader: the reader holds a write lock"
            )
            if writer.error is not None:
                raise writer.error
        with self._reader(storage) as reader:
            assert reader.events.version("order", "O-1") == 2

    def test_a_reader_is_a_unit_of_work_once(self, storage: Storage) -> None:
        reader = self._reader(storage)
        with reader:
            pass
        with _unusable(UnitOfWorkError.FINISHED):
            reader.events.version("order", "O-1")


# --- reopening a database (optional) -----------------------------------------------------------


class OpenerFixture:
    """The integrator's hook of the contracts that open one database more than once."""

    @pytest.fixture
    def storage_opener(self) -> Callable[[], Storage]:
        """The integrator's hook: return an opener of one fresh database."""
        raise NotImplementedError(
            "Provide a `storage_opener` fixture returning a callable that opens the same"
            " fresh database each time."
        )


class ReopenContract(OpenerFixture):
    """Optional: a storage whose data outlives the storage object (every database).

    Committed data is all there after closing and opening again, two storages opened on
    one database see each other's commits (opening an up-to-date database changes
    nothing), and a closed storage refuses new units of work with
    :class:`~ordercycle.storage.errors.UnitOfWorkError` (``reason`` ``CLOSED``).

    Provide ``storage_opener``: a callable without arguments that opens the same fresh,
    empty database each time it is called (the hook of
    :class:`ProcessConcurrencyContract`, which also fits here).
    """

    def test_a_reopened_storage_has_everything_committed(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        first = storage_opener()
        try:
            _write(first, "order", "O-1", 2)
            _write(first, "invoice", "I-1", 1)
            with first.unit_of_work() as uow:
                uow.snapshots.save(
                    Snapshot(kind="order", aggregate_id="O-1", version=2, payload='{"v": 2}')
                )
                uow.commands.record("cmd-1", payload_hash("cmd-1"), {"ok": True})
                uow.outbox.save_checkpoint("mailer", 2)
            with first.unit_of_work() as uow:
                before = _read_all(uow)
        finally:
            first.close()
        again = storage_opener()
        try:
            with again.unit_of_work() as uow:
                assert uow.events.load("order", "O-1") == tuple(_items("O-1", 1, 2))
                assert uow.events.aggregate_ids("invoice") == ("I-1",)
                latest = uow.snapshots.latest("order", "O-1")
                assert latest is not None
                assert (latest.version, latest.payload) == (2, '{"v": 2}')
                found = uow.commands.find("cmd-1", payload_hash("cmd-1"))
                assert found is not None
                assert found.result == {"ok": True}
                assert uow.outbox.checkpoint("mailer") == 2
                assert _read_all(uow) == before
            _write(again, "order", "O-1", 1)
            with again.unit_of_work() as uow:
                after = _read_all(uow)
            assert after[:3] == before
            assert after[3].position > before[-1].position
        finally:
            again.close()

    def test_two_storages_on_one_database_see_each_others_commits(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        first = storage_opener()
        try:
            _write(first, "order", "O-1", 1)
            second = storage_opener()
            try:
                with second.unit_of_work() as uow:
                    assert uow.events.version("order", "O-1") == 1
                _write(second, "order", "O-1", 1)
                with first.unit_of_work() as uow:
                    assert uow.events.version("order", "O-1") == 2
                    assert [m.version for m in _read_all(uow)] == [1, 2]
            finally:
                second.close()
        finally:
            first.close()

    def test_a_closed_storage_refuses_new_units_of_work(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        storage = storage_opener()
        _write(storage, "order", "O-1", 1)
        storage.close()
        with _unusable(UnitOfWorkError.CLOSED), storage.unit_of_work() as uow:
            uow.events.version("order", "O-1")  # pragma: no cover


class SchemaContract(OpenerFixture):
    """Optional: an adapter with a versioned schema (see :mod:`ordercycle.storage.migrations`).

    Opening records the schema version in the database, and it is the newest the adapter
    knows: the adapter exposes its ``migrations`` (the class attribute of
    :class:`~ordercycle.storage.sqlite.SQLiteStorage`) and the recorded ``schema_version``
    (an attribute set on open). A database whose recorded schema is newer than the code is
    refused with :class:`~ordercycle.storage.errors.SchemaVersionError` (``found``,
    ``supported``), and the refused open changes nothing: neither the recorded versions nor
    the stored events.

    Provide ``storage_opener`` (as for :class:`ReopenContract`). The contract reaches the
    database behind the adapter through :meth:`schema_tampering`, which knows the bundled
    SQLite and PostgreSQL adapters; override it for yours.
    """

    def schema_tampering(self, storage: Any) -> SqlTampering:
        """A :class:`~ordercycle.testing.tampering.SqlTampering` of ``storage``'s database.

        The default knows the bundled adapters (and their subclasses); override it to
        return one that connects to your adapter's database.
        """
        from ordercycle.storage.postgres import PostgresStorage
        from ordercycle.storage.sqlite import SQLiteStorage

        if isinstance(storage, SQLiteStorage):
            return SqlTampering.sqlite(storage.path)
        if isinstance(storage, PostgresStorage):
            return SqlTampering.postgres(storage.dsn, storage.schema)
        raise NotImplementedError(
            f"Override schema_tampering() to reach the database of {type(storage).__name__}."
        )

    def test_the_schema_version_is_recorded_and_is_the_newest(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        storage: Any = storage_opener()
        try:
            newest = storage.migrations[-1].version
            assert newest == len(storage.migrations)
            assert storage.schema_version == newest
            assert self.schema_tampering(storage).schema_versions() == list(range(1, newest + 1))
        finally:
            storage.close()
        again: Any = storage_opener()
        try:
            assert again.schema_version == newest
            assert self.schema_tampering(again).schema_versions() == list(range(1, newest + 1))
        finally:
            again.close()

    def test_a_newer_schema_is_refused_and_left_untouched(
        self, storage_opener: Callable[[], Storage]
    ) -> None:
        storage: Any = storage_opener()
        try:
            _write(storage, "order", "O-1", 2)
            newest = storage.migrations[-1].version
            tampering = self.schema_tampering(storage)
        finally:
            storage.close()
        tampering.record_schema_version(newest + 1, "from a newer ordercycle")
        versions = tampering.schema_versions()
        payloads = [tampering.event_payload("order", "O-1", version) for version in (1, 2)]
        for _ in range(2):  # refused every time, not only the first
            with pytest.raises(SchemaVersionError) as caught:
                storage_opener().close()  # pragma: no cover - the open must raise
            assert (caught.value.found, caught.value.supported) == (newest + 1, newest)
            assert str(newest + 1) in str(caught.value)
        assert tampering.schema_versions() == versions
        assert [tampering.event_payload("order", "O-1", v) for v in (1, 2)] == payloads


# --- a unit of work reads its own writes ------------------------------------------------------


class ReadYourWritesContract(StorageFixture):
    """Inside one unit of work, every read sees the unit's own writes after the committed
    ones, in order: events, versions, snapshots, command records and the outbox."""

    def test_load_returns_committed_events_then_the_units_own(self, storage: Storage) -> None:
        events = _items("O-1", 1, 5)
        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            uow.events.append("order", "O-1", events[2:4], expected_version=2)
            uow.events.append("order", "O-1", events[4:], expected_version=4)
            uow.events.append("order", "O-2", _items("O-2", 1, 1), expected_version=0)
            assert uow.events.version("order", "O-1") == 5
            assert uow.events.load("order", "O-1") == tuple(events)
            for after in range(7):
                assert uow.events.load("order", "O-1", after_version=after) == tuple(
                    events[after:]
                ), f"load after version {after}"
            assert uow.events.load("order", "O-2") == tuple(_items("O-2", 1, 1))
            assert uow.events.aggregate_ids("order") == ("O-1", "O-2")
        with storage.unit_of_work() as uow:
            assert uow.events.load("order", "O-1") == tuple(events)

    def test_latest_returns_the_snapshot_saved_in_this_unit_of_work(self, storage: Storage) -> None:
        def snapshot(version: int) -> Snapshot:
            return Snapshot(
                kind="order", aggregate_id="O-1", version=version, payload=f'{{"v": {version}}}'
            )

        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            uow.snapshots.save(snapshot(1))
        with storage.unit_of_work() as uow:
            assert uow.snapshots.latest("order", "O-1") == snapshot(1)
            uow.snapshots.save(snapshot(2))
            assert uow.snapshots.latest("order", "O-1") == snapshot(2)
            uow.events.append("order", "O-1", _items("O-1", 3, 1), expected_version=2)
            uow.snapshots.save(snapshot(3))  # a version this unit of work appended
            assert uow.snapshots.latest("order", "O-1") == snapshot(3)
            uow.snapshots.save(snapshot(1))  # an older one does not win
            assert uow.snapshots.latest("order", "O-1") == snapshot(3)
        with storage.unit_of_work() as uow:
            assert uow.snapshots.latest("order", "O-1") == snapshot(3)

    def test_the_outbox_shows_the_units_own_messages_after_the_committed_ones(
        self, storage: Storage
    ) -> None:
        _write(storage, "order", "O-1", 2)
        with storage.unit_of_work() as uow:
            committed = _read_all(uow)
        with storage.unit_of_work() as uow:
            uow.events.append("invoice", "I-1", _items("I-1", 1, 2), expected_version=0)
            uow.events.append("order", "O-1", _items("O-1", 3, 1), expected_version=2)
            messages = _read_all(uow)
            assert messages[:2] == committed
            assert [(m.kind, m.aggregate_id, m.version) for m in messages] == [
                ("order", "O-1", 1),
                ("order", "O-1", 2),
                ("invoice", "I-1", 1),
                ("invoice", "I-1", 2),
                ("order", "O-1", 3),
            ]
            assert messages[4].event == _items("O-1", 3, 1)[0]
            positions = [m.position for m in messages]
            assert positions == sorted(set(positions))
            assert uow.outbox.last_position() == positions[-1]
            assert uow.outbox.read(after=positions[1], limit=2) == tuple(messages[2:4])
            assert uow.outbox.read(after=positions[3]) == tuple(messages[4:])
            uow.outbox.save_checkpoint("mailer", positions[-1])
            assert uow.outbox.checkpoint("mailer") == positions[-1]
        with storage.unit_of_work() as uow:
            assert [m.event for m in _read_all(uow)] == [m.event for m in messages]
            assert uow.outbox.checkpoint("mailer") == uow.outbox.last_position()

    def test_a_command_recorded_in_this_unit_of_work_is_found_in_it(self, storage: Storage) -> None:
        digest = payload_hash({"n": 1})
        with storage.unit_of_work() as uow:
            assert uow.commands.find("cmd-1", digest) is None
            uow.commands.record("cmd-1", digest, {"ok": 1})
            found = uow.commands.find("cmd-1", digest)
            assert found is not None
            assert found.result == {"ok": 1}
            with pytest.raises(CommandPayloadMismatchError):
                uow.commands.find("cmd-1", payload_hash({"n": 2}))


# --- units of work that interleave ----------------------------------------------------------


class _Worker:
    """A function run in a daemon thread; its result or error is kept for the test."""

    def __init__(self, target: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(target,), daemon=True)
        self._thread.start()

    def _run(self, target: Callable[[], Any]) -> None:
        try:
            self.result = target()
        except BaseException as error:  # reported in the test's thread
            self.error = error

    def finished(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; return whether the function has returned."""
        self._thread.join(timeout)
        return not self._thread.is_alive()


def _committed(storage: Storage, writes: Callable[[UnitOfWork], None]) -> None:
    with storage.unit_of_work() as uow:
        writes(uow)


def _observe(
    storage: Storage,
    *,
    streams: tuple[tuple[str, str], ...],
    commands: tuple[str, ...] = (),
    consumers: tuple[str, ...] = (),
    after: int = 0,
) -> dict[str, Any]:
    """What another unit of work sees of some streams, commands and checkpoints."""
    with storage.unit_of_work() as uow:
        snapshots = {}
        for kind, aggregate_id in streams:
            latest = uow.snapshots.latest(kind, aggregate_id)
            snapshots[f"{kind} {aggregate_id}"] = None if latest is None else latest.version
        found = {}
        for command_id in commands:
            record = uow.commands.find(command_id, payload_hash(command_id))
            found[command_id] = None if record is None else record.result
        return {
            "versions": {
                f"{kind} {aggregate_id}": uow.events.version(kind, aggregate_id)
                for kind, aggregate_id in streams
            },
            "outbox": [
                (m.kind, m.aggregate_id, m.version) for m in _read_all(uow) if m.position > after
            ],
            "snapshots": snapshots,
            "commands": found,
            "checkpoints": {consumer: uow.outbox.checkpoint(consumer) for consumer in consumers},
        }


def _reserved(aggregate_id: str, version: int, worker: int) -> ContractStockReserved:
    return ContractStockReserved(
        aggregate_id=aggregate_id,
        version=version,
        occurred_at=_EPOCH,
        quantity=1,
        worker=worker,
        attempt=0,
    )


class InterleavingContract(StorageFixture):
    """Two units of work open at once, one per thread: conflicts are caught at commit.

    One unit of work writes in the test's thread; while it is open, a second one writes
    in another thread and commits. An adapter that stages writes until commit (memory)
    lets the second commit first, so the first must fail at its commit; an adapter that
    serializes writers (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's writer lock) makes the
    second wait, so the first commits and the second must fail. Either way exactly the
    outcomes the ports allow are accepted, and the loser leaves nothing behind: no event,
    outbox message, snapshot, command record or checkpoint.

    Nothing waits for a lock timeout: the second unit of work is given
    :attr:`blocked_after` seconds to finish before the first ends, and :attr:`timeout`
    seconds after it.
    """

    #: Seconds the second unit of work gets before the first one commits.
    blocked_after = 0.5
    #: Seconds the second unit of work may still take after the first one ended.
    timeout = 20.0

    def _interleave(
        self,
        storage: Storage,
        first: Callable[[UnitOfWork], None],
        second: Callable[[UnitOfWork], None],
        *,
        commit: bool = True,
    ) -> tuple[Exception | None, Exception | None, bool]:
        """Write ``first`` in this thread and, while it is open, ``second`` in another.

        Returns ``(error of first, error of second, second finished before the first
        ended)``; an error is ``None`` when that unit of work committed. The first unit of
        work commits, or rolls back when ``commit`` is false.
        """
        uow = storage.unit_of_work()
        with uow:
            first(uow)
            other = _Worker(lambda: _committed(storage, second))
            early = other.finished(self.blocked_after)
            first_error: Exception | None = None
            try:
                uow.commit() if commit else uow.rollback()
            except Exception as error:  # checked by the test
                first_error = error
        assert other.finished(self.timeout), (
            f"the second unit of work still waits {self.timeout} s after the first ended"
        )
        if other.error is not None and not isinstance(other.error, Exception):
            raise other.error
        return first_error, other.error, early

    def test_a_stream_that_moves_between_append_and_commit_fails_the_whole_unit_of_work(
        self, storage: Storage
    ) -> None:
        _write(storage, "stock", "MUG", 1)
        _write(storage, "order", "O-0", 1)
        streams = (("order", "O-1"), ("stock", "MUG"), ("invoice", "I-2"))
        setup = _last_position(storage)

        def first(uow: UnitOfWork) -> None:
            # Streams that sort before and after the contested one: no partial commit.
            uow.events.append("order", "O-1", _items("O-1", 1, 2), expected_version=0)
            uow.snapshots.save(Snapshot(kind="order", aggregate_id="O-1", version=2, payload="{}"))
            uow.commands.record("cmd-first", payload_hash("cmd-first"), "first")
            uow.outbox.save_checkpoint("mailer", 1)
            uow.events.append("stock", "MUG", [_reserved("MUG", 2, 1)], expected_version=1)
            uow.events.append("order", "O-9", _items("O-9", 1, 1), expected_version=0)

        def second(uow: UnitOfWork) -> None:
            uow.events.append("stock", "MUG", [_reserved("MUG", 2, 2)], expected_version=1)
            uow.events.append("invoice", "I-2", _items("I-2", 1, 1), expected_version=0)

        first_error, second_error, _ = self._interleave(storage, first, second)
        seen = _observe(
            storage,
            streams=(*streams, ("order", "O-9")),
            commands=("cmd-first",),
            consumers=("mailer",),
            after=setup,
        )
        if first_error is None:
            assert isinstance(second_error, StreamConflictError), (
                f"both units of work wrote version 2 of stock 'MUG' (second: {second_error!r})"
            )
            _conflict(second_error, "stock", "MUG", 1, 2)
            assert seen == {
                "versions": {"order O-1": 2, "stock MUG": 2, "invoice I-2": 0, "order O-9": 1},
                "outbox": [
                    ("order", "O-1", 1),
                    ("order", "O-1", 2),
                    ("stock", "MUG", 2),
                    ("order", "O-9", 1),
                ],
                "snapshots": {
                    "order O-1": 2,
                    "stock MUG": None,
                    "invoice I-2": None,
                    "order O-9": None,
                },
                "commands": {"cmd-first": "first"},
                "checkpoints": {"mailer": 1},
            }
        else:
            assert isinstance(first_error, StreamConflictError), repr(first_error)
            _conflict(first_error, "stock", "MUG", 1, 2)
            assert second_error is None, f"neither unit of work committed: {second_error!r}"
            assert seen == {
                "versions": {"order O-1": 0, "stock MUG": 2, "invoice I-2": 1, "order O-9": 0},
                "outbox": [("stock", "MUG", 2), ("invoice", "I-2", 1)],
                "snapshots": {
                    "order O-1": None,
                    "stock MUG": None,
                    "invoice I-2": None,
                    "order O-9": None,
                },
                "commands": {"cmd-first": None},
                "checkpoints": {"mailer": 0},
            }
        with storage.unit_of_work() as uow:
            (reserved,) = uow.events.load("stock", "MUG", after_version=1)
            assert isinstance(reserved, ContractStockReserved)
            assert reserved.worker == (1 if first_error is None else 2)

    def test_an_empty_append_is_checked_again_at_commit(self, storage: Storage) -> None:
        _write(storage, "stock", "MUG", 1)
        _write(storage, "order", "O-0", 1)
        setup = _last_position(storage)

        def first(uow: UnitOfWork) -> None:
            uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            assert uow.events.append("stock", "MUG", [], expected_version=1) == 1

        def second(uow: UnitOfWork) -> None:
            uow.events.append("stock", "MUG", [_reserved("MUG", 2, 2)], expected_version=1)

        first_error, second_error, early = self._interleave(storage, first, second)
        seen = _observe(storage, streams=(("order", "O-1"), ("stock", "MUG")), after=setup)
        assert second_error is None, f"the unconditional write failed: {second_error!r}"
        if first_error is None:
            # Allowed only when the first committed before the stock moved on: the
            # second write waited for it.
            assert not early, (
                "the first unit of work committed although stock 'MUG' had moved past the"
                " version its empty append stated (the second write did not wait for it)"
            )
            assert seen["outbox"] == [("order", "O-1", 1), ("stock", "MUG", 2)], (
                "the first unit of work committed although stock 'MUG' had moved past the"
                f" version its empty append stated: {seen['outbox']}"
            )
        else:
            assert isinstance(first_error, StreamConflictError), repr(first_error)
            _conflict(first_error, "stock", "MUG", 1, 2)
            assert seen["versions"] == {"order O-1": 0, "stock MUG": 2}
            assert seen["outbox"] == [("stock", "MUG", 2)]

    def test_the_same_command_id_recorded_concurrently_is_kept_once(self, storage: Storage) -> None:
        digest = payload_hash("cmd-1")

        def first(uow: UnitOfWork) -> None:
            uow.commands.record("cmd-1", digest, "first")
            uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)

        def second(uow: UnitOfWork) -> None:
            uow.commands.record("cmd-1", digest, "second")
            uow.events.append("order", "O-2", _items("O-2", 1, 1), expected_version=0)

        first_error, second_error, _ = self._interleave(storage, first, second)
        seen = _observe(storage, streams=(("order", "O-1"), ("order", "O-2")), commands=("cmd-1",))
        refused = (CommandConflictError, CommandAlreadyRecordedError)
        if first_error is None:
            assert isinstance(second_error, refused), (
                f"both units of work recorded 'cmd-1' (second: {second_error!r})"
            )
            assert second_error.command_id == "cmd-1"
            assert seen["commands"] == {"cmd-1": "first"}
            assert seen["outbox"] == [("order", "O-1", 1)]
        else:
            assert isinstance(first_error, refused), repr(first_error)
            assert first_error.command_id == "cmd-1"
            assert second_error is None, f"neither unit of work committed: {second_error!r}"
            assert seen["commands"] == {"cmd-1": "second"}
            assert seen["outbox"] == [("order", "O-2", 1)]

    def test_uncommitted_writes_are_invisible_to_other_units_of_work(
        self, storage: Storage
    ) -> None:
        _write(storage, "order", "O-0", 1)
        committed = _last_position(storage)
        seen: list[dict[str, Any]] = []

        def first(uow: UnitOfWork) -> None:
            uow.events.append("order", "O-0", _items("O-0", 2, 1), expected_version=1)
            uow.events.append("order", "O-1", _items("O-1", 1, 1), expected_version=0)
            uow.snapshots.save(Snapshot(kind="order", aggregate_id="O-1", version=1, payload="{}"))
            uow.commands.record("cmd-1", payload_hash("cmd-1"), "first")
            uow.outbox.save_checkpoint("mailer", 1)

        def second(uow: UnitOfWork) -> None:
            seen.append(
                {
                    "O-0": uow.events.load("order", "O-0"),
                    "O-1": uow.events.version("order", "O-1"),
                    "ids": uow.events.aggregate_ids("order"),
                    "snapshot": uow.snapshots.latest("order", "O-1"),
                    "command": uow.commands.find("cmd-1", payload_hash("cmd-1")),
                    "outbox": [(m.aggregate_id, m.version) for m in _read_all(uow)],
                    "last": uow.outbox.last_position(),
                    "mailer": uow.outbox.checkpoint("mailer"),
                }
            )

        first_error, second_error, _ = self._interleave(storage, first, second, commit=False)
        assert (first_error, second_error) == (None, None)
        assert seen == [
            {
                "O-0": tuple(_items("O-0", 1, 1)),
                "O-1": 0,
                "ids": ("O-0",),
                "snapshot": None,
                "command": None,
                "outbox": [("O-0", 1)],
                "last": committed,
                "mailer": 0,
            }
        ]

    def test_a_polling_consumer_never_sees_a_position_below_one_it_saw(
        self, storage: Storage
    ) -> None:
        """While a writer is open, another commits and a consumer polls the outbox: a
        position that appears later must be above every position seen before (else a
        consumer that resumes after its checkpoint would skip it)."""
        _write(storage, "order", "O-0", 1)
        polls: list[list[int]] = []

        def poll() -> None:
            with storage.unit_of_work() as uow:
                polls.append([m.position for m in _read_all(uow)])

        uow = storage.unit_of_work()
        with uow:
            uow.events.append("order", "O-1", _items("O-1", 1, 2), expected_version=0)
            other = _Worker(lambda: _write(storage, "order", "O-2", 2))
            other.finished(self.blocked_after)
            poller = _Worker(poll)
            poller.finished(self.blocked_after)
            uow.commit()
        assert other.finished(self.timeout), "the second writer still waits"
        assert poller.finished(self.timeout), "the consumer still waits"
        for worker in (other, poller):
            if worker.error is not None:
                raise worker.error
        poll()
        seen: set[int] = set()
        for positions in polls:
            new = set(positions) - seen
            assert all(p > max(seen, default=0) for p in new), (
                f"positions {sorted(p for p in new if p <= max(seen))} appeared after the"
                f" consumer had seen position {max(seen)}: a consumer resuming after its"
                " checkpoint would never see them"
            )
            assert positions == sorted(set(positions))
            seen |= set(positions)
        assert len(polls[-1]) == 5


class StorageContract(
    AggregateStoreContract,
    UnitOfWorkContract,
    SnapshotContract,
    CommandLogContract,
    OutboxContract,
    ThreadConcurrencyContract,
    InterleavingContract,
    ReadYourWritesContract,
):
    """Every single-process contract; subclass it and provide the ``storage`` fixture."""


# --- tamper evidence ------------------------------------------------------------------------


def _broken(storage: Storage, kind: str, aggregate_id: str, *, after: int = 0) -> Any:
    """The :class:`TamperedStreamError` a read of the stream raises (fails if none)."""
    with storage.unit_of_work() as reader, pytest.raises(TamperedStreamError) as caught:
        reader.events.load(kind, aggregate_id, after_version=after)
    error = caught.value
    assert (error.kind, error.aggregate_id) == (kind, aggregate_id), str(error)
    assert f"{kind} {aggregate_id!r}" in str(error)
    return error


def _intact(storage: Storage, kind: str, aggregate_id: str, count: int) -> None:
    with storage.unit_of_work() as reader:
        assert reader.events.load(kind, aggregate_id) == tuple(_items(aggregate_id, 1, count))


class StreamContinuityContract(StorageFixture):
    """A stored stream with a row deleted or two rows swapped is refused on read.

    Besides ``storage``, provide a ``tampering`` fixture: a
    :class:`~ordercycle.testing.tampering.Tampering` over the same storage.
    """

    @pytest.fixture
    def tampering(self, storage: Storage) -> Tampering:
        """Raw access to ``storage``'s rows. Override in your subclass."""
        raise NotImplementedError(
            "Provide a `tampering` fixture (an ordercycle.testing.tampering.Tampering)."
        )

    def test_a_deleted_middle_event_is_named_by_stream_and_version(
        self, storage: Storage, tampering: Tampering
    ) -> None:
        for kind in ("stock", "invoice", "account"):
            _write(storage, kind, "K-1", 4)
            _write(storage, kind, "K-2", 4)
            tampering.delete_event(kind, "K-1", 2)
            assert _broken(storage, kind, "K-1").version == 2
            # A reader catching up from version 1 (a cache) finds the hole too.
            assert _broken(storage, kind, "K-1", after=1).version == 2
            assert _broken(storage, kind, "K-1", after=2).version == 2
            _intact(storage, kind, "K-2", 4)

    def test_swapped_events_are_refused(self, storage: Storage, tampering: Tampering) -> None:
        _write(storage, "stock", "MUG", 4)
        _write(storage, "stock", "PEN", 4)
        tampering.swap_events("stock", "MUG", 2, 3)
        assert _broken(storage, "stock", "MUG").version == 2
        _intact(storage, "stock", "PEN", 4)

    def test_a_broken_stream_refuses_appends_built_on_it(
        self, storage: Storage, tampering: Tampering
    ) -> None:
        _write(storage, "order", "O-1", 3)
        tampering.delete_event("order", "O-1", 2)
        with (
            storage.unit_of_work() as uow,
            pytest.raises(TamperedStreamError, match="version 2"),
        ):
            uow.events.load("order", "O-1")


class TamperEvidenceContract(StreamContinuityContract):
    """Edited events and snapshots are refused on read (each row is hash-chained).

    An adapter that keeps no stored text (the memory adapter's ``roundtrip=False``)
    proves only :class:`StreamContinuityContract`.
    """

    def test_an_edited_event_is_named_by_stream_and_version(
        self, storage: Storage, tampering: Tampering
    ) -> None:
        _write(storage, "stock", "MUG", 3)
        _write(storage, "stock", "PEN", 3)
        text = tampering.event_payload("stock", "MUG", 2)
        assert '"quantity": 2' in text or '"quantity":2' in text, text
        tampering.set_event_payload(
            "stock", "MUG", 2, text.replace('"quantity": 2', '"quantity": 200')
        )
        error = _broken(storage, "stock", "MUG")
        assert error.version == 2
        assert "hash" in str(error)
        assert _broken(storage, "stock", "MUG", after=1).version == 2
        _intact(storage, "stock", "PEN", 3)
        # The rows before the edit still read; the error pickles with its attributes.
        with storage.unit_of_work() as reader:
            assert len(reader.events.load("stock", "PEN", after_version=1)) == 2
        import pickle

        copy = pickle.loads(pickle.dumps(error))
        assert (copy.kind, copy.aggregate_id, copy.version) == ("stock", "MUG", 2)

    def test_an_edited_snapshot_is_refused(self, storage: Storage, tampering: Tampering) -> None:
        for aggregate_id in ("INV-1", "INV-2"):
            _write(storage, "invoice", aggregate_id, 2)
            with storage.unit_of_work() as uow:
                uow.snapshots.save(
                    Snapshot(
                        kind="invoice",
                        aggregate_id=aggregate_id,
                        version=2,
                        payload='{"total": "518.00"}',
                    )
                )
        tampering.set_snapshot_payload("invoice", "INV-1", 2, '{"total": "5.18"}')
        with storage.unit_of_work() as reader:
            with pytest.raises(TamperedStreamError, match="snapshot") as caught:
                reader.snapshots.latest("invoice", "INV-1")
            assert (caught.value.aggregate_id, caught.value.version) == ("INV-1", 2)
            kept = reader.snapshots.latest("invoice", "INV-2")
            assert kept is not None
            assert kept.payload == '{"total": "518.00"}'

    def test_a_snapshot_whose_event_was_edited_is_refused(
        self, storage: Storage, tampering: Tampering
    ) -> None:
        _write(storage, "invoice", "INV-1", 2)
        with storage.unit_of_work() as uow:
            uow.snapshots.save(
                Snapshot(kind="invoice", aggregate_id="INV-1", version=2, payload="{}")
            )
        text = tampering.event_payload("invoice", "INV-1", 2)
        tampering.swap_events("invoice", "INV-1", 1, 2)
        tampering.swap_events("invoice", "INV-1", 1, 2)  # back: untouched again
        assert tampering.event_payload("invoice", "INV-1", 2) == text
        with storage.unit_of_work() as reader:
            assert reader.snapshots.latest("invoice", "INV-1") is not None
        tampering.delete_event("invoice", "INV-1", 2)
        with (
            storage.unit_of_work() as reader,
            pytest.raises(TamperedStreamError, match="snapshot"),
        ):
            reader.snapshots.latest("invoice", "INV-1")
