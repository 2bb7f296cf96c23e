"""The account ledger's pair helpers give what the dict and filter forms gave."""

from __future__ import annotations

import random

import pytest

from ordercycle.invoicing.account import _get, _set
from ordercycle.money import Currency, Money


def _set_by_filter(
    pairs: tuple[tuple[str, Money], ...], key: str, value: Money
) -> tuple[tuple[str, Money], ...]:
    """The earlier form: every pair of the key dropped, then the value put at its first place."""
    out = [(k, v) for k, v in pairs if k != key]
    if value:
        position = next((n for n, (k, _) in enumerate(pairs) if k == key), len(out))
        out.insert(position, (key, value))
    return tuple(out)


def test_set_and_get_match_the_filter_and_dict_forms_with_repeated_and_missing_keys() -> None:
    draw = random.Random(19)
    keys = ["INV-1", "INV-2", "INV-3", "PAY-1", "PAY-2"]
    amounts = [Money(f"{n}.00", "USD") for n in range(4)]  # 0.00 drops the key
    for _ in range(2_000):
        pairs = tuple(
            (draw.choice(keys), draw.choice(amounts[1:])) for _ in range(draw.randrange(0, 7))
        )
        key = draw.choice(keys)
        value = draw.choice(amounts)
        assert _set(pairs, key, value) == _set_by_filter(pairs, key, value)
        assert _get(pairs, key) == dict(pairs).get(key)


@pytest.mark.parametrize("code", ["USD", "JPY", "KWD"])
def test_an_entry_applying_nothing_takes_the_zero_a_sum_of_nothing_is(code: str) -> None:
    # CustomerAccount._apply skips the sum for entries that apply nothing.
    currency = Currency.of(code)
    assert Money.zero(currency) is Money.sum((), currency=currency)
    assert Money.zero(currency).amount.as_tuple() == Money.sum([], currency=code).amount.as_tuple()
