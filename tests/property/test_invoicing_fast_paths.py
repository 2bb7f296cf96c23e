"""The fast paths of invoicing and money give exactly what the checked paths give.

Each property compares a fast path with the slow, fully checked path (or with a plain
reference written from the definitions), including the *form* of every amount (its
``Decimal`` digits and exponent, so reprs match), not only its value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.errors import ValidationError
from ordercycle.invoicing import (
    DiscountTaxTreatment,
    DueDateKind,
    DueDateRule,
    EarlyDiscount,
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TaxRounding,
    TermLine,
)
from ordercycle.invoicing.due_dates import _add_months, end_of_month
from ordercycle.invoicing.errors import InvalidTaxError
from ordercycle.invoicing.events import InvoiceDrafted, InvoiceIssued, make_event
from ordercycle.money import MAX_ABS_AMOUNT, Currency, InvalidAmountError, Money, Rounding

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CURRENCIES = st.sampled_from(["USD", "JPY", "BHD", "EUR"])
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
MODES = st.sampled_from(list(Rounding))


def minor(units: int, unit: Currency) -> Decimal:
    """``units`` minor units as a decimal with exactly the currency's exponent."""
    sign, digits, _ = Decimal(units).as_tuple()
    return Decimal((sign, digits, -unit.exponent))


def same(left: Money, right: Money) -> None:
    """Equal, with the same digits and exponent (so the same repr)."""
    assert left == right
    assert left.amount.as_tuple() == right.amount.as_tuple()
    assert repr(left) == repr(right)


# --- Money.of_rounded ---------------------------------------------------------------------


@SETTINGS
@given(CURRENCIES, st.integers(-(10**45), 10**45), st.booleans())
def test_trusted_money_equals_checked_money(code: str, units: int, negative_zero: bool) -> None:
    unit = Currency.of(code)
    value = minor(units, unit)
    if negative_zero and units == 0:
        value = Decimal((1, (0,), -unit.exponent))
    if abs(value) >= MAX_ABS_AMOUNT:
        with pytest.raises(InvalidAmountError, match=r"10\*\*40"):
            Money(value, unit)
        with pytest.raises(InvalidAmountError, match=r"10\*\*40"):
            Money.of_rounded(value, unit)
        return
    same(Money.of_rounded(value, unit), Money(value, unit))


def test_trusted_money_at_the_limits() -> None:
    unit = Currency.of("USD")
    top = 10**42
    for units in (top, -top, top + 1):
        with pytest.raises(InvalidAmountError, match=r"10\*\*40"):
            Money.of_rounded(minor(units, unit), unit)
    largest = minor(top - 1, unit)
    same(Money.of_rounded(largest, unit), Money(largest, unit))
    same(Money.of_rounded(Decimal("-0.00"), unit), Money.zero("USD"))


# --- due dates without relativedelta ----------------------------------------------------


def reference_due_date(rule: DueDateRule, anchor: date) -> date:
    """The due-date rules as first written, with relativedelta."""
    later = timedelta(days=rule.days)

    def eom(day: date, months: int) -> date:
        result: date = day.replace(day=1) + relativedelta(months=months + 1, days=-1)
        return result

    if rule.kind is DueDateKind.DAYS_AFTER:
        return anchor + later
    if rule.kind is DueDateKind.MONTHS_AFTER:
        shifted: date = anchor + relativedelta(months=rule.months)
        return shifted + later
    roll = 1 if rule.cutoff_day is not None and anchor.day > rule.cutoff_day else 0
    if rule.kind is DueDateKind.END_OF_MONTH:
        return eom(anchor, roll) + later
    if rule.kind is DueDateKind.END_OF_NEXT_MONTH:
        return eom(anchor, roll + 1) + later
    if rule.kind is DueDateKind.MONTHS_AFTER_END_OF_MONTH:
        return eom(anchor, roll + rule.months) + later
    first: date = anchor.replace(day=1) + relativedelta(months=roll + 1)
    result: date = first + relativedelta(day=rule.day)
    return result


