"""The command table: the :class:`Command` base, which registers every subclass, and JSON.

Defining a :class:`Command` subclass puts it in :data:`COMMANDS` under its class name, the
``"type"`` of its JSON envelope, as domain events register themselves under their
``event_type``. :func:`command_payload` is what the command log hashes to recognise a
command id used again; :func:`parse_command` reads the envelope back. The commands
themselves are in :mod:`ordercycle.service.commands`, the module to import them from.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType, UnionType
from typing import Any, ClassVar, Final, get_args, get_origin

import attrs

from ordercycle.errors import InvalidQuantityError, SerializationError, ValidationError, shown
from ordercycle.limits import (
    MAX_ID_CHARS,
    MAX_JSON_CHARS,
    MAX_JSON_DEPTH,
    MAX_TEXT_CHARS,
    MAX_UNITS,
    check_date,
    check_position,
    check_text,
    load_json,
)
from ordercycle.serialization import converter, from_dict, to_dict
from ordercycle.service.errors import DuplicateCommandError, UnknownCommandError

__all__ = ["COMMANDS", "Command", "command_payload", "parse_command"]

# Kept sorted by name, so that COMMANDS, a live view of it, lists the commands in order.
_REGISTRY: dict[str, type[Command]] = {}

COMMANDS: Final[Mapping[str, type[Command]]] = MappingProxyType(_REGISTRY)
"""Every command class by its type name (the ``"type"`` of the JSON envelope), sorted.

A read-only, live view of the table that :class:`Command` subclasses register in.
"""


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _words(type_name: str) -> str:
    """``"IssueCreditNote"`` -> ``"issue credit note"``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()


@attrs.frozen(kw_only=True)
class Command:
    """Base of every command.

    Subclass it with ``@attrs.frozen(kw_only=True)``; the subclass registers itself in
    :data:`COMMANDS` under its class name, which is its stable JSON type name (it is
    hashed into stored command logs: never rename a command). Pass ``abstract=True`` in
    the class statement for a base that shares fields and is not a command itself.

    A new command is then one class in :mod:`ordercycle.service.commands`, one handler
    declared with ``@handles`` in the service's handler modules, and one method of
    :class:`~ordercycle.service.OrderDesk` named after the class (``PlaceOrder`` ->
    ``place_order``); tests check all three.

    Attributes:
        command_id: Makes the command idempotent when given (any id text).
        name: What the command does in words, from the class name (``"place order"``).
        added_later: Fields added after commands of this type were first recorded: left
            out of the payload while empty, so the hashes in existing command logs stay
            valid.

    Raises:
        DuplicateCommandError: At class definition, if another class already registered
            the same class name.
    """

    name: ClassVar[str] = "command"
    added_later: ClassVar[tuple[str, ...]] = ()

    command_id: str | None = None

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:
            # Kept in the class body, so that the slotted class attrs builds from this one
            # (which runs this hook again, without arguments) stays abstract.
            cls._command_abstract = True  # type: ignore[attr-defined]
        if cls.__dict__.get("_command_abstract", False):
            return
        if "name" not in cls.__dict__:
            cls.name = _words(cls.__name__)
        existing = _REGISTRY.get(cls.__name__)
        if existing is not None and _dotted(existing) != _dotted(cls):
            raise DuplicateCommandError(cls.__name__, _dotted(existing), _dotted(cls))
        # Same module and qualified name: the slotted class attrs rebuilt from the class
        # statement (or a module reloaded); the newest definition wins.
        table = {**_REGISTRY, cls.__name__: cls}
        _REGISTRY.clear()
        _REGISTRY.update(sorted(table.items()))

    def __attrs_post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def _unregister(cls, type_name: str) -> None:
        """Forget a registered command (for tests that define throwaway commands)."""
        _REGISTRY.pop(type_name, None)


_ID_FIELDS: Final = frozenset({"sku", "bin", "warehouse", "lot", "by", "carrier"})


