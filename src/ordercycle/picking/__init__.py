"""Picking: warehouse layouts and picker routes (heuristics and the exact optimum).

>>> from ordercycle.picking import Bin, WarehouseLayout, route
>>> layout = WarehouseLayout.henn_waescher()
>>> tour = route(layout, [Bin(2, 30), Bin(5, 3, "right")], method="optimal")
>>> tour.length
Fraction(124, 1)
"""

from __future__ import annotations

from ordercycle.picking.errors import (
    BinOutsideLayoutError,
    DepotError,
    EmptyPickListError,
    InvalidBinError,
    LayoutError,
    RouteCheckError,
    UnknownMethodError,
)
from ordercycle.picking.layout import SIDES, Bin, Depot, Point, WarehouseLayout
from ordercycle.picking.route import Route, Segment
from ordercycle.picking.routing import EXACT_STOP_LIMIT, METHODS, route

__all__ = [
    "EXACT_STOP_LIMIT",
    "METHODS",
    "SIDES",
    "Bin",
    "BinOutsideLayoutError",
    "Depot",
    "DepotError",
    "EmptyPickListError",
    "InvalidBinError",
    "LayoutError",
    "Point",
    "Route",
    "RouteCheckError",
    "Segment",
    "UnknownMethodError",
    "WarehouseLayout",
    "route",
]
