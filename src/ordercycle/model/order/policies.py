"""The small vocabularies an order is configured with: invoice, shipping and return terms.

Each is a :class:`str`-valued :class:`enum.Enum`, so the values read well in events,
logs and JSON (``"ordered"``, ``"ship_complete"``).

>>> InvoicePolicy("delivered")
<InvoicePolicy.DELIVERED: 'delivered'>
>>> HoldReason.FRAUD_REVIEW.label
'fraud review'
"""

from __future__ import annotations

import enum

__all__ = [
    "AddressKind",
    "HoldReason",
    "InvoicePolicy",
    "Priority",
    "ReturnCondition",
    "ReturnStatus",
    "ShippingPolicy",
]


class InvoicePolicy(enum.Enum):
    """Which quantity of a line may be invoiced.

    ``ORDERED``: everything still on order (``ordered - canceled``), even before shipping.
    ``DELIVERED``: only what has been delivered.
    """

    ORDERED = "ordered"
    DELIVERED = "delivered"


class ShippingPolicy(enum.Enum):
    """Whether an order ships in parts as stock becomes available, or only when complete."""

    SHIP_AS_AVAILABLE = "ship_as_available"
    SHIP_COMPLETE = "ship_complete"


class Priority(enum.IntEnum):
    """How urgently the warehouse should handle an order (higher is more urgent)."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    RUSH = 3


class HoldReason(enum.Enum):
    """Why an order is on hold. An order can carry several holds, one per reason."""

    CREDIT = "credit"
    PAYMENT = "payment"
    FRAUD_REVIEW = "fraud_review"
    ADDRESS = "address"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        """The reason as words, for messages (``"fraud review"``)."""
        return self.value.replace("_", " ")


class ReturnCondition(enum.Enum):
    """The condition a returned unit arrives in: resellable goes back to stock, damaged not."""

    RESELLABLE = "resellable"
    DAMAGED = "damaged"


class ReturnStatus(enum.Enum):
    """Where a return authorisation (RMA) is in its short life."""

    REQUESTED = "requested"
    AUTHORIZED = "authorized"
    REJECTED = "rejected"
    RECEIVED = "received"


class AddressKind(enum.Enum):
    """Which of an order's addresses a change applies to."""

    SHIPPING = "shipping"
    BILLING = "billing"
