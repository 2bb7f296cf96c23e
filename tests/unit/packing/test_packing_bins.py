"""One carton type, fewest cartons: the maximal-space search with bin elimination."""

from __future__ import annotations

import random

import pytest

from ordercycle.packing import Carton, Item, PackingPlan, Rotation, pack, verify
from ordercycle.packing import _bins as bins_module
from ordercycle.packing import packer as packer_module
from ordercycle.packing._bins import BinUnit, pack_bins


def hard_instance(seed: int, count: int, side: int = 100) -> list[tuple[int, int, int]]:
    """Boxes of random sides 1..side (Martello-Pisinger-Vigo class 8 style), fixed seed."""
    rng = random.Random(seed)
    return [tuple(rng.randint(1, side) for _ in range(3)) for _ in range(count)]  # type: ignore[misc]


def items_of(boxes: list[tuple[int, int, int]]) -> list[Item]:
    return [
        Item.from_mm(f"B{k}", w, h, d, 1, rotation=Rotation.FIXED)
        for k, (w, h, d) in enumerate(boxes)
    ]


def placements(plan: PackingPlan) -> list[tuple[object, ...]]:
    return [
        (index, p.item.sku, p.unit, p.position_mm, p.size_mm)
        for index, package in enumerate(plan.packages)
        for p in package.placements
    ]


def engine_only(monkeypatch: pytest.MonkeyPatch, items: list[Item], carton: Carton) -> int:
    """Cartons the extreme-point engine uses on its own (the hook switched off)."""
    with monkeypatch.context() as patch:
        patch.setattr(packer_module, "improve_cartons", lambda solver, blocks, found: found)
        return len(pack(items, [carton], objective="cartons", effort=2).packages)


def test_bins_are_valid_and_never_more_than_the_engine_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carton = Carton.from_mm("BIN", 100, 100, 100)
    fewer = 0
    for seed in (1, 2, 3):
        items = items_of(hard_instance(seed, 40))
        plan = pack(items, [carton], objective="cartons", effort=2)
        verify(plan)
        assert sorted(p.item.sku for package in plan.packages for p in package) == sorted(
            i.sku for i in items
        )
        before = engine_only(monkeypatch, items, carton)
        assert len(plan.packages) <= before
        fewer += len(plan.packages) < before
        if len(plan.packages) < before:
            assert any("bin elimination" in note for note in plan.notes)
    # The search is there to help: on these hard instances it saves cartons somewhere.
    assert fewer >= 1


def test_the_search_is_deterministic() -> None:
    carton = Carton.from_mm("BIN", 100, 100, 100)
    items = items_of(hard_instance(7, 40))
    first = pack(items, [carton], objective="cartons", effort=2)
    second = pack(list(reversed(items)), [carton], objective="cartons", effort=2)
    again = pack(items, [carton], objective="cartons", effort=2)
    assert placements(first) == placements(again)
    assert len(first.packages) == len(second.packages)


