"""Early-payment discounts on terms with several installments: a share per installment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.invoicing import (
    DueDateRule,
    EarlyDiscount,
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TermLine,
    apply_payment,
)
from ordercycle.money import Money

VAT = TaxProfile("NL", [TaxRate("VAT21", 21)])
DAY = date(2026, 1, 15)
TERMS = PaymentTerms(
    (
        TermLine.percentage(50, DueDateRule.days_after(0)),
        TermLine.percentage(50, DueDateRule.days_after(30)),
    ),
    discount=EarlyDiscount.within_days(2, 10),
    name="50% now, 50% Net 30, 2/10",
)


def eur(text: str) -> Money:
    return Money(text, "EUR")


def issued(terms: PaymentTerms = TERMS, price: str = "100.00") -> Invoice:
    line = InvoiceLine("CHAIR", "Chair", 1, eur(price), ["VAT21"])
    invoice, _ = Invoice.draft("I-1", "C-1", [line], VAT, terms, DAY).aggregate.issue(
        NumberSeries()
    )
    return invoice


def test_the_discount_is_split_over_the_installments() -> None:
    schedule = issued().schedule
    assert schedule is not None
    assert schedule.discount == eur("2.42")
    assert schedule.installment_discounts == (eur("1.21"), eur("1.21"))
    assert issued().discount_available(DAY) == eur("2.42")


def test_each_installment_paid_by_the_deadline_earns_its_share() -> None:
    invoice, _ = issued().pay("P-1", eur("59.29"), DAY + timedelta(days=2))
    first = invoice.payments[-1]
    assert first.discount == eur("1.21")
    assert invoice.state == "partially_paid"
    assert invoice.balance == eur("60.50")
    assert invoice.discount_available(DAY + timedelta(days=10)) == eur("1.21")
    assert invoice.discount_available(DAY + timedelta(days=11)) == eur("0.00")
    invoice, _ = invoice.pay("P-2", eur("59.29"), DAY + timedelta(days=10))
    second = invoice.payments[-1]
    assert second.discount == eur("1.21")
    assert invoice.state == "paid"
    assert invoice.discount_taken == eur("2.42")
    assert Invoice.replay(invoice.events) == invoice


def test_an_installment_paid_late_earns_nothing() -> None:
    invoice, _ = issued().pay("P-1", eur("59.29"), DAY)
    late = DAY + timedelta(days=30)
    assert invoice.open_discounts(late)[-1][2] == eur("0.00")
    invoice, _ = invoice.pay("P-2", eur("60.50"), late)
    record = invoice.payments[-1]
    assert record.discount == eur("0.00")
    assert invoice.state == "paid"
    assert invoice.discount_taken == eur("1.21")


def test_paying_everything_early_earns_the_whole_discount() -> None:
    invoice, _ = issued().pay("P-1", eur("118.58"), DAY + timedelta(days=1))
    record = invoice.payments[-1]
    assert record.discount == eur("2.42")
    assert invoice.state == "paid"


def test_a_payment_between_installments_takes_only_the_settled_shares() -> None:
    invoice, _ = issued().pay("P-1", eur("80.00"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("1.21")  # the first installment, settled at 59.29
    assert invoice.balance == eur("39.79")  # 60.50 - (80.00 - 59.29)
    assert invoice.discount_available(DAY) == eur("1.21")
    invoice, _ = invoice.pay("P-2", eur("38.58"), DAY)  # 39.79 less its share
    record = invoice.payments[-1]
    assert record.discount == eur("1.21")
    assert invoice.state == "paid"


def test_a_payment_that_does_not_cover_a_discounted_installment_takes_nothing() -> None:
    invoice, _ = issued().pay("P-1", eur("59.28"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("0.00")
    assert invoice.balance == eur("61.72")
    # The first installment is still open and still earns its share when settled.
    assert [share for _, _, share in invoice.open_discounts(DAY)] == [eur("1.21"), eur("1.21")]
    invoice, _ = invoice.pay("P-2", eur("0.01"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("1.21")
    assert invoice.balance == eur("60.50")


def test_overpaying_everything_early_keeps_the_excess_without_a_discount() -> None:
    invoice, _ = issued().pay("P-1", eur("125.00"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("0.00")
    assert record.excess == eur("4.00")
    assert invoice.customer_credit == eur("4.00")


def test_credit_notes_shrink_the_open_shares() -> None:
    line = InvoiceLine("CHAIR", "Chair", 2, eur("50.00"), ["VAT21"])
    invoice, _ = Invoice.draft("I-1", "C-1", [line], VAT, TERMS, DAY).aggregate.issue(
        NumberSeries()
    )
    invoice, _ = invoice.credit("CN-1", DAY, {0: 1})  # half of it: closes installment 1
    shares = [share for _, _, share in invoice.open_discounts(DAY)]
    assert shares == [eur("0.00"), eur("1.21")]  # 2.42 x (121.00 - 60.50) / 121.00
    assert invoice.discount_available(DAY) == eur("1.21")
    invoice, _ = invoice.pay("P-1", eur("59.29"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("1.21")
    assert invoice.state == "paid"


def test_apply_payment_pays_installments_at_their_discounted_amounts() -> None:
    result = apply_payment([issued()], "P-1", eur("59.29"), DAY)
    (invoice,) = result.invoices
    assert invoice.discount_taken == eur("1.21")
    assert invoice.balance == eur("60.50")
    assert result.unapplied == eur("0.00")


def test_one_installment_terms_keep_the_whole_discount_rule() -> None:
    single = issued(PaymentTerms.parse("2/10 Net 30"))
    assert single.schedule is not None
    assert single.schedule.installment_discounts == (eur("2.42"),)
    invoice, _ = single.pay("P-1", eur("100.00"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("0.00")  # leaves more than the discount open
    invoice, _ = invoice.pay("P-2", eur("18.58"), DAY)
    record = invoice.payments[-1]
    assert record.discount == eur("2.42")
    assert invoice.state == "paid"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(1, 60), min_size=2, max_size=4).filter(lambda p: sum(p) < 100),
    st.integers(1, 10**7),
    st.decimals(Decimal("0.5"), 10, places=1),
)
def test_paying_each_installment_early_earns_exactly_the_whole_discount(
    percents: list[int], cents: int, discount: Decimal
) -> None:
    rules = [DueDateRule.days_after(15 * i) for i in range(len(percents) + 1)]
    terms = PaymentTerms(
        (
            *(TermLine.percentage(p, rule) for p, rule in zip(percents, rules, strict=False)),
            TermLine.balance(rules[-1]),
        ),
        discount=EarlyDiscount.within_days(discount, 10),
    )
    invoice = issued(terms, str(Money.of_minor(cents, "EUR").amount))
    schedule = invoice.schedule
    assert schedule is not None
    assert schedule.discount is not None
    assert sum(schedule.installment_discounts, eur("0")) == schedule.discount
    for number, (_, open_, share) in enumerate(invoice.open_discounts(DAY)):
        if open_ - share:
            invoice, _ = invoice.pay(f"P-{number}", open_ - share, DAY)
        assert invoice.open_discounts(DAY)[number][1] == eur("0.00")
    # An installment whose share is all of it (1 cent) is settled by the discount alone
    # only with a payment; here every payable one was paid: the rest is its shares.
    assert invoice.balance == invoice.discount_available(DAY) or invoice.state == "paid"
