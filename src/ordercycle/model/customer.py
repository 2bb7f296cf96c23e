"""Customers: who orders, where to bill and ship, and on what commercial terms.

Payment terms and tax profile are *references* (``"2/10 Net 30"``, ``"US-CA-retail"``)
resolved by :mod:`ordercycle.invoicing`; the model only checks that they are present.

>>> from ordercycle.money import Money
>>> from ordercycle.model.address import Address
>>> office = Address(lines=("1 Main St",), city="Springfield", postal_code="62701",
...                  region="IL", country="US")
>>> acme = Customer(
...     id="C-1", name="ACME Corp", credit_limit=Money("5000.00", "USD"),
...     payment_terms="2/10 Net 30", tax_profile="US-IL", billing_address=office,
... )
>>> acme.default_shipping_address == office
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model.address import Address
from ordercycle.model.ids import CustomerId, parse_customer_id
from ordercycle.money import Money

__all__ = ["Customer"]


def _subject(instance: Any) -> str:
    return f"customer {instance.id}"


def _check_id(_instance: object, _attribute: object, value: Any) -> None:
    parse_customer_id(value)


def _text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value or value != value.strip():
        raise ValidationError.invalid(
            _subject(instance), attribute.name, value, "non-empty text without surrounding spaces"
        )


def _credit_limit(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, Money) or value.is_negative:
        raise ValidationError.invalid(
            _subject(instance),
            "credit_limit",
            value,
            "a Money amount of zero or more, such as Money('5000.00', 'USD')",
        )


def _billing(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, Address):
        raise ValidationError.invalid(_subject(instance), "billing_address", value, "an Address")


def _shipping(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(a, Address) for a in value):
        raise ValidationError.invalid(
            _subject(instance), "shipping_addresses", value, "a tuple of Address"
        )
    if len(set(value)) != len(value):
        raise ValidationError.invalid(
            _subject(instance), "shipping_addresses", value, "each address at most once"
        )


def _shelf_life(instance: Any, _attribute: object, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError.invalid(
            _subject(instance),
            "min_remaining_shelf_life_days",
            value,
            "None or a whole number of days, zero or more",
        )


def _as_tuple(value: Iterable[Address]) -> tuple[Address, ...]:
    if isinstance(value, list):
        return tuple(value)
    return cast("tuple[Address, ...]", value)


@attrs.frozen(kw_only=True)
class Customer:
    """A customer account.

    Attributes:
        id: The customer id.
        name: The customer's name, as printed on invoices.
        credit_limit: The most the customer may owe at once; zero means prepay only.
        payment_terms: Reference to the payment terms, such as ``"2/10 Net 30"``.
        tax_profile: Reference to the tax profile used when invoicing.
        billing_address: Where invoices go.
        shipping_addresses: Where goods may go; the first is the default. Empty means
            "ship to the billing address".
        min_remaining_shelf_life_days: For perishable stock, the fewest days before
            expiry a lot may have when shipped to this customer; ``None`` for no rule.

    Raises:
        InvalidIdError: If the id is not a valid identifier.
        ValidationError: If any other field is missing or malformed.
    """

    id: CustomerId = attrs.field(validator=_check_id)
    name: str = attrs.field(validator=_text)
    credit_limit: Money = attrs.field(validator=_credit_limit)
    payment_terms: str = attrs.field(validator=_text)
    tax_profile: str = attrs.field(validator=_text)
    billing_address: Address = attrs.field(validator=_billing)
    shipping_addresses: tuple[Address, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_shipping
    )
    min_remaining_shelf_life_days: int | None = attrs.field(default=None, validator=_shelf_life)

    @property
    def default_shipping_address(self) -> Address:
        """The first shipping address, or the billing address when there is none."""
        return self.shipping_addresses[0] if self.shipping_addresses else self.billing_address
