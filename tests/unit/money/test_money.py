"""Money: construction, exact arithmetic, rounding, allocation, formatting and every error."""

from __future__ import annotations

import copy
import decimal
import pickle
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

from ordercycle.errors import CurrencyMismatchError, OrderCycleError, ValidationError
from ordercycle.money import (
    Currency,
    FloatNotAllowedError,
    InvalidAmountError,
    InvalidRatiosError,
    InvalidRoundingError,
    Money,
    MoneyDivisionByZeroError,
    Rounding,
    UnknownCurrencyError,
    UnroundedAmountError,
    UnsupportedMoneyOperationError,
)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def amounts(parts: tuple[Money, ...]) -> list[str]:
    return [str(part.amount) for part in parts]


# --- construction -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["10.00", "10", 10, Decimal("10.00"), Decimal("10"), "1E+1"])
def test_money_is_built_from_str_int_or_decimal(amount):
    money = Money(amount, "USD")
    assert money.amount == Decimal("10.00")
    assert money.currency is Currency.of("USD")
    assert repr(money) == "Money('10.00', 'USD')"


def test_a_decimal_subclass_is_stored_as_a_plain_decimal():
    class Amount(Decimal):
        pass

    assert type(Money(Amount("1.50"), "USD").amount) is Decimal


def test_money_accepts_a_currency_object_and_keyword_arguments():
    assert Money(amount="1", currency=Currency.of("EUR")) == Money("1.00", "EUR")


@pytest.mark.parametrize(
    ("amount", "code", "stored"),
    [
        ("10", "USD", "10.00"),
        ("10.500", "USD", "10.50"),
        ("10.505", "USD", "10.505"),
        ("10.50500", "USD", "10.505"),
        ("1234", "JPY", "1234"),
        ("1234.0", "JPY", "1234"),
        ("1E+3", "JPY", "1000"),
        ("1.5", "KWD", "1.500"),
        ("1.5", "CLF", "1.5000"),
        ("-0.00", "USD", "0.00"),
        ("0", "KWD", "0.000"),
        ("0.0000001", "USD", "0.0000001"),
    ],
)
def test_amount_is_stored_in_one_canonical_form(amount, code, stored):
    money = Money(amount, code)
    assert str(money.amount) == stored or format(money.amount, "f") == stored
    assert format(money.amount, "f") == stored


def test_equal_amounts_written_differently_are_equal_and_hash_alike():
    assert usd("10") == usd("10.000")
    assert hash(usd("10")) == hash(usd("10.000"))
    assert len({usd("10"), usd("10.0"), usd("10.00")}) == 1


def test_str_and_repr():
    assert str(usd("10.00")) == "10.00 USD"
    assert repr(usd("10.00")) == "Money('10.00', 'USD')"
    assert repr(Money("-0.5", "KWD")) == "Money('-0.500', 'KWD')"
    assert str(usd("0.0000001")) == "0.0000001 USD"  # never scientific notation


def test_zero_and_of_minor():
    assert Money.zero("USD") == usd("0")
    assert repr(Money.zero("JPY")) == "Money('0', 'JPY')"
    assert Money.of_minor(1234, "USD") == usd("12.34")
    assert Money.of_minor(1234, "JPY") == Money("1234", "JPY")
    assert Money.of_minor(-1234, "KWD") == Money("-1.234", "KWD")
    assert Money.of_minor(5, "CLF") == Money("0.0005", "CLF")


def test_minor_units_of_rounded_amounts():
    assert usd("10.00").minor_units == 1000
    assert usd("-0.07").minor_units == -7
    assert Money("1234", "JPY").minor_units == 1234
    assert Money("1.234", "BHD").minor_units == 1234


def test_with_amount_keeps_the_currency():
    assert Money("1", "EUR").with_amount("2.5") == Money("2.50", "EUR")


def test_money_is_immutable():
    money = usd("10.00")
    with pytest.raises(AttributeError):
        money.amount = Decimal("1")  # type: ignore[misc]
    assert money == usd("10.00")


