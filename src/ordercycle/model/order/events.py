"""The events an :class:`~ordercycle.model.order.Order` records, one per change.

Every event is a frozen, keyword-only :class:`~ordercycle.model.events.DomainEvent`
(``aggregate_id`` is the order id, ``version`` the order's version after the event).
Applying the events of an order in order rebuilds it: :meth:`Order.replay`.

Events that take stock back from the warehouse (:class:`OrderCanceled`,
:class:`OrderLineCanceled`, :class:`OrderAmended`) say how many units per line to release,
in :class:`~ordercycle.model.order.lines.LineRelease` values.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs

from ordercycle.model.address import Address
from ordercycle.model.events import DomainEvent
from ordercycle.model.ids import Sku
from ordercycle.model.order.changes import OrderChange
from ordercycle.model.order.ledger import Release
from ordercycle.model.order.lines import LineRelease, NewLine
from ordercycle.model.order.policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ShippingPolicy,
)
from ordercycle.money import Money

__all__ = [
    "LineQuantity",
    "OrderAmended",
    "OrderCanceled",
    "OrderCharged",
    "OrderCompleted",
    "OrderConfirmed",
    "OrderCredited",
    "OrderDrafted",
    "OrderEvent",
    "OrderExpired",
    "OrderHeaderChanged",
    "OrderHoldPlaced",
    "OrderHoldReleased",
    "OrderInvoiced",
    "OrderLineAdded",
    "OrderLineAllocated",
    "OrderLineBackordered",
    "OrderLineCanceled",
    "OrderLineDeallocated",
    "OrderLineDelivered",
    "OrderLinePacked",
    "OrderLinePicked",
    "OrderLineQuantityEvent",
    "OrderLineShipped",
    "OrderPaymentRecorded",
    "OrderPaymentReversed",
    "OrderPlaced",
    "OrderQuoted",
    "OrderReleased",
    "OrderResumed",
    "OrderReturnAuthorized",
    "OrderReturnReceived",
    "OrderReturnRejected",
    "OrderReturnRequested",
    "OrderShippingMethodChanged",
    "OrderStateChanged",
    "OrderTransitioned",
]


@attrs.frozen
class LineQuantity:
    """A quantity of one line (in invoices and credit notes)."""

    line_id: str
    quantity: int


@attrs.frozen(kw_only=True)
class OrderEvent(DomainEvent, abstract=True):
    """Base of every order event."""


@attrs.frozen(kw_only=True)
class OrderDrafted(OrderEvent):
    """A draft order was created with its header and first lines."""

    customer_id: str
    channel: str
    currency: str
    lines: tuple[NewLine, ...]
    shipping_address: Address
    billing_address: Address
    requested_delivery_date: date | None
    payment_terms: str
    invoice_policy: InvoicePolicy
    shipping_policy: ShippingPolicy
    priority: Priority


@attrs.frozen(kw_only=True)
class OrderLineAdded(OrderEvent):
    """A line was added to a draft."""

    line: NewLine


# --- lifecycle ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderTransitioned(OrderEvent, abstract=True):
    """Base of the events that move the order through its lifecycle (``source -> target``)."""

    source: str
    target: str


@attrs.frozen(kw_only=True)
class OrderQuoted(OrderTransitioned):
    """The draft (or a revised quote) was sent to the customer, valid until ``valid_until``."""

    valid_until: date


@attrs.frozen(kw_only=True)
class OrderPlaced(OrderTransitioned):
    """The customer placed the order."""


@attrs.frozen(kw_only=True)
class OrderConfirmed(OrderTransitioned):
    """The seller accepted the order."""


@attrs.frozen(kw_only=True)
class OrderReleased(OrderTransitioned):
    """The order was released to the warehouse."""


@attrs.frozen(kw_only=True)
class OrderCompleted(OrderTransitioned):
    """Every unit still on order was delivered."""


@attrs.frozen(kw_only=True)
class OrderExpired(OrderTransitioned):
    """A draft was abandoned."""


@attrs.frozen(kw_only=True)
class OrderCanceled(OrderTransitioned):
    """The whole order was canceled; every unshipped unit is canceled and released."""

    reason: str
    releases: tuple[LineRelease, ...]


@attrs.frozen(kw_only=True)
class OrderStateChanged(OrderTransitioned):
    """A custom lifecycle event fired with :meth:`Order.fire` (``event`` names it)."""

    event: str


@attrs.frozen(kw_only=True)
class OrderHeaderChanged(OrderEvent):
    """Header fields of a draft or quote changed; each field holds its new value."""

    channel: str
    requested_delivery_date: date | None
    payment_terms: str


@attrs.frozen(kw_only=True)
class OrderShippingMethodChanged(OrderEvent):
    """The order's shipping method changed (``""``: none, no freight is charged)."""

    method: str


