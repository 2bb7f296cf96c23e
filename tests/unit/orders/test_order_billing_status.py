"""Derived statuses and billing records: invoices, credit notes, payments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordercycle.errors import CurrencyMismatchError, DuplicateError, InvalidQuantityError
from ordercycle.model.order.errors import CommandNotAllowedError, QuantityNotAvailableError
from ordercycle.model.order.lines import Discount, NewLine
from ordercycle.model.order.policies import ShippingPolicy
from ordercycle.model.order.status import BillingStatus, FulfilmentStatus, PaymentStatus
from ordercycle.money import Money

from .conftest import Story


def test_fulfilment_status_follows_the_ledger(story: Story) -> None:
    story.released()
    seen = [story.order.fulfilment_status]
    for step, line, quantity in [
        ("allocate", "L1", 2),
        ("allocate", "L1", 2),
        ("allocate", "L2", 2),
        ("pick", "L1", 4),
        ("pack", "L1", 4),
        ("ship", "L1", 4),
        ("pick", "L2", 2),
        ("pack", "L2", 2),
        ("ship", "L2", 2),
        ("deliver", "L1", 4),
        ("deliver", "L2", 2),
    ]:
        story.do(step, line, quantity)
        seen.append(story.order.fulfilment_status)
    assert list(dict.fromkeys(seen)) == [
        FulfilmentStatus.UNFULFILLED,
        FulfilmentStatus.PARTIALLY_ALLOCATED,
        FulfilmentStatus.ALLOCATED,
        FulfilmentStatus.PARTIALLY_SHIPPED,
        FulfilmentStatus.SHIPPED,
        FulfilmentStatus.DELIVERED,
    ]


def test_every_delivered_unit_back_means_returned(story: Story) -> None:
    story.delivered()
    for line_id, quantity in (("L1", 4), ("L2", 2)):
        rma = f"RMA-{line_id}"
        story.do("request_return", rma, line_id=line_id, quantity=quantity, reason="no")
        story.do("authorize_return", rma)
        story.do("receive_return", rma, "resellable")
    assert story.order.fulfilment_status is FulfilmentStatus.RETURNED


def test_billing_and_payment_statuses(story: Story) -> None:
    story.released()
    order = story.order
    assert (order.billing_status, order.payment_status) == (
        BillingStatus.NOT_INVOICED,
        PaymentStatus.UNPAID,
    )
    story.do("record_invoice", "INV-1", {"L1": 4})
    assert story.order.billing_status is BillingStatus.PARTIALLY_INVOICED
    assert story.order.amount_due == Money("38.00", "USD")
    story.do("record_payment", "PAY-1", Money("20.00", "USD"))
    assert story.order.payment_status is PaymentStatus.PARTIALLY_PAID
    story.do("record_invoice", "INV-2", {"L2": 2})
    assert story.order.billing_status is BillingStatus.INVOICED
    story.do("record_payment", "PAY-2", Money("58.00", "USD"))
    assert story.order.payment_status is PaymentStatus.PAID
    story.do("record_payment", "PAY-3", Money("0.01", "USD"))
    assert story.order.payment_status is PaymentStatus.OVERPAID
    story.do("record_credit", "CN-1", {"L1": 4, "L2": 2})
    assert story.order.billing_status is BillingStatus.CREDITED


def test_the_delivered_policy_invoices_only_delivered_units(story: Story) -> None:
    story.released(invoice_policy="delivered")
    with pytest.raises(QuantityNotAvailableError, match="only 0 delivered and not invoiced"):
        story.order.record_invoice("INV-1", {"L1": 1}, at=story.at())
    story.delivered(invoice_policy="delivered")
    story.do("record_invoice", "INV-1", {"L1": 4})
    assert story.order.line("L1").ledger.invoiced == 4


def test_invoice_amounts_apply_discounts(story: Story) -> None:
    line = NewLine(
        "L1",
        "MUG-12",
        3,
        Money("10.00", "USD"),
        discounts=(Discount.percent("10"), Discount.per_unit(Money("1.00", "USD"))),
    )
    story.create(lines=[line])
    for event in ("place", "confirm"):
        story.do(event)
    story.do("record_invoice", "INV-1", {"L1": 3})
    assert story.order.invoices[0].amount == Money("24.00", "USD")


def test_billing_errors_are_typed(story: Story) -> None:
    story.released()
    story.do("record_invoice", "INV-1", {"L1": 1})
    order = story.order
    with pytest.raises(DuplicateError, match="Duplicate invoice 'INV-1'"):
        order.record_invoice("INV-1", {"L1": 1}, at=story.at())
    with pytest.raises(QuantityNotAvailableError, match="only 1 invoiced and not credited"):
        order.record_credit("CN-1", {"L1": 2}, at=story.at())
    with pytest.raises(CurrencyMismatchError, match="payment PAY-1 of order O-17"):
        order.record_payment("PAY-1", Money("5.00", "EUR"), at=story.at())
    with pytest.raises(InvalidQuantityError, match="expected a positive amount"):
        order.record_payment("PAY-1", Money("0.00", "USD"), at=story.at())
    with pytest.raises(InvalidQuantityError, match="expected a positive integer"):
        order.record_invoice("INV-2", {"L1": -1}, at=story.at())
    assert story.order == order


def test_ship_complete_waits_until_every_unit_is_packed(story: Story) -> None:
    story.released(shipping_policy=ShippingPolicy.SHIP_COMPLETE)
    for step in ("allocate", "pick", "pack"):
        story.do(step, "L1", 4)
    with pytest.raises(CommandNotAllowedError, match="it ships complete and 2 units are not"):
        story.order.ship("L1", 4, at=story.at())
    for step in ("allocate", "pick", "pack"):
        story.do(step, "L2", 2)
    story.do("ship", "L1", 4)
    assert story.order.fulfilment_status is FulfilmentStatus.PARTIALLY_SHIPPED


def test_warehouse_steps_need_a_released_order(story: Story) -> None:
    story.create()
    story.do("place")
    story.do("confirm")
    story.do("allocate", "L1", 1)
    with pytest.raises(CommandNotAllowedError) as info:
        story.order.pick("L1", 1, at=story.at())
    assert str(info.value) == (
        "Cannot pick units of order O-17: it is confirmed; allowed when the order is released."
    )


def test_restocking_fee_rate_must_be_a_fraction(story: Story) -> None:
    story.released()
    story.do("record_invoice", "INV-1", {"L1": 1})
    with pytest.raises(ValueError, match="restocking fee rate"):
        story.order.record_credit("CN-1", {"L1": 1}, at=story.at(), restocking_fee_rate=Decimal(2))
