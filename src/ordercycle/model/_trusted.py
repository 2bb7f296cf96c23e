"""``event_maker``: build the events an aggregate decided on without checking them again.

Every :class:`~ordercycle.model.events.DomainEvent` checks its three common fields when it
is built (a text id, a version of at least 1, an aware time). That is what an event read
back from storage or made by a user needs. An event a command builds from its aggregate's
own state does not: the id is the aggregate's (checked when it was created), the version
is the aggregate's plus one, and the time passed the command's own ``ensure_aware``. A
command records one or more events, so these checks ran tens of times per order.

:func:`event_maker` gives, per event class, a function with the class's keyword
signature that sets the fields exactly as the class's ``__init__`` does, minus the
validators. It is only for callers that built every common field from checked values
(each call site says why); anything else must call the class.

A class whose ``__init__`` does more than set its fields and run the common validators
(other validators, converters, default factories, ``__attrs_pre_init__`` or
``__attrs_post_init__``, fields outside ``__init__``, a cached hash) gets the class
itself, so its own checks still run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from ordercycle.model._replace import building_lines
from ordercycle.model.events import DomainEvent

__all__ = ["event_maker"]

E = TypeVar("E", bound=DomainEvent)

_new = object.__new__
_set = object.__setattr__

#: The validators of the common fields, the only ones the makers skip.
_COMMON = {field.name: field.validator for field in attrs.fields(DomainEvent)}

_MAKERS: dict[type, Any] = {}


def _plain(cls: type) -> bool:
    """Whether ``cls.__init__`` only sets its fields and runs the common validators."""
    if "__attrs_pre_init__" in dir(cls) or "__attrs_post_init__" in dir(cls):
        return False
    if any("cached_hash" in slot for slot in getattr(cls, "__slots__", ())):
        return False
    for field in attrs.fields(cls):
        if not field.init or field.converter is not None or not field.name.isidentifier():
            return False
        if field.name in _COMMON:
            if field.validator is not _COMMON[field.name]:
                return False
        elif field.validator is not None:
            return False
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return False
    return True


def _generate(cls: type[E]) -> Callable[..., E]:
    if not _plain(cls):
        return cls
    scope: dict[str, Any] = {"_new": _new, "_set": _set, "cls": cls}
    parameters = []
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING:
            parameters.append(field.name)
        else:
            scope[f"_default_{field.name}"] = field.default
            parameters.append(f"{field.name}=_default_{field.name}")
    # An event class registers its subclasses, unless they say they are abstract: the
    # builder that sets an event's fields by assignment (see building_lines) says so.
    values = [(f.name, f.name) for f in attrs.fields(cls)]
    lines = building_lines(cls, values, scope, subclass_keywords={"abstract": True})
    source = "\n".join([f"def make(*, {', '.join(parameters)}):", *lines, "    return new"])
    # The source is built above from attrs field names (identifiers), nothing else.
    exec(source, scope)
    made: Callable[..., E] = scope["make"]
    return made


def event_maker(cls: type[E]) -> Callable[..., E]:
    """A constructor of ``cls`` events that skips the checks of the common fields.

    Called with the same keywords as ``cls``, it returns an event equal to
    ``cls(**keywords)`` whenever that would not raise. Only for events whose
    ``aggregate_id``, ``version`` and ``occurred_at`` the caller built from checked values.
    """
    maker: Callable[..., E] | None = _MAKERS.get(cls)
    if maker is None:
        maker = _MAKERS[cls] = _generate(cls)
    return maker
