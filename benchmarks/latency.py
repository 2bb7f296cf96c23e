"""Per-order CPU time on BoxPacker's orders, for every objective, with the carton count.

``python benchmarks/latency.py [--limit N] [--work-limit W] [--output FILE]`` packs each of
BoxPacker's orders (``../shared/benchmarks/boxpacker``) once per objective (billable weight
and cost under UPS daily rules with the small-orders rate, and carton count) and reports
p50/p95/p99/max of the CPU time per order (``time.process_time``, so a loaded machine does
not inflate it), the total cartons of the carton-count objective against the eligibility
bound, and the number of invalid plans (independent check: ``verify.violations``). The
slowest orders are listed so a regression can be traced. It prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ordercycle.model.clock import SystemClock
from ordercycle.packing import pack
from ordercycle.packing.verify import violations
from packing import (
    DEFAULT_DATA,
    eligibility_bound,
    items_of,
    load_boxpacker,
    percentile,
    settle_heap,
)
from small_orders import RATE, RULE

OBJECTIVES = ("billable_weight", "cost", "cartons")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--work-limit", type=int, default=-1, help="-1: the default budget")
    parser.add_argument("--objectives", default=",".join(OBJECTIVES))
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--time-limit",
        type=float,
        default=0.0,
        help="instead: wall seconds kept by time_limit (no work budget) on the slowest orders",
    )
    args = parser.parse_args(argv)
    if args.time_limit:
        return time_limits(args)
    cartons, orders = load_boxpacker(args.data)
    if args.limit:
        orders = orders[: args.limit]
    extra: dict[str, Any] = {}
    if args.work_limit >= 0:
        extra["work_limit"] = args.work_limit or None
    result: dict[str, Any] = {"orders": len(orders)}
    for objective in args.objectives.split(","):
        times: list[tuple[float, str]] = []
        count = invalid = bound = 0
        settle_heap()
        for oid, lines in orders:
            items = items_of(lines)
            start = time.process_time()
            plan = pack(items, cartons, RULE, objective=objective, rate=RATE, **extra)
            times.append((time.process_time() - start, oid))
            invalid += bool(violations(plan))
            count += len(plan.packages)
            if objective == "cartons":
                bound += eligibility_bound(items, cartons)
        values = sorted(t for t, _ in times)
        row: dict[str, Any] = {
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1),
            "total_cpu_s": round(sum(values), 1),
            "cartons": count,
            "invalid_plans": invalid,
            "slowest": [(oid, round(t * 1000, 1)) for t, oid in sorted(times)[-5:]],
        }
        if objective == "cartons":
            row["eligibility_bound"] = bound
        result[objective] = row
        print(f"  {objective}: {row}", file=sys.stderr)
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    if args.output is not None:
        args.output.write_text(text + "\n")
    return 0


def time_limits(args: argparse.Namespace) -> int:
    """Wall time of ``pack(..., time_limit=T, work_limit=None)`` on orders that take longer.

    The orders: BoxPacker's with the most units (up to ``--limit``, default 20), objective
    cartons (the deepest search). Reports each order's elapsed wall time over the limit.
    """
    cartons, orders = load_boxpacker(args.data)
    biggest = sorted(orders, key=lambda o: -sum(int(line[1]) for line in o[1]))
    rows = []
    for oid, lines in biggest[: args.limit or 20]:
        items = items_of(lines)
        start = time.perf_counter()
        unlimited = pack(items, cartons, objective="cartons", work_limit=None)
        free = time.perf_counter() - start
        start = time.perf_counter()
        plan = pack(
            items,
            cartons,
            objective="cartons",
            work_limit=None,
            time_limit=args.time_limit,
            clock=SystemClock(),
        )
        took = time.perf_counter() - start
        assert not violations(plan)
        rows.append(
            {
                "order": oid,
                "units": sum(i.quantity for i in items),
                "unlimited_s": round(free, 3),
                "limited_s": round(took, 3),
                "over_limit_pct": round(100 * (took / args.time_limit - 1), 1),
                "cartons_unlimited": len(unlimited.packages),
                "cartons_limited": len(plan.packages),
            }
        )
        print(f"  {rows[-1]}", file=sys.stderr)
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
