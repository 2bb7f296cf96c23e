"""The note that a plan uses more cartons than the volume and weight bound."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ordercycle.packing import Carton, Item, carriers, pack

# The simulation's cartons (inches and pounds).
CARTONS = [
    Carton.from_inches("S", 8, 6, 4, tare_lb=Fraction(1, 4), max_weight_lb=50),
    Carton.from_inches("M", 12, 10, 8, tare_lb=Fraction(1, 2), max_weight_lb=50),
    Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=50),
]


def mugs(quantity: int) -> Item:
    return Item.from_mm("MUG", 120, 90, 100, 350, quantity=quantity)


def lamps(quantity: int) -> Item:
    return Item.from_mm("LAMP", 300, 150, 120, 900, quantity=quantity)


def count_notes(notes: tuple[str, ...]) -> list[str]:
    return [note for note in notes if "cartons used" in note]


def test_a_plan_above_the_bound_says_so() -> None:
    # Three mugs bill less in two small cartons than in one medium one.
    plan = pack([mugs(3)], CARTONS, carrier=carriers.UPS_DAILY)
    assert len(plan.packages) == 2
    assert count_notes(plan.notes) == ["2 cartons used; the volume and weight bound is 1"]


@pytest.mark.parametrize(
    "items",
    [[mugs(1)], [mugs(2)], [lamps(1)], [mugs(1), lamps(1)]],
    ids=["one mug", "two mugs", "one lamp", "a mug and a lamp"],
)
@pytest.mark.parametrize("objective", ["billable_weight", "cartons"])
def test_a_one_carton_plan_has_no_count_note(items: list[Item], objective: str) -> None:
    plan = pack(items, CARTONS, carrier=carriers.UPS_DAILY, objective=objective)
    assert len(plan.packages) == 1
    assert count_notes(plan.notes) == []
