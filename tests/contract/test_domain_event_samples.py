"""The sample of real domain events the storage contract stores misses no event type."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from datetime import timedelta, timezone
from typing import Any

import attrs
import pytest

import ordercycle
from ordercycle.model.events import DomainEvent
from ordercycle.storage import MemoryStorage
from ordercycle.testing.contracts import StorageContract
from ordercycle.testing.domain_events import (
    DOMAIN_PACKAGES,
    NOT_SAMPLED,
    domain_event_types,
    sample_streams,
)


def test_every_module_defining_events_is_in_a_domain_package() -> None:
    for module in pkgutil.walk_packages(ordercycle.__path__, "ordercycle."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    library = {
        name
        for name, cls in DomainEvent.registry().items()
        if cls.__module__.startswith("ordercycle.")
        and not cls.__module__.startswith("ordercycle.testing.")
        and getattr(sys.modules[cls.__module__], cls.__qualname__, None) is cls
    }
    assert library == set(domain_event_types())
    assert len(library) >= 60
    assert {"OrderDrafted", "StockReceived", "InvoiceIssued", "PaymentReceived"} <= library
    assert "DeskCustomerRegistered" in library
    assert DOMAIN_PACKAGES == (
        "ordercycle.model",
        "ordercycle.inventory",
        "ordercycle.invoicing",
        "ordercycle.service",
    )


def test_the_sample_covers_every_domain_event_type() -> None:
    sampled = {type(event).event_type for _, _, events in sample_streams() for event in events}
    assert set(domain_event_types()) - set(NOT_SAMPLED) <= sampled
    assert dict(NOT_SAMPLED) == {}


def test_sample_streams_are_well_formed_and_deterministic() -> None:
    streams = sample_streams()
    keys = [(kind, aggregate_id) for kind, aggregate_id, _ in streams]
    assert len(keys) == len(set(keys))
    for kind, aggregate_id, events in streams:
        assert kind
        assert aggregate_id
        assert all(event.aggregate_id == aggregate_id for event in events)
        assert [event.version for event in events] == list(range(1, len(events) + 1))
    assert {kind for kind, _ in keys} >= {"order", "stock", "invoice", "payment", "customer"}
    sample_streams.cache_clear()
    assert sample_streams() == streams


def test_throwaway_event_classes_are_not_domain_events() -> None:
    @attrs.frozen(kw_only=True)
    class SampleTestThrowaway(DomainEvent):
        note: str

    try:
        assert "SampleTestThrowaway" in DomainEvent.registry()
        assert "SampleTestThrowaway" not in domain_event_types()
    finally:
        DomainEvent._unregister("SampleTestThrowaway")


class _LossyEvents:
    """Loads events back with ``occurred_at`` moved to UTC+1 (the same instant, so ``==``
    still holds) and, optionally, without the last event of every order stream."""

    def __init__(self, inner: Any, drop_last_order_event: bool) -> None:
        self._inner = inner
        self._drop = drop_last_order_event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def load(self, kind: str, aggregate_id: str, after_version: int = 0) -> tuple[Any, ...]:
        events = self._inner.load(kind, aggregate_id, after_version=after_version)
        if self._drop and kind == "order":
            events = events[:-1]
        plus_one = timezone(timedelta(hours=1))
        return tuple(
            attrs.evolve(event, occurred_at=event.occurred_at.astimezone(plus_one))
            for event in events
        )


class _LossyUnit:
    def __init__(self, inner: Any, drop: bool) -> None:
        self._inner = inner
        self.events = _LossyEvents(inner.events, drop)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _LossyUnit:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)


class _LossyStorage:
    def __init__(self, drop: bool = False) -> None:
        self.inner = MemoryStorage()
        self.drop = drop

    def unit_of_work(self) -> _LossyUnit:
        return _LossyUnit(self.inner.unit_of_work(), self.drop)

    def close(self) -> None:
        self.inner.close()


def test_the_exact_contract_catches_what_equality_forgives() -> None:
    contract = StorageContract()
    contract.test_every_domain_event_type_round_trips(_LossyStorage())
    with pytest.raises(AssertionError, match=r"occurred_at: datetime.*came back as") as caught:
        contract.test_domain_events_keep_the_exact_type_of_every_value(_LossyStorage())
    assert "values changed in storage" in str(caught.value)


def test_the_round_trip_contract_catches_a_lost_event() -> None:
    contract = StorageContract()
    with pytest.raises(AssertionError, match="order 'O-1' changed in storage"):
        contract.test_every_domain_event_type_round_trips(_LossyStorage(drop=True))
