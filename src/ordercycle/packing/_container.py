"""One container, as much volume as it holds: maximal spaces filled with blocks.

Container loading (Bischoff & Ratcliff, 1995) asks for the subset of the boxes that fills
one container best. The engine places one unit at a time; here, after Parreño,
Alvarez-Valdes, Oliveira & Tamarit (2008, "A maximal-space algorithm for the container
loading problem"), identical units go in as *blocks*: a column or layer of one box type in
one orientation, as many as the chosen space and the units left allow. The space nearest
the container's origin corner is filled next with the block of the largest volume; the
block's box then splits every maximal space it cuts (see ``_bins``).

Several constructions run: the deterministic one and seeded randomised ones (GRASP: the
block is drawn among those within 10 % of the best volume), and the fullest container
wins. Work is counted in constructions, not seconds, so the result is deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from ordercycle.packing._bins import _space_key, split_spaces
from ordercycle.packing._engine import CartonFill

if TYPE_CHECKING:
    from ordercycle.packing._engine import EngineUnit
    from ordercycle.packing._optimizer import Block, Solution, Solver

__all__ = ["WORK_PER_EFFORT", "fill_container", "improve_partial"]

Orientation = tuple[int, int, int]
Box = tuple[int, int, int, int, int, int]

#: Constructions per unit of ``pack(effort=...)`` when the packer calls this search.
WORK_PER_EFFORT: Final = 4

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


def fill_container(
    size: Orientation,
    capacity: int | None,
    kinds: Sequence[tuple[Sequence[Orientation], int, int]],
    rng: random.Random | None,
) -> list[tuple[int, Box]]:
    """One construction: the (kind, box) of every unit placed, largest blocks first.

    ``kinds`` are (orientations, weight, count) of each box type. With ``rng`` the block
    is drawn among those within 10 % of the largest volume.
    """
    big_x, big_y, big_z = size
    spaces: list[Box] = [(0, 0, 0, big_x, big_y, big_z)]
    left = [count for _, _, count in kinds]
    weight = 0
    placed: list[tuple[int, Box]] = []
    while spaces:
        space = min(spaces, key=_space_key)
        x0, y0, z0 = space[0], space[1], space[2]
        room = (space[3] - x0, space[4] - y0, space[5] - z0)
        candidates: list[tuple[int, int, int, Orientation, tuple[int, int, int]]] = []
        for kind, (orientations, unit_weight, _) in enumerate(kinds):
            available = left[kind]
            if capacity is not None and unit_weight:
                available = min(available, (capacity - weight) // unit_weight)
            if available <= 0:
                continue
            volume = orientations[0][0] * orientations[0][1] * orientations[0][2]
            for o in orientations:
                if o[0] > room[0] or o[1] > room[1] or o[2] > room[2]:
                    continue
                for count, extent, counts in _blocks(room, o, available):
                    waste = min(room[a] - extent[a] for a in range(3))
                    candidates.append((count * volume, -waste, kind, o, counts))
        if not candidates:
            spaces.remove(space)
            continue
        candidates.sort(key=lambda c: (c[0], c[1], -c[2], c[3], c[4]), reverse=True)
        if rng is not None:
            top = candidates[0][0]
            pool = [c for c in candidates if c[0] * 10 >= top * 9]
            chosen = pool[rng.randrange(len(pool))]
        else:
            chosen = candidates[0]
        _, _, kind, o, counts = chosen
        for k in range(counts[2]):
            for j in range(counts[1]):
                for i in range(counts[0]):
                    bx, by, bz = x0 + i * o[0], y0 + j * o[1], z0 + k * o[2]
                    placed.append((kind, (bx, by, bz, bx + o[0], by + o[1], bz + o[2])))
        number = counts[0] * counts[1] * counts[2]
        left[kind] -= number
        weight += number * kinds[kind][1]
        block = (
            x0,
            y0,
            z0,
            x0 + counts[0] * o[0],
            y0 + counts[1] * o[1],
            z0 + counts[2] * o[2],
        )
        spaces = _cut(spaces, block, [kinds[k][0] for k in range(len(kinds)) if left[k] > 0])
    return placed


def _cut(spaces: list[Box], block: Box, shapes: Sequence[Sequence[Orientation]]) -> list[Box]:
    """Maximal spaces after ``block`` is placed; spaces no remaining box fits are dropped."""
    if not shapes:
        return []
    mins = tuple(min(o[a] for options in shapes for o in options) for a in range(3))
    return split_spaces(spaces, block, (mins[0], mins[1], mins[2]))


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
    best: list[tuple[int, Box]] | None = None
    best_volume = before
    rng = random.Random(SEED)
    for attempt in range(WORK_PER_EFFORT * solver.effort):
        placed = fill_container(spec.size, spec.cap, kinds, None if attempt == 0 else rng)
        volume = sum((b[3] - b[0]) * (b[4] - b[1]) * (b[5] - b[2]) for _, b in placed)
        if volume > best_volume:
            best, best_volume = placed, volume
    if best is None:
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
