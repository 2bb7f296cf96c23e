"""A customer's account keeps its open invoices and their balance, so a credit check is O(1)."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.service.commands import RecordPayment, command_payload
from ordercycle.service.errors import DeskCommandError, UnknownAggregateError
from ordercycle.service.records import AccountChanged
from ordercycle.storage.records import payload_hash

from .conftest import outbox_position
from .test_service_order_to_cash import _ship_everything


def _invoiced(desk: OrderDesk, clock: SteppableClock, customer: str, items: dict[str, int]) -> str:
    order_id = desk.place_order(customer, items).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    _ship_everything(desk, clock, order_id)
    return desk.invoice_order(order_id).aggregate_id


def test_receivables_follow_issue_payment_and_credit(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    assert desk.account("C-BOLT").receivables is None
    first = _invoiced(desk, clock, "C-BOLT", {"MUG": 4})
    second = _invoiced(desk, clock, "C-BOLT", {"TEAPOT": 2})
    both = desk.invoice(first).total + desk.invoice(second).total
    assert desk.account("C-BOLT").receivables == both

    desk.record_payment("C-BOLT", Money("10.00", "USD"))
    account = desk.account("C-BOLT")
    assert account.receivables == both - Money("10.00", "USD")
    assert account.open_invoice_ids == (first, second)

    balance = desk.invoice(first).balance
    desk.record_payment("C-BOLT", balance)
    account = desk.account("C-BOLT")
    assert account.open_invoice_ids == (second,)
    assert account.receivables == desk.invoice(second).balance


def test_an_account_stored_without_receivables_is_summed_once(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    desk = memory_desk
    first = _invoiced(desk, clock, "C-ACME", {"MUG": 2})
    # Rewind the account to what a desk of an earlier release stored: no receivables.
    with desk.storage.unit_of_work() as uow:
        version = uow.events.version("account", "C-ACME")
        old = attrs.evolve(desk.account("C-ACME"), receivables=None)
        uow.events.append(
            "account",
            "C-ACME",
            [
                AccountChanged(
                    aggregate_id="C-ACME",
                    version=version + 1,
                    occurred_at=clock.now(),
                    change="stored by an earlier release",
                    state=old,
                )
            ],
            expected_version=version,
        )
    assert desk.account("C-ACME").receivables is None
    # The credit check sums the open invoices instead.
    second_order = desk.place_order("C-ACME", {"MUG": 1}).aggregate_id
    assert desk.confirm_order(second_order)["credit"] == "approve"
    # The next invoice change sums them once and keeps the total from then on.
    desk.record_payment("C-ACME", Money("1.00", "USD"))
    assert desk.account("C-ACME").receivables == desk.invoice(first).balance


def test_a_payment_naming_invoices_goes_to_those_only(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    first = _invoiced(desk, clock, "C-BOLT", {"MUG": 4})
    second = _invoiced(desk, clock, "C-BOLT", {"TEAPOT": 2})
    owed = desk.invoice(second).balance
    paid = desk.record_payment("C-BOLT", owed + Money("5.00", "USD"), invoice_ids=[second])
    assert paid["applied"] == {second: str(owed)}
    assert paid["unapplied"] == "5.00 USD"
    assert desk.invoice(second).state == "paid"
    assert desk.invoice(first).state == "issued"
    account = desk.account("C-BOLT")
    assert account.open_invoice_ids == (first,)
    assert account.receivables == desk.invoice(first).balance


def test_a_payment_naming_a_bad_invoice_is_refused_and_writes_nothing(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    desk = memory_desk
    acme = _invoiced(desk, clock, "C-ACME", {"MUG": 1})
    bolt = _invoiced(desk, clock, "C-BOLT", {"MUG": 1})
    before = outbox_position(desk)
    with pytest.raises(DeskCommandError, match=f"invoice {acme} was issued to customer C-ACME"):
        desk.record_payment("C-BOLT", Money("1.00", "USD"), invoice_ids=[acme])
    with pytest.raises(UnknownAggregateError, match="INV-NOPE"):
        desk.record_payment("C-BOLT", Money("1.00", "USD"), invoice_ids=["INV-NOPE"])
    with pytest.raises(ValidationError, match="each invoice once"):
        desk.record_payment("C-BOLT", Money("1.00", "USD"), invoice_ids=[bolt, bolt])
    assert outbox_position(desk) == before


def test_the_payload_of_a_payment_without_invoices_is_what_it_always_was() -> None:
    plain = RecordPayment(customer_id="C-1", amount=Money("1.00", "USD"))
    assert "invoice_ids" not in command_payload(plain)
    named = RecordPayment(customer_id="C-1", amount=Money("1.00", "USD"), invoice_ids=("I-1",))
    assert command_payload(named)["invoice_ids"] == ["I-1"]
    assert payload_hash(command_payload(plain)) != payload_hash(command_payload(named))


def test_the_open_orders_live_outside_the_account_the_credit_check_writes(
    desk: OrderDesk,
) -> None:
    orders = [desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id for _ in range(3)]
    for order_id in orders:
        desk.confirm_order(order_id)
    assert desk.account("C-BOLT").open_order_ids == tuple(orders)
    with desk.storage.unit_of_work() as uow:
        stored = uow.events.load("account", "C-BOLT")[-1].state  # type: ignore[attr-defined]
        per_order = [uow.events.load("open_order", o) for o in orders]
        whole_list = uow.events.version("open_orders", "C-BOLT")
    assert stored.open_order_ids == ()  # the confirmations wrote the account without it
    # One small record per order placed (none per confirmation), not the whole list again.
    assert [len(events) for events in per_order] == [1, 1, 1]
    assert {events[0].state.customer_id for events in per_order} == {"C-BOLT"}  # type: ignore[attr-defined]
    assert whole_list == 0


def test_open_orders_stored_in_the_account_by_an_earlier_release_are_read_and_moved_out(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    from ordercycle.service.records import OpenOrdersChanged

    desk = memory_desk
    orders = [desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id for _ in range(2)]
    for order_id in orders:
        desk.confirm_order(order_id)
    exposure = desk.account("C-BOLT").exposure
    # Rewind to what an earlier release stored: the list in the account, no exposure.
    with desk.storage.unit_of_work() as uow:
        version = uow.events.version("account", "C-BOLT")
        old = attrs.evolve(desk.account("C-BOLT"), exposure=None)
        assert old.open_order_ids == tuple(orders)
        uow.events.append(
            "account",
            "C-BOLT",
            [
                AccountChanged(
                    aggregate_id="C-BOLT",
                    version=version + 1,
                    occurred_at=clock.now(),
                    change="stored by an earlier release",
                    state=old,
                )
            ],
            expected_version=version,
        )
        listed = uow.events.version("open_orders", "C-BOLT")
        uow.events.append(
            "open_orders",
            "C-BOLT",
            [
                OpenOrdersChanged(
                    aggregate_id="C-BOLT",
                    version=listed + 1,
                    occurred_at=clock.now(),
                    change="not kept by an earlier release",
                    state=(),
                )
            ],
            expected_version=listed,
        )
    assert desk.account("C-BOLT").open_order_ids == tuple(orders)
    third = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id  # moves the list out
    assert desk.account("C-BOLT").open_order_ids == (*orders, third)
    desk.confirm_order(third)  # the exposure is summed once from the open orders
    assert exposure is not None
    assert desk.account("C-BOLT").exposure == exposure + Money("9.50", "USD")
    desk.cancel_order(orders[0], reason="changed mind")
    assert desk.account("C-BOLT").open_order_ids == (orders[1], third)
    with desk.storage.unit_of_work() as uow:
        stored = uow.events.load("account", "C-BOLT")[-1].state  # type: ignore[attr-defined]
    assert stored.open_order_ids == ()


def _store_list_of_release_before(
    desk: OrderDesk, clock: SteppableClock, open_order_ids: tuple[str, ...]
) -> int:
    """Append the customer list of open orders the release before kept for C-BOLT; return
    the stream's version before it."""
    from ordercycle.service.records import OpenOrdersChanged

    with desk.storage.unit_of_work() as uow:
        version = uow.events.version("open_orders", "C-BOLT")
        uow.events.append(
            "open_orders",
            "C-BOLT",
            [
                OpenOrdersChanged(
                    aggregate_id="C-BOLT",
                    version=version + 1,
                    occurred_at=clock.now(),
                    change="stored by the release before",
                    state=open_order_ids,
                )
            ],
            expected_version=version,
        )
    return version


