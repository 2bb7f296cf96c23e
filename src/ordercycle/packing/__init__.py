"""ordercycle.packing: cartons at the lowest billable weight, exact 3D placement, carrier rules.

>>> from ordercycle.units import Q_
>>> from ordercycle.packing import Carton, Item, pack, verify, carriers
>>> items = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]
>>> cartons = [Carton("S", inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")), tare=Q_(120, "g"),
...                   max_weight=Q_(10, "kg"))]
>>> plan = pack(items, cartons, carrier=carriers.UPS_DAILY)
>>> verify(plan)
>>> sum(len(p) for p in plan.packages)
4
"""

from __future__ import annotations

from ordercycle.packing import carriers
from ordercycle.packing.carriers import DimWeightRule, MeasurementSystem, SideRounding
from ordercycle.packing.carton import Carton
from ordercycle.packing.errors import (
    InvalidPlanError,
    PackingError,
    RateNotAvailableError,
    UnpackableItemError,
)
from ordercycle.packing.item import Item, Rotation
from ordercycle.packing.memo import PackingMemo
from ordercycle.packing.methods import ShippingMethod
from ordercycle.packing.packer import OBJECTIVES, pack, pack_request
from ordercycle.packing.packing_plan import Package, PackingPlan, Placement, Unpacked
from ordercycle.packing.rates import (
    BasePlusPerUnitRate,
    RateModel,
    WeightBracketRate,
    ZoneRateTable,
)
from ordercycle.packing.request import DEFAULT_WORK_LIMIT, PackRequest
from ordercycle.packing.shipment import SHIPMENT_LIFECYCLE, Parcel, Shipment, ShipmentLine
from ordercycle.packing.verify import verify

__all__ = [
    "DEFAULT_WORK_LIMIT",
    "OBJECTIVES",
    "SHIPMENT_LIFECYCLE",
    "BasePlusPerUnitRate",
    "Carton",
    "DimWeightRule",
    "InvalidPlanError",
    "Item",
    "MeasurementSystem",
    "PackRequest",
    "Package",
    "PackingError",
    "PackingMemo",
    "PackingPlan",
    "Parcel",
    "Placement",
    "RateModel",
    "RateNotAvailableError",
    "Rotation",
    "Shipment",
    "ShipmentLine",
    "ShippingMethod",
    "SideRounding",
    "UnpackableItemError",
    "Unpacked",
    "WeightBracketRate",
    "ZoneRateTable",
    "carriers",
    "pack",
    "pack_request",
    "verify",
]
