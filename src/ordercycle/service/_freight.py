"""Shipping methods and freight: choose an order's method, bill freight when a shipment ships.

Freight is billed **at shipment**, whatever the order's invoice policy: when a shipment of
an order with a shipping method ships, the method's rate for each of its cartons (the
billable weight under the method's carrier rule, from the carton's outer size and actual
weight) is summed and issued at once as its own invoice, with one ``FREIGHT`` line, on the
order's payment terms. Only then are the cartons and their weights known, and a shipment
that never ships is never charged. Goods are billed as before (``ordered``: when the order
is invoiced; ``delivered``: as units are delivered), so freight never waits for the goods
invoice and the goods invoice never guesses the freight.

The freight line is taxed at the desk's ``freight_tax_code`` (the rate of that code in the
customer's tax profile; untaxed if the profile has none), or, when that setting is empty, at
every rate of the profile, as goods without a tax code are. The order records the invoice
(:meth:`~ordercycle.model.order.Order.record_charge`), so its amount due includes freight.

Packing, picking and invoicing do not import each other: this module composes the packed
shipment (packing), the carton catalogue (settings) and the invoice (invoicing).
"""

from __future__ import annotations

from decimal import Decimal

from ordercycle.invoicing import Invoice, InvoiceLine, PaymentTerms
from ordercycle.model.order import Order
from ordercycle.money import Money
from ordercycle.packing import Shipment
from ordercycle.service import _receivables
from ordercycle.service._command_handlers import handles
from ordercycle.service._orders import check_shipping_method, customer, update_account
from ordercycle.service._session import InvoiceMeta, Session
from ordercycle.service.commands import ChangeShippingMethod
from ordercycle.service.results import CommandResult

__all__ = ["FREIGHT_SKU", "bill_freight", "change_shipping_method", "freight_of"]

FREIGHT_SKU = "FREIGHT"
"""The item code of freight lines on invoices."""


@handles(ChangeShippingMethod)
def change_shipping_method(s: Session, c: ChangeShippingMethod) -> CommandResult:
    """Change the order's shipping method (checked against the desk's methods)."""
    order = s.order(c.order_id)
    if c.shipping_method:
        check_shipping_method(s, order.subject, c.shipping_method, order.currency)
    before = order.shipping_method
    order = s.save_order(order.change_shipping_method(c.shipping_method, at=s.now))
    return CommandResult(
        command="ChangeShippingMethod",
        aggregate_id=order.id,
        details={"shipping_method": order.shipping_method, "was": before},
    )


def freight_of(s: Session, order: Order, shipment: Shipment) -> Money:
    """The freight of a shipment under the order's shipping method (cartons by name)."""
    method = s.settings.shipping_method(order.shipping_method, subject=order.subject)
    cartons = {carton.name: carton for carton in s.settings.cartons}
    return method.freight(
        (cartons[parcel.carton].outer_mm, parcel.actual_weight_g) for parcel in shipment.parcels
    )


def bill_freight(s: Session, order: Order, shipment: Shipment) -> tuple[Order, dict[str, object]]:
    """Issue the freight invoice of a shipment that ships, if the order has a method.

    Returns the order (with the charge recorded) and details for the command's result.
    """
    if not order.shipping_method:
        return order, {}
    amount = freight_of(s, order, shipment)
    buyer = customer(s, order.customer_id)
    profile = s.settings.tax_profile(buyer.tax_profile, subject=f"customer {buyer.id}")
    code = s.settings.freight_tax_code
    codes = tuple(rate.code for rate in profile.rates if not code or rate.code == code)
    description = f"Freight {order.shipping_method}, shipment {shipment.shipment_id}"
    line = InvoiceLine(FREIGHT_SKU, description, Decimal(1), amount, codes)
    invoice_id = s.new_id("invoice", "invoice")
    terms = PaymentTerms.parse(order.payment_terms or buyer.payment_terms)
    draft, _ = Invoice.draft(invoice_id, buyer.id, [line], profile, terms, s.today, at=s.now)
    issued, _ = draft.issue(s.invoice_series(), at=s.now)
    # The invoice's one line bills no order line ("").
    s.save_invoice(issued, InvoiceMeta(order.id, ("",)), 0)
    order = s.save_order(order.record_charge(invoice_id, description, amount, at=s.now))
    _receivables.remember_number(s, issued)
    _receivables.post(
        s,
        buyer.id,
        issued.currency,
        lambda a: a.post_invoice(invoice_id, issued.total, issued.invoice_date),
        f"freight invoice {invoice_id}",
    )
    update_account(
        s,
        buyer.id,
        f"invoice {invoice_id}",
        add_invoices=(invoice_id,),
        balance_change=s.balance_moved(buyer.id, issued.currency),
    )
    return order, {
        "freight": str(amount),
        "freight_invoice_id": invoice_id,
        "freight_total": str(issued.total),
    }
