"""Holds: reason codes, several at once, who/why/when; a held order stays in the building."""

from __future__ import annotations

import pytest

from ordercycle.errors import TransitionNotAllowedError, ValidationError
from ordercycle.model.order.errors import (
    CommandNotAllowedError,
    OrderCommandError,
    UnknownHoldError,
)
from ordercycle.model.order.events import OrderHoldPlaced, OrderHoldReleased, OrderResumed
from ordercycle.model.order.holds import Hold
from ordercycle.model.order.policies import HoldReason

from .conftest import Story


def confirmed(story: Story) -> None:
    story.create()
    story.do("place")
    story.do("confirm")


def test_a_held_order_cannot_be_released_to_the_warehouse(story: Story) -> None:
    confirmed(story)
    story.do("hold", HoldReason.CREDIT, by="ana", note="over the limit")
    held = story.order
    with pytest.raises(TransitionNotAllowedError) as info:
        held.release(at=story.at())
    assert str(info.value).startswith(
        "Cannot release order O-17 to the warehouse: it is on hold (credit)"
    )
    assert story.order == held
    assert held.state == "confirmed"


def test_a_hold_records_who_why_and_when(story: Story) -> None:
    confirmed(story)
    (event,) = story.do("hold", "fraud_review", by="risk-bot", note="score 0.93")
    assert isinstance(event, OrderHoldPlaced)
    assert story.order.holds == (
        Hold(HoldReason.FRAUD_REVIEW, by="risk-bot", note="score 0.93", at=event.occurred_at),
    )


def test_several_holds_at_once_and_the_last_release_resumes(story: Story) -> None:
    confirmed(story)
    story.do("hold", HoldReason.CREDIT, by="ana")
    story.do("hold", HoldReason.ADDRESS, by="bob")
    events = story.do("release_hold", HoldReason.CREDIT, by="ana")
    assert [type(e) for e in events] == [OrderHoldReleased]
    with pytest.raises(TransitionNotAllowedError, match=r"it is on hold \(address\)"):
        story.order.release(at=story.at())
    events = story.do("release_hold", "address", by="bob", note="verified")
    assert [type(e) for e in events] == [OrderHoldReleased, OrderResumed]
    assert not story.order.on_hold
    story.do("release")
    assert story.order.state == "released"


def test_warehouse_work_stops_while_on_hold(story: Story) -> None:
    story.released()
    story.do("hold", HoldReason.PAYMENT, by="ar")
    with pytest.raises(CommandNotAllowedError) as info:
        story.order.allocate("L1", 1, at=story.at())
    assert str(info.value) == (
        "Cannot allocate stock for order O-17: it is on hold (payment); release the hold first."
    )
    story.do("release_hold", HoldReason.PAYMENT, by="ar")
    story.do("allocate", "L1", 1)


def test_the_same_reason_cannot_be_held_twice(story: Story) -> None:
    confirmed(story)
    story.do("hold", HoldReason.MANUAL, by="ana")
    with pytest.raises(OrderCommandError, match=r"it is already on hold \(manual\)"):
        story.order.hold(HoldReason.MANUAL, by="bob", at=story.at())


def test_releasing_a_hold_that_is_not_on_is_refused(story: Story) -> None:
    confirmed(story)
    story.do("hold", HoldReason.CREDIT, by="ana")
    expected = "Unknown hold on order O-17 'address'; known: credit"
    with pytest.raises(UnknownHoldError, match=expected):
        story.order.release_hold(HoldReason.ADDRESS, by="ana", at=story.at())


def test_holds_need_a_known_reason_a_person_and_an_active_order(story: Story) -> None:
    story.create()
    with pytest.raises(CommandNotAllowedError, match="it is draft; allowed when the order is"):
        story.order.hold(HoldReason.CREDIT, by="ana", at=story.at())
    confirmed(story)
    with pytest.raises(ValidationError, match="Invalid hold reason for order O-17: 'vibes'"):
        story.order.hold("vibes", by="ana", at=story.at())
    with pytest.raises(ValidationError, match="Invalid by for order O-17"):
        story.order.hold(HoldReason.CREDIT, by="", at=story.at())
    assert story.order.holds == ()
