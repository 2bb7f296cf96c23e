"""Order batching: which orders one picker collects on one tour.

Three methods, all respecting the picker's capacity and putting every order in exactly
one batch:

* ``fcfs``: first come, first served; orders join the open batch in arrival order and a
  new batch opens when the next order does not fit (next fit).
* ``seed``: open a batch with the remaining order whose own route is longest (the seed),
  then keep adding the order that lengthens the batch's optimal route least.
* ``savings``: Clarke and Wright. For every pair of orders the *saving* is the route length
  of each alone minus the route length of the two together; pairs are taken in order of
  decreasing saving and their batches merged whenever the merged batch fits.

Route lengths are the ``optimal`` ones (:func:`~ordercycle.picking.routing.optimal_length`).

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

from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Final

import attrs

from ordercycle.picking.errors import InvalidPickError, OrderTooLargeError, UnknownMethodError
from ordercycle.picking.layout import Bin, Depot, WarehouseLayout
from ordercycle.picking.orders import Load, PickerCapacity, PickLine, PickOrder
from ordercycle.picking.routing import optimal_length

__all__ = ["BATCHING_METHODS", "Batch", "batch_orders"]

#: Every batching method.
BATCHING_METHODS: Final = ("fcfs", "seed", "savings")

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


class _Lengths:
    """Memoised optimal route length of a set of orders (by arrival index)."""

    def __init__(
        self,
        layout: WarehouseLayout,
        orders: Sequence[PickOrder],
        start: Depot | str | None,
        end: Depot | str | None,
    ) -> None:
        self.layout, self.orders, self.start, self.end = layout, orders, start, end
        self.cache: dict[tuple[int, ...], Fraction] = {}

    def __call__(self, members: Iterable[int]) -> Fraction:
        key = tuple(sorted(members))
        found = self.cache.get(key)
        if found is None:
            bins = [b for i in key for b in self.orders[i].bins]
            found = optimal_length(self.layout, bins, start=self.start, end=self.end)
            self.cache[key] = found
        return found


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
    seen: set[str] = set()
    for order in listed:
        if not isinstance(order, PickOrder):
            raise InvalidPickError("batch_orders", "orders", order, "PickOrder values")
        if order.order_id in seen:
            raise InvalidPickError("batch_orders", "orders", order.order_id, "unique order ids")
        seen.add(order.order_id)
        too_much = capacity.exceeded(order.load)
        if too_much:
            load, limit = getattr(order.load, too_much), getattr(capacity, too_much)
            raise OrderTooLargeError(order.order_id, too_much, load, limit)
    lengths = _Lengths(layout, listed, start, end)
    if method == "fcfs":
        groups = _fcfs(listed, capacity)
    elif method == "seed":
        groups = _seed(listed, capacity, lengths)
    else:
        groups = _savings(listed, capacity, lengths)
    groups = sorted((sorted(group) for group in groups), key=lambda group: group[0])
    return tuple(
        Batch(number, tuple(listed[i] for i in group), lengths(group))
        for number, group in enumerate(groups, start=1)
    )


def _load(orders: Sequence[PickOrder], members: Iterable[int]) -> Load:
    total = Load()
    for i in members:
        total = total + orders[i].load
    return total


def _fcfs(orders: Sequence[PickOrder], capacity: PickerCapacity) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    load = Load()
    for i, order in enumerate(orders):
        if current and not capacity.fits(load + order.load, len(current) + 1):
            groups.append(current)
            current, load = [], Load()
        current.append(i)
        load = load + order.load
    if current:
        groups.append(current)
    return groups


def _seed(
    orders: Sequence[PickOrder], capacity: PickerCapacity, lengths: _Lengths
) -> list[list[int]]:
    remaining = list(range(len(orders)))
    groups: list[list[int]] = []
    while remaining:
        seed = max(remaining, key=lambda i: (lengths([i]), -i))
        group, load = [seed], orders[seed].load
        remaining.remove(seed)
        while True:
            base = lengths(group)
            fitting = [i for i in remaining if capacity.fits(load + orders[i].load, len(group) + 1)]
            if not fitting:
                break
            best = min(fitting, key=lambda i: (lengths([*group, i]) - base, i))
            group.append(best)
            load = load + orders[best].load
            remaining.remove(best)
        groups.append(group)
    return groups


def _savings(
    orders: Sequence[PickOrder], capacity: PickerCapacity, lengths: _Lengths
) -> list[list[int]]:
    n = len(orders)
    alone = [lengths([i]) for i in range(n)]
    pairs: list[tuple[Fraction, int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            if capacity.fits(orders[i].load + orders[j].load, 2):
                saving = alone[i] + alone[j] - lengths([i, j])
                if saving > 0:
                    pairs.append((-saving, i, j))
    pairs.sort()
    batch_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    loads: dict[int, Load] = {i: orders[i].load for i in range(n)}
    for _, i, j in pairs:
        a, b = batch_of[i], batch_of[j]
        if a == b:
            continue
        merged = loads[a] + loads[b]
        if not capacity.fits(merged, len(members[a]) + len(members[b])):
            continue
        keep, drop = min(a, b), max(a, b)
        members[keep] += members.pop(drop)
        loads[keep] = merged
        del loads[drop]
        for k in members[keep]:
            batch_of[k] = keep
    return [members[key] for key in sorted(members)]
