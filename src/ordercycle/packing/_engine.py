"""The placement engine: extreme-point packing of boxes into one bin on integer geometry.

Everything here is integers on a common grid (the optimizer scales millimetres so every
dimension is whole) and exact fractions for weights. No floats, no tolerances.

A bin keeps its placed boxes and a list of *extreme points*: the corners where the next
box may go (Crainic, Perboli & Tadei, 2008). A box is tried at the extreme points in a
fixed order and in each allowed orientation; the first feasible one wins. The order of the
points and the order of the units are the *strategy*, so the optimizer can try several.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Final

from ordercycle._memo import remember

__all__ = ["STRATEGIES", "CartonFill", "EngineUnit", "side_by_side", "stacked_overflow"]

Orientation = tuple[int, int, int]
Point = tuple[int, int, int]


class EngineUnit:
    """One unit of an item as the engine sees it (integer orientations, exact weight)."""

    __slots__ = (
        "group",
        "key",
        "load_limit",
        "orientations",
        "signature",
        "uid",
        "volume",
        "weight",
    )

    def __init__(
        self,
        uid: int,
        orientations: Sequence[Orientation],
        weight: int,
        load_limit: int | None,
        group: str | None,
        key: tuple[object, ...],
    ) -> None:
        self.uid = uid
        self.orientations = tuple(orientations)
        first = self.orientations[0]
        self.volume = first[0] * first[1] * first[2]
        self.weight = weight
        self.load_limit = load_limit
        self.group = group
        self.key = key
        #: What a placement depends on: units of one signature place alike.
        self.signature = (self.orientations, weight, load_limit)


#: Extreme-point orders: the point's coordinates in the order compared (z, y, x for
#: ``_ep_zyx``), as ``itemgetter``s (a sort calls its key once per point, and a Python
#: function per call cost more than the sort itself).
_ep_zyx: Final = operator.itemgetter(2, 1, 0)
_ep_yzx: Final = operator.itemgetter(1, 2, 0)
_ep_xzy: Final = operator.itemgetter(0, 2, 1)


#: (name, extreme-point order, orientation preference) pairs tried in turn.
STRATEGIES: Final[tuple[tuple[str, Any, str, tuple[int, int, int] | None], ...]] = (
    ("lowest-top", _ep_zyx, "flat", (2, 1, 0)),
    ("floor-first", _ep_zyx, "flat", None),
    ("wall-first", _ep_yzx, "tall", (1, 2, 0)),
    ("front-first", _ep_xzy, "flat", (0, 2, 1)),
    ("floor-first-wide", _ep_zyx, "wide", None),
    ("block-lowest-top", _ep_zyx, "block", (2, 1, 0)),
    ("block-floor-first", _ep_zyx, "block", None),
    ("block-wall-first", _ep_yzx, "block", (1, 2, 0)),
)


#: Distinct (orientations, mode, carton size) triples whose order is remembered: a
#: catalogue and a shop's items give a few hundred, met on every placement.
ORIENTATION_ORDERS_KEPT: Final = 4096


@functools.lru_cache(maxsize=ORIENTATION_ORDERS_KEPT)
def _orientation_order(
    orientations: tuple[Orientation, ...], mode: str, size: tuple[int, int, int]
) -> tuple[tuple[Orientation, ...], tuple[int, ...]]:
    """The orientations that fit ``size``, in the order ``mode`` tries them, and the least
    extent of those along each axis (a pure function, remembered)."""
    big_l, big_w, big_h = size
    fitting = tuple(
        o
        for o in _order_orientations(orientations, mode, size)
        if o[0] <= big_l and o[1] <= big_w and o[2] <= big_h
    )
    if not fitting:
        return fitting, ()
    return fitting, tuple(min(o[axis] for o in fitting) for axis in range(3))


_Ordered = tuple[tuple[Orientation, ...], tuple[int, ...]]
#: :func:`_orientation_order` by (id of the orientations tuple, mode, carton size), with
#: the tuple kept and compared by identity: the units of one item share one tuple (the
#: packer hands the same one to every pack of the item), and hashing the tuple itself for
#: the cache above cost most of a lookup. Emptied when it holds ORIENTATION_ORDERS_KEPT.
_ORDERS: dict[tuple[int, str, tuple[int, int, int]], tuple[object, _Ordered]] = {}


def _orientations_of(unit: EngineUnit, mode: str, size: tuple[int, int, int]) -> _Ordered:
    """:func:`_orientation_order` of the unit's orientations (looked up by identity)."""
    orientations = unit.orientations
    key = (id(orientations), mode, size)
    known = _ORDERS.get(key)
    if known is not None and known[0] is orientations:
        return known[1]
    found = _orientation_order(orientations, mode, size)
    if len(_ORDERS) >= ORIENTATION_ORDERS_KEPT:
        _ORDERS.clear()
    _ORDERS[key] = (orientations, found)
    return found


