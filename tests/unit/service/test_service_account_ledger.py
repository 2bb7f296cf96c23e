"""The customer account ledger through the desk: cash on account, credit, refunds, numbers."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.invoicing import EntryKind
from ordercycle.model import SteppableClock
from ordercycle.model.order import Order
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.service._session import Session
from ordercycle.service.errors import UnknownInvoiceError

from .conftest import invoiced


def test_cash_on_account_counts_and_is_applied_to_a_later_invoice(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    paid = desk.record_payment("C-BOLT", Money("500.00", "USD"))
    assert paid["unapplied"] == "500.00 USD"
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 4, "TEAPOT": 8})
    ledger = desk.account_ledger("C-BOLT")
    assert ledger.balance.balance == Money("-102.00", "USD")  # 398.00 owed, 500.00 on account
    assert ledger.balance.unapplied == Money("500.00", "USD")
    applied = desk.apply_credit("C-BOLT")
    assert applied["unapplied"] == "102.00 USD"
    assert desk.invoice(invoice_id).state == "paid"
    report = desk.aging_report()
    assert report.totals[:-1] == (Money("0.00", "USD"),) * (len(report.buckets) - 1)
    assert report.total == Money("-102.00", "USD")  # the cash still on account
    ledger = desk.account_ledger("C-BOLT")
    ledger.balance.check()
    assert ledger.balance.balance == Money("-102.00", "USD")
    assert ledger.open_items == ()
    kinds = [e.kind for e in desk.account_entries("C-BOLT")]
    assert kinds == [EntryKind.PAYMENT, EntryKind.INVOICE, EntryKind.APPLICATION]


def test_a_refused_application_or_refund_writes_nothing(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    desk.record_payment("C-BOLT", Money("50.00", "USD"))
    invoiced(desk, "C-BOLT", {"MUG": 1})
    before = (desk.account("C-BOLT"), desk.account_entries("C-BOLT"))
    with pytest.raises(OrderCycleError, match=r"asked, but the credit chosen is 50\.00 USD"):
        desk.apply_credit("C-BOLT", Money("60.00", "USD"))
    with pytest.raises(OrderCycleError, match=r"the credit is 50\.00 USD"):
        desk.refund_credit("C-BOLT", Money("50.01", "USD"), "bank", "B-1")
    assert (desk.account("C-BOLT"), desk.account_entries("C-BOLT")) == before


def test_a_refund_pays_credit_back_with_its_method_and_reference(desk: OrderDesk) -> None:
    desk.record_payment("C-BOLT", Money("50.00", "USD"))
    result = desk.refund_credit("C-BOLT", Money("30.00", "USD"), "bank transfer", "SEPA-42")
    assert result["unapplied"] == "20.00 USD"
    refund = desk.account_entries("C-BOLT")[-1]
    assert (refund.kind, refund.method, refund.reference) == (
        EntryKind.REFUND,
        "bank transfer",
        "SEPA-42",
    )
    assert desk.account_ledger("C-BOLT").balance.balance == Money("-20.00", "USD")


def test_payments_and_queries_accept_the_printed_invoice_number(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 4})
    number = desk.invoice(invoice_id).number
    assert number is not None
    assert number != invoice_id
    assert desk.invoice(number).invoice_id == invoice_id
    result = desk.record_payment("C-BOLT", Money("10.00", "USD"), invoice_ids=[number])
    assert set(result["applied"]) == {invoice_id}
    with pytest.raises(UnknownInvoiceError) as info:
        desk.record_payment("C-BOLT", Money("1.00", "USD"), invoice_ids=["INV-999999"])
    assert "'INV-1'" in str(info.value)
    assert "'INV-000001'" in str(info.value)
    assert pickle.loads(pickle.dumps(info.value)).message == info.value.message


def test_the_credit_check_counts_gross_orders_and_credit_on_account(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    first = desk.place_order("C-ACME", {"MUG": 10}).aggregate_id
    net = Money(desk.place_order("C-ACME", {"MUG": 10})["total"].split()[0], "USD")
    desk.confirm_order(first)
    gross = desk.account("C-ACME").exposure
    assert gross is not None
    assert gross > net  # New York sales tax is counted
    assert gross == (desk.order(first).total * Decimal("1.08875")).round()  # NY: 8.875 %
    desk.cancel_order(first)
    assert desk.account("C-ACME").exposure == Money("0.00", "USD")
    # C-CAFE's limit is 150.00: cash on account makes room for a bigger order.
    desk.record_payment("C-CAFE", Money("100.00", "USD"))
    big = desk.place_order("C-CAFE", {"TEAPOT": 5}).aggregate_id  # 225.00 > 150.00
    result = desk.confirm_order(big)
    assert result["credit"] == "approve", result.notes
    # Without the cash, the same order goes over the limit and on hold.
    again = desk.place_order("C-CAFE", {"TEAPOT": 5}).aggregate_id
    assert desk.confirm_order(again)["credit"] == "hold"


def test_invoicing_moves_the_exposure_to_the_ledger(desk: OrderDesk, clock: SteppableClock) -> None:
    invoice_id = invoiced(desk, "C-ACME", {"MUG": 10})
    account = desk.account("C-ACME")
    assert account.exposure == Money("0.00", "USD")
    assert account.ledger is not None
    assert account.ledger.balance.open_invoices == desk.invoice(invoice_id).total


def test_a_confirmation_loads_no_other_order(
    desk: OrderDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        desk.confirm_order(desk.place_order("C-ACME", {"MUG": 1}).aggregate_id)
    last = desk.place_order("C-ACME", {"MUG": 1}).aggregate_id
    loaded: list[str] = []
    real = Session.order

    def spy(self: Session, order_id: str) -> Order:
        loaded.append(order_id)
        return real(self, order_id)

    monkeypatch.setattr(Session, "order", spy)
    desk.confirm_order(last)
    assert set(loaded) == {last}


def test_aging_nets_cash_on_account(desk: OrderDesk, clock: SteppableClock) -> None:
    desk.record_payment("C-BOLT", Money("50.00", "USD"))
    invoiced(desk, "C-BOLT", {"MUG": 1})  # 19.00
    report = desk.aging_report()
    assert report.buckets[-1].label == "unapplied credit"
    (row,) = report.rows
    assert row.amounts[-1] == Money("-50.00", "USD")
    assert row.total == desk.account_ledger("C-BOLT").balance.balance
    assert row.total == desk.invoice("INV-000001").total - Money("50.00", "USD")


def test_a_small_rest_is_written_off_and_a_large_one_refused(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 4})
    total = desk.invoice(invoice_id).total
    desk.record_payment("C-BOLT", total - Money("0.40", "USD"))
    number = desk.invoice(invoice_id).number
    assert number is not None
    result = desk.write_off_balance("C-BOLT", number, reason="short-paid bank fee")
    assert result["amount"] == "0.40 USD"
    assert desk.invoice(invoice_id).state == "paid"
    assert desk.invoice(invoice_id).written_off == Money("0.40", "USD")
    ledger = desk.account_ledger("C-BOLT")
    ledger.balance.check()
    assert ledger.balance.balance == Money("0.00", "USD")
    # Above the tolerance (1.00 by default): refused, nothing written.
    second = invoiced(desk, "C-BOLT", {"MUG": 1})
    before = (desk.account("C-BOLT"), desk.invoice(second))
    with pytest.raises(OrderCycleError, match="above the write-off tolerance"):
        desk.write_off_balance("C-BOLT", second)
    assert (desk.account("C-BOLT"), desk.invoice(second)) == before


def test_a_mistaken_payment_on_account_is_reversed(desk: OrderDesk) -> None:
    paid = desk.record_payment("C-BOLT", Money("75.00", "USD"))
    result = desk.reverse_payment("C-BOLT", paid.aggregate_id, "wrong customer")
    assert result["unapplied"] == "0.00 USD"
    ledger = desk.account_ledger("C-BOLT")
    assert ledger.balance.reversed == Money("75.00", "USD")
    assert ledger.balance.balance == Money("0.00", "USD")
    with pytest.raises(OrderCycleError, match="posted already"):
        desk.reverse_payment("C-BOLT", paid.aggregate_id, "again")


def test_a_credit_rest_is_written_off(desk: OrderDesk) -> None:
    paid = desk.record_payment("C-BOLT", Money("0.30", "USD"))
    desk.write_off_balance("C-BOLT", paid.aggregate_id, reason="tiny overpayment")
    ledger = desk.account_ledger("C-BOLT")
    assert ledger.balance.credit_written_off == Money("0.30", "USD")
    assert ledger.balance.unapplied == Money("0.00", "USD")


def test_reversing_an_applied_payment_reopens_its_invoices_and_its_discount(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    invoice_id = invoiced(desk, "C-ACME", {"MUG": 2})
    invoice = desk.invoice(invoice_id)
    discount = invoice.discount_available(invoice.invoice_date)
    assert discount.is_positive  # ACME pays on 2/10 Net 30
    paid = desk.record_payment("C-ACME", invoice.total - discount + Money("5.00", "USD"))
    assert desk.invoice(invoice_id).state == "paid"
    assert desk.payment(paid.aggregate_id).unapplied == Money("5.00", "USD")
    result = desk.reverse_payment("C-ACME", paid.aggregate_id, "cheque bounced")
    assert result["reopened"] == [invoice_id]
    reopened = desk.invoice(invoice_id)
    assert (reopened.state, reopened.balance) == ("issued", invoice.total)
    assert reopened.discount_taken == Money("0.00", "USD")
    assert reopened.events[-1].event_type == "InvoicePaymentUnapplied"
    ledger = desk.account_ledger("C-ACME")
    ledger.balance.check()
    assert ledger.balance.balance == invoice.total
    assert ledger.open_items == ((invoice_id, invoice.total),)
    assert ledger.balance.discounts == Money("0.00", "USD")
    kinds = [e.kind for e in desk.account_entries("C-ACME")][-3:]
    assert kinds == [EntryKind.UNAPPLICATION, EntryKind.DISCOUNT_REVERSAL, EntryKind.REVERSAL]
    assert desk.account("C-ACME").open_invoice_ids == (invoice_id,)
    assert desk.account("C-ACME").receivables == invoice.total
    view = desk.payment(paid.aggregate_id)
    assert (view.unapplied, view.applications) == (Money("0.00", "USD"), ())
    # The invoice can be paid again, and the aging report sees it open.
    assert desk.aging_report().total == invoice.total
    desk.record_payment("C-ACME", invoice.total)
    assert desk.invoice(invoice_id).state == "paid"
    desk.account_ledger("C-ACME").balance.check()


def test_reversing_a_payment_applied_later_with_credit_undoes_that_application(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    paid = desk.record_payment("C-BOLT", Money("500.00", "USD"))
    other = desk.record_payment("C-BOLT", Money("1.00", "USD"))
    first = invoiced(desk, "C-BOLT", {"MUG": 4})
    second = invoiced(desk, "C-BOLT", {"TEAPOT": 2})
    desk.apply_credit("C-BOLT", source_ids=[paid.aggregate_id])
    view = desk.payment(paid.aggregate_id)
    totals = {i: desk.invoice(i).total for i in (first, second)}
    assert view.unapplied == Money("500.00", "USD") - totals[first] - totals[second]
    assert {a.invoice_id: a.applied for a in view.applications} == totals
    desk.reverse_payment("C-BOLT", paid.aggregate_id, "sent by the wrong customer")
    for invoice_id in (first, second):
        assert desk.invoice(invoice_id).state == "issued"
        assert desk.invoice(invoice_id).balance == totals[invoice_id]
    ledger = desk.account_ledger("C-BOLT")
    ledger.balance.check()
    assert ledger.balance.open_invoices == totals[first] + totals[second]
    assert ledger.credit_left(other.aggregate_id) == Money("1.00", "USD")
    assert desk.payment(other.aggregate_id).unapplied == Money("1.00", "USD")


def test_a_payment_partly_refunded_is_not_reversed_and_nothing_is_written(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    from ordercycle.invoicing import PaymentRefundedError

    paid = desk.record_payment("C-BOLT", Money("300.00", "USD"))
    invoice_id = invoiced(desk, "C-BOLT", {"MUG": 4})
    desk.apply_credit("C-BOLT")
    desk.refund_credit("C-BOLT", Money("10.00", "USD"), "bank transfer", "SEPA-7")
    before = (
        desk.account("C-BOLT"),
        desk.account_entries("C-BOLT"),
        desk.invoice(invoice_id),
        desk.payment(paid.aggregate_id),
    )
    with pytest.raises(PaymentRefundedError, match=r"only 290\.00 USD of 300\.00 USD") as caught:
        desk.reverse_payment("C-BOLT", paid.aggregate_id, "chargeback")
    assert (caught.value.payment_id, caught.value.received) == (
        paid.aggregate_id,
        Money("300.00", "USD"),
    )
    after = (
        desk.account("C-BOLT"),
        desk.account_entries("C-BOLT"),
        desk.invoice(invoice_id),
        desk.payment(paid.aggregate_id),
    )
    assert after == before
