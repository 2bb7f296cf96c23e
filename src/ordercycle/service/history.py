"""A customer's history over a period: orders, products and volumes, shipments, money.

``desk.customer_history(customer_id, start, end)`` gathers it from the desk's read models
(the customer's orders, invoices and payments, each order's shipments are found through
indexes) and then loads only those aggregates.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import attrs

from ordercycle.errors import MissingDependencyError
from ordercycle.invoicing import CreditNote, Payment
from ordercycle.money import Money
from ordercycle.packing import Shipment
from ordercycle.service.listings import InvoiceListing, OrderListing
from ordercycle.service.statements import Statement

__all__ = ["CustomerHistory", "ProductVolume"]


@attrs.frozen(kw_only=True)
class ProductVolume:
    """How much of one product a customer took over a period (orders placed in it).

    Attributes:
        sku: The product.
        orders: How many orders had it.
        ordered: Units ordered, canceled ones excluded.
        shipped: Units shipped.
        delivered: Units delivered.
        returned: Units returned (resellable or damaged).
        amount: The net amount of the units ordered (before tax).
    """

    sku: str
    orders: int
    ordered: int
    shipped: int
    delivered: int
    returned: int
    amount: Money

    def to_record(self) -> dict[str, Any]:
        """A flat record (the amount as ``Decimal``, the currency beside it)."""
        return {
            "sku": self.sku,
            "orders": self.orders,
            "ordered": self.ordered,
            "shipped": self.shipped,
            "delivered": self.delivered,
            "returned": self.returned,
            "amount": self.amount.amount,
            "currency": self.amount.currency.code,
        }


@attrs.frozen(kw_only=True)
class CustomerHistory:
    """Everything a customer did from ``start`` to ``end`` (both included).

    Attributes:
        customer_id: The customer.
        start: The first day.
        end: The last day.
        orders: The orders placed in the period, oldest first.
        products: Volumes per product of those orders, by sku.
        shipments: The shipments of those orders, by packing time.
        invoices: The invoices dated in the period.
        payments: The payments received in the period.
        credit_notes: The credit notes issued in the period.
        statement: The statement of account for the period.
    """

    customer_id: str
    start: date
    end: date
    orders: tuple[OrderListing, ...]
    products: tuple[ProductVolume, ...]
    shipments: tuple[Shipment, ...]
    invoices: tuple[InvoiceListing, ...]
    payments: tuple[Payment, ...]
    credit_notes: tuple[CreditNote, ...]
    statement: Statement

    def to_records(self) -> list[dict[str, Any]]:
        """The product volumes as flat records."""
        return [p.to_record() for p in self.products]

    def to_pandas(self) -> Any:
        """:meth:`to_records` as a :class:`pandas.DataFrame` (needs ``ordercycle[sim]``)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is installed in CI
            raise MissingDependencyError("CustomerHistory.to_pandas", "pandas", "sim") from None
        return pd.DataFrame(self.to_records())

    def to_text(self) -> str:
        """A short text summary, then the statement."""
        lines = [
            f"Customer {self.customer_id}, {self.start} to {self.end}:"
            f" {len(self.orders)} orders, {len(self.shipments)} shipments,"
            f" {len(self.invoices)} invoices, {len(self.payments)} payments,"
            f" {len(self.credit_notes)} credit notes",
        ]
        for p in self.products:
            lines.append(
                f"  {p.sku}: {p.ordered} ordered in {p.orders} orders, {p.shipped} shipped,"
                f" {p.delivered} delivered, {p.returned} returned, {p.amount}"
            )
        return "\n".join([*lines, "", self.statement.to_text()])

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>"
            for h in ("sku", "orders", "ordered", "shipped", "delivered", "returned", "amount")
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (p.sku, p.orders, p.ordered, p.shipped, p.delivered, p.returned, p.amount)
            )
            + "</tr>"
            for p in self.products
        )
        title = html.escape(
            f"Customer {self.customer_id}, {self.start} to {self.end}: {len(self.orders)}"
            f" orders, {len(self.shipments)} shipments, {len(self.payments)} payments"
        )
        return (
            f"<table><caption>{title}</caption><tr>{head}</tr>{body}</table>"
            + self.statement._repr_html_()
        )
