"""The desk keeps the state records it committed or read, and trusts them only while their
stream still ends at the version they were kept at."""

from __future__ import annotations

import threading
from pathlib import Path

import attrs
from tests.races import postgres_schema

from ordercycle.examples.shop import open_sample_shop, sample_customers
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.service._cache import StreamCache
from ordercycle.storage import MemoryStorage


def test_a_committed_record_is_read_back_as_the_state_it_stored(clock: SteppableClock) -> None:
    # A storage that decodes every event it loads: without the kept state the next read
    # would be a decoded copy, equal but not the same object.
    desk = OrderDesk(MemoryStorage(), clock=clock)
    open_sample_shop(desk)
    customer = attrs.evolve(sample_customers()[1], name="Bolt & Nut Holdings")
    desk.register_customer(customer)
    assert desk.customer("C-BOLT") is customer
    with desk.storage.unit_of_work() as uow:
        stored = uow.events.load("customer", "C-BOLT")[-1]
    assert getattr(stored, "state") == customer  # noqa: B009
    assert getattr(stored, "state") is not customer  # noqa: B009


def _changed_by_another_desk(first: OrderDesk, second: OrderDesk) -> None:
    open_sample_shop(first)
    assert second.customer("C-BOLT").name == "Bolt & Nut Ltd"  # kept by the second desk
    assert second._cache.record("customer", "C-BOLT") is not None
    renamed = attrs.evolve(sample_customers()[1], name="Bolt & Nut Holdings")
    first.register_customer(renamed)
    # The second desk's entry is stale: the stream has moved past its version.
    assert second.customer("C-BOLT") == renamed
    # The second desk's next command builds on the new state, at the new version.
    second.place_order("C-BOLT", {"MUG": 1})
    assert first.customer("C-BOLT") == renamed
    assert second.account("C-BOLT") == first.account("C-BOLT")
    # And the first desk's next change builds on the second desk's.
    first.place_order("C-BOLT", {"MUG": 1})
    assert len(second.account("C-BOLT").open_order_ids) == 2
    assert len(first.account("C-BOLT").open_order_ids) == 2


def test_a_record_changed_by_another_desk_is_read_again(
    clock: SteppableClock, tmp_path: Path
) -> None:
    path = tmp_path / "shop.db"
    first = OrderDesk.sqlite(path, clock=clock)
    second = OrderDesk.sqlite(path, clock=clock)
    try:
        _changed_by_another_desk(first, second)
    finally:
        first.close()
        second.close()


def test_a_record_changed_by_another_desk_on_one_memory_storage_is_read_again(
    clock: SteppableClock,
) -> None:
    storage = MemoryStorage()
    _changed_by_another_desk(OrderDesk(storage, clock=clock), OrderDesk(storage, clock=clock))


def test_a_record_changed_by_another_desk_on_postgres_is_read_again(
    clock: SteppableClock, postgres_dsn: str
) -> None:
    with postgres_schema(postgres_dsn, "oc_records") as (dsn, schema):
        first = OrderDesk.postgres(dsn, schema=schema, clock=clock)
        second = OrderDesk.postgres(dsn, schema=schema, clock=clock)
        try:
            _changed_by_another_desk(first, second)
        finally:
            first.close()
            second.close()


def test_the_kept_records_are_bounded_and_a_newer_version_is_never_replaced() -> None:
    cache = StreamCache(limit=3)
    cache.keep_records([(("customer", f"C-{n}"), (f"state {n}", 1)) for n in range(3)])
    cache.keep_records([(("customer", "C-0"), ("older", 0)), (("customer", "C-1"), ("new", 2))])
    assert cache.record("customer", "C-0") == ("state 0", 1)
    assert cache.record("customer", "C-1") == ("new", 2)
    # A fourth key finds the table full: it is cleared, never held over its limit.
    cache.keep_records([(("customer", "C-3"), ("state 3", 1))])
    assert cache.kept_records == {("customer", "C-3"): ("state 3", 1)}
    for n in range(4, 20):
        cache.keep_records([(("account", f"C-{n}"), ("state", 1))])
        assert len(cache.kept_records) <= 3


def test_a_desk_over_event_objects_keeps_the_records_it_stored(clock: SteppableClock) -> None:
    desk = OrderDesk.in_memory(clock=clock, roundtrip=False)
    open_sample_shop(desk)
    renamed = attrs.evolve(sample_customers()[1], name="Bolt & Nut Holdings")
    desk.register_customer(renamed)
    assert desk._cache.record("customer", "C-BOLT") == (renamed, 2)
    assert desk.customer("C-BOLT") is renamed
    order_id = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    assert desk.account("C-BOLT").open_order_ids == (order_id,)


def test_forgotten_streams_leave_the_desk_too(clock: SteppableClock) -> None:
    desk = OrderDesk.in_memory(clock=clock)
    open_sample_shop(desk)
    desk.customer("C-BOLT")
    assert desk._cache.record("customer", "C-BOLT") is not None
    desk.forget([("customer", "C-BOLT")])
    assert desk._cache.record("customer", "C-BOLT") is None


class _NoLock:
    """A lock that must not be taken."""

    def acquire(self) -> bool:
        raise AssertionError("the lock was taken")

    def release(self) -> None:
        raise AssertionError("the lock was released")

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_committing_no_stock_takes_no_lock_and_keeps_nothing() -> None:
    cache = StreamCache()
    cache._lock = _NoLock()  # type: ignore[assignment]
    cache.committed_stock([])
    assert cache._stock == {}
    cache._lock = threading.Lock()
    cache.committed_stock(iter([]))  # any other iterable is read as before
    assert cache._stock == {}
