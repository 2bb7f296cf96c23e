"""The order's lifecycle: creation, placing, confirming, completing, canceling, expiring."""

from __future__ import annotations

from datetime import datetime

import pytest

from ordercycle.errors import TransitionNotAllowedError, ValidationError
from ordercycle.model.clock import NaiveDatetimeError
from ordercycle.model.order import Order
from ordercycle.model.order.errors import OrderCommandError
from ordercycle.model.order.events import OrderCanceled, OrderDrafted, OrderPlaced
from ordercycle.model.order.lifecycle import ORDER_LIFECYCLE
from ordercycle.model.order.policies import InvoicePolicy, Priority, ShippingPolicy

from .conftest import HOME, Story


def test_a_new_order_is_a_draft_at_version_1(story: Story) -> None:
    order = story.create()
    assert (order.state, order.version, order.billing_address) == ("draft", 1, HOME)
    assert order.invoice_policy is InvoicePolicy.ORDERED
    assert order.shipping_policy is ShippingPolicy.SHIP_AS_AVAILABLE
    assert order.priority is Priority.NORMAL
    assert [line.quantity for line in order.lines] == [4, 2]
    assert type(story.history[0]) is OrderDrafted
    assert str(order.total) == "78.00 USD"


def test_policies_can_be_given_by_value(story: Story) -> None:
    order = story.create(invoice_policy="delivered", shipping_policy="ship_complete", priority=3)
    assert order.invoice_policy is InvoicePolicy.DELIVERED
    assert order.shipping_policy is ShippingPolicy.SHIP_COMPLETE
    assert order.priority is Priority.RUSH


def test_bad_header_values_are_refused_with_the_field_named(story: Story) -> None:
    with pytest.raises(ValidationError, match="Invalid invoice policy for order O-17: 'weekly'"):
        story.create(invoice_policy="weekly")
    with pytest.raises(ValidationError, match="Invalid channel for order O-17"):
        story.create(channel="")
    with pytest.raises(ValidationError, match="requested delivery date"):
        story.create(requested_delivery_date=datetime(2026, 1, 1))


def test_the_order_moves_draft_placed_confirmed_released(story: Story) -> None:
    order = story.released()
    assert order.state == "released"
    assert [type(e).__name__ for e in story.history[1:]] == [
        "OrderPlaced",
        "OrderConfirmed",
        "OrderReleased",
    ]
    placed = story.history[1]
    assert isinstance(placed, OrderPlaced)
    assert (placed.source, placed.target, placed.version) == ("draft", "placed", 2)


def test_an_order_without_lines_cannot_be_placed(story: Story) -> None:
    order = story.create(lines=[])
    with pytest.raises(TransitionNotAllowedError) as info:
        order.place(at=story.at())
    assert str(info.value) == (
        "Cannot place order O-17: it has no lines; allowed now: cancel, expire."
    )
    assert story.order == order


def test_illegal_transitions_name_the_state_and_the_allowed_events(story: Story) -> None:
    order = story.create()
    with pytest.raises(TransitionNotAllowedError, match="Cannot confirm order O-17: it is draft"):
        order.confirm(at=story.at())
    expected = "not an event of the order lifecycle; allowed now: cancel, expire, place"
    with pytest.raises(TransitionNotAllowedError, match=expected):
        order.fire("ship_it", at=story.at())
    assert order.version == 1


def test_completion_waits_for_every_unit_to_be_delivered(story: Story) -> None:
    story.released()
    with pytest.raises(TransitionNotAllowedError, match="6 units are not delivered yet"):
        story.order.complete(at=story.at())
    story.delivered()
    story.do("complete")
    assert story.order.state == "completed"
    assert story.order.is_final


def test_canceling_the_order_cancels_and_releases_every_unshipped_unit(story: Story) -> None:
    story.released()
    story.do("allocate", "L1", 3)
    story.do("pick", "L1", 1)
    (event,) = story.do("cancel", reason="customer changed mind")
    assert isinstance(event, OrderCanceled)
    release = event.releases[0].release
    assert (release.allocated, release.picked, release.open, release.to_stock) == (2, 1, 1, 3)
    assert [line.ledger.canceled for line in story.order.lines] == [4, 2]
    assert story.order.state == "canceled"


def test_an_order_with_shipped_units_cannot_be_canceled_as_a_whole(story: Story) -> None:
    story.delivered()
    with pytest.raises(TransitionNotAllowedError, match="6 units have shipped"):
        story.order.cancel(at=story.at())


def test_invoiced_units_must_be_credited_before_canceling(story: Story) -> None:
    story.released()
    story.do("record_invoice", "INV-1", {"L1": 2})
    with pytest.raises(OrderCommandError, match="2 units are invoiced; credit them first"):
        story.order.cancel(at=story.at())
    story.do("record_credit", "CN-1", {"L1": 2})
    story.do("cancel")
    assert story.order.state == "canceled"


def test_a_draft_expires(story: Story) -> None:
    story.create()
    story.do("expire")
    assert story.order.state == "expired"
    with pytest.raises(TransitionNotAllowedError, match="it is expired; no event is allowed"):
        story.order.place(at=story.at())


def test_time_must_be_aware_and_move_forward(story: Story) -> None:
    order = story.create()
    with pytest.raises(NaiveDatetimeError):
        order.place(at=datetime(2026, 2, 1))
    earlier = order.created_at.replace(year=2025)
    with pytest.raises(ValidationError, match="expected a time at or after its last change"):
        order.place(at=earlier)


def test_the_lifecycle_draws_itself_with_guards() -> None:
    diagram = ORDER_LIFECYCLE.to_mermaid()
    assert "confirmed --> released: release [not_on_hold]" in diagram
    assert "released --> canceled: cancel [nothing_shipped]" in diagram


def test_every_command_returns_a_new_order_and_never_none(story: Story) -> None:
    order = story.create()
    result = order.place(at=story.at())
    assert isinstance(result, tuple)
    assert isinstance(result[0], Order)
    assert result[0] is not order
    assert order.state == "draft"
