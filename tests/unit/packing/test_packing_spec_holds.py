"""A carton type answers whether a unit fits it empty without making a fill for the question;
the answer must be the one an empty fill of that type gives."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.packing import Carton
from ordercycle.packing._engine import CartonFill, EngineUnit
from ordercycle.packing._optimizer import Objective, Solver, Spec

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


_exact_side = st.fractions(min_value=1, max_value=900, max_denominator=20)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    inner=st.tuples(_exact_side, _exact_side, _exact_side),
    tare=st.fractions(min_value=0, max_value=500, max_denominator=8),
    limit=st.one_of(st.none(), st.fractions(min_value=501, max_value=30000, max_denominator=8)),
    scale=st.integers(min_value=1, max_value=40),
    weight_scale=st.integers(min_value=1, max_value=24),
)
def test_a_carton_types_steps_are_its_sides_and_capacity_times_the_scales_rounded_down(
    inner: tuple[Fraction, Fraction, Fraction],
    tare: Fraction,
    limit: Fraction | None,
    scale: int,
    weight_scale: int,
) -> None:
    carton = Carton.from_mm("C", *inner, tare_g=tare, max_weight_g=limit)
    spec = Spec(0, carton, scale, weight_scale)
    assert spec.size == tuple(int(side * scale) for side in carton.inner_mm)
    assert spec.volume == spec.size[0] * spec.size[1] * spec.size[2]
    capacity = carton.capacity_g
    assert spec.cap == (None if capacity is None else math.floor(capacity * weight_scale))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    inners=st.lists(st.tuples(_side, _side, _side), min_size=1, max_size=3),
    limit=st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
    shapes=st.lists(
        st.tuples(st.tuples(_side, _side, _side), st.integers(0, 20)), min_size=1, max_size=6
    ),
)
def test_a_remembered_screen_answers_as_a_fresh_one(
    inners: list[tuple[int, int, int]],
    limit: int | None,
    shapes: list[tuple[tuple[int, int, int], int]],
) -> None:
    specs = [
        Spec(k, Carton.from_mm(f"C{k}", *inner, max_weight_g=limit), 1, 1)
        for k, inner in enumerate(inners)
    ]
    solver = Solver(specs, Objective("cartons", None, None), None, 8, {}, "")
    units = [
        EngineUnit(uid, sorted(set(itertools.permutations(sides))), weight, None, None, (uid,))
        for uid, (sides, weight) in enumerate(shapes)
    ]
    blocks = [(u,) for u in units]
    for _ in range(2):  # worked out, then remembered
        for spec in specs:
            for asked in (blocks, blocks[:1], blocks[1:]):
                fresh = (
                    (spec.cap is None or sum(u.weight for b in asked for u in b) <= spec.cap)
                    and sum(u.volume for b in asked for u in b) <= spec.volume
                    and all(spec.holds(u) for b in asked for u in b)
                )
                assert solver._screen(spec, asked) is fresh
