"""Where an order's commands are allowed, and the small checks its commands share.

Lifecycle events (place, confirm, release, ...) are governed by the lifecycle; every other
command (edits, holds, warehouse steps, returns, billing) is allowed in the states listed
in :data:`COMMAND_STATES`, and the warehouse steps in :data:`HELD_COMMANDS` are refused
while the order is on hold.

>>> COMMAND_STATES["pick"]
('released',)
>>> from ordercycle.model.order.policies import HoldReason
>>> as_enum(HoldReason, "credit", "order O-1", "hold reason")
<HoldReason.CREDIT: 'credit'>
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from ordercycle.errors import ValidationError

__all__ = ["COMMAND_STATES", "HELD_COMMANDS", "PHRASES", "as_enum", "check_text"]

_ACTIVE: Final = ("placed", "confirmed", "released")

COMMAND_STATES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "add_line": ("draft",),
        "amend": ("draft", "quoted", *_ACTIVE),
        "change_header": ("draft", "quoted"),
        "change_shipping_method": ("draft", "quoted", *_ACTIVE),
        "hold": _ACTIVE,
        "cancel_line": _ACTIVE,
        "allocate": ("confirmed", "released"),
        "deallocate": ("confirmed", "released"),
        "backorder": ("confirmed", "released"),
        "pick": ("released",),
        "pack": ("released",),
        "ship": ("released",),
        "deliver": ("released",),
        "request_return": ("released", "completed"),
        "record_invoice": ("confirmed", "released", "completed"),
        "record_charge": ("confirmed", "released", "completed"),
        "record_credit": ("confirmed", "released", "completed", "canceled"),
        "record_payment": ("placed", "confirmed", "released", "completed", "canceled"),
        "reverse_payment": ("placed", "confirmed", "released", "completed", "canceled"),
    }
)
"""The lifecycle states in which each non-lifecycle command is allowed, by method name.

A subclass with an extended lifecycle sets its own ``command_states`` (for example to
allow ``amend`` in a new ``credit_review`` state)."""

HELD_COMMANDS: Final = frozenset({"allocate", "backorder", "pick", "pack", "ship"})
"""Commands refused while the order is on hold."""

PHRASES: Final[Mapping[str, str]] = {
    "add_line": "add a line to",
    "change_header": "change the header of",
    "change_shipping_method": "change the shipping method of",
    "hold": "put a hold on",
    "cancel_line": "cancel part of",
    "allocate": "allocate stock for",
    "deallocate": "deallocate stock of",
    "backorder": "backorder units of",
    "pick": "pick units of",
    "pack": "pack units of",
    "ship": "ship units of",
    "deliver": "deliver units of",
    "request_return": "request a return on",
    "record_invoice": "invoice",
    "record_charge": "charge",
    "record_credit": "credit",
    "record_payment": "record a payment on",
    "reverse_payment": "reverse a payment on",
}
"""How each command reads in a refusal: ``Cannot <phrase> order O-17: ...``."""


def check_text(subject: str, field: str, value: object, *, required: bool = False) -> str:
    """Return ``value`` if it is text without surrounding spaces (non-empty if required).

    Raises:
        ValidationError: Naming ``subject`` and ``field``.
    """
    if not isinstance(value, str) or value != value.strip() or (required and not value):
        expected = "non-empty text" if required else "text"
        raise ValidationError.invalid(
            subject, field, value, f"{expected} without surrounding spaces"
        )
    return value


def as_enum(kind: type[Any], value: object, subject: str, field: str) -> Any:
    """Return ``value`` as a member of the enum ``kind`` (members or their values).

    Raises:
        ValidationError: Listing the valid values.
    """
    if isinstance(value, kind):
        return value
    try:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise TypeError(value)  # only a member's value can name it
        return kind(value)
    except (ValueError, TypeError):
        options = ", ".join(repr(member.value) for member in kind)
        raise ValidationError.invalid(subject, field, value, f"one of {options}") from None
