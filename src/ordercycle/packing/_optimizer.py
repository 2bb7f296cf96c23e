"""Carton selection: the search behind :func:`ordercycle.packing.pack`.

The order is split into parts that are solved on their own: units in their own packaging
(one package each), units that ship alone (the best single carton each), and the rest,
where groups that must share a carton move as one block.

For the rest, the search is:

1. *Single carton.* Cartons are tried from the best objective value upward (the value of a
   one-carton plan is known before packing: it depends only on the carton and the total
   weight); the first carton the engine fills completely, with any of ``effort``
   placement strategies, is the best single-carton plan.
2. *Several cartons.* For every prefix of the catalogue ordered by inner volume that
   cannot hold the order in one carton (and whose lower bound could still beat the best
   plan so far), two constructions: a carton-by-carton fill (repeatedly fill the carton
   type with the best objective per packed volume) and a best fit over all open cartons.
   Both are then improved: merge the last two packages into one carton, empty the
   least-filled carton into the others, and move each package into a better single
   carton. For the carton-count objective, further strategies are tried while the plan
   uses more cartons than the lower bound; the prefixes are then visited from the whole
   catalogue down (a smaller one is cut once its bound cannot beat the plan in hand), the
   deeper strategies change the unit order before the placement rule, and the merge of
   the last two cartons may try every placement strategy after the budget is spent
   (:data:`MERGE_WORK`).
3. The best of these plans wins (ties go to the earlier one, so the result is
   deterministic). Because the candidates for a catalogue include every candidate of the
   catalogue without its largest carton, adding a carton larger than all others never
   makes the result worse; for the carton-count objective this holds without a work
   budget (``work_limit=None``), since the larger catalogue is searched first and may use
   the budget a smaller one would have had.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ordercycle._memo import remember, remember_for_pair
from ordercycle.model.clock import Clock
from ordercycle.packing._engine import (
    STRATEGIES,
    CartonFill,
    EngineUnit,
    side_by_side,
    stacked_overflow,
)
from ordercycle.packing.carriers import DimWeightRule
from ordercycle.packing.carton import Carton
from ordercycle.packing.rates import RateModel
from ordercycle.units import from_exact

__all__ = ["Key", "Objective", "Solution", "Solver", "Spec"]

Key = tuple[Any, Any, Any]
#: Under a time limit, a carton fill looks at the clock once every this many blocks.
CHECK_BLOCKS = 8
#: Fewest cartons: work the merge of a plan's last two cartons may spend beyond a spent
#: budget, so it still tries every placement strategy (two of BoxPacker's orders reach
#: their proven bound this way; about 1 ms of CPU where it runs).
MERGE_WORK = 5000
Block = tuple[EngineUnit, ...]

#: A fill's state: its boxes, extreme points, loads and weight.
_FillState = tuple[tuple[Any, ...], tuple[Any, ...], tuple[int, ...], int]
#: A complete fill's step as :meth:`Solver.complete_fill` remembers it: the step's number
#: (the key of the steps after it), the work the blocks so far took, and the fill's state
#: after them (``None``: the last block did not fit, so the fill stops there).
_FillStep = tuple[int, int, _FillState | None]
#: Complete fills block by block, a tree over the blocks in order: the first step by
#: (carton size, capacity, support, load tracking, strategy), each next one by (the number
#: of the step before, the next block's unit signatures). A fill depends on nothing else,
#: and the same units are fitted into the same cartons request after request (a
#: 3,000-order run: three of four fills of the single-carton tests and the exact search
#: were worked out before); a fill that starts with the blocks of a remembered one goes
#: on from there (the fills worked out for the first-time packs of a 2,000-order run: two
#: in three began so, half of their blocks, and 1,520 of 3,246 stop where a remembered
#: one stopped). Emptied when it holds _FILL_STEPS_KEPT steps.
_FILL_STEPS: dict[tuple[object, ...], _FillStep] = {}
_FILL_STEPS_KEPT = 16384
#: Numbers for new steps: never reused, so a step kept from before the table was emptied
#: is never taken for another.
_STEP_NUMBERS = itertools.count()
#: The state of an empty fill.
_EMPTY_FILL: _FillState = ((), ((0, 0, 0),), (), 0)


class Spec:
    """A carton type as the search sees it: integer inner size, capacity, stock."""

    __slots__ = ("cap", "carton", "index", "size", "volume")

    def __init__(self, index: int, carton: Carton, scale: int, weight_scale: int) -> None:
        self.index = index
        self.carton = carton
        # Each side in steps of 1/scale mm, and the capacity in weight steps, rounded down:
        # on the Fractions' integers (a side is positive), not by Fraction products.
        length, width, height = (
            side.numerator * scale // side.denominator for side in carton.inner_mm
        )
        self.size = (length, width, height)
        self.volume = length * width * height
        capacity = carton.capacity_g
        self.cap = (
            None if capacity is None else capacity.numerator * weight_scale // capacity.denominator
        )

    def holds(self, unit: EngineUnit) -> bool:
        """Whether ``unit`` fits this carton type empty (size and weight).

        :meth:`CartonFill.fits_alone` of an empty fill of this type, without making one
        (the searches asked it of a fill made for the question, thousands of times).
        """
        if self.cap is not None and unit.weight > self.cap:
            return False
        big_l, big_w, big_h = self.size
        return any(o[0] <= big_l and o[1] <= big_w and o[2] <= big_h for o in unit.orientations)


#: Billable weights shared by every search: (id of the carrier rule, id of the carton,
#: engine weight, weight scale) -> (the rule, the carton, the billable weight), through
#: :func:`~ordercycle._memo.remember_for_pair`. A billable weight depends on nothing else,
#: and the desk hands the same carton and rule objects to every pack (each search started
#: with an empty cache of its own: about half its keys were new, most of them worked out
#: for an earlier request).
_BILLABLE: dict[tuple[Hashable, ...], tuple[object, object, Fraction]] = {}
_BILLABLE_KEPT = 16384
#: Dimensional weights shared by every search, the same way: (id of the carrier rule, id
#: of the carton) -> (the rule, the carton, its dimensional weight or None). Each search
#: worked out its cartons' again (about 7 us each).
_DIMENSIONAL: dict[tuple[Hashable, ...], tuple[object, object, Fraction | None]] = {}
_DIMENSIONAL_KEPT = 4096


class Objective:
    """Scores one package: ``(primary, secondary, tertiary)``, smaller is better."""

    def __init__(
        self,
        name: str,
        carrier: DimWeightRule | None,
        rate: RateModel | None,
        weight_scale: int = 1,
    ) -> None:
        self.name = name
        self.carrier = carrier
        self.rate = rate
        self.weight_scale = weight_scale
        self._cache: dict[tuple[int, int], Key] = {}

    def billable(self, carton: Carton, items_g: Fraction) -> Fraction:
        """Billable weight in the carrier's unit (actual kilograms without a carrier)."""
        gross = carton.tare_g + items_g
        carrier = self.carrier
        if carrier is None:
            return gross / 1000
        actual = carrier.actual_weight_exact(gross)
        dimensional = self.dimensional(carton)
        return actual if dimensional is None else max(actual, dimensional)

    def dimensional(self, carton: Carton) -> Fraction | None:
        """The carrier's dimensional weight of the carton (``None`` without one or below it).

        It does not depend on the contents, so it is worked out once per carton and rule
        (:data:`_DIMENSIONAL`).
        """
        carrier = self.carrier
        if carrier is None:
            return None
        return remember_for_pair(
            _DIMENSIONAL,
            _DIMENSIONAL_KEPT,
            carrier,
            carton,
            (),
            lambda: carrier.dimensional_weight_exact(carton.outer_mm),
        )

    def billable_quantity(self, value: Fraction) -> Any:
        """The billable weight as a quantity."""
        unit = "kg" if self.carrier is None else self.carrier.weight_unit
        return from_exact(value, unit)

    def cost(self, carton: Carton, billable: Fraction) -> Decimal:
        """Carton cost plus rate, as a Decimal amount."""
        amount = Decimal(0) if carton.cost is None else carton.cost.amount
        if self.rate is not None:
            amount += self.rate.price(self.billable_quantity(billable)).amount
        return amount

    def key(self, spec: Spec, weight: int) -> Key:
        """The score of one package of ``spec`` holding ``weight`` (engine weight units)."""
        cache_key = (spec.index, weight)
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        carrier, carton = self.carrier, spec.carton
        billable = remember_for_pair(
            _BILLABLE,
            _BILLABLE_KEPT,
            carrier,
            carton,
            (weight, self.weight_scale),
            lambda: self.billable(carton, Fraction(weight, self.weight_scale)),
        )
        result: Key
        if self.name == "cost":
            result = (self.cost(spec.carton, billable), billable, spec.volume)
        elif self.name == "cartons":
            result = (1, billable, spec.volume)
        else:
            result = (billable, 1, spec.volume)
        self._cache[cache_key] = result
        return result

    def describe(self, value: Any, currency: str = "") -> str:
        """A primary value as text (``"11 lb"``, ``"12.40 USD"``, ``"1 carton"``)."""
        if self.name == "cost":
            return f"{value} {currency}".strip()
        if self.name == "cartons":
            return f"{value} carton" + ("" if value == 1 else "s")
        return self.describe_weight(value)

    def describe_weight(self, value: Fraction) -> str:
        """A billable weight as text."""
        unit = "kg" if self.carrier is None else self.carrier.weight_unit
        number = Fraction(value)
        text = str(number.numerator) if number.denominator == 1 else f"{float(number):g}"
        return f"{text} {unit} billable"


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to write ``total`` as an ordered sum of ``parts`` counts of 0 or more."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def add_keys(a: Key, b: Key) -> Key:
    """Element-wise sum of two scores."""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


