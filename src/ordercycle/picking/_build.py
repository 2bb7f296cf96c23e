"""Turn a walk through integer waypoints into a :class:`Route` (private)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ordercycle.picking._grid import Grid, IPoint
from ordercycle.picking.layout import Bin, Depot
from ordercycle.picking.route import Route, Segment

__all__ = ["build_route"]


def build_route(
    grid: Grid,
    picks: Sequence[Bin],
    pick_points: Sequence[IPoint],
    waypoints: Sequence[IPoint],
    *,
    method: str,
    start: Depot,
    end: Depot,
    exact: bool,
    explanation: str,
) -> Route:
    """Walk the waypoints (shortest paths between consecutive ones) and record the stops.

    A pick becomes a stop the first time a *waypoint* lands on its point; bins sharing a
    point are stopped at together, in the order they were given.
    """
    at: dict[IPoint, list[int]] = {}
    for index, point in enumerate(pick_points):
        at.setdefault(point, []).append(index)
    corners: list[IPoint] = [waypoints[0]]
    stops: list[Bin] = []
    for index in at.pop(waypoints[0], ()):
        stops.append(picks[index])
    for waypoint in waypoints[1:]:
        for corner in grid.path(corners[-1], waypoint)[1:]:
            corners.append(corner)
        for index in at.pop(waypoint, ()):
            stops.append(picks[index])
    segments: list[Segment] = []
    length = 0
    for a, b in itertools.pairwise(corners):
        if a != b:
            segments.append(Segment(grid.to_point(a), grid.to_point(b)))
            length += abs(a[0] - b[0]) + abs(a[1] - b[1])
    return Route(
        layout=grid.layout,
        picks=tuple(picks),
        stops=tuple(stops),
        length=grid.to_length(length),
        segments=tuple(segments),
        method=method,
        start=start,
        end=end,
        exact=exact,
        explanation=explanation,
    )
