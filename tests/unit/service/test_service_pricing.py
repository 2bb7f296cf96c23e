"""Price overrides, discounts and promotion codes at the desk (issue 16, item 1b).

Every test runs on memory, SQLite and PostgreSQL (skipped without a server). The shop
here bills two tax codes (``STD`` 20 %, ``RED`` 5.5 %) so a discount is seen to reduce
the tax of its own code; a refused command is checked to leave the desk as it was.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from ordercycle.errors import OrderCycleError, ValidationError
from ordercycle.examples.shop import open_sample_shop, sample_customers, sample_products
from ordercycle.invoicing import Invoice, TaxProfile, TaxRate
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.money import Money
from ordercycle.service import DeskCommandError, OrderDesk, PromotionRefusedError
from ordercycle.service.settings import DeskSettings

from .conftest import START, outbox_position

TODAY = START.date()


def shop_settings() -> DeskSettings:
    """The default settings plus a profile with two tax codes."""
    default = DeskSettings.default()
    profiles = {
        **default.tax_profiles,
        "EU": TaxProfile("EU", [TaxRate("STD", "20"), TaxRate("RED", "5.5")]),
    }
    return attrs.evolve(default, tax_profiles=profiles)


def open_pricing_shop(desk: OrderDesk) -> None:
    """The sample shop, a customer on the EU profile and the products' tax codes."""
    open_sample_shop(desk)
    acme = sample_customers()[0]
    desk.register_customer(attrs.evolve(acme, id="C-EU", tax_profile="EU"))
    desk.register_customer(attrs.evolve(acme, id="C-EU2", tax_profile="EU"))
    codes = {"MUG": ("RED", "kitchen"), "TEAPOT": ("RED", "kitchen"), "LAMP": ("STD", "home")}
    for product, price in sample_products():
        code, category = codes.get(str(product.sku), ("STD", "home"))
        desk.register_product(product, price, tax_code=code, category=category)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrderDesk]:
    """The pricing shop on each of the three adapters."""
    clock = SteppableClock(START)
    settings = shop_settings()
    schema = ""
    if request.param == "memory":
        opened = OrderDesk.in_memory(clock=clock, settings=settings)
    elif request.param == "sqlite":
        opened = OrderDesk.sqlite(tmp_path / "shop.db", clock=clock, settings=settings)
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_pricing_{uuid.uuid4().hex[:16]}"
        opened = OrderDesk.postgres(
            dsn, schema=schema, clock=clock, ids=SequentialIdFactory(), settings=settings
        )
    open_pricing_shop(opened)
    yield opened
    opened.close()
    if schema:
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_dsn"), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def desk_state(desk: OrderDesk) -> dict[str, Any]:
    """What a placement could change: storage, orders, accounts, promotions."""
    promotions = {}
    for code in ("SPRING10", "TENOFF", "ONCE"):
        try:
            promotions[code] = desk.promotion(code)
        except OrderCycleError:
            promotions[code] = None
    return {
        "outbox": outbox_position(desk),
        "orders": [desk.order(i) for i in desk.order_ids()],
        "accounts": [desk.account(c) for c in ("C-EU", "C-EU2")],
        "promotions": promotions,
    }  # a promotion use writes its promotion too, so the outbox position sees it


def refused(desk: OrderDesk, error: type[Exception], run: Any, match: str) -> Exception:
    """``run()`` raises ``error`` matching ``match`` and changes nothing."""
    before = desk_state(desk)
    with pytest.raises(error, match=match) as info:
        run()
    assert desk_state(desk) == before
    return info.value


def place_json(desk: OrderDesk, **fields: Any) -> Any:
    return desk.execute_json(json.dumps({"type": "PlaceOrder", **fields}))


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def invoice_of(desk: OrderDesk, order_id: str) -> Invoice:
    desk.confirm_order(order_id)
    invoice_id = desk.invoice_order(order_id).aggregate_id
    return desk.invoice(invoice_id)


def assert_balanced(invoice: Invoice) -> None:
    """Lines plus taxes make the total, to the cent, and each rate taxes its own lines."""
    lines = Money.sum(invoice.line_amounts, currency="USD")
    assert lines == invoice.taxes.untaxed
    assert invoice.taxes.untaxed + invoice.taxes.tax == invoice.total
    assert Money.sum((t.amount for t in invoice.taxes.by_rate), currency="USD") == (
        invoice.taxes.tax
    )


