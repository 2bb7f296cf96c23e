"""The per-kind repository, and the payload hash used for idempotent commands."""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ConcurrencyError, NotFoundError, ValidationError
from ordercycle.model.events import DomainEvent
from ordercycle.storage import MemoryStorage, Repository, Snapshot, canonical_json, payload_hash
from ordercycle.testing.contracts import ContractItemAdded, item_added


@attrs.frozen
class Cart:
    cart_id: str
    skus: tuple[str, ...]
    version: int

    @classmethod
    def replay(cls, events: Sequence[DomainEvent]) -> Cart:
        skus = tuple(e.sku for e in events if isinstance(e, ContractItemAdded))
        return cls(events[0].aggregate_id, skus, events[-1].version)


def test_a_repository_saves_and_rebuilds_an_aggregate() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        carts = Repository(uow, "cart", Cart.replay)
        assert not carts.exists("C-1")
        carts.save("C-1", [item_added("C-1", 1, sku="MUG")], expected_version=0)
        assert carts.save("C-1", [item_added("C-1", 2, sku="CUP")], expected_version=1) == 2
    with storage.unit_of_work() as uow:
        carts = Repository(uow, "cart", Cart.replay)
        assert carts.get("C-1") == Cart("C-1", ("MUG", "CUP"), 2)
        assert carts.exists("C-1")
        assert carts.version("C-1") == 2
        assert carts.ids() == ("C-1",)
        assert repr(carts) == "Repository(kind='cart')"


def test_an_unknown_aggregate_is_not_found() -> None:
    with MemoryStorage().unit_of_work() as uow:
        with pytest.raises(NotFoundError, match="Unknown cart 'C-9'") as caught:
            Repository(uow, "cart", Cart.replay).get("C-9")
        assert (caught.value.kind, caught.value.key) == ("cart", "C-9")


def test_a_stale_save_raises_and_keeps_the_stored_aggregate() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        Repository(uow, "cart", Cart.replay).save(
            "C-1", [item_added("C-1", 1, sku="MUG")], expected_version=0
        )
    with storage.unit_of_work() as uow:
        carts = Repository(uow, "cart", Cart.replay)
        with pytest.raises(ConcurrencyError, match="cart 'C-1'"):
            carts.save("C-1", [item_added("C-1", 1, sku="TEA")], expected_version=0)
        assert carts.get("C-1") == Cart("C-1", ("MUG",), 1)


def test_a_repository_needs_a_kind() -> None:
    with MemoryStorage().unit_of_work() as uow, pytest.raises(ValidationError, match="kind"):
        Repository(uow, "", Cart.replay)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=4), json_values, max_size=5))
def test_payload_hash_ignores_key_order(payload: dict[str, object]) -> None:
    reordered = dict(reversed(list(payload.items())))
    assert payload_hash(reordered) == payload_hash(payload)
    assert json.loads(canonical_json(payload)) == payload


@settings(max_examples=60, deadline=None)
@given(json_values, json_values)
def test_payload_hash_tells_different_payloads_apart(a: object, b: object) -> None:
    assert (payload_hash(a) == payload_hash(b)) == (canonical_json(a) == canonical_json(b))


def restore_cart(snapshot: Snapshot, events: Sequence[DomainEvent]) -> Cart:
    state = json.loads(snapshot.payload)
    skus = tuple(state["skus"]) + tuple(e.sku for e in events if isinstance(e, ContractItemAdded))
    return Cart(snapshot.aggregate_id, skus, events[-1].version if events else snapshot.version)


def test_a_repository_with_restore_starts_from_the_latest_snapshot() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        carts = Repository(uow, "cart", Cart.replay, restore=restore_cart)
        carts.save(
            "C-1",
            [item_added("C-1", 1, sku="MUG"), item_added("C-1", 2, sku="CUP")],
            expected_version=0,
        )
        # A snapshot that disagrees with the events shows which path was taken.
        carts.save_snapshot("C-1", 2, json.dumps({"skus": ["FROM-SNAPSHOT"]}))
        carts.save("C-1", [item_added("C-1", 3, sku="TEA")], expected_version=2)
    with storage.unit_of_work() as uow:
        assert Repository(uow, "cart", Cart.replay, restore=restore_cart).get("C-1") == Cart(
            "C-1", ("FROM-SNAPSHOT", "TEA"), 3
        )
        assert Repository(uow, "cart", Cart.replay).get("C-1") == Cart(
            "C-1", ("MUG", "CUP", "TEA"), 3
        )


def test_a_snapshot_beyond_the_stream_is_refused_by_the_repository() -> None:
    with MemoryStorage().unit_of_work() as uow:
        carts = Repository(uow, "cart", Cart.replay, restore=restore_cart)
        with pytest.raises(ValidationError, match="version"):
            carts.save_snapshot("C-1", 1, "{}")
        assert uow.snapshots.latest("cart", "C-1") is None
        with pytest.raises(NotFoundError):
            carts.get("C-1")
