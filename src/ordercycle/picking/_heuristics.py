"""Classic single-block routing heuristics (private).

All of them work in a *normal frame*: aisles ``0..n-1``, ``y = 0`` on the cross aisle of
the start depot (the front) and ``y = length`` on the other one. They return waypoints
``(aisle, y)``; the walk between consecutive waypoints is a shortest path, which for these
waypoints is exactly the walk the heuristic describes. Definitions follow Roodbergen and
de Koster (2001), "Routing methods for warehouses with multiple cross aisles".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

__all__ = ["HEURISTICS", "Waypoints"]

Waypoints = list[tuple[int, int]]
Heuristic = Callable[[dict[int, list[int]], int, int], Waypoints]


def _up(aisle: int, ys: list[int]) -> Waypoints:
    return [(aisle, y) for y in ys]


def _down(aisle: int, ys: list[int]) -> Waypoints:
    return [(aisle, y) for y in reversed(ys)]


def _return_from_front(aisle: int, ys: list[int]) -> Waypoints:
    return [(aisle, 0), *_up(aisle, ys), (aisle, 0)] if ys else []


def _return_from_back(aisle: int, ys: list[int], length: int) -> Waypoints:
    return [(aisle, length), *_down(aisle, ys), (aisle, length)] if ys else []


def s_shape(picks: dict[int, list[int]], length: int, depot: int) -> Waypoints:
    """Traverse every aisle with picks entirely; return in the last one if the count is odd."""
    aisles = sorted(picks)
    walk: Waypoints = [(depot, 0)]
    at_front = True
    for index, aisle in enumerate(aisles):
        ys = picks[aisle]
        if index == len(aisles) - 1 and at_front:
            walk += _return_from_front(aisle, ys)
        elif at_front:
            walk += [(aisle, 0), *_up(aisle, ys), (aisle, length)]
            at_front = False
        else:
            walk += [(aisle, length), *_down(aisle, ys), (aisle, 0)]
            at_front = True
    return walk


def return_(picks: dict[int, list[int]], length: int, depot: int) -> Waypoints:
    """Enter every aisle with picks from the front, go to its farthest pick and come back."""
    walk: Waypoints = [(depot, 0)]
    for aisle in sorted(picks):
        walk += _return_from_front(aisle, picks[aisle])
    return walk


def _split_walk(
    picks: dict[int, list[int]], length: int, depot: int, split: Callable[[list[int]], int]
) -> Waypoints:
    """Shared shape of midpoint and largest gap.

    The first and last aisle with picks are traversed; the aisles between are entered from
    the back for their back part (on the way out) and from the front for their front part
    (on the way home). ``split(ys)`` says how many picks belong to the front part.
    """
    aisles = sorted(picks)
    if len(aisles) == 1:
        return return_(picks, length, depot)
    first, last, middle = aisles[0], aisles[-1], aisles[1:-1]
    walk: Waypoints = [(depot, 0), (first, 0), *_up(first, picks[first]), (first, length)]
    cut = {aisle: split(picks[aisle]) for aisle in middle}
    for aisle in middle:
        walk += _return_from_back(aisle, picks[aisle][cut[aisle] :], length)
    walk += [(last, length), *_down(last, picks[last]), (last, 0)]
    for aisle in reversed(middle):
        walk += _return_from_front(aisle, picks[aisle][: cut[aisle]])
    return walk


def midpoint(picks: dict[int, list[int]], length: int, depot: int) -> Waypoints:
    """Picks in the front half of a middle aisle from the front, the rest from the back."""
    return _split_walk(picks, length, depot, lambda ys: sum(1 for y in ys if 2 * y <= length))


def _largest_gap_cut(length: int) -> Callable[[list[int]], int]:
    def cut(ys: list[int]) -> int:
        stops = [0, *ys, length]
        gaps = [b - a for a, b in itertools.pairwise(stops)]
        return gaps.index(max(gaps))

    return cut


def largest_gap(picks: dict[int, list[int]], length: int, depot: int) -> Waypoints:
    """In each middle aisle leave the largest gap (between picks or to an end) unwalked."""
    return _split_walk(picks, length, depot, _largest_gap_cut(length))


def cheapest_sides(
    aisles: list[list[int]], front: int, length: int, *, at_front: bool
) -> list[tuple[int, bool]]:
    """Per aisle, the side it is entered from and whether it is traversed, ending at the front.

    A two-state dynamic program over the cross aisle the picker is on (side 0 the front at
    ``front``, 1 the back at ``front + length``), starting on the front (``at_front``) or
    the back; walking along the cross aisles costs the same either way, so only aisle walks
    count. Ties prefer the earlier state and traversing.

    Args:
        aisles: The sorted pick positions of each aisle, in the order they are visited.
        front: The position of the front cross aisle.
        length: The aisle length.
        at_front: Whether the picker starts on the front cross aisle.
    """
    back = front + length
    inf = 1 << 62
    # cost[side] with side 0 = front, 1 = back; choice[aisle][side] = (previous side, traverse)
    cost = [0, inf] if at_front else [inf, 0]
    choices: list[list[tuple[int, bool]]] = []
    for ys in aisles:
        returns = (2 * (ys[-1] - front), 2 * (back - ys[0]))
        new = [inf, inf]
        pointers = [(-1, False), (-1, False)]
        for side in (0, 1):
            if cost[side] >= inf:
                continue
            for traverse in (True, False):
                after = 1 - side if traverse else side
                total = cost[side] + (length if traverse else returns[side])
                if total < new[after]:
                    new[after] = total
                    pointers[after] = (side, traverse)
        cost = new
        choices.append(pointers)
    plan: list[tuple[int, bool]] = []
    side = 0
    for pointers in reversed(choices):
        before, traverse = pointers[side]
        plan.append((before, traverse))
        side = before
    plan.reverse()
    return plan


def combined(picks: dict[int, list[int]], length: int, depot: int) -> Waypoints:
    """Visit each aisle with picks once, traversing it or returning, whichever is shorter.

    The choice per aisle is made by a two-state dynamic program over the side of the block
    the picker is on (the "combined" heuristic of Roodbergen and de Koster, 2001, with the
    optimised decisions of their later "combined+"); the picker ends at the front.
    """
    aisles = sorted(picks)
    plan = cheapest_sides([picks[aisle] for aisle in aisles], 0, length, at_front=True)
    walk: Waypoints = [(depot, 0)]
    for aisle, (side, traverse) in zip(aisles, plan, strict=True):
        ys = picks[aisle]
        if side == 0:
            walk += [(aisle, 0), *_up(aisle, ys)]
            walk += [(aisle, length)] if traverse else [(aisle, 0)]
        else:
            walk += [(aisle, length), *_down(aisle, ys)]
            walk += [(aisle, 0)] if traverse else [(aisle, length)]
    return walk


HEURISTICS: dict[str, Heuristic] = {
    "s_shape": s_shape,
    "return": return_,
    "midpoint": midpoint,
    "largest_gap": largest_gap,
    "combined": combined,
}
