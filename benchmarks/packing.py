"""Packing benchmark: ordercycle.packing side by side with py3dbp and packingsolver3d.

Data is read from ``../shared/benchmarks`` next to the repository (override with
``--data``); nothing is copied into the repository.

* BoxPacker e-commerce orders (4,288 orders, 4 carton types, mm and g, any rotation):
  cartons, orders at the lower bounds, invalid plans (checked with
  ``ordercycle.packing.verify``, also for the peers), time per order, and total billable
  weight under UPS daily rates and DHL Express against the lower bound.
* Martello-Pisinger-Vigo 3D bin packing (classes 1, 4-8; n = 50-200; no rotation).
* Small orders (at most 8 units): random e-commerce orders (fixed seed, the desk's default
  cartons) and BoxPacker's small orders, against the exact reference in
  ``small_orders.py``: % optimal, total and worst gap, how far the bound is below the
  optimum, for billable weight and cost; ``--before-src /path/to/main/src`` adds the same
  rows for another version, run in a subprocess on the same orders.
* One SKU at 500 to 10,000 units (``--units`` runs this section only, ``--no-units``
  leaves it out): CPU seconds and objective value for every objective, after (this tree)
  and before (``--before-src``), every plan checked with ``verify``.
* Per objective (cartons, billable weight, cost under UPS daily) on BoxPacker's orders:
  cartons, invalid plans, p50/p99/max CPU ms; and the proven lower bound on cartons from
  ``carton_bound.py`` (``--no-proof`` leaves it out). Times are CPU (``process_time``);
  before each loop that times orders one by one the benchmark collects and freezes its own
  heap (``settle_heap``), so a full collection of its data does not show as one order's time.

    python benchmarks/packing.py                # everything
    python benchmarks/packing.py --limit 300    # a quick run on the first 300 orders
    python benchmarks/packing.py --no-peers     # ordercycle only
    python benchmarks/packing.py --units --before-src ../main/src   # one-SKU scaling
    python benchmarks/packing.py --no-boxpacker --no-br --no-small --no-peers \
        --mpv-classes 7          # one MPV class, merged into the MPV section per class
    python benchmarks/packing.py --no-boxpacker --no-br --no-small --no-peers \
        --mpv-classes 7 --mpv-sizes 200 --output /tmp/c7-200.json   # one cell, merged per cell
    python benchmarks/packing.py --jobs 2       # sections on two processes (the one-run table)

The peers' plans on BoxPacker's orders are cached in ``benchmarks/results/peers-boxpacker.json.gz``
by peer, peer version, time limit and a hash of the order and cartons (a run with both
peers takes most of the BoxPacker section); every cached plan is verified again on every
run, and its CPU time is the one measured when it was made. ``--refresh-peers`` runs the
peers again. ``--jobs N`` runs the sections (the BR classes apart) on N processes; each
section's CPU and wall seconds are printed at the end, so a slow section shows.

Prints a markdown table and writes JSON to ``benchmarks/results/packing.json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import gc
import gzip
import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from ordercycle.packing import (
    Carton,
    Item,
    Package,
    PackingPlan,
    Placement,
    Rotation,
    carriers,
    pack,
)
from ordercycle.packing._bins import WORK_PER_EFFORT
from ordercycle.packing.verify import violations

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks"
RESULTS = REPO / "benchmarks" / "results" / "packing.json"
PEER_CACHE = REPO / "benchmarks" / "results" / "peers-boxpacker.json.gz"


# --- data -------------------------------------------------------------------------------


def load_boxpacker(data: Path) -> tuple[list[Carton], list[tuple[str, list[list[str]]]]]:
    """Cartons and orders (order id, rows) of the BoxPacker e-commerce set."""
    folder = data / "boxpacker"
    cartons = []
    with (folder / "boxes.csv").open() as handle:
        for row in csv.reader(handle):
            name, ow, ol, od, tare, iw, il, idp, gross = row
            cartons.append(
                Carton.from_mm(
                    name,
                    int(iw),
                    int(il),
                    int(idp),
                    outer=(int(ow), int(ol), int(od)),
                    tare_g=int(tare),
                    max_weight_g=int(gross),
                )
            )
    orders: dict[str, list[list[str]]] = {}
    with (folder / "items.csv").open() as handle:
        for row in csv.reader(handle):
            orders.setdefault(row[0], []).append(row)
    return cartons, list(orders.items())


def items_of(rows: Sequence[Sequence[str]]) -> list[Item]:
    """One Item per order line (the same product may appear on two lines)."""
    return [
        Item.from_mm(f"{sku}#{line}", int(w), int(ln), int(d), int(wt), quantity=int(q))
        for line, (_, q, sku, w, ln, d, wt) in enumerate(rows)
    ]


def boxpacker_expected(data: Path) -> dict[str, int]:
    """BoxPacker's own carton count per order (any rotation)."""
    with (data / "boxpacker" / "expected.csv").open() as handle:
        return {row[0]: int(row[4]) for row in csv.reader(handle)}


# --- bounds -----------------------------------------------------------------------------


def simple_bound(items: Sequence[Item], cartons: Sequence[Carton]) -> int:
    """max(1, ceil(volume / largest inner volume), ceil(weight / largest net capacity))."""
    volume = sum(math.prod(i.dims_mm) * i.quantity for i in items)
    weight = sum(i.weight_g * i.quantity for i in items)
    largest = max(math.prod(c.inner_mm) for c in cartons)
    strongest = max(c.capacity_g or 0 for c in cartons)
    return max(1, math.ceil(volume / largest), math.ceil(weight / strongest))


def _fits(item: Item, carton: Carton) -> bool:
    inner = carton.inner_mm
    cap = carton.capacity_g
    if cap is not None and item.weight_g > cap:
        return False
    return any(all(o[k] <= inner[k] for k in range(3)) for o in item.orientations_mm())


def eligibility_bound(items: Sequence[Item], cartons: Sequence[Carton]) -> int:
    """A stronger bound: units can only go into carton types they fit.

    For every set S of carton types, the units that fit only types in S must fit, by volume
    and by weight, into the cartons of S. The smallest carton counts that satisfy every
    such condition bound the number of cartons from below.
    """
    kinds = range(len(cartons))
    volume = [math.prod(c.inner_mm) for c in cartons]
    capacity = [c.capacity_g if c.capacity_g is not None else math.inf for c in cartons]
    units = [
        (math.prod(i.dims_mm), i.weight_g, frozenset(k for k in kinds if _fits(i, cartons[k])))
        for i in items
        for _ in range(i.quantity)
    ]
    subsets = [
        frozenset(s) for r in range(1, len(cartons) + 1) for s in itertools.combinations(kinds, r)
    ]
    need = {
        s: (sum(u[0] for u in units if u[2] <= s), sum(u[1] for u in units if u[2] <= s))
        for s in subsets
    }
    start = simple_bound(items, cartons)
    for total in range(start, start + 60):
        for counts in itertools.product(range(total + 1), repeat=len(cartons)):
            if sum(counts) != total:
                continue
            if all(
                need[s][0] <= sum(counts[k] * volume[k] for k in s)
                and need[s][1] <= sum(counts[k] * capacity[k] for k in s)
                for s in subsets
            ):
                return total
    return start


