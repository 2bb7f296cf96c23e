"""Discount lines: a negative unit price after the goods line, taxed with it on the net."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordercycle.errors import ValidationError
from ordercycle.invoicing import (
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TaxRounding,
)
from ordercycle.money import Money

DAY = date(2026, 1, 6)
TERMS = PaymentTerms.net(30)


def usd(text: str) -> Money:
    return Money(text, "USD")


def goods(price: str = "9.99", quantity: int = 3, codes: tuple[str, ...] = ("A",)) -> InvoiceLine:
    return InvoiceLine("MUG", "Mug", quantity, usd(price), codes)


def off(price: str, quantity: int = 3, codes: tuple[str, ...] = ("A",)) -> InvoiceLine:
    return InvoiceLine("DISCOUNT", "Discount", quantity, usd(price), codes, is_discount=True)


def draft(lines: list[InvoiceLine], profile: TaxProfile) -> Invoice:
    return Invoice.draft("I-1", "C-1", lines, profile, TERMS, DAY).aggregate


def test_only_a_discount_line_has_a_negative_unit_price() -> None:
    with pytest.raises(ValidationError, match=r"only a discount line, is_discount=True"):
        InvoiceLine("MUG", "Mug", 1, usd("-1.00"))
    with pytest.raises(ValidationError, match=r"a negative Money on a discount line"):
        InvoiceLine("DISCOUNT", "Discount", 1, usd("1.00"), is_discount=True)
    with pytest.raises(ValidationError, match=r"0 on a discount line"):
        InvoiceLine("DISCOUNT", "Discount", 1, usd("-1.00"), discount=5, is_discount=True)


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        ([off("-1.00")], "after the goods line it reduces"),
        ([goods(), off("-1.00", quantity=2)], r"quantity.*3, as on the goods line 1 \(MUG\)"),
        ([goods(), off("-1.00", codes=("B",))], r"tax_codes.*\('A',\), as on the goods line 1"),
        ([goods(), off("-6.00"), off("-4.00")], r"leave the goods line 1 \(MUG\) at zero or more"),
    ],
)
def test_a_discount_line_must_fit_its_goods_line(lines: list[InvoiceLine], match: str) -> None:
    profile = TaxProfile("T", [TaxRate("A", 21), TaxRate("B", 9)])
    with pytest.raises(ValidationError, match=match):
        draft(lines, profile)


@pytest.mark.parametrize("rounding", list(TaxRounding))
@pytest.mark.parametrize("included", [False, True])
def test_tax_is_computed_on_the_net_of_each_goods_line(
    rounding: TaxRounding, included: bool
) -> None:
    profile = TaxProfile(
        "T",
        [TaxRate("A", 21), TaxRate("B", Decimal("7.5")), TaxRate("C", 5, compound=True)],
        prices_include_tax=included,
        rounding=rounding,
    )
    # 9.99 x 3 = 29.97; less 10 % (2.997 -> 3.00) and 0.333... a unit (1.00): 25.97 net.
    third = Money(Decimal("-1.00") / 3, "USD")
    split = [
        goods(codes=("A", "C")),
        off("-0.999", codes=("A", "C")),
        InvoiceLine("DISCOUNT", "Off", 3, third, ("A", "C"), is_discount=True),
        goods("4.35", 7, ("B",)),
        off("-0.35", 7, ("B",)),
    ]
    net = [goods("8.65666666666666666666666666666667", codes=("A", "C")), goods("4.00", 7, ("B",))]
    with_lines, at_net = draft(split, profile), draft(net, profile)
    assert with_lines.total == at_net.total
    assert with_lines.taxes.untaxed == at_net.taxes.untaxed
    assert [(t.code, t.amount) for t in with_lines.taxes.by_rate] == [
        (t.code, t.amount) for t in at_net.taxes.by_rate
    ]
    assert with_lines.line_amounts == (
        usd("29.97"),
        usd("-3.00"),
        usd("-1.00"),
        usd("30.45"),
        usd("-2.45"),
    )
    # the lines of each goods line add up to the tax of its net
    lines = with_lines.taxes.lines
    for group, whole in ((lines[0:3], at_net.taxes.lines[0]), (lines[3:], at_net.taxes.lines[1])):
        for index, tax in enumerate(whole.taxes):
            assert sum((item.taxes[index].amount for item in group), usd("0")) == tax.amount


def test_crediting_every_unit_in_parts_credits_the_invoice_exactly() -> None:
    profile = TaxProfile("T", [TaxRate("A", 21)])
    third = Money(Decimal("-2.00") / 3, "USD")
    lines = [
        goods("9.99", 3),
        off("-0.999"),
        InvoiceLine("DISCOUNT", "Off", 3, third, ("A",), is_discount=True),
    ]
    invoice, _ = draft(lines, profile).issue(NumberSeries("INV-"))
    first, _ = invoice.credit("CN-1", DAY, {0: 1, 1: 1, 2: 1})
    note = first.credit_notes[-1]
    assert note.untaxed == usd("8.32")  # 9.99 - 1.00 - 0.67: a third of each line
    done, _ = first.credit("CN-2", DAY, {0: 2, 1: 2, 2: 2})
    assert done.credited == invoice.total
    assert done.balance == usd("0")


def test_global_rounding_rounds_each_code_from_the_nets_even_on_a_half_cent() -> None:
    # Tax-included, rounded once per code: 21 % of these nets is exactly 31.855 (a half
    # cent), where summing the discount lines' own unrounded taxes could tip it to 31.85.
    profile = TaxProfile(
        "T",
        [TaxRate("A", 21), TaxRate("B", Decimal("7.5")), TaxRate("C", 5, compound=True)],
        prices_include_tax=True,
        rounding=TaxRounding.GLOBAL,
    )
    ac = ("A", "C")
    split = [
        goods("27.05", 7, ac),
        off("-0.71", 7, ac),
        off("-1.8438", 7, ac),
        goods("24.12", 1, ac),
        off("-0.10333333333333333333", 1, ac),
        off("-1.68116666666666666667", 1, ac),
        off("-2.68026", 1, ac),
    ]
    net = [goods("24.4962", 7, ac), goods("19.65524", 1, ac)]
    with_lines, at_net = draft(split, profile), draft(net, profile)
    assert with_lines.taxes.amount_for("A") == at_net.taxes.amount_for("A") == usd("31.86")
    assert with_lines.total == at_net.total
