"""Carrier dimensional-weight rules, checked against the carriers' published rules."""

from __future__ import annotations

import pickle
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import DimensionalityError, ValidationError
from ordercycle.packing import carriers
from ordercycle.packing.carriers import DimWeightRule, MeasurementSystem, SideRounding
from ordercycle.units import Q_, to_exact


def lb(value: object) -> object:
    return Q_(value, "lb")


def test_usps_15_by_15_by_22_inches_at_5_lb_bills_30_lb() -> None:
    billable = carriers.USPS.billable_weight(Q_(15, "in"), Q_(15, "in"), Q_(22, "in"), lb(5))
    assert billable == lb(30)
    assert str(billable.units) == "pound"


def test_usps_20_by_14_by_6_inches_has_no_dimensional_weight() -> None:
    assert carriers.USPS.dimensional_weight(Q_(20, "in"), Q_(14, "in"), Q_(6, "in")) is None
    billable = carriers.USPS.billable_weight(Q_(20, "in"), Q_(14, "in"), Q_(6, "in"), lb("4.2"))
    assert billable == lb(5)


def test_usps_one_cubic_foot_is_exactly_at_the_threshold_and_has_none() -> None:
    assert carriers.USPS.dimensional_weight(Q_(12, "in"), Q_(12, "in"), Q_(12, "in")) is None


def test_usps_just_above_one_cubic_foot_has_dimensional_weight() -> None:
    # 12 x 12 x 13 = 1,872 in3 / 166 = 11.28 -> 12 lb
    assert carriers.USPS.dimensional_weight(Q_(12, "in"), Q_(12, "in"), Q_(13, "in")) == lb(12)


def test_ups_daily_and_fedex_divide_by_139() -> None:
    for rule in (carriers.UPS_DAILY, carriers.FEDEX):
        # 12 x 12 x 12 = 1,728 / 139 = 12.43 -> 13 lb
        assert rule.dimensional_weight(Q_(12, "in"), Q_(12, "in"), Q_(12, "in")) == lb(13)


def test_ups_retail_divides_by_166() -> None:
    # 1,728 / 166 = 10.41 -> 11 lb
    assert carriers.UPS_RETAIL.dimensional_weight(Q_(12, "in"), Q_(12, "in"), Q_(12, "in")) == lb(
        11
    )


def test_an_exact_multiple_of_the_divisor_does_not_round_up() -> None:
    # 139 x 2 x 1 in = 278 in3 = exactly 2 lb
    assert carriers.FEDEX.dimensional_weight(Q_(139, "in"), Q_(2, "in"), Q_(1, "in")) == lb(2)
    # 50 x 20 x 10 cm = 10,000 cm3 = exactly 2 kg
    assert carriers.DHL_EXPRESS.dimensional_weight(Q_(50, "cm"), Q_(20, "cm"), Q_(10, "cm")) == Q_(
        2, "kg"
    )


def test_dhl_rounds_up_to_half_kilograms() -> None:
    # 40 x 30 x 21 cm = 25,200 / 5,000 = 5.04 -> 5.5 kg
    dim = carriers.DHL_EXPRESS.dimensional_weight(Q_(40, "cm"), Q_(30, "cm"), Q_(21, "cm"))
    assert dim == Q_("5.5", "kg")
    assert dim.magnitude == Fraction(11, 2)
    # actual 5.51 kg -> 6 kg beats the dimensional weight
    assert carriers.DHL_EXPRESS.billable_weight(
        Q_(40, "cm"), Q_(30, "cm"), Q_(21, "cm"), Q_("5.51", "kg")
    ) == Q_(6, "kg")


def test_sides_round_half_up_to_the_whole_inch() -> None:
    rule = DimWeightRule("test", 1, "imperial")
    assert rule.rounded_side_exact(to_exact(Q_("10.5", "in"), "mm")) == 11
    assert rule.rounded_side_exact(to_exact(Q_("10.49", "in"), "mm")) == 10
    assert rule.rounded_side_exact(Fraction(254)) == 10  # 254 mm is exactly 10 in


def test_sides_round_half_up_to_the_whole_centimetre_from_millimetres() -> None:
    # 405 mm -> 41 cm, 404 mm -> 40 cm: 41 x 30 x 20 = 24,600 / 5,000 = 4.92 -> 5 kg
    rule = carriers.DHL_EXPRESS
    assert rule.dimensional_weight(Q_(405, "mm"), Q_(300, "mm"), Q_(200, "mm")) == Q_(5, "kg")
    assert rule.dimensional_weight(Q_(404, "mm"), Q_(300, "mm"), Q_(200, "mm")) == Q_(5, "kg")
    assert rule.dimensional_weight(Q_(404, "mm"), Q_(250, "mm"), Q_(250, "mm")) == Q_(5, "kg")
    # 40.4 -> 40, 25 x 25: 25,000 / 5000 = exactly 5 kg, not 5.5
    assert rule.dimensional_weight(Q_(404, "mm"), Q_(254, "mm"), Q_(246, "mm")) == Q_(5, "kg")


def test_heavier_actual_weight_wins_and_rounds_up_to_the_next_pound() -> None:
    rule = carriers.UPS_DAILY
    sides = (Q_(10, "in"), Q_(10, "in"), Q_(10, "in"))  # 1,000 / 139 = 7.19 -> 8 lb
    assert rule.billable_weight(*sides, lb(20)) == lb(20)
    assert rule.billable_weight(*sides, lb("20.1")) == lb(21)
    assert rule.billable_weight(*sides, lb(2)) == lb(8)
    assert rule.billable_weight(*sides, Q_(9, "kg")) == lb(20)  # 19.84 lb -> 20