# --- peers ------------------------------------------------------------------------------


def plan_from_boxes(
    items: Sequence[Item],
    boxes: Sequence[tuple[Carton, Sequence[tuple[Item, tuple[Any, ...], tuple[Any, ...]]]]],
) -> PackingPlan:
    """Turn a peer's output into a PackingPlan so verify() can judge it."""
    counters: dict[str, int] = {}
    packages = []
    for carton, placed in boxes:
        placements = []
        for item, position, size in placed:
            counters[item.sku] = counters.get(item.sku, 0) + 1
            placements.append(
                Placement(
                    item,
                    counters[item.sku],
                    tuple(Fraction(str(v)) for v in position),  # type: ignore[arg-type]
                    tuple(Fraction(str(v)) for v in size),  # type: ignore[arg-type]
                )
            )
        packages.append(Package(carton, tuple(placements)))
    return PackingPlan(tuple(packages), tuple(items), "cartons", catalogue=tuple(boxes_cat[0]))


boxes_cat: list[list[Carton]] = [[]]


def run_py3dbp(items: Sequence[Item], cartons: Sequence[Carton]) -> PackingPlan:
    """py3dbp with every carton type available once per unit, largest bins first."""
    from py3dbp import Bin, Packer
    from py3dbp import Item as PyItem

    packer = Packer()
    count = sum(i.quantity for i in items)
    by_name = {}
    for carton in cartons:
        for copy in range(count):
            name = f"{carton.name}|{copy}"
            by_name[name] = carton
            length, width, height = (int(v) for v in carton.inner_mm)
            packer.add_bin(Bin(name, length, width, height, int(carton.capacity_g or 10**9)))
    lookup = {}
    for item in items:
        for unit in range(item.quantity):
            name = f"{item.sku}|{unit}"
            lookup[name] = item
            length, width, height = (int(v) for v in item.dims_mm)
            packer.add_item(PyItem(name, length, width, height, int(item.weight_g)))
    packer.pack(bigger_first=True, distribute_items=True)
    boxes = []
    for bin_ in packer.bins:
        if not bin_.items:
            continue
        placed = [(lookup[i.name], tuple(i.position), tuple(i.get_dimension())) for i in bin_.items]
        boxes.append((by_name[bin_.name], placed))
    return plan_from_boxes(items, boxes)


def run_packingsolver(
    items: Sequence[Item], cartons: Sequence[Carton], time_limit: float
) -> PackingPlan | None:
    """packingsolver3d (PackingSolver's box solver) as variable-sized bin packing."""
    import packingsolver3d as ps

    count = sum(i.quantity for i in items)
    bin_types = tuple(
        ps.BinType(
            x=int(c.inner_mm[0]),
            y=int(c.inner_mm[1]),
            z=int(c.inner_mm[2]),
            cost=1.0,
            copies=count,
            maximum_weight=float(c.capacity_g) if c.capacity_g is not None else None,
        )
        for c in cartons
    )
    item_types = tuple(
        ps.ItemType(
            x=int(i.dims_mm[0]),
            y=int(i.dims_mm[1]),
            z=int(i.dims_mm[2]),
            weight=float(i.weight_g),
            copies=i.quantity,
            rotations=ps.ALL_ROTATIONS,
        )
        for i in items
    )
    instance = ps.Instance(
        bin_types=bin_types,
        item_types=item_types,
        objective=ps.Objective.VARIABLE_SIZED_BIN_PACKING,
    )
    result = ps.box.solve(
        instance,
        time_limit=time_limit,
        stop_when_unimproved_for=min(0.2, time_limit),
        stop_when_unimproved_after=min(0.5, time_limit),
    )
    boxes = []
    for packed in result.bins:
        placed = [
            (items[p.item_type_id], (p.x, p.y, p.z), (p.lx, p.ly, p.lz)) for p in packed.placements
        ]
        for _ in range(packed.copies):
            boxes.append((cartons[packed.bin_type_id], placed))
    return plan_from_boxes(items, boxes)


# --- the peers' cache ------------------------------------------------------------------


