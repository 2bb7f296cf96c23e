"""The events of the stock ledger: one immutable record per operation.

Each sku's stock is its own event stream: ``aggregate_id`` is the sku and ``version`` the
sku's stock version after the event. Replaying a ledger's events into an empty ledger
rebuilds the same state (:meth:`~ordercycle.inventory.StockLedger.replay`).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs

from ordercycle.model.events import DomainEvent

__all__ = [
    "StockAdjusted",
    "StockAllocated",
    "StockConsumed",
    "StockDeallocated",
    "StockEvent",
    "StockHeld",
    "StockHoldCommitted",
    "StockHoldExpired",
    "StockHoldReleased",
    "StockMadeAvailable",
    "StockMarkedUnavailable",
    "StockMoved",
    "StockReceiptCancelled",
    "StockReceiptScheduled",
    "StockReceived",
    "StockRestocked",
    "StockWrittenOff",
]


@attrs.frozen(kw_only=True)
class StockEvent(DomainEvent, abstract=True):
    """Base of the stock events: the sku (also the ``aggregate_id``), bin and lot.

    Attributes:
        sku: The sku whose stock changed.
        bin: The bin, or ``""`` for events not tied to a bin (scheduled receipts).
        lot: The lot id, or ``None`` for stock without lots.
    """

    sku: str
    bin: str
    lot: str | None = None


@attrs.frozen(kw_only=True)
class StockReceived(StockEvent):
    """Units arrived in a bin (optionally against a scheduled receipt)."""

    quantity: int
    received_on: date | None = None
    expires_on: date | None = None
    receipt: str = ""


@attrs.frozen(kw_only=True)
class StockReceiptScheduled(StockEvent):
    """An incoming receipt was announced for a date."""

    receipt: str
    quantity: int
    due_on: date


@attrs.frozen(kw_only=True)
class StockReceiptCancelled(StockEvent):
    """An announced receipt will not come (its open quantity leaves ``incoming``)."""

    receipt: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockAdjusted(StockEvent):
    """A cycle count set the on-hand quantity; ``delta`` is the change."""

    counted: int
    delta: int
    reason: str


@attrs.frozen(kw_only=True)
class StockMoved(StockEvent):
    """Free units moved from ``bin`` to ``to_bin``."""

    to_bin: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockHeld(StockEvent):
    """A soft hold (cart reservation) that counts until ``expires_at``."""

    hold_id: str
    quantity: int
    expires_at: datetime
    owner: str = ""


@attrs.frozen(kw_only=True)
class StockHoldReleased(StockEvent):
    """A hold was given back before it expired."""

    hold_id: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockHoldExpired(StockEvent):
    """A sweep recorded that a hold expired (it stopped counting at ``expires_at``)."""

    hold_id: str
    quantity: int
    expired_at: datetime


@attrs.frozen(kw_only=True)
class StockHoldCommitted(StockEvent):
    """A hold became a hard allocation for ``reference``."""

    hold_id: str
    quantity: int
    reference: str


@attrs.frozen(kw_only=True)
class StockAllocated(StockEvent):
    """Units allocated (hard) to ``reference`` (an order line, ``"O-1/1"``)."""

    reference: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockDeallocated(StockEvent):
    """An allocation was reduced; the units are free again."""

    reference: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockConsumed(StockEvent):
    """Allocated units left the building in a shipment."""

    reference: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockRestocked(StockEvent):
    """Returned units came back; ``damaged`` ones go straight to unavailable."""

    quantity: int
    reference: str = ""
    damaged: bool = False


@attrs.frozen(kw_only=True)
class StockMarkedUnavailable(StockEvent):
    """Free units became unavailable (``damaged``, ``quality_hold``, ``safety_stock``)."""

    reason: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockMadeAvailable(StockEvent):
    """Unavailable units were released back to free stock."""

    reason: str
    quantity: int


@attrs.frozen(kw_only=True)
class StockWrittenOff(StockEvent):
    """Unavailable units (damaged, say) left the stock for good."""

    reason: str
    quantity: int
