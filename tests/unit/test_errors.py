"""The error tree: one root, builtin mix-ins, structured attributes, pickling."""

from __future__ import annotations

import inspect
import pickle

import pytest

from ordercycle import errors
from ordercycle.errors import (
    ConcurrencyError,
    CurrencyMismatchError,
    DefinitionError,
    InsufficientStockError,
    MissingDependencyError,
    NotFoundError,
    OrderCycleError,
    ParseError,
    TransitionNotAllowedError,
    UnknownCurrencyError,
    UnpackableItemError,
    ValidationError,
)

ALL_ERRORS = [
    obj
    for name, obj in vars(errors).items()
    if inspect.isclass(obj) and issubclass(obj, Exception) and name in errors.__all__
]


def test_every_public_error_is_rooted_in_ordercycle_error() -> None:
    assert len(ALL_ERRORS) == len(errors.__all__)
    for cls in ALL_ERRORS:
        assert issubclass(cls, OrderCycleError), cls


def test_every_error_except_the_root_mixes_in_a_builtin() -> None:
    builtins = (ValueError, LookupError, RuntimeError, ImportError)
    families = {OrderCycleError, errors.LifecycleError}
    for cls in ALL_ERRORS:
        if cls not in families:
            assert issubclass(cls, builtins), cls


def test_transition_error_reads_like_a_sentence() -> None:
    error = TransitionNotAllowedError(
        "order O-17", "ship", "on_hold", reason="it is on hold (credit)", allowed=["release"]
    )
    assert str(error) == "Cannot ship order O-17: it is on hold (credit); allowed now: release."
    assert (error.subject, error.event, error.state, error.allowed) == (
        "order O-17",
        "ship",
        "on_hold",
        ("release",),
    )


def test_not_found_lists_known_keys() -> None:
    error = NotFoundError("sku", "MUG-9", known=["MUG-1", "CUP-2"])
    assert str(error) == "Unknown sku 'MUG-9'; known: CUP-2, MUG-1."
    assert isinstance(error, LookupError)


@pytest.mark.parametrize(
    "error",
    [
        ValidationError.invalid("Money", "amount", 1.5, "a str, int or Decimal"),
        CurrencyMismatchError("add", "USD", "EUR"),
        UnknownCurrencyError("Unknown currency 'ZZZ'.", code="ZZZ"),
        ParseError("Cannot parse 'Net thirty'.", text="Net thirty", accepted=["Net 30"]),
        DefinitionError("order", ["no initial state", "state 'x' is unreachable"]),
        TransitionNotAllowedError("order O-1", "ship", "draft", allowed=["place"]),
        ConcurrencyError("order O-1", 3, 4),
        InsufficientStockError("MUG", 5, 2, location="WH-A"),
        UnpackableItemError("TV", "longer than every carton", best_carton="XL"),
        MissingDependencyError("Simulation", "simpy", "sim"),
        NotFoundError("order", "O-404"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickle_with_attributes(error: OrderCycleError) -> None:
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is type(error)
    assert str(clone) == str(error)
    assert clone.args == error.args
    assert vars(clone) == vars(error)


def test_structured_messages() -> None:
    assert str(DefinitionError("order", ["a", "b"])) == "Invalid lifecycle 'order': a; b."
    assert str(ConcurrencyError("order O-1", 3, 4)) == (
        "Concurrent change to order O-1: expected version 3, found version 4; reload and retry."
    )
    assert "pip install 'ordercycle[sim]'" in str(MissingDependencyError("Sim", "simpy", "sim"))
    assert str(InsufficientStockError("MUG", 5, 2, location="WH-A")) == (
        "Insufficient stock of MUG at WH-A: requested 5, available 2."
    )
