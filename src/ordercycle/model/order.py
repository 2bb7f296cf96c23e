"""The :class:`Order` aggregate: an immutable order whose commands return events.

Style: an :class:`Order` is frozen. Every command is a method that takes the time as
``at=`` and returns ``(new_order, events)``: the changed order and the tuple of
:class:`~ordercycle.model.order_events.OrderEvent` that record the change. A refused
command raises a typed error and the original order is untouched (it never changes, and
nothing is returned). Commands never read a clock or invent ids: the caller passes them
(for example from an :class:`~ordercycle.model.ids.IdFactory`).

>>> from datetime import UTC, datetime
>>> from ordercycle.model.address import Address
>>> from ordercycle.model.order_lines import NewLine
>>> from ordercycle.money import Money
>>> home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
>>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
>>> order, events = Order.create(
...     "O-17", customer_id="C-3", currency="USD", shipping_address=home, at=at,
...     lines=[NewLine("L1", "MUG-12", 4, Money("9.50", "USD"))],
... )
>>> order, placed = order.place(at=at)
>>> order, confirmed = order.confirm(at=at)
>>> order.state, order.version, [type(e).__name__ for e in events + placed + confirmed]
('confirmed', 3, ['OrderDrafted', 'OrderPlaced', 'OrderConfirmed'])
>>> Order.replay(events + placed + confirmed) == order
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Final, TypeAlias

import attrs

from ordercycle.errors import ValidationError
from ordercycle.lifecycle import Lifecycle
from ordercycle.model.address import Address
from ordercycle.model.clock import ensure_aware
from ordercycle.model.holds import Hold, describe_holds
from ordercycle.model.ids import (
    CustomerId,
    IdFactory,
    OrderId,
    parse_customer_id,
    parse_order_id,
)
from ordercycle.model.order_after_sales import AfterSalesCommands
from ordercycle.model.order_apply import (
    apply_change,
    apply_event,
    cancel_everything,
    find_line,
    line_subject,
    new_order_line,
)
from ordercycle.model.order_billing import BillingDocument, PaymentRecord
from ordercycle.model.order_changes import OrderChange
from ordercycle.model.order_commands import (
    COMMAND_STATES,
    HELD_COMMANDS,
    PHRASES,
    as_enum,
    check_text,
)
from ordercycle.model.order_errors import (
    CommandNotAllowedError,
    EventHistoryError,
    OrderCommandError,
    UnknownHoldError,
    UnknownReturnError,
)
from ordercycle.model.order_events import (
    LineRelease,
    OrderAmended,
    OrderCanceled,
    OrderCompleted,
    OrderConfirmed,
    OrderDrafted,
    OrderEvent,
    OrderExpired,
    OrderHoldPlaced,
    OrderHoldReleased,
    OrderLineAdded,
    OrderLineAllocated,
    OrderLineBackordered,
    OrderLineCanceled,
    OrderLineDeallocated,
    OrderLineDelivered,
    OrderLinePacked,
    OrderLinePicked,
    OrderLineShipped,
    OrderPlaced,
    OrderReleased,
    OrderResumed,
    OrderStateChanged,
    OrderTransitioned,
)
from ordercycle.model.order_lifecycle import ORDER_LIFECYCLE
from ordercycle.model.order_lines import NewLine, OrderLine
from ordercycle.model.order_policies import (
    HoldReason,
    InvoicePolicy,
    Priority,
    ShippingPolicy,
)
from ordercycle.model.order_report import describe_order
from ordercycle.model.order_status import (
    BillingStatus,
    FulfilmentStatus,
    PaymentStatus,
    billing_status,
    fulfilment_status,
    payment_status,
)
from ordercycle.model.returns import ReturnAuthorization
from ordercycle.money import Currency, Money

__all__ = ["COMMAND_STATES", "HELD_COMMANDS", "Order", "OrderOutcome"]

OrderOutcome: TypeAlias = "tuple[Order, tuple[OrderEvent, ...]]"
"""What every command returns: the new order and the events that record the change."""

_NAMED: Final[dict[str, type[OrderTransitioned]]] = {
    "place": OrderPlaced,
    "confirm": OrderConfirmed,
    "release": OrderReleased,
    "complete": OrderCompleted,
    "expire": OrderExpired,
}


@attrs.frozen(kw_only=True)
class Order(AfterSalesCommands):
    """An order: header, lines with their quantity ledgers, holds, returns and billing.

    Create one with :meth:`create` (a draft) and change it only through its commands;
    rebuild it from its events with :meth:`replay`. Statuses for fulfilment, billing and
    payment are properties computed from the ledgers, never stored.

    Attributes:
        id: The order id.
        customer_id: Who ordered.
        channel: The sales channel (``"web"``, ``"edi"``, ``"phone"``).
        currency: Every price and payment is in this currency.
        lines: The lines, in the order they were added.
        shipping_address: Where the goods go.
        billing_address: Where invoices go.
        requested_delivery_date: When the customer wants the goods, if they said.
        payment_terms: Reference to payment terms (``"2/10 Net 30"``), resolved by invoicing.
        invoice_policy: Invoice ordered or delivered quantities.
        shipping_policy: Ship as available, or ship complete.
        priority: Warehouse priority.
        state: The lifecycle state (see :data:`~ordercycle.model.order_lifecycle.ORDER_LIFECYCLE`).
        version: Number of events recorded so far.
        created_at: When the draft was created.
        updated_at: When the last event occurred.
        holds: Active holds, in the order they were placed.
        returns: Return authorisations, in the order they were requested.
        revision: Number of change sets applied.
        invoices: Invoices issued, in order.
        credit_notes: Credit notes issued, in order.
        payments: Payments reported, in order.
    """

    lifecycle: ClassVar[Lifecycle] = ORDER_LIFECYCLE
    """The lifecycle this class of orders follows (a subclass may use an extended one)."""
    command_states: ClassVar[Mapping[str, tuple[str, ...]]] = COMMAND_STATES
    """Where each non-lifecycle command is allowed (see :data:`COMMAND_STATES`)."""

    id: OrderId
    customer_id: CustomerId
    channel: str
    currency: Currency
    lines: tuple[OrderLine, ...]
    shipping_address: Address
    billing_address: Address
    requested_delivery_date: date | None
    payment_terms: str
    invoice_policy: InvoicePolicy
    shipping_policy: ShippingPolicy
    priority: Priority
    state: str
    version: int
    created_at: datetime
    updated_at: datetime
    holds: tuple[Hold, ...] = ()
    returns: tuple[ReturnAuthorization, ...] = ()
    revision: int = 0
    invoices: tuple[BillingDocument, ...] = ()
    credit_notes: tuple[BillingDocument, ...] = ()
    payments: tuple[PaymentRecord, ...] = ()

    # --- creation and replay -----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        order_id: str | IdFactory,
        *,
        customer_id: str,
        currency: Currency | str,
        shipping_address: Address,
        at: datetime,
        lines: Iterable[NewLine] = (),
        billing_address: Address | None = None,
        channel: str = "direct",
        requested_delivery_date: date | None = None,
        payment_terms: str = "",
        invoice_policy: InvoicePolicy | str = InvoicePolicy.ORDERED,
        shipping_policy: ShippingPolicy | str = ShippingPolicy.SHIP_AS_AVAILABLE,
        priority: Priority | int = Priority.NORMAL,
    ) -> OrderOutcome:
        """Create a draft order (event :class:`OrderDrafted`).

        Args:
            order_id: The new order's id, or an :class:`IdFactory` to draw it from
                (``ids.new_id("order")``).
            customer_id: Who orders.
            currency: An ISO 4217 code or :class:`Currency`; every price must use it.
            shipping_address: Where to ship.
            at: When the draft is created (timezone-aware).
            lines: The first lines (more can be added while it is a draft).
            billing_address: Where to bill; defaults to the shipping address.
            channel: The sales channel.
            requested_delivery_date: The customer's requested date, if any.
            payment_terms: Reference to payment terms.
            invoice_policy: ``"ordered"`` or ``"delivered"``.
            shipping_policy: ``"ship_as_available"`` or ``"ship_complete"``.
            priority: A :class:`Priority`.

        Raises:
            ValidationError: A header field is invalid (the message names it).
            DuplicateLineError: Two lines share an id.
            OrderCurrencyError: A line is priced in another currency.
        """
        oid = parse_order_id(
            order_id.new_id("order") if isinstance(order_id, IdFactory) else order_id
        )
        subject = f"order {oid}"
        code = currency if isinstance(currency, Currency) else Currency.of(currency)
        for field, address in (
            ("shipping address", shipping_address),
            ("billing address", billing_address),
        ):
            if address is not None and not isinstance(address, Address):
                raise ValidationError.invalid(subject, field, address, "an Address")
        if requested_delivery_date is not None and (
            isinstance(requested_delivery_date, datetime)
            or not isinstance(requested_delivery_date, date)
        ):
            raise ValidationError.invalid(
                subject, "requested delivery date", requested_delivery_date, "a date or None"
            )
        new_lines = tuple(lines)
        for line in new_lines:
            if not isinstance(line, NewLine):
                raise ValidationError.invalid(subject, "line", line, "a NewLine")
        event = OrderDrafted(
            aggregate_id=oid,
            version=1,
            occurred_at=ensure_aware(at, subject=subject, field="at"),
            customer_id=parse_customer_id(customer_id),
            channel=check_text(subject, "channel", channel, required=True),
            currency=code.code,
            lines=new_lines,
            shipping_address=shipping_address,
            billing_address=billing_address or shipping_address,
            requested_delivery_date=requested_delivery_date,
            payment_terms=check_text(subject, "payment terms", payment_terms),
            invoice_policy=as_enum(InvoicePolicy, invoice_policy, subject, "invoice policy"),
            shipping_policy=as_enum(ShippingPolicy, shipping_policy, subject, "shipping policy"),
            priority=as_enum(Priority, priority, subject, "priority"),
        )
        return cls._from_drafted(event), (event,)

    @classmethod
    def _from_drafted(cls, event: OrderDrafted) -> Order:
        order = cls(
            id=OrderId(event.aggregate_id),
            customer_id=CustomerId(event.customer_id),
            channel=event.channel,
            currency=Currency.of(event.currency),
            lines=(),
            shipping_address=event.shipping_address,
            billing_address=event.billing_address,
            requested_delivery_date=event.requested_delivery_date,
            payment_terms=event.payment_terms,
            invoice_policy=event.invoice_policy,
            shipping_policy=event.shipping_policy,
            priority=event.priority,
            state=cls.lifecycle.initial,
            version=event.version,
            created_at=event.occurred_at,
            updated_at=event.occurred_at,
        )
        for line in event.lines:
            order = attrs.evolve(order, lines=(*order.lines, new_order_line(order, line)))
        return order

    @classmethod
    def replay(cls, events: Iterable[OrderEvent]) -> Order:
        """Rebuild an order from its whole event history.

        Raises:
            EventHistoryError: The history does not start with :class:`OrderDrafted` at
                version 1, mixes orders, or skips or repeats a version.
        """
        stream = iter(events)
        first = next(stream, None)
        if not isinstance(first, OrderDrafted) or first.version != 1:
            raise EventHistoryError(
                f"Cannot replay an order from {first!r}; expected an OrderDrafted event with"
                " version 1 first.",
                subject="Order.replay",
                value=first,
            )
        order = cls._from_drafted(first)
        for event in stream:
            if event.aggregate_id != order.id or event.version != order.version + 1:
                raise EventHistoryError(
                    f"Cannot replay {type(event).__name__} (order {event.aggregate_id},"
                    f" version {event.version}) onto {order.subject} at version"
                    f" {order.version}; expected order {order.id}, version {order.version + 1}.",
                    subject=order.subject,
                    value=event,
                )
            order = apply_event(order, event)
        return order

    # --- queries ---------------------------------------------------------------------------------

    @property
    def subject(self) -> str:
        """``"order O-17"``, as used in messages."""
        return f"order {self.id}"

    def line(self, line_id: str) -> OrderLine:
        """The line called ``line_id``.

        Raises:
            UnknownLineError: No such line; the message lists the known ones.
        """
        return find_line(self, line_id)

    def return_authorization(self, return_id: str) -> ReturnAuthorization:
        """The return called ``return_id``.

        Raises:
            UnknownReturnError: No such return.
        """
        for rma in self.returns:
            if rma.return_id == return_id:
                return rma
        raise UnknownReturnError(self.subject, return_id, [r.return_id for r in self.returns])

    @property
    def on_hold(self) -> bool:
        """Whether any hold is on."""
        return bool(self.holds)

    @property
    def hold_reasons(self) -> tuple[HoldReason, ...]:
        """The reasons of the active holds, in the order they were placed."""
        return tuple(hold.reason for hold in self.holds)

    @property
    def is_final(self) -> bool:
        """Whether the lifecycle has ended (completed, canceled, expired)."""
        return self.lifecycle.is_final(self.state)

    def allowed_events(self) -> tuple[str, ...]:
        """The lifecycle events allowed now (guards checked against this order)."""
        return self.lifecycle.allowed_events(self.state, self)

    @property
    def fulfilment_status(self) -> FulfilmentStatus:
        """Derived from the ledgers (see :mod:`ordercycle.model.order_status`)."""
        return fulfilment_status(line.ledger for line in self.lines)

    @property
    def billing_status(self) -> BillingStatus:
        """Derived from the ledgers (see :mod:`ordercycle.model.order_status`)."""
        return billing_status(line.ledger for line in self.lines)

    @property
    def amount_due(self) -> Money:
        """Invoiced minus credited amounts."""
        invoiced = Money.sum((doc.amount for doc in self.invoices), currency=self.currency)
        credited = Money.sum((doc.amount for doc in self.credit_notes), currency=self.currency)
        return invoiced - credited

    @property
    def amount_paid(self) -> Money:
        """The sum of the payments reported."""
        return Money.sum((p.amount for p in self.payments), currency=self.currency)

    @property
    def payment_status(self) -> PaymentStatus:
        """Derived from :attr:`amount_paid` and :attr:`amount_due`."""
        return payment_status(self.amount_paid, self.amount_due)

    @property
    def total(self) -> Money:
        """Net amount of the units still on order (after discounts, rounded per line)."""
        return Money.sum(
            (line.amount(line.ledger.active) for line in self.lines), currency=self.currency
        )

    def describe(self) -> str:
        """A plain-text summary: header, state, holds, statuses and the ledger table."""
        return describe_order(self)

    def _repr_markdown_(self) -> str:
        return f"```text\n{self.describe()}\n```\n"

    def check(self) -> tuple[str, ...]:
        """Every broken ledger law of every line, each prefixed with its line (empty: none)."""
        return tuple(
            f"line {line.line_id}: {violation}"
            for line in self.lines
            for violation in line.ledger.check(self.invoice_policy)
        )

    # --- machinery -------------------------------------------------------------------------------

    def _record(
        self, at: datetime, *changes: tuple[type[OrderEvent], dict[str, Any]]
    ) -> OrderOutcome:
        when = ensure_aware(at, subject=self.subject, field="at")
        if when < self.updated_at:
            raise ValidationError.invalid(
                self.subject,
                "at",
                when.isoformat(),
                f"a time at or after its last change, {self.updated_at.isoformat()}",
            )
        order = self
        events: list[OrderEvent] = []
        for kind, fields in changes:
            event = kind(
                aggregate_id=self.id, version=order.version + 1, occurred_at=when, **fields
            )
            order = apply_event(order, event)
            events.append(event)
        # A line whose ledger the change did not touch kept its laws: check only the others
        # (all of them if the invoice policy, which some laws read, changed).
        unchanged = (
            {id(line.ledger) for line in self.lines}
            if order.invoice_policy == self.invoice_policy
            else set()
        )
        for line in order.lines:
            if id(line.ledger) in unchanged:
                continue
            line.ledger.validate(order.invoice_policy, subject=line_subject(order, line.line_id))
        return order, tuple(events)

    def _gate(self, command: str) -> None:
        allowed = self.command_states.get(command, ())
        phrase = PHRASES.get(command, command)
        if self.state not in allowed:
            raise CommandNotAllowedError(
                self.subject,
                phrase,
                self.state,
                reason=f"it is {self.state}",
                allowed_states=allowed,
            )
        if command in HELD_COMMANDS and self.holds:
            raise CommandNotAllowedError(
                self.subject,
                phrase,
                self.state,
                reason=f"it is on hold ({describe_holds(self.holds)}); release the hold first",
            )

    def _target(self, event: str) -> str:
        subject = f"{self.subject} to the warehouse" if event == "release" else self.subject
        return self.lifecycle.next_state(self.state, event, context=self, subject=subject)

    # --- lifecycle -------------------------------------------------------------------------------

    def fire(self, event: str, *, at: datetime) -> OrderOutcome:
        """Fire a lifecycle event by name (also custom events of an extended lifecycle).

        The built-in events record their own event class (``"confirm"`` records
        :class:`OrderConfirmed`); others record :class:`OrderStateChanged`.

        Raises:
            TransitionNotAllowedError: The event is not allowed now; the message says why.
        """
        if event == "cancel":
            return self.cancel(at=at)
        target = self._target(event)
        fields: dict[str, Any] = {"source": self.state, "target": target}
        kind = _NAMED.get(event)
        if kind is None:
            return self._record(at, (OrderStateChanged, {**fields, "event": event}))
        return self._record(at, (kind, fields))

    def place(self, *, at: datetime) -> OrderOutcome:
        """The customer places the draft (it needs at least one line)."""
        return self.fire("place", at=at)

    def confirm(self, *, at: datetime) -> OrderOutcome:
        """The seller accepts the placed order."""
        return self.fire("confirm", at=at)

    def release(self, *, at: datetime) -> OrderOutcome:
        """Release the confirmed order to the warehouse.

        Raises:
            TransitionNotAllowedError: The order is not confirmed, or it is on hold:
                ``Cannot release order O-17 to the warehouse: it is on hold (credit); ...``.
        """
        return self.fire("release", at=at)

    def complete(self, *, at: datetime) -> OrderOutcome:
        """Close the released order once every unit still on order is delivered."""
        return self.fire("complete", at=at)

    def expire(self, *, at: datetime) -> OrderOutcome:
        """Abandon a draft that was never placed."""
        return self.fire("expire", at=at)

    def cancel(self, *, at: datetime, reason: str = "") -> OrderOutcome:
        """Cancel the whole order: every unshipped unit is canceled and its stock released.

        Raises:
            TransitionNotAllowedError: The order is final, or some units have shipped.
            OrderCommandError: Some units are invoiced and not credited.
        """
        target = self._target("cancel")
        invoiced = sum(line.ledger.net_invoiced for line in self.lines)
        if invoiced:
            raise OrderCommandError(
                self.subject,
                f"cancel {self.subject}",
                f"{invoiced} units are invoiced; credit them first",
            )
        _, releases = cancel_everything(self)
        fields = {
            "source": self.state,
            "target": target,
            "reason": check_text(self.subject, "reason", reason),
            "releases": releases,
        }
        return self._record(at, (OrderCanceled, fields))

    # --- holds -----------------------------------------------------------------------------------

    def hold(
        self, reason: HoldReason | str, *, by: str, at: datetime, note: str = ""
    ) -> OrderOutcome:
        """Put a hold on the order (one per reason; several reasons at once are fine).

        Raises:
            CommandNotAllowedError: The order is a draft or final.
            OrderCommandError: A hold with this reason is already on.
        """
        code: HoldReason = as_enum(HoldReason, reason, self.subject, "hold reason")
        self._gate("hold")
        if code in self.hold_reasons:
            raise OrderCommandError(
                self.subject,
                f"put a {code.label} hold on {self.subject}",
                f"it is already on hold ({code.label})",
            )
        fields = {
            "reason": code,
            "by": check_text(self.subject, "by", by, required=True),
            "note": check_text(self.subject, "note", note),
        }
        return self._record(at, (OrderHoldPlaced, fields))

    def release_hold(
        self, reason: HoldReason | str, *, by: str, at: datetime, note: str = ""
    ) -> OrderOutcome:
        """Take a hold off; releasing the last one also records :class:`OrderResumed`.

        Raises:
            UnknownHoldError: No hold with this reason is on.
        """
        code: HoldReason = as_enum(HoldReason, reason, self.subject, "hold reason")
        if code not in self.hold_reasons:
            raise UnknownHoldError(self.subject, code.value, [r.value for r in self.hold_reasons])
        fields = {
            "reason": code,
            "by": check_text(self.subject, "by", by, required=True),
            "note": check_text(self.subject, "note", note),
        }
        if len(self.holds) == 1:
            return self._record(at, (OrderHoldReleased, fields), (OrderResumed, {}))
        return self._record(at, (OrderHoldReleased, fields))

    # --- lines and edits -------------------------------------------------------------------------

    def add_line(self, line: NewLine, *, at: datetime) -> OrderOutcome:
        """Add a line to a draft (after placing, use :meth:`amend` with ``AddLine``)."""
        self._gate("add_line")
        if not isinstance(line, NewLine):
            raise ValidationError.invalid(self.subject, "line", line, "a NewLine")
        return self._record(at, (OrderLineAdded, {"line": line}))

    def amend(
        self, changes: Iterable[OrderChange], *, at: datetime, by: str = "", note: str = ""
    ) -> OrderOutcome:
        """Apply a change set as the next revision: all changes or none.

        After confirmation only quantities not yet picked may change; a refused change
        raises :class:`ChangeNotAllowedError` with the reason.

        Raises:
            CommandNotAllowedError: The order is final.
            ChangeNotAllowedError: A change is not allowed (the message says why).
            ValidationError: The change set is empty or a change is malformed.
        """
        self._gate("amend")
        change_set = tuple(changes)
        if not change_set:
            raise ValidationError.invalid(self.subject, "change set", (), "at least one change")
        order = self
        releases: list[LineRelease] = []
        for change in change_set:
            order, released = apply_change(order, change)
            releases.extend(released)
        fields = {
            "revision": self.revision + 1,
            "changes": change_set,
            "by": check_text(self.subject, "by", by),
            "note": check_text(self.subject, "note", note),
            "releases": tuple(releases),
        }
        return self._record(at, (OrderAmended, fields))

    def cancel_line(
        self, line_id: str, quantity: int, *, at: datetime, reason: str = ""
    ) -> OrderOutcome:
        """Cancel ``quantity`` unshipped units of one line; the event says what to release.

        Raises:
            UnknownLineError: No such line.
            InvalidQuantityError: ``quantity`` is not positive.
            QuantityNotAvailableError: Fewer units are unshipped, or they are invoiced.
        """
        self._gate("cancel_line")
        line = self.line(line_id)
        _, release = line.ledger.cancel(quantity, subject=line_subject(self, line_id))
        fields = {
            "line_id": line_id,
            "sku": line.sku,
            "quantity": quantity,
            "reason": check_text(self.subject, "reason", reason),
            "release": release,
        }
        return self._record(at, (OrderLineCanceled, fields))

    # --- the warehouse ---------------------------------------------------------------------------

    def _move(
        self, command: str, kind: type[OrderEvent], line_id: str, quantity: int, at: datetime
    ) -> OrderOutcome:
        self._gate(command)
        line = self.line(line_id)
        return self._record(at, (kind, {"line_id": line_id, "sku": line.sku, "quantity": quantity}))

    def allocate(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Record that stock is reserved for ``quantity`` units (backordered ones first)."""
        return self._move("allocate", OrderLineAllocated, line_id, quantity, at)

    def deallocate(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Give reserved stock of ``quantity`` allocated units back; they are open again."""
        return self._move("deallocate", OrderLineDeallocated, line_id, quantity, at)

    def backorder(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Record that ``quantity`` open units wait for stock."""
        return self._move("backorder", OrderLineBackordered, line_id, quantity, at)

    def pick(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Record that ``quantity`` allocated units were picked."""
        return self._move("pick", OrderLinePicked, line_id, quantity, at)

    def pack(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Record that ``quantity`` picked units were packed."""
        return self._move("pack", OrderLinePacked, line_id, quantity, at)

    def ship(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Record that ``quantity`` packed units shipped.

        With :attr:`ShippingPolicy.SHIP_COMPLETE`, nothing ships until every unit still
        on order is packed.
        """
        if self.shipping_policy is ShippingPolicy.SHIP_COMPLETE:
            waiting = sum(line.ledger.unshipped - line.ledger.packed for line in self.lines)
            if waiting:
                self._gate("ship")
                raise CommandNotAllowedError(
                    self.subject,
                    PHRASES["ship"],
                    self.state,
                    reason=f"it ships complete and {waiting} units are not packed yet",
                )
        return self._move("ship", OrderLineShipped, line_id, quantity, at)

    def deliver(self, line_id: str, quantity: int, *, at: datetime) -> OrderOutcome:
        """Record that ``quantity`` shipped units arrived."""
        return self._move("deliver", OrderLineDelivered, line_id, quantity, at)
