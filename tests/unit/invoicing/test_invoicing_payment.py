"""The payment aggregate: receive, allocate over time, write off, replay."""

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
    PaymentNotAllowedError,
    PaymentReceived,
    PaymentTerms,
    TaxProfile,
)
from ordercycle.model.events import DomainEvent
from ordercycle.money import Money

NONE = TaxProfile("none", [])


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def bill(invoice_id: str, amount: str, day: date, customer: str = "C-1") -> Invoice:
    draft = Invoice.draft(
        invoice_id,
        customer,
        [InvoiceLine("A", "A", 1, eur(amount))],
        NONE,
        PaymentTerms.net(30),
        day,
    )
    return draft.issue(NumberSeries(f"{invoice_id}-"))[0]


def test_receive_allocate_and_keep_the_rest_as_credit() -> None:
    payment = Payment.receive("P-1", "C-1", eur("150.00"), date(2026, 2, 1))
    assert isinstance(payment.events[0], PaymentReceived)
    first = [bill("I-1", "100.00", date(2026, 1, 1))]
    payment, result = payment.allocate(first)
    assert result.invoices[0].state == "paid"
    assert payment.allocations == (("I-1", eur("100.00")),)
    assert payment.unallocated == eur("50.00")
    later = [bill("I-2", "80.00", date(2026, 2, 10))]
    payment, result = payment.allocate(later, date(2026, 2, 10))
    assert result.invoices[0].balance == eur("30.00")
    assert payment.unallocated == eur("0.00")
    assert payment.version == 3
    with pytest.raises(PaymentNotAllowedError, match="nothing is left to allocate"):
        payment.allocate(later)
    assert payment.version == 3


def test_write_off_the_unallocated_rest() -> None:
    payment = Payment.receive("P-1", "C-1", eur("100.03"), date(2026, 2, 1))
    payment, _ = payment.allocate([bill("I-1", "100.00", date(2026, 1, 1))])
    payment = payment.write_off(date(2026, 3, 1))
    assert (payment.written_off, payment.unallocated) == (eur("0.03"), eur("0.00"))
    with pytest.raises(PaymentNotAllowedError, match="nothing is left unallocated"):
        payment.write_off(date(2026, 3, 2))


def test_allocation_refuses_other_customers_and_currencies() -> None:
    payment = Payment.receive("P-1", "C-1", eur("10.00"), date(2026, 2, 1))
    with pytest.raises(PaymentNotAllowedError, match="of customer C-2"):
        payment.allocate([bill("I-9", "5.00", date(2026, 1, 1), customer="C-2")])
    usd = Invoice.draft(
        "I-U",
        "C-1",
        [InvoiceLine("A", "A", 1, Money("5.00", "USD"))],
        NONE,
        PaymentTerms.net(30),
        date(2026, 1, 1),
    ).issue(NumberSeries())[0]
    with pytest.raises(CurrencyMismatchError):
        payment.allocate([usd])
    assert payment.allocations == ()
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
    payment = Payment.receive("P-1", "C-1", eur("150.03"), date(2026, 2, 1))
    payment, _ = payment.allocate([bill("I-1", "100.00", date(2026, 1, 1))])
    payment, _ = payment.allocate([bill("I-2", "50.00", date(2026, 1, 5))])
    payment = payment.write_off(date(2026, 3, 1))
    assert Payment.replay(payment.events) == payment
    restored = [
        serialization.from_json(serialization.to_json(e), DomainEvent) for e in payment.events
    ]
    assert Payment.replay(restored) == payment  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="starts with PaymentReceived"):
        Payment.replay(payment.events[1:])
    with pytest.raises(ValidationError, match="with version 2"):
        Payment.replay((payment.events[0], payment.events[2]))
