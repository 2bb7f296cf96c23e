"""pack(): carton choice, item rules, objectives, reasons and refusals."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ordercycle.errors import (
    ConfigurationError,
    DuplicateError,
    PackingError,
    UnpackableItemError,
    ValidationError,
)
from ordercycle.money import Money
from ordercycle.packing import (
    Carton,
    Item,
    PackingPlan,
    Rotation,
    WeightBracketRate,
    carriers,
    pack,
    verify,
)
from ordercycle.units import Q_


def units_of(plan: PackingPlan) -> list[tuple[str, int]]:
    return sorted((p.item.sku, p.unit) for package in plan.packages for p in package)


def test_the_stable_entry_point_works_as_documented() -> None:
    items = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]
    cartons = [
        Carton(
            "S",
            inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")),
            tare=Q_(120, "g"),
            max_weight=Q_(10, "kg"),
        )
    ]
    plan = pack(items, cartons, carrier=carriers.UPS_DAILY)
    verify(plan)
    placement = plan.packages[0].placements[0]
    assert all(q.check("[length]") for q in placement.position)
    assert sorted(q.to("cm").magnitude for q in placement.size) == [9, 10, 12]
    # 20 x 20 x 15 cm is 8 x 8 x 6 in = 384 in3 / 139 -> 3 lb; 1.52 kg = 3.35 lb -> 4 lb
    assert plan.packages[0].billable_weight == Q_(4, "lb")
    assert plan.packages[0].dimensional_weight == Q_(3, "lb")
    assert plan.objective == "billable_weight"
    assert plan.lower_bound == Q_(4, "lb")
    assert units_of(plan) == [("MUG", 1), ("MUG", 2), ("MUG", 3), ("MUG", 4)]


CATALOGUE = (
    Carton.from_inches("S", 6, 6, 6, tare_lb="0.25", max_weight_lb=20),
    Carton.from_inches("M", 10, 8, 6, tare_lb="0.5", max_weight_lb=40),
    Carton.from_inches("L", 14, 12, 10, tare_lb=1, max_weight_lb=60),
)


def test_the_carton_with_the_lowest_billable_weight_wins_and_says_why() -> None:
    items = [Item.from_inches("BOOK", 9, 7, 2, 1, quantity=2)]
    plan = pack(items, CATALOGUE, carriers.UPS_DAILY)
    verify(plan)
    assert [p.carton.name for p in plan.packages] == ["M"]
    # M: 480 in3 / 139 = 3.45 -> 4 lb; L: 1,680 / 139 = 12.09 -> 13 lb
    assert plan.packages[0].billable_weight == Q_(4, "lb")
    assert plan.packages[0].reason == (
        "carton M chosen: 4 lb billable vs 13 lb billable for L; S could not hold the contents"
    )
    assert plan.reasons == (plan.packages[0].reason,)
    assert "total billable weight: 4 lb" in plan.explain()


def test_billable_weight_can_prefer_two_small_cartons_to_one_large() -> None:
    small = Carton.from_inches("S", 10, 10, 10)
    large = Carton.from_inches("L", 20, 20, 10)
    item = Item.from_inches("CUBE", 10, 10, 10, 1, quantity=2)
    # S: 1,000 / 139 -> 8 lb each, 16 lb in all; L: 4,000 / 139 -> 29 lb
    by_weight = pack([item], [small, large], carriers.UPS_DAILY)
    verify(by_weight)
    assert [p.carton.name for p in by_weight.packages] == ["S", "S"]
    assert by_weight.billable_weight == Q_(16, "lb")
    by_count = pack([item], [small, large], carriers.UPS_DAILY, objective="cartons")
    verify(by_count)
    assert [p.carton.name for p in by_count.packages] == ["L"]
    assert by_count.objective_value == 1


def test_cost_objective_adds_carton_cost_and_rate() -> None:
    rate = WeightBracketRate.from_table("lb", "USD", [(5, "8.00"), (10, "11.00"), (30, "20.00")])
    cheap_big = Carton.from_inches("BIG", 12, 12, 6, cost=Money("0.40", "USD"))
    dear_small = Carton.from_inches("SMALL", 9, 9, 5, cost=Money("2.50", "USD"))
    items = [Item.from_inches("TOY", 8, 8, 4, 2)]
    plan = pack(items, [cheap_big, dear_small], carriers.UPS_DAILY, objective="cost", rate=rate)
    verify(plan)
    # BIG: 864 / 139 -> 7 lb -> 11.00 + 0.40; SMALL: 405 / 139 -> 3 lb -> 8.00 + 2.50
    assert [p.carton.name for p in plan.packages] == ["SMALL"]
    assert plan.cost == Money("10.50", "USD")
    assert plan.objective_value == Money("10.50", "USD")
    assert plan.lower_bound == Money("10.50", "USD")
    assert "10.50 USD" in plan.packages[0].reason


def test_cost_objective_needs_a_rate_or_carton_costs() -> None:
    with pytest.raises(ConfigurationError, match="no cost on S"):
        pack([Item.from_inches("A", 1, 1, 1, 1)], CATALOGUE[:1], objective="cost")


def test_many_units_spread_over_several_cartons_each_exactly_once() -> None:
    items = [
        Item.from_mm("A", 100, 100, 100, 500, quantity=9),
        Item.from_mm("B", 150, 100, 50, 200, quantity=5),
    ]
    carton = Carton.from_mm("C", 200, 200, 200, max_weight_g=3000)
    plan = pack(items, [carton])
    verify(plan)
    assert len(units_of(plan)) == 14
    assert len(set(units_of(plan))) == 14
    assert plan.carton_count >= plan.lower_bound
    assert all(p.actual_weight_g <= 3000 for p in plan.packages)


def test_weight_limits_split_the_order() -> None:
    items = [Item.from_mm("IRON", 50, 50, 50, 4000, quantity=3)]
    plan = pack(items, [Carton.from_mm("C", 300, 300, 300, tare_g=200, max_weight_g=10000)])
    verify(plan)
    assert [len(p) for p in plan.packages] == [2, 1]
    assert plan.lower_bound == 2


def test_inches_pack_exactly_without_tolerance() -> None:
    items = [Item.from_inches("CUBE", 4, 4, 4, 1, quantity=8)]
    plan = pack(items, [Carton.from_inches("C", 8, 8, 8)])
    verify(plan)
    assert plan.carton_count == 1
    assert plan.packages[0].fill_ratio == 1
    assert {p.position_mm for p in plan.packages[0]} == {
        (Fraction(x), Fraction(y), Fraction(z))
        for x in (0, Fraction(508, 5))
        for y in (0, Fraction(508, 5))
        for z in (0, Fraction(508, 5))
    }


def test_this_side_up_and_fixed_limit_the_orientations() -> None:
    carton = Carton.from_mm("LOW", 300, 100, 100)
    tall = Item.from_mm("TALL", 100, 100, 300, 10, rotation=Rotation.THIS_SIDE_UP)
    with pytest.raises(UnpackableItemError) as caught:
        pack([tall], [carton])
    assert caught.value.item == "TALL"
    assert caught.value.best_carton == "LOW"
    assert "this side up" in str(caught.value)
    plan = pack([Item.from_mm("TALL", 100, 100, 300, 10)], [carton])
    verify(plan)
    assert plan.packages[0].placements[0].size_mm == (300, 100, 100)
    fixed = Item.from_mm("FIX", 100, 300, 100, 10, rotation=Rotation.FIXED)
    with pytest.raises(UnpackableItemError, match="FIX"):
        pack([fixed], [carton])


def test_fragile_items_carry_nothing() -> None:
    column = Carton.from_mm("COLUMN", 100, 100, 200)
    eggs = Item.from_mm("EGGS", 100, 100, 100, 300, fragile=True)
    brick = Item.from_mm("BRICK", 100, 100, 100, 2000)
    plan = pack([eggs, brick], [column])
    verify(plan)
    assert plan.carton_count == 1
    top = max(plan.packages[0], key=lambda p: p.position_mm[2])
    assert top.item.sku == "EGGS"
    two = pack([Item.from_mm("EGGS", 100, 100, 100, 300, fragile=True, quantity=2)], [column])
    verify(two)
    assert two.carton_count == 2


def test_max_load_allows_light_items_on_top() -> None:
    column = Carton.from_mm("COLUMN", 100, 100, 300)
    box = Item.from_mm("BOX", 100, 100, 100, 500, max_load=Q_(600, "g"), quantity=3)
    plan = pack([box], [column])
    verify(plan)
    # bottom box would carry 1,000 g with three in a column, so two cartons are needed
    assert plan.carton_count == 2


def test_ship_alone_and_own_packaging() -> None:
    items = [
        Item.from_mm("TV", 400, 300, 100, 5000, own_packaging=True),
        Item.from_mm("VASE", 100, 100, 200, 800, ship_alone=True, quantity=2),
        Item.from_mm("SOCK", 100, 50, 20, 50, quantity=3),
    ]
    plan = pack(items, [Carton.from_mm("C", 300, 300, 300)], carriers.DHL_EXPRESS)
    verify(plan)
    names = [p.carton.name for p in plan.packages]
    assert names.count("own packaging (TV)") == 1
    vase_packages = [p for p in plan.packages if p.placements[0].item.sku == "VASE"]
    assert [len(p) for p in vase_packages] == [1, 1]
    tv = next(p for p in plan.packages if p.carton.name == "own packaging (TV)")
    # 40 x 30 x 10 cm = 12,000 / 5,000 = 2.4 -> 2.5 kg < 5 kg actual
    assert tv.billable_weight == Q_(5, "kg")
    assert "own packaging" in tv.reason
    assert plan.carton_count == 4


def test_a_group_shares_one_carton() -> None:
    items = [
        Item.from_mm("FILLER", 200, 200, 100, 100, quantity=3),
        Item.from_mm("KIT-A", 100, 100, 100, 100, group="kit"),
        Item.from_mm("KIT-B", 100, 100, 100, 100, group="kit"),
    ]
    plan = pack(items, [Carton.from_mm("C", 200, 200, 200)])
    verify(plan)
    holders = {
        n for n, package in enumerate(plan.packages) for p in package if p.item.group == "kit"
    }
    assert len(holders) == 1


def test_a_group_that_fits_no_carton_is_unpackable() -> None:
    items = [Item.from_mm(f"PART-{n}", 100, 100, 100, 10, group="set") for n in range(3)]
    carton = Carton.from_mm("C", 200, 100, 100)
    with pytest.raises(UnpackableItemError, match="group 'set'"):
        pack(items, [carton])
    plan = pack(items, [carton], on_unpackable="report")
    verify(plan)
    assert len(plan.unpacked) == 3
    assert plan.packages == ()


def test_limited_stock_is_respected() -> None:
    small = Carton.from_mm("S", 100, 100, 100, stock=1)
    large = Carton.from_mm("L", 200, 100, 100)
    item = Item.from_mm("A", 100, 100, 100, 10, quantity=3)
    plan = pack([item], [small, large], carriers.DHL_EXPRESS)
    verify(plan)
    assert sorted(p.carton.name for p in plan.packages).count("S") <= 1
    out_of_stock = Carton.from_mm("S", 100, 100, 100, stock=0)
    with pytest.raises(UnpackableItemError, match="no combination"):
        pack([Item.from_mm("B", 100, 100, 100, 10)], [out_of_stock])


def test_support_rule_is_applied_and_checked() -> None:
    items = [
        Item.from_mm("BASE", 100, 100, 50, 100, rotation=Rotation.FIXED),
        Item.from_mm("TOP", 200, 100, 50, 100, rotation=Rotation.FIXED),
    ]
    carton = Carton.from_mm("C", 200, 100, 100)
    plan = pack(items, [carton], support="0.75")
    verify(plan)
    assert plan.support == Fraction(3, 4)
    # TOP cannot rest on BASE (half of its base); it goes on the floor, BASE on top of it
    top = next(p for p in plan.packages[0] if p.item.sku == "TOP")
    assert top.position_mm[2] == 0


def test_unpackable_item_raises_naming_the_item_and_closest_carton() -> None:
    big = Item.from_mm("SOFA", 2000, 900, 800, 40000)
    with pytest.raises(UnpackableItemError) as caught:
        pack([big], CATALOGUE)
    error = caught.value
    assert isinstance(error, PackingError)
    assert error.item == "SOFA"
    assert error.best_carton == "L"
    assert "2000 x 900 x 800 mm" in str(error)
    assert "closest carton: L" in str(error)


def test_too_heavy_item_names_the_strongest_carton() -> None:
    heavy = Item.from_inches("ANVIL", 5, 5, 5, 100)
    with pytest.raises(UnpackableItemError) as caught:
        pack([heavy], CATALOGUE)
    assert caught.value.best_carton == "L"
    assert "weighs" in caught.value.reason


def test_report_mode_returns_unpackable_units_and_packs_the_rest() -> None:
    items = [
        Item.from_mm("SOFA", 2000, 900, 800, 4000, quantity=2),
        Item.from_inches("A", 2, 2, 2, 1),
    ]
    plan = pack(items, CATALOGUE, carriers.USPS, on_unpackable="report")
    verify(plan)
    assert [(u.item.sku, u.unit) for u in plan.unpacked] == [("SOFA", 1), ("SOFA", 2)]
    assert "closest carton: L" in plan.unpacked[0].reason
    assert units_of(plan) == [("A", 1)]
    assert "unpacked SOFA #1" in plan.explain()


def test_packing_is_deterministic() -> None:
    items = [
        Item.from_mm("A", 120, 80, 60, 300, quantity=5),
        Item.from_mm("B", 200, 150, 40, 500, quantity=3),
        Item.from_mm("C", 50, 50, 50, 100, quantity=7),
    ]
    cartons = [Carton.from_mm("S", 200, 200, 150), Carton.from_mm("M", 300, 250, 200)]
    first = pack(items, cartons, carriers.UPS_DAILY)
    second = pack(list(items), list(cartons), carriers.UPS_DAILY)
    assert first.packages == second.packages
    assert first.explain() == second.explain()


def test_an_empty_order_needs_no_carton() -> None:
    plan = pack([], CATALOGUE, carriers.UPS_DAILY)
    verify(plan)
    assert plan.packages == ()
    assert plan.billable_weight == Q_(0, "lb")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"cartons": []}, ValidationError, ["cartons", "at least one"]),
        ({"cartons": ["S"]}, ValidationError, ["Carton objects"]),
        ({"items": ["A"]}, ValidationError, ["Item objects"]),
        ({"objective": "speed"}, ValidationError, ["objective", "billable_weight"]),
        ({"carrier": "UPS"}, ValidationError, ["carrier", "DimWeightRule"]),
        ({"on_unpackable": "skip"}, ValidationError, ["on_unpackable", "'report'"]),
        ({"effort": 0}, ValidationError, ["effort", "positive"]),
        ({"support": 2}, ValidationError, ["support", "(0, 1]"]),
    ],
)
def test_bad_arguments_are_refused(
    kwargs: dict[str, object], error: type, words: list[str]
) -> None:
    arguments: dict[str, object] = {
        "items": [Item.from_mm("A", 10, 10, 10, 10)],
        "cartons": list(CATALOGUE),
        **kwargs,
    }
    with pytest.raises(error) as caught:
        pack(**arguments)  # type: ignore[arg-type]
    for word in words:
        assert word in str(caught.value)


def test_duplicates_are_refused() -> None:
    with pytest.raises(DuplicateError, match="item sku 'A'"):
        pack([Item.from_mm("A", 1, 1, 1, 1), Item.from_mm("A", 2, 2, 2, 2)], CATALOGUE)
    with pytest.raises(DuplicateError, match="carton name 'S'"):
        pack([Item.from_mm("A", 1, 1, 1, 1)], [CATALOGUE[0], CATALOGUE[0]])


def test_when_stock_runs_out_report_mode_packs_what_fits_and_reports_the_rest() -> None:
    item = Item.from_mm("A", 100, 100, 100, 10, quantity=5)
    carton = Carton.from_mm("C", 200, 100, 100, stock=2)
    with pytest.raises(UnpackableItemError, match="no combination"):
        pack([item], [carton])
    plan = pack([item], [carton], on_unpackable="report")
    verify(plan)
    assert [len(p) for p in plan.packages] == [2, 2]
    assert [(u.item.sku, u.unit, u.reason) for u in plan.unpacked] == [
        ("A", 5, "no carton left in stock takes it")
    ]
    assert plan.lower_bound == 3  # the bound is for packing every unit


def test_the_carton_bound_knows_which_cartons_each_item_fits() -> None:
    cube_box = Carton.from_mm("CUBE-BOX", 300, 300, 300)
    flat_box = Carton.from_mm("FLAT-BOX", 400, 400, 20)
    items = [Item.from_mm("POSTER", 390, 390, 10, 100), Item.from_mm("MUG", 100, 100, 100, 300)]
    plan = pack(items, [cube_box, flat_box], objective="cartons")
    verify(plan)
    # by volume one carton would do, but the poster fits only the flat box and the mug only
    # the cube box
    assert plan.lower_bound == 2
    assert plan.carton_count == 2
    assert plan.notes == ()


class TickingClock:
    """A clock that moves one second every time it is read."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.at = datetime(2026, 1, 1, tzinfo=UTC)
        self.reads = 0

    def now(self) -> object:
        from datetime import timedelta

        self.reads += 1
        self.at += timedelta(seconds=1)
        return self.at

    def today(self) -> object:
        return self.at.date()


