"""A credit note on an invoice paid early refunds what was paid, not the list price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from ordercycle.invoicing import (
    DiscountTaxTreatment,
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
)
from ordercycle.money import Money

DAY = date(2026, 1, 15)
VAT = TaxProfile("NL", [TaxRate("VAT21", 21)])


def _paid_early(treatment: DiscountTaxTreatment) -> Invoice:
    terms = PaymentTerms.parse("2/10 Net 30")
    assert terms.discount is not None
    terms = attrs.evolve(terms, discount=attrs.evolve(terms.discount, tax_treatment=treatment))
    line = InvoiceLine("MUG", "Mug", 10, Money("10.00", "EUR"), ("VAT21",))
    draft, _ = Invoice.draft("INV-1", "C-1", [line], VAT, terms, DAY)
    issued, _ = draft.issue(NumberSeries())
    due = issued.balance - issued.discount_available(DAY)
    paid, _ = issued.pay("P-1", due, DAY)
    assert paid.state == "paid"
    assert paid.discount_taken.is_positive
    return paid


@pytest.mark.parametrize(
    ("treatment", "refund"),
    [
        # 100.00 + 21.00 VAT, 2 % off the tax-included total: 2 % of 24.20 is 0.48
        (DiscountTaxTreatment.ON_EARLY_PAYMENT, "23.72"),
        # 2 % of the untaxed 20.00 only: 0.40
        (DiscountTaxTreatment.UNTAXED_ONLY, "23.80"),
    ],
)
def test_a_return_after_an_early_payment_refunds_the_discounted_amount(
    treatment: DiscountTaxTreatment, refund: str
) -> None:
    paid = _paid_early(treatment)
    full, _ = paid.credit("CN-1", DAY, {0: 2})
    assert full.credit_notes[-1].total == Money("24.20", "EUR")  # the list price, as before
    credited, _ = paid.credit("CN-1", DAY, {0: 2}, respect_discount=True)
    note = credited.credit_notes[-1]
    assert note.total == Money(refund, "EUR")
    assert note.refund == note.total  # the invoice was paid: all of it is refundable
    assert note.early_discount_percent == Decimal(2)
    assert note.early_discount == Money("24.20", "EUR") - note.total
    assert "early-payment discount taken 2 %" in note.explain()
    assert Invoice.replay(credited.events) == credited  # the event records the rate


def test_without_a_discount_taken_nothing_is_taken_off() -> None:
    terms = PaymentTerms.parse("2/10 Net 30")
    line = InvoiceLine("MUG", "Mug", 10, Money("10.00", "EUR"), ("VAT21",))
    draft, _ = Invoice.draft("INV-1", "C-1", [line], VAT, terms, DAY)
    issued, _ = draft.issue(NumberSeries())
    paid, _ = issued.pay("P-1", issued.total, date(2026, 3, 1))  # late: no discount
    credited, _ = paid.credit("CN-1", DAY, {0: 2}, respect_discount=True)
    assert credited.credit_notes[-1].total == Money("24.20", "EUR")
    assert credited.credit_notes[-1].early_discount is None
