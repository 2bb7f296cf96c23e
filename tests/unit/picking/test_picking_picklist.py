"""Pick lists: walking order, totes, time estimates, short picks (examples and a state machine)."""

from __future__ import annotations

import random
from fractions import Fraction

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ordercycle.picking import (
    Bin,
    Depot,
    EmptyPickListError,
    InvalidPickError,
    PickerCapacity,
    PickLine,
    PickList,
    PickListError,
    PickOrder,
    PickRates,
    WarehouseLayout,
    optimal_length,
    pick_list,
    pick_lists,
)

HW = WarehouseLayout.henn_waescher()
ORDERS = (
    PickOrder("A", (PickLine("1", "MUG", Bin(4, 40), 2), PickLine("2", "TEA", Bin(1, 5), 1))),
    PickOrder("B", (PickLine("1", "PEN", Bin(2, 10, "right"), 3, lot="L7"),)),
)


def test_lines_come_in_walking_order_with_a_tote_per_order() -> None:
    sheet = pick_list(HW, ORDERS, name="T")
    assert [(x.sku, x.order_id, x.tote) for x in sheet.lines] == [
        ("TEA", "A", 1),
        ("MUG", "A", 1),
        ("PEN", "B", 2),
    ]
    assert [x.bin for x in sheet.lines] == list(sheet.route.stops)
    assert sheet.route.length == optimal_length(HW, [x.bin for x in sheet.lines]) == 148
    assert sheet.station == "depot"


def test_time_estimate_is_travel_plus_setup_lines_and_units() -> None:
    rates = PickRates(walk_speed="0.8", setup=30, per_line=8, per_unit="1.5")
    sheet = pick_list(HW, ORDERS, name="T", rates=rates)
    assert sheet.travel_seconds == Fraction(148) / Fraction(4, 5)
    assert sheet.pick_seconds == 30 + 8 * 3 + Fraction(3, 2) * 6
    assert sheet.estimated_seconds == sheet.travel_seconds + sheet.pick_seconds


def test_pick_lists_hand_off_to_the_end_depot_as_packing_station() -> None:
    layout = attrs.evolve(HW, depots=(Depot(0, name="start"), Depot(9, name="pack")))
    sheets = pick_lists(layout, ORDERS, PickerCapacity(totes=1), name="W1", end="pack")
    assert [s.name for s in sheets] == ["W1-1", "W1-2"]
    assert all(s.station == "pack" for s in sheets)
    assert all(s.route.check().end.name == "pack" for s in sheets)


def test_heuristic_routes_can_be_asked_for() -> None:
    sheet = pick_list(HW, ORDERS, name="T", method="s_shape")
    assert sheet.route.method == "s_shape"
    assert sheet.route.length >= 148


def test_records_and_text_show_every_line() -> None:
    sheet = pick_list(HW, ORDERS, name="T").short_pick("A", "2", 0)
    records = sheet.to_records()
    assert records[0] == {
        "step": 1,
        "bin": "A01-005-L0",
        "sku": "TEA",
        "lot": None,
        "quantity": 1,
        "found": 0,
        "order_id": "A",
        "line_id": "2",
        "tote": 1,
    }
    text = sheet.format()
    assert "0/1" in text
    assert "L7" in text
    assert sheet._repr_svg_().startswith("<svg")


def test_a_short_pick_adjusts_the_list_and_flags_the_bin() -> None:
    sheet = pick_list(HW, ORDERS, name="T")
    shorted = sheet.short_pick("B", "1", found=1)
    (short,) = shorted.shorts
    assert (short.sku, short.lot, short.expected, short.found, short.missing) == (
        "PEN",
        "L7",
        3,
        1,
        2,
    )
    assert shorted.count_bins == (Bin(2, 10, "right"),)
    assert shorted.units == sheet.units - 2
    assert shorted.pick_seconds == sheet.pick_seconds - 2 * sheet.rates.per_unit
    assert sheet.shorts == ()  # the original is unchanged


@pytest.mark.parametrize(
    ("order_id", "line_id", "found", "words"),
    [
        ("C", "1", 0, "no such line; lines: A/2, A/1, B/1"),
        ("A", "1", 2, "expected an integer from 0 to 1"),
        ("A", "1", -1, "expected an integer from 0 to 1"),
        ("A", "1", True, "is not a short pick"),
    ],
)
def test_bad_short_picks_are_refused_and_change_nothing(
    order_id: str, line_id: str, found: int, words: str
) -> None:
    sheet = pick_list(HW, ORDERS, name="T")
    before = attrs.evolve(sheet)
    with pytest.raises(PickListError) as caught:
        sheet.short_pick(order_id, line_id, found)
    assert "Cannot report a short pick" in str(caught.value)
    assert "on pick list T" in str(caught.value)
    assert words in str(caught.value)
    assert sheet == before


