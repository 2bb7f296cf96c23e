"""Properties of Money that must hold for every currency, amount and ratio."""

from __future__ import annotations

import pickle
from decimal import Decimal
from fractions import Fraction

import hypothesis.strategies as st
from hypothesis import given, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ordercycle.money import Currency, Money, Rounding
from ordercycle.money._rounding import round_ratio

CURRENCIES = st.sampled_from(Currency.all())
MODES = st.sampled_from(list(Rounding))
METHODS = st.sampled_from(["largest_remainder", "round_robin"])
MINOR_UNITS = st.integers(min_value=-(10**15), max_value=10**15)


@st.composite
def rounded_money(draw: st.DrawFn, currency: st.SearchStrategy[Currency] = CURRENCIES) -> Money:
    return Money.of_minor(draw(MINOR_UNITS), draw(currency))


@st.composite
def any_money(draw: st.DrawFn) -> Money:
    """Rounded or not: up to 8 digits below the minor unit."""
    currency = draw(CURRENCIES)
    places = currency.exponent + draw(st.integers(min_value=0, max_value=8))
    units = draw(st.integers(min_value=-(10**20), max_value=10**20))
    return Money(
        Decimal((0 if units >= 0 else 1, tuple(map(int, str(abs(units)))), -places)), currency
    )


RATIO = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=10**4, places=3, allow_nan=False, allow_infinity=False),
    st.fractions(min_value=0, max_value=1000, max_denominator=10**4),
)


@st.composite
def ratios(draw: st.DrawFn) -> list[int | Decimal | Fraction]:
    values = draw(st.lists(RATIO, min_size=1, max_size=12))
    if not any(values):
        values[draw(st.integers(min_value=0, max_value=len(values) - 1))] = draw(
            st.integers(min_value=1, max_value=100)
        )
    return values


def exact_shares(money: Money, weights: list[int | Decimal | Fraction]) -> list[Fraction]:
    as_fractions = [Fraction(w) for w in weights]
    whole = sum(as_fractions, Fraction(0))
    return [Fraction(money.amount) * w / whole for w in as_fractions]


# --- allocation -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(money=rounded_money(), weights=ratios(), method=METHODS)
def test_allocated_parts_always_sum_exactly_to_the_whole(money, weights, method):
    parts = money.allocate(weights, method=method)
    assert len(parts) == len(weights)
    assert all(part.currency == money.currency and part.is_rounded for part in parts)
    assert Money.sum(parts, currency=money.currency) == money
    assert sum(part.minor_units for part in parts) == money.minor_units


@settings(max_examples=300, deadline=None)
@given(money=rounded_money(), weights=ratios(), method=METHODS)
def test_each_part_is_within_one_minor_unit_of_its_exact_share(money, weights, method):
    quantum = Fraction(money.currency.quantum)
    parts = money.allocate(weights, method=method)
    for part, share, weight in zip(parts, exact_shares(money, weights), weights, strict=True):
        assert abs(Fraction(part.amount) - share) < quantum
        if weight == 0:
            assert part.is_zero
        # never past zero: a part has the sign of the whole, or is zero
        assert not (part.is_positive and money.is_negative)
        assert not (part.is_negative and money.is_positive)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=rounded_money(), weights=ratios(), method=METHODS)
def test_allocating_a_negative_amount_mirrors_the_positive_one(money, weights, method):
    mirrored = tuple(-part for part in money.allocate(weights, method=method))
    assert (-money).allocate(weights, method=method) == mirrored


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=rounded_money(), weights=ratios(), method=METHODS)
def test_scaling_all_ratios_does_not_change_the_split(money, weights, method):
    scaled = [Fraction(w) * 7 for w in weights]
    assert money.allocate(scaled, method=method) == money.allocate(weights, method=method)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=rounded_money(), weights=ratios())
def test_largest_remainder_parts_are_floor_or_ceiling_of_the_share(money, weights):
    quantum = Fraction(money.currency.quantum)
    for part, share in zip(money.allocate(weights), exact_shares(money, weights), strict=True):
        units = Fraction(part.amount) / quantum
        assert units.denominator == 1
        assert (share / quantum).__floor__() <= units <= (share / quantum).__ceil__()


# --- rounding -----------------------------------------------------------------------------


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money(), mode=MODES)
def test_round_is_idempotent_and_within_one_minor_unit(money, mode):
    once = money.round(mode)
    assert once.is_rounded
    assert once.round(mode) == once
    assert once.round(Rounding.HALF_EVEN) == once
    assert abs(Fraction(once.amount) - Fraction(money.amount)) < Fraction(money.currency.quantum)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money(), mode=MODES)
