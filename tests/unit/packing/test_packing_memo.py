"""PackingMemo: the plan of a fresh pack(), remembered by the exact request, bounded."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ordercycle.errors import UnpackableItemError, ValidationError
from ordercycle.model.clock import FixedClock
from ordercycle.money import Money
from ordercycle.packing import (
    BasePlusPerUnitRate,
    Carton,
    DimWeightRule,
    Item,
    PackingMemo,
    PackRequest,
    carriers,
    pack,
)
from ordercycle.packing.memo import DEFAULT_MEMO_SIZE, request_key
from ordercycle.units import Q_

CATALOGUE = (
    Carton.from_mm("S", 200, 200, 150, tare_g=120, max_weight_g=10_000),
    Carton.from_mm("M", 300, 250, 200, tare_g=200, max_weight_g=20_000),
    Carton.from_mm("L", 450, 350, 300, tare_g=350),
)
MUGS = (Item.from_mm("MUG", 120, 90, 100, 350, quantity=4),)
BASKET = (
    Item.from_mm("MUG", 120, 90, 100, 350, quantity=3),
    Item.from_mm("BOOK", 210, 297, 30, 800, quantity=2, rotation="this_side_up"),
)


def test_a_remembered_plan_is_the_plan_pack_returns() -> None:
    memo = PackingMemo()
    first = memo.pack(PackRequest(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY))
    again = memo.pack(PackRequest(list(BASKET), iter(CATALOGUE), carrier=carriers.UPS_DAILY))
    assert again is first
    assert first == pack(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY)
    assert repr(first) == repr(pack(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY))
    assert (memo.hits, memo.misses, len(memo)) == (1, 1, 1)
    assert memo.maxsize == DEFAULT_MEMO_SIZE
    assert "1 hits, 1 misses" in repr(memo)


def test_equal_requests_built_separately_share_a_plan() -> None:
    memo = PackingMemo()
    first = memo.pack(PackRequest(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY))
    rebuilt_items = (
        Item.from_mm("MUG", 120, 90, 100, 350, quantity=3),
        Item.from_mm("BOOK", 210, 297, 30, 800, quantity=2, rotation="this_side_up"),
    )
    rebuilt_cartons = (
        Carton.from_mm("S", 200, 200, 150, tare_g=120, max_weight_g=10_000),
        Carton.from_mm("M", 300, 250, 200, tare_g=200, max_weight_g=20_000),
        Carton.from_mm("L", 450, 350, 300, tare_g=350),
    )
    rule = DimWeightRule("UPS daily rates", 139, "imperial")
    assert memo.pack(PackRequest(rebuilt_items, rebuilt_cartons, carrier=rule)) is first


def _mugs(**rules: Any) -> tuple[Item, ...]:
    return (Item.from_mm("MUG", 120, 90, 100, 350, **{"quantity": 4, **rules}),)


def _variants() -> list[tuple[str, tuple[Item, ...], tuple[Carton, ...], dict[str, Any]]]:
    return [
        ("base", MUGS, CATALOGUE, {"carrier": carriers.UPS_DAILY}),
        ("other divisor", MUGS, CATALOGUE, {"carrier": carriers.UPS_RETAIL}),
        ("same divisor, other name", MUGS, CATALOGUE, {"carrier": carriers.FEDEX}),
        ("metric rule", MUGS, CATALOGUE, {"carrier": carriers.DHL_EXPRESS}),
        ("no carrier", MUGS, CATALOGUE, {}),
        ("objective", MUGS, CATALOGUE, {"carrier": carriers.UPS_DAILY, "objective": "cartons"}),
        ("effort", MUGS, CATALOGUE, {"carrier": carriers.UPS_DAILY, "effort": 3}),
        ("work budget", MUGS, CATALOGUE, {"carrier": carriers.UPS_DAILY, "work_limit": 50}),
        ("no work budget", MUGS, CATALOGUE, {"carrier": carriers.UPS_DAILY, "work_limit": None}),
        ("support", MUGS, CATALOGUE, {"carrier": carriers.UPS_DAILY, "support": "0.75"}),
        (
            "support as fraction",
            MUGS,
            CATALOGUE,
            {"carrier": carriers.UPS_DAILY, "support": Fraction(3, 4)},
        ),
        (
            "report",
            MUGS,
            CATALOGUE,
            {"carrier": carriers.UPS_DAILY, "on_unpackable": "report"},
        ),
        (
            "rate",
            MUGS,
            CATALOGUE,
            {
                "carrier": carriers.UPS_DAILY,
                "objective": "cost",
                "rate": BasePlusPerUnitRate(Money("5.00", "USD"), Money("0.80", "USD"), "lb"),
            },
        ),
        ("catalogue order", MUGS, CATALOGUE[::-1], {"carrier": carriers.UPS_DAILY}),
        ("fewer cartons", MUGS, CATALOGUE[1:], {"carrier": carriers.UPS_DAILY}),
        (
            "heavier tare",
            MUGS,
            (CATALOGUE[0], Carton.from_mm("M", 300, 250, 200, tare_g=201), CATALOGUE[2]),
            {"carrier": carriers.UPS_DAILY},
        ),
        (
            "carton stock",
            MUGS,
            (CATALOGUE[0], Carton.from_mm("M", 300, 250, 200, tare_g=200, stock=1), CATALOGUE[2]),
            {"carrier": carriers.UPS_DAILY},
        ),
        (
            "carton cost",
            MUGS,
            (
                CATALOGUE[0],
                Carton.from_mm("M", 300, 250, 200, tare_g=200, cost=Money("0.40", "USD")),
                CATALOGUE[2],
            ),
            {"carrier": carriers.UPS_DAILY},
        ),
        ("quantity", _mugs(quantity=5), CATALOGUE, {}),
        (
            "fragile",
            _mugs(fragile=True),
            CATALOGUE,
            {},
        ),
        (
            "rotation",
            _mugs(rotation="fixed"),
            CATALOGUE,
            {},
        ),
        (
            "ships alone",
            _mugs(ship_alone=True),
            CATALOGUE,
            {},
        ),
        (
            "load limit",
            _mugs(max_load=Q_(1, "kg")),
            CATALOGUE,
            {},
        ),
        (
            "group",
            _mugs(group="set"),
            CATALOGUE,
            {},
        ),
        ("other sku", (Item.from_mm("CUP", 120, 90, 100, 350, quantity=4),), CATALOGUE, {}),
        ("heavier", (Item.from_mm("MUG", 120, 90, 100, 351, quantity=4),), CATALOGUE, {}),
        (
            "same size in centimetres",
            (Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4),),
            CATALOGUE,
            {},
        ),
        (
            "same size as fractions",
            (
                Item.from_mm(
                    "MUG", Fraction(120), Fraction(90), Fraction(100), Fraction(350), quantity=4
                ),
            ),
            CATALOGUE,
            {},
        ),
    ]


def test_requests_that_differ_anywhere_never_share_a_plan() -> None:
    memo = PackingMemo()
    variants = _variants()
    keys = [
        request_key(PackRequest(items, cartons, **options))
        for _, items, cartons, options in variants
    ]
    assert None not in keys
    assert len(set(keys)) == len(variants)
    for _name, items, cartons, options in variants:
        assert memo.pack(PackRequest(items, cartons, **options)) == pack(items, cartons, **options)
    assert (memo.hits, memo.misses) == (0, len(variants))
    for _name, items, cartons, options in variants:  # each comes back as its own plan
        remembered = memo.pack(PackRequest(items, cartons, **options))
        fresh = pack(items, cartons, **options)
        assert remembered == fresh
        assert repr(remembered) == repr(fresh)
    assert memo.hits == len(variants)


def test_the_memo_keeps_at_most_maxsize_plans_dropping_the_least_recently_used() -> None:
    memo = PackingMemo(maxsize=2)
    requests = [(Item.from_mm("A", 100, 100, 100 + n, 500, quantity=2),) for n in range(3)]
    memo.pack(PackRequest(requests[0], CATALOGUE))
    memo.pack(PackRequest(requests[1], CATALOGUE))
    memo.pack(PackRequest(requests[0], CATALOGUE))  # A0 is now the most recently used
    memo.pack(PackRequest(requests[2], CATALOGUE))  # drops A1
    assert len(memo) == 2
    assert (memo.hits, memo.misses) == (1, 3)
    memo.pack(PackRequest(requests[0], CATALOGUE))
    assert memo.hits == 2
    memo.pack(PackRequest(requests[1], CATALOGUE))
    assert (memo.hits, memo.misses, len(memo)) == (2, 4, 2)
    memo.clear()
    assert len(memo) == 0
    assert (memo.hits, memo.misses) == (2, 4)


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "10", None])
def test_a_memo_needs_a_positive_whole_size(size: Any) -> None:
    with pytest.raises(ValidationError, match="maxsize") as caught:
        PackingMemo(size)
    assert "a positive integer" in str(caught.value)
    assert "PackingMemo" in str(caught.value)


def test_refusals_are_not_remembered_and_raise_every_time() -> None:
    memo = PackingMemo()
    memo.pack(PackRequest(MUGS, CATALOGUE))
    huge = (Item.from_mm("BEAM", 5000, 100, 100, 1000),)
    for _ in range(2):
        with pytest.raises(UnpackableItemError, match="BEAM"):
            memo.pack(PackRequest(huge, CATALOGUE))
    with pytest.raises(ValidationError, match="objective"):
        memo.pack(PackRequest(MUGS, CATALOGUE, objective="speed"))
    assert (memo.hits, memo.misses, len(memo)) == (0, 1, 1)


def test_a_time_limited_search_is_never_remembered() -> None:
    memo = PackingMemo()
    frozen = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    plan = memo.pack(PackRequest(MUGS, CATALOGUE, objective="cartons", time_limit=5, clock=frozen))
    assert plan == pack(MUGS, CATALOGUE, objective="cartons", time_limit=5, clock=frozen)
    assert (memo.hits, memo.misses, len(memo)) == (0, 0, 0)


class _PlainRate:
    """A rate model the memo cannot key exactly (not an attrs class)."""

    def price(self, billable_weight: Any) -> Money:
        return Money("7.00", "USD")


def test_a_request_the_memo_cannot_key_is_packed_directly() -> None:
    memo = PackingMemo()
    rate = _PlainRate()
    assert (
        request_key(PackRequest(MUGS, CATALOGUE, carriers.UPS_DAILY, objective="cost", rate=rate))
        is None
    )
    plan = memo.pack(
        PackRequest(MUGS, CATALOGUE, carrier=carriers.UPS_DAILY, objective="cost", rate=rate)
    )
    assert plan == pack(MUGS, CATALOGUE, carrier=carriers.UPS_DAILY, objective="cost", rate=rate)
    assert (memo.hits, memo.misses, len(memo)) == (0, 0, 0)


def test_threads_share_one_memo_safely() -> None:
    memo = PackingMemo(maxsize=3)
    baskets = [(Item.from_mm("A", 100, 100, 100 + n, 500, quantity=2),) for n in range(5)]
    expected = [pack(b, CATALOGUE) for b in baskets]
    failures: list[int] = []

    def work(offset: int) -> None:
        for n in range(20):
            index = (n + offset) % len(baskets)
            if memo.pack(PackRequest(baskets[index], CATALOGUE)) != expected[index]:
                failures.append(index)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(memo) <= 3
    assert memo.hits + memo.misses == 80


_items = st.lists(
    st.builds(
        lambda sku, dims, grams, quantity, fragile: Item.from_mm(
            sku, dims[0], dims[1], dims[2], grams, quantity=quantity, fragile=fragile
        ),
        st.sampled_from(["A", "B", "C"]),
        st.tuples(st.integers(20, 250), st.integers(20, 250), st.integers(20, 250)),
        st.integers(1, 3000),
        st.integers(1, 4),
        st.booleans(),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda item: item.sku,
)


@settings(max_examples=25, deadline=None)
@given(items=_items, rule=st.sampled_from([None, *carriers.PRESETS.values()]))
def test_a_memo_gives_the_plan_of_a_fresh_pack(items: list[Item], rule: Any) -> None:
    memo = PackingMemo(maxsize=4)
    fresh = pack(items, CATALOGUE, carrier=rule, on_unpackable="report")
    assert memo.pack(PackRequest(items, CATALOGUE, carrier=rule, on_unpackable="report")) == fresh
    assert memo.pack(PackRequest(items, CATALOGUE, carrier=rule, on_unpackable="report")) == fresh
    assert (memo.hits, memo.misses) == (1, 1)


_POOL = [
    ((Item.from_mm("A", 100, 100, 100, 500, quantity=q),), CATALOGUE, rule)
    for q in (1, 2, 7)
    for rule in (None, carriers.UPS_DAILY, carriers.USPS)
]


class MemoMachine(RuleBasedStateMachine):
    """A small memo against a model: the plans it gives and what it keeps."""

    def __init__(self) -> None:
        super().__init__()
        self.memo = PackingMemo(maxsize=3)
        self.fresh = [pack(items, cartons, carrier=rule) for items, cartons, rule in _POOL]
        self.recent: list[int] = []  # the model: request indexes, least recently used first
        self.hits = self.misses = 0

    @rule(index=st.integers(0, len(_POOL) - 1))
    def pack_one(self, index: int) -> None:
        items, cartons, carrier = _POOL[index]
        plan = self.memo.pack(PackRequest(items, cartons, carrier=carrier))
        assert plan == self.fresh[index]
        if index in self.recent:
            self.hits += 1
            self.recent.remove(index)
        else:
            self.misses += 1
        self.recent.append(index)
        del self.recent[:-3]

    @precondition(lambda self: bool(self.recent))
    @rule()
    def clear(self) -> None:
        self.memo.clear()
        self.recent.clear()

    @invariant()
    def matches_the_model(self) -> None:
        assert len(self.memo) == len(self.recent) <= self.memo.maxsize
        assert (self.memo.hits, self.memo.misses) == (self.hits, self.misses)


MemoMachine.TestCase.settings = settings(max_examples=20, stateful_step_count=15, deadline=None)
test_memo_machine = MemoMachine.TestCase


def test_the_item_key_covers_every_field_an_item_compares() -> None:
    import attrs

    compared = [f.name for f in attrs.fields(Item) if f.eq]
    assert compared == [
        "sku",
        "length",
        "width",
        "height",
        "weight",
        "quantity",
        "rotation",
        "max_load",
        "fragile",
        "ship_alone",
        "own_packaging",
        "group",
        "upright",
    ], "a new Item field must be added to ordercycle.packing.memo._item_key"


def test_a_catalogue_rebuilt_as_a_new_tuple_still_finds_the_plan() -> None:
    memo = PackingMemo()
    first = memo.pack(PackRequest(MUGS, CATALOGUE, carrier=carriers.UPS_DAILY))
    assert memo.pack(PackRequest(MUGS, list(CATALOGUE), carrier=carriers.UPS_DAILY)) is first
    assert memo.pack(PackRequest(MUGS, (*CATALOGUE,), carrier=carriers.UPS_DAILY)) is first
    other = (*CATALOGUE[:2], Carton.from_mm("L", 450, 350, 301, tare_g=350))
    assert memo.pack(PackRequest(MUGS, other, carrier=carriers.UPS_DAILY)) == pack(
        MUGS, other, carrier=carriers.UPS_DAILY
    )
    assert (memo.hits, memo.misses) == (2, 2)


def test_floats_that_compare_equal_but_print_apart_get_their_own_plans() -> None:
    def weighing(grams: float) -> tuple[Item, ...]:
        return (Item("A", Q_(100, "mm"), Q_(100, "mm"), Q_(100, "mm"), Q_(grams, "g")),)

    zero, negative_zero = weighing(0.0), weighing(-0.0)
    assert request_key(PackRequest(zero, CATALOGUE)) != request_key(
        PackRequest(negative_zero, CATALOGUE)
    )
    assert request_key(PackRequest(zero, CATALOGUE)) == request_key(
        PackRequest(weighing(0.0), CATALOGUE)
    )
    memo = PackingMemo()
    assert repr(memo.pack(PackRequest(negative_zero, CATALOGUE))) == repr(
        pack(negative_zero, CATALOGUE)
    )
    assert repr(memo.pack(PackRequest(zero, CATALOGUE))) == repr(pack(zero, CATALOGUE))
    assert memo.misses == 2


def test_items_keyed_by_identity_still_tell_every_item_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Item keys are kept by identity, in a bounded table cleared when full: the same item
    # objects again, equal items built anew, and other items after a clearing all find
    # exactly their own plans.
    monkeypatch.setattr("ordercycle.packing.memo._ITEMS_KEPT", 2)
    memo = PackingMemo()
    first = memo.pack(PackRequest(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY))
    assert memo.pack(PackRequest(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY)) is first
    rebuilt = (
        Item.from_mm("MUG", 120, 90, 100, 350, quantity=3),
        Item.from_mm("BOOK", 210, 297, 30, 800, quantity=2, rotation="this_side_up"),
    )
    assert memo.pack(PackRequest(rebuilt, CATALOGUE, carrier=carriers.UPS_DAILY)) is first
    heavier = (rebuilt[0], Item.from_mm("BOOK", 210, 297, 30, 801, quantity=2))
    plan = memo.pack(PackRequest(heavier, CATALOGUE, carrier=carriers.UPS_DAILY))
    assert plan is not first
    assert plan == pack(heavier, CATALOGUE, carrier=carriers.UPS_DAILY)
    assert memo.pack(PackRequest(MUGS, CATALOGUE, carrier=carriers.UPS_DAILY)) == pack(
        MUGS, CATALOGUE, carrier=carriers.UPS_DAILY
    )
    assert memo.pack(PackRequest(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY)) is first
    assert (memo.hits, memo.misses) == (3, 3)
    memo.clear()
    assert memo.pack(PackRequest(BASKET, CATALOGUE, carrier=carriers.UPS_DAILY)) == first


def test_memo_keys_hash_once_and_compare_by_what_they_key() -> None:
    from ordercycle.packing.memo import _Hashed

    first = _Hashed(request_key(PackRequest(BASKET, CATALOGUE, carriers.UPS_DAILY)))
    again = _Hashed(request_key(PackRequest(list(BASKET), list(CATALOGUE), carriers.UPS_DAILY)))
    other = _Hashed(request_key(PackRequest(MUGS, CATALOGUE, carriers.UPS_DAILY)))
    assert first == again
    assert hash(first) == hash(again)
    assert first != other
    assert first != first.key  # only another memo key compares equal
    assert {first: 1}[again] == 1
