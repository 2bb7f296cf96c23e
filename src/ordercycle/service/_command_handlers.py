"""The handler table: which function runs each command.

A handler is a function ``(session, command) -> CommandResult`` in one of the handler
modules (``_orders``, ``_warehouse``, ``_billing``) that says what it handles::

    @handles(PlaceOrder)
    def place_order(s: Session, c: PlaceOrder) -> CommandResult: ...

:func:`handler_table` collects those declarations from the modules it is given and checks
them against :data:`~ordercycle.service.commands.COMMANDS`: every command has exactly one
handler. The desk builds its table when it is imported, so a command without a handler, or
with two, fails the import of :mod:`ordercycle.service` with a message naming it.

A command whose decision is slow (packing) may also declare a *preparer* with
:func:`prepares`: a function ``(session, command) -> value`` that the desk runs in a
read-only unit of work *before* the write transaction. Its value reaches the handler as
``session.prepared``; the handler checks that what it was computed from has not moved
on (or raises :class:`~ordercycle.errors.ConcurrencyError`, and the desk runs both again),
so the write lock is never held while the slow part runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType, ModuleType
from typing import Any, TypeVar

from ordercycle.service._session import Session
from ordercycle.service.commands import COMMANDS, Command
from ordercycle.service.errors import CommandHandlerError
from ordercycle.service.results import CommandResult

__all__ = ["PREPARERS", "Handler", "Preparer", "handler_table", "handles", "prepares"]

C = TypeVar("C", bound=Command)
T = TypeVar("T")

Handler = Callable[[Session, Any], CommandResult]
#: Computes, in a read-only session, what a handler would otherwise compute under the lock.
Preparer = Callable[[Session, Any], object]

#: The preparer of each command that has one (see :func:`prepares`).
PREPARERS: dict[type[Command], Preparer] = {}

# The declarations so far: handler module name -> command class -> handler.
_DECLARED: dict[str, dict[type[Command], Handler]] = {}


def _dotted(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def handles(
    command: type[C],
) -> Callable[[Callable[[Session, C], CommandResult]], Callable[[Session, C], CommandResult]]:
    """Declare the decorated function as the handler of ``command`` (returned unchanged).

    Raises:
        CommandHandlerError: If another function of the same module already handles it.
    """

    def declare(
        handler: Callable[[Session, C], CommandResult],
    ) -> Callable[[Session, C], CommandResult]:
        declared = _DECLARED.setdefault(handler.__module__, {})
        existing = declared.get(command)
        # The same function declared again is a module reloaded, not a second handler.
        if existing is not None and _dotted(existing) != _dotted(handler):
            raise CommandHandlerError(
                [
                    f"{command.__name__} is handled by both {_dotted(existing)}"
                    f" and {_dotted(handler)}"
                ]
            )
        declared[command] = handler
        return handler

    return declare


def handler_table(
    *modules: ModuleType, commands: Mapping[str, type[Command]] = COMMANDS
) -> Mapping[type[Command], Handler]:
    """The handler of every command, from the ``@handles`` declarations in ``modules``.

    Raises:
        CommandHandlerError: Naming every command with no handler, with more than one (in
            different modules), and every handler of a class that is not in ``commands``.
    """
    table: dict[type[Command], Handler] = {}
    problems: list[str] = []
    for module in modules:
        for command, handler in _DECLARED.get(module.__name__, {}).items():
            existing = table.get(command)
            if existing is not None:
                problems.append(
                    f"{command.__name__} is handled by both {_dotted(existing)}"
                    f" and {_dotted(handler)}"
                )
            elif commands.get(command.__name__) is not command:
                problems.append(
                    f"{_dotted(handler)} handles {command.__name__}, which is not a command"
                    " of the table"
                )
            else:
                table[command] = handler
    where = ", ".join(module.__name__ for module in modules) or "no module"
    problems.extend(
        f"{name} has no handler (declare one with @handles({name}) in {where})"
        for name, command in commands.items()
        if command not in table
    )
    if problems:
        raise CommandHandlerError(problems)
    return MappingProxyType(table)


def prepares(command: type[C]) -> Callable[[Callable[[Session, C], T]], Callable[[Session, C], T]]:
    """Declare the decorated function as the read-only preparer of ``command``.

    The desk runs it in a read-only unit of work before each attempt of the command and
    hands its value to the handler as ``session.prepared`` (``None`` when it raised an
    :class:`~ordercycle.errors.OrderCycleError`: the handler then refuses the command
    itself, with the same error).
    """

    def declare(preparer: Callable[[Session, C], T]) -> Callable[[Session, C], T]:
        PREPARERS[command] = preparer
        return preparer

    return declare
