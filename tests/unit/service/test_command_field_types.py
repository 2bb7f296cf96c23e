"""A command refuses a field value that is not exactly of its declared type.

Text, whole numbers, booleans, enum members and empty options skip the serializer's round
trip when the command is made (a speed-up); these tests pin that the shortcut refuses what
the round trip refused, and accepts what it accepted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ordercycle.errors import ValidationError
from ordercycle.model.order.policies import InvoicePolicy, Priority
from ordercycle.service._command_table import check_fields
from ordercycle.service.commands import (
    ConfirmOrder,
    OrderItem,
    PlaceOrder,
    ReceiveStock,
    ReleaseWave,
    command_payload,
    parse_command,
)

MUG = (OrderItem(sku="MUG", quantity=1),)


@pytest.mark.parametrize(
    ("make", "field", "expected"),
    [
        (lambda: ReceiveStock(sku="MUG", bin="WH-EAST/A1", quantity=True), "quantity", "int"),
        (lambda: ConfirmOrder(order_id=5), "order_id", "str"),
        (lambda: ReceiveStock(sku="MUG", bin="WH-EAST/A1", quantity=2, lot=3), "lot", "str"),
        (lambda: PlaceOrder(customer_id="C-1", items=MUG, payment_terms=None), "terms", "str"),
    ],
)
def test_a_value_not_exactly_of_the_declared_type_is_refused(
    make: Any, field: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        make()
    assert field in str(raised.value)
    assert expected in str(raised.value)


def test_a_date_given_as_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="requested delivery date"):
        PlaceOrder(customer_id="C-1", items=MUG, requested_delivery_date="2026-01-01")  # type: ignore[arg-type]


def test_plain_values_empty_options_and_enum_members_are_accepted_and_kept() -> None:
    command = PlaceOrder(
        customer_id="C-1",
        items=MUG,
        invoice_policy=InvoicePolicy.ORDERED,
        priority=Priority.HIGH,
        shipping_address_index=None,
        requested_delivery_date=None,
        price_overrides=(),
    )
    assert command.priority is Priority.HIGH
    assert command.price_overrides == ()
    again = parse_command({**command_payload(command)})
    assert again == command


def test_a_value_changed_after_construction_is_still_checked() -> None:
    # check_fields is what construction runs; object.__setattr__ bypasses the frozen class.
    command = ConfirmOrder(order_id="O-1")
    object.__setattr__(command, "order_id", 7)
    with pytest.raises(ValidationError, match="order_id"):
        check_fields(command)
    dated = PlaceOrder(customer_id="C-1", items=MUG, requested_delivery_date=date(2026, 1, 2))
    object.__setattr__(dated, "items", ((1, 2),))
    with pytest.raises(ValidationError, match="items"):
        check_fields(dated)


@pytest.mark.parametrize("quantity", [True, "2", 2.0])
def test_an_item_field_not_exactly_of_its_type_still_makes_the_round_trip_and_is_refused(
    quantity: Any,
) -> None:
    # Items of exactly-typed text and counts skip the serializer's round trip (a speed-up);
    # an item with any other value is still checked by it.
    with pytest.raises(ValidationError, match="items"):
        PlaceOrder(customer_id="C-1", items=(OrderItem(sku="MUG", quantity=quantity),))


def test_an_item_of_plain_fields_is_still_bounded() -> None:
    with pytest.raises(ValidationError, match="sku"):
        PlaceOrder(customer_id="C-1", items=(OrderItem(sku="x" * 10_000, quantity=1),))
    command = PlaceOrder(customer_id="C-1", items=(OrderItem(sku="MUG", quantity=3),))
    assert command.items == (OrderItem(sku="MUG", quantity=3),)
    assert parse_command({**command_payload(command)}) == command


def test_an_item_count_beyond_the_limit_is_refused() -> None:
    with pytest.raises(ValidationError, match="quantity"):
        PlaceOrder(customer_id="C-1", items=(OrderItem(sku="MUG", quantity=10**12),))


@pytest.mark.parametrize(
    "order_ids", [("O-1", " O-2"), ("O-1", ""), ("O-1", "O" * 10_000), ("O-1", 2), ("O-1", None)]
)
def test_ids_in_a_tuple_of_text_are_bounded_and_exactly_text(order_ids: Any) -> None:
    # A tuple of exactly-typed, bounded ids skips the serializer's round trip (a speed-up);
    # anything else is refused as before, naming the field.
    with pytest.raises(ValidationError, match="order_ids"):
        ReleaseWave(warehouse="WH-EAST", order_ids=order_ids)


def test_a_tuple_of_ids_is_kept_and_read_back() -> None:
    command = ReleaseWave(warehouse="WH-EAST", order_ids=("O-1", "O-2"))
    assert command.order_ids == ("O-1", "O-2")
    assert parse_command({**command_payload(command)}) == command


def test_an_enum_member_is_checked_again_after_construction() -> None:
    command = PlaceOrder(customer_id="C-1", items=MUG, priority=Priority.HIGH)
    check_fields(command)  # a member seen before passes from the memo
    object.__setattr__(command, "priority", "high")
    with pytest.raises(ValidationError, match="priority"):
        check_fields(command)
