"""The desk's receivables commands under random interleavings with the order cycle.

The same rules and invariants as :mod:`test_desk_machine`, on a machine that runs only
the receivables commands and whole orders to their invoice, so every example reaches
cash on account, applied credit (chosen and oldest first), refunds, write-offs and
reversals of applied payments. After every step: each ledger's balance equals its
journal summed by sign and obeys its laws, no payment or credit note is used beyond what
it brought, the ledger agrees with the invoices and payments, and a refused command
wrote nothing (memory and SQLite).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine
from tests.stateful.test_desk_machine import SKUS, DeskMachine

from ordercycle.examples.shop import SAMPLE_STOCK, open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk


class ReceivablesMachine(RuleBasedStateMachine):
    """Order to invoice, payments and the receivables commands, with the desk's money
    invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        self.desk = self.open_desk()
        open_sample_shop(self.desk)
        self.received = dict.fromkeys(SKUS, 0)
        for sku, _bin, units in SAMPLE_STOCK:
            self.received[sku] += units
        self.orders: list[str] = []
        self.refused = 0

    def open_desk(self) -> OrderDesk:
        """The desk under test (in memory here; on SQLite in the subclass)."""
        return OrderDesk.in_memory(clock=self.clock)

    def teardown(self) -> None:
        self.desk.close()

    _try = DeskMachine._try
    _customers_with = DeskMachine._customers_with

    order_to_invoice = DeskMachine.order_to_invoice
    pay = DeskMachine.pay
    apply_credit = DeskMachine.apply_credit
    refund_credit = DeskMachine.refund_credit
    write_off_balance = DeskMachine.write_off_balance
    reverse_payment = DeskMachine.reverse_payment
    return_and_credit = DeskMachine.return_and_credit

    money_adds_up_exactly = DeskMachine.money_adds_up_exactly
    each_ledger_obeys_its_balance_law = DeskMachine.each_ledger_obeys_its_balance_law
    each_account_keeps_its_open_invoices_and_their_balance = (
        DeskMachine.each_account_keeps_its_open_invoices_and_their_balance
    )


TestReceivablesMachine = ReceivablesMachine.TestCase
TestReceivablesMachine.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


class SQLiteReceivablesMachine(ReceivablesMachine):
    """The same machine on a SQLite file."""

    def open_desk(self) -> OrderDesk:
        self.directory = tempfile.TemporaryDirectory()
        return OrderDesk.sqlite(Path(self.directory.name) / "shop.db", clock=self.clock)

    def teardown(self) -> None:
        super().teardown()
        self.directory.cleanup()


TestSQLiteReceivablesMachine = SQLiteReceivablesMachine.TestCase
TestSQLiteReceivablesMachine.settings = settings(
    max_examples=4,
    stateful_step_count=14,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
