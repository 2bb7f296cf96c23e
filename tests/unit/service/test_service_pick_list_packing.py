"""Packing from a pick list stores only the packed order's lines, and reads stay the same.

Confirming a wave stores one ``PickedOrder`` record per order; a pack changes only that
record. ``desk.pick_list`` must still show what the old design stored: the confirmed list
with the picked lines of every packed order marked with its shipment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.errors import OrderCycleError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.packing import Item, PackingMemo, pack
from ordercycle.picking import WavePickList
from ordercycle.service import OrderDesk, _warehouse
from ordercycle.service._orders import allocations
from ordercycle.service._session import Session
from ordercycle.service.errors import DeskCommandError, UnknownAggregateError
from ordercycle.service.records import (
    PickedOrder,
    PickedOrderChanged,
    PickListChanged,
)
from ordercycle.units import Q_, to_exact

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _desk(**kwargs: Any) -> OrderDesk:
    desk = OrderDesk.in_memory(clock=SteppableClock(START), **kwargs)
    open_sample_shop(desk)
    return desk


def _wave(desk: OrderDesk, baskets: list[dict[str, int]]) -> tuple[str, list[str]]:
    orders = []
    for basket in baskets:
        order_id = desk.place_order("C-BOLT", basket).aggregate_id
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
        orders.append(order_id)
    return desk.release_wave("WH-EAST", orders).aggregate_id, orders


def _events(desk: OrderDesk, kind: str, key: str) -> tuple[Any, ...]:
    with desk.storage.unit_of_work() as uow:
        return uow.events.load(kind, key)


def _expected(confirmed: WavePickList, packed: dict[str, str]) -> WavePickList:
    """The list as the old design stored it: each pack marked the order's picked lines."""
    return attrs.evolve(
        confirmed,
        lines=tuple(
            attrs.evolve(line, shipment_id=packed[line.order_id])
            if line.order_id in packed and line.picked
            else line
            for line in confirmed.lines
        ),
    )


def test_a_pack_writes_only_the_packed_orders_lines() -> None:
    desk = _desk()
    wave, (first, second, third) = _wave(desk, [{"MUG": 2}, {"MUG": 1, "TEAPOT": 1}, {"MUG": 3}])
    desk.confirm_picks(wave)
    assert len(_events(desk, "pick_list", wave)) == 2
    packed = desk.pack_order(second, wave).aggregate_id

    assert [e.change for e in _events(desk, "pick_list", wave)] == ["released", "confirmed"]
    events = _events(desk, _warehouse.PICKED_ORDER, _warehouse.picked_order_key(wave, second))
    assert [type(e) for e in events] == [PickedOrderChanged, PickedOrderChanged]
    assert [e.change for e in events] == ["confirmed", f"packed {packed}"]
    assert {line.order_id for line in events[-1].state.lines} == {second}
    assert {line.shipment_id for line in events[-1].state.lines} == {packed}
    for other in (first, third):
        (only,) = _events(desk, _warehouse.PICKED_ORDER, _warehouse.picked_order_key(wave, other))
        assert {line.shipment_id for line in only.state.lines} == {""}


def test_the_pick_list_shows_each_packed_orders_shipment(desk: OrderDesk) -> None:
    # ``desk``: the sample shop in memory and on SQLite (conftest)
    wave, (first, _second) = _wave(desk, [{"MUG": 2, "TEAPOT": 1}, {"MUG": 1}])
    desk.confirm_picks(wave)
    confirmed = desk.pick_list(wave)
    assert confirmed.status == "confirmed"
    assert {line.shipment_id for line in confirmed.lines} == {""}
    shipment = desk.pack_order(first, wave).aggregate_id
    shown = desk.pick_list(wave)
    assert shown == _expected(confirmed, {first: shipment})
    assert [line.shipment_id for line in shown.lines if line.order_id == first] == [shipment] * 2
    assert desk.shipment(shipment).pick_list_id == wave
    assert desk.shipment(shipment).warehouse == "WH-EAST"


