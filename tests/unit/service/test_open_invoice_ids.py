"""``desk.open_invoice_ids`` answers what ``desk.account(...).open_invoice_ids`` does (the
open invoices in order of issue) without the open orders, on every adapter."""

from __future__ import annotations

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.service import OrderDesk

from .conftest import invoiced


def test_the_open_invoices_are_the_accounts_in_order_of_issue(any_desk: OrderDesk) -> None:
    desk = any_desk
    assert desk.open_invoice_ids("C-BOLT") == ()
    first = invoiced(desk, "C-BOLT", {"MUG": 2})
    second = invoiced(desk, "C-BOLT", {"MUG": 1})
    still_open = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    account = desk.account("C-BOLT")
    assert still_open in account.open_order_ids
    assert desk.open_invoice_ids("C-BOLT") == account.open_invoice_ids == (first, second)
    desk.record_payment("C-BOLT", desk.invoice(first).total, invoice_ids=[first])
    desk.dispatch()
    assert desk.open_invoice_ids("C-BOLT") == desk.account("C-BOLT").open_invoice_ids
    assert desk.open_invoice_ids("C-BOLT") == (second,)


def test_an_unknown_customer_is_refused_as_the_account_refuses_it(any_desk: OrderDesk) -> None:
    with pytest.raises(OrderCycleError) as account:
        any_desk.account("C-NOBODY")
    with pytest.raises(type(account.value), match="C-NOBODY"):
        any_desk.open_invoice_ids("C-NOBODY")
