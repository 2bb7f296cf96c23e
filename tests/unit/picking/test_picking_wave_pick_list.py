"""A released pick list is a value with a lifecycle: open until its picks are confirmed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

from ordercycle.errors import InvalidQuantityError, TransitionNotAllowedError, ValidationError
from ordercycle.picking import PICK_LIST_LIFECYCLE, WavePickLine, WavePickList
from ordercycle.serialization import from_dict, to_dict

RELEASED_AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
LIFECYCLES_PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "lifecycles.md"


def _line(order_id: str, line_id: str, quantity: int, bin_id: str = "WH/1") -> WavePickLine:
    return WavePickLine(
        order_id=order_id,
        line_id=line_id,
        sku="MUG",
        bin=bin_id,
        location="A00-005-L0",
        quantity=quantity,
    )


def _released() -> WavePickList:
    return WavePickList(
        pick_list_id="PL-1",
        warehouse="WH",
        lines=(_line("O-1", "L1", 2), _line("O-2", "L1", 3), _line("O-1", "L1", 4, "WH/2")),
        route_length=Fraction(42),
        route_method="optimal",
        route_exact=True,
        route_explanation="exact",
        released_at=RELEASED_AT,
    )


def test_the_lifecycle_is_open_then_confirmed() -> None:
    assert PICK_LIST_LIFECYCLE.initial == "open"
    assert PICK_LIST_LIFECYCLE.final_states == ("confirmed",)
    released = _released()
    assert (released.status, released.allowed_events()) == ("open", ("confirm",))
    assert released.order_ids == ("O-1", "O-2")


def test_confirm_spreads_shortages_over_the_lines_in_walking_order() -> None:
    released = _released()
    done = released.confirm([("O-1/L1", 3), ("O-1/L1", 1), ("O-2/L1", 1)], at=RELEASED_AT)
    assert [(line.picked, line.short) for line in done.lines] == [(0, 2), (2, 1), (2, 2)]
    assert (done.status, done.confirmed_at) == ("confirmed", RELEASED_AT)
    assert released.status == "open"
    assert [line.picked for line in released.confirm([], at=RELEASED_AT).lines] == [2, 3, 4]


def test_confirming_twice_is_refused_with_the_lifecycle_error() -> None:
    done = _released().confirm([], at=RELEASED_AT)
    with pytest.raises(TransitionNotAllowedError) as caught:
        done.confirm([("nope", 1)], at=RELEASED_AT)
    assert str(caught.value) == (
        "Cannot confirm pick list PL-1: it is confirmed; no event is allowed now."
    )


@pytest.mark.parametrize(
    ("shortages", "error", "words"),
    [
        ([("O-9/L1", 1)], ValidationError, "shortage reference for pick list PL-1: 'O-9/L1'"),
        ([("O-1/L1", 0)], InvalidQuantityError, "a positive whole number"),
        ([("O-1/L1", True)], InvalidQuantityError, "a positive whole number"),
        ([("O-2/L1", 2), ("O-2/L1", 2)], InvalidQuantityError, "at most the 3 units listed"),
    ],
)
def test_bad_shortages_are_refused(
    shortages: list[tuple[str, int]], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=re.escape(words)):
        _released().confirm(shortages, at=RELEASED_AT)


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="status for WavePickList: 'packed'"):
        attrs.evolve(_released(), status="packed")


def test_it_round_trips_as_plain_data_with_the_stored_field_names() -> None:
    done = _released().confirm([("O-2/L1", 1)], at=RELEASED_AT)
    data = to_dict(done)
    assert list(data) == [
        "pick_list_id",
        "warehouse",
        "lines",
        "route_length",
        "route_method",
        "route_exact",
        "route_explanation",
        "released_at",
        "status",
        "confirmed_at",
    ]
    assert list(data["lines"][0]) == [
        "order_id",
        "line_id",
        "sku",
        "bin",
        "location",
        "quantity",
        "picked",
        "shipment_id",
    ]
    assert from_dict(data, WavePickList) == done


def test_the_lifecycles_page_shows_the_current_diagram() -> None:
    diagrams = re.findall(r"```mermaid\n(.*?)\n```", LIFECYCLES_PAGE.read_text(), re.DOTALL)
    assert PICK_LIST_LIFECYCLE.to_mermaid() in diagrams
