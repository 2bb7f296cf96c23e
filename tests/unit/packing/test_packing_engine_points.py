"""The placement engine slides the new corners along in one pass over the boxes, tests new
points only when their corner lies inside a box, scores candidates by weights per axis and
looks orientation orders up by the identity of the unit's orientations; it must place
every unit (and keep every extreme point) as the engine first written, which slid each
corner in a pass of its own, tested every point, scored a tuple and hashed the
orientations for every lookup."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.packing._engine import (
    _ORDERS,
    ORIENTATION_ORDERS_KEPT,
    STRATEGIES,
    CartonFill,
    EngineUnit,
    _orientation_order,
    _orientations_of,
)

Box = tuple[int, int, int, int, int, int]
Point = tuple[int, int, int]
_OTHER_AXES = ((1, 2), (0, 2), (0, 1))
#: The extreme-point orders as first written, by the strategies' names.
_FIRST_ORDERS = {
    "zyx": lambda p: (p[2], p[1], p[0]),
    "yzx": lambda p: (p[1], p[2], p[0]),
    "xzy": lambda p: (p[0], p[2], p[1]),
}
_ORDER_OF = {0: "zyx", 1: "zyx", 2: "yzx", 3: "xzy", 4: "zyx", 5: "zyx", 6: "zyx", 7: "yzx"}


class _FirstWritten(CartonFill):
    """:class:`CartonFill` with ``place`` and ``_update_points`` as first written."""

    __slots__ = ("first_order",)

    def place(self, unit: EngineUnit) -> bool:
        if self.capacity is not None and self.weight + unit.weight > self.capacity:
            return False
        big_l, big_w, big_h = self.size
        orientations, lows = _orientation_order(unit.orientations, self.mode, self.size)
        if not orientations:
            return False
        if self.merit is None:
            return self._first_fit(unit, orientations)
        a0, a1, a2 = self.merit
        base = max(self.size) + 1
        square = base * base
        best: tuple[int, Box] | None = None
        for point in self.eps:
            if best is not None and point[a0] + lows[a0] > best[0] // square:
                break
            x, y, z = point
            for dx, dy, dz in orientations:
                x1, y1, z1 = x + dx, y + dy, z + dz
                if x1 > big_l or y1 > big_w or z1 > big_h:
                    continue
                end = (x1, y1, z1)
                merit = (end[a0] * base + end[a1]) * base + end[a2]
                if best is not None and merit >= best[0]:
                    continue
                if any(
                    x < b[3] and b[0] < x1 and y < b[4] and b[1] < y1 and z < b[5] and b[2] < z1
                    for b in self.boxes
                ):
                    continue
                candidate = (x, y, z, x1, y1, z1)
                if self.support is not None and not self._supported(candidate):
                    continue
                if self.tracks_load and not self._load_ok(candidate, unit):
                    continue
                best = (merit, candidate)
        if best is None:
            return False
        self._commit(best[1], unit)
        return True

    def _project(self, point: Point, axis: int) -> int:
        best = 0
        a1, a2 = _OTHER_AXES[axis]
        for box in self.boxes:
            face = box[axis + 3]
            if (
                best < face <= point[axis]
                and box[a1] <= point[a1] < box[a1 + 3]
                and box[a2] <= point[a2] < box[a2 + 3]
            ):
                best = face
        return best

    def _update_points(self, c: Box) -> None:
        x0, y0, z0, x1, y1, z1 = c
        new: list[Point] = []
        if x1 < self.size[0]:
            corner = (x1, y0, z0)
            new += [corner, (x1, self._project(corner, 1), z0), (x1, y0, self._project(corner, 2))]
        if y1 < self.size[1]:
            corner = (x0, y1, z0)
            new += [corner, (self._project(corner, 0), y1, z0), (x0, y1, self._project(corner, 2))]
        if z1 < self.size[2]:
            corner = (x0, y0, z1)
            new += [corner, (self._project(corner, 0), y0, z1), (x0, self._project(corner, 1), z1)]
        kept = [
            p for p in self.eps if not (x0 <= p[0] < x1 and y0 <= p[1] < y1 and z0 <= p[2] < z1)
        ]
        seen = set(kept)
        for p in new:
            if p in seen:
                continue
            seen.add(p)
            if not any(all(b[a] <= p[a] < b[a + 3] for a in range(3)) for b in self.boxes):
                kept.append(p)
        kept.sort(key=self.first_order)
        self.eps = kept


_side = st.integers(min_value=1, max_value=9)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    size=st.tuples(*(st.integers(min_value=3, max_value=16) for _ in range(3))),
    sides=st.lists(st.tuples(_side, _side, _side), min_size=1, max_size=14),
    turns=st.booleans(),
    strategy=st.integers(min_value=0, max_value=len(STRATEGIES) - 1),
    support=st.sampled_from([None, 1, 0.5]),
    tracks_load=st.booleans(),
)
def test_units_go_where_the_engine_first_written_puts_them(
    size: tuple[int, int, int],
    sides: list[tuple[int, int, int]],
    turns: bool,
    strategy: int,
    support: float | None,
    tracks_load: bool,
) -> None:
    share = None if support is None else Fraction(support)
    now = CartonFill(size, None, share, strategy, tracks_load)
    then = _FirstWritten(size, None, share, strategy, tracks_load)
    then.first_order = _FIRST_ORDERS[_ORDER_OF[strategy]]
    for uid, box in enumerate(sides):
        orientations = sorted(set(itertools.permutations(box))) if turns else [box]
        limit = 3 if tracks_load and uid % 3 == 0 else None
        unit = EngineUnit(uid, orientations, 1 + uid % 4, limit, None, (uid, 1))
        assert now.place(unit) == then.place(unit)
        assert now.boxes == then.boxes
        assert now.eps == then.eps
        assert now.loads == then.loads


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    sides=st.tuples(_side, _side, _side),
    mode=st.sampled_from(sorted({strategy[2] for strategy in STRATEGIES})),
    size=st.tuples(*(st.integers(min_value=1, max_value=12) for _ in range(3))),
)
def test_a_remembered_orientation_order_is_the_one_worked_out(
    sides: tuple[int, int, int], mode: str, size: tuple[int, int, int]
) -> None:
    turns = tuple(sorted(set(itertools.permutations(sides))))
    fresh = _orientation_order.__wrapped__(turns, mode, size)
    unit = EngineUnit(0, turns, 1, None, None, (0, 1))
    assert _orientations_of(unit, mode, size) == fresh  # worked out, then remembered
    assert _orientations_of(unit, mode, size) == fresh  # remembered
    # An equal tuple that is another object is looked up on its own, with the same answer.
    twin = EngineUnit(1, [tuple(o) for o in turns], 1, None, None, (0, 2))
    assert twin.orientations is not unit.orientations
    assert _orientations_of(twin, mode, size) == fresh


def test_the_remembered_orientation_orders_are_bounded() -> None:
    units = [EngineUnit(n, [(1, 2, n + 3)], 1, None, None, (n, 1)) for n in range(10)]
    for size in range(ORIENTATION_ORDERS_KEPT // 10 + 2):
        for unit in units:
            _orientations_of(unit, "flat", (size + 1, 40, 40))
            assert len(_ORDERS) <= ORIENTATION_ORDERS_KEPT
