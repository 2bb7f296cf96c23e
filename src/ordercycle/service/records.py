"""What the desk keeps besides orders, stock and invoices, and the events that store it.

Orders and stock are event-sourced by their own domain events; invoices are stored as
their domain events plus a snapshot. Everything else the desk remembers is a small
frozen record here (a pick list, a shipment, a customer's account), stored as
*state events*: each event carries the whole record after the change, so the newest
event is the current state. Payments are stored the same way: one
:class:`DeskPaymentReceived` holding the domain :class:`~ordercycle.invoicing.Payment`.

A pick list is stored when it is released and when its picks are confirmed. Confirming
also stores one :class:`PickedOrder` per order on the list (that order's confirmed lines);
packing an order changes only its own :class:`PickedOrder`, so a pack reads and writes
the order's few lines, not the whole wave. The pick list the desk shows is the list with
the lines of its picked orders laid over it.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

import attrs

from ordercycle.invoicing.payments import Payment
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
from ordercycle.model.product import Product
from ordercycle.money import Money

__all__ = [
    "Account",
    "AccountChanged",
    "Backlog",
    "BacklogChanged",
    "CatalogueEntry",
    "CustomerRegistered",
    "DeskEvent",
    "DeskPaymentReceived",
    "InvoiceNumberTaken",
    "OpenPickLists",
    "OpenPickListsChanged",
    "Parcel",
    "PickLine",
    "PickList",
    "PickListChanged",
    "PickedOrder",
    "PickedOrderChanged",
    "ProductRegistered",
    "Shipment",
    "ShipmentChanged",
    "ShipmentLine",
]


@attrs.frozen(kw_only=True)
class CatalogueEntry:
    """A product the desk sells, with its list price.

    Attributes:
        product: The product (dimensions, weight, handling).
        price: The unit price new order lines get.
        tax_code: The tax code of its order lines (empty: every rate of the profile).
    """

    product: Product
    price: Money
    tax_code: str = ""


@attrs.frozen(kw_only=True)
class PickLine:
    """Units of one order line to take from one bin, in walking order.

    Attributes:
        order_id: The order.
        line_id: The order line.
        sku: The product.
        bin: The inventory bin id.
        location: The bin's label in the picking layout (``"A03-017-R0"``).
        quantity: Units to pick.
        picked: Units confirmed picked (``None`` until confirmed).
        shipment_id: The shipment the picked units were packed into (empty until packed).
    """

    order_id: str
    line_id: str
    sku: str
    bin: str
    location: str
    quantity: int
    picked: int | None = None
    shipment_id: str = ""

    @property
    def reference(self) -> str:
        """The stock allocation reference, ``"<order>/<line>"``."""
        return f"{self.order_id}/{self.line_id}"

    @property
    def short(self) -> int:
        """Units that were not found (0 until confirmed)."""
        return 0 if self.picked is None else self.quantity - self.picked


@attrs.frozen(kw_only=True)
class PickList:
    """One warehouse's pick list of a wave, with its routed walk.

    Attributes:
        pick_list_id: The id.
        warehouse: Where it is picked.
        lines: The lines in walking order.
        route_length: The walked length in layout units (exact).
        route_method: The routing method.
        route_exact: Whether the length is proven minimal.
        route_explanation: How the route was found.
        status: ``"open"`` until the picks are confirmed, then ``"confirmed"``.
        released_at: When the wave was released.
        confirmed_at: When the picks were confirmed.
    """

    pick_list_id: str
    warehouse: str
    lines: tuple[PickLine, ...]
    route_length: Fraction
    route_method: str
    route_exact: bool
    route_explanation: str
    released_at: datetime
    status: str = "open"
    confirmed_at: datetime | None = None

    @property
    def order_ids(self) -> tuple[str, ...]:
        """The orders on the list, in order of first appearance."""
        return tuple(dict.fromkeys(line.order_id for line in self.lines))


@attrs.frozen(kw_only=True)
class PickedOrder:
    """One order's confirmed lines of a pick list, and the shipment they were packed into.

    Stored for every order on a pick list when its picks are confirmed, and changed when
    the order is packed from the list.

    Attributes:
        pick_list_id: The pick list.
        order_id: The order.
        warehouse: Where the list was picked.
        lines: The order's lines of the list in walking order, as confirmed (``picked``
            set), with ``shipment_id`` on the picked lines once they are packed.
    """

    pick_list_id: str
    order_id: str
    warehouse: str
    lines: tuple[PickLine, ...]


@attrs.frozen(kw_only=True)
class Parcel:
    """One packed carton of a shipment.

    Attributes:
        carton: The carton's name.
        contents: ``(sku, units)`` in the carton.
        actual_weight_g: Gross weight in grams (exact).
        billable_weight: The carrier's billable weight, in ``weight_unit`` (exact).
        weight_unit: ``"lb"`` or ``"kg"``, the carrier's unit.
        reason: Why this carton was chosen.
    """

    carton: str
    contents: tuple[tuple[str, int], ...]
    actual_weight_g: Fraction
    billable_weight: Fraction
    weight_unit: str
    reason: str


@attrs.frozen(kw_only=True)
class ShipmentLine:
    """Units of one order line in a shipment."""

    line_id: str
    sku: str
    quantity: int


@attrs.frozen(kw_only=True)
class Shipment:
    """Packed cartons of one order from one pick list, until they are delivered.

    Attributes:
        shipment_id: The id.
        order_id: The order.
        warehouse: Where it ships from.
        pick_list_id: The pick list the units came from.
        lines: Units per order line.
        parcels: The cartons.
        carrier: The carrier's name.
        status: ``"packed"``, ``"shipped"`` or ``"delivered"``.
        tracking_number: The carrier's tracking number, once shipped.
        packed_at: When it was packed.
        shipped_at: When it shipped.
        delivered_at: When it arrived.
    """

    shipment_id: str
    order_id: str
    warehouse: str
    pick_list_id: str
    lines: tuple[ShipmentLine, ...]
    parcels: tuple[Parcel, ...]
    carrier: str
    packed_at: datetime
    status: str = "packed"
    tracking_number: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def billable_weight(self) -> Fraction:
        """The billable weight of all parcels, in the carrier's unit."""
        return sum((p.billable_weight for p in self.parcels), Fraction(0))


