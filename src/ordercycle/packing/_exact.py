"""Exact carton assignment for small orders, and the relaxation bound.

Identical units are interchangeable, so an order is a vector of counts, one per *kind*
(units with the same orientations, weight and load limit; a group that must share a
carton is a kind of its own). A plan assigns sub-multisets of that vector to cartons.

*The relaxation bound* (:meth:`ExactSearch.relaxed`) is the cheapest such assignment when a
carton of type ``k`` may hold any sub-multiset whose units each fit ``k`` on their own and
whose volume and weight are within ``k``'s inner volume and weight capacity. Its cost is
the objective's own per-package score (the carrier's side rounding, weight step and
dimensional weight, the carton's cost and the rate), so it accounts for which cartons each
unit fits, carton capacities, rounding and the heaviest and largest units; a one-unit
order's bound is exactly its best single carton. It is a dynamic programme over the count
vectors (no geometry), run when the pairs (count vector, sub-multiset) it enumerates are
at most :data:`MAX_PAIRS`.

*The exact search* (:meth:`ExactSearch.solve`) is the same programme with real 3D
feasibility: branch and bound over the count vectors, where the first remaining kind must
be in the next carton (so each partition is enumerated once, whatever the order of its
cartons), candidates are tried from the lowest score plus relaxation bound upward and cut
when they cannot beat the best plan so far, and results are memoised per count vector.
Feasibility of (carton type, sub-multiset) is memoised too: screened by volume, weight and
fit, then tried with the placement engine, and, when the engine finds no placement, cut by
dual feasible functions (:func:`_dual_cut`) or decided by a complete search over pairwise
relations (for every pair of units, an axis along which one lies wholly before the other,
with the longest chains within the carton's sides; see :meth:`ExactSearch._relations`)
within a fixed work budget. When the budget runs out the answer is unknown, the
combination is treated as infeasible and the plan is not claimed optimal.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from operator import mul
from typing import Any, Literal

from ordercycle._memo import remember
from ordercycle.packing._engine import (
    CartonFill,
    EngineUnit,
    side_by_side,
    stacked_overflow,
)
from ordercycle.packing._optimizer import Block, Key, Solution, Solver, Spec, add_keys

__all__ = ["EXACT_UNITS", "ExactSearch"]

#: The exact search runs for orders of at most this many units (blocks).
EXACT_UNITS = 10
#: Count vectors larger than this are not searched exactly (the relaxation too).
MAX_STATES = 4096
#: (count vector, sub-multiset) pairs the relaxation may enumerate.
MAX_PAIRS = 7000
#: Nodes (pair relations tried) the complete placement search may use for one carton fill.
PLACEMENT_BUDGET = 3000
#: Nodes the complete placement searches of one order may use together.
ORDER_PLACEMENT_BUDGET = 12000
#: Count vectors larger than this are not tried by :meth:`ExactSearch.needs_more_than`.
COUNT_PROOF_STATES = 100_000
#: Sub-multisets :meth:`ExactSearch.needs_more_than` may examine for one order.
COUNT_PROOF_WORK = 15_000
#: Candidate (carton, sub-multiset) pairs the whole exact search may examine.
SEARCH_BUDGET = 1500
#: The complete placement search adds its nodes to the order's work (and checks the
#: budget) once every this many nodes.
CHECK_NODES = 64

Counts = tuple[int, ...]
#: A placed unit: (x, y, z) of its low corner, then of its high corner.
Box = tuple[int, int, int, int, int, int]


#: Relations-search answers and the nodes they took (see :meth:`ExactSearch._related`) by
#: (carton size, each unit's fitting orientations, whether each unit is its predecessor's
#: twin): the same units meet the same cartons request after request (a 3,000-order run:
#: two of five searches, most of them the costly ones that run out of nodes).
_RELATIONS: dict[tuple[object, ...], tuple[tuple[Box, ...] | Literal[False] | None, int]] = {}
_RELATIONS_KEPT = 4096


_RelationsKey = tuple[
    tuple[int, ...], tuple[tuple[tuple[int, int, int], ...], ...], tuple[bool, ...]
]


def _first(key: _RelationsKey, units: int) -> _RelationsKey:
    """The key of the relations search over the first ``units`` units of ``key``'s."""
    sides, shapes, twins = key
    return sides, shapes[:units], twins[: units - 1]


def _settled_by_first(key: _RelationsKey) -> tuple[Literal[False] | None, int] | None:
    """The remembered answer of a relations search over the first units of ``key`` that
    placed them all in no way (False, or None: out of nodes), with its nodes; else None.

    The search of more units makes the same nodes as that of its first ones until the
    last of those is placed (each node depends on the units up to the one it places), and
    the shorter search never got there: the longer one takes the same path to the same
    end, with the same answer and nodes. So a search that placed no more than ``placed``
    units at once answers for its first ``placed + 1`` or more units too, and is
    remembered for them (:func:`_remember_first`). (The searches the first-time packs of
    a 20,000-order run worked out: 261k of their 389k nodes, 201k so.)
    """
    for units in range(1, len(key[1])):
        known = _RELATIONS.get(_first(key, units))
        if known is not None:
            answer, ticks = known
            if answer is None or answer is False:
                return answer, ticks
    return None


