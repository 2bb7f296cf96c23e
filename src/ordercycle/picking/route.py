"""A picker route: stops in walking order, the walked path and its exact length."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import attrs

from ordercycle.picking._svg import route_svg
from ordercycle.picking.errors import RouteCheckError
from ordercycle.picking.layout import Bin, Depot, Point, WarehouseLayout

__all__ = ["Route", "Segment"]


@attrs.frozen
class Segment:
    """One straight piece of a walk, along an aisle or along a cross aisle.

    Attributes:
        start: Where the piece starts.
        end: Where it ends.
    """

    start: Point
    end: Point

    @property
    def length(self) -> Fraction:
        """The walked length (the pieces are axis-parallel, so ``|dx| + |dy|``)."""
        return abs(self.end.x - self.start.x) + abs(self.end.y - self.start.y)

    def offset(self, point: Point) -> Fraction | None:
        """How far along this segment ``point`` lies, or ``None`` if it is not on it."""
        sx, sy, ex, ey = self.start.x, self.start.y, self.end.x, self.end.y
        on = (sx == ex == point.x and min(sy, ey) <= point.y <= max(sy, ey)) or (
            sy == ey == point.y and min(sx, ex) <= point.x <= max(sx, ex)
        )
        if not on:
            return None
        return abs(point.x - sx) + abs(point.y - sy)


@attrs.frozen
class Route:
    """A picker's tour through a layout, from a start depot to an end depot.

    Attributes:
        layout: The layout walked.
        picks: The bins that had to be visited, in the order given.
        stops: The same bins in walking order.
        length: The exact walked length in layout units.
        segments: The walked path as axis-parallel pieces, start to end.
        method: The routing method that produced it.
        start: The depot the walk starts at.
        end: The depot the walk ends at.
        exact: Whether ``length`` is proven minimal.
        explanation: How the route was found, in one sentence.
    """

    layout: WarehouseLayout
    picks: tuple[Bin, ...]
    stops: tuple[Bin, ...]
    length: Fraction
    segments: tuple[Segment, ...]
    method: str
    start: Depot
    end: Depot
    exact: bool = False
    explanation: str = ""

    def check(self) -> Route:
        """Verify the route and return it unchanged.

        It checks that the stops are exactly the picks, that the path starts at the start
        depot, ends at the end depot and has no gaps, that every piece runs along an aisle
        or a cross aisle, that the path passes the stops in order, and that ``length`` is
        the sum of the pieces.

        Raises:
            RouteCheckError: Naming the first problem found.
        """
        fail = self._problem()
        if fail:
            raise RouteCheckError(self.method, fail)
        return self

    def _problem(self) -> str:
        layout = self.layout
        if Counter(self.stops) != Counter(self.picks):
            missing = sorted((Counter(self.picks) - Counter(self.stops)).elements())
            extra = sorted((Counter(self.stops) - Counter(self.picks)).elements())
            return f"stops differ from picks (missing {missing}, extra {extra})"
        start, end = layout.point(self.start), layout.point(self.end)
        total = sum((s.length for s in self.segments), Fraction(0))
        if total != self.length:
            return f"length {self.length} is not the sum of its segments, {total}"
        here = start
        xs = {layout.aisle_x(a) for a in range(layout.aisles)}
        ys = {layout.cross_aisle_y(k) for k in range(layout.blocks + 1)}
        for number, segment in enumerate(self.segments):
            if segment.start != here:
                return f"segment {number} starts at {segment.start}, not at {here}"
            vertical = segment.start.x == segment.end.x and segment.start.x in xs
            horizontal = segment.start.y == segment.end.y and segment.start.y in ys
            if not (vertical or horizontal):
                return f"segment {number} leaves the aisles and cross aisles"
            here = segment.end
        if here != end:
            return f"the walk ends at {here}, not at the end depot {self.end}"
        return self._stops_problem(start)

    def _stops_problem(self, start: Point) -> str:
        points = [self.layout.point(stop) for stop in self.stops]
        index = 0
        while index < len(points) and points[index] == start:
            index += 1
        for segment in self.segments:
            last = Fraction(-1)
            while index < len(points):
                offset = segment.offset(points[index])
                if offset is None or offset < last:
                    break
                last = offset
                index += 1
        if index < len(points):
            return f"the path does not pass stop {index} ({self.stops[index]}) in order"
        return ""

    def _repr_svg_(self) -> str:
        return route_svg(self)

    def to_svg(self) -> str:
        """Draw the layout and this route as an SVG document (text)."""
        return self._repr_svg_()
