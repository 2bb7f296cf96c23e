"""The Ratliff–Rosenthal dynamic program for one block of parallel aisles (private).

The program builds a minimum-length *tour subgraph*: a connected multigraph on the aisle
lattice (aisle ends, pick points, cross-aisle edges) in which every vertex has even degree
and every pick and the depot has positive degree; an Euler walk of it is an optimal tour
(Ratliff and Rosenthal 1983, as presented by Roodbergen and de Koster 2001). With different
start and end depots the two depots must have odd degree instead, and the Euler walk runs
from one to the other.

It sweeps the aisles from left to right. After aisle ``j`` the partial subgraph is
summarised by an *equivalence class*: the degree class of the front node ``a_j`` and the
back node ``b_j`` (absent, odd, even) and the number of connected components that touch
them (0, 1 or 2), plus one class for "the tour is already closed". Two kinds of stage
alternate:

* a cross-aisle stage adds each of the edges ``a_j a_{j+1}`` and ``b_j b_{j+1}`` zero,
  one or two times; ``a_j`` and ``b_j`` leave the frontier, so their final degree parity
  must be right and no component may be left behind (unless it is the whole tour);
* an aisle stage picks one of the six ways to cover an aisle: nothing (empty aisles only),
  traverse once, traverse twice, return from the front to the farthest pick, return from
  the back, or return from both ends leaving the largest gap between two picks unwalked.

Only 7 of these classes are reachable after a cross-aisle stage in the classic setting
(depot at the front), the seven of the 1983 paper; the transition tables below are
derived mechanically from the component bookkeeping, which keeps them honest for any
depot position and for open tours. Costs are integers (scaled layout units).
"""

from __future__ import annotations

import itertools
from typing import Final

__all__ = ["AisleOption", "solve"]

# Degree classes of a frontier node.
_ABSENT, _ODD, _EVEN = 0, 1, 2
# Requirement on a node when it leaves the frontier.
REQ_NONE, REQ_EVEN, REQ_ODD = 0, 1, 2
_DONE: Final = 27
_START: Final = 0  # (absent, absent, no component)
_INF: Final = 1 << 62

# Aisle options: (edges added at the front node, at the back node, connects front and back).
NONE, FULL1, FULL2, FRONT, BACK, GAP = range(6)
_OPTION_SHAPE: Final = {
    NONE: (0, 0, False),
    FULL1: (1, 1, True),
    FULL2: (2, 2, True),
    FRONT: (2, 0, False),
    BACK: (0, 2, False),
    GAP: (2, 2, False),
}
AisleOption = int


def _encode(da: int, db: int, comps: int) -> int:
    return da * 9 + db * 3 + comps


def _decode(state: int) -> tuple[int, int, int]:
    return state // 9, (state // 3) % 3, state % 3


def _add(degree: int, edges: int) -> int:
    if degree == _ABSENT and edges == 0:
        return _ABSENT
    parity = (1 if degree == _ODD else 0) + edges
    return _ODD if parity % 2 else _EVEN


def _leaves_ok(degree: int, edges: int, requirement: int) -> bool:
    final = _add(degree, edges)
    if final == _ABSENT:
        return requirement == REQ_NONE
    if requirement == REQ_ODD:
        return final == _ODD
    return final == _EVEN


def _horizontal(state: int, x: int, y: int, req_a: int, req_b: int) -> int:
    """Next class after adding ``x`` front and ``y`` back cross-aisle edges, or -1."""
    if state == _DONE:
        ok = x == 0 and y == 0 and req_a == REQ_NONE and req_b == REQ_NONE
        return _DONE if ok else -1
    da, db, comps = _decode(state)
    if not (_leaves_ok(da, x, req_a) and _leaves_ok(db, y, req_b)):
        return -1
    # Old components and whether each continues to the next aisle.
    if comps == 0:
        old: list[bool] = []
    elif comps == 1:
        old = [(da != _ABSENT and x > 0) or (db != _ABSENT and y > 0)]
    else:
        old = [x > 0, y > 0]
    closed = old.count(False)
    if closed:
        # A closed component must be the whole tour: nothing else may exist or start.
        return _DONE if len(old) == 1 and x == 0 and y == 0 else -1
    na = _ABSENT if x == 0 else (_ODD if x == 1 else _EVEN)
    nb = _ABSENT if y == 0 else (_ODD if y == 1 else _EVEN)
    if na == _ABSENT and nb == _ABSENT:
        return _START
    if na != _ABSENT and nb != _ABSENT:
        joined = comps == 1 and da != _ABSENT and db != _ABSENT
        return _encode(na, nb, 1 if joined else 2)
    return _encode(na, nb, 1)


def _vertical(state: int, option: int) -> int:
    """Next class after covering the aisle with ``option``, or -1."""
    ea, eb, connects = _OPTION_SHAPE[option]
    if state == _DONE:
        return _DONE if option == NONE else -1
    da, db, comps = _decode(state)
    na, nb = _add(da, ea), _add(db, eb)
    if na == _ABSENT and nb == _ABSENT:
        return _START
    if na != _ABSENT and nb != _ABSENT:
        if connects:
            return _encode(na, nb, 1)
        joined = comps == 1 and da != _ABSENT and db != _ABSENT
        return _encode(na, nb, 1 if joined else 2)
    return _encode(na, nb, 1)