@pytest.mark.parametrize(
    "money", [usd("10.00"), usd("-3.335"), Money("1234", "JPY"), Money("0.0001", "CLF")]
)
def test_money_pickles_and_copies(money):
    assert pickle.loads(pickle.dumps(money)) == money
    assert copy.deepcopy(money) == money
    assert repr(pickle.loads(pickle.dumps(money))) == repr(money)


# --- construction errors ------------------------------------------------------------------


def test_float_amount_is_refused_explaining_why():
    with pytest.raises(FloatNotAllowedError) as info:
        Money(0.1, "USD")  # type: ignore[arg-type]
    error = info.value
    assert isinstance(error, TypeError)
    assert isinstance(error, ValidationError)
    assert isinstance(error, OrderCycleError)
    message = str(error)
    assert "0.1 is a float" in message
    assert "binary floats cannot represent" in message
    assert "pass a string such as '0.1'" in message
    assert error.value == 0.1


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Inf", Decimal("NaN")])
def test_nan_and_infinity_are_refused(amount):
    with pytest.raises(InvalidAmountError, match="finite number"):
        Money(amount, "USD")


@pytest.mark.parametrize("amount", ["ten", "", "1,000.00", "$5"])
def test_text_that_is_not_a_number_is_refused(amount):
    with pytest.raises(InvalidAmountError, match=r"Invalid amount for Money.*such as '10.00'"):
        Money(amount, "USD")


@pytest.mark.parametrize("amount", [True, None, Fraction(1, 2), [1]])
def test_other_types_are_refused(amount):
    with pytest.raises(InvalidAmountError, match="expected a str, int or Decimal"):
        Money(amount, "USD")  # type: ignore[arg-type]


def test_amounts_out_of_range_are_refused():
    with pytest.raises(InvalidAmountError, match=r"absolute value below 10\*\*40"):
        Money("1E+40", "USD")
    with pytest.raises(InvalidAmountError, match="at most 60 significant digits"):
        Money("0." + "1" * 61, "USD")
    assert Money("9" * 40, "JPY").amount == Decimal("9" * 40)


def test_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrencyError, match="'ZZZ'"):
        Money("1", "ZZZ")
    with pytest.raises(UnknownCurrencyError, match="did you mean 'USD'"):
        Money("1", "usd")
    with pytest.raises(UnknownCurrencyError, match=r"XAU.*has no minor unit"):
        Money("1", "XAU")


@pytest.mark.parametrize("units", [1.0, Decimal("1"), "1", True])
def test_of_minor_needs_an_int(units):
    with pytest.raises(InvalidAmountError, match="units"):
        Money.of_minor(units, "USD")  # type: ignore[arg-type]


def test_minor_units_of_an_unrounded_amount_is_refused():
    money = usd("3.335")
    with pytest.raises(UnroundedAmountError) as info:
        _ = money.minor_units
    assert "not a whole number of minor units" in str(info.value)
    assert "call .round() first" in str(info.value)
    assert money == usd("3.335")


# --- arithmetic ---------------------------------------------------------------------------


def test_addition_and_subtraction_are_exact():
    assert usd("0.10") + usd("0.20") == usd("0.30")
    assert usd("10.00") - usd("10.01") == usd("-0.01")
    assert usd("1.005") + usd("0.005") == usd("1.01")


def test_negation_absolute_value_and_plus():
    assert -usd("10.00") == usd("-10.00")
    assert abs(usd("-10.00")) == usd("10.00")
    assert +usd("1.50") == usd("1.50")
    assert repr(-Money.zero("USD")) == "Money('0.00', 'USD')"


def test_multiplication_keeps_full_precision_until_rounded():
    assert usd("10.00") * 3 == usd("30.00")
    assert 3 * usd("10.00") == usd("30.00")
    assert Decimal("0.21") * usd("10.01") == usd("2.1021")
    product = usd("10.01") * Decimal("0.21")
    assert repr(product) == "Money('2.1021', 'USD')"
    assert not product.is_rounded
    assert product.round() == usd("2.10")


def test_division_is_done_to_60_significant_digits():
    assert usd("10.00") / 4 == usd("2.50")
    third = usd("10.00") / 3
    assert third.amount == Decimal("3." + "3" * 59)
    assert third.round() == usd("3.33")
    assert usd("1.00") / Decimal("0.5") == usd("2.00")


