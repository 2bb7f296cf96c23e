"""Reading and normalising amounts: the checks every :class:`~ordercycle.money.Money` passes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

from ordercycle.errors import ValidationError
from ordercycle.limits import check_decimal, check_number_text
from ordercycle.money._errors import FloatNotAllowedError, InvalidAmountError, InvalidRoundingError
from ordercycle.money._rounding import MAX_ABS_AMOUNT, MONEY_CONTEXT, PRECISION, Rounding

if TYPE_CHECKING:
    from ordercycle.money._currency import Currency

__all__ = ["QUANTA", "canonical", "check_rounding", "float_error", "to_decimal"]

_AMOUNT_EXPECTED: Final = "a str, int or Decimal with a finite value, such as '10.00'"
_NEG_MAX: Final = -MAX_ABS_AMOUNT
#: One minor unit by exponent (``Currency.quantum`` builds a new Decimal on every read);
#: every exponent a :class:`Currency` may have (0 to 9) is here from the start, so the
#: arithmetic's fast paths index it without a miss.
QUANTA: Final[dict[int, Decimal]] = {e: Decimal((0, (1,), -e)) for e in range(10)}


def float_error(subject: str, field: str, value: float) -> FloatNotAllowedError:
    """The error for a float given where an exact number is needed."""
    return FloatNotAllowedError(
        f"Invalid {field} for {subject}: {value!r} is a float; binary floats cannot represent"
        " most decimal amounts exactly (0.1 is stored as 0.1000000000000000055511...), so"
        f" pass a string such as {str(value)!r} or a Decimal.",
        subject=subject,
        field=field,
        value=value,
        expected=_AMOUNT_EXPECTED,
    )


def to_decimal(value: object, subject: str, field: str) -> Decimal:
    """Read ``value`` (``str``, ``int`` or ``Decimal``) as an exact, finite ``Decimal``."""
    if isinstance(value, float):
        raise float_error(subject, field, value)
    if isinstance(value, Decimal):
        number = value if type(value) is Decimal else Decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        check_number_text(value, subject, field)
        try:
            # The context only decides that malformed text raises; the value stays exact.
            number = Decimal(value, MONEY_CONTEXT)
        except InvalidOperation:
            raise InvalidAmountError.invalid(subject, field, value, _AMOUNT_EXPECTED) from None
    else:
        raise InvalidAmountError.invalid(subject, field, value, _AMOUNT_EXPECTED)
    if not number.is_finite():
        raise InvalidAmountError.invalid(
            subject, field, value, "a finite number (NaN and Infinity are not amounts)"
        )
    try:
        return check_decimal(number, subject, field)
    except ValidationError as error:
        raise InvalidAmountError.invalid(subject, field, value, error.expected) from None


def canonical(value: Decimal, currency: Currency) -> Decimal:
    """The one stored form of an amount, so that ``repr`` never depends on how it was made.

    A whole number of minor units has exactly the currency's digits (``10.00`` USD, ``1000``
    JPY); anything finer keeps its significant digits without trailing zeros (``3.3335``).
    Zero is always positive.
    """
    quantum = QUANTA[currency.exponent]
    # The common case, a result of arithmetic on stored amounts: non-zero, in range and
    # already in whole minor units (which, below 10**40, is well within PRECISION digits).
    if value and _NEG_MAX < value < MAX_ABS_AMOUNT and value.same_quantum(quantum):
        return value
    if value.copy_abs() >= MAX_ABS_AMOUNT:
        raise InvalidAmountError.invalid("Money", "amount", value, "an absolute value below 10**40")
    if value.is_zero():
        return Decimal((0, (0,), -currency.exponent))
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite values only reach this point
    if exponent == -currency.exponent and len(digits) <= PRECISION:
        return value  # already whole minor units with exactly the currency's digits
    end = len(digits)
    while end > 1 and digits[end - 1] == 0 and exponent < -currency.exponent:
        end -= 1
        exponent += 1
    if end > PRECISION:
        raise InvalidAmountError.invalid(
            "Money", "amount", value, f"at most {PRECISION} significant digits"
        )
    stripped = Decimal((sign, digits[:end], exponent))
    if exponent > -currency.exponent:
        return stripped.quantize(currency.quantum, context=MONEY_CONTEXT)
    return stripped


def check_rounding(mode: object, subject: str) -> Rounding:
    """Return ``mode`` if it is a :class:`Rounding`, else raise a typed error."""
    if not isinstance(mode, Rounding):
        names = ", ".join(f"Rounding.{member.name}" for member in Rounding)
        raise InvalidRoundingError.invalid(subject, "mode", mode, f"one of {names}")
    return mode
