"""``replace``: :func:`attrs.evolve` for plain frozen attrs classes, at a fraction of its cost.

``attrs.evolve`` looks the class's fields up, gathers every value into keyword arguments
and runs ``__init__`` again, converters and validators included. For a class with none of
those (the order and its lines: their values were checked when the events that made them
were decided), the result is the same as copying the fields and setting the changed ones,
which is what :func:`replace` does. The order aggregate evolves a few times per event, so
this matters to every command and every replay.

A class that has converters, validators, ``__attrs_post_init__``, fields outside
``__init__`` or a cached hash is handed to ``attrs.evolve`` unchanged.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import attrs
from attrs import AttrsInstance

__all__ = ["replace"]

T = TypeVar("T", bound=AttrsInstance)

_new = object.__new__
_set = object.__setattr__


#: Per class: its field names if copying them builds what ``__init__`` would, else None.
_PLAIN: dict[type, tuple[str, ...] | None] = {}


def _plain_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of ``cls`` if a copy equals what ``__init__`` would build, else None."""
    if cls in _PLAIN:
        return _PLAIN[cls]
    fields = attrs.fields(cls)
    plain = (
        "__attrs_post_init__" not in dir(cls)
        and "__attrs_pre_init__" not in dir(cls)
        and all(f.init and f.converter is None and f.validator is None for f in fields)
        and not any("cached_hash" in slot for slot in getattr(cls, "__slots__", ()))
    )
    names = tuple(f.name for f in fields) if plain else None
    _PLAIN[cls] = names
    return names


def replace(instance: T, **changes: Any) -> T:
    """``attrs.evolve(instance, **changes)``, by copying the fields when that is the same.

    Raises:
        TypeError: A change names no field of the class (as ``attrs.evolve`` does).
    """
    cls = type(instance)
    names = _plain_fields(cls)
    if names is None:
        evolved: T = attrs.evolve(cast(Any, instance), **changes)
        return evolved
    new = _new(cls)
    used = 0
    for name in names:
        if name in changes:
            _set(new, name, changes[name])
            used += 1
        else:
            _set(new, name, getattr(instance, name))
    if used != len(changes):
        unknown = sorted(set(changes) - set(names))
        raise TypeError(f"{cls.__name__} has no field named {', '.join(unknown)}")
    return new
