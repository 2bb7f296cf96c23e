"""The bounds on every value that enters the library, in one place, and their checks.

A tiny payload must not cost minutes or gigabytes: ``"1e-999999999"`` is 12 characters,
and turning it into an exact fraction builds an integer with a billion digits. So every
value is checked against these limits where it **enters** (money and decimal parsing,
quantities and their conversion, JSON, desk commands, dates and text) and refused with a
typed :class:`~ordercycle.errors.ValidationError` in microseconds, before any work that
grows with its size. Error messages quote at most :data:`MAX_SHOWN_CHARS` characters of a
bad value (:func:`~ordercycle.errors.shown`).

The limits are far beyond any real order (a billion units, amounts below ``10**40``, 60
significant digits), and they are part of the public contract: they only ever grow.

>>> check_decimal(Decimal("12.50"), "Money", "amount")
Decimal('12.50')
>>> check_decimal(Decimal("1e-999999999"), "Money", "amount")
Traceback (most recent call last):
...
ordercycle.errors.ValidationError: Invalid amount for Money: Decimal('1E-999999999'); expected ...
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from ordercycle.errors import (
    MAX_MESSAGE_CHARS,
    MAX_SHOWN_CHARS,
    InvalidQuantityError,
    SerializationError,
    ValidationError,
    shown,
)

__all__ = [
    "MAX_DATE",
    "MAX_DECIMAL_DIGITS",
    "MAX_DECIMAL_EXPONENT",
    "MAX_ID_CHARS",
    "MAX_JSON_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_MAGNITUDE",
    "MAX_MESSAGE_CHARS",
    "MAX_NUMBER_CHARS",
    "MAX_POSITION",
    "MAX_SHOWN_CHARS",
    "MAX_TERMS_DAYS",
    "MAX_TEXT_CHARS",
    "MAX_UNITS",
    "MIN_DATE",
    "check_date",
    "check_decimal",
    "check_json_depth",
    "check_number_text",
    "check_position",
    "check_text",
    "check_units",
    "exact_decimal",
    "load_json",
    "shown",
]

#: Significant digits of a decimal number: amounts, rates, percentages, quantities.
MAX_DECIMAL_DIGITS: Final = 60
#: A decimal's exponent (``Decimal("1.5E+3")``: 2 digits, exponent 2) lies within ±this,
#: and so does its adjusted exponent (the power of ten of its first digit).
MAX_DECIMAL_EXPONENT: Final = 100
#: Characters of a number written as text (``"12.50"``, ``"1e3"``), checked before parsing.
MAX_NUMBER_CHARS: Final = 200
#: Absolute value of a physical quantity's magnitude, in its unit and in the library's
#: base unit (millimetres, grams): a thousand kilometres is 10**9 mm.
MAX_MAGNITUDE: Final = 10**15
#: Units of one product in one line, receipt, return or pick (a count, not an amount).
MAX_UNITS: Final = 10**9
#: An outbox position (a quarantined message is named by it): PostgreSQL positions carry
#: the writing transaction's id in their high bits, so they are large but below 2**63.
MAX_POSITION: Final = 2**63 - 1
#: Characters of an identifier: order, customer, invoice and payment ids, skus, bins.
MAX_ID_CHARS: Final = 200
#: Characters of free text: names, notes, reasons, descriptions, payment terms.
MAX_TEXT_CHARS: Final = 10_000
#: Characters of one JSON document given to ``from_json``, ``parse_command`` or
#: ``OrderDesk.execute_json`` (a million characters: thousands of order lines).
MAX_JSON_CHARS: Final = 1_000_000
#: Nesting depth of arrays and objects in a JSON document (or the data read from one).
MAX_JSON_DEPTH: Final = 32
#: The earliest business date (order, invoice, payment, due and expiry dates).
MIN_DATE: Final = date(1900, 1, 1)
#: The latest business date; leaves room for the longest payment terms before year 9999.
MAX_DATE: Final = date(2999, 12, 31)
#: Days of payment terms (``"Net 3650"`` at most): ten years.
MAX_TERMS_DAYS: Final = 3650

_DECIMAL_EXPECTED: Final = (
    f"a decimal number with at most {MAX_DECIMAL_DIGITS} significant digits and a decimal"
    f" exponent from -{MAX_DECIMAL_EXPONENT} to {MAX_DECIMAL_EXPONENT}"
)


def check_number_text(text: str, subject: str, field: str) -> str:
    """Refuse number text longer than :data:`MAX_NUMBER_CHARS` before anything parses it."""
    if len(text) > MAX_NUMBER_CHARS:
        raise ValidationError.invalid(
            subject, field, text, f"a number written in at most {MAX_NUMBER_CHARS} characters"
        )
    return text


def check_decimal(value: Decimal, subject: str, field: str) -> Decimal:
    """Return a finite ``value`` whose digits and exponent are within the limits.

    Non-finite values (NaN, Infinity) pass through unchanged, for the caller's own
    message; everything else must have at most :data:`MAX_DECIMAL_DIGITS` digits and an
    exponent within ±:data:`MAX_DECIMAL_EXPONENT`, so exact arithmetic on it stays small.
    """
    if not value.is_finite():
        return value
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if (
        len(digits) > MAX_DECIMAL_DIGITS
        or not -MAX_DECIMAL_EXPONENT <= exponent <= MAX_DECIMAL_EXPONENT
        or value.adjusted() > MAX_DECIMAL_EXPONENT
    ):
        raise ValidationError.invalid(subject, field, value, _DECIMAL_EXPECTED)
    return value


def exact_decimal(
    value: object,
    subject: str,
    field: str,
    *,
    error: type[ValidationError] = ValidationError,
) -> Decimal:
    """Read ``value`` (``int``, ``str`` or ``Decimal``; never ``float``) as a bounded decimal.

    The number must be finite and within :data:`MAX_DECIMAL_DIGITS` and
    :data:`MAX_DECIMAL_EXPONENT`; text is refused beyond :data:`MAX_NUMBER_CHARS` before
    it is parsed. ``error`` is the :class:`~ordercycle.errors.ValidationError` subclass
    raised (``InvalidQuantityError`` for a quantity, say).

    >>> exact_decimal("0.10", "TaxRate", "percent")
    Decimal('0.10')
    """
    if type(value) is int and -_EXACT_INT < value < _EXACT_INT:
        # A whole count (an invoice line's quantity): at most MAX_DECIMAL_DIGITS digits at
        # exponent 0, which every check below passes.
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise error.invalid(subject, field, value, _EXACT_EXPECTED)
    if isinstance(value, int) and value.bit_length() > 4 * MAX_DECIMAL_DIGITS:
        raise error.invalid(subject, field, value, _EXACT_EXPECTED)
    if isinstance(value, str) and len(value) > MAX_NUMBER_CHARS:
        raise error.invalid(subject, field, value, _EXACT_EXPECTED)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except ArithmeticError:
        raise error.invalid(subject, field, value, _EXACT_EXPECTED) from None
    if not number.is_finite():
        raise error.invalid(subject, field, value, _EXACT_EXPECTED)
    try:
        return check_decimal(number, subject, field)
    except ValidationError:
        raise error.invalid(subject, field, value, _EXACT_EXPECTED) from None


#: What :func:`exact_decimal` expects, as its refusals say.
_EXACT_EXPECTED: Final = f"an int, str or Decimal (never float) that is finite; {_DECIMAL_EXPECTED}"
#: Ints strictly within ±this have at most ``MAX_DECIMAL_DIGITS`` digits.
_EXACT_INT: Final = 10**MAX_DECIMAL_DIGITS


def check_units(value: object, subject: str, field: str, *, minimum: int = 0) -> int:
    """Return ``value`` if it is an ``int`` (not a ``bool``) from ``minimum`` to :data:`MAX_UNITS`.

    Raises:
        InvalidQuantityError: Naming the subject, the field and the valid range.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not (minimum <= value <= MAX_UNITS):
        raise InvalidQuantityError.invalid(
            subject, field, value, f"a whole number of units from {minimum} to {MAX_UNITS:_}"
        )
    return value


