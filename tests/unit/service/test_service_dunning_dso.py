"""Dunning and DSO on the desk read the account ledger: cash on account and credit count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.invoicing import DunningLevel, DunningPolicy, days_sales_outstanding
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk

from .conftest import invoiced

POLICY = DunningPolicy(
    (
        DunningLevel(1, 7, letter="reminder"),
        DunningLevel(2, 30, fee=Money("5.00", "USD"), letter="second"),
    )
)
LATE = date(2026, 4, 20)  # Net 30 from 2 March: due 1 April, 19 days overdue


def test_an_overdue_invoice_is_dunned_for_what_the_credit_on_account_does_not_cover(
    desk: OrderDesk,
) -> None:
    desk.record_payment("C-BOLT", Money("100.00", "USD"))
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 4, "TEAPOT": 8})
    total = desk.invoice(invoice_id).total
    assert desk.dunning_notices(POLICY, date(2026, 4, 5)) == ()  # 4 days: no level yet
    (notice,) = desk.dunning_notices(POLICY, LATE, customer_id="C-BOLT")
    assert (notice.invoice_id, notice.level.level, notice.days_overdue) == (invoice_id, 1, 19)
    assert notice.credit == Money("100.00", "USD")
    assert notice.overdue == total - Money("100.00", "USD")
    assert notice.total_due == notice.overdue
    # The invoice alone, without the ledger, would dun the whole total.
    alone = POLICY.notice(desk.invoice(invoice_id), LATE)
    assert alone is not None
    assert alone.overdue == total


def test_credit_on_account_that_covers_the_overdue_amount_stops_the_reminder(
    desk: OrderDesk,
) -> None:
    paid = desk.record_payment("C-BOLT", Money("1000.00", "USD")).aggregate_id
    invoiced(desk, "C-BOLT", {"MUG": 4, "TEAPOT": 8})
    assert desk.dunning_notices(POLICY, LATE) == ()
    # A reversed payment takes its credit away: the invoice is dunned again, in full.
    desk.reverse_payment("C-BOLT", paid, "cheque bounced")
    (notice,) = desk.dunning_notices(POLICY, LATE)
    assert notice.credit is None
    assert notice.overdue == desk.account_ledger("C-BOLT").balance.open_invoices


def test_dunning_the_oldest_first_uses_the_credit_on_the_most_overdue_invoice(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    first = invoiced(desk, "C-BOLT", {"MUG": 4})
    clock.advance(days=10)
    second = invoiced(desk, "C-BOLT", {"MUG": 2})
    desk.record_payment("C-BOLT", Money("5.00", "USD"), invoice_ids=[second])
    notices = desk.dunning_notices(POLICY, date(2026, 5, 20), customer_id="C-BOLT")
    assert [n.invoice_id for n in notices] == [first, second]
    assert notices[0].days_overdue > notices[1].days_overdue


def test_dso_reads_the_ledger_and_nets_cash_on_account(desk: OrderDesk) -> None:
    desk.record_payment("C-BOLT", Money("100.00", "USD"))
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 4, "TEAPOT": 8})
    invoice = desk.invoice(invoice_id)
    as_of = date(2026, 3, 31)
    expected = days_sales_outstanding(
        [invoice], as_of, 90, credit_on_account=Money("100.00", "USD")
    )
    assert expected > 0
    assert desk.days_sales_outstanding("C-BOLT", as_of=as_of) == expected
    receivables = invoice.total - Money("100.00", "USD")
    assert expected == (receivables.amount * 90 / invoice.total.amount).quantize(Decimal("0.1"))
    # Without the cash on account the same invoice would count in full.
    assert days_sales_outstanding([invoice], as_of, 90) == Decimal("90.0")
    # Every customer: ACME has nothing yet, so the figure is BOLT's.
    assert desk.days_sales_outstanding(as_of=as_of) == expected
    # Outside the period there are no sales: 0.
    assert desk.days_sales_outstanding("C-BOLT", as_of=date(2026, 9, 1)) == Decimal("0.0")


def test_dso_refuses_a_bad_period_and_an_unknown_customer(desk: OrderDesk) -> None:
    with pytest.raises(OrderCycleError, match="period_days"):
        desk.days_sales_outstanding(period_days=0)
    with pytest.raises(OrderCycleError, match="C-NOBODY"):
        desk.days_sales_outstanding("C-NOBODY")
