"""Exact conversion round-trips and agrees with pint up to float noise."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ordercycle import Q_
from ordercycle.units import from_exact, to_exact

LENGTHS = ["mm", "cm", "m", "in", "ft", "yd"]
MASSES = ["g", "kg", "lb", "oz", "mg"]

exact = st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**4)


@given(exact, st.sampled_from(LENGTHS), st.sampled_from(LENGTHS))
def test_length_conversion_round_trips_exactly(value: Fraction, a: str, b: str) -> None:
    there = to_exact(from_exact(value, a), b)
    assert to_exact(from_exact(there, b), a) == value


@given(exact, st.sampled_from(MASSES), st.sampled_from(MASSES))
def test_mass_conversion_agrees_with_pint_floats(value: Fraction, a: str, b: str) -> None:
    ours = to_exact(from_exact(value, a), b)
    theirs = Q_(float(value), a).to(b).magnitude
    assert abs(float(ours) - theirs) <= 1e-9 * max(1.0, abs(theirs))
