"""Order batching: which orders one picker collects on one tour.

Five methods, all respecting the picker's capacity and putting every order in exactly
one batch:

* ``fcfs``: first come, first served; orders join the open batch in arrival order and a
  new batch opens when the next order does not fit (next fit).
* ``seed``: open a batch with the remaining order whose own route is longest (the seed),
  then keep adding the order that lengthens the batch's optimal route least.
* ``savings``: Clarke and Wright. For every pair of orders the *saving* is the route length
  of each alone minus the route length of the two together; pairs are taken in order of
  decreasing saving and their batches merged whenever the merged batch fits.
* ``seed+ls`` and ``savings+ls``: the seed or savings batches, then an improvement phase
  (the local search of Henn, Koch, Doerner, Strauss and Wäscher 2010): move one order to
  another batch, or swap two orders of two batches, whenever the capacity holds and the
  total route length drops; the best move of each scan is taken, for at most
  :data:`IMPROVEMENT_PASSES` passes or until a pass finds nothing. Slower (seconds for a
  hundred orders) and shorter.

Route lengths are the exact ``optimal`` ones (:func:`~ordercycle.picking.routers.optimal_length`),
each set of orders evaluated once.

Examples:
    >>> layout = WarehouseLayout.henn_waescher()
    >>> orders = [
    ...     PickOrder("A", (PickLine("1", "MUG", Bin(0, 40), 2),)),
    ...     PickOrder("B", (PickLine("1", "TEA", Bin(9, 3), 2),)),
    ...     PickOrder("C", (PickLine("1", "PEN", Bin(0, 42), 2),)),
    ... ]
    >>> capacity = PickerCapacity(items=4)
    >>> [[o.order_id for o in b.orders] for b in batch_orders(layout, orders, capacity, "fcfs")]
    [['A', 'B'], ['C']]
    >>> [[o.order_id for o in b.orders] for b in batch_orders(layout, orders, capacity, "savings")]
    [['A', 'C'], ['B']]
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Final

import attrs

from ordercycle.picking._batch_search import Batcher, improve
from ordercycle.picking._grid import grid_of
from ordercycle.picking.errors import OrderTooLargeError, UnknownMethodError
from ordercycle.picking.layout import Bin, Depot, WarehouseLayout
from ordercycle.picking.orders import Load, PickerCapacity, PickLine, PickOrder, checked_orders
from ordercycle.picking.routers import resolve_depots

__all__ = ["BATCHING_METHODS", "IMPROVEMENT_PASSES", "Batch", "batch_orders"]

#: Every batching method.
BATCHING_METHODS: Final = ("fcfs", "seed", "savings", "seed+ls", "savings+ls")
#: The improvement phase stops after this many passes even if moves still help.
IMPROVEMENT_PASSES: Final = 25

_EXAMPLE_TYPES = (Bin, PickLine)


@attrs.frozen
class Batch:
    """Orders one picker collects on one tour.

    Attributes:
        number: 1, 2, ... in the order the batches are released (by earliest arrival).
        orders: Its orders, in arrival order.
        length: The optimal route length for all their bins.
    """

    number: int
    orders: tuple[PickOrder, ...]
    length: Fraction

    @property
    def load(self) -> Load:
        """The total load."""
        total = Load()
        for order in self.orders:
            total = total + order.load
        return total

    @property
    def bins(self) -> tuple[Bin, ...]:
        """Every line's bin, order by order."""
        return tuple(b for order in self.orders for b in order.bins)


def batch_orders(
    layout: WarehouseLayout,
    orders: Iterable[PickOrder],
    capacity: PickerCapacity,
    method: str = "savings",
    *,
    start: Depot | str | None = None,
    end: Depot | str | None = None,
) -> tuple[Batch, ...]:
    """Split orders into batches that each fit ``capacity``.

    Args:
        layout: The warehouse.
        orders: The orders, in arrival order.
        capacity: What one picker can carry.
        method: One of :data:`BATCHING_METHODS`.
        start: The depot tours start at (the layout's first by default).
        end: The depot tours end at (the start by default).

    Returns:
        The batches, numbered by their earliest order; every order is in exactly one.

    Raises:
        UnknownMethodError: For a method not in :data:`BATCHING_METHODS`.
        InvalidPickError: For a duplicate order id or something that is not a PickOrder.
        OrderTooLargeError: For an order that exceeds the capacity on its own.
        BinOutsideLayoutError: For a bin the layout does not have.
    """
    if not isinstance(method, str) or method not in BATCHING_METHODS:
        raise UnknownMethodError(method, BATCHING_METHODS, action="batch")
    listed = tuple(orders)
    for order in checked_orders(listed, "batch_orders"):
        too_much = capacity.exceeded(order.load)
        if too_much:
            load, limit = getattr(order.load, too_much), getattr(capacity, too_much)
            raise OrderTooLargeError(order.order_id, too_much, load, limit)
    first, last = resolve_depots(layout, start, end)
    grid = grid_of(layout)
    batcher = Batcher(grid, listed, capacity, grid.ipoint(first), grid.ipoint(last))
    base, _, search = method.partition("+")
    if base == "fcfs":
        groups = _fcfs(batcher)
    elif base == "seed":
        groups = _seed(batcher)
    else:
        groups = _savings(batcher)
    if search:
        groups = improve(batcher, groups, IMPROVEMENT_PASSES)
    groups = sorted((sorted(group) for group in groups), key=lambda group: group[0])
    return tuple(
        Batch(number, tuple(listed[i] for i in group), grid.to_length(batcher.length(group)))
        for number, group in enumerate(groups, start=1)
    )


def _fcfs(batcher: Batcher) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    for i in range(len(batcher.orders)):
        if current and not batcher.fits(batcher.total([*current, i]), len(current) + 1):
            groups.append(current)
            current = []
        current.append(i)
    if current:
        groups.append(current)
    return groups


def _seed(batcher: Batcher) -> list[list[int]]:
    remaining = list(range(len(batcher.orders)))
    groups: list[list[int]] = []
    length = batcher.length
    while remaining:
        seed = max(remaining, key=lambda i: (length([i]), -i))
        group = [seed]
        totals = batcher.total(group)
        remaining.remove(seed)
        while True:
            base = length(group)
            fitting = [
                i
                for i in remaining
                if batcher.fits(batcher.shifted(totals, i, None), len(group) + 1)
            ]
            if not fitting:
                break
            best = min(fitting, key=lambda i: (length([*group, i]) - base, i))
            group.append(best)
            totals = batcher.shifted(totals, best, None)
            remaining.remove(best)
        groups.append(group)
    return groups


def _savings(batcher: Batcher) -> list[list[int]]:
    n = len(batcher.orders)
    length = batcher.length
    alone = [length([i]) for i in range(n)]
    totals = [batcher.total([i]) for i in range(n)]
    pairs: list[tuple[int, int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            if batcher.fits(batcher.shifted(totals[i], j, None), 2):
                saving = alone[i] + alone[j] - length([i, j])
                if saving > 0:
                    pairs.append((-saving, i, j))
    pairs.sort()
    batch_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for _, i, j in pairs:
        a, b = batch_of[i], batch_of[j]
        if a == b:
            continue
        merged = [*members[a], *members[b]]
        if not batcher.fits(batcher.total(merged), len(merged)):
            continue
        keep, drop = min(a, b), max(a, b)
        members[keep] = merged
        del members[drop]
        for k in merged:
            batch_of[k] = keep
    return [members[key] for key in sorted(members)]
