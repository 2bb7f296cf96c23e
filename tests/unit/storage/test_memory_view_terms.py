"""A memory view row rewritten with other terms is found by its new terms only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.storage import MemoryStorage
from ordercycle.storage.memory import MemoryUnitOfWork
from ordercycle.storage.views import ViewQuery, ViewRow


def _row(version: int, *terms: tuple[str, str], key: str = "O-1") -> ViewRow:
    return ViewRow(view="orders", key=key, version=version, sort=key, terms=terms)


def _found(storage: MemoryStorage, field: str, value: str) -> list[str]:
    with storage.reading() as uow:
        query = ViewQuery(view="orders", where=((field, value),))
        return [row.key for row in uow.projections.find(query)]


def test_a_rewrite_moves_the_key_from_the_terms_it_lost_to_the_ones_it_gained() -> None:
    storage = MemoryStorage()
    writes = [
        _row(1, ("customer", "C-1"), ("sku", "MUG"), ("state", "placed")),
        _row(1, ("customer", "C-1"), ("state", "placed"), key="O-2"),
        _row(2, ("customer", "C-1"), ("sku", "LAMP"), ("sku", "MUG"), ("state", "allocated")),
        _row(3, ("customer", "C-1"), ("sku", "LAMP"), ("state", "allocated")),
        _row(2, ("customer", "C-9"), ("state", "placed")),  # older: not kept
    ]
    for row in writes:
        with storage.unit_of_work() as uow:
            uow.projections.put(row)
    assert _found(storage, "customer", "C-1") == ["O-1", "O-2"]
    assert _found(storage, "state", "placed") == ["O-2"]
    assert _found(storage, "state", "allocated") == ["O-1"]
    assert _found(storage, "sku", "LAMP") == ["O-1"]
    assert _found(storage, "sku", "MUG") == []
    assert _found(storage, "customer", "C-9") == []
    # The index holds exactly what the kept rows' terms say (an empty set at most where a
    # key left a term).
    state = storage._state
    indexed = {term: keys for term, keys in state.terms.items() if keys}
    rebuilt: dict[tuple[str, str, str], set[str]] = {}
    for key, row in state.views["orders"].items():
        for field, value in row.terms:
            rebuilt.setdefault(("orders", field, value), set()).add(key)
    assert indexed == rebuilt


_PAIRS = st.tuples(st.sampled_from(["customer", "sku", "state"]), st.sampled_from(["A", "B", "C"]))
_WRITES = st.lists(
    st.tuples(
        st.sampled_from(["O-1", "O-2", "O-3"]),
        st.integers(min_value=0, max_value=4),
        st.lists(_PAIRS, max_size=5),
        st.booleans(),  # delete the row instead
    ),
    max_size=20,
)


@settings(max_examples=80, deadline=None)
@given(writes=_WRITES, batched=st.booleans())
def test_the_term_index_is_what_the_kept_rows_say_after_any_rewrites(
    writes: list[tuple[str, int, list[tuple[str, str]], bool]], batched: bool
) -> None:
    """Rewrites move a key only between the terms it lost and gained (the commit diffs a
    row's terms): the index always equals the one rebuilt from the kept rows, and every
    query by a term finds exactly the kept rows that have it."""
    storage = MemoryStorage()

    def write(
        uow: MemoryUnitOfWork, key: str, version: int, terms: list[tuple[str, str]], delete: bool
    ) -> None:
        if delete:
            uow.projections.delete("orders", key)
        else:
            uow.projections.put(_row(version, *terms, key=key))

    if batched:  # several rewrites of one key in one commit
        with storage.unit_of_work() as uow:
            for entry in writes:
                write(uow, *entry)
    else:
        for entry in writes:
            with storage.unit_of_work() as uow:
                write(uow, *entry)
    state = storage._state
    indexed = {term: keys for term, keys in state.terms.items() if keys}
    rebuilt: dict[tuple[str, str, str], set[str]] = {}
    for key, row in state.views.get("orders", {}).items():
        for field, value in row.terms:
            rebuilt.setdefault(("orders", field, value), set()).add(key)
    assert indexed == rebuilt
    for _view, field, value in {*indexed, *rebuilt}:
        assert _found(storage, field, value) == sorted(rebuilt.get(("orders", field, value), ()))


def test_a_deleted_row_takes_the_terms_only_it_had_with_it() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        uow.projections.put(_row(1, ("customer", "C-1"), ("state", "placed")))
        uow.projections.put(_row(1, ("customer", "C-1"), ("state", "allocated"), key="O-2"))
    with storage.unit_of_work() as uow:
        uow.projections.delete("orders", "O-1")
    # The term only O-1 had is gone from the index (not kept as an empty set); the shared
    # one keeps the other row's key.
    assert storage._state.terms == {
        ("orders", "customer", "C-1"): {"O-2"},
        ("orders", "state", "allocated"): {"O-2"},
    }
    assert _found(storage, "state", "placed") == []
    assert _found(storage, "customer", "C-1") == ["O-2"]
    with storage.unit_of_work() as uow:  # a term emptied and then used again
        uow.projections.put(_row(2, ("state", "placed"), key="O-2"))
    assert _found(storage, "state", "placed") == ["O-2"]
