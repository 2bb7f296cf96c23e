"""The desk's commands as plain values, so they can travel as JSON.

Every command is a frozen ``attrs`` class with an optional ``command_id``. Given a
command id, a command is idempotent: running it again returns the first result and
changes nothing; the same id with a different payload raises
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

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from ordercycle.errors import SerializationError, ValidationError
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
from ordercycle.serialization import from_dict, to_dict
from ordercycle.service.errors import UnknownCommandError

__all__ = [
    "COMMANDS",
    "AllocateOrder",
    "AuthorizeReturn",
    "CancelOrder",
    "Command",
    "ConfirmOrder",
    "ConfirmPicks",
    "DeliverShipment",
    "HoldOrder",
    "InvoiceOrder",
    "IssueCreditNote",
    "OrderItem",
    "PackOrder",
    "PlaceOrder",
    "ReceiveReturn",
    "ReceiveStock",
    "RecordPayment",
    "RegisterCustomer",
    "RegisterProduct",
    "ReleaseHold",
    "ReleaseWave",
    "RequestReturn",
    "ShipShipment",
    "Shortage",
    "command_payload",
    "parse_command",
]


@attrs.frozen(kw_only=True)
class Command:
    """Base of every command.

    Attributes:
        command_id: Makes the command idempotent when given (any id text).
    """

    name: ClassVar[str] = "command"
    #: Fields added after commands of this type were first recorded: left out of the
    #: payload while empty, so the hashes in existing command logs stay valid.
    added_later: ClassVar[tuple[str, ...]] = ()

    command_id: str | None = None


@attrs.frozen(kw_only=True)
class OrderItem:
    """One line of a new order: a product and a number of units."""

    sku: str
    quantity: int


@attrs.frozen(kw_only=True)
class Shortage:
    """Units of an allocation (``"<order>/<line>"``) the picker did not find."""

    reference: str
    quantity: int


@attrs.frozen(kw_only=True)
class RegisterCustomer(Command):
    """Register a customer (their tax profile must be one of the desk's)."""

    name: ClassVar[str] = "register customer"
    customer: Customer


@attrs.frozen(kw_only=True)
class RegisterProduct(Command):
    """Add a product to the catalogue with its unit price."""

    name: ClassVar[str] = "register product"
    product: Product
    price: Money
    tax_code: str = ""


@attrs.frozen(kw_only=True)
class ReceiveStock(Command):
    """Receive units of a product into a bin (waiting backorders are then allocated).

    ``lot`` names the lot the units belong to: a new lot is received today and expires on
    ``expires_on`` (``None``: it does not expire); a lot received before keeps its dates.
    Without a lot the units carry none.
    """

    name: ClassVar[str] = "receive stock"
    added_later: ClassVar[tuple[str, ...]] = ("lot", "expires_on")
    sku: str
    bin: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None


def _priority(value: Any) -> Any:
    """A :class:`Priority` from its number; anything else is left for the validator."""
    if isinstance(value, int) and not isinstance(value, bool | Priority):
        try:
            return Priority(value)
        except ValueError:
            return value
    return value


def _check_priority(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, Priority):
        options = ", ".join(str(member.value) for member in Priority)
        raise ValidationError.invalid("place order", "priority", value, f"one of {options}")


def _check_requested_date(_instance: Any, _attribute: Any, value: Any) -> None:
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise ValidationError.invalid(
            "place order", "requested delivery date", value, "a date or None"
        )


@attrs.frozen(kw_only=True)
class PlaceOrder(Command):
    """Create and place an order for a customer at catalogue prices.

    ``priority`` and ``requested_delivery_date`` decide which waiting order a receipt
    serves first: higher priority, then the earlier requested date (none last), then the
    older order.
    """

    name: ClassVar[str] = "place order"
    customer_id: str
    items: tuple[OrderItem, ...]
    order_id: str | None = None
    payment_terms: str = ""
    invoice_policy: InvoicePolicy = InvoicePolicy.ORDERED
    shipping_policy: ShippingPolicy = ShippingPolicy.SHIP_AS_AVAILABLE
    priority: Priority = attrs.field(
        default=Priority.NORMAL, converter=_priority, validator=_check_priority
    )
    requested_delivery_date: date | None = attrs.field(
        default=None, validator=_check_requested_date
    )


@attrs.frozen(kw_only=True)
class ConfirmOrder(Command):
    """Confirm a placed order; over the credit limit it is put on a credit hold."""

    name: ClassVar[str] = "confirm order"
    order_id: str


@attrs.frozen(kw_only=True)
class HoldOrder(Command):
    """Put a hold on an order."""

    name: ClassVar[str] = "hold order"
    order_id: str
    reason: HoldReason
    by: str = "desk"
    note: str = ""


@attrs.frozen(kw_only=True)
class ReleaseHold(Command):
    """Take a hold off an order."""

    name: ClassVar[str] = "release hold"
    order_id: str
    reason: HoldReason
    by: str = "desk"
    note: str = ""


@attrs.frozen(kw_only=True)
class AllocateOrder(Command):
    """Allocate stock to the open and backordered units of an order (the planner decides)."""

    name: ClassVar[str] = "allocate order"
    order_id: str


@attrs.frozen(kw_only=True)
class ReleaseWave(Command):
    """Release orders to one warehouse: one pick list with a routed walk."""

    name: ClassVar[str] = "release wave"
    warehouse: str
    order_ids: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ConfirmPicks(Command):
    """Confirm a pick list; shortages go back to backorder."""

    name: ClassVar[str] = "confirm picks"
    pick_list_id: str
    shortages: tuple[Shortage, ...] = ()


@attrs.frozen(kw_only=True)
class PackOrder(Command):
    """Pack the units of an order picked on a pick list into cartons (one shipment)."""

    name: ClassVar[str] = "pack order"
    order_id: str
    pick_list_id: str


@attrs.frozen(kw_only=True)
class ShipShipment(Command):
    """Hand a packed shipment to the carrier."""

    name: ClassVar[str] = "ship shipment"
    shipment_id: str
    tracking_number: str
    carrier: str = ""


@attrs.frozen(kw_only=True)
class DeliverShipment(Command):
    """Record that a shipment arrived (the order completes when everything has)."""

    name: ClassVar[str] = "deliver shipment"
    shipment_id: str


@attrs.frozen(kw_only=True)
class InvoiceOrder(Command):
    """Invoice what the order's invoice policy allows, on the customer's terms."""

    name: ClassVar[str] = "invoice order"
    order_id: str


@attrs.frozen(kw_only=True)
class RecordPayment(Command):
    """Record a customer payment, applied to their invoices oldest due first.

    ``invoice_ids`` is the remittance advice: the invoices the customer says the payment
    is for. Given, the payment goes to those only (oldest due first among them; what they
    cannot take stays unapplied as the customer's credit); empty, to every open invoice.
    """

    name: ClassVar[str] = "record payment"
    added_later: ClassVar[tuple[str, ...]] = ("invoice_ids",)
    customer_id: str
    amount: Money
    paid_on: date | None = None
    payment_id: str | None = None
    invoice_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RequestReturn(Command):
    """Open a return for delivered units of an order line."""

    name: ClassVar[str] = "request return"
    order_id: str
    line_id: str
    quantity: int
    reason: str


@attrs.frozen(kw_only=True)
class AuthorizeReturn(Command):
    """Authorize a requested return, with an optional restocking-fee rate (0 <= r < 1)."""

    name: ClassVar[str] = "authorize return"
    order_id: str
    return_id: str
    restocking_fee_rate: Decimal = Decimal(0)


@attrs.frozen(kw_only=True)
class ReceiveReturn(Command):
    """Receive an authorized return; resellable units are restocked."""

    name: ClassVar[str] = "receive return"
    order_id: str
    return_id: str
    condition: ReturnCondition


@attrs.frozen(kw_only=True)
class IssueCreditNote(Command):
    """Credit a received return against the invoice that billed it."""

    name: ClassVar[str] = "issue credit note"
    order_id: str
    return_id: str


@attrs.frozen(kw_only=True)
class CancelOrder(Command):
    """Cancel an order; its reserved and picked stock goes back."""

    name: ClassVar[str] = "cancel order"
    order_id: str
    reason: str = ""


COMMANDS: Final[Mapping[str, type[Command]]] = MappingProxyType(
    {
        cls.__name__: cls
        for cls in sorted(
            (
                AllocateOrder,
                AuthorizeReturn,
                CancelOrder,
                ConfirmOrder,
                ConfirmPicks,
                DeliverShipment,
                HoldOrder,
                InvoiceOrder,
                IssueCreditNote,
                PackOrder,
                PlaceOrder,
                ReceiveReturn,
                ReceiveStock,
                RecordPayment,
                RegisterCustomer,
                RegisterProduct,
                ReleaseHold,
                ReleaseWave,
                RequestReturn,
                ShipShipment,
            ),
            key=lambda c: c.__name__,
        )
    }
)
"""Every command class by its type name (the ``"type"`` of the JSON envelope)."""


def command_payload(command: Command) -> dict[str, Any]:
    """The JSON data that identifies a command: its fields and type, without the command id.

    Two commands with equal payloads are the same command; the command log stores the
    hash of this payload.
    """
    data = to_dict(command)
    data.pop("command_id", None)
    for name in command.added_later:
        if not data.get(name):
            data.pop(name, None)
    data["type"] = type(command).__name__
    return dict(data)


def parse_command(text: str | bytes | Mapping[str, Any]) -> Command:
    """Read a command from JSON text (or already parsed data) ``{"type": ..., ...}``.

    Raises:
        SerializationError: The text is not JSON, not an object, has no ``"type"``, or a
            field is missing, unknown or of the wrong type (``message @ $.path``).
        UnknownCommandError: ``"type"`` names no command.
    """
    if isinstance(text, Mapping):
        data: Any = dict(text)
    else:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise SerializationError(
                f"Cannot read a command from {_clip(text)}: it is not JSON ({error});"
                ' expected an object such as {"type": "ConfirmOrder", "order_id": "O-1"}.',
                problems=[("$", str(error))],
            ) from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise SerializationError(
            f"Cannot read a command from {_clip(data)}: expected a JSON object with a"
            ' "type" naming a command.',
            problems=[("$.type", "missing or not a string")],
        )
    kind = data.pop("type")
    cls = COMMANDS.get(kind)
    if cls is None:
        raise UnknownCommandError(kind, COMMANDS)
    return from_dict(data, cls)


def _clip(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
