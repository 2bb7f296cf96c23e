"""ISO 4217 currencies with their minor units."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

import attrs

from ordercycle.errors import UnknownCurrencyError, ValidationError, shown
from ordercycle.money._errors import CurrencyWithoutMinorUnitError
from ordercycle.money._iso4217 import PUBLISHED, TABLE

__all__ = ["Currency"]


def _check_code(instance: Currency, attribute: attrs.Attribute[str], value: str) -> None:
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise ValidationError.invalid(
            "Currency", attribute.name, value, "three upper-case ASCII letters such as 'USD'"
        )


def _check_numeric(instance: Currency, attribute: attrs.Attribute[str], value: str) -> None:
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isdigit()):
        raise ValidationError.invalid(
            "Currency", attribute.name, value, "three ASCII digits such as '840'"
        )


def _check_exponent(instance: Currency, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or not 0 <= value <= 9:
        raise ValidationError.invalid(
            "Currency", attribute.name, value, "an int from 0 to 9 (digits of the minor unit)"
        )


# eq=False: equality and hash are written below with a shortcut for the shared instances
# ``Currency.of`` hands out; every Money operation compares currencies.
@attrs.frozen(eq=False)
class Currency:
    """A currency and the size of its minor unit, as listed in ISO 4217.

    Get one with :meth:`Currency.of`; the constructor is there for currencies outside
    ISO 4217 (loyalty points, an internal unit of account) and validates its fields.

    Attributes:
        code: The alphabetic code, three upper-case letters (``"USD"``).
        numeric: The numeric code as three digits (``"840"``; ``"008"`` for ``ALL``).
        exponent: Digits after the decimal point in one minor unit: 2 for USD (cents),
            0 for JPY, 3 for KWD, 4 for CLF.
        name: The English name used by ISO 4217 (``"US Dollar"``).

    >>> usd = Currency.of("USD")
    >>> usd.code, usd.numeric, usd.exponent, usd.name
    ('USD', '840', 2, 'US Dollar')
    >>> Currency.of("JPY").quantum, Currency.of("KWD").quantum
    (Decimal('1'), Decimal('0.001'))
    """

    code: str = attrs.field(validator=_check_code)
    numeric: str = attrs.field(validator=_check_numeric)
    exponent: int = attrs.field(validator=_check_exponent)
    name: str = attrs.field(validator=attrs.validators.instance_of(str))

    @property
    def quantum(self) -> Decimal:
        """One minor unit as a ``Decimal``: ``0.01`` for USD, ``1`` for JPY."""
        return Decimal((0, (1,), -self.exponent))

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """Look up an ISO 4217 currency by its alphabetic code.

        Codes are matched exactly: ``"usd"`` is refused with a hint rather than guessed,
        because a lower-case code usually means the data came from somewhere unchecked.

        Args:
            code: Three upper-case letters, or a :class:`Currency` (returned unchanged).

        Returns:
            The currency, shared: ``Currency.of("USD") is Currency.of("USD")``.

        Raises:
            UnknownCurrencyError: The code is not an active ISO 4217 code.
            CurrencyWithoutMinorUnitError: The code is in ISO 4217 but has no minor unit
                (``XAU``, ``XAG``, ``XDR``, ``XTS``, ``XXX``, ...), so it cannot hold money.
                A subclass of :class:`UnknownCurrencyError`.
        """
        if isinstance(code, Currency):
            return code
        found = _CURRENCIES.get(code) if isinstance(code, str) else None
        if found is not None:
            return found
        raise _unknown(code)

    @classmethod
    def from_numeric(cls, numeric: str | int) -> Currency:
        """Look up an ISO 4217 currency by its numeric code (``"840"``, ``840`` or ``"008"``).

        Raises:
            UnknownCurrencyError: No usable currency has that numeric code.

        >>> Currency.from_numeric(392).code
        'JPY'
        """
        key = f"{numeric:03d}" if type(numeric) is int else numeric
        for currency in _CURRENCIES.values():
            if currency.numeric == key:
                return currency
        raise UnknownCurrencyError(
            f"Unknown numeric currency code {numeric!r}: no ISO 4217 currency with a minor"
            " unit has it; expected three digits such as '840' (USD).",
            code=str(numeric),
        )

    @classmethod
    def all(cls) -> tuple[Currency, ...]:
        """Every ISO 4217 currency usable for money, sorted by code.

        >>> len(Currency.all()) > 150, Currency.all()[0].code
        (True, 'AED')
        """
        return _ALL

    def __str__(self) -> str:
        return self.code

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Currency)
        return (self.code, self.numeric, self.exponent, self.name) == (
            other.code,
            other.numeric,
            other.exponent,
            other.name,
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.code, self.numeric, self.exponent, self.name))


def _unknown(code: object) -> UnknownCurrencyError:
    """Build the most helpful error for a code that is not a usable currency."""
    if not isinstance(code, str):
        return UnknownCurrencyError(
            f"Invalid currency code {shown(code)} ({type(code).__name__}): expected an ISO 4217"
            " code as a str of three upper-case letters, such as 'USD'.",
            code=shown(code),
        )
    entry = TABLE.get(code)
    if entry is not None:  # known to ISO 4217, but without a minor unit
        _, _, name = entry
        return CurrencyWithoutMinorUnitError(
            f"Currency {code} ({name}) has no minor unit in ISO 4217: it is a unit of account,"
            " a metal or a testing code, not a currency amounts can be counted in; expected a"
            " currency with minor units such as 'USD' or 'EUR'.",
            code=code,
        )
    upper = code[:8].strip().upper()
    if upper != code and upper in _CURRENCIES:
        hint = f"did you mean {upper!r}? Codes are matched exactly, in upper case."
    else:
        # Codes one letter away, alphabetically: deterministic and short.
        close = [c for c in _CURRENCIES if len(upper) == 3 and _distance(c, upper) == 1][:4]
        hint = (
            f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else "expected an active ISO 4217 code such as 'USD', 'EUR' or 'JPY'."
        )
    return UnknownCurrencyError(
        f"Unknown currency code {shown(code)}: not an active ISO 4217 code"
        f" (table of {PUBLISHED}); {hint}",
        code=code,
    )


def _distance(left: str, right: str) -> int:
    """How many positions differ between two codes of the same length."""
    return sum(a != b for a, b in zip(left, right, strict=True))


_CURRENCIES: Final[Mapping[str, Currency]] = {
    code: Currency(code, numeric, exponent, name)
    for code, (numeric, exponent, name) in sorted(TABLE.items())
    if exponent is not None
}
_ALL: Final = tuple(_CURRENCIES.values())
