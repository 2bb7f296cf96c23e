"""Order errors keep their attributes through pickle and subclass the fitting builtins."""

from __future__ import annotations

import pickle

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.model.order.errors import (
    ChangeNotAllowedError,
    CommandNotAllowedError,
    DuplicateLineError,
    EventHistoryError,
    LedgerLawError,
    OrderCommandError,
    OrderCurrencyError,
    QuantityNotAvailableError,
    UnknownHoldError,
    UnknownLineError,
    UnknownReturnError,
)

ERRORS = [
    QuantityNotAvailableError("pick", 5, "line L1 of order O-17", available=3, bucket="allocated"),
    LedgerLawError("line L1", ["delivered <= shipped is broken: 2 > 1"]),
    OrderCommandError("order O-17", "cancel order O-17", "2 units are invoiced"),
    ChangeNotAllowedError("order O-17", "remove line L1 of order O-17", "it is picked"),
    CommandNotAllowedError(
        "order O-17", "pick units of", "confirmed", reason="it is confirmed", allowed_states=["x"]
    ),
    OrderCurrencyError("order O-17", "payment PAY-1", "USD", "EUR"),
    EventHistoryError("Cannot replay.", subject="order O-17"),
    UnknownLineError("order O-17", "L9", ["L1", "L2"]),
    DuplicateLineError("order O-17", "L1"),
    UnknownHoldError("order O-17", "address", ["credit"]),
    UnknownReturnError("order O-17", "RMA-9", []),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_order_errors_pickle_with_their_attributes(error: OrderCycleError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__
    assert isinstance(error, ValueError | LookupError)
    assert str(error).endswith(".")


def test_messages_read_as_sentences() -> None:
    assert str(ERRORS[0]) == "Cannot pick 5 units of line L1 of order O-17: only 3 allocated."
    assert str(ERRORS[4]) == (
        "Cannot pick units of order O-17: it is confirmed; allowed when the order is x."
    )
    assert str(ERRORS[7]) == "Unknown line of order O-17 'L9'; known: L1, L2."
