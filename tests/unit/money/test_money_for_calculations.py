"""The public tools for code that computes with plain decimals and builds Money at the end.

Invoicing does its arithmetic on ``Decimal`` values in money's context and turns results
into :class:`Money` through :meth:`Money.of_rounded`; these tests pin down that toolbox:
the two contexts, ``Rounding.value`` as a decimal rounding constant, the fast constructor
and the largest remainder rounding of parts to a total.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ValidationError
from ordercycle.money import (
    MONEY_CONTEXT,
    MONEY_EXACT_CONTEXT,
    PRECISION,
    Currency,
    InvalidAmountError,
    Money,
    Rounding,
    round_to_total,
)

USD = Currency.of("USD")
CENT = USD.quantum


# --- the contexts -----------------------------------------------------------------------


def test_the_exact_context_is_the_money_context_that_also_traps_inexact() -> None:
    for name in ("prec", "rounding", "Emin", "Emax", "capitals", "clamp"):
        assert getattr(MONEY_EXACT_CONTEXT, name) == getattr(MONEY_CONTEXT, name), name
    assert MONEY_EXACT_CONTEXT.prec == PRECISION
    trapped = {signal for signal, on in MONEY_EXACT_CONTEXT.traps.items() if on}
    money_trapped = {signal for signal, on in MONEY_CONTEXT.traps.items() if on}
    assert trapped == money_trapped | {decimal.Inexact}
    assert decimal.Inexact not in money_trapped


def test_the_exact_context_pads_whole_minor_units_and_refuses_finer_digits() -> None:
    assert str(Decimal("100").quantize(CENT, context=MONEY_EXACT_CONTEXT)) == "100.00"
    assert str(Decimal("1.50000").quantize(CENT, context=MONEY_EXACT_CONTEXT)) == "1.50"
    with pytest.raises(decimal.Inexact):
        Decimal("0.125").quantize(CENT, context=MONEY_EXACT_CONTEXT)


def test_the_contexts_ignore_the_callers_thread_context() -> None:
    with decimal.localcontext() as local:
        local.prec = 3
        local.traps[decimal.Inexact] = True
        assert MONEY_CONTEXT.multiply(Decimal("123.45"), Decimal("1.075")) == Decimal("132.70875")


# --- Rounding.value is the decimal rounding constant ------------------------------------


@pytest.mark.parametrize("mode", list(Rounding))
@pytest.mark.parametrize("amount", ["0.125", "0.135", "0.121", "-0.125", "-0.121", "2.665"])
def test_rounding_value_rounds_a_plain_decimal_as_money_rounds(mode: Rounding, amount: str) -> None:
    plain = Decimal(amount).quantize(CENT, rounding=mode.value, context=MONEY_CONTEXT)
    assert plain == Money(amount, USD).round(mode).amount


# --- Money.of_rounded -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [("12.34", "USD"), ("-0.01", "USD"), ("1234", "JPY"), ("0.125", "KWD"), ("0.00", "USD")],
)
def test_of_rounded_equals_the_checked_constructor(value: str, code: str) -> None:
    unit = Currency.of(code)
    fast = Money.of_rounded(Decimal(value), unit)
    checked = Money(value, code)
    assert fast == checked
    assert repr(fast) == repr(checked)
    assert fast.amount.as_tuple() == checked.amount.as_tuple()


def test_of_rounded_makes_negative_zero_positive() -> None:
    zero = Money.of_rounded(Decimal("-0.00"), USD)
    assert zero.amount.as_tuple() == Money.zero("USD").amount.as_tuple()


def test_of_rounded_still_refuses_amounts_out_of_range() -> None:
    with pytest.raises(InvalidAmountError, match=r"10\*\*40"):
        Money.of_rounded(Decimal(10) ** 40, USD)


# --- round_to_total ---------------------------------------------------------------------


def test_round_to_total_gives_missing_units_to_the_largest_remainders() -> None:
    parts = [Decimal("0.033"), Decimal("0.033"), Decimal("0.034")]
    assert round_to_total(Decimal("0.10"), parts, CENT) == (
        Decimal("0.03"),
        Decimal("0.03"),
        Decimal("0.04"),
    )


def test_round_to_total_ignores_the_callers_decimal_context() -> None:
    # Remainders 0.007341 and 0.007349 differ only in their fourth digit: a thread context
    # of two digits must not merge them (unary minus once rounded to it), so the larger wins.
    parts = [Decimal("0.017341"), Decimal("0.017349")]
    expected = (Decimal("0.01"), Decimal("0.02"))
    assert round_to_total(Decimal("0.03"), parts, CENT) == expected
    with decimal.localcontext(decimal.Context(prec=2)):
        assert round_to_total(Decimal("0.03"), parts, CENT) == expected


def test_round_to_total_breaks_ties_by_position() -> None:
    parts = [Decimal("0.005")] * 4
    # Two cents to give: the earlier parts win them.
    assert round_to_total(Decimal("0.02"), parts, CENT) == (
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_round_to_total_takes_excess_units_back_from_the_smallest_remainders() -> None:
    # Rounded down these already sum to 0.03; a total of 0.02 takes a cent back.
    parts = [Decimal("0.011"), Decimal("0.019"), Decimal("0.01")]
    assert round_to_total(Decimal("0.02"), parts, CENT) == (
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.00"),
    )


def test_round_to_total_of_no_parts_is_empty() -> None:
    assert round_to_total(Decimal("0.00"), [], CENT) == ()


@pytest.mark.parametrize("total", ["0.105", "0.14", "0.05"])
def test_round_to_total_refuses_a_total_it_cannot_reach(total: str) -> None:
    parts = [Decimal("0.033"), Decimal("0.033"), Decimal("0.034")]
    with pytest.raises(ValidationError, match="round_to_total"):
        round_to_total(Decimal(total), parts, CENT)


def _reference(total: Decimal, parts: list[Decimal], quantum: Decimal) -> list[Decimal]:
    """The largest remainder method written from its definition, in fractions."""
    step = Fraction(quantum)
    exact = [Fraction(part) / step for part in parts]
    floors = [value.numerator // value.denominator for value in exact]
    missing = int(Fraction(total) / step) - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - floors[i]), i))
    if missing >= 0:
        for i in order[:missing]:
            floors[i] += 1
    else:
        for i in order[::-1][:-missing]:
            floors[i] -= 1
    return [Decimal(units).scaleb(quantum.as_tuple().exponent) for units in floors]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=12),
    st.sampled_from(list(Rounding)),
    st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_round_to_total_sums_exactly_and_stays_within_one_unit(
    thousandths: list[int], mode: Rounding, code: str
) -> None:
    quantum = Currency.of(code).quantum
    # Parts three digits finer than the minor unit, like unrounded taxes.
    parts = [Decimal(n).scaleb(quantum.as_tuple().exponent - 3) for n in thousandths]
    total = sum(parts, Decimal(0)).quantize(quantum, rounding=mode.value, context=MONEY_CONTEXT)
    rounded = round_to_total(total, parts, quantum)
    assert sum(rounded, Decimal(0)) == total
    assert all(abs(r - p) < quantum for r, p in zip(rounded, parts, strict=True))
    assert all(r.as_tuple().exponent == quantum.as_tuple().exponent for r in rounded)
    assert list(rounded) == _reference(total, parts, quantum)
