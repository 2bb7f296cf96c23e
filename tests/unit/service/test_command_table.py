"""One command table: commands register themselves, handlers say what they handle, and the
desk has exactly one method per command, named after it, with the command's fields."""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import ordercycle.service
from ordercycle.errors import ConfigurationError, DuplicateError
from ordercycle.service import (
    CommandResult,
    OrderDesk,
    _billing,
    _changes,
    _drafts,
    _freight,
    _orders,
    _pricing,
    _purchasing,
    _quarantine,
    _receivables,
    _stock,
    _warehouse,
    commands,
)
from ordercycle.service._command_handlers import handler_table, handles
from ordercycle.service._session import Session
from ordercycle.service.commands import COMMANDS, Command, PlaceOrder, parse_command
from ordercycle.service.desk import _HANDLERS
from ordercycle.service.errors import CommandHandlerError, DuplicateCommandError

#: Desk methods that return a ``CommandResult`` without being one command's method.
GENERIC_RUNNERS = {"execute", "execute_json"}


def _snake(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).lower()


@pytest.fixture
def throwaway() -> Iterator[list[str]]:
    """Names of commands a test defines; they are taken out of the table afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        Command._unregister(name)


# --- the table ---------------------------------------------------------------------------


def test_every_command_class_of_the_module_is_in_the_table() -> None:
    defined = {
        name: obj
        for name, obj in vars(commands).items()
        if inspect.isclass(obj)
        and issubclass(obj, Command)
        and obj is not Command
        and not name.startswith("_")
    }
    assert dict(COMMANDS) == defined
    assert list(COMMANDS) == sorted(COMMANDS)
    assert set(COMMANDS) <= set(commands.__all__)


def test_the_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        COMMANDS["X"] = PlaceOrder  # type: ignore[index]


def test_the_service_package_does_not_list_the_commands_again() -> None:
    exported = set(ordercycle.service.__all__)
    assert not exported & (set(COMMANDS) | {"COMMANDS", "Command"})


def test_a_command_says_what_it_does_in_words() -> None:
    assert COMMANDS["IssueCreditNote"].name == "issue credit note"
    assert PlaceOrder.name == "place order"


def test_a_new_command_registers_itself_and_parses(throwaway: list[str]) -> None:
    throwaway.append("TableTestGiftWrap")

    @attrs.frozen(kw_only=True)
    class TableTestGiftWrap(Command):
        order_id: str
        note: str = ""

    assert COMMANDS["TableTestGiftWrap"] is TableTestGiftWrap
    assert list(COMMANDS) == sorted(COMMANDS)
    parsed = parse_command('{"type": "TableTestGiftWrap", "order_id": "O-1"}')
    assert parsed == TableTestGiftWrap(order_id="O-1")


def test_an_abstract_base_is_not_a_command() -> None:
    @attrs.frozen(kw_only=True)
    class TableTestBase(Command, abstract=True):
        order_id: str

    assert "TableTestBase" not in COMMANDS


def test_a_duplicate_type_name_is_refused_at_class_definition() -> None:
    with pytest.raises(DuplicateCommandError) as info:

        @attrs.frozen(kw_only=True)
        class PlaceOrder(Command):
            order_id: str

    error = info.value
    assert isinstance(error, DuplicateError)
    assert "Duplicate command type 'PlaceOrder'" in str(error)
    assert error.existing == "ordercycle.service.commands.PlaceOrder"
    assert "test_command_table" in error.new
    assert COMMANDS["PlaceOrder"] is commands.PlaceOrder


# --- the handlers ------------------------------------------------------------------------


def test_every_command_has_exactly_one_handler() -> None:
    assert set(_HANDLERS) == set(COMMANDS.values())
    table = handler_table(
        _orders,
        _warehouse,
        _billing,
        _changes,
        _stock,
        _purchasing,
        _drafts,
        _freight,
        _quarantine,
        _receivables,
        _pricing,
    )
    assert dict(table) == dict(_HANDLERS)


def test_a_command_without_a_handler_is_named() -> None:
    with pytest.raises(CommandHandlerError) as info:
        handler_table(
            _orders,
            _warehouse,
            _changes,
            _stock,
            _purchasing,
            _drafts,
            _freight,
            _quarantine,
            _receivables,
            _pricing,
        )
    error = info.value
    assert isinstance(error, ConfigurationError)
    assert "InvoiceOrder has no handler (declare one with @handles(InvoiceOrder)" in str(error)
    assert len(error.problems) == 6  # the six commands _billing handles


def _module_with_handlers(name: str, *commands_handled: type[Command]) -> types.ModuleType:
    """A module whose functions declare handlers for ``commands_handled``."""
    module = types.ModuleType(name)
    for index, command in enumerate(commands_handled):

        def run(s: Session, c: Any) -> CommandResult:
            raise AssertionError("never run")

        run.__module__ = name
        run.__qualname__ = f"run_{index}"
        handles(command)(run)
    return module


def test_two_handlers_for_one_command_are_refused() -> None:
    extra = _module_with_handlers("tests_table_extra", commands.ConfirmOrder)
    with pytest.raises(CommandHandlerError) as info:
        handler_table(_orders, _warehouse, _billing, extra)
    assert str(info.value).count("is handled by both") == 1
    assert "ConfirmOrder is handled by both ordercycle.service._orders.confirm_order" in str(
        info.value
    )
    assert "tests_table_extra.run_0" in str(info.value)


def test_two_handlers_in_one_module_are_refused_when_declared() -> None:
    def first(s: Session, c: commands.AllocateOrder) -> CommandResult:
        raise AssertionError("never run")

    def second(s: Session, c: commands.AllocateOrder) -> CommandResult:
        raise AssertionError("never run")

    first.__module__ = second.__module__ = "tests_table_twice"
    handles(commands.AllocateOrder)(first)
    with pytest.raises(CommandHandlerError, match="AllocateOrder is handled by both"):
        handles(commands.AllocateOrder)(second)


def test_a_handler_of_a_class_outside_the_table_is_refused(throwaway: list[str]) -> None:
    throwaway.append("TableTestStray")

    @attrs.frozen(kw_only=True)
    class TableTestStray(Command):
        order_id: str

    stray = _module_with_handlers("tests_table_stray", TableTestStray)
    Command._unregister("TableTestStray")
    with pytest.raises(CommandHandlerError, match="handles TableTestStray, which is not"):
        handler_table(_orders, _warehouse, _billing, stray)


def test_a_command_the_desk_has_no_handler_for_is_refused(throwaway: list[str]) -> None:
    throwaway.append("TableTestNoHandler")

    @attrs.frozen(kw_only=True)
    class TableTestNoHandler(Command):
        order_id: str

    with pytest.raises(TypeError, match="expected a desk command"):
        OrderDesk.in_memory().execute(TableTestNoHandler(order_id="O-1"))


# --- the desk's methods ------------------------------------------------------------------


def _command_methods() -> dict[str, inspect.Signature]:
    """Every public desk method that returns a ``CommandResult``, with its signature."""
    found = {}
    for name, member in vars(OrderDesk).items():
        if name.startswith("_") or name in GENERIC_RUNNERS or not callable(member):
            continue
        signature = inspect.signature(member, eval_str=True)
        if signature.return_annotation is CommandResult:
            found[name] = signature
    return found


def test_every_command_has_one_desk_method_named_after_it_and_vice_versa() -> None:
    expected = {_snake(name) for name in COMMANDS}
    assert len(expected) == len(COMMANDS)
    assert set(_command_methods()) == expected


@pytest.mark.parametrize("type_name", list(COMMANDS))
def test_a_desk_method_takes_its_commands_fields(type_name: str) -> None:
    command = COMMANDS[type_name]
    signature = _command_methods()[_snake(type_name)]
    parameters = {
        name: parameter.default
        for name, parameter in signature.parameters.items()
        if name != "self"
    }
    fields = {field.name: field.default for field in attrs.fields(command)}
    assert set(parameters) == set(fields)
    for name, default in fields.items():
        wanted = inspect.Parameter.empty if default is attrs.NOTHING else default
        assert parameters[name] == wanted, f"{type_name}.{name}"
    kinds = {p.kind for p in signature.parameters.values()}
    assert not kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}
    assert signature.parameters["command_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert (OrderDesk.__dict__[_snake(type_name)].__doc__ or "").strip()


def test_desk_queries_are_nouns_and_write_nothing(memory_desk: OrderDesk) -> None:
    # The rename of the queries: invoice() reads an invoice, invoice_order() makes one.
    assert _snake("InvoiceOrder") in _command_methods()
    assert "invoice" not in _command_methods()
    for old in ("invoice_of", "available", "stock", "aging", "confirm", "allocate", "pack"):
        assert not hasattr(OrderDesk, old), old
    assert memory_desk.available_units("MUG") == 40
    assert [p.on_hand for p in memory_desk.stock_positions("MUG")] == [40]
    assert memory_desk.aging_report().buckets is not None
