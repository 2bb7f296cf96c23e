"""Zone picking: each zone batched and routed on its own; orders consolidated afterwards."""

from __future__ import annotations

import random
from collections import Counter

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.picking import (
    Bin,
    Depot,
    InvalidPickError,
    PickerCapacity,
    PickLine,
    PickOrder,
    WarehouseLayout,
    Zone,
    zone_pick_lists,
)

LAYOUT = attrs.evolve(
    WarehouseLayout.henn_waescher(), depots=(Depot(0, name="west"), Depot(9, name="east"))
)
ZONES = (Zone("W", range(5)), Zone("E", (9, 8, 7, 6, 5), depot="east"))


def test_each_zone_routes_from_its_own_depot_and_orders_list_their_parts() -> None:
    orders = [
        PickOrder("A", (PickLine("1", "MUG", Bin(1, 3), 1), PickLine("2", "TEA", Bin(8, 9), 1))),
        PickOrder("B", (PickLine("1", "PEN", Bin(6, 30), 2),)),
    ]
    plan = zone_pick_lists(LAYOUT, orders, ZONES, PickerCapacity(items=10))
    assert [(s.name, s.route.start.name) for s in plan.pick_lists] == [
        ("W-1", "west"),
        ("E-1", "east"),
    ]
    assert plan.consolidation == (("A", ("W-1", "E-1")), ("B", ("E-1",)))
    assert [s.name for s in plan.lists_for("A")] == ["W-1", "E-1"]
    assert plan.lists_for("Z") == ()
    assert ZONES[1].aisles == (5, 6, 7, 8, 9)


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(2, 8))
def test_every_line_is_picked_once_in_its_own_zone(rng: random.Random, items: int) -> None:
    bins = LAYOUT.bins()
    orders = [
        PickOrder(
            f"O{o}",
            tuple(PickLine(str(k), "S", rng.choice(bins), 1) for k in range(rng.randint(1, 4))),
        )
        for o in range(rng.randint(1, 8))
    ]
    plan = zone_pick_lists(LAYOUT, orders, ZONES, PickerCapacity(items=max(items, 4)))
    picked = Counter(
        (line.order_id, line.line_id) for sheet in plan.pick_lists for line in sheet.lines
    )
    assert picked == Counter((o.order_id, x.line_id) for o in orders for x in o.lines)
    for sheet in plan.pick_lists:
        zone = next(z for z in ZONES if sheet.name.startswith(z.name + "-"))
        assert all(line.bin.aisle in zone.aisles for line in sheet.lines)
        assert sheet.units <= max(items, 4)
        sheet.route.check()


@pytest.mark.parametrize(
    ("zones", "words"),
    [
        ((Zone("A", range(6)), Zone("B", range(5, 10))), "not already in zone 'A'"),
        ((Zone("A", range(6)), Zone("A", range(6, 10))), "unique zone names"),
        ((Zone("A", range(11)),), "aisles 0..9"),
        ((Zone("A", range(5)),), "a bin in a zone's aisles (0, 1, 2, 3, 4)"),
    ],
)
def test_bad_zones_are_refused(zones: tuple[Zone, ...], words: str) -> None:
    orders = [PickOrder("A", (PickLine("1", "X", Bin(7, 0), 1),))]
    with pytest.raises(InvalidPickError) as caught:
        zone_pick_lists(LAYOUT, orders, zones, PickerCapacity())
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("aisles", "expected"),
    [((), "at least one aisle"), ("0-4", "a range or tuple"), ((1, -2), "non-negative")],
)
def test_malformed_zones_are_refused(aisles: object, expected: str) -> None:
    with pytest.raises(InvalidPickError, match=expected):
        Zone("Z", aisles)  # type: ignore[arg-type]
