"""Identical bins: as few as possible, by maximal spaces and bin elimination.

The extreme-point engine places one unit at a time at the first feasible corner; that is
fast and good for orders, but on hard three-dimensional bin packing (the instances of
Martello, Pisinger & Vigo, 2000) it leaves bins half empty. This module is the search used
when every carton is the same type and the objective is the number of cartons:

* **Maximal spaces** (Lai & Chan 1997; Parreño, Alvarez-Valdes, Oliveira & Tamarit 2008):
  the free space of a bin is kept as the list of its *maximal* empty boxes. The space
  nearest the bin's origin corner is filled next with the unit that fills it best (the
  largest volume, or the tightest fit), placed in the space's corner; the spaces the new
  box cuts are split into at most six smaller maximal spaces. Bins are filled one at a
  time ("bin by bin"), which packs each bin densely before the next is opened.
* **Several constructions**: a few unit orders and selection rules, and seeded randomised
  variants (GRASP: the unit is drawn among the best few), all deterministic.
* **Bin elimination** (a local search in the spirit of Lodi, Martello & Vigo's TS3 and
  Parreño et al.'s VNS, 2010): the least-filled bin is emptied into the others. Its units
  and those of one or two other bins are repacked into one bin fewer when possible;
  otherwise the other bin is refilled as full as it gets and the least-filled bin takes
  the rest, so volume moves out of the weakest bin until it disappears.

Work is counted in bin fills (one run of the maximal-space fill of one bin), not in
seconds, so the same input and budget give the same bins on any machine. Geometry is exact
integers; a box never leaves its bin and never overlaps another (each is placed inside a
maximal empty space).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from ordercycle.packing._engine import CartonFill

if TYPE_CHECKING:
    from ordercycle.packing._optimizer import Block, Solution, Solver

__all__ = ["WORK_PER_EFFORT", "BinUnit", "fewer_of_one_type", "improve_cartons", "pack_bins"]

Orientation = tuple[int, int, int]
Box = tuple[int, int, int, int, int, int]

#: Bin fills allowed per call, by default (about a second of CPU on 200 hard units).
DEFAULT_WORK: Final = 3_000

#: Bin fills allowed per unit of ``pack(effort=...)`` when the packer calls this search.
WORK_PER_EFFORT: Final = 500

#: Orders with fewer units get a proportional share of the work (small orders are cheap to
#: get right and should stay fast; the exact search covers the smallest).
FULL_WORK_UNITS: Final = 50

#: The seed of the randomised constructions (fixed: the result is deterministic).
SEED: Final = 20_240_615

#: Ruin and recreate accepts a repack no better than the current plan when it is no worse
#: than the plan this many steps ago (late acceptance, Burke & Bykov 2017).
LATE_ACCEPTANCE: Final = 50


class BinUnit:
    """One unit to pack: allowed orientations (integer sizes) and weight."""

    __slots__ = ("orientations", "uid", "volume", "weight")

    def __init__(self, uid: int, orientations: Sequence[Orientation], weight: int) -> None:
        self.uid = uid
        self.orientations = tuple(orientations)
        first = self.orientations[0]
        self.volume = first[0] * first[1] * first[2]
        self.weight = weight


Placed = list[tuple[BinUnit, Box]]


class _Budget:
    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


def _space_key(space: Box) -> tuple[int, int, int]:
    # The space nearest the origin corner: smallest coordinates, compared sorted.
    a, b, c = sorted(space[:3])
    return (a, b, c)


def _fill(
    size: Orientation,
    capacity: int | None,
    units: Sequence[BinUnit],
    rule: int,
    rng: random.Random | None,
) -> tuple[Placed, list[BinUnit]]:
    """Fill one bin from ``units`` (tried in their order); return placed and left over.

    ``rule`` 0 takes the largest unit that fits the chosen space, 1 the unit whose
    orientation leaves the thinnest slab of the space unused (best fit), ties by order.
    With ``rng`` the unit is drawn among the fitting candidates within 10 % of the best.
    """
    big_x, big_y, big_z = size
    spaces: list[Box] = [(0, 0, 0, big_x, big_y, big_z)]
    remaining = list(units)
    placed: Placed = []
    weight = 0
    while spaces and remaining:
        space = min(spaces, key=_space_key)
        x0, y0, z0 = space[0], space[1], space[2]
        sx, sy, sz = space[3] - x0, space[4] - y0, space[5] - z0
        room = sx * sy * sz
        candidates: list[tuple[int, int, Orientation]] = []
        for index, unit in enumerate(remaining):
            if unit.volume > room:
                continue
            if capacity is not None and weight + unit.weight > capacity:
                continue
            best_o: Orientation | None = None
            best_m = -1
            for o in unit.orientations:
                if o[0] <= sx and o[1] <= sy and o[2] <= sz:
                    # Prefer the orientation that fills the space's tightest direction.
                    m = max(o[0] * 1000 // sx, o[1] * 1000 // sy, o[2] * 1000 // sz)
                    if m > best_m:
                        best_m, best_o = m, o
            if best_o is None:
                continue
            merit = unit.volume if rule == 0 else best_m * 1_000_000_000 + unit.volume
            candidates.append((merit, index, best_o))
            if rng is None and rule == 0:
                break  # units come largest first: the first fit is the best
        if not candidates:
            spaces.remove(space)
            continue
        top = max(c[0] for c in candidates)
        if rng is not None:
            pool = [c for c in candidates if c[0] * 10 >= top * 9]
            _, index, o = pool[rng.randrange(len(pool))]
        else:
            _, index, o = next(c for c in candidates if c[0] == top)
        unit = remaining.pop(index)
        box = (x0, y0, z0, x0 + o[0], y0 + o[1], z0 + o[2])
        placed.append((unit, box))
        weight += unit.weight
        if not remaining:
            break
        spaces = _split(spaces, box, remaining)
    return placed, remaining


def _inside(s: Box, t: Box) -> bool:
    """Whether box ``s`` lies inside box ``t``."""
    return (
        t[0] <= s[0]
        and t[1] <= s[1]
        and t[2] <= s[2]
        and s[3] <= t[3]
        and s[4] <= t[4]
        and (s[5] <= t[5])
    )


def _split(spaces: list[Box], box: Box, remaining: Sequence[BinUnit]) -> list[Box]:
    """The maximal spaces left after ``box`` is placed (too small ones dropped)."""
    mins = (
        min(o[0] for u in remaining for o in u.orientations),
        min(o[1] for u in remaining for o in u.orientations),
        min(o[2] for u in remaining for o in u.orientations),
    )
    return split_spaces(spaces, box, mins, min(u.volume for u in remaining))


def split_spaces(
    spaces: list[Box], box: Box, mins: tuple[int, int, int], min_volume: int = 0
) -> list[Box]:
    """The maximal empty spaces left after ``box`` is placed among ``spaces``.

    Every space ``box`` overlaps is cut into up to six pieces (left, right, front, back,
    below, above it); spaces and pieces narrower than ``mins`` on an axis or smaller than
    ``min_volume`` are dropped (nothing left to place fits them), and so is a new piece that
    lies inside another space. The order is deterministic: the untouched spaces first, then
    the new pieces in the order they were cut.
    """
    bx0, by0, bz0, bx1, by1, bz1 = box

    def fits(s: Box) -> bool:
        dx, dy, dz = s[3] - s[0], s[4] - s[1], s[5] - s[2]
        return (
            dx > 0
            and dy > 0
            and dz > 0
            and dx >= mins[0]
            and dy >= mins[1]
            and dz >= mins[2]
            and dx * dy * dz >= min_volume
        )

    kept: list[Box] = []
    cut: list[Box] = []
    for s in spaces:
        x0, y0, z0, x1, y1, z1 = s
        if not (x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1 and z0 < bz1 and bz0 < z1):
            kept.append(s)
            continue
        for piece in (
            (x0, y0, z0, bx0, y1, z1),
            (bx1, y0, z0, x1, y1, z1),
            (x0, y0, z0, x1, by0, z1),
            (x0, by1, z0, x1, y1, z1),
            (x0, y0, z0, x1, y1, bz0),
            (x0, y0, bz1, x1, y1, z1),
        ):
            if fits(piece):
                cut.append(piece)
    kept = [s for s in kept if fits(s)]
    fresh = list(dict.fromkeys(cut))
    result = kept
    for s in fresh:
        if not any(_inside(s, t) for t in kept) and not any(
            t != s and _inside(s, t) for t in fresh
        ):
            result.append(s)
    return result


def _volume(placed: Placed) -> int:
    return sum(u.volume for u, _ in placed)


#: Unit orders for the constructions: sort keys, largest first.
_ORDERS: Final = (
    lambda u: (u.volume, max(u.orientations[0])),
    lambda u: (max(u.orientations[0]), u.volume),
    lambda u: (u.orientations[0][2], u.orientations[0][0] * u.orientations[0][1]),
    lambda u: (u.orientations[0][0] * u.orientations[0][1], u.orientations[0][2]),
)


def _construct(
    size: Orientation,
    capacity: int | None,
    units: Sequence[BinUnit],
    rule: int,
    rng: random.Random | None,
    budget: _Budget,
) -> list[Placed] | None:
    bins: list[Placed] = []
    remaining = list(units)
    while remaining:
        placed, remaining = _fill(size, capacity, remaining, rule, rng)
        budget.left -= 1
        if not placed:
            return None
        bins.append(placed)
    return bins


def _by_volume(units: Sequence[BinUnit]) -> list[BinUnit]:
    return sorted(units, key=lambda u: (-u.volume, u.uid))


def _repack(
    size: Orientation,
    capacity: int | None,
    pool: Sequence[BinUnit],
    count: int,
    budget: _Budget,
    rng: random.Random,
) -> list[Placed] | None:
    """``pool`` in at most ``count`` bins, trying a few fills; ``None`` if none works."""
    ordered = _by_volume(pool)
    for rule, draw in ((0, None), (1, None), (0, rng), (1, rng)):
        bins: list[Placed] = []
        remaining = ordered
        while remaining and len(bins) < count:
            placed, remaining = _fill(size, capacity, remaining, rule, draw)
            budget.left -= 1
            bins.append(placed)
        if not remaining:
            return bins
        if budget.left <= 0:
            return None
    return None


def _improve(
    size: Orientation,
    capacity: int | None,
    bins: list[Placed],
    lower: int,
    budget: _Budget,
    rng: random.Random,
) -> list[Placed]:
    """Empty the least-filled bin into the others while the budget lasts."""
    bins = list(bins)
    bin_volume = size[0] * size[1] * size[2]
    while len(bins) > lower and budget.left > 0:
        bins.sort(key=lambda b: (_volume(b), min(u.uid for u, _ in b)))
        weak = [u for u, _ in bins[0]]
        others = sorted(range(1, len(bins)), key=lambda j: (_volume(bins[j]), j))
        progress = False
        # Move single units of the weakest bin into other bins, largest first.
        for unit in _by_volume(weak):
            for j in reversed(others):
                members = [u for u, _ in bins[j]]
                if sum(u.volume for u in members) + unit.volume > bin_volume:
                    continue
                for ordered in ([unit, *members], [*members, unit], _by_volume([unit, *members])):
                    placed, left = _fill(size, capacity, ordered, 0, None)
                    budget.left -= 1
                    if not left:
                        bins[j] = placed
                        bins[0] = [(u, b) for u, b in bins[0] if u is not unit]
                        progress = True
                        break
                if progress or budget.left <= 0:
                    break
            if progress or budget.left <= 0:
                break
        if not bins[0]:
            del bins[0]
            continue
        if progress:
            continue
        # Two bins repacked: the fuller one as full as it gets, the other takes the rest
        # (volume moves towards full bins; the weakest bins are the sources).
        for i in range(min(4, len(bins) - 1)):
            source = [u for u, _ in bins[i]]
            for j in sorted(range(i + 1, len(bins)), key=lambda j: (_volume(bins[j]), j)):
                pool = source + [u for u, _ in bins[j]]
                for rule, draw in ((0, None), (1, None), (0, rng)):
                    placed, left = _fill(size, capacity, _by_volume(pool), rule, draw)
                    budget.left -= 1
                    if not left:
                        bins[j] = placed
                        del bins[i]
                        progress = True
                        break
                    if _volume(placed) > _volume(bins[j]):
                        rest, over = _fill(size, capacity, _by_volume(left), 0, None)
                        budget.left -= 1
                        if not over:
                            bins[j], bins[i] = placed, rest
                            progress = True
                            break
                    if budget.left <= 0:
                        return bins
                if progress:
                    break
            if progress:
                break
        if progress:
            continue
        # Three bins into two: the weakest with each pair of the emptiest others.
        near = others[:6]
        for a in range(len(near)):
            for b in range(a + 1, len(near)):
                j, k = near[a], near[b]
                pool = weak + [u for u, _ in bins[j]] + [u for u, _ in bins[k]]
                found = _repack(size, capacity, pool, 2, budget, rng)
                if found is not None:
                    bins = [bins[i] for i in range(len(bins)) if i not in (0, j, k)] + found
                    progress = True
                    break
                if budget.left <= 0:
                    return bins
            if progress:
                break
        if not progress:
            break
    return bins


def _square(bins: Sequence[Placed]) -> int:
    return sum(_volume(b) ** 2 for b in bins)


def _ruin_recreate(
    size: Orientation,
    capacity: int | None,
    bins: list[Placed],
    lower: int,
    budget: _Budget,
    rng: random.Random,
) -> list[Placed]:
    """Large neighbourhood search: repack the weakest bin with a few others.

    A repack into fewer bins is kept; one into as many bins is kept when it moves volume
    towards full bins (a larger sum of squared bin volumes), so the weakest bins drain.
    A repack that moves volume the other way is kept when the plan stays at least as
    good as it was :data:`LATE_ACCEPTANCE` steps earlier (late acceptance hill climbing):
    the search may step back a little to leave a plan where every repack it tries fails,
    and the number of bins never grows, since a repack never uses more bins.
    """
    bins = sorted(bins, key=lambda b: (_volume(b), min(u.uid for u, _ in b)))
    stale = 0
    current = _square(bins)
    # history[k] is the plan's value at a step k modulo LATE_ACCEPTANCE ago.
    history = [current] * LATE_ACCEPTANCE
    step = 0
    while len(bins) > lower and budget.left > 0:
        count = min(len(bins) - 1, rng.choice((1, 2, 2, 3, 3, 4)))
        weakest = rng.randrange(min(3, len(bins)))
        picks = sorted({weakest, *rng.sample(range(len(bins)), count)})
        old = [bins[i] for i in picks]
        pool = [u for b in old for u, _ in b]
        mode = rng.random()
        rule = 0 if mode < 0.8 else 1
        ordered = _by_volume(pool)
        draw: random.Random | None = rng
        if mode < 0.3:
            # First fit in a perturbed volume order: big units early, in varied order.
            ordered = sorted(pool, key=lambda u: (-u.volume * (1 + rng.random()), u.uid))
            draw = None
        new: list[Placed] = []
        while ordered and len(new) < len(old):
            placed, ordered = _fill(size, capacity, ordered, rule, draw)
            budget.left -= 1
            new.append(placed)
        if ordered:
            stale += 1
            continue
        new = [b for b in new if b]
        candidate = current - _square(old) + _square(new)
        slot = step % LATE_ACCEPTANCE
        step += 1
        if len(new) < len(old) or candidate >= min(current, history[slot]):
            rest = [bins[i] for i in range(len(bins)) if i not in picks]
            bins = sorted(rest + new, key=lambda b: (_volume(b), min(u.uid for u, _ in b)))
            # Only a step that gains (bins or volume towards full bins) resets the count
            # of fruitless steps; a late-accepted step back does not.
            stale = 0 if len(new) < len(old) or candidate >= current else stale + 1
            current = candidate
        else:
            stale += 1
        history[slot] = current
        if stale > 400:
            bins = _improve(size, capacity, bins, lower, budget, rng)
            bins.sort(key=lambda b: (_volume(b), min(u.uid for u, _ in b)))
            stale = 0
            current = _square(bins)
    return bins


def pack_bins(
    size: Orientation,
    capacity: int | None,
    units: Sequence[BinUnit],
    *,
    work: int = DEFAULT_WORK,
    lower_bound: int = 0,
) -> list[Placed] | None:
    """Pack every unit into as few bins of ``size`` (and weight ``capacity``) as found.

    Each unit must fit an empty bin on its own. ``work`` caps the bin fills; the search
    stops early when it meets ``lower_bound`` (or the volume and weight bound, if higher).
    Returns the bins, each a list of (unit, box), or ``None`` if a unit fits no bin.
    """
    if not units:
        return []
    bin_volume = size[0] * size[1] * size[2]
    lower = max(lower_bound, -(-sum(u.volume for u in units) // bin_volume))
    if capacity:
        lower = max(lower, -(-sum(u.weight for u in units) // capacity))
    budget = _Budget(work)
    rng = random.Random(SEED)
    best: list[Placed] | None = None
    for order in range(len(_ORDERS)):
        ordered = sorted(units, key=lambda u: (_ORDERS[order](u), -u.uid), reverse=True)
        bins = _construct(size, capacity, ordered, 0, None, budget)
        if bins is None:
            return None
        if best is None or len(bins) < len(best):
            best = bins
    assert best is not None
    if len(best) > lower:
        best = _improve(size, capacity, best, lower, budget, rng)
    if len(best) > lower:
        best = _ruin_recreate(size, capacity, best, lower, budget, rng)
    return best


def _solution(
    solver: Solver, spec: Any, engine_units: Sequence[Any], bins: Sequence[Placed], reason: str
) -> Solution:
    """The engine's solution of ``bins`` (each a carton of ``spec``), in a stable order:
    bins by their lowest unit, boxes bottom up, each package explained by ``reason``."""
    from ordercycle.packing._optimizer import Solution, add_keys

    packages = []
    key = (0, 0, 0)
    for placed in sorted(bins, key=lambda b: min(u.uid for u, _ in b)):
        fill = CartonFill(spec.size, spec.cap, None)
        for unit, box in sorted(placed, key=lambda p: (p[1][2], p[1][1], p[1][0], p[0].uid)):
            fill.boxes.append(box)
            fill.units.append(engine_units[unit.uid])
            fill.loads.append(0)
            fill.weight += unit.weight
        fill.eps = []
        key = add_keys(key, solver.objective.key(spec, fill.weight))
        packages.append((spec, fill, reason))
    return Solution(packages, key)


def improve_cartons(solver: Solver, blocks: Sequence[Block], solution: Solution) -> Solution:
    """The packer's hook: fewer cartons of one type, when that is the objective.

    Applies when the catalogue has one carton type in unlimited stock, the objective is
    the number of cartons, there is no support rule or load limit, every block is a single
    unit and the engine's plan is above the volume and weight bound. Returns ``solution``
    unchanged otherwise, or when this search finds no plan with fewer cartons.
    """

    if (
        solver.objective.name != "cartons"
        or len(solver.specs) != 1
        or solver.stock.get(solver.specs[0].index) is not None
        or solver.support is not None
        or solver.tracks_load
        or solution.leftover
        or any(len(block) != 1 for block in blocks)
    ):
        return solution
    spec = solver.specs[0]
    engine_units = [block[0] for block in blocks]
    lower = solver.count_bound(blocks, solver.specs)
    if len(solution.packages) <= lower:
        return solution
    units = [BinUnit(i, u.orientations, u.weight) for i, u in enumerate(engine_units)]
    found = pack_bins(
        spec.size,
        spec.cap,
        units,
        work=WORK_PER_EFFORT * solver.effort * min(len(units), FULL_WORK_UNITS) // FULL_WORK_UNITS,
        lower_bound=lower,
    )
    if found is None or len(found) >= len(solution.packages):
        return solution
    better = _solution(
        solver, spec, engine_units, found, "bin elimination: fewest cartons of the one type"
    )
    packages = better.packages
    better.note = (
        f"maximal-space search with bin elimination used {len(packages)} cartons where the"
        f" engine used {len(solution.packages)}"
    )
    return better


#: Bin fills :func:`fewer_of_one_type` may spend on each carton type.
ONE_TYPE_WORK: Final = 40


def fewer_of_one_type(solver: Solver, blocks: Sequence[Block], solution: Solution) -> Solution:
    """The packer's hook for several carton types: one carton fewer, all of one type.

    The engine mixes carton types and fills them one unit at a time; the maximal-space
    search may pack the same units into fewer cartons of a single type. Applies when the
    objective is the number of cartons, stock is unlimited, there is no support rule or
    load limit, every block is a single unit and the plan is above the carton-count bound.
    Each carton type that takes every unit gets :data:`ONE_TYPE_WORK` bin fills to find a
    plan with one carton fewer (a fixed amount, also after the work budget ran out, so the
    result does not depend on it; not after the time limit); the first found is returned,
    else ``solution`` unchanged.
    """

    if (
        solver.objective.name != "cartons"
        or len(solver.specs) < 2
        or any(solver.stock.get(s.index) is not None for s in solver.specs)
        or solver.support is not None
        or solver.tracks_load
        or solution.leftover
        or len(solution.packages) < 2
        or any(len(block) != 1 for block in blocks)
        or solver.late()
    ):
        return solution
    engine_units = [block[0] for block in blocks]
    target = len(solution.packages) - 1
    if solver.count_bound(blocks, solver.specs) > target:
        return solution
    for spec in sorted(solver.specs, key=lambda s: (-s.volume, s.index)):
        if not all(spec.holds(u) for u in engine_units):
            continue
        units = [
            BinUnit(
                i,
                [o for o in u.orientations if all(o[k] <= spec.size[k] for k in range(3))],
                u.weight,
            )
            for i, u in enumerate(engine_units)
        ]
        solver.work += ONE_TYPE_WORK
        found = pack_bins(spec.size, spec.cap, units, work=ONE_TYPE_WORK, lower_bound=target)
        if found is None or len(found) > target:
            continue
        reason = f"carton {spec.carton.name}: maximal-space search, one carton type"
        better = _solution(solver, spec, engine_units, found, reason)
        packages = better.packages
        better.note = (
            f"maximal-space search with {spec.carton.name} only used {len(packages)} cartons"
            f" where the engine used {len(solution.packages)}"
        )
        return better
    return solution
