"""WarehouseLayout: presets, bin and depot addressing, walking distances on the aisle graph."""

from __future__ import annotations

import pickle
from fractions import Fraction

import attrs
import pytest

from ordercycle.errors import OrderCycleError, RoutingError
from ordercycle.picking import (
    Bin,
    BinOutsideLayoutError,
    Depot,
    DepotError,
    InvalidBinError,
    LayoutError,
    Point,
    WarehouseLayout,
)

HW = WarehouseLayout.henn_waescher()


def test_henn_waescher_preset_has_ten_aisles_of_45_cells_and_a_front_left_depot() -> None:
    assert (HW.aisles, HW.cells_per_side, HW.blocks) == (10, 45, 1)
    assert (HW.cell_length, HW.clearance, HW.aisle_spacing) == (1, Fraction(3, 2), 5)
    assert HW.block_length == 48
    assert HW.width == 45
    assert HW.depots == (Depot(0, 0),)
    assert HW.point(HW.depots[0]) == Point(Fraction(0), Fraction(0))
    assert len(HW.bins()) == 10 * 45 * 2


def test_multi_block_preset_splits_the_same_storage_into_three_blocks() -> None:
    layout = WarehouseLayout.multi_block()
    assert (layout.blocks, layout.cells_per_side, layout.block_length) == (3, 15, 18)
    assert len(layout.bins()) == len(HW.bins())
    assert [layout.cross_aisle_y(k) for k in range(4)] == [0, 18, 36, 54]


def test_pick_point_is_in_the_aisle_centre_level_with_the_middle_of_the_cell() -> None:
    assert HW.point(Bin(0, 0)) == Point(Fraction(0), Fraction(2))
    assert HW.point(Bin(3, 44, "right", 0)) == Point(Fraction(15), Fraction(46))
    layout = WarehouseLayout(aisles=2, cells_per_side=3, cell_length="0.5", clearance=1)
    assert layout.point(Bin(1, 1)).y == Fraction(7, 4)


def test_side_and_level_do_not_change_the_walk() -> None:
    layout = attrs.evolve(HW, levels=4)
    assert layout.distance(Bin(2, 7, "left", 0), Bin(2, 7, "right", 3)) == 0


def test_distance_within_one_aisle_is_along_the_aisle() -> None:
    assert HW.distance(Bin(4, 3), Bin(4, 30)) == 27


def test_distance_between_aisles_goes_round_the_shorter_end_never_through_racks() -> None:
    assert HW.distance(Bin(0, 44), Bin(1, 44)) == 2 + 5 + 2  # over the back
    assert HW.distance(Bin(0, 0), Bin(1, 1)) == 2 + 5 + 3  # over the front
    assert HW.distance(Bin(0, 20), Bin(9, 24)) == min(22 + 26, 26 + 22) + 45
    assert HW.path(Bin(0, 44), Bin(1, 44)) == (
        Point(Fraction(0), Fraction(46)),
        Point(Fraction(0), Fraction(48)),
        Point(Fraction(5), Fraction(48)),
        Point(Fraction(5), Fraction(46)),
    )


def test_distance_in_a_multi_block_layout_uses_the_middle_cross_aisle() -> None:
    layout = WarehouseLayout.multi_block()
    a, b = Bin(0, 14, block=0), Bin(1, 0, block=1)
    assert layout.point(a).y == 16
    assert layout.point(b).y == 20
    assert layout.distance(a, b) == 5 + 2 + 2
    # Straight along one aisle across a cross aisle.
    assert layout.distance(Bin(3, 0), Bin(3, 0, block=2)) == 36


def test_distance_keeps_half_units_exact() -> None:
    layout = WarehouseLayout(aisles=3, cells_per_side=4, clearance="0.75", aisle_spacing="2.5")
    assert layout.distance(Depot(0), Bin(1, 0)) == Fraction(5, 2) + Fraction(5, 4)


def test_depot_at_the_back_and_named_depots() -> None:
    layout = WarehouseLayout(
        aisles=4, cells_per_side=5, depots=(Depot(0, name="in"), Depot(3, 1, name="out"))
    )
    assert layout.depot("out") == Depot(3, 1, name="out")
    assert layout.point(layout.depot("out")) == Point(Fraction(15), Fraction(8))