@st.composite
def rules(draw: st.DrawFn) -> DueDateRule:
    kind = draw(st.sampled_from(list(DueDateKind)))
    cutoff = draw(st.none() | st.integers(1, 30))
    days = draw(st.integers(0, 400))
    months = draw(st.integers(0, 40))
    if kind is DueDateKind.DAYS_AFTER:
        return DueDateRule.days_after(days)
    if kind is DueDateKind.MONTHS_AFTER:
        return DueDateRule.months_after(months, days)
    if kind is DueDateKind.DAY_OF_NEXT_MONTH:
        return DueDateRule.day_of_next_month(draw(st.integers(1, 31)), cutoff_day=cutoff)
    if kind is DueDateKind.END_OF_MONTH:
        return DueDateRule.end_of_month(days, cutoff_day=cutoff)
    if kind is DueDateKind.END_OF_NEXT_MONTH:
        return DueDateRule.end_of_next_month(days, cutoff_day=cutoff)
    return DueDateRule.months_after_end_of_month(months, days, cutoff_day=cutoff)


@SETTINGS
@given(rules(), DAYS)
def test_due_dates_equal_the_relativedelta_reference(rule: DueDateRule, anchor: date) -> None:
    assert rule.due_date(anchor) == reference_due_date(rule, anchor)
    assert rule.due_date(anchor) == reference_due_date(rule, anchor)  # memoized answer


@SETTINGS
@given(DAYS, st.integers(0, 200), st.integers(0, 31))
def test_add_months_equals_relativedelta(start: date, months: int, day: int) -> None:
    expected = start + relativedelta(months=months, day=day or start.day)
    assert _add_months(start, months, day) == expected
    assert end_of_month(start, months) == start.replace(day=1) + relativedelta(
        months=months + 1, days=-1
    )


def test_add_months_past_year_9999_raises_like_relativedelta() -> None:
    with pytest.raises(ValueError, match="year"):
        date(9999, 12, 1) + relativedelta(months=1)
    with pytest.raises(ValueError, match="year"):
        _add_months(date(9999, 12, 1), 1)


# --- taxes: one-pass per-line rounding --------------------------------------------------


@st.composite
def profiles(draw: st.DrawFn) -> TaxProfile:
    count = draw(st.integers(1, 3))
    rates = [
        TaxRate(
            f"T{i}",
            draw(st.decimals(0, 30, places=draw(st.integers(0, 3)), allow_nan=False)),
            compound=draw(st.booleans()),
        )
        for i in range(count)
    ]
    exempt = draw(st.lists(st.sampled_from([r.code for r in rates]), unique=True, max_size=1))
    return TaxProfile(
        "P",
        rates,
        prices_include_tax=draw(st.booleans()),
        rounding=draw(st.sampled_from(list(TaxRounding))),
        rounding_mode=draw(MODES),
        exemptions=exempt,
    )


@st.composite
def tax_inputs(draw: st.DrawFn) -> tuple[TaxProfile, str, list[Decimal], list[tuple[str, ...]]]:
    profile = draw(profiles())
    code = draw(CURRENCIES)
    unit = Currency.of(code)
    codes = [rate.code for rate in profile.rates]
    count = draw(st.integers(1, 8))
    amounts = [minor(draw(st.integers(0, 10**9)), unit) for _ in range(count)]
    line_codes = [
        tuple(draw(st.lists(st.sampled_from(codes), unique=True, max_size=len(codes))))
        for _ in range(count)
    ]
    return profile, code, amounts, line_codes


