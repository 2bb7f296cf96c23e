"""A per-desk cache of what committed storage already told this process.

Committed events never change and versions only grow, so an order rebuilt at version
``n`` stays right: the next load reads only the events after ``n``. The stock of each sku
is kept the same way, as a ledger of that sku alone at the version of its newest loaded
event: the next load applies only the newer events to a copy (a cached ledger is never
changed, so a session may copy it while another thread catches it up). The desk's state
records (accounts, shipments, ...) are kept with the version of the event that holds
them: while a record's stream still ends at that version, its state is the one kept, so
a session reads the version alone instead of loading and decoding the newest event. Each
table holds at most ``limit`` entries (a full table is cleared before it takes a new key),
so the records kept stay bounded however many finished orders' pick lists, shipments and
payments pass. Only data
*loaded* from storage, or orders of a unit of work that has *committed*, enter the cache,
never events a unit of work appended (it may still roll back). Decoded snapshots (invoices) are
kept next to the exact text they were decoded from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from ordercycle.inventory import Network, StockLedger
from ordercycle.inventory.events import StockEvent
from ordercycle.invoicing import Invoice
from ordercycle.model.order import Order
from ordercycle.model.order.events import OrderEvent
from ordercycle.service._views import OrderRows
from ordercycle.storage.ports import AggregateStore

__all__ = ["StreamCache"]

K = TypeVar("K")
V = TypeVar("V")


class StreamCache:
    """Orders and stock streams as last loaded; see the module docstring."""

    def __init__(self, *, limit: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._stock: dict[str, StockLedger] = {}
        self._decoded: dict[str, tuple[str, object]] = {}
        self._invoices: dict[str, tuple[Invoice, object]] = {}
        #: The kept state records ``(kind, key) -> (state, version)``, read by sessions
        #: directly (a lone dict read needs no lock; the table is cleared, never replaced).
        self.kept_records: dict[tuple[str, str], tuple[object, int]] = {}
        self._limit = limit
        #: The parts of each order's read-model row, reused while they stay the same.
        self.order_rows = OrderRows(limit)

    def order(self, events: AggregateStore, order_id: str) -> Order | None:
        """The order as committed now (read through a unit of work's ``events``), or
        ``None`` if it has no events."""
        # A lone dict read is atomic: no lock (a session reads an order per command).
        known = self._orders.get(order_id)
        newer = events.load("order", order_id, after_version=known.version if known else 0)
        if not newer:
            return known
        applied = [e for e in newer if isinstance(e, OrderEvent)]
        order = Order.replay(applied, base=known)
        self._keep_newer(self._orders, order_id, order, _order_version)
        return order

    def invoice(self, invoice_id: str) -> tuple[Invoice, object] | None:
        """The invoice (with the desk's notes on it) as this process last committed it."""
        with self._lock:
            return self._invoices.get(invoice_id)

    def record(self, kind: str, key: str) -> tuple[object, int] | None:
        """The state of the record ``(kind, key)`` and the version of the event holding it,
        as last committed or read by this process (``None``: not kept). It is the current
        state only while the record's stream still ends at that version."""
        # A lone dict read is atomic: no lock (sessions ask for records constantly).
        return self.kept_records.get((kind, key))

    def committed(
        self,
        orders: Iterable[Order],
        invoices: Iterable[tuple[Invoice, object]],
        records: Iterable[tuple[tuple[str, str], tuple[object, int]]] = (),
    ) -> None:
        """Remember the orders, invoices and records of a unit of work that has just
        *committed* (or only read committed data): ``records`` are ``((kind, key),
        (state, version))`` pairs.

        A command's aggregate already is what replaying its events gives (the order and
        invoice machines prove replay equals state), so the next command need not apply
        them again; a record's state is the state its newest event holds. Call it only
        after the commit.
        """
        # What _keep_newer does for each, under one lock (a command commits a few orders).
        limit = self._limit
        lock = self._lock
        # acquire()/release() rather than ``with``: half the cost on this interpreter, and
        # every command commits here (see MemoryUnitOfWork._tx_version).
        lock.acquire()
        try:
            table = self._orders
            for order in orders:
                current = table.get(order.id)
                if current is None:
                    if len(table) >= limit:
                        table.clear()
                elif current.version >= order.version:
                    continue
                table[order.id] = order
            kept = self._invoices
            for invoice, meta in invoices:
                known = kept.get(invoice.invoice_id)
                if known is None:
                    if len(kept) >= limit:
                        kept.clear()
                elif known[0].version >= invoice.version:
                    continue
                kept[invoice.invoice_id] = (invoice, meta)
        finally:
            lock.release()
        self.keep_records(records)

    def keep_records(self, records: Iterable[tuple[tuple[str, str], tuple[object, int]]]) -> None:
        """Remember records ``((kind, key), (state, version))`` read from committed data
        (or stored by a unit of work that has committed)."""
        # No lock: a kept record is only used while its stream still ends at its version
        # (see Session.record), so two threads racing here can at worst keep an older one,
        # which is then read from storage again; each dict step is atomic on its own.
        table = self.kept_records
        for key, kept in records:
            current = table.get(key)
            if current is None:
                if len(table) >= self._limit:
                    table.clear()
                table[key] = kept
            elif current[1] < kept[1]:
                table[key] = kept

    def stock(self, events: AggregateStore, sku: str, network: Network) -> StockLedger | None:
        """A ledger of ``sku`` alone, as committed now (read through a unit of work's
        ``events``; ``None`` if it has no events).

        The ledger is shared: read it or copy it (``fork``, ``replay(..., base=...)``),
        never change it. Its ``events`` are not the sku's history.
        """
        known = self._stock.get(sku)  # a lone dict read is atomic: no lock
        after = known.version_of(sku) if known is not None else 0
        newer = events.load("stock", sku, after_version=after)
        applied = [e for e in newer if isinstance(e, StockEvent)]
        if not applied:
            return known
        # fork() drops the applied events: the cache keeps live state, not history.
        fresh = StockLedger.replay(applied, base=known, network=network).fork()
        self._keep_newer(self._stock, sku, fresh, lambda ledger: ledger.version_of(sku))
        return fresh

    def committed_stock(self, ledgers: Iterable[tuple[str, StockLedger]]) -> None:
        """Remember ledgers ``(sku, ledger of that sku alone)`` of a unit of work that has
        just *committed*: each is what catching up on the sku's stream would give (a
        ledger's state is what replaying its events gives), so the next session need not
        load and apply the events it appended. The ledgers are kept as they are: pass
        ledgers nothing else changes (a fork)."""
        table = self._stock
        if not ledgers:  # (the list of a command that appended no stock: no lock to take)
            return
        lock = self._lock
        lock.acquire()  # what _keep_newer does for each, under one lock (see committed)
        try:
            for sku, ledger in ledgers:
                current = table.get(sku)
                if current is None:
                    if len(table) >= self._limit:
                        table.clear()
                elif current.version_of(sku) >= ledger.version_of(sku):
                    continue
                table[sku] = ledger
        finally:
            lock.release()

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

    def forget(
        self,
        orders: Iterable[str] = (),
        invoices: Iterable[str] = (),
        records: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Drop what is kept of these orders, invoices and records ``(kind, key)`` (their
        streams were forgotten)."""
        with self._lock:
            table = self.kept_records
            for record in records:
                table.pop(record, None)
            for order_id in orders:
                self._orders.pop(order_id, None)
                self.order_rows.forget(order_id)
            for invoice_id in invoices:
                self._invoices.pop(invoice_id, None)

    def _keep(self, table: dict[K, V], key: K, value: V) -> None:
        with self._lock:
            if len(table) >= self._limit:
                table.clear()
            table[key] = value

    def _keep_newer(self, table: dict[K, V], key: K, value: V, version: Callable[[V], int]) -> None:
        """Keep ``value`` unless the table holds a version at least as new (threads race)."""
        with self._lock:
            current = table.get(key)
            if current is not None and version(current) >= version(value):
                return
            if current is None and len(table) >= self._limit:
                table.clear()
            table[key] = value


def _order_version(order: Order) -> int:
    return order.version
