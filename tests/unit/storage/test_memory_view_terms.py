"""A memory view row rewritten with other terms is found by its new terms only."""

from __future__ import annotations

from ordercycle.storage import MemoryStorage
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
