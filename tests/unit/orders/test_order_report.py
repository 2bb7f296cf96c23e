"""The plain-text picture of an order, and ids drawn from an IdFactory."""

from __future__ import annotations

from ordercycle.model.ids import SequentialIdFactory
from ordercycle.model.order import Order

from .conftest import HOME, Story


def test_describe_shows_state_holds_statuses_and_the_ledger(story: Story) -> None:
    story.released()
    story.do("allocate", "L1", 3)
    story.do("hold", "credit", by="ana")
    text = story.order.describe()
    assert text.splitlines()[:3] == [
        "Order O-17 for customer C-3 (direct), version 6, revision 0",
        "  state: released; holds: credit",
        "  fulfilment: partially_allocated; billing: not_invoiced; payment: unpaid"
        " (paid 0.00 USD of 0.00 USD due, net of tax)",
    ]
    assert text.splitlines()[3:5] == [f"  ship to: {HOME}", f"  bill to: {HOME}"]
    assert text.splitlines()[6].split() == [
        "L1", "MUG-12", "4", "1", "3", "0", "0", "0", "0", "0", "0", "0", "0", "0"
    ]  # fmt: skip
    assert story.order._repr_markdown_().startswith("```text\nOrder O-17")


def test_the_order_id_can_come_from_an_id_factory(story: Story) -> None:
    ids = SequentialIdFactory()
    order, (event,) = Order.create(
        ids, customer_id="C-1", currency="EUR", shipping_address=HOME, at=story.now
    )
    assert (order.id, event.aggregate_id, order.currency.code) == ("O-1", "O-1", "EUR")
