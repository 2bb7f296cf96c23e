"""Invoices are stored as events with a snapshot now and then; readers add the later events."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from ordercycle.errors import StorageError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.money import Money
from ordercycle.service import OrderDesk
from ordercycle.service._session import INVOICE_SNAPSHOT_EVERY
from ordercycle.service.errors import UnknownAggregateError

from .test_service_accounts import _invoiced


def _latest_snapshot_version(desk: OrderDesk, invoice_id: str) -> int:
    with desk.storage.unit_of_work() as uow:
        snapshot = uow.snapshots.latest("invoice", invoice_id)
    assert snapshot is not None
    return snapshot.version


def test_a_fresh_desk_reads_the_snapshot_and_the_events_after_it(
    clock: SteppableClock, tmp_path: Path
) -> None:
    path = tmp_path / "shop.db"
    desk = OrderDesk.sqlite(path, clock=clock)
    open_sample_shop(desk)
    invoice_id = _invoiced(desk, clock, "C-BOLT", {"MUG": 4})
    assert _latest_snapshot_version(desk, invoice_id) == 2  # drafted + issued
    for _ in range(3):
        desk.record_payment("C-BOLT", Money("1.00", "USD"), invoice_ids=[invoice_id])
    paid_here = desk.invoice(invoice_id)
    assert paid_here.version == 5
    assert _latest_snapshot_version(desk, invoice_id) == 2
    desk.close()

    again = OrderDesk.sqlite(path, clock=clock)  # an empty cache: snapshot + 3 events
    assert again.invoice(invoice_id) == paid_here
    again.close()


def test_a_snapshot_is_written_each_time_the_version_passes_the_step(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    desk = memory_desk
    invoice_id = _invoiced(desk, clock, "C-BOLT", {"MUG": 4})
    seen = []
    while desk.invoice(invoice_id).version < 2 * INVOICE_SNAPSHOT_EVERY + 1:
        desk.record_payment("C-BOLT", Money("0.01", "USD"), invoice_ids=[invoice_id])
        seen.append(_latest_snapshot_version(desk, invoice_id))
    assert sorted(set(seen)) == [2, INVOICE_SNAPSHOT_EVERY, 2 * INVOICE_SNAPSHOT_EVERY]


def test_two_desks_see_each_others_payments(clock: SteppableClock, tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    first = OrderDesk.sqlite(path, clock=clock)
    open_sample_shop(first)
    second = OrderDesk.sqlite(path, clock=clock)
    invoice_id = _invoiced(first, clock, "C-BOLT", {"MUG": 4})
    owed = second.invoice(invoice_id).balance
    first.record_payment("C-BOLT", Money("5.00", "USD"))
    assert second.invoice(invoice_id).balance == owed - Money("5.00", "USD")
    second.record_payment("C-BOLT", owed - Money("5.00", "USD"))
    assert first.invoice(invoice_id).state == "paid"
    assert first.account("C-BOLT").receivables == Money("0.00", "USD")
    first.close()
    second.close()


def test_an_invoice_stream_without_a_snapshot_is_reported(
    memory_desk: OrderDesk, clock: SteppableClock
) -> None:
    desk = memory_desk
    with pytest.raises(UnknownAggregateError):
        desk.invoice("INV-RAW")
    invoice_id = _invoiced(desk, clock, "C-ACME", {"MUG": 1})
    drafted = attrs.evolve(desk.invoice(invoice_id).events[0], aggregate_id="INV-RAW")
    with desk.storage.unit_of_work() as uow:  # a stream written without the desk
        uow.events.append("invoice", "INV-RAW", [drafted], expected_version=0)
    with pytest.raises(StorageError, match="no snapshot"):
        desk.invoice("INV-RAW")
