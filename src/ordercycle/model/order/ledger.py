"""The per-line quantity ledger: where every ordered unit of an order line is.

A :class:`LineLedger` is a frozen value of plain integers. Every command is a pure method
that checks its preconditions and returns a new ledger; it never changes the old one, and
it raises a typed error (before anything changes) when the units it needs are not there.

Buckets (the units of a line are in exactly one of them):

* **open**: ordered, not yet allocated, backordered, picked or canceled (derived, never
  stored: ``ordered - canceled - allocated - backordered - picked - packed - shipped``);
* **allocated**: stock is reserved for them; **backordered**: waiting for stock;
* **picked**: taken from the shelf, not yet packed; **packed**: in a carton, not yet shipped;
* **shipped**: handed to a carrier (``delivered`` counts how many of them have arrived);
* **canceled**.

Counters that follow a unit after delivery or in billing: ``return_requested`` (open
return requests), ``returned_resellable`` / ``returned_damaged`` (received back),
``invoiced`` and ``credited``.

The conservation laws (:data:`LAWS`, checked by :meth:`LineLedger.check`):

1. every counter is a non-negative integer and ``ordered >= 1``;
2. conservation: ``canceled + allocated + backordered + picked + packed + shipped <= ordered``
   (so ``open >= 0`` and every ordered unit is in exactly one bucket);
3. ``delivered <= shipped``;
4. ``returned <= delivered`` (``returned = returned_resellable + returned_damaged``);
5. ``return_requested <= delivered - returned``;
6. ``credited <= invoiced``;
7. ``invoiced - credited <= ordered - canceled`` (never bill a canceled unit);
8. with :attr:`InvoicePolicy.DELIVERED`: ``invoiced <= delivered``.

>>> line = LineLedger.of(10).allocate(6).backorder(4).pick(6).pack(6).ship(6)
>>> line.shipped, line.backordered, line.open
(6, 4, 0)
>>> line.check()
()
>>> line.pick(1)
Traceback (most recent call last):
...
ordercycle.model.order.errors.QuantityNotAvailableError: Cannot pick 1 units of the line: only 0 allocated.
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import attrs

from ordercycle.errors import InvalidQuantityError
from ordercycle.model._replace import replace
from ordercycle.model.order.errors import LedgerLawError, QuantityNotAvailableError
from ordercycle.model.order.policies import InvoicePolicy, ReturnCondition

__all__ = ["LAWS", "LedgerLaw", "LineLedger", "Release"]

_LINE: Final = "the line"


def _positive(action: str, quantity: object, subject: str) -> int:
    """Return ``quantity`` if it is a positive ``int`` (not a bool), else raise."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantityError.invalid(
            subject, f"quantity to {action}", quantity, "a positive integer"
        )
    return quantity


def _take(action: str, quantity: object, subject: str, available: int, bucket: str) -> int:
    """Return ``quantity`` if it is a positive ``int`` of at most ``available``, else raise."""
    checked = _positive(action, quantity, subject)
    if checked > available:
        raise QuantityNotAvailableError(
            action, checked, subject, available=available, bucket=bucket
        )
    return checked


@attrs.frozen
class Release:
    """Units taken back from the warehouse by a cancellation or a reduced quantity.

    The stock behind ``allocated`` units is reserved; behind ``picked`` and ``packed``
    units it is physically out of its bin. All three must go back to stock.

    Attributes:
        allocated: Reserved units released.
        picked: Picked (not packed) units to put back.
        packed: Packed units to unpack and put back.
        backordered: Backordered units dropped (no stock to release).
        open: Open units dropped (no stock to release).
    """

    allocated: int = 0
    picked: int = 0
    packed: int = 0
    backordered: int = 0
    open: int = 0

    @property
    def to_stock(self) -> int:
        """Units whose stock goes back to the shelf: ``allocated + picked + packed``."""
        return self.allocated + self.picked + self.packed

    @property
    def total(self) -> int:
        """All units taken off the line."""
        return self.allocated + self.picked + self.packed + self.backordered + self.open


