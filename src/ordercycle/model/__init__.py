"""Shared vocabulary of the order cycle.

Ids and id factories, products, customers, addresses, the clock port, domain events and
the aggregate contract (:class:`Aggregate`, :class:`Outcome`); declarative lifecycles
live in the foundation package :mod:`ordercycle.lifecycle`. The order aggregate, with its
per-line quantity ledger, has a package of its own: :mod:`ordercycle.model.order`
(``from ordercycle.model.order import Order``). Everything here is pure: no I/O, no
clock reads, no random ids.
"""

from __future__ import annotations

from ordercycle.model.address import Address
from ordercycle.model.aggregate import Aggregate, Outcome
from ordercycle.model.clock import Clock, FixedClock, SteppableClock, SystemClock
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
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
from ordercycle.model.product import Product, Rotation

__all__ = [
    "Address",
    "Aggregate",
    "Clock",
    "Customer",
    "CustomerId",
    "DomainEvent",
    "FixedClock",
    "IdFactory",
    "LocationId",
    "LotId",
    "OrderId",
    "Outcome",
    "Product",
    "RandomIdFactory",
    "Rotation",
    "SequentialIdFactory",
    "Sku",
    "SteppableClock",
    "SystemClock",
]
