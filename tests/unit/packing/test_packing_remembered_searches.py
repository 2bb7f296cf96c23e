"""The remembered complete fills and relations searches answer, and spend work, exactly as
fresh ones: the same fill bound to the units asked about, the same nodes and work counted,
the same stops at the node budget and at the work budget."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.model import SteppableClock
from ordercycle.packing import _exact, _optimizer
from ordercycle.packing._engine import STRATEGIES, CartonFill, EngineUnit
from ordercycle.packing._exact import PLACEMENT_BUDGET, ExactSearch
from ordercycle.packing._optimizer import Block, Objective, Solver, Spec
from ordercycle.packing.carton import Carton

Orientation = tuple[int, int, int]


def _spec(size: Orientation, cap: int | None = None) -> Spec:
    return Spec(0, Carton.from_mm("BOX", *size, max_weight_g=cap), 1, 1)


def _solver(
    spec: Spec,
    support: Fraction | None = None,
    tracks_load: bool = False,
    work_limit: int | None = None,
) -> Solver:
    solver = Solver(
        [spec], Objective("cartons", None, None), support, 8, {0: None}, "", tracks_load
    )
    solver.work_limit = work_limit
    return solver


def _units(
    shapes: list[tuple[Orientation, int, int | None]], first_uid: int = 0
) -> list[EngineUnit]:
    return [
        EngineUnit(
            first_uid + n,
            sorted(set(itertools.permutations(sides))),
            weight,
            limit,
            None,
            (first_uid + n, 1),
        )
        for n, (sides, weight, limit) in enumerate(shapes)
    ]


def _state(box: CartonFill | None) -> object:
    if box is None:
        return None
    return (list(box.boxes), list(box.eps), list(box.loads), box.weight, [u.uid for u in box.units])


_side = st.integers(min_value=1, max_value=12)
_shape = st.tuples(
    st.tuples(_side, _side, _side),
    st.integers(min_value=1, max_value=9),
    st.none() | st.integers(min_value=0, max_value=12),
)


_Case = tuple[Spec, list[Block], list[Block], int, Fraction | None, bool]


def _blocks(units: list[EngineUnit], pairs: int) -> list[Block]:
    """The units as blocks, the first ``pairs`` of two units (a group moves as one block)."""
    blocks: list[Block] = [tuple(units[2 * k : 2 * k + 2]) for k in range(pairs)]
    blocks += [(u,) for u in units[2 * pairs :]]
    return [b for b in blocks if b]


@st.composite
def _fill_cases(draw: st.DrawFn) -> _Case:
    """A carton, blocks, the same blocks of other units of the same signatures (other
    ids), a strategy, a support and whether loads are tracked."""
    size = draw(st.tuples(*(st.integers(min_value=4, max_value=20) for _ in range(3))))
    cap = draw(st.none() | st.integers(min_value=5, max_value=40))
    shapes = draw(st.lists(_shape, min_size=1, max_size=8))
    pairs = draw(st.integers(min_value=0, max_value=2))
    strategy = draw(st.integers(min_value=0, max_value=len(STRATEGIES) - 1))
    support = draw(st.sampled_from([None, Fraction(3, 4)]))
    tracks_load = draw(st.booleans())
    blocks = _blocks(_units(shapes), pairs)
    twins = _blocks(_units(shapes, first_uid=100), pairs)
    return _spec(size, cap), blocks, twins, strategy, support, tracks_load


@settings(max_examples=150, deadline=None, derandomize=True)
@given(case=_fill_cases())
def test_a_remembered_complete_fill_is_the_fill_worked_out(case: _Case) -> None:
    spec, blocks, twin_blocks, strategy, support, tracks_load = case
    fresh = _solver(spec, support, tracks_load)
    expected = fresh.fill(spec, blocks, strategy, complete=True)
    _optimizer._FILL_STEPS.clear()
    for round_ in range(2):  # worked out, then remembered
        solver = _solver(spec, support, tracks_load)
        solver.work = 7
        found = solver.complete_fill(spec, blocks, strategy)
        assert _state(found) == _state(expected), round_
        assert solver.work == 7 + fresh.work
        if round_ == 0:
            kept = len(_optimizer._FILL_STEPS)
        assert len(_optimizer._FILL_STEPS) == kept
    # Other units of the same signatures (other ids): the remembered fill, bound to them.
    again = _solver(spec, support, tracks_load).complete_fill(spec, twin_blocks, strategy)
    if expected is None:
        assert again is None
    else:
        assert again is not None
        assert again.units == [u for block in twin_blocks for u in block]
        assert again.boxes == expected.boxes
    assert len(_optimizer._FILL_STEPS) == kept
    # A remembered fill is a fill of its own: placing more into it leaves the memo as it was.
    if again is not None:
        again.place(_units([((1, 1, 1), 1, None)], first_uid=200)[0])
        assert _state(
            _solver(spec, support, tracks_load).complete_fill(spec, blocks, strategy)
        ) == (_state(expected))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(case=_fill_cases(), cut=st.integers(min_value=1, max_value=7), longer_first=st.booleans())
def test_a_fill_that_begins_as_a_remembered_one_goes_on_as_the_fill_worked_out(
    case: _Case, cut: int, longer_first: bool
) -> None:
    spec, blocks, twin_blocks, strategy, support, tracks_load = case
    # The first blocks of the fill, with other units of the same signatures.
    start = twin_blocks[:cut]
    _optimizer._FILL_STEPS.clear()
    # Either fill remembered first, then the other one goes on from it, or stops where it
    # stopped (a block that does not fit), or is all remembered already.
    for asked in [blocks, start] if longer_first else [start, blocks]:
        fresh = _solver(spec, support, tracks_load)
        expected = fresh.fill(spec, asked, strategy, complete=True)
        solver = _solver(spec, support, tracks_load)
        solver.work = 3
        assert _state(solver.complete_fill(spec, asked, strategy)) == _state(expected)
        assert solver.work == 3 + fresh.work


def test_a_fill_under_a_time_limit_is_not_remembered() -> None:
    spec = _spec((10, 10, 10))
    solver = _solver(spec)
    clock = SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    solver.clock = clock
    solver.deadline = clock.now() + timedelta(seconds=1)
    _optimizer._FILL_STEPS.clear()
    blocks: list[Block] = [(u,) for u in _units([((5, 5, 5), 1, None)] * 3)]
    assert _state(solver.complete_fill(spec, blocks, 0)) == _state(
        _solver(spec).fill(spec, blocks, 0, complete=True)
    )
    assert _optimizer._FILL_STEPS == {}


def test_the_remembered_fills_are_bounded() -> None:
    spec = _spec((30, 30, 30))
    _optimizer._FILL_STEPS.clear()
    for n in range(1, _optimizer._FILL_STEPS_KEPT + 2):
        blocks: list[Block] = [(u,) for u in _units([((1, 1, n % 29 + 1), n, None)])]
        _solver(spec).complete_fill(spec, blocks, n // 29 % len(STRATEGIES))
        assert len(_optimizer._FILL_STEPS) <= _optimizer._FILL_STEPS_KEPT


# --- the relations search -----------------------------------------------------------------


def _search(size: Orientation, work_limit: int | None, work: int) -> ExactSearch:
    spec = _spec(size)
    solver = _solver(spec, work_limit=work_limit)
    solver.work = work
    return ExactSearch(solver, [])


def _run(
    search: ExactSearch, size: Orientation, units: list[EngineUnit], budget: int, remembered: bool
) -> tuple[object, list[int], int, bool]:
    fitting = [[o for o in u.orientations if all(o[a] <= size[a] for a in range(3))] for u in units]
    nodes = [budget]
    if remembered:
        found = search._related(size, units, fitting, nodes)
    else:
        found = search._relations(size, units, fitting, nodes)
    return found, nodes, search.solver.work, search.solver.stopped


_Units = tuple[Orientation, list[EngineUnit]] | None


def _key(size: Orientation, units: list[EngineUnit]) -> tuple[object, ...]:
    """The remembered relations search's key of ``units`` in the carton ``size``."""
    fitting = tuple(
        tuple(o for o in u.orientations if all(o[a] <= size[a] for a in range(3))) for u in units
    )
    twins = tuple(units[i].orientations == units[i - 1].orientations for i in range(1, len(units)))
    return size, fitting, twins


