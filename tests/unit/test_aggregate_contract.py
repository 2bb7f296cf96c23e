"""Every aggregate follows one contract (``ordercycle.model.aggregate``).

For each aggregate: it is an ``Aggregate`` (checked at run time and by mypy), its commands
return an ``Outcome`` (the aggregate and the events just recorded), a refused command
changes nothing and records nothing, and ``replay(events, base=...)`` of a history split
anywhere equals the replay of the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ordercycle.errors import OrderCycleError
from ordercycle.inventory import Network, StockEvent, StockLedger
from ordercycle.invoicing import (
    AccountEntryPosted,
    CustomerAccount,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    NumberSeries,
    Payment,
    PaymentEvent,
    PaymentSettlement,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    apply_payment,
)
from ordercycle.model import Address
from ordercycle.model.aggregate import Aggregate, Outcome
from ordercycle.model.order import NewLine, Order, OrderEvent
from ordercycle.money import Money

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = date(2026, 3, 2)
VAT = TaxProfile("NL", [TaxRate("VAT21", 21)])


def _typed_order(order: Order) -> Aggregate[OrderEvent]:
    return order  # mypy checks that Order satisfies the protocol


def _typed_invoice(invoice: Invoice) -> Aggregate[InvoiceEvent]:
    return invoice  # mypy checks that Invoice satisfies the protocol


def _typed_payment(payment: Payment) -> Aggregate[PaymentEvent]:
    return payment


def _typed_ledger(ledger: StockLedger) -> Aggregate[StockEvent]:
    return ledger


def _typed_account(account: CustomerAccount) -> Aggregate[AccountEntryPosted]:
    return account


def _settlement(payment_id: str, events: list[AccountEntryPosted]) -> PaymentSettlement:
    found = PaymentSettlement.of(payment_id, [e.entry for e in events])
    assert found is not None
    return found


def _account_history() -> tuple[CustomerAccount, tuple[AccountEntryPosted, ...]]:
    usd = "USD"
    account = CustomerAccount.open("C-1", usd)
    steps = [
        lambda a: a.post_payment("P-1", Money("50.00", usd), DAY),
        lambda a: a.post_invoice("INV-1", Money("19.00", usd), DAY),
        lambda a: a.post_invoice("INV-2", Money("60.00", usd), DAY),
        lambda a: a.apply_credit(DAY),
        lambda a: a.post_credit_note("CN-1", "INV-2", Money("12.00", usd), DAY),
        lambda a: a.post_payment(
            "P-2", Money("16.50", usd), DAY, applied={"INV-2": Money("16.50", usd)}
        ),
        lambda a: a.write_off("WO-1", "INV-2", DAY, tolerance=Money("1.00", usd)),
        lambda a: a.post_payment("P-3", Money("7.00", usd), DAY),
        lambda a: a.refund("R-1", Money("4.00", usd), DAY, method="bank", reference="B-1"),
        lambda a: a.post_payment("P-4", Money("3.00", usd), DAY),
        lambda a: a.reverse_payment(_settlement("P-4", events), DAY, reason="not ours"),
    ]
    events: list[AccountEntryPosted] = []
    for step in steps:
        outcome = step(account)
        assert isinstance(outcome, Outcome)
        account, recorded = outcome
        events.extend(recorded)
    assert _typed_account(account).version == len(events)
    return account, tuple(events)


@pytest.mark.parametrize("cut", range(1, 11))
def test_account_replay_on_a_base_equals_the_whole_replay(cut: int) -> None:
    account, events = _account_history()
    base = CustomerAccount.replay(events[:cut])
    whole = CustomerAccount.replay(events)
    assert CustomerAccount.replay(events[cut:], base=base) == whole == account
    whole.balance.check()


def _order_history() -> tuple[Order, tuple[OrderEvent, ...]]:
    home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
    lines = [
        NewLine("L1", "MUG", 4, Money("9.50", "USD")),
        NewLine("L2", "TEA", 2, Money("5", "USD")),
    ]
    order, history = Order.create(
        "O-1", customer_id="C-1", currency="USD", shipping_address=home, at=T0, lines=lines
    )
    events = list(history)
    minute = timedelta(minutes=1)
    steps: list[tuple[str, tuple[Any, ...]]] = [
        ("place", ()),
        ("confirm", ()),
        ("release", ()),
        ("allocate", ("L1", 4)),
        ("allocate", ("L2", 2)),
        ("pick", ("L1", 4)),
        ("pack", ("L1", 4)),
        ("ship", ("L1", 3)),
    ]
    for n, (command, args) in enumerate(steps, start=1):
        outcome = getattr(order, command)(*args, at=T0 + n * minute)
        assert isinstance(outcome, Outcome)
        order, recorded = outcome
        events.extend(recorded)
    return order, tuple(events)


def _invoice_history() -> tuple[Invoice, tuple[InvoiceEvent, ...]]:
    line = InvoiceLine("MUG", "Mug", 4, Money("25.00", "EUR"), ["VAT21"])
    invoice, drafted = Invoice.draft("I-1", "C-1", [line], VAT, PaymentTerms.net(30), DAY)
    invoice, issued = invoice.issue(NumberSeries())
    invoice, paid = invoice.pay("P-1", Money("21.00", "EUR"), DAY + timedelta(days=3))
    invoice, credited = invoice.credit("CN-1", DAY + timedelta(days=5), {0: 1})
    invoice, settled = invoice.pay("P-2", invoice.balance, DAY + timedelta(days=9))
    return invoice, (*drafted, *issued, *paid, *credited, *settled)


def _payment_history() -> tuple[Payment, tuple[PaymentEvent, ...]]:
    invoices = []
    for n in (1, 2, 3):
        line = InvoiceLine("MUG", "Mug", n, Money("10.00", "EUR"), ["VAT21"])
        draft, _ = Invoice.draft(f"I-{n}", "C-1", [line], VAT, PaymentTerms.net(30), DAY)
        invoices.append(draft.issue(NumberSeries(f"I{n}-"))[0])
    payment, received = Payment.receive("P-1", "C-1", Money("80.00", "EUR"), DAY)
    first = apply_payment(invoices[:2], "P-1", Money("30.00", "EUR"), DAY)
    payment, allocated = payment.allocate(first)
    later = apply_payment(invoices[2:], "P-1", payment.unapplied, DAY + timedelta(days=1))
    payment, more = payment.allocate(later)
    return payment, (*received, *allocated, *more)


def _ledger_history() -> tuple[StockLedger, tuple[StockEvent, ...]]:
    ledger = StockLedger(Network.simple(["WH-A"], bins=2))
    ledger.receive("MUG", "WH-A/01", 10, at=T0)
    ledger.receive("TEA", "WH-A/02", 5, at=T0)
    ledger.place_hold("H-1", "MUG", "WH-A/01", 2, expires_at=T0 + timedelta(minutes=5), at=T0)
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 3, at=T0)
    ledger.sweep(at=T0 + timedelta(minutes=10))
    ledger.consume("O-1/1", "MUG", "WH-A/01", 2, at=T0 + timedelta(minutes=10))
    ledger.move("TEA", "WH-A/02", "WH-A/01", 1, at=T0 + timedelta(minutes=11))
    return ledger, ledger.events


def test_every_aggregate_is_an_aggregate() -> None:
    order, _ = _order_history()
    invoice, _ = _invoice_history()
    payment, _ = _payment_history()
    ledger, _ = _ledger_history()
    for aggregate in (
        _typed_order(order),
        _typed_invoice(invoice),
        _typed_payment(payment),
        _typed_ledger(ledger),
    ):
        assert isinstance(aggregate, Aggregate)
        assert aggregate.version > 0
    assert (order.id, invoice.id, payment.id, ledger.id) == ("O-1", "I-1", "P-1", "stock")
    assert not isinstance(object(), Aggregate)


def test_versions_count_the_events() -> None:
    order, order_events = _order_history()
    assert order.version == len(order_events) == order_events[-1].version
    invoice, invoice_events = _invoice_history()
    payment, payment_events = _payment_history()
    ledger, stock_events = _ledger_history()
    assert invoice.version == len(invoice_events) == invoice_events[-1].version
    assert payment.version == len(payment_events) == payment_events[-1].version
    assert ledger.version == len(stock_events)


def _splits(count: int) -> range:
    return range(1, count)


@pytest.mark.parametrize("cut", _splits(len(_order_history()[1])))
def test_order_replay_on_a_base_equals_the_whole_replay(cut: int) -> None:
    order, events = _order_history()
    base = Order.replay(events[:cut])
    assert Order.replay(events[cut:], base=base) == Order.replay(events) == order


@pytest.mark.parametrize("cut", _splits(len(_invoice_history()[1])))
def test_invoice_replay_on_a_base_equals_the_whole_replay(cut: int) -> None:
    invoice, events = _invoice_history()
    base = Invoice.replay(events[:cut])
    assert Invoice.replay(events[cut:], base=base) == Invoice.replay(events) == invoice


@pytest.mark.parametrize("cut", _splits(len(_payment_history()[1])))
def test_payment_replay_on_a_base_equals_the_whole_replay(cut: int) -> None:
    payment, events = _payment_history()
    base = Payment.replay(events[:cut])
    assert Payment.replay(events[cut:], base=base) == Payment.replay(events) == payment


@pytest.mark.parametrize("cut", _splits(len(_ledger_history()[1])))
def test_stock_replay_on_a_base_equals_the_whole_replay(cut: int) -> None:
    ledger, events = _ledger_history()
    network = ledger.network
    base = StockLedger.replay(events[:cut], network=network)
    split = StockLedger.replay(events[cut:], base=base)
    whole = StockLedger.replay(events, network=network)
    assert split.state() == whole.state() == ledger.state()
    assert split.version == whole.version == ledger.version


def _outcome_is_new_events(before_events: Sequence[Any], outcome: Outcome[Any, Any]) -> None:
    aggregate, events = outcome
    assert isinstance(outcome, Outcome)
    assert events
    assert tuple(aggregate.events[len(before_events) :]) == events


def test_commands_return_the_aggregate_and_the_events_they_recorded() -> None:
    line = InvoiceLine("MUG", "Mug", 1, Money("5.00", "EUR"))
    draft, drafted = Invoice.draft("I-9", "C-1", [line], VAT, PaymentTerms.net(30), DAY)
    assert drafted == draft.events
    issued, _ = draft.issue(NumberSeries())
    _outcome_is_new_events(draft.events, draft.issue(NumberSeries()))
    _outcome_is_new_events(issued.events, issued.pay("P-9", Money("1.00", "EUR"), DAY))
    ledger, _ = _ledger_history()
    before = ledger.events
    outcome = ledger.receive("MUG", "WH-A/02", 4, at=T0)
    assert outcome.aggregate is ledger  # mutable inside: the same ledger, changed
    _outcome_is_new_events(before, outcome)
    payment, received = Payment.receive("P-9", "C-1", Money("1.00", "EUR"), DAY)
    assert (payment.version, Payment.replay(received)) == (1, payment)


def _refusals() -> list[tuple[str, Any, Callable[[Any], Any], Callable[[Any], Any]]]:
    def value(aggregate: Any) -> Any:
        return aggregate  # orders, invoices and payments are frozen: the value is the state

    def ledger_state(ledger: StockLedger) -> Any:
        return (ledger.state(), ledger.events)

    order, _ = _order_history()
    invoice, _ = _invoice_history()
    payment, _ = _payment_history()
    ledger, _ = _ledger_history()
    nothing_left = apply_payment([], "P-1", Money("1.00", "EUR"), DAY)
    account, _ = _account_history()
    return [
        (
            "apply more credit than is on account",
            account,
            lambda a: a.apply_credit(DAY, Money("999.00", "USD")),
            value,
        ),
        (
            "refund more than the credit",
            account,
            lambda a: a.refund("R-9", Money("999.00", "USD"), DAY, method="m", reference="r"),
            value,
        ),
        (
            "ship more than is packed",
            order,
            lambda o: o.ship("L2", 1, at=T0 + timedelta(hours=1)),
            value,
        ),
        (
            "confirm a released order",
            order,
            lambda o: o.confirm(at=T0 + timedelta(hours=1)),
            value,
        ),
        (
            "pay a paid invoice",
            invoice,
            lambda i: i.pay("P-9", Money("1.00", "EUR"), DAY),
            value,
        ),
        ("cancel a credited invoice", invoice, lambda i: i.cancel("no", DAY), value),
        ("allocate nothing", payment, lambda p: p.allocate(nothing_left), value),
        (
            "allocate more than is on hand",
            ledger,
            lambda s: s.allocate("O-9/1", "MUG", "WH-A/01", 999, at=T0),
            ledger_state,
        ),
        ("release an unknown hold", ledger, lambda s: s.release_hold("H-9", at=T0), ledger_state),
    ]


@pytest.mark.parametrize(
    ("what", "aggregate", "command", "state"), _refusals(), ids=[r[0] for r in _refusals()]
)
def test_a_refused_command_changes_nothing_and_records_nothing(
    what: str, aggregate: Any, command: Callable[[Any], Any], state: Callable[[Any], Any]
) -> None:
    before = state(aggregate)
    version = aggregate.version
    with pytest.raises(OrderCycleError):
        command(aggregate)
    assert state(aggregate) == before
    assert aggregate.version == version