@attrs.frozen(kw_only=True)
class Account:
    """A customer's open documents: what the credit check and payments read.

    Attributes:
        customer_id: The customer.
        open_order_ids: Orders placed and not yet fully invoiced or canceled.
        open_invoice_ids: Invoices not yet settled, in order of issue.
        receivables: The sum of the open invoices' balances, moved by every invoice change
            (issue, payment, credit), so a credit check costs the same however many
            invoices are open. ``None`` until the desk first records an invoice change
            (and in accounts stored before the desk kept it: then it is summed once from
            the invoices).
    """

    customer_id: str
    open_order_ids: tuple[str, ...] = ()
    open_invoice_ids: tuple[str, ...] = ()
    receivables: Money | None = None

    def changed(
        self,
        *,
        add_orders: tuple[str, ...] = (),
        drop_orders: tuple[str, ...] = (),
        add_invoices: tuple[str, ...] = (),
        drop_invoices: tuple[str, ...] = (),
        receivables: Money | None = None,
    ) -> Account:
        """The account with orders and invoices added and dropped (order kept).

        ``receivables``, if given, replaces the open balance; otherwise it is kept.
        """
        orders = [o for o in (*self.open_order_ids, *add_orders) if o not in drop_orders]
        invoices = [i for i in (*self.open_invoice_ids, *add_invoices) if i not in drop_invoices]
        return Account(
            customer_id=self.customer_id,
            open_order_ids=tuple(dict.fromkeys(orders)),
            open_invoice_ids=tuple(dict.fromkeys(invoices)),
            receivables=self.receivables if receivables is None else receivables,
        )


@attrs.frozen(kw_only=True)
class Backlog:
    """The orders waiting with backordered units of one product (served on receipt)."""

    sku: str
    order_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class OpenPickLists:
    """The pick lists of one warehouse whose picks are not confirmed yet."""

    warehouse: str
    pick_list_ids: tuple[str, ...] = ()


# --- state events ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DeskEvent(DomainEvent, abstract=True):
    """Base of the desk's state events; ``change`` names what happened."""

    change: str


@attrs.frozen(kw_only=True)
class CustomerRegistered(DeskEvent):
    """A customer was registered (or re-registered with new details)."""

    event_type = "DeskCustomerRegistered"
    state: Customer


@attrs.frozen(kw_only=True)
class ProductRegistered(DeskEvent):
    """A product was added to the catalogue (or its entry replaced)."""

    event_type = "DeskProductRegistered"
    state: CatalogueEntry


@attrs.frozen(kw_only=True)
class PickListChanged(DeskEvent):
    """A pick list was released or confirmed.

    Packing is recorded per order (:class:`PickedOrderChanged`); streams written before
    that may also hold ``"packed ..."`` changes, each with the whole list.
    """

    event_type = "DeskPickListChanged"
    state: PickList


@attrs.frozen(kw_only=True)
class PickedOrderChanged(DeskEvent):
    """An order's lines of a pick list were confirmed, or packed into a shipment."""

    event_type = "DeskPickedOrderChanged"
    state: PickedOrder


@attrs.frozen(kw_only=True)
class ShipmentChanged(DeskEvent):
    """A shipment was packed, shipped or delivered."""

    event_type = "DeskShipmentChanged"
    state: Shipment


@attrs.frozen(kw_only=True)
class DeskPaymentReceived(DeskEvent):
    """A payment was received and applied (the whole :class:`~ordercycle.invoicing.Payment`)."""

    event_type = "DeskPaymentReceived"
    state: Payment


@attrs.frozen(kw_only=True)
class AccountChanged(DeskEvent):
    """A customer's open orders or open invoices changed."""

    event_type = "DeskAccountChanged"
    state: Account


@attrs.frozen(kw_only=True)
class BacklogChanged(DeskEvent):
    """An order started or stopped waiting for a product."""

    event_type = "DeskBacklogChanged"
    state: Backlog


@attrs.frozen(kw_only=True)
class OpenPickListsChanged(DeskEvent):
    """A warehouse's list of open pick lists changed."""

    event_type = "DeskOpenPickListsChanged"
    state: OpenPickLists


@attrs.frozen(kw_only=True)
class InvoiceNumberTaken(DeskEvent):
    """The next invoice number was used (the series stream's version is the count)."""

    event_type = "DeskInvoiceNumberTaken"
    state: str