def test_sum_is_exact_and_needs_one_currency():
    assert Money.sum([usd("0.10")] * 10, currency="USD") == usd("1.00")
    assert Money.sum(iter([usd("0.10"), usd("0.20")])) == usd("0.30")
    assert Money.sum([], currency="EUR") == Money.zero("EUR")


def test_comparisons_within_one_currency():
    assert usd("1.00") < usd("1.01") <= usd("1.01")
    assert usd("2") > usd("1.99") >= usd("1.99")
    assert sorted([usd("3"), usd("-1"), usd("2")]) == [usd("-1"), usd("2"), usd("3")]
    assert max([usd("3"), usd("5")]) == usd("5")


def test_equality_across_currencies_is_false_not_an_error():
    assert Money("1", "USD") != Money("1", "EUR")
    assert usd("1") != Decimal("1")
    assert usd("1") != "1.00 USD"


def test_truthiness_and_sign():
    assert not Money.zero("USD")
    assert usd("0.01")
    assert usd("0.01").is_positive
    assert not usd("0.01").is_negative
    assert usd("-0.01").is_negative
    assert not usd("-0.01").is_positive
    assert usd("0").is_zero
    assert not usd("0").is_positive
    assert not usd("0").is_negative


def test_a_users_global_decimal_context_does_not_change_results():
    expected = (
        usd("10.00") / 3,
        (usd("10.01") * Decimal("0.21")).round(Rounding.HALF_EVEN),
        usd("1234567890123456789.12") + usd("0.01"),
        Money("123.455", "USD").round(),
        usd("10.00").allocate([1, 1, 1]),
        Money("10.03", "CHF").round_to("0.05"),
    )
    hostile = decimal.Context(prec=3, rounding=decimal.ROUND_FLOOR, traps=[])
    with decimal.localcontext(hostile):
        got = (
            usd("10.00") / 3,
            (usd("10.01") * Decimal("0.21")).round(Rounding.HALF_EVEN),
            usd("1234567890123456789.12") + usd("0.01"),
            Money("123.455", "USD").round(),
            usd("10.00").allocate([1, 1, 1]),
            Money("10.03", "CHF").round_to("0.05"),
        )
        with pytest.raises(InvalidAmountError):
            Money("not a number", "USD")  # a context without traps would give NaN
    assert got == expected
    assert got[2] == usd("1234567890123456789.13")


# --- arithmetic errors --------------------------------------------------------------------


def test_adding_different_currencies_is_refused():
    left = usd("1.00")
    with pytest.raises(CurrencyMismatchError) as info:
        left + Money("1.00", "EUR")
    assert "Cannot add USD and EUR" in str(info.value)
    assert (info.value.left, info.value.right) == ("USD", "EUR")
    assert left == usd("1.00")
    with pytest.raises(CurrencyMismatchError, match="Cannot subtract USD and JPY"):
        left - Money("1", "JPY")


def test_ordering_across_currencies_is_refused():
    with pytest.raises(CurrencyMismatchError, match="Cannot compare USD and EUR"):
        _ = usd("1") < Money("2", "EUR")
    with pytest.raises(CurrencyMismatchError):
        sorted([usd("1"), Money("2", "EUR")])


def test_sum_of_mixed_currencies_is_refused():
    with pytest.raises(CurrencyMismatchError, match="Cannot sum USD and EUR"):
        Money.sum([usd("1"), Money("1", "EUR")])
    with pytest.raises(CurrencyMismatchError, match="Cannot sum EUR and USD"):
        Money.sum([usd("1")], currency="EUR")


def test_sum_errors():
    with pytest.raises(ValidationError, match="currency code when the amounts may be empty"):
        Money.sum([])
    with pytest.raises(UnsupportedMoneyOperationError, match="item at index 1"):
        Money.sum([usd("1"), 2])  # type: ignore[list-item]


def test_multiplying_money_by_money_is_refused():
    price = usd("2.00")
    with pytest.raises(UnsupportedMoneyOperationError) as info:
        price * usd("3.00")  # type: ignore[operator]
    assert isinstance(info.value, TypeError)
    assert "Cannot multiply Money 2.00 USD by Money 3.00 USD" in str(info.value)
    assert "not be an amount of money" in str(info.value)
    assert price == usd("2.00")


