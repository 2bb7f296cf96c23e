"""Returns (RMA): request, authorize or reject, receive with a condition."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordercycle.errors import DuplicateError, InvalidQuantityError, ValidationError
from ordercycle.model.order.errors import (
    CommandNotAllowedError,
    OrderCommandError,
    QuantityNotAvailableError,
    UnknownReturnError,
)
from ordercycle.model.order.events import OrderReturnReceived
from ordercycle.model.order.policies import ReturnCondition, ReturnStatus
from ordercycle.model.order.status import FulfilmentStatus
from ordercycle.money import Money

from .conftest import Story


def test_a_return_is_requested_authorized_and_received(story: Story) -> None:
    story.delivered()
    story.do("request_return", "RMA-1", line_id="L1", quantity=2, reason="too small")
    assert story.order.line("L1").ledger.return_requested == 2
    story.do("authorize_return", "RMA-1", by="cs", restocking_fee_rate=Decimal("0.15"))
    (event,) = story.do("receive_return", "RMA-1", ReturnCondition.RESELLABLE)
    assert isinstance(event, OrderReturnReceived)
    assert (event.sku, event.quantity, event.restock) == ("MUG-12", 2, 2)
    assert event.restocking_fee_rate == Decimal("0.15")
    rma = story.order.return_authorization("RMA-1")
    assert (rma.status, rma.condition) == (ReturnStatus.RECEIVED, ReturnCondition.RESELLABLE)
    ledger = story.order.line("L1").ledger
    assert (ledger.returned_resellable, ledger.return_requested) == (2, 0)
    assert story.order.fulfilment_status is FulfilmentStatus.PARTIALLY_RETURNED


def test_damaged_units_do_not_go_back_to_stock(story: Story) -> None:
    story.delivered()
    story.do("request_return", "RMA-1", line_id="L2", quantity=2, reason="torn")
    story.do("authorize_return", "RMA-1")
    (event,) = story.do("receive_return", "RMA-1", "damaged")
    assert isinstance(event, OrderReturnReceived)
    assert event.restock == 0
    assert story.order.line("L2").ledger.returned_damaged == 2


def test_returning_more_than_delivered_is_refused(story: Story) -> None:
    story.delivered()
    story.do("request_return", "RMA-1", line_id="L1", quantity=3, reason="too small")
    before = story.order
    with pytest.raises(QuantityNotAvailableError) as info:
        before.request_return("RMA-2", line_id="L1", quantity=2, reason="late", at=story.at())
    assert str(info.value) == (
        "Cannot return 2 units of line L1 of order O-17: only 1 delivered and not yet returned."
    )
    assert story.order == before
    with pytest.raises(InvalidQuantityError, match="expected a positive integer"):
        before.request_return("RMA-2", line_id="L1", quantity=0, reason="late", at=story.at())


def test_a_rejected_return_frees_the_units_again(story: Story) -> None:
    story.delivered()
    story.do("request_return", "RMA-1", line_id="L1", quantity=4, reason="too small")
    story.do("reject_return", "RMA-1", note="used")
    assert story.order.return_authorization("RMA-1").status is ReturnStatus.REJECTED
    assert story.order.line("L1").ledger.returnable == 4
    with pytest.raises(OrderCommandError, match="Cannot authorize return RMA-1 of order O-17"):
        story.order.authorize_return("RMA-1", at=story.at())


def test_a_return_must_be_authorized_before_it_is_received(story: Story) -> None:
    story.delivered()
    story.do("request_return", "RMA-1", line_id="L1", quantity=1, reason="too small")
    with pytest.raises(OrderCommandError) as info:
        story.order.receive_return("RMA-1", ReturnCondition.DAMAGED, at=story.at())
    assert str(info.value) == (
        "Cannot receive return RMA-1 of order O-17: it is requested; authorize it first."
    )


def test_return_ids_reasons_and_fee_rates_are_checked(story: Story) -> None:
    story.delivered()
    story.do("request_return", "RMA-1", line_id="L1", quantity=1, reason="too small")
    order = story.order
    with pytest.raises(DuplicateError, match="Duplicate return 'RMA-1'"):
        order.request_return("RMA-1", line_id="L1", quantity=1, reason="again", at=story.at())
    with pytest.raises(UnknownReturnError, match="Unknown return of order O-17 'RMA-9'"):
        order.authorize_return("RMA-9", at=story.at())
    with pytest.raises(ValidationError, match="restocking fee rate"):
        order.authorize_return("RMA-1", at=story.at(), restocking_fee_rate=Decimal(1))
    with pytest.raises(ValidationError, match="return reason"):
        order.request_return("RMA-2", line_id="L1", quantity=1, reason="", at=story.at())


def test_returns_need_a_released_or_completed_order(story: Story) -> None:
    story.create()
    with pytest.raises(CommandNotAllowedError, match="request a return on order O-17"):
        story.order.request_return("RMA-1", line_id="L1", quantity=1, reason="x", at=story.at())


def test_the_credit_note_keeps_the_restocking_fee(story: Story) -> None:
    story.delivered()
    story.do("record_invoice", "INV-1", {"L1": 4, "L2": 2})
    story.do("request_return", "RMA-1", line_id="L1", quantity=2, reason="too small")
    story.do("authorize_return", "RMA-1", restocking_fee_rate=Decimal("0.15"))
    story.do("receive_return", "RMA-1", ReturnCondition.RESELLABLE)
    fee = story.order.return_authorization("RMA-1").restocking_fee_rate
    story.do("record_credit", "CN-1", {"L1": 2}, restocking_fee_rate=fee)
    assert story.order.credit_notes[0].amount == Money("16.15", "USD")  # 19.00 less 15 %
    assert story.order.amount_due == Money("78.00", "USD") - Money("16.15", "USD")
