"""Isometric SVG drawings of packages (no dependencies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ordercycle.packing.plan import Package

__all__ = ["package_svg"]


def package_svg(package: Package) -> str:
    """Placeholder until the drawing lands."""
    return "<svg xmlns='http://www.w3.org/2000/svg'/>"
