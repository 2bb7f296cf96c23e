"""How each order event changes an order: the one place where an order's data changes.

Commands on :class:`~ordercycle.model.order.Order` check what they can, build their
events, and apply them with :func:`apply_event`; :meth:`Order.replay` applies the same
functions to a stored history. So a live order and its replay cannot differ.

:func:`apply_change` applies one change of a change set and checks the edit rules (only
quantities not yet picked may change); it raises :class:`ChangeNotAllowedError` with the
reason when a change is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ordercycle.errors import InvalidQuantityError
from ordercycle.model.holds import Hold
from ordercycle.model.ledger import LineLedger, Release
from ordercycle.model.order_billing import BillingDocument, PaymentRecord
from ordercycle.model.order_changes import (
    AddLine,
    ChangeAddress,
    ChangePrice,
    ChangeQuantity,
    OrderChange,
    RemoveLine,
)
from ordercycle.model.order_errors import (
    ChangeNotAllowedError,
    DuplicateLineError,
    EventHistoryError,
    OrderCurrencyError,
    UnknownLineError,
)
from ordercycle.model.order_events import (
    LineRelease,
    OrderAmended,
    OrderCanceled,
    OrderCredited,
    OrderEvent,
    OrderHoldPlaced,
    OrderHoldReleased,
    OrderInvoiced,
    OrderLineAdded,
    OrderLineAllocated,
    OrderLineBackordered,
    OrderLineCanceled,
    OrderLineDeallocated,
    OrderLineDelivered,
    OrderLinePacked,
    OrderLinePicked,
    OrderLineShipped,
    OrderPaymentRecorded,
    OrderResumed,
    OrderReturnAuthorized,
    OrderReturnReceived,
    OrderReturnRejected,
    OrderReturnRequested,
    OrderTransitioned,
)
from ordercycle.model.order_lines import NewLine, OrderLine
from ordercycle.model.order_policies import AddressKind
from ordercycle.model.returns import ReturnAuthorization
from ordercycle.money import Money

if TYPE_CHECKING:
    from ordercycle.model.order import Order

__all__ = [
    "apply_change",
    "apply_event",
    "cancel_everything",
    "find_line",
    "line_subject",
    "new_order_line",
]

O = TypeVar("O", bound="Order")  # noqa: E741


def line_subject(order: Order, line_id: str) -> str:
    """``"line L1 of order O-17"``."""
    return f"line {line_id} of {order.subject}"


def find_line(order: Order, line_id: str) -> OrderLine:
    """The line called ``line_id``.

    Raises:
        UnknownLineError: The order has no such line (the message lists the known ones).
    """
    for line in order.lines:
        if line.line_id == line_id:
            return line
    raise UnknownLineError(order.subject, line_id, [line.line_id for line in order.lines])


def _replace_line(order: O, new: OrderLine) -> O:
    lines = tuple(new if line.line_id == new.line_id else line for line in order.lines)
    return attrs.evolve(order, lines=lines)


def _with_ledger(order: O, line_id: str, change: Callable[[LineLedger, str], LineLedger]) -> O:
    line = find_line(order, line_id)
    ledger = change(line.ledger, line_subject(order, line_id))
    return _replace_line(order, attrs.evolve(line, ledger=ledger))


def _check_money(order: Order, money: Money, what: str) -> None:
    if money.currency != order.currency:
        raise OrderCurrencyError(order.subject, what, order.currency.code, money.currency.code)


def new_order_line(order: Order, line: NewLine) -> OrderLine:
    """The :class:`OrderLine` for ``line``, after checking its id and currency.

    Raises:
        DuplicateLineError: The line id is taken.
        OrderCurrencyError: The price is not in the order's currency.
    """
    if any(existing.line_id == line.line_id for existing in order.lines):
        raise DuplicateLineError(order.subject, line.line_id)
    _check_money(order, line.unit_price, f"the price of line {line.line_id}")
    return OrderLine.from_new(line)


def _refuse(order: Order, action: str, reason: str) -> ChangeNotAllowedError:
    return ChangeNotAllowedError(order.subject, f"{action} of {order.subject}", reason)


def _picked_reason(ledger: LineLedger) -> str | None:
    if ledger.picked_or_later:
        return f"{ledger.picked_or_later} units are already picked, packed or shipped"
    if ledger.invoiced:
        return f"{ledger.invoiced} units are invoiced"
    return None


def apply_change(order: O, change: OrderChange) -> tuple[O, tuple[LineRelease, ...]]:
    """Apply one change of a change set (see :mod:`ordercycle.model.order_changes`).

    Returns:
        The changed order and the stock released by the change.

    Raises:
        ChangeNotAllowedError: The change touches picked, shipped or invoiced units, or
            would leave a placed order without lines; the message gives the reason.
        UnknownLineError, DuplicateLineError, OrderCurrencyError, InvalidQuantityError:
            The change refers to a missing line, reuses an id, or has a bad value.
    """
    if isinstance(change, AddLine):
        added = new_order_line(order, change.line)
        return attrs.evolve(order, lines=(*order.lines, added)), ()
    if isinstance(change, RemoveLine):
        return _remove_line(order, change.line_id)
    if isinstance(change, ChangeQuantity):
        return _change_quantity(order, change)
    if isinstance(change, ChangePrice):
        return _change_price(order, change), ()
    if isinstance(change, ChangeAddress):
        return _change_address(order, change), ()
    raise ChangeNotAllowedError(
        order.subject,
        f"amend {order.subject}",
        f"{change!r} is not a change; expected AddLine, RemoveLine, ChangeQuantity,"
        " ChangePrice or ChangeAddress",
    )


def _remove_line(order: O, line_id: str) -> tuple[O, tuple[LineRelease, ...]]:
    line = find_line(order, line_id)
    action = f"remove line {line_id}"
    reason = _picked_reason(line.ledger)
    if reason:
        raise _refuse(order, action, reason)
    if len(order.lines) == 1 and order.state != order.lifecycle.initial:
        raise _refuse(order, action, "it is the only line; cancel the order instead")
    ledger = line.ledger
    release = Release(allocated=ledger.allocated, backordered=ledger.backordered, open=ledger.open)
    lines = tuple(other for other in order.lines if other.line_id != line_id)
    return attrs.evolve(order, lines=lines), (LineRelease(line_id, line.sku, release),)


def _change_quantity(order: O, change: ChangeQuantity) -> tuple[O, tuple[LineRelease, ...]]:
    line = find_line(order, change.line_id)
    subject = line_subject(order, change.line_id)
    ledger = line.ledger
    if (
        isinstance(change.quantity, bool)
        or not isinstance(change.quantity, int)
        or change.quantity <= 0
    ):
        raise InvalidQuantityError.invalid(
            subject, "quantity", change.quantity, "a positive integer"
        )
    if change.quantity == ledger.ordered:
        return order, ()
    lowest = max(ledger.canceled + ledger.picked_or_later, ledger.canceled + ledger.net_invoiced, 1)
    if change.quantity < lowest:
        raise _refuse(
            order,
            f"change the quantity of line {change.line_id} to {change.quantity}",
            f"{ledger.picked_or_later} units are picked or later, {ledger.canceled}"
            f" canceled and {ledger.net_invoiced} invoiced; the lowest quantity allowed"
            f" is {lowest}",
        )
    if change.quantity > ledger.ordered:
        new = ledger.increase(change.quantity - ledger.ordered, subject=subject)
        return _replace_line(order, attrs.evolve(line, ledger=new)), ()
    new, release = ledger.decrease(ledger.ordered - change.quantity, subject=subject)
    changed = _replace_line(order, attrs.evolve(line, ledger=new))
    return changed, (LineRelease(line.line_id, line.sku, release),)


def _change_price(order: O, change: ChangePrice) -> O:
    line = find_line(order, change.line_id)
    action = f"change the price of line {change.line_id}"
    new = NewLine(
        line.line_id,
        line.sku,
        line.quantity,
        change.unit_price,
        tax_code=line.tax_code,
        discounts=line.discounts,
    )
    _check_money(order, change.unit_price, f"the price of line {line.line_id}")
    reason = _picked_reason(line.ledger)
    if reason:
        raise _refuse(order, action, reason)
    return _replace_line(order, attrs.evolve(line, unit_price=new.unit_price))


def _change_address(order: O, change: ChangeAddress) -> O:
    action = f"change the {change.kind.value} address"
    if change.kind is AddressKind.SHIPPING:
        picked = sum(line.ledger.picked_or_later for line in order.lines)
        if picked:
            raise _refuse(order, action, f"{picked} units are already picked, packed or shipped")
        return attrs.evolve(order, shipping_address=change.address)
    if order.invoices:
        raise _refuse(order, action, f"{len(order.invoices)} invoices are issued")
    return attrs.evolve(order, billing_address=change.address)


def cancel_everything(order: O) -> tuple[O, tuple[LineRelease, ...]]:
    """Cancel every unshipped unit of every line.

    Raises:
        QuantityNotAvailableError: A line has invoiced units that are not credited.
    """
    releases = []
    for line in order.lines:
        if line.ledger.unshipped:
            subject = line_subject(order, line.line_id)
            ledger, release = line.ledger.cancel(line.ledger.unshipped, subject=subject)
            order = _replace_line(order, attrs.evolve(line, ledger=ledger))
            releases.append(LineRelease(line.line_id, line.sku, release))
    return order, tuple(releases)


# --- event application ------------------------------------------------------------------------


def _line_added(order: O, event: OrderLineAdded) -> O:
    return attrs.evolve(order, lines=(*order.lines, new_order_line(order, event.line)))


def _transitioned(order: O, event: OrderTransitioned) -> O:
    if isinstance(event, OrderCanceled):
        order, _ = cancel_everything(order)
    return attrs.evolve(order, state=event.target)


def _hold_placed(order: O, event: OrderHoldPlaced) -> O:
    hold = Hold(event.reason, by=event.by, note=event.note, at=event.occurred_at)
    return attrs.evolve(order, holds=(*order.holds, hold))


def _hold_released(order: O, event: OrderHoldReleased) -> O:
    return attrs.evolve(order, holds=tuple(h for h in order.holds if h.reason is not event.reason))


def _amended(order: O, event: OrderAmended) -> O:
    for change in event.changes:
        order, _ = apply_change(order, change)
    return attrs.evolve(order, revision=event.revision)


def _line_canceled(order: O, event: OrderLineCanceled) -> O:
    return _with_ledger(order, event.line_id, lambda g, s: g.cancel(event.quantity, subject=s)[0])


_WAREHOUSE: dict[type[OrderEvent], str] = {
    OrderLineAllocated: "allocate",
    OrderLineDeallocated: "deallocate",
    OrderLineBackordered: "backorder",
    OrderLinePicked: "pick",
    OrderLinePacked: "pack",
    OrderLineShipped: "ship",
    OrderLineDelivered: "deliver",
}


def _warehouse(order: O, event: Any) -> O:
    method = _WAREHOUSE[type(event)]
    return _with_ledger(
        order,
        event.line_id,
        lambda g, s: getattr(g, method)(event.quantity, subject=s),
    )


def _replace_return(order: O, rma: ReturnAuthorization) -> O:
    returns = tuple(rma if r.return_id == rma.return_id else r for r in order.returns)
    return attrs.evolve(order, returns=returns)


def _return_requested(order: O, event: OrderReturnRequested) -> O:
    order = _with_ledger(
        order, event.line_id, lambda g, s: g.request_return(event.quantity, subject=s)
    )
    rma = ReturnAuthorization(event.return_id, event.line_id, event.quantity, reason=event.reason)
    return attrs.evolve(order, returns=(*order.returns, rma))


def _return_authorized(order: O, event: OrderReturnAuthorized) -> O:
    rma = order.return_authorization(event.return_id)
    return _replace_return(
        order, rma.authorize(restocking_fee_rate=event.restocking_fee_rate, note=event.note)
    )


def _return_rejected(order: O, event: OrderReturnRejected) -> O:
    rma = order.return_authorization(event.return_id)
    order = _with_ledger(
        order, rma.line_id, lambda g, s: g.withdraw_return(rma.quantity, subject=s)
    )
    return _replace_return(order, rma.reject(note=event.note))


def _return_received(order: O, event: OrderReturnReceived) -> O:
    rma = order.return_authorization(event.return_id)
    order = _with_ledger(
        order,
        rma.line_id,
        lambda g, s: g.receive_return(rma.quantity, event.condition, subject=s),
    )
    return _replace_return(order, rma.receive(event.condition))


def _invoiced(order: O, event: OrderInvoiced) -> O:
    policy = order.invoice_policy
    for item in event.quantities:

        def invoice(ledger: LineLedger, subject: str, quantity: int = item.quantity) -> LineLedger:
            return ledger.invoice(quantity, policy, subject=subject)

        order = _with_ledger(order, item.line_id, invoice)
    document = BillingDocument(
        event.invoice_id, tuple((q.line_id, q.quantity) for q in event.quantities), event.amount
    )
    return attrs.evolve(order, invoices=(*order.invoices, document))


def _credited(order: O, event: OrderCredited) -> O:
    for item in event.quantities:

        def credit(ledger: LineLedger, subject: str, quantity: int = item.quantity) -> LineLedger:
            return ledger.credit(quantity, subject=subject)

        order = _with_ledger(order, item.line_id, credit)
    document = BillingDocument(
        event.credit_note_id,
        tuple((q.line_id, q.quantity) for q in event.quantities),
        event.amount,
    )
    return attrs.evolve(order, credit_notes=(*order.credit_notes, document))


def _payment(order: O, event: OrderPaymentRecorded) -> O:
    payment = PaymentRecord(event.payment_id, event.amount)
    return attrs.evolve(order, payments=(*order.payments, payment))


def _nothing(order: O, _event: OrderEvent) -> O:
    return order


_APPLY: dict[type[OrderEvent], Callable[[Any, Any], Any]] = {
    OrderLineAdded: _line_added,
    OrderHoldPlaced: _hold_placed,
    OrderHoldReleased: _hold_released,
    OrderResumed: _nothing,
    OrderAmended: _amended,
    OrderLineCanceled: _line_canceled,
    OrderReturnRequested: _return_requested,
    OrderReturnAuthorized: _return_authorized,
    OrderReturnRejected: _return_rejected,
    OrderReturnReceived: _return_received,
    OrderInvoiced: _invoiced,
    OrderCredited: _credited,
    OrderPaymentRecorded: _payment,
    **dict.fromkeys(_WAREHOUSE, _warehouse),
}


def apply_event(order: O, event: OrderEvent) -> O:
    """The order after ``event`` (version and ``updated_at`` taken from the event).

    Raises:
        EventHistoryError: ``event`` is not an order event this function knows.
        OrderCycleError: The event does not fit the order (replaying a corrupt history).
    """
    if isinstance(event, OrderTransitioned):
        changed = _transitioned(order, event)
    else:
        try:
            apply = _APPLY[type(event)]
        except KeyError:
            raise EventHistoryError(
                f"Cannot apply {type(event).__name__} to {order.subject}; expected one of the"
                " order events of ordercycle.model.order_events.",
                subject=order.subject,
                value=event,
            ) from None
        changed = apply(order, event)
    return attrs.evolve(changed, version=event.version, updated_at=event.occurred_at)
