"""A random walk through an invoice's life: issue, pay, credit, cancel.

After every step the balance is the total minus everything settled and never negative,
the state matches the balance, credited quantities stay within the invoiced ones, the
version equals the number of events, each command returns the one event it recorded
(replayed onto the invoice before it, it gives the invoice after it), and a refused
command raises a typed error and leaves the invoice exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ordercycle.errors import OrderCycleError
from ordercycle.invoicing import (
    Invoice,
    InvoiceLine,
    InvoiceOutcome,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TaxRounding,
)
from ordercycle.money import Money

TERMS = ["Net 30", "2/10 Net 30", "50% upfront, 50% Net 30", "1/10 Net 30 EOM", "21 MFI"]
START = date(2026, 1, 15)


class InvoiceMachine(RuleBasedStateMachine):
    """Drives one invoice through random commands."""

    invoice: Invoice
    series: NumberSeries
    day: date
    counter: int

    @initialize(
        terms=st.sampled_from(TERMS),
        quantities=st.lists(st.integers(1, 10), min_size=1, max_size=4),
        prices=st.lists(st.integers(1, 50_000), min_size=4, max_size=4),
        rounding=st.sampled_from(list(TaxRounding)),
    )
    def start(
        self, terms: str, quantities: list[int], prices: list[int], rounding: TaxRounding
    ) -> None:
        profile = TaxProfile(
            "vat", [TaxRate("V", Decimal("21")), TaxRate("R", Decimal("9"))], rounding=rounding
        )
        lines = [
            InvoiceLine(
                f"S{i}", f"item {i}", q, Money.of_minor(prices[i], "EUR"), ["V" if i % 2 else "R"]
            )
            for i, q in enumerate(quantities)
        ]
        self.invoice, _ = Invoice.draft(
            "I-1", "C-1", lines, profile, PaymentTerms.parse(terms), START
        )
        self.series = NumberSeries()
        self.day = START
        self.counter = 0

    def attempt(self, command: Callable[[], InvoiceOutcome]) -> None:
        before = self.invoice
        try:
            after, events = command()
        except OrderCycleError:
            assert self.invoice is before
            assert self.invoice == before
            return
        assert events == (after.events[-1],)
        assert Invoice.replay(events, base=before) == after
        assert after.version == before.version + 1
        assert after.events[:-1] == before.events
        assert after.events[-1].version == after.version
        self.invoice = after

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    @rule(days=st.integers(0, 20))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule()
    def issue(self) -> None:
        def command() -> InvoiceOutcome:
            outcome = self.invoice.issue(self.series, self.day)
            self.series = self.series.next()
            return outcome

        before_series = self.series
        self.attempt(command)
        if self.invoice.state == "draft":
            assert self.series == before_series

    @rule(units=st.integers(1, 200_000), write_off=st.booleans(), excess=st.booleans())
    def pay(self, units: int, write_off: bool, excess: bool) -> None:
        amount = Money.of_minor(units, "EUR")
        kwargs: dict[str, object] = {"excess": "write_off" if excess else "credit"}
        if write_off and self.invoice.state in ("issued", "partially_paid"):
            gap = self.invoice.balance - amount
            if gap.is_positive:
                kwargs["write_off"] = gap
        self.attempt(
            lambda: self.invoice.pay(self.next_id("P"), amount, self.day, **kwargs)  # type: ignore[arg-type]
        )

    @rule()
    def pay_exactly_what_settles(self) -> None:
        schedule = self.invoice.schedule
        if schedule is None or self.invoice.state not in ("issued", "partially_paid"):
            return
        amount = self.invoice.balance - self.invoice.discount_available(self.day)
        if amount.is_positive:
            self.attempt(lambda: self.invoice.pay(self.next_id("P"), amount, self.day))
            if not self.invoice.credit_notes:
                assert self.invoice.state == "paid"

    @rule(line=st.integers(0, 3), quantity=st.integers(1, 12), fee=st.sampled_from([0, 10]))
    def credit(self, line: int, quantity: int, fee: int) -> None:
        self.attempt(
            lambda: self.invoice.credit(
                self.next_id("CN"), self.day, {line: quantity}, restocking_fee_percent=fee
            )
        )

    @rule()
    def credit_everything(self) -> None:
        self.attempt(lambda: self.invoice.credit(self.next_id("CN"), self.day))

    @rule()
    def cancel(self) -> None:
        self.attempt(lambda: self.invoice.cancel("test", self.day))

    @invariant()
    def balance_is_total_minus_settled_and_never_negative(self) -> None:
        invoice = self.invoice
        assert invoice.balance == invoice.total - invoice.settled
        assert not invoice.balance.is_negative
        assert not invoice.customer_credit.is_negative

    @invariant()
    def state_matches_the_balance(self) -> None:
        invoice = self.invoice
        if invoice.state == "paid":
            assert invoice.balance.is_zero
        if invoice.state in ("issued", "partially_paid"):
            assert invoice.balance.is_positive
        if invoice.state == "partially_paid":
            assert invoice.payments
        if invoice.state in ("draft", "canceled"):
            assert not invoice.payments

    @invariant()
    def credited_stays_within_invoiced(self) -> None:
        invoice = self.invoice
        for index, line in enumerate(invoice.lines):
            assert invoice.credited_quantity(index) <= line.quantity
        assert invoice.credited <= invoice.total

    @invariant()
    def version_counts_the_events(self) -> None:
        assert self.invoice.version == len(self.invoice.events)

    @invariant()
    def replaying_the_events_rebuilds_the_invoice(self) -> None:
        assert Invoice.replay(self.invoice.events) == self.invoice

    @invariant()
    def open_installments_add_up_to_the_balance(self) -> None:
        opened = [open_ for _, open_ in self.invoice.open_installments()]
        if self.invoice.schedule is not None:
            assert Money.sum(opened, currency="EUR") == self.invoice.balance


InvoiceMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestInvoiceMachine = InvoiceMachine.TestCase
