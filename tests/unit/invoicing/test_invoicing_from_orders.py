"""Invoice lines from orders: by invoice policy, partial as deliveries happen, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.errors import InvoicingError
from ordercycle.invoicing import (
    Invoice,
    InvoiceQuantityError,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    invoice_lines_for_order,
)
from ordercycle.invoicing.errors import InvalidTaxError
from ordercycle.model.address import Address
from ordercycle.model.order import Order
from ordercycle.model.order.errors import QuantityNotAvailableError
from ordercycle.model.order.lines import Discount, NewLine
from ordercycle.money import Money

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
HOME = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
VAT = TaxProfile("EU", [TaxRate("VAT21", 21), TaxRate("VAT9", 9)])
NONE = TaxProfile("none", [])


def usd(text: str) -> Money:
    return Money(text, "USD")


def released(policy: str, *lines: NewLine) -> Order:
    order, _ = Order.create(
        "O-1",
        customer_id="C-1",
        currency="USD",
        shipping_address=HOME,
        at=AT,
        lines=lines,
        invoice_policy=policy,
    )
    for step in (Order.place, Order.confirm, Order.release):
        order, _ = step(order, at=AT)
    return order


def deliver(order: Order, line_id: str, units: int) -> Order:
    for step in (Order.allocate, Order.pick, Order.pack, Order.ship, Order.deliver):
        order, _ = step(order, line_id, units, at=AT)
    return order


MUG = NewLine("L1", "MUG", 4, usd("9.50"), tax_code="VAT21")
BOOK = NewLine("L2", "BOOK", 3, usd("12.00"), tax_code="VAT9")


def test_ordered_policy_invoices_everything_on_order_before_shipping() -> None:
    order = released("ordered", MUG, BOOK)
    result = invoice_lines_for_order(order)
    assert [(line.sku, line.quantity, line.tax_codes) for line in result.lines] == [
        ("MUG", Decimal(4), ("VAT21",)),
        ("BOOK", Decimal(3), ("VAT9",)),
    ]
    assert result.quantity_map() == {"L1": 4, "L2": 3}
    assert result.lines[0].description == "Order O-1 line L1"
    order, _ = order.record_invoice("INV-1", result.quantity_map(), at=AT)
    assert invoice_lines_for_order(order).is_empty


def test_delivered_policy_invoices_deliveries_as_they_happen() -> None:
    order = released("delivered", MUG, BOOK)
    assert invoice_lines_for_order(order).is_empty  # nothing delivered yet
    order = deliver(order, "L1", 2)
    first = invoice_lines_for_order(order)
    assert first.quantities == (("L1", 2),)
    order, _ = order.record_invoice("INV-1", first.quantity_map(), at=AT)
    assert invoice_lines_for_order(order).is_empty  # the same units are not billed again
    order = deliver(deliver(order, "L1", 2), "L2", 1)
    second = invoice_lines_for_order(order)
    assert second.quantities == (("L1", 2), ("L2", 1))
    order, _ = order.record_invoice("INV-2", second.quantity_map(), at=AT)
    assert [line.ledger.invoiced for line in order.lines] == [4, 1]


def test_recording_the_same_lines_twice_is_refused_by_the_order() -> None:
    order = deliver(released("delivered", MUG), "L1", 3)
    result = invoice_lines_for_order(order)
    assert invoice_lines_for_order(order) == result  # pure: nothing changed
    order, _ = order.record_invoice("INV-1", result.quantity_map(), at=AT)
    with pytest.raises(QuantityNotAvailableError, match="only 0 delivered and not invoiced"):
        order.record_invoice("INV-2", result.quantity_map(), at=AT)


def test_canceled_units_are_never_invoiced_and_credits_free_units_again() -> None:
    order = released("ordered", MUG)
    order, _ = order.cancel_line("L1", 1, at=AT)
    assert invoice_lines_for_order(order).quantity_map() == {"L1": 3}
    order, _ = order.record_invoice("INV-1", {"L1": 3}, at=AT)
    order, _ = order.record_credit("CN-1", {"L1": 1}, at=AT)
    assert invoice_lines_for_order(order).quantity_map() == {"L1": 1}


def test_partial_quantities_on_request() -> None:
    order = released("ordered", MUG, BOOK)
    result = invoice_lines_for_order(order, quantities={"L2": 2})
    assert result.quantities == (("L2", 2),)
    assert result.policy.value == "ordered"


@pytest.mark.parametrize(
    ("quantities", "words"),
    [
        ({"L9": 1}, "no such line; known lines: L1, L2"),
        ({"L1": 5}, "expected a whole number from 1 to 4"),
        ({"L1": 0}, "from 1 to 4"),
        ({"L1": True}, "True units"),
        ({"L1": Decimal("1.5")}, r"Decimal\('1\.5'\) units"),
    ],
)
def test_bad_quantities_are_refused_and_change_nothing(
    quantities: dict[str, object], words: str
) -> None:
    order = released("ordered", MUG, BOOK)
    before = order
    with pytest.raises(InvoiceQuantityError, match=words) as raised:
        invoice_lines_for_order(order, quantities=quantities)  # type: ignore[arg-type]
    assert isinstance(raised.value, InvoicingError)
    assert isinstance(raised.value, ValueError)
    assert raised.value.order_id == "O-1"
    assert order == before


def test_delivered_policy_names_what_it_allows() -> None:
    order = deliver(released("delivered", MUG), "L1", 1)
    with pytest.raises(InvoiceQuantityError, match=r"from 1 to 1 .*delivered") as raised:
        invoice_lines_for_order(order, quantities={"L1": 2})
    assert raised.value.invoiceable == 1
    assert raised.value.requested == 2


def test_tax_categories_map_to_profile_codes() -> None:
    order = released("ordered", NewLine("L1", "MUG", 1, usd("1.00"), tax_code="standard"))
    mapped = invoice_lines_for_order(order, tax_codes={"standard": ["VAT21"]})
    assert mapped.lines[0].tax_codes == ("VAT21",)
    with pytest.raises(InvalidTaxError, match=r"tax category 'standard' of line L1.*'reduced'"):
        invoice_lines_for_order(order, tax_codes={"reduced": ["VAT9"]})
    untaxed = released("ordered", NewLine("L1", "MUG", 1, usd("1.00")))
    assert invoice_lines_for_order(untaxed).lines[0].tax_codes == ()


def test_a_discount_is_a_line_of_its_own_after_the_goods_line() -> None:
    line = NewLine(
        "L1",
        "MUG",
        3,
        usd("8.00"),
        list_price=usd("9.50"),
        price_reason="price match",
        discounts=[Discount.percent(10, reason="SPRING10"), Discount.per_unit(usd("0.50"))],
        tax_code="VAT21",
    )
    order = released("ordered", line)
    result = invoice_lines_for_order(order)
    goods, first, second = result.lines
    assert (goods.sku, goods.unit_price, goods.is_discount) == ("MUG", usd("8.00"), False)
    assert "price 8.00 USD instead of 9.50 USD (price match)" in goods.description
    assert [
        (d.sku, d.unit_price, d.quantity, d.tax_codes, d.is_discount) for d in (first, second)
    ] == [
        ("DISCOUNT", usd("-0.80"), 3, ("VAT21",), True),
        ("DISCOUNT", usd("-0.50"), 3, ("VAT21",), True),
    ]
    assert first.description == "Discount on order O-1 line L1 (MUG): less 10 % (SPRING10)"
    assert second.description.endswith("less 0.50 USD per unit (discount)")
    assert result.line_ids == ("L1", "L1", "L1")
    assert result.quantity_map() == {"L1": 3}
    draft, _ = Invoice.draft(
        "I-1", "C-1", result.lines, VAT, PaymentTerms.net(30), date(2026, 1, 6)
    )
    assert [t.untaxed for t in draft.taxes.lines] == [usd("24.00"), usd("-2.40"), usd("-1.50")]
    assert draft.taxes.untaxed == order.line("L1").amount(3) == usd("20.10")
    assert draft.taxes.amount_for("VAT21") == usd("4.22")  # 21 % of 20.10, not of 24.00


def test_a_discount_that_takes_nothing_more_makes_no_line() -> None:
    line = NewLine(
        "L1", "MUG", 2, usd("5.00"), discounts=[Discount.percent(100), Discount.percent(10)]
    )
    lines = invoice_lines_for_order(released("ordered", line)).lines
    assert [(item.sku, item.unit_price) for item in lines] == [
        ("MUG", usd("5.00")),
        ("DISCOUNT", usd("-5.00")),
    ]


def test_the_lines_make_an_invoice() -> None:
    order = deliver(released("delivered", MUG, BOOK), "L2", 3)
    result = invoice_lines_for_order(order)
    draft, _ = Invoice.draft(
        "I-1", "C-1", result.lines, VAT, PaymentTerms.net(30), date(2026, 1, 6)
    )
    invoice, _ = draft.issue(NumberSeries("INV-"))
    assert invoice.total == usd("39.24")  # 36.00 + 9 % VAT
    order, _ = order.record_invoice(invoice.number or "", result.quantity_map(), at=AT)
    assert order.line("L2").ledger.invoiced == 3


DISCOUNTS = st.lists(
    st.one_of(
        st.integers(1, 100).map(Discount.percent),
        st.integers(1, 50).map(lambda cents: Discount.per_unit(Money.of_minor(cents, "USD"))),
    ),
    max_size=2,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 10**6), st.integers(1, 500), DISCOUNTS, st.integers(0, 3))
def test_invoice_line_amount_equals_the_order_line_amount(
    cents: int, quantity: int, discounts: list[Discount], digits: int
) -> None:
    price = Money(Decimal(cents).scaleb(-2 - digits), "USD")
    try:
        line = NewLine("L1", "SKU", quantity, price, discounts=discounts)
    except ValueError:  # discounts that take the price below zero: not an order line
        return
    order = released("ordered", line)
    lines = invoice_lines_for_order(order).lines
    assert len(lines) == 1 + sum(1 for _, off in order.line("L1").discount_steps if off)
    draft, _ = Invoice.draft("I-1", "C-1", lines, NONE, PaymentTerms.net(30), date(2026, 1, 6))
    assert draft.total == order.line("L1").amount(quantity)
