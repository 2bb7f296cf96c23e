"""Payment terms: the parser, installments that sum exactly, and early discounts."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import attrs
import pytest

from ordercycle.errors import CurrencyMismatchError, ParseError, PaymentTermsError, ValidationError
from ordercycle.invoicing import (
    ACCEPTED_FORMS,
    AmountExceedsTotalError,
    Anchor,
    DiscountTaxTreatment,
    DueDateRule,
    EarlyDiscount,
    InvalidDueDateRuleError,
    PaymentTerms,
    TermLine,
    TermsShareError,
)
from ordercycle.money import Money


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def dues(terms: PaymentTerms, anchor: date, total: str = "100.00") -> list[tuple[date, str]]:
    schedule = terms.schedule(usd(total), anchor)
    return [(i.due_date, str(i.amount.amount)) for i in schedule.installments]


# --- the stable entry point ------------------------------------------------------------------


def test_two_ten_net_thirty_schedules_one_installment_and_a_discount() -> None:
    terms = PaymentTerms.parse("2/10 Net 30")
    schedule = terms.schedule(Money("1000.00", "USD"), date(2026, 1, 15))
    assert [(i.due_date, i.amount) for i in schedule.installments] == [
        (date(2026, 2, 14), usd("1000.00"))
    ]
    assert schedule.discount_deadline == date(2026, 1, 25)
    assert schedule.discount == usd("20.00")
    assert schedule.discounted_amount == usd("980.00")
    assert schedule.amount_to_settle(date(2026, 1, 25)) == usd("980.00")
    assert schedule.amount_to_settle(date(2026, 1, 26)) == usd("1000.00")
    assert schedule.final_due_date == date(2026, 2, 14)
    assert attrs.has(type(schedule))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        schedule.total = usd("1.00")  # type: ignore[misc]


# --- every written form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "anchor", "expected_due", "deadline"),
    [
        ("Net 30", date(2026, 1, 31), date(2026, 3, 2), None),
        ("net   45", date(2026, 1, 15), date(2026, 3, 1), None),
        ("2/10 Net 30", date(2024, 2, 20), date(2024, 3, 21), date(2024, 3, 1)),
        # EOM dating: both periods from the end of the invoice month ...
        ("1/10 Net 30 EOM", date(2026, 1, 15), date(2026, 3, 2), date(2026, 2, 10)),
        # ... and from the end of the next month for invoices dated after the 25th.
        ("1/10 Net 30 EOM", date(2026, 1, 26), date(2026, 3, 30), date(2026, 3, 10)),
        ("EOM", date(2026, 2, 3), date(2026, 2, 28), None),
        ("EOM", date(2026, 2, 26), date(2026, 3, 31), None),
        ("Net 10th prox", date(2026, 1, 31), date(2026, 3, 10), None),
        ("Net 10th prox", date(2026, 1, 20), date(2026, 2, 10), None),
        ("10th prox", date(2026, 12, 1), date(2027, 1, 10), None),
        ("21 MFI", date(2026, 1, 31), date(2026, 2, 21), None),  # no cut-off for MFI
        ("21 MFI", date(2026, 12, 2), date(2027, 1, 21), None),
        ("COD", date(2026, 1, 15), date(2026, 1, 15), None),
        ("cia", date(2026, 1, 15), date(2026, 1, 15), None),
        ("CWO", date(2026, 1, 15), date(2026, 1, 15), None),
        ("CND", date(2026, 1, 15), date(2026, 1, 15), None),
        ("2/10 Net 30 ROG", date(2026, 1, 15), date(2026, 2, 14), date(2026, 1, 25)),
    ],
)
def test_parse_understands_the_common_written_forms(
    text: str, anchor: date, expected_due: date, deadline: date | None
) -> None:
    schedule = PaymentTerms.parse(text).schedule(usd("100.00"), anchor)
    assert schedule.final_due_date == expected_due
    assert schedule.discount_deadline == deadline


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("Net 30", Anchor.INVOICE),
        ("2/10 Net 30 ROG", Anchor.RECEIPT),
        ("COD", Anchor.RECEIPT),
        ("CIA", Anchor.ORDER),
        ("CWO", Anchor.ORDER),
        ("CND", Anchor.NEXT_DELIVERY),
    ],
)
def test_parse_sets_the_anchor_the_terms_count_from(text: str, anchor: Anchor) -> None:
    assert PaymentTerms.parse(text).anchor is anchor


def test_parse_keeps_the_written_name() -> None:
    assert str(PaymentTerms.parse("  2/10   net 30 ")) == "2/10 net 30"
    assert str(PaymentTerms.parse("cod")) == "COD"


def test_fifty_percent_upfront_fifty_percent_net_thirty() -> None:
    terms = PaymentTerms.parse("50% upfront, 50% Net 30")
    assert dues(terms, date(2026, 1, 15), "999.99") == [
        (date(2026, 1, 15), "500.00"),
        (date(2026, 2, 14), "499.99"),
    ]


def test_installment_forms_must_add_up_to_a_hundred_percent() -> None:
    with pytest.raises(TermsShareError, match="sum to 100%"):
        PaymentTerms.parse("50% upfront, 40% Net 30")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Net",
        "Net thirty",
        "2/10",
        "2/40 Net 30",
        "150/10 Net 30",
        "Net 32nd prox",
        "PIA",
        "50% upfront; 50% Net 30",
        "50% upfront, half Net 30",
        "Net 30 EOY",
    ],
)
def test_parse_refuses_anything_else_and_lists_the_accepted_forms(text: str) -> None:
    with pytest.raises(ParseError) as info:
        PaymentTerms.parse(text)
    error = info.value
    assert isinstance(error, ValidationError)
    assert error.text == text
    assert error.accepted == ACCEPTED_FORMS
    assert "accepted forms" in str(error)
    for form in ("Net N", "D/N Net M EOM", "Net Nth prox", "N MFI", "COD", "CND"):
        assert form in str(error)


def test_parse_refuses_non_text() -> None:
    with pytest.raises(ParseError, match="not a string"):
        PaymentTerms.parse(30)  # type: ignore[arg-type]


# --- installments --------------------------------------------------------------------------


def test_last_installment_takes_the_exact_remainder() -> None:
    terms = PaymentTerms.split(
        [
            (Decimal("33.33"), DueDateRule.days_after(0)),
            (Decimal("33.33"), DueDateRule.days_after(30)),
            (Decimal("33.34"), DueDateRule.days_after(60)),
        ]
    )
    amounts = [i.amount for i in terms.schedule(usd("0.10"), date(2026, 1, 1)).installments]
    assert sum(amounts, usd("0.00")) == usd("0.10")
    assert all(not a.is_negative for a in amounts)


def test_tiny_totals_never_give_a_negative_last_installment() -> None:
    # Rounding each 30 % share of 0.05 on its own gives 0.02 three times (0.06 > 0.05):
    # Odoo-style independent rounding would leave -0.01 for the last line.
    terms = PaymentTerms.split(
        [
            (30, DueDateRule.days_after(0)),
            (30, DueDateRule.days_after(10)),
            (30, DueDateRule.days_after(20)),
            (10, DueDateRule.days_after(30)),
        ]
    )
    amounts = [i.amount.amount for i in terms.schedule(usd("0.05"), date(2026, 1, 1)).installments]
    assert sum(amounts) == Decimal("0.05")
    assert min(amounts) >= 0


def test_fixed_amount_then_balance() -> None:
    terms = PaymentTerms(
        (
            TermLine.fixed(usd("100.00"), DueDateRule.days_after(0)),
            TermLine.percentage(50, DueDateRule.days_after(30)),
            TermLine.balance(DueDateRule.days_after(60)),
        )
    )
    assert dues(terms, date(2026, 1, 1), "1000.00") == [
        (date(2026, 1, 1), "100.00"),
        (date(2026, 1, 31), "500.00"),
        (date(2026, 3, 2), "400.00"),
    ]
    assert [line.label() for line in terms.lines] == ["100.00 USD", "50%", "balance"]


def test_fixed_amount_larger_than_the_total_is_a_typed_error() -> None:
    terms = PaymentTerms(
        (
            TermLine.fixed(usd("500.00"), DueDateRule.days_after(0)),
            TermLine.balance(DueDateRule.days_after(30)),
        )
    )
    before = attrs.asdict(terms, recurse=False)
    with pytest.raises(AmountExceedsTotalError, match="more than the total") as info:
        terms.schedule(usd("499.99"), date(2026, 1, 1))
    assert info.value.total == usd("499.99")
    assert info.value.fixed == usd("500.00")
    assert isinstance(info.value, PaymentTermsError)
    assert attrs.asdict(terms, recurse=False) == before
    restored = pickle.loads(pickle.dumps(info.value))
    assert restored.fixed == usd("500.00")


def test_fixed_amount_equal_to_the_total_leaves_a_zero_balance() -> None:
    terms = PaymentTerms(
        (
            TermLine.fixed(usd("500.00"), DueDateRule.days_after(0)),
            TermLine.balance(DueDateRule.days_after(30)),
        )
    )
    assert dues(terms, date(2026, 1, 1), "500.00")[-1] == (date(2026, 1, 31), "0.00")


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        ((), "at least one term line"),
        (
            (
                TermLine.percentage(60, DueDateRule.days_after(0)),
                TermLine.percentage(50, DueDateRule.days_after(30)),
            ),
            "sum to 100%",
        ),
        ((TermLine.percentage(99, DueDateRule.days_after(0)),), "sum to 100%"),
        (
            (
                TermLine.balance(DueDateRule.days_after(0)),
                TermLine.percentage(50, DueDateRule.days_after(30)),
            ),
            "only as the last line",
        ),
        (
            (
                TermLine.percentage(100, DueDateRule.days_after(0)),
                TermLine.balance(DueDateRule.days_after(30)),
            ),
            "less than 100%",
        ),
        (
            (
                TermLine.fixed(Money("5.00", "USD"), DueDateRule.days_after(0)),
                TermLine.percentage(100, DueDateRule.days_after(30)),
            ),
            "balance line last",
        ),
    ],
)
def test_terms_that_do_not_make_a_whole_are_refused(
    lines: tuple[TermLine, ...], words: str
) -> None:
    with pytest.raises(TermsShareError, match=words):
        PaymentTerms(lines)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"percent": 0}, "above 0"),
        ({"percent": 101}, "at most 100"),
        ({"percent": 1.5}, "never float"),
        ({"percent": "abc"}, "above 0"),
        ({"percent": 10, "amount": Money("1.00", "USD")}, "not both"),
        ({"amount": Money("-1.00", "USD")}, "positive"),
        ({"amount": Money("1.005", "USD")}, "whole minor units"),
    ],
)
def test_bad_term_lines_are_refused(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(TermsShareError, match=words):
        TermLine(DueDateRule.days_after(0), **kwargs)  # type: ignore[arg-type]


def test_named_constructors_refuse_floats() -> None:
    with pytest.raises(TermsShareError, match="never float"):
        TermLine.percentage(0.1, DueDateRule.days_after(0))  # type: ignore[arg-type]
    with pytest.raises(InvalidDueDateRuleError, match="never float"):
        EarlyDiscount.within_days(0.02, 10)  # type: ignore[arg-type]
    with pytest.raises(InvalidDueDateRuleError, match="never float"):
        EarlyDiscount.until(2.5, date(2026, 1, 1))  # type: ignore[arg-type]


def test_schedule_refuses_bad_totals_and_missing_anchor() -> None:
    terms = PaymentTerms.net(30)
    with pytest.raises(ValidationError, match="zero or more"):
        terms.schedule(usd("-1.00"), date(2026, 1, 1))
    with pytest.raises(ValidationError, match="whole minor units"):
        terms.schedule(usd("1.001"), date(2026, 1, 1))
    with pytest.raises(ValidationError, match="a Money"):
        terms.schedule(Decimal("1.00"), date(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="invoice date"):
        terms.schedule(usd("1.00"))


def test_schedule_refuses_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatchError):
        PaymentTerms.parse("2/10 Net 30").schedule(
            usd("121.00"), date(2026, 1, 1), tax=Money("21.00", "EUR")
        )
    terms = PaymentTerms(
        (
            TermLine.fixed(Money("5.00", "EUR"), DueDateRule.days_after(0)),
            TermLine.balance(DueDateRule.days_after(30)),
        )
    )
    with pytest.raises(CurrencyMismatchError):
        terms.schedule(usd("10.00"), date(2026, 1, 1))


def test_zero_total_schedules_zero_installments_amounts() -> None:
    assert dues(PaymentTerms.parse("50% upfront, 50% Net 30"), date(2026, 1, 1), "0.00") == [
        (date(2026, 1, 1), "0.00"),
        (date(2026, 1, 31), "0.00"),
    ]


def test_yen_has_no_minor_units() -> None:
    terms = PaymentTerms.parse("50% upfront, 50% Net 30")
    amounts = [
        i.amount for i in terms.schedule(Money("1001", "JPY"), date(2026, 1, 1)).installments
    ]
    assert amounts == [Money("501", "JPY"), Money("500", "JPY")]


# --- anchors and "as of" dating ----------------------------------------------------------------


def test_as_of_terms_count_from_the_stated_date() -> None:
    terms = PaymentTerms.parse("2/10 Net 30").with_as_of(date(2026, 4, 1))
    schedule = terms.schedule(usd("100.00"))
    assert schedule.anchor_date == date(2026, 4, 1)
    assert schedule.final_due_date == date(2026, 5, 1)
    assert schedule.discount_deadline == date(2026, 4, 11)
    assert "as_of 2026-04-01" in terms.describe()


def test_as_of_date_only_with_the_as_of_anchor() -> None:
    with pytest.raises(ValidationError, match="as_of"):
        PaymentTerms.single(DueDateRule.days_after(30), anchor=Anchor.AS_OF)
    with pytest.raises(ValidationError, match="as_of"):
        PaymentTerms.single(DueDateRule.days_after(30), as_of=date(2026, 1, 1))


# --- early-payment discounts and tax (Odoo's documented example) --------------------------------


@pytest.mark.parametrize(
    ("treatment", "total", "tax", "early", "late", "discount_tax"),
    [
        (DiscountTaxTreatment.ON_EARLY_PAYMENT, "121.00", "21.00", "118.58", "121.00", "0.42"),
        (DiscountTaxTreatment.UNTAXED_ONLY, "121.00", "21.00", "119.00", "121.00", "0.00"),
        # At invoicing the tax is computed on 98.00: 20.58, so the invoice is 120.58.
        (DiscountTaxTreatment.AT_INVOICING, "120.58", "20.58", "118.58", "120.58", "0.00"),
    ],
)
def test_odoo_cash_discount_example(
    treatment: DiscountTaxTreatment, total: str, tax: str, early: str, late: str, discount_tax: str
) -> None:
    terms = PaymentTerms.single(
        DueDateRule.days_after(30),
        discount=EarlyDiscount.within_days(2, 7, tax_treatment=treatment),
    )
    schedule = terms.schedule(Money(total, "EUR"), date(2026, 1, 1), tax=Money(tax, "EUR"))
    assert schedule.amount_to_settle(date(2026, 1, 8)) == Money(early, "EUR")
    assert schedule.amount_to_settle(date(2026, 1, 9)) == Money(late, "EUR")
    assert schedule.discount_tax == Money(discount_tax, "EUR")
    assert schedule.tax_treatment is treatment


def test_at_invoicing_terms_report_the_tax_base_discount() -> None:
    at_invoicing = PaymentTerms.single(
        DueDateRule.days_after(30),
        discount=EarlyDiscount.within_days(2, 7, tax_treatment=DiscountTaxTreatment.AT_INVOICING),
    )
    assert at_invoicing.tax_base_discount == Decimal("0.02")
    assert PaymentTerms.parse("2/10 Net 30").tax_base_discount == 0
    assert PaymentTerms.net(30).tax_base_discount == 0


def test_discount_by_a_fixed_date() -> None:
    terms = PaymentTerms.single(
        DueDateRule.days_after(60), discount=EarlyDiscount.until(3, date(2026, 2, 1))
    )
    schedule = terms.schedule(usd("200.00"), date(2026, 1, 10))
    assert schedule.discount_deadline == date(2026, 2, 1)
    assert schedule.discounted_amount == usd("194.00")
    assert "3% by 2026-02-01" in terms.describe()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"percent": 0, "within": DueDateRule.days_after(10)}, "more than 0"),
        ({"percent": 100, "within": DueDateRule.days_after(10)}, "less than 100"),
        ({"percent": 2.0, "within": DueDateRule.days_after(10)}, "never float"),
        ({"percent": "x", "within": DueDateRule.days_after(10)}, "between 0 and 100"),
        ({"percent": 2}, "exactly one"),
        (
            {"percent": 2, "within": DueDateRule.days_after(1), "by": date(2026, 1, 1)},
            "exactly one",
        ),
    ],
)
def test_bad_discounts_are_refused(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidDueDateRuleError, match=words):
        EarlyDiscount(**kwargs)  # type: ignore[arg-type]


def test_schedule_renders_as_html_and_records() -> None:
    schedule = PaymentTerms.parse("2/10 Net 30").schedule(usd("10.00"), date(2026, 1, 1))
    assert "<table>" in schedule._repr_html_()
    assert "Pay 9.80 USD by 2026-01-11" in schedule._repr_html_()
    assert schedule.to_records() == [
        {"due_date": date(2026, 1, 31), "amount": usd("10.00"), "label": "100%"}
    ]
    assert schedule.amount_due_by(date(2026, 1, 30)) == usd("0.00")
    assert schedule.amount_due_by(date(2026, 1, 31)) == usd("10.00")
    assert list(schedule.to_pandas().columns) == ["due_date", "amount", "label"]
