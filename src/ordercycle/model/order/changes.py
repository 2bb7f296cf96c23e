"""Change sets: the edits an order accepts after it is created, and the rules they follow.

A change set is a tuple of changes applied together, or not at all, as one revision of
the order (``OrderAmended(revision=3, changes=(...))``). After confirmation each change
may only touch quantities that are not yet picked; the order refuses it with the reason.
:func:`change_lines` applies a line change to an order's lines and
:func:`check_address_change` decides whether an address may change; both raise
:class:`~ordercycle.model.order.errors.ChangeNotAllowedError` with the reason.

>>> from ordercycle.money import Money
>>> (ChangeQuantity("L1", 3), ChangePrice("L2", Money("9.50", "USD")))
(ChangeQuantity(line_id='L1', quantity=3), ChangePrice(line_id='L2', unit_price=Money('9.50', 'USD')))
"""  # noqa: E501

from __future__ import annotations

from typing import TypeAlias

import attrs

from ordercycle.errors import InvalidQuantityError
from ordercycle.model.address import Address
from ordercycle.model.order.errors import ChangeNotAllowedError
from ordercycle.model.order.ledger import LineLedger, Release
from ordercycle.model.order.lines import (
    LineRelease,
    NewLine,
    OrderLine,
    add_line,
    check_currency,
    find_line,
    line_subject,
    replace_line,
)
from ordercycle.model.order.policies import AddressKind
from ordercycle.money import Currency, Money

__all__ = [
    "AddLine",
    "ChangeAddress",
    "ChangePrice",
    "ChangeQuantity",
    "OrderChange",
    "RemoveLine",
    "change_lines",
    "check_address_change",
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


# --- the edit rules ---------------------------------------------------------------------------

_Lines: TypeAlias = tuple[OrderLine, ...]


def _refuse(subject: str, action: str, reason: str) -> ChangeNotAllowedError:
    return ChangeNotAllowedError(subject, f"{action} of {subject}", reason)


def _picked_reason(ledger: LineLedger) -> str | None:
    if ledger.picked_or_later:
        return f"{ledger.picked_or_later} units are already picked, packed or shipped"
    if ledger.invoiced:
        return f"{ledger.invoiced} units are invoiced"
    return None


def change_lines(
    lines: _Lines, change: OrderChange, *, subject: str, currency: Currency, draft: bool
) -> tuple[_Lines, tuple[LineRelease, ...]]:
    """Apply a line change (anything but :class:`ChangeAddress`) to an order's lines.

    Args:
        lines: The order's lines.
        change: The change.
        subject: The order, for messages (``"order O-17"``).
        currency: The order's currency; prices must use it.
        draft: Whether the order is still a draft (its only line may go then).

    Returns:
        The changed lines and the stock released by the change.

    Raises:
        ChangeNotAllowedError: The change touches picked, shipped or invoiced units, would
            leave a placed order without lines, or is not a line change.
        UnknownLineError, DuplicateLineError, OrderCurrencyError, InvalidQuantityError:
            The change refers to a missing line, reuses an id, or has a bad value.
    """
    if isinstance(change, AddLine):
        return add_line(lines, change.line, subject=subject, currency=currency), ()
    if isinstance(change, RemoveLine):
        return _remove_line(lines, change.line_id, subject=subject, draft=draft)
    if isinstance(change, ChangeQuantity):
        return _change_quantity(lines, change, subject=subject)
    if isinstance(change, ChangePrice):
        return _change_price(lines, change, subject=subject, currency=currency), ()
    raise ChangeNotAllowedError(
        subject,
        f"amend {subject}",
        f"{change!r} is not a change; expected AddLine, RemoveLine, ChangeQuantity,"
        " ChangePrice or ChangeAddress",
    )


def _remove_line(
    lines: _Lines, line_id: str, *, subject: str, draft: bool
) -> tuple[_Lines, tuple[LineRelease, ...]]:
    line = find_line(lines, line_id, subject=subject)
    action = f"remove line {line_id}"
    reason = _picked_reason(line.ledger)
    if reason:
        raise _refuse(subject, action, reason)
    if len(lines) == 1 and not draft:
        raise _refuse(subject, action, "it is the only line; cancel the order instead")
    ledger = line.ledger
    release = Release(allocated=ledger.allocated, backordered=ledger.backordered, open=ledger.open)
    kept = tuple(other for other in lines if other.line_id != line_id)
    return kept, (LineRelease(line_id, line.sku, release),)


def _change_quantity(
    lines: _Lines, change: ChangeQuantity, *, subject: str
) -> tuple[_Lines, tuple[LineRelease, ...]]:
    line = find_line(lines, change.line_id, subject=subject)
    of_line = line_subject(subject, change.line_id)
    ledger = line.ledger
    if (
        isinstance(change.quantity, bool)
        or not isinstance(change.quantity, int)
        or change.quantity <= 0
    ):
        raise InvalidQuantityError.invalid(
            of_line, "quantity", change.quantity, "a positive integer"
        )
    if change.quantity == ledger.ordered:
        return lines, ()
    lowest = max(ledger.canceled + ledger.picked_or_later, ledger.canceled + ledger.net_invoiced, 1)
    if change.quantity < lowest:
        raise _refuse(
            subject,
            f"change the quantity of line {change.line_id} to {change.quantity}",
            f"{ledger.picked_or_later} units are picked or later, {ledger.canceled}"
            f" canceled and {ledger.net_invoiced} invoiced; the lowest quantity allowed"
            f" is {lowest}",
        )
    if change.quantity > ledger.ordered:
        new = ledger.increase(change.quantity - ledger.ordered, subject=of_line)
        return replace_line(lines, attrs.evolve(line, ledger=new)), ()
    new, release = ledger.decrease(ledger.ordered - change.quantity, subject=of_line)
    changed = replace_line(lines, attrs.evolve(line, ledger=new))
    return changed, (LineRelease(line.line_id, line.sku, release),)


def _change_price(
    lines: _Lines, change: ChangePrice, *, subject: str, currency: Currency
) -> _Lines:
    line = find_line(lines, change.line_id, subject=subject)
    action = f"change the price of line {change.line_id}"
    # Building the NewLine checks the price as a new line would (a Money, not negative).
    new = NewLine(
        line.line_id,
        line.sku,
        line.quantity,
        change.unit_price,
        tax_code=line.tax_code,
        discounts=line.discounts,
    )
    check_currency(
        change.unit_price, currency, subject=subject, what=f"the price of line {line.line_id}"
    )
    reason = _picked_reason(line.ledger)
    if reason:
        raise _refuse(subject, action, reason)
    return replace_line(lines, attrs.evolve(line, unit_price=new.unit_price))


def check_address_change(
    change: ChangeAddress, lines: _Lines, *, subject: str, invoices: int
) -> None:
    """Refuse to change the shipping address once a unit is picked, or the billing address
    once an invoice is issued.

    Args:
        change: The address change.
        lines: The order's lines.
        subject: The order, for messages.
        invoices: How many invoices the order has issued.

    Raises:
        ChangeNotAllowedError: The address may not change any more; the message says why.
    """
    action = f"change the {change.kind.value} address"
    if change.kind is AddressKind.SHIPPING:
        picked = sum(line.ledger.picked_or_later for line in lines)
        if picked:
            raise _refuse(subject, action, f"{picked} units are already picked, packed or shipped")
    elif invoices:
        raise _refuse(subject, action, f"{invoices} invoices are issued")
