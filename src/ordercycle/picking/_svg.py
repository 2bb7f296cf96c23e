"""SVG drawing of a layout and a route, with no extra dependency (private).

The drawer reads a route through :class:`DrawnRoute` and does not import
:mod:`ordercycle.picking.route`: the route imports the drawer for ``to_svg``, so the
dependency runs one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from html import escape
from typing import Protocol

from ordercycle.picking.layout import Bin, Point, WarehouseLayout

__all__ = ["DrawnRoute", "DrawnSegment", "layout_svg", "route_svg"]


class DrawnSegment(Protocol):
    """What the drawer reads of a piece of a walk: where it starts and ends."""

    @property
    def start(self) -> Point:
        """Where the piece starts."""

    @property
    def end(self) -> Point:
        """Where the piece ends."""


class DrawnRoute(Protocol):
    """What the drawer reads of a route (a :class:`~ordercycle.picking.Route`)."""

    @property
    def layout(self) -> WarehouseLayout:
        """The layout walked."""

    @property
    def stops(self) -> tuple[Bin, ...]:
        """The bins in visiting order."""

    @property
    def segments(self) -> Sequence[DrawnSegment]:
        """The walked path."""

    @property
    def method(self) -> str:
        """The routing method."""

    @property
    def length(self) -> Fraction:
        """The walked length."""


_MARGIN = 24.0
_CAPTION = 22.0


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


class _Canvas:
    def __init__(self, layout: WarehouseLayout) -> None:
        self.layout = layout
        span = float(layout.width + layout.aisle_spacing)
        self.unit = max(2.0, min(12.0, 520.0 / span))
        self.left = _MARGIN + float(layout.aisle_spacing) / 2 * self.unit
        self.width = 2 * _MARGIN + span * self.unit
        self.height = 2 * _MARGIN + float(layout.depth) * self.unit + _CAPTION

    def x(self, value: Fraction | float) -> str:
        return _fmt(self.left + float(value) * self.unit)

    def y(self, value: Fraction | float) -> str:
        return _fmt(_MARGIN + float(self.layout.depth - Fraction(value)) * self.unit)

    def xy(self, point: Point) -> str:
        return f"{self.x(point.x)},{self.y(point.y)}"


def _racks(canvas: _Canvas) -> list[str]:
    layout = canvas.layout
    spacing = layout.aisle_spacing
    rack = spacing * Fraction(3, 10)
    inner = spacing * Fraction(1, 5)
    run = layout.cells_per_side * layout.cell_length
    parts = []
    for block in range(layout.blocks):
        low = layout.cross_aisle_y(block) + layout.clearance
        for aisle in range(layout.aisles):
            centre = layout.aisle_x(aisle)
            for x0 in (centre - inner - rack, centre + inner):
                parts.append(
                    f'<rect x="{canvas.x(x0)}" y="{canvas.y(low + run)}"'
                    f' width="{_fmt(float(rack) * canvas.unit)}"'
                    f' height="{_fmt(float(run) * canvas.unit)}" fill="#d9d4c7"/>'
                )
    for cross in range(layout.blocks + 1):
        y = canvas.y(layout.cross_aisle_y(cross))
        parts.append(
            f'<line x1="{canvas.x(0)}" y1="{y}" x2="{canvas.x(layout.width)}" y2="{y}"'
            ' stroke="#bbbbbb" stroke-dasharray="3 3"/>'
        )
    return parts


def _depots(canvas: _Canvas) -> list[str]:
    parts = []
    for depot in canvas.layout.depots:
        point = canvas.layout.point(depot)
        cx, cy = float(canvas.x(point.x)), float(canvas.y(point.y))
        parts.append(
            f'<rect x="{_fmt(cx - 5)}" y="{_fmt(cy - 5)}" width="10" height="10" fill="#333333">'
            f"<title>depot {escape(depot.name)}</title></rect>"
        )
    return parts


def _document(canvas: _Canvas, body: list[str], caption: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(canvas.width)}"'
        f' height="{_fmt(canvas.height)}" viewBox="0 0 {_fmt(canvas.width)}'
        f' {_fmt(canvas.height)}" font-family="sans-serif" font-size="12">'
    )
    text = (
        f'<text x="{_fmt(_MARGIN)}" y="{_fmt(canvas.height - 8)}" fill="#333333">'
        f"{escape(caption)}</text>"
    )
    background = '<rect width="100%" height="100%" fill="#ffffff"/>'
    return "".join([head, background, *body, text, "</svg>"])


def layout_svg(layout: WarehouseLayout) -> str:
    """Draw a layout: racks, cross aisles and depots."""
    canvas = _Canvas(layout)
    caption = f"{layout.name}: {layout.aisles} aisles, {layout.blocks} block(s)"
    return _document(canvas, _racks(canvas) + _depots(canvas), caption)


def route_svg(route: DrawnRoute) -> str:
    """Draw a route on its layout: the walked path, the numbered stops and the depots."""
    layout = route.layout
    canvas = _Canvas(layout)
    body = _racks(canvas)
    if route.segments:
        points = [route.segments[0].start, *(segment.end for segment in route.segments)]
        path = " ".join(canvas.xy(point) for point in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="#d1495b" stroke-width="2"'
            ' stroke-linejoin="round" stroke-opacity="0.85"/>'
        )
    for number, stop in enumerate(route.stops, start=1):
        point = layout.point(stop)
        body.append(
            f'<circle cx="{canvas.x(point.x)}" cy="{canvas.y(point.y)}" r="3.5"'
            f' fill="#00798c"><title>{number}: {escape(stop.label)}</title></circle>'
        )
    body += _depots(canvas)
    caption = f"{route.method}: {len(route.stops)} stops, length {route.length} LU"
    return _document(canvas, body, caption)