def test_a_time_limit_searches_deeper_until_the_clock_says_stop() -> None:
    from datetime import UTC, datetime

    from ordercycle.model.clock import FixedClock

    items = [
        Item.from_mm("A", 120, 80, 60, 300, quantity=9),
        Item.from_mm("B", 200, 150, 40, 500, quantity=5),
    ]
    cartons = [Carton.from_mm("S", 200, 200, 150), Carton.from_mm("M", 300, 250, 200)]
    quick = pack(items, cartons, objective="cartons")
    frozen = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))  # time never passes: every strategy
    deep = pack(items, cartons, objective="cartons", time_limit=5, clock=frozen)
    verify(deep)
    assert deep.carton_count <= quick.carton_count
    ticking = TickingClock()
    hurried = pack(items, cartons, objective="cartons", time_limit=Q_(1, "s"), clock=ticking)
    verify(hurried)
    assert ticking.reads >= 1


def test_a_time_limit_needs_a_clock_and_a_positive_time() -> None:
    items = [Item.from_mm("A", 10, 10, 10, 10)]
    with pytest.raises(ConfigurationError, match="SystemClock"):
        pack(items, CATALOGUE, time_limit=1)
    with pytest.raises(ValidationError, match="positive time"):
        pack(items, CATALOGUE, time_limit=0, clock=TickingClock())  # type: ignore[arg-type]


def test_items_can_come_from_catalogue_products() -> None:
    from ordercycle.model.product import Product
    from ordercycle.model.product import Rotation as ProductRotation

    press = Product.from_mm(
        "PRESS",
        "French press",
        180,
        130,
        230,
        860,
        rotation=ProductRotation.THIS_SIDE_UP,
        fragile=True,
    )
    item = Item.from_product(press, 2)
    assert item.sku == "PRESS"
    assert item.quantity == 2
    assert item.rotation is Rotation.THIS_SIDE_UP
    assert item.load_limit_g == 0
    assert item.dims_mm == (180, 130, 230)
    plan = pack([item], [Carton.from_mm("BOX", 400, 200, 250)])
    verify(plan)
    assert all(p.size_mm[2] == 230 for p in plan.packages[0])
