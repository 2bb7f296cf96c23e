"""Identical units as blocks: the best full carton of one SKU, worked out once.

A large order of one SKU is mostly full cartons. The engine places units one at a time and
compares each with every unit already placed, so its time grows with the square of the
units in a carton and the search repeats it for every carton. Here a full carton of one
SKU is a *block arrangement* on exact integer geometry, computed once per (item, carton
type) and copied for every full carton:

* one orientation repeated as a grid, ``floor(L/l) * floor(W/w) * floor(H/h)``;
* two columns of different orientations side by side (a guillotine cut across x or y,
  every column a stack of one orientation);
* with no support rule and no load limit, two layers of different orientations (a cut
  across z).

Every unit stands on the floor or squarely on the unit below it (same footprint), so a
support rule always holds, and a stack is never higher than the item's load limit allows
(the bottom unit carries the units above it and nothing else overlaps its footprint).
The carton's weight limit caps the count. The placements are sorted by height, so the
first ``r`` of them are a valid carton of ``r`` units (each unit's support comes first).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Box", "block_layout"]

Orientation = tuple[int, int, int]
Box = tuple[int, int, int, int, int, int]


def _grid(o: Orientation, size: Orientation, stack: int | None) -> tuple[int, int, int]:
    """Counts along x, y and z of orientation ``o`` repeated in ``size``."""
    nz = size[2] // o[2]
    if stack is not None:
        nz = min(nz, stack)
    return size[0] // o[0], size[1] // o[1], nz


def _count(o: Orientation, size: Orientation, stack: int | None) -> int:
    nx, ny, nz = _grid(o, size, stack)
    return nx * ny * nz


def _fill(o: Orientation, origin: Orientation, size: Orientation, stack: int | None) -> list[Box]:
    nx, ny, nz = _grid(o, size, stack)
    x0, y0, z0 = origin
    return [
        (
            x0 + i * o[0],
            y0 + j * o[1],
            z0 + k * o[2],
            x0 + (i + 1) * o[0],
            y0 + (j + 1) * o[1],
            z0 + (k + 1) * o[2],
        )
        for k in range(nz)
        for j in range(ny)
        for i in range(nx)
    ]


def block_layout(
    orientations: Sequence[Orientation],
    size: Orientation,
    stack: int | None,
    layers: bool,
) -> list[Box]:
    """The most units of one SKU that a block arrangement puts in a carton of ``size``.

    Args:
        orientations: The allowed oriented sizes of one unit (integer grid).
        size: The carton's inner size (same grid).
        stack: The most units one column may hold (load limit), ``None`` for no limit.
        layers: Whether layers of different orientations may be stacked (a cut across z).

    Returns:
        The boxes ``(x0, y0, z0, x1, y1, z1)``, sorted by height, then y, then x; empty
        when no unit fits. Deterministic: ties go to the first arrangement tried.
    """
    fitting = sorted(
        o for o in set(orientations) if o[0] <= size[0] and o[1] <= size[1] and o[2] <= size[2]
    )
    if not fitting or (stack is not None and stack < 1):
        return []
    # The plan: (orientation, origin, region size) of each region.
    best_count = 0
    best_plan: list[tuple[Orientation, Orientation, Orientation]] = []

    def best_single(region: Orientation) -> tuple[int, Orientation | None]:
        top, chosen = 0, None
        for o in fitting:
            n = _count(o, region, stack) if all(o[a] <= region[a] for a in range(3)) else 0
            if n > top:
                top, chosen = n, o
        return top, chosen

    for o in fitting:
        n = _count(o, size, stack)
        if n > best_count:
            best_count, best_plan = n, [(o, (0, 0, 0), size)]
    axes = (0, 1, 2) if layers else (0, 1)
    for axis in axes:
        for o in fitting:
            steps = size[axis] // o[axis]
            if axis == 2 and stack is not None:
                steps = min(steps, stack)
            for i in range(1, steps):
                cut = i * o[axis]
                first = list(size)
                first[axis] = cut
                region_a = (first[0], first[1], first[2])
                n_a = _count(o, region_a, stack)
                rest = list(size)
                rest[axis] = size[axis] - cut
                region_b = (rest[0], rest[1], rest[2])
                n_b, o_b = best_single(region_b)
                if o_b is None or n_a + n_b <= best_count:
                    continue
                start = [0, 0, 0]
                start[axis] = cut
                best_count = n_a + n_b
                best_plan = [
                    (o, (0, 0, 0), region_a),
                    (o_b, (start[0], start[1], start[2]), region_b),
                ]
    boxes: list[Box] = []
    for o, origin, region in best_plan:
        boxes.extend(_fill(o, origin, region, stack))
    boxes.sort(key=lambda b: (b[2], b[1], b[0], b[3], b[4], b[5]))
    return boxes
