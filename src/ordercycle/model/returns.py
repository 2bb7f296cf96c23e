"""Returns (RMA): a customer sends delivered units back.

A :class:`ReturnAuthorization` is requested for delivered units of one line with a
reason, then authorized (optionally with a restocking-fee rate for the credit note) or
rejected, and finally received with a condition: resellable units go back to stock,
damaged ones do not.

>>> rma = ReturnAuthorization("RMA-1", "L1", 2, reason="too small")
>>> rma.status
<ReturnStatus.REQUESTED: 'requested'>
>>> rma.authorize(restocking_fee_rate=Decimal("0.15")).status
<ReturnStatus.AUTHORIZED: 'authorized'>
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model.order_policies import ReturnCondition, ReturnStatus

__all__ = ["ReturnAuthorization", "ReturnCondition", "ReturnStatus", "check_fee_rate"]


def check_fee_rate(value: object, subject: str) -> Decimal:
    """Return ``value`` if it is a :class:`~decimal.Decimal` rate with ``0 <= rate < 1``.

    Raises:
        ValidationError: Otherwise, naming ``subject``.
    """
    if isinstance(value, Decimal) and value.is_finite() and Decimal(0) <= value < Decimal(1):
        return value
    raise ValidationError.invalid(
        subject, "restocking fee rate", value, "a Decimal with 0 <= rate < 1 (0.15 is 15 %)"
    )


@attrs.frozen
class ReturnAuthorization:
    """A return of ``quantity`` delivered units of one line.

    Attributes:
        return_id: The RMA number (``"RMA-1"``).
        line_id: The order line the units come from.
        quantity: Units to come back.
        reason: Why the customer returns them.
        status: Requested, authorized, rejected or received.
        restocking_fee_rate: Share of the refund kept as a fee (set on authorization).
        condition: How the units arrived (set on receipt).
        note: The reason of a rejection, or a note on authorization.
    """

    return_id: str
    line_id: str
    quantity: int
    reason: str = attrs.field(kw_only=True)
    status: ReturnStatus = attrs.field(kw_only=True, default=ReturnStatus.REQUESTED)
    restocking_fee_rate: Decimal = attrs.field(kw_only=True, default=Decimal(0))
    condition: ReturnCondition | None = attrs.field(kw_only=True, default=None)
    note: str = attrs.field(kw_only=True, default="")

    @property
    def is_open(self) -> bool:
        """Whether the units are still expected (requested or authorized)."""
        return self.status in (ReturnStatus.REQUESTED, ReturnStatus.AUTHORIZED)

    def authorize(
        self, *, restocking_fee_rate: Decimal = Decimal(0), note: str = ""
    ) -> ReturnAuthorization:
        """This return, authorized (no checks: the order checks the status first)."""
        return attrs.evolve(
            self,
            status=ReturnStatus.AUTHORIZED,
            restocking_fee_rate=restocking_fee_rate,
            note=note,
        )

    def reject(self, *, note: str = "") -> ReturnAuthorization:
        """This return, rejected."""
        return attrs.evolve(self, status=ReturnStatus.REJECTED, note=note)

    def receive(self, condition: ReturnCondition) -> ReturnAuthorization:
        """This return, received in ``condition``."""
        return attrs.evolve(self, status=ReturnStatus.RECEIVED, condition=condition)
