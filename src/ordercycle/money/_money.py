"""The :class:`Money` value: an exact amount in one currency, its arithmetic and rounding."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Final, final

import attrs

from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.money._allocation import METHODS, AllocationMethod, allocate_units, parse_ratios
from ordercycle.money._amount import QUANTA, canonical, check_rounding, float_error, to_decimal
from ordercycle.money._currency import Currency
from ordercycle.money._errors import (
    InvalidAmountError,
    InvalidRoundingError,
    MoneyDivisionByZeroError,
    UnroundedAmountError,
    UnsupportedMoneyOperationError,
)
from ordercycle.money._format import format_amount, plain
from ordercycle.money._rounding import MAX_ABS_AMOUNT, MONEY_CONTEXT, Rounding, round_ratio

__all__ = ["Money"]


_new = object.__new__
_set = object.__setattr__
#: :meth:`Money.zero` by currency object, at most ``_ZEROS_KEPT`` of them.
_ZEROS: dict[int, tuple[Currency, Money]] = {}
_ZEROS_KEPT: Final = 256
_NEG_MAX = -MAX_ABS_AMOUNT
_add = MONEY_CONTEXT.add
_subtract = MONEY_CONTEXT.subtract


@final
@attrs.frozen(init=False, repr=False)
class Money:
    """An exact amount of money in one currency.

    Build one from a ``str``, ``int`` or ``Decimal`` amount and an ISO 4217 code or
    :class:`Currency`. A ``float`` is refused: binary floats cannot represent most decimal
    amounts, so pass a string. Money is immutable, hashable and picklable; equal amounts
    in the same currency are equal however many trailing zeros they were written with.

    Args:
        amount: The amount, such as ``"10.00"``, ``1000`` or ``Decimal("0.07")``.
        currency: An ISO 4217 code such as ``"USD"`` (exact, upper case) or a
            :class:`Currency`.

    Raises:
        FloatNotAllowedError: ``amount`` is a float (also a ``TypeError``).
        InvalidAmountError: ``amount`` is not a finite decimal number, is ``10**40`` or more
            in absolute value, or has more than 60 significant digits.
        UnknownCurrencyError: ``currency`` is not an ISO 4217 code with a minor unit.

    Attributes:
        amount: The amount as a ``Decimal``: exactly the currency's minor-unit digits when
            it is a whole number of minor units, otherwise all its significant digits.
        currency: The :class:`Currency`.

    >>> Money("10", "USD"), Money(Decimal("1234"), "JPY")
    (Money('10.00', 'USD'), Money('1234', 'JPY'))
    >>> Money("10.00", "USD") == Money("10", "USD"), Money("1", "USD") == Money("1", "EUR")
    (True, False)
    >>> str(Money("-3.5", "KWD"))
    '-3.500 KWD'
    """

    amount: Decimal
    currency: Currency

    def __init__(self, amount: str | int | Decimal, currency: str | Currency) -> None:
        unit = Currency.of(currency)
        self.__attrs_init__(canonical(to_decimal(amount, "Money", "amount"), unit), unit)

    @classmethod
    def _exact(cls, value: Decimal, currency: Currency) -> Money:
        """Build from a ``Decimal`` already known to be finite (results of arithmetic)."""
        # The two fields set directly, as ``__attrs_init__`` would (it has nothing to check).
        # The test is ``canonical``'s own common case, inlined: most results of arithmetic
        # on stored amounts are non-zero whole minor units in range, already canonical.
        if not value:
            # Zero (or -0) in any exponent: the shared zero of the currency, what
            # ``canonical`` would make it (a positive zero with the currency's digits). A
            # zero is the commonest result that misses the test below (sums of nothing,
            # settled balances, discounts not taken).
            return _zero(currency)
        money = _new(cls)
        if not (
            _NEG_MAX < value < MAX_ABS_AMOUNT and value.same_quantum(QUANTA[currency.exponent])
        ):
            value = canonical(value, currency)
        _set(money, "amount", value)
        _set(money, "currency", currency)
        return money

    # --- named constructors ---------------------------------------------------------------

    @classmethod
    def of_rounded(cls, value: Decimal, currency: Currency) -> Money:
        """Money from a ``Decimal`` already rounded to the currency's minor unit (fast path).

        For code that builds many amounts from its own arithmetic, as invoicing does for
        every line, tax and installment. The caller guarantees that ``value`` is finite and
        has exactly the currency's minor-unit exponent: a result of
        ``quantize(currency.quantum)``, or a sum or difference of such results. The amount
        is then already in its stored form and is not read again, so this costs about a
        third of ``Money(value, currency)`` and gives an identical result. Zero (which may
        be ``-0.00``) and amounts out of range take the checked path.

        This path trusts its input: a value with other digits is not refused, and gives a
        :class:`Money` whose amount keeps them. When in doubt, use ``Money(value, currency)``.

        Args:
            value: The amount, with exactly ``currency.exponent`` digits after the point.
            currency: The :class:`Currency` (not a code: the lookup is part of what is skipped).

        Raises:
            InvalidAmountError: ``value`` is ``10**40`` or more in absolute value.

        >>> usd = Currency.of("USD")
        >>> Money.of_rounded((Decimal("19.99") * Decimal("1.075")).quantize(usd.quantum), usd)
        Money('21.49', 'USD')
        >>> Money.of_rounded(Decimal("-0.00"), usd)
        Money('0.00', 'USD')
        """
        if not value or not _NEG_MAX < value < MAX_ABS_AMOUNT:
            return cls._exact(value, currency)
        money = _new(cls)
        _set(money, "amount", value)
        _set(money, "currency", currency)
        return money

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """Zero in ``currency``: ``Money.zero("USD") == Money("0.00", "USD")``."""
        return _zero(Currency.of(currency))

    @classmethod
    def of_minor(cls, units: int, currency: str | Currency) -> Money:
        """Money from a whole number of minor units (cents, fils, ...).

        >>> Money.of_minor(1234, "USD"), Money.of_minor(1234, "JPY"), Money.of_minor(-5, "KWD")
        (Money('12.34', 'USD'), Money('1234', 'JPY'), Money('-0.005', 'KWD'))

        Raises:
            InvalidAmountError: ``units`` is not an ``int`` (floats also raise
                :class:`FloatNotAllowedError`).
        """
        unit = Currency.of(currency)
        if isinstance(units, float):
            raise float_error("Money.of_minor", "units", units)
        if isinstance(units, bool) or not isinstance(units, int) or units.bit_length() > 200:
            raise InvalidAmountError.invalid(
                "Money.of_minor", "units", units, "an int number of minor units, such as 1234"
            )
        sign, digits, _ = Decimal(units).as_tuple()
        return cls._exact(Decimal((sign, digits, -unit.exponent)), unit)

    @classmethod
    def sum(cls, amounts: Iterable[Money], currency: str | Currency | None = None) -> Money:
        """Add up amounts exactly; an empty iterable gives zero in ``currency``.

        Args:
            amounts: Money values, all in one currency.
            currency: The currency of the total. Required when ``amounts`` may be empty;
                when given, every amount must be in it.

        Raises:
            CurrencyMismatchError: Two amounts (or an amount and ``currency``) differ.
            UnsupportedMoneyOperationError: An item is not :class:`Money`.
            ValidationError: ``amounts`` is empty and no ``currency`` was given.

        >>> Money.sum([Money("0.10", "USD")] * 3, currency="USD")
        Money('0.30', 'USD')
        >>> Money.sum([], currency="JPY")
        Money('0', 'JPY')
        """
        unit = None if currency is None else Currency.of(currency)
        total = Decimal(0)
        for index, item in enumerate(amounts):
            if not isinstance(item, Money):
                raise UnsupportedMoneyOperationError.invalid(
                    "Money.sum", f"item at index {index}", item, "Money values only"
                )
            if unit is None:
                unit = item.currency
            elif item.currency is not unit and item.currency != unit:
                raise CurrencyMismatchError("sum", unit.code, item.currency.code)
            total = _add(total, item.amount)
        if unit is None:
            raise ValidationError.invalid(
                "Money.sum", "currency", None, "a currency code when the amounts may be empty"
            )
        return cls._exact(total, unit)

    def with_amount(self, amount: str | int | Decimal) -> Money:
        """The same currency with another amount: ``Money(amount, self.currency)``."""
        return Money(amount, self.currency)

    # --- inspection -----------------------------------------------------------------------

    @property
    def is_rounded(self) -> bool:
        """Whether the amount is a whole number of minor units (``10.00`` yes, ``3.335`` no)."""
        exponent = self.amount.as_tuple().exponent
        assert isinstance(exponent, int)
        return exponent >= -self.currency.exponent

    @property
    def minor_units(self) -> int:
        """The amount as a whole number of minor units: 1000 for ``10.00`` USD.

        Raises:
            UnroundedAmountError: The amount has digits below the minor unit; call
                :meth:`round` first.
        """
        self._require_rounded("take minor_units of")
        sign, digits, _ = self.amount.as_tuple()
        value = int("".join(map(str, digits)))
        return -value if sign else value

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return self.amount.is_zero()

    @property
    def is_positive(self) -> bool:
        """Whether the amount is above zero."""
        return self.amount > 0

    @property
    def is_negative(self) -> bool:
        """Whether the amount is below zero."""
        return self.amount < 0

    def __bool__(self) -> bool:
        return not self.amount.is_zero()

    # --- rounding -------------------------------------------------------------------------

    def round(self, mode: Rounding = Rounding.HALF_UP) -> Money:
        """Round to the currency's minor unit with an explicit mode (half-up by default).

        >>> Money("2.675", "USD").round(), Money("2.675", "USD").round(Rounding.HALF_EVEN)
        (Money('2.68', 'USD'), Money('2.68', 'USD'))
        >>> Money("2.665", "USD").round(Rounding.HALF_EVEN), Money("0.5", "JPY").round()
        (Money('2.66', 'USD'), Money('1', 'JPY'))

        Raises:
            InvalidRoundingError: ``mode`` is not a :class:`Rounding`.
        """
        rounding = check_rounding(mode, "Money.round")
        rounded = self.amount.quantize(
            self.currency.quantum, rounding=rounding.value, context=MONEY_CONTEXT
        )
        return Money._exact(rounded, self.currency)

    def round_to(self, increment: str | int | Decimal, mode: Rounding = Rounding.HALF_UP) -> Money:
        """Cash rounding: round to a multiple of ``increment`` (``"0.05"`` for CHF coins).

        The rounding is done once, exactly, from the amount as it is (no rounding to
        minor units first, so no double rounding).

        Args:
            increment: A positive whole number of minor units, such as ``"0.05"`` or ``1``.
            mode: How to round between two multiples; half-up by default.

        Raises:
            InvalidRoundingError: ``increment`` is not positive or not a whole number of
                minor units, or ``mode`` is not a :class:`Rounding`.
            FloatNotAllowedError: ``increment`` is a float.

        >>> Money("10.02", "CHF").round_to("0.05"), Money("10.03", "CHF").round_to("0.05")
        (Money('10.00', 'CHF'), Money('10.05', 'CHF'))
        >>> Money("10.03", "CHF").round_to(Decimal("0.05"), Rounding.DOWN)
        Money('10.00', 'CHF')
        """
        rounding = check_rounding(mode, "Money.round_to")
        step = to_decimal(increment, "Money.round_to", "increment")
        exact_step = Fraction(step)
        in_minor_units = exact_step / Fraction(self.currency.quantum)
        if step <= 0 or in_minor_units.denominator != 1:
            raise InvalidRoundingError.invalid(
                "Money.round_to",
                "increment",
                increment,
                f"a positive whole number of minor units of {self.currency.code}"
                f" (multiples of {self.currency.quantum})",
            )
        steps = Fraction(self.amount) / exact_step
        count = round_ratio(steps.numerator, steps.denominator, rounding)
        return Money._exact(MONEY_CONTEXT.multiply(Decimal(count), step), self.currency)

    # --- allocation -----------------------------------------------------------------------

    def allocate(
        self,
        ratios: Iterable[int | Decimal | Fraction],
        method: AllocationMethod = "largest_remainder",
    ) -> tuple[Money, ...]:
        """Split into parts proportional to ``ratios`` that sum exactly to this amount.

        Each part first gets its exact share rounded toward zero to minor units; the few
        minor units left over go one each to parts whose share was not whole:

        * ``"largest_remainder"`` (default): to the largest remainders; on a tie the
          earlier index wins.
        * ``"round_robin"``: in index order, first to last.

        Every part is within one minor unit of its exact share, a zero ratio gets zero,
        and a negative amount is split as its absolute value with every part negated.

        Args:
            ratios: Non-negative ``int``, ``Decimal`` or ``Fraction`` values, not all zero.
            method: ``"largest_remainder"`` or ``"round_robin"``.

        Returns:
            One :class:`Money` per ratio, in the same order.

        Raises:
            UnroundedAmountError: The amount is not a whole number of minor units;
                call :meth:`round` first.
            InvalidRatiosError: ``ratios`` is empty, all zero, or has a negative,
                non-finite or non-numeric value.
            FloatNotAllowedError: A ratio is a float.
            ValidationError: ``method`` is not one of the two methods.

        >>> Money("0.07", "USD").allocate([2, 3, 5])
        (Money('0.01', 'USD'), Money('0.02', 'USD'), Money('0.04', 'USD'))
        >>> Money("0.07", "USD").allocate([2, 3, 5], method="round_robin")
        (Money('0.02', 'USD'), Money('0.02', 'USD'), Money('0.03', 'USD'))
        >>> Money("-10.00", "USD").allocate([1, 1, 1])
        (Money('-3.34', 'USD'), Money('-3.33', 'USD'), Money('-3.33', 'USD'))
        """
        if method not in METHODS:
            raise ValidationError.invalid(
                "Money.allocate", "method", method, " or ".join(repr(m) for m in METHODS)
            )
        self._require_rounded("allocate")
        parts = allocate_units(self.minor_units, parse_ratios(ratios), method)
        return tuple(Money.of_minor(part, self.currency) for part in parts)

    # --- arithmetic -----------------------------------------------------------------------

    def __add__(self, other: Money) -> Money:
        # The common case first, without the checks' calls: Money in the very same
        # currency object (``Currency.of`` hands out one per code).
        currency = self.currency
        if other.__class__ is Money and other.currency is currency:
            return Money._exact(_add(self.amount, other.amount), currency)
        right = self._same_currency(other, "add")
        return Money._exact(_add(self.amount, right.amount), currency)

    def __radd__(self, other: object) -> Money:
        raise self._not_money(other, "add")

    def __sub__(self, other: Money) -> Money:
        currency = self.currency  # the common case first, as in __add__
        if other.__class__ is Money and other.currency is currency:
            return Money._exact(_subtract(self.amount, other.amount), currency)
        right = self._same_currency(other, "subtract")
        return Money._exact(_subtract(self.amount, right.amount), currency)

    def __rsub__(self, other: object) -> Money:
        raise self._not_money(other, "subtract")

    def __neg__(self) -> Money:
        return Money._exact(self.amount.copy_negate(), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._exact(self.amount.copy_abs(), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        number = self._number(factor, "multiply", "factor")
        return Money._exact(MONEY_CONTEXT.multiply(self.amount, number), self.currency)

    def __rmul__(self, factor: int | Decimal) -> Money:
        return self.__mul__(factor)

    def __truediv__(self, divisor: int | Decimal) -> Money:
        number = self._number(divisor, "divide", "divisor")
        if number.is_zero():
            raise MoneyDivisionByZeroError(
                f"Cannot divide {self} by zero ({divisor!r}); expected a non-zero int or Decimal.",
                subject="Money",
                field="divisor",
                value=divisor,
                expected="a non-zero int or Decimal",
            )
        return Money._exact(MONEY_CONTEXT.divide(self.amount, number), self.currency)

    def __rtruediv__(self, other: object) -> Money:
        raise UnsupportedMoneyOperationError(
            f"Cannot divide {type(other).__name__} {other!r} by Money {self}: a number divided"
            " by money is not an amount; divide Money by a number instead.",
            subject="Money",
            field="divisor",
            value=self,
            expected="an int or Decimal divisor on the right of Money",
        )

    # --- comparison -----------------------------------------------------------------------

    # Each with the common case first, as in __add__: Money in the very same currency object.

    def __lt__(self, other: object) -> bool:
        if other.__class__ is Money and other.currency is self.currency:
            return self.amount < other.amount
        return self.amount < self._same_currency(other, "compare").amount

    def __le__(self, other: object) -> bool:
        if other.__class__ is Money and other.currency is self.currency:
            return self.amount <= other.amount
        return self.amount <= self._same_currency(other, "compare").amount

    def __gt__(self, other: object) -> bool:
        if other.__class__ is Money and other.currency is self.currency:
            return self.amount > other.amount
        return self.amount > self._same_currency(other, "compare").amount

    def __ge__(self, other: object) -> bool:
        if other.__class__ is Money and other.currency is self.currency:
            return self.amount >= other.amount
        return self.amount >= self._same_currency(other, "compare").amount

    # --- text -----------------------------------------------------------------------------

    def format(self, locale: str = "en_US") -> str:
        """Format for people, with babel when installed (the ``money-format`` extra).

        Babel only draws the number; precision is the amount's own, at least the ISO 4217
        minor-unit digits. Without babel, the plain ``"1234.50 USD"`` form is returned.

        Args:
            locale: A CLDR locale identifier such as ``"en_US"`` or ``"de_DE"``.

        Raises:
            ValidationError: babel does not know ``locale``.

        >>> Money("1234.5", "EUR").format("de_DE")
        '1.234,50\\xa0€'
        >>> Money("1234.5", "USD").format()
        '$1,234.50'
        """
        return format_amount(self.amount, self.currency.code, self.currency.exponent, locale)

    def __str__(self) -> str:
        return plain(self.amount, self.currency.code)

    def __repr__(self) -> str:
        return f"Money({format(self.amount, 'f')!r}, {self.currency.code!r})"

    # --- helpers --------------------------------------------------------------------------

    def _same_currency(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise self._not_money(other, operation)
        if other.currency is not self.currency and other.currency != self.currency:
            raise CurrencyMismatchError(operation, self.currency.code, other.currency.code)
        return other

    def _not_money(self, other: object, operation: str) -> UnsupportedMoneyOperationError:
        code = self.currency.code
        return UnsupportedMoneyOperationError(
            f"Cannot {operation} Money {self} and {type(other).__name__} {other!r}: only Money"
            f" in the same currency can be used; write Money('...', {code!r}),"
            f" Money.zero({code!r}) or Money.sum(items, currency={code!r}) instead.",
            subject="Money",
            field="operand",
            value=other,
            expected=f"Money in {code}",
        )

    def _number(self, value: object, operation: str, field: str) -> Decimal:
        if isinstance(value, Money):
            raise UnsupportedMoneyOperationError(
                f"Cannot {operation} Money {self} by Money {value}: the result would not be an"
                " amount of money; use an int or Decimal, or the .amount of one side if you"
                " need a plain ratio.",
                subject="Money",
                field=field,
                value=value,
                expected="an int or Decimal",
            )
        if isinstance(value, str):
            raise UnsupportedMoneyOperationError.invalid(
                "Money", field, value, "an int or Decimal (convert text with Decimal(...))"
            )
        if isinstance(value, float):
            raise float_error("Money", field, value)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise UnsupportedMoneyOperationError.invalid("Money", field, value, "an int or Decimal")
        return to_decimal(value, "Money", field)

    def _require_rounded(self, action: str) -> None:
        if not self.is_rounded:
            raise UnroundedAmountError(
                f"Cannot {action} {self}: the amount is not a whole number of minor units"
                f" ({self.currency.quantum} {self.currency.code}); call .round() first,"
                " choosing a Rounding mode.",
                subject="Money",
                field="amount",
                value=self.amount,
                expected=f"a multiple of {self.currency.quantum}",
            )


def _zero(currency: Currency) -> Money:
    """The zero of ``currency`` (a :class:`Currency`): one shared :class:`Money` per currency
    object (Money is immutable, and the entry holds its currency, so an id is never reused
    while it is here)."""
    known = _ZEROS.get(id(currency))
    if known is not None and known[0] is currency:
        return known[1]
    made = _new(Money)
    # What ``canonical`` gives every zero: positive, with the currency's minor-unit digits.
    _set(made, "amount", canonical(Decimal(0), currency))
    _set(made, "currency", currency)
    if len(_ZEROS) >= _ZEROS_KEPT:
        _ZEROS.clear()
    _ZEROS[id(currency)] = (currency, made)
    return made
