"""The result of applying payment terms to a total: installments and the early discount."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import attrs

from ordercycle.invoicing._decimal import data_frame
from ordercycle.invoicing.discounts import DiscountTaxTreatment
from ordercycle.money import Money

__all__ = ["Installment", "PaymentSchedule"]


@attrs.frozen
class Installment:
    """One amount due on one date.

    Attributes:
        due_date: When the amount is due.
        amount: The amount due (rounded to the currency's minor unit).
        label: What the term line said, such as ``"50%"`` or ``"balance"``.
    """

    due_date: date
    amount: Money
    label: str = ""


@attrs.frozen
class PaymentSchedule:
    """Installments of a total, with the early-payment discount when the terms have one.

    The installment amounts always add up exactly to ``total``.

    Attributes:
        total: The amount that was scheduled (tax included).
        anchor_date: The date the due dates were counted from.
        installments: The installments in the order of the term lines.
        discount_deadline: The last day on which the early-payment discount may be taken.
        discount: The discount granted when paying in full by the deadline.
        discounted_amount: What settles the whole total by the deadline (``total - discount``).
        discount_tax: The part of ``discount`` that reduces tax (only when the tax
            treatment reduces tax on early payment), otherwise zero.
        tax_treatment: How the discount treats tax.
        installment_discounts: The discount split over the installments (same order), in
            proportion to their amounts, largest remainder: what settling each installment
            by the deadline earns. Sums exactly to ``discount``; empty without a discount.
    """

    total: Money
    anchor_date: date
    installments: tuple[Installment, ...]
    discount_deadline: date | None = None
    discount: Money | None = None
    discounted_amount: Money | None = None
    discount_tax: Money | None = None
    tax_treatment: DiscountTaxTreatment | None = None
    installment_discounts: tuple[Money, ...] = ()

    @property
    def has_discount(self) -> bool:
        """Whether an early-payment discount is offered."""
        return self.discount_deadline is not None

    @property
    def final_due_date(self) -> date:
        """The latest due date of all installments."""
        installments = self.installments
        if len(installments) == 1:  # most terms: no generator for a max of one
            return installments[0].due_date
        return max(installment.due_date for installment in installments)

    def by_due_date(self) -> tuple[Installment, ...]:
        """The installments, oldest due first (ties keep the term-line order)."""
        order = sorted(range(len(self.installments)), key=lambda i: self.installments[i].due_date)
        return tuple(self.installments[i] for i in order)

    def amount_due_by(self, day: date) -> Money:
        """The sum of the installments due on or before ``day``."""
        return Money.sum(
            (i.amount for i in self.installments if i.due_date <= day),
            currency=self.total.currency.code,
        )

    def amount_to_settle(self, paid_on: date) -> Money:
        """What settles the whole schedule when paid in full on ``paid_on``.

        The discounted amount on or before the discount deadline, the total afterwards.
        """
        if (
            self.discount_deadline is not None
            and self.discounted_amount is not None
            and paid_on <= self.discount_deadline
        ):
            return self.discounted_amount
        return self.total

    def to_records(self) -> list[dict[str, object]]:
        """One dictionary per installment: ``due_date``, ``amount``, ``label``."""
        return [
            {"due_date": i.due_date, "amount": i.amount, "label": i.label}
            for i in self.installments
        ]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        columns = ["due_date", "amount", "label"]
        return data_frame("PaymentSchedule.to_pandas", self.to_records(), columns)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{i.due_date.isoformat()}</td><td>{html.escape(i.label)}</td>"
            f"<td style='text-align:right'>{html.escape(str(i.amount))}</td></tr>"
            for i in self.installments
        )
        extra = ""
        if self.discount_deadline is not None:
            extra = (
                f"<p>Pay {html.escape(str(self.discounted_amount))} by "
                f"{self.discount_deadline.isoformat()} (discount "
                f"{html.escape(str(self.discount))}).</p>"
            )
        return (
            "<table><thead><tr><th>Due</th><th>Line</th><th>Amount</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{extra}"
        )
