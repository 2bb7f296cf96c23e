"""One command's view of storage: loads aggregates once, writes their new events back.

A :class:`Session` wraps one unit of work. It keeps what it loaded (an identity map), so
a command that touches an order twice sees its own changes, and it appends new events at
the version each aggregate was loaded at: a concurrent change makes the commit fail with
:class:`~ordercycle.errors.ConcurrencyError`, and the desk runs the command again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal, TypeVar, cast

import attrs

from ordercycle.errors import StorageError
from ordercycle.inventory import StockLedger
from ordercycle.inventory.events import StockEvent
from ordercycle.invoicing import Invoice, InvoiceEvent, NumberSeries
from ordercycle.model._trusted import event_maker
from ordercycle.model.events import DomainEvent
from ordercycle.model.ids import IdFactory
from ordercycle.model.order import Order
from ordercycle.model.order.events import OrderEvent
from ordercycle.money import Currency, Money
from ordercycle.serialization import from_dict
from ordercycle.service._cache import StreamCache
from ordercycle.service._packing import DeskPacking
from ordercycle.service._views import invoice_row, invoice_snapshot, projections, record_row
from ordercycle.service.errors import UnknownAggregateError
from ordercycle.service.records import DeskEvent, InvoiceNumberTaken
from ordercycle.service.settings import DeskSettings
from ordercycle.storage._observed import ObservedUnitOfWork
from ordercycle.storage.ports import AggregateStore, Projections, UnitOfWork
from ordercycle.storage.records import Snapshot

__all__ = ["InvoiceMeta", "Session"]

T = TypeVar("T")

ORDER, STOCK, INVOICE = "order", "stock", "invoice"

#: An invoice is snapshotted when first saved and then each time its version passes a
#: multiple of this (invoices have few events: reading the ones after a snapshot is cheap).
INVOICE_SNAPSHOT_EVERY = 8


@attrs.frozen
class InvoiceMeta:
    """What the desk remembers about an invoice besides the invoice itself.

    Attributes:
        order_id: The order it bills.
        line_ids: The order line of each invoice line, by position (a discount line's is
            the order line it discounts, which its goods line comes just before).
    """

    order_id: str
    line_ids: tuple[str, ...]

    def indices(self, line_id: str) -> tuple[int, ...]:
        """The positions of the invoice lines billing ``line_id``: goods line, then discounts.

        Empty when the invoice does not bill the line. A credit of k units credits k units
        of each, so the credit is the net of the goods line and its discounts.
        """
        return tuple(i for i, known in enumerate(self.line_ids) if known == line_id)


class Session:
    """See the module docstring. ``now`` is the one instant every change of the command uses."""

    # Slots: a desk makes a session for every command and query (about twenty an order),
    # and a slotted one is made and freed without an instance dictionary.
    __slots__ = (
        "_append_events",
        "_balance_moves",
        "_events",
        "_invoices",
        "_kept_records",
        "_ledger",
        "_ledger_saved",
        "_loaded_orders",
        "_new_records",
        "_newest",
        "_now_aware",
        "_orders",
        "_reads",
        "_records",
        "_stock_saved",
        "_stock_skus",
        "_taken",
        "_views",
        "cache",
        "counted_exposure",
        "ids",
        "now",
        "packing",
        "prepared",
        "settings",
        "today",
        "uow",
    )

    def __init__(
        self,
        uow: UnitOfWork,
        settings: DeskSettings,
        ids: IdFactory,
        now: datetime,
        cache: StreamCache | None = None,
        packing: DeskPacking | None = None,
    ) -> None:
        self.uow = uow
        # The unit's event store, read once: the session reads and appends through it often.
        # An observed unit (the desk's watched one) is read through its inner store, without
        # the observing wrapper's extra call per read; appends go through the observed
        # store, which reports them (the one place an append is reported). Its read models
        # are the inner unit's own: they are looked up there too, without the wrapper's
        # failed attribute lookup before its ``__getattr__``.
        #: ``uow``, or the inner unit of an observed one: what the session reads through.
        self._reads = uow
        if isinstance(uow, ObservedUnitOfWork):
            observed = uow.events
            self._append_events = observed.append
            self._reads = uow.inner
            # The store the observed one wraps: the inner unit's own, not a second one made.
            self._events: AggregateStore = observed.inner
        else:
            events = self._events = uow.events
            self._append_events = events.append
        self.cache = cache or StreamCache()
        #: The desk's kept records, read without a method call.
        self._kept_records = self.cache.kept_records
        self.packing = packing or DeskPacking()
        self.settings = settings
        self.ids = ids
        self.now = now
        #: Whether ``now`` is an aware time, what every event's ``occurred_at`` must be:
        #: then :meth:`put` builds its events without the common checks (see there).
        #: Asked at the first put (``None`` until then): most sessions put nothing.
        self._now_aware: bool | None = None
        self.today: date = now.date()
        self._orders: dict[str, Order] = {}
        self._loaded_orders: dict[str, Order] = {}
        #: The exposure each order was last counted with in its customer's account by this
        #: session (see ``_orders.set_exposure``).
        self.counted_exposure: dict[str, Money] = {}
        self._records: dict[tuple[str, str], tuple[Any, int]] = {}
        #: The records of ``_records`` that did not come from the desk's cache.
        self._new_records: dict[tuple[str, str], tuple[Any, int]] = {}
        self._invoices: dict[str, tuple[Invoice, InvoiceMeta]] = {}
        self._balance_moves: dict[str, Money] = {}
        self._stock_skus: set[str] = set()
        self._ledger: StockLedger | None = None
        self._ledger_saved = 0
        #: Each sku's stock version after this session's last append to it.
        self._stock_saved: dict[str, int] = {}
        self._taken: set[tuple[str, str]] = set()
        #: What the command's preparer computed before the write transaction (or ``None``).
        self.prepared: object = None
        self._views: Projections | bool | None = False  # False: not looked up yet
        # The bundled units of work read a stream's newest event in one call; another
        # adapter's store is read as a version and the events after the one before it.
        # Looked up when first needed: most records come from the desk's cache.
        self._newest: Callable[[str, str], DomainEvent | None] | Literal[False] | None = False

    @property
    def views(self) -> Projections | None:
        """The unit of work's read models (``None`` for an adapter without them), looked
        up once per session: a unit of work's parts do not change while it runs, and a
        session writes a row for most records it saves."""
        found = self._views
        if found is False:
            found = self._views = projections(self._reads)
        return found  # type: ignore[return-value]

    # --- ids ---------------------------------------------------------------------------------

    def new_id(self, kind: str, stream: str) -> str:
        """A fresh id of ``kind`` whose ``stream`` has no events yet (skips used ids)."""
        while True:
            candidate = self.ids.new_id(kind)
            key = (stream, candidate)
            if key not in self._taken and self._events.version(stream, candidate) == 0:
                self._taken.add(key)
                return candidate

    def exists(self, kind: str, key: str) -> bool:
        """Whether the aggregate ``(kind, key)`` has events (or was created in this session)."""
        if (kind, key) in self._records or (kind == ORDER and key in self._orders):
            return True
        return self._events.version(kind, key) > 0

    # --- orders --------------------------------------------------------------------------------

    def order(self, order_id: str) -> Order:
        """The order, rebuilt from its events.

        Raises:
            UnknownAggregateError: No order has this id.
        """
        found = self._orders.get(order_id)
        if found is not None:
            return found
        order = self.cache.order(self._events, _key("order", order_id))
        if order is None:
            raise UnknownAggregateError("order", order_id)
        self._orders[order_id] = order
        self._loaded_orders[order_id] = order
        return order

    def loaded_order(self, order_id: str) -> Order | None:
        """The order as this session first loaded it from storage (``None``: created here
        or not loaded)."""
        return self._loaded_orders.get(order_id)

    def save_order(self, outcome: tuple[Order, Sequence[OrderEvent]]) -> Order:
        """Append the events of an order command and remember the new order."""
        order, events = outcome
        if events:
            self._append_events(
                ORDER, order.id, tuple(events), expected_version=events[0].version - 1
            )
            views = self.views
            if views is not None:
                views.put(self.cache.order_rows.row(order))
        self._orders[order.id] = order
        return order

    def rely_on_order(self, order: Order) -> None:
        """State that the command decided on ``order`` as loaded without changing it.

        An empty append at the order's version: the commit fails with
        :class:`~ordercycle.errors.ConcurrencyError` (and the command runs again) if
        another command changed the order meanwhile.
        """
        self._append_events(ORDER, order.id, (), expected_version=order.version)

    def orders(self) -> tuple[Order, ...]:
        """Every order this session loaded or saved, as it is now in the session."""
        return tuple(self._orders.values())

    def order_ids(self) -> tuple[str, ...]:
        """Every order id in storage, sorted."""
        return self._events.aggregate_ids(ORDER)

    # --- state records -------------------------------------------------------------------------

    def record(self, kind: str, key: str, cls: type[T]) -> T | None:
        """The current state of a record kept as state events, or ``None``."""
        pair = (kind, key)  # (made once: a session asks for records tens of times)
        cached = self._records.get(pair)
        if cached is not None:
            return cached[0]  # type: ignore[no-any-return]
        kept = self._kept_records.get(pair)
        if kept is not None:
            # Committed events never change: while the stream still ends at the version the
            # desk kept the state of, that state is the newest event's (no load, no decoding;
            # under READ COMMITTED the version read is the one to append at, as below).
            state, version = kept
            if self._events.version(kind, key) == version and isinstance(state, cls):
                self._records[pair] = kept
                return state
        newest = self._newest
        if newest is False:
            newest = self._newest = getattr(self._events, "newest", None)
        if newest is not None:
            event = newest(kind, _key(kind, key))
            if event is None:
                return None
        else:
            version = self._events.version(kind, _key(kind, key))
            if not version:
                return None
            # Under READ COMMITTED (PostgreSQL) another writer may commit between the two
            # reads: the newest event loaded is the state, and its version is the one to
            # append at.
            event = self._events.load(kind, key, after_version=version - 1)[-1]
        version = event.version
        state = getattr(event, "state")  # noqa: B009 - every DeskEvent subclass has one
        if not isinstance(state, cls):
            raise StorageError(
                f"The {kind} {key!r} holds {type(state).__name__}, not {cls.__name__};"
                " the stream was written by something else."
            )
        self._records[pair] = self._new_records[pair] = (state, version)
        return state

    def require(self, kind: str, key: str, cls: type[T]) -> T:
        """Like :meth:`record`, but an unknown key raises :class:`UnknownAggregateError`."""
        found = self.record(kind, key, cls)
        if found is None:
            raise UnknownAggregateError(kind.replace("_", " "), key)
        return found

    def put(
        self,
        kind: str,
        key: str,
        event_cls: type[DeskEvent],
        state: Any,
        change: str,
        **extra: Any,
    ) -> None:
        """Store ``state`` as the newest state of ``(kind, key)`` (``extra``: more fields
        of the event)."""
        pair = (kind, key)
        cached = self._records.get(pair)
        version = cached[1] if cached else self._events.version(kind, _key(kind, key))
        # The common fields are checked already: ``key`` passed ``_key`` here or on its way
        # into ``_records`` (read, kept by the desk after a commit, or put), the version is a
        # stored version (>= 0) plus one and ``now`` is aware (else the class checks and
        # refuses it, as before). The event's own fields are not skipped: a class with
        # checks of its own gets itself from ``event_maker``.
        aware = self._now_aware
        if aware is None:
            now = self.now
            aware = self._now_aware = isinstance(now, datetime) and now.utcoffset() is not None
        make = event_maker(event_cls) if aware else event_cls
        event = make(  # type: ignore[call-arg]
            aggregate_id=key,
            version=version + 1,
            occurred_at=self.now,
            change=change,
            state=state,
            **extra,
        )
        self._append_events(kind, key, (event,), expected_version=version)
        self._records[pair] = self._new_records[pair] = (state, version + 1)
        views = self._views  # (the property's value once looked up: a call less)
        if views is False:
            views = self.views
        if views is not None:  # (a storage without read models: no row to build)
            row = record_row(kind, key, state, version + 1)
            if row is not None:
                views.put(row)  # type: ignore[union-attr]

    def records(self) -> Iterable[tuple[tuple[str, str], tuple[Any, int]]]:
        """Every record this session read from storage or stored: ``((kind, key), (state,
        version))`` (not those it took from the desk's cache, which has them)."""
        return self._new_records.items()

    def record_version(self, kind: str, key: str) -> int:
        """The version of the record ``(kind, key)`` as this session read it (0: none)."""
        cached = self._records.get((kind, key))
        return cached[1] if cached else self._events.version(kind, _key(kind, key))

    def ids_of(self, kind: str) -> tuple[str, ...]:
        """Every id of ``kind`` in storage, sorted."""
        return self._events.aggregate_ids(kind)

    # --- stock ---------------------------------------------------------------------------------

    def stock(self, skus: Iterable[str]) -> StockLedger:
        """A stock ledger holding (at least) the stock of ``skus``, with their versions.

        The ledger is this session's own copy of the committed stock (from the desk's
        cache, caught up from storage): changing it changes nothing else until
        :meth:`save_stock` appends its events. Asking for more skus later in the command
        saves the ledger's new events and returns a new ledger with the added skus.
        """
        wanted = sorted({str(s) for s in skus} - self._stock_skus)
        if wanted or self._ledger is None:
            for sku in wanted:
                _key("sku", sku)
            self.save_stock()
            network = self.settings.network
            bases = [] if self._ledger is None else [self._ledger]
            for sku in wanted:
                found = self.cache.stock(self._events, sku, network)
                if found is not None:
                    bases.append(found)
            self._ledger = StockLedger.replay((), base=bases, network=network)
            self._stock_skus.update(wanted)
            self._ledger_saved = 0
        return self._ledger

    def save_stock(self) -> None:
        """Append the ledger's new events, one append per sku at the version it was loaded at."""
        ledger = self._ledger
        if ledger is None:
            return
        recorded = ledger.events
        if len(recorded) == self._ledger_saved:
            return
        by_sku: dict[str, list[StockEvent]] = {}
        for event in recorded[self._ledger_saved :]:
            by_sku.setdefault(str(event.aggregate_id), []).append(event)
        for sku, events in by_sku.items():
            self._append_events(STOCK, sku, tuple(events), expected_version=events[0].version - 1)
            self._stock_skus.add(sku)
            self._stock_saved[sku] = events[-1].version
        self._ledger_saved = len(recorded)

    def saved_stock(self) -> list[tuple[str, StockLedger]]:
        """A ledger of each sku alone that this session appended stock events to, as
        its stream stands after them (``(sku, ledger)``; for the desk's cache, once the
        unit of work has committed).

        A sku the ledger holds unsaved events of is left out: its ledger is not what the
        stream holds.
        """
        ledger = self._ledger
        if ledger is None:
            return []
        return [
            (sku, ledger.fork([sku]))
            for sku, version in self._stock_saved.items()
            if ledger.version_of(sku) == version
        ]

    # --- invoices ------------------------------------------------------------------------------

    def invoice(self, invoice_id: str) -> tuple[Invoice, InvoiceMeta]:
        """The invoice and what the desk knows about it.

        Built from the invoice as this process last committed it, or else from its newest
        snapshot, plus the events recorded after that.

        Raises:
            UnknownAggregateError: No invoice has this id.
        """
        cached = self._invoices.get(invoice_id)
        if cached is not None:
            return cached
        key = _key("invoice", invoice_id)
        known = cast("tuple[Invoice, InvoiceMeta] | None", self.cache.invoice(key))
        if known is None:
            known = self._invoice_snapshot(key)
        invoice, meta = known
        newer = self._events.load(INVOICE, key, after_version=invoice.version)
        if newer:
            later = [e for e in newer if isinstance(e, InvoiceEvent)]
            invoice = Invoice.replay(later, base=invoice)
        found = (invoice, meta)
        self._invoices[invoice_id] = found
        return found

    def _invoice_snapshot(self, invoice_id: str) -> tuple[Invoice, InvoiceMeta]:
        if not self._events.version(INVOICE, invoice_id):
            raise UnknownAggregateError("invoice", invoice_id)
        snapshot = self.uow.snapshots.latest(INVOICE, invoice_id)
        if snapshot is None:
            raise StorageError(
                f"The invoice {invoice_id!r} has events but no snapshot; the desk snapshots"
                " every invoice when it is issued, so the storage was changed by something else."
            )
        reused = self.cache.decoded(f"invoice:{invoice_id}", snapshot.payload)
        if reused is not None:
            return cast(tuple[Invoice, InvoiceMeta], reused)
        data = json.loads(snapshot.payload)
        found = (
            from_dict(data["invoice"], Invoice),
            InvoiceMeta(data["order_id"], tuple(data["line_ids"])),
        )
        self.cache.keep_decoded(f"invoice:{invoice_id}", snapshot.payload, found)
        return found

    def invoices(self) -> tuple[tuple[Invoice, InvoiceMeta], ...]:
        """Every invoice this session loaded or saved, as it is now in the session."""
        return tuple(self._invoices.values())

    def save_invoice(self, invoice: Invoice, meta: InvoiceMeta, previous: int) -> None:
        """Append the invoice's events after version ``previous``; snapshot it now and then.

        A snapshot is written when the invoice is first saved (it carries the desk's
        :class:`InvoiceMeta`) and whenever the version passes a multiple of
        :data:`INVOICE_SNAPSHOT_EVERY`; readers apply the events after the snapshot.
        """
        events = tuple(invoice.events[previous:])
        if events:
            self._append_events(INVOICE, invoice.invoice_id, events, expected_version=previous)
            views = self.views
            if views is not None:
                views.put(invoice_row(invoice, meta.order_id))
        every = INVOICE_SNAPSHOT_EVERY
        if previous == 0 or invoice.version // every > previous // every:
            self.uow.snapshots.save(
                Snapshot(
                    kind=INVOICE,
                    aggregate_id=invoice.invoice_id,
                    version=invoice.version,
                    payload=invoice_snapshot(invoice, meta.order_id, meta.line_ids),
                )
            )
        before = self._invoices.get(invoice.invoice_id)
        moved = invoice.balance if before is None else invoice.balance - before[0].balance
        customer = invoice.customer_id
        so_far = self._balance_moves.get(customer)
        self._balance_moves[customer] = moved if so_far is None else so_far + moved
        self._invoices[invoice.invoice_id] = (invoice, meta)

    def balance_moved(self, customer_id: str, currency: Currency) -> Money:
        """How much the invoices this session saved moved the customer's open balance."""
        return self._balance_moves.get(customer_id, Money.zero(currency))

    def invoice_series(self) -> NumberSeries:
        """Take the next invoice number: the series stream's version is the count used."""
        key = ("series", "invoice")
        cached = self._records.get(key)
        used = cached[1] if cached else self._events.version(*key)
        series = NumberSeries(self.settings.invoice_prefix, next_number=used + 1)
        self.put("series", "invoice", InvoiceNumberTaken, series.peek(), "taken")
        return series


def _key(kind: str, value: object) -> str:
    """Refuse ids that are not text before they reach storage (a typed error, not a crash)."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise UnknownAggregateError(kind, value)
    return value
