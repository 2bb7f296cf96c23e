"""Holds: soft, expiring reservations for carts.

A hold counts against availability from the moment it is placed until it is released,
committed to an allocation, or its ``expires_at`` instant passes, whichever comes first.
Expiry needs no sweeper: availability is evaluated at an instant, and a hold whose time
has passed simply stops counting. A sweep only records the fact as an event.

>>> STOCK_HOLD_LIFECYCLE.next_state("created", "commit")
'committed'
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ordercycle.errors import TransitionNotAllowedError
from ordercycle.lifecycle import Lifecycle
from ordercycle.model.ids import LotId, Sku

__all__ = ["STOCK_HOLD_LIFECYCLE", "StockHold"]

#: created → committed / expired / released.
STOCK_HOLD_LIFECYCLE = Lifecycle.build(
    "stock_hold",
    initial="created",
    final=["committed", "expired", "released"],
    transitions=[
        ("commit", "created", "committed"),
        ("expire", "created", "expired"),
        ("release", "created", "released"),
    ],
)


@attrs.frozen
class StockHold:
    """A cart reservation of units of one sku in one bin and lot.

    Attributes:
        id: The hold id.
        sku: The sku.
        bin: The bin.
        lot: The lot id, or ``None``.
        quantity: Units held.
        expires_at: The instant the hold stops counting.
        owner: Who holds it (a cart or session id), for reports.
        state: ``"created"``, ``"committed"``, ``"expired"`` or ``"released"``.
    """

    id: str
    sku: Sku
    bin: str
    lot: LotId | None
    quantity: int
    expires_at: datetime
    owner: str = ""
    state: str = "created"

    def is_active(self, at: datetime) -> bool:
        """Whether the hold counts at ``at``: created and not yet expired."""
        return self.state == "created" and at < self.expires_at

    def status_at(self, at: datetime) -> str:
        """The state as seen at ``at``: a created hold past its expiry reads ``expired``."""
        if self.state == "created" and at >= self.expires_at:
            return "expired"
        return self.state

    def moved(self, event: str, at: datetime) -> StockHold:
        """Return the hold after ``event`` (``commit``, ``release``, ``expire``) at ``at``.

        Raises:
            TransitionNotAllowedError: The hold is no longer created, or (for commit and
                release) it expired at or before ``at``.
        """
        subject = f"hold {self.id}"
        if event != "expire" and self.status_at(at) == "expired" and self.state == "created":
            raise TransitionNotAllowedError(
                subject,
                event,
                "expired",
                reason=f"it expired at {self.expires_at.isoformat()}",
            )
        state = STOCK_HOLD_LIFECYCLE.next_state(self.state, event, subject=subject)
        return attrs.evolve(self, state=state)
