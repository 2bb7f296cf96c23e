"""Errors raised at the boundary of :class:`~ordercycle.service.OrderDesk`.

Each one subclasses a family of :mod:`ordercycle.errors`, so callers can catch the family
(``NotFoundError``, ``ValueError``, ``ConfigurationError``) or the precise error. A
command that raises writes nothing: its unit of work is rolled back.

Duplicate command ids with a different payload raise
:class:`~ordercycle.storage.errors.CommandPayloadMismatchError` (a ``DuplicateError``),
re-exported here for convenience.
"""

from __future__ import annotations

from collections.abc import Iterable

from ordercycle.errors import (
    ConfigurationError,
    DuplicateError,
    NotFoundError,
    OrderCycleError,
    shown,
)
from ordercycle.storage.errors import CommandPayloadMismatchError

__all__ = [
    "CommandHandlerError",
    "CommandPayloadMismatchError",
    "DeskCommandError",
    "DuplicateCommandError",
    "PromotionRefusedError",
    "UnknownAggregateError",
    "UnknownCommandError",
    "UnknownInvoiceError",
    "UnknownTaxProfileError",
]


class DeskCommandError(OrderCycleError, ValueError):
    """A command cannot run now: there is nothing to act on, or the state forbids it.

    Reads like ``Cannot allocate order O-3: no units are open or backordered.``

    Attributes:
        action: What was attempted (``"allocate order O-3"``).
        reason: Why it was refused.
    """

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(f"Cannot {action}: {reason}.")
        self.action = action
        self.reason = reason


class PromotionRefusedError(DeskCommandError):
    """A promotion code cannot be used on this order: unknown, not yet valid, expired,
    used up, below its minimum order value, or for nothing the order holds.

    Reads like ``Cannot use promotion code 'SPRING10' on an order for customer C-1: it
    expired on 2026-03-31.``

    Attributes:
        code: The code given (a bounded prefix of it in the message).
        why: Why it was refused.
    """

    def __init__(self, code: str, customer_id: str, why: str) -> None:
        super().__init__(
            f"use promotion code {shown(code)} on an order for customer {customer_id}", why
        )
        self.code = code
        self.why = why


class UnknownAggregateError(NotFoundError):
    """A command or query named an order, customer, product, ... that does not exist.

    Attributes:
        kind: What was looked for (``"order"``).
        key: The id that was given.
    """

    def __init__(self, kind: str, key: object, *, known: Iterable[object] = ()) -> None:
        super().__init__(kind, key, known=known)


class UnknownInvoiceError(UnknownAggregateError):
    """No invoice has the id or printed number given (``INV-1`` or ``INV-000001``).

    Attributes:
        example_id: An invoice id of the desk's form, for the message.
        example_number: A printed number of the desk's series, for the message.
    """

    def __init__(
        self, key: object, example_id: str = "INV-1", example_number: str = "INV-000001"
    ) -> None:
        super().__init__("invoice", key)
        self.example_id = example_id
        self.example_number = example_number
        self.message = (
            f"Unknown invoice {shown(key)}: no invoice has this id or printed number;"
            f" expected an invoice id such as {example_id!r} or its printed number such as"
            f" {example_number!r}."
        )
        self.args = (self.message,)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.key, self.example_id, self.example_number))


class UnknownCommandError(NotFoundError):
    """A JSON command names a command type the desk does not know."""

    def __init__(self, key: object, known: Iterable[str]) -> None:
        super().__init__("command type", key, known=known)


class DuplicateCommandError(DuplicateError):
    """Two command classes claim the same type name (the class name, the JSON ``"type"``).

    Attributes:
        existing: The dotted path of the class registered first.
        new: The dotted path of the class that was refused.
    """

    def __init__(self, type_name: str, existing: str, new: str) -> None:
        super().__init__(
            "command type",
            type_name,
            f"Duplicate command type {type_name!r}: {new} clashes with {existing};"
            " a command's class name is its JSON type name, so give one of them another.",
        )
        self.existing = existing
        self.new = new


class CommandHandlerError(ConfigurationError):
    """The handler table does not give every command exactly one handler.

    Raised when the service package is imported (or a handler is declared), so a command
    without a handler, or with two, never gets as far as a desk.

    Attributes:
        problems: One sentence per command that has no handler or more than one.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        found = tuple(problems)
        super().__init__(
            "The desk's command handler table is wrong: " + "; ".join(found) + ".",
            subject="the command handler table",
        )
        self.problems = found


class UnknownTaxProfileError(ConfigurationError):
    """A customer refers to a tax profile the desk settings do not define.

    Attributes:
        profile: The profile name that was referred to.
        known: The profiles the settings define.
    """

    def __init__(self, subject: str, profile: str, known: Iterable[str]) -> None:
        names = tuple(sorted(known))
        super().__init__(
            f"Invalid tax profile for {subject}: {profile!r}; expected one of the desk's"
            f" tax profiles: {', '.join(names) or '(none)'}.",
            subject=subject,
            field="tax_profile",
            value=profile,
            expected=", ".join(names),
        )
        self.profile = profile
        self.known = names
