"""Typed ids and id factories."""

from __future__ import annotations

import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ordercycle.errors import OrderCycleError, ValidationError
from ordercycle.model.ids import (
    DEFAULT_PREFIXES,
    IdFactory,
    InvalidIdError,
    RandomIdFactory,
    SequentialIdFactory,
    UnknownIdKindError,
    parse_customer_id,
    parse_id,
    parse_location_id,
    parse_lot_id,
    parse_order_id,
    parse_sku,
)


def test_parse_sku_returns_valid_text_unchanged():
    assert parse_sku("MUG-12") == "MUG-12"
    assert parse_order_id("O-1") == "O-1"
    assert parse_customer_id("C-9") == "C-9"
    assert parse_location_id("WH-A/01") == "WH-A/01"
    assert parse_lot_id("LOT 2026") == "LOT 2026"


@pytest.mark.parametrize("bad", ["", " MUG", "MUG ", "MU\nG", "MUG\t", "\x00", 12, None, b"MUG"])
def test_parse_sku_refuses_empty_padded_unprintable_and_non_text(bad):
    with pytest.raises(InvalidIdError) as info:
        parse_sku(bad)
    error = info.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, ValueError)
    assert isinstance(error, OrderCycleError)
    assert repr(bad) in str(error)
    assert "Invalid sku" in str(error)
    assert "no leading or trailing whitespace" in str(error)
    assert error.value == bad
    assert error.kind == "sku"


def test_parse_id_refuses_overlong_text_and_says_the_limit():
    with pytest.raises(InvalidIdError, match="at most 200 characters"):
        parse_id("order id", "O" * 201)


def test_invalid_id_error_pickles_with_attributes():
    error = InvalidIdError("sku", " x", "something")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InvalidIdError
    assert (str(copy), copy.kind, copy.value) == (str(error), "sku", " x")


@given(st.text(min_size=1, max_size=50))
def test_parse_id_accepts_exactly_the_stripped_printable_text(text):
    valid = text == text.strip() and text.isprintable()
    if valid:
        assert parse_id("sku", text) == text
    else:
        with pytest.raises(InvalidIdError):
            parse_id("sku", text)


def test_sequential_ids_count_per_kind_with_prefixes():
    ids = SequentialIdFactory()
    assert [ids.new_id("order") for _ in range(3)] == ["O-1", "O-2", "O-3"]
    assert ids.new_id("invoice") == "INV-1"
    assert ids.new_id("shipment") == "SHP-1"
    assert dict(ids.snapshot()) == {"invoice": 1, "order": 3, "shipment": 1}
    assert isinstance(ids, IdFactory)


def test_sequential_factory_with_custom_prefixes_and_separator():
    ids = SequentialIdFactory(prefixes={"order": "SO"}, separator="#")
    assert ids.new_id("order") == "SO#1"
    assert dict(ids.prefixes) == {"order": "SO"}


def test_unknown_kind_is_refused_with_the_known_kinds_and_counters_unchanged():
    ids = SequentialIdFactory()
    ids.new_id("order")
    with pytest.raises(UnknownIdKindError) as info:
        ids.new_id("widget")
    assert "Unknown id kind 'widget'" in str(info.value)
    assert "order" in str(info.value)
    assert isinstance(info.value, LookupError)
    assert info.value.known == tuple(sorted(DEFAULT_PREFIXES))
    assert dict(ids.snapshot()) == {"order": 1}


def test_bad_prefix_table_is_refused():
    with pytest.raises(InvalidIdError, match="prefix for 'order'"):
        SequentialIdFactory(prefixes={"order": " O"})
    with pytest.raises(ValidationError, match="separator"):
        SequentialIdFactory(separator="\n")


def test_restore_refuses_bad_counters_and_leaves_counters_unchanged():
    ids = SequentialIdFactory()
    ids.new_id("order")
    with pytest.raises(ValidationError, match="non-negative integer"):
        ids.restore({"invoice": 4, "order": -1})
    with pytest.raises(UnknownIdKindError):
        ids.restore({"widget": 1})
    with pytest.raises(ValidationError):
        ids.restore({"order": True})
    assert dict(ids.snapshot()) == {"order": 1}
    assert ids.new_id("order") == "O-2"


def test_snapshot_is_read_only_and_detached():
    ids = SequentialIdFactory()
    ids.new_id("order")
    snap = ids.snapshot()
    ids.new_id("order")
    assert snap["order"] == 1
    with pytest.raises(TypeError):
        snap["order"] = 5  # type: ignore[index]


def test_random_ids_are_uuid_shaped_and_reproducible_per_seed():
    first = RandomIdFactory(42)
    second = RandomIdFactory(random.Random(42))
    a = [first.new_id("order") for _ in range(5)]
    b = [second.new_id("order") for _ in range(5)]
    assert a == b
    assert len(set(a)) == 5
    prefix, _, rest = a[0].partition("-")
    assert prefix == "O"
    parts = rest.split("-")
    assert [len(p) for p in parts] == [8, 4, 4, 4, 12]
    assert parts[2][0] == "4"
    assert RandomIdFactory(43).new_id("order") != a[0]


@pytest.mark.parametrize("bad", [None, 1.5, "seed", True])
def test_random_factory_refuses_anything_but_a_seed_or_generator(bad):
    with pytest.raises(ValidationError, match=r"integer seed or a random\.Random"):
        RandomIdFactory(bad)


def test_random_factory_refuses_unknown_kind():
    with pytest.raises(UnknownIdKindError):
        RandomIdFactory(1).new_id("widget")


class SequentialFactoryMachine(RuleBasedStateMachine):
    """The factory behaves like a dictionary of counters, and never repeats an id."""

    def __init__(self) -> None:
        super().__init__()
        self.factory = SequentialIdFactory()
        self.model: dict[str, int] = {}
        self.issued: set[str] = set()
        self.saved: dict[str, int] | None = None

    @rule(kind=st.sampled_from(sorted(DEFAULT_PREFIXES)))
    def new_id(self, kind: str) -> None:
        value = self.factory.new_id(kind)
        self.model[kind] = self.model.get(kind, 0) + 1
        assert value == f"{DEFAULT_PREFIXES[kind]}-{self.model[kind]}"
        assert value not in self.issued
        self.issued.add(value)

    @rule()
    def snapshot(self) -> None:
        self.saved = dict(self.factory.snapshot())

    @precondition(lambda self: self.saved is not None)
    @rule()
    def restore(self) -> None:
        assert self.saved is not None
        self.factory.restore(self.saved)
        self.model = dict(self.saved)
        prefixes = DEFAULT_PREFIXES
        self.issued = {
            f"{prefixes[k]}-{n}" for k, top in self.model.items() for n in range(1, top + 1)
        }

    @invariant()
    def counters_match_model(self) -> None:
        assert dict(self.factory.snapshot()) == self.model


TestSequentialFactoryMachine = SequentialFactoryMachine.TestCase
TestSequentialFactoryMachine.settings = settings(max_examples=50, stateful_step_count=30)
