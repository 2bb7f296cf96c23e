"""Backorders wait and are served in a documented order; available to promise by date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ordercycle.inventory import (
    AllocationPolicy,
    Backorder,
    BackorderBook,
    Demand,
    Lot,
    Network,
    StockLedger,
    allocate,
    atp_profile,
    available_to_promise,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def ledger() -> StockLedger:
    ledger = StockLedger(Network.simple(["WH-A"]))
    ledger.receive("MUG", "WH-A/01", 2, at=T0)
    return ledger


def test_backorders_are_served_by_priority_then_requested_date_then_order_time() -> None:
    book = BackorderBook(
        [
            Backorder("O-1", "1", "MUG", 1, priority=2),  # type: ignore[arg-type]
            Backorder("O-2", "1", "MUG", 1, priority=1, requested_on=date(2026, 3, 9)),  # type: ignore[arg-type]
            Backorder("O-3", "1", "MUG", 1, priority=1, requested_on=date(2026, 3, 5)),  # type: ignore[arg-type]
            Backorder(
                "O-4",
                "1",
                "MUG",
                1,
                priority=1,
                requested_on=date(2026, 3, 5),  # type: ignore[arg-type]
                placed_at=T0 - timedelta(hours=1),
            ),
            Backorder("O-5", "1", "MUG", 1, priority=1),  # type: ignore[arg-type]
        ]
    )
    assert [b.order_id for b in book.queue("MUG")] == ["O-4", "O-3", "O-2", "O-5", "O-1"]
    assert book.waiting("MUG") == 5
    assert len(book) == 5


def test_the_shortfall_waits_and_arriving_stock_fills_it_in_order(ledger: StockLedger) -> None:
    book = BackorderBook()
    late = Demand.of("O-1", {"MUG": 3}, placed_at=T0)
    early = Demand.of("O-2", {"MUG": 2}, placed_at=T0 - timedelta(days=1))
    for demand in (late, early):
        plan = allocate(ledger, demand, policy=AllocationPolicy.partial(), at=T0)
        book.add_plan(plan, demand)
    assert book.waiting("MUG") == 3  # O-1 got 2, O-2 got nothing
    ledger.receive("MUG", "WH-A/01", 2, at=T0)
    filled = book.fill(ledger, at=T0)
    assert [(p.order_id, p.allocated) for p in filled] == [("O-2", 2)]
    assert book.waiting("MUG") == 1
    ledger.receive("MUG", "WH-A/01", 5, at=T0)
    assert [p.order_id for p in book.fill(ledger, at=T0)] == ["O-1"]
    assert len(book) == 0
    assert ledger.available("MUG", at=T0) == 4


def test_merging_backorders_of_one_line(ledger: StockLedger) -> None:
    book = BackorderBook()
    book.add(Backorder("O-1", "1", "MUG", 2))  # type: ignore[arg-type]
    book.add(Backorder("O-1", "1", "MUG", 3))  # type: ignore[arg-type]
    assert book.waiting("MUG") == 5
    assert book.fill(ledger, skus=["TEA"], at=T0) == []


def test_available_to_promise_counts_receipts_due_and_lots_still_good(
    ledger: StockLedger,
) -> None:
    ledger.receive(
        "MILK", "WH-A/01", 4, lot=Lot("MILK", "L1", date(2026, 3, 1), date(2026, 3, 6)), at=T0
    )  # type: ignore[arg-type]
    ledger.schedule_receipt("PO-1", "MILK", 10, date(2026, 3, 9), at=T0)
    ledger.allocate("O-1/1", "MILK", "WH-A/01", 1, lot="L1", at=T0)
    book = BackorderBook([Backorder("O-2", "1", "MILK", 2)])  # type: ignore[arg-type]
    assert available_to_promise(ledger, "MILK", date(2026, 3, 3), at=T0) == 3
    assert available_to_promise(ledger, "MILK", date(2026, 3, 3), backorders=book, at=T0) == 1
    assert atp_profile(
        ledger, "MILK", [date(2026, 3, 9), date(2026, 3, 6), date(2026, 3, 3)], at=T0
    ) == [
        (date(2026, 3, 3), 3),
        (date(2026, 3, 6), 0),
        (date(2026, 3, 9), 10),
    ]
    assert available_to_promise(ledger, "MUG", date(2026, 3, 3), at=T0) == 2