def _remember_first(
    key: _RelationsKey, placed: int, answer: Literal[False] | None, ticks: int
) -> None:
    """Remember the answer of the search ``key``, which placed at most ``placed`` units
    at once, for the searches of its first units that it answers (see
    :func:`_settled_by_first`)."""
    for units in range(placed + 1, len(key[1])):
        remember(_RELATIONS, _RELATIONS_KEPT, _first(key, units), lambda: (answer, ticks))


def _count(nodes: list[int]) -> bool:
    """Count one node of a search that only its node budget stops."""
    nodes[0] -= 1
    return nodes[0] >= 0


#: No start moved (what :meth:`ExactSearch._relations` undoes for such a relation).
_UNMOVED: tuple[tuple[int, int], ...] = ()


def _whole(value: Any) -> Any:
    """A Fraction with denominator 1 as its int; any other value unchanged."""
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def _push(
    side: int,
    starts: list[int],
    follow: list[list[int]],
    extent: list[int],
    second: int,
    start: int,
) -> list[tuple[int, int]] | None:
    """Move unit ``second`` to ``start`` along an axis, and the units after it as far as
    they must go: the (unit, old start) pairs moved, in order, or None when a chain
    overflows ``side`` (then nothing stays moved).

    A unit moves to the end of the furthest unit before it, checked against the side as
    it moves; the starts that result, and whether any overflows, do not depend on the
    order the units are visited in (each start only grows, up to the longest chain before
    it). A cycle of "after" grows until it overflows.
    """
    moved = [(second, starts[second])]
    starts[second] = start
    stack = [second]
    while stack:
        k = stack.pop()
        end = starts[k] + extent[k]
        for m in follow[k]:
            if end > starts[m]:
                if end + extent[m] > side:
                    _undo(starts, moved)
                    return None
                moved.append((m, starts[m]))
                starts[m] = end
                stack.append(m)
    return moved


def _undo(starts: list[int], moved: Sequence[tuple[int, int]]) -> None:
    """Put back the starts :func:`_push` moved (a unit moved twice gets its first start)."""
    for m, old in reversed(moved):
        starts[m] = old


#: Not worked out yet (a memo's answer may be None).
_UNSEEN: Any = object()


#: :func:`_parts_of` by count vector: the same small vectors come back search after search
#: (the first-time packs of a 2,000-order run listed 5,843 vectors' parts, 530 different
#: vectors). A vector has at most a few hundred parts where the relaxation runs (see
#: :data:`MAX_PAIRS`); emptied when it holds _PARTS_KEPT vectors.
_PARTS: dict[Counts, list[tuple[Counts, Counts]]] = {}
_PARTS_KEPT = 1024


def _parts(counts: Counts) -> list[tuple[Counts, Counts]]:
    """:func:`_parts_of`, remembered."""
    return remember(_PARTS, _PARTS_KEPT, counts, lambda: _parts_of(counts))


def _parts_of(counts: Counts) -> list[tuple[Counts, Counts]]:
    """The sub-multisets of ``counts`` with at least one of its first kind present, each
    with what is left of ``counts`` without it (a pure function of the vector).

    Every choice of how many of each kind to take, in the order of nested loops (the last
    kind varies fastest; as itertools.product would list them), built kind by kind with
    the remainder along the way; a loop, not a recursive closure, which would name itself
    and make a reference cycle.
    """
    first = next(i for i, c in enumerate(counts) if c)
    result: list[tuple[Counts, Counts]] = [((), ())]
    for i, count in enumerate(counts):
        steps = [((take,), (count - take,)) for take in range(1 if i == first else 0, count + 1)]
        result = [
            (chosen + step, left + step_left)
            for chosen, left in result
            for step, step_left in steps
        ]
    return result


class _Kind:
    __slots__ = ("blocks", "fits", "mask", "volume", "weight")

    def __init__(self, blocks: list[Block], specs: Sequence[Spec]) -> None:
        self.blocks = blocks
        first = blocks[0]
        self.volume = sum(u.volume for u in first)
        self.weight = sum(u.weight for u in first)
        self.fits = tuple(all(s.holds(u) for u in first) for s in specs)
        #: ``fits`` as bits (bit ``p``: the carton type at position ``p``).
        self.mask = sum(1 << place for place, fits in enumerate(self.fits) if fits)


def _signature(block: Block) -> tuple[object, ...] | None:
    if len(block) != 1:
        return None
    return block[0].signature


