"""Integer view of a layout for the routing algorithms (private).

Every length is multiplied by the layout's common denominator, so the algorithms add and
compare plain integers and the route converts back to exact fractions at the end.
"""

from __future__ import annotations

import functools
from fractions import Fraction

from ordercycle.picking.layout import Bin, Depot, Point, WarehouseLayout

__all__ = ["Grid", "IPoint", "grid_of"]

#: A point in scaled integer coordinates ``(x, y)``.
IPoint = tuple[int, int]


class Grid:
    """Scaled integer geometry of one layout."""

    __slots__ = (
        "_points",
        "aisles",
        "block",
        "blocks",
        "clear",
        "half",
        "layout",
        "scale",
        "spacing",
    )

    def __init__(self, layout: WarehouseLayout) -> None:
        self.layout = layout
        self.scale: int = layout._scale
        self.spacing = int(layout.aisle_spacing * self.scale)
        self.block = int(layout.block_length * self.scale)
        self.clear = int(layout.clearance * self.scale)
        self.half = int(layout.cell_length * self.scale / 2)
        self.blocks = layout.blocks
        self.aisles = layout.aisles
        self._points: dict[IPoint, Point] = {}

    def ipoint(self, place: Bin | Depot) -> IPoint:
        """The scaled integer point of a bin or depot (validated by the layout)."""
        if isinstance(place, Depot):
            self.layout.check_depot(place)
            return (place.aisle * self.spacing, place.cross_aisle * self.block)
        self.layout.check_bin(place)
        y = place.block * self.block + self.clear + (2 * place.position + 1) * self.half
        return (place.aisle * self.spacing, y)

    def to_point(self, point: IPoint) -> Point:
        """Convert a scaled point back to exact layout units (memoised per grid)."""
        found = self._points.get(point)
        if found is None:
            found = Point(Fraction(point[0], self.scale), Fraction(point[1], self.scale))
            if len(self._points) < 100_000:
                self._points[point] = found
        return found

    def to_length(self, length: int) -> Fraction:
        """Convert a scaled length back to exact layout units."""
        return Fraction(length, self.scale)

    def _cross(self, y1: int, y2: int) -> int:
        """The y of the cross aisle a shortest walk between two aisles uses."""
        low, high = min(y1, y2), max(y1, y2)
        block = self.block
        above = -(-low // block) * block
        if above <= high:
            return above
        below = (low // block) * block
        if (y1 - below) + (y2 - below) <= (below + block - y1) + (below + block - y2):
            return below
        return below + block

    def dist(self, a: IPoint, b: IPoint) -> int:
        """Shortest walking distance between two scaled points."""
        if a[0] == b[0]:
            return abs(a[1] - b[1])
        y = self._cross(a[1], b[1])
        return abs(a[0] - b[0]) + abs(a[1] - y) + abs(b[1] - y)

    def path(self, a: IPoint, b: IPoint) -> list[IPoint]:
        """Corners of a shortest walk from ``a`` to ``b`` (both included, no repeats)."""
        if a == b:
            return [a]
        if a[0] == b[0]:
            return [a, b]
        y = self._cross(a[1], b[1])
        corners = [a]
        for corner in ((a[0], y), (b[0], y), b):
            if corner != corners[-1]:
                corners.append(corner)
        return corners


@functools.lru_cache(maxsize=32)
def grid_of(layout: WarehouseLayout) -> Grid:
    """The (cached) integer view of ``layout``."""
    return Grid(layout)
