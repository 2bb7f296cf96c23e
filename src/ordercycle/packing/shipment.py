"""Shipments: one order's packed cartons, from the packing station until they are delivered.

A :class:`Shipment` is born packed (its :class:`Parcel` values say which carton holds what
and what the carrier bills for it), is handed to the carrier with a tracking number, and is
delivered. :data:`SHIPMENT_LIFECYCLE` says which of those moves is allowed when; a move the
lifecycle refuses raises :class:`~ordercycle.errors.TransitionNotAllowedError` and changes
nothing.

A shipment lives in :mod:`ordercycle.packing` because it is what packing hands on: the
cartons chosen by :func:`~ordercycle.packing.pack` and their billable weights under the
carrier's rule. It keeps the carton names and exact numbers, not the plan, so it can be
stored as plain data (the desk stores it whole in each ``DeskShipmentChanged`` event).

>>> from datetime import UTC, datetime
>>> packed = Shipment(
...     shipment_id="SHP-1", order_id="O-1", warehouse="WH-A", pick_list_id="PL-1",
...     lines=(ShipmentLine(line_id="L1", sku="MUG", quantity=2),), parcels=(),
...     carrier="UPS", packed_at=datetime(2026, 3, 2, 11, tzinfo=UTC),
... )
>>> shipped = packed.ship(tracking_number="1Z999", at=datetime(2026, 3, 2, 14, tzinfo=UTC))
>>> shipped.status, shipped.allowed_events()
('shipped', ('deliver',))
>>> packed.deliver(at=datetime(2026, 3, 3, tzinfo=UTC))
Traceback (most recent call last):
...
ordercycle.errors.TransitionNotAllowedError: Cannot deliver shipment SHP-1: it is packed; allowed now: ship.
"""  # noqa: E501

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.lifecycle import Lifecycle, State
from ordercycle.model._replace import trusted_replace

__all__ = ["SHIPMENT_LIFECYCLE", "Parcel", "Shipment", "ShipmentLine"]

SHIPMENT_LIFECYCLE: Final = Lifecycle.build(
    "shipment",
    initial="packed",
    final=["delivered"],
    states=[
        State("packed", "Packed into cartons, waiting for the carrier."),
        State("shipped", "Handed to the carrier with a tracking number."),
        State("delivered", "Arrived at the customer.", final=True),
    ],
    transitions=[
        ("ship", "packed", "shipped"),
        ("deliver", "shipped", "delivered"),
    ],
)
"""packed → shipped → delivered: a shipment's moves, as data."""


@attrs.frozen(kw_only=True)
class Parcel:
    """One packed carton of a shipment.

    Attributes:
        carton: The carton's name.
        contents: ``(sku, units)`` in the carton.
        actual_weight_g: Gross weight in grams (exact).
        billable_weight: The carrier's billable weight, in ``weight_unit`` (exact).
        weight_unit: ``"lb"`` or ``"kg"``, the carrier's unit.
        reason: Why this carton was chosen.
    """

    carton: str
    contents: tuple[tuple[str, int], ...]
    actual_weight_g: Fraction
    billable_weight: Fraction
    weight_unit: str
    reason: str


@attrs.frozen(kw_only=True)
class ShipmentLine:
    """Units of one order line in a shipment.

    Attributes:
        line_id: The order line.
        sku: The product.
        quantity: Units shipped of the line.
    """

    line_id: str
    sku: str
    quantity: int


def _check_status(_instance: object, _attribute: object, value: object) -> None:
    if value not in SHIPMENT_LIFECYCLE.state_names:
        raise ValidationError.invalid(
            "Shipment", "status", value, "one of " + ", ".join(SHIPMENT_LIFECYCLE.state_names)
        )


@attrs.frozen(kw_only=True)
class Shipment:
    """Packed cartons of one order from one pick list, until they are delivered.

    Move it with :meth:`ship` and :meth:`deliver`; each returns the new shipment and
    leaves this one unchanged.

    Attributes:
        shipment_id: The id.
        order_id: The order.
        warehouse: Where it ships from.
        pick_list_id: The pick list the units came from.
        lines: Units per order line.
        parcels: The cartons.
        carrier: The carrier's name.
        status: A state of :data:`SHIPMENT_LIFECYCLE`: ``"packed"``, ``"shipped"`` or
            ``"delivered"``.
        tracking_number: The carrier's tracking number, once shipped.
        packed_at: When it was packed.
        shipped_at: When it shipped.
        delivered_at: When it arrived.

    Raises:
        ValidationError: ``status`` is not a state of :data:`SHIPMENT_LIFECYCLE`.
    """

    shipment_id: str
    order_id: str
    warehouse: str
    pick_list_id: str
    lines: tuple[ShipmentLine, ...]
    parcels: tuple[Parcel, ...]
    carrier: str
    packed_at: datetime
    status: str = attrs.field(default=SHIPMENT_LIFECYCLE.initial, validator=_check_status)
    tracking_number: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def subject(self) -> str:
        """How errors name it: ``"shipment SHP-1"``."""
        return f"shipment {self.shipment_id}"

    @property
    def billable_weight(self) -> Fraction:
        """The billable weight of all parcels, in the carrier's unit."""
        # Whole weights (carriers bill whole pounds or kilograms) add up as ints, with one
        # Fraction at the end instead of one per parcel; any other weight, as Fractions.
        whole = 0
        for parcel in self.parcels:
            weight = parcel.billable_weight
            if type(weight) is not Fraction or weight.denominator != 1:
                return sum((p.billable_weight for p in self.parcels), Fraction(0))
            whole += weight.numerator
        return Fraction(whole)

    def allowed_events(self) -> tuple[str, ...]:
        """The lifecycle events allowed now (``("ship",)`` while packed)."""
        return SHIPMENT_LIFECYCLE.allowed_events(self.status)

    def ship(self, *, tracking_number: str, at: datetime, carrier: str = "") -> Shipment:
        """Hand the shipment to the carrier.

        Args:
            tracking_number: The carrier's tracking number (non-empty).
            at: When it shipped.
            carrier: The carrier that took it, if not the one it was packed for.

        Raises:
            TransitionNotAllowedError: It is not packed.
            ValidationError: The tracking number is empty.
        """
        status = SHIPMENT_LIFECYCLE.next_state(self.status, "ship", subject=self.subject)
        if not isinstance(tracking_number, str) or not tracking_number.strip():
            raise ValidationError.invalid(
                self.subject, "tracking_number", tracking_number, "non-empty text"
            )
        # The model's copier, not attrs.evolve (its field look-up and keyword call were most
        # of a move's cost): the one validator, the status's, passes the state the
        # lifecycle names, so the copy is the one evolve would build.
        return trusted_replace(
            self,
            status=status,
            tracking_number=tracking_number,
            carrier=carrier or self.carrier,
            shipped_at=at,
        )

    def deliver(self, *, at: datetime) -> Shipment:
        """Record that the shipment arrived.

        Raises:
            TransitionNotAllowedError: It is not shipped.
        """
        status = SHIPMENT_LIFECYCLE.next_state(self.status, "deliver", subject=self.subject)
        return trusted_replace(self, status=status, delivered_at=at)  # as in ship
