"""The relations search keeps its earliest starts up to date as relations come and go; it
must decide (and spend nodes) exactly as recomputing the starts afresh at every step does."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.packing._engine import EngineUnit
from ordercycle.packing._exact import CHECK_NODES, Box, ExactSearch, _push, _undo
from ordercycle.packing._optimizer import Solver

Orientation = tuple[int, int, int]


class _Budget:
    """What ``_relations`` needs of its search: a node counter."""

    def _tick(self, nodes: list[int]) -> bool:
        nodes[0] -= 1
        return nodes[0] >= 0


def _afresh(
    size: tuple[int, ...],
    units: Sequence[EngineUnit],
    fitting: Sequence[Sequence[Orientation]],
    nodes: list[int],
) -> list[Box] | Literal[False] | None:
    """The search as first written: every step recomputes the starts from nothing."""
    count = len(units)
    group = list(range(count))
    for i in range(1, count):
        if units[i].orientations == units[i - 1].orientations:
            group[i] = group[i - 1]
    dims: list[Orientation] = [(0, 0, 0)] * count
    before: list[list[list[int]]] = [[[] for _ in range(count)] for _ in range(3)]
    budget = _Budget()

    def starts(axis: int, known: int) -> list[int] | None:
        earliest = [0] * known
        for _ in range(known + 1):
            changed = False
            for i in range(known):
                start = max([earliest[i], *(earliest[j] + dims[j][axis] for j in before[axis][i])])
                if start != earliest[i]:
                    if start + dims[i][axis] > size[axis]:
                        return None
                    earliest[i] = start
                    changed = True
            if not changed:
                return earliest
        return None

    def place(i: int) -> bool | None:
        if i == count:
            return True
        for o in fitting[i]:
            dims[i] = o
            found = relate(i, 0)
            if found is None or found:
                return found
        return False

    def relate(i: int, j: int) -> bool | None:
        if j == i:
            return place(i + 1)
        if not budget._tick(nodes):
            return None
        for axis in range(3):
            if dims[i][axis] + dims[j][axis] > size[axis]:
                continue
            for first, second in ((j, i), (i, j)):
                if first == i and axis == 0 and group[i] == group[j]:
                    continue
                before[axis][second].append(first)
                found = relate(i, j + 1) if starts(axis, i + 1) is not None else False
                if found:
                    return True
                before[axis][second].remove(first)
                if found is None:
                    return None
        return False

    found = place(0)
    if not found:
        return None if found is None else False
    xs, ys, zs = (starts(axis, count) for axis in range(3))
    assert xs is not None
    assert ys is not None
    assert zs is not None
    return [
        (xs[i], ys[i], zs[i], xs[i] + dims[i][0], ys[i] + dims[i][1], zs[i] + dims[i][2])
        for i in range(count)
    ]


_side = st.integers(min_value=1, max_value=9)
_boxes = st.lists(st.tuples(_side, _side, _side), min_size=2, max_size=6)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    size=st.tuples(*(st.integers(min_value=4, max_value=14) for _ in range(3))),
    boxes=_boxes,
    budget=st.sampled_from([8, 40, 400, 3000]),
)
def test_kept_starts_decide_and_spend_as_starts_afresh(
    size: tuple[int, int, int], boxes: list[Orientation], budget: int
) -> None:
    units = []
    fitting = []
    for uid, sides in enumerate(sorted(boxes, key=lambda b: -b[0] * b[1] * b[2])):
        turns = sorted(set(itertools.permutations(sides)))
        units.append(EngineUnit(uid, turns, 1, None, None, (uid, 1)))
        fitting.append([o for o in turns if all(o[a] <= size[a] for a in range(3))])
    if any(not f for f in fitting):
        return
    kept_nodes, afresh_nodes = [budget], [budget]
    search: Any = _Budget()
    kept = ExactSearch._relations(search, size, units, fitting, kept_nodes)
    assert kept == _afresh(size, units, fitting, afresh_nodes)
    assert kept_nodes == afresh_nodes


def _longest(
    side: int, follow: list[list[int]], extent: list[int], floor: list[int]
) -> list[int] | None:
    """Each unit's earliest start afresh: its floor, or the end of a unit before it,
    whichever is furthest (None: a chain overflows the side, or a cycle)."""
    starts = list(floor)
    for _ in range(len(starts) + 1):
        changed = False
        for k, followers in enumerate(follow):
            for m in followers:
                if starts[k] + extent[k] > starts[m]:
                    starts[m] = starts[k] + extent[k]
                    changed = True
        if any(s + e > side for s, e in zip(starts, extent, strict=True)):
            return None
        if not changed:
            return starts
    return None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    extent=st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=7),
    edges=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=12),
    side=st.integers(min_value=6, max_value=30),
    data=st.data(),
)
def test_a_push_moves_the_starts_to_the_longest_chains_or_changes_nothing(
    extent: list[int], edges: list[tuple[int, int]], side: int, data: st.DataObject
) -> None:
    count = len(extent)
    follow: list[list[int]] = [[] for _ in range(count)]
    # The relations in hand: those of the drawn ones that keep every chain within the side.
    for first, second in edges:
        first, second = first % count, second % count
        if first == second:
            continue
        follow[first].append(second)
        if _longest(side, follow, extent, [0] * count) is None:
            follow[first].pop()
    starts = _longest(side, follow, extent, [0] * count)
    assert starts is not None
    first = data.draw(st.integers(0, count - 1))
    second = data.draw(st.integers(0, count - 1).filter(lambda k: k != first))
    start = starts[first] + extent[first]
    if start + extent[second] > side or start <= starts[second]:
        return  # the search decides these without a walk
    follow[first].append(second)
    expected = _longest(side, follow, extent, starts)
    before = list(starts)
    moved = _push(side, starts, follow, extent, second, start)
    if expected is None:
        assert moved is None
        assert starts == before
    else:
        assert moved is not None
        assert starts == expected
        _undo(starts, moved)
        assert starts == before


class _Solver:
    """What ``_spend`` needs of the solver: its work, budget and stop (the solver's own
    ``spent``)."""

    spent = Solver.spent
    late = Solver.late
    out_of_time = Solver.out_of_time
    # No time limit: the remembered searches tick only without one.
    timed_out = False
    clock = None
    deadline = None

    def __init__(self, work: int, work_limit: int | None, stopped: bool) -> None:
        self.work, self.work_limit, self.stopped = work, work_limit, stopped


def _search_with(solver: _Solver) -> Any:
    search: Any = object.__new__(ExactSearch)
    search.solver = solver
    return search


def _ticked_one_by_one(search: Any, nodes: list[int], ticks: int) -> bool:
    """The ticks as :meth:`ExactSearch._tick` was first written, one call each."""
    for _ in range(ticks):
        nodes[0] -= 1
        if nodes[0] < 0:
            return False
        if nodes[0] % CHECK_NODES == 0:
            search.solver.work += CHECK_NODES
            if search.solver.spent():
                return False
    return True


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    left=st.integers(min_value=0, max_value=400),
    ticks=st.integers(min_value=0, max_value=500),
    work=st.integers(min_value=0, max_value=600),
    room=st.one_of(st.none(), st.integers(min_value=-10, max_value=600)),
    stopped=st.booleans(),
)
def test_nodes_ticked_at_once_stop_and_spend_as_one_by_one(
    left: int, ticks: int, work: int, room: int | None, stopped: bool
) -> None:
    limit = None if room is None else work + room
    at_once = _search_with(_Solver(work, limit, stopped))
    one_by_one = _search_with(_Solver(work, limit, stopped))
    nodes, expected_nodes = [left], [left]
    assert at_once._spend(nodes, ticks) is _ticked_one_by_one(one_by_one, expected_nodes, ticks)
    assert nodes == expected_nodes
    assert at_once.solver.work == one_by_one.solver.work
    assert at_once.solver.stopped == one_by_one.solver.stopped
