"""Released pick lists: a wave's lines in one warehouse, tracked from release to confirmation.

A :class:`~ordercycle.picking.PickList` is a plan: lines, totes, the full
:class:`~ordercycle.picking.Route` and a time estimate, computed and never stored. A
:class:`WavePickList` is what a warehouse has been handed: it has an id, lines tied to
inventory bin ids and their layout labels, a summary of its route, and a state
(:data:`PICK_LIST_LIFECYCLE`: open until its picks are confirmed). It is plain data, so it
can be stored whole (the desk stores it in each ``DeskPickListChanged`` event).

>>> from datetime import UTC, datetime
>>> from fractions import Fraction
>>> released = WavePickList(
...     pick_list_id="PL-1", warehouse="WH-A", released_at=datetime(2026, 3, 2, tzinfo=UTC),
...     lines=(WavePickLine(order_id="O-1", line_id="L1", sku="MUG", bin="WH-A/1",
...                         location="A00-005-L0", quantity=3),),
...     route_length=Fraction(20), route_method="optimal", route_exact=True,
...     route_explanation="optimal",
... )
>>> done = released.confirm([("O-1/L1", 1)], at=datetime(2026, 3, 2, 1, tzinfo=UTC))
>>> done.status, done.lines[0].picked, done.lines[0].short
('confirmed', 2, 1)
>>> done.confirm([], at=datetime(2026, 3, 2, 2, tzinfo=UTC))
Traceback (most recent call last):
...
ordercycle.errors.TransitionNotAllowedError: Cannot confirm pick list PL-1: it is confirmed; no event is allowed now.
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from fractions import Fraction
from typing import Final

import attrs

from ordercycle.errors import InvalidQuantityError, ValidationError
from ordercycle.lifecycle import Lifecycle, State
from ordercycle.model._replace import replace

__all__ = ["PICK_LIST_LIFECYCLE", "WavePickLine", "WavePickList"]

PICK_LIST_LIFECYCLE: Final = Lifecycle.build(
    "pick_list",
    initial="open",
    final=["confirmed"],
    states=[
        State("open", "Released to the warehouse, being picked."),
        State("confirmed", "Picks confirmed, shortages sent back to stock control.", final=True),
    ],
    transitions=[("confirm", "open", "confirmed")],
)
"""open → confirmed: a released pick list's moves, as data.

Packing does not move the list: each order on it is packed on its own afterwards.
"""


@attrs.frozen(kw_only=True)
class WavePickLine:
    """Units of one order line to take from one bin, in walking order.

    Attributes:
        order_id: The order.
        line_id: The order line.
        sku: The product.
        bin: The inventory bin id.
        location: The bin's label in the picking layout (``"A03-017-R0"``).
        quantity: Units to pick.
        picked: Units confirmed picked (``None`` until confirmed).
        shipment_id: The shipment the picked units were packed into (empty until packed).
    """

    order_id: str
    line_id: str
    sku: str
    bin: str
    location: str
    quantity: int
    picked: int | None = None
    shipment_id: str = ""

    @property
    def reference(self) -> str:
        """The stock allocation reference, ``"<order>/<line>"``."""
        return f"{self.order_id}/{self.line_id}"

    @property
    def short(self) -> int:
        """Units that were not found (0 until confirmed)."""
        return 0 if self.picked is None else self.quantity - self.picked


def _check_status(_instance: object, _attribute: object, value: object) -> None:
    if value not in PICK_LIST_LIFECYCLE.state_names:
        raise ValidationError.invalid(
            "WavePickList", "status", value, "one of " + ", ".join(PICK_LIST_LIFECYCLE.state_names)
        )


@attrs.frozen(kw_only=True)
class WavePickList:
    """One warehouse's pick list of a wave, with its routed walk.

    Move it with :meth:`confirm`, which returns the confirmed list and leaves this one
    unchanged.

    Attributes:
        pick_list_id: The id.
        warehouse: Where it is picked.
        lines: The lines in walking order.
        route_length: The walked length in layout units (exact).
        route_method: The routing method.
        route_exact: Whether the length is proven minimal.
        route_explanation: How the route was found.
        status: A state of :data:`PICK_LIST_LIFECYCLE`: ``"open"`` until the picks are
            confirmed, then ``"confirmed"``.
        released_at: When the wave was released.
        confirmed_at: When the picks were confirmed.

    Raises:
        ValidationError: ``status`` is not a state of :data:`PICK_LIST_LIFECYCLE`.
    """

    pick_list_id: str
    warehouse: str
    lines: tuple[WavePickLine, ...]
    route_length: Fraction
    route_method: str
    route_exact: bool
    route_explanation: str
    released_at: datetime
    status: str = attrs.field(default=PICK_LIST_LIFECYCLE.initial, validator=_check_status)
    confirmed_at: datetime | None = None

    @property
    def subject(self) -> str:
        """How errors name it: ``"pick list PL-1"``."""
        return f"pick list {self.pick_list_id}"

    @property
    def order_ids(self) -> tuple[str, ...]:
        """The orders on the list, in order of first appearance."""
        return tuple(dict.fromkeys(line.order_id for line in self.lines))

    def allowed_events(self) -> tuple[str, ...]:
        """The lifecycle events allowed now (``("confirm",)`` while open)."""
        return PICK_LIST_LIFECYCLE.allowed_events(self.status)

    def confirm(self, shortages: Iterable[tuple[str, int]], *, at: datetime) -> WavePickList:
        """Confirm the picks: every line picked in full except the ``shortages``.

        A shortage names a line reference (``"<order>/<line>"``) and the units not found;
        references may repeat (they add up). Units short of a reference listed on several
        lines are taken from its lines in walking order.

        Args:
            shortages: ``(reference, units not found)`` pairs.
            at: When the picks were confirmed.

        Returns:
            The confirmed list, each line with ``picked`` set.

        Raises:
            TransitionNotAllowedError: The list is not open.
            ValidationError: A reference is not on the list.
            InvalidQuantityError: A shortage is not a positive whole number, or the
                shortages of a reference exceed the units listed for it.
        """
        status = PICK_LIST_LIFECYCLE.next_state(self.status, "confirm", subject=self.subject)
        short = self._shortages(shortages)
        confirmed: list[WavePickLine] = []
        for line in self.lines:
            missing = min(short.get(line.reference, 0), line.quantity)
            short[line.reference] = short.get(line.reference, 0) - missing
            confirmed.append(replace(line, picked=line.quantity - missing))
        return replace(self, lines=tuple(confirmed), status=status, confirmed_at=at)

    def _shortages(self, shortages: Iterable[tuple[str, int]]) -> dict[str, int]:
        listed: dict[str, int] = {}
        for line in self.lines:
            listed[line.reference] = listed.get(line.reference, 0) + line.quantity
        short: dict[str, int] = {}
        for reference, quantity in shortages:
            if reference not in listed:
                raise ValidationError.invalid(
                    self.subject,
                    "shortage reference",
                    reference,
                    "one of " + ", ".join(sorted(listed)),
                )
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                raise InvalidQuantityError.invalid(
                    self.subject, f"shortage of {reference}", quantity, "a positive whole number"
                )
            short[reference] = short.get(reference, 0) + quantity
            if short[reference] > listed[reference]:
                raise InvalidQuantityError.invalid(
                    self.subject,
                    f"shortage of {reference}",
                    short[reference],
                    f"at most the {listed[reference]} units listed",
                )
        return short
