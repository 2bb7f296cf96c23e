"""Properties of invoicing: exact installments, exact tax splits, order-free payments, credits."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.invoicing import (
    AmountExceedsTotalError,
    CreditExceedsInvoicedError,
    DueDateKind,
    DueDateRule,
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TaxRounding,
    TermLine,
    apply_payment,
)
from ordercycle.money import Currency, Money, Rounding

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CURRENCIES = ["USD", "JPY", "BHD"]
DAYS = st.dates(min_value=date(1999, 1, 1), max_value=date(2100, 12, 31))


def money(currency: str, max_units: int = 10**9) -> st.SearchStrategy[Money]:
    return st.integers(0, max_units).map(lambda u: Money.of_minor(u, currency))


@st.composite
def percent_splits(draw: st.DrawFn) -> list[Decimal]:
    """2 to 6 positive percentages with two decimals that sum to exactly 100."""
    count = draw(st.integers(1, 6))
    cuts = sorted(draw(st.sets(st.integers(1, 9999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]


@st.composite
def rules(draw: st.DrawFn) -> DueDateRule:
    kind = draw(st.sampled_from(list(DueDateKind)))
    cutoff = draw(st.none() | st.integers(1, 30))
    if kind is DueDateKind.DAYS_AFTER:
        return DueDateRule.days_after(draw(st.integers(0, 400)))
    if kind is DueDateKind.MONTHS_AFTER:
        return DueDateRule.months_after(draw(st.integers(0, 24)), draw(st.integers(0, 40)))
    if kind is DueDateKind.DAY_OF_NEXT_MONTH:
        return DueDateRule.day_of_next_month(draw(st.integers(1, 31)), cutoff_day=cutoff)
    if kind is DueDateKind.MONTHS_AFTER_END_OF_MONTH:
        return DueDateRule.months_after_end_of_month(
            draw(st.integers(0, 24)), draw(st.integers(0, 40)), cutoff_day=cutoff
        )
    days = draw(st.integers(0, 90))
    if kind is DueDateKind.END_OF_MONTH:
        return DueDateRule.end_of_month(days, cutoff_day=cutoff)
    return DueDateRule.end_of_next_month(days, cutoff_day=cutoff)


@SETTINGS
@given(rule=rules(), anchor=DAYS)
def test_due_dates_are_never_before_the_anchor(rule: DueDateRule, anchor: date) -> None:
    assert rule.due_date(anchor) >= anchor


@SETTINGS
@given(
    split=percent_splits(),
    currency=st.sampled_from(CURRENCIES),
    units=st.integers(0, 10**12),
    rounding=st.sampled_from(list(Rounding)),
    anchor=DAYS,
)
def test_installments_always_sum_exactly_to_the_total(
    split: list[Decimal], currency: str, units: int, rounding: Rounding, anchor: date
) -> None:
    terms = PaymentTerms(
        tuple(TermLine.percentage(p, DueDateRule.days_after(30 * i)) for i, p in enumerate(split)),
        rounding=rounding,
    )
    total = Money.of_minor(units, currency)
    schedule = terms.schedule(total, anchor)
    amounts = [i.amount for i in schedule.installments]
    assert Money.sum(amounts, currency=currency) == total
    assert all(not a.is_negative and a.is_rounded for a in amounts)


@SETTINGS
@given(
    fixed=st.lists(st.integers(1, 10**6), max_size=3),
    split=st.lists(st.integers(1, 30), max_size=3),
    units=st.integers(0, 3 * 10**6),
)
def test_fixed_lines_either_fit_or_raise_and_never_go_negative(
    fixed: list[int], split: list[int], units: int
) -> None:
    lines = [TermLine.fixed(Money.of_minor(f, "USD"), DueDateRule.days_after(0)) for f in fixed]
    lines += [TermLine.percentage(p, DueDateRule.days_after(10)) for p in split]
    lines.append(TermLine.balance(DueDateRule.days_after(30)))
    terms = PaymentTerms(tuple(lines))
    total = Money.of_minor(units, "USD")
    percent_units = (units * sum(split) * 2 + 100) // 200  # round half up
    try:
        schedule = terms.schedule(total, date(2026, 1, 1))
    except AmountExceedsTotalError:
        assert sum(fixed) + percent_units > units
        return
    assert sum(fixed) + percent_units <= units
    amounts = [i.amount for i in schedule.installments]
    assert Money.sum(amounts, currency="USD") == total
    assert all(not a.is_negative for a in amounts)


RATES = [
    TaxRate("A", Decimal("21")),
    TaxRate("B", Decimal("5"), compound=True),
    TaxRate("C", Decimal("9.975")),
    TaxRate("D", Decimal("0.5")),
]


@SETTINGS
@given(
    amounts=st.lists(
        st.tuples(st.integers(0, 10**8), st.sets(st.sampled_from("ABCD"))), min_size=1, max_size=8
    ),
    rounding=st.sampled_from(list(TaxRounding)),
    mode=st.sampled_from(list(Rounding)),
    included=st.booleans(),
    exempt=st.sets(st.sampled_from("ABCD"), max_size=2),
    currency=st.sampled_from(CURRENCIES),
)
def test_tax_splits_sum_exactly(
    amounts: list[tuple[int, set[str]]],
    rounding: TaxRounding,
    mode: Rounding,
    included: bool,
    exempt: set[str],
    currency: str,
) -> None:
    profile = TaxProfile(
        "p",
        RATES,
        prices_include_tax=included,
        rounding=rounding,
        rounding_mode=mode,
        exemptions=sorted(exempt),
    )
    lines = [(Money.of_minor(u, currency), sorted(codes)) for u, codes in amounts]
    result = profile.compute(lines)
    zero = Money.zero(currency)
    assert sum((t.amount for t in result.by_rate), zero) == result.tax
    for entry in result.by_rate:
        per_line = [t.amount for line in result.lines for t in line.taxes if t.code == entry.code]
        assert sum(per_line, zero) == entry.amount
        if entry.exempt:
            assert entry.amount == zero
    assert result.untaxed + result.tax == result.total
    assert sum((line.total for line in result.lines), zero) == result.total
    for line, (gross, _codes) in zip(result.lines, lines, strict=True):
        assert line.untaxed + sum((t.amount for t in line.taxes), zero) == line.total
        if included:
            assert line.total == gross
    assert all(t.amount.is_rounded and not t.amount.is_negative for t in result.by_rate)
    assert Currency.of(currency) == result.currency


NONE = TaxProfile("none", [])
VAT = TaxProfile("vat", [TaxRate("V", 21)])


def issued_invoice(units: int, terms: str = "50% upfront, 50% Net 30") -> Invoice:
    draft, _ = Invoice.draft(
        "I-1",
        "C-1",
        [InvoiceLine("A", "A", 1, Money.of_minor(units, "EUR"), ["V"])],
        VAT,
        PaymentTerms.parse(terms),
        date(2026, 1, 1),
    )
    return draft.issue(NumberSeries())[0]


@SETTINGS
@given(
    units=st.integers(1, 10**7),
    payments=st.lists(st.integers(1, 5 * 10**6), min_size=1, max_size=6),
    data=st.data(),
)
def test_payments_in_any_order_leave_the_same_balances(
    units: int, payments: list[int], data: st.DataObject
) -> None:
    invoice = issued_invoice(units)

    def run(order: list[int]) -> tuple[Money, Money, Money, str]:
        current = invoice
        for n, amount in enumerate(order):
            if current.state == "paid":
                break
            current, _ = current.pay(f"P{n}", Money.of_minor(amount, "EUR"), date(2026, 1, 2))
        return current.balance, current.settled, current.paid, current.state

    shuffled = data.draw(st.permutations(payments))
    first, second = run(payments), run(list(shuffled))
    assert first[0] == second[0]
    assert first[3] == second[3]
    received = sum(payments)
    expected = max(invoice.total.minor_units - received, 0)
    assert first[0] == Money.of_minor(expected, "EUR")


@SETTINGS
@given(
    quantities=st.lists(st.integers(1, 20), min_size=1, max_size=4),
    prices=st.lists(st.integers(1, 10**5), min_size=4, max_size=4),
    requests=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 25)), max_size=10),
    paid=st.booleans(),
)
def test_credited_never_exceeds_invoiced(
    quantities: list[int], prices: list[int], requests: list[tuple[int, int]], paid: bool
) -> None:
    lines = [
        InvoiceLine(f"S{i}", "x", q, Money.of_minor(prices[i], "EUR"), ["V"])
        for i, q in enumerate(quantities)
    ]
    invoice, _ = Invoice.draft("I", "C", lines, VAT, PaymentTerms.net(30), date(2026, 1, 1))
    invoice = invoice.issue(NumberSeries())[0]
    if paid:
        invoice = invoice.pay("P", invoice.total, date(2026, 1, 2))[0]
    for n, (line, qty) in enumerate(requests):
        if line >= len(lines):
            continue
        before = invoice
        try:
            invoice, _ = invoice.credit(f"CN{n}", date(2026, 1, 3), {line: qty})
        except CreditExceedsInvoicedError:
            assert before.credited_quantity(line) + qty > quantities[line]
            assert invoice is before
        assert invoice.credited_quantity(line) <= quantities[line]
    assert invoice.credited <= invoice.total
    if invoice.state != "paid" or any(
        invoice.credited_quantity(i) < q for i, q in enumerate(quantities)
    ):
        invoice, _ = invoice.credit("FULL", date(2026, 1, 4))
    assert invoice.credited == invoice.total
    assert invoice.balance == Money.zero("EUR")
    assert invoice.state == "paid"


@pytest.mark.parametrize("terms", ["2/10 Net 30", "1/10 Net 30 EOM"])
@SETTINGS
@given(units=st.integers(1, 10**7), late=st.integers(0, 60))
def test_discounted_payment_settles_exactly(terms: str, units: int, late: int) -> None:
    invoice = issued_invoice(units, terms)
    assert invoice.schedule is not None
    day = date(2026, 1, 1) + timedelta(days=late)
    due = invoice.schedule.amount_to_settle(day)
    paid, _ = invoice.pay("P", due, day)
    record = paid.payments[-1]
    assert paid.state == "paid"
    assert record.applied + record.discount == invoice.total
    assert record.excess == Money.zero("EUR")


@SETTINGS
@given(
    invoices=st.lists(
        st.tuples(
            st.integers(1, 10**6),
            st.integers(0, 60),
            st.sampled_from(["Net 30", "50% upfront, 50% Net 30", "EOM"]),
        ),
        min_size=1,
        max_size=4,
    ),
    payments=st.lists(st.integers(1, 10**6), min_size=1, max_size=5),
    data=st.data(),
)
def test_payments_across_invoices_in_any_order_leave_the_same_balances(
    invoices: list[tuple[int, int, str]], payments: list[int], data: st.DataObject
) -> None:
    series = NumberSeries()
    book = []
    for n, (units, offset, terms) in enumerate(invoices):
        draft, _ = Invoice.draft(
            f"I-{n}",
            "C",
            [InvoiceLine("A", "A", 1, Money.of_minor(units, "EUR"))],
            NONE,
            PaymentTerms.parse(terms),
            date(2026, 1, 1) + timedelta(days=offset),
        )
        issued, _ = draft.issue(series)
        series = series.next()
        book.append(issued)

    def run(order: list[int]) -> tuple[list[Money], Money]:
        current = book
        unapplied = Money.zero("EUR")
        for n, amount in enumerate(order):
            result = apply_payment(
                current, f"P{n}", Money.of_minor(amount, "EUR"), date(2026, 6, 1)
            )
            current = list(result.invoices)
            unapplied += result.unapplied
        return [i.balance for i in current], unapplied

    shuffled = data.draw(st.permutations(payments))
    assert run(payments) == run(list(shuffled))
    balances, unapplied = run(payments)
    total = sum(units for units, _, _ in invoices)
    assert Money.sum(balances, currency="EUR") == Money.of_minor(
        max(total - sum(payments), 0), "EUR"
    )
    assert unapplied == Money.of_minor(max(sum(payments) - total, 0), "EUR")


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(1, 9), st.integers(1, 10**6), st.sampled_from([(), ("A",), ("B",)])),
        min_size=1,
        max_size=4,
    ),
    st.decimals(0, "99.99", places=2),
    st.booleans(),
    st.data(),
)
def test_restocking_fee_tax_is_the_fee_share_of_each_credited_tax(
    specs: list[tuple[int, int, tuple[str, ...]]],
    fee: Decimal,
    taxed: bool,
    data: st.DataObject,
) -> None:
    profile = TaxProfile("P", [TaxRate("A", 21), TaxRate("B", "5.5")])
    lines = [
        InvoiceLine(f"S{i}", "x", qty, Money.of_minor(units, "USD"), codes)
        for i, (qty, units, codes) in enumerate(specs)
    ]
    draft, _ = Invoice.draft("I-1", "C-1", lines, profile, PaymentTerms.net(30), date(2026, 1, 1))
    invoice, _ = draft.issue(NumberSeries())
    quantities = {
        i: data.draw(st.integers(1, qty), label=f"line {i}") for i, (qty, _, _) in enumerate(specs)
    }
    credited, _ = invoice.credit(
        "CN-1", date(2026, 1, 2), quantities, restocking_fee_percent=fee, restocking_fee_taxed=taxed
    )
    note = credited.credit_notes[-1]
    per_code: dict[str, Money] = {}
    for line in note.lines:
        for code, amount in line.taxes:
            per_code[code] = per_code.get(code, Money.zero("USD")) + amount
    if fee and taxed:
        assert dict(note.restocking_fee_taxes) == {
            code: (amount * fee / 100).round() for code, amount in per_code.items()
        }
    else:
        assert note.restocking_fee_taxes == ()
    assert note.total == note.untaxed + note.tax - note.restocking_fee - note.restocking_fee_tax
    assert not note.total.is_negative
    assert credited.balance == invoice.balance - note.applied
    assert Invoice.replay(credited.events) == credited
