"""Currency: the ISO 4217 table, lookups and the errors for codes that cannot hold money."""

from __future__ import annotations

import pickle
from decimal import Decimal

import iso4217
import pytest

from ordercycle.errors import OrderCycleError, UnknownCurrencyError, ValidationError
from ordercycle.money import Currency, CurrencyWithoutMinorUnitError, Money
from ordercycle.money._iso4217 import PUBLISHED, TABLE

ISO_ENTRIES = {
    code: entry for code, entry in iso4217.raw_table.items() if code is not None
}  # the package also lists Antarctica, which has no currency (code None)
WITH_MINOR_UNIT = sorted(c for c, e in ISO_ENTRIES.items() if e["CcyMnrUnts"].isdigit())
WITHOUT_MINOR_UNIT = sorted(c for c, e in ISO_ENTRIES.items() if e["CcyMnrUnts"] == "N.A.")


# --- the table against the iso4217 package ------------------------------------------------


def test_iso4217_package_splits_into_codes_with_and_without_minor_units():
    assert len(WITH_MINOR_UNIT) > 150
    assert set(WITH_MINOR_UNIT) | set(WITHOUT_MINOR_UNIT) == set(ISO_ENTRIES)


@pytest.mark.parametrize("code", WITH_MINOR_UNIT)
def test_every_iso4217_currency_with_a_minor_unit_has_the_same_exponent(code):
    entry = ISO_ENTRIES[code]
    currency = Currency.of(code)
    assert currency.exponent == int(entry["CcyMnrUnts"])
    assert currency.numeric == f"{entry['CcyNbr']:03d}"
    assert currency.name == entry["CcyNm"]


@pytest.mark.parametrize("code", WITHOUT_MINOR_UNIT)
def test_every_iso4217_code_without_minor_unit_is_refused_for_money(code):
    with pytest.raises(CurrencyWithoutMinorUnitError, match=f"{code}.*has no minor unit"):
        Currency.of(code)
    with pytest.raises(UnknownCurrencyError):
        Money("1", code)


def test_table_holds_exactly_the_active_codes_of_the_iso4217_package():
    assert set(TABLE) == set(ISO_ENTRIES)
    assert iso4217.__published__.isoformat() == PUBLISHED


def test_all_lists_every_usable_currency_sorted_by_code():
    codes = [currency.code for currency in Currency.all()]
    assert codes == WITH_MINOR_UNIT
    assert codes == sorted(codes)


# --- exponents from the issue ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("LYD", 3),
        ("IQD", 3),
        ("CLF", 4),
        ("UYW", 4),
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
    ],
)
def test_exponent_of_well_known_currencies(code, exponent):
    assert Currency.of(code).exponent == exponent


@pytest.mark.parametrize(
    ("code", "quantum"),
    [("USD", "0.01"), ("JPY", "1"), ("KWD", "0.001"), ("CLF", "0.0001")],
)
def test_quantum_is_one_minor_unit(code, quantum):
    assert Currency.of(code).quantum == Decimal(quantum)
    assert str(Currency.of(code).quantum) == quantum


def test_usd_fields():
    usd = Currency.of("USD")
    assert (usd.code, usd.numeric, usd.exponent, usd.name) == ("USD", "840", 2, "US Dollar")
    assert str(usd) == "USD"


def test_numeric_codes_keep_leading_zeros():
    assert Currency.of("ALL").numeric == "008"


def test_of_returns_the_shared_instance_and_accepts_a_currency():
    usd = Currency.of("USD")
    assert Currency.of("USD") is usd
    assert Currency.of(usd) is usd


@pytest.mark.parametrize("numeric", ["840", 840])
def test_from_numeric_finds_the_currency(numeric):
    assert Currency.from_numeric(numeric) is Currency.of("USD")


def test_from_numeric_keeps_leading_zeros():
    assert Currency.from_numeric(8).code == "ALL"


def test_from_numeric_unknown_is_refused():
    with pytest.raises(UnknownCurrencyError, match="Unknown numeric currency code '000'"):
        Currency.from_numeric("000")


def test_from_numeric_of_a_code_without_minor_unit_is_refused():
    with pytest.raises(UnknownCurrencyError, match="959"):
        Currency.from_numeric(959)  # XAU


def test_currency_is_frozen_hashable_and_picklable():
    usd = Currency.of("USD")
    with pytest.raises(AttributeError):
        usd.exponent = 3  # type: ignore[misc]
    assert {usd: 1}[Currency.of("USD")] == 1
    assert pickle.loads(pickle.dumps(usd)) == usd


def test_custom_currency_outside_iso_can_be_built():
    points = Currency("PTS", "000", 0, "Loyalty points")
    assert Money(120, points).amount == Decimal("120")


