"""Shared vocabulary of the order cycle.

Ids and id factories, products, customers, addresses, the clock port, domain events, the
aggregate contract (:class:`Aggregate`, :class:`Outcome`),
declarative lifecycles (state machines) and the ``Order`` aggregate with its per-line
quantity ledger. Everything here is pure: no I/O, no clock reads,
no random ids.
"""

from __future__ import annotations

from ordercycle.model.address import Address
from ordercycle.model.aggregate import Aggregate, Outcome
from ordercycle.model.clock import Clock, FixedClock, SteppableClock, SystemClock
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
from ordercycle.model.holds import Hold
from ordercycle.model.ids import (
    CustomerId,
    IdFactory,
    LocationId,
    LotId,
    OrderId,
    RandomIdFactory,
    SequentialIdFactory,
    Sku,
)
from ordercycle.model.ledger import LAWS, LineLedger
from ordercycle.model.lifecycle import ANY, Guard, Lifecycle, Machine, State, Transition
from ordercycle.model.order import Order, OrderOutcome
from ordercycle.model.order_changes import (
    AddLine,
    ChangeAddress,
    ChangePrice,
    ChangeQuantity,
    RemoveLine,
)
from ordercycle.model.order_lifecycle import ORDER_LIFECYCLE
from ordercycle.model.order_lines import Discount, NewLine, OrderLine
from ordercycle.model.order_policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ReturnStatus,
    ShippingPolicy,
)
from ordercycle.model.order_status import BillingStatus, FulfilmentStatus, PaymentStatus
from ordercycle.model.product import Product, Rotation
from ordercycle.model.returns import ReturnAuthorization

__all__ = [
    "ANY",
    "LAWS",
    "ORDER_LIFECYCLE",
    "AddLine",
    "Address",
    "Aggregate",
    "BillingStatus",
    "ChangeAddress",
    "ChangePrice",
    "ChangeQuantity",
    "Clock",
    "Customer",
    "CustomerId",
    "Discount",
    "DomainEvent",
    "FixedClock",
    "FulfilmentStatus",
    "Guard",
    "Hold",
    "HoldReason",
    "IdFactory",
    "InvoicePolicy",
    "Lifecycle",
    "LineLedger",
    "LocationId",
    "LotId",
    "Machine",
    "NewLine",
    "Order",
    "OrderId",
    "OrderLine",
    "OrderOutcome",
    "Outcome",
    "PaymentStatus",
    "Priority",
    "Product",
    "RandomIdFactory",
    "RemoveLine",
    "ReturnAuthorization",
    "ReturnCondition",
    "ReturnStatus",
    "Rotation",
    "SequentialIdFactory",
    "ShippingPolicy",
    "Sku",
    "State",
    "SteppableClock",
    "SystemClock",
    "Transition",
]
