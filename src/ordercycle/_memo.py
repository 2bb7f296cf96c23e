"""Bounded memos of pure functions: the one kind of module-level state the core allows.

See the architecture's "pure core": a memo holds answers that depend on their key alone
(or on one or two frozen objects), is emptied whole when full (one call, safe with threads, unlike
dropping the oldest), and has a test that its answers equal fresh ones.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

_Answer = TypeVar("_Answer")


def remember(
    table: dict[Any, _Answer], kept: int, key: Hashable, work: Callable[[], _Answer]
) -> _Answer:
    """``table[key]``, worked out by ``work()`` the first time it is asked.

    A table holding ``kept`` answers is emptied whole before the next one goes in.
    An answer of ``None`` reads as not known: it is worked out again each time.
    """
    known = table.get(key)
    if known is None:
        if len(table) >= kept:
            table.clear()
        known = table[key] = work()
    return known


def remember_for(
    table: dict[int, tuple[object, _Answer]],
    kept: int,
    value: object,
    make: Callable[[Any], _Answer],
) -> _Answer:
    """``make(value)``, kept by the identity of ``value`` (for objects that are not hashable
    or costly to hash, shared by many callers: a tax profile, payment terms).

    The entry holds ``value`` itself, so its id cannot be reused by another object while
    the answer is kept. A table holding ``kept`` answers is emptied whole first.
    """
    known = table.get(id(value))
    if known is not None and known[0] is value:
        return known[1]
    answer = make(value)
    if len(table) >= kept:
        table.clear()
    table[id(value)] = (value, answer)
    return answer


def remember_for_pair(
    table: dict[tuple[Hashable, ...], tuple[object, object, _Answer]],
    kept: int,
    first: object,
    second: object,
    detail: tuple[Hashable, ...],
    work: Callable[[], _Answer],
) -> _Answer:
    """``work()``, kept by the identities of ``first`` and ``second`` and by ``detail``
    (what else the answer depends on): :func:`remember_for` for an answer of two objects.

    The entry holds both objects, so their ids cannot be reused by others while the answer
    is kept; an answer of ``None`` is kept too. A table holding ``kept`` answers is emptied
    whole first.
    """
    key = (id(first), id(second), *detail)
    known = table.get(key)
    if known is not None and known[0] is first and known[1] is second:
        return known[2]
    answer = work()
    if len(table) >= kept:
        table.clear()
    table[key] = (first, second, answer)
    return answer
