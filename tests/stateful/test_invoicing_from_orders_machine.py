"""Repeated invoicing of an order as it is fulfilled never bills more than its policy allows.

The machine moves units of a two-line order through the warehouse (allocate, pick, pack,
ship, deliver), cancels units, credits invoiced units, and invoices at any moment, all of
what is invoiceable or a part of it, recording every invoice on the order. Invariants: the
net invoiced quantity of a line never exceeds what the policy allows (``ordered -
canceled``, or ``delivered``), no unit is ever invoiced twice, and invoicing everything
that is left brings the line exactly to that quantity.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ordercycle.invoicing import invoice_lines_for_order
from ordercycle.model.address import Address
from ordercycle.model.order import Order
from ordercycle.model.order.lines import NewLine
from ordercycle.model.order.policies import InvoicePolicy
from ordercycle.money import Money

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
HOME = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
LINES = ("L1", "L2")
STEPS = ("allocate", "pick", "pack", "ship", "deliver")


def allowed(order: Order, line_id: str) -> int:
    """The most a line may ever have net invoiced under the order's policy, right now."""
    ledger = order.line(line_id).ledger
    if order.invoice_policy is InvoicePolicy.DELIVERED:
        return min(ledger.delivered - ledger.credited, ledger.ordered - ledger.canceled)
    return ledger.ordered - ledger.canceled


class OrderInvoicing(RuleBasedStateMachine):
    """Fulfil, cancel, credit and invoice an order in any interleaving."""

    def __init__(self) -> None:
        super().__init__()
        self.order: Order
        self.count = 0
        self.billed: dict[str, int] = dict.fromkeys(LINES, 0)  # units on invoices
        self.credited: dict[str, int] = dict.fromkeys(LINES, 0)

    @initialize(
        policy=st.sampled_from(["ordered", "delivered"]),
        quantities=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    )
    def create(self, policy: str, quantities: tuple[int, int]) -> None:
        lines = [
            NewLine(line_id, f"SKU-{line_id}", quantity, Money("2.50", "USD"))
            for line_id, quantity in zip(LINES, quantities, strict=True)
        ]
        order, _ = Order.create(
            "O-1",
            customer_id="C-1",
            currency="USD",
            shipping_address=HOME,
            at=AT,
            lines=lines,
            invoice_policy=policy,
        )
        for step in (Order.place, Order.confirm, Order.release):
            order, _ = step(order, at=AT)
        self.order = order

    def _next_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    @rule(line_id=st.sampled_from(LINES), step=st.integers(0, 4), units=st.integers(1, 3))
    def move(self, line_id: str, step: int, units: int) -> None:
        """Move units one warehouse step further when there are enough of them."""
        ledger = self.order.line(line_id).ledger
        available = (ledger.open, ledger.allocated, ledger.picked, ledger.packed)
        have = available[step] if step < 4 else ledger.shipped - ledger.delivered
        if have >= units:
            command = getattr(self.order, STEPS[step])
            self.order, _ = command(line_id, units, at=AT)

    @rule(line_id=st.sampled_from(LINES))
    def cancel_one(self, line_id: str) -> None:
        ledger = self.order.line(line_id).ledger
        # Only open units may be canceled, and never below what is already billed.
        if ledger.open >= 1 and ledger.ordered - ledger.canceled - 1 >= ledger.net_invoiced:
            self.order, _ = self.order.cancel_line(line_id, 1, at=AT)

    @rule(data=st.data())
    def invoice(self, data: st.DataObject) -> None:
        result = invoice_lines_for_order(self.order)
        if result.is_empty:
            return
        if data.draw(st.booleans(), label="partial"):
            line_id, room = data.draw(st.sampled_from(result.quantities), label="line")
            units = data.draw(st.integers(1, room), label="units")
            result = invoice_lines_for_order(self.order, quantities={line_id: units})
            assert result.quantities == ((line_id, units),)
        self.order, _ = self.order.record_invoice(
            self._next_id("INV"), result.quantity_map(), at=AT
        )
        for line_id, units in result.quantities:
            self.billed[line_id] += units

    @rule(line_id=st.sampled_from(LINES))
    def credit_one(self, line_id: str) -> None:
        if self.order.line(line_id).ledger.net_invoiced >= 1:
            self.order, _ = self.order.record_credit(self._next_id("CN"), {line_id: 1}, at=AT)
            self.credited[line_id] += 1

    @invariant()
    def never_more_than_the_policy_allows(self) -> None:
        for line_id in LINES:
            ledger = self.order.line(line_id).ledger
            assert ledger.invoiced == self.billed[line_id]  # every unit billed was recorded
            assert self.billed[line_id] - self.credited[line_id] <= allowed(self.order, line_id)
            if self.order.invoice_policy is InvoicePolicy.DELIVERED:
                assert ledger.invoiced <= ledger.delivered  # never a unit twice

    @invariant()
    def invoicing_the_rest_reaches_the_policy_quantity_exactly(self) -> None:
        result = invoice_lines_for_order(self.order)
        for line_id, units in result.quantities:
            ledger = self.order.line(line_id).ledger
            after = ledger.net_invoiced + units
            assert after <= ledger.ordered - ledger.canceled
            if self.order.invoice_policy is InvoicePolicy.DELIVERED:
                assert ledger.invoiced + units <= ledger.delivered
        rest = result.quantity_map()
        for line_id in LINES:
            ledger = self.order.line(line_id).ledger
            assert rest.get(line_id, 0) == ledger.invoiceable(self.order.invoice_policy)


OrderInvoicing.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestOrderInvoicing = OrderInvoicing.TestCase
