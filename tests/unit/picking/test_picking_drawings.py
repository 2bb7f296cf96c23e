"""The route pictures in the docs are produced by the code and stay in sync with it.

To redraw them after a deliberate change to the drawing or the routing, run
``python tests/unit/picking/test_picking_drawings.py``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from ordercycle.picking import METHODS, Bin, WarehouseLayout, route

ASSETS = Path(__file__).resolve().parents[3] / "docs" / "assets" / "picking"
LAYOUT = WarehouseLayout.henn_waescher()
PICKS = [
    Bin(2, 4, "right"),
    Bin(2, 7),
    Bin(5, 6),
    Bin(5, 6, "right"),
    Bin(5, 13),
    Bin(5, 35),
    Bin(6, 16, "right"),
    Bin(6, 30, "right"),
    Bin(8, 39, "right"),
    Bin(9, 32, "right"),
    Bin(9, 33, "right"),
    Bin(9, 38),
]
MULTI = WarehouseLayout.multi_block()
MULTI_PICKS = [Bin(1, 3), Bin(4, 12, block=1), Bin(6, 2, block=2), Bin(8, 9), Bin(3, 7, block=2)]


@functools.cache
def drawings() -> dict[str, str]:
    """File name -> SVG text for every picture in docs/assets/picking."""
    pictures = {f"route-{method}.svg": route(LAYOUT, PICKS, method).to_svg() for method in METHODS}
    pictures["route-multi-block.svg"] = route(MULTI, MULTI_PICKS).to_svg()
    return pictures


@pytest.mark.parametrize("name", sorted(drawings()))
def test_docs_picture_is_what_the_code_draws(name: str) -> None:
    assert (ASSETS / name).read_text(encoding="utf-8") == drawings()[name]


if __name__ == "__main__":
    ASSETS.mkdir(parents=True, exist_ok=True)
    for name, svg in drawings().items():
        (ASSETS / name).write_text(svg, encoding="utf-8")
