"""Invoice events are registered domain events that survive JSON and pickling."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime

import pytest

from ordercycle import serialization
from ordercycle.errors import ValidationError
from ordercycle.invoicing import (
    CreditExceedsInvoicedError,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
)
from ordercycle.model.events import DomainEvent
from ordercycle.money import Money


def history() -> Invoice:
    vat = TaxProfile("NL", [TaxRate("VAT21", 21)])
    line = InvoiceLine("MUG", "Mug", 3, Money("10.00", "EUR"), ["VAT21"])
    draft, _ = Invoice.draft(
        "I-1", "C-1", [line], vat, PaymentTerms.parse("2/10 Net 30"), date(2026, 1, 15)
    )
    invoice, _ = draft.issue(NumberSeries(), at=datetime(2026, 1, 15, 9, 30, tzinfo=UTC))
    invoice, _ = invoice.pay("P-1", Money("10.00", "EUR"), date(2026, 1, 16))
    invoice, _ = invoice.credit("CN-1", date(2026, 1, 17), {0: 1})
    return invoice


def test_events_are_registered_with_stable_names() -> None:
    names = [event.event_type for event in history().events]
    assert names == [
        "InvoiceDrafted",
        "InvoiceIssued",
        "InvoicePaymentApplied",
        "InvoiceCreditNoteIssued",
    ]
    for name in names:
        assert issubclass(DomainEvent.lookup(name), InvoiceEvent)


def test_events_have_consecutive_versions_and_the_given_time() -> None:
    events = history().events
    assert [e.version for e in events] == [1, 2, 3, 4]
    assert {e.aggregate_id for e in events} == {"I-1"}
    assert events[1].occurred_at == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def test_events_round_trip_through_json() -> None:
    for event in history().events:
        text = serialization.to_json(event)
        assert serialization.from_json(text, DomainEvent) == event


def test_events_and_errors_pickle() -> None:
    events = history().events
    assert pickle.loads(pickle.dumps(events)) == events
    error = CreditExceedsInvoicedError("x", line=0, invoiced=3, credited=1, requested=5)
    restored = pickle.loads(pickle.dumps(error))
    assert (restored.line, restored.invoiced, restored.credited, restored.requested) == (0, 3, 1, 5)


def test_replaying_the_events_rebuilds_the_invoice() -> None:
    invoice = history()
    assert Invoice.replay(invoice.events) == invoice
    text = [serialization.to_json(event) for event in invoice.events]
    restored = [serialization.from_json(t, DomainEvent) for t in text]
    assert Invoice.replay(restored) == invoice  # type: ignore[arg-type]
    canceled, _ = Invoice.replay(invoice.events[:2]).cancel("duplicate", date(2026, 1, 16))
    assert Invoice.replay(canceled.events) == canceled


def test_replay_refuses_broken_histories() -> None:
    events = history().events
    with pytest.raises(ValidationError, match="starts with InvoiceDrafted"):
        Invoice.replay(events[1:])
    with pytest.raises(ValidationError, match="with version 2"):
        Invoice.replay((events[0], events[2]))
    with pytest.raises(ValidationError, match="starts with InvoiceDrafted"):
        Invoice.replay(())


def test_replay_on_a_base_applies_only_the_later_events() -> None:
    invoice = history()
    events = invoice.events
    for cut in range(1, len(events) + 1):
        base = Invoice.replay(events[:cut])
        assert Invoice.replay(events[cut:], base=base) == invoice
    base = Invoice.replay(events[:1])
    with pytest.raises(ValidationError, match="with version 2"):
        Invoice.replay(events[2:], base=base)
    assert base == Invoice.replay(events[:1])


def test_an_event_at_a_given_time_is_built_as_the_class_builds_it() -> None:
    """``make_event`` with an aware ``at`` skips the common checks and stores ``at`` as it is;
    a naive time (or not a datetime) still goes through the class and is refused."""
    from datetime import timedelta, timezone

    from ordercycle.invoicing.events import InvoiceIssued, make_event
    from ordercycle.model.clock import NaiveDatetimeError

    fields = {"number": "INV-1", "issued_on": date(2026, 1, 15), "due_dates": ()}
    for at in (
        datetime(2026, 1, 15, 9, tzinfo=UTC),
        datetime(2026, 1, 15, 9, tzinfo=timezone(timedelta(hours=2))),
    ):
        made = make_event(InvoiceIssued, "I-1", 2, date(2026, 1, 15), at, **fields)
        built = InvoiceIssued(aggregate_id="I-1", version=2, occurred_at=at, **fields)
        assert made == built
        assert type(made) is InvoiceIssued  # the model's maker built it, as the class would
        assert made.occurred_at is at
    with pytest.raises(NaiveDatetimeError):
        make_event(InvoiceIssued, "I-1", 2, date(2026, 1, 15), datetime(2026, 1, 15), **fields)
    with pytest.raises(ValidationError):
        make_event(InvoiceIssued, " I-1", 2, date(2026, 1, 15), datetime.now(UTC), **fields)


def test_an_account_entry_event_is_built_as_the_class_builds_it() -> None:
    """The account posts its ``AccountEntryPosted`` through ``make_event``: the event the
    class builds, at midnight UTC of the date without ``at``; a naive ``at`` is refused."""
    from ordercycle.invoicing import CustomerAccount
    from ordercycle.invoicing.account import AccountEntry, AccountEntryPosted, EntryKind
    from ordercycle.model.clock import NaiveDatetimeError
    from ordercycle.money import Money

    account = CustomerAccount.open("C-1", "USD")
    day = date(2026, 1, 15)
    for at in (None, datetime(2026, 1, 15, 9, tzinfo=UTC)):
        posted, (event,) = account.post_invoice("I-1", Money("10.00", "USD"), day, at=at)
        built = AccountEntryPosted(
            aggregate_id="C-1",
            version=1,
            occurred_at=at or datetime(2026, 1, 15, tzinfo=UTC),
            entry=AccountEntry(
                sequence=1,
                kind=EntryKind.INVOICE,
                document_id="I-1",
                on=day,
                amount=Money("10.00", "USD"),
            ),
        )
        assert event == built
        assert type(event) is AccountEntryPosted
        assert CustomerAccount.replay([event]) == posted
    with pytest.raises(NaiveDatetimeError):
        account.post_invoice("I-1", Money("10.00", "USD"), day, at=datetime(2026, 1, 15))
