"""One container, as much volume as it holds: maximal spaces filled with blocks.

Container loading (Bischoff & Ratcliff, 1995) asks for the subset of the boxes that fills
one container best. The engine places one unit at a time; here, after Parreño,
Alvarez-Valdes, Oliveira & Tamarit (2008, "A maximal-space algorithm for the container
loading problem"), identical units go in as *blocks*: a column or layer of one box type in
one orientation, as many as the chosen space and the units left allow. The space nearest
a floor corner of the container is filled next (the sorted distances to the corner
compared in turn), the block goes into that corner of the space, and its box then splits
every maximal space it cuts (see ``_bins``). A block is valued by its volume less the gaps
it leaves in its space that no box left can use.

The search, in a fixed order under a work budget (one unit per candidate block):

1. the greedy loads, most valuable block first and best-fitting block first;
2. Parreño's improvement phase on each: the last half (then quarter) of the blocks taken
   out and the space refilled with the other rule;
3. look-ahead constructions (a pilot method, as in the beam and tree searches of Fanslau
   & Bortfeldt 2010, Zhu & Lim 2012 and Araya & Riff 2014): at every decision the ``w``
   best blocks are each completed greedily and the block whose completion fills most is
   placed; ``w`` grows 2, 2, 3, 3, ... by volume and by fit in turn, each followed by the
   improvement phase on the best load and one seeded GRASP construction (a block drawn
   among those within 10 % of the largest volume).

Every completed load is valid and the fullest wins, so the search can stop at any
decision; the budget is counted in candidate blocks, not seconds, so a given budget
always gives the same load.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from ordercycle.packing._bins import split_spaces
from ordercycle.packing._engine import CartonFill

if TYPE_CHECKING:
    from ordercycle.packing._engine import EngineUnit
    from ordercycle.packing._optimizer import Block, Solution, Solver

__all__ = ["fill_container", "improve_partial", "unit_boxes"]

Orientation = tuple[int, int, int]
Box = tuple[int, int, int, int, int, int]

#: The seed of the randomised constructions (fixed: the result is deterministic).
SEED: Final = 19_950_401

#: Axis orders in which a block is grown (first along the first axis, and so on).
_GROWTH: Final = ((0, 1, 2), (1, 0, 2), (0, 2, 1), (2, 0, 1), (1, 2, 0), (2, 1, 0))


def _blocks(
    size: Orientation, o: Orientation, available: int
) -> list[tuple[int, Orientation, tuple[int, int, int]]]:
    """The blocks of orientation ``o`` that fit ``size``: (count, extent, counts per axis)."""
    most = (size[0] // o[0], size[1] // o[1], size[2] // o[2])
    found: dict[tuple[int, int, int], None] = {}
    for order in _GROWTH:
        counts = [0, 0, 0]
        left = available
        for axis in order:
            counts[axis] = max(1, min(most[axis], left))
            left = left // counts[axis]
        found[(counts[0], counts[1], counts[2])] = None
    return [
        (c[0] * c[1] * c[2], (c[0] * o[0], c[1] * o[1], c[2] * o[2]), c)
        for c in found
        if c[0] * c[1] * c[2] <= available
    ]


def _cut(spaces: list[Box], block: Box, shapes: Sequence[Sequence[Orientation]]) -> list[Box]:
    """Maximal spaces after ``block`` is placed; spaces no remaining box fits are dropped."""
    if not shapes:
        return []
    mins = tuple(min(o[a] for options in shapes for o in options) for a in range(3))
    return split_spaces(spaces, block, (mins[0], mins[1], mins[2]))


Kind = tuple[Sequence[Orientation], int, int]
#: A candidate block: its value (volume less the unusable gaps it leaves in its space), the
#: gaps (sorted), kind, orientation and the number of boxes along each axis.
Candidate = tuple[int, tuple[int, int, int], int, Orientation, tuple[int, int, int]]

#: The ranking rules: the most valuable block first (ties: the best fit), or the
#: best-fitting block first (ties: the most valuable).
VOLUME: Final = 0
FIT: Final = 1


def _by_volume(c: Candidate) -> tuple[int, tuple[int, int, int], int, Orientation, tuple[int, ...]]:
    return (-c[0], c[1], c[2], c[3], c[4])


def _by_fit(c: Candidate) -> tuple[tuple[int, int, int], int, int, Orientation, tuple[int, ...]]:
    return (c[1], -c[0], c[2], c[3], c[4])


class _Load:
    """A partial load: its maximal spaces, units left per kind, weight, volume and blocks.

    A block is (kind, box of the block, orientation); blocks are kept in the order placed,
    so the improvement phase can take the last ones out.
    """

    __slots__ = ("blocks", "left", "spaces", "volume", "weight")

    def __init__(
        self,
        spaces: list[Box],
        left: list[int],
        weight: int,
        volume: int,
        blocks: list[tuple[int, Box, Orientation]],
    ) -> None:
        self.spaces = spaces
        self.left = left
        self.weight = weight
        self.volume = volume
        self.blocks = blocks

    def copy(self) -> _Load:
        return _Load(
            list(self.spaces), list(self.left), self.weight, self.volume, list(self.blocks)
        )


class _Search:
    """Block loading of one container under a work budget (one unit per candidate block).

    Every load the search completes is valid, and the fullest is kept, so stopping at any
    point returns the best container seen. The budget is checked between decisions (a
    greedy completion always finishes), so the same budget gives the same load.
    """

    def __init__(self, size: Orientation, capacity: int | None, kinds: Sequence[Kind]) -> None:
        self.size = size
        self.capacity = capacity
        self.kinds = list(kinds)
        self.volumes = [k[0][0][0] * k[0][0][1] * k[0][0][2] for k in self.kinds]
        self.work = 0
        self.limit: int | None = None
        self.late: Callable[[], bool] | None = None
        #: The fullest load so far (at first the empty container, itself a valid load).
        self.best = self.start()
        self._shapes: dict[
            tuple[Orientation, Orientation, int],
            list[tuple[int, Orientation, tuple[int, int, int]]],
        ] = {}

    # --- budget and the best load ---------------------------------------------------------

    def spent(self) -> bool:
        if self.late is not None and self.late():
            return True
        return self.limit is not None and self.work >= self.limit

    def _record(self, load: _Load) -> None:
        if load.volume > self.best.volume:
            self.best = load.copy()

    # --- one decision -----------------------------------------------------------------------

    def start(self) -> _Load:
        x, y, z = self.size
        return _Load([(0, 0, 0, x, y, z)], [k[2] for k in self.kinds], 0, 0, [])

    def _space(self, spaces: list[Box]) -> tuple[Box, bool, bool]:
        """The space nearest a floor corner of the container (Parreño et al.): the sorted
        distances to the nearest corner compared in turn, ties to the larger space."""
        big_x, big_y, _ = self.size
        best: tuple[tuple[int, ...], int] | None = None
        chosen: tuple[Box, bool, bool] = (spaces[0], False, False)
        for s in spaces:
            high_x = big_x - s[3] < s[0]
            high_y = big_y - s[4] < s[1]
            dx = big_x - s[3] if high_x else s[0]
            dy = big_y - s[4] if high_y else s[1]
            distance = sorted((dx, dy, s[2]))
            key = (
                (distance[0], distance[1], distance[2]),
                -(s[3] - s[0]) * (s[4] - s[1]) * (s[5] - s[2]),
            )
            if best is None or key < best:
                best, chosen = key, (s, high_x, high_y)
        return chosen

    def _candidates(self, load: _Load, room: Orientation) -> list[Candidate]:
        found: list[Candidate] = []
        # A gap narrower than every box left is lost: the block's value is its volume less
        # the gaps it leaves that no box can use.
        live = [self.kinds[k][0] for k in range(len(self.kinds)) if load.left[k] > 0]
        mins = [min(o[a] for options in live for o in options) for a in range(3)]
        for kind, (orientations, unit_weight, _) in enumerate(self.kinds):
            available = load.left[kind]
            if self.capacity is not None and unit_weight:
                available = min(available, (self.capacity - load.weight) // unit_weight)
            if available <= 0:
                continue
            volume = self.volumes[kind]
            for o in orientations:
                if o[0] > room[0] or o[1] > room[1] or o[2] > room[2]:
                    continue
                key = (room, o, available)
                shapes = self._shapes.get(key)
                if shapes is None:
                    shapes = self._shapes[key] = _blocks(room, o, available)
                for count, extent, counts in shapes:
                    gx, gy, gz = room[0] - extent[0], room[1] - extent[1], room[2] - extent[2]
                    gaps = sorted((gx, gy, gz))
                    value = count * volume
                    if gx < mins[0]:
                        value -= gx * extent[1] * extent[2]
                    if gy < mins[1]:
                        value -= gy * extent[0] * extent[2]
                    if gz < mins[2]:
                        value -= gz * extent[0] * extent[1]
                    found.append((value, (gaps[0], gaps[1], gaps[2]), kind, o, counts))
        self.work += len(found) or 1
        return found

    def step(self, load: _Load) -> tuple[Box, bool, bool, list[Candidate]] | None:
        """The next space to fill and its candidate blocks; ``None`` when the load is full.

        Spaces no remaining block fits are dropped from ``load`` on the way.
        """
        while load.spaces:
            space, high_x, high_y = self._space(load.spaces)
            room = (space[3] - space[0], space[4] - space[1], space[5] - space[2])
            found = self._candidates(load, room)
            if found:
                return space, high_x, high_y, found
            load.spaces.remove(space)
        return None

    def place(self, load: _Load, space: Box, high_x: bool, high_y: bool, c: Candidate) -> None:
        """Put candidate ``c`` into ``space`` (at the corner chosen for it) in ``load``."""
        kind, o, counts = c[2], c[3], c[4]
        ex, ey, ez = counts[0] * o[0], counts[1] * o[1], counts[2] * o[2]
        x0 = space[3] - ex if high_x else space[0]
        y0 = space[4] - ey if high_y else space[1]
        z0 = space[2]
        block = (x0, y0, z0, x0 + ex, y0 + ey, z0 + ez)
        self._add(load, kind, block, o, counts[0] * counts[1] * counts[2])

    def _add(self, load: _Load, kind: int, block: Box, o: Orientation, number: int) -> None:
        """Record ``number`` units of ``kind`` as ``block`` in ``load`` and cut its spaces."""
        load.left[kind] -= number
        load.weight += number * self.kinds[kind][1]
        load.volume += number * self.volumes[kind]
        load.blocks.append((kind, block, o))
        load.spaces = _cut(
            load.spaces,
            block,
            [self.kinds[k][0] for k in range(len(self.kinds)) if load.left[k] > 0],
        )

    # --- constructions ----------------------------------------------------------------------

    def greedy(self, load: _Load, rule: int, rng: random.Random | None = None) -> _Load:
        """Complete ``load`` block by block (GRASP with ``rng``: a block drawn among those
        within 10 % of the largest volume); records it if it is the fullest so far."""
        order = _by_fit if rule == FIT else _by_volume
        while True:
            found = self.step(load)
            if found is None:
                break
            space, high_x, high_y, candidates = found
            if rng is not None:
                top = max(c[0] for c in candidates)
                floor = top - abs(top) // 10
                pool = sorted((c for c in candidates if c[0] >= floor), key=order)
                chosen = pool[rng.randrange(len(pool))]
            else:
                chosen = min(candidates, key=order)
            self.place(load, space, high_x, high_y, chosen)
        self._record(load)
        return load

    def pilot(self, width: int, rule: int) -> None:
        """Look-ahead construction: at each decision the ``width`` best blocks are each
        completed greedily, and the block whose completion fills most is placed."""
        order = _by_fit if rule == FIT else _by_volume
        load = self.start()
        while not self.spent():
            found = self.step(load)
            if found is None:
                break
            space, high_x, high_y, candidates = found
            ranked = sorted(candidates, key=order)[:width]
            chosen, most = ranked[0], -1
            if len(ranked) > 1:
                for c in ranked:
                    trial = load.copy()
                    self.place(trial, space, high_x, high_y, c)
                    volume = self.greedy(trial, rule).volume
                    if volume > most:
                        chosen, most = c, volume
            self.place(load, space, high_x, high_y, chosen)
        self.greedy(load, rule)

    def rebuild(self, blocks: Sequence[tuple[int, Box, Orientation]]) -> _Load:
        """The load holding ``blocks`` (in order), with its maximal spaces recomputed."""
        load = self.start()
        for kind, block, o in blocks:
            number = (
                (block[3] - block[0])
                // o[0]
                * ((block[4] - block[1]) // o[1])
                * ((block[5] - block[2]) // o[2])
            )
            self._add(load, kind, block, o, number)
        return load

    def improve(self, load: _Load, share: float, rule: int) -> _Load:
        """Parreño's improvement: take out the last ``share`` of the blocks and refill the
        space greedily; the fuller of the two loads (never worse than ``load``)."""
        keep = int(len(load.blocks) * (1 - share))
        refilled = self.greedy(self.rebuild(load.blocks[:keep]), rule)
        return refilled if refilled.volume > load.volume else load

    def run(self, limit: int | None, strategies: int | None = None) -> _Load:
        """Strategies in a fixed order until the budget runs out: the greedy loads by volume
        and by fit, each improved; then look-ahead constructions of growing width (and,
        between them, seeded GRASP constructions), each best load improved again."""
        self.limit = limit
        for rule in (VOLUME, FIT):
            load = self.greedy(self.start(), rule)
            for share in (0.5, 0.25):
                self._record(self.improve(load, share, 1 - rule))
        rng = random.Random(SEED)
        width = 2
        done = 0
        while not self.spent() and (strategies is None or done < strategies):
            self.pilot(width, VOLUME if done % 2 == 0 else FIT)
            self._record(self.improve(self.best, 0.5, FIT))
            self.greedy(self.start(), VOLUME, rng)
            done += 1
            if done % 2 == 0:
                width += 1
        return self.best


def fill_container(
    size: Orientation,
    capacity: int | None,
    kinds: Sequence[Kind],
    work_limit: int | None,
    strategies: int | None = None,
    late: Callable[[], bool] | None = None,
) -> tuple[list[tuple[int, Box]], int]:
    """The fullest load found within ``work_limit`` and the work it took.

    ``kinds`` are (orientations, weight, count) of each box type. Returns the (kind, box)
    of every unit placed, block by block. ``strategies`` caps the look-ahead
    constructions (for ``work_limit=None``, which otherwise never stops); ``late`` says
    when a time limit has passed (an outer guard: the load then depends on the machine).
    """
    search = _Search(size, capacity, kinds)
    search.late = late
    best = search.run(work_limit, strategies)
    return unit_boxes(best.blocks), search.work


def unit_boxes(blocks: Sequence[tuple[int, Box, Orientation]]) -> list[tuple[int, Box]]:
    """The (kind, box) of every unit in ``blocks`` (kind, block box, orientation)."""
    placed: list[tuple[int, Box]] = []
    for kind, block, o in blocks:
        for bz in range(block[2], block[5], o[2]):
            for by in range(block[1], block[4], o[1]):
                for bx in range(block[0], block[3], o[0]):
                    placed.append((kind, (bx, by, bz, bx + o[0], by + o[1], bz + o[2])))
    return placed


def improve_partial(solver: Solver, blocks: Sequence[Block], solution: Solution) -> Solution:
    """The packer's hook: one container that cannot take every unit, filled by blocks.

    Applies when the catalogue has one carton type with exactly one carton in stock, there
    is no support rule or load limit and every block is a single unit. Returns the plan
    that packs more volume than ``solution`` (its units not packed go to ``leftover``), or
    ``solution`` unchanged.
    """
    from ordercycle.packing._optimizer import Solution

    if (
        len(solver.specs) != 1
        or solver.stock.get(solver.specs[0].index) != 1
        or solver.support is not None
        or solver.tracks_load
        or any(len(block) != 1 for block in blocks)
    ):
        return solution
    spec = solver.specs[0]
    groups: dict[tuple[tuple[Orientation, ...], int], list[EngineUnit]] = {}
    for (unit,) in blocks:
        groups.setdefault((unit.orientations, unit.weight), []).append(unit)
    kinds = [(shape, weight, len(units)) for (shape, weight), units in groups.items()]
    members = list(groups.values())
    before = sum(fill.used_volume for _, fill, _ in solution.packages)
    limit = solver.work_limit
    if limit is None:
        # No budget: a fixed number of look-ahead constructions (still deterministic).
        best, work = fill_container(spec.size, spec.cap, kinds, None, solver.effort, solver.late)
    else:
        best, work = fill_container(spec.size, spec.cap, kinds, limit, late=solver.late)
    solver.work += work
    best_volume = sum((b[3] - b[0]) * (b[4] - b[1]) * (b[5] - b[2]) for _, b in best)
    if best_volume <= before:
        return solution
    fill = CartonFill(spec.size, spec.cap, None)
    taken = [0] * len(kinds)
    for kind, box in sorted(best, key=lambda p: (p[1][2], p[1][1], p[1][0])):
        unit = members[kind][taken[kind]]
        taken[kind] += 1
        fill.boxes.append(box)
        fill.units.append(unit)
        fill.loads.append(0)
        fill.weight += unit.weight
    fill.eps = []
    better = Solution(
        [(spec, fill, "maximal spaces filled with blocks of identical units")],
        solver.objective.key(spec, fill.weight),
    )
    better.leftover = [(u,) for kind, units in enumerate(members) for u in units[taken[kind] :]]
    better.note = (
        f"maximal-space block loading fills {best_volume / spec.volume:.1%} of the carton"
        f" where the engine filled {before / spec.volume:.1%}"
    )
    return better
