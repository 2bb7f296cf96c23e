"""Taxes: excluded and included prices, compound taxes, rounding, exemptions, cash rounding."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from ordercycle.errors import CurrencyMismatchError
from ordercycle.invoicing import InvalidTaxError, TaxableAmount, TaxProfile, TaxRate, TaxRounding
from ordercycle.invoicing.cash_rounding import CashRounding
from ordercycle.money import Money, Rounding


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


VAT = TaxRate("VAT21", Decimal("21"), name="VAT 21%")
GST = TaxRate("GST", Decimal("5"), compound=True)
QST = TaxRate("QST", Decimal("9.975"))


def test_tax_excluded_price_adds_tax() -> None:
    result = TaxProfile("NL", [VAT]).compute([(eur("100.00"), ["VAT21"])])
    assert (result.untaxed, result.tax, result.total) == (
        eur("100.00"),
        eur("21.00"),
        eur("121.00"),
    )
    assert result.by_rate[0].base == eur("100.00")
    assert result.amount_for("VAT21") == eur("21.00")
    assert result.amount_for("OTHER") == eur("0.00")


def test_tax_included_price_extracts_tax_and_keeps_the_gross() -> None:
    profile = TaxProfile("NL retail", [VAT], prices_include_tax=True)
    result = profile.compute([(eur("121.00"), ["VAT21"]), (eur("9.99"), ["VAT21"])])
    assert result.lines[0].untaxed == eur("100.00")
    assert result.lines[0].taxes[0].amount == eur("21.00")
    assert result.lines[1].taxes[0].amount == eur("1.73")  # 9.99 / 1.21 = 8.2562 -> 8.26
    assert result.lines[1].untaxed == eur("8.26")
    assert result.total == eur("130.99")
    assert result.untaxed + result.tax == result.total


def test_compound_tax_is_part_of_the_base_of_later_taxes() -> None:
    profile = TaxProfile("QC 2012", [GST, QST])
    result = profile.compute([(Money("100.00", "CAD"), ["QST", "GST"])])
    # GST 5.00 on 100; QST 9.975 % on 105.00 = 10.47 (10.47375).
    assert [t.code for t in result.lines[0].taxes] == ["GST", "QST"]
    assert result.amount_for("GST") == Money("5.00", "CAD")
    assert result.amount_for("QST") == Money("10.47", "CAD")
    assert result.by_rate[1].base == Money("105.00", "CAD")
    assert result.total == Money("115.47", "CAD")


def test_compound_tax_included_in_price() -> None:
    profile = TaxProfile("QC incl", [GST, QST], prices_include_tax=True)
    result = profile.compute([(Money("115.47", "CAD"), ["GST", "QST"])])
    assert result.untaxed == Money("100.00", "CAD")
    assert result.total == Money("115.47", "CAD")


def test_per_line_and_global_rounding_differ_and_both_sum_exactly() -> None:
    lines = [(eur("0.10"), ["VAT21"])] * 3  # 0.021 tax each
    per_line = TaxProfile("p", [VAT]).compute(lines)
    global_ = TaxProfile("g", [VAT], rounding=TaxRounding.GLOBAL).compute(lines)
    assert per_line.tax == eur("0.06")  # 0.02 x 3
    assert global_.tax == eur("0.06")  # 0.063 -> 0.06
    lines = [(eur("0.50"), ["VAT21"])] * 3  # 0.105 each
    per_line = TaxProfile("p", [VAT]).compute(lines)
    global_ = TaxProfile("g", [VAT], rounding=TaxRounding.GLOBAL).compute(lines)
    assert per_line.tax == eur("0.33")  # 0.11 x 3
    assert global_.tax == eur("0.32")  # 0.315 -> 0.32
    assert [line.taxes[0].amount for line in global_.lines] == [
        eur("0.11"),
        eur("0.11"),
        eur("0.10"),
    ]
    assert sum((line.total for line in global_.lines), eur("0")) == global_.total


def test_rounding_mode_per_profile() -> None:
    lines = [(eur("0.50"), ["VAT21"])]  # 0.105
    assert TaxProfile("up", [VAT]).compute(lines).tax == eur("0.11")
    assert TaxProfile("even", [VAT], rounding_mode=Rounding.HALF_EVEN).compute(lines).tax == eur(
        "0.10"
    )
    assert TaxProfile("down", [VAT], rounding_mode=Rounding.DOWN).compute(lines).tax == eur("0.10")


def test_exempt_customer_pays_no_tax_and_the_rate_is_reported() -> None:
    profile = TaxProfile("US-NY", [TaxRate("STATE", 4), TaxRate("CITY", Decimal("4.5"))])
    exempt = profile.exempt("STATE")
    result = exempt.compute([(Money("100.00", "USD"), ["STATE", "CITY"])])
    assert result.amount_for("STATE") == Money("0.00", "USD")
    assert result.amount_for("CITY") == Money("4.50", "USD")
    assert [t.exempt for t in result.by_rate] == [True, False]
    assert result.by_rate[0].base == Money("100.00", "USD")


def test_lines_without_tax_codes_are_untaxed() -> None:
    result = TaxProfile("NL", [VAT]).compute([TaxableAmount(eur("10.00"))])
    assert result.tax == eur("0.00")
    assert result.by_rate == ()


def test_base_discount_reduces_the_tax_base_at_invoicing() -> None:
    result = TaxProfile("BE", [VAT]).compute(
        [(eur("100.00"), ["VAT21"])], base_discount=Decimal("0.02")
    )
    assert result.tax == eur("20.58")
    assert result.total == eur("120.58")
    assert result.by_rate[0].base == eur("98.00")


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda p: p.compute([(eur("1.00"), ["NOPE"])]),
            InvalidTaxError,
            "Unknown tax code 'NOPE'",
        ),
        (lambda p: p.compute([(eur("1.00"), ["VAT21", "VAT21"])]), InvalidTaxError, "Duplicate"),
        (lambda p: p.compute([(eur("-1.00"), ["VAT21"])]), InvalidTaxError, "zero or more"),
        (lambda p: p.compute([(eur("1.001"), ["VAT21"])]), InvalidTaxError, "whole minor units"),
        (lambda p: p.compute([]), InvalidTaxError, "pass currency"),
        (
            lambda p: p.compute([(eur("1.00"), ["VAT21"]), (Money("1.00", "USD"), ["VAT21"])]),
            CurrencyMismatchError,
            "EUR and USD",
        ),
        (lambda p: p.rate("GST"), InvalidTaxError, "known codes: VAT21"),
        (lambda p: p.exempt("GST"), InvalidTaxError, "known codes: VAT21"),
    ],
)
def test_bad_tax_input_is_refused(call: object, error: type[Exception], words: str) -> None:
    profile = TaxProfile("NL", [VAT])
    before = attrs.asdict(profile)
    with pytest.raises(error, match=words):
        call(profile)  # type: ignore[operator]
    assert attrs.asdict(profile) == before


def test_empty_computation_with_a_currency() -> None:
    assert TaxProfile("NL", [VAT]).compute([], "EUR").total == eur("0.00")


def test_base_discount_needs_tax_excluded_prices() -> None:
    with pytest.raises(InvalidTaxError, match="tax-excluded"):
        TaxProfile("x", [VAT], prices_include_tax=True).compute(
            [(eur("1.00"), ["VAT21"])], base_discount=Decimal("0.02")
        )


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: TaxRate("X", -1), "from 0 to 1000"),
        (lambda: TaxRate("X", 0.2), "never float"),
        (lambda: TaxRate("X", "abc"), "from 0 to 1000"),
        (lambda: TaxRate(" ", 5), "expected a name"),
        (lambda: TaxProfile("p", [VAT, VAT]), "Duplicate tax code"),
        (lambda: TaxProfile("p", [VAT], exemptions=["GST"]), "Unknown exemption GST"),
        (lambda: TaxProfile("p", ["VAT21"]), "expected a TaxRate"),
    ],
)
def test_bad_rates_and_profiles_are_refused(build: object, words: str) -> None:
    with pytest.raises(InvalidTaxError, match=words):
        build()  # type: ignore[operator]


def test_cash_rounding_to_five_rappen() -> None:
    rounding = CashRounding(Decimal("0.05"))
    assert rounding.apply(Money("10.53", "CHF")).rounded == Money("10.55", "CHF")
    assert rounding.apply(Money("10.52", "CHF")).adjustment == Money("-0.02", "CHF")
    down = CashRounding(Decimal("0.05"), Rounding.DOWN).apply(Money("10.54", "CHF"))
    assert down.rounded == Money("10.50", "CHF")
    with pytest.raises(InvalidTaxError, match="positive"):
        CashRounding(Decimal("0"))
    with pytest.raises(InvalidTaxError, match="never float"):
        CashRounding(0.05)  # type: ignore[arg-type]


def test_records_for_tables() -> None:
    result = TaxProfile("NL", [VAT]).compute([(eur("100.00"), ["VAT21"])])
    assert result.to_records() == [
        {
            "code": "VAT21",
            "percent": Decimal("21"),
            "base": eur("100.00"),
            "amount": eur("21.00"),
            "exempt": False,
        }
    ]
    assert VAT.label == "VAT 21%"
    assert list(result.to_pandas()["code"]) == ["VAT21"]
