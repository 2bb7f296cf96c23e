"""The exact search finds packings the engine misses: the pairwise-relation search.

Four random small orders (from the small-order benchmark's generator, written out here)
where the best plan needs a carton fill that the placement engine's constructions miss.
Their optima were found by the benchmark's independent exact reference
(``benchmarks/small_orders.py``); the library's own relaxation bound equals them, so a
plan at the bound is proven optimal.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.money import Money
from ordercycle.packing import BasePlusPerUnitRate, Carton, Item, carriers, pack, verify
from ordercycle.packing._exact import _dual_cut
from ordercycle.packing.verify import violations
from ordercycle.units import Q_

RULE = carriers.UPS_DAILY
RATE = BasePlusPerUnitRate(Money("6.00", "USD"), Money("0.90", "USD"), unit="lb")
CARTONS = [
    Carton.from_inches("S", 8, 6, 4, tare_lb="0.25", max_weight_lb=20, cost=Money("0.45", "USD")),
    Carton.from_inches("M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40, cost=Money("0.80", "USD")),
    Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60, cost=Money("1.40", "USD")),
]

# (name, [(sides in mm, weight in g, quantity)], optimal billable lb, optimal cost USD)
ORDERS = [
    (
        "R399",
        [((130, 169, 207), 675, 1), ((164, 180, 277), 2270, 4)],
        23,
        "28.10",
    ),
    (
        "R30",
        [
            ((84, 153, 212), 354, 3),
            ((71, 104, 237), 3923, 1),
            ((34, 237, 276), 1908, 1),
            ((37, 56, 59), 705, 3),
        ],
        21,
        "25.70",
    ),
    ("R56", [((65, 76, 268), 4258, 1), ((120, 123, 186), 1712, 3)], 22, "26.60"),
    ("R295", [((53, 187, 252), 2005, 5), ((44, 69, 162), 3550, 1)], 31, "34.70"),
]


def _items(lines: list[tuple[tuple[int, int, int], int, int]]) -> list[Item]:
    return [
        Item.from_mm(f"P{k}", *sides, weight, quantity=quantity)
        for k, (sides, weight, quantity) in enumerate(lines)
    ]


@pytest.mark.parametrize(("name", "lines", "pounds", "cost"), ORDERS, ids=[o[0] for o in ORDERS])
def test_the_optimal_billable_weight_is_found_and_proven(
    name: str, lines: list[tuple[tuple[int, int, int], int, int]], pounds: int, cost: str
) -> None:
    plan = pack(_items(lines), CARTONS, RULE, objective="billable_weight", rate=RATE)
    verify(plan)
    assert plan.billable_weight == Q_(pounds, "lb")
    assert plan.lower_bound == Q_(pounds, "lb")
    assert plan.optimal


@pytest.mark.parametrize(("name", "lines", "pounds", "cost"), ORDERS, ids=[o[0] for o in ORDERS])
def test_the_optimal_cost_is_found_and_proven(
    name: str, lines: list[tuple[tuple[int, int, int], int, int]], pounds: int, cost: str
) -> None:
    plan = pack(_items(lines), CARTONS, RULE, objective="cost", rate=RATE)
    verify(plan)
    assert plan.objective_value == Money(cost, "USD")
    assert plan.lower_bound == Money(cost, "USD")
    assert plan.optimal


def test_five_units_share_the_large_carton_that_the_engine_could_not_fill() -> None:
    # R399: four 164x180x277 mm units and one 130x169x207 mm unit fit one L carton; the
    # engine's constructions split them over L and M (29 lb billable, not 23).
    plan = pack(_items(ORDERS[0][1]), CARTONS, RULE, objective="billable_weight", rate=RATE)
    assert [p.carton.name for p in plan.packages] == ["L"]
    assert len(plan.packages[0]) == 5
    assert plan.proof == "bound met"


def test_a_work_limit_keeps_the_search_deterministic() -> None:
    items = _items(ORDERS[1][1])
    plans = [
        pack(items, CARTONS, RULE, objective="cost", rate=RATE, work_limit=limit)
        for limit in (400, 400, 4000, 4000)
    ]
    for plan in plans:
        verify(plan)
    assert plans[0].objective_value == plans[1].objective_value
    assert [p.carton.name for p in plans[0].packages] == [p.carton.name for p in plans[1].packages]
    assert plans[2].objective_value == plans[3].objective_value
    assert [len(p) for p in plans[2].packages] == [len(p) for p in plans[3].packages]


LINE = st.tuples(
    st.tuples(st.integers(40, 330), st.integers(30, 260), st.integers(15, 200)),
    st.integers(60, 4500),
    st.integers(1, 3),
)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    lines=st.lists(LINE, min_size=1, max_size=3),
    objective=st.sampled_from(["cost", "billable_weight"]),
)
def test_every_plan_of_a_small_order_is_a_valid_packing(
    lines: list[tuple[tuple[int, int, int], int, int]], objective: str
) -> None:
    # The relation search accepts a carton fill only with positions it has checked, so
    # the plans built from its fills must pass the independent checker, and never score
    # below the bound.
    plan = pack(_items(lines), CARTONS, RULE, objective=objective, rate=RATE)
    assert violations(plan) == ()
    assert sum(len(p) for p in plan.packages) == sum(q for _, _, q in lines)
    value = plan.objective_value
    bound = plan.lower_bound
    assert bound is not None
    assert value >= bound


def _guillotine(
    size: tuple[int, int, int], cuts: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """Boxes that fill ``size`` exactly: each cut splits the largest box along an axis."""
    boxes = [size]
    for axis, share in cuts:
        boxes.sort(key=lambda b: -(b[0] * b[1] * b[2]))
        box = boxes.pop(0)
        part = box[axis] * share // 10
        if part <= 0 or part >= box[axis]:
            boxes.append(box)
            continue
        first, second = list(box), list(box)
        first[axis], second[axis] = part, box[axis] - part
        boxes.extend([(first[0], first[1], first[2]), (second[0], second[1], second[2])])
    return boxes


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    size=st.tuples(st.integers(10, 400), st.integers(10, 400), st.integers(10, 400)),
    cuts=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 9)), min_size=1, max_size=7),
)
def test_the_dual_feasible_cut_never_rejects_a_packing(
    size: tuple[int, int, int], cuts: list[tuple[int, int]]
) -> None:
    # The units tile the carton exactly (by construction), so they fit: a cut here would
    # wrongly call a feasible carton fill infeasible.
    boxes = _guillotine(size, cuts)
    fitting = [
        sorted({o for o in itertools.permutations(b) if all(o[a] <= size[a] for a in range(3))})
        for b in boxes
    ]
    assert not _dual_cut(size, fitting)


def test_the_dual_feasible_cut_proves_eight_units_overflow_the_large_carton() -> None:
    # Eight 109x215x226 mm units (in the engine's 0.2 mm steps) in the 457x355x304 mm
    # carton: only units lying 109 mm along the long side fit more than one per row, and
    # the functions u_k count them; their volume alone fits.
    size = (2286, 1778, 1524)
    unit = (545, 1075, 1130)
    options = sorted(
        {o for o in itertools.permutations(unit) if all(o[a] <= size[a] for a in range(3))}
    )
    assert 8 * unit[0] * unit[1] * unit[2] <= size[0] * size[1] * size[2]
    assert _dual_cut(size, [options] * 8)
    assert not _dual_cut(size, [options] * 4)


def test_a_remembered_dual_feasible_verdict_is_the_one_worked_out_in_any_order() -> None:
    from ordercycle.packing import _exact

    size = (2286, 1778, 1524)
    long_unit = sorted(
        {
            o
            for o in itertools.permutations((545, 1075, 1130))
            if all(o[a] <= size[a] for a in range(3))
        }
    )
    flat_unit = sorted(
        {
            o
            for o in itertools.permutations((300, 900, 100))
            if all(o[a] <= size[a] for a in range(3))
        }
    )
    for fitting in ([long_unit] * 8, [long_unit] * 4, [long_unit] * 7 + [flat_unit] * 3):
        _exact._CUTS.clear()
        fresh = _exact._dual_cut(size, fitting)
        assert len(_exact._CUTS) == 1
        # The same units in another order: the same key, the remembered verdict.
        assert _exact._dual_cut(size, list(reversed(fitting))) is fresh
        assert len(_exact._CUTS) == 1
        kinds: dict[tuple[tuple[int, int, int], ...], int] = {}
        for options in fitting:
            kinds[tuple(options)] = kinds.get(tuple(options), 0) + 1
        assert _exact._dual_cut_of(size, kinds) is fresh
    # Another carton is another key.
    _exact._dual_cut((2286, 1778, 1600), [long_unit] * 8)
    assert len(_exact._CUTS) == 2
