"""Quotes and header edits of drafts: send_quote, placing within validity, change_header."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest

from ordercycle.errors import TransitionNotAllowedError, ValidationError
from ordercycle.model.order import CommandNotAllowedError, Order, QuoteExpiredError
from ordercycle.model.order.events import OrderHeaderChanged, OrderQuoted

from .conftest import Story


def test_a_quote_records_its_validity_and_places_within_it(story: Story) -> None:
    story.create()
    (event,) = story.do("send_quote", date(2026, 1, 10))
    assert isinstance(event, OrderQuoted)
    assert (story.order.state, story.order.quote_valid_until) == ("quoted", date(2026, 1, 10))
    assert "quote valid until 2026-01-10" in story.order.describe()
    story.do("place")
    assert story.order.state == "placed"
    assert Order.replay(story.history) == story.order


def test_a_quote_past_its_validity_is_refused_at_placement_and_nothing_changes(
    story: Story,
) -> None:
    story.create()
    story.do("send_quote", date(2026, 1, 5))
    before = story.order
    late = story.now + timedelta(days=1)
    with pytest.raises(QuoteExpiredError, match="valid until 2026-01-05 and today is 2026-01-06"):
        story.order.place(at=late)
    assert story.order == before
    error = QuoteExpiredError("order O-17", date(2026, 1, 5), date(2026, 1, 6))
    assert pickle.loads(pickle.dumps(error)).valid_until == date(2026, 1, 5)


def test_a_revised_quote_extends_validity_and_a_quote_can_expire(story: Story) -> None:
    story.create()
    story.do("send_quote", date(2026, 1, 5))
    story.do("send_quote", date(2026, 2, 1))
    assert story.order.quote_valid_until == date(2026, 2, 1)
    story.do("expire")
    assert story.order.state == "expired"
    assert story.order.is_final
    with pytest.raises(TransitionNotAllowedError):
        story.order.place(at=story.at())


def test_a_quote_needs_a_date_not_before_today(story: Story) -> None:
    story.create()
    with pytest.raises(ValidationError, match=r"quote valid until.*on or after 2026-01-05"):
        story.order.send_quote(date(2026, 1, 4), at=story.now)
    with pytest.raises(ValidationError, match="quote valid until"):
        story.order.send_quote("2026-02-01", at=story.now)  # type: ignore[arg-type]
    story.create(lines=[])
    with pytest.raises(TransitionNotAllowedError, match="no lines"):
        story.order.send_quote(date(2026, 2, 1), at=story.now)


def test_change_header_edits_a_draft_or_quote_only(story: Story) -> None:
    story.create()
    (event,) = story.do("change_header", channel="phone", payment_terms="Net 15")
    assert isinstance(event, OrderHeaderChanged)
    story.do("send_quote", date(2026, 2, 1))
    story.do("change_header", requested_delivery_date=date(2026, 3, 1))
    order = story.order
    assert (order.channel, order.payment_terms, order.requested_delivery_date) == (
        "phone",
        "Net 15",
        date(2026, 3, 1),
    )
    story.do("change_header", clear_requested_delivery_date=True)
    assert story.order.requested_delivery_date is None
    assert Order.replay(story.history) == story.order
    with pytest.raises(ValidationError, match="channel"):
        story.order.change_header(channel=" web", at=story.at())
    story.do("place")
    with pytest.raises(CommandNotAllowedError, match="change the header of order O-17"):
        story.order.change_header(channel="web", at=story.at())
