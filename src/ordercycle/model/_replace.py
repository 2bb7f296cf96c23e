"""``replace``: :func:`attrs.evolve` for plain frozen attrs classes, at a fraction of its cost.

``attrs.evolve`` looks the class's fields up, gathers every value into keyword arguments
and runs ``__init__`` again, converters and validators included. For a class with none of
those (the order and its lines: their values were checked when the events that made them
were decided), the result is the same as copying the fields and setting the changed ones,
which is what :func:`replace` does. The order aggregate evolves a few times per event, so
this matters to every command and every replay.

A class that has converters, validators, ``__attrs_post_init__``, fields outside
``__init__`` or a cached hash is handed to ``attrs.evolve`` unchanged.

The copy is made by a small function generated once per class and set of changed field
names, one line per field, so it neither loops over the names nor asks which changed.
Each line sets its field through the field's slot (see :func:`setting_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MemberDescriptorType
from typing import Any, TypeVar, cast

import attrs
from attrs import AttrsInstance

__all__ = ["replace", "setting_lines"]

T = TypeVar("T", bound=AttrsInstance)

_new = object.__new__
_set = object.__setattr__


#: Per class: its field names if copying them builds what ``__init__`` would, else None.
_PLAIN: dict[type, frozenset[str] | None] = {}

#: Copiers by (class, changed field names in the order given), at most ``_COPIERS_KEPT``.
_COPIERS: dict[tuple[type, tuple[str, ...]], Any] = {}
_COPIERS_KEPT = 1024


def setting_lines(cls: type, values: Iterable[tuple[str, str]], scope: dict[str, Any]) -> list[str]:
    """Source lines of a generated function setting fields of a new ``cls`` called ``new``.

    ``values`` are ``(field name, source of its value)``. A field kept in a slot is set
    by the slot's own ``__set__`` (put in ``scope`` as ``_set_<n>``): what
    ``object.__setattr__(new, name, value)`` ends in, without its bound method and its
    look-up of the name on every call (a third of a copy's cost). Another field is set by
    ``_set``, which ``scope`` must hold as ``object.__setattr__``.
    """
    lines = []
    for number, (name, value) in enumerate(values):
        slot = next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)
        if isinstance(slot, MemberDescriptorType):
            scope[f"_set_{number}"] = slot.__set__
            lines.append(f"    _set_{number}(new, {value})")
        else:
            lines.append(f"    _set(new, {name!r}, {value})")
    return lines


def _plain_names(cls: type) -> frozenset[str] | None:
    """The field names of ``cls`` if a copy equals what ``__init__`` would build, else None."""
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
    names = frozenset(f.name for f in fields) if plain else None
    _PLAIN[cls] = names
    return names


def _copier(cls: type, changed: tuple[str, ...]) -> Any:
    """A function ``(instance, changes) -> copy`` setting ``changed`` (None: not plain).

    Raises:
        TypeError: A changed name is not a field of ``cls``.
    """
    names = _plain_names(cls)
    if names is None:
        return None
    unknown = sorted(set(changed) - names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field named {', '.join(unknown)}")
    scope: dict[str, Any] = {"_new": _new, "_set": _set, "cls": cls}
    values = [
        (f.name, f"changes[{f.name!r}]" if f.name in changed else f"instance.{f.name}")
        for f in attrs.fields(cls)
    ]
    lines = setting_lines(cls, values, scope)
    source = "\n".join(
        ["def copy(instance, changes):", "    new = _new(cls)", *lines, "    return new"]
    )
    # The source is built above from attrs field names (identifiers), nothing else.
    exec(source, scope)
    copier = scope["copy"]
    if len(_COPIERS) >= _COPIERS_KEPT:
        _COPIERS.clear()
    _COPIERS[(cls, changed)] = copier
    return copier


def replace(instance: T, **changes: Any) -> T:
    """``attrs.evolve(instance, **changes)``, by copying the fields when that is the same.

    Raises:
        TypeError: A change names no field of the class (as ``attrs.evolve`` does).
    """
    cls = type(instance)
    changed = tuple(changes)
    copier = _COPIERS.get((cls, changed))
    if copier is None:
        copier = _copier(cls, changed)
        if copier is None:
            evolved: T = attrs.evolve(cast(Any, instance), **changes)
            return evolved
    new: T = copier(instance, changes)
    return new
