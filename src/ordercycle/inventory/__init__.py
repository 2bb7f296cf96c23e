"""Stock buckets, lots, expiring holds, explainable multi-warehouse allocation, backorders.

* :class:`Network` of :class:`Warehouse`, :class:`StorageZone` and :class:`StorageBin` (with
  :class:`BinCoordinates` for picking layouts);
* :class:`StockLedger`: stock per (sku, bin, lot) with on hand, allocated, held,
  incoming and unavailable units; ``available = on hand - allocated - active holds -
  unavailable``; every operation checked and recorded as an event;
* :func:`plan_allocation`: demand + :class:`StockSnapshot` -> :class:`AllocationPlan`,
  with an :class:`AllocationStrategy` (a rule chain) and an :class:`AllocationPolicy`;
* :func:`allocate` (plan, apply with compare-and-set, replan on conflict),
  :class:`BackorderBook` and :func:`available_to_promise`;
* :class:`PurchaseOrder` (units expected from a supplier) and :class:`StockTransfer`
  (units in transit between warehouses), each announced to the ledger as a scheduled
  receipt.
"""

from __future__ import annotations

from ordercycle.inventory.allocate import allocate
from ordercycle.inventory.allocation_plan import AllocationPlan, LinePlan, Pick
from ordercycle.inventory.atp import atp_profile, available_to_promise
from ordercycle.inventory.backorders import Backorder, BackorderBook
from ordercycle.inventory.demand import AllocationPolicy, Completeness, Demand, DemandLine
from ordercycle.inventory.errors import (
    ExpiredLotError,
    LocationError,
    OverReleaseError,
    UnknownLocationError,
    UnknownLotError,
    UnknownSkuError,
    UnknownStockHoldError,
)
from ordercycle.inventory.events import (
    StockAdjusted,
    StockAllocated,
    StockConsumed,
    StockDeallocated,
    StockEvent,
    StockHeld,
    StockHoldCommitted,
    StockHoldExpired,
    StockHoldReleased,
    StockMadeAvailable,
    StockMarkedUnavailable,
    StockMoved,
    StockReceiptCancelled,
    StockReceiptScheduled,
    StockReceived,
    StockRestocked,
    StockWrittenOff,
)
from ordercycle.inventory.holds import STOCK_HOLD_LIFECYCLE, StockHold
from ordercycle.inventory.ledger import StockLedger
from ordercycle.inventory.locations import (
    SIDES,
    BinCoordinates,
    Network,
    StorageBin,
    StorageZone,
    Warehouse,
)
from ordercycle.inventory.lots import Lot
from ordercycle.inventory.position import UNAVAILABLE_REASONS, StockPosition
from ordercycle.inventory.purchase_orders import (
    PURCHASE_ORDER_LIFECYCLE,
    PurchaseOrder,
    PurchaseOrderLine,
)
from ordercycle.inventory.rules import (
    AllocationStrategy,
    Closest,
    Fefo,
    FewestShipments,
    Fifo,
    LeastPackages,
    Lifo,
    LotRule,
    MostStock,
    Rule,
    WarehouseOption,
    WarehousePriority,
    WarehouseRule,
)
from ordercycle.inventory.snapshot import StockSlot, StockSnapshot
from ordercycle.inventory.sourcing import DEFAULT_POLICY, DEFAULT_STRATEGY, plan_allocation
from ordercycle.inventory.transfers import TRANSFER_LIFECYCLE, StockTransfer

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_STRATEGY",
    "PURCHASE_ORDER_LIFECYCLE",
    "SIDES",
    "STOCK_HOLD_LIFECYCLE",
    "TRANSFER_LIFECYCLE",
    "UNAVAILABLE_REASONS",
    "AllocationPlan",
    "AllocationPolicy",
    "AllocationStrategy",
    "Backorder",
    "BackorderBook",
    "BinCoordinates",
    "Closest",
    "Completeness",
    "Demand",
    "DemandLine",
    "ExpiredLotError",
    "Fefo",
    "FewestShipments",
    "Fifo",
    "LeastPackages",
    "Lifo",
    "LinePlan",
    "LocationError",
    "Lot",
    "LotRule",
    "MostStock",
    "Network",
    "OverReleaseError",
    "Pick",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Rule",
    "StockAdjusted",
    "StockAllocated",
    "StockConsumed",
    "StockDeallocated",
    "StockEvent",
    "StockHeld",
    "StockHold",
    "StockHoldCommitted",
    "StockHoldExpired",
    "StockHoldReleased",
    "StockLedger",
    "StockMadeAvailable",
    "StockMarkedUnavailable",
    "StockMoved",
    "StockPosition",
    "StockReceiptCancelled",
    "StockReceiptScheduled",
    "StockReceived",
    "StockRestocked",
    "StockSlot",
    "StockSnapshot",
    "StockTransfer",
    "StockWrittenOff",
    "StorageBin",
    "StorageZone",
    "UnknownLocationError",
    "UnknownLotError",
    "UnknownSkuError",
    "UnknownStockHoldError",
    "Warehouse",
    "WarehouseOption",
    "WarehousePriority",
    "WarehouseRule",
    "allocate",
    "atp_profile",
    "available_to_promise",
    "plan_allocation",
]
