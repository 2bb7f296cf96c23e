"""A session over an observed unit of work reads through the unobserved store and reports
its appends itself: the observer sees what the observed store would have reported.

The desk's sessions run over a watched unit of work (``service._watch``); the session
skips the observing wrapper for its reads, so every append it makes must still reach the
observer, after it succeeded, with the events appended.
"""

from __future__ import annotations

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
from ordercycle.service import OrderDesk
from ordercycle.service._session import Session
from ordercycle.service.records import CustomerRegistered
from ordercycle.storage import MemoryStorage
from ordercycle.storage._observed import ObservedUnitOfWork
from ordercycle.storage.errors import StreamConflictError
from ordercycle.storage.views import ViewRow

from .conftest import invoiced

Report = tuple[str, str, tuple[DomainEvent, ...]]


class _Observed:
    """Memory storage whose units of work report every append (as the testing package's
    recording storage does), keeping the reports in order."""

    def __init__(self) -> None:
        self.inner = MemoryStorage(roundtrip=False)
        self.reports: list[Report] = []

    def unit_of_work(self) -> ObservedUnitOfWork:
        return ObservedUnitOfWork(self.inner.unit_of_work(), self._report)

    def _report(self, kind: str, aggregate_id: str, events: tuple[DomainEvent, ...]) -> None:
        assert type(events) is tuple
        self.reports.append((kind, aggregate_id, events))

    def close(self) -> None:
        self.inner.close()


def test_every_committed_event_of_a_desk_was_reported_once_in_order(
    clock: SteppableClock,
) -> None:
    storage = _Observed()
    desk = OrderDesk(storage, clock=clock)  # type: ignore[arg-type]
    open_sample_shop(desk)
    invoiced(desk, "C-BOLT", {"TEAPOT": 2})
    desk.dispatch()
    reported = [(kind, key, event) for kind, key, events in storage.reports for event in events]
    with storage.inner.unit_of_work() as uow:
        messages = uow.outbox.read(after=0, limit=100_000)
    # Nothing was rolled back here, so what was reported is what was committed, in order,
    # and the very objects stored (roundtrip=False keeps them).
    assert len(reported) == len(messages) > 30
    for (kind, key, event), message in zip(reported, messages, strict=True):
        assert (kind, key) == (message.kind, message.aggregate_id)
        assert event is message.event


def _opened(clock: SteppableClock) -> tuple[_Observed, OrderDesk, Customer]:
    """The sample shop over observed storage, its reports cleared, and a customer."""
    storage = _Observed()
    desk = OrderDesk(storage, clock=clock)  # type: ignore[arg-type]
    open_sample_shop(desk)
    customer = desk.customer("C-BOLT")
    storage.reports.clear()
    return storage, desk, customer


def _session(observed: ObservedUnitOfWork, desk: OrderDesk, clock: SteppableClock) -> Session:
    """A session of the desk over ``observed``, at the clock's time."""
    return Session(observed, desk.settings, desk.ids, clock.now())  # type: ignore[arg-type]


def test_a_session_reads_through_the_inner_store_and_reports_its_appends(
    clock: SteppableClock,
) -> None:
    storage, desk, customer = _opened(clock)
    observed = storage.unit_of_work()
    with observed:
        session = _session(observed, desk, clock)
        assert type(session._events) is type(observed.inner.events)
        version = session.record_version("customer", "C-BOLT")
        session.put("customer", "C-BOLT", CustomerRegistered, customer, "renamed")
        assert [(k, a, [e.version for e in es]) for k, a, es in storage.reports] == [
            ("customer", "C-BOLT", [version + 1])
        ]


def test_a_session_reads_through_the_store_its_observed_store_wraps(
    clock: SteppableClock,
) -> None:
    storage, desk, _customer = _opened(clock)
    observed = storage.unit_of_work()
    with observed:
        session = _session(observed, desk, clock)
        wrapped = session._append_events.__self__.inner  # type: ignore[attr-defined]
        # One store of the inner unit, shared by the reads and the observed appends.
        assert session._events is wrapped
        assert wrapped._uow is observed.inner
        # A read through it is not reported; an append through the observed store is.
        assert session._events.version("customer", "C-BOLT") > 0
        assert storage.reports == []


def test_a_refused_append_is_not_reported(clock: SteppableClock) -> None:
    storage, desk, customer = _opened(clock)
    observed = storage.unit_of_work()
    observed.__enter__()
    session = _session(observed, desk, clock)
    session._records[("customer", "C-BOLT")] = (customer, 0)  # a stale version
    with pytest.raises(StreamConflictError):
        session.put("customer", "C-BOLT", CustomerRegistered, customer, "renamed")
    observed.rollback()
    assert storage.reports == []


def test_rows_a_session_puts_over_an_observed_unit_go_to_the_inner_units_views(
    clock: SteppableClock,
) -> None:
    storage, desk, _customer = _opened(clock)
    observed = storage.unit_of_work()
    with observed:
        views = _session(observed, desk, clock).views
        assert views is not None
        # The inner unit's own read models (the port is made when asked for: compare kinds).
        assert type(views) is type(observed.inner.projections)
        views.put(ViewRow(view="orders", key="O-X", version=1, sort=""))
    with storage.inner.unit_of_work() as uow:
        found = uow.projections.get("orders", "O-X")
    assert found is not None
    assert found.version == 1
