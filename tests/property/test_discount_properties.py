"""Order-level discounts split over lines: the sum is kept and no line goes negative.

The desk allocates an amount off an order (or off the lines a promotion covers) to the
lines in proportion to their amounts, by largest remainder in whole minor units, and
spreads each line's share over its units as an amount per unit (which need not end:
10.00 over 3 units). Whatever the lines, currencies, quantities and earlier discounts:

- the shares sum exactly to the amount, each is within one minor unit of its exact
  proportional share, none is negative and none exceeds its line's amount;
- each line's amount afterwards is exactly its amount before less its share (so the
  order total falls by exactly the amount), and never negative;
- billing a line in parts and crediting some of it never bills more than the line.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import hypothesis.strategies as st
from hypothesis import given, settings

from ordercycle.model.order.lines import Discount, NewLine, OrderLine
from ordercycle.money import Currency, Money
from ordercycle.service._pricing import _line_room, _spread, allocate_amount

CURRENCIES = st.sampled_from([Currency.of(c) for c in ("USD", "JPY", "KWD", "EUR")])


@st.composite
def priced_lines(draw: st.DrawFn) -> tuple[Currency, list[NewLine]]:
    """One to eight lines in one currency, some with a percentage discount first."""
    currency = draw(CURRENCIES)
    lines = []
    for number in range(1, draw(st.integers(min_value=1, max_value=8)) + 1):
        price = Money.of_minor(draw(st.integers(min_value=0, max_value=10**7)), currency)
        quantity = draw(st.integers(min_value=1, max_value=10**4))
        percent = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=100)))
        discounts = () if percent is None else (Discount.percent(percent, reason="line"),)
        lines.append(NewLine(f"L{number}", "SKU", quantity, price, discounts=discounts))
    return currency, lines


def amount_of(line: NewLine) -> Money:
    return OrderLine.from_new(line).amount(line.quantity)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(priced_lines(), st.fractions(min_value=0, max_value=1))
def test_an_order_discount_is_split_exactly_and_leaves_no_line_negative(
    drawn: tuple[Currency, list[NewLine]], fraction: Fraction
) -> None:
    currency, lines = drawn
    weights = [_line_room(line) for line in lines]
    before = [amount_of(line) for line in lines]
    total = Money.sum(weights, currency=currency)
    if not total.is_positive:
        return
    minor = int(total.minor_units * fraction)
    if minor == 0:
        return
    amount = Money.of_minor(minor, currency)
    shares = allocate_amount(amount, weights)
    assert Money.sum(shares, currency=currency) == amount
    for share, weight in zip(shares, weights, strict=True):
        exact = Fraction(amount.minor_units * weight.minor_units, total.minor_units)
        assert 0 <= share.minor_units <= weight.minor_units
        assert abs(share.minor_units - exact) < 1
    after = [_spread(line, share, "order") for line, share in zip(lines, shares, strict=True)]
    for line, weight, old, share in zip(after, weights, before, shares, strict=True):
        assert weight <= old
        assert amount_of(line) == old - share
        assert not OrderLine.from_new(line).net_unit_price.is_negative
    old_total = Money.sum(before, currency=currency)
    assert Money.sum((amount_of(line) for line in after), currency=currency) == old_total - amount


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.integers(min_value=1, max_value=10**4),
    st.integers(min_value=0, max_value=10**7),
    st.fractions(min_value=0, max_value=1),
    st.data(),
)
def test_a_spread_share_billed_in_parts_never_bills_more_than_the_line(
    quantity: int, price_minor: int, fraction: Fraction, data: st.DataObject
) -> None:
    price = Money.of_minor(price_minor, "USD")
    line = NewLine("L1", "SKU", quantity, price)
    share = Money.of_minor(int(amount_of(line).minor_units * fraction), "USD")
    spread = OrderLine.from_new(_spread(line, share, "order"))
    first = data.draw(st.integers(min_value=0, max_value=quantity))
    parts = spread.amount(first) + spread.amount(quantity - first)
    whole = spread.amount(quantity)
    assert whole == price * quantity - share
    # Each part rounds once: two parts are within one minor unit of the whole.
    assert abs(parts.minor_units - whole.minor_units) <= 1
    assert spread.net_unit_price.amount >= Decimal(0)
