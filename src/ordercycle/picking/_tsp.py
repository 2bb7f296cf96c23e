"""Exact and local-search tours on a distance matrix (private).

Node 0 is the start, nodes ``1..k`` the stops, node ``k + 1`` the end (which may be the
same place as the start). Tours are lists of stop nodes in visiting order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

__all__ = ["held_karp", "improve", "nearest_neighbour", "tour_length"]

Matrix = Sequence[Sequence[int]]
_INF = 1 << 62


def tour_length(d: Matrix, tour: Sequence[int]) -> int:
    """Length of start -> tour -> end."""
    sequence = [0, *tour, len(d) - 1]
    return sum(d[a][b] for a, b in itertools.pairwise(sequence))


def held_karp(d: Matrix) -> list[int]:
    """The optimal stop order by the Held–Karp dynamic program (O(2^k k^2))."""
    k = len(d) - 2
    if k <= 0:
        return []
    full = (1 << k) - 1
    best = [[_INF] * k for _ in range(1 << k)]
    parent = [[-1] * k for _ in range(1 << k)]
    for i in range(k):
        best[1 << i][i] = d[0][i + 1]
    for mask in range(1, 1 << k):
        row = best[mask]
        rest = full ^ mask
        for last in range(k):
            value = row[last]
            if value >= _INF:
                continue
            from_last = d[last + 1]
            bits = rest
            while bits:
                bit = bits & -bits
                bits ^= bit
                nxt = bit.bit_length() - 1
                total = value + from_last[nxt + 1]
                target = best[mask | bit]
                if total < target[nxt]:
                    target[nxt] = total
                    parent[mask | bit][nxt] = last
    end = k + 1
    last = min(range(k), key=lambda i: (best[full][i] + d[i + 1][end], i))
    tour: list[int] = []
    mask = full
    while last >= 0:
        tour.append(last + 1)
        previous = parent[mask][last]
        mask ^= 1 << last
        last = previous
    tour.reverse()
    return tour


def nearest_neighbour(d: Matrix) -> list[int]:
    """Greedy construction: always walk to the nearest unvisited stop (lowest index on ties)."""
    k = len(d) - 2
    left = set(range(1, k + 1))
    here, tour = 0, []
    while left:
        here = min(left, key=lambda j: (d[here][j], j))
        left.remove(here)
        tour.append(here)
    return tour


def improve(d: Matrix, tour: list[int]) -> list[int]:
    """2-opt and Or-opt (segments of 1 to 3 stops, both directions) until no move helps."""
    seq = [0, *tour, len(d) - 1]
    improved = True
    while improved:
        improved = _two_opt(d, seq) or _or_opt(d, seq)
    return seq[1:-1]


def _two_opt(d: Matrix, seq: list[int]) -> bool:
    k = len(seq) - 2
    for i in range(1, k):
        a, b = seq[i - 1], seq[i]
        dab = d[a][b]
        for j in range(i + 1, k + 1):
            c, e = seq[j], seq[j + 1]
            if d[a][c] + d[b][e] < dab + d[c][e]:
                seq[i : j + 1] = seq[i : j + 1][::-1]
                return True
    return False


def _or_opt(d: Matrix, seq: list[int]) -> bool:
    k = len(seq) - 2
    for size in (1, 2, 3):
        for i in range(1, k - size + 2):
            first, last = seq[i], seq[i + size - 1]
            before, after = seq[i - 1], seq[i + size]
            gain = d[before][first] + d[last][after] - d[before][after]
            if gain <= 0:
                continue
            rest = seq[:i] + seq[i + size :]
            for q in range(len(rest) - 1):
                if q == i - 1:
                    continue
                a, b = rest[q], rest[q + 1]
                forward = d[a][first] + d[last][b] - d[a][b]
                backward = d[a][last] + d[first][b] - d[a][b]
                if min(forward, backward) < gain:
                    segment = seq[i : i + size]
                    if backward < forward:
                        segment.reverse()
                    seq[:] = rest[: q + 1] + segment + rest[q + 1 :]
                    return True
    return False
