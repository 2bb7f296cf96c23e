"""Every order event survives JSON, and the decoded history replays to the same order."""

from __future__ import annotations

from decimal import Decimal

from ordercycle.model.events import DomainEvent
from ordercycle.model.order import Order
from ordercycle.model.order.changes import (
    AddLine,
    ChangeAddress,
    ChangePrice,
    ChangeQuantity,
    RemoveLine,
)
from ordercycle.model.order.lines import Discount, NewLine
from ordercycle.model.order.policies import AddressKind
from ordercycle.money import Money
from ordercycle.serialization import from_json, to_json

from .conftest import OFFICE, Story


def test_order_events_round_trip_through_json_and_replay(story: Story) -> None:
    story.create(
        lines=[
            NewLine("L1", "MUG", 4, Money("9.50", "USD"), discounts=(Discount.percent("10"),)),
            NewLine("L2", "TEE", 2, Money("20.00", "USD")),
        ]
    )
    for event in ("place", "confirm", "release"):
        story.do(event)
    story.do("hold", "credit", by="ana")
    story.do("release_hold", "credit", by="ana")
    story.do(
        "amend",
        [
            AddLine(NewLine("L3", "CAP", 1, Money("1.00", "USD"))),
            ChangeQuantity("L1", 5),
            ChangePrice("L2", Money("19.00", "USD")),
            ChangeAddress(AddressKind.SHIPPING, OFFICE),
            RemoveLine("L3"),
        ],
    )
    story.do("allocate", "L1", 5)
    story.do("cancel_line", "L1", 1)
    for step in ("pick", "pack", "ship", "deliver"):
        story.do(step, "L1", 4)
    story.do("record_invoice", "INV-1", {"L1": 4})
    story.do("request_return", "RMA-1", line_id="L1", quantity=1, reason="chipped")
    story.do("authorize_return", "RMA-1", restocking_fee_rate=Decimal("0.1"))
    story.do("receive_return", "RMA-1", "damaged")
    story.do("record_credit", "CN-1", {"L1": 1})
    story.do("record_payment", "PAY-1", Money("5.00", "USD"))

    decoded = [from_json(to_json(event), DomainEvent) for event in story.history]

    assert decoded == story.history
    assert Order.replay(decoded) == story.order  # type: ignore[arg-type]