# --- price overrides ----------------------------------------------------------------------


def test_a_price_override_is_recorded_with_its_reason_and_shown_on_the_invoice(
    desk: OrderDesk,
) -> None:
    placed = desk.place_order(
        "C-EU",
        {"MUG": 4, "LAMP": 1},
        price_overrides=[{"line_id": "L2", "unit_price": "70.00 USD", "reason": "price match"}],
    )
    order = desk.order(placed.aggregate_id)
    lamp = order.line("L2")
    assert (lamp.unit_price, lamp.list_price, lamp.price_reason) == (
        usd("70.00"),
        usd("79.00"),
        "price match",
    )
    assert order.line("L1").list_price is None
    assert order.total == usd("108.00")  # 4 x 9.50 + 70.00
    assert "L2 price: price 70.00 USD instead of 79.00 USD (price match)" in order.describe()
    assert "price 70.00 USD instead of 79.00 USD (price match)" in placed.notes[0]
    invoice = invoice_of(desk, order.id)
    lamp_line = invoice.lines[1]
    assert lamp_line.unit_price == usd("70.00")
    assert "instead of 79.00 USD (price match)" in lamp_line.description
    assert invoice.taxes.untaxed == usd("108.00")
    assert_balanced(invoice)


def test_a_price_override_through_json_matches_the_keyword_api(desk: OrderDesk) -> None:
    result = place_json(
        desk,
        customer_id="C-EU",
        items=[{"sku": "MUG", "quantity": 2}],
        price_overrides=[
            {"line_id": "L1", "unit_price": {"amount": "0", "currency": "USD"}, "reason": "gift"}
        ],
    )
    line = desk.order(result.aggregate_id).line("L1")
    assert (line.unit_price, line.list_price, line.price_reason) == (
        usd("0"),
        usd("9.50"),
        "gift",
    )


@pytest.mark.parametrize(
    ("override", "error", "match"),
    [
        ({"line_id": "L1", "unit_price": "8.00 USD", "reason": ""}, ValidationError, "reason"),
        ({"line_id": "L1", "unit_price": "8.00 USD", "reason": "  "}, ValidationError, "reason"),
        ({"line_id": "L1", "unit_price": "-1.00 USD", "reason": "x"}, ValidationError, "zero or"),
        ({"line_id": "L1", "unit_price": "8.00 EUR", "reason": "x"}, ValidationError, "USD"),
        ({"line_id": "L9", "unit_price": "8.00 USD", "reason": "x"}, ValidationError, "L1"),
        (
            {"line_id": "L1", "unit_price": "1" * 70 + " USD", "reason": "x"},
            ValidationError,
            "amount",
        ),
        ({"line_id": "L1", "unit_price": "8.00", "reason": "x"}, ValidationError, "USD"),
    ],
)
def test_a_bad_price_override_is_refused_and_writes_nothing(
    desk: OrderDesk, override: dict[str, str], error: type[Exception], match: str
) -> None:
    refused(
        desk, error, lambda: desk.place_order("C-EU", {"MUG": 1}, price_overrides=[override]), match
    )
    refused(
        desk,
        OrderCycleError,
        lambda: place_json(
            desk,
            customer_id="C-EU",
            items=[{"sku": "MUG", "quantity": 1}],
            price_overrides=[override],
        ),
        ".",
    )


def test_two_overrides_of_one_line_are_refused(desk: OrderDesk) -> None:
    twice = [{"line_id": "L1", "unit_price": "8.00 USD", "reason": "x"}] * 2
    refused(
        desk,
        ValidationError,
        lambda: desk.place_order("C-EU", {"MUG": 1}, price_overrides=twice),
        "one override per line",
    )


# --- discounts ----------------------------------------------------------------------------


