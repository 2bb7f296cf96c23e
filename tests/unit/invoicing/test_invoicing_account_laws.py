"""The laws of a customer account's totals (``AccountBalance.check``), broken one at a time."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from ordercycle.invoicing import AccountBalance, AccountLedgerError, CustomerAccount
from ordercycle.money import Money


def _usd(amount: str) -> Money:
    return Money(amount, "USD")


def _posted() -> AccountBalance:
    """Totals built by real posts: six of the ten are non-zero."""
    account = CustomerAccount.open("C-1", "USD")
    account, _ = account.post_invoice("INV-1", _usd("100.00"), date(2026, 1, 2))
    account, _ = account.post_invoice("INV-2", _usd("40.00"), date(2026, 1, 3))
    account, _ = account.post_payment(
        "P-1",
        _usd("70.00"),
        date(2026, 1, 5),
        applied={"INV-1": _usd("50.00")},
        discounts={"INV-1": _usd("2.00")},
    )
    account, _ = account.post_credit_note("CN-1", "INV-2", _usd("5.00"), date(2026, 1, 6))
    return account.balance


def test_totals_built_by_posts_keep_the_laws() -> None:
    totals = _posted()
    totals.check()
    assert totals.balance == totals.open_invoices - totals.unapplied
    assert totals.balance == _usd("63.00")  # 140 - 70 - 5 - 2


@pytest.mark.parametrize("name", [f.name for f in attrs.fields(AccountBalance)])
def test_a_negative_total_is_refused_and_named(name: str) -> None:
    totals = attrs.evolve(AccountBalance.zero("USD"), **{name: _usd("-0.01")})
    with pytest.raises(AccountLedgerError, match=f"Invalid {name} for account balance: -0.01 USD"):
        totals.check()


@pytest.mark.parametrize("name", [f.name for f in attrs.fields(AccountBalance)])
def test_one_cent_more_on_any_total_breaks_the_balance_law(name: str) -> None:
    totals = _posted()
    broken = attrs.evolve(totals, **{name: getattr(totals, name) + _usd("0.01")})
    law = r"Invalid account balance: .* expected them equal"
    with pytest.raises(AccountLedgerError, match=law):
        broken.check()


def test_a_balanced_change_on_both_sides_keeps_the_laws() -> None:
    totals = _posted()
    # More invoiced and as much more open: the laws still hold.
    attrs.evolve(
        totals,
        invoiced=totals.invoiced + _usd("9.99"),
        open_invoices=totals.open_invoices + _usd("9.99"),
    ).check()
    # A refund of unapplied credit: the balance rises as the credit falls.
    attrs.evolve(
        totals,
        refunded=totals.refunded + _usd("1.00"),
        unapplied=totals.unapplied - _usd("1.00"),
    ).check()


def test_a_post_builds_the_account_its_constructor_would() -> None:
    """``_apply`` copies the account field by field (no converter run again): the result
    equals what attrs.evolve builds, field for field, and every field is set."""
    account = CustomerAccount.open("C-1", "USD")
    after, _ = account.post_invoice("INV-1", _usd("100.00"), date(2026, 1, 2))
    paid, _ = after.post_payment(
        "P-1", _usd("30.00"), date(2026, 1, 5), applied={"INV-1": _usd("30.00")}
    )
    for before, made in ((account, after), (after, paid)):
        expected = attrs.evolve(
            before,
            balance=made.balance,
            open_items=made.open_items,
            credits=made.credits,
            version=made.version,
        )
        assert made == expected
        assert type(made) is CustomerAccount
        for field in attrs.fields(CustomerAccount):
            assert getattr(made, field.name) == getattr(expected, field.name)
    assert paid.currency is account.currency
    assert paid.open_items == (("INV-1", _usd("70.00")),)
    assert paid.version == 2