def _within(
    low: int, high: int, part: int, total: int, each: int, first: int | None, rest: int | None
) -> tuple[int, int]:
    """Narrow ``low..high`` (units of size ``each`` added to ``part``) to fit both parts.

    The first part holds ``part + x * each`` and must stay within ``first``; the rest holds
    ``total`` minus that and must stay within ``rest`` (``None``: no limit).
    """
    if each == 0:
        if (first is not None and part > first) or (rest is not None and total - part > rest):
            return 1, 0
        return low, high
    if first is not None:
        high = min(high, (first - part) // each)
    if rest is not None:
        low = max(low, -((rest - total + part) // each))
    return low, high


#: Dual feasible functions u_k (k = 1..DFF_STEPS) per axis in :func:`_dual_cut`.
DFF_STEPS = 3
#: At most this many thresholds e of the functions U_e per axis in :func:`_dual_cut`.
DFF_THRESHOLDS = 2
#: A multiple of every function's denominator over the side (1..DFF_STEPS).
_DFF_COMMON = math.lcm(*range(1, DFF_STEPS + 1))


def _dff_axis(side: int, values: set[int]) -> list[tuple[int, dict[int, int]]]:
    """Dual feasible functions on one axis, each as (denominator, numerator per side).

    A dual feasible function f maps [0, 1] to [0, 1] so that sides summing to at most 1
    still sum to at most 1 after f. Here: the identity; u_k(x) = x when (k + 1)x is whole,
    else floor((k + 1)x) / k; and U_e(x) = 1 above 1 - e, x from e to 1 - e, 0 below e,
    for a few sides e of at most half the carton's side (Fekete and Schepers, 2004).
    Integers over a common denominator, so the test is exact.
    """
    tables = [(side, {v: v for v in values})]
    for k in range(1, DFF_STEPS + 1):
        # x = v / side over the denominator side * k: x itself is v * k, and
        # floor((k + 1) x) / k is floor((k + 1) v / side) * side.
        table = {
            v: v * k if (k + 1) * v % side == 0 else (k + 1) * v // side * side for v in values
        }
        tables.append((side * k, table))
    small = sorted(v for v in values if 2 * v <= side)
    if small:
        step = max(1, -(-len(small) // DFF_THRESHOLDS))
        for e in small[step - 1 :: step][:DFF_THRESHOLDS]:
            tables.append(
                (side, {v: side if v > side - e else (v if v >= e else 0) for v in values})
            )
    return tables


_Orientations = tuple[tuple[int, int, int], ...]
#: Dual-feasible-function verdicts by (carton size, sorted (orientations, count) pairs),
#: emptied when it holds _CUTS_KEPT.
_CUTS: dict[tuple[tuple[int, ...], tuple[tuple[_Orientations, int], ...]], bool] = {}
_CUTS_KEPT = 4096


def _dual_cut(size: tuple[int, ...], fitting: Sequence[Sequence[tuple[int, int, int]]]) -> bool:
    """Whether dual feasible functions prove the units cannot share the carton (True: proven).

    Applied one per axis to every unit of a packing, the products f1(w/W) f2(h/H) f3(d/D)
    sum to at most 1; each unit takes its orientation of smallest product, so the test
    holds whatever orientations a packing uses. Units with the same orientations are
    counted together.
    """
    kinds: dict[_Orientations, int] = {}
    for options in fitting:
        key = tuple(options)
        kinds[key] = kinds.get(key, 0) + 1
    # The verdict depends on the carton and the multiset of units' orientations alone, and
    # the same ones come back in later searches (a 4,000-order run: 406 cuts, 171 different).
    memo = (tuple(size), tuple(sorted(kinds.items())))
    return remember(_CUTS, _CUTS_KEPT, memo, lambda: _dual_cut_of(size, kinds))


_AxisFunctions = tuple[list[list[list[int]]], list[list[int]]]
#: :func:`_cut_functions` by (carton size, the kinds' orientations in order): they do not
#: depend on how many units each kind has, and the same kinds meet the same cartons in
#: other numbers (the first-time packs of a 2,000-order run: 208 cuts, 52 different
#: kinds and cartons). Emptied when it holds _CUT_FUNCTIONS_KEPT.
_CUT_FUNCTIONS: dict[
    tuple[tuple[int, ...], tuple[_Orientations, ...]], tuple[int, list[_AxisFunctions]]
] = {}
_CUT_FUNCTIONS_KEPT = 1024


def _cut_functions(
    size: tuple[int, ...], shapes: tuple[_Orientations, ...]
) -> tuple[int, list[_AxisFunctions]]:
    """The limit of :func:`_dual_cut_of`'s sums and, per axis, each function's values of
    each kind's orientations ([function][kind] lists in the kind's order of orientations)
    and the greatest of those values (read only)."""
    axes = []
    limit = 1
    for a in range(3):
        common = size[a] * _DFF_COMMON
        limit *= common
        functions = [
            [[f[o[a]] * (common // d) for o in options] for options in shapes]
            for d, f in _dff_axis(size[a], {o[a] for options in shapes for o in options})
        ]
        greatest = [list(map(max, *per_kind)) for per_kind in zip(*functions, strict=True)]
        axes.append((functions, greatest))
    return limit, axes


def _dual_cut_of(size: tuple[int, ...], kinds: dict[_Orientations, int]) -> bool:
    """:func:`_dual_cut` of the units counted by their orientations.

    Every combination of one function per axis is a test; the cut is proven when any
    passes. The functions of each axis are scaled to one denominator (:data:`_DFF_COMMON`
    times the side), so a combination's sum is compared with one limit, and the pointwise
    greatest of an axis's functions bounds every one of them: a first function (or first
    two) whose sum with the greatest of the axes left stays within the limit cannot pass
    with any of them, so those combinations are skipped (the same verdict, from about a
    tenth of the sums: most first functions and pairs are settled so).
    """
    counts = list(kinds.values())
    shapes = tuple(kinds)
    limit, axes = remember(
        _CUT_FUNCTIONS,
        _CUT_FUNCTIONS_KEPT,
        (tuple(size), shapes),
        lambda: _cut_functions(size, shapes),
    )
    (first, _), (second, second_top), (third, third_top) = axes

    def weight(fronts: list[list[int]], last: list[list[int]]) -> int:
        # Each kind's least product (its orientations' first two factors times the
        # third), times its count, added up: in one pass of C loops.
        return sum(map(mul, counts, map(min, map(map, itertools.repeat(mul), fronts, last))))

    for n0, f0 in enumerate(first):
        if weight(_products(f0, second_top), third_top) <= limit:
            continue
        for n1, f1 in enumerate(second):
            # The first two factors of every orientation's product, shared by the third
            # axis's functions.
            fronts = _products(f0, f1)
            if weight(fronts, third_top) <= limit:
                continue
            for n2, f2 in enumerate(third):
                if n0 == n1 == n2 == 0:
                    continue  # the identity thrice is the volume, checked already
                if weight(fronts, f2) > limit:
                    return True
    return False


def _products(xs: list[list[int]], ys: list[list[int]]) -> list[list[int]]:
    """Each kind's values times the other axis's, orientation by orientation."""
    return [list(map(mul, x, y)) for x, y in zip(xs, ys, strict=True)]


class ExactSearch:
    """The relaxation bound and the exact search for one part of an order."""

    def __init__(self, solver: Solver, blocks: Sequence[Block]) -> None:
        self.solver = solver
        self.specs = solver.specs
        kinds: dict[object, list[Block]] = {}
        for number, block in enumerate(solver.order(blocks)):
            signature = _signature(block)
            kinds.setdefault(signature if signature is not None else ("block", number), []).append(
                block
            )
        self.kinds = [_Kind(found, self.specs) for found in kinds.values()]
        self._volumes = tuple(k.volume for k in self.kinds)
        self._weights = tuple(k.weight for k in self.kinds)
        self.start: Counts = tuple(len(k.blocks) for k in self.kinds)
        states = pairs = 1
        for count in self.start:
            states *= count + 1
            pairs *= (count + 1) * (count + 2) // 2
        self.states = states
        self.pairs = pairs
        self.units = sum(len(b) for b in blocks)
        self._relaxed: dict[Counts, Any] = {}
        self._feasible: dict[tuple[int, Counts], CartonFill | None] = {}
        self._solved: dict[Counts, tuple[Key, list[tuple[Spec, Counts]]]] = {}
        self._cut: dict[Counts, Key] = {}
        self.unknown = False
        self.budget = SEARCH_BUDGET
        self.placement_budget = ORDER_PLACEMENT_BUDGET
        self._part_cost: dict[Counts, Any] = {}
        self._holders: dict[Counts, list[tuple[Spec, Key]]] = {}
        self._keys: dict[tuple[int, int], Key] = {}
        #: Whether the objective's primary scores are Fractions (see :meth:`_key`).
        self._fraction_primary = False

    @property
    def affordable(self) -> bool:
        """Whether the count vector is small enough for the relaxation."""
        return self.states <= MAX_STATES and self.pairs <= MAX_PAIRS

    @property
    def searchable(self) -> bool:
        """Whether the exact search may run (small order, unlimited stock)."""
        return (
            self.affordable
            and len(self.kinds) > 0
            and sum(self.start) <= EXACT_UNITS
            and all(s.carton.stock is None for s in self.specs)
        )

    def _size(self, counts: Counts) -> tuple[int, int]:
        """The volume and weight of the units ``counts`` counts."""
        return sum(map(mul, counts, self._volumes)), sum(map(mul, counts, self._weights))

    # --- the relaxation ------------------------------------------------------------------

    def relaxed(self, counts: Counts | None = None) -> Any:
        """The relaxation bound on the primary score for ``counts`` (default: all units)."""
        counts = self.start if counts is None else counts
        value = self._relax(counts)
        # Inside, whole Fractions are ints (see :meth:`_key`); the bound leaves as the
        # objective's own type, as if it had been added up in Fractions.
        if type(value) is int and self._fraction_primary and any(counts):
            return Fraction(value)
        return value

    def _key(self, spec: Spec, weight: int) -> Key:
        """The objective's score of one package, with whole Fractions as ints.

        The bound and the search only add and compare scores, and ints add and compare
        with ints and Fractions exactly as the Fractions they stand for, several times
        faster; billable weights are whole pounds or kilograms unless the carrier's weight
        step is a fraction. Scores that leave (:meth:`relaxed`) are given back as Fractions.
        """
        cache_key = (spec.index, weight)
        found = self._keys.get(cache_key)
        if found is None:
            key = self.solver.objective.key(spec, weight)
            if type(key[0]) is Fraction:
                self._fraction_primary = True
            found = self._keys[cache_key] = (_whole(key[0]), _whole(key[1]), key[2])
        return found

    def _relax(self, counts: Counts) -> Any:
        relaxed = self._relaxed
        # An infeasible count vector is remembered too (as None), not worked out again.
        known = relaxed.get(counts, _UNSEEN)
        if known is not _UNSEEN:
            return known
        if not any(counts):
            return 0
        part_cost = self._part_cost
        best: Any = None
        for subset, remaining in _parts(counts):
            cheapest = part_cost.get(subset, _UNSEEN)
            if cheapest is _UNSEEN:
                cheapest = self._cheapest(subset)
            if cheapest is None:
                continue
            rest = relaxed.get(remaining, _UNSEEN)
            if rest is _UNSEEN:
                rest = self._relax(remaining)
            if rest is None:
                continue
            total = cheapest + rest
            if best is None or total < best:
                best = total
        relaxed[counts] = best
        return best

    def _holding(self, subset: Counts) -> list[tuple[Spec, Key]]:
        """The carton types that hold ``subset`` in the relaxation, in catalogue order,
        with their score of it (by volume, weight and each unit's fit; remembered)."""
        found = self._holders.get(subset)
        if found is not None:
            return found
        found = []
        volume, weight = self._size(subset)
        # The carton types every kind in the part fits (all of them for no kind).
        fitting = -1
        for take, kind in zip(subset, self.kinds, strict=True):
            if take:
                fitting &= kind.mask
        for place, spec in enumerate(self.specs):
            if volume > spec.volume or (spec.cap is not None and weight > spec.cap):
                continue
            if not fitting >> place & 1:
                continue
            found.append((spec, self._key(spec, weight)))
        self._holders[subset] = found
        return found

    def _cheapest(self, subset: Counts) -> Any:
        """The lowest score of a carton that holds ``subset`` in the relaxation."""
        if subset in self._part_cost:
            return self._part_cost[subset]
        cheapest: Any = None
        for _, key in self._holding(subset):
            value = key[0]
            if cheapest is None or value < cheapest:
                cheapest = value
        self._part_cost[subset] = cheapest
        return cheapest

    def needs_more_than(self, cartons: int) -> bool:
        """Whether every plan needs more than ``cartons`` cartons (True: proven).

        The relaxation limited to ``cartons`` cartons: can the units be split into that many
        parts, each within the volume and weight of one carton type that all its units fit?
        Sub-multisets are enumerated as in :meth:`relaxed`, with the parts' count vectors
        memoised, up to :data:`COUNT_PROOF_WORK` of them in all; out of work, False (nothing
        proven). Carton stock is ignored, which only weakens the bound.
        """
        if cartons < 1 or not self.kinds:
            return False
        if cartons == 2:
            return self._no_two()
        if self.states > COUNT_PROOF_STATES:
            return False
        largest = max(s.volume for s in self.specs)
        caps = [s.cap for s in self.specs]
        heaviest = None if any(c is None for c in caps) else max(c or 0 for c in caps)
        work = [COUNT_PROOF_WORK]
        known: dict[tuple[Counts, int], bool] = {}
        # Each vector's parts, listed once per call: these vectors are too large for the
        # relaxation, so they stay out of the remembered ones (:data:`_PARTS`).
        listed: dict[Counts, list[tuple[Counts, Counts]]] = {}

        def possible(counts: Counts, left: int) -> bool | None:
            if not any(counts):
                return True
            if left == 0:
                return False
            volume, weight = self._size(counts)
            if volume > left * largest or (heaviest is not None and weight > left * heaviest):
                return False
            if left == 1:
                return self._cheapest(counts) is not None
            memo = (counts, left)
            if memo in known:
                return known[memo]
            found: bool | None = False
            size = 1
            for count in counts:
                size *= count + 1
            work[0] -= size  # the sub-multisets to enumerate, charged before listing them
            if work[0] < 0:
                return None
            parts = listed.get(counts)
            if parts is None:
                parts = listed[counts] = _parts_of(counts)
            for subset, remaining in parts:
                if self._cheapest(subset) is None:
                    continue
                rest = possible(remaining, left - 1)
                if rest is None:
                    return None
                if rest:
                    found = True
                    break
            known[memo] = bool(found)
            return found

        return possible(self.start, cartons) is False

    def _no_two(self) -> bool:
        """:meth:`needs_more_than` for two cartons, by intervals (True: proven).

        For each count vector of the first part over every kind but the most numerous, and
        each pair of carton types (first part, rest), the counts of the most numerous kind
        that keep both parts within volume and weight form an interval; an empty interval
        everywhere proves that two cartons are not enough. At most :data:`COUNT_PROOF_WORK`
        vectors are tried; beyond, False (nothing proven).
        """
        kinds = self.kinds
        start = self.start
        last = max(range(len(kinds)), key=lambda i: (start[i], -i))
        others = [i for i in range(len(kinds)) if i != last]
        combos = 1
        for i in others:
            combos *= start[i] + 1
        if combos > COUNT_PROOF_WORK:
            return False
        total_volume = sum(c * k.volume for c, k in zip(start, kinds, strict=True))
        total_weight = sum(c * k.weight for c, k in zip(start, kinds, strict=True))
        big, count = kinds[last], start[last]
        places = range(len(self.specs))
        for chosen in itertools.product(*(range(start[i] + 1) for i in others)):
            volume = sum(c * kinds[i].volume for c, i in zip(chosen, others, strict=True))
            weight = sum(c * kinds[i].weight for c, i in zip(chosen, others, strict=True))
            for a in places:
                if any(c and not kinds[i].fits[a] for c, i in zip(chosen, others, strict=True)):
                    continue
                for b in places:
                    if any(
                        c < start[i] and not kinds[i].fits[b]
                        for c, i in zip(chosen, others, strict=True)
                    ):
                        continue
                    low = 0 if big.fits[b] else count
                    high = count if big.fits[a] else 0
                    low, high = _within(
                        low,
                        high,
                        volume,
                        total_volume,
                        big.volume,
                        self.specs[a].volume,
                        self.specs[b].volume,
                    )
                    low, high = _within(
                        low,
                        high,
                        weight,
                        total_weight,
                        big.weight,
                        self.specs[a].cap,
                        self.specs[b].cap,
                    )
                    if low <= high:
                        return False
        return True

    # --- feasibility ---------------------------------------------------------------------

    def _blocks(self, subset: Counts) -> list[Block]:
        chosen: list[Block] = []
        for take, kind in zip(subset, self.kinds, strict=True):
            chosen.extend(kind.blocks[:take])
        return chosen

    def feasible(self, spec: Spec, subset: Counts) -> CartonFill | None:
        """A complete fill of ``spec`` with ``subset`` (representative units), or ``None``."""
        memo_key = (spec.index, subset)
        if memo_key in self._feasible:
            return self._feasible[memo_key]
        blocks = self._blocks(subset)
        units = [u for b in blocks for u in b]
        pairs = [(a, b) for i, a in enumerate(units) for b in units[i + 1 :]]
        if any(not side_by_side(spec.size, a, b) for a, b in pairs):
            self._feasible[memo_key] = None
            return None
        if stacked_overflow(spec.size, units):
            self._feasible[memo_key] = None
            return None
        box = self.solver.fits_all(spec, blocks)
        if box is None:
            box = self._complete(spec, blocks)
        self._feasible[memo_key] = box
        return box

    def _complete(self, spec: Spec, blocks: Sequence[Block]) -> CartonFill | None:
        """Complete placement search, within the budget (``None``: none found or unknown).

        Dual feasible functions may prove first that the units cannot share the carton
        (:func:`_dual_cut`); otherwise the search over pairwise relations
        (:meth:`_relations`) decides, finding the packings the engine's constructions miss
        in a few hundred nodes. "No packing" from either is a proof; running out of budget
        sets :attr:`unknown`. (A search over normal patterns, tried after it, decided none of
        the 400 random small orders' combinations it left open, so it was dropped.)
        """
        solver = self.solver
        units = [u for b in blocks for u in b]
        if solver.support is not None or solver.tracks_load or any(len(b) > 1 for b in blocks):
            self.unknown = True
            return None
        size = spec.size
        units.sort(key=lambda u: (-u.volume, u.orientations, u.uid))
        fitting = [
            [o for o in u.orientations if o[0] <= size[0] and o[1] <= size[1] and o[2] <= size[2]]
            for u in units
        ]
        if any(not f for f in fitting) or _dual_cut(size, fitting):
            return None
        allowed = min(PLACEMENT_BUDGET, self.placement_budget)
        if allowed <= 0 or solver.spent():
            self.unknown = True
            return None
        nodes = [allowed]
        result = self._related(size, units, fitting, nodes)
        self.placement_budget -= allowed - max(nodes[0], 0)
        if result is None:
            self.unknown = True
            return None
        if not result:
            return None
        box = CartonFill(size, spec.cap, None)
        for unit, c in zip(units, result, strict=True):
            box.boxes.append(c)
            box.units.append(unit)
            box.loads.append(0)
            box.weight += unit.weight
        return box

    def _tick(self, nodes: list[int]) -> bool:
        """Count one node; False when the search's or the order's budget has run out."""
        return self._spend(nodes, 1)

    def _spend(self, nodes: list[int], ticks: int) -> bool:
        """Count ``ticks`` nodes, as many :meth:`_tick` would one by one; False where one
        of them would stop (``nodes`` and the order's work as it would leave them).

        The ticks leave ``nodes[0] - 1`` down to ``nodes[0] - ticks``. Each that leaves a
        multiple of :data:`CHECK_NODES` (0 included) adds that many nodes to the order's
        work and stops if it is spent; the one that leaves -1 stops. Only those are
        visited (a remembered search ticks up to :data:`PLACEMENT_BUDGET` nodes at once).
        """
        left = nodes[0]
        last = left - ticks
        # The highest multiple of CHECK_NODES the ticks leave, then each lower one.
        check = (left - 1) // CHECK_NODES * CHECK_NODES
        while check >= max(last, 0):
            self.solver.work += CHECK_NODES
            if self.solver.spent():
                nodes[0] = check
                return False
            check -= CHECK_NODES
        if last < 0:
            nodes[0] = -1
            return False
        nodes[0] = last
        return True

    def _related(
        self,
        size: tuple[int, ...],
        units: Sequence[EngineUnit],
        fitting: Sequence[Sequence[tuple[int, int, int]]],
        nodes: list[int],
    ) -> list[Box] | Literal[False] | None:
        """:meth:`_relations`, remembered (the same answer, nodes and work as a fresh search).

        The search's path does not depend on its budget: the budget only stops it. So the
        search is worked out once per carton size, units' fitting orientations and twins,
        with the largest budget a search gets (:data:`PLACEMENT_BUDGET`) and no other stop,
        and remembered with the nodes it took (:data:`_RELATIONS`). Each later search ticks
        that many nodes at once (:meth:`_spend`, which stops where a fresh search would)
        and gives the remembered answer if none stops it; a search whose first units found
        no packing answers for it too (:func:`_settled_by_first`). Under a time limit it
        always runs.
        """
        if self.solver.deadline is not None:
            return self._relations(size, units, fitting, nodes)
        twins = tuple(
            units[i].orientations == units[i - 1].orientations for i in range(1, len(units))
        )
        key = (tuple(size), tuple([tuple(f) for f in fitting]), twins)
        answer, ticks = remember(
            _RELATIONS,
            _RELATIONS_KEPT,
            key,
            lambda: _settled_by_first(key) or self._unstopped(key, units, fitting),
        )
        if not self._spend(nodes, ticks):
            return None
        if answer is None or answer is False:
            return answer
        return list(answer)

    def _unstopped(
        self,
        key: _RelationsKey,
        units: Sequence[EngineUnit],
        fitting: Sequence[Sequence[tuple[int, int, int]]],
    ) -> tuple[tuple[Box, ...] | Literal[False] | None, int]:
        """The relations search ``key`` with :data:`PLACEMENT_BUDGET` nodes and no other
        stop, and the nodes it ticked (one more than the budget when it ran out); with no
        packing found, remembered for its first units too (:func:`_remember_first`)."""
        nodes = [PLACEMENT_BUDGET]
        placed = [0]
        found = self._relations(key[0], units, fitting, nodes, _count, placed)
        ticks = PLACEMENT_BUDGET - nodes[0]
        if found is None or found is False:
            _remember_first(key, placed[0], found, ticks)
            return found, ticks
        return tuple(found), ticks

    def _relations(
        self,
        size: tuple[int, ...],
        units: Sequence[EngineUnit],
        fitting: Sequence[Sequence[tuple[int, int, int]]],
        nodes: list[int],
        tick: Callable[[list[int]], bool] | None = None,
        placed: list[int] | None = None,
    ) -> list[Box] | Literal[False] | None:
        """A packing by a complete search over pairwise relations (False: none; None: budget).

        Two boxes that do not overlap are apart along at least one axis: one lies wholly
        before the other. So a packing exists if and only if there are orientations and,
        for every pair, an axis and a direction such that along each axis the longest chain
        of boxes that must follow one another fits the carton's side (each box then starts
        at its earliest start). The search picks each unit's orientation (largest units
        first), then its relation to every unit placed before it, recomputing the earliest
        starts along the constrained axis and cutting as soon as a chain overflows.
        Identical units are numbered in order of their x coordinate in some packing, so a
        later twin never lies wholly before an earlier one along x.

        Each node is counted by ``tick`` (default :meth:`_tick`), which stops the search
        when it answers False; ``placed[0]`` is raised to the most units placed at once.
        """
        if tick is None:
            tick = self._tick
        if placed is None:
            placed = [0]
        count = len(units)
        group = list(range(count))
        for i in range(1, count):
            if units[i].orientations == units[i - 1].orientations:
                group[i] = group[i - 1]
        dims: list[tuple[int, int, int]] = [(0, 0, 0)] * count
        before: list[list[list[int]]] = [[[] for _ in range(count)] for _ in range(3)]

        def starts(axis: int, known: int) -> list[int] | None:
            side = size[axis]
            earliest = [0] * known
            for _ in range(known + 1):
                changed = False
                for i in range(known):
                    start = earliest[i]
                    for j in before[axis][i]:
                        end = earliest[j] + dims[j][axis]
                        if end > start:
                            start = end
                    if start != earliest[i]:
                        if start + dims[i][axis] > side:
                            return None
                        earliest[i] = start
                        changed = True
                if not changed:
                    return earliest
            return None  # still growing: a cycle of "before"

        # The earliest start of every placed unit along each axis under the relations in
        # hand, kept up to date as relations come and go: a new relation can only push
        # the units after it, so only those are visited (what ``starts`` would find
        # afresh, with the same verdict: a chain that overflows, or a cycle, which grows
        # until it overflows; see :func:`_push`).
        earliest = [[0] * count for _ in range(3)]
        after: list[list[list[int]]] = [[[] for _ in range(count)] for _ in range(3)]
        # Each unit's extent along each axis in the orientation in hand (``dims`` by axis,
        # read at every node without a tuple in between).
        extents = [[0] * count for _ in range(3)]
        # The relations (first, second) tried between units i and j, at [i][j]: either
        # before the other, but along x a later twin never before an earlier one. Built
        # once per search, not once per node.
        both = [[((j, i), (i, j)) for j in range(count)] for i in range(count)]
        along_x = [
            [both[i][j][:1] if group[i] == group[j] else both[i][j] for j in range(count)]
            for i in range(count)
        ]
        axes = [
            (size[a], earliest[a], after[a], extents[a], along_x if a == 0 else both)
            for a in range(3)
        ]
        x_extent, y_extent, z_extent = extents

        def place(i: int) -> bool | None:
            if i > placed[0]:
                placed[0] = i
            if i == count:
                return True
            for o in fitting[i]:
                dims[i] = o
                x_extent[i], y_extent[i], z_extent[i] = o
                found = relate(i, 0)  # noqa: F821 (deleted after the search)
                if found is None or found:
                    return found
            return False

        def relate(i: int, j: int) -> bool | None:
            if j == i:
                return place(i + 1)  # noqa: F821 (deleted after the search)
            if not tick(nodes):
                return None
            for side, starts_now, follow, extent, tried in axes:
                if extent[i] + extent[j] > side:
                    continue
                for first, second in tried[i][j]:
                    start = starts_now[first] + extent[first]
                    # The common cases without a walk: ``second`` itself overflows (the
                    # starts in hand fit, so it would have to move), it need not move, or
                    # it moves and no unit follows it (what :func:`_push` would do).
                    if start + extent[second] > side:
                        continue  # a chain overflows: this relation cannot hold
                    follow[first].append(second)
                    if start <= starts_now[second]:
                        moved: Sequence[tuple[int, int]] = _UNMOVED
                    elif not follow[second]:
                        moved = ((second, starts_now[second]),)
                        starts_now[second] = start
                    else:
                        pushed = _push(side, starts_now, follow, extent, second, start)
                        if pushed is None:
                            follow[first].pop()
                            continue
                        moved = pushed
                    found = relate(i, j + 1)  # noqa: F821 (deleted after the search)
                    if found:
                        return True  # the relations stay: the positions are read from them
                    follow[first].pop()
                    if moved:
                        _undo(starts_now, moved)
                    if found is None:
                        return None
            return False

        found = place(0)
        del place, relate  # they name each other: a cycle only the cyclic collector frees
        if found is None:
            return None
        if not found:
            return False
        # The search keeps each unit's followers along each axis; ``starts`` reads the
        # units each one follows.
        for axis in range(3):
            for first, followers in enumerate(after[axis]):
                for second in followers:
                    before[axis][second].append(first)
        corners = [starts(axis, count) for axis in range(3)]
        xs, ys, zs = corners
        if xs is None or ys is None or zs is None:
            return None  # cannot happen: the search left every chain within its side
        boxes = [
            (xs[i], ys[i], zs[i], xs[i] + dims[i][0], ys[i] + dims[i][1], zs[i] + dims[i][2])
            for i in range(count)
        ]
        # The relations imply a packing; checked anyway, as a wrong fill must never leave.
        for n, b in enumerate(boxes):
            if any(b[3 + a] > size[a] for a in range(3)) or any(
                all(b[a] < c[3 + a] and c[a] < b[3 + a] for a in range(3)) for c in boxes[n + 1 :]
            ):
                return None
        return boxes

    # --- the search ----------------------------------------------------------------------

    def solve(self, ceiling: Key) -> Solution | None:
        """The best plan scoring below ``ceiling``, or ``None`` if there is none.

        ``None`` with :attr:`unknown` false proves that no plan scores below ``ceiling``.
        """
        # The search adds and compares the scores of :meth:`_key`, whole Fractions as ints;
        # the ceiling too, so the search's sums and comparisons stay on ints (the plan's
        # score is added up from the objective's own scores below).
        ceiling = (_whole(ceiling[0]), _whole(ceiling[1]), ceiling[2])
        found = self._search(self.start, ceiling)
        if found is None:
            return None
        _, choices = found
        pools = [list(k.blocks) for k in self.kinds]
        packages: list[tuple[Spec, CartonFill, str]] = []
        for spec, subset in choices:
            template = self.feasible(spec, subset)
            assert template is not None
            box = self._rebind(spec, template, subset, pools)
            packages.append((spec, box, ""))
        return Solution(packages, self.solver._total(packages))

    def _rebind(
        self, spec: Spec, template: CartonFill, subset: Counts, pools: list[list[Block]]
    ) -> CartonFill:
        """The template's placements with the next unused units of each kind."""
        kind_of: dict[int, int] = {}
        for index, kind in enumerate(self.kinds):
            for block in kind.blocks:
                for unit in block:
                    kind_of[unit.uid] = index
        taken: dict[int, list[EngineUnit]] = {}
        for index, take in enumerate(subset):
            taken[index] = [u for b in pools[index][:take] for u in b]
            del pools[index][:take]
        box = CartonFill(spec.size, spec.cap, self.solver.support)
        for unit, c in zip(template.units, template.boxes, strict=True):
            actual = taken[kind_of[unit.uid]].pop(0)
            box.boxes.append(c)
            box.units.append(actual)
            box.loads.append(0)
            box.weight += actual.weight
        return box

    def _search(self, counts: Counts, ceiling: Key) -> tuple[Key, list[tuple[Spec, Counts]]] | None:
        if not any(counts):
            empty: Key = (0, 0, 0)
            return (empty, []) if empty < ceiling else None
        solved = self._solved.get(counts)
        if solved is not None:
            return solved if solved[0] < ceiling else None
        cut = self._cut.get(counts)
        if cut is not None and cut >= ceiling:
            return None
        bound = self._relax(counts)
        if bound is None or bound > ceiling[0]:
            return None
        relaxed = self._relaxed
        candidates: list[tuple[Any, int, Key, Spec, Counts, Counts]] = []
        order = 0
        for subset, remaining in _parts(counts):
            rest = relaxed.get(remaining, _UNSEEN)
            if rest is _UNSEEN:
                rest = self._relax(remaining)
            if rest is None:
                continue
            for spec, key in self._holding(subset):
                candidates.append((key[0] + rest, order, key, spec, subset, remaining))
                order += 1
        candidates.sort(key=lambda c: (c[0], c[1]))
        best: tuple[Key, list[tuple[Spec, Counts]]] | None = None
        limit = ceiling
        for floor, _, key, spec, subset, remaining in candidates:
            if floor > limit[0]:
                break
            self.budget -= 1
            self.solver.work += 1
            if self.budget < 0 or self.solver.spent():
                self.budget = min(self.budget, -1)
                self.unknown = True
                break
            if self.feasible(spec, subset) is None:
                continue
            below = (limit[0] - key[0], limit[1] - key[1], limit[2] - key[2])
            sub = self._search(remaining, below)
            if sub is None:
                continue
            total = add_keys(key, sub[0])
            if total < limit:
                best = (total, [(spec, subset), *sub[1]])
                limit = total
        if best is not None and self.budget >= 0:
            self._solved[counts] = best
        elif best is None and self.budget >= 0:
            self._cut[counts] = max(ceiling, cut) if cut is not None else ceiling
        return best
