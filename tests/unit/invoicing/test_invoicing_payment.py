"""The payment aggregate: receive, allocate over time, replay."""

from __future__ import annotations

from datetime import date

import pytest

from ordercycle import serialization
from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.invoicing import (
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
    PaymentAllocated,
    PaymentApplication,
    PaymentNotAllowedError,
    PaymentOutcome,
    PaymentReceived,
    PaymentTerms,
    TaxProfile,
    apply_payment,
)
from ordercycle.model.events import DomainEvent
from ordercycle.money import Money

NONE = TaxProfile("none", [])


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def bill(invoice_id: str, amount: str, day: date, customer: str = "C-1") -> Invoice:
    draft, _ = Invoice.draft(
        invoice_id,
        customer,
        [InvoiceLine("A", "A", 1, eur(amount))],
        NONE,
        PaymentTerms.net(30),
        day,
    )
    return draft.issue(NumberSeries(f"{invoice_id}-"))[0]


def allocate(payment: Payment, invoices: list[Invoice], on: date | None = None) -> PaymentOutcome:
    allocation = apply_payment(
        invoices, payment.payment_id, payment.unapplied, on or payment.paid_on
    )
    return payment.allocate(allocation)


def test_receive_allocate_and_keep_the_rest_as_credit() -> None:
    payment, received = Payment.receive("P-1", "C-1", eur("150.00"), date(2026, 2, 1))
    assert isinstance(received[0], PaymentReceived)
    assert (payment.id, payment.version, payment.unapplied) == ("P-1", 1, eur("150.00"))
    first = [bill("I-1", "100.00", date(2026, 1, 1))]
    allocation = apply_payment(first, "P-1", payment.unapplied, payment.paid_on)
    assert allocation.invoices[0].state == "paid"
    payment, events = payment.allocate(allocation)
    assert [type(e) for e in events] == [PaymentAllocated]
    assert payment.applications == (
        PaymentApplication(invoice_id="I-1", applied=eur("100.00"), discount=eur("0.00")),
    )
    assert payment.unapplied == eur("50.00")
    later = [bill("I-2", "80.00", date(2026, 2, 10))]
    payment, _ = allocate(payment, later, date(2026, 2, 10))
    assert payment.applied == eur("100.00") + eur("50.00")
    assert payment.unapplied == eur("0.00")
    assert payment.version == 3
    more = apply_payment(later, "P-1", eur("1.00"), date(2026, 2, 10))
    with pytest.raises(PaymentNotAllowedError, match=r"only 0\.00 EUR is unapplied"):
        payment.allocate(more)
    assert payment.version == 3


def test_one_event_per_invoice_reached_with_its_discount() -> None:
    early = Invoice.draft(
        "I-1",
        "C-1",
        [InvoiceLine("A", "A", 1, eur("100.00"))],
        NONE,
        PaymentTerms.parse("2/10 Net 30"),
        date(2026, 1, 1),
    ).aggregate.issue(NumberSeries("I-1-"))[0]
    invoices = [early, bill("I-2", "50.00", date(2026, 1, 2))]
    payment, received = Payment.receive("P-1", "C-1", eur("148.00"), date(2026, 1, 5))
    payment, events = allocate(payment, invoices)
    assert [e.version for e in events] == [2, 3]
    assert [a.invoice_id for a in payment.applications] == ["I-1", "I-2"]
    assert payment.applications[0].discount == eur("2.00")
    assert Payment.replay((*received, *events)) == payment
    assert Payment.replay(events[1:], base=Payment.replay((*received, events[0]))) == payment