def peer_version(module: str) -> str:
    """The installed version of a peer's distribution ("not installed" when absent)."""
    try:
        return importlib.metadata.version(module)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def order_key(peer: str, items: Sequence[Item], cartons: Sequence[Carton]) -> str:
    """A hash of what a peer's plan depends on: the peer (name, version, limits) and input."""
    text = json.dumps(
        [
            peer,
            [(i.sku, [str(v) for v in i.dims_mm], str(i.weight_g), i.quantity) for i in items],
            [
                (c.name, [str(v) for v in c.inner_mm], str(c.capacity_g), str(c.tare_g))
                for c in cartons
            ],
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class PeerCache:
    """Peers' raw plans by :func:`order_key`, kept in a gzipped JSON file.

    A plan is stored as its cartons (index in the catalogue) and placements (item index,
    position, size, as exact text), with the CPU seconds the peer took; :meth:`solve` turns
    it back into a ``PackingPlan`` so ``verify`` judges it on every run.
    """

    def __init__(self, path: Path, refresh: bool) -> None:
        self.path = path
        self.entries: dict[str, Any] = {}
        if path.exists() and not refresh:
            self.entries = json.loads(gzip.decompress(path.read_bytes()))
        self.hits = self.misses = 0

    def solve(
        self,
        peer: str,
        items: list[Item],
        cartons: Sequence[Carton],
        solver: Callable[[list[Item]], PackingPlan | None],
    ) -> tuple[PackingPlan | None, float]:
        """(plan, CPU seconds) from the cache, or from ``solver`` (then stored)."""
        key = order_key(peer, items, cartons)
        entry = self.entries.get(key)
        if entry is None:
            self.misses += 1
            start = time.process_time()
            plan = solver(items)
            seconds = time.process_time() - start
            self.entries[key] = entry = {"cpu_s": seconds, "boxes": self._boxes(plan, cartons)}
            return plan, seconds
        self.hits += 1
        if entry["boxes"] is None:
            return None, entry["cpu_s"]
        boxes = [
            (
                cartons[k],
                [
                    (items[i], tuple(Fraction(v) for v in at), tuple(Fraction(v) for v in size))
                    for i, at, size in placed
                ],
            )
            for k, placed in entry["boxes"]
        ]
        return plan_from_boxes(items, boxes), entry["cpu_s"]

    @staticmethod
    def _boxes(plan: PackingPlan | None, cartons: Sequence[Carton]) -> Any:
        if plan is None:
            return None
        index = {id(c): k for k, c in enumerate(cartons)}
        items = {id(i): n for n, i in enumerate(plan.items)}
        return [
            [
                index[id(package.carton)],
                [
                    [
                        items[id(p.item)],
                        [str(v) for v in p.position_mm],
                        [str(v) for v in p.size_mm],
                    ]
                    for p in package.placements
                ],
            ]
            for package in plan.packages
        ]

    def save(self) -> None:
        """Write the cache (sorted keys, so the file changes only where entries do)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.entries, sort_keys=True, separators=(",", ":"))
        self.path.write_bytes(gzip.compress(text.encode(), mtime=0))


# --- measuring --------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[index]


def settle_heap() -> None:
    """Collect, then freeze what this process holds, before a loop times orders one by one.

    A full collection walks every live object. This process holds the benchmark's own data
    (orders, the peers' cached plans, results of earlier sections): several hundred
    thousand objects, whose full collection takes 140-300 ms and would land in whichever
    order happens to trigger it, showing as that order's time. Frozen objects are left out
    of collections (``gc.freeze``); the packer's own garbage is still collected, and
    counted in the order that makes it.
    """
    gc.collect()
    gc.freeze()


def timing(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "p99_ms": round(percentile(values, 0.99) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2) if values else float("nan"),
        "total_s": round(sum(values), 1),
    }


def billable_total(plan: PackingPlan, rule: carriers.DimWeightRule) -> Fraction:
    return sum(
        (rule.billable_weight_exact(p.carton.outer_mm, p.actual_weight_g) for p in plan.packages),
        Fraction(0),
    )


OURS = "ordercycle (objective=cartons)"


def bench_cost(
    per_order_items: Sequence[tuple[str, list[Item]]], cartons: Sequence[Carton]
) -> dict[str, Any]:
    """objective="cost" under UPS daily with the small-order benchmark's rate: CPU per order."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from small_orders import RATE

    times, invalid, count = [], 0, 0
    settle_heap()
    for _, items in per_order_items:
        start = time.process_time()
        plan = pack(items, cartons, carriers.UPS_DAILY, objective="cost", rate=RATE)
        times.append(time.process_time() - start)
        invalid += bool(violations(plan))
        count += len(plan.packages)
    found = {"cartons": count, "invalid_plans": invalid, **timing(times)}
    print(f"  cost UPS_DAILY: {found}", file=sys.stderr)
    return found


def bench_boxpacker(args: argparse.Namespace, peers: list[str]) -> dict[str, Any]:
    cartons, orders = load_boxpacker(args.data)
    boxes_cat[0] = cartons
    if args.limit:
        orders = orders[: args.limit]
    expected = boxpacker_expected(args.data)
    rows: dict[str, dict[str, Any]] = {}
    simple = eligible = 0
    per_order_items = [(oid, items_of(lines)) for oid, lines in orders]
    bounds = {}
    for oid, items in per_order_items:
        bounds[oid] = (simple_bound(items, cartons), eligibility_bound(items, cartons))
        simple += bounds[oid][0]
        eligible += bounds[oid][1]

    counts: dict[str, dict[str, int]] = {}
    cache = PeerCache(args.peer_cache, args.refresh_peers)

    def measure(
        name: str, solver: Callable[[list[Item]], PackingPlan | None], peer: bool = False
    ) -> None:
        times, count, invalid, at_simple, at_eligible = [], 0, 0, 0, 0
        failed = 0
        ups = dhl = Fraction(0)
        per_order: dict[str, int] = {}
        settle_heap()
        for oid, items in per_order_items:
            start = time.process_time()
            try:
                if peer:
                    plan, seconds = cache.solve(name, items, cartons, solver)
                else:
                    plan = solver(items)
            except Exception as error:  # a peer crashing counts as an invalid plan
                print(f"  {name} failed on {oid}: {type(error).__name__}: {error}", file=sys.stderr)
                plan = None
            times.append(seconds if peer else time.process_time() - start)
            problems = violations(plan) if plan is not None else ("no plan",)
            if problems:
                invalid += 1
                if invalid <= 5:
                    print(f"  {name} invalid on {oid}: {problems[0]}", file=sys.stderr)
                if plan is None:
                    failed += 1
                    continue
            cartons_used = len(plan.packages)
            per_order[oid] = cartons_used
            count += cartons_used
            at_simple += cartons_used == bounds[oid][0]
            at_eligible += cartons_used == bounds[oid][1]
            ups += billable_total(plan, carriers.UPS_DAILY)
            dhl += billable_total(plan, carriers.DHL_EXPRESS)
        rows[name] = {
            "cartons": count,
            "invalid_plans": invalid,
            "no_plan": failed,
            "orders_at_simple_bound": at_simple,
            "orders_at_eligibility_bound": at_eligible,
            "ups_daily_billable_lb": float(ups),
            "dhl_express_billable_kg": float(dhl),
            **timing(times),
        }
        counts[name] = per_order
        print(f"  {name}: {rows[name]}", file=sys.stderr)

    measure(OURS, lambda items: pack(items, cartons, objective="cartons"))
    # A peer's plan comes from the cache when one for the same input, peer version and time
    # limit is there (the peers take most of this section's time).
    for module, label, run in (
        ("py3dbp", "", lambda items: run_py3dbp(items, cartons)),
        (
            "packingsolver3d",
            f" (box, {args.ps_time_limit:g} s)",
            lambda items: run_packingsolver(items, cartons, args.ps_time_limit),
        ),
    ):
        if module in peers:
            measure(f"{module} {peer_version(module)}{label}", run, peer=True)
    cache.save()
    if cache.hits or cache.misses:
        print(f"  peers: {cache.hits} plans from the cache, {cache.misses} run", file=sys.stderr)

    # Billable weight runs: ordercycle optimising billable weight for each carrier.
    billable: dict[str, Any] = {}
    for label, rule in (("UPS_DAILY", carriers.UPS_DAILY), ("DHL_EXPRESS", carriers.DHL_EXPRESS)):
        times, total, bound, invalid, at_bound, count = [], Fraction(0), Fraction(0), 0, 0, 0
        settle_heap()
        for _, items in per_order_items:
            start = time.process_time()
            plan = pack(items, cartons, rule)
            times.append(time.process_time() - start)
            invalid += bool(violations(plan))
            value = billable_total(plan, rule)
            lower = Fraction(plan.lower_bound.magnitude)
            total += value
            bound += lower
            at_bound += value == lower
            count += len(plan.packages)
        billable[label] = {
            "billable": float(total),
            "unit": rule.weight_unit,
            "lower_bound": float(bound),
            "orders_at_bound": at_bound,
            "invalid_plans": invalid,
            "cartons": count,
            **timing(times),
        }
        print(f"  billable {label}: {billable[label]}", file=sys.stderr)
    objectives = {
        "cartons": {
            key: rows[OURS][key]
            for key in ("cartons", "invalid_plans", "p50_ms", "p99_ms", "max_ms")
        },
        "billable_weight": {
            key: billable["UPS_DAILY"][key]
            for key in ("cartons", "invalid_plans", "p50_ms", "p99_ms", "max_ms")
        },
        "cost": bench_cost(per_order_items, cartons),
    }
    boxpacker = sum(expected[oid] for oid, _ in orders)
    return {
        "objectives": objectives,
        "proof": None,  # the "proof" section's (run_sections puts it here)
        "peer_cache": {"cached": cache.hits, "run": cache.misses},
        "plans": counts[OURS],
        "orders": len(orders),
        "units": sum(i.quantity for _, items in per_order_items for i in items),
        "simple_bound": simple,
        "eligibility_bound": eligible,
        "boxpacker_reported_cartons": boxpacker,
        "runs": rows,
        "billable": billable,
    }


def load_mpv(data: Path) -> Any:
    spec = importlib.util.spec_from_file_location("mpv", data / "mpv.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MPV_CLASSES = (1, 4, 5, 6, 7, 8)
MPV_SIZES = (50, 100, 150, 200)

#: The best published heuristics on the 240 MPV instances need about this many bins
#: (``../shared/benchmarks/README.md``).
MPV_PUBLISHED_TOTAL = 7_300

#: Published bins per MPV class (the sum over n = 50, 100, 150, 200 of ten times the
#: average per instance): Faroe, Pisinger & Zachariasen (2003), guided local search (GLS),
#: and Crainic, Perboli & Tadei (2009), TS2PACK. Quoted from the papers' result tables as
#: recalled when this was written. Searched for again in December 2026: the stored pages
#: hold only the papers' abstracts (GLS: INFORMS J. Computing 15(3):267-283), no result
#: table, so the figures are still unchecked; check them against the papers before citing.
#: The papers ran the original generator; ``mpv.py`` reproduces its lower bounds cell by
#: cell.
MPV_PUBLISHED = {
    "1": (1282, 1279),
    "4": (2940, 2940),
    "5": (708, 705),
    "6": (960, 954),
    "7": (590, 594),
    "8": (823, 814),
}
MPV_PUBLISHED_NAMES = ("GLS 2003", "TS2PACK 2009")


def mpv_items(boxes: Sequence[tuple[int, int, int]]) -> list[Item]:
    """MPV boxes as items that may not rotate."""
    return [
        Item.from_mm(f"B{k}", w, h, d, 1, rotation=Rotation.FIXED)
        for k, (w, h, d) in enumerate(boxes)
    ]


def run_py3dbp_bins(items: Sequence[Item], carton: Carton) -> PackingPlan:
    """py3dbp on identical bins (it always tries every rotation: FIXED items may turn)."""
    return run_py3dbp(items, [carton])


def run_packingsolver_bins(
    items: Sequence[Item], carton: Carton, time_limit: float
) -> PackingPlan | None:
    """packingsolver3d (box solver) on identical bins, items oriented (no rotation)."""
    import packingsolver3d as ps

    side = tuple(int(v) for v in carton.inner_mm)
    instance = ps.Instance(
        bin_types=(ps.BinType(x=side[0], y=side[1], z=side[2], copies=len(items)),),
        item_types=tuple(
            ps.ItemType(
                x=int(i.dims_mm[0]),
                y=int(i.dims_mm[1]),
                z=int(i.dims_mm[2]),
                copies=i.quantity,
                rotations=None,
            )
            for i in items
        ),
        objective=ps.Objective.BIN_PACKING,
    )
    result = ps.box.solve(instance, time_limit=time_limit)
    if not result.bins:
        return None  # no solution within the time limit
    boxes = []
    for packed in result.bins:
        placed = [
            (items[p.item_type_id], (p.x, p.y, p.z), (p.lx, p.ly, p.lz)) for p in packed.placements
        ]
        for _ in range(packed.copies):
            boxes.append((carton, placed))
    return plan_from_boxes(items, boxes)


def bench_mpv(args: argparse.Namespace, peers: Sequence[str] = ()) -> dict[str, Any]:
    """MPV classes 1, 4-8: bins per class against the MPV lower bound, every plan verified.

    The peers run on the first ``--mpv-peer-instances`` instances of every cell (they are
    slow); ordercycle's bins on the same instances are reported beside them.
    """
    mpv = load_mpv(args.data)
    total = bound = invalid = 0
    times: list[float] = []
    cpu: list[float] = []
    cells: dict[str, dict[str, int]] = {}
    per_class: dict[str, dict[str, Any]] = {}
    subset: dict[str, dict[str, Any]] = {"ordercycle": {"bins": 0, "invalid_plans": 0}}
    peer_runs: dict[str, Callable[[list[Item], Carton], PackingPlan | None]] = {}
    if "py3dbp" in peers:
        peer_runs["py3dbp 1.1.2 (rotates)"] = run_py3dbp_bins
    if "packingsolver3d" in peers:
        limit = args.ps_time_limit

        def solve_ps(items: list[Item], carton: Carton) -> PackingPlan | None:
            return run_packingsolver_bins(items, carton, limit)

        peer_runs[f"packingsolver3d 0.0.5 (box, {limit:g} s)"] = solve_ps
    for name in peer_runs:
        subset[name] = {"bins": 0, "invalid_plans": 0, "no_plan": 0, "times": []}
    subset_bound = 0
    classes = tuple(c for c in MPV_CLASSES if not args.mpv_classes or c in args.mpv_classes)
    sizes = tuple(n for n in MPV_SIZES if not args.mpv_sizes or n in args.mpv_sizes)
    for cls in classes:
        row = per_class.setdefault(str(cls), {"bins": 0, "lower_bound": 0, "invalid_plans": 0})
        class_cpu: list[float] = []
        for n in sizes:
            used = lower = cell_invalid = 0
            cell_cpu: list[float] = []
            for v in range(1, args.mpv_instances + 1):
                side, boxes = mpv.instance(cls, n, v)
                items = mpv_items(boxes)
                carton = Carton.from_mm("BIN", side, side, side)
                start, start_cpu = time.perf_counter(), time.process_time()
                plan = pack(items, [carton], objective="cartons", effort=args.mpv_effort)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                class_cpu.append(cpu[-1])
                cell_cpu.append(round(cpu[-1], 3))
                bad = bool(violations(plan))
                invalid += bad
                cell_invalid += bad
                row["invalid_plans"] += bad
                used += len(plan.packages)
                instance_bound = mpv.lower_bound(boxes, side, side, side)
                lower += instance_bound
                if v <= args.mpv_peer_instances and peer_runs:
                    subset_bound += instance_bound
                    subset["ordercycle"]["bins"] += len(plan.packages)
                    subset["ordercycle"]["invalid_plans"] += bad
                    for name, solver in peer_runs.items():
                        start = time.perf_counter()
                        try:
                            found = solver(items, carton)
                        except Exception as error:  # a crashing peer counts as no plan
                            print(
                                f"  {name} failed: {type(error).__name__}: {error}", file=sys.stderr
                            )
                            found = None
                        subset[name]["times"].append(time.perf_counter() - start)
                        if found is None:
                            subset[name]["no_plan"] += 1
                            continue
                        subset[name]["invalid_plans"] += bool(violations(found))
                        subset[name]["bins"] += len(found.packages)
            cells[f"{cls}/{n}"] = {
                "bins": used,
                "lower_bound": lower,
                "invalid_plans": cell_invalid,
                "instance_cpu_s": cell_cpu,
            }
            row["bins"] += used
            row["lower_bound"] += lower
            total += used
            bound += lower
            print(f"  MPV class {cls} n={n}: {used} bins (bound {lower})", file=sys.stderr)
        row["instances"] = len(class_cpu)
        row["cpu_s"] = round(sum(class_cpu), 1)
        row["cpu_p50_s"] = round(percentile(class_cpu, 0.5), 2)
        row["cpu_max_s"] = round(max(class_cpu), 2)
    for block in subset.values():
        if "times" in block:
            block.update(timing(block.pop("times")))
    return {
        "instances": len(times),
        "bins": total,
        "lower_bound": bound,
        "published_total": MPV_PUBLISHED_TOTAL,
        "invalid_plans": invalid,
        "classes": per_class,
        "cells": cells,
        "cpu_s": round(sum(cpu), 1),
        "cpu_p50_s": round(percentile(cpu, 0.5), 2),
        "effort": args.mpv_effort,
        "work_per_instance": WORK_PER_EFFORT * args.mpv_effort,
        "peers": (
            {
                "instances_per_cell": args.mpv_peer_instances,
                "lower_bound": subset_bound,
                "runs": subset,
            }
            if peer_runs
            else {}
        ),
        **timing(times),
    }


def merge_mpv(previous: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """The MPV section with the classes of ``fresh`` replacing those of ``previous``.

    Lets the classes run as separate processes (``--mpv-classes``) on a loaded machine;
    the totals are summed again over the classes. Timing percentiles over all instances
    cannot be merged, so the merged section keeps the per-class CPU figures only.
    """
    if previous.get("work_per_instance") != fresh["work_per_instance"]:
        return fresh  # another budget: the old classes are not comparable
    merged = dict(previous)
    merged["classes"] = {**previous.get("classes", {}), **fresh["classes"]}
    merged["cells"] = {**previous.get("cells", {}), **fresh["cells"]}
    for cls in fresh["classes"]:
        # A run of some sizes only (--mpv-sizes): the class row is summed again over its
        # cells, from the CPU of each instance where the cells keep it.
        cells = [cell for key, cell in merged["cells"].items() if key.split("/")[0] == cls]
        row = merged["classes"][cls] = {
            "bins": sum(cell["bins"] for cell in cells),
            "lower_bound": sum(cell["lower_bound"] for cell in cells),
            "invalid_plans": sum(cell.get("invalid_plans", 0) for cell in cells),
        }
        times = [t for cell in cells for t in cell.get("instance_cpu_s", [])]
        if times:
            row["instances"] = len(times)
            row["cpu_s"] = round(sum(times), 1)
            row["cpu_p50_s"] = round(percentile(times, 0.5), 2)
            row["cpu_max_s"] = round(max(times), 2)
    merged["bins"] = sum(row["bins"] for row in merged["classes"].values())
    merged["lower_bound"] = sum(row["lower_bound"] for row in merged["classes"].values())
    merged["instances"] = sum(row.get("instances", 0) for row in merged["classes"].values())
    merged["cpu_s"] = round(sum(row.get("cpu_s", 0) for row in merged["classes"].values()), 1)
    merged["invalid_plans"] = sum(row.get("invalid_plans", 0) for row in merged["classes"].values())
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "total_s", "cpu_p50_s", "peers"):
        merged.pop(key, None)
    return merged


BR_TYPES = {1: 3, 2: 5, 3: 8, 4: 10, 5: 12, 6: 15, 7: 20}

#: Published results to stand beside ours, with their sources. The per-class averages of
#: Parreño, Alvarez-Valdes, Oliveira & Tamarit (2008, INFORMS J. Computing 20(3)),
#: Fanslau & Bortfeldt (2010, INFORMS J. Computing 22(2):222-235, CLTRS, with and without
#: the full-support rule; abstract at https://iaorifors.com/paper/67686, discussion paper
#: 426 of 2008 at https://vdocuments.pub/a-tree-search-algorithm-for-solving-the-container-
#: loading-a-tree-search.html), Zhu & Lim (2012) and Araya & Riff (2014) could not be found
#: in the sources searchable when this was written (their result tables did not come up),
#: so no per-class figure is quoted:
#: the table says "not found" rather than a number from memory. The one figure with a
#: source at hand is the benchmark data's README (../shared/benchmarks/README.md): "the
#: best known results without a support rule fill about 96 %" on BR1-BR7.
BR_PUBLISHED_SOURCES = (
    "Parreño et al. 2008 (GRASP)",
    "Fanslau & Bortfeldt 2010 (CLTRS)",
    "Zhu & Lim 2012 (beam search)",
    "Araya & Riff 2014 (beam search)",
)
BR_BEST_KNOWN_NO_SUPPORT = "≈ 96 (data README)"


def parse_thpack(path: Path) -> list[tuple[tuple[int, int, int], list[tuple[int, ...]]]]:
    """Problems of one OR-Library thpack file: container and box types."""
    tokens = iter(path.read_text().split())
    problems = []
    for _ in range(int(next(tokens))):
        next(tokens)  # problem id
        next(tokens)  # seed
        container = (int(next(tokens)), int(next(tokens)), int(next(tokens)))
        types = []
        for _ in range(int(next(tokens))):
            next(tokens)  # type id
            types.append(tuple(int(next(tokens)) for _ in range(7)))
        problems.append((container, types))
    return problems


def br_item(index: int, kind: Sequence[int]) -> Item:
    """A BR box type as an Item: the flags say which edges may stand vertical (``upright``),
    exactly the orientation rule of the data."""
    d1, f1, d2, f2, d3, f3, count = kind
    return Item.from_mm(
        f"T{index}", d1, d2, d3, 1, quantity=count, upright=(bool(f1), bool(f2), bool(f3))
    )


def bench_br(args: argparse.Namespace) -> dict[str, Any]:
    """Bischoff-Ratcliff BR1-BR7: one container per problem, the fill of ``pack``'s plan.

    The box types keep the data's orientation rule exactly (``Item(upright=...)``); no
    support rule (the data defines none). Each problem gets ``--br-work-limit`` work units
    (deterministic); CPU seconds are ``time.process_time`` per problem.
    """
    expected: dict[str, float] = {}
    with (args.data / "boxpacker" / "thpack-expected.csv").open() as handle:
        for name, share in csv.reader(handle):
            expected[name.strip()] = float(share)
    classes: dict[str, Any] = {}
    times: list[float] = []
    invalid = 0
    for number, kinds in BR_TYPES.items():
        if args.br_classes and number not in args.br_classes:
            continue
        problems = parse_thpack(args.data / "boxpacker" / f"thpack{number}.txt")[: args.br_limit]
        ours, theirs, cpu = [], [], []
        wrong = 0
        for position, (container, types) in enumerate(problems, start=1):
            items = [br_item(i, kind) for i, kind in enumerate(types)]
            carton = Carton.from_mm("CONTAINER", *container, stock=1)
            start = time.process_time()
            plan = pack(
                items,
                [carton],
                objective="cartons",
                on_unpackable="report",
                effort=args.br_effort,
                work_limit=args.br_work_limit,
            )
            cpu.append(time.process_time() - start)
            wrong += bool(violations(plan))
            ours.append(float(plan.packages[0].fill_ratio) * 100 if plan.packages else 0.0)
            theirs.append(expected[f"Bischoff #{kinds}-{position}"])
        times += cpu
        invalid += wrong
        classes[f"BR{number}"] = {
            "problems": len(problems),
            "invalid_plans": wrong,
            "ordercycle_fill_pct": round(sum(ours) / len(ours), 2),
            "ordercycle_min_pct": round(min(ours), 2),
            "boxpacker_fill_pct": round(sum(theirs) / len(theirs), 1),
            "cpu_p50_s": round(percentile(cpu, 0.50), 2),
            "cpu_max_s": round(max(cpu), 2),
        }
        print(f"  BR{number}: {classes[f'BR{number}']}", file=sys.stderr, flush=True)
    return {
        "classes": classes,
        "invalid_plans": invalid,
        "work_limit": args.br_work_limit,
        "cpu_s": round(sum(times), 1),
        "problem_cpu_s": times,
        **timing(times),
    }


def bench_small(args: argparse.Namespace) -> dict[str, Any]:
    """Small orders (at most 8 units) against the exact reference in small_orders.py.

    "after" is this tree; "before" is the code at ``--before-src`` (e.g. main's ``src``),
    run in a subprocess on the same orders. The reference optima are cached in
    ``benchmarks/results/`` (they take long and never change for a given order set).
    """
    sys.path.insert(0, str(REPO / "benchmarks"))
    import small_orders

    found: dict[str, Any] = {}
    for name, count in (("random", args.small_random), ("boxpacker", args.small_boxpacker)):
        if count < 0:
            continue
        cartons, orders = small_orders.order_set(name, count, args.data)
        cache = RESULTS.parent / f"small-{name}-{count or 'all'}-reference.json"
        if cache.exists():
            reference = json.loads(cache.read_text())
        else:
            start = time.perf_counter()
            reference = small_orders.references(orders, cartons)
            print(f"  reference {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(reference, sort_keys=True) + "\n")
        runs = {"after": small_orders.library_values(orders, cartons)}
        if args.before_src:
            env = dict(os.environ, PYTHONPATH=str(args.before_src))
            output = subprocess.run(
                [
                    sys.executable,
                    str(REPO / "benchmarks" / "small_orders.py"),
                    "--set",
                    name,
                    "--count",
                    str(count),
                    "--data",
                    str(args.data),
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs["before"] = json.loads(output)
        found[name] = {
            "orders": len(orders),
            **{label: small_orders.summarise(values, reference) for label, values in runs.items()},
        }
        print(f"  small {name}: {found[name]}", file=sys.stderr)
    return found


def _scaling_case(
    src: Path | None, sku: str, objective: str, units: int, exact: bool, timeout: float
) -> dict[str, Any] | None:
    """One unit_scaling.py case in a subprocess on ``src`` (this tree when None)."""
    env = dict(os.environ, PYTHONPATH=str(src or REPO / "src"))
    command = [
        sys.executable,
        str(REPO / "benchmarks" / "unit_scaling.py"),
        "--sku",
        sku,
        "--objective",
        objective,
        "--units",
        str(units),
    ]
    if not exact:
        command.append("--no-exact")
    try:
        output = subprocess.run(
            command, env=env, check=True, capture_output=True, text=True, timeout=timeout
        ).stdout
    except subprocess.TimeoutExpired:
        return None
    found: dict[str, Any] = json.loads(output)
    return found


def bench_units(args: argparse.Namespace) -> dict[str, Any]:
    """One SKU at 500 to 10,000 units, every objective: CPU seconds and value.

    "after" is this tree, "before" the code at ``--before-src`` (and the same with
    ``exact=False`` up to 1,000 units); a "before" case that takes longer than
    ``--units-timeout`` seconds is recorded as ``None`` and the larger sizes are skipped.
    Every plan is checked with ``verify``.
    """
    sys.path.insert(0, str(REPO / "benchmarks"))
    import unit_scaling

    rows = []
    for sku in unit_scaling.SKUS:
        for objective in unit_scaling.OBJECTIVES:
            alive = {"before": True, "before_no_exact": True}
            for units in unit_scaling.SIZES:
                row: dict[str, Any] = {"sku": sku, "objective": objective, "units": units}
                row["after"] = _scaling_case(None, sku, objective, units, True, 600)
                if args.before_src:
                    for label, exact, top in (
                        ("before", True, 10**9),
                        ("before_no_exact", False, 1_000),
                    ):
                        if alive[label] and units <= top:
                            found = _scaling_case(
                                args.before_src, sku, objective, units, exact, args.units_timeout
                            )
                            alive[label] = found is not None
                            row[label] = found
                print(f"  units: {row}", file=sys.stderr)
                rows.append(row)
    return {"timeout_s": args.units_timeout, "rows": rows}


def _units_markdown(block: dict[str, Any]) -> list[str]:
    def cell(found: Any, key: str) -> str:
        if found is None:
            return f"> {block['timeout_s']:g} s" if key == "cpu_s" else "-"
        return str(found[key])

    lines = [
        "| SKU | objective | units | before CPU s | before value | before value (exact=False)"
        " | after CPU s | after value | after cartons |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    growth: dict[tuple[str, str], dict[int, float]] = {}
    for row in block["rows"]:
        before = row.get("before")
        no_exact = row.get("before_no_exact")
        after = row["after"]
        lines.append(
            f"| {row['sku']} | {row['objective']} | {row['units']:,} |"
            f" {cell(before, 'cpu_s') if 'before' in row else ''} |"
            f" {cell(before, 'value') if 'before' in row else ''} |"
            f" {cell(no_exact, 'value') if 'before_no_exact' in row else ''} |"
            f" {after['cpu_s']} | {after['value']} | {after['cartons']} |"
        )
        growth.setdefault((row["sku"], row["objective"]), {})[row["units"]] = after["cpu_s"]
    lines.append("")
    for (sku, objective), times in growth.items():
        if 500 in times and 8_000 in times and times[500]:
            lines.append(
                f"* {sku}, {objective}: 500 -> 8,000 units takes"
                f" {times[8_000] / times[500]:.1f}x the time; 10,000 units"
                f" {times.get(10_000, float('nan'))} s CPU"
            )
    lines.append("")
    return lines


def _mpv_markdown(mpv: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"MPV 3D bin packing ({mpv['instances']} instances, no rotation): {mpv['bins']} bins,"
        f" lower bound {mpv['lower_bound']}, best published heuristics about"
        f" {mpv.get('published_total', MPV_PUBLISHED_TOTAL):,}; invalid {mpv['invalid_plans']},"
        + (
            f" p50 {mpv['p50_ms']} ms, max {mpv['max_ms']} ms per instance,"
            if "p50_ms" in mpv
            else " classes run apart (wall time not comparable),"
        )
        + f" {mpv.get('cpu_s', '-')} s CPU in all.",
    ]
    if mpv.get("classes"):
        gls, ts2 = MPV_PUBLISHED_NAMES
        lines += [
            "",
            f"Work per instance: {mpv.get('work_per_instance', '-')} bin fills"
            f" (effort {mpv.get('effort', '-')}); CPU seconds per instance, median and worst,"
            " on this machine.",
            "",
            f"| MPV class | bins | lower bound | above bound | {gls} | {ts2} |"
            " CPU s p50 | CPU s max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        published = [0, 0]
        for cls, row in sorted(mpv["classes"].items()):
            gap = 100 * (row["bins"] - row["lower_bound"]) / row["lower_bound"]
            figures = MPV_PUBLISHED.get(cls, (0, 0))
            published = [published[0] + figures[0], published[1] + figures[1]]
            lines.append(
                f"| {cls} | {row['bins']} | {row['lower_bound']} | {gap:.1f} % |"
                f" {figures[0]} | {figures[1]} | {row.get('cpu_p50_s', '-')} |"
                f" {row.get('cpu_max_s', '-')} |"
            )
        gap = 100 * (mpv["bins"] - mpv["lower_bound"]) / mpv["lower_bound"]
        lines.append(
            f"| all | {mpv['bins']} | {mpv['lower_bound']} | {gap:.1f} % | {published[0]} |"
            f" {published[1]} | {mpv.get('cpu_p50_s', '-')} | - |"
        )
    peers = mpv.get("peers")
    if peers:
        lines += [
            "",
            f"MPV, first {peers['instances_per_cell']} instances of every cell"
            f" (lower bound {peers['lower_bound']}):",
            "",
            "| packer | bins | invalid plans | no plan | p50 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, row in peers["runs"].items():
            lines.append(
                f"| {name} | {row['bins']} | {row['invalid_plans']} | {row.get('no_plan', 0)} |"
                f" {row.get('p50_ms', '-')} | {row.get('max_ms', '-')} |"
            )
    return lines


def _br_markdown(br: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "| Bischoff-Ratcliff | problems | invalid | ordercycle fill % | worst % | CPU s p50"
        " | CPU s max"
        " | BoxPacker fill % | best known, no support rule % | "
        + " | ".join(f"{source} %" for source in BR_PUBLISHED_SOURCES)
        + " |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(BR_PUBLISHED_SOURCES),
    ]
    for name, row in br["classes"].items():
        lines.append(
            f"| {name} | {row['problems']} | {row.get('invalid_plans', '-')} |"
            f" {row['ordercycle_fill_pct']} |"
            f" {row.get('ordercycle_min_pct', '-')} | {row.get('cpu_p50_s', '-')} |"
            f" {row.get('cpu_max_s', '-')} | {row['boxpacker_fill_pct']} |"
            f" {BR_BEST_KNOWN_NO_SUPPORT} |" + " not found |" * len(BR_PUBLISHED_SOURCES)
        )
    lines.append(
        f"\nBR: invalid plans {br['invalid_plans']}, work limit {br.get('work_limit', '-')}"
        f" units per container, {br.get('cpu_s', '-')} CPU s in all. The data's orientation"
        " rule is kept exactly and there is no support rule (the data defines none). The"
        " published per-class averages (all 100 problems of a class) were not found in the"
        " searchable sources, so none is quoted (see BR_PUBLISHED_SOURCES)."
    )
    return lines


def markdown(result: dict[str, Any]) -> str:
    lines = []
    if result.get("units"):
        lines += _units_markdown(result["units"])
    small = result.get("small")
    if small:
        lines += [
            "| order set | code | objective | orders (resolved) | optimal | total gap |"
            " worst gap | bound below optimum (avg) | orders with bound below optimum |"
            " proven optimal | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, block in small.items():
            for label in ("before", "after"):
                for objective, row in block.get(label, {}).items():
                    lines.append(
                        f"| {name} | {label} | {objective} | {row['orders']} |"
                        f" {row['optimal_pct']} % | {row['total_gap_pct']} % |"
                        f" {row['worst_gap_pct']} % | {row['bound_gap_pct']} % |"
                        f" {row['bound_below_optimum_pct']} % | {row['claimed_optimal']} |"
                        f" {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} |"
                    )
        lines.append("")
    bp = result.get("boxpacker")
    if bp:
        lines += [
            f"BoxPacker e-commerce orders: {bp['orders']} orders, {bp['units']} units;"
            f" simple bound {bp['simple_bound']} cartons, eligibility bound"
            f" {bp['eligibility_bound']}; BoxPacker reports {bp['boxpacker_reported_cartons']}.",
            "",
            "| packer | cartons | invalid plans | at simple bound | at eligibility bound |"
            " UPS daily billable (lb) | DHL billable (kg) | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, row in bp["runs"].items():
            lines.append(
                f"| {name} | {row['cartons']} | {row['invalid_plans']} |"
                f" {row['orders_at_simple_bound']} | {row['orders_at_eligibility_bound']} |"
                f" {row['ups_daily_billable_lb']:.0f} | {row['dhl_express_billable_kg']:.1f} |"
                f" {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} |"
            )
        cached = bp.get("peer_cache")
        if cached and cached["cached"]:
            lines += [
                "",
                f"Peers' plans: {cached['cached']:,} from the cache"
                " (benchmarks/results/peers-boxpacker.json.gz, same input and peer version;"
                " verified again; CPU ms as measured when they were made),"
                f" {cached['run']:,} run now; `--refresh-peers` runs them all again.",
            ]
        lines += [
            "",
            "| ordercycle, objective = billable weight | billable | lower bound | orders at bound |"
            " cartons | invalid | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for label, row in bp["billable"].items():
            lines.append(
                f"| {label} | {row['billable']:.1f} {row['unit']} | {row['lower_bound']:.1f}"
                f" {row['unit']} | {row['orders_at_bound']} | {row['cartons']} |"
                f" {row['invalid_plans']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
            )
    if bp and bp.get("objectives"):
        lines += [
            "",
            "| ordercycle, UPS daily, per objective | cartons | invalid plans |"
            " p50 CPU ms | p99 CPU ms | max CPU ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for objective, row in bp["objectives"].items():
            lines.append(
                f"| {objective} | {row['cartons']:,} | {row['invalid_plans']} |"
                f" {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} |"
            )
    if bp and bp.get("proof"):
        sys.path.insert(0, str(REPO / "benchmarks"))
        import carton_bound

        lines += ["", carton_bound.markdown(bp["proof"], plans=bp["proof"].get("plans"))]
    mpv = result.get("mpv")
    if mpv:
        lines += _mpv_markdown(mpv)
    br = result.get("br")
    if br:
        lines += _br_markdown(br)
    sections = result.get("sections")
    if sections:
        lines += [
            "",
            f"Sections (on {result.get('jobs', 1)} processes): "
            + ", ".join(
                f"{name} {row['cpu_s']:g} s CPU / {row['wall_s']:g} s wall"
                for name, row in sections.items()
            )
            + ".",
        ]
    missing = [
        f"{m}: {state}" for m, state in result.get("peers", {}).items() if state != "installed"
    ]
    if missing:
        lines += ["", "Peers not run: " + "; ".join(missing) + "."]
    return "\n".join(lines)


def _section(name: str, args: argparse.Namespace, peers: list[str]) -> tuple[Any, float, float]:
    """One section (``br:N`` is one BR class): (its result, CPU seconds, wall seconds).

    The CPU seconds include the section's finished subprocesses (the scaling cases).
    """

    def children() -> float:
        times = os.times()
        return times.children_user + times.children_system

    start, start_cpu, start_children = time.perf_counter(), time.process_time(), children()
    found: Any
    if name == "boxpacker":
        found = bench_boxpacker(args, peers)
    elif name == "proof":
        sys.path.insert(0, str(REPO / "benchmarks"))
        import carton_bound

        found = carton_bound.prove(args.data, args.limit)
        found["cpu_s"] = round(time.process_time() - start_cpu, 1)
        print(f"  carton proof: {found['proven_total']} cartons", file=sys.stderr)
    elif name == "mpv":
        found = bench_mpv(args, peers)
    elif name.startswith("br:"):
        found = bench_br(argparse.Namespace(**{**vars(args), "br_classes": [int(name[3:])]}))
    elif name == "small":
        found = bench_small(args)
    else:
        found = bench_units(args)
    cpu = time.process_time() - start_cpu + children() - start_children
    return found, cpu, time.perf_counter() - start


def _merge_br(parts: Sequence[dict[str, Any]], work_limit: int) -> dict[str, Any]:
    """The BR section from its classes run apart (timing over every problem again)."""
    times = [t for part in parts for t in part.get("problem_cpu_s", [])]
    return {
        "classes": {k: v for part in parts for k, v in part["classes"].items()},
        "invalid_plans": sum(part["invalid_plans"] for part in parts),
        "work_limit": work_limit,
        "cpu_s": round(sum(times), 1),
        **timing(times),
    }


def run_sections(args: argparse.Namespace, peers: list[str]) -> dict[str, Any]:
    """Every section asked for, on ``--jobs`` processes, with each one's CPU and wall time.

    Sections are independent (each reads the data and measures CPU time in its own
    process), so running them side by side changes no figure but the wall time. The BR
    classes run as sections of their own, the longest first.
    """
    names = []
    # The longest sections first, so that the processes finish together.
    if not args.no_mpv:
        names.append("mpv")
    if not args.no_boxpacker:
        names.append("boxpacker")
        if not args.no_proof:
            names.append("proof")
    if not args.no_br:
        names += [
            f"br:{n}" for n in sorted(BR_TYPES, reverse=True) if n in (args.br_classes or BR_TYPES)
        ]
    if not args.no_small:
        names.append("small")
    if not args.no_units:
        names.append("units")
    done: dict[str, tuple[Any, float, float]] = {}
    if args.jobs > 1 and len(names) > 1:
        with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {name: pool.submit(_section, name, args, peers) for name in names}
            done = {name: future.result() for name, future in futures.items()}
    else:
        done = {name: _section(name, args, peers) for name in names}
    result: dict[str, Any] = {
        name: done[name][0] for name in ("boxpacker", "mpv", "small", "units") if name in done
    }
    if "boxpacker" in result:
        plans = result["boxpacker"].pop("plans")
        if "proof" in done:
            result["boxpacker"]["proof"] = {**done["proof"][0], "plans": plans}
    brs = [done[name][0] for name in names if name.startswith("br:")]
    if brs:
        result["br"] = _merge_br(brs, args.br_work_limit)
    result["sections"] = {
        name: {"cpu_s": round(cpu, 1), "wall_s": round(wall, 1)}
        for name, (_, cpu, wall) in done.items()
    }
    result["jobs"] = args.jobs
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N orders")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-boxpacker", action="store_true")
    parser.add_argument("--ps-time-limit", type=float, default=1.0)
    parser.add_argument("--no-mpv", action="store_true")
    parser.add_argument("--mpv-instances", type=int, default=10)
    parser.add_argument("--mpv-effort", type=int, default=96)
    parser.add_argument(
        "--mpv-classes",
        type=lambda text: tuple(int(c) for c in text.split(",")),
        default=(),
        help="only these MPV classes (e.g. 5,6); merged into the MPV section of --output",
    )
    parser.add_argument(
        "--mpv-sizes",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=(),
        help="only these MPV sizes (e.g. 150,200); merged per cell like --mpv-classes",
    )
    parser.add_argument(
        "--mpv-peer-instances", type=int, default=2, help="MPV instances per cell for peers"
    )
    parser.add_argument("--no-br", action="store_true")
    parser.add_argument("--br-limit", type=int, default=100, help="problems per BR class")
    parser.add_argument(
        "--br-work-limit", type=int, default=200_000, help="work units per BR container"
    )
    parser.add_argument(
        "--br-classes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[],
        help="only these BR classes, e.g. 5,6,7 (default: all)",
    )
    parser.add_argument("--br-effort", type=int, default=4)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes for the sections (BR classes apart)"
    )
    parser.add_argument("--peer-cache", type=Path, default=PEER_CACHE)
    parser.add_argument(
        "--refresh-peers", action="store_true", help="run the peers again (ignore the cache)"
    )
    parser.add_argument("--no-small", action="store_true")
    parser.add_argument(
        "--small-random", type=int, default=400, help="random small orders (-1: none)"
    )
    parser.add_argument(
        "--small-boxpacker", type=int, default=0, help="BoxPacker orders <= 8 units (0: all)"
    )
    parser.add_argument(
        "--before-src", type=Path, default=None, help="src of the version to compare (main)"
    )
    parser.add_argument(
        "--units", action="store_true", help="only the one-SKU scaling section (500-10,000)"
    )
    parser.add_argument("--no-units", action="store_true", help="leave out one-SKU scaling")
    parser.add_argument("--no-proof", action="store_true", help="leave out the proven carton bound")
    parser.add_argument(
        "--units-timeout", type=float, default=30.0, help="seconds per 'before' scaling case"
    )
    args = parser.parse_args(argv)
    if args.units:
        # The scaling section alone (the other sections take long).
        args.no_boxpacker = args.no_mpv = args.no_br = args.no_small = True
    peers = []
    if not args.no_peers:
        for module in ("py3dbp", "packingsolver3d"):
            if importlib.util.find_spec(module) is not None:
                peers.append(module)
            else:
                print(f"  {module} is not installed; skipped", file=sys.stderr)
    result: dict[str, Any] = {
        "peers": {
            module: ("not run (--no-peers)" if args.no_peers else "not installed")
            if module not in peers
            else "installed"
            for module in ("py3dbp", "packingsolver3d")
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
        "limit": args.limit or None,
    }
    result.update(run_sections(args, peers))
    partial = args.no_boxpacker or args.no_mpv or args.no_br or args.no_small or args.no_units
    if partial and args.output.exists():
        # A partial run updates only its own sections of an existing result file.
        previous = json.loads(args.output.read_text())
        if (args.mpv_classes or args.mpv_sizes) and "mpv" in result and "mpv" in previous:
            result["mpv"] = merge_mpv(previous["mpv"], result["mpv"])
        previous.update(result)
        result = previous
    table = markdown(result)
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
