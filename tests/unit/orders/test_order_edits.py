"""Change sets after confirmation: only quantities not yet picked may change."""

from __future__ import annotations

import pytest

from ordercycle.errors import CurrencyMismatchError, InvalidQuantityError, ValidationError
from ordercycle.model.order.changes import (
    AddLine,
    ChangeAddress,
    ChangePrice,
    ChangeQuantity,
    RemoveLine,
)
from ordercycle.model.order.errors import (
    ChangeNotAllowedError,
    CommandNotAllowedError,
    DuplicateLineError,
    QuantityNotAvailableError,
    UnknownLineError,
)
from ordercycle.model.order.events import OrderAmended, OrderLineCanceled
from ordercycle.model.order.ledger import Release
from ordercycle.model.order.lines import NewLine
from ordercycle.model.order.policies import AddressKind
from ordercycle.money import Money

from .conftest import OFFICE, Story


def test_a_change_set_is_one_revision_with_every_change(story: Story) -> None:
    story.released()
    changes = [
        AddLine(NewLine("L3", "CAP", 1, Money("12.00", "USD"))),
        ChangeQuantity("L1", 6),
        ChangePrice("L2", Money("18.00", "USD")),
        ChangeAddress(AddressKind.SHIPPING, OFFICE),
    ]
    (event,) = story.do("amend", changes, by="cs-ana", note="phone call")
    assert isinstance(event, OrderAmended)
    assert (event.revision, event.changes, event.by) == (1, tuple(changes), "cs-ana")
    order = story.order
    assert [line.line_id for line in order.lines] == ["L1", "L2", "L3"]
    assert order.line("L1").quantity == 6
    assert order.line("L2").unit_price == Money("18.00", "USD")
    assert order.shipping_address == OFFICE
    story.do("amend", [RemoveLine("L3")])
    assert story.order.revision == 2


def test_reducing_a_quantity_releases_allocated_stock(story: Story) -> None:
    story.released()
    story.do("allocate", "L1", 4)
    (event,) = story.do("amend", [ChangeQuantity("L1", 1)])
    assert isinstance(event, OrderAmended)
    assert event.releases[0].release == Release(allocated=3)
    assert story.order.line("L1").ledger.allocated == 1


def test_picked_units_cannot_be_edited_and_the_reason_is_given(story: Story) -> None:
    story.released()
    story.do("allocate", "L1", 4)
    story.do("pick", "L1", 3)
    before = story.order
    with pytest.raises(ChangeNotAllowedError) as info:
        before.amend([ChangeQuantity("L1", 2)], at=story.at())
    assert str(info.value) == (
        "Cannot change the quantity of line L1 to 2 of order O-17: 3 units are picked or"
        " later, 0 canceled and 0 invoiced; the lowest quantity allowed is 3."
    )
    with pytest.raises(ChangeNotAllowedError, match="3 units are already picked"):
        before.amend([ChangePrice("L1", Money("1.00", "USD"))], at=story.at())
    with pytest.raises(ChangeNotAllowedError, match="change the shipping address"):
        before.amend([ChangeAddress(AddressKind.SHIPPING, OFFICE)], at=story.at())
    with pytest.raises(ChangeNotAllowedError, match="remove line L1 of order O-17"):
        before.amend([RemoveLine("L1")], at=story.at())
    assert story.order == before


def test_editing_a_shipped_quantity_is_refused(story: Story) -> None:
    story.delivered()
    with pytest.raises(ChangeNotAllowedError, match="4 units are picked or later"):
        story.order.amend([ChangeQuantity("L1", 3)], at=story.at())
    story.do("amend", [ChangeQuantity("L1", 5)])
    assert story.order.line("L1").ledger.open == 1


def test_a_change_set_applies_all_or_nothing(story: Story) -> None:
    story.released()
    before = story.order
    with pytest.raises(UnknownLineError, match="Unknown line of order O-17 'L9'; known: L1, L2"):
        before.amend([ChangeQuantity("L1", 9), ChangeQuantity("L9", 1)], at=story.at())
    assert story.order == before
    assert before.line("L1").quantity == 4


def test_prices_and_lines_must_be_in_the_order_currency(story: Story) -> None:
    story.released()
    with pytest.raises(CurrencyMismatchError) as info:
        story.order.amend([ChangePrice("L1", Money("9.00", "EUR"))], at=story.at())
    assert str(info.value) == (
        "Cannot use EUR for the price of line L1 of order O-17: the order is in USD; convert first."
    )
    with pytest.raises(CurrencyMismatchError):
        story.order.amend([AddLine(NewLine("L3", "CAP", 1, Money("1", "EUR")))], at=story.at())


def test_bad_edits_are_typed_errors(story: Story) -> None:
    story.released()
    order = story.order
    with pytest.raises(DuplicateLineError, match="Duplicate line 'L1' in order O-17"):
        order.amend([AddLine(NewLine("L1", "CAP", 1, Money("1", "USD")))], at=story.at())
    with pytest.raises(InvalidQuantityError, match="expected a positive integer"):
        order.amend([ChangeQuantity("L1", 0)], at=story.at())
    with pytest.raises(ValidationError, match="at least one change"):
        order.amend([], at=story.at())
    with pytest.raises(InvalidQuantityError, match="Invalid quantity for line L5: -2"):
        NewLine("L5", "CAP", -2, Money("1", "USD"))
    story.do("amend", [RemoveLine("L2")])
    with pytest.raises(ChangeNotAllowedError, match="it is the only line; cancel the order"):
        story.order.amend([RemoveLine("L1")], at=story.at())


def test_the_billing_address_is_fixed_once_invoiced(story: Story) -> None:
    story.released()
    story.do("amend", [ChangeAddress(AddressKind.BILLING, OFFICE)])
    story.do("record_invoice", "INV-1", {"L1": 1})
    with pytest.raises(ChangeNotAllowedError, match="1 invoices are issued"):
        story.order.amend([ChangeAddress(AddressKind.BILLING, OFFICE)], at=story.at())


def test_lines_are_added_freely_to_drafts_only(story: Story) -> None:
    story.create()
    story.do("add_line", NewLine("L3", "CAP", 1, Money("5.00", "USD")))
    assert len(story.order.lines) == 3
    story.do("place")
    with pytest.raises(CommandNotAllowedError, match="add a line to order O-17: it is placed"):
        story.order.add_line(NewLine("L4", "CAP", 1, Money("5.00", "USD")), at=story.at())


def test_part_of_a_line_can_be_canceled_but_only_unshipped_units(story: Story) -> None:
    story.released()
    story.do("allocate", "L1", 4)
    story.do("pick", "L1", 2)
    story.do("pack", "L1", 2)
    story.do("ship", "L1", 1)
    (event,) = story.do("cancel_line", "L1", 2, reason="out of season")
    assert isinstance(event, OrderLineCanceled)
    assert event.release == Release(allocated=2)
    with pytest.raises(QuantityNotAvailableError) as info:
        story.order.cancel_line("L1", 2, at=story.at())
    assert str(info.value) == "Cannot cancel 2 units of line L1 of order O-17: only 1 unshipped."
    (event,) = story.do("cancel_line", "L1", 1)
    assert isinstance(event, OrderLineCanceled)
    assert event.release == Release(packed=1)
