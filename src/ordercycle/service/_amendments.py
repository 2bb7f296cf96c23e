"""The edits :class:`~ordercycle.service.commands.AmendOrder` carries, as plain JSON values.

An :class:`OrderAmendment` names one action and the fields it needs:

- ``set_quantity``: ``line_id`` and the new ordered ``quantity`` of the line;
- ``add_line``: ``sku`` and ``quantity`` (priced from the catalogue; ``line_id`` optional,
  the next free ``L<n>`` by default; ``unit_price`` with a ``price_reason`` overrides the
  catalogue price, as a placement's price override does);
- ``remove_line``: ``line_id``;
- ``ship_to``: the new shipping ``address`` (only before a unit of the order is picked).

>>> as_amendments([{"action": "set_quantity", "line_id": "L1", "quantity": 3}])
(OrderAmendment(action='set_quantity', line_id='L1', sku=None, quantity=3, address=None, \
unit_price=None, price_reason=''),)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from ordercycle.errors import ValidationError
from ordercycle.model.address import Address
from ordercycle.money import Money
from ordercycle.serialization import from_dict
from ordercycle.service._pricing_fields import as_money_or_none

__all__ = ["AMENDMENT_ACTIONS", "OrderAmendment", "as_amendments"]

#: The actions an :class:`OrderAmendment` may name.
AMENDMENT_ACTIONS: Final = ("set_quantity", "add_line", "remove_line", "ship_to")

_NEEDS: Final = {
    "set_quantity": ("line_id", "quantity"),
    "add_line": ("sku", "quantity"),
    "remove_line": ("line_id",),
    "ship_to": ("address",),
}


def _check_action(_instance: Any, _attribute: Any, value: Any) -> None:
    if value not in AMENDMENT_ACTIONS:
        raise ValidationError.invalid(
            "amend order", "action", value, "one of " + ", ".join(AMENDMENT_ACTIONS)
        )


@attrs.frozen(kw_only=True)
class OrderAmendment:
    """One edit of an order after confirmation (see the module docstring for the actions).

    Attributes:
        action: ``"set_quantity"``, ``"add_line"``, ``"remove_line"`` or ``"ship_to"``.
        line_id: The line changed or removed (or the id of an added line).
        sku: The product of an added line.
        quantity: The new quantity of a line, or the units of an added line.
        address: The new shipping address.
        unit_price: The price of an added line instead of the catalogue's (``None``: the
            catalogue's), in the catalogue price's currency.
        price_reason: Why (required with ``unit_price``).
    """

    action: str = attrs.field(validator=_check_action)
    line_id: str | None = None
    sku: str | None = None
    quantity: int | None = None
    address: Address | None = None
    unit_price: Money | None = attrs.field(default=None, converter=as_money_or_none)
    price_reason: str = ""

    def __attrs_post_init__(self) -> None:
        if (self.unit_price is not None or self.price_reason) and self.action != "add_line":
            raise ValidationError.invalid(
                f"amend order ({self.action})",
                "unit_price",
                self.unit_price,
                "no price: only add_line takes a unit_price and price_reason",
            )
        missing = [name for name in _NEEDS[self.action] if getattr(self, name) is None]
        if missing:
            raise ValidationError.invalid(
                f"amend order ({self.action})",
                missing[0],
                None,
                f"a value: {self.action} needs {' and '.join(_NEEDS[self.action])}",
            )


def as_amendments(
    value: Iterable[OrderAmendment | Mapping[str, Any]],
) -> tuple[OrderAmendment, ...]:
    """:class:`OrderAmendment` values, or mappings of their fields, as amendments."""
    if isinstance(value, Mapping | str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.invalid(
            "amend order",
            "changes",
            value,
            "a list of amendments such as"
            ' {"action": "set_quantity", "line_id": "L1", "quantity": 3}',
        )
    found = []
    for item in value:
        if isinstance(item, OrderAmendment):
            found.append(item)
        elif isinstance(item, Mapping):
            data = dict(item)
            address = data.get("address")
            if isinstance(address, Mapping):
                data["address"] = from_dict(dict(address), Address)
            try:
                found.append(OrderAmendment(**data))
            except TypeError as error:
                raise ValidationError.invalid(
                    "amend order", "change", item, f"the fields of an OrderAmendment ({error})"
                ) from None
        else:
            raise ValidationError.invalid("amend order", "change", item, "an OrderAmendment")
    return tuple(found)