def test_dividing_money_by_money_or_a_number_by_money_is_refused():
    with pytest.raises(UnsupportedMoneyOperationError, match="Cannot divide Money"):
        usd("2.00") / usd("1.00")  # type: ignore[operator]
    with pytest.raises(UnsupportedMoneyOperationError, match="Cannot divide int 1 by Money"):
        1 / usd("1.00")  # type: ignore[operator]


def test_dividing_by_zero_is_a_typed_error():
    money = usd("10.00")
    for zero in (0, Decimal("0"), Decimal("-0.00")):
        with pytest.raises(MoneyDivisionByZeroError) as info:
            money / zero
        assert isinstance(info.value, ZeroDivisionError)
        assert isinstance(info.value, ValidationError)
        assert "Cannot divide 10.00 USD by zero" in str(info.value)
    assert money == usd("10.00")


@pytest.mark.parametrize("factor", [0.5, "2", True, Fraction(1, 2), None])
def test_multiplying_by_anything_but_int_or_decimal_is_refused(factor):
    with pytest.raises(ValidationError, match="factor") as info:
        usd("1.00") * factor
    assert isinstance(info.value, TypeError)


def test_multiplying_by_a_float_explains_why():
    with pytest.raises(FloatNotAllowedError, match="binary floats cannot represent"):
        usd("1.00") * 1.1  # type: ignore[operator]


def test_multiplying_by_nan_is_refused():
    with pytest.raises(InvalidAmountError, match="finite"):
        usd("1.00") * Decimal("NaN")


@pytest.mark.parametrize("other", [1, Decimal("1"), 0])
def test_adding_a_plain_number_is_refused_with_a_hint(other):
    with pytest.raises(UnsupportedMoneyOperationError) as info:
        usd("1.00") + other  # type: ignore[operator]
    assert "Cannot add Money 1.00 USD and" in str(info.value)
    assert "Money.sum(items, currency='USD')" in str(info.value)
    with pytest.raises(UnsupportedMoneyOperationError, match="Cannot add"):
        other + usd("1.00")  # type: ignore[operator]
    with pytest.raises(UnsupportedMoneyOperationError, match="Cannot subtract"):
        other - usd("1.00")  # type: ignore[operator]


def test_builtin_sum_points_to_money_sum():
    with pytest.raises(UnsupportedMoneyOperationError, match=r"Money\.sum"):
        sum([usd("1.00"), usd("2.00")])  # type: ignore[arg-type]


def test_ordering_against_a_number_is_refused():
    with pytest.raises(UnsupportedMoneyOperationError, match="Cannot compare"):
        _ = usd("1.00") < 0  # type: ignore[operator]
    with pytest.raises(UnsupportedMoneyOperationError, match="Cannot compare"):
        _ = 0 > usd("1.00")  # type: ignore[operator]  # noqa: SIM300 - the reflected path


def test_sums_beyond_the_range_are_refused():
    big = Money("9" * 40, "JPY")
    with pytest.raises(InvalidAmountError, match=r"below 10\*\*40"):
        big + big


# --- rounding -----------------------------------------------------------------------------

ROUNDING_TABLE = {
    # mode:              0.125   0.135   0.121   -0.125   -0.121
    Rounding.HALF_UP: ("0.13", "0.14", "0.12", "-0.13", "-0.12"),
    Rounding.HALF_EVEN: ("0.12", "0.14", "0.12", "-0.12", "-0.12"),
    Rounding.HALF_DOWN: ("0.12", "0.13", "0.12", "-0.12", "-0.12"),
    Rounding.UP: ("0.13", "0.14", "0.13", "-0.13", "-0.13"),
    Rounding.DOWN: ("0.12", "0.13", "0.12", "-0.12", "-0.12"),
    Rounding.CEILING: ("0.13", "0.14", "0.13", "-0.12", "-0.12"),
    Rounding.FLOOR: ("0.12", "0.13", "0.12", "-0.13", "-0.13"),
}


@pytest.mark.parametrize("mode", list(Rounding))
def test_round_follows_the_documented_table(mode):
    inputs = ("0.125", "0.135", "0.121", "-0.125", "-0.121")
    got = tuple(str(usd(value).round(mode).amount) for value in inputs)
    assert got == ROUNDING_TABLE[mode]


