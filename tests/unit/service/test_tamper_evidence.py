"""Issue 14, case 9: a desk refuses stored streams changed behind its back, on every adapter.

Before streams were hash-chained, a StockReceived edited from 6 to 600 gave 600 more units
available, a deleted middle receipt was skipped (or raised ``KeyError``), and an edited
invoice snapshot showed a total its events did not have. Now a fresh desk over the
changed storage raises :class:`TamperedStreamError` naming the stream and version, and
every untouched stream still reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.service import OrderDesk
from ordercycle.storage import MemoryStorage, TamperedStreamError
from ordercycle.testing.tampering import MemoryTampering, SqlTampering, Tampering

from .conftest import START

#: ``(desk, reopen, tampering)``: the desk, a function that opens a fresh desk (empty cache)
#: over the same storage, and raw access to that storage.
Opened = tuple[OrderDesk, Callable[[], OrderDesk], Tampering]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    clock = SteppableClock(START)
    if request.param == "memory":
        storage = MemoryStorage()
        desk = OrderDesk(storage, clock=clock)
        reopen: Callable[[], OrderDesk] = lambda: OrderDesk(storage, clock=clock)  # noqa: E731
        tampering: Tampering = MemoryTampering(storage)
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    elif request.param == "sqlite":
        path = tmp_path / "shop.db"
        desk = OrderDesk.sqlite(path, clock=clock)
        reopen = lambda: OrderDesk.sqlite(path, clock=clock)  # noqa: E731
        tampering = SqlTampering.sqlite(path)
        cleanup = lambda: None  # noqa: E731
    else:
        import psycopg

        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"oc_tamper_{uuid.uuid4().hex[:16]}"

        def reopen() -> OrderDesk:
            return OrderDesk.postgres(dsn, schema=schema, clock=clock, ids=SequentialIdFactory())

        desk = reopen()
        tampering = SqlTampering.postgres(dsn, schema)

        def cleanup() -> None:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    open_sample_shop(desk)
    try:
        yield desk, reopen, tampering
    finally:
        desk.close()
        cleanup()


def _version_of(desk: OrderDesk, kind: str, key: str) -> int:
    with desk.storage.reading() as reader:
        return reader.events.version(kind, key)


def _close(fresh: OrderDesk, desk: OrderDesk) -> None:
    if fresh.storage is not desk.storage:
        fresh.close()


def _refused(
    read: Callable[[], object], kind: str, key: str, version: int | set[int]
) -> TamperedStreamError:
    with pytest.raises(TamperedStreamError) as caught:
        read()
    error = caught.value
    versions = version if isinstance(version, set) else {version}
    assert (error.kind, error.aggregate_id) == (kind, key), str(error)
    assert error.version in versions, str(error)
    assert f"{kind} {key!r}" in str(error)
    assert f"version {error.version}" in str(error)
    return error


def test_an_edited_stock_receipt_is_refused_not_counted(opened: Opened) -> None:
    desk, reopen, tampering = opened
    desk.receive_stock("LAMP", "WH-EAST/A7", 6)
    version = _version_of(desk, "stock", "LAMP")
    text = tampering.event_payload("stock", "LAMP", version)
    assert '"quantity": 6' in text, text
    tampering.set_event_payload(
        "stock", "LAMP", version, text.replace('"quantity": 6', '"quantity": 600')
    )
    fresh = reopen()
    try:
        _refused(lambda: fresh.available_units("LAMP"), "stock", "LAMP", version)
        # The same command can not build on it either; other skus are untouched.
        _refused(lambda: fresh.receive_stock("LAMP", "WH-EAST/A7", 1), "stock", "LAMP", version)
        assert fresh.available_units("MUG") == 40
    finally:
        _close(fresh, desk)


def test_a_deleted_middle_stock_receipt_is_refused_not_skipped(opened: Opened) -> None:
    desk, reopen, tampering = opened
    for _ in range(3):
        desk.receive_stock("RUG", "WH-WEST/A8", 1)
    last = _version_of(desk, "stock", "RUG")
    tampering.delete_event("stock", "RUG", last - 1)
    fresh = reopen()
    try:
        _refused(lambda: fresh.available_units("RUG"), "stock", "RUG", last - 1)
        assert fresh.available_units("TEAPOT") == 16
    finally:
        _close(fresh, desk)


def test_an_edited_invoice_snapshot_is_refused(opened: Opened) -> None:
    desk, reopen, tampering = opened
    invoices = []
    for _ in range(2):
        order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
        desk.confirm_order(order_id)
        invoices.append(desk.invoice_order(order_id).aggregate_id)
    edited, kept = invoices
    version = _version_of(desk, "invoice", edited)
    with desk.storage.reading() as reader:
        snapshot = reader.snapshots.latest("invoice", edited)
    assert snapshot is not None
    assert snapshot.version == version
    assert '"amount":"19.00"' in snapshot.payload
    # Every 19.00 of the snapshot now says 0.19 (the events still say 19.00).
    text = snapshot.payload.replace('"amount":"19.00"', '"amount":"0.19"')
    tampering.set_snapshot_payload("invoice", edited, version, text)
    fresh = reopen()
    try:
        _refused(lambda: fresh.invoice(edited), "invoice", edited, version)
        assert str(fresh.invoice(kept).total) == "19.00 USD"
    finally:
        _close(fresh, desk)


@pytest.mark.parametrize("kind", ["order", "account", "shipment", "pick_list"])
def test_every_kind_of_stream_is_checked_on_read(opened: Opened, kind: str) -> None:
    desk, reopen, tampering = opened
    order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.pack_order(order_id, wave).aggregate_id
    desk.ship_shipment(shipment, "1Z-1")
    desk.deliver_shipment(shipment)
    key = {"order": order_id, "account": "C-BOLT", "shipment": shipment, "pick_list": wave}[kind]
    last = _version_of(desk, kind, key)
    # Even an edit that changes no value (a space after the JSON) is refused.
    text = tampering.event_payload(kind, key, last)
    tampering.set_event_payload(kind, key, last, text + " ")
    fresh = reopen()
    reads: dict[str, Callable[[], object]] = {
        "order": lambda: fresh.order(order_id),
        "account": lambda: fresh.account("C-BOLT"),
        "shipment": lambda: fresh.shipment(shipment),
        "pick_list": lambda: fresh.pick_list(wave),
    }
    try:
        _refused(reads[kind], kind, key, last)
    finally:
        _close(fresh, desk)
