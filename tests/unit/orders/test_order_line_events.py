"""A line's warehouse event changes that line alone, live and in replay."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.model.order import Order
from ordercycle.model.order.errors import QuantityNotAvailableError, UnknownLineError
from ordercycle.model.order.events import OrderLineAllocated

from .conftest import Story


def test_an_allocation_changes_its_line_and_keeps_the_others(story: Story) -> None:
    order = story.released()
    (event,) = story.do("allocate", "L2", 1)
    after = story.order
    assert after.lines[0] is order.lines[0]
    assert after.lines[1].ledger.allocated == 1
    assert [line.line_id for line in after.lines] == ["L1", "L2"]
    assert after == Order.replay(story.history)
    assert after.version == event.version == order.version + 1


def test_a_replayed_event_of_an_unknown_line_is_refused_naming_the_known_ones(
    story: Story,
) -> None:
    order = story.released()
    stray = OrderLineAllocated(
        aggregate_id=order.id,
        version=order.version + 1,
        occurred_at=story.at(),
        line_id="L9",
        sku="MUG-12",
        quantity=1,
    )
    with pytest.raises(UnknownLineError) as caught:
        Order.replay([stray], base=order)
    assert "L9" in str(caught.value)
    assert "L1" in str(caught.value)
    too_many = attrs.evolve(stray, line_id="L1", quantity=99)
    with pytest.raises(QuantityNotAvailableError, match="line L1 of order O-17"):
        Order.replay([too_many], base=order)
