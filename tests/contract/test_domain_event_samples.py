"""The sample of real domain events the storage contract stores misses no event type."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import ordercycle
from ordercycle.model.events import DomainEvent
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
    import attrs

    @attrs.frozen(kw_only=True)
    class SampleTestThrowaway(DomainEvent):
        note: str

    try:
        assert "SampleTestThrowaway" in DomainEvent.registry()
        assert "SampleTestThrowaway" not in domain_event_types()
    finally:
        DomainEvent._unregister("SampleTestThrowaway")
