"""Hypothesis strategies for ``ordercycle`` values, shipped for users' own tests.

Every strategy draws valid values only (they pass the library's validators), with exact
numbers: money amounts are :class:`~decimal.Decimal`, quantity magnitudes are ``int``,
:class:`~decimal.Decimal` or :class:`~fractions.Fraction`, never ``float``.

>>> from hypothesis import given
>>> from ordercycle.serialization import from_dict, to_dict
>>> @given(products())
... def test_products_round_trip(product):
...     assert from_dict(to_dict(product), Product) == product
>>> test_products_round_trip()

This module imports :mod:`hypothesis` (a test dependency); import it only from tests.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any, NewType, Union, get_args, get_origin, get_type_hints

import attrs
import pint
from hypothesis import strategies as st

from ordercycle.model.address import COUNTRY_CODES, Address
from ordercycle.model.clock import FixedClock, SteppableClock
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
from ordercycle.model.ids import CustomerId, Sku
from ordercycle.model.product import Product, Rotation
from ordercycle.money import Currency, Money
from ordercycle.units import Q_

__all__ = [
    "addresses",
    "aware_datetimes",
    "clocks",
    "currencies",
    "customers",
    "dates",
    "decimals",
    "events",
    "fractions",
    "identifiers",
    "lengths",
    "masses",
    "money",
    "products",
    "quantities",
    "register_strategy",
    "skus",
    "strategy_for_type",
    "text_fields",
]

_LENGTH_UNITS = ("millimeter", "centimeter", "meter", "inch", "foot")
_MASS_UNITS = ("gram", "kilogram", "pound", "ounce")
_EARLIEST = datetime(2000, 1, 1)
_LATEST = datetime(2100, 1, 1)

_WORD_CHARS = st.characters(categories=("L", "N"), max_codepoint=0x2FFF)


def text_fields(max_words: int = 4) -> st.SearchStrategy[str]:
    """Non-empty printable text without surrounding spaces: names, cities, street lines."""
    word = st.text(_WORD_CHARS, min_size=1, max_size=12)
    punctuated = st.tuples(word, st.sampled_from(["", ".", "-", "/", "'", "#"])).map("".join)
    return st.lists(punctuated, min_size=1, max_size=max_words).map(" ".join)


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """Valid identifiers (``"O-17"``, ``"MUG_2"``): printable, no surrounding whitespace."""
    body = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=16)
    return body.map(lambda text: prefix + text)


def skus() -> st.SearchStrategy[Sku]:
    """Valid stock-keeping units."""
    return identifiers().map(Sku)


def currencies() -> st.SearchStrategy[Currency]:
    """Any ISO 4217 currency usable for money (with minor units)."""
    return st.sampled_from(Currency.all())


def money(
    currency: str | Currency | None = None,
    *,
    rounded: bool = True,
    min_amount: int = -(10**9),
    max_amount: int = 10**9,
) -> st.SearchStrategy[Money]:
    """Money amounts between ``min_amount`` and ``max_amount`` (whole currency units).

    Args:
        currency: Draw in this currency only; any currency when omitted.
        rounded: Only whole minor units (``10.25``) when true; otherwise up to six more
            digits (``10.253117``), as a product with a tax rate gives.
        min_amount: The smallest amount, in whole units.
        max_amount: The largest amount, in whole units.
    """
    chosen = currencies() if currency is None else st.just(Currency.of(currency))

    def in_currency(unit: Currency) -> st.SearchStrategy[Money]:
        extra = 0 if rounded else 6
        places = unit.exponent + extra
        scale = 10**places
        steps = st.integers(min_value=min_amount * scale, max_value=max_amount * scale)
        return steps.map(lambda n: Money(Decimal(n).scaleb(-places), unit))

    return chosen.flatmap(in_currency)


def decimals(
    places: int = 4, *, min_value: int = -(10**6), max_value: int = 10**6
) -> st.SearchStrategy[Decimal]:
    """Finite decimals with up to ``places`` digits after the point."""
    scale = 10**places
    return st.integers(min_value * scale, max_value * scale).map(
        lambda n: Decimal(n).scaleb(-places)
    )


def fractions(*, min_value: int = -(10**6), max_value: int = 10**6) -> st.SearchStrategy[Fraction]:
    """Exact fractions with small denominators."""
    return st.fractions(min_value=min_value, max_value=max_value, max_denominator=1000)


def _magnitudes(min_value: Fraction, max_value: Fraction) -> st.SearchStrategy[Any]:
    as_fraction = st.fractions(min_value=min_value, max_value=max_value, max_denominator=64)
    return st.one_of(
        as_fraction.map(lambda f: f.numerator if f.denominator == 1 else f),
        as_fraction.map(lambda f: Decimal(round(f * 1000)) / 1000).filter(
            lambda d: min_value <= d <= max_value
        ),
    )


def quantities(
    units: Sequence[str], *, min_value: int | Fraction = 1, max_value: int | Fraction = 1000
) -> st.SearchStrategy[Any]:
    """Quantities in one of ``units`` with an exact magnitude in ``[min_value, max_value]``."""
    low, high = Fraction(min_value), Fraction(max_value)
    return st.builds(Q_, _magnitudes(low, high), st.sampled_from(list(units)))


def lengths(
    *, min_value: int | Fraction = 1, max_value: int | Fraction = 1000
) -> st.SearchStrategy[Any]:
    """Lengths in millimetres, centimetres, metres, inches or feet (positive by default)."""
    return quantities(_LENGTH_UNITS, min_value=min_value, max_value=max_value)


def masses(
    *, min_value: int | Fraction = 1, max_value: int | Fraction = 1000
) -> st.SearchStrategy[Any]:
    """Masses in grams, kilograms, pounds or ounces (positive by default)."""
    return quantities(_MASS_UNITS, min_value=min_value, max_value=max_value)


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes between 2000 and 2100, in UTC or a fixed offset."""
    offsets = st.integers(min_value=-14 * 4, max_value=14 * 4).map(
        lambda quarters: timezone(timedelta(minutes=15 * quarters))
    )
    return st.datetimes(
        min_value=_EARLIEST, max_value=_LATEST, timezones=st.one_of(st.just(UTC), offsets)
    )


