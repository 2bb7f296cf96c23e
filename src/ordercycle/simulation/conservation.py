"""Conservation at the end of a run: where every order and every invoice ended up.

Every order is exactly one of ``delivered`` (every unit still on order delivered),
``canceled``, ``backordered`` (units wait for stock, none in the warehouse pipeline) or
``in_flight`` (units allocated, picked, packed or shipped but not delivered). Every
invoice is exactly one of ``paid``, ``credited`` (nothing owed because credit notes
covered it) or ``open``. Each line ledger must also satisfy the ledger law
``ordered = canceled + open + allocated + backordered + picked-or-later`` (with
``open >= 0``, ``delivered <= shipped``, ``returned <= delivered`` and
``credited <= invoiced``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ordercycle.simulation.errors import ConservationError

__all__ = ["check_conservation", "invoice_class", "order_class"]


def order_class(order: Any) -> str:
    """``"delivered"``, ``"canceled"``, ``"backordered"`` or ``"in_flight"``."""
    ledgers = [line.ledger for line in order.lines]
    active = sum(ledger.active for ledger in ledgers)
    if active == 0:
        return "canceled"
    if all(ledger.delivered >= ledger.active for ledger in ledgers):
        return "delivered"
    pipeline = sum(ledger.open + ledger.allocated + ledger.picked_or_later for ledger in ledgers)
    pipeline -= sum(ledger.delivered for ledger in ledgers)
    if pipeline == 0:
        return "backordered"
    return "in_flight"


def invoice_class(invoice: Any) -> str:
    """``"paid"``, ``"credited"`` or ``"open"``."""
    if invoice.state == "paid":
        return "paid"
    if invoice.balance.amount == 0 and invoice.credited.amount > 0:
        return "credited"
    return "open"


def check_conservation(desk: Any) -> dict[str, dict[str, int]]:
    """Classify every order and invoice of ``desk`` and check the ledger law.

    Returns:
        ``{"orders": {class: count}, "invoices": {class: count}}``, classes sorted.

    Raises:
        ConservationError: A line ledger breaks the law, or the classes do not add up.
    """
    problems: list[str] = []
    orders: Counter[str] = Counter()
    ids = desk.order_ids()
    for order_id in ids:
        order = desk.order(order_id)
        orders[order_class(order)] += 1
        for line in order.lines:
            ledger = line.ledger
            parts = ledger.canceled + ledger.open + ledger.allocated + ledger.backordered
            laws = (
                ledger.ordered == parts + ledger.picked_or_later,
                ledger.open >= 0,
                ledger.delivered <= ledger.shipped,
                ledger.returned <= ledger.delivered,
                ledger.credited <= ledger.invoiced,
            )
            if not all(laws):
                problems.append(f"order {order_id} line {line.line_id} breaks the ledger law")
    invoices: Counter[str] = Counter(invoice_class(invoice) for invoice in desk.invoices())
    if sum(orders.values()) != len(ids):
        problems.append("order classes do not add up to the orders placed")
    if problems:
        raise ConservationError(problems)
    return {
        "orders": dict(sorted(orders.items())),
        "invoices": dict(sorted(invoices.items())),
    }