def test_line_and_order_discounts_keep_tax_right_per_code_and_balance_to_the_cent(
    desk: OrderDesk,
) -> None:
    placed = desk.place_order(
        "C-EU",
        {"MUG": 3, "LAMP": 1},
        discounts=[
            {"line_id": "L1", "percent": "10", "reason": "dented box"},
            {"amount": "10.00 USD", "reason": "loyalty"},
        ],
    )
    order = desk.order(placed.aggregate_id)
    # MUG: 3 x 9.50 = 28.50, less 10 % = 25.65; LAMP 79.00; 10.00 split 25.65 : 79.00
    # by largest remainder: 2.45 and 7.55.
    assert order.line("L1").amount(3) == usd("23.20")
    assert order.line("L2").amount(1) == usd("71.45")
    assert order.total == usd("94.65")  # 25.65 + 79.00 - 10.00
    reasons = [d.reason for d in order.line("L1").discounts]
    assert reasons == ["dented box", "order discount loyalty"]
    invoice = invoice_of(desk, order.id)
    assert invoice.taxes.untaxed == order.total
    taxes = {t.code: t.amount for t in invoice.taxes.by_rate}
    assert taxes == {"RED": usd("1.28"), "STD": usd("14.29")}  # 5.5 % of 23.20, 20 % of 71.45
    # Each discount is a line of its own, after the goods line it reduces, with its tax.
    assert [(line.sku, line.unit_price.round()) for line in invoice.lines] == [
        ("MUG", usd("9.50")),
        ("DISCOUNT", usd("-0.95")),
        ("DISCOUNT", usd("-0.82")),  # 2.45 over 3 units: 0.8166... a unit
        ("LAMP", usd("79.00")),
        ("DISCOUNT", usd("-7.55")),
    ]
    assert invoice.line_amounts == (
        usd("28.50"),
        usd("-2.85"),
        usd("-2.45"),
        usd("79.00"),
        usd("-7.55"),
    )
    assert [line.tax_codes for line in invoice.lines] == [("RED",)] * 3 + [("STD",)] * 2
    assert "less 10 % (dented box)" in invoice.lines[1].description
    assert "order discount loyalty" in invoice.lines[2].description
    assert "order discount loyalty" in invoice.lines[4].description
    assert invoice.lines[4].description.startswith("Discount on order O-1 line L2 (LAMP)")
    assert_balanced(invoice)


def test_an_order_discount_of_a_percentage_is_taken_off_every_line(desk: OrderDesk) -> None:
    placed = place_json(
        desk,
        customer_id="C-EU",
        items=[{"sku": "MUG", "quantity": 2}, {"sku": "LAMP", "quantity": 1}],
        discounts=[{"percent": "15", "reason": "spring sale"}],
    )
    order = desk.order(placed.aggregate_id)
    assert [line.amount(line.quantity) for line in order.lines] == [usd("16.15"), usd("67.15")]
    assert_balanced(invoice_of(desk, order.id))


def test_an_amount_off_three_units_bills_and_credits_them_to_the_cent(desk: OrderDesk) -> None:
    placed = desk.place_order(
        "C-EU", {"MUG": 3}, discounts=[{"line_id": "L1", "amount": "1.00 USD", "reason": "dent"}]
    )
    order = desk.order(placed.aggregate_id)
    assert order.total == usd("27.50")  # 28.50 - 1.00, though 1.00 / 3 does not end
    invoice = invoice_of(desk, order.id)
    assert invoice.taxes.untaxed == usd("27.50")
    assert invoice.lines[0].unit_price == usd("9.50")
    assert "less ~0.333333 USD per unit (dent)" in invoice.lines[1].description
    assert invoice.line_amounts == (usd("28.50"), usd("-1.00"))
    desk.cancel_order_line(order.id, "L1")
    credited = desk.invoice(invoice.invoice_id)
    assert credited.credited == invoice.total  # every unit credited at its net price
    assert credited.balance == usd("0")


@pytest.mark.parametrize(
    ("discounts", "error", "match"),
    [
        ([{"amount": "400.00 USD", "reason": "too much"}], ValidationError, "at most 28.50"),
        ([{"percent": "0", "reason": "none"}], ValidationError, "above 0"),
        ([{"percent": "101", "reason": "more"}], ValidationError, "at most 100"),
        ([{"percent": "10", "amount": "1.00 USD", "reason": "both"}], ValidationError, "exactly"),
        ([{"percent": "10", "reason": ""}], ValidationError, "reason code"),
        ([{"amount": "1.005 USD", "reason": "odd"}], ValidationError, "minor units"),
        ([{"amount": "1.00 EUR", "reason": "euro"}], ValidationError, "USD"),
        ([{"line_id": "L7", "percent": "10", "reason": "x"}], ValidationError, "L1"),
        (["10%"], ValidationError, "discounts"),
        ([{"percent": "10"}], ValidationError, "reason"),
    ],
)
def test_a_bad_discount_is_refused_and_writes_nothing(
    desk: OrderDesk, discounts: list[Any], error: type[Exception], match: str
) -> None:
    refused(desk, error, lambda: desk.place_order("C-EU", {"MUG": 3}, discounts=discounts), match)


