"""ordercycle.invoicing: taxes, payment terms, invoices, payments, credit notes, receivables."""

from __future__ import annotations

from ordercycle.invoicing.discounts import DiscountTaxTreatment, EarlyDiscount
from ordercycle.invoicing.due_dates import Anchor, DueDateKind, DueDateRule, end_of_month
from ordercycle.invoicing.errors import (
    AmountExceedsTotalError,
    CreditExceedsInvoicedError,
    InvalidDueDateRuleError,
    InvalidTaxError,
    PaymentNotAllowedError,
    TermsShareError,
)
from ordercycle.invoicing.schedule import Installment, PaymentSchedule
from ordercycle.invoicing.taxes import (
    LineTaxes,
    TaxableAmount,
    TaxAmount,
    TaxComputation,
    TaxProfile,
    TaxRate,
    TaxRounding,
)
from ordercycle.invoicing.terms import PaymentTerms, TermLine
from ordercycle.invoicing.terms_parser import ACCEPTED_FORMS, EOM_CUTOFF_DAY, parse_terms

__all__ = [
    "ACCEPTED_FORMS",
    "EOM_CUTOFF_DAY",
    "AmountExceedsTotalError",
    "Anchor",
    "CreditExceedsInvoicedError",
    "DiscountTaxTreatment",
    "DueDateKind",
    "DueDateRule",
    "EarlyDiscount",
    "Installment",
    "InvalidDueDateRuleError",
    "InvalidTaxError",
    "LineTaxes",
    "PaymentNotAllowedError",
    "PaymentSchedule",
    "PaymentTerms",
    "TaxAmount",
    "TaxComputation",
    "TaxProfile",
    "TaxRate",
    "TaxRounding",
    "TaxableAmount",
    "TermLine",
    "TermsShareError",
    "end_of_month",
    "parse_terms",
]