def test_bin_label_names_block_aisle_position_side_and_level() -> None:
    assert Bin(3, 17, "right", 2).label == "A03-017-R2"
    assert str(Bin(0, 5, block=1)) == "B1-A00-005-L0"


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"aisle": -1, "position": 0}, "aisle", "non-negative integer"),
        ({"aisle": 1.5, "position": 0}, "aisle", "non-negative integer"),
        ({"aisle": 0, "position": True}, "position", "non-negative integer"),
        ({"aisle": 0, "position": 0, "side": "up"}, "side", "'left' or 'right'"),
        ({"aisle": 0, "position": 0, "level": -2}, "level", "non-negative integer"),
    ],
)
def test_malformed_bins_are_refused(kwargs: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(InvalidBinError) as caught:
        Bin(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert f"Invalid {field} for Bin" in str(caught.value)
    assert words in str(caught.value)
    assert isinstance(caught.value, RoutingError)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("bin", "field", "valid"),
    [
        (Bin(10, 0), "aisle", "0..9"),
        (Bin(0, 45), "position", "0..44"),
        (Bin(0, 0, level=1), "level", "0..0"),
        (Bin(0, 0, block=1), "block", "0..0"),
    ],
)
def test_a_bin_outside_the_layout_names_the_value_and_the_valid_range(
    bin: Bin, field: str, valid: str
) -> None:
    before = attrs.evolve(HW)
    with pytest.raises(BinOutsideLayoutError) as caught:
        HW.point(bin)
    error = caught.value
    assert (error.bin, error.field, error.valid) == (bin, field, valid)
    assert str(bin) in str(error)
    assert f"valid {field} values are {valid}" in str(error)
    assert before == HW
    assert pickle.loads(pickle.dumps(error)).valid == valid


def test_a_depot_off_the_cross_aisles_is_refused_when_the_layout_is_built() -> None:
    with pytest.raises(DepotError) as caught:
        WarehouseLayout(aisles=3, cells_per_side=4, depots=(Depot(0, 2),))
    assert "cross aisle 2 is off the layout's cross aisles" in str(caught.value)
    assert "valid cross aisles are 0..1" in str(caught.value)


def test_a_depot_beyond_the_last_aisle_is_refused() -> None:
    with pytest.raises(
        DepotError, match=r"aisle 5 is off the cross aisle; valid aisles are 0\.\.2"
    ):
        WarehouseLayout(aisles=3, cells_per_side=4, depots=(Depot(5, 0),))
    with pytest.raises(DepotError, match=r"valid cross aisles are 0\.\.1"):
        HW.point(Depot(0, 3))


def test_an_unknown_depot_name_lists_the_known_names() -> None:
    with pytest.raises(DepotError, match="no depot of that name; known: 'depot'"):
        HW.depot("dock 7")


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        ({"aisles": 0}, "aisles", "a positive integer"),
        ({"cells_per_side": -3}, "cells_per_side", "a positive integer"),
        ({"cell_length": 0}, "cell_length", "a positive number"),
        ({"clearance": "-1"}, "clearance", "zero or more"),
        ({"aisle_spacing": "wide"}, "aisle_spacing", "a finite number of layout units"),
        ({"blocks": 0}, "blocks", "a positive integer"),
        ({"depots": ()}, "depots", "at least one Depot"),
        ({"depots": (Depot(0), Depot(1))}, "depots", "unique depot names"),
        ({"depots": ("front",)}, "depots", "Depot values"),
    ],
)
def test_inconsistent_layouts_are_refused(
    kwargs: dict[str, object], field: str, expected: str
) -> None:
    arguments: dict[str, object] = {"aisles": 3, "cells_per_side": 4, **kwargs}
    with pytest.raises(LayoutError) as caught:
        WarehouseLayout(**arguments)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert expected in str(caught.value)
    assert isinstance(caught.value, OrderCycleError)


def test_layouts_are_frozen_values() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        HW.aisles = 3  # type: ignore[misc]
    assert WarehouseLayout.henn_waescher() == HW
    assert hash(WarehouseLayout.henn_waescher()) == hash(HW)
