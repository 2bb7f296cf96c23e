"""Domain events: immutable records of what happened to an aggregate.

Every event subclasses :class:`DomainEvent`, is a frozen ``attrs`` class with keyword-only
fields, and carries the fields common to all events: the id of the aggregate it belongs
to, the aggregate's version after the change, and when it occurred.

Defining a subclass registers it under a stable ``event_type`` name (the class name
unless the class sets ``event_type`` itself). The registry lets
:mod:`ordercycle.serialization` read events back from a ``{"type": ...}`` tag, so events
defined anywhere, later, by anyone, serialize without further setup.

>>> from datetime import UTC, datetime
>>> @attrs.frozen(kw_only=True)
... class GiftNoteAdded(DomainEvent):
...     note: str
>>> at = datetime(2026, 1, 5, tzinfo=UTC)
>>> event = GiftNoteAdded(aggregate_id="O-1", version=2, occurred_at=at, note="Happy birthday")
>>> event.event_type
'GiftNoteAdded'
>>> DomainEvent.lookup("GiftNoteAdded") is GiftNoteAdded
True
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from ordercycle.errors import DuplicateError, NotFoundError, ValidationError
from ordercycle.model.clock import ensure_aware

__all__ = ["DomainEvent", "DuplicateEventTypeError", "UnknownEventTypeError"]

_REGISTRY: dict[str, type[DomainEvent]] = {}
# The sorted read-only view ``registry()`` returns, made again after a change (the desk
# reads it after commands; it changes only when event classes are defined or forgotten).
_sorted: Mapping[str, type[DomainEvent]] | None = None


class DuplicateEventTypeError(DuplicateError):
    """Two event classes claim the same ``event_type`` name.

    Attributes:
        existing: The dotted path of the class registered first.
        new: The dotted path of the class that was refused.
    """

    def __init__(self, event_type: str, existing: str, new: str) -> None:
        super().__init__(
            "event type",
            event_type,
            f"Duplicate event type {event_type!r}: {new} clashes with {existing};"
            " set a distinct `event_type` class variable on one of them.",
        )
        self.existing = existing
        self.new = new


class UnknownEventTypeError(NotFoundError):
    """No event class is registered under a name."""

    def __init__(self, event_type: object, known: tuple[str, ...]) -> None:
        super().__init__("event type", event_type, known=known)


def _forget_sorted() -> None:
    global _sorted  # one cached view, replaced whole
    _sorted = None


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _subject(instance: Any) -> str:
    return f"event {type(instance).__name__}"


def _check_aggregate_id(instance: Any, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not value or value != value.strip():
        raise ValidationError.invalid(
            _subject(instance), "aggregate_id", value, "a non-empty id without surrounding spaces"
        )


def _check_version(instance: Any, _attribute: object, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError.invalid(_subject(instance), "version", value, "an integer >= 1")


def _check_occurred_at(instance: Any, _attribute: object, value: Any) -> None:
    # Every event is built through here: name the event only when the time is refused.
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return
    ensure_aware(value, subject=_subject(instance), field="occurred_at")


@attrs.frozen(kw_only=True)
class DomainEvent:
    """Base class of every domain event.

    Subclass it with ``@attrs.frozen(kw_only=True)``; the subclass registers itself.
    Set ``event_type`` in the class body to choose a name other than the class name
    (keep it stable: it is written into stored and serialized events). Pass
    ``abstract=True`` in the class statement for an intermediate base that should not be
    registered: ``class OrderEvent(DomainEvent, abstract=True)``.

    Attributes:
        event_type: The stable name the event is registered and serialized under.
        aggregate_id: The id of the aggregate the event belongs to (``"O-17"``).
        version: The aggregate's version after this event, starting at 1.
        occurred_at: When it happened, timezone-aware.

    Raises:
        ValidationError: If a common field is invalid (the message names the event class).
        NaiveDatetimeError: If ``occurred_at`` has no timezone.
        DuplicateEventTypeError: At class definition, if the name is already taken by
            another class.
    """

    event_type: ClassVar[str] = "DomainEvent"

    aggregate_id: str = attrs.field(validator=_check_aggregate_id)
    version: int = attrs.field(validator=_check_version)
    occurred_at: datetime = attrs.field(validator=_check_occurred_at)

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            # Remembered in the class body so that the slotted class attrs builds from
            # this one (which runs this hook again, without arguments) stays abstract.
            cls._event_abstract = True  # type: ignore[attr-defined]
        if cls.__dict__.get("_event_abstract", False):
            return
        if "event_type" not in cls.__dict__:
            cls.event_type = cls.__name__
        name = cls.event_type
        if not isinstance(name, str) or not name or name != name.strip():
            raise ValidationError.invalid(
                _dotted(cls), "event_type", name, "a non-empty name without surrounding spaces"
            )
        existing = _REGISTRY.get(name)
        if existing is not None and _dotted(existing) != _dotted(cls):
            raise DuplicateEventTypeError(name, _dotted(existing), _dotted(cls))
        # Same module and qualified name: the slotted class attrs rebuilt from the class
        # statement (or a module reloaded); the newest definition wins.
        _REGISTRY[name] = cls
        _forget_sorted()

    @classmethod
    def registry(cls) -> Mapping[str, type[DomainEvent]]:
        """Return every registered event class by ``event_type``, sorted by name (read-only)."""
        global _sorted  # one cached view, replaced whole
        view = _sorted
        if view is None:
            view = _sorted = MappingProxyType(dict(sorted(_REGISTRY.items())))
        return view

    @classmethod
    def lookup(cls, event_type: str) -> type[DomainEvent]:
        """Return the event class registered under ``event_type``.

        Raises:
            UnknownEventTypeError: If no class has that name; the message lists the known
                names.
        """
        try:
            return _REGISTRY[event_type]
        except (KeyError, TypeError):
            raise UnknownEventTypeError(event_type, tuple(sorted(_REGISTRY))) from None

    @classmethod
    def _unregister(cls, event_type: str) -> None:
        """Forget a registered name (for tests that define throwaway event classes)."""
        _REGISTRY.pop(event_type, None)
        _forget_sorted()