@st.composite
def _relation_units(draw: st.DrawFn, largest: int) -> _Units:
    """A carton of sides up to ``largest`` and units, largest first, the last one with up
    to three twins; None when a unit fits the carton in no orientation."""
    size = draw(st.tuples(*(st.integers(min_value=4, max_value=largest) for _ in range(3))))
    boxes = draw(st.lists(st.tuples(_side, _side, _side), min_size=2, max_size=7))
    boxes = boxes + [boxes[-1]] * draw(st.integers(min_value=0, max_value=3))
    shapes: list[tuple[Orientation, int, int | None]] = [
        (b, 1, None) for b in sorted(boxes, key=lambda b: -b[0] * b[1] * b[2])
    ]
    units = _units(shapes)
    if any(not any(all(o[a] <= size[a] for a in range(3)) for o in u.orientations) for u in units):
        return None
    return size, units


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    case=_relation_units(14),
    budgets=st.lists(
        st.sampled_from([0, 5, 63, 64, 65, 200, 1000, PLACEMENT_BUDGET]), min_size=1, max_size=3
    ),
    work=st.integers(min_value=0, max_value=300),
    work_limit=st.none() | st.integers(min_value=100, max_value=1200),
)
def test_a_remembered_relations_search_answers_and_spends_as_a_fresh_one(
    case: _Units, budgets: list[int], work: int, work_limit: int | None
) -> None:
    if case is None:
        return
    size, units = case
    _exact._RELATIONS.clear()
    for number, budget in enumerate(budgets):  # the first worked out, the others remembered
        fresh = _run(_search(size, work_limit, work), size, units, budget, remembered=False)
        kept = _run(_search(size, work_limit, work), size, units, budget, remembered=True)
        assert kept == fresh
        assert _key(size, units) in _exact._RELATIONS
        if number == 0:
            # One search, remembered for these units (and for its first units when it found
            # no packing, see the tests below).
            entries = len(_exact._RELATIONS)
        assert len(_exact._RELATIONS) == entries


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    case=_relation_units(12),
    first=st.integers(min_value=1, max_value=9),
    budget=st.sampled_from([5, 64, 1000, PLACEMENT_BUDGET]),
    work_limit=st.none() | st.integers(min_value=100, max_value=1200),
    longer_first=st.booleans(),
)
def test_a_search_of_a_searchs_first_units_or_of_more_answers_and_spends_as_a_fresh_one(
    case: _Units, first: int, budget: int, work_limit: int | None, longer_first: bool
) -> None:
    if case is None:
        return
    size, units = case
    _exact._RELATIONS.clear()
    # The first units searched and remembered (a packing, none, or out of nodes), then
    # all; or all, then the first units.
    start = units[: min(first, len(units) - 1)]
    _run(_search(size, None, 0), size, units if longer_first else start, PLACEMENT_BUDGET, True)
    asked = start if longer_first else units
    fresh = _run(_search(size, work_limit, 50), size, asked, budget, remembered=False)
    kept = _run(_search(size, work_limit, 50), size, asked, budget, remembered=True)
    assert kept == fresh