# --- promotions ---------------------------------------------------------------------------


def test_a_promotion_code_discounts_the_lines_of_its_category_and_records_the_use(
    desk: OrderDesk,
) -> None:
    desk.register_promotion("SPRING10", percent=10, scope="category", target="kitchen")
    placed = desk.place_order("C-EU", {"MUG": 2, "LAMP": 1}, promotion_code="SPRING10")
    order = desk.order(placed.aggregate_id)
    assert placed.details["promotion"] == "SPRING10"
    assert order.line("L1").amount(2) == usd("17.10")  # the mugs, less 10 %
    assert order.line("L2").amount(1) == usd("79.00")  # the lamp is not kitchen
    assert desk.promotion("SPRING10").used == 1
    assert desk.promotion_use("SPRING10", "C-EU").order_ids == (order.id,)
    assert desk.promotion_use("SPRING10", "C-EU2").order_ids == ()
    invoice = invoice_of(desk, order.id)
    assert invoice.lines[0].unit_price == usd("9.50")  # the catalogue price
    assert invoice.lines[1].sku == "DISCOUNT"
    assert "promotion SPRING10" in invoice.lines[1].description


def test_an_amount_promotion_through_json_is_allocated_over_its_sku(desk: OrderDesk) -> None:
    desk.execute_json(
        json.dumps(
            {
                "type": "RegisterPromotion",
                "code": "TENOFF",
                "amount": {"amount": "5.00", "currency": "USD"},
                "scope": "sku",
                "target": "MUG",
                "minimum_order": {"amount": "20.00", "currency": "USD"},
            }
        )
    )
    placed = place_json(
        desk,
        customer_id="C-EU",
        items=[
            {"sku": "MUG", "quantity": 1},
            {"sku": "LAMP", "quantity": 1},
            {"sku": "MUG", "quantity": 2},
        ],
        promotion_code="TENOFF",
    )
    order = desk.order(placed.aggregate_id)
    # 5.00 over the two mug lines, 9.50 : 19.00 -> 1.67 and 3.33
    assert [line.amount(line.quantity) for line in order.lines] == [
        usd("7.83"),
        usd("79.00"),
        usd("15.67"),
    ]
    assert order.total == usd("102.50")


def test_a_promotion_changed_keeps_its_uses(desk: OrderDesk) -> None:
    desk.register_promotion("SPRING10", percent=10)
    desk.place_order("C-EU", {"MUG": 1}, promotion_code="SPRING10")
    changed = desk.register_promotion("SPRING10", percent=15)
    assert changed.details == {"change": "updated", "kind": "percent", "used": 1}
    assert desk.promotion("SPRING10").percent == Decimal("15")


def _refused_code(desk: OrderDesk, code: str, match: str, items: Any = None) -> None:
    error = refused(
        desk,
        PromotionRefusedError,
        lambda: desk.place_order("C-EU", items or {"MUG": 2}, promotion_code=code),
        match,
    )
    assert isinstance(error, PromotionRefusedError)
    assert isinstance(error, DeskCommandError)
    assert error.code == code
    assert repr(code) in str(error)


def test_an_unknown_code_is_refused_naming_it(desk: OrderDesk) -> None:
    _refused_code(desk, "NOPE", "no promotion has this code")
    error = refused(
        desk,
        PromotionRefusedError,
        lambda: place_json(
            desk, customer_id="C-EU", items=[{"sku": "MUG", "quantity": 1}], promotion_code="NOPE"
        ),
        "NOPE",
    )
    assert "no promotion has this code" in str(error)


def test_a_code_outside_its_dates_is_refused(desk: OrderDesk) -> None:
    desk.register_promotion("LATER", percent=5, valid_from=TODAY + timedelta(days=1))
    desk.register_promotion("OLD", percent=5, valid_until=TODAY - timedelta(days=1))
    _refused_code(desk, "LATER", f"valid from {TODAY + timedelta(days=1)}, not yet")
    _refused_code(desk, "OLD", f"expired on {TODAY - timedelta(days=1)}")


