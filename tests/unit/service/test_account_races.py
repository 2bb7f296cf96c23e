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
