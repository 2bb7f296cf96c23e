"""Invoices: drafting, numbering, payments, discounts, write-offs, credit notes, cancelation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ordercycle.errors import (
    CurrencyMismatchError,
    InvoicingError,
    TransitionNotAllowedError,
    ValidationError,
)
from ordercycle.invoicing import (
    CreditExceedsInvoicedError,
    CreditNoteIssued,
    DiscountTaxTreatment,
    DueDateRule,
    EarlyDiscount,
    Invoice,
    InvoiceDrafted,
    InvoiceIssued,
    InvoiceLine,
    NumberSeries,
    PaymentApplied,
    PaymentNotAllowedError,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    apply_payment,
)
from ordercycle.model.events import DomainEvent
from ordercycle.money import Money

VAT = TaxProfile("NL", [TaxRate("VAT21", 21)])
JAN15 = date(2026, 1, 15)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def lines() -> list[InvoiceLine]:
    return [
        InvoiceLine("MUG", "Mug", 4, eur("10.00"), ["VAT21"]),
        InvoiceLine("TEA", "Tea", 2, eur("30.00"), ["VAT21"], discount=50),
    ]


def issued(terms: str | PaymentTerms = "Net 30", **kwargs: object) -> Invoice:
    chosen = PaymentTerms.parse(terms) if isinstance(terms, str) else terms
    draft, _ = Invoice.draft("I-1", "C-1", lines(), VAT, chosen, JAN15, **kwargs)  # type: ignore[arg-type]
    invoice, _ = draft.issue(NumberSeries("INV-"))
    return invoice


def test_draft_computes_taxes_and_records_an_event() -> None:
    draft, _ = Invoice.draft("I-1", "C-1", lines(), VAT, PaymentTerms.net(30), JAN15)
    assert draft.state == "draft"
    assert draft.taxes.untaxed == eur("70.00")
    assert draft.total == eur("84.70")
    assert draft.version == 1
    (event,) = draft.events
    assert isinstance(event, InvoiceDrafted)
    assert isinstance(event, DomainEvent)
    assert event.occurred_at == datetime(2026, 1, 15, tzinfo=UTC)
    assert event.total == eur("84.70")
    assert draft.schedule is None
    assert draft.open_installments() == ()


def test_issue_numbers_without_gaps_and_fixes_the_schedule() -> None:
    series = NumberSeries("INV-2026-", width=4)
    first, _ = Invoice.draft("I-1", "C", lines(), VAT, PaymentTerms.net(30), JAN15)
    first, events = first.issue(series)
    assert events == (first.events[-1],)
    assert events[0].number == series.peek()
    series = series.next()
    second, _ = Invoice.draft("I-2", "C", lines(), VAT, PaymentTerms.net(30), JAN15)
    second, _ = second.issue(series)
    series = series.next()
    assert (first.number, second.number, series.peek()) == (
        "INV-2026-0001",
        "INV-2026-0002",
        "INV-2026-0003",
    )
    assert first.state == "issued"
    assert first.schedule is not None
    assert first.schedule.final_due_date == date(2026, 2, 14)
    assert isinstance(first.events[-1], InvoiceIssued)
    assert first.events[-1].due_dates == (date(2026, 2, 14),)


def test_refused_issue_consumes_no_number() -> None:
    invoice = issued()
    series = NumberSeries("INV-", next_number=7)
    with pytest.raises(TransitionNotAllowedError, match="Cannot issue invoice INV-000001"):
        invoice.issue(series)
    assert series.peek() == "INV-000007"


def test_terms_count_from_the_anchor_date() -> None:
    invoice = issued("2/10 Net 30 ROG", anchor_date=date(2026, 2, 1))
    assert invoice.schedule is not None
    assert invoice.schedule.discount_deadline == date(2026, 2, 11)
    assert invoice.schedule.final_due_date == date(2026, 3, 3)


def test_terms_anchored_on_another_event_need_its_date() -> None:
    for text, words in (("COD", "receipt date"), ("CWO", "order date"), ("CND", "next delivery")):
        with pytest.raises(ValidationError, match=words):
            Invoice.draft("I-1", "C-1", lines(), VAT, PaymentTerms.parse(text), JAN15)
    cod = issued("COD", anchor_date=date(2026, 1, 20))
    assert cod.schedule is not None
    assert cod.schedule.final_due_date == date(2026, 1, 20)


def test_partial_then_full_payment() -> None:
    invoice = issued()
    invoice, _ = invoice.pay("P-1", eur("40.00"), date(2026, 2, 1))
    record = invoice.payments[-1]
    assert invoice.state == "partially_paid"
    assert invoice.balance == eur("44.70")
    assert record.applied == eur("40.00")
    invoice, _ = invoice.pay("P-2", eur("44.70"), date(2026, 2, 20))
    assert invoice.state == "paid"
    assert invoice.balance == eur("0.00")
    assert invoice.version == 4
    assert [type(e).__name__ for e in invoice.events] == [
        "InvoiceDrafted",
        "InvoiceIssued",
        "PaymentApplied",
        "PaymentApplied",
    ]
    last = invoice.events[-1]
    assert isinstance(last, PaymentApplied)
    assert last.event_type == "InvoicePaymentApplied"
    assert (last.amount, last.state, last.version) == (eur("44.70"), "paid", 4)


def test_early_discount_is_taken_automatically_on_or_before_the_deadline() -> None:
    invoice = issued("2/10 Net 30")  # 84.70 -> 1.69 discount, 83.01 early
    assert invoice.discount_available(date(2026, 1, 25)) == eur("1.69")
    paid, _ = invoice.pay("P-1", eur("83.01"), date(2026, 1, 25))
    record = paid.payments[-1]
    assert paid.state == "paid"
    assert record.discount == eur("1.69")
    assert paid.discount_taken == eur("1.69")
    late, _ = invoice.pay("P-1", eur("83.01"), date(2026, 1, 26))
    record = late.payments[-1]
    assert late.state == "partially_paid"
    assert late.balance == eur("1.69")
    assert record.discount == eur("0.00")


def test_odoo_example_on_an_invoice_discount_at_invoicing() -> None:
    terms = PaymentTerms.single(
        DueDateRule.days_after(30),
        discount=EarlyDiscount.within_days(2, 7, tax_treatment=DiscountTaxTreatment.AT_INVOICING),
    )
    line = InvoiceLine("X", "Service", 1, eur("100.00"), ["VAT21"])
    draft, _ = Invoice.draft("I-9", "C", [line], VAT, terms, JAN15)
    invoice, _ = draft.issue(NumberSeries())
    assert invoice.total == eur("120.58")
    assert invoice.schedule is not None
    assert invoice.schedule.amount_to_settle(date(2026, 1, 22)) == eur("118.58")
    assert invoice.pay("P", eur("118.58"), date(2026, 1, 22))[0].state == "paid"
    assert invoice.pay("P", eur("118.58"), date(2026, 1, 23))[0].balance == eur("2.00")


def test_small_difference_closes_only_with_an_explicit_write_off() -> None:
    invoice = issued()
    short, _ = invoice.pay("P-1", eur("84.68"), date(2026, 2, 1))
    assert short.state == "partially_paid"
    closed, _ = invoice.pay("P-1", eur("84.68"), date(2026, 2, 1), write_off=eur("0.02"))
    record = closed.payments[-1]
    assert closed.state == "paid"
    assert record.written_off == eur("0.02")
    with pytest.raises(PaymentNotAllowedError, match="must equal it"):
        invoice.pay("P-1", eur("84.68"), date(2026, 2, 1), write_off=eur("0.01"))


def test_overpayment_is_kept_as_customer_credit_or_written_off() -> None:
    invoice = issued()
    kept, _ = invoice.pay("P-1", eur("100.00"), date(2026, 2, 1))
    record = kept.payments[-1]
    assert kept.state == "paid"
    assert record.excess == eur("15.30")
    assert kept.customer_credit == eur("15.30")
    gone, _ = invoice.pay("P-1", eur("100.00"), date(2026, 2, 1), excess="write_off")
    record = gone.payments[-1]
    assert record.excess_written_off
    assert gone.customer_credit == eur("0.00")


@pytest.mark.parametrize(
    ("amount", "kwargs", "error", "words"),
    [
        (eur("0.00"), {}, PaymentNotAllowedError, "positive"),
        (eur("-1.00"), {}, PaymentNotAllowedError, "positive"),
        (eur("1.001"), {}, PaymentNotAllowedError, "whole minor units"),
        (Money("1.00", "USD"), {}, CurrencyMismatchError, "EUR and USD"),
        (Decimal("1.00"), {}, PaymentNotAllowedError, "expected a Money"),
        (eur("1.00"), {"excess": "refund"}, PaymentNotAllowedError, "'credit' or 'write_off'"),
        (eur("1.00"), {"write_off": eur("0.00")}, PaymentNotAllowedError, "positive"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(
    amount: Money, kwargs: dict[str, object], error: type[Exception], words: str
) -> None:
    invoice = issued()
    with pytest.raises(error, match=words):
        invoice.pay("P-1", amount, date(2026, 2, 1), **kwargs)  # type: ignore[arg-type]
    assert invoice.balance == eur("84.70")
    assert invoice.version == 2
    assert invoice.payments == ()


def test_paying_a_canceled_draft_or_paid_invoice_is_refused() -> None:
    draft, _ = Invoice.draft("I-1", "C-1", lines(), VAT, PaymentTerms.net(30), JAN15)
    with pytest.raises(TransitionNotAllowedError, match="Cannot pay invoice I-1: it is draft"):
        draft.pay("P", eur("1.00"), JAN15)
    canceled, _ = issued().cancel("duplicate", JAN15)
    assert canceled.state == "canceled"
    with pytest.raises(TransitionNotAllowedError, match="it is canceled") as info:
        canceled.pay("P", eur("1.00"), JAN15)
    assert info.value.state == "canceled"
    assert canceled.version == 3
    paid, _ = issued().pay("P", eur("84.70"), JAN15)
    with pytest.raises(TransitionNotAllowedError, match="it is paid"):
        paid.pay("P2", eur("1.00"), JAN15)


def test_cancel_only_before_payments_and_credit_notes() -> None:
    partly, _ = issued().pay("P", eur("1.00"), JAN15)
    with pytest.raises(TransitionNotAllowedError, match="Cannot cancel"):
        partly.cancel("oops", JAN15)
    credited, _ = issued().credit("CN-1", JAN15, {0: 1})
    with pytest.raises(TransitionNotAllowedError, match="credit notes"):
        credited.cancel("oops", JAN15)
    assert credited.state == "issued"


def test_partial_credit_note_with_restocking_fee() -> None:
    invoice = issued()
    untaxed_fee, _ = invoice.credit("CN-1", date(2026, 1, 20), {0: 2}, restocking_fee_percent=10)
    plain = untaxed_fee.credit_notes[-1]
    assert plain.restocking_fee == eur("2.00")
    assert plain.restocking_fee_taxes == ()  # by default the fee is kept back untaxed
    assert plain.total == eur("22.20")
    assert untaxed_fee.balance == eur("62.50")
    assert Invoice.replay(untaxed_fee.events) == untaxed_fee
    invoice, _ = invoice.credit(
        "CN-1", date(2026, 1, 20), {0: 2}, restocking_fee_percent=10, restocking_fee_taxed=True
    )
    note = invoice.credit_notes[-1]
    assert note.untaxed == eur("20.00")
    assert note.tax == eur("4.20")
    assert note.restocking_fee == eur("2.00")
    assert invoice.events[-1].restocking_fee_taxed is True  # type: ignore[attr-defined]
    # The fee carries the VAT of the credited line: 10 % of the 4.20 credited.
    assert note.restocking_fee_taxes == (("VAT21", eur("0.42")),)
    assert note.restocking_fee_tax == eur("0.42")
    assert note.total == eur("21.78")  # 20.00 + 4.20 - 2.00 - 0.42
    assert invoice.balance == eur("62.92")
    assert invoice.credited_quantity(0) == Decimal(2)
    assert isinstance(invoice.events[-1], CreditNoteIssued)
    assert Invoice.replay(invoice.events) == invoice


def test_restocking_fee_tax_follows_each_credited_tax_code() -> None:
    profile = TaxProfile("EU", [TaxRate("VAT21", 21), TaxRate("VAT9", 9), TaxRate("ECO", 5)])
    mixed = [
        InvoiceLine("CHAIR", "Chair", 2, eur("100.00"), ["VAT21"]),
        InvoiceLine("BOOK", "Book", 3, eur("15.00"), ["VAT9"]),
        InvoiceLine("LAMP", "Lamp", 1, eur("40.00"), ["VAT21", "ECO"]),
    ]
    draft, _ = Invoice.draft(
        "I-9", "C-1", mixed, profile.exempt("ECO"), PaymentTerms.net(30), JAN15
    )
    invoice, _ = draft.issue(NumberSeries())
    credited, _ = invoice.credit(
        "CN-1", JAN15, {0: 1, 1: 3, 2: 1}, restocking_fee_percent="12.5", restocking_fee_taxed=True
    )
    note = credited.credit_notes[-1]
    # Credited: untaxed 185.00; VAT21 21.00 + 8.40, VAT9 4.05, ECO 0 (exempt).
    assert note.untaxed == eur("185.00")
    assert note.restocking_fee == eur("23.13")  # 12.5 % of 185.00 = 23.125
    assert note.restocking_fee_taxes == (
        ("VAT21", eur("3.68")),  # 12.5 % of 29.40 = 3.675
        ("VAT9", eur("0.51")),  # 12.5 % of 4.05 = 0.50625
        ("ECO", eur("0.00")),
    )
    assert note.total == note.untaxed + note.tax - note.restocking_fee - eur("4.19")


def test_no_restocking_fee_keeps_no_tax_back() -> None:
    credited, _ = issued().credit("CN-1", JAN15, {0: 1})
    note = credited.credit_notes[-1]
    assert note.restocking_fee_taxes == ()
    assert note.restocking_fee_tax == eur("0.00")
    assert note.total == note.untaxed + note.tax


def test_full_credit_returns_exactly_what_was_invoiced() -> None:
    line = InvoiceLine("PEN", "Pen", 3, eur("0.50"), ["VAT21"])
    draft, _ = Invoice.draft("I-2", "C", [line], VAT, PaymentTerms.net(30), JAN15)
    invoice, _ = draft.issue(NumberSeries())
    assert invoice.total == eur("1.82")  # tax 0.315 -> 0.32
    totals = []
    for n in range(3):
        invoice, _ = invoice.credit(f"CN-{n}", JAN15, {0: 1})
        note = invoice.credit_notes[-1]
        totals.append(note.total)
    assert sum(totals, eur("0")) == eur("1.82")
    assert invoice.state == "paid"
    assert invoice.balance == eur("0.00")


def test_credit_after_payment_becomes_customer_credit() -> None:
    invoice, _ = issued().pay("P", eur("84.70"), JAN15)
    invoice, _ = invoice.credit("CN-1", JAN15)  # everything
    note = invoice.credit_notes[-1]
    assert note.total == eur("84.70")
    assert note.refund == eur("84.70")
    assert invoice.customer_credit == eur("84.70")
    assert invoice.state == "paid"


def test_crediting_more_than_invoiced_is_refused_and_changes_nothing() -> None:
    invoice, _ = issued().credit("CN-1", JAN15, {0: 3})
    with pytest.raises(CreditExceedsInvoicedError, match="at most 1 can be credited") as info:
        invoice.credit("CN-2", JAN15, {0: 2})
    assert (info.value.invoiced, info.value.credited, info.value.requested) == (4, 3, 2)
    assert invoice.credited_quantity(0) == 3
    assert len(invoice.credit_notes) == 1
    full, _ = invoice.credit("CN-3", JAN15)
    with pytest.raises(InvoicingError, match="Nothing to credit"):
        full.credit("CN-4", JAN15)


@pytest.mark.parametrize(
    ("quantities", "kwargs", "words"),
    [
        ({5: 1}, {}, "Unknown line 5"),
        ({0: 0}, {}, "above zero"),
        ({0: 1.5}, {}, "Decimal, int or str"),
        ({0: 1}, {"restocking_fee_percent": 100}, "less than 100"),
        ({0: 1}, {"restocking_fee_percent": 2.5}, "never float"),
    ],
)
def test_bad_credit_notes_are_refused(
    quantities: dict[int, object], kwargs: dict[str, object], words: str
) -> None:
    invoice = issued()
    with pytest.raises(InvoicingError, match=words):
        invoice.credit("CN", JAN15, quantities, **kwargs)  # type: ignore[arg-type]
    assert invoice.credit_notes == ()


def test_credit_note_on_a_draft_is_refused() -> None:
    draft, _ = Invoice.draft("I-1", "C-1", lines(), VAT, PaymentTerms.net(30), JAN15)
    with pytest.raises(TransitionNotAllowedError, match="Cannot credit"):
        draft.credit("CN", JAN15)


def test_bad_drafts_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least one InvoiceLine"):
        Invoice.draft("I-1", "C", [], VAT, PaymentTerms.net(30), JAN15)
    with pytest.raises(ValidationError, match="non-empty id"):
        Invoice.draft(" ", "C", lines(), VAT, PaymentTerms.net(30), JAN15)
    mixed = [*lines(), InvoiceLine("X", "X", 1, Money("1.00", "USD"))]
    with pytest.raises(CurrencyMismatchError):
        Invoice.draft("I-1", "C", mixed, VAT, PaymentTerms.net(30), JAN15)


def test_installments_are_paid_oldest_due_first() -> None:
    invoice = issued("50% upfront, 50% Net 30")  # 42.35 + 42.35
    invoice, _ = invoice.pay("P", eur("50.00"), JAN15)
    opened = [(i.due_date, str(a)) for i, a in invoice.open_installments()]
    assert opened == [(JAN15, "0.00 EUR"), (date(2026, 2, 14), "34.70 EUR")]
    assert invoice.amount_overdue(date(2026, 2, 14)) == eur("0.00")
    assert invoice.amount_overdue(date(2026, 2, 15)) == eur("34.70")


def test_one_payment_across_invoices_goes_to_the_oldest_due_installment() -> None:
    none = TaxProfile("none", [])
    series = NumberSeries()
    invoices = []
    for n, (day, terms) in enumerate([(10, "50% upfront, 50% Net 60"), (20, "Net 30")]):
        draft, _ = Invoice.draft(
            f"I-{n}",
            "C",
            [InvoiceLine("A", "A", 1, eur("100.00"))],
            none,
            PaymentTerms.parse(terms),
            date(2026, 1, day),
        )
        invoice, _ = draft.issue(series)
        series = series.next()
        invoices.append(invoice)
    # Due: I-0 50 on Jan 10, I-1 100 on Feb 19, I-0 50 on Mar 11.
    result = apply_payment(invoices, "P", eur("120.00"), date(2026, 2, 1))
    assert [str(i.balance) for i in result.invoices] == ["50.00 EUR", "30.00 EUR"]
    assert result.unapplied == eur("0.00")
    more = apply_payment(result.invoices, "P2", eur("100.00"), date(2026, 2, 2))
    assert [i.state for i in more.invoices] == ["paid", "paid"]
    assert more.unapplied == eur("20.00")
    named = apply_payment(invoices[1:], "P3", eur("100.00"), date(2026, 2, 2))
    assert named.invoices[0].state == "paid"
    gone = apply_payment(result.invoices, "P2", eur("100.00"), date(2026, 2, 2), excess="write_off")
    assert (gone.unapplied, gone.written_off) == (eur("0.00"), eur("20.00"))


def test_apply_payment_takes_available_discounts() -> None:
    invoice = issued("2/10 Net 30")
    result = apply_payment([invoice], "P", eur("83.01"), date(2026, 1, 20))
    assert result.invoices[0].state == "paid"
    assert result.records[0][1].discount == eur("1.69")


def test_apply_payment_refuses_bad_input() -> None:
    invoice = issued()
    with pytest.raises(PaymentNotAllowedError, match="positive"):
        apply_payment([invoice], "P", eur("0.00"), JAN15)
    with pytest.raises(CurrencyMismatchError):
        apply_payment([invoice], "P", Money("1.00", "USD"), JAN15)
    with pytest.raises(ValidationError, match="each invoice once"):
        apply_payment([invoice, invoice], "P", eur("1.00"), JAN15)
    with pytest.raises(PaymentNotAllowedError, match="'credit' or 'write_off'"):
        apply_payment([invoice], "P", eur("1.00"), JAN15, excess="keep")


def test_invoice_renders_as_html() -> None:
    page = issued()._repr_html_()
    for text in (
        "Invoice INV-000001",
        "Mug",
        "VAT21 21%",
        "84.70 EUR",
        "Balance due",
        "2026-02-14",
    ):
        assert text in page
    assert (
        "(draft)"
        in Invoice.draft("I", "C", lines(), VAT, PaymentTerms.net(1), JAN15).aggregate._repr_html_()
    )


def test_invoice_line_validation() -> None:
    with pytest.raises(ValidationError, match="above zero"):
        InvoiceLine("A", "A", 0, eur("1.00"))
    with pytest.raises(ValidationError, match="never float"):
        InvoiceLine("A", "A", 1.5, eur("1.00"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="percent from 0 to 100"):
        InvoiceLine("A", "A", 1, eur("1.00"), discount=120)
    with pytest.raises(ValidationError, match="Money of zero or more"):
        InvoiceLine("A", "A", 1, eur("-1.00"))


def test_number_series_validation() -> None:
    with pytest.raises(ValidationError, match="integer >= 1"):
        NumberSeries(next_number=0)
