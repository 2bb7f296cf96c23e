"""Picker routing benchmark on the Henn–Wäscher layout with random storage.

For pick lists of 5, 10, 15, 30, 45, 60 and 75 stops (500 lists each by default, fixed
seeds) it reports the mean route length of every method and its gap to the optimum, and
p50 / p95 wall time per list for ``optimal`` (the whole ``route()`` call: validation, the
Ratliff–Rosenthal program, the Euler walk and the Route object; best of three runs per
list). OR-Tools routing
(guided local search with a small time limit, on the same aisle-graph distance matrix) is
a reference column on a documented subset of the lists. A second table compares the
multi-block local search with exact Held–Karp on pick lists of at most 12 stops, and a third
one compares FCFS, seed and Clarke–Wright savings batching, and seed and savings followed
by the relocate/swap improvement phase (``seed+ls``, ``savings+ls``), on 100 orders of
5–25 lines (one unit each, distinct bins) for several picker capacities. The multi-block
table also compares the multi-block S-shape and largest gap heuristics with Held–Karp.

Run ``python benchmarks/picking.py`` (``--lists 50`` for a quick run; ``--parts
multi,batching`` reruns only those tables and keeps the others from the results file). It
prints markdown tables and writes ``benchmarks/results/picking.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from ordercycle.picking import (
    BATCHING_METHODS,
    METHODS,
    MULTI_BLOCK_METHODS,
    Bin,
    PickerCapacity,
    PickLine,
    PickOrder,
    WarehouseLayout,
    batch_orders,
    route,
)
from ordercycle.picking import _tsp as tsp
from ordercycle.picking._grid import grid_of

SIZES = (5, 10, 15, 30, 45, 60, 75)
MULTI_SIZES = (6, 9, 12)
CAPACITIES = (30, 45, 60, 75)
MULTI_HEURISTICS = tuple(m for m in MULTI_BLOCK_METHODS if m != "optimal")
PARTS = ("single", "multi", "batching")
SEED = 20_260_526
RESULTS = Path(__file__).parent / "results" / "picking.json"


def pick_lists(layout: WarehouseLayout, size: int, count: int, seed: int) -> list[list[Bin]]:
    """Random storage: each pick list is ``size`` distinct bins drawn uniformly."""
    rng = random.Random(seed * 1000 + size)
    bins = layout.bins()
    return [rng.sample(bins, size) for _ in range(count)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_optimal(layout: WarehouseLayout, picks: list[Bin], repeats: int = 3) -> float:
    """Seconds for one ``route(..., "optimal")`` call: the best of ``repeats`` runs.

    The best of three filters out scheduler and garbage-collector noise on shared machines.
    """
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        route(layout, picks, "optimal")
        best = min(best, time.perf_counter() - started)
    return best


def ortools_length(layout: WarehouseLayout, picks: list[Bin], limit_ms: int) -> Fraction | None:
    """Tour length found by OR-Tools on the aisle-graph distance matrix, or None if missing."""
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError:
        return None
    grid = grid_of(layout)
    nodes = [grid.ipoint(layout.depots[0]), *sorted({grid.ipoint(p) for p in picks})]
    matrix = [[grid.dist(a, b) for b in nodes] for a in nodes]
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, 0)
    model = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return matrix[manager.IndexToNode(i)][manager.IndexToNode(j)]

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(cost))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(limit_ms)
    solution = model.SolveWithParameters(params)
    return grid.to_length(solution.ObjectiveValue())


def single_block(lists: int, ortools_lists: int, ortools_ms: int) -> list[dict[str, Any]]:
    layout = WarehouseLayout.henn_waescher()
    rows = []
    for size in SIZES:
        batch = pick_lists(layout, size, lists, SEED)
        lengths: dict[str, list[Fraction]] = {method: [] for method in METHODS}
        for picks in batch:
            for method in METHODS:
                lengths[method].append(route(layout, picks, method).length)
        times = [time_optimal(layout, picks) for picks in batch]
        optimum = lengths["optimal"]
        row: dict[str, Any] = {"stops": size, "lists": len(batch)}
        for method in METHODS:
            mean = sum(lengths[method], Fraction(0)) / len(batch)
            gap = (mean / (sum(optimum, Fraction(0)) / len(batch)) - 1) * 100
            row[method] = {"mean_length": float(mean), "gap_percent": float(gap)}
        row["optimal_ms"] = {
            "p50": percentile(times, 0.50) * 1e3,
            "p95": percentile(times, 0.95) * 1e3,
        }
        subset = batch[:ortools_lists]
        found = [ortools_length(layout, picks, ortools_ms) for picks in subset]
        if subset and all(value is not None for value in found):
            values = [value for value in found if value is not None]
            exact = optimum[: len(subset)]
            ratio = sum(values, Fraction(0)) / sum(exact, Fraction(0))
            row["ortools"] = {
                "lists": len(subset),
                "time_limit_ms": ortools_ms,
                "mean_length": float(sum(values, Fraction(0)) / len(values)),
                "mean_optimal_same_lists": float(sum(exact, Fraction(0)) / len(exact)),
                "gap_percent": float((ratio - 1) * 100),
                "optimal_on": sum(1 for v, o in zip(values, exact, strict=True) if v == o),
                "shorter_than_optimal": sum(1 for v, o in zip(values, exact, strict=True) if v < o),
            }
        rows.append(row)
        print(f"  single block, {size} stops done", file=sys.stderr)
    return rows


def multi_block(lists: int) -> list[dict[str, Any]]:
    """Local search (the >12-stop method) and the multi-block heuristics against Held–Karp."""
    layout = WarehouseLayout.multi_block()
    grid = grid_of(layout)
    rows = []
    for size in MULTI_SIZES:
        exact_total = search_total = 0
        worst = 0.0
        heuristic_total = dict.fromkeys(MULTI_HEURISTICS, Fraction(0))
        for picks in pick_lists(layout, size, lists, SEED + 1):
            nodes = [grid.ipoint(layout.depots[0]), *sorted({grid.ipoint(p) for p in picks})]
            nodes.append(nodes[0])
            d = [[grid.dist(a, b) for b in nodes] for a in nodes]
            exact = tsp.tour_length(d, tsp.held_karp(d))
            tours = [tsp.nearest_neighbour(d), list(range(1, len(nodes) - 1))]
            search = min(tsp.tour_length(d, tsp.improve(d, t)) for t in tours)
            exact_total += exact
            search_total += search
            worst = max(worst, (search / exact - 1) * 100)
            for method in MULTI_HEURISTICS:
                found = route(layout, picks, method).check().length
                heuristic_total[method] += found
                assert found * grid.scale >= exact
        row: dict[str, Any] = {
            "stops": size,
            "lists": lists,
            "mean_exact": exact_total / lists / grid.scale,
            "mean_local_search": search_total / lists / grid.scale,
            "gap_percent": (search_total / exact_total - 1) * 100,
            "worst_gap_percent": worst,
        }
        for method in MULTI_HEURISTICS:
            total = heuristic_total[method] * grid.scale
            row[method] = {
                "mean_length": float(heuristic_total[method] / lists),
                "gap_percent": float((total / exact_total - 1) * 100),
            }
        rows.append(row)
        print(f"  multi block, {size} stops done", file=sys.stderr)
    return rows


def batching(instances: int) -> list[dict[str, Any]]:
    """Every batching method on 100 orders of 5-25 single-unit lines (distinct bins)."""
    layout = WarehouseLayout.henn_waescher()
    bins = layout.bins()
    rows = []
    for capacity_items in CAPACITIES:
        capacity = PickerCapacity(items=capacity_items)
        totals = dict.fromkeys(BATCHING_METHODS, Fraction(0))
        seconds: dict[str, list[float]] = {method: [] for method in BATCHING_METHODS}
        batches = dict.fromkeys(BATCHING_METHODS, 0)
        for instance in range(instances):
            rng = random.Random(SEED + 7 * instance)
            orders = [
                PickOrder(
                    f"SO-{number}",
                    tuple(
                        PickLine(str(k), f"SKU-{k}", b, 1)
                        for k, b in enumerate(rng.sample(bins, rng.randint(5, 25)))
                    ),
                )
                for number in range(100)
            ]
            for method in BATCHING_METHODS:
                started = time.perf_counter()
                result = batch_orders(layout, orders, capacity, method)
                seconds[method].append(time.perf_counter() - started)
                totals[method] += sum((b.length for b in result), Fraction(0))
                batches[method] += len(result)
        row: dict[str, Any] = {"capacity_items": capacity_items, "instances": instances}
        for method in BATCHING_METHODS:
            row[method] = {
                "total_length": float(totals[method] / instances),
                "batches": batches[method] / instances,
                "vs_fcfs_percent": float((totals[method] / totals["fcfs"] - 1) * 100),
                "seconds_p50": statistics.median(seconds[method]),
                "seconds_max": max(seconds[method]),
            }
        rows.append(row)
        print(f"  batching, capacity {capacity_items} done", file=sys.stderr)
    return rows


def markdown(
    single: list[dict[str, Any]], multi: list[dict[str, Any]], batched: list[dict[str, Any]]
) -> str:
    heads = ["stops", *METHODS, "OR-Tools (subset)", "optimal p50 ms", "optimal p95 ms"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in single:
        cells = [str(row["stops"])]
        for method in METHODS:
            entry = row[method]
            if method == "optimal":
                cells.append(f"{entry['mean_length']:.1f}")
            else:
                cells.append(f"{entry['mean_length']:.1f} (+{entry['gap_percent']:.1f} %)")
        if "ortools" in row:
            o = row["ortools"]
            cells.append(
                f"+{o['gap_percent']:.2f} % ({o['optimal_on']}/{o['lists']} at the optimum)"
            )
        else:
            cells.append("not run")
        cells += [f"{row['optimal_ms']['p50']:.3f}", f"{row['optimal_ms']['p95']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    heads = ["stops (3-block)", "lists", "Held–Karp mean", "local search", "worst gap"]
    heads += [f"{method} (gap)" for method in MULTI_HEURISTICS]
    lines += ["", "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in multi:
        cells = [
            str(row["stops"]),
            str(row["lists"]),
            f"{row['mean_exact']:.2f}",
            f"{row['mean_local_search']:.2f} (+{row['gap_percent']:.2f} %)",
            f"{row['worst_gap_percent']:.2f} %",
        ]
        for method in MULTI_HEURISTICS:
            entry = row.get(method)
            cells.append(
                f"{entry['mean_length']:.2f} (+{entry['gap_percent']:.1f} %)"
                if entry
                else "not run"
            )
        lines.append("| " + " | ".join(cells) + " |")
    methods = [m for m in BATCHING_METHODS if m in batched[0]] if batched else []
    heads = ["capacity (items)", *methods]
    lines += [
        "",
        "Batching: mean total length per instance (vs FCFS), mean batches, median seconds.",
        "",
        "| " + " | ".join(heads) + " |",
        "|" + "---|" * len(heads),
    ]
    for row in batched:
        cells = [str(row["capacity_items"])]
        for method in methods:
            entry = row[method]
            cells.append(
                f"{entry['total_length']:.0f} ({entry['vs_fcfs_percent']:+.1f} %),"
                f" {entry['batches']:.1f}, {entry['seconds_p50']:.2f}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=500, help="pick lists per size")
    parser.add_argument("--ortools-lists", type=int, default=50, help="OR-Tools subset per size")
    parser.add_argument("--ortools-ms", type=int, default=100, help="OR-Tools time limit")
    parser.add_argument("--multi-lists", type=int, default=50, help="multi-block lists per size")
    parser.add_argument(
        "--batch-instances", type=int, default=10, help="batching instances of 100 orders"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="comma-separated parts to run (single, multi, batching); the others are kept"
        " from the existing output file",
    )
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    previous: dict[str, Any] = {}
    if set(parts) != set(PARTS) and args.output.exists():
        previous = json.loads(args.output.read_text())
    rerun = previous.get("parts_run_last", {})
    if "single" in parts:
        single = single_block(args.lists, min(args.ortools_lists, args.lists), args.ortools_ms)
    else:
        single = previous.get("single_block", [])
    multi = (
        multi_block(min(args.multi_lists, args.lists))
        if "multi" in parts
        else previous.get("multi_block", [])
    )
    batched = (
        batching(min(args.batch_instances, args.lists))
        if "batching" in parts
        else previous.get("batching", [])
    )
    table = markdown(single, multi, batched)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "parts_run_last": {**rerun, **{part: vars(args) | {"output": None} for part in parts}},
        "benchmark": "picking",
        "layout": "Henn–Wäscher (10 aisles x 45 cells per side, depot front-left)",
        "storage": "random: each list is distinct bins drawn uniformly",
        "seed": SEED,
        "lists_per_size": args.lists if "single" in parts else previous.get("lists_per_size"),
        "ortools": (
            {"lists_per_size": args.ortools_lists, "time_limit_ms": args.ortools_ms}
            if "single" in parts
            else previous.get("ortools")
        ),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "single_block": single,
        "multi_block": multi,
        "batching": batched,
        "table": table,
    }
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