def test_a_code_used_up_in_total_or_by_the_customer_is_refused(desk: OrderDesk) -> None:
    desk.register_promotion("ONCE", percent=5, limit_total=1)
    desk.register_promotion("SPRING10", percent=10, limit_per_customer=1)
    desk.place_order("C-EU2", {"MUG": 1}, promotion_code="ONCE")
    _refused_code(desk, "ONCE", "used up: 1 of 1 uses taken")
    desk.place_order("C-EU", {"MUG": 1}, promotion_code="SPRING10")
    _refused_code(desk, "SPRING10", "used it 1 times, the limit per customer is 1")
    desk.place_order("C-EU2", {"MUG": 1}, promotion_code="SPRING10")  # another customer may


def test_a_code_below_its_minimum_or_for_nothing_ordered_is_refused(desk: OrderDesk) -> None:
    desk.register_promotion("SPRING10", percent=10, minimum_order="50.00 USD")
    desk.register_promotion("TENOFF", amount="10.00 USD", scope="sku", target="TEAPOT")
    _refused_code(desk, "SPRING10", "value 19.00 USD is below its minimum order value 50.00")
    _refused_code(desk, "TENOFF", "for sku 'TEAPOT', which the order lacks")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({}, "exactly one"),
        ({"percent": 10, "amount": "1.00 USD"}, "exactly one"),
        ({"percent": 10, "scope": "planet"}, "one of order, sku, category"),
        ({"percent": 10, "scope": "sku"}, "target"),
        ({"percent": 10, "target": "MUG"}, "target"),
        ({"percent": 10, "limit_total": 0}, "limit_total"),
        ({"percent": 10, "valid_from": date(2026, 4, 1), "valid_until": date(2026, 3, 1)}, "on or"),
        ({"amount": "5.00 USD", "minimum_order": "20.00 EUR"}, "currency"),
        ({"amount": "0.00 USD"}, "positive"),
    ],
)
def test_a_bad_promotion_is_refused_and_writes_nothing(
    desk: OrderDesk, fields: dict[str, Any], match: str
) -> None:
    refused(desk, ValidationError, lambda: desk.register_promotion("SPRING10", **fields), match)


def test_an_unknown_promotion_is_not_found(desk: OrderDesk) -> None:
    with pytest.raises(OrderCycleError, match="NOPE"):
        desk.promotion("NOPE")
    with pytest.raises(OrderCycleError, match="NOPE"):
        desk.promotion_use("NOPE", "C-EU")


# --- price overrides in amendments --------------------------------------------------------


def test_a_line_added_by_an_amendment_may_override_its_price(desk: OrderDesk) -> None:
    order_id = desk.place_order("C-EU", {"MUG": 1}).aggregate_id
    first = invoice_of(desk, order_id)
    amended = desk.execute_json(
        json.dumps(
            {
                "type": "AmendOrder",
                "order_id": order_id,
                "changes": [
                    {
                        "action": "add_line",
                        "sku": "LAMP",
                        "quantity": 2,
                        "unit_price": {"amount": "60.00", "currency": "USD"},
                        "price_reason": "floor model",
                    }
                ],
            }
        )
    )
    assert "line L2: price 60.00 USD instead of 79.00 USD (floor model)" in amended.notes
    line = desk.order(order_id).line("L2")
    assert (line.unit_price, line.list_price, line.price_reason) == (
        usd("60.00"),
        usd("79.00"),
        "floor model",
    )
    extra = [i for i in desk.invoices() if i.invoice_id != first.invoice_id]
    assert len(extra) == 1
    assert extra[0].taxes.untaxed == usd("120.00")
    assert "instead of 79.00 USD (floor model)" in extra[0].lines[0].description
    assert_balanced(extra[0])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"action": "add_line", "sku": "LAMP", "quantity": 1, "unit_price": "60.00 USD"}, "reason"),
        (
            {
                "action": "add_line",
                "sku": "LAMP",
                "quantity": 1,
                "unit_price": "60.00 EUR",
                "price_reason": "x",
            },
            "USD",
        ),
        (
            {"action": "set_quantity", "line_id": "L1", "quantity": 2, "unit_price": "1.00 USD"},
            "only add_line",
        ),
    ],
)
def test_a_bad_price_in_an_amendment_is_refused_and_writes_nothing(
    desk: OrderDesk, change: dict[str, Any], match: str
) -> None:
    order_id = desk.place_order("C-EU", {"MUG": 1}).aggregate_id
    desk.confirm_order(order_id)
    refused(desk, ValidationError, lambda: desk.amend_order(order_id, [change]), match)