def test_units_and_measurement_system() -> None:
    assert carriers.UPS_DAILY.length_unit == "in"
    assert carriers.UPS_DAILY.weight_unit == "lb"
    assert carriers.DHL_EXPRESS.system is MeasurementSystem.METRIC
    assert carriers.DHL_EXPRESS.length_unit == "cm"
    assert carriers.DHL_EXPRESS.weight_unit == "kg"
    assert sorted(carriers.PRESETS) == ["DHL_EXPRESS", "FEDEX", "UPS_DAILY", "UPS_RETAIL", "USPS"]


def test_a_negotiated_divisor_is_just_a_parameter() -> None:
    contract = DimWeightRule("contract", 225, "imperial", side_rounding="up")
    # 12.2 in rounds up to 13: 13 x 12 x 12 = 1,872 / 225 = 8.32 -> 9 lb
    assert contract.dimensional_weight(Q_("12.2", "in"), Q_(12, "in"), Q_(12, "in")) == lb(9)
    exact = DimWeightRule("exact", 100, "metric", side_rounding=SideRounding.EXACT)
    # 10.5 x 10 x 10 cm = 1,050 / 100 = 10.5 -> 11 kg
    assert exact.dimensional_weight(Q_(105, "mm"), Q_(10, "cm"), Q_(10, "cm")) == Q_(11, "kg")


def test_rules_are_frozen_and_pickle() -> None:
    rule = carriers.USPS
    with pytest.raises(AttributeError):
        rule.divisor = Fraction(1)  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(rule)) == rule
    assert rule.divisor == 166


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"divisor": 0}, ["divisor", "positive"]),
        ({"divisor": -5}, ["divisor", "positive"]),
        ({"divisor": "abc"}, ["divisor"]),
        ({"system": "banana"}, ["system", "'imperial' or 'metric'"]),
        ({"weight_step": 0}, ["weight_step", "positive"]),
        ({"volume_threshold": -1}, ["volume_threshold"]),
        ({"side_rounding": "sideways"}, ["side_rounding", "half_up"]),
    ],
)
def test_bad_rule_definitions_are_refused(kwargs: dict[str, object], words: list[str]) -> None:
    arguments: dict[str, object] = {"divisor": 139, "system": "imperial", **kwargs}
    with pytest.raises(ValidationError) as caught:
        DimWeightRule("bad", **arguments)  # type: ignore[arg-type]
    for word in words:
        assert word in str(caught.value)


def test_a_weight_where_a_length_belongs_is_refused() -> None:
    with pytest.raises(DimensionalityError, match="length"):
        carriers.UPS_DAILY.dimensional_weight(Q_(3, "kg"), Q_(1, "in"), Q_(1, "in"))
    with pytest.raises(DimensionalityError, match="actual"):
        carriers.UPS_DAILY.billable_weight(Q_(1, "in"), Q_(1, "in"), Q_(1, "in"), Q_(1, "in"))
    with pytest.raises(DimensionalityError):
        carriers.UPS_DAILY.dimensional_weight(12, 12, 12)


def test_a_negative_actual_weight_is_refused_and_the_rule_is_unchanged() -> None:
    before = carriers.UPS_DAILY
    with pytest.raises(ValidationError, match="zero or more"):
        carriers.UPS_DAILY.billable_weight(Q_(1, "in"), Q_(1, "in"), Q_(1, "in"), lb(-1))
    assert before == carriers.UPS_DAILY
    assert carriers.UPS_DAILY.divisor == 139


sides_mm = st.fractions(min_value=1, max_value=1500, max_denominator=10)
weights_g = st.fractions(min_value=0, max_value=80000, max_denominator=10)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(carriers.PRESETS)),
    st.tuples(sides_mm, sides_mm, sides_mm),
    weights_g,
)
def test_billable_is_a_step_multiple_at_least_actual_and_dimensional(
    name: str, sides: tuple[Fraction, Fraction, Fraction], grams: Fraction
) -> None:
    rule = carriers.PRESETS[name]
    billable = rule.billable_weight_exact(sides, grams)
    assert billable % rule.weight_step == 0
    assert rule.to_grams(billable) >= grams
    assert rule.to_grams(billable - rule.weight_step) < grams or (
        billable == rule.dimensional_weight_exact(sides)
    )
    dimensional = rule.dimensional_weight_exact(sides)
    if dimensional is not None:
        assert billable >= dimensional
        assert dimensional % rule.weight_step == 0


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(carriers.PRESETS)), st.tuples(sides_mm, sides_mm, sides_mm), sides_mm)
def test_a_bigger_package_never_bills_less(
    name: str, sides: tuple[Fraction, Fraction, Fraction], extra: Fraction
) -> None:
    rule = carriers.PRESETS[name]
    bigger = (sides[0] + extra, sides[1], sides[2])
    assert rule.billable_weight_exact(bigger, Fraction(0)) >= rule.billable_weight_exact(
        sides, Fraction(0)
    )


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(carriers.PRESETS)), weights_g)
def test_the_actual_weight_is_the_grams_in_the_rules_unit_rounded_to_the_step(
    name: str, grams: Fraction
) -> None:
    rule = carriers.PRESETS[name]
    assert rule.actual_weight_exact(grams) == rule.round_weight_exact(
        grams / rule.to_grams(Fraction(1))
    )
