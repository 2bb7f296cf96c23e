"""Discount lines change the layout of an invoice, never its amounts.

For random orders (one to five lines, several tax codes, a percentage off some lines, then
an order discount of a percentage or an amount spread over the lines as the desk spreads
it), in any currency, with any tax rounding and tax-excluded or tax-included prices:

- the invoice that bills each line at its unit price and each discount on a line of its
  own (:func:`~ordercycle.invoicing.order_line_invoice_lines`) has exactly the total,
  untaxed amount and tax per code of the invoice that bills each line at its net unit
  price (the layout before discount lines), and its line amounts add up to the untaxed
  amount;
- the tax of each code is the tax of the net amounts;
- crediting every unit in random parts (k units of the goods line and of each of its
  discount lines together) credits exactly the invoice total.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import hypothesis.strategies as st
from hypothesis import given, settings

from ordercycle.invoicing import (
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TaxRounding,
    order_line_invoice_lines,
)
from ordercycle.model.order.lines import Discount, NewLine, OrderLine
from ordercycle.money import Currency, Money
from ordercycle.service._pricing import _line_room, _spread, allocate_amount

DAY = date(2026, 1, 6)
CODES = [("STD",), ("RED",), ("STD", "LOC"), ()]


def profile(rounding: TaxRounding, included: bool) -> TaxProfile:
    rates = [TaxRate("STD", 21), TaxRate("RED", Decimal("5.5")), TaxRate("LOC", 3, compound=True)]
    return TaxProfile("P", rates, prices_include_tax=included, rounding=rounding)


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[OrderLine], list[tuple[str, ...]]]:
    """Order lines with line discounts and a share of an order discount, and their codes."""
    currency = Currency.of(draw(st.sampled_from(["USD", "JPY", "KWD"])))
    lines = []
    for number in range(1, draw(st.integers(1, 5)) + 1):
        price = Money.of_minor(draw(st.integers(0, 10**6)), currency)
        quantity = draw(st.integers(1, 40))
        percent = draw(st.one_of(st.none(), st.integers(1, 100)))
        discounts = () if percent is None else (Discount.percent(percent, reason="line"),)
        lines.append(NewLine(f"L{number}", "SKU", quantity, price, discounts=discounts))
    if draw(st.booleans()):
        order_percent = Decimal(draw(st.integers(1, 30))) / 100
        lines = [
            NewLine(
                line.line_id,
                line.sku,
                line.quantity,
                line.unit_price,
                discounts=(*line.discounts, Discount(rate=order_percent, reason="promo")),
            )
            for line in lines
        ]
    weights = [_line_room(line) for line in lines]
    total = Money.sum(weights, currency=currency)
    if total.is_positive:
        minor = draw(st.integers(0, total.minor_units))
        if minor:
            shares = allocate_amount(Money.of_minor(minor, currency), weights)
            lines = [_spread(line, s, "order") for line, s in zip(lines, shares, strict=True)]
    codes = [draw(st.sampled_from(CODES)) for _ in lines]
    return [OrderLine.from_new(line) for line in lines], codes


def net_layout(lines: list[OrderLine], codes: list[tuple[str, ...]]) -> list[InvoiceLine]:
    """One line per order line at its net unit price (the layout before discount lines)."""
    return [
        InvoiceLine(str(line.sku), "net", line.quantity, line.net_unit_price, c)
        for line, c in zip(lines, codes, strict=True)
    ]


def split_layout(lines: list[OrderLine], codes: list[tuple[str, ...]]) -> list[InvoiceLine]:
    return [
        item
        for line, c in zip(lines, codes, strict=True)
        for item in order_line_invoice_lines(line, line.quantity, c, "goods", "order O-1")
    ]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    orders(), st.sampled_from(list(TaxRounding)), st.booleans(), st.randoms(use_true_random=False)
)
def test_discount_lines_keep_the_total_and_the_tax_per_code(
    drawn: tuple[list[OrderLine], list[tuple[str, ...]]],
    rounding: TaxRounding,
    included: bool,
    rng: random.Random,
) -> None:
    lines, codes = drawn
    taxes = profile(rounding, included)
    terms = PaymentTerms.net(30)
    old = Invoice.draft("I-1", "C-1", net_layout(lines, codes), taxes, terms, DAY).aggregate
    new = Invoice.draft("I-1", "C-1", split_layout(lines, codes), taxes, terms, DAY).aggregate
    currency = old.currency.code
    assert new.total == old.total
    assert new.taxes.untaxed == old.taxes.untaxed
    assert [(t.code, t.amount) for t in new.taxes.by_rate] == [
        (t.code, t.amount) for t in old.taxes.by_rate
    ]
    groups: list[list[int]] = []
    for index, item in enumerate(new.lines):
        if item.is_discount:
            groups[-1].append(index)
        else:
            groups.append([index])
    assert len(groups) == len(lines)
    assert Money.sum(new.line_amounts, currency=currency) == Money.sum(
        old.line_amounts, currency=currency
    )
    if rounding is TaxRounding.PER_LINE:
        # each order line's taxes are the taxes of its net amount, rounded once
        for group, net, c in zip(groups, old.line_amounts, codes, strict=True):
            alone = taxes.compute([(net, c)]).lines[0]
            for position, tax in enumerate(alone.taxes):
                got = [new.taxes.lines[i].taxes[position].amount for i in group]
                assert Money.sum(got, currency=currency) == tax.amount
            untaxed = [new.taxes.lines[i].untaxed for i in group]
            assert Money.sum(untaxed, currency=currency) == alone.untaxed

    # Credit every unit in random parts, the goods line and its discount lines together.
    invoice, _ = new.issue(NumberSeries("INV-"))
    groups: list[list[int]] = []
    for index, item in enumerate(invoice.lines):
        if item.is_discount:
            groups[-1].append(index)
        else:
            groups.append([index])
    number = 0
    while True:
        open_groups = [
            g for g in groups if invoice.lines[g[0]].quantity > invoice.credited_quantity(g[0])
        ]
        if not open_groups:
            break
        number += 1
        wanted: dict[int, Decimal] = {}
        for group in open_groups:
            left = invoice.lines[group[0]].quantity - invoice.credited_quantity(group[0])
            units = Decimal(rng.randint(1, int(left)))
            wanted.update(dict.fromkeys(group, units))
        invoice, _ = invoice.credit(f"CN-{number}", DAY, wanted)
    assert Money.sum((n.total for n in invoice.credit_notes), currency=currency) == new.total
