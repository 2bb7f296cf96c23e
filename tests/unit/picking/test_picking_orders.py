"""PickLine, PickOrder, PickerCapacity and waves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from types import SimpleNamespace

import pytest

from ordercycle import Q_
from ordercycle.picking import (
    Bin,
    InvalidPickError,
    Load,
    PickerCapacity,
    PickLine,
    PickOrder,
    build_waves,
)

NOON = datetime(2026, 5, 4, 12, tzinfo=UTC)


ORIGIN = Bin(0, 0)


def line(line_id: str = "1", bin: Bin = ORIGIN, quantity: int = 1, **kw: object) -> PickLine:
    return PickLine(line_id, "SKU-" + line_id, bin, quantity, **kw)  # type: ignore[arg-type]


def test_loads_add_up_exactly_in_litres_and_grams() -> None:
    order = PickOrder(
        "SO-1",
        (
            line("1", quantity=3, unit_volume=Q_(250, "mL"), unit_weight=Q_("0.1", "kg")),
            line("2", quantity=1, unit_weight=Q_(1, "lb")),
        ),
    )
    assert order.load == Load(4, Fraction(3, 4), Fraction(300) + Fraction("453.59237"))
    assert order.bins == (Bin(0, 0), Bin(0, 0))


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        ({"quantity": 0}, "quantity", "a positive integer"),
        ({"quantity": 1.5}, "quantity", "a positive integer"),
        ({"line_id": ""}, "line_id", "a non-empty string"),
        ({"bin": "A01"}, "bin", "a Bin"),
        ({"unit_weight": 3}, "unit_weight", "a pint quantity convertible to g"),
        ({"unit_volume": Q_(2, "kg")}, "unit_volume", "a quantity convertible to L"),
        ({"unit_weight": Q_(-1, "g")}, "unit_weight", "zero or more"),
    ],
)
def test_bad_pick_lines_are_refused(kwargs: dict[str, object], field: str, expected: str) -> None:
    with pytest.raises(InvalidPickError) as caught:
        line(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        ({"lines": ()}, "lines", "at least one PickLine"),
        ({"lines": (line("1"), line("1"))}, "lines", "unique line ids"),
        ({"lines": ("x",)}, "lines", "PickLine values"),
        ({"lines": 5}, "lines", "a tuple of PickLine values"),
        ({"order_id": ""}, "order_id", "a non-empty string"),
        ({"cutoff": datetime(2026, 5, 4, 12)}, "cutoff", "a timezone-aware datetime"),
        ({"priority": "high"}, "priority", "an integer"),
    ],
)
def test_bad_pick_orders_are_refused(kwargs: dict[str, object], field: str, expected: str) -> None:
    arguments: dict[str, object] = {"order_id": "SO-1", "lines": (line(),), **kwargs}
    with pytest.raises(InvalidPickError) as caught:
        PickOrder(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert expected in str(caught.value)


def test_capacity_names_the_first_measure_exceeded() -> None:
    capacity = PickerCapacity(items=10, volume=Q_(20, "L"), weight=Q_(12, "kg"), totes=3)
    assert capacity.weight == 12000
    assert capacity.exceeded(Load(10, Fraction(20), Fraction(12000)), 3) == ""
    assert capacity.exceeded(Load(11, Fraction(0), Fraction(0))) == "items"
    assert capacity.exceeded(Load(1, Fraction(21), Fraction(0))) == "volume"
    assert capacity.exceeded(Load(1, Fraction(1), Fraction(12001))) == "weight"
    assert capacity.exceeded(Load(1), 4) == "totes"
    assert PickerCapacity().fits(Load(10**6), 10**6)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"items": 0}, "items"), ({"totes": True}, "items"), ({"weight": Q_(0, "g")}, "weight")],
)
def test_bad_capacities_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidPickError) as caught:
        PickerCapacity(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_pick_order_from_an_allocation_plan_splits_multi_bin_lines() -> None:
    plan = SimpleNamespace(
        order_id="SO-9",
        lines=(
            SimpleNamespace(
                picks=(
                    SimpleNamespace(line_id="L1", sku="MUG", bin="03-12", lot="LOT-A", quantity=2),
                    SimpleNamespace(line_id="L1", sku="MUG", bin="07-01", lot=None, quantity=1),
                )
            ),
            SimpleNamespace(
                picks=(SimpleNamespace(line_id="L2", sku="TEA", bin="01-40", lot=None, quantity=4),)
            ),
        ),
    )

    def locate(code: str) -> Bin:
        aisle, position = code.split("-")
        return Bin(int(aisle), int(position))

    order = PickOrder.from_allocation(
        plan, locate, carrier="UPS", priority=2, measures={"TEA": (Q_(1, "L"), Q_(300, "g"))}
    )
    assert [(x.line_id, x.bin, x.lot, x.quantity) for x in order.lines] == [
        ("L1", Bin(3, 12), "LOT-A", 2),
        ("L1#2", Bin(7, 1), None, 1),
        ("L2", Bin(1, 40), None, 4),
    ]
    assert order.load == Load(7, Fraction(4), Fraction(1200))
    assert (order.carrier, order.priority) == ("UPS", 2)


def _order(order_id: str, **kw: object) -> PickOrder:
    return PickOrder(order_id, (line(),), **kw)  # type: ignore[arg-type]


def test_waves_group_by_cutoff_and_carrier_in_release_order() -> None:
    later = NOON + timedelta(hours=3)
    orders = [
        _order("A", cutoff=later, carrier="UPS"),
        _order("B", cutoff=NOON, carrier="UPS"),
        _order("C", carrier="DHL"),
        _order("D", cutoff=NOON, carrier="UPS", priority=9),
        _order("E", cutoff=NOON, carrier="DHL"),
    ]
    waves = build_waves(orders)
    assert [(w.name, w.cutoff, w.carrier, [o.order_id for o in w.orders]) for w in waves] == [
        ("W1", NOON, "DHL", ["E"]),
        ("W2", NOON, "UPS", ["D", "B"]),
        ("W3", later, "UPS", ["A"]),
        ("W4", None, "DHL", ["C"]),
    ]
    assert all(w.priority is None for w in waves)


def test_waves_by_priority_with_a_size_limit() -> None:
    orders = [_order(f"O{i}", priority=i % 2) for i in range(5)]
    waves = build_waves(orders, by=("priority",), max_orders=2)
    assert [(w.priority, [o.order_id for o in w.orders]) for w in waves] == [
        (1, ["O1", "O3"]),
        (0, ["O0", "O2"]),
        (0, ["O4"]),
    ]
    assert sorted(o.order_id for w in waves for o in w.orders) == [f"O{i}" for i in range(5)]


def test_cutoffs_in_other_timezones_sort_by_instant() -> None:
    tokyo = timezone(timedelta(hours=9))
    early = datetime(2026, 5, 4, 20, tzinfo=tokyo)  # 11:00 UTC
    waves = build_waves([_order("A", cutoff=NOON), _order("B", cutoff=early)], by=("cutoff",))
    assert [w.orders[0].order_id for w in waves] == ["B", "A"]


@pytest.mark.parametrize(
    ("kwargs", "orders", "field"),
    [
        ({"by": ("zone",)}, [], "by"),
        ({"max_orders": 0}, [], "max_orders"),
        ({}, ["SO-1"], "orders"),
        ({}, [_order("A"), _order("A")], "orders"),
    ],
)
def test_bad_wave_requests_are_refused(
    kwargs: dict[str, object], orders: list[object], field: str
) -> None:
    with pytest.raises(InvalidPickError) as caught:
        build_waves(orders, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
