"""The tax computations a profile remembers equal fresh ones (``ordercycle._memo`` rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.invoicing import (
    InvalidTaxError,
    Invoice,
    InvoiceLine,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TaxRounding,
    taxes,
)
from ordercycle.money import Currency, Money, Rounding

RATES = (
    TaxRate("GST", Decimal("5"), compound=True),
    TaxRate("VAT", Decimal("19.6")),
    TaxRate("LUX", Decimal("7.25")),
)
CODES = st.lists(st.sampled_from(["GST", "VAT", "LUX"]), unique=True, max_size=3)
USD = Currency.of("USD")


def fresh(compute: object) -> object:
    """What ``compute()`` gives with nothing remembered."""
    taxes._COMPUTED.clear()
    return compute()  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10**7), CODES), min_size=1, max_size=5),
    st.sampled_from(list(TaxRounding)),
    st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN]),
    st.booleans(),
    st.sampled_from([Decimal(0), Decimal("0.02"), 0]),
    st.sampled_from([(), ("LUX",)]),
)
def test_a_remembered_computation_equals_a_fresh_one(
    lines: list[tuple[int, list[str]]],
    rounding: TaxRounding,
    mode: Rounding,
    included: bool,
    base_discount: Decimal,
    exempt: tuple[str, ...],
) -> None:
    profile = TaxProfile("P", RATES, included, rounding, mode, exempt)
    items = [(Money.of_minor(cents, USD), codes) for cents, codes in lines]
    discount = Decimal(0) if included else base_discount

    def compute() -> object:
        return profile.compute(items, base_discount=discount)

    first = fresh(compute)
    again = compute()
    assert again is first  # remembered
    other = TaxProfile("P", RATES, included, rounding, mode, exempt)  # equal, not the same
    assert other.compute(items, base_discount=discount) is not first
    assert repr(again) == repr(fresh(compute))


def test_zero_and_negative_zero_amounts_are_remembered_apart() -> None:
    profile = TaxProfile("P", RATES)
    codes = [("VAT",), ("VAT",)]
    # A discount line that rounds to nothing is -0.00: equal to 0.00, not the same text.
    for amounts in ([Decimal("10.00"), Decimal("-0.00")], [Decimal("10.00"), Decimal("0.00")]):
        remembered = profile._compute(amounts, codes, USD, Decimal(0), [0, 0])
        assert repr(remembered) == repr(
            fresh(lambda a=amounts: profile._compute(a, codes, USD, Decimal(0), [0, 0]))
        )
    plus = profile._compute([Decimal("0.00")], [("VAT",)], USD, Decimal(0))
    minus = profile._compute([Decimal("-0.00")], [("VAT",)], USD, Decimal(0))
    assert plus is not minus


def test_a_refused_computation_is_refused_every_time() -> None:
    profile = TaxProfile("P", RATES)
    for _ in range(2):
        with pytest.raises(InvalidTaxError, match="Unknown tax code 'NOPE'"):
            profile.compute([(Money("1.00", "USD"), ["NOPE"])])
    with pytest.raises(InvalidTaxError, match="tax-excluded"):
        TaxProfile("P", RATES, prices_include_tax=True).compute(
            [(Money("1.00", "USD"), ["VAT"])], base_discount=Decimal("0.02")
        )


def test_the_invoice_of_priced_units_reuses_their_computation() -> None:
    profile = TaxProfile("P", RATES)
    priced = profile.compute([(Money("30.00", "USD"), ["VAT"]), (Money("4.50", "USD"), ["GST"])])
    lines = [
        InvoiceLine("MUG", "Mug", 3, Money("10.00", "USD"), ("VAT",)),
        InvoiceLine("TEA", "Tea", 1, Money("4.50", "USD"), ("GST",)),
    ]
    invoice, _ = Invoice.draft(
        "INV-1", "C-1", lines, profile, PaymentTerms.net(30), date(2026, 1, 5)
    )
    assert invoice.taxes is priced
    assert repr(invoice.taxes) == repr(
        fresh(
            lambda: profile.compute(
                [(Money("30.00", "USD"), ["VAT"]), (Money("4.50", "USD"), ["GST"])]
            )
        )
    )


def test_the_tables_are_bounded() -> None:
    taxes._COMPUTED.clear()
    profiles = [TaxProfile(f"P{i}", RATES) for i in range(taxes.PROFILES_KEPT + 1)]
    for profile in profiles:
        profile.compute([(Money("1.00", "USD"), ["VAT"])])
    assert len(taxes._COMPUTED) <= taxes.PROFILES_KEPT
    profile = profiles[-1]
    for cents in range(taxes.COMPUTATIONS_KEPT + 1):
        profile.compute([(Money.of_minor(cents, USD), ["VAT"])])
    table = taxes._COMPUTED[id(profile)][1]
    assert 0 < len(table) <= taxes.COMPUTATIONS_KEPT
