"""The carriers' integer rounding equals plain Fraction arithmetic, for every rule."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.packing import DimWeightRule, carriers
from ordercycle.packing.carriers import SideRounding

_MM = {"in": Fraction(127, 5), "cm": Fraction(10)}
_G = {"lb": Fraction(45359237, 100000), "kg": Fraction(1000)}

RULES = [
    *carriers.PRESETS.values(),
    DimWeightRule("up", 139, "imperial", side_rounding="up", weight_step=Fraction(1, 4)),
    DimWeightRule("exact", 5000, "metric", side_rounding="exact", weight_step=Fraction(1, 2)),
    DimWeightRule("threshold", 6000, "metric", volume_threshold=20000, side_rounding="up"),
    DimWeightRule("odd step", Fraction(2771, 20), "imperial", weight_step=Fraction(3, 7)),
]


def _side(rule: DimWeightRule, side_mm: Fraction) -> Fraction:
    value = side_mm / _MM[rule.length_unit]
    if rule.side_rounding is SideRounding.HALF_UP:
        return Fraction(math.floor(value + Fraction(1, 2)))
    if rule.side_rounding is SideRounding.UP:
        return Fraction(math.ceil(value))
    return value


def _weight(rule: DimWeightRule, weight: Fraction) -> Fraction:
    return math.ceil(weight / rule.weight_step) * rule.weight_step


def _billable(rule: DimWeightRule, sides: list[Fraction], grams: Fraction) -> Fraction:
    actual = _weight(rule, grams / _G[rule.weight_unit])
    volume = _side(rule, sides[0]) * _side(rule, sides[1]) * _side(rule, sides[2])
    if rule.volume_threshold is not None and volume <= rule.volume_threshold:
        return actual
    return max(actual, _weight(rule, volume / rule.divisor))


_lengths = st.fractions(min_value=Fraction(1, 400), max_value=3000, max_denominator=400)
_weights = st.fractions(min_value=0, max_value=200_000, max_denominator=1000)


@settings(max_examples=300)
@given(rule=st.sampled_from(RULES), side=_lengths, weight=_weights)
def test_rounding_a_side_and_a_weight_is_exact(
    rule: DimWeightRule, side: Fraction, weight: Fraction
) -> None:
    assert rule.rounded_side_exact(side) == _side(rule, side)
    assert rule.round_weight_exact(weight) == _weight(rule, weight)
    assert rule.round_weight_exact(-weight) == _weight(rule, -weight)
    assert type(rule.rounded_side_exact(side)) is Fraction


@settings(max_examples=300)
@given(rule=st.sampled_from(RULES), sides=st.lists(_lengths, min_size=3, max_size=3), g=_weights)
def test_billable_weight_is_the_fraction_formula(
    rule: DimWeightRule, sides: list[Fraction], g: Fraction
) -> None:
    assert rule.billable_weight_exact(sides, g) == _billable(rule, sides, g)
    assert rule.actual_weight_exact(g) == _weight(rule, g / _G[rule.weight_unit])
    assert type(rule.actual_weight_exact(g)) is Fraction
    assert rule.actual_weight_exact(int(g)) == _weight(rule, int(g) / _G[rule.weight_unit])


def test_half_up_sides_round_half_inches_up_and_plain_numbers_work() -> None:
    rule = carriers.UPS_DAILY
    assert rule.rounded_side_exact(Fraction(127, 10)) == 1  # half an inch
    assert rule.rounded_side_exact(Fraction(127, 10) - Fraction(1, 10**9)) == 0
    assert rule.rounded_side_exact(254) == 10  # type: ignore[arg-type]  # ints still work
    assert rule.round_weight_exact(2) == 2  # type: ignore[arg-type]
    assert carriers.DHL_EXPRESS.round_weight_exact(Fraction(501, 500)) == Fraction(3, 2)
