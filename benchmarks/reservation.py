"""In-memory allocation throughput and allocation quality of the inventory planner.

Throughput (the whole ``allocate()`` call per order: snapshot of the order's skus, plan,
compare-and-set check, events recorded; demand objects are built before timing):

* (a) one warehouse with one bin, one-line orders; target at least 50,000 lines/s;
* (b) ten warehouses, three-line orders, fewest-shipments strategy with FEFO lots;
  target at least 5,000 orders/s.

Each scenario runs on fixed seeds, repeated (default 5 times on fresh ledgers); the table
shows the median and the spread of the rate measured in process CPU time (the machines
are shared, so wall time mostly measures the neighbours; it is shown too, with the load
average in the JSON). Set-up data is frozen out of the garbage collector before timing.

Quality: on a generated multi-warehouse scenario, the same orders are allocated in turn
(each strategy on its own copy of the stock) and we compare shipments per order, split
orders and fill rate for fewest-shipments, warehouse-priority and most-stock.

Run ``python benchmarks/reservation.py`` (``--quick`` for a short run). It prints markdown
tables and writes ``benchmarks/results/reservation.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ordercycle.inventory import (
    AllocationStrategy,
    Demand,
    DemandLine,
    Lot,
    Network,
    StockLedger,
    allocate,
)

SEED = 20_260_526
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
RESULTS = Path(__file__).parent / "results" / "reservation.json"


def single_location(orders: int, seed: int) -> tuple[StockLedger, list[Demand]]:
    """One warehouse, one bin, 200 skus with ample stock, one-line orders of 1-3 units."""
    rng = random.Random(seed)
    ledger = StockLedger(Network.simple(["WH-A"]))
    skus = [f"SKU-{i:03d}" for i in range(200)]
    for sku in skus:
        ledger.receive(sku, "WH-A/01", orders * 3, at=T0)
    demands = [
        Demand(f"O-{n}", (DemandLine("1", rng.choice(skus), rng.randint(1, 3)),))  # type: ignore[arg-type]
        for n in range(orders)
    ]
    return ledger, demands


def multi_warehouse(
    orders: int, seed: int, *, warehouses: int = 10, skus: int = 300, depth: int = 40
) -> tuple[StockLedger, list[Demand]]:
    """Ten warehouses; each sku is stocked in 2-6 of them, in 1-3 lots with expiry dates.

    Three-line orders of 1-4 units each, skus drawn with a skew (popular skus first).
    """
    rng = random.Random(seed)
    names = [f"WH-{i:02d}" for i in range(warehouses)]
    network = Network.simple(names, bins=2, priorities={w: i for i, w in enumerate(names)})
    ledger = StockLedger(network)
    catalogue = [f"SKU-{i:03d}" for i in range(skus)]
    for sku in catalogue:
        for warehouse in rng.sample(names, rng.randint(2, 6)):
            for n in range(rng.randint(1, 3)):
                lot = Lot(
                    sku,  # type: ignore[arg-type]
                    f"{warehouse}-L{n}",  # type: ignore[arg-type]
                    received_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 50)),
                    expires_on=date(2026, 3, 10) + timedelta(days=rng.randint(0, 200)),
                )
                bin_id = f"{warehouse}/0{rng.randint(1, 2)}"
                ledger.receive(sku, bin_id, rng.randint(1, depth), lot=lot, at=T0)
    weights = [1 / (i + 1) ** 0.6 for i in range(skus)]
    demands = []
    for n in range(orders):
        picked: list[str] = []
        while len(picked) < 3:
            sku = rng.choices(catalogue, weights)[0]
            if sku not in picked:
                picked.append(sku)
        lines = tuple(DemandLine(str(i), s, rng.randint(1, 4)) for i, s in enumerate(picked, 1))  # type: ignore[arg-type]
        demands.append(Demand(f"O-{n}", lines))
    return ledger, demands


def run(
    ledger: StockLedger, demands: list[Demand], strategy: AllocationStrategy
) -> tuple[float, float]:
    """CPU seconds and wall seconds to allocate every demand in turn.

    The set-up objects (stock, demands) are moved out of the garbage collector's view
    first (``gc.freeze()``), so collections during the run scan only what the run makes,
    as in a long-running service whose start-up data is frozen.
    """
    gc.collect()
    gc.freeze()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        for demand in demands:
            allocate(ledger, demand, strategy, at=T0)
        return time.process_time() - cpu, time.perf_counter() - wall
    finally:
        gc.unfreeze()


def throughput(
    name: str, build: Any, orders: int, repeats: int, strategy: AllocationStrategy, per: str
) -> dict[str, Any]:
    rates, wall_rates = [], []
    lines = 0
    for repeat in range(repeats):
        ledger, demands = build(orders, SEED + repeat)
        lines = sum(len(d.lines) for d in demands)
        count = lines if per == "lines" else len(demands)
        cpu, wall = run(ledger, demands, strategy)
        rates.append(count / cpu)
        wall_rates.append(count / wall)
    return {
        "scenario": name,
        "unit": f"{per}/s",
        "orders": orders,
        "lines": lines,
        "repeats": repeats,
        "median": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "median_wall": statistics.median(wall_rates),
    }


def quality(orders: int, seed: int) -> list[dict[str, Any]]:
    """Shipments per order for three strategies on the same generated stock and orders."""
    strategies = {
        "fewest shipments → priority → FEFO": AllocationStrategy.fewest_shipments(),
        "warehouse priority → FEFO": AllocationStrategy.warehouse_priority(),
        "most stock → FEFO": AllocationStrategy.most_stock(),
    }
    rows = []
    for label, strategy in strategies.items():
        ledger, demands = multi_warehouse(orders, seed, depth=30)
        shipments, split, allocated, ordered = [], 0, 0, 0
        for demand in demands:
            plan = allocate(ledger, demand, strategy, at=T0)
            shipments.append(plan.shipment_count)
            split += plan.shipment_count > 1
            allocated += plan.allocated
            ordered += sum(line.quantity for line in demand.lines)
        shipped = [s for s in shipments if s]
        rows.append(
            {
                "strategy": label,
                "orders": len(demands),
                "shipments_per_order": sum(shipped) / len(shipped),
                "split_orders_pct": 100 * split / len(demands),
                "fill_rate_pct": 100 * allocated / ordered,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer orders and repeats")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else args.repeats
    scale = 10 if args.quick else 1
    results = [
        throughput(
            "(a) 1 location, 1-line orders",
            single_location,
            20_000 // scale,
            repeats,
            AllocationStrategy.warehouse_priority(),
            "lines",
        ),
        throughput(
            "(b) 10 warehouses, 3-line orders, fewest shipments + FEFO",
            multi_warehouse,
            5_000 // scale,
            repeats,
            AllocationStrategy.fewest_shipments(),
            "orders",
        ),
    ]
    targets = {"lines/s": 50_000, "orders/s": 5_000}
    print("## Allocation throughput (in memory, one core)\n")
    print("| scenario | orders | median (CPU) | min | max | median (wall) | target |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['scenario']} | {r['orders']:,} | {r['median']:,.0f} {r['unit']} |"
            f" {r['min']:,.0f} | {r['max']:,.0f} | {r['median_wall']:,.0f} |"
            f" ≥ {targets[r['unit']]:,} |"
        )
    rows = quality(300 if args.quick else 1_000, SEED)
    print("\n## Allocation quality (same stock and orders, allocated in turn)\n")
    print("| strategy | orders | shipments per order | split orders | fill rate |")
    print("|---|---:|---:|---:|---:|")
    for q in rows:
        print(
            f"| {q['strategy']} | {q['orders']:,} | {q['shipments_per_order']:.3f} |"
            f" {q['split_orders_pct']:.1f} % | {q['fill_rate_pct']:.1f} % |"
        )
    payload = {
        "benchmark": "reservation",
        "seed": SEED,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "quick": args.quick,
        "throughput": results,
        "quality": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
