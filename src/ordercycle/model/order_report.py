"""A plain-text picture of an order: header, statuses, holds and the ledger of each line.

Meant for logs, the command-line demo and notebooks (``Order.describe()`` and the
notebook's Markdown view use it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordercycle.model.holds import describe_holds

if TYPE_CHECKING:
    from ordercycle.model.order import Order

__all__ = ["describe_order", "ledger_table"]

_COLUMNS = (
    ("line", "line_id"),
    ("sku", "sku"),
    ("ordered", "ordered"),
    ("open", "open"),
    ("alloc", "allocated"),
    ("backord", "backordered"),
    ("picked", "picked"),
    ("packed", "packed"),
    ("shipped", "shipped"),
    ("deliv", "delivered"),
    ("canceled", "canceled"),
    ("returned", "returned"),
    ("invoiced", "invoiced"),
    ("credited", "credited"),
)


def ledger_table(order: Order) -> str:
    """The quantity ledger of every line as an aligned text table."""
    rows = [[title for title, _ in _COLUMNS]]
    for line in order.lines:
        row = []
        for _, field in _COLUMNS:
            source = line if field in ("line_id", "sku") else line.ledger
            row.append(str(getattr(source, field)))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def describe_order(order: Order) -> str:
    """Header, state, holds, derived statuses and the ledger table of ``order``."""
    holds = describe_holds(order.holds) or "none"
    return "\n".join(
        [
            f"Order {order.id} for customer {order.customer_id} ({order.channel}),"
            f" version {order.version}, revision {order.revision}",
            f"  state: {order.state}; holds: {holds}",
            f"  fulfilment: {order.fulfilment_status.value}; billing:"
            f" {order.billing_status.value}; payment: {order.payment_status.value}"
            f" (paid {order.amount_paid} of {order.amount_due} due)",
            *("  " + row for row in ledger_table(order).splitlines()),
        ]
    )
