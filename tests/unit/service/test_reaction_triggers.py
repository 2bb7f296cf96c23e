"""The event types the desk's outbox dispatch decodes: the triggers and their registered
subclasses, exactly the registered types a handler reacts to."""

from __future__ import annotations

import attrs

from ordercycle.inventory.events import StockReceived
from ordercycle.model.events import DomainEvent
from ordercycle.service._reactions import TRIGGERS, trigger_types


def _from_registry() -> frozenset[str]:
    return frozenset(n for n, cls in DomainEvent.registry().items() if issubclass(cls, TRIGGERS))


def test_the_trigger_types_are_the_registered_types_a_handler_reacts_to() -> None:
    assert trigger_types() == _from_registry()
    assert trigger_types() is trigger_types()  # found once per registry view
    assert "StockReceived" in trigger_types()
    assert "OrderPlaced" not in trigger_types()


def test_a_registered_subclass_of_a_trigger_counts_until_it_is_unregistered() -> None:
    @attrs.frozen(kw_only=True)
    class StockReceivedForTest(StockReceived):
        event_type = "TestStockReceivedForTriggers"

    try:
        assert "TestStockReceivedForTriggers" in trigger_types()
        assert trigger_types() == _from_registry()
    finally:
        DomainEvent._unregister("TestStockReceivedForTriggers")
    assert "TestStockReceivedForTriggers" not in trigger_types()
    assert trigger_types() == _from_registry()
    assert issubclass(StockReceivedForTest, StockReceived)