def _order_orientations(
    orientations: Sequence[Orientation], mode: str, size: tuple[int, int, int]
) -> list[Orientation]:
    if mode == "block":
        # Keep only the orientations that repeat best in an empty bin (layer building).
        def count(o: Orientation) -> int:
            return (size[0] // o[0]) * (size[1] // o[1]) * (size[2] // o[2])

        fitting = [o for o in orientations if count(o) > 0]
        if not fitting:
            return []
        most = max(count(o) for o in fitting)
        return sorted((o for o in fitting if count(o) == most), key=lambda o: (o[2], o))
    if mode == "flat":
        return sorted(orientations, key=lambda o: (o[2], -o[0] * o[1], -o[0], o))
    if mode == "tall":
        return sorted(orientations, key=lambda o: (o[1], -o[2], -o[0], o))
    return sorted(orientations, key=lambda o: (o[2], -o[0], o))


class CartonFill:
    """One carton being filled: placed boxes, extreme points, weight and load bookkeeping.

    The "bin" of bin packing, named apart from the storage bins of picking and inventory.
    """

    __slots__ = (
        "boxes",
        "capacity",
        "ep_key",
        "eps",
        "loads",
        "merit",
        "mode",
        "size",
        "support",
        "tracks_load",
        "units",
        "weight",
    )

    def __init__(
        self,
        size: tuple[int, int, int],
        capacity: int | None,
        support: Fraction | None,
        strategy: int = 0,
        tracks_load: bool = False,
    ) -> None:
        self.size = size
        self.capacity = capacity
        self.support = support
        _, self.ep_key, self.mode, self.merit = STRATEGIES[strategy % len(STRATEGIES)]
        self.boxes: list[tuple[int, int, int, int, int, int]] = []
        self.units: list[EngineUnit] = []
        self.loads: list[int] = []
        self.eps: list[Point] = [(0, 0, 0)]
        self.weight = 0
        self.tracks_load = tracks_load

    # --- state ----------------------------------------------------------------------------

    def snapshot(self) -> tuple[int, list[Point], list[int], int]:
        """Return what :meth:`restore` needs to undo later placements."""
        return (len(self.boxes), list(self.eps), list(self.loads), self.weight)

    def restore(self, snap: tuple[int, list[Point], list[int], int]) -> None:
        """Undo every placement made after ``snap`` was taken."""
        count, eps, loads, weight = snap
        del self.boxes[count:]
        del self.units[count:]
        self.eps = eps
        self.loads = loads
        self.weight = weight

    @property
    def used_volume(self) -> int:
        """Volume of the placed boxes, in grid units."""
        return sum((b[3] - b[0]) * (b[4] - b[1]) * (b[5] - b[2]) for b in self.boxes)

    # --- placing --------------------------------------------------------------------------

    def fits_alone(self, unit: EngineUnit) -> bool:
        """Whether ``unit`` fits an empty bin like this one (size and weight)."""
        if self.capacity is not None and unit.weight > self.capacity:
            return False
        big_l, big_w, big_h = self.size
        return any(o[0] <= big_l and o[1] <= big_w and o[2] <= big_h for o in unit.orientations)

    def place(self, unit: EngineUnit) -> bool:
        """Place ``unit`` at the best feasible extreme point; return whether it was placed."""
        if self.capacity is not None and self.weight + unit.weight > self.capacity:
            return False
        big_l, big_w, big_h = self.size
        orientations, lows = _orientations_of(unit, self.mode, self.size)
        if not orientations:
            return False
        if self.merit is None:
            return self._first_fit(unit, orientations)
        a0, a1, a2 = self.merit
        base = max(self.size) + 1
        square = base * base
        # The merit of an end corner (e0, e1, e2) along the axes a0, a1, a2 is
        # (e0 * base + e1) * base + e2, as a weight per axis (no tuple per candidate).
        weights = [0, 0, 0]
        weights[a0], weights[a1], weights[a2] = square, base, 1
        wx, wy, wz = weights
        low0 = lows[a0]
        boxes = self.boxes
        # No candidate yet: ``top`` is above every merit (each end is below ``base``) and
        # ``reach`` above every point's a0 plus ``low0``, so neither cuts before one is found.
        top = square * base
        reach = 2 * base
        best: tuple[int, int, int, int, int, int] | None = None
        for point in self.eps:
            if point[a0] + low0 > reach:
                break
            x, y, z = point
            for dx, dy, dz in orientations:
                x1, y1, z1 = x + dx, y + dy, z + dz
                if x1 > big_l or y1 > big_w or z1 > big_h:
                    continue
                merit = x1 * wx + y1 * wy + z1 * wz
                if merit >= top:
                    continue
                clash = False
                for bx0, by0, bz0, bx1, by1, bz1 in boxes:
                    if x < bx1 and bx0 < x1 and y < by1 and by0 < y1 and z < bz1 and bz0 < z1:
                        clash = True
                        break
                if clash:
                    continue
                candidate = (x, y, z, x1, y1, z1)
                if self.support is not None and not self._supported(candidate):
                    continue
                if self.tracks_load and not self._load_ok(candidate, unit):
                    continue
                best = candidate
                top = merit
                reach = merit // square
        if best is None:
            return False
        self._commit(best, unit)
        return True

    def _first_fit(self, unit: EngineUnit, orientations: Sequence[Orientation]) -> bool:
        big_l, big_w, big_h = self.size
        boxes = self.boxes
        for x, y, z in self.eps:
            for dx, dy, dz in orientations:
                x1, y1, z1 = x + dx, y + dy, z + dz
                if x1 > big_l or y1 > big_w or z1 > big_h:
                    continue
                clash = False
                for bx0, by0, bz0, bx1, by1, bz1 in boxes:
                    if x < bx1 and bx0 < x1 and y < by1 and by0 < y1 and z < bz1 and bz0 < z1:
                        clash = True
                        break
                if clash:
                    continue
                candidate = (x, y, z, x1, y1, z1)
                if self.support is not None and not self._supported(candidate):
                    continue
                if self.tracks_load and not self._load_ok(candidate, unit):
                    continue
                self._commit(candidate, unit)
                return True
        return False

    def _supported(self, c: tuple[int, int, int, int, int, int]) -> bool:
        if self.support is None or c[2] == 0:
            return True
        x0, y0, z0, x1, y1, _ = c
        area = 0
        for bx0, by0, _, bx1, by1, bz1 in self.boxes:
            if bz1 != z0:
                continue
            ox = min(x1, bx1) - max(x0, bx0)
            oy = min(y1, by1) - max(y0, by0)
            if ox > 0 and oy > 0:
                area += ox * oy
        return area >= self.support * ((x1 - x0) * (y1 - y0))

    def _load_ok(self, c: tuple[int, int, int, int, int, int], unit: EngineUnit) -> bool:
        x0, y0, z0, x1, y1, z1 = c
        above = 0
        for index, (bx0, by0, bz0, bx1, by1, bz1) in enumerate(self.boxes):
            if not (x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1):
                continue
            other = self.units[index]
            if bz1 <= z0 and other.load_limit is not None:
                if self.loads[index] + unit.weight > other.load_limit:
                    return False
            elif bz0 >= z1 and unit.load_limit is not None:
                above += other.weight
        return unit.load_limit is None or above <= unit.load_limit

    def _commit(self, c: tuple[int, int, int, int, int, int], unit: EngineUnit) -> None:
        x0, y0, z0, x1, y1, z1 = c
        above = 0
        if self.tracks_load:
            for index, (bx0, by0, bz0, bx1, by1, bz1) in enumerate(self.boxes):
                if x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1:
                    if bz1 <= z0:
                        self.loads[index] += unit.weight
                    elif bz0 >= z1:
                        above += self.units[index].weight
        self.boxes.append(c)
        self.units.append(unit)
        self.loads.append(above)
        self.weight += unit.weight
        self._update_points(c)

    def _update_points(self, c: tuple[int, int, int, int, int, int]) -> None:
        x0, y0, z0, x1, y1, z1 = c
        big_l, big_w, big_h = self.size
        boxes = self.boxes
        # The new corners (x1, y0, z0), (x0, y1, z0) and (x0, y0, z1), each slid towards 0
        # along its two other axes until it meets a box face or the wall (the highest face
        # at or below the corner among the boxes it lies across): the six slides in one
        # pass over the boxes, not one pass each.
        xy = xz = yx = yz = zx = zy = 0
        # Whether each corner lies inside a box (then it is no extreme point).
        x_in = y_in = z_in = False
        for bx0, by0, bz0, bx1, by1, bz1 in boxes:
            if bx0 <= x1 < bx1:  # (x1, y0, z0) along y and along z
                if by0 <= y0 < by1:
                    if bz0 <= z0 < bz1:
                        x_in = True
                    elif zx < bz1 <= z0:
                        zx = bz1
                if yx < by1 <= y0 and bz0 <= z0 < bz1:
                    yx = by1
            if by0 <= y1 < by1:  # (x0, y1, z0) along x and along z
                if bx0 <= x0 < bx1:
                    if bz0 <= z0 < bz1:
                        y_in = True
                    elif zy < bz1 <= z0:
                        zy = bz1
                if xy < bx1 <= x0 and bz0 <= z0 < bz1:
                    xy = bx1
            if bz0 <= z1 < bz1:  # (x0, y0, z1) along x and along y
                if bx0 <= x0 < bx1:
                    if by0 <= y0 < by1:
                        z_in = True
                    elif yz < by1 <= y0:
                        yz = by1
                if xz < bx1 <= x0 and by0 <= y0 < by1:
                    xz = bx1
        # Old points already lie outside the older boxes: test them against the new box only.
        kept = [
            p for p in self.eps if not (x0 <= p[0] < x1 and y0 <= p[1] < y1 and z0 <= p[2] < z1)
        ]
        # A corner slid to a face lies inside a box only if the corner itself does (a box
        # holding the slid point reaches past the face it stopped at, so it holds the
        # corner too): the three points of a corner outside every box are kept untested.
        new: set[Point] = set()
        tested: list[Point] = []
        if x1 < big_l:
            if x_in:
                tested += ((x1, yx, z0), (x1, y0, zx))
            else:
                new.update(((x1, y0, z0), (x1, yx, z0), (x1, y0, zx)))
        if y1 < big_w:
            if y_in:
                tested += ((xy, y1, z0), (x0, y1, zy))
            else:
                new.update(((x0, y1, z0), (xy, y1, z0), (x0, y1, zy)))
        if z1 < big_h:
            if z_in:
                tested += ((xz, y0, z1), (x0, yz, z1))
            else:
                new.update(((x0, y0, z1), (xz, y0, z1), (x0, yz, z1)))
        for p in tested:
            if p in new:
                continue
            px, py, pz = p
            for bx0, by0, bz0, bx1, by1, bz1 in boxes:
                if bx0 <= px < bx1 and by0 <= py < by1 and bz0 <= pz < bz1:
                    break  # inside a box: not an extreme point
            else:
                new.add(p)
        # The points (old and new, each once) in the strategy's order: a total order, so
        # the list does not depend on the order they were found in.
        new.difference_update(kept)
        kept += new
        kept.sort(key=self.ep_key)
        self.eps = kept


# --- screens: when units cannot share a carton -----------------------------------------


def side_by_side(size: tuple[int, int, int], a: EngineUnit, b: EngineUnit) -> bool:
    """Whether two units fit in one carton: side by side along some axis (exact for two)."""
    for oa in a.orientations:
        if oa[0] > size[0] or oa[1] > size[1] or oa[2] > size[2]:
            continue
        for ob in b.orientations:
            if ob[0] > size[0] or ob[1] > size[1] or ob[2] > size[2]:
                continue
            if oa[0] + ob[0] <= size[0] or oa[1] + ob[1] <= size[1] or oa[2] + ob[2] <= size[2]:
                return True
    return False


#: Nodes the stacking argument (:func:`stacked_overflow`) may visit per axis.
STACK_NODES: Final = 4000


#: :func:`stacked_overflow`'s answers by (carton size, each unit's orientations in order),
#: emptied when it holds _OVERFLOWS_KEPT.
_OVERFLOWS: dict[tuple[tuple[int, ...], tuple[tuple[Orientation, ...], ...]], bool] = {}
_OVERFLOWS_KEPT = 8192


def stacked_overflow(size: tuple[int, int, int], units: Sequence[EngineUnit]) -> bool:
    """Whether units that can only be apart along one axis overflow it (True: infeasible).

    Two boxes that do not overlap are apart along at least one axis. If no orientations of
    two units (each fitting the carton) put them side by side along either of the two other
    axes, their extents along this axis are disjoint. So for a set of units where that holds
    for every pair, their smallest extents along the axis must add up to at most the
    carton's side (sheets of paper in a flat carton must be stacked). The heaviest such set
    is found by a small branch and bound (a maximum-weight clique) within
    :data:`STACK_NODES` nodes; out of nodes, the answer is False (nothing proven).
    """
    if len(units) < 2:
        return False
    # The answer depends on the carton and the units' orientations in this order alone (the
    # order breaks ties in the bounded search), and the same ones come back in later
    # searches (a 4,000-order run: 3,516 calls, 1,058 different): it is remembered.
    key = (tuple(size), tuple([u.orientations for u in units]))
    return remember(_OVERFLOWS, _OVERFLOWS_KEPT, key, lambda: _stacked_overflow(size, units))


def _stacked_overflow(size: tuple[int, int, int], units: Sequence[EngineUnit]) -> bool:
    """:func:`stacked_overflow`, worked out."""
    # The smallest side each unit can show along each axis (orientations fitting the
    # carton): the engine's remembered lows of its fitting orientations (every mode but
    # "block" keeps them all).
    least: list[tuple[int, ...]] = []
    for u in units:
        lows = _orientations_of(u, "flat", size)[1]
        if not lows:
            return True
        least.append(lows)
    for axis in range(3):
        extents = [sides[axis] for sides in least]
        if sum(extents) <= size[axis]:
            continue
        a, b = (other for other in range(3) if other != axis)
        side_a, side_b = size[a], size[b]
        along_a = [sides[a] for sides in least]
        along_b = [sides[b] for sides in least]
        # A unit conflicts with another only if its sides overflow both other axes next to
        # the widest there; when the units that can conflict fit this axis together, no
        # conflicting set overflows it, and the search below would answer False whatever
        # its nodes (most axes of most calls are settled so, without the pairs).
        reach_a, reach_b = side_a - max(along_a), side_b - max(along_b)
        if (
            sum(
                extent
                for extent, x, y in zip(extents, along_a, along_b, strict=True)
                if x > reach_a and y > reach_b
            )
            <= size[axis]
        ):
            continue
        members = sorted(range(len(units)), key=lambda i: -extents[i])
        # Two units conflict when their smallest sides overflow both other axes.
        conflict = {
            i: {
                j
                for j in members
                if along_a[j] > side_a - along_a[i] and along_b[j] > side_b - along_b[i] and j != i
            }
            for i in members
        }
        if _heavier(size[axis], extents, conflict, 0, members, [STACK_NODES]):
            return True
    return False


def _heavier(
    side: int,
    extents: Sequence[int],
    conflict: dict[int, set[int]],
    total: int,
    candidates: list[int],
    nodes: list[int],
) -> bool:
    """Whether a set of pairwise conflicting candidates, added to ``total``, exceeds ``side``."""
    if total > side:
        return True
    if total + sum(extents[i] for i in candidates) <= side:
        return False
    for position, i in enumerate(candidates):
        nodes[0] -= 1
        if nodes[0] < 0:
            return False
        rest = [j for j in candidates[position + 1 :] if j in conflict[i]]
        if _heavier(side, extents, conflict, total + extents[i], rest, nodes):
            return True
    return False
