"""Pick lists: a batch's lines in walking order, its route, time estimate and short picks.

A :class:`PickList` is a plan, computed and never stored. The pick list a warehouse has
been handed, with an id and a lifecycle, is a
:class:`~ordercycle.picking.wave_pick_list.WavePickList`.

Examples:
    >>> layout = WarehouseLayout.henn_waescher()
    >>> orders = [
    ...     PickOrder("A", (PickLine("1", "MUG", Bin(4, 40), 2),
    ...                     PickLine("2", "TEA", Bin(1, 5), 1))),
    ...     PickOrder("B", (PickLine("1", "PEN", Bin(2, 10, "right"), 3),)),
    ... ]
    >>> (sheet,) = pick_lists(layout, orders, PickerCapacity(items=10), name="W1")
    >>> print(sheet.format())
    Pick list W1-1: 3 lines, 6 units, route 148 LU (optimal), to 'depot'
      #  bin         sku  lot  qty  order  tote
      1  A01-005-L0  TEA  -      1  A         1
      2  A04-040-L0  MUG  -      2  A         1
      3  A02-010-R0  PEN  -      3  B         2
    >>> sheet.estimated_seconds
    Fraction(268, 1)
    >>> shorted = sheet.short_pick("B", "1", found=1)
    >>> shorted.shorts[0].missing, shorted.count_bins
    (2, (Bin(aisle=2, position=10, side='right', level=0, block=0),))
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import attrs

from ordercycle.picking.batching import Batch, batch_orders
from ordercycle.picking.errors import InvalidPickError, PickListError
from ordercycle.picking.layout import Bin, Depot, WarehouseLayout
from ordercycle.picking.orders import PickerCapacity, PickLine, PickOrder
from ordercycle.picking.route import Route
from ordercycle.picking.routers import route
from ordercycle.units import exact_magnitude

__all__ = ["PickList", "PickListLine", "PickRates", "ShortPick", "pick_list", "pick_lists"]

_EXAMPLE_TYPES = (PickLine,)


def _rate(value: object) -> Fraction:
    try:
        number = exact_magnitude(value, subject="PickRates", field="rate")
    except ValueError:
        raise InvalidPickError("PickRates", "rate", value, "a number of zero or more") from None
    if number < 0:
        raise InvalidPickError("PickRates", "rate", value, "a number of zero or more")
    return number


def _speed(value: object) -> Fraction:
    number = _rate(value)
    if number == 0:
        raise InvalidPickError("PickRates", "walk_speed", value, "a positive number")
    return number


@attrs.frozen
class PickRates:
    """How fast a picker works, for time estimates.

    Attributes:
        walk_speed: Layout units walked per second.
        setup: Seconds per tour (collect the cart, print, hand off).
        per_line: Seconds per pick line (find the bin, scan).
        per_unit: Seconds per unit taken.
    """

    walk_speed: Fraction = attrs.field(default=Fraction(1), converter=_speed)
    setup: Fraction = attrs.field(default=Fraction(60), converter=_rate)
    per_line: Fraction = attrs.field(default=Fraction(10), converter=_rate)
    per_unit: Fraction = attrs.field(default=Fraction(5), converter=_rate)


@attrs.frozen
class PickListLine:
    """One line of a pick list: take ``quantity`` of ``sku`` from ``bin`` into ``tote``.

    Attributes:
        bin: Where.
        sku: What.
        lot: Which lot, if tracked.
        quantity: How many units are expected.
        order_id: The order the units go to.
        line_id: The order line.
        tote: The tote (1, 2, ...) of that order on the picker's cart.
        found: Units actually found, once the picker reported a short pick.
    """

    bin: Bin
    sku: str
    lot: str | None
    quantity: int
    order_id: str
    line_id: str
    tote: int
    found: int | None = None

    @property
    def units(self) -> int:
        """Units that will be picked (``found`` after a short pick)."""
        return self.quantity if self.found is None else self.found


@attrs.frozen
class ShortPick:
    """A picker found fewer units than expected.

    Hand it to inventory: the bin needs a count, and ``missing`` units of the line need
    reallocating from elsewhere or backordering.

    Attributes:
        pick_list: The pick list's name.
        order_id: The order.
        line_id: The order line.
        sku: The sku.
        bin: The bin that came up short (to be counted).
        lot: The lot, if tracked.
        expected: Units the list asked for.
        found: Units found.
    """

    pick_list: str
    order_id: str
    line_id: str
    sku: str
    bin: Bin
    lot: str | None
    expected: int
    found: int

    @property
    def missing(self) -> int:
        """Units still owed to the order."""
        return self.expected - self.found


@attrs.frozen
class PickList:
    """What one picker walks: lines in walking order, the route and a time estimate.

    Attributes:
        name: The list's name, such as ``W1-3``.
        lines: The lines in walking order.
        route: The route; it ends at the packing station the list hands off to.
        rates: The rates used for the time estimate.
        shorts: Short picks reported so far.
    """

    name: str
    lines: tuple[PickListLine, ...]
    route: Route
    rates: PickRates
    shorts: tuple[ShortPick, ...] = ()

    @property
    def station(self) -> str:
        """The depot (packing station) the list hands off to."""
        return self.route.end.name

    @property
    def units(self) -> int:
        """Units to pick (after short picks)."""
        return sum(line.units for line in self.lines)

    @property
    def travel_seconds(self) -> Fraction:
        """Walking time: route length over walking speed."""
        return self.route.length / self.rates.walk_speed

    @property
    def pick_seconds(self) -> Fraction:
        """Time at the bins: setup, per line and per unit."""
        rates = self.rates
        return rates.setup + rates.per_line * len(self.lines) + rates.per_unit * self.units

    @property
    def estimated_seconds(self) -> Fraction:
        """Travel plus pick time."""
        return self.travel_seconds + self.pick_seconds

    @property
    def count_bins(self) -> tuple[Bin, ...]:
        """Bins flagged for a cycle count because they came up short (sorted)."""
        return tuple(sorted({short.bin for short in self.shorts}))

    def short_pick(self, order_id: str, line_id: str, found: int) -> PickList:
        """Record that only ``found`` units of a line were in its bin.

        Returns a new pick list with the line adjusted, the short pick recorded in
        :attr:`shorts` and its bin in :attr:`count_bins`; this one is unchanged.

        Raises:
            PickListError: For an unknown line, a line already reported short, or a
                ``found`` that is not between 0 and the expected quantity minus one.
        """
        action = f"report a short pick of line {line_id!r} of order {order_id!r}"
        index = next(
            (
                i
                for i, line in enumerate(self.lines)
                if (line.order_id, line.line_id) == (order_id, line_id)
            ),
            None,
        )
        if index is None:
            known = ", ".join(f"{line.order_id}/{line.line_id}" for line in self.lines)
            raise PickListError(self.name, action, f"it has no such line; lines: {known}")
        line = self.lines[index]
        if line.found is not None:
            raise PickListError(self.name, action, f"it was already reported ({line.found} found)")
        if isinstance(found, bool) or not isinstance(found, int) or not 0 <= found < line.quantity:
            raise PickListError(
                self.name,
                action,
                f"found {found!r} is not a short pick; expected an integer from 0 to"
                f" {line.quantity - 1}",
            )
        short = ShortPick(
            self.name, order_id, line_id, line.sku, line.bin, line.lot, line.quantity, found
        )
        lines = list(self.lines)
        lines[index] = attrs.evolve(line, found=found)
        return attrs.evolve(self, lines=tuple(lines), shorts=(*self.shorts, short))

    def add_line(self, order_id: str, line: PickLine) -> PickList:
        """Add a line for an order already on this list and plan the tour again.

        Use it when inventory reallocates the units of a short pick to another bin: the
        new line goes into the order's tote, the route is recomputed with the same method
        and depots, and the lines are sorted in the new walking order. Short picks already
        reported are kept.

        Raises:
            PickListError: If the order is not on this list or the line id is taken.
            InvalidPickError: If ``line`` is not a :class:`PickLine`.
            BinOutsideLayoutError: If its bin is not in the layout.
        """
        action = f"add a line to order {order_id!r}"
        if not isinstance(line, PickLine):
            raise InvalidPickError(f"pick list {self.name}", "line", line, "a PickLine")
        totes = {existing.order_id: existing.tote for existing in self.lines}
        if order_id not in totes:
            known = ", ".join(sorted(totes))
            raise PickListError(self.name, action, f"the order is not on it; orders: {known}")
        taken = {x.line_id for x in self.lines if x.order_id == order_id}
        if line.line_id in taken:
            raise PickListError(
                self.name, action, f"line id {line.line_id!r} is taken; use a new line id"
            )
        entry = PickListLine(
            line.bin, line.sku, line.lot, line.quantity, order_id, line.line_id, totes[order_id]
        )
        tour = self.route
        new_route, ordered = _walking_order(
            tour.layout, [*self.lines, entry], tour.method, tour.start, tour.end
        )
        return attrs.evolve(self, lines=ordered, route=new_route)

    def to_records(self) -> list[dict[str, Any]]:
        """The lines as plain dictionaries, in walking order (for tables and exports)."""
        return [
            {
                "step": step,
                "bin": line.bin.label,
                "sku": line.sku,
                "lot": line.lot,
                "quantity": line.quantity,
                "found": line.found,
                "order_id": line.order_id,
                "line_id": line.line_id,
                "tote": line.tote,
            }
            for step, line in enumerate(self.lines, start=1)
        ]

    def format(self) -> str:
        """A printable pick list: a header line and one row per line in walking order."""
        header = (
            f"Pick list {self.name}: {_count(len(self.lines), 'line')},"
            f" {_count(self.units, 'unit')},"
            f" route {self.route.length} LU ({self.route.method}), to {self.station!r}"
        )
        rows = [("#", "bin", "sku", "lot", "qty", "order", "tote")]
        for step, line in enumerate(self.lines, start=1):
            qty = str(line.quantity) if line.found is None else f"{line.found}/{line.quantity}"
            rows.append(
                (
                    str(step),
                    line.bin.label,
                    line.sku,
                    line.lot or "-",
                    qty,
                    line.order_id,
                    str(line.tote),
                )
            )
        widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
        right = {4, 6}
        text = [header]
        for row in rows:
            cells = [
                cell.rjust(width) if c in right or c == 0 else cell.ljust(width)
                for c, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            text.append("  " + "  ".join(cells).rstrip())
        return "\n".join(text)

    def _repr_svg_(self) -> str:
        return self.route._repr_svg_()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def pick_list(
    layout: WarehouseLayout,
    batch: Batch | Iterable[PickOrder],
    *,
    name: str,
    rates: PickRates | None = None,
    method: str = "optimal",
    start: Depot | str | None = None,
    end: Depot | str | None = None,
) -> PickList:
    """Build the pick list for one batch of orders.

    Each order gets a tote (1, 2, ... in batch order); lines are sorted in the order the
    route reaches their bins.

    Raises:
        EmptyPickListError: If there are no orders.
        UnknownMethodError, BinOutsideLayoutError, DepotError: As :func:`route`.
    """
    orders = batch.orders if isinstance(batch, Batch) else tuple(batch)
    entries = [
        PickListLine(
            line.bin, line.sku, line.lot, line.quantity, order.order_id, line.line_id, tote
        )
        for tote, order in enumerate(orders, start=1)
        for line in order.lines
    ]
    tour, ordered = _walking_order(layout, entries, method, start, end)
    return PickList(name, ordered, tour, rates or PickRates())


def _walking_order(
    layout: WarehouseLayout,
    entries: list[PickListLine],
    method: str,
    start: Depot | str | None,
    end: Depot | str | None,
) -> tuple[Route, tuple[PickListLine, ...]]:
    tour = route(layout, [entry.bin for entry in entries], method, start=start, end=end)
    waiting: dict[Bin, list[int]] = {}
    for index, entry in enumerate(entries):
        waiting.setdefault(entry.bin, []).append(index)
    return tour, tuple(entries[waiting[stop].pop(0)] for stop in tour.stops)


def pick_lists(
    layout: WarehouseLayout,
    orders: Iterable[PickOrder],
    capacity: PickerCapacity,
    *,
    name: str = "PL",
    batching: str = "savings",
    method: str = "optimal",
    rates: PickRates | None = None,
    start: Depot | str | None = None,
    end: Depot | str | None = None,
) -> tuple[PickList, ...]:
    """Batch ``orders`` (see :func:`batch_orders`) and build one pick list per batch.

    Lists are named ``<name>-1``, ``<name>-2``, ... in batch order.

    Args:
        layout: The warehouse.
        orders: The orders, in arrival order.
        capacity: What one picker can carry.
        name: The prefix of the list names.
        batching: A batching method from
            :data:`~ordercycle.picking.batching.BATCHING_METHODS` (``savings+ls`` walks
            least, ``fcfs`` is quickest).
        method: The routing method of each list.
        rates: Walking and handling rates for the time estimates.
        start: The depot tours start at.
        end: The depot tours end at.
    """
    batches = batch_orders(layout, orders, capacity, batching, start=start, end=end)
    return tuple(
        pick_list(
            layout,
            batch,
            name=f"{name}-{batch.number}",
            rates=rates,
            method=method,
            start=start,
            end=end,
        )
        for batch in batches
    )