def dates() -> st.SearchStrategy[date]:
    """Calendar dates between 2000 and 2100."""
    return st.dates(min_value=_EARLIEST.date(), max_value=_LATEST.date())


def clocks() -> st.SearchStrategy[FixedClock | SteppableClock]:
    """Fixed and steppable clocks starting at an aware datetime."""
    return aware_datetimes().flatmap(
        lambda at: st.sampled_from([FixedClock(at), SteppableClock(at)])
    )


def addresses(countries: Sequence[str] | None = None) -> st.SearchStrategy[Address]:
    """Valid addresses, in the given ISO 3166-1 alpha-2 countries or any."""
    return st.builds(
        Address,
        lines=st.lists(text_fields(), min_size=1, max_size=4).map(tuple),
        city=text_fields(3),
        postal_code=st.one_of(st.just(""), identifiers()),
        country=st.sampled_from(list(countries or COUNTRY_CODES)),
        region=st.one_of(st.just(""), text_fields(2)),
    )


def products() -> st.SearchStrategy[Product]:
    """Valid products with exact dimensions and weights in mixed units."""

    def handling(fragile: bool) -> st.SearchStrategy[Any]:
        if fragile:
            return st.sampled_from([None, Q_(0, "g")])
        return st.one_of(st.none(), masses(min_value=0, max_value=100))

    def build(fragile: bool) -> st.SearchStrategy[Product]:
        return st.builds(
            Product,
            sku=skus(),
            name=text_fields(),
            length=lengths(),
            width=lengths(),
            height=lengths(),
            weight=masses(),
            rotation=st.sampled_from(Rotation),
            fragile=st.just(fragile),
            max_load_on_top=handling(fragile),
            ship_alone=st.booleans(),
            ships_in_own_packaging=st.booleans(),
        )

    return st.booleans().flatmap(build)


def customers() -> st.SearchStrategy[Customer]:
    """Valid customers with a few addresses."""
    return st.builds(
        Customer,
        id=identifiers("C-").map(CustomerId),
        name=text_fields(),
        credit_limit=money(min_amount=0, max_amount=10**6),
        payment_terms=st.sampled_from(["Net 30", "2/10 Net 30", "Due on receipt", "EOM 15"]),
        tax_profile=identifiers(),
        billing_address=addresses(),
        shipping_addresses=st.lists(addresses(), max_size=3, unique=True).map(tuple),
        min_remaining_shelf_life_days=st.one_of(st.none(), st.integers(0, 3650)),
    )


