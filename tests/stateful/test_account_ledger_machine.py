"""The customer account ledger under random commands: its laws hold after every step.

After every step: the balance equals invoices − payments − credits − discounts + refunds
+ reversals ∓ write-offs, summed independently from the entries; it equals what is open
on invoices less the credit on account; no invoice is ever settled beyond its total and no
credit is used beyond what was received (cash is never over-applied); a refused command
leaves the account as it was and records nothing; replaying the events rebuilds it; each
payment's settlement, kept up to date change by change as the desk keeps it, equals the one
folded from the whole journal, and a reversed payment leaves nothing behind.
"""

from __future__ import annotations

from datetime import date

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ordercycle.errors import OrderCycleError
from ordercycle.invoicing import AccountEntryPosted, CustomerAccount, EntryKind, PaymentSettlement
from ordercycle.money import Money

DAY = date(2026, 4, 1)
TOLERANCE = Money("1.00", "USD")
cents = st.integers(min_value=1, max_value=5_000).map(lambda c: Money(c, "USD") / 100)

_SIGN = {
    EntryKind.INVOICE: 1,
    EntryKind.PAYMENT: -1,
    EntryKind.CREDIT_NOTE: -1,
    EntryKind.DISCOUNT: -1,
    EntryKind.REFUND: 1,
    EntryKind.REVERSAL: 1,
    EntryKind.APPLICATION: 0,
    EntryKind.UNAPPLICATION: 0,
    EntryKind.DISCOUNT_REVERSAL: 1,
}
#: Entries that give back what an earlier one settled or used.
_UNDO = (EntryKind.UNAPPLICATION, EntryKind.DISCOUNT_REVERSAL)


class AccountMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.account = CustomerAccount.open("C-1", "USD")
        self.events: list[AccountEntryPosted] = []
        self.invoice_totals: dict[str, Money] = {}
        self.received: dict[str, Money] = {}
        self.settlements: dict[str, PaymentSettlement] = {}
        self.count = 0

    def _next(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    def _run(self, command: object) -> None:
        before = self.account
        try:
            self.account, events = command(self.account)  # type: ignore[operator]
        except OrderCycleError:
            assert self.account == before  # refused: unchanged, nothing recorded
            return
        assert events
        assert events[0].version == before.version + 1
        self.events.extend(events)
        entries = [e.entry for e in events]
        for entry in entries:
            if entry.kind is EntryKind.PAYMENT:
                self.settlements[entry.document_id] = PaymentSettlement(
                    payment_id=entry.document_id, customer_id="C-1", received=entry.amount
                )
        for payment_id, found in self.settlements.items():
            self.settlements[payment_id] = found.with_entries(entries)

    @rule(amount=cents)
    def invoice(self, amount: Money) -> None:
        invoice_id = self._next("INV")
        self.invoice_totals[invoice_id] = amount
        self._run(lambda a: a.post_invoice(invoice_id, amount, DAY))

    @rule(amount=cents, apply=st.booleans(), discount=st.booleans())
    def payment(self, amount: Money, apply: bool, discount: bool) -> None:
        payment_id = self._next("P")
        self.received[payment_id] = amount
        applied = {}
        discounts = {}
        if apply and self.account.open_items:
            invoice_id, open_ = self.account.open_items[0]
            applied = {invoice_id: min(open_, amount)}
            rest = open_ - applied[invoice_id]
            if discount and rest.is_positive:  # the early-payment discount closes it
                discounts = {invoice_id: min(rest, Money("2.00", "USD"))}
        self._run(
            lambda a: a.post_payment(payment_id, amount, DAY, applied=applied, discounts=discounts)
        )

    @rule(amount=cents, which=st.integers(0, 3))
    def credit_note(self, amount: Money, which: int) -> None:
        if not self.invoice_totals:
            return
        invoice_id = sorted(self.invoice_totals)[which % len(self.invoice_totals)]
        note_id = self._next("CN")
        self.received[note_id] = amount
        self._run(lambda a: a.post_credit_note(note_id, invoice_id, amount, DAY))

    @rule(amount=st.none() | cents, first_only=st.booleans())
    def apply(self, amount: Money | None, first_only: bool) -> None:
        ids = self.account.open_items[:1] if first_only else ()
        self._run(lambda a: a.apply_credit(DAY, amount, invoice_ids=[i for i, _ in ids]))

    @rule(amount=cents)
    def refund(self, amount: Money) -> None:
        refund_id = self._next("R")
        self._run(lambda a: a.refund(refund_id, amount, DAY, method="bank", reference="x"))

    @rule(which=st.integers(0, 20))
    def write_off(self, which: int) -> None:
        docs = [k for k, _ in (*self.account.open_items, *self.account.credits)] or ["none"]
        doc = docs[which % len(docs)]
        wid = self._next("WO")
        self._run(lambda a: a.write_off(wid, doc, DAY, tolerance=TOLERANCE))

    @rule(which=st.integers(0, 20))
    def reverse(self, which: int) -> None:
        payments = list(self.settlements) or ["P-0"]
        payment_id = payments[which % len(payments)]
        settlement = self.settlements.get(payment_id) or PaymentSettlement(
            payment_id="P-0", customer_id="C-9", received=Money("1.00", "USD")
        )
        self._run(lambda a: a.reverse_payment(settlement, DAY, reason="mistake"))

    @invariant()
    def balance_law_holds(self) -> None:
        account = self.account
        account.balance.check()
        total = Money.zero("USD")
        for event in self.events:
            entry = event.entry
            sign = _SIGN.get(entry.kind)
            if sign is None:  # a write-off: of an invoice rest (−) or of a credit (+)
                sign = -1 if entry.applied else 1
            total += entry.amount * sign
        assert total == account.balance.balance

    @invariant()
    def cash_is_never_over_applied(self) -> None:
        settled: dict[str, Money] = {}
        used: dict[str, Money] = {}
        for event in self.events:
            entry = event.entry
            undo = -1 if entry.kind in _UNDO else 1
            for invoice_id, amount in entry.applied:
                settled[invoice_id] = settled.get(invoice_id, Money.zero("USD")) + amount * undo
            if entry.kind is EntryKind.DISCOUNT_REVERSAL:
                continue
            if entry.kind in (EntryKind.PAYMENT, EntryKind.CREDIT_NOTE):
                applied = Money.sum((m for _, m in entry.applied), currency="USD")
                used[entry.document_id] = used.get(entry.document_id, Money.zero("USD")) + applied
            elif entry.source_id in self.received and entry.kind is not EntryKind.DISCOUNT:
                used[entry.source_id] = (
                    used.get(entry.source_id, Money.zero("USD")) + entry.amount * undo
                )
        for invoice_id, amount in settled.items():
            assert amount <= self.invoice_totals[invoice_id]
            left = self.invoice_totals[invoice_id] - amount
            assert self.account.open_amount(invoice_id) == left
        for source, amount in used.items():
            assert amount <= self.received[source]
            assert self.account.credit_left(source) == self.received[source] - amount

    @invariant()
    def a_reversed_payment_left_nothing_behind(self) -> None:
        for payment_id, found in self.settlements.items():
            if found.reversed:
                assert not self.account.credit_left(payment_id)
                assert found.settled == ()

    @invariant()
    def each_settlement_is_its_journal_folded(self) -> None:
        entries = [e.entry for e in self.events]
        for payment_id, found in self.settlements.items():
            assert PaymentSettlement.of(payment_id, entries, customer_id="C-1") == found
            if found.reversed:
                continue
            # The payment's money is conserved: on the account, on invoices, or paid back
            # (refunded) or written off as a small credit.
            gone = Money.sum(
                (
                    e.amount
                    for e in entries
                    if e.source_id == payment_id
                    and e.kind in (EntryKind.REFUND, EntryKind.WRITE_OFF)
                    and not e.applied
                ),
                currency="USD",
            )
            left = self.account.credit_left(payment_id)
            assert left + found.on_invoices + gone == found.received
            assert all(a.is_positive or d.is_positive for _, a, d in found.settled)

    @invariant()
    def replay_rebuilds_the_account(self) -> None:
        if self.events:
            assert CustomerAccount.replay(self.events) == self.account


AccountMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, derandomize=True
)
TestAccountLedger = AccountMachine.TestCase
