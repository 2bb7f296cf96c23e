"""Issue 14, cases 3, 7 and 8: bounded input, only typed errors, no silent accepts.

Each test is one reported example: before the fix it hung, raised a builtin error or was
accepted; now it is refused at the entry with an :class:`OrderCycleError` in milliseconds,
with a message of bounded length that says what is valid.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

from ordercycle import Q_, Money, OrderDesk
from ordercycle.errors import (
    MAX_MESSAGE_CHARS,
    InvalidQuantityError,
    OrderCycleError,
    ParseError,
    SerializationError,
    ValidationError,
    shown,
)
from ordercycle.examples.shop import open_sample_shop, sample_customers, sample_products
from ordercycle.invoicing import Invoice, InvoiceLine, PaymentTerms, TaxProfile, TaxRate
from ordercycle.invoicing.numbering import NumberSeries
from ordercycle.limits import (
    MAX_DATE,
    MAX_JSON_CHARS,
    MAX_JSON_DEPTH,
    MAX_TERMS_DAYS,
    MAX_UNITS,
    check_decimal,
    exact_decimal,
    load_json,
)
from ordercycle.model.order.errors import OrderCurrencyError
from ordercycle.packing import Item
from ordercycle.serialization import from_json
from ordercycle.service.commands import parse_command
from ordercycle.units import to_exact

USD = Money("100.00", "USD")


def refused(call: Callable[[], Any], error: type[OrderCycleError] = OrderCycleError) -> Any:
    """Run ``call``; it must raise ``error`` within 0.2 CPU seconds with a short message."""
    start = time.process_time()
    with pytest.raises(error) as caught:
        call()
    assert time.process_time() - start < 0.2
    assert len(str(caught.value)) <= MAX_MESSAGE_CHARS
    return caught.value


@pytest.fixture
def desk() -> Iterator[OrderDesk]:
    desk = OrderDesk.in_memory()
    open_sample_shop(desk)
    yield desk
    desk.close()


# --- case 3: tiny payloads, huge work -----------------------------------------------------


@pytest.mark.parametrize("text", ["1e-999999999", "1e-999999999999999999", "-1e-99999999"])
def test_amounts_with_huge_exponents_are_refused_quickly_with_short_messages(text: str) -> None:
    error = refused(lambda: Money(text, "USD"), ValidationError)
    assert len(str(error)) < 300
    assert "at most 60 significant digits" in str(error)


def test_a_tiny_product_length_in_execute_json_is_refused_quickly(desk: OrderDesk) -> None:
    product = {
        "sku": "TINY",
        "name": "Tiny",
        "length": {"value": "1e-999999999", "unit": "mm"},
        "width": {"value": "1", "unit": "mm"},
        "height": {"value": "1", "unit": "mm"},
        "weight": {"value": "1", "unit": "g"},
    }
    text = json.dumps(
        {"type": "RegisterProduct", "product": product, "price": {"amount": "1", "currency": "USD"}}
    )
    refused(lambda: desk.execute_json(text), SerializationError)


def test_a_payment_with_a_huge_exponent_in_execute_json_is_refused(desk: OrderDesk) -> None:
    text = (
        '{"type": "RecordPayment", "customer_id": "C-ACME",'
        ' "amount": {"amount": "1e-999999999999999999", "currency": "USD"}}'
    )
    refused(lambda: desk.execute_json(text), SerializationError)


def test_allocate_round_to_and_to_exact_refuse_huge_exponents() -> None:
    refused(lambda: USD.allocate([Decimal("1e999999999"), 1]), ValidationError)
    refused(lambda: USD.round_to("1e-999999999"), ValidationError)
    refused(lambda: to_exact(Q_(Decimal(1), "mm") * Decimal("1e-999999999"), "mm"))
    refused(lambda: Q_("1e-999999999", "mm"), ValidationError)


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000],
    ids=["arrays", "objects"],
)
def test_deeply_nested_json_is_refused_before_parsing(desk: OrderDesk, text: str) -> None:
    refused(lambda: desk.execute_json(text), SerializationError)
    refused(lambda: parse_command(text), SerializationError)
    refused(lambda: from_json(text, Money), SerializationError)


def test_json_limits_are_exact() -> None:
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "data") is not None
    refused(lambda: load_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), "x"))
    # Brackets inside strings (and escaped quotes) do not count as nesting.
    assert load_json(json.dumps({"a": "[" * 100 + '\\"' + "{" * 100}), "data")
    refused(lambda: load_json('"' + "x" * MAX_JSON_CHARS + '"', "data"), SerializationError)
    refused(lambda: load_json("NaN", "data"), SerializationError)


def test_error_messages_quote_a_bounded_prefix() -> None:
    error = refused(lambda: Money("1", "X" * 1_000_000), ValidationError)
    assert len(str(error)) < 400
    assert shown("x" * 1000).endswith("... (1000 chars)")
    assert shown(10**100_000) == "an int of about 100001 digits"
    assert len(str(OrderCycleError("y" * 10 * MAX_MESSAGE_CHARS))) <= MAX_MESSAGE_CHARS


def test_decimal_limits() -> None:
    assert check_decimal(Decimal("1e100"), "x", "y") == Decimal("1e100")
    refused(lambda: check_decimal(Decimal("1e101"), "x", "y"), ValidationError)
    refused(lambda: check_decimal(Decimal("1" * 61), "x", "y"), ValidationError)
    assert exact_decimal(" 2.5 ", "x", "y") == Decimal("2.5")
    for bad in (0.5, True, "9" * 5000, "NaN", None):
        refused(lambda bad=bad: exact_decimal(bad, "x", "y"), ValidationError)


# --- case 7: builtin exceptions that leaked -------------------------------------------------


def test_payment_terms_refuse_far_dates_and_long_periods() -> None:
    refused(lambda: PaymentTerms.parse("Net 30").schedule(USD, date(9999, 12, 31)), ValidationError)
    refused(lambda: PaymentTerms.parse("Net 30").schedule(USD, "2026-01-01"), ValidationError)
    error = refused(lambda: PaymentTerms.parse("Net 99999999"), ParseError)
    assert f"more than {MAX_TERMS_DAYS} days" in str(error)
    refused(lambda: PaymentTerms.parse("Net " + "9" * 5000), ParseError)
    last = PaymentTerms.parse(f"Net {MAX_TERMS_DAYS}").schedule(USD, MAX_DATE)
    assert last.installments[0].due_date > MAX_DATE


def test_desk_commands_refuse_bad_enums_rates_and_dates_with_typed_errors(
    desk: OrderDesk,
) -> None:
    refused(lambda: desk.hold_order("O-1", "bogus"), ValidationError)
    refused(lambda: desk.place_order("C-ACME", {"MUG": 1}, invoice_policy="bogus"), ValidationError)
    for rate in ("abc", 0.1, Decimal("NaN"), "1.5", -1):
        error = refused(
            lambda rate=rate: desk.authorize_return("O-1", "R-1", restocking_fee_rate=rate),
            ValidationError,
        )
        assert "from 0 (inclusive) to 1 (exclusive)" in str(error)
    error = refused(
        lambda: desk.record_payment("C-ACME", Money("1.00", "USD"), paid_on="2026-03-03"),
        ValidationError,
    )
    assert "paid_on" in str(error)


def test_quantities_refuse_bad_magnitudes_and_units() -> None:
    refused(lambda: Q_("abc", "cm"), ValidationError)
    refused(lambda: Q_("1", "bogus_unit"), ValidationError)
    refused(lambda: Q_("12", "cm/0"), ValidationError)
    refused(lambda: Q_("1", "1e-999999999"), ValidationError)
    refused(lambda: to_exact(Q_(1, "mm"), "m**99999"), ValidationError)
    assert to_exact(Q_("2.5", "cm"), "mm") == 25


def test_tax_profiles_and_invoice_drafts_refuse_bad_arguments() -> None:
    refused(lambda: TaxProfile("T", (), rounding_mode="x"))
    refused(lambda: TaxProfile("T", (), rounding="x"))
    profile = TaxProfile("T", (TaxRate("V", "21"),))
    line = InvoiceLine("MUG", "Mug", 1, USD, ("V",))
    terms = PaymentTerms.parse("Net 30")
    refused(lambda: Invoice.draft("I-1", "C-1", [line], profile, terms, None), ValidationError)  # type: ignore[arg-type]
    refused(lambda: Invoice.draft("I-1", "C-1", [line], None, terms, date(2026, 1, 1)))  # type: ignore[arg-type]
    refused(lambda: InvoiceLine("MUG", "Mug", "1e-999999999", USD), InvalidQuantityError)


# --- case 8: silent accepts -----------------------------------------------------------------


def test_huge_counts_are_refused_everywhere(desk: OrderDesk) -> None:
    refused(lambda: desk.place_order("C-ACME", {"MUG": 10**30}), InvalidQuantityError)
    refused(lambda: desk.receive_stock("MUG", "WH-EAST/A1", MAX_UNITS + 1), InvalidQuantityError)
    dims = (Q_(1, "cm"), Q_(1, "cm"), Q_(1, "cm"), Q_(1, "g"))
    refused(lambda: Item("MUG", *dims, quantity=10**30), InvalidQuantityError)


def test_taxes_cannot_exceed_what_they_are_part_of() -> None:
    profile = TaxProfile("T", (TaxRate("V", "21"),))
    refused(lambda: profile.compute([(USD, ["V"])], base_discount=Decimal(2)))
    terms = PaymentTerms.parse("2/10 Net 30")
    refused(
        lambda: terms.schedule(USD, date(2026, 1, 1), tax=Money("500.00", "USD")),
        ValidationError,
    )


def test_payment_ids_must_be_real_and_new() -> None:
    profile = TaxProfile("T", ())
    line = InvoiceLine("MUG", "Mug", 1, USD)
    draft, _ = Invoice.draft(
        "I-1", "C-1", [line], profile, PaymentTerms.parse("Net 30"), date(2026, 1, 1)
    )
    invoice, _ = draft.issue(NumberSeries())
    for bad in (None, "", "  "):
        refused(lambda bad=bad: invoice.pay(bad, Money("1.00", "USD"), date(2026, 1, 2)))  # type: ignore[arg-type]
    paid, _ = invoice.pay("P-1", Money("1.00", "USD"), date(2026, 1, 2))
    refused(lambda: paid.pay("P-1", Money("1.00", "USD"), date(2026, 1, 3)))


def test_desk_ids_must_not_be_empty(desk: OrderDesk) -> None:
    refused(lambda: desk.record_payment("C-ACME", USD, payment_id=""), ValidationError)
    refused(lambda: desk.place_order("C-ACME", {"MUG": 1}, order_id=" O-9"), ValidationError)


def test_flags_must_be_booleans() -> None:
    dims = (Q_(1, "cm"), Q_(1, "cm"), Q_(1, "cm"), Q_(1, "g"))
    refused(lambda: Item("MUG", *dims, fragile="no"), ValidationError)  # type: ignore[arg-type]


def test_registration_refuses_unknown_tax_codes_and_bad_terms(desk: OrderDesk) -> None:
    product = attrs.evolve(sample_products()[0][0], sku="NEW")
    error = refused(
        lambda: desk.register_product(product, Money("1.00", "USD"), tax_code="NOPE"),
        ValidationError,
    )
    assert "NY" in str(error)
    customer = attrs.evolve(sample_customers()[0], id="C-NEW", payment_terms="Net 99999999")
    refused(lambda: desk.register_customer(customer), ParseError)
    refused(lambda: desk.place_order("C-ACME", {"MUG": 1}, payment_terms="bogus"), ParseError)


def test_placement_refuses_a_price_currency_other_than_the_credit_limits(
    desk: OrderDesk,
) -> None:
    product = attrs.evolve(sample_products()[0][0], sku="EURO")
    desk.register_product(product, Money("1.00", "EUR"))
    error = refused(lambda: desk.place_order("C-ACME", {"EURO": 1}), OrderCurrencyError)
    assert "Cannot use EUR for the catalogue price of EURO" in str(error)
    assert "the order is in USD" in str(error)


def test_placement_refuses_a_tax_code_outside_the_customers_profile() -> None:
    from ordercycle.service import DeskSettings

    settings = DeskSettings.default()
    profiles = {**settings.tax_profiles, "EU": TaxProfile("EU", (TaxRate("VAT", "21"),))}
    with OrderDesk.in_memory(settings=attrs.evolve(settings, tax_profiles=profiles)) as desk:
        open_sample_shop(desk)
        product = attrs.evolve(sample_products()[0][0], sku="VATTED")
        desk.register_product(product, Money("1.00", "USD"), tax_code="VAT")
        buyer = next(c for c in sample_customers() if c.tax_profile == "US-NY")
        error = refused(lambda: desk.place_order(buyer.id, {"VATTED": 1}), ValidationError)
        assert "NY" in str(error)


def test_an_outbox_position_is_bounded_as_a_position_not_as_a_count() -> None:
    from ordercycle.limits import MAX_POSITION, check_position

    big = (1_000_000 << 20) + 3  # a PostgreSQL position: the transaction id in the high bits
    assert big > MAX_UNITS
    assert check_position(big, "retry") == big
    for bad in (0, -1, MAX_POSITION + 1, True, "7", 1.0):
        with pytest.raises(InvalidQuantityError, match="an outbox position from 1 to"):
            check_position(bad, "retry")
