"""Warehouse layouts: blocks of parallel aisles between cross aisles, bins and depots.

Coordinates are exact :class:`~fractions.Fraction` values in *layout units* (LU, whatever
unit the layout's numbers are in). ``x`` runs along the cross aisles: aisle ``i`` has its
centre line at ``x = i * aisle_spacing``. ``y`` runs along the aisles: cross aisle ``k``
(``k = 0`` is the front) has its centre line at ``y = k * block_length``, where
``block_length = 2 * clearance + cells_per_side * cell_length``. A bin's pick point is in
the aisle centre, level with the middle of its cell; the picker reaches both sides and every
level from there.

Examples:
    >>> layout = WarehouseLayout.henn_waescher()
    >>> layout.point(Bin(aisle=0, position=0))
    Point(x=Fraction(0, 1), y=Fraction(2, 1))
    >>> layout.distance(layout.depots[0], Bin(aisle=1, position=44))
    Fraction(51, 1)
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.picking.errors import (
    BinOutsideLayoutError,
    DepotError,
    InvalidBinError,
    LayoutError,
)
from ordercycle.units import exact_magnitude

__all__ = ["SIDES", "Bin", "Depot", "Point", "WarehouseLayout"]

#: The two sides of an aisle a bin can be on.
SIDES = ("left", "right")


def _check_index(name: str) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidBinError(name, value, "a non-negative integer")

    return check


def _check_side(_instance: object, _attribute: object, value: object) -> None:
    if value not in SIDES:
        raise InvalidBinError("side", value, "'left' or 'right'")


@attrs.frozen(order=True)
class Bin:
    """A storage location, addressed by aisle, position along the aisle, side and level.

    All indices count from zero: ``position`` 0 is the cell nearest the front of its block.

    Attributes:
        aisle: The aisle the bin faces.
        position: The cell along the aisle, from the front of the block.
        side: ``"left"`` or ``"right"`` of the aisle (seen from the front).
        level: The shelf level (does not change walking distance).
        block: The block, counted from the front (0 in a single-block layout).

    Raises:
        InvalidBinError: If an index is negative or not an integer, or the side is unknown.

    >>> Bin(3, 17, "right", level=2).label
    'A03-017-R2'
    """

    aisle: int = attrs.field(validator=_check_index("aisle"))
    position: int = attrs.field(validator=_check_index("position"))
    side: str = attrs.field(default="left", validator=_check_side)
    level: int = attrs.field(default=0, validator=_check_index("level"))
    block: int = attrs.field(default=0, validator=_check_index("block"), kw_only=True)

    @property
    def label(self) -> str:
        """A short human-readable name, such as ``A03-017-R2`` (``B1-A03-017-R2`` in block 1)."""
        prefix = f"B{self.block}-" if self.block else ""
        return f"{prefix}A{self.aisle:02d}-{self.position:03d}-{self.side[0].upper()}{self.level}"

    def __str__(self) -> str:
        return self.label


def _check_depot_index(name: str) -> Any:
    def check(instance: object, _attribute: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError.invalid("Depot", name, value, "a non-negative integer")

    return check


@attrs.frozen(order=True)
class Depot:
    """Where a picker starts or ends a tour: where aisle ``aisle`` meets a cross aisle.

    Attributes:
        aisle: The aisle whose end the depot sits at.
        cross_aisle: The cross aisle, ``0`` for the front; ``blocks`` for the back.
        name: A name for messages and drawings.
    """

    aisle: int = attrs.field(validator=_check_depot_index("aisle"))
    cross_aisle: int = attrs.field(default=0, validator=_check_depot_index("cross_aisle"))
    name: str = attrs.field(default="depot", kw_only=True)

    def __str__(self) -> str:
        return f"{self.name!r} (aisle {self.aisle}, cross aisle {self.cross_aisle})"


@attrs.frozen(order=True)
class Point:
    """A point on the walkable aisle graph, in layout units."""

    x: Fraction
    y: Fraction


def _length(name: str, value: object, *, positive: bool) -> Fraction:
    try:
        number = exact_magnitude(value, subject="WarehouseLayout", field=name)
    except ValidationError:
        raise LayoutError(name, value, "a finite number of layout units") from None
    if number < 0 or (positive and number == 0):
        raise LayoutError(name, value, "a positive number" if positive else "zero or more")
    return number


def _cell_length(value: object) -> Fraction:
    return _length("cell_length", value, positive=True)


def _clearance(value: object) -> Fraction:
    return _length("clearance", value, positive=False)


def _aisle_spacing(value: object) -> Fraction:
    return _length("aisle_spacing", value, positive=True)


def _count(name: str) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise LayoutError(name, value, "a positive integer")

    return check


def _depots(value: object) -> tuple[Depot, ...]:
    if isinstance(value, Depot):
        return (value,)
    if not isinstance(value, list | tuple):
        raise LayoutError("depots", value, "a tuple of Depot values")
    return tuple(value)


@attrs.frozen
class WarehouseLayout:
    """A rectangular warehouse: ``blocks`` blocks of ``aisles`` parallel aisles.

    Cross aisles run along the front, the back and between blocks (``blocks + 1`` of them).
    Each aisle has ``cells_per_side`` cells of ``cell_length`` on each side in every block,
    with ``clearance`` between the cross-aisle centre line and the first or last cell.

    Attributes:
        aisles: Number of aisles (the same in every block).
        cells_per_side: Cells along one side of one aisle in one block.
        cell_length: Length of a cell along the aisle.
        clearance: Walk from a cross-aisle centre line to the first cell edge.
        aisle_spacing: Distance between the centre lines of neighbouring aisles.
        blocks: Number of blocks.
        levels: Shelf levels per cell.
        depots: Where tours may start and end; the first is the default.
        name: A name for drawings.

    Raises:
        LayoutError: For a count below one or a negative length.
        DepotError: For a depot off the layout's cross aisles or aisles.
    """

    aisles: int = attrs.field(validator=_count("aisles"))
    cells_per_side: int = attrs.field(validator=_count("cells_per_side"))
    cell_length: Fraction = attrs.field(default=Fraction(1), converter=_cell_length)
    clearance: Fraction = attrs.field(default=Fraction(3, 2), converter=_clearance)
    aisle_spacing: Fraction = attrs.field(default=Fraction(5), converter=_aisle_spacing)
    blocks: int = attrs.field(default=1, validator=_count("blocks"))
    levels: int = attrs.field(default=1, validator=_count("levels"))
    depots: tuple[Depot, ...] = attrs.field(default=(Depot(0, 0),), converter=_depots)
    name: str = "warehouse"
    _scale: int = attrs.field(init=False, repr=False, eq=False, order=False)

    def __attrs_post_init__(self) -> None:
        if not self.depots:
            raise LayoutError("depots", self.depots, "at least one Depot")
        seen: set[str] = set()
        for depot in self.depots:
            if not isinstance(depot, Depot):
                raise LayoutError("depots", depot, "Depot values")
            self.check_depot(depot)
            if depot.name in seen:
                raise LayoutError("depots", depot.name, "unique depot names")
            seen.add(depot.name)
        half_cell = self.cell_length / 2
        scale = math.lcm(
            self.clearance.denominator, half_cell.denominator, self.aisle_spacing.denominator
        )
        object.__setattr__(self, "_scale", scale)

    # -- presets -------------------------------------------------------------------------

    @classmethod
    def henn_waescher(cls) -> WarehouseLayout:
        """The single-block layout of Henn and Wäscher's order-batching experiments.

        Ten aisles of 45 cells per side, 1 LU per cell, 1.5 LU clearance at both ends, aisle
        centres 5 LU apart, the depot at the front of the first aisle.

        >>> WarehouseLayout.henn_waescher().block_length
        Fraction(48, 1)
        """
        return cls(
            aisles=10,
            cells_per_side=45,
            cell_length=Fraction(1),
            clearance=Fraction(3, 2),
            aisle_spacing=Fraction(5),
            name="Henn–Wäscher",
        )

    @classmethod
    def multi_block(cls, blocks: int = 3) -> WarehouseLayout:
        """A multi-block layout: ten aisles, ``blocks`` blocks of 15 cells per side.

        With the default three blocks it stores as many bins as :meth:`henn_waescher`, split
        by two extra cross aisles. The depot is at the front of the first aisle.
        """
        return cls(
            aisles=10,
            cells_per_side=15,
            cell_length=Fraction(1),
            clearance=Fraction(3, 2),
            aisle_spacing=Fraction(5),
            blocks=blocks,
            name=f"{blocks}-block",
        )

    # -- geometry --------------------------------------------------------------------------

    @property
    def block_length(self) -> Fraction:
        """Distance between the centre lines of two neighbouring cross aisles."""
        return 2 * self.clearance + self.cells_per_side * self.cell_length

    @property
    def width(self) -> Fraction:
        """Distance between the centre lines of the first and the last aisle."""
        return (self.aisles - 1) * self.aisle_spacing

    @property
    def depth(self) -> Fraction:
        """Distance between the front and the back cross aisle."""
        return self.blocks * self.block_length

    def aisle_x(self, aisle: int) -> Fraction:
        """The ``x`` of an aisle's centre line."""
        return aisle * self.aisle_spacing

    def cross_aisle_y(self, cross_aisle: int) -> Fraction:
        """The ``y`` of a cross aisle's centre line (0 is the front)."""
        return cross_aisle * self.block_length

    def depot(self, name: str) -> Depot:
        """Return the depot called ``name``.

        Raises:
            DepotError: If the layout has no such depot (the message lists the names).
        """
        for depot in self.depots:
            if depot.name == name:
                return depot
        names = ", ".join(repr(d.name) for d in self.depots)
        raise DepotError(repr(name), f"the layout has no depot of that name; known: {names}")

    def check_depot(self, depot: Depot) -> Depot:
        """Return ``depot`` if it sits where an aisle of this layout meets a cross aisle.

        Raises:
            DepotError: If its cross aisle or aisle is not in the layout.
        """
        if depot.cross_aisle > self.blocks:
            raise DepotError(
                depot,
                f"cross aisle {depot.cross_aisle} is off the layout's cross aisles; valid"
                f" cross aisles are 0..{self.blocks} (0 is the front)",
            )
        if depot.aisle >= self.aisles:
            raise DepotError(
                depot,
                f"aisle {depot.aisle} is off the cross aisle; valid aisles are"
                f" 0..{self.aisles - 1}",
            )
        return depot

    def check_bin(self, bin: Bin) -> Bin:
        """Return ``bin`` if it exists in this layout.

        Raises:
            InvalidBinError: If ``bin`` is not a :class:`Bin`.
            BinOutsideLayoutError: If its block, aisle, position or level is out of range.
        """
        if not isinstance(bin, Bin):
            raise InvalidBinError("pick", bin, "a Bin(aisle, position, side, level)")
        limits = (
            ("block", bin.block, self.blocks),
            ("aisle", bin.aisle, self.aisles),
            ("position", bin.position, self.cells_per_side),
            ("level", bin.level, self.levels),
        )
        for field, value, count in limits:
            if value >= count:
                raise BinOutsideLayoutError(bin, field, value, f"0..{count - 1}")
        return bin

    def point(self, place: Bin | Depot | Point) -> Point:
        """The point on the aisle graph where a picker stands to reach ``place``.

        Raises:
            BinOutsideLayoutError: For a bin the layout does not have.
            DepotError: For a depot off the layout.
        """
        if isinstance(place, Point):
            return place
        if isinstance(place, Depot):
            self.check_depot(place)
            return Point(self.aisle_x(place.aisle), self.cross_aisle_y(place.cross_aisle))
        self.check_bin(place)
        y = (
            self.cross_aisle_y(place.block)
            + self.clearance
            + (2 * place.position + 1) * self.cell_length / 2
        )
        return Point(self.aisle_x(place.aisle), y)

    def bins(self) -> tuple[Bin, ...]:
        """Every bin of the layout, sorted (block, aisle, position, side, level)."""
        return tuple(
            Bin(aisle, position, side, level, block=block)
            for block in range(self.blocks)
            for aisle in range(self.aisles)
            for position in range(self.cells_per_side)
            for side in SIDES
            for level in range(self.levels)
        )

    def distance(self, start: Bin | Depot | Point, end: Bin | Depot | Point) -> Fraction:
        """The exact shortest walking distance between two places on the aisle graph.

        A picker walks along aisles and cross aisles only, never through racks.

        >>> layout = WarehouseLayout.henn_waescher()
        >>> layout.distance(Bin(0, 44), Bin(1, 44))  # over the back cross aisle
        Fraction(9, 1)
        """
        corners = self.path(start, end)
        return sum(
            (abs(p.x - q.x) + abs(p.y - q.y) for p, q in itertools.pairwise(corners)),
            Fraction(0),
        )

    def path(self, start: Bin | Depot | Point, end: Bin | Depot | Point) -> tuple[Point, ...]:
        """The corners of a shortest walk from ``start`` to ``end``, both included.

        Between aisles the walk uses the cross aisle that makes it shortest (the front-most
        one on a tie).
        """
        a, b = self.point(start), self.point(end)
        if a == b:
            return (a,)
        if a.x == b.x:
            return (a, b)
        k = self._best_cross_aisle(a.y, b.y)
        y = self.cross_aisle_y(k)
        corners = [a, Point(a.x, y), Point(b.x, y), b]
        unique = [corners[0]]
        for corner in corners[1:]:
            if corner != unique[-1]:
                unique.append(corner)
        return tuple(unique)

    def _best_cross_aisle(self, y1: Fraction, y2: Fraction) -> int:
        low, high = min(y1, y2), max(y1, y2)
        length = self.block_length
        above = math.ceil(low / length)
        if above * length <= high:
            return above
        below = math.floor(low / length)
        down = (y1 - below * length) + (y2 - below * length)
        up = ((below + 1) * length - y1) + ((below + 1) * length - y2)
        return below if down <= up else below + 1
