"""Purchase orders: units ordered from a supplier for one warehouse, expected on dates.

A :class:`PurchaseOrder` is open when created, partially received after a receipt that
leaves units to come, received when every ordered unit arrived, and canceled when the rest
is canceled (units already received stay received). :data:`PURCHASE_ORDER_LIFECYCLE` says
which move is allowed when; a move it refuses raises
:class:`~ordercycle.errors.TransitionNotAllowedError` and changes nothing.

Each line's open units are announced to the stock ledger as a scheduled receipt
(:meth:`PurchaseOrderLine.receipt_id`), which is what
:func:`~ordercycle.inventory.available_to_promise` counts as incoming.

An over-receipt (more units of a line than are still open) is refused: the purchase order
stays the record of what was ordered, and surplus units are received on their own
(``ReceiveStock`` at the desk), a separate and visible decision.

>>> from datetime import UTC, date, datetime
>>> at = datetime(2026, 3, 2, 9, tzinfo=UTC)
>>> po = PurchaseOrder.create(
...     "PO-1", supplier="Acme Pottery", warehouse="WH-EAST",
...     lines=[PurchaseOrderLine(sku="MUG", quantity=10, expected_on=date(2026, 3, 9))], at=at,
... )
>>> part = po.receive({"MUG": 4}, at=at)
>>> part.status, part.line("MUG").open
('partially_received', 6)
>>> part.receive({"MUG": 7}, at=at)
Traceback (most recent call last):
...
ordercycle.errors.ValidationError: Invalid quantity for purchase order PO-1 line MUG: 7; expected at most the 6 units still open; receive surplus units on their own.
>>> part.cancel(reason="supplier out of stock", at=at).status
'canceled'
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.lifecycle import Lifecycle, State

__all__ = ["PURCHASE_ORDER_LIFECYCLE", "PurchaseOrder", "PurchaseOrderLine"]

PURCHASE_ORDER_LIFECYCLE: Final = Lifecycle.build(
    "purchase_order",
    initial="open",
    final=["received", "canceled"],
    states=[
        State("open", "Ordered from the supplier; nothing received yet."),
        State("partially_received", "Some units received, the rest still expected."),
        State("received", "Every ordered unit received.", final=True),
        State("canceled", "The units still expected were canceled.", final=True),
    ],
    transitions=[
        ("receive_part", "open", "partially_received"),
        ("receive_part", "partially_received", "partially_received"),
        ("receive_all", "open", "received"),
        ("receive_all", "partially_received", "received"),
        ("cancel", "open", "canceled"),
        ("cancel", "partially_received", "canceled"),
    ],
)
"""open → partially_received → received, or → canceled: a purchase order's moves."""