def test_packing_an_order_twice_is_refused_and_changes_nothing() -> None:
    desk = _desk()
    wave, (order_id,) = _wave(desk, [{"MUG": 2}])
    desk.confirm_picks(wave)
    desk.pack_order(order_id, wave)
    before = desk.pick_list(wave)
    with pytest.raises(DeskCommandError, match="no confirmed picks of it are waiting"):
        desk.pack_order(order_id, wave)
    assert desk.pick_list(wave) == before
    assert len(_events(desk, _warehouse.PICKED_ORDER, f"{wave}/{order_id}")) == 2


def test_packing_before_confirming_or_from_an_unknown_list_is_refused() -> None:
    desk = _desk()
    wave, (order_id,) = _wave(desk, [{"MUG": 2}])
    with pytest.raises(DeskCommandError, match="the pick list is open; confirm the picks first"):
        desk.pack_order(order_id, wave)
    with pytest.raises(UnknownAggregateError, match="PL-404"):
        desk.pack_order(order_id, "PL-404")
    with pytest.raises(UnknownAggregateError, match="O-404"):
        desk.pack_order("O-404", wave)
    assert desk.pick_list(wave).status == "open"


def test_an_order_not_on_the_list_cannot_be_packed_from_it() -> None:
    desk = _desk()
    wave, _ = _wave(desk, [{"MUG": 2}])
    _other_wave, (other,) = _wave(desk, [{"MUG": 1}])
    desk.confirm_picks(wave)
    before = desk.pick_list(wave)
    with pytest.raises(DeskCommandError, match="no confirmed picks of it are waiting"):
        desk.pack_order(other, wave)
    assert desk.pick_list(wave) == before


def test_an_order_found_short_on_every_line_has_nothing_to_pack() -> None:
    desk = _desk()
    wave, (short, full) = _wave(desk, [{"MUG": 2}, {"MUG": 1}])
    desk.confirm_picks(wave, {f"{short}/L1": 2})
    with pytest.raises(DeskCommandError, match="no confirmed picks of it are waiting"):
        desk.pack_order(short, wave)
    shipment = desk.pack_order(full, wave).aggregate_id
    shown = desk.pick_list(wave)
    assert [(line.order_id, line.picked, line.shipment_id) for line in shown.lines] == [
        (short, 0, ""),
        (full, 1, shipment),
    ]


def test_ids_with_slashes_keep_their_records_apart() -> None:
    desk = _desk(ids=SequentialIdFactory(separator="/"))
    wave, (first, second) = _wave(desk, [{"MUG": 2}, {"MUG": 1}])
    assert "/" in wave
    assert "/" in first
    desk.confirm_picks(wave)
    confirmed = desk.pick_list(wave)
    shipment = desk.pack_order(second, wave).aggregate_id
    assert desk.pick_list(wave) == _expected(confirmed, {second: shipment})
    other = desk.pack_order(first, wave).aggregate_id
    assert desk.pick_list(wave) == _expected(confirmed, {first: other, second: shipment})


@given(
    st.text(alphabet="PL/%-1", min_size=1, max_size=6),
    st.text(alphabet="O/%-1", min_size=1, max_size=6),
    st.text(alphabet="PL/%-1", min_size=1, max_size=6),
    st.text(alphabet="O/%-1", min_size=1, max_size=6),
)
def test_picked_order_keys_differ_for_different_pairs(a: str, b: str, c: str, d: str) -> None:
    same_key = _warehouse.picked_order_key(a, b) == _warehouse.picked_order_key(c, d)
    assert same_key == ((a, b) == (c, d))


_baskets = st.lists(
    st.fixed_dictionaries(
        {}, optional={"MUG": st.integers(1, 3), "TEAPOT": st.integers(1, 2)}
    ).filter(bool),
    min_size=1,
    max_size=3,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets=_baskets, data=st.data())
