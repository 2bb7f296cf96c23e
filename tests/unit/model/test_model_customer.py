"""Customers: commercial terms and addresses."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.ids import InvalidIdError
from ordercycle.money import Money

OFFICE = Address(lines=("1 Main St",), city="Springfield", postal_code="62701", country="US")
DEPOT = Address(lines=("9 Dock Rd",), city="Joliet", postal_code="60431", country="US")


def acme(**changes: object) -> Customer:
    fields: dict[str, object] = {
        "id": "C-1",
        "name": "ACME Corp",
        "credit_limit": Money("5000.00", "USD"),
        "payment_terms": "2/10 Net 30",
        "tax_profile": "US-IL",
        "billing_address": OFFICE,
    }
    fields.update(changes)
    return Customer(**fields)  # type: ignore[arg-type]


def test_customer_keeps_terms_and_references():
    customer = acme(min_remaining_shelf_life_days=30)
    assert customer.credit_limit == Money("5000.00", "USD")
    assert customer.payment_terms == "2/10 Net 30"
    assert customer.tax_profile == "US-IL"
    assert customer.min_remaining_shelf_life_days == 30
    assert customer.shipping_addresses == ()


def test_default_shipping_address_is_the_first_or_the_billing_address():
    assert acme().default_shipping_address == OFFICE
    customer = acme(shipping_addresses=[DEPOT, OFFICE])
    assert customer.shipping_addresses == (DEPOT, OFFICE)
    assert customer.default_shipping_address == DEPOT


def test_zero_credit_limit_is_allowed():
    assert acme(credit_limit=Money("0", "EUR")).credit_limit.is_zero


@pytest.mark.parametrize(
    ("field", "bad", "words"),
    [
        ("name", "", "non-empty text"),
        ("name", " ACME", "without surrounding spaces"),
        ("payment_terms", "", "non-empty text"),
        ("tax_profile", None, "non-empty text"),
        ("credit_limit", Money("-1.00", "USD"), "zero or more"),
        ("credit_limit", "5000", "a Money amount"),
        ("billing_address", "1 Main St", "an Address"),
        ("shipping_addresses", ("1 Main St",), "a tuple of Address"),
        ("shipping_addresses", (DEPOT, DEPOT), "each address at most once"),
        ("min_remaining_shelf_life_days", -1, "zero or more"),
        ("min_remaining_shelf_life_days", 1.5, "whole number of days"),
        ("min_remaining_shelf_life_days", True, "whole number of days"),
    ],
)
def test_bad_fields_raise_typed_errors_naming_customer_and_field(field, bad, words):
    with pytest.raises(ValidationError) as info:
        acme(**{field: bad})
    message = str(info.value)
    assert f"Invalid {field} for customer C-1" in message
    assert words in message
    assert info.value.field == field


def test_bad_id_is_refused():
    with pytest.raises(InvalidIdError, match="Invalid customer id"):
        acme(id="")


def test_evolve_validates_and_original_is_unchanged():
    customer = acme()
    with pytest.raises(ValidationError):
        attrs.evolve(customer, credit_limit=Money("-5.00", "USD"))
    assert customer.credit_limit == Money("5000.00", "USD")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        customer.name = "Other"  # type: ignore[misc]


def test_customer_pickles():
    import pickle

    customer = acme(shipping_addresses=(DEPOT,))
    assert pickle.loads(pickle.dumps(customer)) == customer
