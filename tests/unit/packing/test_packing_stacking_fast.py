"""The stacking argument and the dual-feasible-function cut, as first written: the faster
code must give the same verdict on every input."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.packing import _engine, _exact
from ordercycle.packing._engine import STACK_NODES, EngineUnit, _heavier

Orientation = tuple[int, int, int]


def _stacked_overflow_first(size: tuple[int, int, int], units: Sequence[EngineUnit]) -> bool:
    """``_engine._stacked_overflow`` as first written."""
    fits = [
        [o for o in u.orientations if o[0] <= size[0] and o[1] <= size[1] and o[2] <= size[2]]
        for u in units
    ]
    if any(not f for f in fits):
        return True
    least = [tuple(min(o[a] for o in f) for a in range(3)) for f in fits]
    for axis in range(3):
        if sum(sides[axis] for sides in least) <= size[axis]:
            continue
        others = [a for a in range(3) if a != axis]
        members = sorted(range(len(units)), key=lambda i: -least[i][axis])
        conflict = {
            i: {
                j
                for j in members
                if j != i and all(least[i][a] + least[j][a] > size[a] for a in others)
            }
            for i in members
        }
        extents = [least[i][axis] for i in range(len(units))]
        if _heavier(size[axis], extents, conflict, 0, members, [STACK_NODES]):
            return True
    return False


_side = st.integers(min_value=1, max_value=30)
_small = st.integers(min_value=1, max_value=20)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    size=st.tuples(*(st.integers(min_value=12, max_value=40) for _ in range(3))),
    boxes=st.lists(
        st.tuples(st.tuples(_small, _small, _small), st.booleans()), min_size=2, max_size=10
    ),
)
def test_the_stacking_argument_decides_as_first_written(
    size: tuple[int, int, int], boxes: list[tuple[Orientation, bool]]
) -> None:
    units = []
    for uid, (sides, turns) in enumerate(boxes):
        # Some units turn every way, some keep their sides as given.
        orientations = sorted(set(itertools.permutations(sides))) if turns else [sides]
        units.append(EngineUnit(uid, orientations, 1, None, None, (uid,)))
    assert _engine._stacked_overflow(size, units) is _stacked_overflow_first(size, units)


def _dual_cut_first(size: tuple[int, ...], kinds: dict[tuple[Orientation, ...], int]) -> bool:
    """``_exact._dual_cut_of`` as first written."""
    axes = [
        _exact._dff_axis(size[a], {o[a] for options in kinds for o in options}) for a in range(3)
    ]
    for n0, (d0, f0) in enumerate(axes[0]):
        for n1, (d1, f1) in enumerate(axes[1]):
            for n2, (d2, f2) in enumerate(axes[2]):
                if n0 == n1 == n2 == 0:
                    continue
                total = 0
                for options, count in kinds.items():
                    total += count * min(f0[o[0]] * f1[o[1]] * f2[o[2]] for o in options)
                if total > d0 * d1 * d2:
                    return True
    return False


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    size=st.tuples(*(st.integers(min_value=10, max_value=40) for _ in range(3))),
    boxes=st.lists(
        st.tuples(st.tuples(_side, _side, _side), st.integers(min_value=1, max_value=4)),
        min_size=1,
        max_size=5,
    ),
)
def test_the_dual_cut_decides_as_first_written(
    size: tuple[int, int, int], boxes: list[tuple[Orientation, int]]
) -> None:
    kinds: dict[tuple[Orientation, ...], int] = {}
    for sides, count in boxes:
        options = tuple(
            o for o in sorted(set(itertools.permutations(sides))) if all(map(int.__le__, o, size))
        )
        if options:
            kinds[options] = kinds.get(options, 0) + count
    if not kinds:
        return
    assert _exact._dual_cut_of(size, kinds) is _dual_cut_first(size, kinds)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    size=st.tuples(*(st.integers(min_value=10, max_value=40) for _ in range(3))),
    shapes=st.lists(st.tuples(_side, _side, _side), min_size=1, max_size=5),
    numbers=st.lists(
        st.lists(st.integers(min_value=1, max_value=6), min_size=5, max_size=5),
        min_size=2,
        max_size=4,
    ),
)
def test_the_dual_cut_of_kinds_met_before_in_other_numbers_decides_as_first_written(
    size: tuple[int, int, int], shapes: list[Orientation], numbers: list[list[int]]
) -> None:
    fitting = []
    for sides in shapes:
        options = tuple(
            o for o in sorted(set(itertools.permutations(sides))) if all(map(int.__le__, o, size))
        )
        if options and options not in fitting:
            fitting.append(options)
    if not fitting:
        return
    _exact._CUT_FUNCTIONS.clear()
    # The same kinds in the same carton, in other numbers: the first worked out, the
    # others read the kinds' remembered functions.
    for counts in numbers:
        kinds = dict(zip(fitting, counts, strict=False))
        assert _exact._dual_cut_of(size, kinds) is _dual_cut_first(size, kinds)
    assert len(_exact._CUT_FUNCTIONS) == 1