# --- errors ----------------------------------------------------------------------------------


def test_unknown_code_is_refused_with_the_code_and_the_table_date():
    with pytest.raises(UnknownCurrencyError) as info:
        Currency.of("ZZZ")
    error = info.value
    assert isinstance(error, OrderCycleError)
    assert isinstance(error, LookupError)
    assert isinstance(error, ValueError)
    assert "Unknown currency code 'ZZZ'" in str(error)
    assert "not an active ISO 4217 code" in str(error)
    assert PUBLISHED in str(error)
    assert error.code == "ZZZ"


def test_lower_case_code_is_refused_with_a_did_you_mean_hint():
    with pytest.raises(UnknownCurrencyError) as info:
        Currency.of("usd")
    assert "did you mean 'USD'?" in str(info.value)
    assert "upper case" in str(info.value)
    assert info.value.code == "usd"


def test_misspelt_code_suggests_close_codes():
    with pytest.raises(UnknownCurrencyError, match="did you mean 'EUR'"):
        Currency.of("EUX")


def test_withdrawn_code_is_unknown():
    with pytest.raises(UnknownCurrencyError, match="'HRK'"):
        Currency.of("HRK")


@pytest.mark.parametrize(
    ("code", "name"),
    [("XAU", "Gold"), ("XAG", "Silver"), ("XDR", "SDR"), ("XTS", "testing"), ("XXX", "no cur")],
)
def test_codes_without_minor_unit_say_why_they_are_refused(code, name):
    with pytest.raises(CurrencyWithoutMinorUnitError) as info:
        Currency.of(code)
    message = str(info.value)
    assert f"Currency {code}" in message
    assert name in message
    assert "has no minor unit" in message
    assert "such as 'USD'" in message
    assert isinstance(info.value, UnknownCurrencyError)
    assert info.value.code == code


@pytest.mark.parametrize("code", [840, None, b"USD"])
def test_non_string_code_is_refused_naming_its_type(code):
    with pytest.raises(UnknownCurrencyError, match=type(code).__name__):
        Currency.of(code)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (("usd", "840", 2, "US Dollar"), "three upper-case ASCII letters"),
        (("USD", "84", 2, "US Dollar"), "three ASCII digits"),
        (("USD", "840", -1, "US Dollar"), "an int from 0 to 9"),
        (("USD", "840", True, "US Dollar"), "an int from 0 to 9"),
    ],
)
def test_constructor_validates_fields(fields, words):
    with pytest.raises(ValidationError, match=words):
        Currency(*fields)


def test_currency_errors_survive_pickle_with_their_attributes():
    with pytest.raises(CurrencyWithoutMinorUnitError) as info:
        Currency.of("XAU")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is CurrencyWithoutMinorUnitError
    assert str(copy) == str(info.value)
    assert copy.code == "XAU"


def test_a_currency_built_by_hand_equals_and_hashes_as_the_shared_one():
    shared = Currency.of("USD")
    built = Currency("USD", "840", 2, "US Dollar")
    assert built is not shared
    assert built == shared
    assert (built != shared) is False
    assert hash(built) == hash(shared)
    assert {shared: "found"}[built] == "found"
    assert Money("1.00", built) == Money("1.00", shared)
    assert Money.sum([Money("1.00", built), Money("2.00", shared)]) == Money("3.00", "USD")
    assert Currency("USD", "840", 2, "Dollar") != shared
    assert Currency("USD", "840", 3, "US Dollar") != shared
    assert shared != "USD"
    assert (shared == "USD") is False


def test_zero_is_shared_per_currency_and_equals_a_built_zero():
    assert Money.zero("USD") is Money.zero(Currency.of("USD"))
    assert Money.zero("USD") == Money("0", "USD")
    assert repr(Money.zero("JPY")) == "Money('0', 'JPY')"
    hand_made = Currency("XPT", "999", 1, "Points")
    assert Money.zero(hand_made).currency is hand_made


@pytest.mark.parametrize("code", ["USD", "JPY", "KWD"])
def test_a_zero_result_of_arithmetic_is_the_currencys_canonical_zero(code: str) -> None:
    unit = Currency.of(code)
    one = Money("1", unit)
    made = (
        one - one,
        Money("-1", unit) + one,
        -(one - one),
        Money.sum([], currency=unit),
        Money.sum([one, -one], currency=unit),
        one * 0,
        Money("0.0000", unit) + Money("0", unit),
    )
    for zero in made:
        assert zero == Money.zero(unit)
        assert zero.amount.as_tuple() == (0, (0,), -unit.exponent)  # positive, minor digits
        assert repr(zero) == repr(Money("0", unit))
        assert zero.currency is unit
        assert not zero
        assert not zero.is_negative
