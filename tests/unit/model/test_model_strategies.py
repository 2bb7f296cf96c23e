"""The shipped hypothesis strategies draw only valid values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pint
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.model.address import COUNTRY_CODES
from ordercycle.model.ids import parse_id
from ordercycle.money import Currency, Money
from ordercycle.testing import strategies as ost
from ordercycle.units import to_exact


@attrs.frozen
class StratShipment:
    shipment_id: str
    currency: str
    country: str
    total: Money
    parcels: tuple[int, ...]
    weight: pint.Quantity[Any] | None = None


@settings(max_examples=40, deadline=None)
@given(ost.money("JPY"), ost.money("KWD", rounded=False, min_amount=0, max_amount=5))
def test_money_strategy_respects_currency_and_rounding(yen, dinar):
    assert yen.currency == Currency.of("JPY")
    assert yen.is_rounded
    assert dinar.currency.code == "KWD"
    assert Decimal(0) <= dinar.amount <= 5
    assert -dinar.amount.as_tuple().exponent <= 3 + 6


@settings(max_examples=40, deadline=None)
@given(ost.lengths(min_value=2, max_value=3), ost.masses(min_value=0, max_value=1))
def test_quantity_strategies_stay_in_range_in_exact_numbers(length, mass):
    assert 2 <= to_exact(length, str(length.units)) <= 3
    assert not isinstance(length.magnitude, float)
    assert 0 <= to_exact(mass, str(mass.units)) <= 1


@settings(max_examples=40, deadline=None)
@given(ost.identifiers("O-"), ost.text_fields(), ost.aware_datetimes())
def test_ids_and_text_are_valid(identifier, text, moment):
    assert parse_id("order id", identifier) == identifier
    assert identifier.startswith("O-")
    assert text == text.strip()
    assert text.isprintable()
    assert moment.utcoffset() is not None


@settings(max_examples=30, deadline=None)
@given(ost.strategy_for_type(StratShipment))
def test_other_attrs_classes_are_built_field_by_field_with_name_hints(shipment):
    assert parse_id("shipment id", shipment.shipment_id)
    Currency.of(shipment.currency)
    assert shipment.country in COUNTRY_CODES
    assert isinstance(shipment.total, Money)
    assert isinstance(shipment.parcels, tuple)


def test_registered_strategies_take_precedence():
    fixed = st.just(Money("1.00", "USD"))
    ost.register_strategy(Money, fixed)
    try:
        assert ost.strategy_for_type(Money) is fixed
    finally:
        ost._REGISTERED.clear()
    assert ost.strategy_for_type(Money) is not fixed


def test_events_of_no_classes_is_nothing():
    assert ost.events([]).is_empty