def check_position(value: object, subject: str, field: str = "position") -> int:
    """Return ``value`` if it is an ``int`` outbox position from 1 to :data:`MAX_POSITION`.

    Raises:
        InvalidQuantityError: Naming the subject, the field and the valid range.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_POSITION:
        raise InvalidQuantityError.invalid(
            subject, field, value, f"an outbox position from 1 to {MAX_POSITION:_}"
        )
    return value


def check_text(
    value: object, subject: str, field: str, *, limit: int = MAX_TEXT_CHARS, optional: bool = False
) -> Any:
    """Return ``value`` if it is a ``str`` of at most ``limit`` characters (or ``None``)."""
    if value is None and optional:
        return value
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError.invalid(
            subject, field, value, f"text of at most {limit:_} characters"
        )
    return value


def check_date(value: object, subject: str, field: str, *, optional: bool = False) -> Any:
    """Return ``value`` if it is a plain ``date`` from :data:`MIN_DATE` to :data:`MAX_DATE`."""
    if value is None and optional:
        return value
    if (
        isinstance(value, datetime)
        or not isinstance(value, date)
        or not (MIN_DATE <= value <= MAX_DATE)
    ):
        raise ValidationError.invalid(
            subject, field, value, f"a date from {MIN_DATE} to {MAX_DATE}"
        )
    return value


def check_json_depth(data: object, subject: str) -> object:
    """Refuse parsed data nested deeper than :data:`MAX_JSON_DEPTH` (without recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        children: Any = ()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise SerializationError(
                f"Cannot read {subject}: data nested deeper than {MAX_JSON_DEPTH} levels;"
                f" expected at most {MAX_JSON_DEPTH} levels of arrays and objects.",
                problems=[("$", f"nested deeper than {MAX_JSON_DEPTH}")],
            )
        seen += 1
        if seen > MAX_JSON_CHARS:
            break
        stack.extend((child, depth + 1) for child in children)
    return data


def load_json(text: str | bytes | bytearray, subject: str) -> Any:
    """Parse JSON text within :data:`MAX_JSON_CHARS` and :data:`MAX_JSON_DEPTH`.

    The size and the nesting are checked on the text first, in one pass without
    recursion, so a deep or huge document is refused before the parser sees it.

    Raises:
        SerializationError: Too large, too deep, not UTF-8, or not JSON (``message @ $``).
    """
    if isinstance(text, bytes | bytearray):
        if len(text) > 4 * MAX_JSON_CHARS:
            raise _too_large(subject, len(text))
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise SerializationError(
                f"Cannot read {subject}: the bytes are not UTF-8 ({error.reason} at byte"
                f" {error.start}); expected UTF-8 JSON text.",
                problems=[("$", "not UTF-8")],
            ) from None
    if not isinstance(text, str):
        raise SerializationError(
            f"Cannot read {subject} from {shown(text)}: expected JSON text (str or bytes).",
            problems=[("$", "not text")],
        )
    if len(text) > MAX_JSON_CHARS:
        raise _too_large(subject, len(text))
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:
        _check_nesting(text, subject)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise SerializationError(
            f"Cannot read {subject} from JSON {shown(text)}: it is not JSON"
            f" ({shown(str(error), 160)}); expected a JSON document.",
            problems=[("$", shown(str(error)))],
        ) from None


_SIGNIFICANT: Final = re.compile(r'[\[\]{}"\\]')


def _check_nesting(text: str, subject: str) -> None:
    """Track the nesting of ``text`` in one pass over its brackets, quotes and escapes."""
    depth = 0
    in_string = False
    escaped_at = -1  # the position a backslash inside a string escapes
    for match in _SIGNIFICANT.finditer(text):
        char, start = match.group(), match.start()
        if in_string:
            if start == escaped_at:
                continue
            if char == "\\":
                escaped_at = start + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise SerializationError(
                    f"Cannot read {subject}: JSON nested deeper than {MAX_JSON_DEPTH}"
                    f" levels; expected at most {MAX_JSON_DEPTH} levels of arrays and"
                    " objects.",
                    problems=[("$", f"nested deeper than {MAX_JSON_DEPTH}")],
                )
        elif char in "]}":
            depth -= 1


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _too_large(subject: str, size: int) -> SerializationError:
    return SerializationError(
        f"Cannot read {subject}: the JSON text has {size:_} characters; expected at most"
        f" {MAX_JSON_CHARS:_}.",
        problems=[("$", f"longer than {MAX_JSON_CHARS}")],
    )