def test_rounding_enum_maps_to_decimal_constants():
    assert {mode.name: mode.value for mode in Rounding} == {
        "HALF_UP": decimal.ROUND_HALF_UP,
        "HALF_EVEN": decimal.ROUND_HALF_EVEN,
        "HALF_DOWN": decimal.ROUND_HALF_DOWN,
        "UP": decimal.ROUND_UP,
        "DOWN": decimal.ROUND_DOWN,
        "CEILING": decimal.ROUND_CEILING,
        "FLOOR": decimal.ROUND_FLOOR,
    }


def test_round_defaults_to_half_up():
    assert usd("2.665").round() == usd("2.67")
    assert usd("2.665").round(Rounding.HALF_EVEN) == usd("2.66")


@pytest.mark.parametrize(
    ("amount", "code", "rounded"),
    [
        ("1234.5", "JPY", "1235"),
        ("1.2345", "KWD", "1.235"),
        ("1.23455", "CLF", "1.2346"),
        ("10.00", "USD", "10.00"),
    ],
)
def test_round_to_the_minor_unit_of_each_currency(amount, code, rounded):
    assert Money(amount, code).round() == Money(rounded, code)
    assert Money(amount, code).round().is_rounded


def test_is_rounded():
    assert usd("10.00").is_rounded
    assert usd("10").is_rounded
    assert not usd("10.001").is_rounded
    assert not (usd("1") / 3).is_rounded
    assert Money("5", "JPY").is_rounded
    assert not Money("5.5", "JPY").is_rounded


@pytest.mark.parametrize("mode", ["HALF_UP", decimal.ROUND_HALF_UP, None, 2])
def test_round_needs_a_rounding_member(mode):
    money = usd("2.665")
    with pytest.raises(InvalidRoundingError) as info:
        money.round(mode)
    assert "Invalid mode for Money.round" in str(info.value)
    assert "Rounding.HALF_EVEN" in str(info.value)
    assert money == usd("2.665")


@pytest.mark.parametrize(
    ("amount", "increment", "mode", "expected"),
    [
        ("10.02", "0.05", Rounding.HALF_UP, "10.00"),
        ("10.025", "0.05", Rounding.HALF_UP, "10.05"),
        ("10.03", "0.05", Rounding.HALF_UP, "10.05"),
        ("10.07", "0.05", Rounding.HALF_UP, "10.05"),
        ("10.08", "0.05", Rounding.HALF_UP, "10.10"),
        ("10.03", "0.05", Rounding.DOWN, "10.00"),
        ("10.01", "0.05", Rounding.CEILING, "10.05"),
        ("-10.03", "0.05", Rounding.HALF_UP, "-10.05"),
        ("-10.025", "0.05", Rounding.HALF_EVEN, "-10.00"),
        ("10.50", "1", Rounding.HALF_EVEN, "10.00"),
        ("11.50", 1, Rounding.HALF_EVEN, "12.00"),
        ("10.02", Decimal("0.10"), Rounding.UP, "10.10"),
        ("0.025", "0.05", Rounding.HALF_DOWN, "0.00"),
    ],
)
def test_cash_rounding_to_an_increment(amount, increment, mode, expected):
    assert Money(amount, "CHF").round_to(increment, mode) == Money(expected, "CHF")


def test_cash_rounding_in_a_zero_decimal_currency():
    assert Money("1234", "JPY").round_to(10) == Money("1230", "JPY")
    assert Money("1235", "JPY").round_to(10) == Money("1240", "JPY")


@pytest.mark.parametrize("increment", ["0", "-0.05", "0.005", "0.051"])
def test_cash_rounding_increment_must_be_a_positive_whole_number_of_minor_units(increment):
    money = Money("10.03", "CHF")
    with pytest.raises(InvalidRoundingError) as info:
        money.round_to(increment)
    assert "Invalid increment for Money.round_to" in str(info.value)
    assert "positive whole number of minor units of CHF" in str(info.value)
    assert money == Money("10.03", "CHF")


def test_cash_rounding_refuses_a_float_increment():
    with pytest.raises(FloatNotAllowedError, match="increment"):
        Money("10.03", "CHF").round_to(0.05)  # type: ignore[arg-type]


