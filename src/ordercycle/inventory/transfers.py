"""Transfers: free units sent from a bin of one warehouse to a bin of another.

A :class:`StockTransfer` is in transit from the moment the units leave the source bin
until they are received at the target bin; :data:`TRANSFER_LIFECYCLE` allows nothing
else. While in transit the units are on hand nowhere and counted as incoming (a scheduled
receipt, :meth:`StockTransfer.receipt_id`), so available-to-promise sees them from the
expected date.

>>> from datetime import UTC, date, datetime
>>> at = datetime(2026, 3, 2, 9, tzinfo=UTC)
>>> sent = StockTransfer(
...     transfer_id="T-1", sku="MUG", from_bin="WH-EAST/A1", to_bin="WH-WEST/A2",
...     quantity=5, expected_on=date(2026, 3, 4), sent_at=at,
... )
>>> sent.status, sent.receive(at=at).status
('in_transit', 'received')
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.lifecycle import Lifecycle, State

__all__ = ["TRANSFER_LIFECYCLE", "StockTransfer"]

TRANSFER_LIFECYCLE: Final = Lifecycle.build(
    "stock_transfer",
    initial="in_transit",
    final=["received"],
    states=[
        State("in_transit", "Left the source bin; not yet at the target."),
        State("received", "Received into the target bin.", final=True),
    ],
    transitions=[("receive", "in_transit", "received")],
)
"""in_transit → received: a transfer's one move."""


def _check_status(_instance: object, _attribute: object, value: object) -> None:
    if value not in TRANSFER_LIFECYCLE.state_names:
        raise ValidationError.invalid(
            "StockTransfer", "status", value, "one of " + ", ".join(TRANSFER_LIFECYCLE.state_names)
        )


@attrs.frozen(kw_only=True)
class StockTransfer:
    """Units of one product (and lot) on their way between two warehouses.

    Attributes:
        transfer_id: The id.
        sku: The product.
        from_bin: Where the units left.
        to_bin: Where they are received.
        quantity: Units sent.
        expected_on: When they should arrive.
        sent_at: When they left.
        lot: Their lot, if any.
        status: A state of :data:`TRANSFER_LIFECYCLE`.
        received_at: When they were received.
    """

    transfer_id: str
    sku: str
    from_bin: str
    to_bin: str
    quantity: int
    expected_on: date
    sent_at: datetime
    lot: str | None = None
    status: str = attrs.field(default=TRANSFER_LIFECYCLE.initial, validator=_check_status)
    received_at: datetime | None = None

    @property
    def subject(self) -> str:
        """How errors name it: ``"transfer T-1"``."""
        return f"transfer {self.transfer_id}"

    @property
    def receipt_id(self) -> str:
        """The scheduled receipt that counts the units as incoming while in transit."""
        return f"transfer:{self.transfer_id}"

    def receive(self, *, at: datetime) -> StockTransfer:
        """Record the units as received at the target bin.

        Raises:
            TransitionNotAllowedError: It was received already.
        """
        status = TRANSFER_LIFECYCLE.next_state(self.status, "receive", subject=self.subject)
        return attrs.evolve(self, status=status, received_at=at)
