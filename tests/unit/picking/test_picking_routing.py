"""route(): every method on hand-checked instances, self-checks, depots, drawings, errors."""

from __future__ import annotations

import pickle
import random
from fractions import Fraction

import attrs
import pytest

from ordercycle.errors import RoutingError
from ordercycle.picking import (
    EXACT_STOP_LIMIT,
    METHODS,
    MULTI_BLOCK_METHODS,
    Bin,
    BinOutsideLayoutError,
    Depot,
    DepotError,
    EmptyPickListError,
    InvalidBinError,
    Point,
    Route,
    RouteCheckError,
    Segment,
    UnknownMethodError,
    WarehouseLayout,
    route,
)

HW = WarehouseLayout.henn_waescher()
# Aisle 0 at y = 12, aisle 3 at y = 42, aisle 7 at y = 7.
THREE = [Bin(0, 10), Bin(3, 40, "right"), Bin(7, 5)]


@pytest.mark.parametrize(
    ("method", "length"),
    [
        ("return", 24 + 84 + 14 + 2 * 35),
        ("s_shape", 48 + 15 + 48 + 20 + 14 + 35),
        ("midpoint", 48 + 15 + 12 + 20 + 48 + 35),
        ("largest_gap", 178),
        ("combined", 178),
        ("optimal", 178),
    ],
)
def test_each_method_walks_the_hand_computed_length(method: str, length: int) -> None:
    result = route(HW, THREE, method=method)
    assert result.length == length
    assert result.method == method
    assert result.check() is result
    assert result.stops == tuple(THREE)


def test_optimal_route_is_exact_and_explains_itself() -> None:
    result = route(HW, THREE)
    assert result.exact
    assert "Ratliff–Rosenthal" in result.explanation
    assert not route(HW, THREE, "s_shape").exact


def test_route_starts_and_ends_at_the_depot_and_its_length_is_the_sum_of_segments() -> None:
    result = route(HW, THREE)
    depot = HW.point(HW.depots[0])
    assert result.segments[0].start == depot
    assert result.segments[-1].end == depot
    assert sum(s.length for s in result.segments) == result.length
    assert all(s.start.x == s.end.x or s.start.y == s.end.y for s in result.segments)


def test_a_pick_list_in_one_aisle_is_a_return_trip() -> None:
    result = route(HW, [Bin(0, 44), Bin(0, 3)])
    assert result.length == 2 * 46
    assert [stop.position for stop in result.stops] == [3, 44]


def test_repeated_bins_and_both_sides_are_separate_stops_at_one_point() -> None:
    picks = [Bin(2, 9, "left"), Bin(2, 9, "right"), Bin(2, 9, "left")]
    result = route(HW, picks)
    assert sorted(result.stops) == sorted(picks)
    assert result.length == 2 * 10 + 2 * 11


def test_start_and_end_depots_may_differ() -> None:
    layout = WarehouseLayout(
        aisles=10,
        cells_per_side=45,
        depots=(Depot(0, 0, name="in"), Depot(9, 0, name="out"), Depot(9, 1, name="back")),
    )
    one_way = route(layout, [Bin(4, 0)], start="in", end="out")
    assert one_way.length == 45 + 2 * 2
    assert one_way.segments[-1].end == layout.point(layout.depot("out"))
    assert route(layout, [Bin(4, 0)], start="in", end="back").check().length == 45 + 48
    for method in METHODS:
        r = route(layout, [Bin(1, 3), Bin(6, 40)], method, start="in", end="out").check()
        assert r.length >= route(layout, [Bin(1, 3), Bin(6, 40)], start="in", end="out").length


def test_a_depot_at_the_back_works_for_every_method() -> None:
    layout = attrs.evolve(HW, depots=(Depot(4, 1),))
    optimum = route(layout, THREE).length
    for method in METHODS:
        assert route(layout, THREE, method).check().length >= optimum


def test_multi_block_optimal_is_held_karp_up_to_the_limit_then_local_search() -> None:
    layout = WarehouseLayout.multi_block()
    rng = random.Random(7)
    small = rng.sample(layout.bins(), 6)
    exact = route(layout, small).check()
    assert exact.exact
    assert "Held–Karp" in exact.explanation
    large = rng.sample(layout.bins(), EXACT_STOP_LIMIT + 8)
    searched = route(layout, large).check()
    assert not searched.exact
    assert "2-opt" in searched.explanation


MULTI = [Bin(1, 5), Bin(3, 10, block=2), Bin(6, 3, block=1), Bin(6, 12, block=2)]


