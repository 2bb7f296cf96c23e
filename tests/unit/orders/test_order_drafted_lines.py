"""An order made from its draft event has the lines added one by one would give it."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.model.order import Order
from ordercycle.model.order.errors import DuplicateLineError, OrderCurrencyError
from ordercycle.model.order.events import OrderDrafted
from ordercycle.model.order.lines import NewLine
from ordercycle.money import Money

from .conftest import Story


def _one_by_one(drafted: OrderDrafted) -> Order:
    """The order as it was built before: empty, then each line added to a copy."""
    order = Order._from_drafted(attrs.evolve(drafted, lines=()))
    for line in drafted.lines:
        order = order._with_new_line(line)
    return order


@pytest.mark.parametrize("count", [0, 1, 2, 7])
def test_the_drafted_order_equals_adding_its_lines_one_by_one(count: int) -> None:
    story = Story()
    lines = [NewLine(f"L{n}", f"SKU-{n}", n + 1, Money(f"{n}.25", "USD")) for n in range(count)]
    order = story.create(lines=lines)
    drafted = story.history[0]
    assert isinstance(drafted, OrderDrafted)
    assert order == _one_by_one(drafted) == Order.replay([drafted])
    assert [line.line_id for line in order.lines] == [line.line_id for line in lines]


def test_a_drafted_history_with_a_repeated_line_is_refused_as_before() -> None:
    story = Story()
    story.create()
    drafted = story.history[0]
    assert isinstance(drafted, OrderDrafted)
    repeated = attrs.evolve(drafted, lines=(*drafted.lines, drafted.lines[0]))
    with pytest.raises(DuplicateLineError) as fresh:
        Order.replay([repeated])
    with pytest.raises(DuplicateLineError) as before:
        _one_by_one(repeated)
    assert str(fresh.value) == str(before.value)
    assert "order O-17" in str(fresh.value)


def test_a_drafted_history_with_a_price_in_another_currency_is_refused_as_before() -> None:
    story = Story()
    story.create()
    drafted = story.history[0]
    assert isinstance(drafted, OrderDrafted)
    euro = NewLine("L9", "MUG-12", 1, Money("3.00", "EUR"))
    foreign = attrs.evolve(drafted, lines=(*drafted.lines, euro))
    with pytest.raises(OrderCurrencyError) as fresh:
        Order.replay([foreign])
    with pytest.raises(OrderCurrencyError) as before:
        _one_by_one(foreign)
    assert str(fresh.value) == str(before.value)
