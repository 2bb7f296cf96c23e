"""Every public value type survives ``to_dict``/``from_dict`` and JSON unchanged."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pint
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
from ordercycle.model.ids import OrderId, Sku
from ordercycle.model.product import Product, Rotation
from ordercycle.money import Currency, Money
from ordercycle.serialization import from_dict, from_json, to_dict, to_json
from ordercycle.testing import strategies as ost

BOUNDED = settings(max_examples=60, deadline=None)


@attrs.frozen(kw_only=True)
class RtParcelPacked(DomainEvent):
    """A test event with one field of every kind the library serializes."""

    sku: Sku
    order_id: OrderId
    price: Money
    length: pint.Quantity[Any]
    rotation: Rotation
    ship_to: Address
    ship_by: date
    ratio: Fraction
    rate: Decimal
    notes: tuple[str, ...] = ()
    discount: Money | None = None


@attrs.frozen(kw_only=True)
class RtCustomerOnboarded(DomainEvent):
    event_type = "rt.customer-onboarded"
    customer: Customer
    catalogue: tuple[Product, ...]
    currency: Currency


TEST_EVENTS = [RtParcelPacked, RtCustomerOnboarded]


def round_trips(value: Any, cls: Any) -> None:
    data = to_dict(value)
    assert from_dict(data, cls) == value
    text = to_json(value)
    assert json.loads(text) == data
    back = from_json(text, cls)
    assert back == value
    # Nothing is lost either, not even the units a quantity was written in.
    assert to_dict(back) == data


@BOUNDED
@given(ost.money(rounded=False) | ost.money())
def test_money_round_trips(value):
    round_trips(value, Money)
    assert to_dict(value)["amount"] == str(value.amount)


@BOUNDED
@given(ost.currencies())
def test_currency_round_trips_as_its_code(value):
    round_trips(value, Currency)
    assert to_dict(value) == value.code


@BOUNDED
@given(st.one_of(ost.lengths(min_value=-100), ost.masses(min_value=0)))
def test_quantities_round_trip_exactly_with_their_units(value):
    round_trips(value, pint.Quantity[Any])
    back = from_dict(to_dict(value), pint.Quantity[Any])
    assert back.units == value.units
    assert back.magnitude == value.magnitude


@BOUNDED
@given(ost.decimals(), ost.fractions(), ost.dates(), ost.aware_datetimes())
def test_scalars_round_trip(decimal_value, fraction_value, date_value, datetime_value):
    round_trips(decimal_value, Decimal)
    round_trips(fraction_value, Fraction)
    round_trips(date_value, date)
    round_trips(datetime_value, datetime)
    assert from_dict(to_dict(datetime_value), datetime).utcoffset() == datetime_value.utcoffset()


@BOUNDED
@given(ost.addresses())
def test_addresses_round_trip(value):
    round_trips(value, Address)


@BOUNDED
@given(ost.products())
def test_products_round_trip(value):
    round_trips(value, Product)


@settings(max_examples=30, deadline=None)
@given(ost.customers())
def test_customers_round_trip(value):
    round_trips(value, Customer)


@settings(max_examples=40, deadline=None)
@given(ost.events(TEST_EVENTS))
def test_events_round_trip_through_the_tagged_union(value):
    round_trips(value, DomainEvent)
    round_trips(value, type(value))
    assert to_dict(value)["type"] == type(value).event_type


@settings(max_examples=20, deadline=None)
@given(st.lists(ost.events(TEST_EVENTS), max_size=4).map(tuple))
def test_event_streams_round_trip(value):
    round_trips(value, tuple[DomainEvent, ...])
    assert isinstance(to_dict(value), list)


@settings(max_examples=20, deadline=None)
@given(ost.clocks())
def test_clock_strategy_gives_aware_utc_times(clock):
    assert clock.now().utcoffset() is not None
    round_trips(clock.now(), datetime)
