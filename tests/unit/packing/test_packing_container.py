"""One container that cannot take everything: maximal spaces filled with blocks."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import permutations

import pytest

from ordercycle.packing import Carton, Item, PackingPlan, Rotation, pack, verify
from ordercycle.packing import packer as packer_module
from ordercycle.packing._container import FIT, VOLUME, _Search, fill_container, unit_boxes

Size = tuple[int, int, int]
Box = tuple[int, int, int, int, int, int]
Kind = tuple[Sequence[Size], int, int]


def br_like(seed: int, kinds: int) -> tuple[Carton, list[Item]]:
    """A Bischoff-Ratcliff style problem: a sea container and a few box types, fixed seed."""
    rng = random.Random(seed)
    items = []
    for k in range(kinds):
        sides = sorted(rng.randint(30, 120) for _ in range(3))
        items.append(
            Item.from_mm(f"T{k}", *sides, 1, quantity=rng.randint(40, 120), rotation=Rotation.ANY)
        )
    return Carton.from_mm("CONTAINER", 587, 233, 220, stock=1), items


def fill(plan: PackingPlan) -> float:
    return float(plan.packages[0].fill_ratio)


def load(items: list[Item], carton: Carton) -> PackingPlan:
    return pack(items, [carton], objective="cartons", on_unpackable="report", effort=2)


def test_block_loading_is_valid_and_fills_at_least_what_the_engine_fills(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    better = 0
    for seed in (1, 2):
        carton, items = br_like(seed, 4)
        plan = load(items, carton)
        verify(plan)
        packed = sum(len(p) for p in plan.packages)
        assert packed + len(plan.unpacked) == sum(i.quantity for i in items)
        with monkeypatch.context() as patch:
            patch.setattr(packer_module, "improve_partial", lambda solver, blocks, found: found)
            engine = load(items, carton)
        assert fill(plan) >= fill(engine)
        better += fill(plan) > fill(engine)
    assert better >= 1


def test_block_loading_is_deterministic() -> None:
    carton, items = br_like(5, 3)
    first, second = load(items, carton), load(items, carton)
    assert [(p.item.sku, p.unit, p.position_mm) for p in first.packages[0]] == [
        (p.item.sku, p.unit, p.position_mm) for p in second.packages[0]
    ]


def test_cubes_fill_the_container_exactly_and_the_rest_is_reported() -> None:
    # 2 cm cubes in a 10 cm cube: 5 x 5 x 5 = 125 fit; 5 of 130 are left over.
    cubes = Item.from_mm("CUBE", 20, 20, 20, 10, quantity=130)
    plan = load([cubes], Carton.from_mm("BOX", 100, 100, 100, stock=1))
    verify(plan)
    assert len(plan.packages[0]) == 125
    assert len(plan.unpacked) == 5
    assert fill(plan) == 1.0


def br_upright(seed: int, kinds: int) -> tuple[Carton, list[Item]]:
    """As ``br_like``, with Bischoff-Ratcliff orientation flags: some sides may not stand."""
    rng = random.Random(seed)
    items = []
    for k in range(kinds):
        sides = [rng.randint(25, 115) for _ in range(3)]
        flags = [rng.random() < 0.6 for _ in range(3)]
        flags[rng.randrange(3)] = True
        items.append(
            Item.from_mm(f"T{k}", *sides, 1, quantity=rng.randint(30, 90), upright=tuple(flags))
        )
    return Carton.from_mm("CONTAINER", 587, 233, 220, stock=1), items


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_block_loads_keep_every_case_on_a_side_it_may_stand_on(seed: int) -> None:
    carton, items = br_upright(seed, 5)
    plan = pack(items, [carton], objective="cartons", on_unpackable="report", work_limit=4_000)
    verify(plan)
    for placement in plan.packages[0]:
        item = placement.item
        assert item.upright is not None
        sides = item.dims_mm
        standing = {k for k in range(3) if sides[k] == placement.size_mm[2]}
        assert any(item.upright[k] for k in standing), (item.sku, placement.size_mm)
    packed = len(plan.packages[0])
    assert packed + len(plan.unpacked) == sum(i.quantity for i in items)


def test_the_same_work_budget_gives_the_same_load_and_the_search_stops_at_it() -> None:
    kinds: list[Kind] = [
        (((50, 40, 30), (40, 50, 30)), 0, 60),
        (((70, 35, 45), (35, 70, 45), (70, 45, 35), (45, 70, 35)), 0, 40),
        (((33, 33, 60),), 0, 50),
    ]
    first, work = fill_container((300, 200, 180), None, kinds, 3_000)
    again, work_again = fill_container((300, 200, 180), None, kinds, 3_000)
    assert first == again
    assert work == work_again
    # Checked between decisions: the search ends soon after its budget runs out.
    assert 3_000 <= work < 2 * 3_000
    _, small = fill_container((300, 200, 180), None, kinds, 500)
    assert small < work
    assert_valid(first, (300, 200, 180), kinds)


def assert_valid(placed: list[tuple[int, Box]], size: Size, kinds: list[Kind]) -> None:
    """No overlap, inside the container, an allowed orientation, no more units than given."""
    used = [0] * len(kinds)
    for kind, box in placed:
        used[kind] += 1
        assert (box[3] - box[0], box[4] - box[1], box[5] - box[2]) in kinds[kind][0]
        assert min(box[:3]) >= 0
        assert all(box[3 + a] <= size[a] for a in range(3))
    assert all(used[k] <= kinds[k][2] for k in range(len(kinds)))
    boxes = sorted(box for _, box in placed)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b[0] >= a[3]:
                break
            assert not (a[1] < b[4] and b[1] < a[4] and a[2] < b[5] and b[2] < a[5]), (a, b)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_the_improvement_phase_is_never_worse_than_the_load_it_starts_from(seed: int) -> None:
    rng = random.Random(seed)
    kinds: list[Kind] = []
    for _ in range(4):
        a, b, c = (rng.randint(20, 90) for _ in range(3))
        kinds.append((tuple(sorted(set(permutations((a, b, c))))), 0, rng.randint(10, 60)))
    size = (400, 230, 220)
    search = _Search(size, None, kinds)
    # A randomised (GRASP) load, so there is room to improve.
    start = search.greedy(search.start(), VOLUME, random.Random(seed))
    for share, rule in ((0.25, FIT), (0.5, VOLUME), (0.5, FIT), (0.75, FIT)):
        after = search.improve(start, share, rule)
        assert after.volume >= start.volume
        placed = unit_boxes(after.blocks)
        assert_valid(placed, size, kinds)
        assert sum((b[3] - b[0]) * (b[4] - b[1]) * (b[5] - b[2]) for _, b in placed) == after.volume


def test_a_support_rule_keeps_the_engine_that_respects_it() -> None:
    carton, items = br_like(3, 3)
    plan = pack(items, [carton], objective="cartons", on_unpackable="report", support="1", effort=1)
    # verify checks the support rule the plan carries: every unit fully supported.
    assert plan.support == 1
    verify(plan)
    assert not any("block loading" in note for note in plan.notes)
