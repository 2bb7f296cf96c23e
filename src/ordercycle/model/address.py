"""Postal addresses for billing and shipping.

An :class:`Address` is an immutable value: street lines, city, postal code, an optional
region (state, province, county) and an ISO 3166-1 alpha-2 country code, checked against
the complete table of assigned codes.

>>> home = Address(
...     lines=("1600 Amphitheatre Pkwy",), city="Mountain View", postal_code="94043",
...     region="CA", country="US",
... )
>>> print(home.format_label(name="Ada Lovelace"))
Ada Lovelace
1600 Amphitheatre Pkwy
Mountain View, CA 94043
UNITED STATES OF AMERICA
>>> home.country_name
'United States of America'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, cast

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model._countries import COUNTRIES

__all__ = ["COUNTRY_CODES", "Address", "InvalidAddressError", "country_name"]

#: Every assigned ISO 3166-1 alpha-2 code, sorted.
COUNTRY_CODES: Final[tuple[str, ...]] = tuple(COUNTRIES)

# Countries whose labels read "City, REGION POSTAL" on one line.
_CITY_REGION_POSTAL: Final = frozenset({"US", "CA", "AU", "PR", "GU", "VI", "AS", "MP"})
# Countries whose labels put the city and the postal code on separate lines.
_CITY_THEN_POSTAL: Final = frozenset({"GB", "IM", "JE", "GG"})
_MAX_LINES: Final = 4


class InvalidAddressError(ValidationError):
    """An address field is missing or malformed."""


def _fail(field: str, value: object, expected: str) -> InvalidAddressError:
    return InvalidAddressError(
        f"Invalid {field} for Address: {value!r}; expected {expected}.",
        subject="Address",
        field=field,
        value=value,
        expected=expected,
    )


def country_name(code: str) -> str:
    """Return the English short name of an ISO 3166-1 alpha-2 country code.

    Raises:
        InvalidAddressError: If the code is not an assigned alpha-2 code.

    >>> country_name("DE")
    'Germany'
    """
    _check_country(None, None, code)
    return COUNTRIES[code]


def _check_text(field: str, value: object, *, required: bool) -> None:
    if not isinstance(value, str):
        raise _fail(field, value, "text")
    if value != value.strip() or not value.isprintable():
        raise _fail(field, value, "printable text on one line, without surrounding spaces")
    if required and not value:
        raise _fail(field, value, "non-empty text")


def _check_lines(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, tuple) or not 1 <= len(value) <= _MAX_LINES:
        raise _fail("lines", value, f"a tuple of 1 to {_MAX_LINES} street lines")
    for line in value:
        _check_text("lines", line, required=True)


def _required(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_text(attribute.name, value, required=True)


def _optional(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    _check_text(attribute.name, value, required=False)


def _check_country(_instance: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or value not in COUNTRIES:
        hint = ""
        if isinstance(value, str) and value.strip().upper() in COUNTRIES:
            hint = f" (did you mean {value.strip().upper()!r}?)"
        raise _fail(
            "country",
            value,
            "an ISO 3166-1 alpha-2 code in upper case such as 'US' or 'DE'" + hint,
        )


def _as_lines(value: str | Sequence[str]) -> tuple[str, ...]:
    # Accept a single string or any list of lines; keep anything else for the validator.
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(value)
    return cast("tuple[str, ...]", value)


@attrs.frozen(kw_only=True)
class Address:
    """A postal address.

    Attributes:
        lines: Street lines, 1 to 4, most specific first (a single string is accepted).
        city: City or locality.
        postal_code: Postal or ZIP code; empty where a country has none.
        country: ISO 3166-1 alpha-2 code in upper case (``"US"``, ``"DE"``).
        region: State, province or county; empty when not used.

    Raises:
        InvalidAddressError: If a field is missing, padded with spaces, spans lines, or the
            country code is not an assigned ISO 3166-1 alpha-2 code.
    """

    lines: tuple[str, ...] = attrs.field(converter=_as_lines, validator=_check_lines)
    city: str = attrs.field(validator=_required)
    postal_code: str = attrs.field(validator=_optional)
    country: str = attrs.field(validator=_check_country)
    region: str = attrs.field(default="", validator=_optional)

    @property
    def country_name(self) -> str:
        """The English short name of the country."""
        return COUNTRIES[self.country]

    def format_label(self, *, name: str | None = None) -> str:
        """Return the address as lines for a shipping label, country last in capitals.

        The city line follows the country's convention: ``City, REGION POSTAL`` in North
        America and Australia, city and postal code on separate lines in the United
        Kingdom, and ``POSTAL City`` elsewhere.

        Args:
            name: The addressee, printed first when given.
        """
        out = [name] if name else []
        out.extend(self.lines)
        if self.country in _CITY_REGION_POSTAL:
            region = f"{self.region} " if self.region else ""
            out.append(f"{self.city}, {region}{self.postal_code}".strip().rstrip(","))
        elif self.country in _CITY_THEN_POSTAL:
            out.extend(part for part in (self.city, self.region, self.postal_code) if part)
        else:
            out.append(f"{self.postal_code} {self.city}".strip())
            if self.region:
                out.append(self.region)
        out.append(self.country_name.upper())
        return "\n".join(out)

    def __str__(self) -> str:
        return ", ".join(self.format_label().splitlines())
