"""Isometric SVG drawings of packages, with no dependencies.

Each package draws its carton as a wire frame and every unit as a shaded box, seen from
the front-right-top corner (x runs to the lower right, y to the lower left, z up). Boxes
are painted back to front, so a packer at a station sees what goes in first. Colours
follow the SKU; hovering a box shows its label, position and size.

>>> from ordercycle.units import Q_
>>> from ordercycle.packing import Carton, Item, pack
>>> plan = pack([Item.from_mm("MUG", 120, 90, 100, 350, quantity=2)],
...             [Carton.from_mm("S", 200, 200, 150)])
>>> svg = plan.packages[0]._repr_svg_()
>>> svg.startswith("<svg") and svg.count("<title>MUG #") == 2
True

The drawer reads packages through the small protocols below (:class:`DrawnPackage` and its
parts) and imports nothing of the packing values: the values import the drawer for their
``_repr_svg_``, so the dependency runs one way.
"""

from __future__ import annotations

import math
from fractions import Fraction
from html import escape
from typing import Any, Protocol

__all__ = [
    "PALETTE",
    "DrawnCarton",
    "DrawnItem",
    "DrawnPackage",
    "DrawnPlacement",
    "package_svg",
]


class DrawnItem(Protocol):
    """What the drawer reads of an item: its SKU (which picks the colour)."""

    @property
    def sku(self) -> str:
        """The SKU."""


class DrawnCarton(Protocol):
    """What the drawer reads of a carton: its name and inner size in millimetres."""

    @property
    def name(self) -> str:
        """The carton's name."""

    @property
    def inner_mm(self) -> tuple[Fraction, Fraction, Fraction]:
        """Inner length, width and height in exact millimetres."""


class DrawnPlacement(Protocol):
    """What the drawer reads of a placed unit (a :class:`~ordercycle.packing.Placement`)."""

    @property
    def item(self) -> DrawnItem:
        """The item placed."""

    @property
    def label(self) -> str:
        """The unit's label (``"MUG #1"``)."""

    @property
    def position_mm(self) -> tuple[Fraction, Fraction, Fraction]:
        """The corner nearest the carton's origin, exact millimetres."""

    @property
    def size_mm(self) -> tuple[Fraction, Fraction, Fraction]:
        """The oriented size, exact millimetres."""


class DrawnPackage(Protocol):
    """What the drawer reads of a package (a :class:`~ordercycle.packing.Package`)."""

    @property
    def carton(self) -> DrawnCarton:
        """The carton."""

    @property
    def placements(self) -> tuple[DrawnPlacement, ...]:
        """The placed units."""

    @property
    def billable_weight(self) -> Any:
        """The billable weight, a pint quantity."""

    @property
    def fill_ratio(self) -> Fraction:
        """Item volume over the carton's inner volume."""


#: Fill colours, assigned to SKUs in sorted order.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)

_COS = math.cos(math.radians(30))
_SIN = 0.5


def _shade(colour: str, factor: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{min(255, max(0, round(c * factor))):02x}" for c in (red, green, blue))


def _behind(a: DrawnPlacement, b: DrawnPlacement) -> bool:
    """Whether ``a`` lies behind ``b`` as seen from the front-right-top."""
    return any(a.position_mm[k] + a.size_mm[k] <= b.position_mm[k] for k in range(3))


def _paint_order(placements: tuple[DrawnPlacement, ...]) -> list[DrawnPlacement]:
    remaining = list(range(len(placements)))
    ordered: list[DrawnPlacement] = []
    while remaining:
        for index in remaining:
            if not any(
                other != index and _behind(placements[other], placements[index])
                for other in remaining
            ):
                break
        else:  # a cycle (rare): fall back to the nearest corner sum
            index = min(remaining, key=lambda i: sum(placements[i].position_mm))
        remaining.remove(index)
        ordered.append(placements[index])
    return ordered


def package_svg(package: DrawnPackage, *, width: int = 420) -> str:
    """Draw ``package`` as an isometric SVG string.

    Args:
        package: The package to draw.
        width: Width of the picture in pixels; the height follows.
    """
    length, depth, height = (float(v) for v in package.carton.inner_mm)
    span_x = (length + depth) * _COS
    span_y = (length + depth) * _SIN + height
    margin = 12.0
    caption = 34.0
    scale = (width - 2 * margin) / span_x
    total_height = span_y * scale + 2 * margin + caption

    def point(x: Fraction | float, y: Fraction | float, z: Fraction | float) -> str:
        sx = margin + (float(x) - float(y) + depth) * _COS * scale
        sy = margin + ((float(x) + float(y)) * _SIN - float(z) + height) * scale
        return f"{sx:.1f},{sy:.1f}"

    skus = sorted({p.item.sku for p in package.placements})
    colours = {sku: PALETTE[i % len(PALETTE)] for i, sku in enumerate(skus)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height:.0f}"'
        f' viewBox="0 0 {width} {total_height:.0f}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(package.carton.name)}</title>",
    ]
    # Back edges of the carton first.
    origin = point(0, 0, 0).split(",")
    for x, y, z in ((length, 0.0, 0.0), (0.0, depth, 0.0), (0.0, 0.0, height)):
        end = point(x, y, z).split(",")
        parts.append(
            f'<line x1="{origin[0]}" y1="{origin[1]}" x2="{end[0]}" y2="{end[1]}"'
            ' stroke="#999" stroke-dasharray="4 3"/>'
        )
    for placement in _paint_order(package.placements):
        x0, y0, z0 = placement.position_mm
        dx, dy, dz = placement.size_mm
        x1, y1, z1 = x0 + dx, y0 + dy, z0 + dz
        colour = colours[placement.item.sku]
        faces: tuple[tuple[tuple[tuple[Fraction, Fraction, Fraction], ...], float], ...] = (
            (((x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)), 1.15),  # top
            (((x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)), 0.85),  # right (+x)
            (((x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)), 1.0),  # left (+y)
        )
        title = (
            f"{placement.label} at ({', '.join(f'{float(v):g}' for v in placement.position_mm)})"
            f" mm, size {' x '.join(f'{float(v):g}' for v in placement.size_mm)} mm"
        )
        parts.append(f"<g><title>{escape(title)}</title>")
        for corners, factor in faces:
            points = " ".join(point(*c) for c in corners)
            parts.append(
                f'<polygon points="{points}" fill="{_shade(colour, factor)}"'
                ' stroke="#333" stroke-width="0.6"/>'
            )
        parts.append("</g>")
    # Front edges of the carton last.
    front = [
        ((length, 0, 0), (length, depth, 0)),
        ((0, depth, 0), (length, depth, 0)),
        ((length, depth, 0), (length, depth, height)),
        ((length, 0, 0), (length, 0, height)),
        ((0, depth, 0), (0, depth, height)),
        ((0, 0, height), (length, 0, height)),
        ((0, 0, height), (0, depth, height)),
        ((length, 0, height), (length, depth, height)),
        ((0, depth, height), (length, depth, height)),
    ]
    for near, far in front:
        a, b = point(*near).split(","), point(*far).split(",")
        parts.append(
            f'<line x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}" stroke="#555"'
            ' stroke-width="1"/>'
        )
    billable = package.billable_weight
    text = (
        f"{package.carton.name}: {len(package.placements)} units,"
        f" billable {float(billable.magnitude):g} {billable.units:~P},"
        f" fill {float(package.fill_ratio):.0%}"
    )
    parts.append(
        f'<text x="{margin}" y="{total_height - margin:.0f}" fill="#222">{escape(text)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)
