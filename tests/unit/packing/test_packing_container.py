"""One container that cannot take everything: maximal spaces filled with blocks."""

from __future__ import annotations

import random

import pytest

from ordercycle.packing import Carton, Item, PackingPlan, Rotation, pack, verify
from ordercycle.packing import packer as packer_module


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