def test_a_customer_list_of_open_orders_from_the_release_before_is_read_and_kept(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    old = [desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id for _ in range(2)]
    # Add what the release before stored: one list per customer (with an order it opened).
    version = _store_list_of_release_before(desk, clock, ("O-LEGACY", *old))
    assert desk.account("C-BOLT").open_order_ids == ("O-LEGACY", *old)
    new = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    assert desk.account("C-BOLT").open_order_ids == ("O-LEGACY", *old, new)
    desk.cancel_order(old[0], reason="changed mind")
    assert desk.account("C-BOLT").open_order_ids == ("O-LEGACY", old[1], new)
    with desk.storage.unit_of_work() as uow:  # the old list is read, never rewritten
        assert uow.events.version("open_orders", "C-BOLT") == version + 1


def test_an_order_only_a_list_of_the_release_before_names_is_dropped_from_it(
    desk: OrderDesk, clock: SteppableClock
) -> None:
    # Drafts were never opened: no record of their own says they are open.
    listed = desk.create_draft_order("C-BOLT", {"MUG": 1}).aggregate_id
    unlisted = desk.create_draft_order("C-BOLT", {"MUG": 1}).aggregate_id
    version = _store_list_of_release_before(desk, clock, (listed,))
    assert desk.account("C-BOLT").open_order_ids == (listed,)
    desk.cancel_order(unlisted, reason="changed mind")  # never open: nothing to drop
    desk.cancel_order(listed, reason="changed mind")  # open by the list: closed by a record
    assert desk.account("C-BOLT").open_order_ids == ()
    with desk.storage.unit_of_work() as uow:
        assert uow.events.version("open_order", unlisted) == 0
        closed = uow.events.load("open_order", listed)
        assert [event.state.open for event in closed] == [False]  # type: ignore[attr-defined]
        assert uow.events.version("open_orders", "C-BOLT") == version + 1  # never rewritten
