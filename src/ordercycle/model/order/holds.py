"""Holds: reasons an order must not move on (credit, payment, fraud review, address, manual).

An order carries at most one :class:`Hold` per :class:`~ordercycle.model.order.policies.HoldReason`,
each with who placed it, why and when. While any hold is on, the order cannot be released to
the warehouse, and warehouse work (allocate, pick, pack, ship) is refused; releasing the
last hold resumes it.

>>> from datetime import UTC, datetime
>>> hold = Hold(HoldReason.CREDIT, by="ana", note="over limit", at=datetime(2026, 1, 5, tzinfo=UTC))
>>> describe_holds((hold,))
'credit'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from ordercycle.model.order.policies import HoldReason

__all__ = ["Hold", "HoldReason", "describe_holds"]


@attrs.frozen
class Hold:
    """One hold on an order.

    Attributes:
        reason: The reason code.
        by: Who placed it (a user or system name).
        note: Why, in words.
        at: When it was placed.
    """

    reason: HoldReason
    by: str = attrs.field(kw_only=True)
    note: str = attrs.field(kw_only=True, default="")
    at: datetime = attrs.field(kw_only=True)


def describe_holds(holds: Iterable[Hold]) -> str:
    """The hold reasons as words, in the order given (``"credit, fraud review"``)."""
    return ", ".join(hold.reason.label for hold in holds)