def test_reallocated_units_join_the_order_tote_and_the_tour_is_planned_again() -> None:
    sheet = pick_list(HW, ORDERS, name="T").short_pick("B", "1", found=1)
    moved = sheet.add_line("B", PickLine("1#2", "PEN", Bin(8, 2), 2, lot="L8"))
    added = next(x for x in moved.lines if x.line_id == "1#2")
    assert (added.order_id, added.tote, added.quantity) == ("B", 2, 2)
    assert moved.units == sheet.units + 2
    assert moved.shorts == sheet.shorts
    assert moved.route.check().stops == tuple(x.bin for x in moved.lines)
    assert moved.route.length == optimal_length(HW, [x.bin for x in moved.lines])
    assert len(sheet.lines) == 3  # the original is unchanged


def test_adding_a_line_needs_an_order_on_the_list_and_a_new_line_id() -> None:
    sheet = pick_list(HW, ORDERS, name="T")
    before = attrs.evolve(sheet)
    with pytest.raises(PickListError, match="the order is not on it; orders: A, B"):
        sheet.add_line("C", PickLine("1", "X", Bin(0, 0), 1))
    with pytest.raises(PickListError, match="line id '1' is taken"):
        sheet.add_line("B", PickLine("1", "X", Bin(0, 0), 1))
    with pytest.raises(InvalidPickError, match="a PickLine"):
        sheet.add_line("B", "1")  # type: ignore[arg-type]
    assert sheet == before


def test_a_line_cannot_be_reported_short_twice() -> None:
    sheet = pick_list(HW, ORDERS, name="T").short_pick("A", "1", 1)
    with pytest.raises(PickListError, match=r"already reported \(1 found\)"):
        sheet.short_pick("A", "1", 0)


def test_bad_rates_and_empty_batches_are_refused() -> None:
    with pytest.raises(InvalidPickError, match="walk_speed"):
        PickRates(walk_speed=0)
    with pytest.raises(InvalidPickError, match="zero or more"):
        PickRates(per_line=-1)
    with pytest.raises(InvalidPickError, match="a number of zero or more"):
        PickRates(setup="soon")
    with pytest.raises(EmptyPickListError):
        pick_list(HW, [], name="T")


class ShortPickMachine(RuleBasedStateMachine):
    """Pickers report short picks in any order; the list stays consistent throughout."""

    @initialize(seed=st.integers(0, 10_000))
    def build(self, seed: int) -> None:
        rng = random.Random(seed)
        bins = HW.bins()
        orders = [
            PickOrder(
                f"O{o}",
                tuple(
                    PickLine(str(k), f"S{k}", rng.choice(bins), rng.randint(1, 4))
                    for k in range(rng.randint(1, 4))
                ),
            )
            for o in range(rng.randint(1, 3))
        ]
        self.sheet: PickList = pick_list(HW, orders, name="M")
        self.original = self.sheet
        self.expected_missing = 0
        self.reallocated = 0
        self.added_units = 0

    @rule(data=st.data())
    def report(self, data: st.DataObject) -> None:
        line = data.draw(st.sampled_from(self.sheet.lines))
        found = data.draw(st.integers(-1, line.quantity))
        before = self.sheet
        if line.found is not None or not 0 <= found < line.quantity:
            with pytest.raises(PickListError):
                self.sheet.short_pick(line.order_id, line.line_id, found)
            assert self.sheet == before
            return
        self.sheet = self.sheet.short_pick(line.order_id, line.line_id, found)
        self.expected_missing += line.quantity - found

    @rule(data=st.data())
    def reallocate(self, data: st.DataObject) -> None:
        if len(self.sheet.shorts) <= self.reallocated:
            return
        short = self.sheet.shorts[self.reallocated]
        bin = data.draw(st.sampled_from(HW.bins()[:200]))
        self.sheet = self.sheet.add_line(
            short.order_id, PickLine(f"{short.line_id}#r", short.sku, bin, short.missing)
        )
        self.reallocated += 1
        self.added_units += short.missing

    @invariant()
    def units_and_shorts_add_up(self) -> None:
        missing = sum(short.missing for short in self.sheet.shorts)
        assert missing == self.expected_missing
        assert self.sheet.units == self.original.units - missing + self.added_units
        assert set(self.sheet.count_bins) == {short.bin for short in self.sheet.shorts}
        assert len(self.sheet.lines) == len(self.original.lines) + self.reallocated
        assert [x.bin for x in self.sheet.lines] == list(self.sheet.route.check().stops)
        if not self.reallocated:
            assert self.sheet.route == self.original.route


TestShortPicks = ShortPickMachine.TestCase
TestShortPicks.settings = settings(max_examples=30, stateful_step_count=12, deadline=None)
