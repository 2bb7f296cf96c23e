"""The ledger's state, its checks and the way it records events (shared by its parts)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ordercycle.errors import (
    InsufficientStockError,
    NotFoundError,
    ValidationError,
)
from ordercycle.inventory import events as ev
from ordercycle.inventory._quantity import as_count
from ordercycle.inventory._state import Bucket, Receipt, StockState
from ordercycle.inventory.errors import (
    OverReleaseError,
    UnknownLotError,
    UnknownSkuError,
    UnknownStockHoldError,
)
from ordercycle.inventory.holds import StockHold
from ordercycle.inventory.locations import Network
from ordercycle.inventory.position import UNAVAILABLE_REASONS
from ordercycle.model.clock import Clock, ensure_aware
from ordercycle.model.ids import Sku

__all__ = ["LedgerCore"]


class LedgerCore:
    """State, clock, network and the checks every ledger command uses.

    Args:
        network: The warehouses, zones and bins stock may be kept in.
        clock: Where "now" comes from when a command gets no ``at``.
        skus: The catalogue; if given, other skus are refused as unknown.
    """

    def __init__(self, network: Network, clock: Clock, *, skus: Iterable[str] | None = None):
        self.network = network
        self.clock = clock
        self.catalogue: frozenset[str] | None = None if skus is None else frozenset(skus)
        self._state = StockState()
        self._events: list[ev.StockEvent] = []
        self._order: dict[str, tuple[int, list[tuple[str, str | None]]]] = {}
        self._bin_warehouse: dict[str, str] = {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self._state.buckets)} skus,"
            f" {len(self.network.warehouses)} warehouses, {len(self._events)} events)"
        )

    def version_of(self, sku: str) -> int:
        """The version of ``sku``'s stock (0 if it never changed)."""
        return self._state.versions.get(sku, 0)

    def get_hold(self, hold_id: str) -> StockHold:
        """The hold with this id, in its recorded state (see :meth:`StockHold.status_at`).

        Raises:
            UnknownStockHoldError: No such hold.
        """
        try:
            return self._state.holds[hold_id]
        except KeyError:
            raise UnknownStockHoldError(hold_id, known=self._state.holds) from None

    def _keys(self, sku: str) -> list[tuple[str, str | None]]:
        buckets = self._state.buckets.get(sku, {})
        cached = self._order.get(sku)
        if cached is None or cached[0] != len(buckets):
            cached = (len(buckets), sorted(buckets, key=lambda k: (k[0], k[1] or "")))
            self._order[sku] = cached
        return cached[1]

    def _warehouse_of(self, bin_id: str) -> str:
        found = self._bin_warehouse.get(bin_id)
        if found is None:
            found = self._bin_warehouse[bin_id] = self.network.warehouse_of(bin_id)
        return found

    def _now(self, at: datetime | None) -> datetime:
        if at is None:
            return self.clock.now()
        if isinstance(at, datetime) and at.tzinfo is UTC:
            return at
        return ensure_aware(at, subject="StockLedger", field="at")

    def _next(self, sku: str) -> int:
        return self._state.versions.get(sku, 0) + 1

    def _record(self, event: ev.StockEvent) -> ev.StockEvent:
        self._state.apply(event)
        self._events.append(event)
        return event

    def _emit(
        self, event_type: type[ev.StockEvent], sku: Sku, now: datetime, **fields: Any
    ) -> ev.StockEvent:
        """Record one event of ``sku``'s stream: the next version, at ``now``."""
        return self._record(
            event_type(
                aggregate_id=sku, version=self._next(sku), occurred_at=now, sku=sku, **fields
            )
        )

    def _check_sku(self, sku: object, *, new: bool = False) -> Sku:
        if not isinstance(sku, str) or not sku:
            raise ValidationError.invalid("StockLedger", "sku", sku, "a non-empty sku string")
        if self.catalogue is not None and sku not in self.catalogue:
            raise UnknownSkuError(sku, known=self.catalogue)
        if not new and sku not in self._state.buckets:
            raise UnknownSkuError(sku, known=self._state.buckets)
        return Sku(sku)

    def _check_lot(self, sku: Sku, lot: str | None) -> None:
        if lot is not None and lot not in self._state.lots.get(sku, {}):
            raise UnknownLotError(lot, known=self._state.lots.get(sku, {}))

    def _peek(self, sku: str, bin: str, lot: str | None) -> Bucket | None:
        per = self._state.buckets.get(sku)
        return per.get((bin, lot)) if per else None

    def _free(self, sku: Sku, bin: str, lot: str | None, quantity: int, now: datetime) -> None:
        bucket = self._peek(sku, bin, lot)
        available = bucket.available(now) if bucket else 0
        if quantity > available:
            where = bin if lot is None else f"{bin} lot {lot}"
            raise InsufficientStockError(sku, quantity, available, location=where)

    def _target(
        self, sku: str, bin: str, lot: str | None, quantity: Any, what: str, *, new: bool = False
    ) -> tuple[Sku, int]:
        checked = self._check_sku(sku, new=new)
        self.network.bin(bin)
        self._check_lot(checked, lot)
        count = as_count(quantity, subject=f"{what} of {sku} at {bin}")
        return checked, count

    def _allocation(self, sku: Sku, bin: str, lot: str | None, reference: str) -> int:
        bucket = self._peek(sku, bin, lot)
        return bucket.allocations.get(reference, 0) if bucket else 0

    def _receipt(self, receipt: str) -> Receipt:
        try:
            return self._state.receipts[receipt]
        except KeyError:
            raise NotFoundError("receipt", receipt, known=self._state.receipts) from None

    @staticmethod
    def _check_reference(reference: object) -> None:
        if not isinstance(reference, str) or not reference.strip():
            raise ValidationError.invalid(
                "allocation", "reference", reference, "a non-empty reference such as 'O-1/1'"
            )

    def _over(
        self, sku: Sku, bin: str, lot: str | None, reference: str, count: int, action: str
    ) -> None:
        limit = self._allocation(sku, bin, lot, reference)
        if count > limit:
            where = bin if lot is None else f"{bin} lot {lot}"
            raise OverReleaseError(
                action, f"allocation {reference} of {sku} at {where}", count, limit
            )

    def _check_reason(self, reason: object) -> str:
        if reason not in UNAVAILABLE_REASONS:
            raise ValidationError.invalid(
                "unavailable stock", "reason", reason, "one of " + ", ".join(UNAVAILABLE_REASONS)
            )
        return str(reason)

    def _unavailable(
        self, sku: Sku, bin: str, lot: str | None, reason: str, count: int, action: str
    ) -> None:
        bucket = self._peek(sku, bin, lot)
        limit = bucket.unavailable.get(reason, 0) if bucket else 0
        if count > limit:
            raise OverReleaseError(action, f"{reason} stock of {sku} at {bin}", count, limit)
