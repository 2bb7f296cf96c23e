"""Statements built from random account ledgers close at the ledger's balance, to the cent."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import OrderCycleError
from ordercycle.invoicing import (
    AccountEntry,
    AccountEntryPosted,
    CustomerAccount,
    PaymentSettlement,
)
from ordercycle.model.aggregate import Outcome
from ordercycle.money import Money
from ordercycle.service.statements import build_statement, entries_from_ledger

START = date(2026, 4, 1)
TOLERANCE = Money("1.00", "USD")
cents = st.integers(min_value=1, max_value=5_000).map(lambda c: Money(c, "USD") / 100)
steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["invoice", "payment", "credit_note", "apply", "refund", "write_off", "reverse"]
        ),
        cents,
        st.integers(0, 9),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=25,
)


def _step(
    a: CustomerAccount,
    kind: str,
    n: int,
    amount: Money,
    pick: int,
    day: date,
    entries: list[AccountEntry],
) -> Outcome[CustomerAccount, AccountEntryPosted]:
    invoices = [i for i, _ in a.open_items] or ["INV-0"]
    credits = [c for c, _ in a.credits] or ["P-0"]
    if kind == "invoice":
        return a.post_invoice(f"INV-{n}", amount, day)
    if kind == "payment":
        return a.post_payment(f"P-{n}", amount, day)
    if kind == "credit_note":
        return a.post_credit_note(f"CN-{n}", invoices[pick % len(invoices)], amount, day)
    if kind == "apply":
        return a.apply_credit(day)
    if kind == "refund":
        return a.refund(f"R-{n}", amount, day, method="card", reference="x")
    if kind == "write_off":
        document = [*invoices, *credits][pick % 2]
        return a.write_off(f"WO-{n}", document, day, tolerance=TOLERANCE)
    paid = PaymentSettlement.of(credits[pick % len(credits)], entries, customer_id="C-1")
    if paid is None:  # a credit note, or no credit at all: nothing to reverse
        return a.reverse_payment(
            PaymentSettlement(payment_id="P-0", customer_id="C-2", received=amount),
            day,
            reason="x",
        )
    return a.reverse_payment(paid, day, reason="x")


def _run(plan: list[tuple[str, Money, int, int]]) -> tuple[CustomerAccount, list[AccountEntry]]:
    account = CustomerAccount.open("C-1", "USD")
    entries: list[AccountEntry] = []
    day = START
    for n, (kind, amount, pick, days) in enumerate(plan):
        day += timedelta(days=days)
        try:
            account, events = _step(account, kind, n, amount, pick, day, entries)
        except OrderCycleError:
            continue
        entries.extend(e.entry for e in events)
    return account, entries


@settings(max_examples=60, deadline=None, derandomize=True)
@given(plan=steps, cut=st.integers(0, 60))
def test_a_statement_of_any_ledger_closes_at_its_balance(
    plan: list[tuple[str, Money, int, int]], cut: int
) -> None:
    account, entries = _run(plan)
    lines = entries_from_ledger(account, entries)
    whole = build_statement("C-1", lines, start=START, end=date(2026, 12, 31), currency="USD")
    assert whole.closing == account.balance.balance
    assert "ledger_opened" not in {e.kind for e in lines}
    # Any period: the balance brought forward is the movements before it.
    split = START + timedelta(days=cut)
    later = build_statement("C-1", lines, start=split, end=date(2026, 12, 31), currency="USD")
    before = [e for e in lines if e.on < split]
    assert later.opening == Money.sum((e.debit - e.credit for e in before), currency="USD")
    assert later.closing == later.opening + later.debits - later.credits == whole.closing


@settings(max_examples=30, deadline=None, derandomize=True)
@given(plan=steps, dropped=st.integers(1, 10))
def test_a_ledger_opened_on_older_documents_still_closes_at_its_balance(
    plan: list[tuple[str, Money, int, int]], dropped: int
) -> None:
    # An account stored before the ledger opens one whose first entries were not stored.
    account, entries = _run(plan)
    stored = entries[dropped:]
    lines = entries_from_ledger(account, stored)
    statement = build_statement("C-1", lines, start=START, end=date(2026, 12, 31), currency="USD")
    assert statement.closing == account.balance.balance
    hidden = Money.sum(
        (e.debit - e.credit for e in entries_from_ledger(account, entries)[:dropped]),
        currency="USD",
    )
    opened = [e for e in lines if e.kind == "ledger_opened"]
    if entries[:dropped] and hidden:
        (line,) = opened
        assert line.debit - line.credit == hidden
    else:
        assert opened == []