@attrs.frozen
class LineLedger:
    """Quantities of one order line, by bucket (see the module docstring for the laws).

    Build one with :meth:`of`; change it only through the command methods, each of which
    returns a new ledger. Every command takes ``subject`` (``"line L1 of order O-17"``),
    used in error messages.
    """

    ordered: int
    canceled: int = 0
    allocated: int = 0
    backordered: int = 0
    picked: int = 0
    packed: int = 0
    shipped: int = 0
    delivered: int = 0
    return_requested: int = 0
    returned_resellable: int = 0
    returned_damaged: int = 0
    invoiced: int = 0
    credited: int = 0

    @classmethod
    def of(cls, ordered: int, *, subject: str = _LINE) -> LineLedger:
        """A fresh ledger with ``ordered`` open units.

        Raises:
            InvalidQuantityError: If ``ordered`` is not a positive integer.

        >>> LineLedger.of(0)
        Traceback (most recent call last):
        ...
        ordercycle.errors.InvalidQuantityError: Invalid quantity to order for the line: 0; expected a positive integer.
        """  # noqa: E501
        return cls(_positive("order", ordered, subject))

    # --- derived quantities -------------------------------------------------------------

    @property
    def open(self) -> int:
        """Units ordered and not yet canceled, allocated, backordered, picked or later."""
        return (
            self.ordered
            - self.canceled
            - self.allocated
            - self.backordered
            - self.picked
            - self.packed
            - self.shipped
        )

    @property
    def active(self) -> int:
        """Units still on order: ``ordered - canceled``."""
        return self.ordered - self.canceled

    @property
    def unshipped(self) -> int:
        """Units still on order that have not shipped: ``ordered - canceled - shipped``."""
        return self.ordered - self.canceled - self.shipped

    @property
    def unpicked(self) -> int:
        """Units still on order and not yet picked: ``open + allocated + backordered``."""
        return self.open + self.allocated + self.backordered

    @property
    def picked_or_later(self) -> int:
        """Units picked, packed or shipped (the ones an edit may no longer touch)."""
        return self.picked + self.packed + self.shipped

    @property
    def in_transit(self) -> int:
        """Units shipped and not yet delivered."""
        return self.shipped - self.delivered

    @property
    def returned(self) -> int:
        """Units received back, in any condition."""
        return self.returned_resellable + self.returned_damaged

    @property
    def returnable(self) -> int:
        """Delivered units that are neither returned nor in an open return request."""
        return self.delivered - self.returned - self.return_requested

    @property
    def net_invoiced(self) -> int:
        """Invoiced units not credited: ``invoiced - credited``."""
        return self.invoiced - self.credited

    def invoiceable(self, policy: InvoicePolicy) -> int:
        """How many more units may be invoiced under ``policy``.

        >>> LineLedger.of(5).invoiceable(InvoicePolicy.ORDERED)
        5
        >>> LineLedger.of(5).invoiceable(InvoicePolicy.DELIVERED)
        0
        """
        room = self.active - self.net_invoiced
        if policy is InvoicePolicy.DELIVERED:
            room = min(room, self.delivered - self.invoiced)
        return max(room, 0)

    # --- quantity on order --------------------------------------------------------------

    def increase(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Order ``quantity`` more units; they start open."""
        quantity = _positive("add", quantity, subject)
        return replace(self, ordered=self.ordered + quantity)

    def decrease(self, quantity: int, *, subject: str = _LINE) -> tuple[LineLedger, Release]:
        """Order ``quantity`` fewer units, taken from open, then backordered, then allocated.

        Only units not yet picked can be taken away, at least one unit must stay on the
        line (remove the line instead), and invoiced units must be credited first.

        Returns:
            The new ledger and the :class:`Release` of the units taken away.

        Raises:
            InvalidQuantityError: If ``quantity`` is not a positive integer.
            QuantityNotAvailableError: If fewer units are unpicked, or the rest is invoiced.
        """
        quantity = _positive("remove", quantity, subject)
        room = min(self.unpicked, self.ordered - 1, self.active - self.net_invoiced)
        if quantity > room:
            raise QuantityNotAvailableError(
                "remove",
                quantity,
                subject,
                available=max(room, 0),
                bucket="removable",
                hint=(
                    f"{self.picked_or_later} picked or later, {self.net_invoiced} invoiced"
                    " and at least one unit must stay on the line"
                ),
            )
        ledger, release = self._take_unpicked(quantity)
        return replace(ledger, ordered=self.ordered - quantity), release

    def cancel(self, quantity: int, *, subject: str = _LINE) -> tuple[LineLedger, Release]:
        """Cancel ``quantity`` unshipped units, taken from open, backordered, allocated,
        picked and then packed units (the stock behind the last three is released).

        Returns:
            The new ledger and the :class:`Release` of the canceled units.

        Raises:
            InvalidQuantityError: If ``quantity`` is not a positive integer.
            QuantityNotAvailableError: If fewer units are unshipped, or the rest is
                invoiced and not credited.
        """
        quantity = _take("cancel", quantity, subject, self.unshipped, "unshipped")
        billable = self.active - self.net_invoiced
        if quantity > billable:
            raise QuantityNotAvailableError(
                "cancel",
                quantity,
                subject,
                available=billable,
                bucket="uninvoiced",
                hint=f"{self.net_invoiced} are invoiced; credit them first",
            )
        rest = quantity
        ledger, release = self._take_unpicked(min(rest, self.unpicked))
        rest -= release.total
        from_picked = min(rest, ledger.picked)
        from_packed = rest - from_picked
        ledger = replace(
            ledger,
            picked=ledger.picked - from_picked,
            packed=ledger.packed - from_packed,
            canceled=self.canceled + quantity,
        )
        return ledger, replace(release, picked=from_picked, packed=from_packed)

    def _take_unpicked(self, quantity: int) -> tuple[LineLedger, Release]:
        """Take ``quantity`` (``<= unpicked``) from open, backordered, then allocated."""
        from_open = min(quantity, self.open)
        from_backordered = min(quantity - from_open, self.backordered)
        from_allocated = quantity - from_open - from_backordered
        ledger = replace(
            self,
            backordered=self.backordered - from_backordered,
            allocated=self.allocated - from_allocated,
        )
        release = Release(allocated=from_allocated, backordered=from_backordered, open=from_open)
        return ledger, release

    # --- the warehouse ------------------------------------------------------------------

    def allocate(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Reserve stock for ``quantity`` units, backordered ones first, then open ones."""
        quantity = _take(
            "allocate", quantity, subject, self.open + self.backordered, "open or backordered"
        )
        from_backordered = min(quantity, self.backordered)
        return replace(
            self,
            backordered=self.backordered - from_backordered,
            allocated=self.allocated + quantity,
        )

    def deallocate(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Give the reserved stock of ``quantity`` allocated units back; they become open."""
        quantity = _take("deallocate", quantity, subject, self.allocated, "allocated")
        return replace(self, allocated=self.allocated - quantity)

    def backorder(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Mark ``quantity`` open units as waiting for stock."""
        quantity = _take("backorder", quantity, subject, self.open, "open")
        return replace(self, backordered=self.backordered + quantity)

    def pick(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Move ``quantity`` allocated units to picked."""
        quantity = _take("pick", quantity, subject, self.allocated, "allocated")
        return replace(self, allocated=self.allocated - quantity, picked=self.picked + quantity)

    def pack(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Move ``quantity`` picked units to packed."""
        quantity = _take("pack", quantity, subject, self.picked, "picked")
        return replace(self, picked=self.picked - quantity, packed=self.packed + quantity)

    def ship(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Move ``quantity`` packed units to shipped."""
        quantity = _take("ship", quantity, subject, self.packed, "packed")
        return replace(self, packed=self.packed - quantity, shipped=self.shipped + quantity)

    def deliver(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Record that ``quantity`` shipped units have arrived."""
        quantity = _take("deliver", quantity, subject, self.in_transit, "shipped and not delivered")
        return replace(self, delivered=self.delivered + quantity)

    # --- returns ------------------------------------------------------------------------

    def request_return(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Open a return request for ``quantity`` delivered units."""
        quantity = _take(
            "return", quantity, subject, self.returnable, "delivered and not yet returned"
        )
        return replace(self, return_requested=self.return_requested + quantity)

    def withdraw_return(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Close ``quantity`` requested returns without receiving them (rejected)."""
        quantity = _take(
            "withdraw the return of", quantity, subject, self.return_requested, "requested"
        )
        return replace(self, return_requested=self.return_requested - quantity)

    def receive_return(
        self, quantity: int, condition: ReturnCondition, *, subject: str = _LINE
    ) -> LineLedger:
        """Receive ``quantity`` requested returns in ``condition``."""
        quantity = _take(
            "receive", quantity, subject, self.return_requested, "requested for return"
        )
        ledger = replace(self, return_requested=self.return_requested - quantity)
        if condition is ReturnCondition.RESELLABLE:
            return replace(ledger, returned_resellable=self.returned_resellable + quantity)
        return replace(ledger, returned_damaged=self.returned_damaged + quantity)

    # --- billing ------------------------------------------------------------------------

    def invoice(self, quantity: int, policy: InvoicePolicy, *, subject: str = _LINE) -> LineLedger:
        """Record ``quantity`` units as invoiced, within :meth:`invoiceable` for ``policy``."""
        bucket = (
            "delivered and not invoiced"
            if policy is InvoicePolicy.DELIVERED
            else "on order and not invoiced"
        )
        quantity = _take("invoice", quantity, subject, self.invoiceable(policy), bucket)
        return replace(self, invoiced=self.invoiced + quantity)

    def credit(self, quantity: int, *, subject: str = _LINE) -> LineLedger:
        """Record ``quantity`` invoiced units as credited."""
        quantity = _take(
            "credit", quantity, subject, self.net_invoiced, "invoiced and not credited"
        )
        return replace(self, credited=self.credited + quantity)

    # --- the laws -----------------------------------------------------------------------

    def counters(self) -> tuple[int, ...]:
        """Every stored counter, in field order (``ordered`` first)."""
        return (
            self.ordered,
            self.canceled,
            self.allocated,
            self.backordered,
            self.picked,
            self.packed,
            self.shipped,
            self.delivered,
            self.return_requested,
            self.returned_resellable,
            self.returned_damaged,
            self.invoiced,
            self.credited,
        )

    def check(self, policy: InvoicePolicy = InvoicePolicy.ORDERED) -> tuple[str, ...]:
        """Return one sentence per broken law (empty when the ledger is consistent).

        >>> LineLedger(ordered=2, shipped=1, delivered=2).check()
        ('delivered <= shipped is broken: delivered 2 > shipped 1',)
        """
        bad_types = sorted(
            name
            for name, value in zip(_COUNTERS, self.counters(), strict=True)
            if isinstance(value, bool) or not isinstance(value, int)
        )
        if bad_types:
            return (f"counters must be integers: {', '.join(bad_types)}",)
        return tuple(
            f"{law.statement} is broken: {law.explain(self)}"
            for law in LAWS
            if law.applies(policy) and not law.holds(self)
        )

    def validate(
        self, policy: InvoicePolicy = InvoicePolicy.ORDERED, *, subject: str = _LINE
    ) -> LineLedger:
        """Return the ledger itself if every law holds.

        Raises:
            LedgerLawError: Listing every broken law.
        """
        # Every command checks the ledgers it changed: test the laws first and build the
        # sentences of :meth:`check` only when one is broken (the same verdict either way).
        if laws_hold(self, policy):
            return self
        violations = self.check(policy)
        if violations:
            raise LedgerLawError(subject, violations)
        return self


@attrs.frozen
class LedgerLaw:
    """One conservation law of :class:`LineLedger`.

    Attributes:
        name: A snake_case identifier (``"conservation"``).
        statement: The law as an inequality.
        holds: Whether a ledger obeys it.
        explain: The numbers behind a violation.
        policy: The invoice policy it is limited to (``None``: every policy).
    """

    name: str
    statement: str
    holds: Callable[[LineLedger], bool] = attrs.field(repr=False)
    explain: Callable[[LineLedger], str] = attrs.field(repr=False)
    policy: InvoicePolicy | None = None

    def applies(self, policy: InvoicePolicy) -> bool:
        """Whether the law is checked under ``policy``."""
        return self.policy is None or self.policy is policy


_COUNTERS: Final = tuple(field.name for field in attrs.fields(LineLedger))


def _negatives(ledger: LineLedger) -> str:
    return ", ".join(
        f"{name} {value}"
        for name, value in zip(_COUNTERS, ledger.counters(), strict=True)
        if value < 0
    )


LAWS: Final[tuple[LedgerLaw, ...]] = (
    LedgerLaw(
        "non_negative",
        "every counter >= 0",
        lambda g: min(g.counters()) >= 0,
        _negatives,
    ),
    LedgerLaw(
        "something_ordered", "ordered >= 1", lambda g: g.ordered >= 1, lambda g: f"{g.ordered}"
    ),
    LedgerLaw(
        "conservation",
        "canceled + allocated + backordered + picked + packed + shipped <= ordered",
        lambda g: g.open >= 0,
        lambda g: f"the buckets hold {g.ordered - g.open} units but only {g.ordered} are ordered",
    ),
    LedgerLaw(
        "delivered_shipped",
        "delivered <= shipped",
        lambda g: g.delivered <= g.shipped,
        lambda g: f"delivered {g.delivered} > shipped {g.shipped}",
    ),
    LedgerLaw(
        "returned_delivered",
        "returned <= delivered",
        lambda g: g.returned <= g.delivered,
        lambda g: f"returned {g.returned} > delivered {g.delivered}",
    ),
    LedgerLaw(
        "return_requested",
        "return_requested <= delivered - returned",
        lambda g: g.return_requested <= g.delivered - g.returned,
        lambda g: f"return_requested {g.return_requested} > {g.delivered - g.returned}",
    ),
    LedgerLaw(
        "credited_invoiced",
        "credited <= invoiced",
        lambda g: g.credited <= g.invoiced,
        lambda g: f"credited {g.credited} > invoiced {g.invoiced}",
    ),
    LedgerLaw(
        "billed_on_order",
        "invoiced - credited <= ordered - canceled",
        lambda g: g.net_invoiced <= g.active,
        lambda g: f"net invoiced {g.net_invoiced} > on order {g.active}",
    ),
    LedgerLaw(
        "invoiced_delivered",
        "invoiced <= delivered (invoice policy delivered)",
        lambda g: g.invoiced <= g.delivered,
        lambda g: f"invoiced {g.invoiced} > delivered {g.delivered}",
        InvoicePolicy.DELIVERED,
    ),
)
"""Every conservation law, in the order :meth:`LineLedger.check` reports them."""


def laws_hold(ledger: LineLedger, policy: InvoicePolicy) -> bool:
    """Whether every counter is an ``int`` and every law of :data:`LAWS` that applies
    under ``policy`` holds: the verdict of ``not ledger.check(policy)``, without its
    sentences.

    Every command checks the ledgers it changed, so the laws are tested here in one
    function on local counters (the same inequalities as each law's ``holds``, read from
    the fields rather than through the properties). ``tests/unit/model/
    test_ledger_laws_hold.py`` compares the verdict with the laws' own on many ledgers.
    """
    ordered = ledger.ordered
    canceled = ledger.canceled
    allocated = ledger.allocated
    backordered = ledger.backordered
    picked = ledger.picked
    packed = ledger.packed
    shipped = ledger.shipped
    delivered = ledger.delivered
    return_requested = ledger.return_requested
    resellable = ledger.returned_resellable
    damaged = ledger.returned_damaged
    invoiced = ledger.invoiced
    credited = ledger.credited
    int_ = int
    if not (
        type(ordered) is int_
        and type(canceled) is int_
        and type(allocated) is int_
        and type(backordered) is int_
        and type(picked) is int_
        and type(packed) is int_
        and type(shipped) is int_
        and type(delivered) is int_
        and type(return_requested) is int_
        and type(resellable) is int_
        and type(damaged) is int_
        and type(invoiced) is int_
        and type(credited) is int_
    ):
        return False
    returned = resellable + damaged
    return (
        # non_negative (every counter, ``ordered`` by something_ordered below)
        canceled >= 0
        and allocated >= 0
        and backordered >= 0
        and picked >= 0
        and packed >= 0
        and shipped >= 0
        and delivered >= 0
        and return_requested >= 0
        and resellable >= 0
        and damaged >= 0
        and invoiced >= 0
        and credited >= 0
        # something_ordered
        and ordered >= 1
        # conservation: open >= 0
        and ordered - canceled - allocated - backordered - picked - packed - shipped >= 0
        # delivered_shipped, returned_delivered, return_requested
        and delivered <= shipped
        and returned <= delivered
        and return_requested <= delivered - returned
        # credited_invoiced, billed_on_order
        and credited <= invoiced
        and invoiced - credited <= ordered - canceled
        # invoiced_delivered (under the delivered invoice policy only)
        and (policy is not InvoicePolicy.DELIVERED or invoiced <= delivered)
    )