def reference_per_line(
    profile: TaxProfile, code: str, amounts: list[Decimal], line_codes: list[tuple[str, ...]]
) -> tuple[Money, Money, dict[str, tuple[Money, Money]]]:
    """Per-line rounding from the definitions: untaxed, tax and (base, tax) per rate."""
    unit = Currency.of(code)
    untaxed_sum = Money.zero(code)
    tax_sum = Money.zero(code)
    per_rate: dict[str, list[Decimal]] = {}
    for amount, codes in zip(amounts, line_codes, strict=True):
        rates = [r for r in profile.rates if r.code in codes]
        coefficients, bases, base = [], [], Decimal(1)
        for rate in rates:
            bases.append(base)
            if rate.code in profile.exemptions:
                coefficients.append(Decimal(0))
                continue
            tax = base * rate.percent / 100
            coefficients.append(tax)
            if rate.compound:
                base += tax
        factor = 1 + sum(coefficients, Decimal(0))
        untaxed = amount / factor if profile.prices_include_tax else amount
        taxes = [Money(untaxed * c, unit).round(profile.rounding_mode) for c in coefficients]
        line_tax = Money.sum(taxes, currency=code)
        untaxed_sum += Money(amount, unit)
        if profile.prices_include_tax:
            untaxed_sum -= line_tax
        tax_sum += line_tax
        for rate, b, t in zip(rates, bases, taxes, strict=True):
            sums = per_rate.setdefault(rate.code, [Decimal(0), Decimal(0)])
            sums[0] += untaxed * b
            sums[1] += t.amount
    by_rate = {
        c: (Money(b, unit).round(profile.rounding_mode), Money(t, unit))
        for c, (b, t) in per_rate.items()
    }
    return untaxed_sum, tax_sum, by_rate


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # the tax engine has the most branches
@given(tax_inputs())
def test_tax_fast_path_equals_general_path_and_reference(
    data: tuple[TaxProfile, str, list[Decimal], list[tuple[str, ...]]],
) -> None:
    profile, code, amounts, line_codes = data
    import decimal

    # The caller's decimal context never changes a result: compute under a poor one.
    with decimal.localcontext(decimal.Context(prec=3)):
        computed = profile.compute_raw(amounts, line_codes, code)
    unit = Currency.of(code)
    plans = [profile._plan(codes, i) for i, codes in enumerate(line_codes)]
    general = profile._general(amounts, plans, unit, Decimal(0))
    assert computed == general
    assert computed.lines == general.lines
    for left, right in zip(computed.by_rate, general.by_rate, strict=True):
        same(left.base, right.base)
        same(left.amount, right.amount)
    same(computed.total, general.total)
    same(computed.tax, general.tax)
    same(computed.untaxed, general.untaxed)
    public = profile.compute(
        [(Money(a, unit), c) for a, c in zip(amounts, line_codes, strict=True)], code
    )
    assert public == computed
    if profile.rounding is TaxRounding.PER_LINE:
        with decimal.localcontext(decimal.Context(prec=60)):
            reference = reference_per_line(profile, code, amounts, line_codes)
        with_untaxed, with_tax, by_rate = reference
        same(computed.untaxed, with_untaxed)
        same(computed.tax, with_tax)
        assert {t.code: (t.base, t.amount) for t in computed.by_rate} == by_rate


@SETTINGS
@given(tax_inputs(), st.integers(1, 99))
def test_tax_base_discount_fast_path_equals_general_path(
    data: tuple[TaxProfile, str, list[Decimal], list[tuple[str, ...]]], percent: int
) -> None:
    profile, code, amounts, line_codes = data
    profile = attrs.evolve(profile, prices_include_tax=False)
    discount = Decimal(percent) / 100
    unit = Currency.of(code)
    plans = [profile._plan(codes, i) for i, codes in enumerate(line_codes)]
    fast = profile.compute_raw(amounts, line_codes, code, base_discount=discount)
    assert fast == profile._general(amounts, plans, unit, discount)


def test_compute_raw_pads_whole_amounts_and_refuses_unrounded_ones() -> None:
    profile = TaxProfile("NL", [TaxRate("VAT21", 21)])
    padded = profile.compute_raw([Decimal(100)], [("VAT21",)], "EUR")
    same(padded.total, Money("121.00", "EUR"))
    same(padded.untaxed, Money("100.00", "EUR"))
    with pytest.raises(InvalidTaxError, match=r"line 2 .* whole minor units"):
        profile.compute_raw([Decimal(1), Decimal("0.005")], [(), ()], "EUR")
    with pytest.raises(InvalidTaxError, match="line 1"):
        profile.compute_raw(["1.00"], [()], "EUR")  # type: ignore[list-item]


# --- lines, events, copies --------------------------------------------------------------


@SETTINGS
@given(
    CURRENCIES,
    st.integers(0, 10**7),
    st.integers(-3, 3),
    st.decimals(Decimal("0.001"), 1000, places=3),
    st.decimals(0, 100, places=2),
    MODES,
)
def test_line_amount_equals_money_arithmetic(
    code: str,
    units: int,
    shift: int,
    quantity: Decimal,
    discount: Decimal,
    mode: Rounding,
) -> None:
    unit = Currency.of(code)
    price = Money(Decimal(units).scaleb(-unit.exponent - max(shift, 0)), unit)
    line = InvoiceLine("SKU", "thing", quantity, price, discount=discount)
    expected = (price * quantity * (100 - discount) / 100).round(mode)
    same(line.amount(mode=mode), expected)


