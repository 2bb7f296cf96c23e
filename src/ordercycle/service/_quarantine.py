"""Quarantined outbox messages: set aside by the dispatcher, retried or released by a person.

A message the desk's handlers cannot handle would stop every message after it (the
consumer's checkpoint only moves forward in order). The dispatcher therefore sets such a
message aside as a :class:`~ordercycle.service.records.QuarantinedMessage`, kept under the
record kind ``"quarantine"`` and the message's position, in the unit of work that moves the
checkpoint past it:

- a row that cannot be decoded
  (:class:`~ordercycle.storage.errors.UnreadableOutboxMessageError`);
- a message whose handler the domain refuses (an ``OrderCycleError``);
- a message whose handler fails with another error :data:`QUARANTINE_AFTER` times in a row.

:class:`~ordercycle.service.commands.RetryQuarantinedMessage` runs the handler again (its
effect and the ``"retried"`` mark commit together, or the command is refused and writes
nothing); :class:`~ordercycle.service.commands.ReleaseQuarantinedMessage` marks it
``"released"`` without handling it.
"""

from __future__ import annotations

from typing import Any

import attrs

from ordercycle.errors import ConcurrencyError
from ordercycle.limits import check_position, check_text
from ordercycle.service import _reactions
from ordercycle.service._command_handlers import handles
from ordercycle.service._session import Session
from ordercycle.service.commands import ReleaseQuarantinedMessage, RetryQuarantinedMessage
from ordercycle.service.errors import DeskCommandError, UnknownAggregateError
from ordercycle.service.records import QuarantinedMessage, QuarantinedMessageChanged
from ordercycle.service.results import CommandResult

__all__ = ["QUARANTINE", "QUARANTINE_AFTER", "quarantine", "quarantined"]

#: The record kind under which quarantined messages are kept (key: the position).
QUARANTINE = "quarantine"

#: How often a handler failing with an error that is not an ``OrderCycleError`` is tried
#: (in one dispatch) before its message is quarantined.
QUARANTINE_AFTER = 3

_REASON_CHARS = 500


def reason_of(error: BaseException) -> str:
    """``"TypeName: message"`` of ``error``, at most 500 characters."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= _REASON_CHARS else text[: _REASON_CHARS - 3] + "..."


def quarantine(s: Session, message: QuarantinedMessage) -> None:
    """Keep ``message`` as quarantined (in ``s``'s unit of work; the caller moves the
    checkpoint past it in the same one)."""
    s.put(
        QUARANTINE,
        str(message.position),
        QuarantinedMessageChanged,
        message,
        f"outbox message {message.position} quarantined",
    )


def quarantined(s: Session, *, everything: bool = False) -> tuple[QuarantinedMessage, ...]:
    """The quarantined messages by position (with ``everything``, also retried/released)."""
    found = [s.record(QUARANTINE, key, QuarantinedMessage) for key in s.ids_of(QUARANTINE)]
    return tuple(
        sorted(
            (m for m in found if m is not None and (everything or m.status == "quarantined")),
            key=lambda m: m.position,
        )
    )


def _held(s: Session, position: Any, note: Any, action: str) -> QuarantinedMessage:
    subject = f"{action} of a quarantined outbox message"
    check_position(position, subject)
    check_text(note, subject, "note")
    found = s.record(QUARANTINE, str(position), QuarantinedMessage)
    if found is None:
        known = [m.position for m in quarantined(s)]
        raise UnknownAggregateError("quarantined outbox message", position, known=known)
    if found.status != "quarantined":
        raise DeskCommandError(
            f"{action} outbox message {position}",
            f"it was {found.status} already; only a message still quarantined can be"
            " retried or released",
        )
    return found


def _result(command: str, message: QuarantinedMessage, notes: tuple[str, ...]) -> CommandResult:
    return CommandResult(
        command=command,
        aggregate_id=str(message.position),
        details={"position": message.position, "status": message.status},
        notes=notes,
    )


@handles(RetryQuarantinedMessage)
def retry_quarantined_message(s: Session, c: RetryQuarantinedMessage) -> CommandResult:
    """Handle a quarantined message again; refused (nothing written) if it still fails."""
    held = _held(s, c.position, c.note, "retry")
    try:
        messages = s.uow.outbox.read(after=c.position - 1, limit=1)
        if not messages or messages[0].position != c.position:
            raise DeskCommandError(
                f"retry outbox message {c.position}",
                "the outbox no longer holds it; release it instead",
            )
        notes = tuple(str(note) for note in _reactions.handle(s, messages[0].event))
        s.save_stock()
    except (ConcurrencyError, DeskCommandError):
        raise
    except Exception as error:
        raise DeskCommandError(
            f"retry outbox message {c.position}",
            f"it fails again ({reason_of(error)}); fix the cause, or release it",
        ) from None
    done = attrs.evolve(held, status="retried", note=c.note)
    s.put(
        QUARANTINE,
        str(c.position),
        QuarantinedMessageChanged,
        done,
        f"outbox message {c.position} retried",
    )
    return _result("RetryQuarantinedMessage", done, notes)


@handles(ReleaseQuarantinedMessage)
def release_quarantined_message(s: Session, c: ReleaseQuarantinedMessage) -> CommandResult:
    """Mark a quarantined message released: it is kept, but never handled."""
    held = _held(s, c.position, c.note, "release")
    done = attrs.evolve(held, status="released", note=c.note)
    s.put(
        QUARANTINE,
        str(c.position),
        QuarantinedMessageChanged,
        done,
        f"outbox message {c.position} released",
    )
    return _result("ReleaseQuarantinedMessage", done, ())
