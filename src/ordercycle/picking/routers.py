"""The routers: ``route(layout, picks, method=...)`` by a heuristic or exactly.

Each routing method finds a picker's tour and returns the
:class:`~ordercycle.picking.route.Route` value.

Examples:
    >>> layout = WarehouseLayout.henn_waescher()
    >>> picks = [Bin(0, 10), Bin(3, 40, "right"), Bin(7, 5)]
    >>> best = route(layout, picks, method="optimal")
    >>> best.length, [stop.label for stop in best.stops]
    (Fraction(178, 1), ['A00-010-L0', 'A03-040-R0', 'A07-005-L0'])
    >>> route(layout, picks, method="s_shape").length >= best.length
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from fractions import Fraction
from typing import Final

from ordercycle.picking import _ratliff_rosenthal as rr
from ordercycle.picking import _tsp
from ordercycle.picking._build import build_route
from ordercycle.picking._grid import Grid, IPoint, grid_of
from ordercycle.picking._heuristics import HEURISTICS, Waypoints
from ordercycle.picking._multiblock import MULTI_BLOCK_HEURISTICS, Cells
from ordercycle.picking.errors import EmptyPickListError, InvalidBinError, UnknownMethodError
from ordercycle.picking.layout import Bin, Depot, WarehouseLayout
from ordercycle.picking.route import Route

__all__ = ["EXACT_STOP_LIMIT", "METHODS", "MULTI_BLOCK_METHODS", "optimal_length", "route"]

#: Every routing method, in the order the docs present them.
METHODS: Final = ("s_shape", "return", "midpoint", "largest_gap", "combined", "optimal")
#: The methods that also route on multi-block layouts.
MULTI_BLOCK_METHODS: Final = ("s_shape", "largest_gap", "combined", "optimal")
#: On multi-block layouts ``optimal`` is exact (Held–Karp) up to this many distinct stops.
EXACT_STOP_LIMIT: Final = 12

_NAMES: Final = {
    "s_shape": "S-shape",
    "return": "return",
    "midpoint": "midpoint",
    "largest_gap": "largest gap",
    "combined": "combined",
}


def route(
    layout: WarehouseLayout,
    picks: Iterable[Bin],
    method: str = "optimal",
    *,
    start: Depot | str | None = None,
    end: Depot | str | None = None,
) -> Route:
    """Route a picker through ``layout`` to every bin in ``picks`` and to the end depot.

    Args:
        layout: The warehouse.
        picks: The bins to visit (a bin may appear more than once; each is a stop).
        method: One of :data:`METHODS`. ``optimal`` is the exact Ratliff–Rosenthal program
            on single-block layouts; on multi-block layouts it is exact (Held–Karp) up to
            :data:`EXACT_STOP_LIMIT` distinct pick points and a 2-opt / Or-opt local search
            beyond (``Route.exact`` says which). On multi-block layouts the heuristics are
            ``s_shape``, ``largest_gap`` and ``combined`` in their multi-block forms
            (Roodbergen and de Koster 2001); ``return`` and ``midpoint`` need one block.
        start: The start depot (a :class:`Depot` or a depot name); the layout's first
            depot by default.
        end: The end depot; the start depot by default.

    Returns:
        The :class:`Route`, with stops in walking order and the exact length.

    Raises:
        UnknownMethodError: For a method not in :data:`METHODS`, or one not in
            :data:`MULTI_BLOCK_METHODS` on a multi-block layout.
        EmptyPickListError: If ``picks`` is empty.
        BinOutsideLayoutError: If a pick is not in the layout.
        DepotError: If a depot is off the layout's cross aisles or unknown.
    """
    if not isinstance(method, str) or method not in METHODS:
        raise UnknownMethodError(method, METHODS)
    if method not in MULTI_BLOCK_METHODS and layout.blocks > 1:
        raise UnknownMethodError(
            method,
            MULTI_BLOCK_METHODS,
            f"it needs a single-block layout and {layout.name!r} has {layout.blocks} blocks",
        )
    if isinstance(picks, Bin):
        raise InvalidBinError("picks", picks, "a list of Bin values, not a single Bin")
    pick_list = tuple(picks)
    if not pick_list:
        raise EmptyPickListError()
    first, last = resolve_depots(layout, start, end)
    grid = grid_of(layout)
    points = [grid.ipoint(pick) for pick in pick_list]
    if method == "optimal" and layout.blocks == 1:
        walk = _ratliff_rosenthal(grid, points, grid.ipoint(first), grid.ipoint(last))
        exact = True
        explanation = (
            f"Ratliff–Rosenthal dynamic program over {layout.aisles} aisles: exact optimum."
        )
    elif method == "optimal":
        walk, exact = _graph_tour(grid, points, grid.ipoint(first), grid.ipoint(last))
        explanation = (
            "Held–Karp on the aisle-graph distances: exact optimum."
            if exact
            else "Nearest-neighbour construction improved by 2-opt and Or-opt on the"
            " aisle-graph distances: a local optimum."
        )
    elif layout.blocks > 1:
        walk = _multi_block_heuristic(grid, method, points, grid.ipoint(first), grid.ipoint(last))
        exact = False
        explanation = (
            f"The multi-block {_NAMES[method]} heuristic over {layout.blocks} blocks"
            " (Roodbergen and de Koster 2001)."
        )
    else:
        walk = _heuristic(grid, method, points, grid.ipoint(first), grid.ipoint(last))
        exact = False
        explanation = f"The {_NAMES[method]} heuristic (Roodbergen and de Koster)."
    return build_route(
        grid,
        pick_list,
        points,
        walk,
        method=method,
        start=first,
        end=last,
        exact=exact,
        explanation=explanation,
    )


def optimal_length(
    layout: WarehouseLayout,
    picks: Iterable[Bin],
    *,
    start: Depot | str | None = None,
    end: Depot | str | None = None,
) -> Fraction:
    """The length of the ``optimal`` route, without building the :class:`Route`.

    The same number as ``route(layout, picks, "optimal").length``, faster; batching uses
    it to compare many candidate batches.

    Raises:
        EmptyPickListError: If ``picks`` is empty.
        BinOutsideLayoutError: If a pick is not in the layout.
        DepotError: If a depot is off the layout's cross aisles or unknown.
    """
    pick_list = tuple(picks)
    if not pick_list:
        raise EmptyPickListError()
    first, last = resolve_depots(layout, start, end)
    grid = grid_of(layout)
    points = [grid.ipoint(pick) for pick in pick_list]
    return grid.to_length(
        scaled_optimal_length(grid, points, grid.ipoint(first), grid.ipoint(last))
    )


def scaled_optimal_length(grid: Grid, points: list[IPoint], start: IPoint, end: IPoint) -> int:
    """The ``optimal`` length in the grid's scaled integers, for validated points (private).

    Batching calls it many times with the points of candidate batches.
    """
    if grid.blocks == 1:
        return _ratliff_rosenthal_length(grid, points, start, end)
    walk, _ = _graph_tour(grid, points, start, end)
    return sum(grid.dist(p, q) for p, q in itertools.pairwise(walk))


def resolve_depots(
    layout: WarehouseLayout, start: Depot | str | None, end: Depot | str | None
) -> tuple[Depot, Depot]:
    """The start and end depot arguments, checked (start defaults to the layout's first
    depot, end to the start; private)."""
    first = resolve_depot(layout, start, layout.depots[0])
    return first, resolve_depot(layout, end, first)


def resolve_depot(layout: WarehouseLayout, given: Depot | str | None, default: Depot) -> Depot:
    """A depot argument as a checked :class:`Depot` (``default`` for ``None``; private)."""
    if given is None:
        return default
    if isinstance(given, str):
        return layout.depot(given)
    if not isinstance(given, Depot):
        raise InvalidBinError("depot", given, "a Depot or a depot name")
    return layout.check_depot(given)


def _aisle_ys(grid: Grid, points: list[IPoint], flip: bool) -> dict[int, list[int]]:
    length = grid.block
    by_aisle: dict[int, set[int]] = {}
    for x, y in points:
        by_aisle.setdefault(x // grid.spacing, set()).add(length - y if flip else y)
    return {aisle: sorted(ys) for aisle, ys in sorted(by_aisle.items())}


# -- exact, single block ---------------------------------------------------------------------


def _rr_input(
    grid: Grid, points: list[IPoint], start: IPoint, end: IPoint
) -> tuple[list[list[int]], list[int], list[int]]:
    n, spacing = grid.aisles, grid.spacing
    picks = _aisle_ys(grid, points, flip=False)
    aisle_ys = [picks.get(j, []) for j in range(n)]
    req_front, req_back = [rr.REQ_NONE] * n, [rr.REQ_NONE] * n
    for depot in (start, end):
        table = req_front if depot[1] == 0 else req_back
        table[depot[0] // spacing] = rr.REQ_EVEN if start == end else rr.REQ_ODD
    return aisle_ys, req_front, req_back


def _ratliff_rosenthal_length(grid: Grid, points: list[IPoint], start: IPoint, end: IPoint) -> int:
    aisle_ys, req_front, req_back = _rr_input(grid, points, start, end)
    return rr.solve(aisle_ys, grid.block, grid.spacing, req_front, req_back)[0]


def _ratliff_rosenthal(
    grid: Grid, points: list[IPoint], start: IPoint, end: IPoint
) -> list[IPoint]:
    length, spacing = grid.block, grid.spacing
    aisle_ys, req_front, req_back = _rr_input(grid, points, start, end)
    _, options, crossings = rr.solve(aisle_ys, length, spacing, req_front, req_back)
    edges: list[tuple[IPoint, IPoint]] = []
    for j, option in enumerate(options):
        x = j * spacing
        nodes = [0, *aisle_ys[j], length]
        counts = _gap_counts(option, nodes)
        for gap, count in enumerate(counts):
            edges += [((x, nodes[gap]), (x, nodes[gap + 1]))] * count
    for j, (front, back) in enumerate(crossings):
        x = j * spacing
        edges += [((x, 0), (x + spacing, 0))] * front
        edges += [((x, length), (x + spacing, length))] * back
    return _euler_walk(edges, start)


def _gap_counts(option: int, nodes: list[int]) -> list[int]:
    gaps = len(nodes) - 1
    if option == rr.NONE:
        return [0] * gaps
    if option == rr.FULL1:
        return [1] * gaps
    counts = [2] * gaps
    if option == rr.FRONT:
        counts[-1] = 0
    elif option == rr.BACK:
        counts[0] = 0
    elif option == rr.GAP:
        inner = [nodes[i + 1] - nodes[i] for i in range(1, gaps - 1)]
        counts[1 + inner.index(max(inner))] = 0
    return counts


def _euler_walk(edges: list[tuple[IPoint, IPoint]], start: IPoint) -> list[IPoint]:
    """Hierholzer's algorithm; neighbours are tried in sorted order for determinism."""
    if not edges:
        return [start]
    adjacent: dict[IPoint, list[tuple[IPoint, int]]] = {}
    for number, (a, b) in enumerate(edges):
        adjacent.setdefault(a, []).append((b, number))
        adjacent.setdefault(b, []).append((a, number))
    for neighbours in adjacent.values():
        neighbours.sort(reverse=True)
    used = [False] * len(edges)
    stack, walk = [start], []
    while stack:
        node = stack[-1]
        neighbours = adjacent[node]
        while neighbours and used[neighbours[-1][1]]:
            neighbours.pop()
        if neighbours:
            nxt, number = neighbours.pop()
            used[number] = True
            stack.append(nxt)
        else:
            walk.append(stack.pop())
    walk.reverse()
    return walk