def test_round_agrees_with_exact_integer_rounding(money, mode):
    steps = Fraction(money.amount) / Fraction(money.currency.quantum)
    expected = round_ratio(steps.numerator, steps.denominator, mode)
    assert money.round(mode).minor_units == expected


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money(), mode=MODES, step_units=st.integers(min_value=1, max_value=1000))
def test_cash_rounding_lands_on_a_multiple_of_the_increment(money, mode, step_units):
    increment = Decimal(step_units) * money.currency.quantum
    rounded = money.round_to(increment, mode)
    assert rounded.is_rounded
    multiple = Fraction(rounded.amount) / Fraction(increment)
    assert multiple.denominator == 1
    assert abs(Fraction(rounded.amount) - Fraction(money.amount)) < Fraction(increment)
    assert rounded.round_to(increment, mode) == rounded


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(
    numerator=st.integers(min_value=-(10**6), max_value=10**6),
    denominator=st.integers(min_value=1, max_value=1000),
    mode=MODES,
)
def test_round_ratio_matches_decimal_quantize(numerator, denominator, mode):
    exact = Fraction(numerator, denominator)
    # A denominator-free decimal form of the same value, rounded by decimal itself.
    as_decimal = Decimal(numerator) / Decimal(denominator)
    if Fraction(as_decimal) == exact:
        quantized = as_decimal.quantize(Decimal(1), rounding=mode.value)
        assert round_ratio(numerator, denominator, mode) == int(quantized)
    assert abs(round_ratio(numerator, denominator, mode) - exact) < 1


# --- arithmetic -----------------------------------------------------------------------------


SAME_CURRENCY_TRIPLES = CURRENCIES.flatmap(
    lambda c: st.tuples(*(rounded_money(st.just(c)) for _ in range(3)))
)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(triple=SAME_CURRENCY_TRIPLES)
def test_addition_is_associative_and_commutative(triple):
    a, b, c = triple
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert (a + b) - b == a
    assert a - a == Money.zero(a.currency)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(a=any_money())
def test_addition_of_unrounded_amounts_is_exact(a):
    b = Money(a.amount * 3, a.currency)
    assert Fraction((a + b).amount) == Fraction(a.amount) + Fraction(b.amount)
    assert (a + b) + a == a + (b + a)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money(), factor=st.integers(min_value=-1000, max_value=1000))
def test_multiplying_by_an_int_is_exact_and_matches_repeated_addition(money, factor):
    product = money * factor
    assert Fraction(product.amount) == Fraction(money.amount) * factor
    if 0 <= factor <= 20:
        assert product == Money.sum([money] * factor, currency=money.currency)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money())
def test_pickle_round_trip_keeps_value_hash_and_repr(money):
    copy = pickle.loads(pickle.dumps(money))
    assert copy == money
    assert hash(copy) == hash(money)
    assert repr(copy) == repr(money)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money())
def test_repr_evaluates_back_to_an_equal_money(money):
    assert eval(repr(money), {"Money": Money}) == money  # our own repr, nothing else


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(money=any_money(), zeros=st.integers(min_value=0, max_value=5))
def test_trailing_zeros_never_change_the_stored_form(money, zeros):
    text = format(money.amount, "f")
    padded = text + ("0" * zeros if "." in text else ("." + "0" * zeros if zeros else ""))
    assert repr(Money(padded, money.currency)) == repr(money)


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(units=MINOR_UNITS, currency=CURRENCIES)
def test_minor_units_round_trip(units, currency):
    assert Money.of_minor(units, currency).minor_units == units


@settings(deadline=None)  # shared machines are noisy; no timing in tests
@given(a=any_money(), b=any_money())
def test_ordering_agrees_with_amounts_in_one_currency(a, b):
    b = Money(b.amount, a.currency)
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a == b) == (a.amount == b.amount)


# --- a running balance, checked against an integer model ----------------------------------


class Till(RuleBasedStateMachine):
    """Takes payments, gives refunds and splits the balance; minor units are the model."""

    def __init__(self) -> None:
        super().__init__()
        self.currency = Currency.of("KWD")
        self.balance = Money.zero(self.currency)
        self.model = 0

    @rule(units=st.integers(min_value=0, max_value=10**9))
    def take_payment(self, units: int) -> None:
        self.balance = self.balance + Money.of_minor(units, self.currency)
        self.model += units

    @rule(units=st.integers(min_value=0, max_value=10**9))
    def refund(self, units: int) -> None:
        self.balance = self.balance - Money.of_minor(units, self.currency)
        self.model -= units

    @rule(rate=st.decimals(min_value=0, max_value=2, places=4), mode=MODES)
    def apply_rate_and_round(self, rate: Decimal, mode: Rounding) -> None:
        self.balance = (self.balance * rate).round(mode)
        steps = Fraction(self.model) * Fraction(rate)
        self.model = round_ratio(steps.numerator, steps.denominator, mode)

    @precondition(lambda self: self.model != 0)
    @rule(weights=ratios(), method=METHODS)
    def split_and_rejoin(self, weights: list[int | Decimal | Fraction], method: str) -> None:
        parts = self.balance.allocate(weights, method=method)  # type: ignore[arg-type]
        self.balance = Money.sum(parts, currency=self.currency)

    @invariant()
    def balance_matches_the_model(self) -> None:
        assert self.balance.is_rounded
        assert self.balance.minor_units == self.model


TestTill = Till.TestCase
TestTill.settings = settings(max_examples=50, stateful_step_count=20, deadline=None)