# --- allocation ---------------------------------------------------------------------------


def test_allocate_splits_ten_dollars_three_ways():
    assert amounts(usd("10.00").allocate([1, 1, 1])) == ["3.34", "3.33", "3.33"]


def test_allocate_seven_cents_two_three_five_by_largest_remainder():
    parts = usd("0.07").allocate([2, 3, 5])
    assert amounts(parts) == ["0.01", "0.02", "0.04"]
    assert Money.sum(parts) == usd("0.07")


def test_allocate_seven_cents_two_three_five_round_robin():
    parts = usd("0.07").allocate([2, 3, 5], method="round_robin")
    assert amounts(parts) == ["0.02", "0.02", "0.03"]


def test_allocate_negative_amounts_mirror_positive_ones():
    assert amounts(usd("-10.00").allocate([1, 1, 1])) == ["-3.34", "-3.33", "-3.33"]
    assert amounts(usd("-0.07").allocate([2, 3, 5])) == ["-0.01", "-0.02", "-0.04"]
    assert amounts(usd("-0.07").allocate([2, 3, 5], method="round_robin")) == [
        "-0.02",
        "-0.02",
        "-0.03",
    ]


def test_allocate_ties_go_to_the_earlier_index():
    assert amounts(usd("0.02").allocate([1, 1, 1])) == ["0.01", "0.01", "0.00"]
    assert amounts(usd("0.01").allocate([1, 1])) == ["0.01", "0.00"]


def test_allocate_largest_remainder_prefers_the_largest_fraction_over_the_index():
    # exact shares 0.6, 1.4 minor units: the second part has the larger remainder
    assert amounts(usd("0.02").allocate([3, 7])) == ["0.01", "0.01"]
    assert amounts(usd("0.03").allocate([1, 5])) == ["0.01", "0.02"]  # 0.5 and 2.5 tie
    assert amounts(usd("0.03").allocate([1, 9])) == ["0.00", "0.03"]  # 0.3, 2.7


def test_allocate_round_robin_gives_leftovers_in_index_order():
    assert amounts(usd("0.03").allocate([1, 9], method="round_robin")) == ["0.01", "0.02"]


def test_allocate_never_gives_a_unit_to_a_part_whose_share_is_whole_or_zero():
    # exact shares 3, 1.5, 1.5: the left-over unit must not go to the first part
    assert amounts(Money("6", "JPY").allocate([2, 1, 1], method="round_robin")) == ["3", "2", "1"]
    assert amounts(usd("0.01").allocate([0, 1, 1], method="round_robin")) == [
        "0.00",
        "0.01",
        "0.00",
    ]


def test_allocate_in_zero_three_and_four_decimal_currencies():
    assert amounts(Money("100", "JPY").allocate([1, 1, 1])) == ["34", "33", "33"]
    assert amounts(Money("1.000", "KWD").allocate([1, 1, 1])) == ["0.334", "0.333", "0.333"]
    assert amounts(Money("1.0000", "CLF").allocate([1, 2])) == ["0.3333", "0.6667"]


def test_allocate_accepts_decimal_and_fraction_ratios_and_any_iterable():
    assert amounts(usd("1.00").allocate([Decimal("0.5"), Fraction(1, 4), 0])) == [
        "0.67",
        "0.33",
        "0.00",
    ]
    assert amounts(usd("1.00").allocate(iter([1, 3]))) == ["0.25", "0.75"]
    assert amounts(usd("1.00").allocate((Fraction(1, 3),) * 3)) == ["0.34", "0.33", "0.33"]


def test_allocate_a_single_part_and_zero():
    assert usd("10.00").allocate([7]) == (usd("10.00"),)
    assert usd("0.00").allocate([1, 2]) == (usd("0"), usd("0"))


def test_allocate_returns_money_in_the_same_currency():
    parts = Money("1.000", "BHD").allocate([1, 2])
    assert all(part.currency is Currency.of("BHD") for part in parts)
    assert isinstance(parts, tuple)


