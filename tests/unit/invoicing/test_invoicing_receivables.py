"""Receivables: aging, DSO, late interest, dunning and the credit-limit check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordercycle.errors import ConfigurationError, CurrencyMismatchError, ValidationError
from ordercycle.invoicing import (
    CreditAction,
    CreditPolicy,
    DayCount,
    DunningLevel,
    DunningPolicy,
    Invoice,
    InvoiceLine,
    LateInterestPolicy,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    aging,
    aging_buckets,
    check_credit_limit,
    days_sales_outstanding,
)
from ordercycle.money import Money

NONE = TaxProfile("none", [])


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def invoice(
    invoice_id: str, customer: str, amount: str, day: date, terms: str = "Net 30"
) -> Invoice:
    draft, _ = Invoice.draft(
        invoice_id,
        customer,
        [InvoiceLine("A", "A", 1, eur(amount))],
        NONE,
        PaymentTerms.parse(terms),
        day,
    )
    return draft.issue(NumberSeries(f"{invoice_id}-"))[0]


@pytest.fixture
def book() -> list[Invoice]:
    partly, _ = invoice("I-3", "ACME", "300.00", date(2026, 1, 1)).pay(
        "P", eur("100.00"), date(2026, 1, 20)
    )
    return [
        invoice("I-1", "ACME", "100.00", date(2026, 3, 20)),  # due Apr 19: not yet due
        invoice("I-2", "ACME", "200.00", date(2026, 2, 20)),  # due Mar 22: 10 days
        partly,  # due Jan 31: 60 days, 200 open
        invoice("I-4", "BOLT", "50.00", date(2025, 11, 1)),  # due Dec 1: 120 days
        invoice("I-5", "BOLT", "75.00", date(2026, 1, 1), "50% upfront, 50% Net 60"),
        invoice("I-6", "ACME", "1.00", date(2026, 3, 1)).cancel("dup", date(2026, 3, 1))[0],
    ]


def test_aging_by_due_date_uses_the_standard_buckets(book: list[Invoice]) -> None:
    report = aging(book, date(2026, 4, 1))
    assert [b.label for b in report.buckets] == ["not yet due", "1–30", "31–60", "61–90", "over 90"]
    records = report.to_records()
    assert records[0] == {
        "customer_id": "ACME",
        "not yet due": eur("100.00"),
        "1–30": eur("200.00"),
        "31–60": eur("200.00"),
        "61–90": eur("0.00"),
        "over 90": eur("0.00"),
        "total": eur("500.00"),
    }
    # I-5: 37.50 due Jan 1 (90 days) and 37.50 due Mar 2 (30 days).
    assert records[1]["61–90"] == eur("37.50")
    assert records[1]["1–30"] == eur("37.50")
    assert records[1]["over 90"] == eur("50.00")
    assert report.total == eur("625.00")
    assert sum(report.totals, eur("0")) == report.total
    assert "| ACME | 100.00 | 200.00 | 200.00 | 0.00 | 0.00 | 500.00 |" in str(report)
    assert "<table>" in report._repr_html_()
    frame = report.to_pandas()
    assert list(frame.columns) == ["customer_id", *(b.label for b in report.buckets), "total"]
    assert list(frame["customer_id"]) == ["ACME", "BOLT"]


def test_aging_by_invoice_date_with_custom_buckets(book: list[Invoice]) -> None:
    report = aging(
        book, date(2026, 4, 1), basis="invoice_date", buckets=aging_buckets((45,), "invoice_date")
    )
    assert [b.label for b in report.buckets] == ["0–45", "over 45"]
    assert report.rows[0].amounts == (eur("300.00"), eur("200.00"))
    assert report.rows[1].amounts == (eur("0.00"), eur("125.00"))


def test_aging_refuses_bad_input(book: list[Invoice]) -> None:
    with pytest.raises(ValidationError, match="'due_date' or 'invoice_date'"):
        aging(book, date(2026, 4, 1), basis="order_date")
    with pytest.raises(ValidationError, match="strictly increasing"):
        aging_buckets((30, 30))
    with pytest.raises(ValidationError, match="strictly increasing"):
        aging_buckets(())
    usd_draft, _ = Invoice.draft(
        "U",
        "C",
        [InvoiceLine("A", "A", 1, Money("1.00", "USD"))],
        NONE,
        PaymentTerms.net(1),
        date(2026, 1, 1),
    )
    usd, _ = usd_draft.issue(NumberSeries())
    with pytest.raises(CurrencyMismatchError):
        aging([*book, usd], date(2026, 4, 1))
    with pytest.raises(ValidationError, match="cover every age"):
        aging(book, date(2026, 4, 1), buckets=aging_buckets()[1:])
    assert aging([], date(2026, 4, 1), currency="EUR").total == eur("0.00")


def test_days_sales_outstanding(book: list[Invoice]) -> None:
    # The 90 days to Apr 1 are (Jan 1, Apr 1]: sales I-1 100 + I-2 200 = 300 (I-6 canceled).
    dso = days_sales_outstanding(book, date(2026, 4, 1), 90)
    assert dso == Decimal("187.5")  # receivables 625 / 300 * 90
    # 91 days reach Jan 1: sales 300 + I-3 300 + I-5 75 = 675; 625 / 675 * 91 = 84.26.
    assert days_sales_outstanding(book, date(2026, 4, 1), 91) == Decimal("84.3")
    assert days_sales_outstanding([], date(2026, 4, 1)) == 0
    with pytest.raises(ValidationError, match="whole days"):
        days_sales_outstanding(book, date(2026, 4, 1), 0)


def test_simple_interest_by_day_count() -> None:
    policy = LateInterestPolicy(Decimal("10"))
    amount = eur("3650.00")
    assert policy.interest(amount, date(2026, 1, 1), date(2026, 1, 11)) == eur("10.00")
    act360 = LateInterestPolicy(Decimal("10"), DayCount.ACT_360)
    assert act360.interest(amount, date(2026, 1, 1), date(2026, 1, 11)) == eur("10.14")
    assert policy.interest(amount, date(2026, 1, 11), date(2026, 1, 1)) == eur("0.00")
    grace = LateInterestPolicy(Decimal("10"), grace_days=5)
    assert grace.days_late(date(2026, 1, 1), date(2026, 1, 11)) == 5


def test_eu_preset_is_reference_rate_plus_eight_and_forty_euros() -> None:
    policy = LateInterestPolicy.eu(Decimal("2.15"))
    assert policy.annual_rate == Decimal("10.15")
    charges = policy.charges(eur("1000.00"), date(2026, 1, 31), date(2026, 3, 2))
    assert charges.days_late == 30
    assert charges.interest == eur("8.34")  # 1000 x 10.15 % x 30 / 365 = 8.342
    assert charges.compensation == eur("40.00")
    assert charges.total == eur("48.34")
    on_time = policy.charges(eur("1000.00"), date(2026, 1, 31), date(2026, 1, 31))
    assert on_time.total == eur("0.00")
    usd = policy.charges(Money("100.00", "USD"), date(2026, 1, 1), date(2026, 2, 1))
    assert usd.compensation == Money("0.00", "USD")


@pytest.mark.parametrize("rate", [Decimal("-1"), 2.5, "abc"])
def test_bad_interest_rates_are_refused(rate: object) -> None:
    with pytest.raises(ValidationError, match="annual_rate"):
        LateInterestPolicy(rate)  # type: ignore[arg-type]


def test_dunning_levels_by_days_overdue() -> None:
    policy = DunningPolicy(
        (
            DunningLevel(1, 7, letter="reminder"),
            DunningLevel(2, 30, fee=eur("5.00"), letter="second notice"),
            DunningLevel(3, 60, fee=eur("15.00"), charge_interest=True, letter="final notice"),
        )
    )
    bill = invoice("I-1", "ACME", "365.00", date(2026, 1, 1))  # due Jan 31
    assert policy.notice(bill, date(2026, 2, 5)) is None
    first = policy.notice(bill, date(2026, 2, 7))
    assert first is not None
    assert (first.level.level, first.days_overdue, first.total_due) == (1, 7, eur("365.00"))
    last = policy.notice(bill, date(2026, 4, 1), LateInterestPolicy(Decimal("10")))
    assert last is not None
    assert last.level.letter == "final notice"
    assert last.interest == eur("6.00")  # 60 days at 10 % on 365.00
    assert last.total_due == eur("386.00")
    paid, _ = bill.pay("P", eur("365.00"), date(2026, 4, 1))
    assert policy.notice(paid, date(2026, 5, 1)) is None


def test_dunning_levels_must_increase() -> None:
    with pytest.raises(ConfigurationError, match="strictly increasing"):
        DunningPolicy((DunningLevel(1, 30), DunningLevel(2, 30)))
    with pytest.raises(ConfigurationError, match="at least one level"):
        DunningPolicy(())


@pytest.mark.parametrize(
    ("order", "policy", "action", "exceeded"),
    [
        ("100.00", CreditPolicy.WARN, CreditAction.APPROVE, False),  # exactly the limit
        ("100.01", CreditPolicy.WARN, CreditAction.WARN, True),
        ("100.01", CreditPolicy.HOLD, CreditAction.HOLD, True),
    ],
)
def test_credit_limit_is_exceeded_only_strictly_above(
    order: str, policy: CreditPolicy, action: CreditAction, exceeded: bool
) -> None:
    check = check_credit_limit(
        eur("1000.00"),
        open_receivables=eur("600.00"),
        confirmed_not_invoiced=eur("300.00"),
        order_amount=eur(order),
        policy=policy,
    )
    assert check.action is action
    assert check.exceeded is exceeded
    if exceeded:
        assert "over the credit limit 1000.00 EUR by 0.01 EUR" in check.reason


def test_credit_limit_refuses_mixed_currencies_and_negative_amounts() -> None:
    with pytest.raises(CurrencyMismatchError):
        check_credit_limit(
            eur("1.00"),
            open_receivables=Money("1.00", "USD"),
            confirmed_not_invoiced=eur("0.00"),
            order_amount=eur("0.00"),
        )
    with pytest.raises(ValidationError, match="order_amount"):
        check_credit_limit(
            eur("1.00"),
            open_receivables=eur("0.00"),
            confirmed_not_invoiced=eur("0.00"),
            order_amount=eur("-1.00"),
        )
