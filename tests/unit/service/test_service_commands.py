"""Commands as values: every command type travels through JSON and back unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordercycle.examples.shop import sample_customers, sample_products
from ordercycle.model.order.policies import HoldReason, InvoicePolicy, Priority, ReturnCondition
from ordercycle.money import Money
from ordercycle.serialization import to_json
from ordercycle.service import CommandResult
from ordercycle.service.commands import (
    COMMANDS,
    AllocateOrder,
    AmendOrder,
    ApplyCredit,
    AuthorizeReturn,
    CancelOrder,
    CancelOrderLine,
    CancelPurchaseOrder,
    ChangeShippingMethod,
    Command,
    ConfirmOrder,
    ConfirmPicks,
    CountStock,
    CreateDraftOrder,
    CreatePurchaseOrder,
    DeliverShipment,
    ExpireOrder,
    HoldOrder,
    InvoiceOrder,
    IssueCreditNote,
    MoveStock,
    OrderAmendment,
    OrderItem,
    PackOrder,
    PlaceDraftOrder,
    PlaceOrder,
    ReceivePurchaseOrder,
    ReceiveReturn,
    ReceiveStock,
    ReceiveTransfer,
    RecordPayment,
    RefundCredit,
    RegisterCustomer,
    RegisterProduct,
    RegisterPromotion,
    ReleaseHold,
    ReleaseQuarantinedMessage,
    ReleaseStock,
    ReleaseWave,
    RequestReturn,
    RetryQuarantinedMessage,
    ReversePayment,
    ScrapStock,
    SendQuote,
    ShipShipment,
    Shortage,
    TransferStock,
    UpdateDraftOrder,
    WriteOffBalance,
    command_payload,
    parse_command,
)

PRODUCT, PRICE = sample_products()[0]

LATER = "2027-01-01"

EXAMPLES: list[Command] = [
    RegisterCustomer(customer=sample_customers()[0], command_id="c1"),
    RegisterProduct(product=PRODUCT, price=PRICE, tax_code="NY"),
    RegisterProduct(product=PRODUCT, price=PRICE, category="kitchen"),
    ReceiveStock(sku="MUG", bin="WH-EAST/A1", quantity=3),
    PlaceOrder(
        customer_id="C-1",
        items=(OrderItem(sku="MUG", quantity=2),),
        invoice_policy=InvoicePolicy.DELIVERED,
        command_id="p",
    ),
    PlaceOrder(
        customer_id="C-1",
        items=(OrderItem(sku="MUG", quantity=1),),
        priority=Priority.RUSH,
        requested_delivery_date=date(2026, 3, 9),
    ),
    PlaceOrder(
        customer_id="C-1",
        items=(OrderItem(sku="MUG", quantity=3), OrderItem(sku="LAMP", quantity=1)),
        price_overrides=[{"line_id": "L2", "unit_price": "70.00 USD", "reason": "price match"}],
        discounts=[
            {"percent": "5", "reason": "loyalty"},
            {"line_id": "L1", "amount": "1.00 USD", "reason": "dented box"},
        ],
        promotion_code="SPRING10",
    ),
    RegisterPromotion(
        code="SPRING10",
        percent=Decimal("10"),
        scope="category",
        target="kitchen",
        minimum_order=Money("50.00", "USD"),
        valid_from=date(2026, 3, 1),
        valid_until=date(2026, 3, 31),
        limit_per_customer=1,
        limit_total=100,
    ),
    RegisterPromotion(code="TENOFF", amount=Money("10.00", "USD")),
    ConfirmOrder(order_id="O-1"),
    HoldOrder(order_id="O-1", reason=HoldReason.FRAUD_REVIEW, note="odd address"),
    ReleaseHold(order_id="O-1", reason=HoldReason.FRAUD_REVIEW, by="risk"),
    AllocateOrder(order_id="O-1"),
    ReleaseWave(warehouse="WH-EAST", order_ids=("O-1", "O-2")),
    ConfirmPicks(pick_list_id="PL-1", shortages=(Shortage(reference="O-1/L1", quantity=1),)),
    PackOrder(order_id="O-1", pick_list_id="PL-1"),
    ShipShipment(shipment_id="SHP-1", tracking_number="1Z", carrier="UPS"),
    DeliverShipment(shipment_id="SHP-1"),
    InvoiceOrder(order_id="O-1"),
    RecordPayment(customer_id="C-1", amount=Money("10.00", "USD"), paid_on=date(2026, 3, 9)),
    ApplyCredit(customer_id="C-1", invoice_ids=("INV-000001",), source_ids=("P-1",)),
    RefundCredit(customer_id="C-1", amount=Money("5.00", "USD"), method="bank", reference="B-77"),
    WriteOffBalance(customer_id="C-1", document_id="INV-000001", reason="rounding"),
    ReversePayment(customer_id="C-1", payment_id="P-1", reason="bounced"),
    RequestReturn(order_id="O-1", line_id="L1", quantity=1, reason="broken"),
    AuthorizeReturn(order_id="O-1", return_id="RMA-1", restocking_fee_rate=Decimal("0.15")),
    ReceiveReturn(order_id="O-1", return_id="RMA-1", condition=ReturnCondition.DAMAGED),
    IssueCreditNote(order_id="O-1", return_id="RMA-1"),
    CancelOrder(order_id="O-1", reason="duplicate"),
    CancelOrderLine(order_id="O-1", line_id="L1"),
    CancelOrderLine(order_id="O-1", line_id="L2", quantity=2, reason="out of stock"),
    AmendOrder(
        order_id="O-1",
        changes=(
            OrderAmendment(action="set_quantity", line_id="L1", quantity=3),
            OrderAmendment(action="add_line", sku="MUG", quantity=1),
            OrderAmendment(action="remove_line", line_id="L2"),
            OrderAmendment(action="ship_to", address=sample_customers()[1].billing_address),
        ),
        note="phone",
    ),
    CountStock(sku="MUG", bin="WH-EAST/A1", counted=7, reason="cycle count"),
    CountStock(sku="MUG", bin="WH-EAST/A1", counted=0, lot="L-1"),
    ReleaseStock(sku="MUG", bin="WH-EAST/A1", quantity=1),
    ScrapStock(sku="MUG", bin="WH-EAST/A1", quantity=2, reason="quality_hold"),
    MoveStock(sku="MUG", from_bin="WH-EAST/A1", to_bin="WH-EAST/A2", quantity=2),
    CreatePurchaseOrder(
        purchase_order_id="PO-1",
        supplier="Weaver & Co",
        warehouse="WH-WEST",
        lines=[{"sku": "RUG", "quantity": 40, "expected_on": date(2026, 3, 9)}],
    ),
    ReceivePurchaseOrder(
        purchase_order_id="PO-1",
        lines=[
            {"sku": "RUG", "quantity": 15, "bin": "WH-WEST/A8"},
            {
                "sku": "RUG",
                "quantity": 1,
                "bin": "WH-WEST/A8",
                "lot": "L-1",
                "expires_on": "2027-01-01",
            },
        ],
    ),
    CancelPurchaseOrder(purchase_order_id="PO-1", reason="supplier out of stock"),
    TransferStock(sku="MUG", from_bin="WH-EAST/A1", to_bin="WH-WEST/A2", quantity=5),
    TransferStock(
        sku="MUG",
        from_bin="WH-EAST/A1",
        to_bin="WH-WEST/A2",
        quantity=5,
        lot="L-1",
        transfer_id="TR-7",
        expected_on=date(2026, 3, 4),
    ),
    ReceiveTransfer(transfer_id="TR-7"),
    PlaceOrder(
        customer_id="C-1",
        items=(OrderItem(sku="MUG", quantity=1),),
        channel="web",
        currency="USD",
        shipping_address=sample_customers()[1].billing_address,
        billing_address=sample_customers()[2].billing_address,
    ),
    PlaceOrder(
        customer_id="C-1", items=(OrderItem(sku="MUG", quantity=1),), shipping_address_index=1
    ),
    CreateDraftOrder(customer_id="C-1", channel="phone", order_id="Q-1"),
    CreateDraftOrder(
        customer_id="C-1",
        items=(OrderItem(sku="MUG", quantity=2),),
        shipping_address=sample_customers()[1].billing_address,
        requested_delivery_date=date(2026, 4, 1),
    ),
    UpdateDraftOrder(
        order_id="Q-1",
        channel="edi",
        payment_terms="Net 15",
        clear_requested_delivery_date=True,
        billing_address=sample_customers()[2].billing_address,
    ),
    UpdateDraftOrder(order_id="Q-1", shipping_address_index=0),
    SendQuote(order_id="Q-1", valid_until=date(2026, 3, 31)),
    ExpireOrder(order_id="Q-1"),
    PlaceDraftOrder(order_id="Q-1"),
    PlaceOrder(
        customer_id="C-1", items=(OrderItem(sku="MUG", quantity=1),), shipping_method="UPS-GROUND"
    ),
    ChangeShippingMethod(order_id="O-1", shipping_method="UPS-GROUND"),
    ChangeShippingMethod(order_id="O-1", shipping_method=""),
    RetryQuarantinedMessage(position=12, note="the restock service is back"),
    ReleaseQuarantinedMessage(position=12),
]


def test_every_command_type_has_an_example() -> None:
    assert sorted({type(c).__name__ for c in EXAMPLES}) == sorted(COMMANDS)
    assert list(COMMANDS) == sorted(COMMANDS)


@pytest.mark.parametrize("command", EXAMPLES, ids=lambda c: type(c).__name__)
def test_a_command_survives_json(command: Command) -> None:
    data = command_payload(command)
    assert data["type"] == type(command).__name__
    assert "command_id" not in data
    text = to_json(command)[:-1] + f', "type": "{type(command).__name__}"}}'
    assert parse_command(text) == command


def test_the_payload_ignores_the_command_id() -> None:
    first = ConfirmOrder(order_id="O-1", command_id="a")
    second = ConfirmOrder(order_id="O-1", command_id="b")
    assert command_payload(first) == command_payload(second)
    assert command_payload(first) != command_payload(ConfirmOrder(order_id="O-2"))


def test_a_result_round_trips_through_its_data() -> None:
    result = CommandResult(
        command="PlaceOrder", aggregate_id="O-1", details={"total": "9.50 USD"}, notes=("ok",)
    )
    again = CommandResult.from_data(result.to_data())
    assert again.replayed
    assert again.to_data() == result.to_data()
    assert again["total"] == "9.50 USD"


def test_place_order_reads_priority_and_requested_date_from_json() -> None:
    command = parse_command(
        '{"type": "PlaceOrder", "customer_id": "C-1", "items": [{"sku": "MUG", "quantity": 1}],'
        ' "priority": 3, "requested_delivery_date": "2026-03-09"}'
    )
    assert isinstance(command, PlaceOrder)
    assert command.priority is Priority.RUSH
    assert command.requested_delivery_date == date(2026, 3, 9)
    default = parse_command('{"type": "PlaceOrder", "customer_id": "C-1", "items": []}')
    assert isinstance(default, PlaceOrder)
    assert (default.priority, default.requested_delivery_date) == (Priority.NORMAL, None)
