"""``exact_decimal`` reads a plain ``int`` straight as a ``Decimal``: the same answer as the
checked way (its text), refusals and their messages included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.limits import MAX_DECIMAL_DIGITS, exact_decimal

LIMIT = 10**MAX_DECIMAL_DIGITS
EDGES = (0, 1, -1, LIMIT - 1, -(LIMIT - 1), LIMIT, -LIMIT, LIMIT + 1, 2**240, 2**241)


def _read(value: object) -> Decimal | str:
    try:
        return exact_decimal(value, "Thing", "count", error=InvalidQuantityError)
    except ValidationError as error:
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("value", EDGES)
def test_an_int_reads_as_its_text_reads(value: int) -> None:
    fast = _read(value)
    slow = _read(str(value))
    if isinstance(slow, str):  # refused: the message names the value as given
        assert fast == slow.replace(repr(str(value)), repr(value))
        assert fast.startswith("InvalidQuantityError")
    else:
        assert isinstance(fast, Decimal)
        assert fast.as_tuple() == slow.as_tuple()


@given(st.integers(min_value=-(LIMIT * 10), max_value=LIMIT * 10))
def test_any_int_reads_as_its_decimal(value: int) -> None:
    fast = _read(value)
    if abs(value) < LIMIT:
        assert isinstance(fast, Decimal)
        assert fast.as_tuple() == Decimal(value).as_tuple()
    else:
        assert isinstance(fast, str)
        assert "at most 60 significant digits" in fast


def test_bools_and_int_subclasses_go_the_checked_way() -> None:
    assert isinstance(_read(True), str)

    class Count(int):
        pass

    assert _read(Count(3)) == Decimal(3)