def test_pack_bins_places_every_unit_once_inside_its_bin_without_overlap() -> None:
    boxes = hard_instance(11, 60, side=40)
    units = [BinUnit(k, [b], 1) for k, b in enumerate(boxes)]
    bins = pack_bins((40, 40, 40), None, units, work=400)
    assert bins is not None
    assert sorted(u.uid for placed in bins for u, _ in placed) == list(range(60))
    for placed in bins:
        for index, (unit, (x0, y0, z0, x1, y1, z1)) in enumerate(placed):
            assert 0 <= x0 < x1 <= 40
            assert 0 <= y0 < y1 <= 40
            assert 0 <= z0 < z1 <= 40
            assert (x1 - x0, y1 - y0, z1 - z0) in unit.orientations
            for _, (a0, b0, c0, a1, b1, c1) in placed[:index]:
                assert not (x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1 and z0 < c1 and c0 < z1)
    volume = sum(w * h * d for w, h, d in boxes)
    assert len(bins) >= -(-volume // 40**3)


def test_pack_bins_respects_the_weight_capacity_and_the_bound() -> None:
    # Ten small units of weight 3 in bins that carry 7: two a bin by weight, five bins.
    units = [BinUnit(k, [(1, 1, 1)], 3) for k in range(10)]
    bins = pack_bins((10, 10, 10), 7, units, work=50)
    assert bins is not None
    assert len(bins) == 5
    assert all(sum(u.weight for u, _ in placed) <= 7 for placed in bins)


def test_pack_bins_reports_a_unit_that_fits_no_bin() -> None:
    assert pack_bins((10, 10, 10), None, [BinUnit(0, [(11, 1, 1)], 0)], work=5) is None
    assert pack_bins((10, 10, 10), None, [], work=5) == []


def test_rotations_are_used_when_allowed() -> None:
    # 10 x 10 x 50 rods in a 50 x 50 x 10 bin fit only lying down: five a bin.
    rods = [BinUnit(k, [(10, 10, 50), (50, 10, 10), (10, 50, 10)], 0) for k in range(10)]
    bins = pack_bins((50, 50, 10), None, rods, work=100)
    assert bins is not None
    assert len(bins) == 2


def test_other_catalogues_keep_the_engine_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two carton types: the hook does not apply, so the plan is the engine's.
    items = items_of(hard_instance(3, 12))
    cartons = [Carton.from_mm("BIN", 100, 100, 100), Carton.from_mm("BIG", 100, 100, 200)]
    plan = pack(items, cartons, objective="cartons", effort=2)
    verify(plan)
    assert not any("bin elimination" in note for note in plan.notes)


# --- several carton types: one carton fewer, all of one type (issue 15) -------------------


def test_paper_reams_fit_two_cartons_of_one_type() -> None:
    cartons = [
        Carton.from_mm("Option 1", 230, 300, 240, tare_g=160, max_weight_g=15000),
        Carton.from_mm(
            "Option 2", 364, 374, 40, outer=(370, 375, 60), tare_g=140, max_weight_g=3000
        ),
        Carton.from_mm("Option 3", 229, 305, 520, tare_g=100, max_weight_g=10000),
        Carton.from_mm("Option 4", 220, 260, 15, outer=(240, 270, 15), tare_g=10, max_weight_g=500),
    ]
    # One of BoxPacker's orders: the engine's mixed plan used three cartons.
    items = [
        Item.from_mm("A", 210, 297, 11, 674, quantity=16),
        Item.from_mm("B", 210, 297, 4, 228, quantity=15),
        Item.from_mm("C", 210, 297, 9, 517, quantity=10),
        Item.from_mm("D", 210, 297, 10, 640, quantity=16),
    ]
    plan = pack(items, cartons, objective="cartons")
    verify(plan)
    assert [p.carton.name for p in plan.packages] == ["Option 1", "Option 1"]
    assert plan.lower_bound == 2
    assert plan.optimal
    assert sum(len(p) for p in plan.packages) == 57
    again = pack(items, cartons, objective="cartons")
    assert [[pl.position for pl in p.placements] for p in again.packages] == [
        [pl.position for pl in p.placements] for p in plan.packages
    ]


# --- the improvement phase on MPV-like instances (issue 15) -------------------------------


def mpv_like(seed: int, count: int, kind: int) -> list[tuple[int, int, int]]:
    """Boxes in the style of Martello-Pisinger-Vigo class 5 (kind 5) or 7 (kind 7), bin 40.

    Class 5 mixes the five item kinds (long, wide, flat, large and small) in a 40-cube
    bin; class 7 draws every side from 1..35. A fixed seed makes the instance.
    """
    rng = random.Random(seed)
    side = 40
    boxes = []
    for _ in range(count):
        if kind == 7:
            boxes.append((rng.randint(1, 35), rng.randint(1, 35), rng.randint(1, 35)))
            continue
        t = rng.randint(1, 10)
        low, high, half = 2 * side // 3, side, side // 2
        box = {
            1: (rng.randint(1, half), rng.randint(low, high), rng.randint(low, high)),
            2: (rng.randint(low, high), rng.randint(1, half), rng.randint(low, high)),
            3: (rng.randint(low, high), rng.randint(low, high), rng.randint(1, half)),
            4: (rng.randint(half, high), rng.randint(half, high), rng.randint(half, high)),
        }.get(t, (rng.randint(1, half), rng.randint(1, half), rng.randint(1, half)))
        boxes.append(box)
    return boxes


def check_bins(
    side: int, units: list[BinUnit], bins: list[list[tuple[BinUnit, tuple[int, ...]]]]
) -> None:
    assert sorted(u.uid for placed in bins for u, _ in placed) == [u.uid for u in units]
    for placed in bins:
        assert placed
        for index, (unit, (x0, y0, z0, x1, y1, z1)) in enumerate(placed):
            assert 0 <= x0 < x1 <= side
            assert 0 <= y0 < y1 <= side
            assert 0 <= z0 < z1 <= side
            assert (x1 - x0, y1 - y0, z1 - z0) in unit.orientations
            for _, (a0, b0, c0, a1, b1, c1) in placed[:index]:
                assert not (x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1 and z0 < c1 and c0 < z1)


@pytest.mark.parametrize(("seed", "kind"), [(5, 5), (4, 7)])
def test_improvement_is_valid_and_never_worse_than_the_construction(seed: int, kind: int) -> None:
    boxes = mpv_like(seed, 50, kind)
    units = [BinUnit(k, [b], 0) for k, b in enumerate(boxes)]
    # One bin fill per bin of each construction: the budget runs out before any
    # improvement, so this is the best constructive start.
    start = pack_bins((40, 40, 40), None, units, work=1)
    counts = []
    for work in (300, 1_200):
        bins = pack_bins((40, 40, 40), None, units, work=work)
        assert bins is not None
        check_bins(40, units, bins)
        counts.append(len(bins))
    assert start is not None
    check_bins(40, units, start)
    # More work continues the same seeded search: never more bins.
    assert counts[0] <= len(start)
    assert counts[1] <= counts[0]


def test_improvement_removes_bins_on_hard_instances() -> None:
    saved = 0
    for seed in (4, 5):
        units = [BinUnit(k, [b], 0) for k, b in enumerate(mpv_like(seed, 50, 7))]
        start = pack_bins((40, 40, 40), None, units, work=1)
        bins = pack_bins((40, 40, 40), None, units, work=1_200)
        assert start is not None
        assert bins is not None
        saved += len(start) - len(bins)
    assert saved >= 1


def test_same_budget_same_bins() -> None:
    units = [BinUnit(k, [b], 0) for k, b in enumerate(mpv_like(9, 60, 5))]
    first = pack_bins((40, 40, 40), None, units, work=500)
    second = pack_bins((40, 40, 40), None, list(units), work=500)
    assert first is not None
    assert second is not None
    assert [[(u.uid, box) for u, box in placed] for placed in first] == [
        [(u.uid, box) for u, box in placed] for placed in second
    ]


# --- late acceptance in ruin and recreate (issue 15, MPV) --------------------------------


def bins_with(
    monkeypatch: pytest.MonkeyPatch, history: int, units: list[BinUnit], work: int
) -> list[list[tuple[BinUnit, tuple[int, ...]]]]:
    with monkeypatch.context() as patch:
        patch.setattr(bins_module, "LATE_ACCEPTANCE", history)
        found = pack_bins((40, 40, 40), None, units, work=work)
    assert found is not None
    return found  # type: ignore[return-value]


def test_late_acceptance_drains_bins_that_hill_climbing_keeps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a history of one step, a repack is kept only when it moves volume towards the
    # full bins (hill climbing). Stepping back a little, as the plan 50 steps ago allows,
    # gets out of plans where no repack tried does that, and a bin fewer each time here.
    for seed in (4, 5):
        units = [BinUnit(k, [b], 0) for k, b in enumerate(mpv_like(seed, 60, 7))]
        start = pack_bins((40, 40, 40), None, units, work=1)
        assert start is not None
        climbing = bins_with(monkeypatch, 1, units, 1_500)
        late = bins_with(monkeypatch, 50, units, 1_500)
        check_bins(40, units, climbing)
        check_bins(40, units, late)
        assert len(late) < len(climbing) <= len(start)


def test_late_acceptance_never_ends_with_more_bins_than_it_had(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A step back is a repack into as many bins, never more: along the budgets the count
    # of bins only falls, and each plan holds every unit once, inside its bin.
    units = [BinUnit(k, [b], 0) for k, b in enumerate(mpv_like(6, 60, 5))]
    counts = []
    for work in (1, 200, 800, 1_600):
        found = bins_with(monkeypatch, 50, units, work)
        check_bins(40, units, found)
        counts.append(len(found))
    assert counts == sorted(counts, reverse=True)