def test_allocate_refuses_unrounded_amounts_and_says_to_round_first():
    money = usd("10.005")
    with pytest.raises(UnroundedAmountError) as info:
        money.allocate([1, 1])
    message = str(info.value)
    assert "Cannot allocate 10.005 USD" in message
    assert "not a whole number of minor units (0.01 USD)" in message
    assert "call .round() first" in message
    assert info.value.value == Decimal("10.005")
    assert money == usd("10.005")


@pytest.mark.parametrize(
    ("ratios", "words"),
    [
        ([], "at least one ratio"),
        ([0, 0], "are all zero"),
        ([1, -1], "Invalid ratio at index 1 for Money.allocate: -1"),
        ([1, "2"], "Invalid ratio at index 1"),
        ([True, 1], "Invalid ratio at index 0"),
        ([None], "Invalid ratio at index 0"),
        ([Decimal("NaN")], "finite values"),
        ([Decimal("Infinity")], "finite values"),
        ("123", "a sequence of"),
        (5, "a sequence of"),
    ],
)
def test_allocate_refuses_bad_ratios(ratios, words):
    money = usd("10.00")
    with pytest.raises(InvalidRatiosError) as info:
        money.allocate(ratios)
    assert words in str(info.value)
    assert "non-negative int, Decimal or Fraction" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert money == usd("10.00")


def test_allocate_refuses_float_ratios_explaining_why():
    with pytest.raises(FloatNotAllowedError) as info:
        usd("10.00").allocate([1, 0.5])
    message = str(info.value)
    assert "ratio at index 1" in message
    assert "0.5 is a float" in message
    assert "binary floats cannot represent" in message
    assert "Decimal('0.5')" in message
    assert isinstance(info.value, TypeError)


def test_allocate_refuses_an_unknown_method():
    with pytest.raises(ValidationError) as info:
        usd("10.00").allocate([1, 1], method="random")  # type: ignore[arg-type]
    assert "Invalid method for Money.allocate: 'random'" in str(info.value)
    assert "'largest_remainder' or 'round_robin'" in str(info.value)


# --- formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "locale", "text"),
    [
        ("1234.5", "USD", "en_US", "$1,234.50"),
        ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
        ("-3.34", "USD", "en_US", "-$3.34"),
        ("1234", "JPY", "ja_JP", "￥1,234"),
        ("1234.5", "IQD", "en_US", "IQD1,234.500"),  # ISO 4217 digits, not CLDR's 0
        ("1.2345", "CLF", "es_CL", "CLF1,2345"),
        ("3.333333", "USD", "en_US", "$3.333333"),  # never silently rounded
    ],
)
def test_format_with_babel(amount, code, locale, text):
    assert Money(amount, code).format(locale) == text


def test_format_defaults_to_en_us():
    assert usd("10").format() == "$10.00"


def test_format_ignores_a_users_decimal_context():
    with decimal.localcontext(decimal.Context(prec=2, rounding=decimal.ROUND_FLOOR)):
        assert usd("1234.56").format() == "$1,234.56"


def test_format_refuses_an_unknown_locale():
    with pytest.raises(ValidationError, match=r"Invalid locale for Money\.format: 'xx_NOPE'"):
        usd("1").format("xx_NOPE")


def test_format_without_babel_falls_back_to_plain_text(monkeypatch):
    monkeypatch.setitem(sys.modules, "babel", None)  # makes `import babel` fail
    assert usd("1234.5").format("de_DE") == "1234.50 USD"


def test_arithmetic_results_keep_the_one_stored_form():
    # Sums of amounts already in minor units take a shortcut; the results must not differ
    # from the long way round.
    assert repr(usd("0.10") + usd("-0.10")) == "Money('0.00', 'USD')"
    assert str((usd("0.10") - usd("0.10")).amount) == "0.00"
    assert repr(usd("1.005") + usd("0.005")) == "Money('1.01', 'USD')"
    assert repr(usd("2.50") * 3) == "Money('7.50', 'USD')"
    assert repr(Money("7", "JPY") + Money("3", "JPY")) == "Money('10', 'JPY')"
    big = Money("9" * 37 + ".00", "USD")
    with pytest.raises(InvalidAmountError, match="10\\*\\*40"):
        big * 10000
    with pytest.raises(InvalidAmountError, match="10\\*\\*40"):
        -big * 10000
