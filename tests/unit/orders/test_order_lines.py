"""Order lines: ids, quantities, prices and discounts are checked when a line is made."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.model.ids import InvalidIdError
from ordercycle.model.order.lines import Discount, NewLine, OrderLine
from ordercycle.money import Money

USD = "USD"


def test_discounts_apply_in_order_to_the_unit_price() -> None:
    line = NewLine(
        "L1",
        "MUG",
        3,
        Money("10.00", USD),
        discounts=[Discount.percent("10"), Discount.per_unit(Money("0.50", USD))],
    )
    order_line = OrderLine.from_new(line)
    assert order_line.net_unit_price == Money("8.50", USD)
    assert order_line.amount(3) == Money("25.50", USD)
    assert line.discounts[0].rate == Decimal("0.1")


def test_a_discount_needs_exactly_one_of_rate_and_amount() -> None:
    with pytest.raises(ValidationError, match="expected exactly one of them"):
        Discount()
    with pytest.raises(ValidationError, match="expected exactly one of them"):
        Discount(rate=Decimal("0.1"), amount=Money("1.00", USD))
    with pytest.raises(ValidationError, match="0 < rate <= 1"):
        Discount.percent("0")
    with pytest.raises(ValidationError, match="expected a Decimal, int or numeric str"):
        Discount(rate=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="positive Money amount per unit"):
        Discount.per_unit(Money("-1.00", USD))


def test_discounts_may_not_make_the_price_negative_or_change_currency() -> None:
    with pytest.raises(ValidationError, match="discounts that leave a price of 0 or more"):
        NewLine("L1", "MUG", 1, Money("1.00", USD), discounts=[Discount.per_unit(Money("2", USD))])
    with pytest.raises(ValidationError, match="Invalid discount currency for line L1: 'EUR'"):
        NewLine(
            "L1", "MUG", 1, Money("5.00", USD), discounts=[Discount.per_unit(Money("1", "EUR"))]
        )


def test_line_fields_are_checked() -> None:
    with pytest.raises(InvalidIdError, match="Invalid line id: ''"):
        NewLine("", "MUG", 1, Money("1.00", USD))
    with pytest.raises(InvalidIdError, match="Invalid sku"):
        NewLine("L1", " MUG", 1, Money("1.00", USD))
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InvalidQuantityError, match="Invalid quantity for line L1"):
            NewLine("L1", "MUG", bad, Money("1.00", USD))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Invalid unit price for line L1"):
        NewLine("L1", "MUG", 1, Money("-1.00", USD))
    with pytest.raises(ValidationError, match="Invalid tax code for line L1"):
        NewLine("L1", "MUG", 1, Money("1.00", USD), tax_code=" std")