class Solution:
    """A list of packages ``(spec, bin, reason)`` with its total score."""

    __slots__ = ("key", "leftover", "note", "packages")

    def __init__(self, packages: list[tuple[Spec, CartonFill, str]], key: Key) -> None:
        self.packages = packages
        self.key = key
        self.note = ""
        self.leftover: list[Block] = []


def _volume(unit: EngineUnit) -> tuple[int, ...]:
    return (unit.volume, max(max(o) for o in unit.orientations))


def _longest(unit: EngineUnit) -> tuple[int, ...]:
    return (max(max(o) for o in unit.orientations), unit.volume)


def _face(unit: EngineUnit) -> tuple[int, ...]:
    return (max(o[0] * o[1] for o in unit.orientations), unit.volume)


def _height(unit: EngineUnit) -> tuple[int, ...]:
    return (max(o[2] for o in unit.orientations), unit.volume)


MEASURES: tuple[Any, ...] = (_volume, _height, _face, _longest)


def _sort_key(unit: EngineUnit, measure: Any = _volume) -> tuple[object, ...]:
    # Units that may carry little go last (they end up on top), big ones first.
    limit = unit.load_limit
    return (limit is not None, -(limit or 0), *(-m for m in measure(unit)), unit.key)


class Solver:
    """Solves one part of an order on one catalogue."""

    def __init__(
        self,
        specs: Sequence[Spec],
        objective: Objective,
        support: Fraction | None,
        effort: int,
        stock: dict[int, int | None],
        currency: str,
        tracks_load: bool = False,
    ) -> None:
        self.specs = list(specs)
        self.by_volume = sorted(self.specs, key=lambda s: (s.volume, s.index))
        self.objective = objective
        self.support = support
        self.effort = effort
        self.stock = stock
        self.currency = currency
        self.tracks_load = tracks_load
        self.variant = 0
        self.clock: Clock | None = None
        self.deadline: datetime | None = None
        #: Work done so far (placement attempts and exact-search steps) and the budget.
        self.work = 0
        self.work_limit: int | None = None
        #: Whether the search stopped early because the work or time budget ran out.
        self.stopped = False
        #: Whether a complete plan is in hand, so a construction may stop half-way.
        self.has_plan = False
        self.timed_out = False
        self._bounds: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        #: :func:`_sort_key` by (unit, measure); units compare by identity.
        self._sort_keys: dict[tuple[EngineUnit, Any], tuple[object, ...]] = {}
        #: :meth:`_screen` by (carton type's index, blocks).
        self._screens: dict[tuple[int, tuple[Block, ...]], bool] = {}

    def out_of_time(self) -> bool:
        """Whether a time limit was given and has passed."""
        return (
            self.clock is not None
            and self.deadline is not None
            and self.clock.now() >= self.deadline
        )

    def late(self) -> bool:
        """Whether the time limit has passed (then remembered; the work budget aside)."""
        if not self.timed_out and self.out_of_time():
            self.timed_out = self.stopped = True
        return self.timed_out

    def cut_short(self) -> bool:
        """Whether to abandon the current construction: a plan is in hand and time is up.

        Only the time limit cuts a construction short; the work budget stops the deeper
        strategies and the exact search, so its plans stay as good as the first pass.
        """
        return self.has_plan and self.late()

    def spent(self) -> bool:
        """Whether the work budget or the time limit has run out (then remembered)."""
        if self.stopped:
            return True
        if (self.work_limit is not None and self.work >= self.work_limit) or self.late():
            self.stopped = True
        return self.stopped

    # --- helpers --------------------------------------------------------------------------

    def _available(self, spec: Spec, used: dict[int, int]) -> bool:
        limit = self.stock.get(spec.index)
        return limit is None or used.get(spec.index, 0) < limit

    @staticmethod
    def _units(blocks: Sequence[Block]) -> list[EngineUnit]:
        return [unit for block in blocks for unit in block]

    def _screen(self, spec: Spec, blocks: Sequence[Block]) -> bool:
        """Whether ``spec`` may hold ``blocks`` (weight, volume, each unit alone).

        Remembered per solver by the carton type and the blocks (units compare by
        identity): the searches ask it again of the same ones (a first-time pack: 45 % of
        its screens).
        """
        key = (spec.index, tuple(blocks))
        known = self._screens.get(key)
        if known is None:
            units = self._units(blocks)
            known = self._screens[key] = (
                (spec.cap is None or sum(u.weight for u in units) <= spec.cap)
                and sum(u.volume for u in units) <= spec.volume
                and all(spec.holds(u) for u in units)
            )
        return known

    def fill(
        self, spec: Spec, blocks: Sequence[Block], strategy: int, complete: bool
    ) -> CartonFill | None:
        """Fill one carton with ``blocks`` in order; ``complete`` demands every block fits."""
        box = CartonFill(spec.size, spec.cap, self.support, strategy, self.tracks_load)
        failed: set[tuple[object, ...]] = set()
        for number, block in enumerate(blocks):
            if number % CHECK_BLOCKS == CHECK_BLOCKS - 1 and self.cut_short():
                return None
            if len(block) == 1 and block[0].signature in failed:
                self.work += 1 + len(box.boxes)  # counted as a try, as it always was
                continue
            if not self._place_block(box, block):
                if complete:
                    return None
                if len(block) == 1:
                    failed.add(block[0].signature)
        return box

    def complete_fill(
        self, spec: Spec, blocks: Sequence[Block], strategy: int
    ) -> CartonFill | None:
        """:meth:`fill` with ``complete`` (the same fill, and the same work counted).

        Without a time limit a fill is a pure function of the carton, the strategy and the
        blocks' unit signatures: it places the blocks one by one (:meth:`_place_block`),
        and each step depends on the steps before. So it is remembered step by step
        (:data:`_FILL_STEPS`): the remembered steps are followed as far as they go, a fill
        that stopped there stops, and otherwise the fill goes on from the last one, made
        again from what was kept and bound to these units. Under a time limit it may stop
        at the clock, so it is always worked out.
        """
        if self.deadline is not None:
            return self.fill(spec, blocks, strategy, complete=True)
        steps = _FILL_STEPS
        root = (spec.size, spec.cap, self.support, self.tracks_load, strategy)
        step = remember(
            steps, _FILL_STEPS_KEPT, root, lambda: (next(_STEP_NUMBERS), 0, _EMPTY_FILL)
        )
        start = self.work
        # The fill in hand in the state of ``step``, once a step is worked out (the steps
        # before it were remembered).
        box: CartonFill | None = None
        for number, block in enumerate(blocks):
            # Most blocks are one unit: its signature without a list in between.
            signatures = (
                (block[0].signature,) if len(block) == 1 else tuple([u.signature for u in block])
            )
            key = (step[0], signatures)
            found = steps.get(key)
            if found is None:
                state = step[2]
                assert state is not None  # a step that stopped has no steps after it
                if box is None:
                    box = self._resumed(spec, strategy, blocks[:number], state)
                found = self._fill_step(key, box, block, start, step[1])
            else:
                box = None  # behind the remembered step (another thread's, at most)
            step = found
            if step[2] is None:
                self.work = start + step[1]
                return None
        self.work = start + step[1]
        if box is not None:
            return box
        state = step[2]
        assert state is not None
        return self._resumed(spec, strategy, blocks, state)

    def _fill_step(
        self, key: tuple[object, ...], box: CartonFill, block: Block, start: int, before: int
    ) -> _FillStep:
        """The step ``key`` worked out and remembered: ``block`` placed into ``box``, after
        blocks that took ``before`` work (counted from ``start``)."""
        self.work = start + before
        placed = self._place_block(box, block)
        state = (tuple(box.boxes), tuple(box.eps), tuple(box.loads), box.weight)
        made: _FillStep = (next(_STEP_NUMBERS), self.work - start, state if placed else None)
        return remember(_FILL_STEPS, _FILL_STEPS_KEPT, key, lambda: made)

    def _resumed(
        self, spec: Spec, strategy: int, blocks: Sequence[Block], state: _FillState
    ) -> CartonFill:
        """A fill of ``spec`` in ``state``, the state after placing ``blocks`` (each one
        placed, in order: the fill's units are the blocks' units)."""
        box = CartonFill(spec.size, spec.cap, self.support, strategy, self.tracks_load)
        boxes, eps, loads, weight = state
        box.boxes = list(boxes)
        box.units = [unit for block in blocks for unit in block]
        box.eps = list(eps)
        box.loads = list(loads)
        box.weight = weight
        return box

    def order(self, blocks: Sequence[Block], variant: int = 0) -> list[Block]:
        """Blocks sorted for filling: big first, identical units together.

        ``variant`` picks the size measure: volume, then the largest side, then the
        largest face (the orders tried by the deeper strategies).
        """
        measure = MEASURES[variant % len(MEASURES)]
        # A unit's key is a pure function of the unit and the measure, and the search
        # sorts the same units again and again (each strategy, each carton, each
        # sub-multiset): each key is worked out once per solver.
        known = self._sort_keys
        sort_key = _sort_key

        def block_key(block: Block) -> tuple[object, ...]:
            keys = []
            for unit in block:
                found = known.get((unit, measure))
                if found is None:
                    found = known[(unit, measure)] = sort_key(unit, measure)
                keys.append(found)
            return min(keys)

        return sorted(blocks, key=block_key)

    def fits_all(self, spec: Spec, blocks: Sequence[Block]) -> CartonFill | None:
        """A complete fill of ``spec`` with every block, trying the strategies in turn."""
        if not self._screen(spec, blocks):
            return None
        ordered: list[Block] = []
        variant = -1
        for strategy in range(self.effort):
            if strategy and self.spent():
                break
            if strategy // len(STRATEGIES) != variant:
                # The strategies of one variant fill the blocks in the same order.
                variant = strategy // len(STRATEGIES)
                ordered = self.order(blocks, variant)
            box = self.complete_fill(spec, ordered, strategy)
            if box is not None:
                return box
        return None

    def weight(self, blocks: Sequence[Block]) -> int:
        """Total weight of the blocks (engine weight units)."""
        return sum(u.weight for u in self._units(blocks))

    # --- single carton --------------------------------------------------------------------

    def single(
        self, blocks: Sequence[Block], used: dict[int, int], specs: Sequence[Spec] | None = None
    ) -> tuple[Spec, CartonFill, str] | None:
        """The best single carton that holds every block, with the reason."""
        weight = self.weight(blocks)
        pool = [s for s in (specs or self.specs) if self._available(s, used)]
        ranked = sorted(pool, key=lambda s: (self.objective.key(s, weight), s.index))
        failed: list[Spec] = []
        for position, spec in enumerate(ranked):
            box = self.fits_all(spec, blocks)
            if box is None:
                failed.append(spec)
                continue
            rest = [s for s in ranked[position + 1 :] if self._screen(s, blocks)]
            return spec, box, self._single_reason(spec, weight, failed, rest)
        return None

    def _single_reason(self, spec: Spec, weight: int, failed: list[Spec], rest: list[Spec]) -> str:
        describe = self.objective.describe
        mine = self.objective.key(spec, weight)
        text = f"carton {spec.carton.name} chosen: {describe(mine[0], self.currency)}"
        if self.objective.name == "cartons":
            text += f", {self.objective.describe_weight(mine[1])}"
        if rest:
            other = rest[0]
            theirs = self.objective.key(other, weight)
            value = theirs[1] if self.objective.name == "cartons" else theirs[0]
            shown = (
                self.objective.describe_weight(value)
                if self.objective.name == "cartons"
                else describe(value, self.currency)
            )
            text += f" vs {shown} for {other.carton.name}"
        if failed:
            names = ", ".join(s.carton.name for s in failed)
            text += f"; {names} could not hold the contents"
        return text

    # --- several cartons ------------------------------------------------------------------

    def greedy(
        self,
        blocks: Sequence[Block],
        specs: Sequence[Spec],
        used: dict[int, int],
        strategy: int = 0,
        partial: bool = False,
    ) -> Solution | None:
        """Fill cartons one at a time, then improve; ``None`` if some block never fits.

        With ``partial``, stop when no carton (left in stock) takes another block and keep
        the blocks that are left in :attr:`Solution.leftover`.
        """
        remaining = self.order(blocks, self.variant)
        used = dict(used)
        packages: list[tuple[Spec, CartonFill, str]] = []
        counting = self.objective.name == "cartons"
        # Fewest cartons: the carton that packs the most volume wins, and no carton packs
        # more than its inner volume, so the largest are filled first and a carton smaller
        # than the volume already packed is not filled at all (the same choice, less work).
        pool = sorted(specs, key=lambda s: (-s.volume, s.index)) if counting else specs
        while remaining:
            if self.cut_short():
                return None
            best: tuple[tuple[object, ...], Spec, CartonFill] | None = None
            most = 0
            for spec in pool:
                if not self._available(spec, used):
                    continue
                if counting and spec.volume < most:
                    continue
                box = self.fill(spec, remaining, strategy, complete=False)
                if box is None or not box.boxes:
                    continue
                volume = box.used_volume
                most = max(most, volume)
                key = self.objective.key(spec, box.weight)
                if counting:
                    rank: tuple[object, ...] = (-volume, key, spec.index)
                else:
                    rank = (
                        Fraction(key[0]) / volume
                        if not isinstance(key[0], Decimal)
                        else key[0] / volume,
                        key,
                        spec.index,
                    )
                if best is None or rank < best[0]:
                    best = (rank, spec, box)
            if best is None:
                if not partial:
                    return None
                break
            _, spec, box = best
            placed = {u.uid for u in box.units}
            remaining = [b for b in remaining if b[0].uid not in placed]
            used[spec.index] = used.get(spec.index, 0) + 1
            reason = (
                f"carton {spec.carton.name} filled in the multi-carton pass: it packs the most"
                if self.objective.name == "cartons"
                else f"carton {spec.carton.name} filled in the multi-carton pass: best"
                f" {self.objective.name.replace('_', ' ')} per packed volume"
            )
            packages.append((spec, box, reason))
        packages = self._improve(packages, specs, used)
        solution = Solution(packages, self._total(packages))
        solution.leftover = list(remaining)
        return solution

    def partial(self, blocks: Sequence[Block], used: dict[int, int]) -> Solution:
        """Pack as much as the cartons in stock hold; the rest goes to ``leftover``.

        Tries each strategy and keeps the plan that packs the most volume (then the best
        score).
        """
        best: tuple[tuple[object, ...], Solution] | None = None
        for strategy in range(self.effort):
            if strategy and self.spent():
                break
            self.variant = strategy // len(STRATEGIES)
            found = self.greedy(blocks, self.specs, used, strategy, partial=True)
            self.variant = 0
            if found is None:
                continue
            packed = sum(box.used_volume for _, box, _ in found.packages)
            rank = (-packed, found.key, strategy)
            if best is None or rank < best[0]:
                best = (rank, found)
            if not found.leftover:
                break
        assert best is not None
        return best[1]

    def first_fit(
        self,
        blocks: Sequence[Block],
        specs: Sequence[Spec],
        used: dict[int, int],
        strategy: int = 0,
    ) -> Solution | None:
        """Best fit decreasing over all open cartons, then improve.

        Each block goes into the fullest open carton that takes it; when none does, the
        largest carton still in stock is opened. Keeping every carton open fills the gaps
        that a carton-by-carton fill leaves behind.
        """
        used = dict(used)
        opened: list[tuple[Spec, CartonFill, int]] = []
        largest_first = sorted(specs, key=lambda s: (-s.volume, s.index))
        for block in self.order(blocks, self.variant):
            if self.cut_short():
                return None
            need = sum(u.volume for u in block)
            placed = False
            # Best fit: the fullest open carton that takes the block.
            by_fullness = sorted(range(len(opened)), key=lambda i: (opened[i][2], i))
            for position in by_fullness:
                spec, box, free = opened[position]
                if free >= need and self._place_block(box, block):
                    opened[position] = (spec, box, free - need)
                    placed = True
                    break
            if placed:
                continue
            for spec in largest_first:
                if not self._available(spec, used):
                    continue
                box = CartonFill(spec.size, spec.cap, self.support, strategy, self.tracks_load)
                if self._place_block(box, block):
                    opened.append((spec, box, spec.volume - need))
                    used[spec.index] = used.get(spec.index, 0) + 1
                    placed = True
                    break
            if not placed:
                return None
        reason = "filled in the first-fit pass over all open cartons"
        packages = [(spec, box, f"carton {spec.carton.name} {reason}") for spec, box, _ in opened]
        packages = self._improve(packages, specs, used)
        return Solution(packages, self._total(packages))

    def _place_block(self, box: CartonFill, block: Block) -> bool:
        self.work += 1 + len(box.boxes)
        if len(block) == 1:
            return box.place(block[0])
        snap = box.snapshot()
        if all(box.place(unit) for unit in block):
            return True
        box.restore(snap)
        return False

    def _total(self, packages: Sequence[tuple[Spec, CartonFill, str]]) -> Key:
        total: Key = (0, 0, 0)
        for spec, box, _ in packages:
            total = add_keys(total, self.objective.key(spec, box.weight))
        return total

    def _blocks_of(self, box: CartonFill) -> list[Block]:
        groups: dict[str, list[EngineUnit]] = {}
        blocks: list[Block] = []
        for unit in box.units:
            if unit.group is None:
                blocks.append((unit,))
            else:
                groups.setdefault(unit.group, []).append(unit)
        blocks.extend(tuple(units) for _, units in sorted(groups.items()))
        return blocks

    def _improve(
        self,
        packages: list[tuple[Spec, CartonFill, str]],
        specs: Sequence[Spec],
        used: dict[int, int],
    ) -> list[tuple[Spec, CartonFill, str]]:
        # Merge the last two packages into one carton when that scores better. The
        # packages are a complete plan already, so out of time they are kept as they are.
        if self.late():
            return packages
        if len(packages) >= 2:
            (spec_a, box_a, _), (spec_b, box_b, _) = packages[-2], packages[-1]
            freed = dict(used)
            freed[spec_a.index] -= 1
            freed[spec_b.index] -= 1
            merged = self._merge_single(
                self._blocks_of(box_a) + self._blocks_of(box_b), freed, specs
            )
            if merged is not None:
                before = add_keys(
                    self.objective.key(spec_a, box_a.weight),
                    self.objective.key(spec_b, box_b.weight),
                )
                spec, box, reason = merged
                if self.objective.key(spec, box.weight) < before:
                    packages = [*packages[:-2], (spec, box, reason + " (two cartons merged)")]
                    used = freed
                    used[spec.index] = used.get(spec.index, 0) + 1
        # Empty the least-filled carton into the others while that scores better.
        packages = self._dissolve(packages, used)
        # Move each package into a better single carton when one holds it.
        for position in range(len(packages) - 1, -1, -1):
            if self.late():
                break
            spec, box, _ = packages[position]
            current = self.objective.key(spec, box.weight)
            freed = dict(used)
            freed[spec.index] -= 1
            better = self.single(self._blocks_of(box), freed, specs)
            if better is None:
                continue
            new_spec, new_box, reason = better
            if self.objective.key(new_spec, new_box.weight) < current:
                packages[position] = (
                    new_spec,
                    new_box,
                    reason + f" (repacked from {spec.carton.name})",
                )
                used = freed
                used[new_spec.index] = used.get(new_spec.index, 0) + 1
        return packages

    def _merge_single(
        self, blocks: Sequence[Block], used: dict[int, int], specs: Sequence[Spec]
    ) -> tuple[Spec, CartonFill, str] | None:
        """:meth:`single` for a merge of two cartons into one.

        For the fewest cartons, a spent work budget is extended by :data:`MERGE_WORK` for
        this merge alone (never under a time limit), so every placement strategy is tried:
        one carton fewer is worth more than any other step. The budget is then restored.
        """
        limit, stopped = self.work_limit, self.stopped
        extend = self.objective.name == "cartons" and limit is not None and not self.timed_out
        if extend:
            self.work_limit, self.stopped = self.work + MERGE_WORK, False
        try:
            return self.single(blocks, used, specs)
        finally:
            if extend:
                assert limit is not None
                self.work_limit = limit
                self.stopped = stopped or self.timed_out or self.work >= limit

    def _dissolve(
        self, packages: list[tuple[Spec, CartonFill, str]], used: dict[int, int]
    ) -> list[tuple[Spec, CartonFill, str]]:
        while len(packages) >= 2 and not self.late():
            weakest = min(range(len(packages)), key=lambda i: (packages[i][1].used_volume, -i))
            spec, box, _ = packages[weakest]
            others = [p for i, p in enumerate(packages) if i != weakest]
            snaps = [other[1].snapshot() for other in others]
            moved = True
            for block in self._blocks_of(box):
                if not any(self._place_block(other[1], block) for other in others):
                    moved = False
                    break
            if moved and self._total(others) < self._total(packages):
                used[spec.index] -= 1
                packages = others
                continue
            for other, snap in zip(others, snaps, strict=True):
                other[1].restore(snap)
            break
        return packages

    # --- the whole search -----------------------------------------------------------------

    def multi_bound(self, blocks: Sequence[Block], specs: Sequence[Spec], at_least: int) -> Any:
        """A lower bound on the primary score of any plan with ``at_least`` packages or more."""
        units = self._units(blocks)
        volume = sum(u.volume for u in units)
        weight = sum(u.weight for u in units)
        count = max(at_least, -(-volume // max(s.volume for s in specs)))
        caps = [s.cap for s in specs]
        if all(cap is not None for cap in caps) and weight:
            count = max(count, math.ceil(weight / max(c for c in caps if c is not None)))
        empties = [self.objective.key(s, 0)[0] for s in specs]
        bound = count * min(empties)
        if self.objective.name == "billable_weight":
            tare = min(s.carton.tare_g for s in specs)
            gross = Fraction(weight, self.objective.weight_scale) + count * tare
            carrier = self.objective.carrier
            if carrier is None:
                bound = max(bound, gross / 1000)
            else:
                bound = max(bound, carrier.actual_weight_exact(gross))
                # Each package bills at least its carton's dimensional weight, which is at
                # least (dimensional weight per inner volume) x (volume of its items).
                ratios = [
                    Fraction(self.objective.dimensional(s.carton) or 0, s.volume) for s in specs
                ]
                bound = max(bound, min(ratios) * volume)
        return bound

    def count_bound(self, blocks: Sequence[Block], specs: Sequence[Spec]) -> int:
        """The simple bound on the number of cartons (volume and weight)."""
        units = self._units(blocks)
        if not units:
            return 0
        count = max(1, -(-sum(u.volume for u in units) // max(s.volume for s in specs)))
        caps = [s.cap for s in specs]
        weight = self.weight(blocks)
        if all(cap is not None for cap in caps) and weight:
            count = max(count, math.ceil(weight / max(c for c in caps if c is not None)))
        cache_key = (tuple(u.uid for u in units), tuple(s.index for s in specs))
        found = self._bounds.get(cache_key)
        if found is None:
            found = self._eligibility_bound(units, specs, count)
            if found <= 1 and self._no_single(units, specs):
                found = 2
            self._bounds[cache_key] = found
        return max(count, found)

    #: The one-carton proof (:meth:`_no_single`) is tried for at most this many units.
    SINGLE_PROOF_UNITS = 40

    @classmethod
    def _no_single(cls, units: Sequence[EngineUnit], specs: Sequence[Spec]) -> bool:
        """Whether no carton type can hold all ``units`` at once (True: proven).

        A carton type is ruled out by volume, weight, a unit that does not fit it, two units
        that fit no way side by side, or units that can only be apart along one axis and
        overflow it (:func:`ordercycle.packing._engine.stacked_overflow`). False proves
        nothing. Orders of more than :attr:`SINGLE_PROOF_UNITS` units are not tried.
        """
        if len(units) < 2 or len(units) > cls.SINGLE_PROOF_UNITS:
            return False
        volume = sum(u.volume for u in units)
        weight = sum(u.weight for u in units)
        for spec in specs:
            if volume > spec.volume or (spec.cap is not None and weight > spec.cap):
                continue
            if not all(spec.holds(u) for u in units):
                continue
            if not all(
                side_by_side(spec.size, a, b) for i, a in enumerate(units) for b in units[i + 1 :]
            ):
                continue
            if stacked_overflow(spec.size, units):
                continue
            return False
        return True

    @staticmethod
    def _eligibility_bound(units: Sequence[EngineUnit], specs: Sequence[Spec], start: int) -> int:
        """A bound that knows which carton types each unit fits.

        For every set S of carton types, the units that fit only types in S must fit, by
        volume and by weight, into the cartons of S. The smallest carton counts meeting all
        those conditions bound the number of cartons. The search is small by design: it is
        skipped for more than five carton types and gives up after a fixed amount of work
        (the simple bound is still valid then).
        """
        kinds = len(specs)
        if kinds < 2 or kinds > 5:
            return start
        masks: dict[int, tuple[int, int]] = {}
        for unit in units:
            mask = sum(1 << k for k in range(kinds) if specs[k].holds(unit))
            volume, weight = masks.get(mask, (0, 0))
            masks[mask] = (volume + unit.volume, weight + unit.weight)
        needs = []
        for subset in range(1, 1 << kinds):
            volume = sum(v for m, (v, _) in masks.items() if m and m & ~subset == 0)
            weight = sum(w for m, (_, w) in masks.items() if m and m & ~subset == 0)
            if volume or weight:
                members = [k for k in range(kinds) if subset >> k & 1]
                needs.append((members, volume, weight))
        budget = 3000
        for total in range(start, start + 12):
            for counts in _compositions(total, kinds):
                budget -= 1
                if budget < 0:
                    return start
                if all(
                    volume <= sum(counts[k] * specs[k].volume for k in members)
                    and (
                        any(specs[k].cap is None and counts[k] for k in members)
                        or weight <= sum(counts[k] * (specs[k].cap or 0) for k in members)
                    )
                    for members, volume, weight in needs
                ):
                    return total
        return start

    def lower_bound(self, blocks: Sequence[Block]) -> Any:
        """A lower bound on the primary score of any plan for ``blocks``."""
        if not blocks:
            return 0
        if self.objective.name == "cartons":
            return self.count_bound(blocks, self.specs)
        weight = self.weight(blocks)
        singles = []
        for spec in self.specs:
            if self._screen(spec, blocks):
                singles.append(self.objective.key(spec, weight)[0])
        if len(blocks) == 1:
            # One block cannot be split: its bound is its best single carton.
            return min(singles) if singles else self.multi_bound(blocks, self.specs, 1)
        multi = self.multi_bound(blocks, self.specs, 2)
        return min([*singles, multi])

    def solve(self, blocks: Sequence[Block], used: dict[int, int]) -> Solution | None:
        """The best plan found for ``blocks``; ``None`` if no candidate holds them."""
        if not blocks:
            return Solution([], (0, 0, 0))
        best: Solution | None = None
        single = self.single(blocks, used)
        alone: Solution | None = None
        if single is not None:
            spec, box, _ = single
            best = alone = Solution([single], self.objective.key(spec, box.weight))
        if best is None and self.deadline is not None:
            # Under a time limit, a plan first: the first fit over all open cartons is the
            # cheapest complete construction, and every step after it can stop at the limit.
            best = self.first_fit(blocks, self.specs, used)
        self.has_plan = best is not None
        fits_cache: dict[int, bool] = {}
        sizes: Sequence[int] = range(1, len(self.by_volume) + 1)
        counting = self.objective.name == "cartons"
        if counting:
            # Fewest cartons: the whole catalogue first. Its plan is the likeliest to meet the
            # bound, and with it in hand a smaller catalogue is cut by its bound instead of
            # spending the budget (on BoxPacker's orders: the same cartons, p99 41 -> 11 ms).
            sizes = sizes[::-1]
        for size in sizes:
            if best is not None and self.late():
                # Out of time: the rest of the catalogues are skipped (the first fit over
                # the whole catalogue is in hand already).
                break
            prefix = self.by_volume[:size]
            if not all(any(s.holds(u) for s in prefix) for u in self._units(blocks)):
                continue
            if best is not None and self.multi_bound(blocks, prefix, 2) >= best.key[0]:
                continue
            holds = False
            for spec in prefix:
                if spec.index not in fits_cache:
                    fits_cache[spec.index] = (
                        self._available(spec, used) and self.fits_all(spec, blocks) is not None
                    )
                holds = holds or fits_cache[spec.index]
            if holds:
                continue
            # More strategies only while the plan uses more cartons than the simple bound.
            floor = self.count_bound(blocks, prefix)
            # Carton count: search deeper while above the bound. Weight and cost: the
            # deeper strategies were measured to change nothing, so one pass each.
            deep = self.objective.name == "cartons" or self.deadline is not None
            depth = self.effort if deep else 1
            methods = (self.greedy, self.first_fit)
            for step in range(depth):
                if step and self.spent():
                    break
                strategy = step
                if counting and step < len(STRATEGIES) * len(MEASURES):
                    # Fewest cartons: each deeper step changes the unit order (the measure)
                    # before the placement rule, so a small budget tries every order once.
                    strategy = (step % len(MEASURES)) * len(STRATEGIES) + step // len(MEASURES)
                done = False
                for method in methods:
                    self.variant = strategy // len(STRATEGIES)
                    found = method(blocks, prefix, used, strategy)
                    self.variant = 0
                    if found is not None and (best is None or found.key < best.key):
                        best = found
                        self.has_plan = True
                    if found is None or len(found.packages) <= floor:
                        done = True
                        break
                if done:
                    break
        self.has_plan = False
        if alone is not None and best is not None and best is not alone:
            describe = self.objective.describe
            best.note = (
                f"{len(best.packages)} cartons: {describe(best.key[0], self.currency)} vs"
                f" {describe(alone.key[0], self.currency)} for {alone.packages[0][0].carton.name}"
                " alone"
            )
        return best
