"""What the desk keeps besides orders, stock and invoices, and the events that store it.

Orders and stock are event-sourced by their own domain events; invoices are stored as
their domain events plus a snapshot. Everything else the desk remembers is a small
frozen record (a customer's account, an order's picked lines, the open pick lists of a
warehouse), stored as *state events*: each event carries the whole record after the
change, so the newest event is the current state. Pick lists
(:class:`~ordercycle.picking.WavePickList`), shipments
(:class:`~ordercycle.packing.Shipment`), payments
(:class:`~ordercycle.invoicing.Payment`), purchase orders
(:class:`~ordercycle.inventory.PurchaseOrder`) and transfers
(:class:`~ordercycle.inventory.StockTransfer`) are domain values that live in their areas and
are stored the same way, one state event each.

A pick list is stored when it is released and when its picks are confirmed. Confirming
also stores one :class:`PickedOrder` per order on the list (that order's confirmed lines);
packing an order changes only its own :class:`PickedOrder`, so a pack reads and writes
the order's few lines, not the whole wave. The pick list the desk shows is the list with
the lines of its picked orders laid over it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from ordercycle.inventory.purchase_orders import PurchaseOrder
from ordercycle.inventory.transfers import StockTransfer
from ordercycle.invoicing.account import AccountEntry, CustomerAccount, PaymentSettlement
from ordercycle.invoicing.payments import Payment
from ordercycle.model.customer import Customer
from ordercycle.model.events import DomainEvent
from ordercycle.model.product import Product
from ordercycle.money import Money
from ordercycle.packing.shipment import Shipment
from ordercycle.picking.wave_pick_list import WavePickLine, WavePickList

__all__ = [
    "Account",
    "AccountChanged",
    "AccountDocumentPosted",
    "Backlog",
    "BacklogChanged",
    "CatalogueEntry",
    "CustomerRegistered",
    "DeskEvent",
    "DeskPaymentReceived",
    "InvoiceNumberAssigned",
    "InvoiceNumberTaken",
    "OpenOrder",
    "OpenOrderChanged",
    "OpenOrdersChanged",
    "OpenPickLists",
    "OpenPickListsChanged",
    "PaymentSettlementChanged",
    "PickListChanged",
    "PickedOrder",
    "PickedOrderChanged",
    "ProductRegistered",
    "Promotion",
    "PromotionChanged",
    "PromotionUse",
    "PromotionUsed",
    "PurchaseOrderChanged",
    "QuarantinedMessage",
    "QuarantinedMessageChanged",
    "ReturnRestock",
    "ReturnRestocked",
    "ShipmentChanged",
    "TransferChanged",
]


@attrs.frozen(kw_only=True)
class CatalogueEntry:
    """A product the desk sells, with its list price.

    Attributes:
        product: The product (dimensions, weight, handling).
        price: The unit price new order lines get.
        tax_code: The tax code of its order lines (empty: every rate of the profile).
        category: The product's category, which promotions may be scoped to (may be empty).
    """

    product: Product
    price: Money
    tax_code: str = ""
    category: str = ""


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
    lines: tuple[WavePickLine, ...]


@attrs.frozen(kw_only=True)
class Account:
    """A customer's open documents: what the credit check and payments read.

    Attributes:
        customer_id: The customer.
        open_order_ids: Orders placed and not yet fully invoiced or canceled. The desk
            keeps this list in a record of its own (``OpenOrdersChanged``), written only
            when an order opens or closes, so the account the credit check reads and
            writes stays the same size however many orders are open; ``desk.account()``
            fills it in. Accounts stored before hold the list here (read as it is, moved
            out at the first change of the list).
        open_invoice_ids: Invoices not yet settled, in order of issue.
        receivables: The sum of the open invoices' balances, moved by every invoice change
            (issue, payment, credit), so a credit check costs the same however many
            invoices are open. ``None`` until the desk first records an invoice change
            (and in accounts stored before the desk kept it: then it is summed once from
            the invoices).
        ledger: The customer's account ledger (:class:`~ordercycle.invoicing.CustomerAccount`):
            totals, open amounts per invoice and the credit on account; only what is
            open, never the history (each payment's settlement is a record of its own),
            so the record stays the same size over the years. ``None`` in accounts stored
            before the desk kept it: then it opens from the open invoices.
    """

    customer_id: str
    open_order_ids: tuple[str, ...] = ()
    open_invoice_ids: tuple[str, ...] = ()
    receivables: Money | None = None
    ledger: CustomerAccount | None = None
    exposure: Money | None = None

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

        ``receivables``, if given, replaces the open balance; otherwise it is kept. With
        nothing to add, drop or replace, it is this account itself.
        """
        if not (add_orders or drop_orders or add_invoices or drop_invoices) and receivables is None:
            return self  # most commands change no list: the caller compares by identity first
        orders = [o for o in (*self.open_order_ids, *add_orders) if o not in drop_orders]
        invoices = [i for i in (*self.open_invoice_ids, *add_invoices) if i not in drop_invoices]
        return Account(
            customer_id=self.customer_id,
            open_order_ids=tuple(dict.fromkeys(orders)),
            open_invoice_ids=tuple(dict.fromkeys(invoices)),
            receivables=self.receivables if receivables is None else receivables,
            ledger=self.ledger,
            exposure=self.exposure,
        )


@attrs.frozen(kw_only=True)
class ReturnRestock:
    """How a received return was restocked: the key that makes the restock happen once.

    The outbox reaction to a received return stores one of these under
    ``"<order id>/<return id>"`` in the same unit of work as the stock it puts back, at
    stream version 0: a second attempt (another dispatcher, a replay after a crash or a
    reset checkpoint) finds it and restocks nothing, and two attempts at once conflict.

    Attributes:
        order_id: The order the units were returned from.
        return_id: The return.
        sku: The product restocked.
        quantity: Units put back.
        bin: Where they were put.
        damaged: Whether they were kept as unavailable (damaged) stock.
    """

    order_id: str
    return_id: str
    sku: str
    quantity: int
    bin: str
    damaged: bool


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
class QuarantinedMessage:
    """An outbox message the desk's handlers could not handle, set aside with the reason.

    The dispatcher quarantines a message whose row cannot be decoded, or whose handler
    the domain refuses, or whose handler fails with another error ``attempts`` times in a
    row, and moves past it so later messages flow. It is kept under its position until
    someone retries it (:class:`~ordercycle.service.commands.RetryQuarantinedMessage`) or
    releases it (:class:`~ordercycle.service.commands.ReleaseQuarantinedMessage`).

    Attributes:
        position: The message's outbox position.
        kind: The kind of the aggregate that recorded the event.
        aggregate_id: The aggregate's id.
        version: The aggregate version after the event.
        event_type: The event's type name, as stored.
        reason: Why it was quarantined (the error, at most 500 characters).
        attempts: How often the handler was tried before it was set aside.
        status: ``"quarantined"``, ``"retried"`` (handled by a retry) or ``"released"``.
        note: What the person who retried or released it wrote.
    """

    position: int
    kind: str
    aggregate_id: str
    version: int
    event_type: str
    reason: str
    attempts: int = 1
    status: str = "quarantined"
    note: str = ""


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
    state: WavePickList


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
    """A customer's open orders, open invoices or ledger changed.

    Attributes:
        state: The whole account after the change.
        entries: The ledger entries the change posted (none in streams written before the
            desk kept a ledger): the stream is the account's journal.
    """

    event_type = "DeskAccountChanged"
    state: Account
    entries: tuple[AccountEntry, ...] = ()


@attrs.frozen(kw_only=True)
class PaymentSettlementChanged(DeskEvent):
    """What a payment settles on its customer's invoices changed (stored per payment).

    The account record keeps only what is open, so it stays small however many payments
    the customer ever made; what each payment settled, which a reversal undoes and
    ``desk.payment()`` shows, is kept here, keyed by the payment.

    Attributes:
        state: The payment's settlement after the change.
    """

    event_type = "DeskPaymentSettlementChanged"
    state: PaymentSettlement


@attrs.frozen(kw_only=True)
class AccountDocumentPosted(DeskEvent):
    """A refund or write-off id was posted to a customer's account (keyed
    ``"<customer id>/<document id>"``), so the same id is refused next time.

    Attributes:
        state: The kind of entry it posted (``"refund"``, ``"write_off"``).
    """

    event_type = "DeskAccountDocumentPosted"
    state: str


@attrs.frozen(kw_only=True)
class OpenOrder:
    """Whether one order counts among its customer's open orders (keyed by the order).

    Each order keeps its own record, so placing, invoicing or canceling one order writes
    a few bytes however many orders the customer has open; the customer's list is read
    from the ``open_orders`` view, where an open order's row carries the customer's term.

    Attributes:
        customer_id: The order's customer.
        since: When it was opened (the list is oldest first, ties by order id).
        open: ``False`` once it is fully invoiced or canceled.
    """

    customer_id: str
    since: datetime
    open: bool = True


@attrs.frozen(kw_only=True)
class OpenOrderChanged(DeskEvent):
    """An order was added to or dropped from its customer's open orders."""

    event_type = "DeskOpenOrderChanged"
    state: OpenOrder


@attrs.frozen(kw_only=True)
class OpenOrdersChanged(DeskEvent):
    """A customer's open orders changed (keyed by the customer): how releases before
    :class:`OpenOrder` kept them, the whole list in each event. Still read; no longer
    written.

    Attributes:
        state: The ids of the orders placed and not yet fully invoiced or canceled, in
            the order they were placed (see ``Account.open_order_ids``).
    """

    event_type = "DeskOpenOrdersChanged"
    state: tuple[str, ...]


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
class ReturnRestocked(DeskEvent):
    """A received return's units were put back in stock (see :class:`ReturnRestock`)."""

    event_type = "DeskReturnRestocked"
    state: ReturnRestock


@attrs.frozen(kw_only=True)
class QuarantinedMessageChanged(DeskEvent):
    """An outbox message was quarantined, retried or released (see :class:`QuarantinedMessage`)."""

    event_type = "DeskQuarantinedMessageChanged"
    state: QuarantinedMessage


@attrs.frozen(kw_only=True)
class InvoiceNumberTaken(DeskEvent):
    """The next invoice number was used (the series stream's version is the count)."""

    event_type = "DeskInvoiceNumberTaken"
    state: str


@attrs.frozen(kw_only=True)
class InvoiceNumberAssigned(DeskEvent):
    """An invoice was issued under a printed number (keyed by the number; ``state`` is
    the invoice id), so payments and queries can name an invoice by either."""

    event_type = "DeskInvoiceNumberAssigned"
    state: str


@attrs.frozen(kw_only=True)
class PurchaseOrderChanged(DeskEvent):
    """A purchase order was created, received (in part or in full) or canceled."""

    event_type = "DeskPurchaseOrderChanged"
    state: PurchaseOrder


@attrs.frozen(kw_only=True)
class TransferChanged(DeskEvent):
    """Units were sent between warehouses, or received at the other end."""

    event_type = "DeskTransferChanged"
    state: StockTransfer


@attrs.frozen(kw_only=True)
class Promotion:
    """A promotion code and its rule, with how many orders used it (issue 16).

    Attributes:
        code: What the customer types (``"SPRING10"``).
        percent: The percentage taken off what the promotion covers, or ``None``.
        amount: The amount taken off what it covers (allocated to the lines), or ``None``.
        scope: ``"order"`` (every line), ``"sku"`` (lines of ``target``) or
            ``"category"`` (lines of products in category ``target``).
        target: The sku or category of a scoped promotion (empty for ``"order"``).
        minimum_order: The least order value (after line prices and line discounts) it
            needs, or ``None``.
        valid_from: The first day it may be used (``None``: from registration).
        valid_until: The last day it may be used (``None``: no end).
        limit_per_customer: How many orders of one customer may use it (``None``: any).
        limit_total: How many orders may use it at all (``None``: any).
        used: How many orders used it. Which orders, per customer, is a
            :class:`PromotionUse` (so this record stays the same size however often the
            code is used).
    """

    code: str
    percent: Decimal | None = None
    amount: Money | None = None
    scope: str = "order"
    target: str = ""
    minimum_order: Money | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    limit_per_customer: int | None = None
    limit_total: int | None = None
    used: int = 0

    @property
    def kind(self) -> str:
        """``"percent"`` or ``"amount"``."""
        return "percent" if self.percent is not None else "amount"


@attrs.frozen(kw_only=True)
class PromotionUse:
    """The orders of one customer that used one promotion code, oldest first.

    Attributes:
        code: The promotion code.
        customer_id: The customer.
        order_ids: Their orders placed with the code.
    """

    code: str
    customer_id: str
    order_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class PromotionChanged(DeskEvent):
    """A promotion was registered, changed or used (its rule and count after the change)."""

    event_type = "DeskPromotionChanged"
    state: Promotion


@attrs.frozen(kw_only=True)
class PromotionUsed(DeskEvent):
    """A customer placed an order with a promotion code (their uses after it)."""

    event_type = "DeskPromotionUsed"
    state: PromotionUse
