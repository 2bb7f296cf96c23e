"""``OrderDesk``: the application service that runs order-to-cash over storage ports.

Every command is one unit of work: it loads what it needs, asks the domain to decide,
appends the new events at the versions it loaded, and commits all of it or nothing. A
command that meets a concurrent change (:class:`~ordercycle.errors.ConcurrencyError`) is
run again from the start; a refused command raises a typed error and writes nothing.
After a command the outbox handlers run (see :mod:`ordercycle.service._reactions`) when it
recorded something they react to, and now and then anyway (see :meth:`OrderDesk.execute`);
their failure never turns a committed command into an exception.

>>> from datetime import UTC, datetime
>>> from ordercycle.model import SteppableClock
>>> desk = OrderDesk.in_memory(clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
>>> desk.settings.network.warehouse_ids
('WH-EAST', 'WH-WEST')
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from os import PathLike
from typing import Any, Final, Self, TypeGuard

import attrs

from ordercycle.errors import ConcurrencyError, OrderCycleError, StorageError
from ordercycle.inventory import PurchaseOrder, StockPosition, StockTransfer
from ordercycle.invoicing import (
    AccountEntry,
    AgingReport,
    CustomerAccount,
    DunningNotice,
    DunningPolicy,
    Invoice,
    LateInterestPolicy,
    Payment,
    aging,
)
from ordercycle.limits import load_json
from ordercycle.model.address import Address
from ordercycle.model.clock import Clock, SystemClock
from ordercycle.model.customer import Customer
from ordercycle.model.ids import IdFactory, RandomIdFactory, SequentialIdFactory
from ordercycle.model.order import Order
from ordercycle.model.order.policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ShippingPolicy,
)
from ordercycle.model.product import Product
from ordercycle.money import Money
from ordercycle.packing import Shipment
from ordercycle.picking import WavePickList
from ordercycle.service import (
    _billing,
    _changes,
    _drafts,
    _freight,
    _history,
    _metrics,
    _orders,
    _pricing,
    _purchasing,
    _quarantine,
    _reactions,
    _receivables,
    _stock,
    _warehouse,
    commands,
)
from ordercycle.service import queries as _queries
from ordercycle.service._cache import StreamCache
from ordercycle.service._command_handlers import PREPARERS, Handler, handler_table
from ordercycle.service._packing import DeskPacking
from ordercycle.service._session import InvoiceMeta, Session
from ordercycle.service._views import INVOICES, ORDERS, listing_query
from ordercycle.service._views import built as _views_built
from ordercycle.service._views import query as _view_rows
from ordercycle.service._views import rebuild as _rebuild_views
from ordercycle.service._watch import WatchedUnitOfWork
from ordercycle.service.commands import Command, command_payload, parse_command
from ordercycle.service.history import CustomerHistory
from ordercycle.service.listings import InvoiceListing, ListingPage, OrderListing, encode_cursor
from ordercycle.service.metrics import OrderToCashReport
from ordercycle.service.order_money import OrderMoney
from ordercycle.service.records import (
    Account,
    Backlog,
    CatalogueEntry,
    Promotion,
    PromotionUse,
    QuarantinedMessage,
)
from ordercycle.service.results import CommandResult
from ordercycle.service.settings import DeskSettings
from ordercycle.service.statements import Statement
from ordercycle.storage.errors import (
    CommandPayloadMismatchError,
    InvalidCheckpointError,
    TamperedStreamError,
    UnreadableOutboxMessageError,
)
from ordercycle.storage.ports import (
    ClaimingOutbox,
    Reading,
    SelectiveOutbox,
    Storage,
    UnitOfWork,
)
from ordercycle.storage.records import payload_hash
from ordercycle.storage.views import ViewQuery, ViewRow

__all__ = ["OrderDesk"]

_log = logging.getLogger(__name__)

# Importing the handler modules above ran their ``@handles`` declarations; the table checks
# that every command has exactly one handler, so a forgotten one fails this import.
_HANDLERS: Final = handler_table(
    _orders,
    _warehouse,
    _billing,
    _changes,
    _stock,
    _purchasing,
    _drafts,
    _freight,
    _quarantine,
    _receivables,
    _pricing,
)


#: Commands after which the desk dispatches even when none recorded an event the
#: handlers react to (see :meth:`OrderDesk.execute`).
DISPATCH_EVERY: Final = 32
#: Outbox messages handled per unit of work.
_BATCH: Final = 200


class OrderDesk:
    """Runs the order-to-cash cycle over a :class:`~ordercycle.storage.ports.Storage`.

    Open one with :meth:`in_memory`, :meth:`sqlite`, :meth:`postgres` or :meth:`from_url`
    (any bundled adapter by URL), or pass any storage adapter that passes the contract
    suite.

    Methods are named by one rule:

    - **Commands are verbs**, one method per command of
      :data:`~ordercycle.service.commands.COMMANDS`, named after its class in snake case
      (``PlaceOrder`` -> :meth:`place_order`, ``InvoiceOrder`` -> :meth:`invoice_order`,
      ``ShipShipment`` -> :meth:`ship_shipment`). Its parameters are the command's fields
      (same names, same defaults); it runs the command through :meth:`execute` and returns
      a :class:`~ordercycle.service.results.CommandResult`.
    - **Queries are nouns** naming what they return and write nothing: one thing by its id
      (:meth:`order`, :meth:`invoice`, :meth:`shipment`, :meth:`pick_list`, ...), every
      one of a kind in the plural (:meth:`invoices`, :meth:`order_ids`), or a figure or
      report (:meth:`available_units`, :meth:`stock_positions`, :meth:`backlog`,
      :meth:`aging_report`).

    Promises kept under concurrency (any number of desks, threads and processes over one
    storage; the explanation page "Consistency, outbox and idempotency" says how):

    - every command commits all of its writes or none, at the versions it read;
    - a decision that reads one aggregate and writes another writes something every
      competing command also writes (the credit check appends to the customer's account
      stream), so two at once cannot both pass;
    - :meth:`execute` returns once the command has committed; a failed dispatch after it
      is reported on the result (``pending``, ``dispatch_error``), not raised;
    - a command id runs once, and every sender of it gets the same result;
    - each outbox reaction takes effect once (claimed checkpoint, keyed effects).

    Args:
        storage: The storage adapter.
        clock: Where "now" comes from (the system clock by default).
        ids: Makes new ids (sequential ``O-1``, ``INV-1``, ... by default; ids already
            used in storage are skipped).
        settings: Warehouses, layouts, cartons, taxes (:meth:`DeskSettings.default`).
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        settings: DeskSettings | None = None,
    ) -> None:
        self.storage = storage
        self.clock: Clock = clock or SystemClock()
        self.ids: IdFactory = ids or SequentialIdFactory()
        self.settings = settings or DeskSettings.default()
        self._cache = StreamCache()
        self._packing = DeskPacking()
        self._views_ready = False
        # When the next command dispatches even if nothing it recorded needs a handler:
        # at first (to pick up what other desks left), after a failed dispatch, and every
        # DISPATCH_EVERY commands (to keep the checkpoint close).
        self._dispatch_lock = threading.Lock()
        self._dispatch_due = True
        self._quiet_commands = 0

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def in_memory(
        cls,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        settings: DeskSettings | None = None,
        roundtrip: bool = True,
        projections: bool = True,
    ) -> OrderDesk:
        """A desk over :class:`~ordercycle.storage.memory.MemoryStorage` (tests, notebooks).

        ``roundtrip=False`` keeps event objects instead of decoding JSON on every read;
        ``projections=False`` keeps no read-model rows, so commands build none and the
        listing queries (:meth:`orders` and the others that page through views) raise
        :class:`~ordercycle.errors.StorageError` (see
        :class:`~ordercycle.storage.memory.MemoryStorage`). Simulations use both.
        """
        from ordercycle.storage.memory import MemoryStorage

        storage = MemoryStorage(roundtrip=roundtrip, projections=projections)
        return cls(storage, clock=clock, ids=ids, settings=settings)

    @classmethod
    def sqlite(
        cls,
        path: str | PathLike[str],
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        settings: DeskSettings | None = None,
    ) -> OrderDesk:
        """A desk over one SQLite file (created and migrated if needed)."""
        from ordercycle.storage.sqlite import SQLiteStorage

        return cls(SQLiteStorage(path), clock=clock, ids=ids, settings=settings)

    @classmethod
    def from_url(
        cls,
        url: str | PathLike[str],
        *,
        schema: str | None = None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        settings: DeskSettings | None = None,
    ) -> OrderDesk:
        """A desk over the storage a URL names (:func:`~ordercycle.storage.urls.open_url`).

        ``memory:``, a SQLite file path or ``sqlite:///PATH``, ``postgresql://...``, or
        ``sqlalchemy+DIALECT://...`` (the ``sqlalchemy`` extra). On a database server
        (PostgreSQL, directly or through SQLAlchemy) the default id factory is random, as
        in :meth:`postgres`; elsewhere it is sequential.

        Args:
            url: The storage URL or a SQLite file path.
            schema: The PostgreSQL schema to keep the tables in (PostgreSQL URLs only).
            clock: Where "now" comes from.
            ids: Makes new ids.
            settings: Warehouses, layouts, cartons, taxes.

        Raises:
            UnknownStorageURLError: The URL's scheme is unknown; the error lists the valid
                forms.
        """
        from ordercycle.storage.urls import open_url

        text = str(url).lower()
        shared = text.startswith(("postgresql://", "postgres://", "sqlalchemy+")) and not (
            text.startswith("sqlalchemy+sqlite")
        )
        storage = open_url(url, schema=schema)
        if ids is None and shared:
            ids = RandomIdFactory(random.SystemRandom())
        return cls(storage, clock=clock, ids=ids, settings=settings)

    @classmethod
    def postgres(
        cls,
        dsn: str,
        *,
        schema: str | None = None,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        settings: DeskSettings | None = None,
    ) -> OrderDesk:
        """A desk over PostgreSQL (needs the ``postgres`` extra, psycopg 3).

        Several application servers may share the database; give each an id factory that
        cannot collide with the others' (for example per-server prefixes, or a
        :class:`~ordercycle.model.ids.RandomIdFactory`, the default here).

        Args:
            dsn: A libpq connection string or URL.
            schema: The PostgreSQL schema to keep the tables in (the server's default
                search path when ``None``).
            clock: Where "now" comes from.
            ids: Makes new ids.
            settings: Warehouses, layouts, cartons, taxes.
        """
        from ordercycle.storage.postgres import PostgresStorage

        storage = PostgresStorage(dsn, schema=schema)
        return cls(
            storage,
            clock=clock,
            ids=ids or RandomIdFactory(random.SystemRandom()),
            settings=settings,
        )

    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def forget(
        self,
        streams: Iterable[tuple[str, str]] = (),
        *,
        rows: Iterable[tuple[str, str]] = (),
        history: Iterable[tuple[str, str]] = (),
        trim: Iterable[tuple[str, str, int]] = (),
        outbox: bool = False,
    ) -> None:
        """Release finished streams from a :class:`~ordercycle.storage.MemoryStorage` and
        from this desk's cache (see :meth:`~ordercycle.storage.MemoryStorage.forget`).

        ``trim`` releases a stream's events before a version (``(kind, aggregate_id,
        version)``); this desk reads each SKU's stock stream only after the version it has
        cached, so a ``("stock", sku, version)`` at a version the desk has read is safe.

        A long simulation with KPIs-only results calls it for each order it has finished
        with; what is forgotten is refused afterwards with
        :class:`~ordercycle.storage.ForgottenError`.

        Raises:
            StorageError: The desk's storage cannot forget (only the memory storage can).
        """
        forget = getattr(self.storage, "forget", None)
        if forget is None:
            raise StorageError(
                f"Cannot forget streams of {self.storage!r}: only the memory storage"
                " (OrderDesk.in_memory) releases what it stored."
            )
        streams, history = list(streams), list(history)
        forget(streams, rows=rows, history=history, trim=trim, outbox=outbox)
        self._cache.forget(
            orders=[key for kind, key in streams if kind == "order"],
            invoices=[key for kind, key in streams if kind == "invoice"],
            records=streams,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<OrderDesk over {self.storage!r}>"

    # --- running commands ------------------------------------------------------------------

    def execute(self, command: Command) -> CommandResult:
        """Run one command as one unit of work (idempotent when it has a ``command_id``).

        It returns once the command has committed, and only then: the outbox handlers run
        after the commit (when ``settings.auto_dispatch``), and if they fail the error is
        logged, the messages stay in the outbox for the next :meth:`dispatch`, and the
        result says so (:attr:`CommandResult.pending`, :attr:`CommandResult.dispatch_error`)
        instead of raising for a command that was done. The dispatch runs after a command
        that recorded an event the handlers react to (a stock receipt, a return received,
        a payment applied), after the desk's first command, after every command while the
        last dispatch failed, and after every :data:`DISPATCH_EVERY`-th command; after
        the others it is skipped, so they cost one transaction, not two. A reaction that
        belongs to the command itself (a payment's share recorded on its order) runs
        inline, in the command's unit of work, when ``settings.auto_dispatch`` is on; if it
        fails, the command runs again without it and the dispatch after it handles the
        message.

        A command id sent again returns the stored result of its first run
        (``replayed=True``), also when the two arrive at the same moment in two processes:
        the later one waits for the first to commit, or meets its write and is run again,
        and then finds its result.

        Raises:
            CommandPayloadMismatchError: The command id was used with another payload.
            ConcurrencyError: Every attempt met a concurrent change.
            OrderCycleError: Whatever the domain refuses; nothing is written.
        """
        handler = _HANDLERS.get(type(command))
        if handler is None:
            raise TypeError(f"OrderDesk cannot run {command!r}: expected a desk command.")
        # Only an idempotent command (one with an id) is looked up by its payload's hash.
        digest = "" if command.command_id is None else payload_hash(command_payload(command))
        attempts = self.settings.max_attempts
        reacting = False
        for attempt in range(1, attempts + 1):
            try:
                result, reacting = self._attempt_inline(command, handler, digest)
            except ConcurrencyError:
                if attempt == attempts:
                    raise
                _log.debug(
                    "%s met a concurrent change (attempt %d)", type(command).__name__, attempt
                )
                if attempt > 1:
                    # Back off a little, with jitter, from the second conflict on: processes
                    # contending for one stream (a busy customer's account) would otherwise
                    # collide again in lockstep until their attempts run out. Only the timing
                    # is random; what a command decides never is.
                    time.sleep(random.uniform(0, min(0.05, 0.001 * 2**attempt)))
                continue
            except CommandPayloadMismatchError:
                raise
            except OrderCycleError:
                # Refused, or its id recorded meanwhile: if another process ran the same
                # command id and committed, this one was refused because of that run.
                found = self._recorded(command.command_id, digest)
                if found is None:
                    raise
                result = found
            break
        if self.settings.auto_dispatch and not result.replayed and self._dispatch_now(reacting):
            result = self._dispatch_after(result)
        return result

    def _dispatch_now(self, reacting: bool) -> bool:
        """Whether to dispatch after a committed command (see :meth:`execute`)."""
        with self._dispatch_lock:
            self._quiet_commands += 1
            due = reacting or self._dispatch_due or self._quiet_commands >= DISPATCH_EVERY
            if due:
                self._quiet_commands = 0
                self._dispatch_due = False
            return due

    def _recorded(self, command_id: str | None, digest: str) -> CommandResult | None:
        """The stored result of ``command_id`` as committed now, or ``None``."""
        if command_id is None:
            return None
        storage = self.storage
        opened = storage.reading() if isinstance(storage, Reading) else storage.unit_of_work()
        with opened as uow:
            found = uow.commands.find(command_id, digest)
        return None if found is None else CommandResult.from_data(found.result)

    def _dispatch_after(self, result: CommandResult) -> CommandResult:
        """Dispatch after a committed command; a failure is logged and reported, not raised."""
        try:
            self._dispatch(everything=False)
        except Exception as error:
            with self._dispatch_lock:
                self._dispatch_due = True
            _log.exception(
                "%s %s committed; the outbox handlers failed and will run again at the next"
                " dispatch",
                result.command,
                result.aggregate_id,
            )
            return attrs.evolve(
                result,
                pending=self._pending(),
                dispatch_error=f"{type(error).__name__}: {str(error)[:500]}",
            )
        return result

    def _pending(self) -> int:
        """Outbox messages the desk's handlers have not handled (-1 when it cannot tell)."""
        try:
            storage = self.storage
            opened = storage.reading() if isinstance(storage, Reading) else storage.unit_of_work()
            with opened as uow:
                done = uow.outbox.checkpoint(_reactions.CONSUMER)
                return max(uow.outbox.last_position() - done, 0)
        except Exception:
            _log.exception("cannot count the outbox messages not yet handled")
            return -1

    def _attempt_inline(
        self, command: Command, handler: Handler, digest: str
    ) -> tuple[CommandResult, bool]:
        """:meth:`_attempt` with the inline reactions (when the desk dispatches after
        commands); if one of them fails, the command runs again without them and its
        events go to the outbox dispatch, which retries or quarantines as for any message.
        """
        if self.settings.auto_dispatch:
            try:
                return self._attempt(command, handler, digest, inline=True)
            except _InlineReactionError as failed:
                _log.warning(
                    "%s: an inline reaction failed (%s); it runs at the next dispatch",
                    type(command).__name__,
                    failed.__cause__,
                )
        return self._attempt(command, handler, digest, inline=False)

    def _attempt(
        self, command: Command, handler: Handler, digest: str, *, inline: bool = False
    ) -> tuple[CommandResult, bool]:
        """Run the command once; its result, and whether a handler reacts to its events
        (with ``inline``, reactions that belong to the command ran in its unit of work)."""
        prepared = self._prepare(command)
        with self.storage.unit_of_work() as uow:
            if command.command_id is not None:
                found = uow.commands.find(command.command_id, digest)
                if found is not None:
                    return CommandResult.from_data(found.result), False
            watched = WatchedUnitOfWork(uow, inline=inline)
            session = self._session(watched)
            session.prepared = prepared
            result = handler(session, command)
            if watched.pending:
                _react_inline(session, watched)
            if command.command_id is not None:
                uow.commands.record(command.command_id, digest, result.to_data())
        cache = self._cache
        cache.committed(session.orders(), session.invoices(), session.records())
        cache.committed_stock(session.saved_stock())
        return result, watched.reacting

    def _prepare(self, command: Command) -> object:
        """Run the command's slow, read-only part (packing) before its write transaction.

        See :func:`~ordercycle.service._command_handlers.prepares`. A refusal here is left
        to the handler, which raises it inside the unit of work as before.
        """
        preparer = PREPARERS.get(type(command))
        if preparer is None:
            return None
        try:
            return self._read(lambda s: preparer(s, command))
        except OrderCycleError:
            return None

    def _session(self, uow: UnitOfWork) -> Session:
        """A session over ``uow`` at the desk's current time, sharing the desk's cache."""
        return Session(uow, self.settings, self.ids, self.clock.now(), self._cache, self._packing)

    def execute_json(self, text: str | bytes | Mapping[str, Any]) -> CommandResult:
        """Run a command given as JSON ``{"type": "PlaceOrder", ...}`` (see :func:`parse_command`),
        or answer a query ``{"type": "ListOrders", ...}`` (see :mod:`ordercycle.service.queries`).

        A query writes nothing (no command log entry, no outbox message): the result's
        ``command`` is the query type and its ``details`` the JSON document of the answer.

        Raises:
            SerializationError: Malformed JSON or fields; nothing is written.
            UnknownCommandError: An unknown ``"type"``.
        """
        data = text if isinstance(text, Mapping) else load_json(text, "a command")
        if _queries.is_query(data):
            query = _queries.parse_query(data)
            answer = getattr(self, query.method)(**query.arguments())
            document = _queries.document(query, answer)
            return CommandResult(command=type(query).__name__, aggregate_id="", details=document)
        # Not an object: parse_command raises its usual error on the text as given.
        return self.execute(parse_command(data if isinstance(data, Mapping) else text))

    def dispatch(self) -> int:
        """Run the outbox handlers on every message not handled yet; return how many were read.

        Messages are handled in batches, each batch in one unit of work with the consumer's
        checkpoint, which is claimed first (under the storage's write lock where it has
        one), so two dispatchers never act on the same message. If a batch fails, it is
        handled again one message at a time, and a message that cannot be handled is
        quarantined (see :meth:`quarantined_messages`) in the unit of work that moves the
        checkpoint past it, so later messages flow: a row that cannot be decoded, a
        handler the domain refuses, or a handler that fails with another error
        ``QUARANTINE_AFTER`` (3) times in a row. Storage errors (a lost connection, a
        locked database) are raised here and leave the messages for the next dispatch.
        """
        return self._dispatch(everything=True)

    def _dispatch(self, *, everything: bool) -> int:
        """:meth:`dispatch`; with ``everything`` false it stops after a batch whose
        handlers recorded nothing a handler reacts to (their other messages wait for the
        next dispatch), which spares the command it follows a transaction."""
        read = 0
        while True:
            try:
                count, acted, reacting = self._handle_batch()
                more = (acted if everything else reacting) or count == _BATCH
            except (ConcurrencyError, InvalidCheckpointError):
                continue
            except Exception as error:
                if isinstance(error, StorageError) and not isinstance(
                    error, (UnreadableOutboxMessageError, TamperedStreamError)
                ):
                    raise
                count, more = self._handle_slowly()
            read += count
            if not more:
                return read

    def _handle_batch(self, limit: int = _BATCH) -> tuple[int, bool, bool]:
        """Handle one batch; how many messages, whether a handler acted, and whether
        what the handlers recorded includes an event a handler reacts to."""
        with self.storage.unit_of_work() as uow:
            after = uow.outbox.checkpoint(_reactions.CONSUMER)
            messages, count, last = _read_wanted(uow, after, limit)
            if not count:
                return 0, False, False
            # Something to do: claim the checkpoint (under the write lock where the storage
            # has one) and act on what it says then, not on the read above.
            claimed = _claim(uow)
            if claimed != after:
                messages, count, last = _read_wanted(uow, claimed, limit)
                if not count:
                    return 0, False, False
            watched = WatchedUnitOfWork(uow)
            session = self._session(watched)
            acted = False
            for message in messages:
                for note in _reactions.handle(session, message.event):
                    _log.info("%s", note)
                    acted = True
            session.save_stock()
            uow.outbox.save_checkpoint(_reactions.CONSUMER, last)
        self._cache.committed(session.orders(), session.invoices(), session.records())
        self._cache.committed_stock(session.saved_stock())
        # What the handlers did is in the outbox too: read on until a batch does nothing.
        return count, acted or count == limit, watched.reacting

    def _handle_slowly(self, limit: int = 200) -> tuple[int, bool]:
        """Handle up to ``limit`` messages one at a time, quarantining what cannot be."""
        handled = 0
        while handled < limit:
            unreadable: UnreadableOutboxMessageError | None = None
            with self.storage.unit_of_work() as uow:
                after = uow.outbox.checkpoint(_reactions.CONSUMER)
                try:
                    messages = uow.outbox.read(after=after, limit=1)
                except UnreadableOutboxMessageError as error:
                    unreadable, messages = error, ()
            if unreadable is not None:
                _log.error("outbox message %d quarantined: %s", unreadable.position, unreadable)
                held = QuarantinedMessage(
                    position=unreadable.position,
                    kind=unreadable.kind,
                    aggregate_id=unreadable.aggregate_id,
                    version=unreadable.version,
                    event_type=unreadable.event_type,
                    reason=_quarantine.reason_of(unreadable),
                    attempts=1,
                )
                if not self._quarantine(held):
                    break
            elif not messages or not self._handle_one(messages[0]):
                break
            handled += 1
        return handled, handled > 0

    def _handle_one(self, message: Any) -> bool:
        """Handle one message, or quarantine it; ``False`` if every attempt met a conflict."""
        failures = 0
        for _attempt in range(self.settings.max_attempts + _quarantine.QUARANTINE_AFTER):
            try:
                with self.storage.unit_of_work() as uow:
                    if _claim(uow) >= message.position:
                        return True
                    session = self._session(uow)
                    try:
                        _reactions.handle(session, message.event)
                        session.save_stock()
                    except (ConcurrencyError, InvalidCheckpointError):
                        raise
                    except Exception as error:
                        if isinstance(error, StorageError) and not isinstance(
                            error, TamperedStreamError
                        ):
                            raise
                        uow.rollback()
                        failures += 1
                        if not (
                            isinstance(error, OrderCycleError)
                            or failures >= _quarantine.QUARANTINE_AFTER
                        ):
                            continue
                        _log.warning("outbox message %d quarantined: %s", message.position, error)
                        return self._quarantine(
                            QuarantinedMessage(
                                position=message.position,
                                kind=message.kind,
                                aggregate_id=message.aggregate_id,
                                version=message.version,
                                event_type=message.event_type,
                                reason=_quarantine.reason_of(error),
                                attempts=failures,
                            )
                        )
                    uow.outbox.save_checkpoint(_reactions.CONSUMER, message.position)
                return True
            except (ConcurrencyError, InvalidCheckpointError):
                continue
        return False

    def _quarantine(self, held: QuarantinedMessage) -> bool:
        """Keep ``held`` quarantined and move the checkpoint past it, in one unit of work."""
        for _attempt in range(self.settings.max_attempts):
            try:
                with self.storage.unit_of_work() as uow:
                    if _claim(uow) < held.position:
                        _quarantine.quarantine(self._session(uow), held)
                        uow.outbox.save_checkpoint(_reactions.CONSUMER, held.position)
                return True
            except (ConcurrencyError, InvalidCheckpointError):
                continue
        return False

    # --- commands: one method per command, named after its class -------------------------

    def _run(self, kind: type[Command], arguments: Mapping[str, Any]) -> CommandResult:
        """Build a ``kind`` command from a shortcut's arguments and :meth:`execute` it.

        A shortcut's parameters are its command's fields, same names and defaults (a test
        checks every one), so each passes its ``locals()``.
        """
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(field.name for field in attrs.fields(kind))
        return self.execute(kind(**{name: arguments[name] for name in names}))

    def register_customer(
        self, customer: Customer, *, command_id: str | None = None
    ) -> CommandResult:
        """Register a customer (see :class:`RegisterCustomer`)."""
        return self._run(commands.RegisterCustomer, locals())

    def register_product(
        self,
        product: Product,
        price: Money,
        *,
        tax_code: str = "",
        category: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Add a product to the catalogue at ``price`` (see :class:`RegisterProduct`)."""
        return self._run(commands.RegisterProduct, locals())

    def register_promotion(
        self,
        code: str,
        *,
        percent: Decimal | int | str | None = None,
        amount: Money | str | None = None,
        scope: str = "order",
        target: str = "",
        minimum_order: Money | str | None = None,
        valid_from: date | None = None,
        valid_until: date | None = None,
        limit_per_customer: int | None = None,
        limit_total: int | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Register or change a promotion code (see :class:`RegisterPromotion`)."""
        return self._run(commands.RegisterPromotion, locals())

    def receive_stock(
        self,
        sku: str,
        bin: str,
        quantity: int,
        *,
        lot: str | None = None,
        expires_on: date | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Receive ``quantity`` units of ``sku`` into ``bin``; backorders are then served.

        ``lot`` receives them into a lot: a new one is received today and expires on
        ``expires_on``; a lot received before keeps its dates (see :class:`ReceiveStock`).
        """
        return self._run(commands.ReceiveStock, locals())

    def place_order(
        self,
        customer_id: str,
        items: Mapping[str, int] | Iterable[commands.OrderItem | tuple[str, int]],
        *,
        order_id: str | None = None,
        payment_terms: str = "",
        invoice_policy: InvoicePolicy | str = InvoicePolicy.ORDERED,
        shipping_policy: ShippingPolicy | str = ShippingPolicy.SHIP_AS_AVAILABLE,
        priority: Priority | int = Priority.NORMAL,
        requested_delivery_date: date | None = None,
        channel: str = "",
        currency: str = "",
        shipping_address: Address | None = None,
        shipping_address_index: int | None = None,
        billing_address: Address | None = None,
        shipping_method: str = "",
        price_overrides: Iterable[commands.PriceOverride | Mapping[str, Any]] = (),
        discounts: Iterable[commands.DiscountRequest | Mapping[str, Any]] = (),
        promotion_code: str | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Place an order: ``items`` is ``{sku: units}`` (or pairs), priced from the catalogue.

        ``price_overrides``, ``discounts`` and ``promotion_code`` change the prices of the
        lines (``L1``, ``L2``, ... in the order of ``items``), each with a reason: see
        :class:`PlaceOrder` and the how-to *Discounts, promotions and price overrides*.

        ``priority`` and ``requested_delivery_date`` order the backlog: a receipt serves
        waiting orders by priority, then requested date (none last), then order time.
        ``channel``, ``currency`` and the addresses are the order's entry header: the
        currency defaults to the customer's account currency and every price must be in
        it; ship-to is a new address, one of the customer's by index, or their default;
        ``shipping_method`` names one of the desk's methods, whose rate is billed as
        freight when each shipment ships (see :class:`PlaceOrder`).
        """
        return self._run(commands.PlaceOrder, locals())

    def create_draft_order(
        self,
        customer_id: str,
        items: Mapping[str, int] | Iterable[commands.OrderItem | tuple[str, int]] = (),
        *,
        order_id: str | None = None,
        payment_terms: str = "",
        invoice_policy: InvoicePolicy | str = InvoicePolicy.ORDERED,
        shipping_policy: ShippingPolicy | str = ShippingPolicy.SHIP_AS_AVAILABLE,
        priority: Priority | int = Priority.NORMAL,
        requested_delivery_date: date | None = None,
        channel: str = "",
        currency: str = "",
        shipping_address: Address | None = None,
        shipping_address_index: int | None = None,
        billing_address: Address | None = None,
        shipping_method: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Create a draft order to edit, quote and place later (see :class:`CreateDraftOrder`)."""
        return self._run(commands.CreateDraftOrder, locals())

    def update_draft_order(
        self,
        order_id: str,
        *,
        channel: str = "",
        payment_terms: str = "",
        requested_delivery_date: date | None = None,
        clear_requested_delivery_date: bool = False,
        shipping_address: Address | None = None,
        shipping_address_index: int | None = None,
        billing_address: Address | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Change the header or addresses of a draft or quote (see :class:`UpdateDraftOrder`);
        edit its lines with :meth:`amend_order`."""
        return self._run(commands.UpdateDraftOrder, locals())

    def send_quote(
        self, order_id: str, valid_until: date, *, command_id: str | None = None
    ) -> CommandResult:
        """Send a draft (or revised quote) to the customer, valid until a date
        (see :class:`SendQuote`)."""
        return self._run(commands.SendQuote, locals())

    def expire_order(self, order_id: str, *, command_id: str | None = None) -> CommandResult:
        """Abandon a draft or quote (see :class:`ExpireOrder`)."""
        return self._run(commands.ExpireOrder, locals())

    def change_shipping_method(
        self, order_id: str, shipping_method: str, *, command_id: str | None = None
    ) -> CommandResult:
        """Choose an order's shipping method before packing (``""``: none, no freight;
        see :class:`ChangeShippingMethod`)."""
        return self._run(commands.ChangeShippingMethod, locals())

    def place_draft_order(self, order_id: str, *, command_id: str | None = None) -> CommandResult:
        """Place a draft or a quote still valid (see :class:`PlaceDraftOrder`)."""
        return self._run(commands.PlaceDraftOrder, locals())

    def confirm_order(self, order_id: str, *, command_id: str | None = None) -> CommandResult:
        """Confirm an order (a credit hold is put on it when it is over the limit)."""
        return self._run(commands.ConfirmOrder, locals())

    def hold_order(
        self,
        order_id: str,
        reason: HoldReason | str,
        *,
        by: str = "desk",
        note: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Put a hold on an order (see :class:`HoldOrder`)."""
        return self._run(commands.HoldOrder, locals())

    def release_hold(
        self,
        order_id: str,
        reason: HoldReason | str,
        *,
        by: str = "desk",
        note: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Take a hold off an order (see :class:`ReleaseHold`)."""
        return self._run(commands.ReleaseHold, locals())

    def allocate_order(self, order_id: str, *, command_id: str | None = None) -> CommandResult:
        """Allocate stock to an order's open and backordered units."""
        return self._run(commands.AllocateOrder, locals())

    def release_wave(
        self, warehouse: str, order_ids: Iterable[str], *, command_id: str | None = None
    ) -> CommandResult:
        """Release orders to a warehouse as one routed pick list."""
        return self._run(commands.ReleaseWave, locals())

    def confirm_picks(
        self,
        pick_list_id: str,
        shortages: Mapping[str, int] | Iterable[commands.Shortage] = (),
        *,
        command_id: str | None = None,
    ) -> CommandResult:
        """Confirm a pick list; ``shortages`` maps ``"<order>/<line>"`` to units not found."""
        return self._run(commands.ConfirmPicks, locals())

    def pack_order(
        self, order_id: str, pick_list_id: str, *, command_id: str | None = None
    ) -> CommandResult:
        """Pack an order's picked units from a pick list into cartons (one shipment)."""
        return self._run(commands.PackOrder, locals())

    def ship_shipment(
        self,
        shipment_id: str,
        tracking_number: str,
        *,
        carrier: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Hand a packed shipment to the carrier."""
        return self._run(commands.ShipShipment, locals())

    def deliver_shipment(self, shipment_id: str, *, command_id: str | None = None) -> CommandResult:
        """Record that a shipment was delivered."""
        return self._run(commands.DeliverShipment, locals())

    def invoice_order(self, order_id: str, *, command_id: str | None = None) -> CommandResult:
        """Invoice an order under its invoice policy, on the customer's terms."""
        return self._run(commands.InvoiceOrder, locals())

    def record_payment(
        self,
        customer_id: str,
        amount: Money,
        *,
        paid_on: date | None = None,
        payment_id: str | None = None,
        invoice_ids: Iterable[str] = (),
        command_id: str | None = None,
    ) -> CommandResult:
        """Record a payment, applied to the customer's invoices oldest due first.

        ``invoice_ids`` names the invoices the payment is for (remittance advice); then
        only those receive it, and what they cannot take stays as the customer's credit.
        """
        return self._run(commands.RecordPayment, locals())

    def apply_credit(
        self,
        customer_id: str,
        amount: Money | None = None,
        *,
        invoice_ids: Iterable[str] = (),
        source_ids: Iterable[str] = (),
        applied_on: date | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Apply the customer's credit (cash on account, credit notes) to open invoices.

        ``invoice_ids`` (ids or printed numbers) and ``source_ids`` (payments, credit
        notes) choose; empty, everything, oldest first. Over-applying is refused.
        """
        return self._run(commands.ApplyCredit, locals())

    def refund_credit(
        self,
        customer_id: str,
        amount: Money,
        method: str,
        reference: str,
        *,
        refund_id: str | None = None,
        source_ids: Iterable[str] = (),
        refunded_on: date | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Pay the customer's credit back by ``method`` (with the payment ``reference``)."""
        return self._run(commands.RefundCredit, locals())

    def write_off_balance(
        self,
        customer_id: str,
        document_id: str,
        *,
        reason: str = "",
        write_off_id: str | None = None,
        written_off_on: date | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Write off what is open on an invoice (id or printed number), or the credit left
        on a payment or credit note, within ``settings.write_off_tolerance``."""
        return self._run(commands.WriteOffBalance, locals())

    def reverse_payment(
        self,
        customer_id: str,
        payment_id: str,
        reason: str,
        *,
        reversed_on: date | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Take back a payment recorded by mistake; all of it must still be on account."""
        return self._run(commands.ReversePayment, locals())

    def request_return(
        self,
        order_id: str,
        line_id: str,
        quantity: int,
        reason: str,
        *,
        command_id: str | None = None,
    ) -> CommandResult:
        """Open a return for delivered units (the result's ``return_id`` names it)."""
        return self._run(commands.RequestReturn, locals())

    def authorize_return(
        self,
        order_id: str,
        return_id: str,
        *,
        restocking_fee_rate: Decimal | str = Decimal(0),
        command_id: str | None = None,
    ) -> CommandResult:
        """Authorize a return, with an optional restocking-fee rate."""
        return self._run(commands.AuthorizeReturn, locals())

    def receive_return(
        self,
        order_id: str,
        return_id: str,
        condition: ReturnCondition | str = ReturnCondition.RESELLABLE,
        *,
        command_id: str | None = None,
    ) -> CommandResult:
        """Receive a return; resellable units are restocked by the return handler."""
        return self._run(commands.ReceiveReturn, locals())

    def issue_credit_note(
        self, order_id: str, return_id: str, *, command_id: str | None = None
    ) -> CommandResult:
        """Credit a received return on its invoice."""
        return self._run(commands.IssueCreditNote, locals())

    def cancel_order(
        self, order_id: str, *, reason: str = "", command_id: str | None = None
    ) -> CommandResult:
        """Cancel an order; reserved and picked stock goes back."""
        return self._run(commands.CancelOrder, locals())

    def cancel_order_line(
        self,
        order_id: str,
        line_id: str,
        quantity: int | None = None,
        *,
        reason: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Cancel units of a line not yet picked (``None``: all of them), also after part
        of it shipped; billed units are credited and a finished order closes
        (see :class:`CancelOrderLine`)."""
        return self._run(commands.CancelOrderLine, locals())

    def amend_order(
        self,
        order_id: str,
        changes: Iterable[commands.OrderAmendment | Mapping[str, Any]],
        *,
        note: str = "",
        command_id: str | None = None,
    ) -> CommandResult:
        """Change quantities, add or remove lines or change the ship-to address of an order,
        with the stock and invoice corrections they imply (see :class:`AmendOrder`)."""
        return self._run(commands.AmendOrder, locals())

    def count_stock(
        self,
        sku: str,
        bin: str,
        counted: int,
        *,
        lot: str | None = None,
        reason: str = "cycle count",
        command_id: str | None = None,
    ) -> CommandResult:
        """Record a count of a bin; the difference posts an adjustment and a shortage of
        allocated units sends their order lines back to backorder (see :class:`CountStock`)."""
        return self._run(commands.CountStock, locals())

    def release_stock(
        self,
        sku: str,
        bin: str,
        quantity: int,
        *,
        lot: str | None = None,
        reason: str = "quality_hold",
        command_id: str | None = None,
    ) -> CommandResult:
        """Make units on hold (``reason``) available again (see :class:`ReleaseStock`)."""
        return self._run(commands.ReleaseStock, locals())

    def scrap_stock(
        self,
        sku: str,
        bin: str,
        quantity: int,
        *,
        lot: str | None = None,
        reason: str = "damaged",
        command_id: str | None = None,
    ) -> CommandResult:
        """Write units off, those on hold for ``reason`` first (see :class:`ScrapStock`)."""
        return self._run(commands.ScrapStock, locals())

    def move_stock(
        self,
        sku: str,
        from_bin: str,
        to_bin: str,
        quantity: int,
        *,
        lot: str | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Move free units between two bins of one warehouse (see :class:`MoveStock`)."""
        return self._run(commands.MoveStock, locals())

    def create_purchase_order(
        self,
        purchase_order_id: str,
        supplier: str,
        warehouse: str,
        lines: Iterable[commands.PurchaseItem | Mapping[str, Any]],
        *,
        command_id: str | None = None,
    ) -> CommandResult:
        """Order units from a supplier; each line is incoming stock from its expected date
        (see :class:`CreatePurchaseOrder`)."""
        return self._run(commands.CreatePurchaseOrder, locals())

    def receive_purchase_order(
        self,
        purchase_order_id: str,
        lines: Iterable[commands.ReceivedItem | Mapping[str, Any]],
        *,
        command_id: str | None = None,
    ) -> CommandResult:
        """Receive units of a purchase order into bins, in one or more parts; waiting
        backorders are served (see :class:`ReceivePurchaseOrder`)."""
        return self._run(commands.ReceivePurchaseOrder, locals())

    def cancel_purchase_order(
        self, purchase_order_id: str, reason: str, *, command_id: str | None = None
    ) -> CommandResult:
        """Cancel the units of a purchase order still expected (see
        :class:`CancelPurchaseOrder`)."""
        return self._run(commands.CancelPurchaseOrder, locals())

    def transfer_stock(
        self,
        sku: str,
        from_bin: str,
        to_bin: str,
        quantity: int,
        *,
        lot: str | None = None,
        transfer_id: str | None = None,
        expected_on: date | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Send free units to a bin of another warehouse; they are in transit until
        :meth:`receive_transfer` (see :class:`TransferStock`)."""
        return self._run(commands.TransferStock, locals())

    def receive_transfer(self, transfer_id: str, *, command_id: str | None = None) -> CommandResult:
        """Receive a transfer's units at its target bin (see :class:`ReceiveTransfer`)."""
        return self._run(commands.ReceiveTransfer, locals())

    def retry_quarantined_message(
        self, position: int, *, note: str = "", command_id: str | None = None
    ) -> CommandResult:
        """Handle a quarantined outbox message again (see :class:`RetryQuarantinedMessage`)."""
        return self._run(commands.RetryQuarantinedMessage, locals())

    def release_quarantined_message(
        self, position: int, *, note: str = "", command_id: str | None = None
    ) -> CommandResult:
        """Let a quarantined outbox message go (see :class:`ReleaseQuarantinedMessage`)."""
        return self._run(commands.ReleaseQuarantinedMessage, locals())

    # --- queries ---------------------------------------------------------------------------

    def _read(self, query: Callable[[Session], Any]) -> Any:
        # A query needs no write lock: read-only where the storage offers it.
        storage = self.storage
        # What ``isinstance(storage, Reading)`` asks, without a runtime protocol check per
        # query (it walks the protocol's members each time; a simulation queries constantly).
        reading = getattr(storage, "reading", None)
        opened = reading() if callable(reading) else storage.unit_of_work()
        with opened as uow:
            session = self._session(uow)
            found = query(session)
        # What it read is committed: the records it read are kept for the next sessions.
        self._cache.keep_records(session.records())
        return found

    def order(self, order_id: str) -> Order:
        """The order, rebuilt from its events (``UnknownAggregateError`` if none)."""
        found: Order = self._read(lambda s: s.order(order_id))
        return found

    def order_ids(self) -> tuple[str, ...]:
        """Every order id, sorted."""
        found: tuple[str, ...] = self._read(lambda s: s.order_ids())
        return found

    def customer(self, customer_id: str) -> Customer:
        """A registered customer."""
        found: Customer = self._read(lambda s: _orders.customer(s, customer_id))
        return found

    def product(self, sku: str) -> CatalogueEntry:
        """A catalogue entry."""
        found: CatalogueEntry = self._read(lambda s: _orders.product(s, sku))
        return found

    def promotion(self, code: str) -> Promotion:
        """A registered promotion: its rule and how many orders used it."""
        found: Promotion = self._read(lambda s: _pricing.promotion(s, code))
        return found

    def promotion_use(self, code: str, customer_id: str) -> PromotionUse:
        """The orders of a customer placed with a promotion code."""

        def query(s: Session) -> PromotionUse:
            _pricing.promotion(s, code)
            return _pricing.promotion_use(s, code, customer_id)

        found: PromotionUse = self._read(query)
        return found

    def account(self, customer_id: str) -> Account:
        """A customer's open orders and open invoices."""

        def query(s: Session) -> Account:
            _orders.customer(s, customer_id)
            return _orders.with_open_orders(s, _orders._account(s, customer_id))

        found: Account = self._read(query)
        return found

    def open_invoice_ids(self, customer_id: str) -> tuple[str, ...]:
        """A customer's open invoices (not yet settled), in order of issue: the
        ``open_invoice_ids`` of :meth:`account`, without reading the customer's open orders
        (what a payment run or a remittance advice needs)."""

        def query(s: Session) -> tuple[str, ...]:
            _orders.customer(s, customer_id)
            return _orders._account(s, customer_id).open_invoice_ids

        found: tuple[str, ...] = self._read(query)
        return found

    def pick_list(self, pick_list_id: str) -> WavePickList:
        """A pick list with its routed lines."""
        found: WavePickList = self._read(lambda s: _warehouse.pick_list(s, pick_list_id))
        return found

    def shipment(self, shipment_id: str) -> Shipment:
        """A shipment with its parcels."""
        found: Shipment = self._read(lambda s: _warehouse.shipment(s, shipment_id))
        return found

    def invoice(self, invoice_id: str) -> Invoice:
        """An invoice by id (``INV-1``) or printed number (``INV-000001``);
        ``UnknownInvoiceError`` if neither names one."""
        found: tuple[Invoice, InvoiceMeta] = self._read(
            lambda s: s.invoice(_receivables.resolve_invoice(s, invoice_id))
        )
        return found[0]

    def account_ledger(self, customer_id: str) -> CustomerAccount:
        """The customer's account ledger: balance and its laws, open invoices, credit."""

        def query(s: Session) -> CustomerAccount:
            buyer = _orders.customer(s, customer_id)
            return _receivables.ledger(s, customer_id, buyer.credit_limit.currency)

        found: CustomerAccount = self._read(query)
        return found

    def account_entries(self, customer_id: str) -> tuple[AccountEntry, ...]:
        """Every entry posted to the customer's account, oldest first (a statement's lines)."""

        def query(s: Session) -> tuple[AccountEntry, ...]:
            _orders.customer(s, customer_id)
            events = s.uow.events.load("account", customer_id)
            return tuple(e for event in events for e in getattr(event, "entries", ()))

        found: tuple[AccountEntry, ...] = self._read(query)
        return found

    def invoices(self) -> tuple[Invoice, ...]:
        """Every invoice, by id."""
        found: tuple[Invoice, ...] = self._read(
            lambda s: tuple(s.invoice(i)[0] for i in s.ids_of("invoice"))
        )
        return found

    def payment(self, payment_id: str) -> Payment:
        """A payment and how it was applied.

        The customer's account ledger is the truth: ``unapplied`` is the credit the
        ledger has left on the payment (after ``apply_credit``, refunds, write-offs and a
        reversal) and ``applications`` what it settles on invoices now, whether applied
        when it was received or later.
        """
        found: Payment = self._read(lambda s: _receivables.payment_view(s, payment_id))
        return found

    def available_units(self, sku: str, *, warehouse: str | None = None) -> int:
        """Units of ``sku`` available now (in total or in one warehouse)."""
        found: int = self._read(
            lambda s: s.stock([sku]).available(sku, warehouse=warehouse, at=s.now)
        )
        return found

    def backlog(self, sku: str) -> tuple[str, ...]:
        """The orders waiting with backordered units of ``sku``, in the order they started."""
        found: Backlog | None = self._read(lambda s: s.record("backlog", sku, Backlog))
        return () if found is None else found.order_ids

    def stock_positions(self, sku: str) -> list[StockPosition]:
        """Every bucket of ``sku`` now, sorted by bin."""
        found: list[StockPosition] = self._read(lambda s: s.stock([sku]).positions(sku, at=s.now))
        return found

    def purchase_order(self, purchase_order_id: str) -> PurchaseOrder:
        """A purchase order with what was received and what is still expected."""
        found: PurchaseOrder = self._read(
            lambda s: _purchasing.purchase_order(s, purchase_order_id)
        )
        return found

    def transfer(self, transfer_id: str) -> StockTransfer:
        """A transfer between warehouses (in transit or received)."""
        found: StockTransfer = self._read(lambda s: _purchasing.transfer(s, transfer_id))
        return found

    def available_to_promise(self, sku: str, on: date) -> int:
        """Units of ``sku`` that can still be promised for ``on``: free stock, plus units
        expected by then (purchase orders, transfers in transit), minus the backlog."""
        found: int = self._read(lambda s: _purchasing.atp(s, sku, on))
        return found

    def backorder_promises(self, sku: str) -> tuple[tuple[str, date | None], ...]:
        """``(order id, date)`` for each order waiting for ``sku``, in serving order: when
        free stock or expected receipts cover its backordered units (``None``: nothing
        expected does)."""
        found: tuple[tuple[str, date | None], ...] = self._read(
            lambda s: _purchasing.backorder_promises(s, sku)
        )
        return found

    def quarantined_messages(
        self, *, include_resolved: bool = False
    ) -> tuple[QuarantinedMessage, ...]:
        """The outbox messages the dispatcher set aside, by position, with the reason.

        Only those still quarantined, unless ``include_resolved`` (then also those retried
        or released). See :meth:`dispatch`.
        """
        found: tuple[QuarantinedMessage, ...] = self._read(
            lambda s: _quarantine.quarantined(s, everything=include_resolved)
        )
        return found

    def aging_report(self, as_of: date | None = None, *, basis: str = "due_date") -> AgingReport:
        """The receivables aging of every open invoice at ``as_of`` (today by default).

        Each customer's credit on account (cash on account, unapplied credit notes, from
        the account ledger) is the last column, ``unapplied credit``, netted in the totals.
        """

        def query(s: Session) -> AgingReport:
            credits = {}
            for customer_id in s.ids_of("account"):
                buyer = _orders.customer(s, customer_id)
                found = _receivables.ledger(s, customer_id, buyer.credit_limit.currency)
                if found.balance.unapplied:
                    credits[customer_id] = found.balance.unapplied
            return aging(
                [s.invoice(i)[0] for i in s.ids_of("invoice")],
                as_of or s.today,
                basis=basis,
                currency=self.settings.currency,
                credits=credits,
            )

        found: AgingReport = self._read(query)
        return found

    def dunning_notices(
        self,
        policy: DunningPolicy,
        as_of: date | None = None,
        *,
        customer_id: str | None = None,
        interest: LateInterestPolicy | None = None,
    ) -> tuple[DunningNotice, ...]:
        """The reminders due at ``as_of`` (today by default), for one customer or all.

        Read from each customer's account ledger: its open invoices are dunned under
        ``policy``, most overdue first, and its credit on account (cash on account,
        unapplied credit notes) is counted against the overdue amounts, so an invoice the
        customer's credit covers is not dunned (``DunningNotice.credit`` says what was
        counted; see ``DunningPolicy.notices``).

        Raises:
            UnknownAggregateError: ``customer_id`` names no customer.
        """
        found: tuple[DunningNotice, ...] = self._read(
            lambda s: _receivables.dunning_notices(
                s, policy, as_of or s.today, interest, customer_id
            )
        )
        return found

    def days_sales_outstanding(
        self,
        customer_id: str | None = None,
        *,
        as_of: date | None = None,
        period_days: int = 90,
    ) -> Decimal:
        """Days sales outstanding at ``as_of`` (today by default), read from the ledgers.

        ``receivables ÷ credit sales × period_days``: the receivables are each customer's
        ledger balance (open invoices less its cash on account and unapplied credit, not
        below zero per customer); the credit sales are the invoices posted to the ledgers
        and dated in the ``period_days`` days up to ``as_of``. For one customer, or for
        every customer billed in ``settings.currency``. Rounded to one decimal; 0 without
        sales. (Invoices issued before an account kept its ledger are not counted as
        sales.)

        Raises:
            UnknownAggregateError: ``customer_id`` names no customer.
            ValidationError: ``period_days`` below 1.
        """
        found: Decimal = self._read(
            lambda s: _receivables.days_sales_outstanding(
                s, customer_id, as_of or s.today, period_days
            )
        )
        return found

    # --- listings (read models) ------------------------------------------------------------

    def orders(
        self,
        *,
        state: str | None = None,
        customer_id: str | None = None,
        channel: str | None = None,
        sku: str | None = None,
        placed_from: date | datetime | None = None,
        placed_to: date | datetime | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> ListingPage[OrderListing]:
        """One page of orders, oldest placed first, answered from the ``orders`` read model.

        Every filter given must hold (an order has a ``sku`` when one of its active lines
        is for it). ``placed_from <= placed_at < placed_to``; a date stands for the start
        of that day in UTC. Pass the page's ``next_cursor`` as ``after`` for the next
        page: pages stay stable while orders are placed meanwhile.

        Raises:
            ValidationError: A filter that is not a non-empty string, a naive datetime,
                ``limit`` outside 1 to 500, or an ``after`` that is not a cursor of this
                desk.
            StorageError: The storage keeps no read models.
        """
        query = listing_query(
            ORDERS,
            (
                ("customer", "customer_id", customer_id),
                ("sku", "sku", sku),
                ("channel", "channel", channel),
                ("state", "state", state),
            ),
            (("placed_from", placed_from), ("placed_to", placed_to)),
            limit,
            after,
        )
        rows = self._listing(query)
        items = tuple(OrderListing.from_data(r.loads(), r.version) for r in rows[:limit])
        return ListingPage(items, _next(rows, limit))

    def invoice_listings(
        self,
        *,
        customer_id: str | None = None,
        state: str | None = None,
        order_id: str | None = None,
        due_from: date | None = None,
        due_to: date | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> ListingPage[InvoiceListing]:
        """One page of invoices, earliest due first, answered from the ``invoices`` read model.

        ``due_from <= due date < due_to`` (an invoice not yet issued is placed at its
        invoice date). Paging works as in :meth:`orders`.

        Raises:
            ValidationError: A filter that is not a non-empty string, ``limit`` outside
                1 to 500, or an ``after`` that is not a cursor of this desk.
            StorageError: The storage keeps no read models.
        """
        query = listing_query(
            INVOICES,
            (
                ("order", "order_id", order_id),
                ("customer", "customer_id", customer_id),
                ("state", "state", state),
            ),
            (("due_from", due_from), ("due_to", due_to)),
            limit,
            after,
        )
        rows = self._listing(query)
        items = tuple(InvoiceListing.from_data(r.loads(), r.version) for r in rows[:limit])
        return ListingPage(items, _next(rows, limit))

    def rebuild_views(self) -> tuple[int, int]:
        """Recompute the order and invoice read models from the event log.

        Commands keep them current; this is for a database written before they existed
        (the first listing query runs it by itself) or after a change of what they hold.

        Returns:
            ``(orders, invoices)``: how many rows each read model holds now.
        """
        with self.storage.unit_of_work() as uow:
            counts: tuple[int, int] = _rebuild_views(self._session(uow))
        return counts

    def statement(self, customer_id: str, start: date, end: date) -> Statement:
        """The customer's statement of account from ``start`` to ``end`` (both included).

        Read from the customer's account ledger: the balance brought forward, then every
        entry of the period (invoices, payments, credit notes, discounts taken, write-offs,
        applications of credit, refunds, reversals) with the running balance; the closing
        balance is the ledger's balance. An account stored before the desk kept a ledger
        is read from its documents; see :mod:`ordercycle.service.statements`.

        Raises:
            UnknownAggregateError: No customer has this id.
            ValidationError: ``start`` or ``end`` is not a date, or ``end < start``.
        """
        self._ensure_views()
        found: Statement = self._read(lambda s: _history.statement(s, customer_id, start, end))
        return found

    def order_money(self, order_id: str) -> OrderMoney:
        """The order's money reconciled to the cent: its own net figures (``amount_due``,
        ``amount_paid``) beside its invoices' gross ones (net goods, charges, tax,
        invoiced, credited, paid, discount taken, written off, open, credit); see
        :mod:`ordercycle.service.order_money`.

        Raises:
            UnknownAggregateError: No order has this id.
        """
        found: OrderMoney = self._read(lambda s: _history.order_money(s, order_id))
        return found

    def customer_history(self, customer_id: str, start: date, end: date) -> CustomerHistory:
        """What the customer ordered, received, was billed and paid from ``start`` to ``end``.

        Found through the read models' indexes (the customer's orders, invoices and
        payments; each order's shipments): the cost grows with the customer's documents,
        not with the whole desk.

        Raises:
            UnknownAggregateError: No customer has this id.
            ValidationError: ``start`` or ``end`` is not a date, or ``end < start``.
        """
        self._ensure_views()
        found: CustomerHistory = self._read(
            lambda s: _history.customer_history(s, customer_id, start, end)
        )
        return found

    def order_to_cash_report(
        self,
        start: date,
        end: date,
        *,
        promise_days: int = 4,
        as_of: datetime | None = None,
    ) -> OrderToCashReport:
        """The order-to-cash KPIs of the orders placed from ``start`` to ``end`` (included).

        Overall, per customer and per channel: cycle time (placed to delivered),
        order-to-ship, order-to-cash (placed to paid), fill and backorder rates, on time
        in full (delivered in full within ``promise_days``), perfect orders, DSO and the
        cash conversion of each month, computed by the simulation's own KPI code
        (:mod:`ordercycle.service.cycle_kpis`) from the event log the desk writes of
        those orders. Open receivables count until ``as_of`` (now, on the desk's clock,
        by default). A payment counts at the instant the desk recorded it when that was on
        its paid-on date, else at noon (UTC) of its paid-on date.

        Raises:
            ValidationError: ``start`` or ``end`` is not a date, ``end < start``,
                ``promise_days`` is not an integer >= 0, or ``as_of`` is naive.
        """
        self._ensure_views()
        found: OrderToCashReport = self._read(
            lambda s: _metrics.order_to_cash_report(s, start, end, promise_days, as_of)
        )
        return found

    def _ensure_views(self) -> None:
        # Once this desk saw the views built it does not look again: commands keep them.
        if not self._views_ready:
            self._views_ready = bool(self._read(lambda s: _views_built(s.uow)))
            if not self._views_ready:
                self.rebuild_views()
                self._views_ready = True

    def _listing(self, query: ViewQuery) -> tuple[ViewRow, ...]:
        self._ensure_views()
        found: tuple[ViewRow, ...] = self._read(lambda s: _view_rows(s.uow, query))
        return found


def _next(rows: tuple[ViewRow, ...], limit: int) -> str | None:
    """The cursor after the last row of the page, when one more row was found."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor(last.sort, last.key)


class _InlineReactionError(Exception):
    """An inline reaction failed; its cause is the handler's error (never leaves the desk)."""


#: Rounds of inline reactions to reactions' own events before the rest is left to the
#: outbox dispatch (a bound, not a limit met in practice: payments record no payments).
_INLINE_ROUNDS: Final = 4


def _react_inline(session: Session, watched: WatchedUnitOfWork) -> None:
    """Handle the events ``watched`` collected for inline reactions, in its unit of work.

    Raises:
        _InlineReactionError: A reaction failed (the caller rolls back and runs the command again
            without inline reactions); conflicts and storage failures propagate as they are.
    """
    for _round in range(_INLINE_ROUNDS):
        events, watched.pending = watched.pending, []
        if not events:
            return
        for event in events:
            try:
                notes = _reactions.handle(session, event)
            except ConcurrencyError:
                raise
            except Exception as error:
                if isinstance(error, StorageError) and not isinstance(error, TamperedStreamError):
                    raise
                raise _InlineReactionError() from error
            for note in notes:
                _log.info("%s", note)
        session.save_stock()
    if watched.pending:
        watched.reacting = True  # what is left waits for the outbox dispatch


# command class -> its field names, the arguments of its desk method (see OrderDesk._run).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}

# (outbox class, optional protocol) -> whether the class offers it. A runtime protocol
# check walks the protocol's members on every call (tens of microseconds, once per
# dispatch); an adapter's class does not change what it offers, so it is asked once per
# class (not for a proxy class with ``__getattr__``, whose answer may differ by instance).
_OFFERS: dict[tuple[type, type], bool] = {}


def _offers(outbox: object, protocol: type) -> bool:
    """``isinstance(outbox, protocol)`` for an optional outbox protocol, once per class."""
    cls = type(outbox)
    key = (cls, protocol)
    found = _OFFERS.get(key)
    if found is None:
        found = isinstance(outbox, protocol)
        if not hasattr(cls, "__getattr__"):
            _OFFERS[key] = found
    return found


def _selective(outbox: object) -> TypeGuard[SelectiveOutbox]:
    """Whether ``outbox`` is a :class:`SelectiveOutbox` (see :func:`_offers`)."""
    return _offers(outbox, SelectiveOutbox)


def _claiming(outbox: object) -> TypeGuard[ClaimingOutbox]:
    """Whether ``outbox`` is a :class:`ClaimingOutbox` (see :func:`_offers`)."""
    return _offers(outbox, ClaimingOutbox)


def _read_wanted(uow: UnitOfWork, after: int, limit: int) -> tuple[tuple[Any, ...], int, int]:
    """The next ``limit`` messages after ``after`` that a handler reacts to, how many were
    scanned and the last position scanned; only the wanted ones are decoded where the
    storage can (a corrupt message no handler wants is passed over, one it wants raises)."""
    outbox = uow.outbox
    if _selective(outbox):
        return outbox.read_types(_reactions.trigger_types(), after=after, limit=limit)
    messages = outbox.read(after=after, limit=limit)
    last = messages[-1].position if messages else after
    wanted = tuple(m for m in messages if _reactions.reacts_to(m.event))
    return wanted, len(messages), last


def _claim(uow: UnitOfWork) -> int:
    """The desk consumer's checkpoint, claimed for ``uow`` where the storage can."""
    outbox = uow.outbox
    if _claiming(outbox):
        return outbox.claim(_reactions.CONSUMER)
    return outbox.checkpoint(_reactions.CONSUMER)
