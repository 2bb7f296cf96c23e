"""Rate models: weight brackets, zone tables, base plus per-unit."""

from __future__ import annotations

import pytest

from ordercycle.errors import ValidationError
from ordercycle.money import Money
from ordercycle.packing import (
    BasePlusPerUnitRate,
    RateModel,
    RateNotAvailableError,
    WeightBracketRate,
    ZoneRateTable,
)
from ordercycle.units import Q_

GROUND = WeightBracketRate.from_table(
    "lb", "USD", [(1, "9.10"), (2, "9.85"), (5, "12.40"), (10, "15.75")], name="Ground"
)


def test_the_first_bracket_at_or_above_the_weight_prices_it() -> None:
    assert GROUND.price(Q_(1, "lb")) == Money("9.10", "USD")
    assert GROUND.price(Q_("1.01", "lb")) == Money("9.85", "USD")
    assert GROUND.price(Q_(3, "lb")) == Money("12.40", "USD")
    assert GROUND.price(Q_(4, "kg")) == Money("15.75", "USD")  # 8.8 lb
    assert isinstance(GROUND, RateModel)


def test_a_weight_above_the_table_is_refused_with_the_range() -> None:
    with pytest.raises(RateNotAvailableError) as caught:
        GROUND.price(Q_(11, "lb"))
    assert "Ground" in str(caught.value)
    assert "10 lb" in str(caught.value)
    assert isinstance(caught.value, LookupError)


def test_brackets_must_rise_and_prices_must_not_fall() -> None:
    with pytest.raises(ValidationError, match="rise"):
        WeightBracketRate.from_table("lb", "USD", [(2, "5.00"), (1, "6.00")])
    with pytest.raises(ValidationError, match="never fall"):
        WeightBracketRate.from_table("lb", "USD", [(1, "6.00"), (2, "5.00")])
    with pytest.raises(ValidationError, match="at least one"):
        WeightBracketRate(())


def test_zone_table_prices_per_zone() -> None:
    table = ZoneRateTable.from_table(
        "lb",
        "USD",
        [1, 2, 5],
        {"2": ["8.50", "9.10", "11.00"], "8": ["12.00", "14.20", "19.90"]},
        name="UPS Ground 2026",
    )
    assert table.price(Q_(2, "lb"), "2") == Money("9.10", "USD")
    assert table.for_zone("8").price(Q_(5, "lb")) == Money("19.90", "USD")
    assert list(table.zones) == ["2", "8"]
    with pytest.raises(RateNotAvailableError, match="zone '9'"):
        table.for_zone("9")
    with pytest.raises(ValidationError, match="3 prices"):
        ZoneRateTable.from_table("lb", "USD", [1, 2, 5], {"2": ["8.50"]})


def test_base_plus_per_unit_rounds_to_cents() -> None:
    rate = BasePlusPerUnitRate(Money("5.00", "EUR"), Money("1.15", "EUR"), "kg")
    assert rate.price(Q_("2.5", "kg")) == Money("7.88", "EUR")  # 5 + 2.875 -> 7.88
    assert rate.price(Q_(0, "kg")) == Money("5.00", "EUR")
    assert rate.price(Q_(1000, "g")) == Money("6.15", "EUR")


def test_base_plus_per_unit_refuses_mixed_currencies_and_negative_prices() -> None:
    with pytest.raises(ValidationError, match="EUR"):
        BasePlusPerUnitRate(Money("5.00", "EUR"), Money("1.00", "USD"))
    with pytest.raises(ValidationError, match="0 or more"):
        BasePlusPerUnitRate(Money("-5.00", "EUR"), Money("1.00", "EUR"))
    rate = BasePlusPerUnitRate(Money("5.00", "EUR"), Money("1.00", "EUR"))
    with pytest.raises(ValidationError, match="0 or more"):
        rate.price(Q_(-1, "kg"))
    assert rate.base == Money("5.00", "EUR")