def _valid(state: int) -> bool:
    if state == _DONE:
        return True
    da, db, comps = _decode(state)
    if comps == 0:
        return da == _ABSENT and db == _ABSENT
    if comps == 2:
        return da != _ABSENT and db != _ABSENT
    return da != _ABSENT or db != _ABSENT


_STATES: Final = tuple(s for s in range(28) if _valid(s))
_H_CHOICES: Final = tuple((x, y) for x in range(3) for y in range(3))
#: H[state][req_a * 3 + req_b] = ((x, y, next), ...)
_H: Final = tuple(
    tuple(
        tuple((x, y, nxt) for x, y in _H_CHOICES if (nxt := _horizontal(s, x, y, ra, rb)) >= 0)
        for ra in range(3)
        for rb in range(3)
    )
    for s in range(28)
)
#: V[state][option] = next or -1
_V: Final = tuple(tuple(_vertical(s, o) for o in range(6)) for s in range(28))


def aisle_options(ys: list[int], length: int) -> list[tuple[int, int]]:
    """The ways to cover an aisle with sorted pick ``ys`` as ``(option, cost)`` pairs."""
    if not ys:
        return [(NONE, 0), (FULL1, length), (FULL2, 2 * length)]
    options = [
        (FULL1, length),
        (FULL2, 2 * length),
        (FRONT, 2 * ys[-1]),
        (BACK, 2 * (length - ys[0])),
    ]
    if len(ys) > 1:
        gap = max(b - a for a, b in itertools.pairwise(ys))
        options.append((GAP, 2 * (length - gap)))
    return options


def solve(
    aisle_ys: list[list[int]],
    length: int,
    spacing: int,
    req_front: list[int],
    req_back: list[int],
) -> tuple[int, list[int], list[tuple[int, int]]]:
    """Run the program.

    Args:
        aisle_ys: Sorted distinct pick positions per aisle (0 = front, ``length`` = back).
        length: Aisle length between the cross-aisle centre lines.
        spacing: Distance between neighbouring aisles.
        req_front: Requirement on each aisle's front node (``REQ_*``).
        req_back: Requirement on each aisle's back node.

    Returns:
        The optimal length, the option chosen per aisle, and the cross-aisle edge counts
        ``(front, back)`` between aisle ``j`` and ``j + 1``.
    """
    n = len(aisle_ys)
    inf = _INF
    cost = [inf] * 28
    cost[_START] = 0
    back_v: list[list[tuple[int, int]]] = []
    back_h: list[list[tuple[int, int, int]]] = []
    h_table, v_table = _H, _V
    for j in range(n):
        if j:
            req = req_front[j - 1] * 3 + req_back[j - 1]
            new = [inf] * 28
            pointers = [(-1, 0, 0)] * 28
            for s in _STATES:
                c = cost[s]
                if c == inf:
                    continue
                for x, y, nxt in h_table[s][req]:
                    total = c + (x + y) * spacing
                    if total < new[nxt]:
                        new[nxt] = total
                        pointers[nxt] = (s, x, y)
            cost = new
            back_h.append(pointers)
        new = [inf] * 28
        vpointers = [(-1, 0)] * 28
        options = aisle_options(aisle_ys[j], length)
        for s in _STATES:
            c = cost[s]
            if c == inf:
                continue
            row = v_table[s]
            for option, extra in options:
                nxt = row[option]
                if nxt >= 0 and c + extra < new[nxt]:
                    new[nxt] = c + extra
                    vpointers[nxt] = (s, option)
        cost = new
        back_v.append(vpointers)
    req = req_front[n - 1] * 3 + req_back[n - 1]
    best, best_state = inf, -1
    for s in _STATES:
        if cost[s] < best and any(x == 0 and y == 0 for x, y, _ in h_table[s][req]):
            best, best_state = cost[s], s
    if best_state < 0:  # pragma: no cover - a depot and a pick always give a tour
        raise AssertionError("no tour subgraph found")
    chosen = [0] * n
    crossings = [(0, 0)] * max(n - 1, 0)
    state = best_state
    for j in range(n - 1, -1, -1):
        state, chosen[j] = back_v[j][state]
        if j:
            state, x, y = back_h[j - 1][state]
            crossings[j - 1] = (x, y)
    return best, chosen, crossings


def reachable_classes_after_crossing() -> tuple[int, ...]:
    """Classes reachable right after a cross-aisle stage with no depot requirement."""
    seen = {_START}
    frontier = [_START]
    while frontier:
        s = frontier.pop()
        for option in range(6):
            v = _V[s][option]
            if v < 0:
                continue
            for _, _, h in _H[v][0]:
                if h not in seen:
                    seen.add(h)
                    frontier.append(h)
    return tuple(sorted(seen))
