"""Properties of pack(): every plan verifies, units appear once, bounds hold, monotone catalogue."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ordercycle.money import Money
from ordercycle.packing import (
    BasePlusPerUnitRate,
    Carton,
    Item,
    PackingPlan,
    Rotation,
    carriers,
    pack,
    verify,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

side = st.integers(min_value=10, max_value=220)
rules = st.fixed_dictionaries(
    {},
    optional={
        "rotation": st.sampled_from(list(Rotation)),
        "fragile": st.booleans(),
        "ship_alone": st.just(True),
        "own_packaging": st.just(True),
    },
)


@st.composite
def items_strategy(draw: st.DrawFn) -> list[Item]:
    count = draw(st.integers(min_value=1, max_value=4))
    found = []
    for index in range(count):
        extra: dict[str, Any] = draw(rules)
        if extra.get("ship_alone") and extra.get("own_packaging"):
            del extra["ship_alone"]
        if index == 1 and not extra.get("ship_alone") and not extra.get("own_packaging"):
            extra["group"] = draw(st.sampled_from([None, "kit"]))
        found.append(
            Item.from_mm(
                f"SKU{index}",
                draw(side),
                draw(side),
                draw(side),
                draw(st.integers(min_value=1, max_value=3000)),
                quantity=draw(st.integers(min_value=1, max_value=5)),
                **extra,
            )
        )
    return found


@st.composite
def carton_strategy(draw: st.DrawFn, name: str) -> Carton:
    inner = (draw(st.integers(100, 400)), draw(st.integers(100, 400)), draw(st.integers(50, 400)))
    padding = draw(st.integers(0, 10))
    return Carton.from_mm(
        name,
        *inner,
        outer=(inner[0] + padding, inner[1] + padding, inner[2] + padding),
        tare_g=draw(st.integers(0, 300)),
        max_weight_g=draw(st.sampled_from([None, 8000, 20000])),
        cost=Money(draw(st.sampled_from(["0.40", "0.90", "1.60"])), "USD"),
    )


@st.composite
def catalogue_strategy(draw: st.DrawFn) -> list[Carton]:
    count = draw(st.integers(min_value=1, max_value=3))
    return [draw(carton_strategy(f"C{n}")) for n in range(count)]


carrier_strategy = st.sampled_from([None, *sorted(carriers.PRESETS.values(), key=lambda r: r.name)])
objective_strategy = st.sampled_from(["billable_weight", "cartons", "cost"])
RATE = BasePlusPerUnitRate(Money("4.00", "USD"), Money("0.75", "USD"), "lb")


def run(
    items: list[Item], cartons: list[Carton], carrier: Any, objective: str, **options: Any
) -> PackingPlan:
    return pack(
        items, cartons, carrier, objective=objective, rate=RATE, on_unpackable="report", **options
    )


def below_or_equal(bound: Any, value: Any) -> bool:
    if hasattr(bound, "to"):
        return bool(bound.to(value.units) <= value)
    return bool(bound <= value)


@FAST
@given(items_strategy(), catalogue_strategy(), carrier_strategy, objective_strategy)
def test_every_plan_verifies_and_every_unit_appears_once(
    items: list[Item], cartons: list[Carton], carrier: Any, objective: str
) -> None:
    plan = run(items, cartons, carrier, objective)
    verify(plan)
    seen = Counter((p.item.sku, p.unit) for package in plan.packages for p in package)
    seen.update((u.item.sku, u.unit) for u in plan.unpacked)
    expected = {(item.sku, n) for item in items for n in range(1, item.quantity + 1)}
    assert set(seen) == expected
    assert set(seen.values()) <= {1}


@FAST
@given(items_strategy(), catalogue_strategy(), carrier_strategy, objective_strategy)
def test_the_objective_is_at_least_the_lower_bound(
    items: list[Item], cartons: list[Carton], carrier: Any, objective: str
) -> None:
    plan = run(items, cartons, carrier, objective)
    if plan.unpacked:
        return
    assert below_or_equal(plan.lower_bound, plan.objective_value)
    if objective == "cartons":
        assert plan.carton_count >= plan.lower_bound


@FAST
@given(items_strategy(), catalogue_strategy(), carrier_strategy, objective_strategy, st.data())
def test_adding_a_larger_carton_never_makes_the_result_worse(
    items: list[Item], cartons: list[Carton], carrier: Any, objective: str, data: st.DataObject
) -> None:
    # Fewest cartons searches the whole catalogue first, so a larger carton may take the
    # work budget a smaller catalogue had: the promise holds without a budget.
    budget = {"work_limit": None} if objective == "cartons" else {}
    before = run(items, cartons, carrier, objective, **budget)
    if before.unpacked:
        return
    biggest = max(c.inner_mm[0] * c.inner_mm[1] * c.inner_mm[2] for c in cartons)
    larger = data.draw(carton_strategy("XL"))
    volume = larger.inner_mm[0] * larger.inner_mm[1] * larger.inner_mm[2]
    if volume <= biggest:
        return
    after = run(items, [*cartons, larger], carrier, objective, **budget)
    verify(after)
    assert not after.unpacked
    assert below_or_equal(after.objective_value, before.objective_value)


class CatalogueMachine(RuleBasedStateMachine):
    """Grow an order and a catalogue; every plan verifies and larger cartons never hurt."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []
        self.cartons: list[Carton] = []
        self.carrier = carriers.UPS_DAILY
        self.last: Any = None

    @initialize(carton=carton_strategy("C0"))
    def start(self, carton: Carton) -> None:
        self.cartons = [carton]

    @rule(
        dims=st.tuples(side, side, side),
        grams=st.integers(1, 2000),
        quantity=st.integers(1, 4),
    )
    def add_item(self, dims: tuple[int, int, int], grams: int, quantity: int) -> None:
        self.items.append(Item.from_mm(f"SKU{len(self.items)}", *dims, grams, quantity=quantity))
        self.last = None

    @rule(grow=st.integers(1, 150))
    def add_larger_carton(self, grow: int) -> None:
        base = max(self.cartons, key=lambda c: c.inner_mm[0] * c.inner_mm[1] * c.inner_mm[2])
        sides = [int(s) + grow for s in base.inner_mm]
        previous = self.plan()
        self.cartons.append(Carton.from_mm(f"C{len(self.cartons)}", *sides))
        current = self.plan()
        if previous is not None and not previous.unpacked and not current.unpacked:
            assert current.billable_weight <= previous.billable_weight

    def plan(self) -> PackingPlan:
        return pack(self.items, self.cartons, self.carrier, on_unpackable="report")

    @invariant()
    def plans_verify(self) -> None:
        plan = self.plan()
        verify(plan)
        packed = sum(len(p) for p in plan.packages) + len(plan.unpacked)
        assert packed == sum(item.quantity for item in self.items)


CatalogueMachine.TestCase.settings = settings(max_examples=15, stateful_step_count=6, deadline=None)
TestCatalogueMachine = CatalogueMachine.TestCase
