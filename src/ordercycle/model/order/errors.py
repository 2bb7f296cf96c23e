"""Errors raised by orders and their quantity ledgers.

Each subclasses a family of :mod:`ordercycle.errors` (and through it the fitting builtin),
so callers may catch ``ValueError`` or ``LookupError`` without knowing this module.

>>> print(QuantityNotAvailableError("pick", 5, "line L1 of order O-17", available=3,
...                                 bucket="allocated"))
Cannot pick 5 units of line L1 of order O-17: only 3 allocated.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ordercycle.errors import (
    CurrencyMismatchError,
    DuplicateError,
    InvalidQuantityError,
    NotFoundError,
    OrderCycleError,
    TransitionNotAllowedError,
    ValidationError,
)

__all__ = [
    "ChangeNotAllowedError",
    "CommandNotAllowedError",
    "DuplicateLineError",
    "EventHistoryError",
    "LedgerLawError",
    "OrderCommandError",
    "OrderCurrencyError",
    "QuantityNotAvailableError",
    "QuoteExpiredError",
    "UnknownHoldError",
    "UnknownLineError",
    "UnknownReturnError",
]


class QuantityNotAvailableError(InvalidQuantityError):
    """A command asked for more units than the ledger has in the bucket it draws from.

    Attributes:
        action: The command (``"pick"``, ``"return"``).
        requested: The quantity asked for.
        available: The quantity that was available.
        bucket: The bucket the units come from (``"allocated"``, ``"delivered and not
            returned"``).
    """

    def __init__(
        self,
        action: str,
        requested: int,
        subject: str,
        *,
        available: int,
        bucket: str,
        hint: str = "",
    ) -> None:
        extra = f"; {hint}" if hint else ""
        super().__init__(
            f"Cannot {action} {requested} units of {subject}: only {available} {bucket}{extra}.",
            subject=subject,
            field="quantity",
            value=requested,
            expected=f"at most {available}",
        )
        self.action = action
        self.requested = requested
        self.available = available
        self.bucket = bucket


class LedgerLawError(OrderCycleError, ValueError):
    """A quantity ledger breaks one or more of its conservation laws.

    Attributes:
        subject: The line the ledger belongs to.
        violations: One sentence per broken law.
    """

    def __init__(self, subject: str, violations: Iterable[str]) -> None:
        found = tuple(violations)
        super().__init__(
            f"The quantity ledger of {subject} is inconsistent: " + "; ".join(found) + "."
        )
        self.subject = subject
        self.violations = found


class OrderCommandError(ValidationError):
    """An order command is refused for a business reason (the message says which).

    The message reads ``Cannot <action>: <reason>.``, so ``action`` names the object:
    ``"change the price of line L1 of order O-17"``.

    Attributes:
        subject: The order (``"order O-17"``).
        action: What was attempted, naming the object.
        reason: Why it is refused.
    """

    def __init__(self, subject: str, action: str, reason: str) -> None:
        super().__init__(f"Cannot {action}: {reason}.", subject=subject)
        self.action = action
        self.reason = reason


class QuoteExpiredError(OrderCommandError):
    """A quote is placed after the date it was valid until.

    Attributes:
        valid_until: The last day the quote was valid.
        on: The day it was to be placed.
    """

    def __init__(self, subject: str, valid_until: date, on: date) -> None:
        super().__init__(
            subject,
            f"place {subject}",
            f"its quote was valid until {valid_until.isoformat()} and today is"
            f" {on.isoformat()}; send a revised quote (send_quote) or expire it",
        )
        self.valid_until = valid_until
        self.on = on


class CommandNotAllowedError(TransitionNotAllowedError):
    """A command is not allowed in the order's current state, or while it is on hold.

    Reads ``Cannot pick units of order O-17: it is confirmed; allowed when the order is
    released.``

    Attributes:
        subject: The order.
        event: The command (``"pick units of"``).
        state: The order's state.
        reason: Why it is refused.
        allowed_states: The states in which the command is allowed.
    """

    def __init__(
        self,
        subject: str,
        command: str,
        state: str,
        *,
        reason: str,
        allowed_states: Iterable[str] = (),
    ) -> None:
        super().__init__(subject, command, state, reason=reason)
        states = tuple(allowed_states)
        where = f"; allowed when the order is {' or '.join(states)}" if states else ""
        message = f"Cannot {command} {subject}: {reason}{where}."
        self.message = message
        self.args = (message,)
        self.allowed_states = states


class OrderCurrencyError(CurrencyMismatchError):
    """Money in another currency was given to an order.

    Attributes:
        left: The order's currency.
        right: The currency given.
    """

    def __init__(self, subject: str, what: str, expected: str, given: str) -> None:
        super().__init__(f"use for {what} of {subject}", expected, given)
        message = (
            f"Cannot use {given} for {what} of {subject}: the order is in {expected};"
            " convert first."
        )
        self.message = message
        self.args = (message,)


class EventHistoryError(ValidationError):
    """A list of events cannot be replayed into an order (wrong start, gap, other order)."""


class ChangeNotAllowedError(OrderCommandError):
    """An edit (change set) of an order is refused; the reason names the blocking units."""


class UnknownLineError(NotFoundError):
    """An order has no line with the given line id."""

    def __init__(self, order: str, line_id: object, known: Iterable[object]) -> None:
        super().__init__(f"line of {order}", line_id, known=known)
        self.order = order


class DuplicateLineError(DuplicateError):
    """A line id is used twice in one order."""

    def __init__(self, order: str, line_id: str) -> None:
        super().__init__(
            "line",
            line_id,
            f"Duplicate line {line_id!r} in {order}: each line id must be unique in its order.",
        )
        self.order = order


class UnknownHoldError(NotFoundError):
    """An order has no hold with the given reason."""

    def __init__(self, order: str, reason: str, known: Iterable[str]) -> None:
        super().__init__(f"hold on {order}", reason, known=known)
        self.order = order


class UnknownReturnError(NotFoundError):
    """An order has no return authorisation (RMA) with the given id."""

    def __init__(self, order: str, return_id: str, known: Iterable[str]) -> None:
        super().__init__(f"return of {order}", return_id, known=known)
        self.order = order
