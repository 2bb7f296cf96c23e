"""The stock ledger: every bucket of every sku, changed only through checked commands.

The ledger follows the aggregate contract (:class:`~ordercycle.model.aggregate.Aggregate`):
each command first checks everything (:mod:`~ordercycle.inventory._stock_checks`), then
applies the events it decided on through the same code :meth:`StockLedger.replay` uses
(:meth:`StockState.apply <ordercycle.inventory._stock_state.StockState.apply>`), and
returns an :class:`~ordercycle.model.aggregate.Outcome`; a refused command raises a typed
error and changes nothing. Time comes in as ``at=`` (the ledger reads no clock): a hold
that has expired by ``at`` no longer counts.

Each sku's stock has its own version (its event stream), which
:meth:`StockLedger.apply_plan` compares before it allocates (compare-and-set).
:meth:`StockLedger.fork` copies the live stock of some skus into a new ledger and
``StockLedger.replay(events, base=...)`` applies newer events to such a copy: both behave
exactly like a full replay, at a cost that follows the live stock rather than its history.

>>> from datetime import UTC, datetime, timedelta
>>> from ordercycle.inventory import Network
>>> now = datetime(2026, 1, 5, 9, tzinfo=UTC)
>>> ledger = StockLedger(Network.simple(["WH-A"]))
>>> ledger, events = ledger.receive("MUG", "WH-A/01", 10, at=now)
>>> [(e.event_type, e.aggregate_id, e.version) for e in events]
[('StockReceived', 'MUG', 1)]
>>> until = now + timedelta(minutes=15)
>>> _ = ledger.place_hold("H-1", "MUG", "WH-A/01", 4, expires_at=until, at=now)
>>> ledger.available("MUG", at=now), ledger.available("MUG", at=until)
(6, 10)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeAlias

from ordercycle.errors import DuplicateError, ValidationError
from ordercycle.inventory import _stock_allocations as allocations
from ordercycle.inventory import _stock_holds as holds
from ordercycle.inventory import _stock_movements as movements
from ordercycle.inventory import _stock_reads as reads
from ordercycle.inventory import events as ev
from ordercycle.inventory._stock_checks import Decision, Stock, check_at, find_hold, peek
from ordercycle.inventory._stock_state import Bucket, Receipt, StockState
from ordercycle.inventory.allocation_plan import AllocationPlan
from ordercycle.inventory.errors import UnknownLotError
from ordercycle.inventory.holds import StockHold
from ordercycle.inventory.locations import Network
from ordercycle.inventory.lots import Lot
from ordercycle.inventory.position import StockPosition
from ordercycle.inventory.snapshot import StockSnapshot
from ordercycle.model._trusted import event_maker
from ordercycle.model.aggregate import Outcome
from ordercycle.model.ids import LotId, Sku

__all__ = ["StockLedger", "StockOutcome"]

#: What every stock command returns: the ledger and the events the command recorded.
StockOutcome: TypeAlias = "Outcome[StockLedger, ev.StockEvent]"


class StockLedger:
    """Stock per (sku, bin, lot) with holds, allocations, receipts and events.

    The ledger is the stock of many skus, each its own event stream (an event's
    ``aggregate_id`` is its sku; :meth:`version_of` is that stream's version). As one
    aggregate its :attr:`id` is ``"stock"`` and its :attr:`version` counts every event
    behind its state.

    Unlike orders and invoices, a ledger is **mutable inside**, and a command returns the
    same ledger object (changed) in its outcome. This is deliberate: a ledger holds the
    live counters of every bucket of every sku it touched, and copying them on every
    command would cost that whole state per command, where one command changes one or a
    few buckets. Whoever needs an unchanged ledger takes a cheap copy of just the skus it
    needs with :meth:`fork` (the desk forks the committed stock of a command's skus for
    each command, and keeps or drops the fork with the command). The public contract
    holds all the same: a command checks everything before it applies anything, so a
    refused command changes nothing and records nothing, and replaying
    :attr:`events` (or the newer ones on a ``base``) gives the same :meth:`state`.

    Args:
        network: The warehouses, zones and bins stock may be kept in.
        skus: The catalogue; if given, other skus are refused as unknown.
    """

    def __init__(self, network: Network, *, skus: Iterable[str] | None = None) -> None:
        self._start(network, None if skus is None else frozenset(skus), StockState())

    @classmethod
    def _on(
        cls, network: Network, catalogue: frozenset[str] | None, state: StockState
    ) -> StockLedger:
        """A ledger starting from ``state`` (a copy made for it alone), without first
        building the empty state ``__init__`` would (forks and replays on a base)."""
        ledger = cls.__new__(cls)
        ledger._start(network, catalogue, state)
        return ledger

    def _start(self, network: Network, catalogue: frozenset[str] | None, state: StockState) -> None:
        self.network = network
        self.catalogue: frozenset[str] | None = catalogue
        self._state = state
        # What the decisions read; kept with the state so that a command does not build
        # it again.
        self._stock = Stock(state, network, catalogue)
        self._events: list[ev.StockEvent] = []
        self._order: reads.KeyOrder = {}
        self._warehouses: dict[str, str] = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self._state.buckets)} skus,"
            f" {len(self.network.warehouses)} warehouses, {len(self._events)} events)"
        )

    # --- identity and history -------------------------------------------------------------

    @property
    def id(self) -> str:
        """``"stock"``: the ledger as one aggregate (its skus are the streams)."""
        return "stock"

    @property
    def version(self) -> int:
        """How many events the ledger's state was built from (over all skus)."""
        return self._state.version

    def version_of(self, sku: str) -> int:
        """The version of ``sku``'s stock (0 if it never changed)."""
        return self._state.versions.get(sku, 0)

    @property
    def events(self) -> tuple[ev.StockEvent, ...]:
        """Every event this ledger object replayed or recorded, oldest first.

        A ledger built on a base (:meth:`fork`, ``replay(..., base=...)``) starts from the
        base's state but not from its events: its ``events`` are only the events replayed
        on top of the base and those recorded since.
        """
        return tuple(self._events)

    # --- queries ----------------------------------------------------------------------------

    @property
    def skus(self) -> tuple[Sku, ...]:
        """The skus that have stock records, sorted."""
        return reads.skus(self._state)

    def get_hold(self, hold_id: str) -> StockHold:
        """The hold with this id, in its recorded state (see :meth:`StockHold.status_at`).

        Raises:
            UnknownStockHoldError: No such hold.
        """
        return find_hold(self._state, hold_id)

    def lot(self, sku: str, lot: str) -> Lot:
        """The lot ``lot`` of ``sku``.

        Raises:
            UnknownLotError: No such lot was received.
        """
        found = self._state.lots.get(Sku(sku), {}).get(LotId(lot))
        if found is None:
            raise UnknownLotError(lot, known=self._state.lots.get(Sku(sku), {}))
        return found

    def holds(self) -> tuple[StockHold, ...]:
        """Every hold ever placed, sorted by id."""
        return tuple(h for _, h in sorted(self._state.holds.items()))

    def receipts(self, sku: str | None = None) -> tuple[Receipt, ...]:
        """Scheduled receipts (of one sku), sorted by due date and id."""
        found = [r for r in self._state.receipts.values() if sku is None or r.sku == sku]
        return tuple(sorted(found, key=lambda r: (r.due_on, r.id)))

    def positions(self, sku: str | None = None, *, at: datetime) -> list[StockPosition]:
        """Every bucket (of one sku) at ``at``, sorted by sku, bin, lot."""
        wanted = [Sku(sku)] if sku is not None else self.skus
        return reads.positions(self._state, self.network, self._order, wanted, check_at(at))

    def position(
        self, sku: str, bin: str, lot: str | None = None, *, at: datetime
    ) -> StockPosition:
        """The bucket of (sku, bin, lot) at ``at`` (all zeros if it never held stock).

        Raises:
            UnknownLocationError: ``bin`` is not a bin of the network.
        """
        self.network.bin(bin)
        bucket = peek(self._state, sku, bin, lot) or Bucket()
        return reads.position(self.network, Sku(sku), bin, lot, bucket, check_at(at))

    def available(self, sku: str, *, warehouse: str | None = None, at: datetime) -> int:
        """Units of ``sku`` available at ``at``, in total or in one warehouse."""
        return reads.available(self._state, self.network, sku, warehouse, check_at(at))

    def snapshot(self, skus: Iterable[str] | None = None, *, at: datetime) -> StockSnapshot:
        """Available stock of ``skus`` (default: all) at ``at``, with their versions."""
        return reads.snapshot(
            self._state, self.network, self._order, self._warehouses, skus, check_at(at)
        )

    def state(self) -> dict[str, Any]:
        """Every counter, hold, lot and receipt as plain sorted data (replay checks this)."""
        return reads.plain_state(self._state, self._order)

    # --- recording ----------------------------------------------------------------------------

    def _emit(
        self, event_type: type[ev.StockEvent], sku: Sku, now: datetime, fields: dict[str, Any]
    ) -> ev.StockEvent:
        """Apply and record one event of ``sku``'s stream: the next version, at ``now``.

        The event skips its class's checks of the common fields (``event_maker``) when
        they hold already: the version is the stream's plus one, ``now`` came through
        ``check_at`` in every command, and the sku is a non-empty text (``check_sku``, or
        a hold's or receipt's sku). Only "no surrounding spaces" is not checked before
        here, so it is tested here and a sku that fails it goes through the class, which
        refuses it with its usual error.
        """
        make = event_maker(event_type) if sku == sku.strip() else event_type
        event = make(
            aggregate_id=sku,
            version=self._state.versions.get(sku, 0) + 1,
            occurred_at=now,
            sku=sku,
            **fields,
        )
        self._state.apply(event)
        self._events.append(event)
        return event

    def _record(self, now: datetime, decision: Decision) -> StockOutcome:
        """Apply the event a command decided on (after every check passed)."""
        return Outcome(self, (self._emit(decision[0], decision[1], now, decision[2]),))

    def _record_all(self, now: datetime, decisions: list[Decision]) -> StockOutcome:
        """Apply the events a command decided on, in order (after every check passed)."""
        emit = self._emit
        return Outcome(
            self, tuple([emit(kind, sku, now, fields) for kind, sku, fields in decisions])
        )

    # --- receipts, counts and moves ----------------------------------------------------------

    def schedule_receipt(
        self, receipt: str, sku: str, quantity: Any, due_on: date, *, at: datetime
    ) -> StockOutcome:
        """Announce ``quantity`` of ``sku`` due on ``due_on`` (counted as incoming)."""
        now = check_at(at)
        return self._record(
            now, movements.schedule_receipt(self._stock, receipt, sku, quantity, due_on)
        )

    def cancel_receipt(self, receipt: str, *, at: datetime) -> StockOutcome:
        """Drop the open quantity of a scheduled receipt.

        Raises:
            NotFoundError: The receipt is unknown.
            ValidationError: Nothing of it is still open (received or cancelled already).
        """
        now = check_at(at)
        return self._record(now, movements.cancel_receipt(self._stock, receipt))

    def receive(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: Lot | str | None = None,
        receipt: str = "",
        at: datetime,
    ) -> StockOutcome:
        """Put ``quantity`` units of ``sku`` (optionally of a lot) into ``bin``.

        Args:
            sku: The sku.
            bin: The bin id.
            quantity: Units received (positive).
            lot: A new :class:`Lot`, the id of a lot received before, or ``None``.
            receipt: The scheduled receipt this fulfils, if any (reduces incoming).
            at: When.

        Raises:
            UnknownSkuError: The sku is not in the catalogue.
            UnknownLocationError: ``bin`` is not a bin.
            UnknownLotError: A lot id that was never received.
            ExpiredLotError: The lot is expired on the receiving date.
            InvalidQuantityError, DimensionalityError: A bad quantity.
        """
        now = check_at(at)
        return self._record(
            now, movements.receive(self._stock, sku, bin, quantity, lot, receipt, now)
        )

    def adjust(
        self,
        sku: str,
        bin: str,
        counted: Any,
        *,
        reason: str,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Set the on-hand quantity to a cycle count.

        Raises:
            ValidationError: No reason given.
            InsufficientStockError: The count is below what is allocated, held or
                unavailable there (deallocate or release first).
        """
        now = check_at(at)
        return self._record(now, movements.adjust(self._stock, sku, bin, counted, reason, lot, now))

    def move(
        self,
        sku: str,
        from_bin: str,
        to_bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Move free units between bins (allocated, held and unavailable units stay).

        Raises:
            ValidationError: The same bin twice.
            InsufficientStockError: Fewer free units in ``from_bin``.
        """
        now = check_at(at)
        return self._record(
            now, movements.move(self._stock, sku, from_bin, to_bin, quantity, lot, now)
        )

    # --- allocations ----------------------------------------------------------------------

    def allocate(
        self,
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Allocate free units (hard) to ``reference``.

        Raises:
            InsufficientStockError: Fewer free units than asked.
        """
        now = check_at(at)
        return self._record(
            now, allocations.allocate(self._stock, reference, sku, bin, quantity, lot, now)
        )

    def deallocate(
        self,
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Give allocated units of ``reference`` back to free stock.

        Raises:
            OverReleaseError: More than is allocated to ``reference`` there.
        """
        now = check_at(at)
        decision = allocations.take_allocated(
            self._stock,
            ev.StockDeallocated,
            reference,
            sku,
            bin,
            quantity,
            lot,
            "deallocation",
            "deallocate",
        )
        return self._record(now, decision)

    def consume(
        self,
        reference: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Ship allocated units: they leave the allocation and the on-hand stock.

        Raises:
            OverReleaseError: More than is allocated to ``reference`` there.
        """
        now = check_at(at)
        decision = allocations.take_allocated(
            self._stock, ev.StockConsumed, reference, sku, bin, quantity, lot, "shipment", "ship"
        )
        return self._record(now, decision)

    def apply_plan(
        self, plan: AllocationPlan, *, hold_until: datetime | None = None, at: datetime
    ) -> StockOutcome:
        """Allocate (or, with ``hold_until``, hold) every pick of ``plan``, all or nothing.

        Allocations are made to ``"<order>/<line>"``; holds get ids
        ``"<order>/<line>/<n>"``.

        Raises:
            ConcurrencyError: A sku's stock changed since the plan's snapshot.
            InsufficientStockError: A pick no longer fits (checked before anything changes).
        """
        now = check_at(at)
        return self._record_all(now, allocations.apply_plan(self._stock, plan, hold_until, now))

    # --- returns and unavailable stock --------------------------------------------------------

    def restock(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        lot: str | None = None,
        reference: str = "",
        damaged: bool = False,
        at: datetime,
    ) -> StockOutcome:
        """Put returned units back; ``damaged=True`` keeps them unavailable."""
        now = check_at(at)
        return self._record(
            now, movements.restock(self._stock, sku, bin, quantity, lot, reference, damaged)
        )

    def mark_unavailable(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        reason: str,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Take free units out of availability (damaged, quality hold, safety stock).

        Raises:
            ValidationError: An unknown reason.
            InsufficientStockError: Fewer free units.
        """
        now = check_at(at)
        return self._record(
            now, movements.mark_unavailable(self._stock, sku, bin, quantity, reason, lot, now)
        )

    def mark_damaged(
        self, sku: str, bin: str, quantity: Any, *, lot: str | None = None, at: datetime
    ) -> StockOutcome:
        """Shortcut for :meth:`mark_unavailable` with ``reason="damaged"``."""
        return self.mark_unavailable(sku, bin, quantity, reason="damaged", lot=lot, at=at)

    def make_available(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        reason: str,
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Release unavailable units (a quality hold passed, safety stock lowered).

        Raises:
            OverReleaseError: More than is unavailable for that reason.
        """
        now = check_at(at)
        decision = movements.take_unavailable(
            self._stock,
            ev.StockMadeAvailable,
            sku,
            bin,
            quantity,
            reason,
            lot,
            "release",
            "make available",
        )
        return self._record(now, decision)

    def write_off(
        self,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        reason: str = "damaged",
        lot: str | None = None,
        at: datetime,
    ) -> StockOutcome:
        """Remove unavailable units from stock for good (scrap damaged goods).

        Raises:
            OverReleaseError: More than is unavailable for that reason.
        """
        now = check_at(at)
        decision = movements.take_unavailable(
            self._stock,
            ev.StockWrittenOff,
            sku,
            bin,
            quantity,
            reason,
            lot,
            "write-off",
            "write off",
        )
        return self._record(now, decision)

    # --- cart holds -----------------------------------------------------------------------------

    def place_hold(
        self,
        hold_id: str,
        sku: str,
        bin: str,
        quantity: Any,
        *,
        expires_at: datetime,
        lot: str | None = None,
        owner: str = "",
        at: datetime,
    ) -> StockOutcome:
        """Hold free units for a cart until ``expires_at`` (they stop counting then).

        Raises:
            DuplicateError: The hold id is taken.
            ValidationError: ``expires_at`` is not after ``at``.
            InsufficientStockError: Fewer free units.
        """
        now = check_at(at)
        decision = holds.place_hold(
            self._stock, hold_id, sku, bin, quantity, expires_at, lot, owner, now
        )
        return self._record(now, decision)

    def release_hold(self, hold_id: str, *, at: datetime) -> StockOutcome:
        """Give a hold back before it expires.

        Raises:
            UnknownStockHoldError: No such hold.
            TransitionNotAllowedError: It is committed, released or expired.
        """
        now = check_at(at)
        return self._record(now, holds.release_hold(self._stock, hold_id, now))

    def commit_hold(self, hold_id: str, reference: str, *, at: datetime) -> StockOutcome:
        """Turn an active hold into a hard allocation for ``reference``.

        Raises:
            UnknownStockHoldError: No such hold.
            TransitionNotAllowedError: It is committed, released or expired.
        """
        now = check_at(at)
        return self._record(now, holds.commit_hold(self._stock, hold_id, reference, now))

    def sweep(self, *, at: datetime) -> StockOutcome:
        """Record an expiry event for every placed hold whose time has passed by ``at``.

        Availability does not change: those holds stopped counting when they expired.
        A second sweep finds nothing new (and returns no events).
        """
        now = check_at(at)
        return self._record_all(now, holds.sweep(self._stock, now))

    # --- copies and replay ----------------------------------------------------------------------

    def fork(self, skus: Iterable[str] | None = None) -> StockLedger:
        """A new ledger with its own copy of the stock of ``skus`` (default: every sku).

        The fork behaves exactly like a ledger replayed from the events of those skus:
        the same :meth:`state`, :attr:`version`, :meth:`version_of` (so ``apply_plan``
        compares the same versions), holds, receipts and lots. Commands on either ledger
        never change the other. Its :attr:`events` start empty: they are only the events
        recorded after the fork. Copying costs the lots, holds and receipts of those
        skus, not the length of their history; their buckets are shared until either
        ledger changes them, which copies them first.

        Args:
            skus: The skus to copy; skus without stock records are ignored.

        Example:
            >>> from datetime import UTC, datetime
            >>> from ordercycle.inventory import Network, StockLedger
            >>> now = datetime(2026, 1, 5, tzinfo=UTC)
            >>> ledger = StockLedger(Network.simple(["WH-A"]))
            >>> _ = ledger.receive("MUG", "WH-A/01", 10, at=now)
            >>> _ = ledger.receive("TEA", "WH-A/01", 4, at=now)
            >>> mugs = ledger.fork(["MUG"])
            >>> _ = mugs.allocate("O-1/1", "MUG", "WH-A/01", 3, at=now)
            >>> mugs.skus, mugs.available("MUG", at=now), ledger.available("MUG", at=now)
            (('MUG',), 7, 10)
            >>> mugs.version_of("MUG"), mugs.version, len(mugs.events)
            (2, 2, 1)
        """
        wanted = None if skus is None else {str(s) for s in skus}
        ledger = StockLedger._on(self.network, self.catalogue, self._state.part(wanted))
        ledger._order = {s: k for s, k in self._order.items() if s in ledger._state.buckets}
        return ledger

    @classmethod
    def replay(
        cls,
        events: Iterable[ev.StockEvent],
        *,
        base: StockLedger | Iterable[StockLedger] | None = None,
        network: Network | None = None,
        skus: Iterable[str] | None = None,
    ) -> StockLedger:
        """Rebuild a ledger from its events (no checks: the events already happened).

        Args:
            events: The events to apply, oldest first.
            base: A ledger (or ledgers of distinct skus) to start from instead of an empty
                ledger: their stock is copied (as by :meth:`fork`) and ``events`` are
                applied on top, so ``events`` need only be the events of those skus that
                came after them. The result equals a replay of all the events, but its
                :attr:`events` are only ``events`` (and what is recorded later). The bases
                are not changed.
            network: The warehouses, zones and bins (default: the first base's); not an
                event, so it is passed in.
            skus: The catalogue (default: the first base's); if given, other skus are
                refused as unknown.

        Raises:
            ValidationError: Neither a network nor a base.
            DuplicateError: Two bases hold stock of the same sku.

        Example:
            >>> from datetime import UTC, datetime
            >>> from ordercycle.inventory import Network, StockLedger
            >>> now = datetime(2026, 1, 5, tzinfo=UTC)
            >>> network = Network.simple(["WH-A"])
            >>> mugs, first = StockLedger(network).receive("MUG", "WH-A/01", 10, at=now)
            >>> later = StockLedger.replay(first, network=network).fork()
            >>> _, newer = later.allocate("O-1/1", "MUG", "WH-A/01", 3, at=now)
            >>> caught_up = StockLedger.replay(newer, base=mugs)
            >>> caught_up.available("MUG", at=now), caught_up.version, len(caught_up.events)
            (7, 2, 1)
            >>> whole = StockLedger.replay(first + newer, network=network)
            >>> caught_up.state() == whole.state()
            True
        """
        if base is None:
            bases: tuple[StockLedger, ...] = ()
        elif isinstance(base, StockLedger):
            bases = (base,)
        else:
            bases = tuple(base)
        if network is None:
            if not bases:
                raise ValidationError.invalid(
                    "StockLedger.replay", "network", None, "a Network (or a base ledger)"
                )
            network = bases[0].network
        if skus is not None or not bases:
            catalogue = None if skus is None else frozenset(skus)
        else:
            catalogue = bases[0].catalogue
        if len(bases) == 1:
            state = bases[0]._state.part()
        else:
            state = StockState()
            for found in bases:
                part = found._state.part()
                shared = state.shared_skus(part)
                if shared:
                    raise DuplicateError(
                        "sku",
                        shared[0],
                        f"Two base ledgers both hold stock of sku {shared[0]!r}; each sku"
                        " must come from one base ledger.",
                    )
                state.absorb(part)
        ledger = cls._on(network, catalogue, state)
        apply = ledger._state.apply
        recorded = ledger._events
        for event in events:
            apply(event)
            recorded.append(event)
        return ledger
