"""The values commands hold, and the converters that let a command take what a caller types.

The desk's methods pass their arguments straight to the command, so a command accepts
``{sku: units}`` for its items, an enum's value for the enum, ``{reference: units}`` for
shortages; it keeps only the canonical values, which is what travels as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.limits import check_decimal, check_number_text
from ordercycle.model.order.commands import as_enum
from ordercycle.model.order.policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ShippingPolicy,
)
from ordercycle.serialization import from_dict

__all__ = [
    "OrderItem",
    "PurchaseItem",
    "ReceivedItem",
    "Shortage",
    "as_hold_reason",
    "as_ids",
    "as_invoice_policy",
    "as_order_items",
    "as_priority",
    "as_purchase_items",
    "as_rate",
    "as_received_items",
    "as_return_condition",
    "as_shipping_policy",
    "as_shortages",
    "check_priority",
    "check_requested_date",
]


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
class PurchaseItem:
    """One line of a new purchase order: units of a product expected on a date."""

    sku: str
    quantity: int
    expected_on: date


@attrs.frozen(kw_only=True)
class ReceivedItem:
    """Units of a product received against a purchase order into a bin (and lot)."""

    sku: str
    quantity: int
    bin: str
    lot: str | None = None
    expires_on: date | None = None


def _items(value: object, cls: type[Any], subject: str, example: str) -> tuple[Any, ...]:
    """``cls`` values, or mappings of their fields (read by the serializer), as a tuple."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError.invalid(subject, "lines", value, f"a list of lines such as {example}")
    found = []
    for item in value:
        if isinstance(item, cls):
            found.append(item)
        elif isinstance(item, Mapping):
            # A Python caller may pass dates as dates; the serializer reads ISO text.
            data = {
                k: v.isoformat() if isinstance(v, date) and not isinstance(v, datetime) else v
                for k, v in item.items()
            }
            found.append(from_dict(data, cls))
        else:
            raise ValidationError.invalid(subject, "line", item, f"a line such as {example}")
    return tuple(found)


def as_purchase_items(value: Iterable[PurchaseItem | Mapping[str, Any]]) -> tuple[Any, ...]:
    """:class:`PurchaseItem` values, or mappings of their fields, as purchase lines."""
    example = '{"sku": "MUG", "quantity": 10, "expected_on": "2026-03-09"}'
    return _items(value, PurchaseItem, "create purchase order", example)


def as_received_items(value: Iterable[ReceivedItem | Mapping[str, Any]]) -> tuple[Any, ...]:
    """:class:`ReceivedItem` values, or mappings of their fields, as received lines."""
    example = '{"sku": "MUG", "quantity": 4, "bin": "WH-EAST/A1"}'
    return _items(value, ReceivedItem, "receive purchase order", example)


def as_invoice_policy(value: InvoicePolicy | str) -> InvoicePolicy:
    """An :class:`InvoicePolicy` from itself or its value."""
    member: InvoicePolicy = as_enum(InvoicePolicy, value, "place order", "invoice policy")
    return member


def as_shipping_policy(value: ShippingPolicy | str) -> ShippingPolicy:
    """A :class:`ShippingPolicy` from itself or its value."""
    member: ShippingPolicy = as_enum(ShippingPolicy, value, "place order", "shipping policy")
    return member


def as_hold_reason(value: HoldReason | str) -> HoldReason:
    """A :class:`HoldReason` from itself or its value."""
    member: HoldReason = as_enum(HoldReason, value, "hold", "reason")
    return member


def as_return_condition(value: ReturnCondition | str) -> ReturnCondition:
    """A :class:`ReturnCondition` from itself or its value."""
    member: ReturnCondition = as_enum(ReturnCondition, value, "receive return", "condition")
    return member


def as_priority(value: Priority | int) -> Any:
    """A :class:`Priority` from its number; anything else is left for the validator."""
    if isinstance(value, int) and not isinstance(value, bool | Priority):
        try:
            return Priority(value)
        except ValueError:
            return value
    return value


def check_priority(_instance: Any, _attribute: Any, value: Any) -> None:
    """Refuse a priority that is not a :class:`Priority` (after :func:`as_priority`)."""
    if not isinstance(value, Priority):
        options = ", ".join(str(member.value) for member in Priority)
        raise ValidationError.invalid("place order", "priority", value, f"one of {options}")


def check_requested_date(_instance: Any, _attribute: Any, value: Any) -> None:
    """Refuse a requested delivery date that is not a plain date or ``None``."""
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise ValidationError.invalid(
            "place order", "requested delivery date", value, "a date or None"
        )


def as_order_items(
    value: Mapping[str, int] | Iterable[OrderItem | tuple[str, int]],
) -> tuple[OrderItem, ...]:
    """``{sku: units}``, ``(sku, units)`` pairs or :class:`OrderItem` values, as items.

    Raises:
        ValidationError: Anything else, naming the item that is not a pair.
    """
    pairs = value.items() if isinstance(value, Mapping) else _iterable(value, "items")
    items = []
    for item in pairs:
        if isinstance(item, OrderItem):
            items.append(item)
        elif isinstance(item, tuple | list) and len(item) == 2:
            items.append(OrderItem(sku=item[0], quantity=item[1]))
        else:
            raise ValidationError.invalid(
                "place order", "items", item, "OrderItem values, (sku, units) pairs or {sku: units}"
            )
    return tuple(items)


def as_shortages(value: Mapping[str, int] | Iterable[Shortage]) -> tuple[Shortage, ...]:
    """``{"<order>/<line>": units}`` or :class:`Shortage` values, as shortages."""
    if isinstance(value, Mapping):
        return tuple(Shortage(reference=r, quantity=q) for r, q in value.items())
    return tuple(_iterable(value, "shortages"))


def as_ids(value: Iterable[str]) -> tuple[str, ...]:
    """Ids from any iterable (not a single text, which is not a list of ids), as a tuple."""
    return tuple(_iterable(value, "ids"))


def _iterable(value: object, field: str) -> Iterable[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ValidationError.invalid(
            "command", field, value, "a list or tuple (a single text is not a list)"
        )
    return value


def as_rate(value: Decimal | str | int) -> Decimal:
    """A rate from 0 (inclusive) to 1 (exclusive) as a :class:`~decimal.Decimal`.

    Text, ``int`` and ``Decimal`` are accepted; a binary ``float`` is refused, since
    ``0.1`` is not one tenth.

    Raises:
        ValidationError: Not an exact number, not finite, too many digits or out of range.
    """
    expected = "a decimal number from 0 (inclusive) to 1 (exclusive), such as '0.10'"
    if isinstance(value, float | bool) or not isinstance(value, Decimal | str | int):
        raise ValidationError.invalid("authorize return", "restocking fee rate", value, expected)
    try:
        if isinstance(value, str):
            check_number_text(value, "authorize return", "restocking fee rate")
        rate = value if isinstance(value, Decimal) else Decimal(value)
        if not rate.is_finite() or not 0 <= rate < 1:
            raise ValueError(value)
        return check_decimal(rate, "authorize return", "restocking fee rate")
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError.invalid(
            "authorize return", "restocking fee rate", value, expected
        ) from None
