"""The :class:`Order` aggregate: an immutable order whose commands return events.

Style: an :class:`Order` is frozen. Every command is a method that takes the time as
``at=`` and returns ``(new_order, events)``: the changed order and the tuple of
:class:`~ordercycle.model.order.events.OrderEvent` that record the change. A refused
command raises a typed error and the original order is untouched (it never changes, and
nothing is returned). Commands never read a clock or invent ids: the caller passes them
(for example from an :class:`~ordercycle.model.ids.IdFactory`).

>>> from datetime import UTC, datetime
>>> from ordercycle.model.address import Address
>>> from ordercycle.model.order.lines import NewLine
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
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Final, Self, TypeAlias

import attrs

from ordercycle.errors import DuplicateError, InvalidQuantityError, ValidationError
from ordercycle.lifecycle import Lifecycle
from ordercycle.model._replace import replace
from ordercycle.model._trusted import event_maker
from ordercycle.model.address import Address
from ordercycle.model.aggregate import Outcome
from ordercycle.model.clock import ensure_aware
from ordercycle.model.ids import (
    CustomerId,
    IdFactory,
    OrderId,
    parse_customer_id,
    parse_id,
    parse_order_id,
)
from ordercycle.model.order.billing import (
    BillingDocument,
    OrderPayment,
    billed_quantities,
    new_document_id,
)
from ordercycle.model.order.changes import (
    ChangeAddress,
    OrderChange,
    change_lines,
    check_address_change,
)
from ordercycle.model.order.commands import (
    COMMAND_STATES,
    HELD_COMMANDS,
    PHRASES,
    as_enum,
    check_text,
)
from ordercycle.model.order.errors import (
    ChangeNotAllowedError,
    CommandNotAllowedError,
    EventHistoryError,
    OrderCommandError,
    OrderCurrencyError,
    QuoteExpiredError,
    UnknownHoldError,
    UnknownLineError,
)
from ordercycle.model.order.events import (
    OrderAmended,
    OrderCanceled,
    OrderCharged,
    OrderCompleted,
    OrderConfirmed,
    OrderCredited,
    OrderDrafted,
    OrderEvent,
    OrderExpired,
    OrderHeaderChanged,
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
    OrderLineQuantityEvent,
    OrderLineShipped,
    OrderPaymentRecorded,
    OrderPaymentReversed,
    OrderPlaced,
    OrderQuoted,
    OrderReleased,
    OrderResumed,
    OrderReturnAuthorized,
    OrderReturnReceived,
    OrderReturnRejected,
    OrderReturnRequested,
    OrderShippingMethodChanged,
    OrderStateChanged,
    OrderTransitioned,
)
from ordercycle.model.order.holds import Hold, describe_holds
from ordercycle.model.order.ledger import LineLedger, laws_hold
from ordercycle.model.order.lifecycle import ORDER_LIFECYCLE
from ordercycle.model.order.lines import (
    LineRelease,
    NewLine,
    OrderLine,
    add_line,
    cancel_unshipped,
    find_line,
    line_subject,
    with_ledger,
)
from ordercycle.model.order.policies import (
    AddressKind,
    HoldReason,
    InvoicePolicy,
    Priority,
    ReturnCondition,
    ReturnStatus,
    ShippingPolicy,
)
from ordercycle.model.order.report import ledger_table
from ordercycle.model.order.returns import (
    ReturnAuthorization,
    check_fee_rate,
    find_return,
    replace_return,
    return_in,
)
from ordercycle.model.order.status import (
    BillingStatus,
    FulfilmentStatus,
    PaymentStatus,
    billing_status,
    fulfilment_status,
    payment_status,
)
from ordercycle.money import Currency, Money

__all__ = ["Order", "OrderOutcome"]

OrderOutcome: TypeAlias = "Outcome[Order, OrderEvent]"
"""What every command returns: the new order and the events that record the change
(the :class:`~ordercycle.model.aggregate.Outcome` of every aggregate)."""

_WAREHOUSE: Final[dict[type[OrderEvent], str]] = {
    OrderLineAllocated: "allocate",
    OrderLineDeallocated: "deallocate",
    OrderLineBackordered: "backorder",
    OrderLinePicked: "pick",
    OrderLinePacked: "pack",
    OrderLineShipped: "ship",
    OrderLineDelivered: "deliver",
}
"""The ledger method each warehouse event calls on its line."""

_NAMED: Final[dict[str, type[OrderTransitioned]]] = {
    "place": OrderPlaced,
    "confirm": OrderConfirmed,
    "release": OrderReleased,
    "complete": OrderCompleted,
    "expire": OrderExpired,
}


@attrs.frozen(kw_only=True)
class Order:
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
        state: The lifecycle state (see :data:`~ordercycle.model.order.lifecycle.ORDER_LIFECYCLE`).
        version: Number of events recorded so far.
        created_at: When the draft was created.
        updated_at: When the last event occurred.
        holds: Active holds, in the order they were placed.
        returns: Return authorisations, in the order they were requested.
        revision: Number of change sets applied.
        invoices: Invoices issued, in order.
        credit_notes: Credit notes issued, in order.
        payments: Payments reported, in order.
        quote_valid_until: The last day the quote sent is valid (``None``: never quoted).
        shipping_method: The name of the shipping method whose rate is charged as freight
            when the order ships (``""``: none, no freight).
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
    payments: tuple[OrderPayment, ...] = ()
    quote_valid_until: date | None = None
    shipping_method: str = ""

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
        # A string first: ``isinstance(x, IdFactory)`` is a runtime protocol check, which
        # walks the protocol's members on every call (the desk passes the id it drew).
        oid = parse_order_id(
            order_id
            if isinstance(order_id, str) or not isinstance(order_id, IdFactory)
            else order_id.new_id("order")
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
        return Outcome(cls._from_drafted(event), (event,))

    @classmethod
    def _from_drafted(cls, event: OrderDrafted) -> Order:
        # The lines are gathered first and the order built once: adding them one by one
        # to the order copied the whole order for each line.
        order_id = OrderId(event.aggregate_id)
        customer_id = CustomerId(event.customer_id)
        currency = Currency.of(event.currency)
        subject = f"order {order_id}"  # what the order's subject will be
        lines: tuple[OrderLine, ...] = ()
        for line in event.lines:
            lines = add_line(lines, line, subject=subject, currency=currency)
        return cls(
            id=order_id,
            customer_id=customer_id,
            channel=event.channel,
            currency=currency,
            lines=lines,
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

    @classmethod
    def replay(cls, events: Iterable[OrderEvent], *, base: Order | None = None) -> Order:
        """Rebuild an order from its events.

        Without ``base``, ``events`` is the whole history, from :class:`OrderDrafted` at
        version 1. With ``base`` (the order at an earlier version, for example from a cache
        or a snapshot), ``events`` are those recorded after it, starting at
        ``base.version + 1``; ``base`` itself is not changed. Either way the result equals
        replaying the whole history from the start.

        >>> from datetime import UTC, datetime
        >>> from ordercycle.model.address import Address
        >>> from ordercycle.money import Money
        >>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
        >>> home = Address(lines="1 Main St", city="Springfield", postal_code="62701",
        ...                country="US")
        >>> order, drafted = Order.create("O-1", customer_id="C-1", currency="USD", at=at,
        ...     shipping_address=home, lines=[NewLine("L1", "MUG", 2, Money("5.00", "USD"))])
        >>> placed_order, placed = order.place(at=at)
        >>> Order.replay(placed, base=Order.replay(drafted)) == placed_order
        True

        Raises:
            EventHistoryError: Without ``base``, the history does not start with
                :class:`OrderDrafted` at version 1; with it, ``base`` is not an order; and
                either way an event belongs to another order, or skips or repeats a version.
        """
        stream = iter(events)
        order: Order
        if base is None:
            first = next(stream, None)
            if not isinstance(first, OrderDrafted) or first.version != 1:
                raise EventHistoryError(
                    f"Cannot replay an order from {first!r}; expected an OrderDrafted event"
                    " with version 1 first.",
                    subject="Order.replay",
                    value=first,
                )
            order = cls._from_drafted(first)
        elif isinstance(base, Order):
            order = base
        else:
            raise EventHistoryError(
                f"Cannot replay an order onto {base!r}; expected an Order (or no base).",
                subject="Order.replay",
                value=base,
            )
        for event in stream:
            if event.aggregate_id != order.id or event.version != order.version + 1:
                raise EventHistoryError(
                    f"Cannot replay {type(event).__name__} (order {event.aggregate_id},"
                    f" version {event.version}) onto {order.subject} at version"
                    f" {order.version}; expected order {order.id}, version {order.version + 1}.",
                    subject=order.subject,
                    value=event,
                )
            order = order._apply(event)
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
        return find_line(self.lines, line_id, subject=self.subject)

    def return_authorization(self, return_id: str) -> ReturnAuthorization:
        """The return called ``return_id``.

        Raises:
            UnknownReturnError: No such return.
        """
        return find_return(self.returns, return_id, subject=self.subject)

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
        """Derived from the ledgers (see :mod:`ordercycle.model.order.status`)."""
        return fulfilment_status(line.ledger for line in self.lines)

    @property
    def billing_status(self) -> BillingStatus:
        """Derived from the ledgers (see :mod:`ordercycle.model.order.status`)."""
        return billing_status(line.ledger for line in self.lines)

    @property
    def amount_due(self) -> Money:
        """Invoiced minus credited amounts, **net of tax** (goods and charges such as
        freight); the gross figures of its invoices are in ``desk.order_money``."""
        invoiced = Money.sum((doc.amount for doc in self.invoices), currency=self.currency)
        credited = Money.sum((doc.amount for doc in self.credit_notes), currency=self.currency)
        return invoiced - credited

    @property
    def amount_paid(self) -> Money:
        """The sum of the payments reported, **net of tax** (each payment's share of the
        order's net amount)."""
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
        """A plain-text summary: header, state, holds, statuses and the ledger table.

        Below the table, one row per line whose price was overridden or discounted names
        the override and each discount with its reason
        (:attr:`~ordercycle.model.order.lines.OrderLine.price_terms`).
        """
        holds = describe_holds(self.holds) or "none"
        return "\n".join(
            [
                f"Order {self.id} for customer {self.customer_id} ({self.channel}),"
                f" version {self.version}, revision {self.revision}",
                f"  state: {self.state}; holds: {holds}{self._quote_text()}",
                f"  fulfilment: {self.fulfilment_status.value}; billing:"
                f" {self.billing_status.value}; payment: {self.payment_status.value}"
                f" (paid {self.amount_paid} of {self.amount_due} due, net of tax)",
                f"  ship to: {self.shipping_address}",
                f"  bill to: {self.billing_address}",
                *("  " + row for row in ledger_table(self.lines).splitlines()),
                *(
                    f"  {line.line_id} price: {line.price_terms}"
                    for line in self.lines
                    if line.price_terms
                ),
            ]
        )

    def _quote_text(self) -> str:
        if self.quote_valid_until is None:
            return ""
        return f"; quote valid until {self.quote_valid_until.isoformat()}"

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
        when = self._when(at)
        order = self
        events: list[OrderEvent] = []
        for kind, fields in changes:
            # Built from checked values (the order's own id and version, ``when`` checked
            # above), so without the event's checks of them (see model._trusted).
            event = event_maker(kind)(
                aggregate_id=self.id, version=order.version + 1, occurred_at=when, **fields
            )
            order = order._apply(event)
            events.append(event)
        # A line whose ledger the change did not touch kept its laws: check only the others
        # (all of them if the invoice policy, which some laws read, changed). Lines keep their
        # places unless one is removed, so the ledger at the same place is the one to compare
        # with (after a removal the lines behind it are checked again, which costs only time).
        # The laws are tested first (laws_hold) and the line named only when one is broken.
        policy = order.invoice_policy
        before = self.lines if policy == self.invoice_policy else ()
        kept = len(before)
        for index, line in enumerate(order.lines):
            ledger = line.ledger
            if index < kept and ledger is before[index].ledger:
                continue
            if not laws_hold(ledger, policy):
                ledger.validate(policy, subject=line_subject(order.subject, line.line_id))
        return Outcome(order, tuple(events))

    def _when(self, at: datetime) -> datetime:
        """``at`` as the time of the next event (aware, not before the last change)."""
        # A time in UTC already (the desk's clock) is what ensure_aware returns for it
        # (astimezone gives the datetime itself back), without naming the order first.
        if at.__class__ is datetime and at.tzinfo is UTC:
            when = at
        else:
            when = ensure_aware(at, subject=self.subject, field="at")
        if when < self.updated_at:
            raise ValidationError.invalid(
                self.subject,
                "at",
                when.isoformat(),
                f"a time at or after its last change, {self.updated_at.isoformat()}",
            )
        return when

    def _with_new_line(self, line: NewLine) -> Self:
        return replace(
            self, lines=add_line(self.lines, line, subject=self.subject, currency=self.currency)
        )

    def _apply_change(self, change: OrderChange) -> tuple[Self, tuple[LineRelease, ...]]:
        """This order after one change of a change set, and the stock it released."""
        if isinstance(change, ChangeAddress):
            check_address_change(
                change, self.lines, subject=self.subject, invoices=len(self.invoices)
            )
            if change.kind is AddressKind.SHIPPING:
                return replace(self, shipping_address=change.address), ()
            return replace(self, billing_address=change.address), ()
        lines, releases = change_lines(
            self.lines,
            change,
            subject=self.subject,
            currency=self.currency,
            draft=self.state == self.lifecycle.initial,
        )
        return replace(self, lines=lines), releases

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
        """The customer places the draft or quote (it needs at least one line).

        Raises:
            QuoteExpiredError: The order is a quote and ``at`` falls after the last day
                it is valid (:attr:`quote_valid_until`).
            TransitionNotAllowedError: The order is not a draft or quote, or has no lines.
        """
        if (
            self.state == "quoted"
            and self.quote_valid_until is not None
            and ensure_aware(at, subject=self.subject, field="at").date() > self.quote_valid_until
        ):
            raise QuoteExpiredError(self.subject, self.quote_valid_until, at.date())
        return self.fire("place", at=at)

    def send_quote(self, valid_until: date, *, at: datetime) -> OrderOutcome:
        """Send the draft (or a revised quote) to the customer, valid until ``valid_until``.

        Records :class:`OrderQuoted`; the order stays editable while quoted, and placing
        it after ``valid_until`` is refused.

        Raises:
            ValidationError: ``valid_until`` is not a date, or is before the day of ``at``.
            TransitionNotAllowedError: The order is not a draft or quote, or has no lines.
        """
        when = ensure_aware(at, subject=self.subject, field="at")
        if (
            isinstance(valid_until, datetime)
            or not isinstance(valid_until, date)
            or valid_until < when.date()
        ):
            raise ValidationError.invalid(
                self.subject,
                "quote valid until",
                valid_until,
                f"a date on or after {when.date().isoformat()}",
            )
        target = self._target("send_quote")
        fields = {"source": self.state, "target": target, "valid_until": valid_until}
        return self._record(at, (OrderQuoted, fields))

    def change_header(
        self,
        *,
        at: datetime,
        channel: str | None = None,
        requested_delivery_date: date | None = None,
        clear_requested_delivery_date: bool = False,
        payment_terms: str | None = None,
    ) -> OrderOutcome:
        """Change header fields of a draft or quote (``None`` keeps a field as it is).

        Records :class:`OrderHeaderChanged` with the new values of every field.

        Raises:
            CommandNotAllowedError: The order is no longer a draft or quote.
            ValidationError: A field is invalid (the message names it).
        """
        self._gate("change_header")
        if requested_delivery_date is not None and (
            isinstance(requested_delivery_date, datetime)
            or not isinstance(requested_delivery_date, date)
        ):
            raise ValidationError.invalid(
                self.subject, "requested delivery date", requested_delivery_date, "a date or None"
            )
        if clear_requested_delivery_date:
            wanted = None
        else:
            wanted = requested_delivery_date or self.requested_delivery_date
        fields = {
            "channel": self.channel
            if channel is None
            else check_text(self.subject, "channel", channel, required=True),
            "requested_delivery_date": wanted,
            "payment_terms": self.payment_terms
            if payment_terms is None
            else check_text(self.subject, "payment terms", payment_terms),
        }
        return self._record(at, (OrderHeaderChanged, fields))

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
        _, releases = cancel_unshipped(self.lines, subject=self.subject)
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
            order, released = order._apply_change(change)
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
        _, release = line.ledger.cancel(quantity, subject=line_subject(self.subject, line_id))
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
        self,
        command: str,
        kind: type[OrderLineQuantityEvent],
        line_id: str,
        quantity: int,
        at: datetime,
    ) -> OrderOutcome:
        # What ``_record(at, (kind, {...}))`` does for this one event, without its general
        # steps: the line is found once (its place is passed on to _moved, which _apply
        # uses too), and only its ledger, the one that changed, has its laws checked.
        self._gate(command)
        lines = self.lines
        index = _place_of(lines, line_id)
        if index < 0:
            raise UnknownLineError(self.subject, line_id, [other.line_id for other in lines])
        line = lines[index]
        when = self._when(at)
        # Built from checked values (the order's own id and version, ``when`` checked
        # above), so without the event's checks of them (see model._trusted).
        event = event_maker(kind)(
            aggregate_id=self.id,
            version=self.version + 1,
            occurred_at=when,
            line_id=line_id,
            sku=line.sku,
            quantity=quantity,
        )
        order = self._moved(event, index)
        ledger = order.lines[index].ledger
        policy = order.invoice_policy
        if not laws_hold(ledger, policy):
            ledger.validate(policy, subject=line_subject(order.subject, line_id))
        return Outcome(order, (event,))

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

    # --- returns ---------------------------------------------------------------------------------

    def request_return(
        self, return_id: str, *, line_id: str, quantity: int, reason: str, at: datetime
    ) -> OrderOutcome:
        """Open a return (RMA) for delivered units of one line.

        Raises:
            DuplicateError: The return id is taken.
            QuantityNotAvailableError: More units than delivered and not yet returned.
        """
        self._gate("request_return")
        rid = parse_id("return id", return_id)
        if any(r.return_id == rid for r in self.returns):
            raise DuplicateError("return", rid)
        line = self.line(line_id)
        fields = {
            "return_id": rid,
            "line_id": line_id,
            "sku": line.sku,
            "quantity": quantity,
            "reason": check_text(self.subject, "return reason", reason, required=True),
        }
        return self._record(at, (OrderReturnRequested, fields))

    def authorize_return(
        self,
        return_id: str,
        *,
        at: datetime,
        by: str = "",
        restocking_fee_rate: Decimal = Decimal(0),
        note: str = "",
    ) -> OrderOutcome:
        """Authorize a requested return, with an optional restocking-fee rate (0 <= r < 1).

        Raises:
            UnknownReturnError: No such return.
            OrderCommandError: It is not requested (already decided or received).
        """
        return_in(
            self.returns, return_id, "authorize", ReturnStatus.REQUESTED, subject=self.subject
        )
        fields = {
            "return_id": return_id,
            "restocking_fee_rate": check_fee_rate(restocking_fee_rate, f"return {return_id}"),
            "by": check_text(self.subject, "by", by),
            "note": check_text(self.subject, "note", note),
        }
        return self._record(at, (OrderReturnAuthorized, fields))

    def reject_return(
        self, return_id: str, *, at: datetime, by: str = "", note: str = ""
    ) -> OrderOutcome:
        """Reject a requested or authorized return; the units stay with the customer."""
        rma = return_in(
            self.returns,
            return_id,
            "reject",
            ReturnStatus.REQUESTED,
            ReturnStatus.AUTHORIZED,
            subject=self.subject,
        )
        fields = {
            "return_id": return_id,
            "line_id": rma.line_id,
            "quantity": rma.quantity,
            "by": check_text(self.subject, "by", by),
            "note": check_text(self.subject, "note", note),
        }
        return self._record(at, (OrderReturnRejected, fields))

    def receive_return(
        self, return_id: str, condition: ReturnCondition | str, *, at: datetime
    ) -> OrderOutcome:
        """Receive an authorized return; resellable units go back to stock, damaged ones not."""
        rma = return_in(
            self.returns, return_id, "receive", ReturnStatus.AUTHORIZED, subject=self.subject
        )
        fields = {
            "return_id": return_id,
            "line_id": rma.line_id,
            "sku": self.line(rma.line_id).sku,
            "quantity": rma.quantity,
            "condition": as_enum(ReturnCondition, condition, self.subject, "return condition"),
            "restocking_fee_rate": rma.restocking_fee_rate,
        }
        return self._record(at, (OrderReturnReceived, fields))

    # --- billing ---------------------------------------------------------------------------------

    def _amount(self, quantities: Iterable[tuple[str, int]]) -> Money:
        return Money.sum(
            (self.line(line_id).amount(quantity) for line_id, quantity in quantities),
            currency=self.currency,
        )

    def record_invoice(
        self, invoice_id: str, quantities: Mapping[str, int], *, at: datetime
    ) -> OrderOutcome:
        """Record an invoice for ``quantities`` (line id -> units); the amount is computed.

        Raises:
            DuplicateError: The invoice id was recorded before.
            QuantityNotAvailableError: More units than the invoice policy allows.
        """
        self._gate("record_invoice")
        doc = new_document_id("invoice", invoice_id, (d.document_id for d in self.invoices))
        items = billed_quantities(
            self.lines,
            f"invoice {doc}",
            quantities,
            "invoice",
            subject=self.subject,
            policy=self.invoice_policy,
        )
        amount = self._amount((i.line_id, i.quantity) for i in items)
        return self._record(
            at, (OrderInvoiced, {"invoice_id": doc, "quantities": items, "amount": amount})
        )

    def record_charge(
        self, invoice_id: str, description: str, amount: Money, *, at: datetime
    ) -> OrderOutcome:
        """Record an invoice for a charge that is no order line (freight), net of tax.

        Raises:
            DuplicateError: The invoice id was recorded before.
            OrderCurrencyError: ``amount`` is in another currency than the order's.
            ValidationError: ``amount`` is negative or ``description`` is not text.
        """
        self._gate("record_charge")
        doc = new_document_id("invoice", invoice_id, (d.document_id for d in self.invoices))
        if not isinstance(amount, Money) or amount.is_negative:
            raise ValidationError.invalid(self.subject, "charge", amount, "a Money of 0 or more")
        if amount.currency != self.currency:
            raise OrderCurrencyError(
                self.subject,
                f"the charge {description!r}",
                self.currency.code,
                amount.currency.code,
            )
        fields = {
            "invoice_id": doc,
            "description": check_text(self.subject, "description", description, required=True),
            "amount": amount,
        }
        return self._record(at, (OrderCharged, fields))

    def change_shipping_method(self, method: str, *, at: datetime) -> OrderOutcome:
        """Choose the shipping method whose rate is charged as freight when units ship.

        Units already shipped keep the freight they were charged; units packed and not yet
        shipped would ship by the new method although their cartons were chosen already,
        so the change is refused until they have shipped.

        Raises:
            CommandNotAllowedError: The order is final.
            ChangeNotAllowedError: Units are packed and not shipped yet.
            ValidationError: ``method`` is not text.
        """
        self._gate("change_shipping_method")
        name = check_text(self.subject, "shipping method", method)
        packed = sum(line.ledger.packed for line in self.lines)
        if packed:
            raise ChangeNotAllowedError(
                self.subject,
                f"change the shipping method of {self.subject}",
                f"{packed} units are packed and not shipped yet",
            )
        return self._record(at, (OrderShippingMethodChanged, {"method": name}))

    def record_credit(
        self,
        credit_note_id: str,
        quantities: Mapping[str, int],
        *,
        at: datetime,
        restocking_fee_rate: Decimal = Decimal(0),
    ) -> OrderOutcome:
        """Record a credit note for invoiced ``quantities``, less the restocking fee.

        Raises:
            DuplicateError: The credit-note id was recorded before.
            QuantityNotAvailableError: More units than invoiced and not yet credited.
        """
        self._gate("record_credit")
        doc = new_document_id(
            "credit note", credit_note_id, (d.document_id for d in self.credit_notes)
        )
        rate = check_fee_rate(restocking_fee_rate, f"credit note {doc}")
        items = billed_quantities(
            self.lines,
            f"credit note {doc}",
            quantities,
            "credit",
            subject=self.subject,
            policy=self.invoice_policy,
        )
        gross = self._amount((i.line_id, i.quantity) for i in items)
        fields = {
            "credit_note_id": doc,
            "quantities": items,
            "amount": (gross - gross * rate).round(),
            "restocking_fee_rate": rate,
        }
        return self._record(at, (OrderCredited, fields))

    def record_payment(self, payment_id: str, amount: Money, *, at: datetime) -> OrderOutcome:
        """Record a payment reported by invoicing.

        Raises:
            DuplicateError: The payment id was recorded before.
            OrderCurrencyError: The amount is in another currency.
            InvalidQuantityError: The amount is not positive.
        """
        self._gate("record_payment")
        doc = new_document_id("payment", payment_id, (p.payment_id for p in self.payments))
        if not isinstance(amount, Money):
            raise ValidationError.invalid(self.subject, "payment amount", amount, "a Money amount")
        if amount.currency != self.currency:
            raise OrderCurrencyError(
                self.subject, f"payment {doc}", self.currency.code, amount.currency.code
            )
        if not amount.is_positive:
            raise InvalidQuantityError.invalid(
                self.subject, "payment amount", str(amount), "a positive amount"
            )
        return self._record(at, (OrderPaymentRecorded, {"payment_id": doc, "amount": amount}))

    def reverse_payment(self, payment_id: str, amount: Money, *, at: datetime) -> OrderOutcome:
        """Take back ``amount`` of a recorded payment (invoicing reversed it): the payment
        counts for what is left of it, or no longer if nothing is, and
        :attr:`payment_status` follows.

        Raises:
            ValidationError: No payment ``payment_id`` is recorded on the order.
            OrderCurrencyError: The amount is in another currency.
            InvalidQuantityError: The amount is not positive or more than the payment.
        """
        self._gate("reverse_payment")
        recorded = next((p for p in self.payments if p.payment_id == payment_id), None)
        if recorded is None:
            known = ", ".join(p.payment_id for p in self.payments) or "none"
            raise ValidationError.invalid(
                self.subject, "payment id", payment_id, f"a recorded payment ({known})"
            )
        if not isinstance(amount, Money):
            raise ValidationError.invalid(self.subject, "payment amount", amount, "a Money amount")
        if amount.currency != self.currency:
            raise OrderCurrencyError(
                self.subject, f"payment {payment_id}", self.currency.code, amount.currency.code
            )
        if not amount.is_positive or amount > recorded.amount:
            raise InvalidQuantityError.invalid(
                self.subject,
                "reversed amount",
                str(amount),
                f"a positive amount up to the payment's {recorded.amount}",
            )
        fields = {"payment_id": payment_id, "amount": amount}
        return self._record(at, (OrderPaymentReversed, fields))

    # --- evolution: the one place where an order's data changes -------------------------------
    #
    # Commands check what they can, build their events and apply them with _apply; replay
    # applies the same method to a stored history, so a live order and its replay cannot differ.

    def _apply(self, event: OrderEvent) -> Self:
        """This order after ``event`` (version and ``updated_at`` taken from the event).

        Raises:
            EventHistoryError: ``event`` is not an order event this method knows.
            OrderCycleError: The event does not fit the order (replaying a corrupt history).
        """
        if type(event) in _WAREHOUSE and isinstance(event, OrderLineQuantityEvent):
            # The most frequent events (a line's warehouse counters).
            index = _place_of(self.lines, event.line_id)
            if index < 0:
                raise UnknownLineError(
                    self.subject, event.line_id, [other.line_id for other in self.lines]
                )
            return self._moved(event, index)
        # The other frequent events, also with one copy (the same result as _changed_by's).
        if isinstance(event, OrderTransitioned) and not isinstance(
            event, OrderCanceled | OrderQuoted
        ):
            return replace(
                self, state=event.target, version=event.version, updated_at=event.occurred_at
            )
        if isinstance(event, OrderPaymentRecorded):
            payment = OrderPayment(event.payment_id, event.amount)
            return replace(
                self,
                payments=(*self.payments, payment),
                version=event.version,
                updated_at=event.occurred_at,
            )
        if isinstance(event, OrderInvoiced | OrderCredited):
            return self._billed(event, version=event.version, updated_at=event.occurred_at)
        changed = self._changed_by(event)
        return replace(changed, version=event.version, updated_at=event.occurred_at)

    def _moved(self, event: OrderLineQuantityEvent, index: int) -> Self:
        """This order after the warehouse event ``event`` of its line at ``index``.

        The order is copied once, with its new lines, version and time, instead of twice;
        the other lines are kept as they are: what with_ledger gives (line ids are unique
        in an order), without its closure and generator.
        """
        lines = self.lines
        line = lines[index]
        subject = line_subject(self.subject, line.line_id)
        ledger = getattr(line.ledger, _WAREHOUSE[type(event)])(event.quantity, subject=subject)
        new_lines = (*lines[:index], replace(line, ledger=ledger), *lines[index + 1 :])
        return replace(self, lines=new_lines, version=event.version, updated_at=event.occurred_at)

    def _with_ledger(self, line_id: str, change: Any) -> Self:
        return replace(self, lines=with_ledger(self.lines, line_id, change, subject=self.subject))

    def _changed_by(self, event: OrderEvent) -> Self:
        if isinstance(event, OrderTransitioned):
            order = self
            if isinstance(event, OrderCanceled):
                lines, _ = cancel_unshipped(self.lines, subject=self.subject)
                order = replace(self, lines=lines)
            if isinstance(event, OrderQuoted):
                order = replace(self, quote_valid_until=event.valid_until)
            return replace(order, state=event.target)
        if isinstance(event, OrderLineQuantityEvent) and type(event) in _WAREHOUSE:
            method = _WAREHOUSE[type(event)]
            return self._with_ledger(
                event.line_id, lambda g, s: getattr(g, method)(event.quantity, subject=s)
            )
        if isinstance(event, OrderLineAdded):
            return self._with_new_line(event.line)
        if isinstance(event, OrderHoldPlaced):
            hold = Hold(event.reason, by=event.by, note=event.note, at=event.occurred_at)
            return replace(self, holds=(*self.holds, hold))
        if isinstance(event, OrderHoldReleased):
            kept = tuple(h for h in self.holds if h.reason is not event.reason)
            return replace(self, holds=kept)
        if isinstance(event, OrderResumed):
            return self
        if isinstance(event, OrderShippingMethodChanged):
            return replace(self, shipping_method=event.method)
        if isinstance(event, OrderCharged):
            charge = BillingDocument(event.invoice_id, (), event.amount)
            return replace(self, invoices=(*self.invoices, charge))
        if isinstance(event, OrderHeaderChanged):
            return replace(
                self,
                channel=event.channel,
                requested_delivery_date=event.requested_delivery_date,
                payment_terms=event.payment_terms,
            )
        if isinstance(event, OrderAmended):
            order = self
            for change in event.changes:
                order, _ = order._apply_change(change)
            return replace(order, revision=event.revision)
        if isinstance(event, OrderLineCanceled):
            return self._with_ledger(
                event.line_id, lambda g, s: g.cancel(event.quantity, subject=s)[0]
            )
        if isinstance(event, OrderReturnRequested | OrderReturnAuthorized):
            return self._return_opened(event)
        if isinstance(event, OrderReturnRejected | OrderReturnReceived):
            return self._return_closed(event)
        if isinstance(event, OrderInvoiced | OrderCredited):
            return self._billed(event)
        if isinstance(event, OrderPaymentRecorded):
            payment = OrderPayment(event.payment_id, event.amount)
            return replace(self, payments=(*self.payments, payment))
        if isinstance(event, OrderPaymentReversed):
            return replace(self, payments=_less_payment(self.payments, event))
        raise EventHistoryError(
            f"Cannot apply {type(event).__name__} to {self.subject}; expected one of the"
            " order events of ordercycle.model.order.events.",
            subject=self.subject,
            value=event,
        )

    def _return_opened(self, event: OrderReturnRequested | OrderReturnAuthorized) -> Self:
        if isinstance(event, OrderReturnRequested):
            order = self._with_ledger(
                event.line_id, lambda g, s: g.request_return(event.quantity, subject=s)
            )
            rma = ReturnAuthorization(
                event.return_id, event.line_id, event.quantity, reason=event.reason
            )
            return replace(order, returns=(*order.returns, rma))
        rma = self.return_authorization(event.return_id).authorize(
            restocking_fee_rate=event.restocking_fee_rate, note=event.note
        )
        return replace(self, returns=replace_return(self.returns, rma))

    def _return_closed(self, event: OrderReturnRejected | OrderReturnReceived) -> Self:
        rma = self.return_authorization(event.return_id)
        if isinstance(event, OrderReturnRejected):
            order = self._with_ledger(
                rma.line_id, lambda g, s: g.withdraw_return(rma.quantity, subject=s)
            )
            closed = rma.reject(note=event.note)
        else:
            order = self._with_ledger(
                rma.line_id,
                lambda g, s: g.receive_return(rma.quantity, event.condition, subject=s),
            )
            closed = rma.receive(event.condition)
        return replace(order, returns=replace_return(order.returns, closed))

    def _billed(self, event: OrderInvoiced | OrderCredited, **stamp: Any) -> Self:
        """This order with ``event``'s quantities billed, and ``stamp``'s fields set too."""
        policy = self.invoice_policy
        lines = self.lines
        for item in event.quantities:

            def bill(ledger: LineLedger, subject: str, quantity: int = item.quantity) -> LineLedger:
                if isinstance(event, OrderInvoiced):
                    return ledger.invoice(quantity, policy, subject=subject)
                return ledger.credit(quantity, subject=subject)

            lines = with_ledger(lines, item.line_id, bill, subject=self.subject)
        quantities = tuple((q.line_id, q.quantity) for q in event.quantities)
        if isinstance(event, OrderInvoiced):
            invoice = BillingDocument(event.invoice_id, quantities, event.amount)
            return replace(self, lines=lines, invoices=(*self.invoices, invoice), **stamp)
        credit = BillingDocument(event.credit_note_id, quantities, event.amount)
        return replace(self, lines=lines, credit_notes=(*self.credit_notes, credit), **stamp)


def _place_of(lines: tuple[OrderLine, ...], line_id: str) -> int:
    """The place of the line called ``line_id`` among ``lines`` (-1: none)."""
    for index, line in enumerate(lines):
        if line.line_id == line_id:
            return index
    return -1


def _less_payment(
    payments: tuple[OrderPayment, ...], event: OrderPaymentReversed
) -> tuple[OrderPayment, ...]:
    """``payments`` after ``event``: its payment reduced by the amount, dropped at zero."""
    kept = []
    for p in payments:
        if p.payment_id == event.payment_id:
            p = OrderPayment(p.payment_id, p.amount - event.amount)
            if p.amount.is_zero:
                continue
        kept.append(p)
    return tuple(kept)
