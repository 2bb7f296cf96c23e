"""What pickers pick: allocated order lines in bins, orders and picker capacity.

A :class:`PickLine` is one allocated line (or part of a line) in one bin; a
:class:`PickOrder` groups the lines of one customer order with what waves and batches need
(cut-off time, carrier, priority). Volumes are kept exactly in litres and weights in grams;
they enter as pint quantities.

Examples:
    >>> from ordercycle.units import Q_
    >>> order = PickOrder("SO-1", (
    ...     PickLine("1", "MUG", Bin(2, 7), 2, unit_weight=Q_(350, "g")),
    ...     PickLine("2", "TEA", Bin(5, 30, "right"), 1, unit_volume=Q_("0.5", "L")),
    ... ))
    >>> order.load
    Load(items=3, volume=Fraction(1, 2), weight=Fraction(700, 1))
    >>> PickerCapacity(items=20, weight=Q_(15, "kg")).fits(order.load)
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any

import attrs

from ordercycle.errors import OrderCycleError
from ordercycle.picking.errors import InvalidPickError
from ordercycle.picking.layout import Bin
from ordercycle.units import is_quantity, to_exact

__all__ = ["Load", "PickLine", "PickOrder", "PickerCapacity"]


def _exact(value: object, unit: str, subject: str, field: str) -> Fraction:
    if not is_quantity(value):
        raise InvalidPickError(subject, field, value, f"a pint quantity convertible to {unit}")
    try:
        number = to_exact(value, unit, subject=subject, field=field)
    except OrderCycleError:
        raise InvalidPickError(subject, field, value, f"a quantity convertible to {unit}") from None
    if number < 0:
        raise InvalidPickError(subject, field, value, "zero or more")
    return number


def _volume(value: object) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return _exact(value, "L", "PickLine", "unit_volume")


def _weight(value: object) -> Fraction:
    if isinstance(value, Fraction):
        return value
    return _exact(value, "g", "PickLine", "unit_weight")


@attrs.frozen(order=True)
class Load:
    """How much a picker carries: item count, volume in litres, weight in grams."""

    items: int = 0
    volume: Fraction = Fraction(0)
    weight: Fraction = Fraction(0)

    def __add__(self, other: Load) -> Load:
        return Load(
            self.items + other.items, self.volume + other.volume, self.weight + other.weight
        )


@attrs.frozen
class PickLine:
    """Units of one order line to take from one bin.

    Attributes:
        line_id: The order line (unique within its order).
        sku: The stock-keeping unit.
        bin: Where to take it from.
        quantity: Units to take (positive).
        lot: The lot, when stock is tracked by lot.
        unit_volume: Volume of one unit (a pint quantity; stored in litres).
        unit_weight: Weight of one unit (a pint quantity; stored in grams).

    Raises:
        InvalidPickError: For an empty id or sku, a bin that is not a :class:`Bin`, a
            quantity below one, or a volume or weight that is not a fitting quantity.
    """

    line_id: str
    sku: str
    bin: Bin
    quantity: int
    lot: str | None = None
    unit_volume: Fraction = attrs.field(default=Fraction(0), converter=_volume)
    unit_weight: Fraction = attrs.field(default=Fraction(0), converter=_weight)

    def __attrs_post_init__(self) -> None:
        subject = f"PickLine {self.line_id!r}"
        for field in ("line_id", "sku"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value:
                raise InvalidPickError(subject, field, value, "a non-empty string")
        if not isinstance(self.bin, Bin):
            raise InvalidPickError(subject, "bin", self.bin, "a Bin")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise InvalidPickError(subject, "quantity", self.quantity, "a positive integer")
        if self.quantity < 1:
            raise InvalidPickError(subject, "quantity", self.quantity, "a positive integer")

    @property
    def load(self) -> Load:
        """What this line adds to a picker's load."""
        return Load(
            self.quantity, self.quantity * self.unit_volume, self.quantity * self.unit_weight
        )


def _lines(value: object) -> tuple[PickLine, ...]:
    if isinstance(value, PickLine):
        return (value,)
    if not isinstance(value, Iterable) or isinstance(value, str):
        raise InvalidPickError("PickOrder", "lines", value, "a tuple of PickLine values")
    return tuple(value)