# -- multi-block -------------------------------------------------------------------------------


def _graph_tour(
    grid: Grid, points: list[IPoint], start: IPoint, end: IPoint
) -> tuple[list[IPoint], bool]:
    unique = sorted(set(points))
    nodes = [start, *unique, end]
    d = [[grid.dist(a, b) for b in nodes] for a in nodes]
    if len(unique) <= EXACT_STOP_LIMIT:
        tour, exact = _tsp.held_karp(d), True
    else:
        candidates = [_tsp.nearest_neighbour(d), list(range(1, len(unique) + 1))]
        improved = [_tsp.improve(d, tour) for tour in candidates]
        tour = min(improved, key=lambda t: _tsp.tour_length(d, t))
        exact = False
    return [start, *(nodes[i] for i in tour), end], exact


# -- heuristics, single block ----------------------------------------------------------------


def _heuristic(
    grid: Grid, method: str, points: list[IPoint], start: IPoint, end: IPoint
) -> list[IPoint]:
    """Run a heuristic in both directions and keep the shorter walk (left-to-right on ties)."""
    flip = start[1] != 0
    picks = _aisle_ys(grid, points, flip)
    n, length, spacing = grid.aisles, grid.block, grid.spacing
    depot = start[0] // spacing
    heuristic = HEURISTICS[method]
    best: list[IPoint] = []
    best_length = -1
    for mirror in (False, True):
        if mirror:
            mirrored = {n - 1 - a: ys for a, ys in picks.items()}
            waypoints: Waypoints = heuristic(mirrored, length, n - 1 - depot)
            waypoints = [(n - 1 - a, y) for a, y in waypoints]
        else:
            waypoints = heuristic(picks, length, depot)
        walk = [(a * spacing, length - y if flip else y) for a, y in waypoints]
        walk.append(end)
        total = sum(grid.dist(p, q) for p, q in itertools.pairwise(walk))
        if best_length < 0 or total < best_length:
            best, best_length = walk, total
    return best


