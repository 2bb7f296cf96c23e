"""Reading a stock ledger: positions, availability, snapshots, plain state, replay."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self, cast

from ordercycle.errors import DuplicateError
from ordercycle.inventory import events as ev
from ordercycle.inventory._ledger_core import LedgerCore
from ordercycle.inventory._state import Bucket, Receipt, StockState
from ordercycle.inventory.errors import (
    UnknownLotError,
)
from ordercycle.inventory.holds import StockHold
from ordercycle.inventory.locations import Network
from ordercycle.inventory.lots import Lot
from ordercycle.inventory.position import StockPosition
from ordercycle.inventory.snapshot import StockSlot, StockSnapshot
from ordercycle.model.clock import Clock
from ordercycle.model.ids import LotId, Sku

__all__ = ["LedgerQueries"]


class LedgerQueries(LedgerCore):
    """The read side of :class:`~ordercycle.inventory.StockLedger`."""

    @property
    def version(self) -> int:
        """How many events the ledger has recorded."""
        return self._state.version

    @property
    def events(self) -> tuple[ev.StockEvent, ...]:
        """Every event this ledger object replayed or recorded, oldest first.

        A ledger built on a base (:meth:`fork`, ``replay(..., base=...)``) starts from the
        base's state but not from its events: its ``events`` are only the events replayed
        on top of the base and those recorded since.
        """
        return tuple(self._events)

    @property
    def skus(self) -> tuple[Sku, ...]:
        """The skus that have stock records, sorted."""
        return tuple(Sku(s) for s in sorted(self._state.buckets))

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

    def positions(
        self, sku: str | None = None, *, at: datetime | None = None
    ) -> list[StockPosition]:
        """Every bucket (of one sku) at ``at`` (default: now), sorted by sku, bin, lot."""
        now = self._now(at)
        skus = [Sku(sku)] if sku is not None else self.skus
        out = []
        for s in skus:
            buckets = self._state.buckets.get(s, {})
            for key in self._keys(s):
                out.append(self._position(s, key[0], key[1], buckets[key], now))
        return out

    def position(
        self, sku: str, bin: str, lot: str | None = None, *, at: datetime | None = None
    ) -> StockPosition:
        """The bucket of (sku, bin, lot) at ``at`` (all zeros if it never held stock).

        Raises:
            UnknownLocationError: ``bin`` is not a bin of the network.
        """
        self.network.bin(bin)
        bucket = self._peek(sku, bin, lot) or Bucket()
        return self._position(Sku(sku), bin, lot, bucket, self._now(at))

    def _position(
        self, sku: Sku, bin: str, lot: str | None, bucket: Bucket, now: datetime
    ) -> StockPosition:
        return StockPosition(
            sku,
            bin,
            self.network.warehouse_of(bin),
            LotId(lot) if lot is not None else None,
            bucket.on_hand,
            bucket.allocated,
            bucket.held(now),
            bucket.unavailable_total,
            tuple(sorted(bucket.unavailable.items())),
        )

    def available(
        self, sku: str, *, warehouse: str | None = None, at: datetime | None = None
    ) -> int:
        """Units of ``sku`` available at ``at`` (default now), in total or in one warehouse."""
        now = self._now(at)
        total = 0
        for (bin_id, _), bucket in self._state.buckets.get(Sku(sku), {}).items():
            if warehouse is None or self.network.warehouse_of(bin_id) == warehouse:
                total += bucket.available(now)
        return total

    def snapshot(
        self, skus: Iterable[str] | None = None, *, at: datetime | None = None
    ) -> StockSnapshot:
        """Available stock of ``skus`` (default: all) at ``at``, with their versions."""
        now = self._now(at)
        if skus is None:
            wanted: list[str] = list(self.skus)
        else:
            wanted = list(skus)
            if len(wanted) > 1:
                wanted = sorted(set(wanted))
        state = self._state
        lots = state.lots
        all_buckets = state.buckets
        known_versions = state.versions
        slots: dict[str, tuple[StockSlot, ...]] = {}
        versions: dict[str, int] = {}
        warehouse_of = self._warehouse_of
        for raw in wanted:
            sku = Sku(raw)
            versions[sku] = known_versions.get(sku, 0)
            buckets = all_buckets.get(sku)
            if not buckets:
                continue
            sku_lots = lots.get(sku)
            row = []
            for key in self._keys(sku):
                bin_id, lot_id = key
                info = sku_lots.get(lot_id) if sku_lots and lot_id is not None else None
                b = buckets[key]
                free = b.on_hand - b.allocated - b.unavailable_total
                if b.holds:
                    free -= b.held(now)
                row.append(
                    StockSlot(
                        sku,
                        bin_id,
                        warehouse_of(bin_id),
                        cast("LotId | None", lot_id),
                        info.received_on if info else None,
                        info.expires_on if info else None,
                        free,
                    )
                )
            slots[sku] = tuple(row)
        return StockSnapshot(self.network, slots, versions, now)

    def state(self) -> dict[str, Any]:
        """Every counter, hold, lot and receipt as plain sorted data (replay checks this)."""
        buckets = []
        for sku in self.skus:
            for key in self._keys(sku):
                b = self._state.buckets[sku][key]
                buckets.append(
                    (
                        sku,
                        key[0],
                        key[1],
                        b.on_hand,
                        tuple(sorted(b.allocations.items())),
                        tuple(sorted(b.unavailable.items())),
                        tuple(sorted(b.holds)),
                    )
                )
        return {
            "buckets": buckets,
            "holds": self.holds(),
            "lots": sorted(
                (
                    (lot.sku, lot.id, lot)
                    for per in self._state.lots.values()
                    for lot in per.values()
                ),
                key=lambda row: (row[0], row[1]),
            ),
            "receipts": self.receipts(),
            "versions": sorted(self._state.versions.items()),
            "version": self.version,
        }

    def fork(self, skus: Iterable[str] | None = None, *, clock: Clock | None = None) -> Self:
        """A new ledger with its own copy of the stock of ``skus`` (default: every sku).

        The fork behaves exactly like a ledger replayed from the events of those skus:
        the same :meth:`state`, :attr:`version`, :meth:`version_of` (so ``apply_plan``
        compares the same versions), holds, receipts and lots. Commands on either ledger
        never change the other. Its :attr:`events` start empty: they are only the events
        recorded after the fork. Copying costs the live state of those skus (buckets,
        lots, holds, receipts), not the length of their history.

        Args:
            skus: The skus to copy; skus without stock records are ignored.
            clock: The fork's clock (default: this ledger's clock).

        Example:
            >>> from datetime import UTC, datetime
            >>> from ordercycle.inventory import Network, StockLedger
            >>> from ordercycle.model.clock import FixedClock
            >>> ledger = StockLedger(
            ...     Network.simple(["WH-A"]), FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
            ... )
            >>> _ = ledger.receive("MUG", "WH-A/01", 10)
            >>> _ = ledger.receive("TEA", "WH-A/01", 4)
            >>> mugs = ledger.fork(["MUG"])
            >>> _ = mugs.allocate("O-1/1", "MUG", "WH-A/01", 3)
            >>> mugs.skus, mugs.available("MUG"), ledger.available("MUG")
            (('MUG',), 7, 10)
            >>> mugs.version_of("MUG"), mugs.version, len(mugs.events)
            (2, 2, 1)
        """
        wanted = None if skus is None else {str(s) for s in skus}
        ledger = type(self)(
            self.network, self.clock if clock is None else clock, skus=self.catalogue
        )
        ledger._state = self._state.part(wanted)
        ledger._order = {s: k for s, k in self._order.items() if s in ledger._state.buckets}
        return ledger

    @classmethod
    def replay(
        cls,
        network: Network,
        clock: Clock,
        events: Iterable[ev.StockEvent],
        *,
        skus: Iterable[str] | None = None,
        base: LedgerQueries | Iterable[LedgerQueries] = (),
    ) -> Self:
        """Rebuild a ledger from its events (no checks: the events already happened).

        Args:
            network: The warehouses, zones and bins.
            clock: Where "now" comes from when a command gets no ``at``.
            events: The events to apply, oldest first.
            skus: The catalogue; if given, other skus are refused as unknown.
            base: Ledgers (or one ledger) to start from instead of an empty ledger: their
                stock is copied (as by :meth:`fork`) and ``events`` are applied on top, so
                ``events`` need only be the events of those skus that came after them.
                The result equals a replay of all the events, but its :attr:`events` are
                only ``events`` (and what is recorded later). The bases are not changed.

        Raises:
            DuplicateError: Two bases hold stock of the same sku.

        Example:
            >>> from datetime import UTC, datetime
            >>> from ordercycle.inventory import Network, StockLedger
            >>> from ordercycle.model.clock import FixedClock
            >>> network = Network.simple(["WH-A"])
            >>> clock = FixedClock(datetime(2026, 1, 5, tzinfo=UTC))
            >>> mugs = StockLedger(network, clock)
            >>> first = mugs.receive("MUG", "WH-A/01", 10)
            >>> later = StockLedger.replay(network, clock, [first]).fork()
            >>> newer = later.allocate("O-1/1", "MUG", "WH-A/01", 3)
            >>> caught_up = StockLedger.replay(network, clock, [newer], base=mugs)
            >>> caught_up.available("MUG"), caught_up.version, len(caught_up.events)
            (7, 2, 1)
            >>> caught_up.state() == StockLedger.replay(network, clock, [first, newer]).state()
            True
        """
        ledger = cls(network, clock, skus=skus)
        bases = (base,) if isinstance(base, LedgerQueries) else tuple(base)
        if len(bases) == 1:
            ledger._state = bases[0]._state.part()
        elif bases:
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
            ledger._state = state
        apply = ledger._state.apply
        for event in events:
            apply(event)
            ledger._events.append(event)
        return ledger
