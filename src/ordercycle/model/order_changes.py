"""Change sets: the edits an order accepts after it is created.

A change set is a tuple of changes applied together, or not at all, as one revision of
the order (``OrderAmended(revision=3, changes=(...))``). After confirmation each change
may only touch quantities that are not yet picked; the order refuses it with the reason.

>>> from ordercycle.money import Money
>>> (ChangeQuantity("L1", 3), ChangePrice("L2", Money("9.50", "USD")))
(ChangeQuantity(line_id='L1', quantity=3), ChangePrice(line_id='L2', unit_price=Money('9.50', 'USD')))
"""  # noqa: E501

from __future__ import annotations

from typing import TypeAlias

import attrs

from ordercycle.model.address import Address
from ordercycle.model.order_lines import NewLine
from ordercycle.model.order_policies import AddressKind
from ordercycle.money import Money

__all__ = [
    "AddLine",
    "ChangeAddress",
    "ChangePrice",
    "ChangeQuantity",
    "OrderChange",
    "RemoveLine",
]


@attrs.frozen
class AddLine:
    """Add a new line (its id must be new, its price in the order's currency)."""

    line: NewLine


@attrs.frozen
class RemoveLine:
    """Remove a line none of whose units is picked or invoiced; allocated stock is released."""

    line_id: str


@attrs.frozen
class ChangeQuantity:
    """Set the ordered quantity of a line (canceled units included).

    Less: the units are taken from open, backordered, then allocated units; picked units
    and invoiced units cannot be taken away. More: the new units are open.
    """

    line_id: str
    quantity: int


@attrs.frozen
class ChangePrice:
    """Set the unit price of a line that has nothing picked or invoiced."""

    line_id: str
    unit_price: Money


@attrs.frozen
class ChangeAddress:
    """Replace the shipping address (nothing picked yet) or billing address (nothing invoiced)."""

    kind: AddressKind
    address: Address


OrderChange: TypeAlias = AddLine | RemoveLine | ChangeQuantity | ChangePrice | ChangeAddress
"""Any one change of a change set."""