def test_multi_block_s_shape_walks_the_hand_computed_route() -> None:
    # Blocks are 18 LU deep; a pick at position p of block k is at y = 18 k + 2 + p.
    # Left pick aisle 1, farthest block 2. Depot -> aisle 1 (5), up aisle 1 past y=7 to the
    # front of block 2 (36); block 2 left to right: traverse aisle 3 (10 + 18), aisle 6 is
    # the last one and the picker is at the back, so traverse it down (15 + 18); block 1:
    # aisle 6 from the back to the front (18); block 0 has only aisle 1, already picked: down
    # aisle 6 (18) and back to the depot (30). 168 LU; the mirror run is no shorter.
    result = route(WarehouseLayout.multi_block(), MULTI, "s_shape").check()
    assert result.length == 5 + 36 + 10 + 18 + 15 + 18 + 18 + 18 + 30
    assert [stop.label for stop in result.stops] == [
        "A01-005-L0",
        "B2-A03-010-L0",
        "B2-A06-012-L0",
        "B1-A06-003-L0",
    ]
    assert not result.exact
    assert "multi-block S-shape heuristic over 3 blocks" in result.explanation


def test_multi_block_largest_gap_walks_the_hand_computed_route() -> None:
    # From the left: up aisle 1 to the back of block 2 (5 + 54); aisle 3 from the back to
    # its largest gap (10 + 12); aisle 6 traversed (15 + 18); block 1: aisle 6 (18); block 0:
    # down aisle 6 (18), depot (30): 180. From the right (aisles mirrored): up aisle 6 to the
    # back (30 + 54), aisle 3 traversed (15 + 18), block 1 empty: down aisle 3 (18), block 0:
    # aisle 1 traversed from the back (10 + 18), depot (5): 168, the walk kept.
    result = route(WarehouseLayout.multi_block(), MULTI, "largest_gap").check()
    assert result.length == 30 + 54 + 15 + 18 + 18 + 10 + 18 + 5
    assert [stop.label for stop in result.stops] == [
        "B1-A06-003-L0",
        "B2-A06-012-L0",
        "B2-A03-010-L0",
        "A01-005-L0",
    ]
    assert "multi-block largest gap heuristic" in result.explanation


def test_multi_block_combined_returns_where_s_shape_must_traverse() -> None:
    # Two picks just inside the front of block 1 (y = 20), in aisles 2 and 4. S-shape walks
    # aisle 2 to the back of block 1 and aisle 4 down again: 10 + 18 + 18 + 10 + 18 + 18
    # + 20 = 112. Combined enters both from the front and returns (2 + 2 each): 10 + 18 + 4
    # + 10 + 4 + 18 + 20 = 84, which is also the optimum.
    layout = WarehouseLayout.multi_block()
    picks = [Bin(2, 0, block=1), Bin(4, 0, block=1)]
    assert route(layout, picks, "s_shape").check().length == 112
    combined = route(layout, picks, "combined").check()
    assert combined.length == 84 == route(layout, picks, "optimal").length
    assert "multi-block combined heuristic" in combined.explanation
    assert route(layout, MULTI, "combined").check().length == 168


@pytest.mark.parametrize("method", ["s_shape", "largest_gap", "combined"])
def test_multi_block_heuristics_from_a_back_depot_mirror_the_front(method: str) -> None:
    front = WarehouseLayout.multi_block()
    back = attrs.evolve(front, depots=(Depot(0, 3),))
    flipped = [
        attrs.evolve(p, block=2 - p.block, position=front.cells_per_side - 1 - p.position)
        for p in MULTI
    ]
    there = route(back, flipped, method).check()
    assert there.length == route(front, MULTI, method).length
    assert there.segments[0].start == back.point(Depot(0, 3))


def test_multi_block_route_crosses_at_the_middle_cross_aisle() -> None:
    layout = WarehouseLayout.multi_block()
    result = route(layout, [Bin(0, 14), Bin(1, 0, block=1)]).check()
    assert result.length == 16 + 9 + 20 + 5


def test_route_draws_itself_as_svg() -> None:
    svg = route(HW, THREE).to_svg()
    assert svg.startswith("<svg xmlns=")
    assert svg.endswith("</svg>")
    assert svg.count("<circle") == 3
    assert "<polyline" in svg
    assert "optimal: 3 stops, length 178 LU" in svg
    assert route(HW, THREE)._repr_svg_() == svg


def test_segment_offset_finds_points_on_it() -> None:
    segment = Segment(Point(Fraction(0), Fraction(4)), Point(Fraction(0), Fraction(1)))
    assert segment.length == 3
    assert segment.offset(Point(Fraction(0), Fraction(2))) == 2
    assert segment.offset(Point(Fraction(1), Fraction(2))) is None


# -- errors -------------------------------------------------------------------------------


def test_unknown_method_lists_the_valid_methods() -> None:
    with pytest.raises(UnknownMethodError) as caught:
        route(HW, THREE, method="fastest")
    message = str(caught.value)
    assert "'fastest'" in message
    assert "valid methods are s_shape, return, midpoint, largest_gap, combined, optimal" in message
    assert caught.value.valid == METHODS
    assert isinstance(caught.value, RoutingError)


