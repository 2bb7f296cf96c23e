"""Replay: the event history rebuilds an equal order; broken histories are refused."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.model.events import DomainEvent
from ordercycle.model.order import Order
from ordercycle.model.order.errors import EventHistoryError
from ordercycle.model.order.events import OrderPlaced

from .conftest import Story


def test_replaying_a_long_history_gives_an_equal_order(story: Story) -> None:
    story.delivered()
    story.do("record_invoice", "INV-1", {"L1": 4, "L2": 2})
    story.do("request_return", "RMA-1", line_id="L1", quantity=1, reason="chipped")
    story.do("authorize_return", "RMA-1")
    story.do("receive_return", "RMA-1", "damaged")
    story.do("record_credit", "CN-1", {"L1": 1})
    story.do("record_payment", "PAY-1", story.order.amount_due)
    story.do("complete")
    assert Order.replay(story.history) == story.order
    assert [e.version for e in story.history] == list(range(1, story.order.version + 1))


def test_order_events_are_frozen_and_registered(story: Story) -> None:
    story.released()
    event = story.history[1]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.version = 9  # type: ignore[misc]
    assert DomainEvent.lookup("OrderPlaced") is OrderPlaced


def test_a_history_must_start_with_the_draft(story: Story) -> None:
    story.released()
    with pytest.raises(EventHistoryError, match="expected an OrderDrafted event with version 1"):
        Order.replay(story.history[1:])
    with pytest.raises(EventHistoryError):
        Order.replay([])


def test_a_history_with_a_gap_is_refused(story: Story) -> None:
    story.released()
    with pytest.raises(EventHistoryError, match="expected order O-17, version 2"):
        Order.replay([story.history[0], story.history[2]])


def test_a_history_of_another_order_is_refused(story: Story) -> None:
    story.released()
    foreign = attrs.evolve(story.history[1], aggregate_id="O-99")
    with pytest.raises(EventHistoryError, match=r"OrderPlaced \(order O-99, version 2\)"):
        Order.replay([story.history[0], foreign])


def _long_story(story: Story) -> None:
    story.delivered()
    story.do("record_invoice", "INV-1", {"L1": 4, "L2": 2})
    story.do("request_return", "RMA-1", line_id="L1", quantity=1, reason="chipped")
    story.do("authorize_return", "RMA-1")
    story.do("receive_return", "RMA-1", "damaged")
    story.do("record_credit", "CN-1", {"L1": 1})
    story.do("record_payment", "PAY-1", story.order.amount_due)
    story.do("complete")


def test_replaying_onto_a_base_equals_replaying_the_whole_history(story: Story) -> None:
    _long_story(story)
    history = story.history
    for cut in range(1, len(history) + 1):
        base = Order.replay(history[:cut])
        assert Order.replay(history[cut:], base=base) == story.order
        # The base is a value: replaying onto it does not change it.
        assert base == Order.replay(history[:cut])
    assert Order.replay([], base=story.order) is story.order


def test_a_base_must_be_followed_by_its_next_version(story: Story) -> None:
    story.released()
    base = Order.replay(story.history[:2])
    with pytest.raises(EventHistoryError, match="expected order O-17, version 3"):
        Order.replay(story.history[3:], base=base)
    with pytest.raises(EventHistoryError, match="expected order O-17, version 3"):
        Order.replay(story.history, base=base)


def test_a_base_of_another_order_is_refused(story: Story) -> None:
    story.released()
    other = attrs.evolve(Order.replay(story.history[:2]), id="O-99")
    with pytest.raises(EventHistoryError, match=r"onto order O-99 at version 2"):
        Order.replay(story.history[2:], base=other)


def test_a_base_must_be_an_order(story: Story) -> None:
    story.released()
    with pytest.raises(EventHistoryError, match="expected an Order"):
        Order.replay(story.history[1:], base=story.history[0])  # type: ignore[arg-type]
