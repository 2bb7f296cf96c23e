"""The desk's stock cache: each command works on its own copy of the committed stock.

The cache keeps, per sku, a ledger of the committed stock and catches it up with the newer
committed events only; a session forks it, so nothing a command does (or rolls back)
reaches the cache, and a stale cache is caught up from storage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ordercycle.errors import InsufficientStockError
from ordercycle.examples.shop import SAMPLE_STOCK, open_sample_shop
from ordercycle.inventory import StockLedger
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.service.errors import UnknownAggregateError

SKUS = sorted({sku for sku, _bin, _units in SAMPLE_STOCK})


def _stored(desk: OrderDesk, sku: str, upto: int | None = None) -> StockLedger:
    """The stock of ``sku`` replayed from the events in storage (up to version ``upto``)."""
    with desk.storage.unit_of_work() as uow:
        events = uow.events.load("stock", sku, after_version=0)
    if upto is not None:
        events = [e for e in events if e.version <= upto]
    return StockLedger.replay(events, network=desk.settings.network)


def _cached(desk: OrderDesk, sku: str) -> StockLedger | None:
    """What the desk's cache holds for ``sku`` right now (without catching it up)."""
    return desk._cache._stock.get(sku)


def _cache_matches_storage(desk: OrderDesk) -> None:
    """The cache holds committed stock only: storage at the cached version; once caught
    up (any read of the sku does that), storage as it is."""
    for sku in SKUS:
        cached = _cached(desk, sku)
        if cached is not None:
            at = _stored(desk, sku, upto=cached.version_of(sku))
            assert cached.state() == at.state(), sku
        desk.available_units(sku)
        caught_up = _cached(desk, sku)
        assert caught_up is not None
        assert caught_up.state() == _stored(desk, sku).state(), sku


def test_a_failing_command_leaves_the_cache_and_storage_as_they_were(desk: OrderDesk) -> None:
    assert desk.available_units("MUG") == 40
    assert desk.available_units("TEAPOT") == 16
    shared = _cached(desk, "MUG")
    assert shared is not None
    before = shared.state()

    def command() -> None:
        with desk.storage.unit_of_work() as uow:
            s = desk._session(uow)
            s.stock(["MUG"]).allocate("O-X/1", "MUG", "WH-EAST/A1", 5, at=s.now)
            s.save_stock()
            ledger = s.stock(["MUG", "TEAPOT"])  # saved, then extended: a new copy
            ledger.allocate("O-X/2", "TEAPOT", "WH-EAST/A4", 1, at=s.now)
            ledger.allocate("O-X/3", "MUG", "WH-EAST/A1", 100, at=s.now)

    with pytest.raises(InsufficientStockError, match="MUG") as caught:
        command()
    assert "requested 100, available 35" in str(caught.value)
    assert shared.state() == before, "a session changed the cached ledger"
    assert desk.available_units("MUG") == 40
    assert desk.available_units("TEAPOT") == 16
    assert _stored(desk, "MUG").state() == before
    _cache_matches_storage(desk)


def test_a_session_keeps_its_changes_when_it_asks_for_more_skus(desk: OrderDesk) -> None:
    mugs_at = _stored(desk, "MUG").version
    with desk.storage.unit_of_work() as uow:
        s = desk._session(uow)
        first = s.stock(["MUG"])
        first.allocate("O-X/1", "MUG", "WH-EAST/A1", 5, at=s.now)
        assert s.stock(["MUG"]) is first
        both = s.stock(["TEAPOT", "MUG"])
        assert both is not first
        assert (
            both.available("MUG", at=s.now),
            both.available("TEAPOT", at=s.now),
        ) == (35, 16)
        assert both.events == ()
        assert both.version_of("MUG") == mugs_at + 1
        both.allocate("O-X/2", "TEAPOT", "WH-WEST/A2", 2, at=s.now)
        both.consume("O-X/1", "MUG", "WH-EAST/A1", 1, at=s.now)
        s.save_stock()
        s.save_stock()  # nothing new: nothing appended twice
    assert (desk.available_units("MUG"), desk.available_units("TEAPOT")) == (35, 14)
    mugs = _stored(desk, "MUG")
    assert mugs.version == mugs_at + 2
    assert [(p.on_hand, p.allocated) for p in mugs.positions(at=desk.clock.now())] == [(39, 4)]
    _cache_matches_storage(desk)