def test_a_search_whose_first_units_ran_out_of_nodes_runs_out_where_a_fresh_one_does() -> None:
    size = (10, 10, 6)
    sides = [(7, 6, 4), (4, 5, 6), (5, 4, 4), (4, 3, 6), (7, 3, 3), (4, 2, 5), (2, 2, 4)]
    units = _units([(s, 1, None) for s in sides])
    _exact._RELATIONS.clear()
    first = _run(_search(size, None, 0), size, units[:5], PLACEMENT_BUDGET, remembered=True)
    assert first[0] is None
    assert first[1] == [-1]  # out of nodes
    for budget, work_limit in [(PLACEMENT_BUDGET, None), (2000, None), (PLACEMENT_BUDGET, 900)]:
        fresh = _run(_search(size, work_limit, 50), size, units, budget, remembered=False)
        kept = _run(_search(size, work_limit, 50), size, units, budget, remembered=True)
        assert kept == fresh
    assert len(_exact._RELATIONS) == 2  # the longer search answered by the first units
    # Searched first, the longer search answers for its first units (five or more).
    _exact._RELATIONS.clear()
    _run(_search(size, None, 0), size, units, PLACEMENT_BUDGET, remembered=True)
    assert len(_exact._RELATIONS) > 1
    for first in range(1, len(units)):
        fresh = _run(_search(size, None, 50), size, units[:first], PLACEMENT_BUDGET, False)
        kept = _run(_search(size, None, 50), size, units[:first], PLACEMENT_BUDGET, True)
        assert kept == fresh


def test_a_relations_search_under_a_time_limit_is_not_remembered() -> None:
    size = (10, 10, 10)
    search = _search(size, None, 0)
    clock = SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    search.solver.clock = clock
    search.solver.deadline = clock.now() + timedelta(seconds=1)
    _exact._RELATIONS.clear()
    units = _units([((6, 6, 6), 1, None), ((4, 10, 10), 1, None)])
    found = _run(search, size, units, 100, remembered=True)
    assert found[0] == _run(_search(size, None, 0), size, units, 100, remembered=False)[0]
    assert _exact._RELATIONS == {}
