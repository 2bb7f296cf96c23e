"""Returns (RMA): a customer sends delivered units back.

A :class:`ReturnAuthorization` is requested for delivered units of one line with a
reason, then authorized (optionally with a restocking-fee rate for the credit note) or
rejected, and finally received with a condition: resellable units go back to stock,
damaged ones do not. The functions at the end find a return among an order's returns and
check that it is in a status that allows the next step.

>>> rma = ReturnAuthorization("RMA-1", "L1", 2, reason="too small")
>>> rma.status
<ReturnStatus.REQUESTED: 'requested'>
>>> rma.authorize(restocking_fee_rate=Decimal("0.15")).status
<ReturnStatus.AUTHORIZED: 'authorized'>
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model.order.errors import OrderCommandError, UnknownReturnError
from ordercycle.model.order.policies import ReturnCondition, ReturnStatus

__all__ = [
    "ReturnAuthorization",
    "ReturnCondition",
    "ReturnStatus",
    "check_fee_rate",
    "find_return",
    "replace_return",
    "return_in",
]


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


def find_return(
    returns: Iterable[ReturnAuthorization], return_id: str, *, subject: str
) -> ReturnAuthorization:
    """The return called ``return_id`` among the returns of ``subject``.

    Raises:
        UnknownReturnError: No such return.
    """
    known = tuple(returns)
    for rma in known:
        if rma.return_id == return_id:
            return rma
    raise UnknownReturnError(subject, return_id, [r.return_id for r in known])


def return_in(
    returns: Iterable[ReturnAuthorization],
    return_id: str,
    action: str,
    *statuses: ReturnStatus,
    subject: str,
) -> ReturnAuthorization:
    """The return called ``return_id``, if it is in one of ``statuses``.

    Raises:
        UnknownReturnError: No such return.
        OrderCommandError: It is in another status (``action`` says what was refused).
    """
    rma = find_return(returns, return_id, subject=subject)
    if rma.status not in statuses:
        hint = "; authorize it first" if rma.status is ReturnStatus.REQUESTED else ""
        raise OrderCommandError(
            subject,
            f"{action} return {return_id} of {subject}",
            f"it is {rma.status.value}{hint}",
        )
    return rma


def replace_return(
    returns: tuple[ReturnAuthorization, ...], rma: ReturnAuthorization
) -> tuple[ReturnAuthorization, ...]:
    """``returns`` with the return of the same id as ``rma`` replaced by it."""
    return tuple(rma if r.return_id == rma.return_id else r for r in returns)
