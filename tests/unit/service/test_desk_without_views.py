"""A desk over a memory storage that keeps no read models (what KPIs-only simulations use):
the commands decide and store the same, only the listing queries are refused."""

from __future__ import annotations

import pytest
from tests.unit.service.conftest import START, invoiced

from ordercycle.errors import StorageError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk


def _shop(*, projections: bool) -> OrderDesk:
    desk = OrderDesk.in_memory(clock=SteppableClock(START), projections=projections)
    open_sample_shop(desk)
    return desk


def _stored(desk: OrderDesk) -> list[tuple[str, str, int, str]]:
    """Every event the desk's storage holds, as (kind, id, version, type)."""
    with desk.storage.unit_of_work() as uow:
        return [(m.kind, m.aggregate_id, m.version, m.event_type) for m in uow.outbox.read()]


def test_the_commands_store_the_same_events_with_or_without_read_models() -> None:
    with_views, without = _shop(projections=True), _shop(projections=False)
    invoices = [invoiced(desk, "C-ACME", {"MUG": 2}) for desk in (with_views, without)]
    assert invoices[0] == invoices[1]
    assert _stored(without) == _stored(with_views)
    order_id = "O-1"
    assert without.order(order_id) == with_views.order(order_id)
    assert without.account("C-ACME") == with_views.account("C-ACME")
    assert without.storage._state.views == {}  # type: ignore[attr-defined]


def test_the_listing_queries_say_the_storage_keeps_no_read_models() -> None:
    without = _shop(projections=False)
    invoiced(without, "C-ACME", {"MUG": 1})
    for listing in (without.orders, without.invoice_listings):
        with pytest.raises(StorageError, match="keeps no read models"):
            listing()
    with pytest.raises(StorageError, match="keeps no read models"):
        without.execute_json({"type": "ListOrders"})
