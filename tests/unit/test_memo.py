"""The bounded memos of pure functions (``ordercycle._memo``): the one module-level state."""

from __future__ import annotations

from decimal import Decimal

from ordercycle._memo import remember, remember_for, remember_for_pair


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


def test_remember_for_pair_keys_by_both_identities_and_the_detail() -> None:
    table: dict[tuple[object, ...], tuple[object, object, int | None]] = {}
    calls: list[tuple[object, object, int]] = []

    def work(first: object, second: object, detail: int) -> int | None:
        calls.append((first, second, detail))
        return None if detail == 0 else detail * 10

    rule, carton, equal_carton = object(), [1], [1]
    for _ in range(2):  # the second round is all remembered, a None answer too
        for second in (carton, equal_carton):
            for detail in (0, 3):
                answer = remember_for_pair(
                    table, 8, rule, second, (detail,), lambda s=second, d=detail: work(rule, s, d)
                )
                assert answer == (None if detail == 0 else detail * 10)
    assert len(calls) == 4  # an equal but distinct object is worked out again
    assert [c[1] for c in calls] == [carton, carton, equal_carton, equal_carton]
    assert calls[2][1] is equal_carton


def test_remember_for_pair_holds_both_objects_and_empties_a_full_table_whole() -> None:
    table: dict[tuple[object, ...], tuple[object, object, str]] = {}
    first, second = object(), object()
    remember_for_pair(table, 2, first, second, (), lambda: "kept")
    # A stale entry under the ids of other objects is not trusted.
    other = object()
    table[(id(other), id(second))] = (first, second, "stale")
    assert remember_for_pair(table, 2, other, second, (), lambda: "fresh") == "fresh"
    # The table held two answers (its limit), so it was emptied whole before this one.
    assert table == {(id(other), id(second)): (other, second, "fresh")}
