"""Every discount reaches the invoice as a line of its own, and credits stay exact.

The desk bills an order line at its unit price before discounts and follows it with one
``DISCOUNT`` line per discount (line discount, share of an order discount, promotion):
same quantity and tax codes, a negative unit price. The invoice total is what the net
price gave before, to the cent; crediting units credits the goods line and each of its
discount lines, so returns, canceled lines and amendments credit exactly what was billed.
"""

from __future__ import annotations

from decimal import Decimal

from ordercycle.invoicing import Invoice
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk

from .test_service_order_to_cash import _ship_everything


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def _discounted(desk: OrderDesk, policy: str = "ordered") -> str:
    """Three teapots, 10 % off the line and 10.00 off the order (spread over the units)."""
    return desk.place_order(
        "C-BOLT",
        {"TEAPOT": 3},
        invoice_policy=policy,
        discounts=[
            {"line_id": "L1", "percent": "10", "reason": "dented box"},
            {"amount": "10.00 USD", "reason": "loyalty"},
        ],
    ).aggregate_id


def _net_with_tax(desk: OrderDesk, invoice: Invoice, net: Money) -> Money:
    """What one line at the net amount would have cost with the invoice's taxes."""
    codes = invoice.lines[0].tax_codes
    return invoice.tax_profile.compute([(net, codes)]).total


def test_a_delivered_order_bills_list_price_and_each_discount_then_credits_returns_exactly(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    order_id = _discounted(desk, "delivered")
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    _ship_everything(desk, clock, order_id)
    order = desk.order(order_id)
    line = order.line("L1")
    invoice = desk.invoice(desk.invoice_order(order_id).aggregate_id)
    assert [(item.sku, item.quantity, item.is_discount) for item in invoice.lines] == [
        ("TEAPOT", 3, False),
        ("DISCOUNT", 3, True),
        ("DISCOUNT", 3, True),
    ]
    assert invoice.lines[0].unit_price == line.unit_price
    assert "dented box" in invoice.lines[1].description
    assert "loyalty" in invoice.lines[2].description
    assert {item.tax_codes for item in invoice.lines} == {invoice.lines[0].tax_codes}
    assert Money.sum(invoice.line_amounts, currency="USD") == line.amount(3) == order.total
    assert invoice.taxes.untaxed == order.total
    assert invoice.total == _net_with_tax(desk, invoice, order.total)

    # Return one unit, then the other two: each credit takes the same units off every
    # line of the order line, and the credits add up to the invoice exactly.
    totals = []
    for units in (1, 2):
        return_id = desk.request_return(order_id, "L1", units, "chipped")["return_id"]
        desk.authorize_return(order_id, return_id)
        desk.receive_return(order_id, return_id, "resellable")
        credit = desk.issue_credit_note(order_id, return_id)
        totals.append(Money(Decimal(credit["total"].split()[0]), "USD"))
        note = desk.invoice(invoice.invoice_id).credit_notes[-1]
        assert [(i, q) for i, q in note.quantities] == [(0, units), (1, units), (2, units)]
    assert totals[0] + totals[1] == invoice.total
    assert desk.invoice(invoice.invoice_id).credited == invoice.total


def test_canceling_a_billed_line_credits_its_discount_lines_too(desk: OrderDesk) -> None:
    order_id = _discounted(desk)
    desk.confirm_order(order_id)
    invoice = desk.invoice(desk.invoice_order(order_id).aggregate_id)
    desk.cancel_order_line(order_id, "L1", 1)
    credited = desk.invoice(invoice.invoice_id)
    assert [dict(note.quantities) for note in credited.credit_notes] == [{0: 1, 1: 1, 2: 1}]
    desk.cancel_order_line(order_id, "L1")
    credited = desk.invoice(invoice.invoice_id)
    assert credited.credited == invoice.total  # every unit, at its net price, to the cent
    assert credited.balance == usd("0")


def test_an_amendment_bills_added_units_with_their_discount_lines(desk: OrderDesk) -> None:
    order_id = _discounted(desk)
    desk.confirm_order(order_id)
    first = desk.invoice(desk.invoice_order(order_id).aggregate_id)
    before = desk.order(order_id).line("L1")
    desk.amend_order(order_id, [{"action": "set_quantity", "line_id": "L1", "quantity": 5}])
    extra = [i for i in desk.invoices() if i.invoice_id != first.invoice_id]
    assert len(extra) == 1
    lines = extra[0].lines
    assert [item.sku for item in lines] == ["TEAPOT"] + ["DISCOUNT"] * (len(lines) - 1)
    assert len(lines) == 1 + len(before.discounts)
    assert {item.quantity for item in lines} == {2}
    line = desk.order(order_id).line("L1")
    assert Money.sum(extra[0].line_amounts, currency="USD") == line.amount(5) - line.amount(3)