def test_allocation_refuses_nothing_reached_other_payments_and_other_customers() -> None:
    payment, _ = Payment.receive("P-1", "C-1", eur("10.00"), date(2026, 2, 1))
    paid = bill("I-0", "5.00", date(2026, 1, 1))
    with pytest.raises(PaymentNotAllowedError, match="reached no invoice"):
        payment.allocate(apply_payment([], "P-1", eur("10.00"), date(2026, 2, 1)))
    with pytest.raises(PaymentNotAllowedError, match="paid by payment P-2"):
        payment.allocate(apply_payment([paid], "P-2", eur("5.00"), date(2026, 2, 1)))
    other = bill("I-9", "5.00", date(2026, 1, 1), customer="C-2")
    with pytest.raises(PaymentNotAllowedError, match="of customer C-2"):
        allocate(payment, [other])
    usd = Invoice.draft(
        "I-U",
        "C-1",
        [InvoiceLine("A", "A", 1, Money("5.00", "USD"))],
        NONE,
        PaymentTerms.net(30),
        date(2026, 1, 1),
    ).aggregate.issue(NumberSeries())[0]
    with pytest.raises(CurrencyMismatchError):
        payment.allocate(apply_payment([usd], "P-1", Money("5.00", "USD"), date(2026, 2, 1)))
    assert payment.applications == ()
    assert payment.version == 1


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (("", "C-1", eur("1.00")), ValidationError, "non-empty id"),
        (("P", "C-1", eur("0.00")), PaymentNotAllowedError, "positive"),
        (("P", "C-1", eur("1.001")), PaymentNotAllowedError, "whole minor units"),
    ],
)
def test_bad_payments_are_refused(
    args: tuple[str, str, Money], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        Payment.receive(*args, date(2026, 1, 1))


def test_replay_and_json_round_trip() -> None:
    payment, received = Payment.receive("P-1", "C-1", eur("150.03"), date(2026, 2, 1))
    payment, first = allocate(payment, [bill("I-1", "100.00", date(2026, 1, 1))])
    payment, second = allocate(payment, [bill("I-2", "50.00", date(2026, 1, 5))])
    events = (*received, *first, *second)
    assert Payment.replay(events) == payment
    restored = [serialization.from_json(serialization.to_json(e), DomainEvent) for e in events]
    assert Payment.replay(restored) == payment  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="starts with PaymentReceived"):
        Payment.replay(events[1:])
    with pytest.raises(ValidationError, match="with version 2"):
        Payment.replay((events[0], events[2]))
    assert serialization.from_dict(serialization.to_dict(payment), Payment) == payment


def test_an_allocation_event_names_one_invoice() -> None:
    _, received = Payment.receive("P-1", "C-1", eur("20.00"), date(2026, 2, 1))
    two = PaymentAllocated(
        aggregate_id="P-1",
        version=2,
        occurred_at=received[0].occurred_at,
        allocated_on=date(2026, 2, 1),
        allocations=(("I-1", eur("10.00")), ("I-2", eur("10.00"))),
    )
    with pytest.raises(ValidationError, match="one \\(invoice id, amount\\) pair"):
        Payment.replay((*received, two))


def test_sequences_are_written_as_cattrs_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # The library's converter writes tuple[X, ...] and list[X] fields with a list
    # comprehension of its own; a converter built without that hook is cattrs's iterable
    # hook. Both must write the same data (the stored format), nested sequences included.
    from ordercycle.serialization import _converter

    payment, received = Payment.receive("P-1", "C-1", eur("150.03"), date(2026, 2, 1))
    invoices = [bill("I-1", "100.00", date(2026, 1, 1)), bill("I-2", "50.00", date(2026, 1, 5))]
    allocation = apply_payment(invoices, "P-1", payment.unapplied, payment.paid_on)
    paid, events = payment.allocate(allocation)
    objects: list[object] = [paid, *received, *events, *allocation.invoices, *invoices]
    ours = serialization.make_converter()
    monkeypatch.setattr(_converter, "_homogeneous_sequence", lambda type_: False)
    stock = serialization.make_converter()
    for obj in objects:
        written = serialization.to_dict(obj, converter=ours)
        assert written == serialization.to_dict(obj, converter=stock)
    paid_invoice = allocation.invoices[0]
    assert serialization.to_dict(paid_invoice, converter=ours)["payments"]  # a non-empty one
    # The comparison above is between two hooks, not one hook twice.
    lines = tuple[InvoiceLine, ...]
    assert ours.get_unstructure_hook(lines).__name__ == "unstructure_sequence"
    assert stock.get_unstructure_hook(lines).__name__ != "unstructure_sequence"
