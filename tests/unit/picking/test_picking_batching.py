"""Order batching: every order in exactly one batch, capacity respected, methods compared."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle import Q_
from ordercycle.picking import (
    BATCHING_METHODS,
    IMPROVEMENT_PASSES,
    Bin,
    BinOutsideLayoutError,
    InvalidPickError,
    OrderTooLargeError,
    PickerCapacity,
    PickLine,
    PickOrder,
    UnknownMethodError,
    WarehouseLayout,
    batch_orders,
    optimal_length,
    pick_lists,
)
from ordercycle.picking._batch_search import Batcher, improve
from ordercycle.picking._grid import grid_of

HW = WarehouseLayout.henn_waescher()


def random_orders(rng: random.Random, count: int, lines: tuple[int, int]) -> list[PickOrder]:
    bins = HW.bins()
    return [
        PickOrder(
            f"SO-{number}",
            tuple(
                PickLine(
                    str(k),
                    f"SKU-{rng.randrange(999)}",
                    rng.choice(bins),
                    rng.randint(1, 3),
                    unit_weight=Q_(rng.randint(50, 900), "g"),
                )
                for k in range(rng.randint(*lines))
            ),
        )
        for number in range(count)
    ]


def test_fcfs_fills_batches_in_arrival_order() -> None:
    orders = [
        PickOrder(f"O{i}", (PickLine("1", "X", Bin(i, 0), quantity),))
        for i, quantity in enumerate([3, 3, 5, 1, 8])
    ]
    batches = batch_orders(HW, orders, PickerCapacity(items=8), "fcfs")
    assert [[o.order_id for o in b.orders] for b in batches] == [
        ["O0", "O1"],
        ["O2", "O3"],
        ["O4"],
    ]
    assert [b.number for b in batches] == [1, 2, 3]
    assert [b.load.items for b in batches] == [6, 6, 8]


def test_batch_length_is_the_optimal_route_of_its_bins() -> None:
    orders = random_orders(random.Random(3), 12, (2, 6))
    for batch in batch_orders(HW, orders, PickerCapacity(items=20), "seed"):
        assert batch.length == optimal_length(HW, batch.bins)


def test_savings_puts_neighbouring_orders_together() -> None:
    near = [PickOrder(f"N{i}", (PickLine("1", "X", Bin(0, 40 + i), 1),)) for i in range(2)]
    far = [PickOrder(f"F{i}", (PickLine("1", "X", Bin(9, 40 + i), 1),)) for i in range(2)]
    orders = [near[0], far[0], near[1], far[1]]
    capacity = PickerCapacity(totes=2)
    fcfs = batch_orders(HW, orders, capacity, "fcfs")
    savings = batch_orders(HW, orders, capacity, "savings")
    seed = batch_orders(HW, orders, capacity, "seed")
    assert [[o.order_id for o in b.orders] for b in savings] == [["N0", "N1"], ["F0", "F1"]]
    assert sorted(sorted(o.order_id for o in b.orders) for b in seed) == [
        ["F0", "F1"],
        ["N0", "N1"],
    ]
    assert sum(b.length for b in savings) < sum(b.length for b in fcfs)


def test_savings_beats_fcfs_on_a_hundred_random_orders() -> None:
    orders = random_orders(random.Random(11), 100, (5, 25))
    capacity = PickerCapacity(items=60)
    totals = {
        method: sum(b.length for b in batch_orders(HW, orders, capacity, method))
        for method in BATCHING_METHODS
    }
    assert totals["savings"] < totals["fcfs"]
    assert totals["seed"] < totals["fcfs"]
    assert totals["savings+ls"] < totals["savings"]
    assert totals["seed+ls"] < totals["seed"]


def test_improvement_swaps_orders_into_neighbouring_batches() -> None:
    near = [PickOrder(f"N{i}", (PickLine("1", "X", Bin(0, 40 + i), 1),)) for i in range(2)]
    far = [PickOrder(f"F{i}", (PickLine("1", "X", Bin(9, 40 + i), 1),)) for i in range(2)]
    orders = [near[0], far[0], near[1], far[1]]
    grid = grid_of(HW)
    depot = grid.ipoint(HW.depots[0])
    batcher = Batcher(grid, orders, PickerCapacity(totes=2), depot, depot)
    mixed = [[0, 1], [2, 3]]  # what FCFS does: each batch has one near and one far order
    better = improve(batcher, mixed, IMPROVEMENT_PASSES)
    assert sorted(better) == [[0, 2], [1, 3]]
    assert sum(map(batcher.length, better)) < sum(map(batcher.length, mixed))
    assert mixed == [[0, 1], [2, 3]]  # the input is not modified
    assert improve(batcher, mixed, 0) == mixed  # no passes, no change


def test_improvement_relocates_an_order_when_a_batch_has_room() -> None:
    orders = [
        PickOrder("A", (PickLine("1", "X", Bin(0, 40), 1),)),
        PickOrder("B", (PickLine("1", "X", Bin(9, 40), 1),)),
        PickOrder("C", (PickLine("1", "X", Bin(0, 41), 1),)),
    ]
    grid = grid_of(HW)
    depot = grid.ipoint(HW.depots[0])
    batcher = Batcher(grid, orders, PickerCapacity(items=2), depot, depot)
    assert improve(batcher, [[0, 1], [2]], IMPROVEMENT_PASSES) == [[1], [0, 2]]


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(4, 12))
def test_the_improvement_phase_never_lengthens_the_batching(rng: random.Random, items: int) -> None:
    orders = [o for o in random_orders(rng, rng.randint(2, 16), (1, 4)) if o.load.items <= items]
    capacity = PickerCapacity(items=items)
    for base in ("seed", "savings"):
        plain = batch_orders(HW, orders, capacity, base)
        improved = batch_orders(HW, orders, capacity, f"{base}+ls")
        assert sum(b.length for b in improved) <= sum(b.length for b in plain)


@settings(max_examples=40, deadline=None)
@given(
    st.randoms(use_true_random=False),
    st.sampled_from(BATCHING_METHODS),
    st.integers(3, 15),
    st.one_of(st.none(), st.integers(1, 4)),
)
def test_every_order_is_in_exactly_one_batch_and_capacity_holds(
    rng: random.Random, method: str, items: int, totes: int | None
) -> None:
    orders = [o for o in random_orders(rng, rng.randint(0, 14), (1, 4)) if o.load.items <= items]
    capacity = PickerCapacity(items=items, weight=Q_(8, "kg"), totes=totes)
    orders = [o for o in orders if capacity.fits(o.load)]
    batches = batch_orders(HW, orders, capacity, method)
    placed = Counter(o.order_id for b in batches for o in b.orders)
    assert placed == Counter(o.order_id for o in orders)
    for batch in batches:
        assert capacity.fits(batch.load, len(batch.orders))
        arrival = [orders.index(o) for o in batch.orders]
        assert arrival == sorted(arrival)
    firsts = [orders.index(b.orders[0]) for b in batches]
    assert firsts == sorted(firsts)
    assert batches == batch_orders(HW, orders, capacity, method)


def test_an_order_larger_than_the_capacity_is_refused() -> None:
    orders = [PickOrder("BIG", (PickLine("1", "X", Bin(0, 0), 9),))]
    with pytest.raises(OrderTooLargeError) as caught:
        batch_orders(HW, orders, PickerCapacity(items=8))
    assert "order 'BIG': its items (9) exceed the picker capacity (8)" in str(caught.value)
    assert (caught.value.measure, caught.value.load, caught.value.capacity) == ("items", 9, 8)


def test_unknown_batching_method_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownMethodError, match="Cannot batch with method 'random'") as caught:
        batch_orders(HW, [], PickerCapacity(), "random")
    assert "valid methods are fcfs, seed, savings, seed+ls, savings+ls" in str(caught.value)


def test_duplicate_orders_and_foreign_bins_are_refused() -> None:
    order = PickOrder("A", (PickLine("1", "X", Bin(0, 0), 1),))
    with pytest.raises(InvalidPickError, match="unique order ids"):
        batch_orders(HW, [order, order], PickerCapacity())
    with pytest.raises(InvalidPickError, match="PickOrder values"):
        batch_orders(HW, ["A"], PickerCapacity())  # type: ignore[list-item]
    outside = PickOrder("B", (PickLine("1", "X", Bin(11, 0), 1),))
    with pytest.raises(BinOutsideLayoutError):
        batch_orders(HW, [outside], PickerCapacity())


def test_no_orders_make_no_batches() -> None:
    assert batch_orders(HW, [], PickerCapacity(items=5)) == ()


def test_pick_lists_batch_with_the_improvement_phase() -> None:
    orders = random_orders(random.Random(5), 24, (2, 6))
    capacity = PickerCapacity(items=30)
    plain = pick_lists(HW, orders, capacity, batching="savings")
    improved = pick_lists(HW, orders, capacity, batching="savings+ls")
    assert sum(s.route.length for s in improved) <= sum(s.route.length for s in plain)
    lines = sorted((line.order_id, line.line_id) for s in improved for line in s.lines)
    assert lines == sorted((o.order_id, line.line_id) for o in orders for line in o.lines)
    assert improved == pick_lists(HW, orders, capacity, batching="savings+ls")


def test_batching_on_a_multi_block_layout_uses_its_optimal_lengths() -> None:
    layout = WarehouseLayout.multi_block()
    rng = random.Random(9)
    bins = layout.bins()
    orders = [
        PickOrder(f"M{i}", tuple(PickLine(str(k), "X", rng.choice(bins), 1) for k in range(2)))
        for i in range(7)
    ]
    capacity = PickerCapacity(items=4)
    for method in BATCHING_METHODS:
        batches = batch_orders(layout, orders, capacity, method)
        assert sorted(o.order_id for b in batches for o in b.orders) == [f"M{i}" for i in range(7)]
        for batch in batches:
            assert batch.load.items <= 4
            assert batch.length == optimal_length(layout, batch.bins)
