"""Splitting a whole number of minor units by ratios so that the parts sum exactly.

The algorithms work on integers (minor units) and exact :class:`~fractions.Fraction`
shares; :meth:`ordercycle.money.Money.allocate` wraps them.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

from ordercycle.errors import ValidationError
from ordercycle.limits import MAX_DECIMAL_DIGITS, check_decimal
from ordercycle.money._errors import FloatNotAllowedError, InvalidRatiosError
from ordercycle.money._rounding import MONEY_CONTEXT

__all__ = ["METHODS", "AllocationMethod", "allocate_units", "parse_ratios", "round_to_total"]

AllocationMethod = Literal["largest_remainder", "round_robin"]
"""The names accepted by ``Money.allocate(method=...)``."""

METHODS: Final[tuple[AllocationMethod, ...]] = ("largest_remainder", "round_robin")
"""The allocation methods, in the order they are documented."""

_SUBJECT: Final = "Money.allocate"
_EXPECTED: Final = "non-negative int, Decimal or Fraction values, not all zero"


def parse_ratios(ratios: Iterable[int | Decimal | Fraction]) -> tuple[Fraction, ...]:
    """Validate ratios and convert them to exact fractions.

    Raises:
        FloatNotAllowedError: A ratio is a ``float``.
        InvalidRatiosError: Not iterable, empty, all zero, or a ratio that is negative,
            not finite, a ``bool`` or not a number.
    """
    if isinstance(ratios, str | bytes) or not isinstance(ratios, Iterable):
        raise InvalidRatiosError.invalid(_SUBJECT, "ratios", ratios, f"a sequence of {_EXPECTED}")
    given = tuple(ratios)
    if not given:
        raise InvalidRatiosError.invalid(
            _SUBJECT, "ratios", given, f"at least one ratio ({_EXPECTED})"
        )
    parsed = tuple(_parse_ratio(index, ratio) for index, ratio in enumerate(given))
    if not any(parsed):
        raise InvalidRatiosError(
            f"Invalid ratios for {_SUBJECT}: {list(given)!r} are all zero; at least one ratio"
            f" must be positive ({_EXPECTED}).",
            subject=_SUBJECT,
            field="ratios",
            value=given,
            expected=_EXPECTED,
        )
    return parsed


def _parse_ratio(index: int, ratio: object) -> Fraction:
    field = f"ratio at index {index}"
    if isinstance(ratio, float):
        raise FloatNotAllowedError(
            f"Invalid {field} for {_SUBJECT}: {ratio!r} is a float; binary floats cannot"
            " represent most decimal ratios exactly; pass an int, a Decimal or a Fraction,"
            f" for example Decimal({str(ratio)!r}).",
            subject=_SUBJECT,
            field=field,
            value=ratio,
            expected=_EXPECTED,
        )
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Rational | Decimal):
        raise InvalidRatiosError.invalid(_SUBJECT, field, ratio, _EXPECTED)
    if isinstance(ratio, Decimal) and not ratio.is_finite():
        raise InvalidRatiosError.invalid(_SUBJECT, field, ratio, f"finite values ({_EXPECTED})")
    if isinstance(ratio, Decimal):
        try:
            check_decimal(ratio, _SUBJECT, field)
        except ValidationError as error:
            raise InvalidRatiosError.invalid(_SUBJECT, field, ratio, error.expected) from None
    value = Fraction(ratio)
    if max(abs(value.numerator), value.denominator) >= 10**MAX_DECIMAL_DIGITS:
        raise InvalidRatiosError.invalid(
            _SUBJECT,
            field,
            ratio,
            f"a ratio whose numerator and denominator have at most {MAX_DECIMAL_DIGITS} digits",
        )
    if value < 0:
        raise InvalidRatiosError.invalid(_SUBJECT, field, ratio, _EXPECTED)
    return value


def allocate_units(
    total: int, ratios: tuple[Fraction, ...], method: AllocationMethod
) -> tuple[int, ...]:
    """Split ``total`` minor units by ``ratios``; the parts always sum to ``total``.

    Every part first gets the floor of its exact share ``|total| * ratio / sum(ratios)``.
    The few units left over (fewer than the number of parts) go one each to parts whose
    exact share is not whole:

    * ``"largest_remainder"``: to the largest fractional remainders; ties go to the
      earlier index.
    * ``"round_robin"``: in index order, first to last.

    A negative total is split as its absolute value and every part negated, so a refund
    splits exactly like the charge it reverses. A part whose ratio is zero gets zero, and
    every part differs from its exact share by less than one unit.

    >>> allocate_units(7, (Fraction(2), Fraction(3), Fraction(5)), "largest_remainder")
    (1, 2, 4)
    >>> allocate_units(7, (Fraction(2), Fraction(3), Fraction(5)), "round_robin")
    (2, 2, 3)
    >>> allocate_units(-1000, (Fraction(1),) * 3, "largest_remainder")
    (-334, -333, -333)
    """
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    whole = sum(ratios, Fraction(0))
    floors: list[int] = []
    remainders: list[Fraction] = []
    for ratio in ratios:
        share = magnitude * ratio / whole
        floor = share.numerator // share.denominator
        floors.append(floor)
        remainders.append(share - floor)
    left_over = magnitude - sum(floors)
    candidates = [index for index, remainder in enumerate(remainders) if remainder]
    if method == "largest_remainder":
        # Stable sort: equal remainders keep index order, so the earlier index wins.
        candidates.sort(key=lambda index: remainders[index], reverse=True)
    for index in candidates[:left_over]:
        floors[index] += 1
    return tuple(sign * part for part in floors)


def round_to_total(
    total: Decimal, parts: Sequence[Decimal], quantum: Decimal
) -> tuple[Decimal, ...]:
    """Round ``parts`` to multiples of ``quantum`` so that they sum exactly to ``total``.

    The largest remainder method on decimals, for amounts computed unrounded (the tax of
    each invoice line) whose rounded total was fixed first (the tax of the invoice): every
    part is first rounded down to ``quantum``; the units still missing to reach ``total``
    go one each to the parts with the largest remainders (on a tie, the earlier part).
    When ``total`` lies between the sum of the parts rounded down and rounded up, as a
    rounded ``sum(parts)`` does, every part ends within one ``quantum`` of its exact value.
    A smaller ``total`` takes units back, one each from the parts with the smallest
    remainders (on a tie, the later part).

    Arithmetic runs in :data:`MONEY_CONTEXT`, whatever ``decimal.getcontext()`` says.

    Args:
        total: The sum the rounded parts must have, a multiple of ``quantum``; usually
            ``sum(parts)`` rounded with the chosen :class:`Rounding`.
        parts: The unrounded parts, finite decimals.
        quantum: A power of ten such as ``Currency.of("USD").quantum``.

    Returns:
        The rounded parts, in the order of ``parts``.

    Raises:
        ValidationError: ``total`` is not a multiple of ``quantum``, or it differs from the
            sum of the parts rounded down by more than one ``quantum`` per part.

    >>> parts = [Decimal("0.033"), Decimal("0.033"), Decimal("0.034")]
    >>> round_to_total(Decimal("0.10"), parts, Decimal("0.01"))
    (Decimal('0.03'), Decimal('0.03'), Decimal('0.04'))
    >>> round_to_total(Decimal("0.09"), parts, Decimal("0.01"))
    (Decimal('0.03'), Decimal('0.03'), Decimal('0.03'))
    """
    context = MONEY_CONTEXT
    floors = [p.quantize(quantum, rounding=decimal.ROUND_FLOOR, context=context) for p in parts]
    floor_sum = Decimal(0)
    for floor in floors:
        floor_sum = context.add(floor_sum, floor)
    units = context.divide(context.subtract(total, floor_sum), quantum)
    missing = int(units)
    if missing != units or abs(missing) > len(parts):
        raise ValidationError.invalid(
            "round_to_total",
            "total",
            total,
            f"a multiple of {quantum} within {quantum} per part of the sum of the parts"
            f" (rounded down they sum to {floor_sum})",
        )
    if missing:
        # Negate in the money context too: unary minus rounds to the thread's context,
        # which could merge two remainders and change who gets a unit.
        order = sorted(
            range(len(parts)),
            key=lambda i: (context.minus(context.subtract(parts[i], floors[i])), i),
        )
        if missing > 0:
            for i in order[:missing]:
                floors[i] = context.add(floors[i], quantum)
        else:
            for i in order[::-1][:-missing]:
                floors[i] = context.subtract(floors[i], quantum)
    return tuple(floors)
