"""Addresses: validation against ISO 3166-1 and label formatting."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.model._countries import COUNTRIES
from ordercycle.model.address import COUNTRY_CODES, Address, InvalidAddressError, country_name


def make(**changes: object) -> Address:
    fields: dict[str, object] = {
        "lines": ("Unter den Linden 5",),
        "city": "Berlin",
        "postal_code": "10117",
        "country": "DE",
    }
    fields.update(changes)
    return Address(**fields)  # type: ignore[arg-type]


def test_country_table_has_all_249_assigned_codes():
    assert len(COUNTRY_CODES) == 249
    assert list(COUNTRY_CODES) == sorted(COUNTRY_CODES)
    assert all(len(c) == 2 and c.isupper() and c.isalpha() for c in COUNTRY_CODES)
    for code in ("US", "DE", "GB", "JP", "SS", "CW", "AX", "BQ"):
        assert code in COUNTRIES


def test_country_table_matches_babel_territories():
    babel = pytest.importorskip("babel", reason="babel is a test dependency")
    territories = babel.Locale("en").territories
    from_babel = {code for code in territories if len(code) == 2 and code.isalpha()}
    # Codes in CLDR that are not assigned ISO 3166-1 alpha-2 country codes.
    not_iso = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB"}
    not_iso |= {"XK", "ZZ"}
    assert set(COUNTRY_CODES) == from_babel - not_iso


def test_address_keeps_its_fields_and_is_frozen():
    address = make(region="Berlin")
    assert address.lines == ("Unter den Linden 5",)
    assert address.country_name == "Germany"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        address.city = "Hamburg"  # type: ignore[misc]
    assert address == make(region="Berlin")
    assert hash(address) == hash(make(region="Berlin"))


def test_lines_accept_a_single_string_or_a_list():
    assert make(lines="Hauptstr. 1").lines == ("Hauptstr. 1",)
    assert make(lines=["c/o Ada", "Hauptstr. 1"]).lines == ("c/o Ada", "Hauptstr. 1")


@pytest.mark.parametrize(
    ("field", "bad", "words"),
    [
        ("country", "de", "did you mean 'DE'?"),
        ("country", "XX", "ISO 3166-1 alpha-2"),
        ("country", "DEU", "ISO 3166-1 alpha-2"),
        ("country", None, "ISO 3166-1 alpha-2"),
        ("city", "", "non-empty text"),
        ("city", " Berlin", "without surrounding spaces"),
        ("city", 5, "expected text"),
        ("postal_code", "10117\n", "on one line"),
        ("lines", (), "1 to 4 street lines"),
        ("lines", ("a", "b", "c", "d", "e"), "1 to 4 street lines"),
        ("lines", ("ok", ""), "non-empty text"),
        ("region", "\tBE", "without surrounding spaces"),
    ],
)
def test_bad_fields_are_refused_with_a_typed_error_naming_them(field, bad, words):
    with pytest.raises(InvalidAddressError) as info:
        make(**{field: bad})
    error = info.value
    assert isinstance(error, ValidationError)
    assert f"Invalid {field} for Address" in str(error)
    assert words in str(error)
    assert error.field == field


def test_evolve_validates_too_and_leaves_the_original_unchanged():
    address = make()
    with pytest.raises(InvalidAddressError):
        attrs.evolve(address, country="ZZ")
    assert address.country == "DE"


def test_us_label_puts_city_region_and_zip_on_one_line():
    address = Address(
        lines=("350 Fifth Avenue", "Floor 21"),
        city="New York",
        region="NY",
        postal_code="10118",
        country="US",
    )
    assert address.format_label(name="ACME Corp").splitlines() == [
        "ACME Corp",
        "350 Fifth Avenue",
        "Floor 21",
        "New York, NY 10118",
        "UNITED STATES OF AMERICA",
    ]


def test_uk_label_puts_city_and_postcode_on_separate_lines():
    address = Address(lines=("10 Downing St",), city="London", postal_code="SW1A 2AA", country="GB")
    assert address.format_label().splitlines() == [
        "10 Downing St",
        "London",
        "SW1A 2AA",
        "UNITED KINGDOM",
    ]


def test_default_label_puts_postal_code_before_city_and_region_after():
    assert make(region="Berlin").format_label().splitlines() == [
        "Unter den Linden 5",
        "10117 Berlin",
        "Berlin",
        "GERMANY",
    ]
    assert str(make()) == "Unter den Linden 5, 10117 Berlin, GERMANY"


def test_label_without_postal_code():
    address = Address(lines=("Main St 1",), city="Dublin", postal_code="", country="IE")
    assert address.format_label().splitlines() == ["Main St 1", "Dublin", "IRELAND"]


def test_country_name_lookup_and_refusal():
    assert country_name("JP") == "Japan"
    with pytest.raises(InvalidAddressError, match="'jp'"):
        country_name("jp")
