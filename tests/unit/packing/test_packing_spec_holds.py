"""A carton type answers whether a unit fits it empty without making a fill for the question;
the answer must be the one an empty fill of that type gives."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.packing import Carton
from ordercycle.packing._engine import CartonFill, EngineUnit
from ordercycle.packing._optimizer import Spec

_side = st.integers(min_value=1, max_value=60)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    inner=st.tuples(_side, _side, _side),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=5000)),
    sides=st.tuples(_side, _side, _side),
    turns=st.booleans(),
    weight=st.integers(min_value=0, max_value=5000),
)
def test_a_carton_type_holds_a_unit_alone_as_an_empty_fill_does(
    inner: tuple[int, int, int],
    limit: int | None,
    sides: tuple[int, int, int],
    turns: bool,
    weight: int,
) -> None:
    spec = Spec(0, Carton.from_mm("C", *inner, max_weight_g=limit), 1, 1)
    orientations = sorted(set(itertools.permutations(sides))) if turns else [sides]
    unit = EngineUnit(0, orientations, weight, None, None, (0, 1))
    assert spec.holds(unit) == CartonFill(spec.size, spec.cap, None).fits_alone(unit)
