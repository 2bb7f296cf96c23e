"""Receivables aging and days sales outstanding (DSO).

Aging by *due date* puts each open installment in a bucket by how many days it is past due
(``not yet due``, ``1–30``, ``31–60``, ``61–90``, ``over 90`` by default). Aging by *invoice
date* puts each open invoice balance in a bucket by the invoice's age (``0–30``, ...).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.errors import CurrencyMismatchError, ValidationError
from ordercycle.invoicing._decimal import data_frame
from ordercycle.invoicing.invoice import Invoice
from ordercycle.money import MONEY_CONTEXT, Money

__all__ = [
    "UNAPPLIED",
    "AgingBucket",
    "AgingReport",
    "AgingRow",
    "aging",
    "aging_buckets",
    "days_sales_outstanding",
    "dso_of",
]

_OPEN = ("issued", "partially_paid")

#: The label of the column of credit on account (see :func:`aging`'s ``credits``).
UNAPPLIED = "unapplied credit"
_BASES = ("due_date", "invoice_date")


@attrs.frozen
class AgingBucket:
    """A range of days, both ends included; ``None`` means unbounded.

    Attributes:
        label: The column title.
        low: The first day in the bucket, or ``None`` for no lower bound.
        high: The last day in the bucket, or ``None`` for no upper bound.
    """

    label: str
    low: int | None
    high: int | None

    def holds(self, days: int) -> bool:
        """Whether ``days`` falls in this bucket."""
        return (self.low is None or days >= self.low) and (self.high is None or days <= self.high)


def aging_buckets(
    limits: Sequence[int] = (30, 60, 90), basis: str = "due_date"
) -> tuple[AgingBucket, ...]:
    """Buckets from increasing day limits.

    >>> print(", ".join(b.label for b in aging_buckets()))
    not yet due, 1–30, 31–60, 61–90, over 90
    >>> print(", ".join(b.label for b in aging_buckets((45,), basis="invoice_date")))
    0–45, over 45

    Raises:
        ValidationError: Limits not strictly increasing positive integers, or a bad basis.
    """
    _check_basis(basis)
    values = list(limits)
    if (
        not values
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values)
        or any(b <= a for a, b in itertools.pairwise(values))
    ):
        raise ValidationError.invalid(
            "aging buckets", "limits", tuple(values), "strictly increasing whole days of 1 or more"
        )
    if basis == "due_date":
        buckets = [AgingBucket("not yet due", None, 0)]
        low = 1
    else:
        buckets = []
        low = 0
    for limit in values:
        buckets.append(AgingBucket(f"{low}–{limit}", None if low == 0 else low, limit))
        low = limit + 1
    buckets.append(AgingBucket(f"over {values[-1]}", low, None))
    return tuple(buckets)


@attrs.frozen
class AgingRow:
    """The open amounts of one customer per bucket.

    Attributes:
        customer_id: The customer.
        amounts: One amount per bucket, in bucket order.
        total: The sum of ``amounts``.
    """

    customer_id: str
    amounts: tuple[Money, ...]
    total: Money


@attrs.frozen
class AgingReport:
    """Open receivables per customer and bucket.

    Attributes:
        as_of: The date the ages were measured at.
        basis: ``"due_date"`` or ``"invoice_date"``.
        buckets: The buckets (columns).
        rows: One row per customer, sorted by customer id.
        totals: The column totals.
        total: The grand total.
    """

    as_of: date
    basis: str
    buckets: tuple[AgingBucket, ...]
    rows: tuple[AgingRow, ...]
    totals: tuple[Money, ...]
    total: Money

    def to_records(self) -> list[dict[str, object]]:
        """One dictionary per customer: ``customer_id``, one key per bucket, ``total``."""
        return [
            {
                "customer_id": row.customer_id,
                **{b.label: a for b, a in zip(self.buckets, row.amounts, strict=True)},
                "total": row.total,
            }
            for row in self.rows
        ]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        columns = ["customer_id", *(b.label for b in self.buckets), "total"]
        return data_frame("AgingReport.to_pandas", self.to_records(), columns)

    def to_markdown(self) -> str:
        """The report as a Markdown table (amounts without the currency code)."""
        head = ["customer", *(b.label for b in self.buckets), "total"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in (*self.rows, AgingRow("total", self.totals, self.total)):
            cells = [row.customer_id, *(str(a.amount) for a in row.amounts), str(row.total.amount)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(b.label)}</th>" for b in self.buckets)
        body = "".join(
            f"<tr><td>{html.escape(row.customer_id)}</td>"
            + "".join(f"<td style='text-align:right'>{a.amount}</td>" for a in row.amounts)
            + f"<td style='text-align:right'>{row.total.amount}</td></tr>"
            for row in (*self.rows, AgingRow("total", self.totals, self.total))
        )
        return (
            f"<table><caption>Aging by {self.basis.replace('_', ' ')} as of"
            f" {self.as_of.isoformat()}</caption><thead><tr><th>Customer</th>{head}"
            f"<th>Total</th></tr></thead><tbody>{body}</tbody></table>"
        )


def _check_basis(basis: str) -> None:
    if basis not in _BASES:
        raise ValidationError.invalid("aging", "basis", basis, "'due_date' or 'invoice_date'")


def _currency(invoices: Sequence[Invoice], currency: str | None) -> str:
    if currency is None and not invoices:
        raise ValidationError.invalid("aging", "currency", None, "a currency code for no invoices")
    code = currency or invoices[0].currency.code
    for invoice in invoices:
        if invoice.currency.code != code:
            raise CurrencyMismatchError("age", code, invoice.currency.code)
    return code


def aging(
    invoices: Iterable[Invoice],
    as_of: date,
    *,
    buckets: Sequence[AgingBucket] | None = None,
    basis: str = "due_date",
    currency: str | None = None,
    credits: Mapping[str, Money] | None = None,
) -> AgingReport:
    """Age the open balances of ``invoices`` at ``as_of``.

    Args:
        invoices: Invoices of one currency; only issued and partially paid ones count.
        as_of: The reporting date.
        buckets: The buckets (:func:`aging_buckets` for the basis by default).
        basis: ``"due_date"`` (days past each installment's due date) or
            ``"invoice_date"`` (days since the invoice date).
        currency: The currency code, needed only when there are no invoices.
        credits: Credit on account per customer (cash on account, unapplied credit
            notes). Given, the report has a last column ``unapplied credit`` holding it as
            a negative amount, and each total is what the customer owes net of it.

    Raises:
        ValidationError: A bad basis, or days that fall in no bucket.
        CurrencyMismatchError: Invoices in more than one currency.
    """
    _check_basis(basis)
    chosen = tuple(buckets) if buckets is not None else aging_buckets(basis=basis)
    items = [i for i in invoices if i.state in _OPEN]
    code = _currency(items, currency)
    zero = Money.zero(code)
    table: dict[str, list[Money]] = {}
    for invoice in items:
        if basis == "due_date":
            parts = [
                ((as_of - inst.due_date).days, open_)
                for inst, open_ in invoice.open_installments()
                if open_
            ]
        else:
            parts = [((as_of - invoice.invoice_date).days, invoice.balance)]
        row = table.setdefault(invoice.customer_id, [zero] * len(chosen))
        for days, amount in parts:
            index = next((k for k, b in enumerate(chosen) if b.holds(days)), None)
            if index is None:
                raise ValidationError.invalid(
                    f"aging of {invoice.subject}", "days", days, "buckets that cover every age"
                )
            row[index] += amount
    if credits is not None:
        chosen = (*chosen, AgingBucket(UNAPPLIED, None, None))
        for amounts in table.values():
            amounts.append(zero)
        for customer, credit in credits.items():
            if credit.currency.code != code:
                raise CurrencyMismatchError("age", code, credit.currency.code)
            if credit:
                row = table.setdefault(customer, [zero] * len(chosen))
                row[-1] = -credit
    rows = tuple(
        AgingRow(customer, tuple(amounts), Money.sum(amounts, currency=code))
        for customer, amounts in sorted(table.items())
    )
    totals = tuple(
        Money.sum((row.amounts[k] for row in rows), currency=code) for k in range(len(chosen))
    )
    return AgingReport(as_of, basis, chosen, rows, totals, Money.sum(totals, currency=code))


def days_sales_outstanding(
    invoices: Iterable[Invoice],
    as_of: date,
    period_days: int = 90,
    *,
    currency: str | None = None,
    credit_on_account: Money | None = None,
) -> Decimal:
    """DSO = open receivables ÷ credit sales of the period × days in the period.

    ``credit_on_account`` (cash on account, unapplied credit notes) is netted from the
    receivables (never below zero).

    Credit sales are the totals of the (non-draft, non-canceled) invoices dated in the
    ``period_days`` days up to and including ``as_of``; receivables are the open balances of
    all issued and partially paid invoices. Rounded to one decimal; 0 without sales.

    Raises:
        ValidationError: ``period_days`` below 1.
        CurrencyMismatchError: Invoices in more than one currency.
    """
    if isinstance(period_days, bool) or not isinstance(period_days, int) or period_days < 1:
        raise ValidationError.invalid("DSO", "period_days", period_days, "whole days of 1 or more")
    items = [i for i in invoices if i.state not in ("draft", "canceled")]
    code = _currency(items, currency) if items else (currency or "")
    if not items:
        return Decimal("0.0")
    start = as_of - timedelta(days=period_days)
    sales = Money.sum((i.total for i in items if start < i.invoice_date <= as_of), currency=code)
    receivables = Money.sum((i.balance for i in items if i.state in _OPEN), currency=code)
    if credit_on_account is not None:
        receivables = max(receivables - credit_on_account, Money.zero(code))
    return dso_of(receivables, sales, period_days)


def dso_of(receivables: Money, sales: Money, period_days: int) -> Decimal:
    """``receivables ÷ sales × period_days``, rounded to one decimal; 0 without sales.

    The formula of :func:`days_sales_outstanding`, for receivables and credit sales read
    elsewhere (the desk reads them from the account ledgers).

    >>> str(dso_of(Money("300.00", "USD"), Money("900.00", "USD"), 90))
    '30.0'
    """
    if not sales.is_positive:
        return Decimal("0.0")
    ratio = MONEY_CONTEXT.divide(
        MONEY_CONTEXT.multiply(receivables.amount, period_days), sales.amount
    )
    return ratio.quantize(Decimal("0.1"), context=MONEY_CONTEXT)
