"""The command table: the :class:`Command` base, which registers every subclass, and JSON.

Defining a :class:`Command` subclass puts it in :data:`COMMANDS` under its class name, the
``"type"`` of its JSON envelope, as domain events register themselves under their
``event_type``. :func:`command_payload` is what the command log hashes to recognise a
command id used again; :func:`parse_command` reads the envelope back. The commands
themselves are in :mod:`ordercycle.service.commands`, the module to import them from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from ordercycle.errors import SerializationError
from ordercycle.serialization import from_dict, to_dict
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

    @classmethod
    def _unregister(cls, type_name: str) -> None:
        """Forget a registered command (for tests that define throwaway commands)."""
        _REGISTRY.pop(type_name, None)


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
        try:
            data = json.loads(text)
        except ValueError as error:
            raise SerializationError(
                f"Cannot read a command from {_clip(text)}: it is not JSON ({error});"
                ' expected an object such as {"type": "ConfirmOrder", "order_id": "O-1"}.',
                problems=[("$", str(error))],
            ) from None
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
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
