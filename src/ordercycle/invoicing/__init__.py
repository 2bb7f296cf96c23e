"""ordercycle.invoicing: taxes, payment terms, invoices, payments, credit notes, receivables."""

from __future__ import annotations

from ordercycle.invoicing.account import (
    AccountBalance,
    AccountEntry,
    AccountEntryPosted,
    AccountOutcome,
    CustomerAccount,
    EntryKind,
    PaymentSettlement,
)
from ordercycle.invoicing.aging import (
    AgingBucket,
    AgingReport,
    AgingRow,
    aging,
    aging_buckets,
    days_sales_outstanding,
    dso_of,
)
from ordercycle.invoicing.cash_rounding import CashRounded, CashRounding
from ordercycle.invoicing.credit_limit import (
    CreditAction,
    CreditLimitCheck,
    CreditPolicy,
    check_credit_limit,
)
from ordercycle.invoicing.credit_notes import CreditNote, CreditNoteLine
from ordercycle.invoicing.discounts import DiscountTaxTreatment, EarlyDiscount
from ordercycle.invoicing.due_dates import Anchor, DueDateKind, DueDateRule, end_of_month
from ordercycle.invoicing.dunning import DunningLevel, DunningNotice, DunningPolicy
from ordercycle.invoicing.errors import (
    AccountLedgerError,
    AmountExceedsTotalError,
    CreditExceedsInvoicedError,
    InvalidDueDateRuleError,
    InvalidTaxError,
    PaymentNotAllowedError,
    PaymentRefundedError,
    TermsShareError,
)
from ordercycle.invoicing.events import (
    CreditNoteIssued,
    InvoiceCanceled,
    InvoiceDrafted,
    InvoiceEvent,
    InvoiceIssued,
    PaymentApplied,
    PaymentUnapplied,
)
from ordercycle.invoicing.from_orders import (
    DISCOUNT_SKU,
    InvoiceQuantityError,
    OrderInvoiceLines,
    invoice_lines_for_order,
    order_line_invoice_lines,
)
from ordercycle.invoicing.invoice import INVOICE_LIFECYCLE, Invoice, InvoiceOutcome, InvoicePayment
from ordercycle.invoicing.invoice_line import InvoiceLine
from ordercycle.invoicing.late_interest import DayCount, LateCharges, LateInterestPolicy
from ordercycle.invoicing.numbering import NumberSeries
from ordercycle.invoicing.payments import (
    Payment,
    PaymentAllocated,
    PaymentAllocation,
    PaymentApplication,
    PaymentEvent,
    PaymentOutcome,
    PaymentReceived,
    apply_payment,
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
from ordercycle.invoicing.terms import PaymentTerms, TermLine, parse_terms
from ordercycle.invoicing.terms_parser import (
    ACCEPTED_FORMS,
    EOM_CUTOFF_DAY,
    WrittenTerms,
    read_terms,
)

__all__ = [
    "ACCEPTED_FORMS",
    "DISCOUNT_SKU",
    "EOM_CUTOFF_DAY",
    "INVOICE_LIFECYCLE",
    "AccountBalance",
    "AccountEntry",
    "AccountEntryPosted",
    "AccountLedgerError",
    "AccountOutcome",
    "AgingBucket",
    "AgingReport",
    "AgingRow",
    "AmountExceedsTotalError",
    "Anchor",
    "CashRounded",
    "CashRounding",
    "CreditAction",
    "CreditExceedsInvoicedError",
    "CreditLimitCheck",
    "CreditNote",
    "CreditNoteIssued",
    "CreditNoteLine",
    "CreditPolicy",
    "CustomerAccount",
    "DayCount",
    "DiscountTaxTreatment",
    "DueDateKind",
    "DueDateRule",
    "DunningLevel",
    "DunningNotice",
    "DunningPolicy",
    "EarlyDiscount",
    "EntryKind",
    "Installment",
    "InvalidDueDateRuleError",
    "InvalidTaxError",
    "Invoice",
    "InvoiceCanceled",
    "InvoiceDrafted",
    "InvoiceEvent",
    "InvoiceIssued",
    "InvoiceLine",
    "InvoiceOutcome",
    "InvoicePayment",
    "InvoiceQuantityError",
    "LateCharges",
    "LateInterestPolicy",
    "LineTaxes",
    "NumberSeries",
    "OrderInvoiceLines",
    "Payment",
    "PaymentAllocated",
    "PaymentAllocation",
    "PaymentApplication",
    "PaymentApplied",
    "PaymentEvent",
    "PaymentNotAllowedError",
    "PaymentOutcome",
    "PaymentReceived",
    "PaymentRefundedError",
    "PaymentSchedule",
    "PaymentSettlement",
    "PaymentTerms",
    "PaymentUnapplied",
    "TaxAmount",
    "TaxComputation",
    "TaxProfile",
    "TaxRate",
    "TaxRounding",
    "TaxableAmount",
    "TermLine",
    "TermsShareError",
    "WrittenTerms",
    "aging",
    "aging_buckets",
    "apply_payment",
    "check_credit_limit",
    "days_sales_outstanding",
    "dso_of",
    "end_of_month",
    "invoice_lines_for_order",
    "order_line_invoice_lines",
    "parse_terms",
    "read_terms",
]
