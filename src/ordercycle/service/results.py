"""What a command returns: which aggregate it changed, plain details and readable notes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["CommandResult"]


def _details(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


def _notes(value: Any) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class CommandResult:
    """The result of a desk command (the same object again for a repeated command id).

    Attributes:
        command: The command type (``"PlaceOrder"``).
        aggregate_id: The id of the main aggregate created or changed (``"O-1"``).
        details: JSON-compatible facts (ids created, quantities, amounts as strings).
        notes: Sentences explaining decisions (allocation reasons, carton choice, credit).
        replayed: ``True`` when the command id was seen before and nothing ran again.
        pending: Outbox messages the desk's handlers had not handled when the command
            returned: 0 unless the dispatch after the commit failed (then ``-1`` if even
            the count could not be read). The command itself is committed either way;
            the next :meth:`~ordercycle.service.OrderDesk.dispatch` (after the next
            command, or called directly) handles them.
        dispatch_error: Why the dispatch after the commit failed (``""`` when it did
            not). The error is also logged, with its traceback.
    """

    command: str
    aggregate_id: str
    details: dict[str, Any] = attrs.field(factory=dict, converter=_details)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)
    replayed: bool = False
    pending: int = 0
    dispatch_error: str = ""

    def __getitem__(self, key: str) -> Any:
        """A detail by name: ``result["invoice_number"]``."""
        return self.details[key]

    def to_data(self) -> dict[str, Any]:
        """JSON-compatible data, as stored in the command log."""
        return {
            "command": self.command,
            "aggregate_id": self.aggregate_id,
            "details": self.details,
            "notes": list(self.notes),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, replayed: bool = True) -> CommandResult:
        """Rebuild a result from :meth:`to_data` output."""
        return cls(
            command=data["command"],
            aggregate_id=data["aggregate_id"],
            details=data["details"],
            notes=data["notes"],
            replayed=replayed,
        )
