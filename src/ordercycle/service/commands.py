"""The desk's commands as plain values, so they can travel as JSON: import them from here.

Every command is a frozen ``attrs`` class with an optional ``command_id``; defining one
registers it in :data:`COMMANDS`, the command table, under its class name. The desk runs
each with the handler that declares it, and has one method named after it
(``PlaceOrder`` -> ``OrderDesk.place_order``). Given a command id, a command is
idempotent: running it again returns the first result and changes nothing; the same id
with a different payload raises
:class:`~ordercycle.storage.errors.CommandPayloadMismatchError`.

:func:`parse_command` reads the JSON envelope ``{"type": "PlaceOrder", ...}`` through the
library's serializer, so malformed input raises a
:class:`~ordercycle.errors.SerializationError` naming every problem as ``message @ $.path``.

>>> command = parse_command('{"type": "ConfirmOrder", "order_id": "O-1", "command_id": "c-1"}')
>>> command
ConfirmOrder(command_id='c-1', order_id='O-1')
>>> command_payload(command)
{'order_id': 'O-1', 'type': 'ConfirmOrder'}
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Final

import attrs

from ordercycle.model.address import Address
from ordercycle.model.customer import Customer
from ordercycle.model.order.policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ShippingPolicy,
)
from ordercycle.model.product import Product
from ordercycle.money import Money
from ordercycle.service._amendments import OrderAmendment, as_amendments
from ordercycle.service._command_fields import (
    OrderItem,
    PurchaseItem,
    ReceivedItem,
    Shortage,
    as_hold_reason,
    as_ids,
    as_invoice_policy,
    as_order_items,
    as_priority,
    as_purchase_items,
    as_rate,
    as_received_items,
    as_return_condition,
    as_shipping_policy,
    as_shortages,
    check_priority,
    check_requested_date,
)
from ordercycle.service._command_table import COMMANDS, Command, command_payload, parse_command
from ordercycle.service._pricing_fields import (
    DiscountRequest,
    PriceOverride,
    as_discount_requests,
    as_money_or_none,
    as_percent,
    as_price_overrides,
)

__all__ = [
    "COMMANDS",
    "AllocateOrder",
    "AmendOrder",
    "ApplyCredit",
    "AuthorizeReturn",
    "CancelOrder",
    "CancelOrderLine",
    "CancelPurchaseOrder",
    "ChangeShippingMethod",
    "Command",
    "ConfirmOrder",
    "ConfirmPicks",
    "CountStock",
    "CreateDraftOrder",
    "CreatePurchaseOrder",
    "DeliverShipment",
    "DiscountRequest",
    "ExpireOrder",
    "HoldOrder",
    "InvoiceOrder",
    "IssueCreditNote",
    "MoveStock",
    "OrderAmendment",
    "OrderItem",
    "PackOrder",
    "PlaceDraftOrder",
    "PlaceOrder",
    "PriceOverride",
    "PurchaseItem",
    "ReceivePurchaseOrder",
    "ReceiveReturn",
    "ReceiveStock",
    "ReceiveTransfer",
    "ReceivedItem",
    "RecordPayment",
    "RefundCredit",
    "RegisterCustomer",
    "RegisterProduct",
    "RegisterPromotion",
    "ReleaseHold",
    "ReleaseQuarantinedMessage",
    "ReleaseStock",
    "ReleaseWave",
    "RequestReturn",
    "RetryQuarantinedMessage",
    "ReversePayment",
    "ScrapStock",
    "SendQuote",
    "ShipShipment",
    "Shortage",
    "TransferStock",
    "UpdateDraftOrder",
    "WriteOffBalance",
    "command_payload",
    "parse_command",
]


# --- the commands ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _OrderCommand(Command, abstract=True):
    """A command on one existing order."""

    order_id: str


@attrs.frozen(kw_only=True)
class _HoldCommand(_OrderCommand, abstract=True):
    """A change to one hold on an order."""

    reason: HoldReason = attrs.field(converter=as_hold_reason)
    by: str = "desk"
    note: str = ""


@attrs.frozen(kw_only=True)
class _ReturnCommand(_OrderCommand, abstract=True):
    """A step of one return of an order."""

    return_id: str


@attrs.frozen(kw_only=True)
class _ShipmentCommand(Command, abstract=True):
    """A command on one packed shipment."""

    shipment_id: str


@attrs.frozen(kw_only=True)
class RegisterCustomer(Command):
    """Register a customer (their tax profile must be one of the desk's)."""

    customer: Customer


@attrs.frozen(kw_only=True)
class RegisterProduct(Command):
    """Add a product to the catalogue with its unit price (and a category for promotions)."""

    added_later: ClassVar[tuple[str, ...]] = ("category",)
    product: Product
    price: Money
    tax_code: str = ""
    category: str = ""


@attrs.frozen(kw_only=True)
class ReceiveStock(Command):
    """Receive units of a product into a bin (waiting backorders are then allocated).

    ``lot`` names the lot the units belong to: a new lot is received today and expires on
    ``expires_on`` (``None``: it does not expire); a lot received before keeps its dates.
    Without a lot the units carry none.
    """

    added_later: ClassVar[tuple[str, ...]] = ("lot", "expires_on")
    sku: str
    bin: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None


_ENTRY_FIELDS: Final = (
    "channel",
    "currency",
    "shipping_address",
    "shipping_address_index",
    "billing_address",
    "shipping_method",
)


@attrs.frozen(kw_only=True)
class _OrderEntry(Command, abstract=True):
    """The header an order is entered with, shared by :class:`PlaceOrder` and
    :class:`CreateDraftOrder` (both checked by one function, ``_orders.new_order``)."""

    customer_id: str
    order_id: str | None = None
    payment_terms: str = ""
    invoice_policy: InvoicePolicy = attrs.field(
        default=InvoicePolicy.ORDERED, converter=as_invoice_policy
    )
    shipping_policy: ShippingPolicy = attrs.field(
        default=ShippingPolicy.SHIP_AS_AVAILABLE, converter=as_shipping_policy
    )
    priority: Priority = attrs.field(
        default=Priority.NORMAL, converter=as_priority, validator=check_priority
    )
    requested_delivery_date: date | None = attrs.field(default=None, validator=check_requested_date)
    # --- order entry (issue 16): channel, currency and addresses; see _order_entry
    channel: str = ""
    currency: str = ""
    shipping_address: Address | None = None
    shipping_address_index: int | None = None
    billing_address: Address | None = None
    shipping_method: str = ""


@attrs.frozen(kw_only=True)
class PlaceOrder(_OrderEntry):
    """Create and place an order for a customer at catalogue prices.

    ``items`` is a tuple of :class:`OrderItem` (``{sku: units}`` or ``(sku, units)`` pairs
    are accepted too). ``priority`` and ``requested_delivery_date`` decide which waiting
    order a receipt serves first: higher priority, then the earlier requested date (none
    last), then the older order.

    Order entry: ``channel`` is the sales channel (``"direct"`` when empty); ``currency``
    the order's currency (the customer's account currency when empty; every product's
    price must be in it); ``shipping_address`` a new ship-to address or
    ``shipping_address_index`` one of the customer's by position (their default when
    neither); ``billing_address`` a new bill-to address (the customer's when omitted);
    ``shipping_method`` one of the desk's shipping methods, whose rate for each shipment's
    cartons is billed as freight when it ships (none when empty).

    Pricing (see the how-to *Discounts, promotions and price overrides*): lines are
    ``L1``, ``L2``, ... in the order of ``items``. ``price_overrides`` (tuple of
    :class:`PriceOverride`) sets a line's unit price instead of the catalogue's, with a
    reason; ``discounts`` (tuple of :class:`DiscountRequest`) takes a
    percentage or an amount off a line or off the whole order, with a reason code;
    ``promotion_code`` applies a promotion registered with :class:`RegisterPromotion`.
    """

    added_later: ClassVar[tuple[str, ...]] = (
        *_ENTRY_FIELDS,
        "price_overrides",
        "discounts",
        "promotion_code",
    )
    items: tuple[OrderItem, ...] = attrs.field(converter=as_order_items)
    # --- pricing (issue 16): price overrides, discounts, promotion codes
    price_overrides: tuple[PriceOverride, ...] = attrs.field(
        default=(), converter=as_price_overrides
    )
    discounts: tuple[DiscountRequest, ...] = attrs.field(default=(), converter=as_discount_requests)
    promotion_code: str | None = None


@attrs.frozen(kw_only=True)
class RegisterPromotion(Command):
    """Register (or change) a promotion code and its rule; orders use it by its code.

    Exactly one of ``percent`` (``10`` is 10 %) and ``amount`` (off what the promotion
    covers, allocated to its lines). ``scope`` is ``"order"``, ``"sku"`` or ``"category"``
    (``target`` names the sku or category). ``minimum_order`` is the least order value
    it needs; ``valid_from``/``valid_until`` the first and last days it may be used;
    ``limit_per_customer``/``limit_total`` how many orders may use it. Changing a
    promotion keeps the uses counted so far.
    """

    code: str
    percent: Decimal | None = attrs.field(default=None, converter=as_percent)
    amount: Money | None = attrs.field(default=None, converter=as_money_or_none)
    scope: str = "order"
    target: str = ""
    minimum_order: Money | None = attrs.field(default=None, converter=as_money_or_none)
    valid_from: date | None = None
    valid_until: date | None = None
    limit_per_customer: int | None = None
    limit_total: int | None = None


@attrs.frozen(kw_only=True)
class ConfirmOrder(_OrderCommand):
    """Confirm a placed order; over the credit limit it is put on a credit hold."""


@attrs.frozen(kw_only=True)
class HoldOrder(_HoldCommand):
    """Put a hold on an order."""


@attrs.frozen(kw_only=True)
class ReleaseHold(_HoldCommand):
    """Take a hold off an order."""


@attrs.frozen(kw_only=True)
class AllocateOrder(_OrderCommand):
    """Allocate stock to the open and backordered units of an order (the planner decides)."""


@attrs.frozen(kw_only=True)
class ReleaseWave(Command):
    """Release orders to one warehouse: one pick list with a routed walk."""

    warehouse: str
    order_ids: tuple[str, ...] = attrs.field(converter=as_ids)


@attrs.frozen(kw_only=True)
class ConfirmPicks(Command):
    """Confirm a pick list; shortages go back to backorder.

    ``shortages`` may also be given as ``{"<order>/<line>": units not found}``.
    """

    pick_list_id: str
    shortages: tuple[Shortage, ...] = attrs.field(default=(), converter=as_shortages)


@attrs.frozen(kw_only=True)
class PackOrder(_OrderCommand):
    """Pack the units of an order picked on a pick list into cartons (one shipment)."""

    pick_list_id: str


@attrs.frozen(kw_only=True)
class ShipShipment(_ShipmentCommand):
    """Hand a packed shipment to the carrier."""

    tracking_number: str
    carrier: str = ""


@attrs.frozen(kw_only=True)
class DeliverShipment(_ShipmentCommand):
    """Record that a shipment arrived (the order completes when everything has)."""


@attrs.frozen(kw_only=True)
class InvoiceOrder(_OrderCommand):
    """Invoice what the order's invoice policy allows, on the customer's terms."""


@attrs.frozen(kw_only=True)
class RecordPayment(Command):
    """Record a customer payment, applied to their invoices oldest due first.

    ``invoice_ids`` is the remittance advice: the invoices the customer says the payment
    is for. Given, the payment goes to those only (oldest due first among them; what they
    cannot take stays unapplied as the customer's credit); empty, to every open invoice.
    """

    added_later: ClassVar[tuple[str, ...]] = ("invoice_ids",)
    customer_id: str
    amount: Money
    paid_on: date | None = None
    payment_id: str | None = None
    invoice_ids: tuple[str, ...] = attrs.field(default=(), converter=as_ids)


@attrs.frozen(kw_only=True)
class ApplyCredit(Command):
    """Apply a customer's credit (cash on account, unapplied credit notes) to open invoices.

    ``invoice_ids`` (ids or printed numbers) chooses the invoices, in that order; empty,
    every open invoice, oldest first. ``source_ids`` chooses the payments or credit notes
    whose credit is used; empty, all of it, oldest first. ``amount`` limits what is applied
    (``None``: as much as the credit and the invoices allow). Refused, and nothing written,
    when it asks for more than the credit or the invoices hold.
    """

    customer_id: str
    amount: Money | None = None
    invoice_ids: tuple[str, ...] = attrs.field(default=(), converter=as_ids)
    source_ids: tuple[str, ...] = attrs.field(default=(), converter=as_ids)
    applied_on: date | None = None


@attrs.frozen(kw_only=True)
class RefundCredit(Command):
    """Pay a customer's credit back (``method``: how, ``reference``: the bank or card
    reference); refused when it is more than the credit chosen (``source_ids``, or all)."""

    customer_id: str
    amount: Money
    method: str
    reference: str
    refund_id: str | None = None
    source_ids: tuple[str, ...] = attrs.field(default=(), converter=as_ids)
    refunded_on: date | None = None


@attrs.frozen(kw_only=True)
class WriteOffBalance(Command):
    """Write off a small rest: what is open on an invoice (id or printed number), or the
    credit left on a payment or credit note, if it is within the desk's
    ``write_off_tolerance``; refused (nothing written) above it."""

    customer_id: str
    document_id: str
    reason: str = ""
    write_off_id: str | None = None
    written_off_on: date | None = None


@attrs.frozen(kw_only=True)
class ReversePayment(Command):
    """Take back a payment recorded by mistake (a wrong customer, a bounced transfer); all
    of it must still be on account (refused, nothing written, once any was applied)."""

    customer_id: str
    payment_id: str
    reason: str
    reversed_on: date | None = None


@attrs.frozen(kw_only=True)
class RequestReturn(_OrderCommand):
    """Open a return for delivered units of an order line."""

    line_id: str
    quantity: int
    reason: str


@attrs.frozen(kw_only=True)
class AuthorizeReturn(_ReturnCommand):
    """Authorize a requested return, with an optional restocking-fee rate (0 <= r < 1)."""

    restocking_fee_rate: Decimal = attrs.field(default=Decimal(0), converter=as_rate)


@attrs.frozen(kw_only=True)
class ReceiveReturn(_ReturnCommand):
    """Receive an authorized return; resellable units are restocked."""

    condition: ReturnCondition = attrs.field(
        default=ReturnCondition.RESELLABLE, converter=as_return_condition
    )


@attrs.frozen(kw_only=True)
class IssueCreditNote(_ReturnCommand):
    """Credit a received return against the invoice that billed it."""


@attrs.frozen(kw_only=True)
class CancelOrder(_OrderCommand):
    """Cancel an order; its reserved and picked stock goes back."""

    reason: str = ""


# --- drafts and quotes (issue 16) ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CreateDraftOrder(_OrderEntry):
    """Create a draft order at catalogue prices, to edit, quote and place later.

    The fields are those of :class:`PlaceOrder` (``items`` may be empty) and are checked
    the same way. Edit its lines with :class:`AmendOrder` and its header with
    :class:`UpdateDraftOrder`, send it as a quote with :class:`SendQuote`, place it with
    :class:`PlaceDraftOrder` or abandon it with :class:`ExpireOrder`. A draft does not
    count towards the customer's open orders or credit exposure until it is placed.
    """

    items: tuple[OrderItem, ...] = attrs.field(default=(), converter=as_order_items)


@attrs.frozen(kw_only=True)
class UpdateDraftOrder(_OrderCommand):
    """Change the header of a draft or quote; a field left empty (or ``None``) stays.

    ``shipping_address`` or ``shipping_address_index`` (one of the customer's) replaces the
    ship-to address, ``billing_address`` the bill-to address. ``clear_requested_delivery_date``
    removes the requested date. Lines are edited with :class:`AmendOrder`.
    """

    channel: str = ""
    payment_terms: str = ""
    requested_delivery_date: date | None = attrs.field(default=None, validator=check_requested_date)
    clear_requested_delivery_date: bool = False
    shipping_address: Address | None = None
    shipping_address_index: int | None = None
    billing_address: Address | None = None


@attrs.frozen(kw_only=True)
class SendQuote(_OrderCommand):
    """Send a draft (or a revised quote) to the customer, valid until ``valid_until``.

    The order moves to ``quoted``; it can still be edited, sent again with a new date,
    placed with :class:`PlaceDraftOrder` on or before ``valid_until`` (later is refused
    with :class:`~ordercycle.model.order.errors.QuoteExpiredError`), or expired.
    """

    valid_until: date


@attrs.frozen(kw_only=True)
class ExpireOrder(_OrderCommand):
    """Abandon a draft or quote that will not be placed (final state ``expired``)."""


@attrs.frozen(kw_only=True)
class PlaceDraftOrder(_OrderCommand):
    """Place a draft or a quote still valid, at the prices it carries.

    From here the order goes on exactly like one placed with :class:`PlaceOrder`:
    confirm, allocate, release and so on.
    """


@attrs.frozen(kw_only=True)
class ChangeShippingMethod(_OrderCommand):
    """Choose the shipping method of an order (``""``: none, no freight), before packing.

    The method's rate for the cartons of each later shipment is billed as freight when the
    shipment ships; shipments already shipped keep their freight. Refused while units are
    packed and not shipped yet.
    """

    shipping_method: str


# --- changes after confirmation (issue 16) ------------------------------------------------


@attrs.frozen(kw_only=True)
class CancelOrderLine(_OrderCommand):
    """Cancel the remaining units of one line (also after part of it shipped).

    ``quantity`` units are canceled (``None``: every unit not yet picked). Only units not
    yet picked and not on an open pick list can be canceled; their reserved stock is
    released. Units already invoiced are credited first (one credit note per invoice), and
    an order with nothing left to ship or deliver reaches its final state.
    """

    line_id: str
    quantity: int | None = None
    reason: str = ""


@attrs.frozen(kw_only=True)
class AmendOrder(_OrderCommand):
    """Change an order after confirmation: quantities, lines added or removed, ship-to.

    ``changes`` is a tuple of :class:`OrderAmendment` (or mappings of their fields), applied
    together as the order's next revision or not at all. Units taken away release their
    stock (and are credited if invoiced); units added are allocated (or backordered) and,
    when the order was invoiced before under the ``ordered`` policy, billed on an extra
    invoice.
    """

    changes: tuple[OrderAmendment, ...] = attrs.field(converter=as_amendments)
    note: str = ""


# --- stock operations (issue 16) -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class _BinCommand(Command, abstract=True):
    """A command on the stock of one product in one bin (optionally one lot)."""

    sku: str
    bin: str
    lot: str | None = None


@attrs.frozen(kw_only=True)
class CountStock(_BinCommand):
    """Record a count of a bin: the difference from the books posts an adjustment.

    A count below what the books hold first writes off units on hold there (they are the
    ones missing), then takes the rest from allocations, whose order lines go back to
    backorder (nothing is oversold); a count above the books adds free units.
    """

    counted: int
    reason: str = "cycle count"


@attrs.frozen(kw_only=True)
class ReleaseStock(_BinCommand):
    """Make units unavailable for ``reason`` (a quality hold by default) available again."""

    quantity: int
    reason: str = "quality_hold"


@attrs.frozen(kw_only=True)
class ScrapStock(_BinCommand):
    """Write units off for good: those unavailable for ``reason`` first, then free units."""

    quantity: int
    reason: str = "damaged"


@attrs.frozen(kw_only=True)
class MoveStock(Command):
    """Move free units of a product from one bin to another."""

    sku: str
    from_bin: str
    to_bin: str
    quantity: int
    lot: str | None = None


# --- purchase orders and transfers (issue 16) ----------------------------------------------


@attrs.frozen(kw_only=True)
class CreatePurchaseOrder(Command):
    """Order units from a supplier for one warehouse, each line expected on a date.

    ``lines`` is a tuple of :class:`PurchaseItem` (or mappings of their fields), one per
    product. Each line's units are announced to the stock ledger as a scheduled receipt,
    which available-to-promise and backorder promises count as incoming from its date.
    """

    purchase_order_id: str
    supplier: str
    warehouse: str
    lines: tuple[PurchaseItem, ...] = attrs.field(converter=as_purchase_items)


@attrs.frozen(kw_only=True)
class ReceivePurchaseOrder(Command):
    """Receive units of a purchase order into bins of its warehouse (in one or more parts).

    ``lines`` is a tuple of :class:`ReceivedItem` (or mappings of their fields). Units move
    from incoming to on hand and waiting backorders are served. More units of a product
    than are still open on its line are refused (receive a surplus with ``ReceiveStock``);
    fewer leave the rest open.
    """

    purchase_order_id: str
    lines: tuple[ReceivedItem, ...] = attrs.field(converter=as_received_items)


@attrs.frozen(kw_only=True)
class CancelPurchaseOrder(Command):
    """Cancel the units of a purchase order still expected (those received stay)."""

    purchase_order_id: str
    reason: str


@attrs.frozen(kw_only=True)
class TransferStock(Command):
    """Send free units of a product from a bin of one warehouse to a bin of another.

    The units leave the source bin at once and are in transit (counted as incoming at the
    target, not available anywhere) until :class:`ReceiveTransfer`. ``transfer_id`` names
    the transfer (a new id when omitted); ``expected_on`` is when it should arrive (today
    when omitted).
    """

    sku: str
    from_bin: str
    to_bin: str
    quantity: int
    lot: str | None = None
    transfer_id: str | None = None
    expected_on: date | None = None


@attrs.frozen(kw_only=True)
class ReceiveTransfer(Command):
    """Receive every unit of a transfer in transit into its target bin."""

    transfer_id: str


# --- quarantined outbox messages (issue 14) ---------------------------------------------------


@attrs.frozen(kw_only=True)
class RetryQuarantinedMessage(Command):
    """Run the desk's handler again on a quarantined outbox message (by its position).

    When the handler now succeeds its effect commits with the message marked
    ``"retried"``; when it still fails the command is refused and nothing is written.
    """

    position: int
    note: str = ""


@attrs.frozen(kw_only=True)
class ReleaseQuarantinedMessage(Command):
    """Let a quarantined outbox message go without handling it; ``note`` says why."""

    position: int
    note: str = ""
