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


#: Per class: its copier if copying the fields builds what ``__init__`` would, else None.
_PLAIN: dict[type, Any] = {}


def _copier(cls: type) -> Any:
    """A function ``(instance, changes) -> copy`` for ``cls``, or None if ``cls`` is not plain.

    The function is generated once per class, one line per field, so a copy reads each
    field by name instead of looping over the names with ``getattr`` (an order has 24).
    """
    if cls in _PLAIN:
        return _PLAIN[cls]
    fields = attrs.fields(cls)
    plain = (
        "__attrs_post_init__" not in dir(cls)
        and "__attrs_pre_init__" not in dir(cls)
        and all(f.init and f.converter is None and f.validator is None for f in fields)
        and not any("cached_hash" in slot for slot in getattr(cls, "__slots__", ()))
        and all(f.name.isidentifier() for f in fields)
    )
    copier = None
    if plain:
        names = frozenset(f.name for f in fields)
        lines = [
            f"    _set(new, {f.name!r}, changes[{f.name!r}] if {f.name!r} in changes"
            f" else instance.{f.name})"
            for f in fields
        ]
        source = "\n".join(
            [
                "def copy(instance, changes):",
                "    if not changes.keys() <= names:",
                "        _unknown(cls, changes, names)",
                "    new = _new(cls)",
                *lines,
                "    return new",
            ]
        )
        scope: dict[str, Any] = {
            "_new": _new,
            "_set": _set,
            "_unknown": _unknown,
            "cls": cls,
            "names": names,
        }
        # The source is built above from attrs field names (identifiers), nothing else.
        exec(source, scope)
        copier = scope["copy"]
    _PLAIN[cls] = copier
    return copier


def _unknown(cls: type, changes: dict[str, Any], names: frozenset[str]) -> None:
    unknown = sorted(set(changes) - names)
    raise TypeError(f"{cls.__name__} has no field named {', '.join(unknown)}")


def replace(instance: T, **changes: Any) -> T:
    """``attrs.evolve(instance, **changes)``, by copying the fields when that is the same.

    Raises:
        TypeError: A change names no field of the class (as ``attrs.evolve`` does).
    """
    copier = _copier(type(instance))
    if copier is None:
        evolved: T = attrs.evolve(cast(Any, instance), **changes)
        return evolved
    new: T = copier(instance, changes)
    return new
