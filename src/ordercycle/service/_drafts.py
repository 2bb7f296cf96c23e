"""Drafts and quotes at the desk: create, edit the header, send a quote, expire, place.

A draft is an order in the lifecycle's initial state: it is built with the checks of
:class:`~ordercycle.service.commands.PlaceOrder` (:func:`~ordercycle.service._orders.new_order`)
and does not count towards the customer's open orders until it is placed. Its lines are
edited with :class:`~ordercycle.service.commands.AmendOrder`. A quote is a draft sent to
the customer with a validity date (state ``quoted``); placing it after that date is refused.
Placing either goes on exactly as :class:`~ordercycle.service.commands.PlaceOrder` does.
"""

from __future__ import annotations

from ordercycle.errors import ValidationError
from ordercycle.invoicing import PaymentTerms
from ordercycle.model.order import Order
from ordercycle.model.order.changes import ChangeAddress, OrderChange
from ordercycle.model.order.events import OrderEvent
from ordercycle.model.order.policies import AddressKind
from ordercycle.service._command_handlers import handles
from ordercycle.service._order_entry import check_channel, shipping_address
from ordercycle.service._orders import customer, new_order, update_account
from ordercycle.service._session import Session
from ordercycle.service.commands import (
    CreateDraftOrder,
    ExpireOrder,
    PlaceDraftOrder,
    SendQuote,
    UpdateDraftOrder,
)
from ordercycle.service.results import CommandResult

__all__ = [
    "create_draft_order",
    "expire_order",
    "place_draft_order",
    "send_quote",
    "update_draft_order",
]


def _details(order: Order) -> dict[str, object]:
    details: dict[str, object] = {
        "state": order.state,
        "total": str(order.total),
        "lines": [line.line_id for line in order.lines],
    }
    if order.quote_valid_until is not None:
        details["valid_until"] = order.quote_valid_until.isoformat()
    return details


@handles(CreateDraftOrder)
def create_draft_order(s: Session, c: CreateDraftOrder) -> CommandResult:
    """Create a draft order (checked like a placed one; not on the customer's account yet)."""
    outcome, _, _ = new_order(s, c)  # a draft is at catalogue prices
    order = s.save_order(outcome)
    return CommandResult(command="CreateDraftOrder", aggregate_id=order.id, details=_details(order))


@handles(UpdateDraftOrder)
def update_draft_order(s: Session, c: UpdateDraftOrder) -> CommandResult:
    """Change header fields and addresses of a draft or quote, as one change."""
    order = s.order(c.order_id)
    subject = f"update {order.subject}"
    changes: list[OrderChange] = []
    notes: list[str] = []
    if c.shipping_address is not None or c.shipping_address_index is not None:
        buyer = customer(s, order.customer_id)
        address = shipping_address(subject, buyer, c.shipping_address, c.shipping_address_index)
        changes.append(ChangeAddress(AddressKind.SHIPPING, address))
        notes.append(f"ship to {address}")
    if c.billing_address is not None:
        changes.append(ChangeAddress(AddressKind.BILLING, c.billing_address))
        notes.append(f"bill to {c.billing_address}")
    header = (
        c.channel != ""
        or c.payment_terms != ""
        or c.requested_delivery_date is not None
        or c.clear_requested_delivery_date
    )
    if not changes and not header:
        raise ValidationError.invalid(
            subject,
            "fields",
            "nothing",
            "at least one of channel, payment_terms, requested_delivery_date,"
            " clear_requested_delivery_date, shipping_address, shipping_address_index or"
            " billing_address",
        )
    events: list[OrderEvent] = []
    if header:
        if c.payment_terms:
            PaymentTerms.parse(c.payment_terms)  # refused now, not at the first invoice
        order, made = order.change_header(
            at=s.now,
            channel=check_channel(subject, c.channel) if c.channel else None,
            payment_terms=c.payment_terms or None,
            requested_delivery_date=c.requested_delivery_date,
            clear_requested_delivery_date=c.clear_requested_delivery_date,
        )
        events.extend(made)
        notes.append(f"header: channel {order.channel}, terms {order.payment_terms or 'none'}")
    if changes:
        order, made = order.amend(changes, at=s.now, by="desk", note="header")
        events.extend(made)
    s.save_order((order, events))
    return CommandResult(
        command="UpdateDraftOrder", aggregate_id=order.id, details=_details(order), notes=notes
    )


@handles(SendQuote)
def send_quote(s: Session, c: SendQuote) -> CommandResult:
    """Send a draft (or a revised quote) to the customer with its validity date."""
    order = s.save_order(s.order(c.order_id).send_quote(c.valid_until, at=s.now))
    return CommandResult(command="SendQuote", aggregate_id=order.id, details=_details(order))


@handles(ExpireOrder)
def expire_order(s: Session, c: ExpireOrder) -> CommandResult:
    """Abandon a draft or quote."""
    order = s.save_order(s.order(c.order_id).expire(at=s.now))
    return CommandResult(command="ExpireOrder", aggregate_id=order.id, details=_details(order))


@handles(PlaceDraftOrder)
def place_draft_order(s: Session, c: PlaceDraftOrder) -> CommandResult:
    """Place a draft or valid quote; it joins the customer's open orders."""
    order = s.save_order(s.order(c.order_id).place(at=s.now))
    update_account(s, order.customer_id, f"order {order.id}", add_orders=(order.id,))
    return CommandResult(command="PlaceDraftOrder", aggregate_id=order.id, details=_details(order))