# --- holds ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderHoldPlaced(OrderEvent):
    """A hold was put on the order."""

    reason: HoldReason
    by: str
    note: str


@attrs.frozen(kw_only=True)
class OrderHoldReleased(OrderEvent):
    """A hold was taken off the order."""

    reason: HoldReason
    by: str
    note: str


@attrs.frozen(kw_only=True)
class OrderResumed(OrderEvent):
    """The last hold was released; the order may move on."""


# --- edits and cancellation -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderAmended(OrderEvent):
    """A change set was applied as ``revision`` (1 for the first change set)."""

    revision: int
    changes: tuple[OrderChange, ...]
    by: str
    note: str
    releases: tuple[LineRelease, ...]


@attrs.frozen(kw_only=True)
class OrderLineCanceled(OrderEvent):
    """Part of a line was canceled; ``release`` says what goes back to stock."""

    line_id: str
    sku: Sku
    quantity: int
    reason: str
    release: Release


# --- the warehouse --------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderLineQuantityEvent(OrderEvent, abstract=True):
    """Base of the warehouse events: ``quantity`` units of one line moved on."""

    line_id: str
    sku: Sku
    quantity: int


@attrs.frozen(kw_only=True)
class OrderLineAllocated(OrderLineQuantityEvent):
    """Stock was reserved for units of a line."""


@attrs.frozen(kw_only=True)
class OrderLineDeallocated(OrderLineQuantityEvent):
    """Reserved stock of a line was given back; the units are open again."""


@attrs.frozen(kw_only=True)
class OrderLineBackordered(OrderLineQuantityEvent):
    """Units of a line wait for stock."""


@attrs.frozen(kw_only=True)
class OrderLinePicked(OrderLineQuantityEvent):
    """Allocated units were picked."""


@attrs.frozen(kw_only=True)
class OrderLinePacked(OrderLineQuantityEvent):
    """Picked units were packed."""


@attrs.frozen(kw_only=True)
class OrderLineShipped(OrderLineQuantityEvent):
    """Packed units were handed to a carrier."""


@attrs.frozen(kw_only=True)
class OrderLineDelivered(OrderLineQuantityEvent):
    """Shipped units arrived."""


# --- returns --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderReturnRequested(OrderEvent):
    """The customer asked to return delivered units."""

    return_id: str
    line_id: str
    sku: Sku
    quantity: int
    reason: str


@attrs.frozen(kw_only=True)
class OrderReturnAuthorized(OrderEvent):
    """A return was authorized; the credit note keeps ``restocking_fee_rate``."""

    return_id: str
    restocking_fee_rate: Decimal
    by: str
    note: str


@attrs.frozen(kw_only=True)
class OrderReturnRejected(OrderEvent):
    """A return request was rejected; the units stay with the customer."""

    return_id: str
    line_id: str
    quantity: int
    by: str
    note: str


@attrs.frozen(kw_only=True)
class OrderReturnReceived(OrderEvent):
    """Returned units arrived; resellable ones go back to stock (``restock``)."""

    return_id: str
    line_id: str
    sku: Sku
    quantity: int
    condition: ReturnCondition
    restocking_fee_rate: Decimal

    @property
    def restock(self) -> int:
        """Units that go back to sellable stock."""
        return self.quantity if self.condition is ReturnCondition.RESELLABLE else 0


# --- billing --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class OrderInvoiced(OrderEvent):
    """An invoice was issued for quantities of the order's lines."""

    invoice_id: str
    quantities: tuple[LineQuantity, ...]
    amount: Money


@attrs.frozen(kw_only=True)
class OrderCharged(OrderEvent):
    """A charge that is no order line (freight) was billed on its own invoice."""

    invoice_id: str
    description: str
    amount: Money


@attrs.frozen(kw_only=True)
class OrderCredited(OrderEvent):
    """A credit note was issued for invoiced quantities (net of any restocking fee)."""

    credit_note_id: str
    quantities: tuple[LineQuantity, ...]
    amount: Money
    restocking_fee_rate: Decimal


@attrs.frozen(kw_only=True)
class OrderPaymentRecorded(OrderEvent):
    """Invoicing reported a payment against the order."""

    payment_id: str
    amount: Money


@attrs.frozen(kw_only=True)
class OrderPaymentReversed(OrderEvent):
    """Invoicing took back (part of) a payment recorded on the order: ``amount`` of
    payment ``payment_id`` no longer counts (a payment reversed at the bank reopens the
    invoice it settled, and with it the order's payment status)."""

    payment_id: str
    amount: Money
