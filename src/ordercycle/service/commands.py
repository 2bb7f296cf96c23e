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
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, ClassVar, Final, TypeVar

import attrs

from ordercycle.errors import SerializationError, ValidationError
from ordercycle.model.customer import Customer
from ordercycle.model.order_policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ShippingPolicy,
)
from ordercycle.model.product import Product
from ordercycle.money import Money
from ordercycle.serialization import from_dict, to_dict
from ordercycle.service.errors import DuplicateCommandError, UnknownCommandError

E = TypeVar("E", bound=Enum)

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

# Kept sorted by name, so that COMMANDS, a live view of it, lists the commands in order.
_REGISTRY: dict[str, type[Command]] = {}

COMMANDS: Final[Mapping[str, type[Command]]] = MappingProxyType(_REGISTRY)
"""Every command class by its type name (the ``"type"`` of the JSON envelope), sorted.

A read-only, live view of the table that :class:`Command` subclasses register in.
"""


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _words(type_name: str) -> str:
    """``"IssueCreditNote"`` -> ``"issue credit note"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()


@attrs.frozen(kw_only=True)
class Command:
    """Base of every command.

    Subclass it with ``@attrs.frozen(kw_only=True)``; the subclass registers itself in
    :data:`COMMANDS` under its class name, which is its stable JSON type name (it is
    hashed into stored command logs: never rename a command). Pass ``abstract=True`` in
    the class statement for a base that shares fields and is not a command itself.

    A new command is then one class here, one handler declared with ``@handles`` in the
    service's handler modules, and one method of :class:`~ordercycle.service.OrderDesk`
    named after the class (``PlaceOrder`` -> ``place_order``); tests check all three.

    Attributes:
        command_id: Makes the command idempotent when given (any id text).
        name: What the command does in words, from the class name (``"place order"``).
        added_later: Fields added after commands of this type were first recorded: left
            out of the payload while empty, so the hashes in existing command logs stay
            valid.

    Raises:
        DuplicateCommandError: At class definition, if another class already registered
            the same class name.
    """

    name: ClassVar[str] = "command"
    added_later: ClassVar[tuple[str, ...]] = ()

    command_id: str | None = None

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            # Kept in the class body, so that the slotted class attrs builds from this one
            # (which runs this hook again, without arguments) stays abstract.
            cls._command_abstract = True  # type: ignore[attr-defined]
        if cls.__dict__.get("_command_abstract", False):
            return
        if "name" not in cls.__dict__:
            cls.name = _words(cls.__name__)
        existing = _REGISTRY.get(cls.__name__)
        if existing is not None and _dotted(existing) != _dotted(cls):
            raise DuplicateCommandError(cls.__name__, _dotted(existing), _dotted(cls))
        # Same module and qualified name: the slotted class attrs rebuilt from the class
        # statement (or a module reloaded); the newest definition wins.
        table = {**_REGISTRY, cls.__name__: cls}
        _REGISTRY.clear()
        _REGISTRY.update(sorted(table.items()))

    @classmethod
    def _unregister(cls, type_name: str) -> None:
        """Forget a registered command (for tests that define throwaway commands)."""
        _REGISTRY.pop(type_name, None)


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


# --- converters: the desk's shortcuts pass what a caller types, the command keeps values ---


def _member(kind: type[E], value: object, action: str, field: str) -> E:
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(repr(member.value) for member in kind)
        raise ValidationError.invalid(action, field, value, f"one of {options}") from None


def _invoice_policy(value: InvoicePolicy | str) -> InvoicePolicy:
    return _member(InvoicePolicy, value, "place order", "invoice policy")


def _shipping_policy(value: ShippingPolicy | str) -> ShippingPolicy:
    return _member(ShippingPolicy, value, "place order", "shipping policy")


def _hold_reason(value: HoldReason | str) -> HoldReason:
    return _member(HoldReason, value, "hold", "reason")


def _return_condition(value: ReturnCondition | str) -> ReturnCondition:
    return _member(ReturnCondition, value, "receive return", "condition")


def _priority(value: Priority | int) -> Any:
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


def _order_items(
    value: Mapping[str, int] | Iterable[OrderItem | tuple[str, int]],
) -> tuple[OrderItem, ...]:
    """``{sku: units}``, ``(sku, units)`` pairs or :class:`OrderItem` values, as items."""
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(
        item if isinstance(item, OrderItem) else OrderItem(sku=item[0], quantity=item[1])
        for item in pairs
    )


def _shortages(value: Mapping[str, int] | Iterable[Shortage]) -> tuple[Shortage, ...]:
    """``{"<order>/<line>": units}`` or :class:`Shortage` values, as shortages."""
    if isinstance(value, Mapping):
        return tuple(Shortage(reference=r, quantity=q) for r, q in value.items())
    return tuple(value)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _rate(value: Decimal | str | int) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError.invalid(
            "authorize return", "restocking fee rate", value, "a decimal number"
        ) from None


# --- the commands ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _OrderCommand(Command, abstract=True):
    """A command on one existing order."""

    order_id: str


@attrs.frozen(kw_only=True)
class _HoldCommand(_OrderCommand, abstract=True):
    """A change to one hold on an order."""

    reason: HoldReason = attrs.field(converter=_hold_reason)
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
    """Add a product to the catalogue with its unit price."""

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

    added_later: ClassVar[tuple[str, ...]] = ("lot", "expires_on")
    sku: str
    bin: str
    quantity: int
    lot: str | None = None
    expires_on: date | None = None


@attrs.frozen(kw_only=True)
class PlaceOrder(Command):
    """Create and place an order for a customer at catalogue prices.

    ``items`` is a tuple of :class:`OrderItem` (``{sku: units}`` or ``(sku, units)`` pairs
    are accepted too). ``priority`` and ``requested_delivery_date`` decide which waiting
    order a receipt serves first: higher priority, then the earlier requested date (none
    last), then the older order.
    """

    customer_id: str
    items: tuple[OrderItem, ...] = attrs.field(converter=_order_items)
    order_id: str | None = None
    payment_terms: str = ""
    invoice_policy: InvoicePolicy = attrs.field(
        default=InvoicePolicy.ORDERED, converter=_invoice_policy
    )
    shipping_policy: ShippingPolicy = attrs.field(
        default=ShippingPolicy.SHIP_AS_AVAILABLE, converter=_shipping_policy
    )
    priority: Priority = attrs.field(
        default=Priority.NORMAL, converter=_priority, validator=_check_priority
    )
    requested_delivery_date: date | None = attrs.field(
        default=None, validator=_check_requested_date
    )


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
    order_ids: tuple[str, ...] = attrs.field(converter=_ids)


@attrs.frozen(kw_only=True)
class ConfirmPicks(Command):
    """Confirm a pick list; shortages go back to backorder.

    ``shortages`` may also be given as ``{"<order>/<line>": units not found}``.
    """

    pick_list_id: str
    shortages: tuple[Shortage, ...] = attrs.field(default=(), converter=_shortages)


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
    invoice_ids: tuple[str, ...] = attrs.field(default=(), converter=_ids)


@attrs.frozen(kw_only=True)
class RequestReturn(_OrderCommand):
    """Open a return for delivered units of an order line."""

    line_id: str
    quantity: int
    reason: str


@attrs.frozen(kw_only=True)
class AuthorizeReturn(_ReturnCommand):
    """Authorize a requested return, with an optional restocking-fee rate (0 <= r < 1)."""

    restocking_fee_rate: Decimal = attrs.field(default=Decimal(0), converter=_rate)


@attrs.frozen(kw_only=True)
class ReceiveReturn(_ReturnCommand):
    """Receive an authorized return; resellable units are restocked."""

    condition: ReturnCondition = attrs.field(
        default=ReturnCondition.RESELLABLE, converter=_return_condition
    )


@attrs.frozen(kw_only=True)
class IssueCreditNote(_ReturnCommand):
    """Credit a received return against the invoice that billed it."""


@attrs.frozen(kw_only=True)
class CancelOrder(_OrderCommand):
    """Cancel an order; its reserved and picked stock goes back."""

    reason: str = ""


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
