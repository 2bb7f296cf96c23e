"""Picking zones in the simulation: per-zone load and utilisation for two staffing splits.

One warehouse, ``DC``, runs the built-in scenario (:meth:`Scenario.default`) at 300 orders a
day with slow picks (120 s a line), pickers on duty from 08:00 to 20:00, and one warm-up
day. Its ten aisles are cut into two zones, ``FRONT`` (aisles 0-4) and ``BACK`` (5-9);
three pickers are split between them two ways, 1 + 2 and 2 + 1, and compared with the same
three pickers without zones. Every scenario shares the seed, so the replications are
paired by common random numbers (the same orders, slotting and draws).

The first table gives each scenario's KPIs as ``mean [95 % interval]`` over the
replications; the second the paired differences of the 2 + 1 split from the 1 + 2 split
(``*`` where the interval excludes zero). Utilisation is busy picker hours over scheduled
picker hours (a zone's own pickers on the calendar's hours), after the warm-up.

Run ``python benchmarks/simulation_zones.py`` (5 replications, seed 7, 900 orders; with
``PYTHONPATH=src`` for a source tree that is not the installed one). It prints the markdown
tables and writes ``benchmarks/results/simulation_zones.json``. This is not a timing
benchmark: the numbers are seeded simulation outputs and reproduce exactly.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ordercycle.simulation import Scenario, WarehouseSpec, ZoneSpec, compare
from ordercycle.simulation.experiments import confidence_interval

RESULTS = Path(__file__).parent / "results" / "simulation_zones.json"

COLUMNS = (
    ("zone_lines[DC/FRONT]", "FRONT lines", "{:.0f}"),
    ("zone_utilisation[DC/FRONT]", "FRONT utilisation", "{:.3f}"),
    ("zone_lines[DC/BACK]", "BACK lines", "{:.0f}"),
    ("zone_utilisation[DC/BACK]", "BACK utilisation", "{:.3f}"),
    ("picker_utilisation", "picker utilisation", "{:.3f}"),
    ("consolidation_rate", "consolidated orders", "{:.3f}"),
    ("order_to_ship_mean", "order-to-ship mean (h)", "{:.2f}"),
    ("order_to_ship_p90", "order-to-ship p90 (h)", "{:.2f}"),
)


def scenarios(seed: int, orders: int) -> list[Scenario]:
    """No zones, then the two splits of three pickers."""
    base = Scenario.default(
        name="no zones, 3 pickers",
        seed=seed,
        orders=orders,
        orders_per_day=300.0,
        warehouses=[WarehouseSpec(id="DC")],
        pickers=3,
        shift=(8, 20),
        pick_seconds_per_line=120.0,
        warmup_days=1,
    )
    found = [base]
    for front, back in ((1, 2), (2, 1)):
        zones = (
            ZoneSpec(name="FRONT", aisles=range(5), pickers=front),
            ZoneSpec(name="BACK", aisles=range(5, 10), pickers=back),
        )
        found.append(base.evolve(name=f"zones {front} + {back}", zones=zones))
    return found


def _cell(values: list[float], shape: str) -> str:
    if not values:
        return "–"
    mean, low, high = confidence_interval(values)
    if len(values) == 1:
        return shape.format(mean)
    return f"{shape.format(mean)} [{shape.format(low)}, {shape.format(high)}]"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--orders", type=int, default=900)
    parser.add_argument("--replications", type=int, default=5)
    args = parser.parse_args(argv)
    chosen = scenarios(args.seed, args.orders)
    comparison = compare(*chosen, replications=args.replications)
    header = "| scenario | " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    lines = [header, "|---|" + "---:|" * len(COLUMNS)]
    table: dict[str, dict[str, list[float]]] = {}
    for group in comparison.replications:
        values = {kpi: group.values(kpi) for kpi, _, _ in COLUMNS}
        table[group.scenario.name] = values
        cells = [_cell(values[kpi], shape) for kpi, _, shape in COLUMNS]
        lines.append(f"| {group.scenario.name} | " + " | ".join(cells) + " |")
    split_a, split_b = chosen[1].name, chosen[2].name
    lines += ["", f"Paired differences, {split_b} − {split_a} (* significant):", ""]
    lines += ["| KPI | mean [95 % interval] |", "|---|---|"]
    wanted = {kpi for kpi, _, _ in COLUMNS}
    differences = []
    for diff in comparison.differences(split_a):
        if diff.scenario != split_b or diff.kpi not in wanted:
            continue
        mark = " *" if diff.significant else ""
        lines.append(f"| {diff.kpi} | {diff.mean:+.4g} [{diff.low:+.4g}, {diff.high:+.4g}]{mark} |")
        differences.append(diff.to_record())
    print(
        f"seed {args.seed}, {args.orders} orders, {args.replications} replications\n\n"
        + "\n".join(lines)
    )
    found = {
        "seed": args.seed,
        "orders": args.orders,
        "replications": args.replications,
        "values": table,
        "differences": differences,
    }
    RESULTS.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    return found


if __name__ == "__main__":
    main()
