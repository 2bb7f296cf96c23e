"""One SKU at growing quantities: CPU seconds and objective value per objective.

Run by ``benchmarks/packing.py --units`` once on this tree and once (in a subprocess with
``PYTHONPATH`` set to ``--before-src``) on the code to compare; it prints JSON.
``python benchmarks/unit_scaling.py --sku mug --objective cartons --units 500 [--no-exact]``
runs one case.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

from ordercycle.packing import Carton, Item, carriers, pack, verify

SIZES = (500, 1_000, 2_000, 4_000, 8_000, 10_000)
OBJECTIVES = ("billable_weight", "cartons", "cost")

#: The desk's default cartons (service settings).
CARTONS = (
    Carton.from_inches(
        "S",
        8,
        6,
        4,
        tare_lb="0.25",
        max_weight_lb=20,
    ),
    Carton.from_inches("M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40),
    Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60),
)

#: A mug (the issue's example) and a small SKU (many units per carton).
SKUS = {
    "mug": (120, 90, 100, 350),
    "small": (60, 50, 40, 80),
}


def _cartons() -> tuple[Carton, ...]:
    from ordercycle.money import Money

    costs = ("0.45", "0.80", "1.40")
    return tuple(
        Carton(c.name, inner=c.inner, tare=c.tare, max_weight=c.max_weight, cost=Money(p, "USD"))
        for c, p in zip(CARTONS, costs, strict=True)
    )


def run(sku: str, objective: str, units: int, exact: bool = True) -> dict[str, Any]:
    """Pack ``units`` of ``sku``; CPU seconds, cartons, objective value, validity."""
    length, width, height, grams = SKUS[sku]
    item = Item.from_mm(sku.upper(), length, width, height, grams, quantity=units)
    start = time.process_time()
    plan = pack([item], _cartons(), carriers.UPS_DAILY, objective=objective, exact=exact)
    seconds = time.process_time() - start
    verify(plan)
    if objective == "cartons":
        value: Any = len(plan.packages)
    elif objective == "cost":
        value = None if plan.cost is None else str(plan.cost.amount)
    else:
        value = str(plan.billable_weight.magnitude)
    return {
        "cpu_s": round(seconds, 3),
        "cartons": len(plan.packages),
        "value": value,
        "held": sum(len(p.placements) for p in plan.packages),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sku", choices=sorted(SKUS), required=True)
    parser.add_argument("--objective", choices=OBJECTIVES, required=True)
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--no-exact", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.sku, args.objective, args.units, not args.no_exact)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
