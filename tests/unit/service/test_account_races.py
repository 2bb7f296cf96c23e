"""Processes that use one customer's credit at once never apply or refund it twice.

Applying cash, refunding and writing off read the customer's ledger and write invoices
too; every one of them appends to the customer's account stream at the version it read,
so of two at once one conflicts and runs again on the other's result. Four processes
meet at a barrier and ask for more than the credit holds: three apply 19.00 each to
their own invoice, one refunds 30.00, against 50.00 on account.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.races import Opener, in_processes, postgres_opener, postgres_schema, sqlite_opener

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.invoicing import EntryKind
from ordercycle.money import Money

CREDIT = Money("50.00", "USD")
ASK = Money("19.00", "USD")  # one invoice of two mugs
REFUND = Money("30.00", "USD")


def _setup(opener: Opener) -> list[str]:
    desk = opener("setup")
    try:
        open_sample_shop(desk)
        desk.record_payment("C-BOLT", CREDIT)
        invoices = []
        for _ in range(3):
            order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
            desk.confirm_order(order_id)
            desk.allocate_order(order_id)
            wave = desk.release_wave("WH-EAST", [order_id])
            desk.confirm_picks(wave.aggregate_id)
            packed = desk.pack_order(order_id, wave.aggregate_id)
            desk.ship_shipment(packed.aggregate_id, f"1Z-{order_id}")
            invoices.append(desk.invoice_order(order_id).aggregate_id)
        return invoices
    finally:
        desk.close()


def _race(opener: Opener) -> None:
    invoices = _setup(opener)

    def work(worker: int, barrier: Any) -> str:
        desk = opener(worker)
        try:
            barrier.wait()
            try:
                if worker < 3:
                    desk.apply_credit("C-BOLT", ASK, invoice_ids=[invoices[worker]])
                    return "applied"
                desk.refund_credit("C-BOLT", REFUND, "bank", f"REF-{worker}")
                return "refunded"
            except OrderCycleError as error:
                return f"refused: {error}"
        finally:
            desk.close()

    results = in_processes(work, 4)
    refusals = [r for r in results.values() if r.startswith("refused")]
    assert all("Cannot" in r for r in refusals), refusals
    applied = sum(1 for r in results.values() if r == "applied")
    refunded = sum(1 for r in results.values() if r == "refunded")
    used = ASK * applied + REFUND * refunded
    assert used <= CREDIT  # never over-applied
    assert applied + refunded >= 2  # and not everything refused: 50.00 covers two asks
    desk = opener("check")
    try:
        ledger = desk.account_ledger("C-BOLT")
        ledger.balance.check()
        assert ledger.balance.unapplied == CREDIT - used
        assert ledger.balance.refunded == REFUND * refunded
        for invoice_id in invoices:
            invoice = desk.invoice(invoice_id)
            assert ledger.open_amount(invoice_id) == invoice.balance
        paid = [i for i in invoices if desk.invoice(i).state == "paid"]
        assert len(paid) == applied
        entries = desk.account_entries("C-BOLT")
        assert len([e for e in entries if e.kind.value == "application"]) == applied
    finally:
        desk.close()


def test_four_processes_on_one_sqlite_file_never_over_apply_credit(tmp_path: Path) -> None:
    _race(sqlite_opener(tmp_path / "credit.db"))


def test_four_processes_on_postgres_never_over_apply_credit(postgres_dsn: str) -> None:
    with postgres_schema(postgres_dsn, "oc_credit") as (dsn, schema):
        _race(postgres_opener(dsn, schema))


def _reversal_race(opener: Opener) -> None:
    """Two processes reverse one applied payment while a third refunds part of its rest
    and a fourth applies another part: at most one reversal, and never one after a
    refund; the ledger and the invoices agree."""
    invoices = _setup(opener)
    desk = opener("apply")
    try:
        payment_id = next(
            e.document_id for e in desk.account_entries("C-BOLT") if e.kind is EntryKind.PAYMENT
        )
        desk.apply_credit("C-BOLT", ASK, invoice_ids=[invoices[0]])
    finally:
        desk.close()

    def work(worker: int, barrier: Any) -> str:
        desk = opener(worker)
        try:
            barrier.wait()
            try:
                if worker < 2:
                    desk.reverse_payment("C-BOLT", payment_id, f"bounced ({worker})")
                    return "reversed"
                if worker == 2:
                    desk.refund_credit("C-BOLT", Money("10.00", "USD"), "bank", "REF-2")
                    return "refunded"
                desk.apply_credit("C-BOLT", ASK, invoice_ids=[invoices[1]])
                return "applied"
            except OrderCycleError as error:
                return f"refused: {type(error).__name__}: {error}"
        finally:
            desk.close()

    results = in_processes(work, 4)
    refusals = [r for r in results.values() if r.startswith("refused")]
    assert all("Cannot" in r for r in refusals), refusals
    reversed_ = sum(1 for r in results.values() if r == "reversed")
    refunded = results[2] == "refunded"
    assert reversed_ <= 1
    assert reversed_ + refunded == 1  # one of them ran first; the other was refused
    desk = opener("check")
    try:
        ledger = desk.account_ledger("C-BOLT")
        ledger.balance.check()
        for invoice_id in invoices:
            assert ledger.open_amount(invoice_id) == desk.invoice(invoice_id).balance
        if reversed_:
            assert ledger.balance.reversed == CREDIT
            assert ledger.balance.unapplied == Money("0.00", "USD")
            assert all(desk.invoice(i).state == "issued" for i in invoices)
            assert desk.payment(payment_id).applications == ()
        else:
            assert ledger.balance.refunded == Money("10.00", "USD")
            assert "PaymentRefundedError" in results[0] or "PaymentRefundedError" in results[1]
        assert desk.payment(payment_id).unapplied == ledger.credit_left(payment_id)
    finally:
        desk.close()


def test_processes_on_one_sqlite_file_reverse_an_applied_payment_once(tmp_path: Path) -> None:
    _reversal_race(sqlite_opener(tmp_path / "reverse.db"))


def test_processes_on_postgres_reverse_an_applied_payment_once(postgres_dsn: str) -> None:
    with postgres_schema(postgres_dsn, "oc_reverse") as (dsn, schema):
        _reversal_race(postgres_opener(dsn, schema))
