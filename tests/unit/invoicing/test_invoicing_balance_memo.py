"""The balances ``Invoice.balance`` remembers equal fresh ones (``ordercycle._memo`` rules).

Each change of an invoice is a new invoice, so a balance remembered for one invoice never
outlives the payments and credits it was worked out from; these tests hold every step of
a history of payments, credit notes and unapplied payments to the balance worked out anew.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.invoicing import Invoice, InvoiceLine, NumberSeries, PaymentTerms, TaxProfile
from ordercycle.invoicing import invoice as invoice_module
from ordercycle.money import Money

NONE = TaxProfile("none", [])
DAY = date(2026, 3, 2)


def usd(cents: int) -> Money:
    return Money.of_minor(cents, "USD")


def issued(cents: int, quantity: int) -> Invoice:
    draft, _ = Invoice.draft(
        "I-1", "C-1", [InvoiceLine("A", "A", quantity, usd(cents))], NONE, PaymentTerms.net(30), DAY
    )
    return draft.issue(NumberSeries())[0]


def fresh_balance(invoice: Invoice) -> Money:
    """The balance with nothing remembered, from the invoice's parts."""
    invoice_module._BALANCES.clear()
    settled = [m for p in invoice.payments for m in (p.applied, p.discount, p.written_off)]
    settled += [c.applied for c in invoice.credit_notes]
    return invoice.total - Money.sum(settled, currency="USD")


def assert_remembered_equals_fresh(invoice: Invoice) -> None:
    fresh = fresh_balance(invoice)
    assert invoice.balance == fresh  # worked out (and remembered when anything settled)
    assert invoice.balance == fresh  # read back
    assert Invoice.replay(invoice.events).balance == fresh  # an equal invoice, another object


def test_a_paid_invoice_has_its_own_balance_not_the_one_before() -> None:
    invoice = issued(10000, 1)
    paid, _ = invoice.pay("P-1", usd(4000), DAY)
    again, _ = paid.pay("P-2", usd(1000), DAY)
    assert (invoice.balance, paid.balance, again.balance) == (usd(10000), usd(6000), usd(5000))
    assert paid.balance == usd(6000)  # remembered for that invoice, not for the next one
    assert_remembered_equals_fresh(again)


def test_the_memo_is_emptied_whole_when_full() -> None:
    invoice_module._BALANCES.clear()
    invoice = issued(10000, 1)
    paid = [invoice.pay(f"P-{n}", usd(100 + n), DAY)[0] for n in range(3)]
    kept = invoice_module.BALANCES_KEPT
    try:
        invoice_module.BALANCES_KEPT = 2
        balances = [p.balance for p in paid]
        assert len(invoice_module._BALANCES) <= 2
    finally:
        invoice_module.BALANCES_KEPT = kept
    assert balances == [usd(10000 - 100 - n) for n in range(3)]


@settings(max_examples=80, deadline=None)
@given(
    cents=st.integers(1, 50000),
    quantity=st.integers(1, 5),
    steps=st.lists(
        st.tuples(st.sampled_from(["pay", "credit", "unapply"]), st.integers(1, 30000)),
        max_size=6,
    ),
)
def test_every_step_of_a_history_has_the_balance_a_fresh_sum_gives(
    cents: int, quantity: int, steps: list[tuple[str, int]]
) -> None:
    invoice = issued(cents, quantity)
    assert_remembered_equals_fresh(invoice)
    credited = 0
    for number, (kind, amount) in enumerate(steps):
        if invoice.state not in ("issued", "partially_paid"):
            break
        if kind == "pay":
            invoice, _ = invoice.pay(f"P-{number}", usd(min(amount, cents * quantity)), DAY)
        elif kind == "credit" and credited < quantity:
            invoice, _ = invoice.credit(f"CN-{number}", DAY, {0: 1})
            credited += 1
        elif kind == "unapply" and any(p.amount for p in invoice.payments):
            paid = next(p for p in invoice.payments if p.amount)
            invoice, _ = invoice.unapply(paid.payment_id, DAY)
        assert_remembered_equals_fresh(invoice)