def test_make_event_equals_the_checked_constructor() -> None:
    day = date(2026, 3, 1)
    midnight = datetime(2026, 3, 1, tzinfo=UTC)
    fast = make_event(InvoiceIssued, "I-1", 2, day, None, number="N", issued_on=day, due_dates=())
    checked = InvoiceIssued(
        aggregate_id="I-1", version=2, occurred_at=midnight, number="N", issued_on=day, due_dates=()
    )
    assert fast == checked
    assert repr(fast) == repr(checked)
    assert hash(fast) == hash(checked)
    # Anything doubtful goes through the checked constructor and its errors.
    for aggregate_id, version in ((" I-1", 2), ("", 2), ("I-1", 0), ("I-1", True)):
        with pytest.raises(ValidationError, match="event InvoiceIssued"):
            make_event(
                InvoiceIssued,
                aggregate_id,
                version,
                day,
                None,
                number="N",
                issued_on=day,
                due_dates=(),
            )
    with pytest.raises(ValidationError, match="timezone-aware"):
        make_event(
            InvoiceIssued,
            "I-1",
            2,
            day,
            datetime(2026, 3, 1),  # naive
            number="N",
            issued_on=day,
            due_dates=(),
        )


def test_draft_refuses_an_id_with_surrounding_spaces_as_before() -> None:
    line = InvoiceLine("MUG", "Mug", 1, Money("1.00", "EUR"))
    with pytest.raises(ValidationError, match="aggregate_id"):
        Invoice.draft(
            " I-1", "C-1", [line], TaxProfile("none", []), PaymentTerms.net(30), date.today()
        )


TERMS = st.sampled_from(
    [
        PaymentTerms.net(30),
        PaymentTerms.parse("2/10 Net 30"),
        PaymentTerms.parse("50% upfront, 50% Net 30"),
        PaymentTerms.single(
            DueDateRule.end_of_month(10, cutoff_day=25),
            discount=EarlyDiscount.within_days(
                2, 10, tax_treatment=DiscountTaxTreatment.AT_INVOICING
            ),
        ),
        PaymentTerms(
            (
                TermLine.fixed(Money("10.00", "USD"), DueDateRule.days_after(0)),
                TermLine.balance(DueDateRule.days_after(30)),
            )
        ),
    ]
)


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(1, 50), st.integers(0, 10**6), st.sampled_from([(), ("A",), ("B",)])),
        min_size=1,
        max_size=6,
    ),
    TERMS,
    DAYS,
)
def test_draft_and_issue_equal_the_public_computations(
    specs: list[tuple[int, int, tuple[str, ...]]], terms: PaymentTerms, day: date
) -> None:
    profile = TaxProfile("P", [TaxRate("A", 21), TaxRate("B", "7.5")])
    lines = [
        InvoiceLine(f"S{i}", "x", qty, Money.of_minor(units, "USD"), codes)
        for i, (qty, units, codes) in enumerate(specs)
    ]
    draft, _ = Invoice.draft("I-1", "C-1", lines, profile, terms, day)
    taxes = profile.compute(
        [(line.amount(), line.tax_codes) for line in lines],
        "USD",
        base_discount=terms.tax_base_discount,
    )
    assert draft.taxes == taxes
    try:
        issued, events = draft.issue(NumberSeries("INV-"))
    except Exception as error:  # fixed amounts above the total: same error either way
        with pytest.raises(type(error)):
            terms.schedule(taxes.total, day, tax=taxes.tax)
        return
    assert issued.schedule == terms.schedule(taxes.total, day, tax=taxes.tax)
    assert events == (issued.events[-1],)
    assert NumberSeries("INV-").next() == NumberSeries("INV-", 2)
    expected = attrs.evolve(
        draft,
        state="issued",
        number="INV-000001",
        schedule=issued.schedule,
        version=2,
        events=(*draft.events, issued.events[-1]),
    )
    assert issued == expected
    assert Invoice.replay(issued.events) == issued
    checked = InvoiceDrafted(
        aggregate_id="I-1",
        version=1,
        occurred_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        customer_id="C-1",
        invoice_date=day,
        anchor_date=day,
        lines=tuple(lines),
        tax_profile=profile,
        terms=terms,
        total=taxes.total,
    )
    assert draft.events == (checked,)
