"""Event handlers behind the outbox: the desk reacting to what its commands recorded.

- a stock receipt allocates orders waiting with backorders for that product, by priority,
  then requested delivery date (orders without one last), then order time;
- a return received restocks its units (resellable ones become available again, damaged
  ones are kept on hand as unavailable);
- a payment applied to an invoice records the settled share on the order, so the order's
  payment status follows its invoices. This one is part of the command that applied the
  payment: the desk runs it inline, in that command's unit of work (see :data:`INLINE`).

Each reaction's effect is exactly-once, whatever dispatches it:

- it commits in the unit of work that also moves the consumer's checkpoint, and the
  dispatcher claims that checkpoint under the storage's write lock before it acts, so two
  dispatchers never handle the same message on the strength of one stale read;
- it is idempotent by key: a restock is recorded under its return
  (:class:`~ordercycle.service.records.ReturnRestock`, written at stream version 0), a
  payment share under the payment and invoice, and a backorder is only allocated what is
  still backordered. A message handled again (after a crash, a reset checkpoint, another
  dispatcher) finds its work done, and two attempts at once conflict on the same write:
  the loser is retried after the winner committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ordercycle.inventory.events import StockReceived
from ordercycle.invoicing.events import PaymentApplied
from ordercycle.model.events import DomainEvent, UnknownEventTypeError
from ordercycle.model.order.events import OrderReturnReceived
from ordercycle.model.order.policies import ReturnCondition
from ordercycle.money import Money
from ordercycle.service._billing import settled_share
from ordercycle.service._orders import serve_backlog
from ordercycle.service._session import Session
from ordercycle.service.records import ReturnRestock, ReturnRestocked

__all__ = ["CONSUMER", "INLINE", "TRIGGERS", "handle", "inline", "reacts_to", "trigger_types"]

#: The outbox consumer name of the desk's handlers.
CONSUMER = "order-desk"

#: The record kind under which each restocked return is kept (key ``order/return``).
RESTOCK = "restock"

_log = logging.getLogger(__name__)


#: The events the handlers react to; the desk dispatches right after a command that
#: recorded one (see :meth:`~ordercycle.service.OrderDesk.execute`).
TRIGGERS: tuple[type[DomainEvent], ...] = (StockReceived, OrderReturnReceived, PaymentApplied)


def reacts_to(event: DomainEvent) -> bool:
    """Whether :func:`handle` may do something for ``event``."""
    return isinstance(event, TRIGGERS)


#: The events whose reaction is part of the command that recorded them: the desk handles
#: them in that command's unit of work (so they commit or roll back with it) when it
#: dispatches after commands; the outbox dispatch handles them again, finding them done.
INLINE: tuple[type[DomainEvent], ...] = (PaymentApplied,)


def inline(event: DomainEvent) -> bool:
    """Whether the desk handles ``event`` in the unit of work of the command recording it."""
    return isinstance(event, INLINE)


#: (the registry view the names were found in, the names): see :func:`trigger_types`.
_TRIGGER_TYPES: list[tuple[object, frozenset[str]]] = []


def trigger_types() -> frozenset[str]:
    """The registered event type names :func:`reacts_to` accepts (subclasses included)."""
    # The desk asks at every batch of every dispatch. The answer changes only when an event
    # class is registered or forgotten, and each of those makes ``registry()`` return a new
    # view (the same object until then; held here, so its id is not reused): the names are
    # found again only then.
    view = DomainEvent.registry()
    if _TRIGGER_TYPES and _TRIGGER_TYPES[0][0] is view:
        return _TRIGGER_TYPES[0][1]
    names = _find_trigger_types()
    _TRIGGER_TYPES[:] = [(view, names)]
    return names


def _find_trigger_types() -> frozenset[str]:
    # The triggers' subclass trees, not the whole registry: a class counts if it is the
    # one registered under its name.
    names = set()
    stack: list[type[DomainEvent]] = list(TRIGGERS)
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        name = getattr(cls, "event_type", None)
        if isinstance(name, str) and _registered(name) is cls:
            names.add(name)
    return frozenset(names)


def _registered(name: str) -> type[DomainEvent] | None:
    try:
        return DomainEvent.lookup(name)
    except UnknownEventTypeError:
        return None


class _Note:
    """A sentence about what a reaction did, made when it is shown (``str``): the desk
    only logs notes at INFO, and a payment share's sentence asks the order for its
    payment status (every line's amounts), which a run not logging at INFO never reads."""

    __slots__ = ("_text",)

    def __init__(self, text: Callable[[], str]) -> None:
        self._text = text

    def __str__(self) -> str:
        return self._text()


def handle(s: Session, event: DomainEvent) -> Sequence[object]:
    """React to one outbox event; returns what was done, one note each (``str(note)`` is
    its sentence)."""
    if isinstance(event, StockReceived):
        return serve_backlog(s, [str(event.sku)])
    if isinstance(event, OrderReturnReceived):
        return _restock(s, event)
    if isinstance(event, PaymentApplied):
        return _order_payment(s, event)
    return []


def _restock(s: Session, event: OrderReturnReceived) -> list[str]:
    key = f"{event.aggregate_id}/{event.return_id}"
    if s.record(RESTOCK, key, ReturnRestock) is not None:
        return []  # restocked already, by this message before or by another dispatcher
    ledger = s.stock([event.sku])
    homes = [str(p.bin) for p in ledger.positions(event.sku, at=s.now)]
    bin_id = homes[0] if homes else s.settings.home_bin()
    damaged = event.condition is ReturnCondition.DAMAGED
    ledger.restock(
        event.sku,
        bin_id,
        event.quantity,
        reference=f"{event.aggregate_id}/{event.return_id}",
        damaged=damaged,
        at=s.now,
    )
    s.save_stock()
    done = ReturnRestock(
        order_id=str(event.aggregate_id),
        return_id=str(event.return_id),
        sku=str(event.sku),
        quantity=event.quantity,
        bin=bin_id,
        damaged=damaged,
    )
    s.put(RESTOCK, key, ReturnRestocked, done, "restocked")
    state = "unavailable (damaged)" if damaged else "available"
    return [
        f"return {event.return_id}: {event.quantity} {event.sku} restocked at {bin_id}, {state}"
    ]


def _order_payment(s: Session, event: PaymentApplied) -> list[_Note]:
    invoice, meta = s.invoice(event.aggregate_id)
    order = s.order(meta.order_id)
    document = next((d for d in order.invoices if d.document_id == invoice.invoice_id), None)
    if document is None:
        _log.warning("invoice %s is not recorded on order %s", invoice.invoice_id, order.id)
        return []
    suffix = f"@{invoice.invoice_id}"
    recorded = Money.sum(
        (p.amount for p in order.payments if p.payment_id.endswith(suffix)),
        currency=order.currency,
    )
    due = settled_share(invoice, document.amount) - recorded
    if not due.is_positive:
        return []
    payment_id = f"{event.payment_id}{suffix}"
    if any(p.payment_id == payment_id for p in order.payments):
        return []
    paid = s.save_order(order.record_payment(payment_id, due, at=s.now))
    return [_Note(lambda: f"{paid.subject}: {due} recorded, {paid.payment_status.value}")]