def test_reads_equal_the_whole_list_semantics(
    baskets: list[dict[str, int]], data: st.DataObject
) -> None:
    desk = _desk()
    wave, orders = _wave(desk, baskets)
    listed = desk.pick_list(wave)
    shortages: dict[str, int] = {}
    for line in listed.lines:
        missing = data.draw(st.integers(0, line.quantity), label=f"short {line.reference}")
        if missing:
            shortages[line.reference] = shortages.get(line.reference, 0) + missing
    desk.confirm_picks(wave, shortages)
    confirmed = desk.pick_list(wave)
    packed: dict[str, str] = {}
    for order_id in data.draw(st.permutations(orders), label="packing order"):
        picked = any(line.picked for line in confirmed.lines if line.order_id == order_id)
        try:
            packed[order_id] = desk.pack_order(order_id, wave).aggregate_id
        except DeskCommandError:
            assert not picked
        else:
            assert picked
        assert desk.pick_list(wave) == _expected(confirmed, packed)


# --- lists stored by the old design (every pack stored the whole list) -------------------


@contextmanager
def _old_writer() -> Iterator[None]:
    """Store pick lists the way the desk did before ``PickedOrder`` records existed."""
    put: Callable[..., None] = Session.put

    def old_put(self: Session, kind: str, key: str, cls: Any, state: Any, change: str) -> None:
        if kind != _warehouse.PICKED_ORDER:
            put(self, kind, key, cls, state, change)
            return
        if change == "confirmed":  # the old confirm stored the whole list only
            return
        whole = _warehouse._stored_list(self, state.pick_list_id)
        mine = iter(state.lines)
        lines = tuple(
            next(mine) if line.order_id == state.order_id else line for line in whole.lines
        )
        assert next(mine, None) is None  # every line of the order was on the list
        changed = attrs.evolve(whole, lines=lines)
        put(self, "pick_list", whole.pick_list_id, PickListChanged, changed, change)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Session, "put", old_put)
        yield


def test_lists_stored_whole_by_the_old_design_still_pack_and_read_the_same(
    desk: OrderDesk,
) -> None:
    wave, (first, second, third) = _wave(desk, [{"MUG": 2}, {"TEAPOT": 1}, {"MUG": 1}])
    with _old_writer():
        desk.confirm_picks(wave)
        old = desk.pack_order(first, wave).aggregate_id
    assert [e.change for e in _events(desk, "pick_list", wave)] == [
        "released",
        "confirmed",
        f"packed {old}",
    ]
    assert _events(desk, _warehouse.PICKED_ORDER, f"{wave}/{first}") == ()
    confirmed = _events(desk, "pick_list", wave)[1].state
    assert desk.pick_list(wave) == _expected(confirmed, {first: old})
    with pytest.raises(DeskCommandError, match="no confirmed picks of it are waiting"):
        desk.pack_order(first, wave)
    new = desk.pack_order(second, wave).aggregate_id
    assert desk.pick_list(wave) == _expected(confirmed, {first: old, second: new})
    last = desk.pack_order(third, wave).aggregate_id
    assert desk.pick_list(wave) == _expected(confirmed, {first: old, second: new, third: last})
    assert len(_events(desk, "pick_list", wave)) == 3


def test_a_record_of_another_type_under_the_kind_is_a_storage_error() -> None:
    desk = _desk()
    wave, (order_id,) = _wave(desk, [{"MUG": 2}])
    desk.confirm_picks(wave)
    key = _warehouse.picked_order_key(wave, order_id)
    with desk.storage.unit_of_work() as uow:
        (event,) = uow.events.load(_warehouse.PICKED_ORDER, key)
        assert isinstance(event, PickedOrderChanged)
        assert isinstance(event.state, PickedOrder)
    with desk.storage.unit_of_work() as uow:
        uow.events.append(
            _warehouse.PICKED_ORDER,
            key,
            [
                PickListChanged(
                    aggregate_id=key,
                    version=2,
                    occurred_at=START,
                    change="wrong",
                    state=desk.pick_list(wave),
                )
            ],
            expected_version=1,
        )
    with pytest.raises(OrderCycleError, match="holds WavePickList, not PickedOrder"):
        desk.pack_order(order_id, wave)


# --- the desk's memo of packing plans ------------------------------------------------------


def _memo_of(desk: OrderDesk) -> PackingMemo:
    with desk.storage.unit_of_work() as uow:
        return _warehouse.packing_memo(desk._session(uow))