@functools.cache
def _text_limit(field: str) -> int:
    if field.endswith(("_id", "_ids", "_number")) or field in _ID_FIELDS:
        return MAX_ID_CHARS
    return MAX_TEXT_CHARS


@functools.cache
def _is_id(field: str) -> bool:
    return field.endswith(("_id", "_ids"))


def _check_bounds(value: object, subject: str, field: str, depth: int = 0) -> None:
    """Refuse text, counts and dates beyond :mod:`ordercycle.limits`, anywhere in ``value``."""
    if depth > MAX_JSON_DEPTH:
        raise ValidationError.invalid(
            subject, field, value, f"a value nested at most {MAX_JSON_DEPTH} levels deep"
        )
    if value is None:
        return  # first: most optional fields are empty
    if isinstance(value, str):
        check_text(value, subject, field, limit=_text_limit(field))
        if _is_id(field) and (not value or value != value.strip()):
            raise ValidationError.invalid(
                subject, field, value, "a non-empty id without surrounding spaces"
            )
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if field == "position":  # an outbox position, not a count (see limits.MAX_POSITION)
            check_position(value, subject, field)
        elif abs(value) > MAX_UNITS:
            raise InvalidQuantityError.invalid(
                subject, field, value, f"a whole number from -{MAX_UNITS:_} to {MAX_UNITS:_}"
            )
    elif isinstance(value, date):
        check_date(value, subject, field)
    elif isinstance(value, tuple | list):
        if len(value) > MAX_JSON_CHARS // 10:
            raise ValidationError.invalid(subject, field, value, "fewer values")
        for item in value:
            _check_bounds(item, subject, field, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_bounds(key, subject, field, depth + 1)
            _check_bounds(item, subject, field, depth + 1)
    elif attrs.has(type(value)) and not isinstance(value, Command):
        for inner in attrs.fields(type(value)):  # type: ignore[arg-type]
            if inner.init:
                _check_bounds(getattr(value, inner.name), subject, inner.name, depth + 1)


_FIELD_TYPES: dict[type, tuple[tuple[str, Any], ...]] = {}
_PLAIN_TYPES: dict[type, tuple[tuple[str, Any, frozenset[type]], ...]] = {}
_REFUSED: Final = object()

#: Declared types whose values come back from the serializer as the very object (text,
#: whole numbers, booleans, ``None``): a value of exactly such a type needs no round trip.
_PLAIN: Final = frozenset({str, int, bool, type(None)})


def _field_types(cls: type[Command]) -> tuple[tuple[str, Any], ...]:
    found = _FIELD_TYPES.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        found = _FIELD_TYPES[cls] = tuple((field.name, field.type) for field in attrs.fields(cls))
    return found


def _plain_types(kind: Any) -> frozenset[type]:
    """The runtime types a value of a field declared ``kind`` may have to skip the
    serializer's round trip, because the trip gives back an equal value of the same type:
    text, whole numbers, booleans and enum members of exactly the declared type, ``None``
    where the type is optional, and a tuple (checked empty by the caller) where it is a
    tuple. Anything else (a date, an address, a non-empty tuple) makes the trip."""
    options = get_args(kind) if isinstance(kind, UnionType) else (kind,)
    plain = set()
    for option in options:
        if option in _PLAIN or (isinstance(option, type) and issubclass(option, enum.Enum)):
            plain.add(option)
        elif get_origin(option) is tuple and get_args(option)[1:] == (Ellipsis,):
            plain.add(tuple)  # of any length: an empty one is valid
    return frozenset(plain)


def _checked_fields(cls: type[Command]) -> tuple[tuple[str, Any, frozenset[type]], ...]:
    found = _PLAIN_TYPES.get(cls)
    if found is None:
        found = _PLAIN_TYPES[cls] = tuple(
            (name, kind, _plain_types(kind)) for name, kind in _field_types(cls)
        )
    return found


#: ``(field, enum member)`` pairs that passed :func:`_check_bounds` (see :func:`check_fields`).
_ENUMS_IN_BOUNDS: set[tuple[str, enum.Enum]] = set()

#: A field type ``tuple[X, ...]`` -> ``(X, ((field, type), ...))`` when ``X`` is a frozen
#: attrs class of text, whole number and boolean fields with no converters, validators or
#: post-init hook (an order's items): an ``X`` built with values of exactly those types
#: comes back from the serializer's round trip as an equal ``X``, so the trip can be
#: skipped for it (``None``: not such a type).
_PLAIN_ITEMS: dict[Any, tuple[type, tuple[tuple[str, type], ...]] | None] = {}


def _plain_items(kind: Any) -> tuple[type, tuple[tuple[str, type], ...]] | None:
    if kind in _PLAIN_ITEMS:
        return _PLAIN_ITEMS[kind]
    found: tuple[type, tuple[tuple[str, type], ...]] | None = None
    args = get_args(kind)
    if get_origin(kind) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if (
            isinstance(item, type)
            and attrs.has(item)
            and not hasattr(item, "__attrs_post_init__")
            and not issubclass(item, Command)
        ):
            attrs.resolve_types(item)
            fields = attrs.fields(item)
            if all(
                f.init and f.converter is None and f.validator is None and f.type in _PLAIN
                for f in fields
            ):
                found = (item, tuple((f.name, f.type) for f in fields))
    _PLAIN_ITEMS[kind] = found
    return found


def _all_plain(value: tuple[Any, ...], shape: tuple[type, tuple[tuple[str, type], ...]]) -> bool:
    """Whether every item of ``value`` is exactly of the item class, each field exactly of
    its declared type (see :data:`_PLAIN_ITEMS`)."""
    cls, fields = shape
    for item in value:
        if type(item) is not cls:
            return False
        for name, kind in fields:
            if type(getattr(item, name)) is not kind:
                return False
    return True


def _str_in_bounds(value: str, field: str) -> bool:
    """Whether text ``value`` of ``field`` passes :func:`_check_bounds` (``False``: let it
    raise the precise error)."""
    return len(value) <= _text_limit(field) and (
        not _is_id(field) or (bool(value) and value == value.strip())
    )


def _int_in_bounds(value: int, field: str) -> bool:
    """Whether integer ``value`` of ``field`` passes :func:`_check_bounds` without its walk
    (``False``: let it raise the precise error; a ``position`` always takes the walk)."""
    return field != "position" and abs(value) <= MAX_UNITS


#: A field type -> whether it is ``tuple[str, ...]`` (see :func:`_plain_in_bounds`).
_TEXT_TUPLES: dict[Any, bool] = {}


def _plain_in_bounds(value: tuple[Any, ...], field: str, kind: Any) -> bool:
    """Whether a non-empty tuple of a ``tuple[str, ...]`` field (ids of orders, invoices)
    or of a plain-items field (an order's items, see :data:`_PLAIN_ITEMS`) holds values of
    exactly their declared types within :func:`_check_bounds`'s limits. Such a tuple
    passes both checks of :func:`check_fields`: its bounds are those checked here, and the
    serializer's trip gives back an equal tuple of equal values. ``False`` sends it down
    the full path, which refuses it with the precise error or lets it through."""
    if len(value) > MAX_JSON_CHARS // 10:
        return False
    text = _TEXT_TUPLES.get(kind)
    if text is None:
        args = get_args(kind)
        text = _TEXT_TUPLES[kind] = get_origin(kind) is tuple and args == (str, Ellipsis)
    if text:
        return all(type(item) is str and _str_in_bounds(item, field) for item in value)
    shape = _plain_items(kind)
    if shape is None:
        return False
    cls, fields = shape
    for item in value:
        if type(item) is not cls:
            return False
        for name, declared in fields:
            inner = getattr(item, name)
            kind_of = type(inner)
            if kind_of is not declared:
                return False
            if kind_of is str:
                if not _str_in_bounds(inner, name):
                    return False
            elif kind_of is int and not _int_in_bounds(inner, name):
                return False
    return True


def check_fields(command: Command) -> None:
    """Refuse a command whose fields are out of bounds or not of their declared types.

    Each field is bounded (:mod:`ordercycle.limits`: text lengths, counts, dates, nesting)
    and must survive the trip through the library's serializer unchanged, which is what
    its JSON form and the command log's payload hash need: a ``str`` where a ``date``
    belongs, a float rate or a NaN is refused here, when the command is made, with the
    command and field named.

    Raises:
        ValidationError: Naming the command, the field, a bounded prefix of the value and
            the expected type.
    """
    subject = type(command).name
    for name, kind, plain in _checked_fields(type(command)):
        value = getattr(command, name)
        cls = type(value)
        # Most fields are ids, short texts, counts and empty options: the bounds that
        # _check_bounds would check for them, inline (it is called to raise).
        if value is None or cls is bool:
            pass
        elif cls is str:
            if not _str_in_bounds(value, name):
                _check_bounds(value, subject, name)
        elif cls is int:
            if not _int_in_bounds(value, name):
                _check_bounds(value, subject, name)
        elif cls is tuple and value and _plain_in_bounds(value, name, kind):
            continue  # bounded, and the trip gives it back equal (see _plain_in_bounds)
        elif isinstance(value, enum.Enum):
            # A member's bounds are those of its fixed value: checked once per field.
            if (name, value) not in _ENUMS_IN_BOUNDS:
                _check_bounds(value, subject, name)
                _ENUMS_IN_BOUNDS.add((name, value))
        else:
            _check_bounds(value, subject, name)
        if cls in plain and (cls is not tuple or not value):
            # The round trip below could not refuse it (see _plain_types): every command
            # checks every field, and most are ids and empty options. A bool for an int
            # field is not exactly an int, and still makes the trip.
            continue
        if cls is tuple:
            shape = _plain_items(kind)
            if shape is not None and _all_plain(value, shape):
                continue  # the trip gives an equal tuple of equal items (see _PLAIN_ITEMS)
        try:
            back = converter.structure(converter.unstructure(value, kind), kind)
        except Exception:
            back = _REFUSED
        if back is _REFUSED or back != value or type(back) is not type(value):
            # The type's text only when refusing: every command checks every field.
            expected = f"a value of type {_type_text(kind)}"
            raise ValidationError.invalid(subject, name, value, expected)


def _type_text(kind: Any) -> str:
    text = getattr(kind, "__name__", None) if get_origin(kind) is None else None
    return text or str(kind).replace("typing.", "").replace("ordercycle.", "")


def command_payload(command: Command) -> dict[str, Any]:
    """The JSON data that identifies a command: its fields and type, without the command id.

    Two commands with equal payloads are the same command; the command log stores the
    hash of this payload.
    """
    data = to_dict(command)
    data.pop("command_id", None)
    for name in command.added_later:
        if not data.get(name):
            data.pop(name, None)
    data["type"] = type(command).__name__
    return dict(data)


def parse_command(text: str | bytes | Mapping[str, Any]) -> Command:
    """Read a command from JSON text (or already parsed data) ``{"type": ..., ...}``.

    Raises:
        SerializationError: The text is not JSON, not an object, has no ``"type"``, or a
            field is missing, unknown or of the wrong type (``message @ $.path``).
        UnknownCommandError: ``"type"`` names no command.
    """
    if isinstance(text, Mapping):
        data: Any = dict(text)
    else:
        data = load_json(text, "a command")
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise SerializationError(
            f"Cannot read a command from {_clip(data)}: expected a JSON object with a"
            ' "type" naming a command.',
            problems=[("$.type", "missing or not a string")],
        )
    kind = data.pop("type")
    cls = COMMANDS.get(kind)
    if cls is None:
        raise UnknownCommandError(kind, COMMANDS)
    return from_dict(data, cls)


def _clip(value: object) -> str:
    return shown(value)