# -- heuristics, multi-block ------------------------------------------------------------------


def _multi_block_heuristic(
    grid: Grid, method: str, points: list[IPoint], start: IPoint, end: IPoint
) -> list[IPoint]:
    """Run a multi-block heuristic from the left and from the right; keep the shorter walk.

    The normal frame puts the front on the cross aisle nearer the start depot (the front
    cross aisle when the depot is exactly half-way).
    """
    depth = grid.block * grid.blocks
    flip = 2 * start[1] > depth
    n, spacing, length = grid.aisles, grid.spacing, grid.block
    heuristic = MULTI_BLOCK_HEURISTICS[method]
    best: list[IPoint] = []
    best_length = -1
    for mirror in (False, True):
        cells: Cells = {}
        for x, y in sorted(set(points)):
            aisle = x // spacing
            normal = depth - y if flip else y
            key = (normal // length, n - 1 - aisle if mirror else aisle)
            cells.setdefault(key, []).append(normal)
        for ys in cells.values():
            ys.sort()
        walk = [start]
        for aisle, y in heuristic(cells, length):
            walk.append(((n - 1 - aisle if mirror else aisle) * spacing, depth - y if flip else y))
        walk.append(end)
        total = sum(grid.dist(p, q) for p, q in itertools.pairwise(walk))
        if best_length < 0 or total < best_length:
            best, best_length = walk, total
    return best