_BY_TYPE: Mapping[Any, Callable[[], st.SearchStrategy[Any]]] = {
    str: text_fields,
    bool: st.booleans,
    int: lambda: st.integers(min_value=-(10**9), max_value=10**9),
    Decimal: decimals,
    Fraction: fractions,
    datetime: aware_datetimes,
    date: dates,
    Money: money,
    Currency: currencies,
    Address: addresses,
    Product: products,
    Customer: customers,
}


_REGISTERED: dict[Any, st.SearchStrategy[Any]] = {}


def register_strategy(type_: Any, strategy: st.SearchStrategy[Any]) -> None:
    """Make :func:`strategy_for_type` (and so :func:`events`) draw ``type_`` from ``strategy``.

    Use it for value types whose validators are stricter than their field types say
    (a positive quantity, a discount with exactly one of rate or amount).

    >>> fixed = st.just(Rotation.FIXED)
    >>> register_strategy(Rotation, fixed)
    >>> strategy_for_type(Rotation) is fixed
    True
    >>> _REGISTERED.clear()
    """
    _REGISTERED[type_] = strategy


def strategy_for_type(type_: Any) -> st.SearchStrategy[Any]:
    """A strategy of valid values for a type that appears in library objects.

    Knows the library's value types, ``NewType`` ids, enums, optional values, tuples,
    pint quantities (drawn as lengths) and other ``attrs`` classes (built field by field;
    text fields named ``*_id``, ``sku``, ``currency`` or ``country`` get valid ids and
    codes); anything else falls back to :func:`hypothesis.strategies.from_type`.
    """
    if type_ in _REGISTERED:
        return _REGISTERED[type_]
    if type_ in _BY_TYPE:
        return _BY_TYPE[type_]()
    if isinstance(type_, NewType):
        return identifiers()
    origin = get_origin(type_)
    if origin is Union or origin is types.UnionType:
        return st.one_of([strategy_for_type(arg) for arg in get_args(type_)])
    if type_ is type(None):
        return st.none()
    if origin is tuple:
        args = get_args(type_)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy_for_type(args[0]), max_size=4).map(tuple)
        return st.tuples(*(strategy_for_type(arg) for arg in args))
    if isinstance(origin or type_, type) and issubclass(origin or type_, pint.Quantity):
        return lengths()
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return st.sampled_from(type_)
    if isinstance(type_, type) and issubclass(type_, DomainEvent):
        return events([type_])
    if isinstance(type_, type) and attrs.has(type_):
        return st.deferred(lambda: _attrs_strategy(type_))
    return st.from_type(type_)


def _by_name(name: str, type_: Any) -> st.SearchStrategy[Any] | None:
    """Guess a better strategy from a text field's name (ids, currency and country codes)."""
    if type_ is not str:
        return None
    if name == "currency" or name.endswith("_currency"):
        return currencies().map(lambda currency: currency.code)
    if name == "country" or name.endswith("_country"):
        return st.sampled_from(COUNTRY_CODES)
    if name in {"id", "sku"} or name.endswith(("_id", "_sku")):
        return identifiers()
    return None


def _attrs_strategy(cls: type[Any], **known: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Build an attrs class field by field with :func:`strategy_for_type`."""
    hints = get_type_hints(cls)
    arguments: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        type_ = hints.get(field.name, Any)
        guess = known.get(field.name)
        if guess is None:
            guess = _by_name(field.name, type_)
        if guess is None:
            guess = strategy_for_type(type_)
        arguments[field.alias or field.name] = guess
    return st.builds(cls, **arguments)


def _event_strategy(cls: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    return _attrs_strategy(
        cls,
        aggregate_id=identifiers(),
        version=st.integers(min_value=1, max_value=10**6),
        occurred_at=aware_datetimes(),
    )


def _deferred_event(cls: type[DomainEvent]) -> st.SearchStrategy[DomainEvent]:
    return st.deferred(lambda: _event_strategy(cls))


def events(
    event_types: Sequence[type[DomainEvent]] | None = None,
) -> st.SearchStrategy[DomainEvent]:
    """Events of the given classes, or of every registered event class when omitted.

    Fields are drawn by type with :func:`strategy_for_type`; give a better strategy for a
    field type with :func:`register_strategy` when an event validates its fields more
    strictly than their types say.
    """
    chosen = list(DomainEvent.registry().values()) if event_types is None else event_types
    if not chosen:
        return st.nothing()
    return st.one_of([_deferred_event(cls) for cls in chosen])
