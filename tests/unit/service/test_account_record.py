"""The account record keeps what is open, not the history: its size does not grow.

A customer's ``account`` record is written by every command that moves its money, so a
record that carried every document ever posted (as it once did) made each write, and the
memory of an in-memory desk, grow with the customer's history. The ledger now keeps only
open invoices and credits; what each payment settled is its own ``settlement`` record,
which reversals and ``desk.payment()`` read, and refund and write-off ids are claimed
once each in an ``account_document`` record.
"""

from __future__ import annotations

import json

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.invoicing import EntryKind, PaymentSettlement
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.serialization import to_dict
from ordercycle.service import OrderDesk, _receivables
from ordercycle.service.records import Account

from .conftest import invoiced


def _stored_account_size(desk: OrderDesk, customer_id: str) -> int:
    with desk.storage.unit_of_work() as uow:
        events = uow.events.load("account", customer_id)
    state = events[-1].state  # type: ignore[attr-defined]
    assert isinstance(state, Account)
    return len(json.dumps(to_dict(state)))


def _pay_an_order(desk: OrderDesk, clock: SteppableClock) -> str:
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 1})
    total = desk.invoice(invoice_id).total
    return desk.record_payment("C-BOLT", total, invoice_ids=[invoice_id]).aggregate_id


def test_the_account_record_does_not_grow_with_paid_orders(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    for _ in range(3):
        _pay_an_order(desk, clock)
    early = _stored_account_size(desk, "C-BOLT")
    payments = [_pay_an_order(desk, clock) for _ in range(12)]
    later = _stored_account_size(desk, "C-BOLT")
    # Totals gain digits and the version grows: a few bytes, never a row per document.
    assert later - early < 40, (early, later)
    ledger = desk.account_ledger("C-BOLT")
    assert ledger.open_items == ()
    assert ledger.credits == ()
    for payment_id in payments:
        payment = desk.payment(payment_id)
        (application,) = payment.applications
        assert application.applied == payment.amount
        assert not payment.unapplied


def test_a_refund_or_write_off_id_is_posted_once(desk: OrderDesk) -> None:
    desk.record_payment("C-BOLT", Money("50.00", "USD"))
    desk.refund_credit("C-BOLT", Money("10.00", "USD"), "bank", "B-1", refund_id="RF-X")
    before = (desk.account("C-BOLT"), desk.account_entries("C-BOLT"))
    with pytest.raises(OrderCycleError, match=r"RF-X .*posted already"):
        desk.refund_credit("C-BOLT", Money("10.00", "USD"), "bank", "B-2", refund_id="RF-X")
    assert (desk.account("C-BOLT"), desk.account_entries("C-BOLT")) == before
    desk.write_off_balance("C-BOLT", _credit_source(desk), write_off_id="WO-X", reason="x")
    with pytest.raises(OrderCycleError, match=r"WO-X .*posted already"):
        desk.write_off_balance("C-BOLT", _credit_source(desk), write_off_id="WO-X")


def _credit_source(desk: OrderDesk) -> str:
    desk.record_payment("C-BOLT", Money("0.50", "USD"))
    return desk.account_ledger("C-BOLT").credits[-1][0]


def test_a_payment_stored_without_a_settlement_is_reversed_from_the_journal(
    desk: OrderDesk, clock: SteppableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As an earlier build stored it: the ledger's entries, and no settlement record.
    with monkeypatch.context() as patched:
        patched.setattr(_receivables, "_settle", lambda *args: None)
        paid = _pay_an_order(desk, clock)
    with desk.storage.unit_of_work() as uow:
        assert not uow.events.load("settlement", paid)
    assert desk.payment(paid).applications[0].applied == desk.payment(paid).amount
    result = desk.reverse_payment("C-BOLT", paid, "cheque bounced")
    assert len(result["reopened"]) == 1
    kinds = [e.kind for e in desk.account_entries("C-BOLT")[-2:]]
    assert kinds == [EntryKind.UNAPPLICATION, EntryKind.REVERSAL]
    with pytest.raises(OrderCycleError, match="reversed already"):
        desk.reverse_payment("C-BOLT", paid, "again")


def test_the_account_refuses_a_settlement_of_another_kind_or_customer() -> None:
    from datetime import date

    from ordercycle.errors import ValidationError
    from ordercycle.invoicing import CustomerAccount

    day = date(2026, 3, 2)
    account, _ = CustomerAccount.open("C-1", "USD").post_payment("P-1", Money("5.00", "USD"), day)
    with pytest.raises(ValidationError, match="PaymentSettlement"):
        account.reverse_payment("P-1", day, reason="x")  # type: ignore[arg-type]
    other = PaymentSettlement(payment_id="P-1", customer_id="C-2", received=Money("5.00", "USD"))
    with pytest.raises(OrderCycleError, match="posted to customer C-2"):
        account.reverse_payment(other, day, reason="x")
    with pytest.raises(OrderCycleError, match="posted already"):
        account.post_payment("P-1", Money("1.00", "USD"), day)  # its credit is open