def test_return_and_midpoint_need_a_single_block() -> None:
    layout = WarehouseLayout.multi_block()
    for method in ("return", "midpoint"):
        with pytest.raises(UnknownMethodError, match=r"needs a single-block layout.*3 blocks") as e:
            route(layout, [Bin(0, 1)], method)
        assert "valid methods are s_shape, largest_gap, combined, optimal" in str(e.value)
        assert e.value.valid == MULTI_BLOCK_METHODS
    assert layout == WarehouseLayout.multi_block()


def test_an_empty_pick_list_is_refused() -> None:
    with pytest.raises(EmptyPickListError, match=r"empty pick list.*at least one Bin"):
        route(HW, [])


def test_a_single_bin_instead_of_a_list_is_refused() -> None:
    with pytest.raises(InvalidBinError, match="a list of Bin values"):
        route(HW, Bin(0, 1))  # type: ignore[arg-type]


def test_a_pick_outside_the_layout_is_refused_and_nothing_changes() -> None:
    picks = [Bin(0, 1), Bin(12, 3)]
    before = list(picks)
    with pytest.raises(BinOutsideLayoutError) as caught:
        route(HW, picks)
    assert "aisle 12 does not exist; valid aisle values are 0..9" in str(caught.value)
    assert picks == before
    assert WarehouseLayout.henn_waescher() == HW


def test_a_pick_that_is_not_a_bin_is_refused() -> None:
    with pytest.raises(InvalidBinError, match="Invalid pick for Bin: 'A01'"):
        route(HW, ["A01"])  # type: ignore[list-item]


def test_an_end_depot_off_the_cross_aisle_is_refused() -> None:
    with pytest.raises(DepotError, match="cross aisle 4 is off"):
        route(HW, THREE, end=Depot(0, 4))
    with pytest.raises(DepotError, match="known: 'depot'"):
        route(HW, THREE, start="dock")
    with pytest.raises(InvalidBinError, match="a Depot or a depot name"):
        route(HW, THREE, start=3)  # type: ignore[arg-type]


def _tampered(result: Route, **changes: object) -> Route:
    return attrs.evolve(result, **changes)  # type: ignore[arg-type]


def test_check_catches_a_wrong_length() -> None:
    result = route(HW, THREE)
    with pytest.raises(RouteCheckError, match="not the sum of its segments"):
        _tampered(result, length=result.length - 1).check()


def test_check_catches_a_missing_stop() -> None:
    result = route(HW, THREE)
    with pytest.raises(RouteCheckError, match="stops differ from picks"):
        _tampered(result, stops=result.stops[:-1]).check()


def test_check_catches_a_gap_in_the_path() -> None:
    result = route(HW, THREE)
    segments = result.segments[:3] + result.segments[4:]
    length = sum((s.length for s in segments), Fraction(0))
    with pytest.raises(RouteCheckError, match="starts at"):
        _tampered(result, segments=segments, length=length).check()


def test_check_catches_a_walk_through_the_racks() -> None:
    result = route(HW, [Bin(0, 0)])
    shortcut = Segment(Point(Fraction(0), Fraction(0)), Point(Fraction(0), Fraction(2)))
    through = Segment(Point(Fraction(0), Fraction(2)), Point(Fraction(2), Fraction(2)))
    back = Segment(Point(Fraction(2), Fraction(2)), Point(Fraction(2), Fraction(0)))
    home = Segment(Point(Fraction(2), Fraction(0)), Point(Fraction(0), Fraction(0)))
    segments = (shortcut, through, back, home)
    with pytest.raises(RouteCheckError, match="leaves the aisles") as caught:
        _tampered(result, segments=segments, length=Fraction(8)).check()
    assert pickle.loads(pickle.dumps(caught.value)).problem == caught.value.problem


def test_check_catches_stops_out_of_walking_order() -> None:
    result = route(HW, THREE)
    with pytest.raises(RouteCheckError, match="does not pass stop"):
        _tampered(result, stops=tuple(reversed(result.stops))).check()


def test_check_catches_a_walk_that_ends_elsewhere() -> None:
    result = route(HW, THREE)
    segments = result.segments[:-1]
    length = sum((s.length for s in segments), Fraction(0))
    with pytest.raises(RouteCheckError, match="not at the end depot"):
        _tampered(result, segments=segments, length=length).check()


def test_the_program_reaches_exactly_the_seven_ratliff_rosenthal_classes() -> None:
    from ordercycle.picking import _ratliff_rosenthal as rr

    names = {0: "0", 1: "U", 2: "E"}
    classes = set()
    for state in rr.reachable_classes_after_crossing():
        if state == 27:
            classes.add("0,0,1C")
        else:
            a, b, c = state // 9, (state // 3) % 3, state % 3
            classes.add(f"{names[a]},{names[b]},{c}C")
    assert classes == {"U,U,1C", "E,0,1C", "0,E,1C", "E,E,1C", "E,E,2C", "0,0,0C", "0,0,1C"}
