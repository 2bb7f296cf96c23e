"""S-shape, largest gap and combined for layouts with several blocks (private).

After Roodbergen and de Koster (2001), "Routing methods for warehouses with multiple cross
aisles", section 3. Both work in a *normal frame*: aisles ``0..n-1``, ``y = 0`` on the
front cross aisle (the one nearest the start depot), block ``k`` between ``y = k * length``
and ``y = (k + 1) * length``. Picks are given per *sub-aisle* (block, aisle) as sorted
``y`` values; the heuristics return waypoints ``(aisle, y)`` that start at the front of the
left pick aisle and end on the front cross aisle. Consecutive waypoints in different aisles
always lie on the same cross aisle, so the shortest path between them is the walk the
heuristic describes.

Both start the same way: find the *left pick aisle* (the left-most aisle with a pick) and
the *farthest block* (the block farthest from the front with a pick), walk to the front of
the left pick aisle and up it, picking as it goes, and then serve the blocks one by one
from the farthest back to the front:

* **S-shape** walks up the left pick aisle to the front of the farthest block and serves
  that block left to right, every sub-aisle with picks traversed entirely, the last one
  entered and left from the front if the picker is already there. Each nearer block is
  entered from its back cross aisle at the end (left-most or right-most sub-aisle with
  picks) closest to the picker and served the same way towards the other end, so the picker
  leaves it on its front cross aisle.
* **Largest gap** walks up the left pick aisle to the back of the farthest block. In each
  block it runs along the back cross aisle from the closest end, entering every sub-aisle
  but the last from the back up to its largest gap; it traverses the last sub-aisle to the
  front cross aisle and returns along it, entering sub-aisles from the front up to their
  largest gap. A block with one sub-aisle with picks has that sub-aisle traversed.
* **Combined** walks and sweeps like S-shape, but visits each sub-aisle with picks once,
  traversing it or entering and leaving it on the same side, as a per-block dynamic
  program over the picker's side finds cheapest (ending on the block's front cross aisle).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from ordercycle.picking._heuristics import cheapest_sides

__all__ = ["MULTI_BLOCK_HEURISTICS", "Cells", "Waypoints"]

Waypoints = list[tuple[int, int]]
#: Picks per sub-aisle: ``(block, aisle) -> sorted y values`` in the normal frame.
Cells = dict[tuple[int, int], list[int]]
MultiHeuristic = Callable[[Cells, int], Waypoints]
#: Per sub-aisle of a block, traverse (True) or not (False): ``(cells, block, order,
#: length, at_front) -> plan``.
SidePlan = Callable[[Cells, int, list[int], int, bool], list[bool]]


def _order(subs: list[int], here: int) -> list[int]:
    """Sub-aisles from the end closest to aisle ``here`` (the left end on a tie)."""
    if abs(here - subs[-1]) < abs(here - subs[0]):
        return subs[::-1]
    return subs


def _sub_aisles(cells: Cells, block: int, skip: int | None) -> list[int]:
    return sorted(aisle for (k, aisle) in cells if k == block and aisle != skip)


def _up_left(cells: Cells, left: int, blocks: int, length: int) -> Waypoints:
    """From the depot up the leftmost aisle through the first ``blocks`` blocks, picking."""
    walk: Waypoints = [(left, 0)]
    for block in range(blocks):
        walk += [(left, y) for y in cells.get((block, left), [])]
    walk.append((left, blocks * length))
    return walk


def _s_shape_sides(
    cells: Cells, block: int, order: list[int], length: int, at_front: bool
) -> list[bool]:
    """Traverse every sub-aisle, but leave the last one from the front if entered there."""
    # Each traversal changes sides: the last sub-aisle is entered on the starting side
    # when an even number (len(order) - 1) of traversals come before it.
    entered_last_at_front = at_front == (len(order) % 2 == 1)
    return [True] * (len(order) - 1) + [not entered_last_at_front]


def s_shape(cells: Cells, length: int) -> Waypoints:
    """The multi-block S-shape heuristic (see the module docstring)."""
    return _sweep(cells, length, _s_shape_sides)


def _front_count(ys: list[int], front: int, back: int) -> int:
    """How many picks lie before the largest gap (the first largest on a tie)."""
    stops = [front, *ys, back]
    gaps = [b - a for a, b in itertools.pairwise(stops)]
    return gaps.index(max(gaps))


def largest_gap(cells: Cells, length: int) -> Waypoints:
    """The multi-block largest gap heuristic (see the module docstring)."""
    left = min(aisle for _, aisle in cells)
    far = max(block for block, _ in cells)
    walk = _up_left(cells, left, far + 1, length)
    here = left
    for block in range(far, -1, -1):
        front, back = block * length, (block + 1) * length
        subs = _sub_aisles(cells, block, left)
        if not subs:
            walk.append((here, front))
            continue
        order = _order(subs, here)
        *middle, last = order
        cut = {a: _front_count(cells[(block, a)], front, back) for a in middle}
        for aisle in middle:
            part = cells[(block, aisle)][cut[aisle] :]
            if part:
                walk += [(aisle, back), *((aisle, y) for y in reversed(part)), (aisle, back)]
        ys = cells[(block, last)]
        walk += [(last, back), *((last, y) for y in reversed(ys)), (last, front)]
        for aisle in reversed(middle):
            part = cells[(block, aisle)][: cut[aisle]]
            if part:
                walk += [(aisle, front), *((aisle, y) for y in part), (aisle, front)]
        here = walk[-1][0]
    return walk


def _sides(cells: Cells, block: int, order: list[int], length: int, at_front: bool) -> list[bool]:
    """Traverse (True) or return (False) per sub-aisle: the cheapest plan ending at the front."""
    aisles = [cells[(block, aisle)] for aisle in order]
    plan = cheapest_sides(aisles, block * length, length, at_front=at_front)
    return [traverse for _, traverse in plan]


def combined(cells: Cells, length: int) -> Waypoints:
    """The multi-block combined heuristic.

    The blocks are entered and swept like S-shape, but each sub-aisle with picks is either
    traversed or entered and left on the side the picker is on, whichever the per-block
    dynamic program finds cheapest for the whole block (the optimised decisions of
    Roodbergen and de Koster's combined+).
    """
    return _sweep(cells, length, _sides)


def _sweep(cells: Cells, length: int, sides: SidePlan) -> Waypoints:
    """Up the left pick aisle to the farthest block, then every block back to the front.

    Each block is entered on the side the picker is on, at the end closest to it (the
    farthest block from the front, left to right), and ``sides`` says per sub-aisle with
    picks whether it is traversed (True) or entered and left on the same side (False).
    """
    left = min(aisle for _, aisle in cells)
    far = max(block for block, _ in cells)
    walk = _up_left(cells, left, far, length)
    here = left
    for block in range(far, -1, -1):
        front, back = block * length, (block + 1) * length
        subs = _sub_aisles(cells, block, None if block == far else left)
        if not subs:
            walk.append((here, front))
            continue
        at_front = block == far
        order = subs if at_front else _order(subs, here)
        for aisle, traverse in zip(
            order, sides(cells, block, order, length, at_front), strict=True
        ):
            ys = cells[(block, aisle)]
            if at_front:
                walk += [(aisle, front), *((aisle, y) for y in ys)]
            else:
                walk += [(aisle, back), *((aisle, y) for y in reversed(ys))]
            at_front = at_front != traverse
            walk.append((aisle, front if at_front else back))
        here = order[-1]
    return walk


MULTI_BLOCK_HEURISTICS: dict[str, MultiHeuristic] = {
    "s_shape": s_shape,
    "largest_gap": largest_gap,
    "combined": combined,
}
