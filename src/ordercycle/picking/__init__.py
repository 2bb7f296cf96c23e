"""Picking: warehouse layouts, picker routes, waves, batches, zones and pick lists.

>>> from ordercycle.picking import Bin, WarehouseLayout, route
>>> layout = WarehouseLayout.henn_waescher()
>>> tour = route(layout, [Bin(2, 30), Bin(5, 3, "right")], method="optimal")
>>> tour.length
Fraction(124, 1)
"""

from __future__ import annotations

from ordercycle.picking.batching import BATCHING_METHODS, IMPROVEMENT_PASSES, Batch, batch_orders
from ordercycle.picking.errors import (
    BinOutsideLayoutError,
    DepotError,
    EmptyPickListError,
    InvalidBinError,
    InvalidPickError,
    LayoutError,
    OrderTooLargeError,
    PickListError,
    RouteCheckError,
    UnknownMethodError,
)
from ordercycle.picking.layout import SIDES, Bin, Depot, Point, WarehouseLayout
from ordercycle.picking.orders import Load, PickerCapacity, PickLine, PickOrder
from ordercycle.picking.picklist import (
    PickList,
    PickListLine,
    PickRates,
    ShortPick,
    pick_list,
    pick_lists,
)
from ordercycle.picking.route import Route, Segment
from ordercycle.picking.routers import (
    EXACT_STOP_LIMIT,
    METHODS,
    MULTI_BLOCK_METHODS,
    optimal_length,
    route,
)
from ordercycle.picking.wave_pick_list import PICK_LIST_LIFECYCLE, WavePickLine, WavePickList
from ordercycle.picking.waves import WAVE_KEYS, Wave, build_waves
from ordercycle.picking.zones import Zone, ZonePlan, zone_pick_lists

__all__ = [
    "BATCHING_METHODS",
    "EXACT_STOP_LIMIT",
    "IMPROVEMENT_PASSES",
    "METHODS",
    "MULTI_BLOCK_METHODS",
    "PICK_LIST_LIFECYCLE",
    "SIDES",
    "WAVE_KEYS",
    "Batch",
    "Bin",
    "BinOutsideLayoutError",
    "Depot",
    "DepotError",
    "EmptyPickListError",
    "InvalidBinError",
    "InvalidPickError",
    "LayoutError",
    "Load",
    "OrderTooLargeError",
    "PickLine",
    "PickList",
    "PickListError",
    "PickListLine",
    "PickOrder",
    "PickRates",
    "PickerCapacity",
    "Point",
    "Route",
    "RouteCheckError",
    "Segment",
    "ShortPick",
    "UnknownMethodError",
    "WarehouseLayout",
    "Wave",
    "WavePickLine",
    "WavePickList",
    "Zone",
    "ZonePlan",
    "batch_orders",
    "build_waves",
    "optimal_length",
    "pick_list",
    "pick_lists",
    "route",
    "zone_pick_lists",
]
