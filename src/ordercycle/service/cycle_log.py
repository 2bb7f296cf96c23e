"""The order-to-cash event log: one tidy record per thing that happened, for KPIs.

A simulation run writes it as it goes (``ordercycle.simulation``); the desk writes the
same records from its own data (``desk.order_to_cash_report(...)``), so both are measured
by the same code (:mod:`ordercycle.service.cycle_kpis`).

>>> event = SimEvent(time=9.5, kind="placed", order_id="O-1", quantity=3, measure=2.0)
>>> event.day
0
>>> event.to_record()["kind"]
'placed'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

__all__ = ["EVENT_KINDS", "SimEvent"]

#: Every kind of event a run records, with what its fields mean.
EVENT_KINDS: dict[str, str] = {
    "placed": "an order arrived: quantity = units, measure = lines, ref = customer",
    "allocated": "first allocation: ref = warehouses used, quantity = units allocated, "
    "measure = lines complete, note = units backordered",
    "wave": "a pick list was released: ref = pick list, quantity = lines, measure = route length",
    "picked": "a picker tour of a pick list came back: ref = pick list, quantity = lines, "
    "measure = picker hours, amount = route length walked, note = 'tour n/k' "
    "('tour n/k, zone Z' for a tour of zone Z, numbered within the zone)",
    "consolidated": "a packer brought together the totes of an order picked in several zones: "
    "ref = pick list, quantity = zones (totes), measure = hours",
    "queues": "hourly sample while work waits: quantity = picker tours waiting, "
    "measure = shipments waiting for a packer",
    "dock": "hourly sample while shipments are at a warehouse's dock: quantity = shipments"
    " waiting for a loader or a carrier pickup, measure = those waiting for a loader",
    "short": "units of an order were not found on a pick list: ref = pick list, "
    "quantity = units short",
    "canceled": "an order was canceled before it was released to a wave, by the customer"
    " or by credit control: note = why",
    "held": "an order went on credit hold when confirmed: ref = customer, note = reason",
    "released": "a credit controller released an order's hold: note = reason",
    "packed": "a shipment was packed: ref = shipment, quantity = cartons, measure = billable "
    "weight in kg, amount = shipping cost, note = carrier",
    "shipped": "a shipment left: ref = shipment, quantity = units, measure = goods value at "
    "list price, amount = carton cost (both simulation only)",
    "delivered": "a shipment was delivered: ref = shipment, quantity = units",
    "invoiced": "an invoice was issued: ref = invoice, amount = total, note = due date",
    "applied": "a payment was applied to an invoice: ref = invoice, amount = applied, "
    "note = payment behaviour",
    "discount": "an early-payment discount was taken: ref = invoice, amount = discount",
    "settled": "an invoice was paid in full: ref = invoice",
    "returned": "a unit came back: ref = return, quantity = units",
    "credited": "a credit note was issued: ref = invoice, amount = credit total",
    "reordered": "stock was ordered: ref = sku@warehouse, quantity = units",
    "received": "stock arrived: ref = sku@warehouse, quantity = units",
    "stock": "the stock at the start of a day: ref = sku@warehouse, quantity = units on hand, "
    "measure = units on order, amount = on-hand value at list price",
    "backlog": "units waiting on backorder at the start of a day: ref = sku, quantity = units",
}


@attrs.frozen(kw_only=True)
class SimEvent:
    """One entry of the event log.

    Attributes:
        time: Simulated hours since the scenario start.
        kind: One of :data:`EVENT_KINDS`.
        order_id: The order concerned, if any.
        ref: The pick list, shipment, invoice, return or ``sku@warehouse`` concerned.
        warehouse: The warehouse concerned, if any.
        quantity: Units, lines or cartons (see :data:`EVENT_KINDS`).
        measure: A measurement (route length, hours, billable weight, discount).
        amount: Money, exact, in the scenario currency.
        note: Free text (due date, behaviour).
    """

    time: float
    kind: str
    order_id: str = ""
    ref: str = ""
    warehouse: str = ""
    quantity: int = 0
    measure: float = 0.0
    amount: Decimal = Decimal(0)
    note: str = ""

    @property
    def day(self) -> int:
        """The simulated day (0-based) of the event."""
        return int(self.time // 24)

    def to_record(self) -> dict[str, Any]:
        """A flat dict (for tables)."""
        return attrs.asdict(self)
