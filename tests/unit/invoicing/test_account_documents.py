"""An account's posted document ids stay a sorted tuple without repeats, found by bisection."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.invoicing.account import _holds, _payment, _with_id
from ordercycle.money import Money

ids = st.text(alphabet="ABINPV-/0123456789", min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.sets(ids, max_size=30), ids)
def test_adding_an_id_is_sorting_the_set(known: set[str], new: str) -> None:
    documents = tuple(sorted(known))
    assert _with_id(documents, new) == tuple(sorted({*documents, new}))
    assert _holds(documents, new) is (new in known)
    assert _holds(_with_id(documents, new), new)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ids, st.integers(1, 999)), max_size=20), ids)
def test_a_payment_is_found_as_a_dict_of_the_payments_finds_it(
    rows: list[tuple[str, int]], wanted: str
) -> None:
    payments = tuple((key, Money(cents, "USD") / 100) for key, cents in rows)
    assert _payment(payments, wanted) == dict(payments).get(wanted)
