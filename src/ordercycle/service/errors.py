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

from ordercycle.errors import ConfigurationError, NotFoundError, OrderCycleError
from ordercycle.storage.errors import CommandPayloadMismatchError

__all__ = [
    "CommandPayloadMismatchError",
    "DeskCommandError",
    "UnknownAggregateError",
    "UnknownCommandError",
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


class UnknownAggregateError(NotFoundError):
    """A command or query named an order, customer, product, ... that does not exist.

    Attributes:
        kind: What was looked for (``"order"``).
        key: The id that was given.
    """

    def __init__(self, kind: str, key: object, *, known: Iterable[object] = ()) -> None:
        super().__init__(kind, key, known=known)


class UnknownCommandError(NotFoundError):
    """A JSON command names a command type the desk does not know."""

    def __init__(self, key: object, known: Iterable[str]) -> None:
        super().__init__("command type", key, known=known)


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