def _count(subject: str, field: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        expected = "a positive integer" if low else "a whole number of units, 0 or more"
        raise ValidationError.invalid(subject, field, value, expected)
    return value


@attrs.frozen(kw_only=True)
class PurchaseOrderLine:
    """Units of one product on a purchase order.

    Attributes:
        sku: The product.
        quantity: Units ordered.
        expected_on: The date the supplier promised them.
        received: Units received so far.
        canceled: Units canceled (never to come).
    """

    sku: str
    quantity: int
    expected_on: date
    received: int = 0
    canceled: int = 0

    def __attrs_post_init__(self) -> None:
        subject = f"purchase order line {self.sku}"
        if not isinstance(self.sku, str) or not self.sku.strip():
            raise ValidationError.invalid("purchase order line", "sku", self.sku, "a sku")
        _count(subject, "quantity", self.quantity, 1)
        _count(subject, "received", self.received, 0)
        _count(subject, "canceled", self.canceled, 0)
        if isinstance(self.expected_on, datetime) or not isinstance(self.expected_on, date):
            raise ValidationError.invalid(subject, "expected_on", self.expected_on, "a date")
        if self.received + self.canceled > self.quantity:
            raise ValidationError.invalid(
                subject,
                "received",
                self.received,
                f"received and canceled units within the {self.quantity} ordered",
            )

    @property
    def open(self) -> int:
        """Units still expected."""
        return self.quantity - self.received - self.canceled

    def receipt_id(self, purchase_order_id: str) -> str:
        """The scheduled receipt that announces this line in the stock ledger."""
        return f"{purchase_order_id}/{self.sku}"


def _check_status(_instance: object, _attribute: object, value: object) -> None:
    if value not in PURCHASE_ORDER_LIFECYCLE.state_names:
        raise ValidationError.invalid(
            "PurchaseOrder",
            "status",
            value,
            "one of " + ", ".join(PURCHASE_ORDER_LIFECYCLE.state_names),
        )


@attrs.frozen(kw_only=True)
class PurchaseOrder:
    """Units ordered from a supplier for one warehouse, received in one or more parts.

    Move it with :meth:`receive` and :meth:`cancel`; each returns the new purchase order
    and leaves this one unchanged.

    Attributes:
        purchase_order_id: The id.
        supplier: Who the units are ordered from.
        warehouse: The warehouse they are received into.
        lines: One line per product, in the order given.
        created_at: When it was created.
        status: A state of :data:`PURCHASE_ORDER_LIFECYCLE`.
        cancel_reason: Why the rest was canceled, once canceled.
        closed_at: When it was fully received or canceled.
    """

    purchase_order_id: str
    supplier: str
    warehouse: str
    lines: tuple[PurchaseOrderLine, ...]
    created_at: datetime
    status: str = attrs.field(default=PURCHASE_ORDER_LIFECYCLE.initial, validator=_check_status)
    cancel_reason: str = ""
    closed_at: datetime | None = None

    @classmethod
    def create(
        cls,
        purchase_order_id: str,
        *,
        supplier: str,
        warehouse: str,
        lines: Iterable[PurchaseOrderLine],
        at: datetime,
    ) -> PurchaseOrder:
        """A new open purchase order.

        Raises:
            ValidationError: No lines, a product on two lines, or an empty supplier.
        """
        subject = f"purchase order {purchase_order_id}"
        found = tuple(lines)
        if not found:
            raise ValidationError.invalid(subject, "lines", [], "at least one line")
        skus = [line.sku for line in found]
        twice = sorted({sku for sku in skus if skus.count(sku) > 1})
        if twice:
            raise ValidationError.invalid(
                subject, "lines", twice[0], "each product on one line only"
            )
        if not isinstance(supplier, str) or not supplier.strip():
            raise ValidationError.invalid(subject, "supplier", supplier, "a supplier name")
        return cls(
            purchase_order_id=purchase_order_id,
            supplier=supplier,
            warehouse=warehouse,
            lines=found,
            created_at=at,
        )

    @property
    def subject(self) -> str:
        """How errors name it: ``"purchase order PO-1"``."""
        return f"purchase order {self.purchase_order_id}"

    @property
    def is_final(self) -> bool:
        """Whether it is received or canceled."""
        return PURCHASE_ORDER_LIFECYCLE.is_final(self.status)

    @property
    def open_units(self) -> int:
        """Units still expected on every line."""
        return sum(line.open for line in self.lines)

    def allowed_events(self) -> tuple[str, ...]:
        """The lifecycle events allowed now."""
        return PURCHASE_ORDER_LIFECYCLE.allowed_events(self.status)

    def line(self, sku: str) -> PurchaseOrderLine:
        """The line of ``sku``.

        Raises:
            ValidationError: The purchase order has no line of ``sku``.
        """
        for line in self.lines:
            if line.sku == sku:
                return line
        known = ", ".join(line.sku for line in self.lines)
        raise ValidationError.invalid(self.subject, "sku", sku, f"one of its lines: {known}")

    def receive(self, units: Mapping[str, int], *, at: datetime) -> PurchaseOrder:
        """Record units received per sku; the status follows what is still open.

        Raises:
            TransitionNotAllowedError: It is received or canceled already.
            ValidationError: An unknown sku, a quantity that is not positive, or more
                units than are still open on the line (over-receipt is refused).
        """
        if not units:
            raise ValidationError.invalid(self.subject, "lines", [], "at least one line")
        PURCHASE_ORDER_LIFECYCLE.next_state(self.status, "receive_part", subject=self.subject)
        changed = {line.sku: line for line in self.lines}
        for sku, quantity in units.items():
            line = self.line(sku)
            subject = f"{self.subject} line {sku}"
            _count(subject, "quantity", quantity, 1)
            if quantity > line.open:
                raise ValidationError.invalid(
                    subject,
                    "quantity",
                    quantity,
                    f"at most the {line.open} units still open; receive surplus units on their own",
                )
            changed[sku] = attrs.evolve(line, received=line.received + quantity)
        lines = tuple(changed[line.sku] for line in self.lines)
        done = sum(line.open for line in lines) == 0
        event = "receive_all" if done else "receive_part"
        status = PURCHASE_ORDER_LIFECYCLE.next_state(self.status, event, subject=self.subject)
        return attrs.evolve(self, lines=lines, status=status, closed_at=at if done else None)

    def cancel(self, *, reason: str, at: datetime) -> PurchaseOrder:
        """Cancel every unit still open; units received stay received.

        Raises:
            TransitionNotAllowedError: It is received or canceled already.
        """
        status = PURCHASE_ORDER_LIFECYCLE.next_state(self.status, "cancel", subject=self.subject)
        lines = tuple(attrs.evolve(line, canceled=line.canceled + line.open) for line in self.lines)
        return attrs.evolve(self, lines=lines, status=status, cancel_reason=reason, closed_at=at)