@attrs.frozen
class PickOrder:
    """One customer order as the warehouse sees it: lines to pick and when it must ship.

    Attributes:
        order_id: The order.
        lines: Its pick lines (at least one, unique line ids).
        cutoff: When the carrier collects (timezone-aware), if known.
        carrier: The carrier or service it ships with.
        priority: Higher goes first within a wave.

    Raises:
        InvalidPickError: For an empty order id, no lines, duplicate line ids, a naive
            cut-off or a non-integer priority.
    """

    order_id: str
    lines: tuple[PickLine, ...] = attrs.field(converter=_lines)
    cutoff: datetime | None = None
    carrier: str = ""
    priority: int = 0

    def __attrs_post_init__(self) -> None:
        subject = f"PickOrder {self.order_id!r}"
        if not isinstance(self.order_id, str) or not self.order_id:
            raise InvalidPickError(subject, "order_id", self.order_id, "a non-empty string")
        if not self.lines:
            raise InvalidPickError(subject, "lines", self.lines, "at least one PickLine")
        seen: set[str] = set()
        for line in self.lines:
            if not isinstance(line, PickLine):
                raise InvalidPickError(subject, "lines", line, "PickLine values")
            if line.line_id in seen:
                raise InvalidPickError(subject, "lines", line.line_id, "unique line ids")
            seen.add(line.line_id)
        if self.cutoff is not None and (
            not isinstance(self.cutoff, datetime) or self.cutoff.utcoffset() is None
        ):
            raise InvalidPickError(subject, "cutoff", self.cutoff, "a timezone-aware datetime")
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise InvalidPickError(subject, "priority", self.priority, "an integer")

    @property
    def load(self) -> Load:
        """The total load of all lines."""
        total = Load()
        for line in self.lines:
            total = total + line.load
        return total

    @property
    def bins(self) -> tuple[Bin, ...]:
        """The bins of its lines, in line order."""
        return tuple(line.bin for line in self.lines)

    @classmethod
    def from_allocation(
        cls,
        plan: Any,
        locate: Callable[[str], Bin],
        *,
        cutoff: datetime | None = None,
        carrier: str = "",
        priority: int = 0,
        measures: Mapping[str, tuple[Any, Any]] | None = None,
    ) -> PickOrder:
        """Build a pick order from an allocation plan.

        ``plan`` is anything shaped like :class:`ordercycle.inventory.AllocationPlan`: an
        ``order_id`` and ``lines``, each with ``picks`` that have ``line_id``, ``sku``,
        ``bin`` (a bin code), ``lot`` and ``quantity``. A line split over several bins
        becomes several pick lines, ``"<line>#<n>"`` from the second on.

        Args:
            plan: The allocation plan.
            locate: Maps a bin code to its :class:`Bin` in the layout.
            cutoff: The order's carrier cut-off.
            carrier: The carrier.
            priority: Higher goes first.
            measures: Per sku, ``(unit volume, unit weight)`` as pint quantities.
        """
        lines: list[PickLine] = []
        for line_plan in plan.lines:
            for number, pick in enumerate(line_plan.picks):
                volume, weight = (measures or {}).get(str(pick.sku), (None, None))
                extra: dict[str, Any] = {}
                if volume is not None:
                    extra["unit_volume"] = volume
                if weight is not None:
                    extra["unit_weight"] = weight
                line_id = str(pick.line_id) if number == 0 else f"{pick.line_id}#{number + 1}"
                lines.append(
                    PickLine(
                        line_id,
                        str(pick.sku),
                        locate(str(pick.bin)),
                        int(pick.quantity),
                        None if pick.lot is None else str(pick.lot),
                        **extra,
                    )
                )
        return cls(str(plan.order_id), tuple(lines), cutoff, carrier, priority)


def _limit(unit: str, field: str) -> Callable[[object], Fraction | None]:
    def convert(value: object) -> Fraction | None:
        if value is None:
            return None
        if isinstance(value, Fraction):
            number = value
        else:
            number = _exact(value, unit, "PickerCapacity", field)
        if number <= 0:
            raise InvalidPickError("PickerCapacity", field, value, "a positive quantity")
        return number

    return convert


def _volume_limit(value: object) -> Fraction | None:
    return _limit("L", "volume")(value)


def _weight_limit(value: object) -> Fraction | None:
    return _limit("g", "weight")(value)


def _items_limit(_instance: object, _attribute: object, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidPickError("PickerCapacity", "items", value, "a positive integer or None")


@attrs.frozen
class PickerCapacity:
    """What one picker (with cart or totes) can carry on one tour; ``None`` is no limit.

    Attributes:
        items: Units.
        volume: Volume (a pint quantity; stored in litres).
        weight: Weight (a pint quantity; stored in grams).
        totes: Orders per tour (one tote per order), if limited.
    """

    items: int | None = attrs.field(default=None, validator=_items_limit)
    volume: Fraction | None = attrs.field(default=None, converter=_volume_limit)
    weight: Fraction | None = attrs.field(default=None, converter=_weight_limit)
    totes: int | None = attrs.field(default=None, validator=_items_limit)

    def fits(self, load: Load, orders: int = 1) -> bool:
        """Whether ``load`` (of ``orders`` orders) fits."""
        return not self.exceeded(load, orders)

    def exceeded(self, load: Load, orders: int = 1) -> str:
        """The first measure ``load`` exceeds (``""`` if it fits)."""
        checks = (
            ("items", self.items, load.items),
            ("volume", self.volume, load.volume),
            ("weight", self.weight, load.weight),
            ("totes", self.totes, orders),
        )
        for name, limit, value in checks:
            if limit is not None and value > limit:
                return name
        return ""


def checked_orders(orders: Iterable[PickOrder], subject: str) -> Iterator[PickOrder]:
    """Yield ``orders`` one by one, each checked to be a :class:`PickOrder` with a new id.

    Args:
        orders: The orders given to ``subject``.
        subject: The function being called, for the error message (``"build_waves"``).

    Raises:
        InvalidPickError: When an order is not a :class:`PickOrder` or repeats an order id
            (raised when that order is reached).
    """
    seen: set[str] = set()
    for order in orders:
        if not isinstance(order, PickOrder):
            raise InvalidPickError(subject, "orders", order, "PickOrder values")
        if order.order_id in seen:
            raise InvalidPickError(subject, "orders", order.order_id, "unique order ids")
        seen.add(order.order_id)
        yield order
