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
names, one line per field, so it neither loops over the names nor asks which changed
(see :func:`building_lines`, which the events' makers use too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MemberDescriptorType
from typing import Any, TypeVar, cast

import attrs
from attrs import AttrsInstance

__all__ = ["building_lines", "replace", "trusted_replace"]

T = TypeVar("T", bound=AttrsInstance)

_new = object.__new__
_set = object.__setattr__


#: Per class: its field names if copying them builds what ``__init__`` would, else None.
_PLAIN: dict[type, frozenset[str] | None] = {}

#: Copiers by (class, changed field names in the order given, trusted), at most
#: ``_COPIERS_KEPT``.
_COPIERS: dict[tuple[type, tuple[str, ...], bool], Any] = {}
_COPIERS_KEPT = 1024


#: Per class and class keywords: its builder (see :func:`_builder`), or None (it has none).
_BUILDERS: dict[tuple[type, tuple[tuple[str, Any], ...]], type | None] = {}


def _builder(cls: type, names: Iterable[str], keywords: Mapping[str, Any]) -> type | None:
    """A subclass of ``cls`` on whose instances plain assignment sets the fields ``names``.

    A frozen attrs class refuses ``new.x = v`` (its ``__setattr__`` raises), so each field
    would be set by calling its slot's setter, a call per field and most of a copy's cost.
    This subclass takes ``object.__setattr__`` back, so ``new.x = v`` runs without a call
    (the interpreter sets the slot itself), and adds no slots: its instances have the
    layout of ``cls``'s, and assigning ``new.__class__ = cls`` makes one a ``cls``, equal
    to what ``__init__`` builds. ``None`` (the fields are set through their slots' setters)
    for a class whose instances have a ``__dict__``, with a field outside the slots, of
    another metaclass, or with an ``__init_subclass__`` of its own unless ``keywords`` are
    given (the class keywords that tell it to leave the subclass alone: the events'
    registry takes ``abstract=True``), and wherever CPython refuses the class change.
    """
    key = (cls, tuple(sorted(keywords.items())))
    if key in _BUILDERS:
        return _BUILDERS[key]
    found: type | None = None
    if (
        type(cls) is type
        and cls.__dictoffset__ == 0
        and (keywords or not any("__init_subclass__" in k.__dict__ for k in cls.__mro__[:-1]))
        and all(isinstance(_slot(cls, name), MemberDescriptorType) for name in names)
    ):
        body = {"__slots__": (), "__setattr__": _set, "__delattr__": object.__delattr__}
        try:
            made = type(cls.__name__, (cls,), {**body, "__module__": cls.__module__}, **keywords)
            probe: Any = _new(made)
            probe.__class__ = cls
        except TypeError:
            pass
        else:
            found = made
    _BUILDERS[key] = found
    return found


def _slot(cls: type, name: str) -> object:
    return next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)


def building_lines(
    cls: type,
    values: Iterable[tuple[str, str]],
    scope: dict[str, Any],
    *,
    subclass_keywords: Mapping[str, Any] | None = None,
) -> list[str]:
    """Source lines of a generated function that builds a ``cls`` called ``new``.

    ``values`` are ``(field name, source of its value)``, every field of ``cls`` (the
    lines set no default). ``scope`` must hold ``_new`` (``object.__new__``), ``_set``
    (``object.__setattr__``) and ``cls``; the lines put their own names in it. Where the
    class has a builder (see :func:`_builder`; ``subclass_keywords`` are the class keywords
    it is made with, for a class with an ``__init_subclass__``) the object is made one,
    its fields are set by assignment and it becomes a ``cls``. Otherwise a field kept in a
    slot is set by the slot's own ``__set__`` (put in ``scope`` as ``_set_<n>``): what
    ``object.__setattr__(new, name, value)`` ends in, without its bound method and its
    look-up of the name on every call; another field is set by ``_set``.
    """
    pairs = list(values)
    builder = _builder(cls, [name for name, _ in pairs], subclass_keywords or {})
    if builder is not None:
        scope["_builder"] = builder
        return [
            "    new = _new(_builder)",
            *(f"    new.{name} = {value}" for name, value in pairs),
            "    new.__class__ = cls",
        ]
    lines = ["    new = _new(cls)"]
    for number, (name, value) in enumerate(pairs):
        slot = _slot(cls, name)
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


def _copier(cls: type, changed: tuple[str, ...], *, trusted: bool = False) -> Any:
    """A function ``(instance, changes) -> copy`` setting ``changed`` (None: not plain).

    ``trusted``: for any attrs class, plain or not (see :func:`trusted_replace`).

    Raises:
        TypeError: A changed name is not a field of ``cls``.
    """
    names = frozenset(f.name for f in attrs.fields(cls)) if trusted else _plain_names(cls)
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
    lines = building_lines(cls, values, scope)
    source = "\n".join(["def copy(instance, changes):", *lines, "    return new"])
    # The source is built above from attrs field names (identifiers), nothing else.
    exec(source, scope)
    copier = scope["copy"]
    if len(_COPIERS) >= _COPIERS_KEPT:
        _COPIERS.clear()
    _COPIERS[(cls, changed, trusted)] = copier
    return copier


def replace(instance: T, **changes: Any) -> T:
    """``attrs.evolve(instance, **changes)``, by copying the fields when that is the same.

    Raises:
        TypeError: A change names no field of the class (as ``attrs.evolve`` does).
    """
    cls = type(instance)
    changed = tuple(changes)
    copier = _COPIERS.get((cls, changed, False))
    if copier is None:
        copier = _copier(cls, changed)
        if copier is None:
            evolved: T = attrs.evolve(cast(Any, instance), **changes)
            return evolved
    new: T = copier(instance, changes)
    return new


def trusted_replace(instance: T, **changes: Any) -> T:
    """:func:`replace` for a class with converters or validators, by a caller that vouches
    that ``attrs.evolve(instance, **changes)`` would build the plain copy: the changed
    fields have none, and those of the fields kept give their values back as they are.
    The copy is made as :func:`replace` makes one, without handing the class to evolve.

    Raises:
        TypeError: A change names no field of the class (as ``attrs.evolve`` does).
    """
    key = (type(instance), tuple(changes), True)
    copy = _COPIERS.get(key) or _copier(key[0], key[1], trusted=True)
    return cast(T, copy(instance, changes))
