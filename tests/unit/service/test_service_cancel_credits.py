"""Units billed and then canceled are credited, whatever the path (issue 16, item 4).

Under the ``ordered`` invoice policy (the default) an order is billed before it ships, so
every way of taking units off an order must credit the billed ones: cancel the order
(also after its units were picked or packed: they go back to stock), cancel the rest of
a line (backordered units included), and amend. Runs on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.money import Money
from ordercycle.service import DeskCommandError, OrderDesk

from .test_service_changes import desk_state, ship_east


@pytest.fixture
def desk(any_desk: OrderDesk) -> OrderDesk:
    return any_desk


def _invoiced(desk: OrderDesk, items: dict[str, int], **placing: object) -> str:
    order_id = desk.place_order("C-ACME", items, **placing).aggregate_id  # type: ignore[arg-type]
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    desk.invoice_order(order_id)
    return order_id


def _books(desk: OrderDesk, order_id: str) -> tuple[Money, Money]:
    """(invoiced, credited) for the order's invoices."""
    invoices = [i for i in desk.invoices() if i.invoice_id in _invoice_ids(desk, order_id)]
    billed = Money.sum((i.total for i in invoices), currency="USD")
    credited = Money.sum((i.credited for i in invoices), currency="USD")
    return billed, credited


def _invoice_ids(desk: OrderDesk, order_id: str) -> set[str]:
    return {d.document_id for d in desk.order(order_id).invoices}


def test_canceling_an_invoiced_order_credits_every_billed_unit(desk: OrderDesk) -> None:
    order_id = _invoiced(desk, {"MUG": 2, "TEAPOT": 1})
    result = desk.cancel_order(order_id)
    assert result["credit_notes"] == [f"CN-{order_id}-1", f"CN-{order_id}-2"]
    assert "3 billed units credited" in result.notes[-1]
    order = desk.order(order_id)
    assert order.state == "canceled"
    assert all(line.ledger.credited == line.ledger.invoiced for line in order.lines)
    billed, credited = _books(desk, order_id)
    assert credited == billed
    account = desk.account("C-ACME")
    assert order_id not in account.open_order_ids
    assert account.open_invoice_ids == ()
    assert account.receivables == Money("0.00", "USD")


def test_canceling_a_discounted_order_credits_what_was_billed_to_the_cent(
    desk: OrderDesk,
) -> None:
    order_id = _invoiced(
        desk,
        {"MUG": 3, "LAMP": 1},
        discounts=[{"amount": "10.00 USD", "reason": "loyalty"}],
        price_overrides=[{"line_id": "L2", "unit_price": "70.00 USD", "reason": "match"}],
    )
    billed, _ = _books(desk, order_id)
    desk.cancel_order(order_id)
    assert _books(desk, order_id) == (billed, billed)


def test_canceling_after_pick_and_pack_restocks_the_units_and_credits_them(
    desk: OrderDesk,
) -> None:
    order_id = _invoiced(desk, {"MUG": 2})
    available = desk.available_units("MUG")
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment_id = desk.pack_order(order_id, wave).aggregate_id
    result = desk.cancel_order(order_id)
    assert result["released_units"] == 2
    assert desk.available_units("MUG") == available + 2
    billed, credited = _books(desk, order_id)
    assert credited == billed
    with pytest.raises(OrderCycleError, match="canceled"):
        desk.ship_shipment(shipment_id, "1Z-LATE")


def test_an_order_with_a_shipped_unit_is_not_canceled_and_nothing_is_credited(
    desk: OrderDesk,
) -> None:
    order_id = _invoiced(desk, {"MUG": 1, "RUG": 6})  # 2 rugs stay backordered
    ship_east(desk, order_id)
    before = desk_state(desk)
    with pytest.raises(OrderCycleError, match="shipped"):
        desk.cancel_order(order_id)
    assert desk_state(desk) == before


def test_canceling_an_order_billed_on_delivery_credits_nothing(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-ACME", {"MUG": 1}, invoice_policy="delivered").aggregate_id
    desk.confirm_order(order_id)
    result = desk.cancel_order(order_id)
    assert "credit_notes" not in result.details
    assert desk.order(order_id).invoices == ()


def test_canceling_backordered_units_of_a_billed_line_credits_them(desk: OrderDesk) -> None:
    order_id = _invoiced(desk, {"RUG": 6})  # the sample shop has 4 rugs: 2 backordered
    line = desk.order(order_id).line("L1")
    assert line.ledger.backordered == 2
    result = desk.cancel_order_line(order_id, "L1", quantity=2)
    assert result["credit_notes"] == [f"CN-{order_id}-1"]
    assert desk.order(order_id).line("L1").ledger.credited == 2


def test_a_picked_line_is_not_canceled_alone_and_the_refusal_says_what_to_do(
    desk: OrderDesk,
) -> None:
    order_id = _invoiced(desk, {"MUG": 2})
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    before = desk_state(desk)
    with pytest.raises(DeskCommandError, match="cancel the whole order") as info:
        desk.cancel_order_line(order_id, "L1")
    assert "return" in str(info.value)
    assert desk_state(desk) == before


def test_taking_units_off_by_amendment_credits_them(desk: OrderDesk) -> None:
    order_id = _invoiced(desk, {"MUG": 3})
    result = desk.amend_order(
        order_id, [{"action": "set_quantity", "line_id": "L1", "quantity": 1}]
    )
    assert result["credit_notes"] == [f"CN-{order_id}-1"]
    assert desk.order(order_id).line("L1").ledger.net_invoiced == 1
