"""Splitting a whole number of minor units by ratios so that the parts sum exactly.

The algorithms work on integers (minor units) and exact :class:`~fractions.Fraction`
shares; :meth:`ordercycle.money.Money.allocate` wraps them.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

from ordercycle.money._errors import FloatNotAllowedError, InvalidRatiosError

__all__ = ["METHODS", "AllocationMethod", "allocate_units", "parse_ratios"]

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
    value = Fraction(ratio)
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
