"""A per-desk cache of what committed storage already told this process.

Committed events never change and versions only grow, so an order rebuilt at version
``n`` stays right: the next load reads only the events after ``n``. Stock streams are
kept as their decoded events. Only data *loaded* from storage enters the cache, never
events a unit of work appended (it may still roll back). Decoded snapshots (invoices) are
kept next to the exact text they were decoded from.
"""

from __future__ import annotations

import threading
from typing import TypeVar

from ordercycle.inventory.events import StockEvent
from ordercycle.model.order import Order
from ordercycle.model.order_apply import apply_event
from ordercycle.model.order_events import OrderEvent
from ordercycle.storage.ports import UnitOfWork

__all__ = ["StreamCache"]

V = TypeVar("V")


class StreamCache:
    """Orders and stock streams as last loaded; see the module docstring."""

    def __init__(self, *, limit: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._stock: dict[str, tuple[StockEvent, ...]] = {}
        self._decoded: dict[str, tuple[str, object]] = {}
        self._limit = limit

    def order(self, uow: UnitOfWork, order_id: str) -> Order | None:
        """The order as committed now, or ``None`` if it has no events."""
        with self._lock:
            known = self._orders.get(order_id)
        newer = uow.events.load("order", order_id, after_version=known.version if known else 0)
        if not newer:
            return known
        events = [e for e in newer if isinstance(e, OrderEvent)]
        if known is None:
            order = Order.replay(events)
        else:
            order = known
            for event in events:
                order = apply_event(order, event)
        self._keep(self._orders, order_id, order)
        return order

    def stock(self, uow: UnitOfWork, sku: str) -> tuple[StockEvent, ...]:
        """Every committed event of ``sku``'s stock stream, oldest first."""
        with self._lock:
            known = self._stock.get(sku, ())
        after = known[-1].version if known else 0
        newer = uow.events.load("stock", sku, after_version=after)
        if not newer:
            return known
        events = known + tuple(e for e in newer if isinstance(e, StockEvent))
        self._keep(self._stock, sku, events)
        return events

    def decoded(self, key: str, payload: str) -> object | None:
        """What ``payload`` (a stored snapshot) decoded to last time, if it is unchanged.

        Keyed by the payload text itself rather than a version, so a snapshot that a unit
        of work wrote and then rolled back can never be mistaken for a committed one.
        """
        with self._lock:
            hit = self._decoded.get(key)
        return hit[1] if hit is not None and hit[0] == payload else None

    def keep_decoded(self, key: str, payload: str, value: object) -> None:
        """Remember that ``payload`` decodes to ``value`` (an immutable object)."""
        self._keep(self._decoded, key, (payload, value))

    def _keep(self, table: dict[str, V], key: str, value: V) -> None:
        with self._lock:
            if len(table) >= self._limit:
                table.clear()
            table[key] = value
