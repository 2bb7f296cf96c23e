"""Serialization: the wire format, and clear errors on bad input."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pint
import pytest

from ordercycle.errors import SerializationError, ValidationError
from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent, UnknownEventTypeError
from ordercycle.model.order.policies import Priority
from ordercycle.model.product import Product, Rotation
from ordercycle.money import Currency, Money
from ordercycle.serialization import (
    converter,
    from_dict,
    from_json,
    make_converter,
    to_dict,
    to_json,
)
from ordercycle.units import Q_

AT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
HOME = Address(lines=("1 Main St",), city="Springfield", postal_code="62701", country="US")
ADA = Customer(
    id="C-1",
    name="Ada",
    credit_limit=Money("1", "USD"),
    payment_terms="Net 30",
    tax_profile="T",
    billing_address=HOME,
)


@attrs.frozen(kw_only=True)
class SerTestLabelPrinted(DomainEvent):
    printer: str
    copies: int = 1


@attrs.frozen(kw_only=True)
class SerTestLabelVoided(DomainEvent):
    reason: str


@attrs.frozen
class SerTestManifest:
    events: tuple[DomainEvent, ...]
    total: Money


def printed(**changes: Any) -> SerTestLabelPrinted:
    fields: dict[str, Any] = {"aggregate_id": "SHP-1", "version": 3, "occurred_at": AT}
    fields["printer"] = "ZPL-1"
    fields.update(changes)
    return SerTestLabelPrinted(**fields)


def problems_of(data: Any, cls: Any) -> SerializationError:
    with pytest.raises(SerializationError) as info:
        from_dict(data, cls)
    error = info.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, ValueError)
    for path, message in error.problems:
        assert path.startswith("$")
        assert f"{message} @ {path}" in str(error)
    return error


# --- the wire format -----------------------------------------------------------------------


def test_wire_format_of_scalars():
    assert to_dict(Decimal("12.50")) == "12.50"
    assert to_dict(Fraction(381, 5)) == "381/5"
    assert to_dict(Fraction(3)) == "3/1"
    assert to_dict(date(2026, 1, 15)) == "2026-01-15"
    assert to_dict(AT) == "2026-01-15T09:30:00+00:00"
    assert to_dict(Rotation.THIS_SIDE_UP) == "this_side_up"
    assert to_dict(Currency.of("JPY")) == "JPY"
    assert to_dict(Money("10", "USD")) == {"amount": "10.00", "currency": "USD"}


def test_wire_format_of_quantities_keeps_exact_values_and_units():
    assert to_dict(Q_("12.5", "cm")) == {"value": "12.5", "unit": "centimeter"}
    assert to_dict(Q_(Fraction(1, 3), "in")) == {"value": "1/3", "unit": "inch"}
    assert to_dict(Q_(Fraction(4), "in")) == {"value": "4", "unit": "inch"}
    assert to_dict(Q_(2, "lb")) == {"value": "2", "unit": "pound"}
    assert to_dict(Q_(0.1, "kg")) == {"value": "0.1", "unit": "kilogram"}
    back = from_dict({"value": "0.1", "unit": "kilogram"}, pint.Quantity[Any])
    assert back.magnitude == Decimal("0.1")
    assert from_dict({"value": "381/5", "unit": "mm"}, pint.Quantity[Any]).magnitude == Fraction(
        381, 5
    )


def test_fractions_are_read_from_n_over_d_or_integers():
    assert from_dict("381/5", Fraction) == Fraction(381, 5)
    assert from_dict("3", Fraction) == 3
    assert from_dict(3, Fraction) == 3


def test_tuples_become_lists_and_events_carry_their_type_first():
    data = to_dict(SerTestManifest((printed(),), Money("1.00", "EUR")))
    assert data == {
        "events": [
            {
                "type": "SerTestLabelPrinted",
                "aggregate_id": "SHP-1",
                "version": 3,
                "occurred_at": "2026-01-15T09:30:00+00:00",
                "printer": "ZPL-1",
                "copies": 1,
            }
        ],
        "total": {"amount": "1.00", "currency": "EUR"},
    }
    assert next(iter(data["events"][0])) == "type"
    assert from_dict(data, SerTestManifest) == SerTestManifest((printed(),), Money("1.00", "EUR"))


def test_events_are_read_back_as_their_own_class_through_the_base():
    voided = SerTestLabelVoided(aggregate_id="SHP-1", version=4, occurred_at=AT, reason="jam")
    stream = (printed(), voided)
    assert from_dict(to_dict(stream), tuple[DomainEvent, ...]) == stream
    assert from_json(to_json(voided), DomainEvent) == voided


def test_an_event_class_defined_after_the_converter_works_without_setup():
    @attrs.frozen(kw_only=True)
    class SerTestLateEvent(DomainEvent):
        amount: Money

    try:
        event = SerTestLateEvent(
            aggregate_id="INV-1", version=1, occurred_at=AT, amount=Money("5", "USD")
        )
        assert from_json(to_json(event), DomainEvent) == event
    finally:
        DomainEvent._unregister("SerTestLateEvent")


def test_a_concrete_event_class_may_omit_the_type_key():
    data = to_dict(printed())
    del data["type"]
    assert from_dict(data, SerTestLabelPrinted) == printed()


def test_to_json_is_deterministic_and_plain_json():
    text = to_json(printed())
    assert text == to_json(printed())
    assert text.startswith('{"type": "SerTestLabelPrinted"')
    assert "\n" in to_json(printed(), indent=2)


def test_make_converter_builds_an_independent_converter():
    mine = make_converter()
    assert mine is not converter
    mine.register_unstructure_hook(Currency, lambda c: c.numeric)
    assert to_dict(Currency.of("USD"), converter=mine) == "840"
    assert to_dict(Currency.of("USD")) == "USD"
    assert from_dict("USD", Currency, converter=mine) == Currency.of("USD")


# --- errors ----------------------------------------------------------------------------------


def test_unknown_key_is_refused_with_its_path():
    data = to_dict(ADA)
    data["billing_address"]["planet"] = "Earth"
    error = problems_of(data, Customer)
    assert "extra fields found (planet) @ $.billing_address" in str(error)
    assert error.problems == (("$.billing_address", "extra fields found (planet)"),)
    assert "@ $." in str(error)


def test_unknown_key_in_an_event_is_refused():
    data = {**to_dict(printed()), "colour": "red"}
    error = problems_of(data, DomainEvent)
    assert "extra fields found (colour)" in str(error)


def test_every_problem_is_reported_at_once_with_paths():
    data = to_dict(Product.from_mm("MUG", "Mug", 120, 90, 100, 350))
    data["width"] = {"value": 12, "unit": "cm"}
    data["fragile"] = "no"
    data["rotation"] = "sideways"
    del data["name"]
    error = problems_of(data, Product)
    paths = dict(error.problems)
    assert set(paths) == {"$.width", "$.fragile", "$.rotation", "$.name"}
    assert "value as a string" in paths["$.width"]
    assert "expected true or false" in paths["$.fragile"]
    assert "'any', 'this_side_up', 'fixed'" in paths["$.rotation"]
    assert paths["$.name"] == "required field missing"
    assert str(error).startswith("Cannot read Product:")


@pytest.mark.parametrize(
    ("data", "cls", "words"),
    [
        ("12", int, "expected a JSON integer"),
        (True, int, "expected a JSON integer"),
        (12, str, "expected a JSON string"),
        (1, bool, "expected true or false"),
        (1.5, Decimal, "decimal number as a string"),
        ("NaN", Decimal, "decimal number as a string"),
        ("abc", Decimal, "decimal number as a string"),
        ("1.5", Fraction, "fraction as a string"),
        ("1/0", Fraction, "fraction as a string"),
        ("2026-13-01", date, "ISO 8601 date"),
        ("2026-01-15T10:00:00+00:00", date, "ISO 8601 date"),
        ("yesterday", datetime, "ISO 8601 datetime"),
        ({"value": "1", "unit": "furlongz"}, pint.Quantity[Any], "a unit pint knows"),
        ({"value": "one", "unit": "cm"}, pint.Quantity[Any], "integer, decimal or fraction"),
        ({"value": "1", "unit": "cm", "x": 1}, pint.Quantity[Any], "'unit': 'centimeter'"),
        ("USD", Money, "'amount': '10.00'"),
        ({"amount": 10.5, "currency": "USD"}, Money, "decimal string"),
        ("Main St", Address, "expected a JSON object"),
        ("Main St", tuple[Address, ...], "expected a JSON array"),
    ],
)
def test_wrong_types_are_refused_not_coerced(data, cls, words):
    error = problems_of(data, cls)
    assert words in str(error)
    if not isinstance(data, dict):
        assert repr(data) in str(error)


def test_naive_datetime_is_refused_on_input_with_its_path():
    data = {**to_dict(printed()), "occurred_at": "2026-01-15T09:30:00"}
    error = problems_of(data, DomainEvent)
    assert error.problems[0][0] == "$.occurred_at"
    assert "has no timezone" in str(error)


def test_naive_datetime_is_refused_on_output():
    with pytest.raises(SerializationError, match="timezone-aware"):
        to_dict(datetime(2026, 1, 1))
    with pytest.raises(SerializationError, match="timezone-aware"):
        to_json(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("code", "words"),
    [("XYZ", "Unknown currency code 'XYZ'"), ("usd", "did you mean 'USD'"), ("XAU", "XAU")],
)
def test_bad_currency_is_refused_with_the_currency_message(code, words):
    error = problems_of({"amount": "1.00", "currency": code}, Money)
    assert words in str(error)
    assert error.problems[0][0] == "$"
    error = problems_of({"events": [], "total": {"amount": "1", "currency": code}}, SerTestManifest)
    assert error.problems[0][0] == "$.total"


def test_validator_errors_of_value_objects_are_reported_at_the_field_they_name():
    data = to_dict(Product.from_mm("MUG", "Mug", 120, 90, 100, 350))
    data["height"] = {"value": "3", "unit": "kilogram"}
    error = problems_of(data, Product)
    assert "Invalid height for product MUG: expected a length, got 3 kilogram. @ $.height" in str(
        error
    )
    customer = to_dict(ADA)
    customer["credit_limit"]["amount"] = "-1.00"
    customer["shipping_addresses"] = [{**to_dict(HOME), "country": "us"}]
    error = problems_of(customer, Customer)
    assert dict(error.problems).keys() == {"$.shipping_addresses[0].country"}
    del customer["shipping_addresses"]
    error = problems_of(customer, Customer)
    assert error.problems[0][0] == "$.credit_limit"
    assert "Invalid credit_limit for customer C-1" in error.problems[0][1]


def test_unknown_event_type_lists_the_known_ones():
    data = {**to_dict(printed()), "type": "LabelBurned"}
    error = problems_of(data, DomainEvent)
    assert "Unknown event type 'LabelBurned'; known: " in str(error)
    assert isinstance(error.__cause__, UnknownEventTypeError)


def test_event_without_type_is_refused_for_the_base_class():
    data = to_dict(printed())
    del data["type"]
    error = problems_of(data, DomainEvent)
    assert "Missing 'type' key" in str(error)


def test_event_of_another_class_is_refused_for_a_concrete_class():
    voided = SerTestLabelVoided(aggregate_id="SHP-1", version=4, occurred_at=AT, reason="jam")
    error = problems_of(to_dict(voided), SerTestLabelPrinted)
    assert "the type of a SerTestLabelPrinted event" in str(error)


def test_bad_items_in_a_list_are_reported_by_index():
    good = to_dict(printed())
    bad = {**good, "version": 0}
    error = problems_of([good, bad, {**good, "copies": "2"}], tuple[DomainEvent, ...])
    paths = [path for path, _ in error.problems]
    assert paths == ["$[1].version", "$[2].copies"]
    assert "Invalid version for event SerTestLabelPrinted: 0" in str(error)


def test_invalid_json_is_a_serialization_error():
    with pytest.raises(SerializationError, match="Cannot read Money from JSON") as info:
        from_json("{'amount': 1}", Money)
    assert info.value.problems[0][0] == "$"


def test_serialization_error_pickles_with_problems():
    import pickle

    error = problems_of({"amount": 1.5, "currency": "USD"}, Money)
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)


class Mood(enum.StrEnum):
    CALM = "calm"


@attrs.frozen
class Tagged:
    priority: Priority
    mood: Mood


def test_int_and_str_enums_come_back_as_members_not_plain_values():
    back = from_dict(to_dict(Tagged(Priority(1), Mood.CALM)), Tagged)
    assert type(back.priority) is Priority
    assert type(back.mood) is Mood
    assert back == Tagged(Priority(1), Mood.CALM)
