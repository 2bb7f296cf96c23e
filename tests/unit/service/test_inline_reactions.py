"""Reactions that belong to their command run in its unit of work (no dispatch after it).

A payment applied to an invoice records the order's share in the same unit of work as the
payment: it commits and rolls back with the command, the desk does not dispatch after it,
and the outbox dispatch that later reads the message finds the work done. If the inline
reaction fails, the command is run again without it and the dispatch handles the message
as any other (retried, then quarantined).
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from ordercycle.errors import ConcurrencyError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.order.status import PaymentStatus
from ordercycle.money import Money
from ordercycle.service import OrderDesk, _reactions
from ordercycle.service import desk as desk_module
from ordercycle.service.settings import DeskSettings


def _delivered(desk: OrderDesk, clock: SteppableClock, customer: str, items: dict[str, int]) -> str:
    order_id = desk.place_order(customer, items).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    for warehouse in desk.settings.network.warehouse_ids:
        try:
            wave = desk.release_wave(warehouse, [order_id]).aggregate_id
        except ValueError:
            continue
        desk.confirm_picks(wave)
        shipment = desk.pack_order(order_id, wave).aggregate_id
        desk.ship_shipment(shipment, "1Z")
        desk.deliver_shipment(shipment)
    clock.advance(days=1)
    return order_id


def _invoiced(desk: OrderDesk, clock: SteppableClock) -> str:
    order_id = _delivered(desk, clock, "C-BOLT", {"TEAPOT": 2})
    desk.invoice_order(order_id)
    desk.dispatch()
    return order_id


def _dispatches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    run = desk_module.OrderDesk._dispatch_after

    def spy(self: OrderDesk, result: Any) -> Any:
        seen.append(result.command)
        return run(self, result)

    monkeypatch.setattr(desk_module.OrderDesk, "_dispatch_after", spy)
    return seen


def _checkpoint_and_last(desk: OrderDesk) -> tuple[int, int]:
    with desk.storage.unit_of_work() as uow:
        return uow.outbox.checkpoint(_reactions.CONSUMER), uow.outbox.last_position()


def test_a_payment_reaches_its_order_in_the_payment_s_own_unit_of_work(
    desk: OrderDesk, clock: SteppableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = _invoiced(desk, clock)
    dispatched = _dispatches(monkeypatch)
    before, _ = _checkpoint_and_last(desk)
    desk.record_payment("C-BOLT", Money("30.00", "USD"))
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.PARTIALLY_PAID
    assert order.amount_paid == Money("30.00", "USD")
    assert dispatched == []  # no second transaction after the payment
    checkpoint, last = _checkpoint_and_last(desk)
    assert checkpoint == before < last  # the message waits for the outbox dispatch
    # ... which finds the share recorded already: nothing is recorded twice.
    assert desk.dispatch() > 0
    assert desk.order(order_id).amount_paid == Money("30.00", "USD")
    assert desk.order(order_id).version == order.version
    assert _checkpoint_and_last(desk)[0] == _checkpoint_and_last(desk)[1]


def test_an_inline_reaction_rolls_back_with_its_command(
    desk: OrderDesk, clock: SteppableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = _invoiced(desk, clock)
    reacted: list[str] = []
    react = _reactions._order_payment

    def conflicting(s: Any, event: Any) -> list[str]:
        notes = react(s, event)  # the order's share is recorded in the unit of work ...
        reacted.append(str(event.payment_id))
        if len(reacted) == 1:  # ... which then meets a concurrent change and rolls back
            raise ConcurrencyError("a test", "no concurrent change", "a conflict")
        return notes

    monkeypatch.setattr(_reactions, "_order_payment", conflicting)
    result = desk.record_payment("C-BOLT", Money("90.00", "USD"))
    assert len(reacted) == 2  # the first attempt rolled back, the second committed
    assert result.dispatch_error == ""
    order = desk.order(order_id)
    assert order.amount_paid == Money("90.00", "USD")  # once, not twice
    # Only the committed attempt's payment (a retry takes a fresh id) reached the order.
    assert [p.payment_id.split("@")[0] for p in order.payments] == [reacted[1]]
    assert order.payment_status is PaymentStatus.PAID


def test_a_failing_inline_reaction_leaves_the_message_to_the_dispatch(
    desk: OrderDesk, clock: SteppableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = _invoiced(desk, clock)
    calls: list[int] = []
    react = _reactions._order_payment

    def failing_once(s: Any, event: Any) -> list[str]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the order service is down")
        return react(s, event)

    monkeypatch.setattr(_reactions, "_order_payment", failing_once)
    dispatched = _dispatches(monkeypatch)
    result = desk.record_payment("C-BOLT", Money("30.00", "USD"))
    # The payment committed without its reaction, and the desk dispatched after it.
    assert dispatched == ["RecordPayment"]
    assert (result.pending, result.dispatch_error) == (0, "")
    assert len(calls) == 2
    assert desk.order(order_id).amount_paid == Money("30.00", "USD")
    assert desk.quarantined_messages() == ()


def test_without_auto_dispatch_the_payment_waits_for_the_dispatch(
    clock: SteppableClock,
) -> None:
    settings = attrs.evolve(DeskSettings.default(), auto_dispatch=False)
    quiet = OrderDesk.in_memory(clock=clock, settings=settings)
    open_sample_shop(quiet)
    quiet.dispatch()
    order_id = _delivered(quiet, clock, "C-BOLT", {"TEAPOT": 2})
    quiet.invoice_order(order_id)
    quiet.record_payment("C-BOLT", Money("30.00", "USD"))
    assert quiet.order(order_id).amount_paid == Money("0.00", "USD")
    assert quiet.dispatch() > 0
    assert quiet.order(order_id).amount_paid == Money("30.00", "USD")


def test_a_payment_share_is_logged_with_the_order_s_payment_status(
    desk: OrderDesk, clock: SteppableClock, caplog: pytest.LogCaptureFixture
) -> None:
    order_id = _invoiced(desk, clock)
    with caplog.at_level("INFO", logger=desk_module.__name__):
        desk.record_payment("C-BOLT", Money("30.00", "USD"))
    order = desk.order(order_id)
    assert order.payment_status is PaymentStatus.PARTIALLY_PAID
    assert f"{order.subject}: {Money('30.00', 'USD')} recorded, partially_paid" in caplog.text
