"""Fast batch evaluation and the local-search improvement phase of batching (private).

:class:`Batcher` holds one batching problem in the form the algorithms need: every order's
pick points (validated once), its load in the measures the capacity limits, and a memo of
the exact ``optimal`` route length (scaled integers) of every set of orders evaluated.

:func:`improve` is the improvement phase of Henn, Koch, Doerner, Strauss and Wäscher
(2010, "Metaheuristics for the order batching problem in manual order picking systems"):
starting from any feasible batching it applies the best *relocate* (move one order to
another batch) and *swap* (exchange two orders of two batches) moves that fit the capacity
and shorten the total optimal route length, until a full pass finds none or ``passes``
passes are done.
Every scan runs in a fixed order and ties keep the earliest move, so the result is
deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from ordercycle.picking._grid import Grid, IPoint
from ordercycle.picking.orders import PickerCapacity, PickOrder
from ordercycle.picking.routers import scaled_optimal_length

__all__ = ["Batcher", "improve"]

Totals = tuple[int | Fraction, ...]


class Batcher:
    """One batching problem: orders, capacity, the route-length memo."""

    def __init__(
        self,
        grid: Grid,
        orders: Sequence[PickOrder],
        capacity: PickerCapacity,
        start: IPoint,
        end: IPoint,
    ) -> None:
        self.grid, self.orders, self.capacity = grid, orders, capacity
        self.start, self.end = start, end
        self.points: list[list[IPoint]] = [
            [grid.ipoint(line.bin) for line in order.lines] for order in orders
        ]
        measures = [
            (limit, name)
            for name, limit in (
                ("items", capacity.items),
                ("volume", capacity.volume),
                ("weight", capacity.weight),
            )
            if limit is not None
        ]
        self.limits: Totals = tuple(limit for limit, _ in measures)
        loads = [order.load for order in orders]
        self.loads: list[Totals] = [
            tuple(getattr(load, name) for _, name in measures) for load in loads
        ]
        self.totes = capacity.totes
        self.memo: dict[tuple[int, ...], int] = {}

    def length(self, members: Iterable[int]) -> int:
        """The scaled optimal route length of a set of orders (0 for none)."""
        key = tuple(sorted(members))
        if not key:
            return 0
        found = self.memo.get(key)
        if found is None:
            points = [p for i in key for p in self.points[i]]
            found = scaled_optimal_length(self.grid, points, self.start, self.end)
            self.memo[key] = found
        return found

    def total(self, members: Iterable[int]) -> Totals:
        """The summed limited measures of a set of orders."""
        sums: list[int | Fraction] = [0] * len(self.limits)
        for i in members:
            for k, value in enumerate(self.loads[i]):
                sums[k] += value
        return tuple(sums)

    def fits(self, totals: Totals, count: int) -> bool:
        """Whether measures ``totals`` of ``count`` orders fit the capacity."""
        if self.totes is not None and count > self.totes:
            return False
        return all(value <= limit for value, limit in zip(totals, self.limits, strict=True))

    def shifted(self, totals: Totals, add: int | None, remove: int | None) -> Totals:
        """``totals`` with order ``add`` added and order ``remove`` taken out."""
        result: list[int | Fraction] = list(totals)
        if add is not None:
            for k, value in enumerate(self.loads[add]):
                result[k] += value
        if remove is not None:
            for k, value in enumerate(self.loads[remove]):
                result[k] -= value
        return tuple(result)


def improve(batcher: Batcher, groups: Sequence[Sequence[int]], passes: int) -> list[list[int]]:
    """Relocate and swap orders between batches while the total optimal length drops.

    Args:
        batcher: The problem.
        groups: A feasible batching (lists of order indices).
        passes: At most this many passes of (relocate every order, swap in every pair of
            batches).

    Returns:
        The improved batching, empty batches dropped; never longer than ``groups``.
    """
    state = _State(batcher, groups)
    for _ in range(passes):
        moved = state.relocate_all()
        moved = state.swap_all() or moved
        if not moved:
            break
    return [group for group in state.groups if group]


class _State:
    def __init__(self, batcher: Batcher, groups: Sequence[Sequence[int]]) -> None:
        self.b = batcher
        self.groups = [sorted(group) for group in groups]
        self.lengths = [batcher.length(group) for group in self.groups]
        self.totals = [batcher.total(group) for group in self.groups]
        self.where = {i: g for g, group in enumerate(self.groups) for i in group}

    def relocate_all(self) -> bool:
        moved = False
        for i in sorted(self.where):
            moved = self._relocate(i) or moved
        return moved

    def _relocate(self, i: int) -> bool:
        b, a = self.b, self.where[i]
        rest = [k for k in self.groups[a] if k != i]
        gain = self.lengths[a] - b.length(rest)
        best, target = 0, -1
        for g, group in enumerate(self.groups):
            if g == a or not group:
                continue
            grown = b.shifted(self.totals[g], i, None)
            if not b.fits(grown, len(group) + 1):
                continue
            delta = b.length([*group, i]) - self.lengths[g] - gain
            if delta < best:
                best, target = delta, g
        if target < 0:
            return False
        self._set(a, rest)
        self._set(target, sorted([*self.groups[target], i]))
        return True

    def swap_all(self) -> bool:
        moved = False
        count = len(self.groups)
        for a in range(count):
            for c in range(a + 1, count):
                while self._swap(a, c):
                    moved = True
        return moved

    def _swap(self, a: int, c: int) -> bool:
        b = self.b
        first, second = self.groups[a], self.groups[c]
        if not first or not second:
            return False
        base = self.lengths[a] + self.lengths[c]
        best, pair = 0, (-1, -1)
        for i in first:
            for j in second:
                into_a = b.shifted(self.totals[a], j, i)
                into_c = b.shifted(self.totals[c], i, j)
                if not (b.fits(into_a, len(first)) and b.fits(into_c, len(second))):
                    continue
                new_a = [k for k in first if k != i] + [j]
                new_c = [k for k in second if k != j] + [i]
                delta = b.length(new_a) + b.length(new_c) - base
                if delta < best:
                    best, pair = delta, (i, j)
        if pair[0] < 0:
            return False
        i, j = pair
        self._set(a, sorted([k for k in first if k != i] + [j]))
        self._set(c, sorted([k for k in second if k != j] + [i]))
        return True

    def _set(self, g: int, group: list[int]) -> None:
        self.groups[g] = group
        self.lengths[g] = self.b.length(group)
        self.totals[g] = self.b.total(group)
        for i in group:
            self.where[i] = g
