"""The bounded memos of pure functions (``ordercycle._memo``): the one module-level state."""

from __future__ import annotations

from decimal import Decimal

from ordercycle._memo import remember, remember_for


def test_remember_works_an_answer_out_once_per_key() -> None:
    table: dict[str, int] = {}
    calls: list[str] = []

    def work(key: str) -> int:
        calls.append(key)
        return len(key)

    assert [remember(table, 8, k, lambda k=k: work(k)) for k in ("ab", "abc", "ab")] == [2, 3, 2]
    assert calls == ["ab", "abc"]


def test_remember_empties_a_full_table_whole_before_the_next_answer() -> None:
    table: dict[int, int] = {}
    for key in range(3):
        remember(table, 3, key, lambda key=key: key * 10)
    assert len(table) == 3
    assert remember(table, 3, 7, lambda: 70) == 70
    assert table == {7: 70}


def test_remember_works_a_none_answer_out_again() -> None:
    table: dict[str, None] = {}
    calls = []
    for _ in range(2):
        remember(table, 4, "k", lambda: calls.append(1))
    assert calls == [1, 1]


def test_remember_for_keys_by_identity_not_equality() -> None:
    table: dict[int, tuple[object, str]] = {}
    calls: list[object] = []

    def make(value: object) -> str:
        calls.append(value)
        return f"<{value}>"

    first, equal = [Decimal("1.5")], [Decimal("1.5")]
    assert remember_for(table, 4, first, make) == "<[Decimal('1.5')]>"
    assert remember_for(table, 4, first, make) == "<[Decimal('1.5')]>"
    assert remember_for(table, 4, equal, make) == "<[Decimal('1.5')]>"
    # An equal but distinct object is worked out again: a list is mutable, an id is not a value.
    assert calls == [first, equal]
    assert calls[0] is first
    assert calls[1] is equal


def test_remember_for_holds_the_object_so_a_reused_id_cannot_match() -> None:
    table: dict[int, tuple[object, str]] = {}
    value = object()
    remember_for(table, 4, value, lambda v: "first")
    # A stale entry under the same id but for another object is not trusted.
    other = object()
    table[id(other)] = (value, "stale")
    assert remember_for(table, 4, other, lambda v: "fresh") == "fresh"
    assert table[id(other)] == (other, "fresh")


def test_remember_for_empties_a_full_table_whole() -> None:
    table: dict[int, tuple[object, int]] = {}
    kept = [object() for _ in range(3)]
    for i, value in enumerate(kept):
        remember_for(table, 3, value, lambda v, i=i: i)
    newcomer = object()
    assert remember_for(table, 3, newcomer, lambda v: 9) == 9
    assert list(table.values()) == [(newcomer, 9)]