def test_a_bad_sku_is_refused_and_the_session_stays_usable(desk: OrderDesk) -> None:
    with desk.storage.unit_of_work() as uow:
        s = desk._session(uow)
        ledger = s.stock(["MUG"])
        with pytest.raises(UnknownAggregateError, match="sku") as caught:
            s.stock(["MUG", " TEAPOT"])
        assert "' TEAPOT'" in str(caught.value)
        assert s.stock(["MUG"]) is ledger
        assert s.stock(["TEAPOT"]).available("TEAPOT", at=s.now) == 16
        assert s.stock(["NEVER-STOCKED"]).available("NEVER-STOCKED", at=s.now) == 0


def test_a_concurrent_change_is_retried_on_the_caught_up_stock(
    memory_desk: OrderDesk, clock: SteppableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = memory_desk
    other = OrderDesk(desk.storage, clock=clock, settings=desk.settings)
    assert desk.available_units("RUG") == other.available_units("RUG") == 4
    order_id = desk.place_order("C-ACME", {"RUG": 5}).aggregate_id
    desk.confirm_order(order_id)
    loaded: list[int] = []
    real = desk._cache.stock

    def racing(uow: Any, sku: str, network: Any) -> StockLedger | None:
        found = real(uow, sku, network)
        if sku == "RUG":
            loaded.append(0 if found is None else found.version_of("RUG"))
            if len(loaded) == 1:  # another desk commits between this load and the save
                other.receive_stock("RUG", "WH-WEST/A8", 2)
        return found

    monkeypatch.setattr(desk._cache, "stock", racing)
    result = desk.allocate_order(order_id)
    assert loaded[:2] == [loaded[0], loaded[0] + 1]  # the retry loaded the newer event
    assert result.details["allocated"] == 5
    assert desk.available_units("RUG") == other.available_units("RUG") == 1
    assert _stored(desk, "RUG").version == loaded[0] + 2
    _cache_matches_storage(desk)
    _cache_matches_storage(other)


def test_two_desks_on_one_sqlite_file_see_each_others_stock(
    clock: SteppableClock, tmp_path: Path
) -> None:
    path = tmp_path / "shop.db"
    with OrderDesk.sqlite(path, clock=clock) as a, OrderDesk.sqlite(path, clock=clock) as b:
        open_sample_shop(a)
        assert a.available_units("MUG") == b.available_units("MUG") == 40
        b.receive_stock("MUG", "WH-EAST/A1", 5)
        assert a.available_units("MUG") == 45
        order_id = a.place_order("C-ACME", {"MUG": 3}).aggregate_id
        a.confirm_order(order_id)
        a.allocate_order(order_id)
        assert b.available_units("MUG") == 42
        assert [(p.on_hand, p.allocated) for p in b.stock_positions("MUG")] == [(45, 3)]
        second = b.place_order("C-BOLT", {"MUG": 2, "LAMP": 1}).aggregate_id
        b.confirm_order(second)
        b.allocate_order(second)
        assert (a.available_units("MUG"), a.available_units("LAMP")) == (40, 4)
        _cache_matches_storage(a)
        _cache_matches_storage(b)


def test_a_committed_command_leaves_its_stock_in_the_cache_as_storage_holds_it(
    desk: OrderDesk,
) -> None:
    order_id = desk.place_order("C-BOLT", {"MUG": 3, "TEAPOT": 1}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    for sku in ("MUG", "TEAPOT"):
        cached = _cached(desk, sku)
        assert cached is not None
        # Kept by the allocation's commit itself: no read caught it up since.
        assert cached.version_of(sku) == _stored(desk, sku).version_of(sku)
        assert cached.state() == _stored(desk, sku).state(), sku
        assert cached.skus == (sku,)
    assert desk.available_units("MUG") == 37
    _cache_matches_storage(desk)


def test_unsaved_stock_changes_of_a_session_are_not_offered_to_the_cache(
    desk: OrderDesk,
) -> None:
    with desk.storage.unit_of_work() as uow:
        s = desk._session(uow)
        ledger = s.stock(["MUG", "TEAPOT"])
        ledger.allocate("O-X/1", "MUG", "WH-EAST/A1", 5, at=s.now)
        ledger.allocate("O-X/2", "TEAPOT", "WH-EAST/A4", 1, at=s.now)
        s.save_stock()
        s.stock(["MUG"]).allocate("O-X/3", "MUG", "WH-EAST/A1", 1, at=s.now)  # not saved
        offered = dict(s.saved_stock())
        assert sorted(offered) == ["TEAPOT"]
        uow.rollback()
    assert desk.available_units("MUG") == 40
    assert desk.available_units("TEAPOT") == 16