def test_the_desk_packs_a_repeated_basket_from_its_memo() -> None:
    desk = _desk()
    memo = _memo_of(desk)
    assert memo.maxsize == _warehouse.PACKING_MEMO_SIZE
    wave, (first, second, third) = _wave(desk, [{"MUG": 2}, {"MUG": 2}, {"MUG": 3}])
    desk.confirm_picks(wave)
    shipments = [
        desk.shipment(desk.pack_order(o, wave).aggregate_id) for o in (first, second, third)
    ]
    assert (memo.hits, memo.misses) == (1, 2)
    assert shipments[0].parcels == shipments[1].parcels
    assert shipments[0].parcels != shipments[2].parcels
    fresh = pack(
        [Item.from_product(desk.product("MUG").product, 2)],
        desk.settings.cartons,
        carrier=desk.settings.carrier,
    )
    (parcel,) = shipments[1].parcels
    (package,) = fresh.packages
    assert parcel.carton == package.carton.name
    assert parcel.reason == package.reason
    assert parcel.actual_weight_g == package.actual_weight_g
    assert parcel.billable_weight == to_exact(package.billable_weight, parcel.weight_unit)


def test_each_desk_has_its_own_memo() -> None:
    one, other = _desk(), _desk()
    assert _memo_of(one) is _memo_of(one)
    assert _memo_of(one) is not _memo_of(other)


def _fresh_parcels(desk: OrderDesk, units: int) -> list[tuple[str, Any, Any, str]]:
    plan = pack(
        [Item.from_product(desk.product("MUG").product, units)],
        desk.settings.cartons,
        carrier=desk.settings.carrier,
    )
    return [
        (
            p.carton.name,
            p.actual_weight_g,
            to_exact(p.billable_weight, desk.settings.carrier.weight_unit),
            p.reason,
        )
        for p in plan.packages
    ]


def test_a_product_registered_again_is_packed_with_its_new_size_and_weight() -> None:
    desk = _desk()
    wave, (before, after) = _wave(desk, [{"MUG": 4}, {"MUG": 4}])
    desk.confirm_picks(wave)
    first = desk.shipment(desk.pack_order(before, wave).aggregate_id)
    old = _fresh_parcels(desk, 4)
    entry = desk.product("MUG")
    bigger = attrs.evolve(entry.product, length=Q_(30, "cm"), weight=Q_(2, "kg"))
    desk.register_product(bigger, entry.price)
    second = desk.shipment(desk.pack_order(after, wave).aggregate_id)
    new = _fresh_parcels(desk, 4)
    assert new != old
    shown = [(p.carton, p.actual_weight_g, p.billable_weight, p.reason) for p in second.parcels]
    assert shown == new
    assert [
        (p.carton, p.actual_weight_g, p.billable_weight, p.reason) for p in first.parcels
    ] == old


# --- releasing a wave reads the stock once ---------------------------------------------------

_shop_baskets = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "MUG": st.integers(1, 30),
            "TEAPOT": st.integers(1, 12),
            "LAMP": st.integers(1, 4),
            "RUG": st.integers(1, 5),
        },
    ).filter(bool),
    min_size=1,
    max_size=4,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets=_shop_baskets, allocate=st.lists(st.booleans(), min_size=4, max_size=4))
def test_reserved_units_of_a_wave_are_each_orders_allocations(
    baskets: list[dict[str, int]], allocate: list[bool]
) -> None:
    desk = _desk()
    order_ids = []
    for basket, reserve in zip(baskets, allocate, strict=False):
        order_id = desk.place_order("C-BOLT", basket).aggregate_id
        desk.confirm_order(order_id)
        if reserve and not desk.order(order_id).on_hold:  # a big basket can be over credit
            desk.allocate_order(order_id)
        order_ids.append(order_id)
    with desk.storage.unit_of_work() as uow:
        session = desk._session(uow)
        orders = [session.order(order_id) for order_id in order_ids]
        expected = {order.id: allocations(session, order) for order in orders}
        assert _warehouse.reserved_units(session, orders) == expected
        assert _warehouse.reserved_units(session, orders[::-1]) == expected
