"""Conservation at the end of a run: where every order and every invoice ended up.

Every order is exactly one of ``delivered`` (every unit still on order delivered),
``canceled``, ``backordered`` (units wait for stock, none in the warehouse pipeline) or
``in_flight`` (units allocated, picked, packed or shipped but not delivered). Every
invoice is exactly one of ``paid``, ``credited`` (nothing owed because credit notes
covered it) or ``open``. Each line ledger must also satisfy the ledger law
``ordered = canceled + open + allocated + backordered + picked-or-later`` (with
``open >= 0``, ``delivered <= shipped``, ``returned <= delivered`` and
``credited <= invoiced``).

A run that forgets its finished orders (KPIs-only results; see
:class:`~ordercycle.simulation.Simulation`) counts each one in a :class:`FinishedTally`
before it forgets it, and :func:`check_conservation` adds the tally to what the desk
still holds, so the counts are the same as without forgetting.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.simulation.errors import ConservationError

__all__ = ["FinishedTally", "check_conservation", "invoice_class", "order_class"]


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


def _ledger_problems(order: Any) -> list[str]:
    """The lines of ``order`` that break the ledger law, as sentences."""
    problems = []
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
            problems.append(f"order {order.id} line {line.line_id} breaks the ledger law")
    return problems


@attrs.define
class FinishedTally:
    """What the orders and invoices a run has forgotten add to the end-of-run counts.

    :meth:`add` takes a finished order and its invoices just before the run forgets them;
    :func:`check_conservation` and :func:`~ordercycle.simulation.kpis.totals_from_desk`
    add the tally to what the desk still holds.

    Attributes:
        orders: Forgotten orders by class (see :func:`order_class`).
        invoices: Forgotten invoices by class (see :func:`invoice_class`).
        problems: Ledger-law breaks found in forgotten orders.
        totals: The :data:`~ordercycle.simulation.kpis.TOTALS` of the forgotten orders
            and invoices, as :func:`~ordercycle.simulation.kpis.totals_from_desk` counts.
    """

    orders: Counter[str] = attrs.Factory(Counter)
    invoices: Counter[str] = attrs.Factory(Counter)
    problems: list[str] = attrs.Factory(list)
    totals: dict[str, Any] = attrs.Factory(dict)

    def add(self, order: Any, invoices: Any) -> None:
        """Count ``order`` and its ``invoices`` (every one it was invoiced on)."""
        self.orders[order_class(order)] += 1
        self.problems.extend(_ledger_problems(order))
        totals = self.totals
        totals["orders"] = totals.get("orders", 0) + 1
        for line in order.lines:
            ledger = line.ledger
            for name, units in (
                ("units_ordered", ledger.ordered),
                ("units_shipped", ledger.shipped),
                ("units_delivered", ledger.delivered),
                ("units_returned", ledger.returned),
            ):
                totals[name] = totals.get(name, 0) + units
        for invoice in invoices:
            self.invoices[invoice_class(invoice)] += 1
            for name, money in (
                ("invoiced", invoice.total),
                ("paid", invoice.paid),
                ("discounts", invoice.discount_taken),
                ("credited", invoice.credited),
            ):
                totals[name] = totals.get(name, Decimal(0)) + money.amount


def check_conservation(
    desk: Any, *, finished: FinishedTally | None = None
) -> dict[str, dict[str, int]]:
    """Classify every order and invoice of ``desk`` and check the ledger law.

    Args:
        desk: The desk at the end of the run.
        finished: The orders and invoices the run forgot before the end, if any.

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
        problems.extend(_ledger_problems(order))
    invoices: Counter[str] = Counter(invoice_class(invoice) for invoice in desk.invoices())
    if sum(orders.values()) != len(ids):
        problems.append("order classes do not add up to the orders placed")
    if finished is not None:
        orders.update(finished.orders)
        invoices.update(finished.invoices)
        problems = finished.problems + problems
    if problems:
        raise ConservationError(problems)
    return {
        "orders": dict(sorted(orders.items())),
        "invoices": dict(sorted(invoices.items())),
    }
