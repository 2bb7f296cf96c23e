"""The relaxation bound lists each count vector's sub-multisets kind by kind with their
remainder (remembered across searches), keeps each part's carton types, and remembers
infeasible count vectors too; its parts (in the order of itertools.product), answers (value
and type) and the cartons it lets hold each part must be those of the programme as first
written, which worked each of them out afresh."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ordercycle.money import Money
from ordercycle.packing import BasePlusPerUnitRate, Carton, _exact, carriers
from ordercycle.packing._engine import EngineUnit
from ordercycle.packing._exact import ExactSearch
from ordercycle.packing._optimizer import Objective, Solver, Spec

RATE = BasePlusPerUnitRate(Money("6.00", "USD"), Money("0.90", "USD"), unit="lb")
CARTONS = [
    Carton.from_mm("S", 200, 150, 100, tare_g=110, max_weight_g=9000, cost=Money("0.45", "USD")),
    Carton.from_mm("M", 300, 250, 200, tare_g=230, max_weight_g=18000, cost=Money("0.80", "USD")),
    Carton.from_mm("L", 450, 350, 300, tare_g=450, cost=Money("1.40", "USD")),
]

Counts = tuple[int, ...]


def _first_written(search: ExactSearch) -> Any:
    """The relaxation as first written: every part, remainder and carton worked out afresh,
    and an infeasible count vector (None) worked out again each time it is met."""
    memo: dict[Counts, Any] = {}
    kinds = search.kinds

    def cheapest(subset: Counts, volume: int, weight: int) -> Any:
        found: Any = None
        for place, spec in enumerate(search.specs):
            if volume > spec.volume or (spec.cap is not None and weight > spec.cap):
                continue
            if not all(
                not take or kind.fits[place] for take, kind in zip(subset, kinds, strict=True)
            ):
                continue
            value = search._key(spec, weight)[0]
            if found is None or value < found:
                found = value
        return found

    def relax(counts: Counts) -> Any:
        if memo.get(counts) is not None:
            return memo[counts]
        if not any(counts):
            return 0
        first = next(i for i, c in enumerate(counts) if c)
        ranges = [range(1 if i == first else 0, c + 1) for i, c in enumerate(counts)]
        best: Any = None
        for subset in itertools.product(*ranges):
            volume = sum(t * k.volume for t, k in zip(subset, kinds, strict=True))
            weight = sum(t * k.weight for t, k in zip(subset, kinds, strict=True))
            part = cheapest(subset, volume, weight)
            if part is None:
                continue
            rest = relax(tuple(c - t for c, t in zip(counts, subset, strict=True)))
            if rest is None:
                continue
            if best is None or part + rest < best:
                best = part + rest
        memo[counts] = best
        return best

    return relax, cheapest


_side = st.integers(min_value=20, max_value=460)
#: A kind of unit: its sides, its weight and whether it turns every way.
_kind = st.tuples(_side, _side, _side, st.integers(min_value=1, max_value=12000), st.booleans())


def _search(
    kinds: list[tuple[int, int, int, int, bool]], counts: list[int], score: Objective
) -> ExactSearch:
    """The exact search over ``counts[n]`` units of each kind ``n``, on the cartons."""
    specs = [Spec(index, carton, 1, 1) for index, carton in enumerate(CARTONS)]
    solver = Solver(specs, score, None, 8, dict.fromkeys(range(len(specs))), "USD")
    units = []
    for number, (length, width, height, weight, turns) in enumerate(kinds):
        sides = (length, width, height)
        orientations = sorted(set(itertools.permutations(sides))) if turns else [sides]
        for unit in range(counts[number]):
            uid = len(units)
            units.append(EngineUnit(uid, orientations, weight, None, None, (number, unit + 1)))
    return ExactSearch(solver, [(u,) for u in units])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    kinds=st.lists(_kind, min_size=1, max_size=4),
    counts=st.lists(st.integers(min_value=1, max_value=4), min_size=4, max_size=4),
    objective=st.sampled_from(["billable_weight", "cost", "cartons"]),
)
# Units that fill carton S exactly (by volume; by weight: 8,890 g), and one that fits none.
@example(kinds=[(200, 150, 100, 500, False)], counts=[2, 1, 1, 1], objective="billable_weight")
@example(
    kinds=[(100, 150, 100, 4445, True), (500, 20, 20, 1, True)],
    counts=[3, 1, 1, 1],
    objective="cost",
)
def test_the_relaxation_answers_as_first_written(
    kinds: list[tuple[int, int, int, int, bool]], counts: list[int], objective: str
) -> None:
    score = Objective(objective, carriers.UPS_DAILY, RATE, 1)
    search = _search(kinds, counts, score)
    relax, cheapest = _first_written(search)
    for vector in itertools.product(*(range(c + 1) for c in search.start)):
        now, then = search._relax(vector), relax(vector)
        assert (type(now), now) == (type(then), then)
        if not any(vector):
            continue
        listed = _exact._parts(vector)
        assert listed == _exact._parts_of(vector)  # remembered as worked out
        first = next(i for i, c in enumerate(vector) if c)
        ranges = [range(1 if i == first else 0, c + 1) for i, c in enumerate(vector)]
        assert [entry[0] for entry in listed] == list(itertools.product(*ranges))
        for subset, remaining in listed:
            volume = sum(t * k.volume for t, k in zip(subset, search.kinds, strict=True))
            weight = sum(t * k.weight for t, k in zip(subset, search.kinds, strict=True))
            assert search._size(subset) == (volume, weight)
            assert remaining == tuple(c - t for c, t in zip(vector, subset, strict=True))
            held = search._holding(subset)
            assert search._cheapest(subset) == cheapest(subset, volume, weight)
            assert [spec.index for spec, _ in held] == [
                place
                for place, spec in enumerate(search.specs)
                if volume <= spec.volume
                and (spec.cap is None or weight <= spec.cap)
                and all(not t or k.fits[place] for t, k in zip(subset, search.kinds, strict=True))
            ]
            assert all(key == score.key(spec, weight) for spec, key in held)


def _splits_first_written(search: ExactSearch, cartons: int) -> bool:
    """Whether the units split into at most ``cartons`` parts that some carton type holds
    in the relaxation (by volume, weight and each unit's fit), every split tried afresh."""
    kinds = search.kinds

    def held(subset: Counts) -> bool:
        volume = sum(t * k.volume for t, k in zip(subset, kinds, strict=True))
        weight = sum(t * k.weight for t, k in zip(subset, kinds, strict=True))
        return any(
            volume <= spec.volume
            and (spec.cap is None or weight <= spec.cap)
            and all(not t or k.fits[place] for t, k in zip(subset, kinds, strict=True))
            for place, spec in enumerate(search.specs)
        )

    def split(counts: Counts, left: int) -> bool:
        if not any(counts):
            return True
        if left == 0:
            return False
        first = next(i for i, c in enumerate(counts) if c)
        ranges = [range(1 if i == first else 0, c + 1) for i, c in enumerate(counts)]
        return any(
            held(subset)
            and split(tuple(c - t for c, t in zip(counts, subset, strict=True)), left - 1)
            for subset in itertools.product(*ranges)
        )

    return split(search.start, cartons)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    kinds=st.lists(_kind, min_size=1, max_size=3),
    counts=st.lists(st.integers(min_value=1, max_value=4), min_size=3, max_size=3),
    cartons=st.integers(min_value=1, max_value=4),
)
def test_the_carton_count_proof_answers_as_first_written(
    kinds: list[tuple[int, int, int, int, bool]], counts: list[int], cartons: int
) -> None:
    search = _search(kinds, counts, Objective("cartons", None, None, 1))
    # Small vectors: the proof never runs out of work, so it answers exactly.
    assert search.needs_more_than(cartons) is not _splits_first_written(search, cartons)
