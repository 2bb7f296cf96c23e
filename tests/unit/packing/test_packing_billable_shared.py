"""Billable and dimensional weights are shared between searches: a package's score is what
the carrier's rule gives for its carton and weight, whichever search worked it out first."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ordercycle.packing import Carton, carriers
from ordercycle.packing import _optimizer as optimizer
from ordercycle.packing._optimizer import Objective, Spec


@pytest.fixture(autouse=True)
def _empty_shared_cache() -> None:
    optimizer._BILLABLE.clear()
    optimizer._DIMENSIONAL.clear()


def _carton(name: str = "M") -> Carton:
    return Carton.from_mm(name, 300, 200, 150, tare_g=250, max_weight_g=20_000, cost=None)


@pytest.mark.parametrize("weight", [1, 999, 5_000, 12_345])
def test_a_score_equals_the_billable_weight_worked_out_afresh(weight: int) -> None:
    carton = _carton()
    spec = Spec(0, carton, 1, 3)
    for name in ("weight", "cartons"):
        for rule in (carriers.UPS_DAILY, carriers.DHL_EXPRESS, None):
            objective = Objective(name, rule, None, 3)
            expected = objective.billable(carton, Fraction(weight, 3))
            key = objective.key(spec, weight)
            assert expected in key
            # A second search (its own objective) reads the shared weight: the same score.
            assert Objective(name, rule, None, 3).key(spec, weight) == key


def test_the_shared_weights_tell_carriers_cartons_and_scales_apart() -> None:
    small, large = _carton("S"), Carton.from_mm("L", 900, 800, 700, tare_g=900, cost=None)
    weight = 4_000
    scores = {}
    for carton in (small, large):
        for label, rule in (("UPS", carriers.UPS_DAILY), ("DHL", carriers.DHL_EXPRESS)):
            for scale in (1, 7):
                objective = Objective("weight", rule, None, scale)
                scores[(carton.name, label, scale)] = objective.key(
                    Spec(0, carton, 1, scale), weight
                )[0]
                assert scores[(carton.name, label, scale)] == objective.billable(
                    carton, Fraction(weight, scale)
                )
    assert len(optimizer._BILLABLE) == 8
    # An equal carton that is another object is worked out for itself (kept by identity).
    twin = _carton("S")
    objective = Objective("weight", carriers.UPS_DAILY, None, 1)
    assert objective.key(Spec(0, twin, 1, 1), weight)[0] == scores[("S", "UPS", 1)]
    assert any(kept[1] is twin for kept in optimizer._BILLABLE.values())


def test_a_shared_dimensional_weight_is_the_rules_for_that_carton() -> None:
    small, large = _carton("S"), Carton.from_mm("L", 900, 800, 700, tare_g=900, cost=None)
    rules = (carriers.UPS_DAILY, carriers.USPS, carriers.DHL_EXPRESS)
    for _ in range(2):  # worked out, then read by another search's objective
        for carton in (small, large):
            for rule in rules:
                expected = rule.dimensional_weight_exact(carton.outer_mm)
                assert Objective("weight", rule, None, 1).dimensional(carton) == expected
    assert carriers.USPS.dimensional_weight_exact(small.outer_mm) is None  # below its threshold
    assert len(optimizer._DIMENSIONAL) == 6
    assert Objective("weight", None, None, 1).dimensional(small) is None
    # An equal carton that is another object is worked out for itself (kept by identity).
    twin = _carton("S")
    assert Objective("weight", carriers.UPS_DAILY, None, 1).dimensional(
        twin
    ) == carriers.UPS_DAILY.dimensional_weight_exact(twin.outer_mm)
    assert any(kept[1] is twin for kept in optimizer._DIMENSIONAL.values())
