"""What the planner is asked for: order lines, a destination and a policy.

>>> demand = Demand.of("O-1", {"MUG": 3, "TEA": 2}, destination="10115")
>>> [(line.line_id, line.sku, line.quantity) for line in demand.lines]
[('1', 'MUG', 3), ('2', 'TEA', 2)]
>>> AllocationPolicy.all_or_nothing_per_order(backorders=False).describe()
'all or nothing per order, no backorders'
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from ordercycle.errors import DuplicateError, ValidationError
from ordercycle.inventory._quantity import as_count
from ordercycle.model.ids import Sku

__all__ = ["AllocationPolicy", "Completeness", "Demand", "DemandLine"]


def _shelf_life(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise ValidationError.invalid(
            type(instance).__name__, attribute.name, value, "a whole number of days, 0 or more"
        )


@attrs.frozen
class DemandLine:
    """One order line to allocate.

    Attributes:
        line_id: The line's id within its order.
        sku: The sku ordered.
        quantity: Units wanted (an int, or a pint ``count`` quantity).
        min_shelf_life_days: Days of shelf life a lot must have left on the planning date.

    Raises:
        InvalidQuantityError: A quantity that is not a positive whole number.
        DimensionalityError: A quantity with units (``Q_(2, "kg")``).
    """

    line_id: str
    sku: Sku
    quantity: int = attrs.field()
    min_shelf_life_days: int = attrs.field(default=0, validator=_shelf_life)

    @quantity.validator
    def _check_quantity(self, attribute: attrs.Attribute[int], value: object) -> None:
        as_count(value, subject=f"line {self.line_id} ({self.sku})")

    def __attrs_post_init__(self) -> None:
        if type(self.quantity) is not int:
            object.__setattr__(
                self, "quantity", as_count(self.quantity, subject=f"line {self.line_id}")
            )


def _lines(values: Iterable[DemandLine]) -> tuple[DemandLine, ...]:
    return tuple(values)


@attrs.frozen
class Demand:
    """An order's lines with where they go and how urgent they are.

    Attributes:
        order_id: The order the lines belong to.
        lines: The lines, with unique ids.
        destination: Anything a distance function understands (a postcode, ``(x, y)``).
        priority: Lower is served first from backorders.
        requested_on: The date the customer asked for (backorder order).
        placed_at: When the order was placed (backorder order).
        min_shelf_life_days: A floor for every line's shelf-life requirement (customer rule).

    Raises:
        DuplicateError: Two lines with the same id.
        ValidationError: No lines.
    """

    order_id: str
    lines: tuple[DemandLine, ...] = attrs.field(converter=_lines)
    destination: Any = None
    priority: int = 0
    requested_on: date | None = None
    placed_at: datetime | None = None
    min_shelf_life_days: int = attrs.field(default=0, validator=_shelf_life)

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise ValidationError.invalid(
                f"order {self.order_id}", "lines", (), "at least one DemandLine"
            )
        seen: set[str] = set()
        for line in self.lines:
            if line.line_id in seen:
                raise DuplicateError("line id", line.line_id)
            seen.add(line.line_id)

    @classmethod
    def of(
        cls,
        order_id: str,
        quantities: Mapping[str, Any] | Iterable[tuple[str, Any]],
        **kwargs: Any,
    ) -> Demand:
        """Build a demand from ``{sku: quantity}`` or ``[(sku, quantity), ...]``.

        Lines get ids ``"1"``, ``"2"``, ... in the order given.
        """
        pairs = quantities.items() if isinstance(quantities, Mapping) else quantities
        lines = [DemandLine(str(i), Sku(sku), qty) for i, (sku, qty) in enumerate(pairs, 1)]
        return cls(order_id, lines, **kwargs)

    def shelf_life_for(self, line: DemandLine) -> int:
        """The shelf life a lot needs for ``line``: the larger of line and order rule."""
        return max(line.min_shelf_life_days, self.min_shelf_life_days)


class Completeness(enum.Enum):
    """How complete an allocation must be to be made at all."""

    PARTIAL = "partial"
    """Allocate whatever is available."""
    LINE = "line"
    """Each line is allocated in full or not at all."""
    ORDER = "order"
    """The whole order is allocated in full or not at all."""


@attrs.frozen
class AllocationPolicy:
    """What to do when stock is short.

    Attributes:
        completeness: See :class:`Completeness`.
        backorders: Whether the unallocated remainder waits as a backorder (``True``) or
            is refused (``False``; the plan reports it as unfulfilled).
    """

    completeness: Completeness = Completeness.PARTIAL
    backorders: bool = True

    @classmethod
    def partial(cls, *, backorders: bool = True) -> AllocationPolicy:
        """Allocate what is available."""
        return cls(Completeness.PARTIAL, backorders)

    @classmethod
    def all_or_nothing_per_line(cls, *, backorders: bool = True) -> AllocationPolicy:
        """Allocate each line in full or not at all."""
        return cls(Completeness.LINE, backorders)

    @classmethod
    def all_or_nothing_per_order(cls, *, backorders: bool = True) -> AllocationPolicy:
        """Allocate the whole order in full or not at all."""
        return cls(Completeness.ORDER, backorders)

    def describe(self) -> str:
        """A short description, such as ``"partial, backorders allowed"``."""
        return _DESCRIPTIONS[(self.completeness, self.backorders)]


_DESCRIPTIONS = {
    (completeness, backorders): f"{how}, {'backorders allowed' if backorders else 'no backorders'}"
    for completeness, how in (
        (Completeness.PARTIAL, "partial"),
        (Completeness.LINE, "all or nothing per line"),
        (Completeness.ORDER, "all or nothing per order"),
    )
    for backorders in (True, False)
}
