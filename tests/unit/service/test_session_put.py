"""``Session.put`` builds its desk events without the common checks only when the
session's time is aware: the events are equal to the class's own, and a bad key or a naive
time is refused as before."""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop, sample_customers
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.service._session import Session
from ordercycle.service.errors import UnknownAggregateError
from ordercycle.service.records import CustomerRegistered
from ordercycle.storage import MemoryStorage


def test_a_put_event_equals_the_event_the_class_builds(clock: SteppableClock) -> None:
    desk = OrderDesk(MemoryStorage(), clock=clock)
    open_sample_shop(desk)
    customer = attrs.evolve(sample_customers()[1], name="Bolt & Nut Holdings")
    desk.register_customer(customer)
    with desk.storage.unit_of_work() as uow:
        events = uow.events.load("customer", "C-BOLT")
    stored = events[-1]
    assert type(stored) is CustomerRegistered
    assert stored == CustomerRegistered(
        aggregate_id="C-BOLT",
        version=len(events),
        occurred_at=clock.now(),
        change=stored.change,
        state=customer,
    )


def _session(desk: OrderDesk, uow: object, now: object) -> Session:
    return Session(uow, desk.settings, desk.ids, now)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", " C-NEW", 17])
def test_a_bad_key_is_refused_and_nothing_is_written(clock: SteppableClock, key: object) -> None:
    desk = OrderDesk(MemoryStorage(), clock=clock)
    customer = sample_customers()[1]
    with desk.storage.unit_of_work() as uow:
        session = _session(desk, uow, clock.now())
        with pytest.raises(UnknownAggregateError):
            session.put("customer", key, CustomerRegistered, customer, "new")  # type: ignore[arg-type]
    with desk.storage.unit_of_work() as uow:
        assert uow.events.aggregate_ids("customer") == ()


def test_a_naive_time_is_refused_by_the_event_class(clock: SteppableClock) -> None:
    desk = OrderDesk(MemoryStorage(), clock=clock)
    customer = sample_customers()[1]
    naive = datetime(2026, 3, 2, 9, 0)
    with desk.storage.unit_of_work() as uow:
        session = _session(desk, uow, naive)
        with pytest.raises(OrderCycleError, match="occurred_at"):
            session.put("customer", "C-NEW", CustomerRegistered, customer, "new")
    with desk.storage.unit_of_work() as uow:
        assert uow.events.aggregate_ids("customer") == ()
