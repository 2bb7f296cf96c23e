"""The stock ledger: every operation checked, recorded as an event, replayable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ordercycle.errors import (
    DimensionalityError,
    DuplicateError,
    InsufficientStockError,
    InvalidQuantityError,
    NotFoundError,
    ValidationError,
)
from ordercycle.inventory import (
    ExpiredLotError,
    Lot,
    Network,
    OverReleaseError,
    StockAdjusted,
    StockAllocated,
    StockLedger,
    StockReceived,
    UnknownLocationError,
    UnknownLotError,
    UnknownSkuError,
)
from ordercycle.model.clock import SteppableClock
from ordercycle.model.events import DomainEvent
from ordercycle.units import Q_

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def clock() -> SteppableClock:
    return SteppableClock(T0)


@pytest.fixture
def ledger(clock: SteppableClock) -> StockLedger:
    ledger = StockLedger(Network.simple(["WH-A", "WH-B"], bins=2))
    ledger.receive("MUG", "WH-A/01", 10, at=clock.now())
    ledger.receive(
        "MILK",
        "WH-A/01",
        5,
        lot=Lot("MILK", "L1", date(2026, 3, 1), date(2026, 4, 1)),
        at=clock.now(),
    )
    return ledger


def unchanged(ledger: StockLedger) -> Any:
    return (ledger.state(), len(ledger.events))


def test_availability_is_on_hand_minus_allocated_held_and_unavailable(
    ledger: StockLedger, clock: SteppableClock
) -> None:
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 3, at=clock.now())
    ledger.place_hold(
        "H-1", "MUG", "WH-A/01", 2, expires_at=T0 + timedelta(minutes=10), at=clock.now()
    )
    ledger.mark_damaged("MUG", "WH-A/01", 1, at=clock.now())
    ledger.mark_unavailable("MUG", "WH-A/01", 1, reason="safety_stock", at=clock.now())
    position = ledger.position("MUG", "WH-A/01", at=clock.now())
    assert (position.on_hand, position.allocated, position.held, position.unavailable) == (
        10,
        3,
        2,
        2,
    )
    assert position.unavailable_by_reason == (("damaged", 1), ("safety_stock", 1))
    assert position.available == 3 == ledger.available("MUG", at=clock.now())
    assert ledger.available("MUG", warehouse="WH-B", at=clock.now()) == 0


def test_each_operation_records_an_event_with_the_sku_version(ledger: StockLedger) -> None:
    _, (event,) = ledger.allocate("O-1/1", "MUG", "WH-A/01", 3, at=T0)
    assert isinstance(event, StockAllocated)
    assert isinstance(event, DomainEvent)
    assert (event.aggregate_id, event.version, event.occurred_at) == ("MUG", 2, T0)
    assert ledger.version_of("MUG") == 2
    assert ledger.version_of("MILK") == 1
    assert ledger.version == 3
    assert ledger.events[-1] is event


def test_ledger_repr_counts_skus_warehouses_and_events(ledger: StockLedger) -> None:
    assert repr(ledger) == "StockLedger(2 skus, 2 warehouses, 2 events)"


def test_receive_with_lot_registers_lot_and_dates(ledger: StockLedger) -> None:
    _, (event,) = ledger.receive("MILK", "WH-B/01", 2, lot="L1", at=T0)
    assert isinstance(event, StockReceived)
    assert event.expires_on == date(2026, 4, 1)
    assert ledger.lot("MILK", "L1").received_on == date(2026, 3, 1)
    assert ledger.receive("MUG", "WH-A/02", Q_(4, "count"), at=T0).events[0].quantity == 4  # type: ignore[attr-defined]


def test_cycle_count_sets_on_hand_with_reason(ledger: StockLedger) -> None:
    _, (event,) = ledger.adjust("MUG", "WH-A/01", 7, reason="cycle count", at=T0)
    assert isinstance(event, StockAdjusted)
    assert (event.delta, event.counted) == (-3, 7)
    assert ledger.position("MUG", "WH-A/01", at=T0).on_hand == 7


def test_move_takes_only_free_units(ledger: StockLedger) -> None:
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 8, at=T0)
    ledger.move("MUG", "WH-A/01", "WH-B/01", 2, at=T0)
    assert ledger.available("MUG", warehouse="WH-B", at=T0) == 2
    with pytest.raises(InsufficientStockError, match="requested 1, available 0"):
        ledger.move("MUG", "WH-A/01", "WH-B/01", 1, at=T0)


def test_deallocate_consume_restock_and_write_off(ledger: StockLedger) -> None:
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 5, at=T0)
    ledger.deallocate("O-1/1", "MUG", "WH-A/01", 1, at=T0)
    ledger.consume("O-1/1", "MUG", "WH-A/01", 4, at=T0)
    assert ledger.position("MUG", "WH-A/01", at=T0).on_hand == 6
    ledger.restock("MUG", "WH-A/01", 2, reference="RMA-1", damaged=True, at=T0)
    ledger.restock("MUG", "WH-A/01", 1, reference="RMA-1", at=T0)
    assert ledger.available("MUG", at=T0) == 7
    ledger.write_off("MUG", "WH-A/01", 2, at=T0)
    assert ledger.position("MUG", "WH-A/01", at=T0).on_hand == 7
    ledger.mark_unavailable("MUG", "WH-A/01", 3, reason="quality_hold", at=T0)
    ledger.make_available("MUG", "WH-A/01", 3, reason="quality_hold", at=T0)
    assert ledger.available("MUG", at=T0) == 7


def test_scheduled_receipts_are_incoming_until_received(ledger: StockLedger) -> None:
    ledger.schedule_receipt("PO-1", "MUG", 20, date(2026, 3, 9), at=T0)
    (receipt,) = ledger.receipts("MUG")
    assert (receipt.open, receipt.due_on) == (20, date(2026, 3, 9))
    ledger.receive("MUG", "WH-B/01", 15, receipt="PO-1", at=T0)
    assert ledger.receipts("MUG")[0].open == 5
    ledger.cancel_receipt("PO-1", at=T0)
    assert ledger.receipts("MUG")[0].open == 0
    before = unchanged(ledger)
    with pytest.raises(ValidationError, match="a receipt with units still to come"):
        ledger.cancel_receipt("PO-1", at=T0)
    assert unchanged(ledger) == before


def test_a_receipt_for_a_new_sku_makes_it_known_and_replays(
    ledger: StockLedger, clock: SteppableClock
) -> None:
    ledger.schedule_receipt("PO-2", "TEA", 5, date(2026, 3, 9), at=clock.now())
    assert "TEA" in ledger.skus
    assert ledger.available("TEA", at=clock.now()) == 0
    rebuilt = StockLedger.replay(ledger.events, network=ledger.network)
    assert rebuilt.state() == ledger.state()


def test_replaying_the_events_rebuilds_the_same_state(
    ledger: StockLedger, clock: SteppableClock
) -> None:
    ledger.place_hold(
        "H-1", "MUG", "WH-A/01", 2, expires_at=T0 + timedelta(minutes=5), at=clock.now()
    )
    ledger.place_hold(
        "H-2", "MUG", "WH-A/01", 1, expires_at=T0 + timedelta(minutes=5), at=clock.now()
    )
    ledger.commit_hold("H-2", "O-9/1", at=clock.now())
    ledger.schedule_receipt("PO-1", "MUG", 3, date(2026, 3, 9), at=clock.now())
    ledger.move("MILK", "WH-A/01", "WH-A/02", 2, lot="L1", at=clock.now())
    clock.advance(minutes=6)
    ledger.sweep(at=clock.now())
    rebuilt = StockLedger.replay(ledger.events, network=ledger.network)
    assert rebuilt.state() == ledger.state()
    assert rebuilt.snapshot(at=clock.now()).slots == ledger.snapshot(at=clock.now()).slots


# --- bad input: typed errors, nothing changes -------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda led: led.receive("MUG", "WH-A/01", -2, at=T0),
            InvalidQuantityError,
            "expected a positive",
        ),
        (
            lambda led: led.receive("MUG", "WH-A/01", 0, at=T0),
            InvalidQuantityError,
            "receipt of MUG",
        ),
        (
            lambda led: led.receive("MUG", "WH-A/01", 1.5, at=T0),
            InvalidQuantityError,
            "1.5",
        ),
        (
            lambda led: led.receive("MUG", "WH-A/01", Q_(2, "kg"), at=T0),
            DimensionalityError,
            "2 kilogram",
        ),
        (
            lambda led: led.receive("MUG", "WH-X", 1, at=T0),
            UnknownLocationError,
            "Unknown bin 'WH-X'",
        ),
        (
            lambda led: led.receive("MUG", "WH-A", 1, at=T0),
            UnknownLocationError,
            "Unknown bin 'WH-A'",
        ),
        (
            lambda led: led.receive("MILK", "WH-A/01", 1, lot="L9", at=T0),
            UnknownLotError,
            "Unknown lot",
        ),
        (
            lambda led: led.receive("", "WH-A/01", 1, at=T0),
            ValidationError,
            "non-empty sku",
        ),
        (
            lambda led: led.allocate("O-1/1", "TEA", "WH-A/01", 1, at=T0),
            UnknownSkuError,
            "Unknown sku 'TEA'",
        ),
        (
            lambda led: led.allocate("O-1/1", "MUG", "WH-A/01", 11, at=T0),
            InsufficientStockError,
            "requested 11",
        ),
        (
            lambda led: led.allocate("", "MUG", "WH-A/01", 1, at=T0),
            ValidationError,
            "reference",
        ),
        (
            lambda led: led.allocate("O-1/1", "MUG", "WH-B/01", 1, at=T0),
            InsufficientStockError,
            "at WH-B/01",
        ),
        (
            lambda led: led.deallocate("O-1/1", "MUG", "WH-A/01", 1, at=T0),
            OverReleaseError,
            "only 0",
        ),
        (
            lambda led: led.consume("O-1/1", "MUG", "WH-A/01", 1, at=T0),
            OverReleaseError,
            "Cannot ship 1",
        ),
        (
            lambda led: led.adjust("MUG", "WH-A/01", 3, reason="", at=T0),
            ValidationError,
            "reason",
        ),
        (
            lambda led: led.adjust("MUG", "WH-A/01", -3, reason="count", at=T0),
            InvalidQuantityError,
            "-3",
        ),
        (
            lambda led: led.move("MUG", "WH-A/01", "WH-A/01", 1, at=T0),
            ValidationError,
            "a bin other than",
        ),
        (
            lambda led: led.move("MUG", "WH-A/01", "NOPE", 1, at=T0),
            UnknownLocationError,
            "NOPE",
        ),
        (
            lambda led: led.mark_unavailable("MUG", "WH-A/01", 1, reason="lost", at=T0),
            ValidationError,
            "one of damaged, quality_hold, safety_stock",
        ),
        (
            lambda led: led.make_available("MUG", "WH-A/01", 1, reason="damaged", at=T0),
            OverReleaseError,
            "damaged stock of MUG",
        ),
        (
            lambda led: led.write_off("MUG", "WH-A/01", 1, at=T0),
            OverReleaseError,
            "Cannot write off 1",
        ),
        (
            lambda led: led.mark_damaged("MUG", "WH-A/01", 11, at=T0),
            InsufficientStockError,
            "requested 11",
        ),
        (
            lambda led: led.schedule_receipt("PO-1", "MUG", 1, "2026-01-01", at=T0),
            ValidationError,
            "due_on",
        ),
        (
            lambda led: led.cancel_receipt("PO-9", at=T0),
            NotFoundError,
            "Unknown receipt 'PO-9'",
        ),
        (
            lambda led: led.receive("MUG", "WH-A/01", 1, receipt="PO-9", at=T0),
            NotFoundError,
            "PO-9",
        ),
        (
            lambda led: led.receive("MUG", "WH-A/01", 1, at=datetime(2026, 1, 1)),
            ValidationError,
            "timezone-aware",
        ),
    ],
)
def test_bad_commands_raise_typed_errors_and_change_nothing(
    ledger: StockLedger, call: Any, error: type[Exception], words: str
) -> None:
    before = unchanged(ledger)
    with pytest.raises(error, match=words):
        call(ledger)
    assert unchanged(ledger) == before


def test_receiving_an_expired_lot_is_refused(ledger: StockLedger) -> None:
    before = unchanged(ledger)
    stale = Lot("MILK", "L0", date(2026, 1, 1), date(2026, 3, 2))  # type: ignore[arg-type]
    with pytest.raises(ExpiredLotError, match="expires on 2026-03-02") as info:
        ledger.receive("MILK", "WH-A/01", 1, lot=stale, at=T0)
    assert info.value.expires_on == date(2026, 3, 2)
    assert unchanged(ledger) == before


def test_a_lot_id_cannot_change_its_dates_or_sku(ledger: StockLedger) -> None:
    before = unchanged(ledger)
    with pytest.raises(DuplicateError, match="already known with other dates"):
        ledger.receive("MILK", "WH-A/01", 1, lot=Lot("MILK", "L1", date(2026, 3, 1)), at=T0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="a lot of MUG, not of MILK"):
        ledger.receive("MUG", "WH-A/01", 1, lot=Lot("MILK", "L7", date(2026, 3, 1)), at=T0)  # type: ignore[arg-type]
    assert unchanged(ledger) == before


def test_a_count_below_committed_stock_is_refused(ledger: StockLedger) -> None:
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 6, at=T0)
    before = unchanged(ledger)
    with pytest.raises(InsufficientStockError, match="6 committed"):
        ledger.adjust("MUG", "WH-A/01", 5, reason="cycle count", at=T0)
    assert unchanged(ledger) == before


def test_deallocating_more_than_the_reference_holds_is_refused(ledger: StockLedger) -> None:
    ledger.allocate("O-1/1", "MUG", "WH-A/01", 2, at=T0)
    ledger.allocate("O-2/1", "MUG", "WH-A/01", 5, at=T0)
    before = unchanged(ledger)
    with pytest.raises(OverReleaseError, match="only 2 is allocated there") as info:
        ledger.deallocate("O-1/1", "MUG", "WH-A/01", 3, at=T0)
    assert info.value.limit == 2
    assert unchanged(ledger) == before


def test_a_catalogue_refuses_unknown_skus_even_on_receipt(clock: SteppableClock) -> None:
    ledger = StockLedger(Network.simple(["WH-A"]), skus=["MUG"])
    with pytest.raises(UnknownSkuError, match="Unknown sku 'TEA'; known: MUG"):
        ledger.receive("TEA", "WH-A/01", 1, at=clock.now())
    assert ledger.events == ()


def test_events_round_trip_through_json_and_replay_to_the_same_state(
    ledger: StockLedger, clock: SteppableClock
) -> None:
    from ordercycle.serialization import from_json, to_json

    ledger.place_hold(
        "H-1", "MUG", "WH-A/01", 2, expires_at=T0 + timedelta(minutes=5), at=clock.now()
    )
    ledger.schedule_receipt("PO-1", "MUG", 3, date(2026, 3, 9), at=clock.now())
    ledger.allocate("O-1/1", "MILK", "WH-A/01", 2, lot="L1", at=clock.now())
    clock.advance(minutes=6)
    ledger.sweep(at=clock.now())
    loaded = [from_json(to_json(event), DomainEvent) for event in ledger.events]
    assert loaded == list(ledger.events)
    rebuilt = StockLedger.replay(loaded, network=ledger.network)  # type: ignore[arg-type]
    assert rebuilt.state() == ledger.state()
