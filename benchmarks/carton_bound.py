"""A proven lower bound on the cartons BoxPacker's orders need, written apart from the library.

For each order the bound is the largest of these counts, each a proof that fewer cartons
cannot hold the order:

* **eligibility**: every unit goes into a carton type it fits (sizes and weight); for every
  set S of carton types, the units that fit only types in S must fit the cartons of S by
  volume and by weight (``packing.eligibility_bound``, the issue's 4,524 figure);
* **per product**: n identical units, at most c of which fit one carton of any type (c
  from weight, volume, pairs that cannot share a carton and dual feasible functions), need
  ceil(n / c) cartons;
* **conflicts**: units no carton type holds together (checked exactly for each pair) need
  one carton each;
* **exact, one carton**: no carton type holds the whole order (the exact reference of
  ``small_orders.py``: volume, weight, pairs, stacking, dual feasible functions, then a
  complete search), so the order needs two;
* **exact, two cartons**: for orders of at most 8 units, no split of the units into two
  parts fits any two carton types, so the order needs three.

None of this uses the library's packer or its bounds. ``python benchmarks/carton_bound.py``
prints the proven total, the orders it pushes above the eligibility bound with the reason,
and, given ``--plans`` (a JSON of order id to carton count), the orders whose plan is above
the proven bound.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import small_orders
from ordercycle.packing import Carton, Item
from packing import DEFAULT_DATA, eligibility_bound, items_of, load_boxpacker
from small_orders import Reference, Unit

#: Orders up to this many units get the exact one-carton check.
ONE_CARTON_UNITS = 12
#: Orders up to this many units get the exact two-carton check.
TWO_CARTON_UNITS = 8
#: Search budget per (carton, units) question; a question left open proves nothing.
BUDGET_NODES = 20_000
#: Dual feasible functions are tried on at most this many copies of a product.
DFF_UNITS = 16


def _units(items: Sequence[Item]) -> list[tuple[Unit, int]]:
    """(unit, count) per product: order lines of the same dimensions and weight merged."""
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for item in items:
        unit = Unit(item)
        key = (unit.orientations, unit.weight)
        if key in merged:
            merged[key][1] += item.quantity
        else:
            merged[key] = [unit, item.quantity]
    return [(u, n) for u, n in merged.values()]


def _size(carton: Carton) -> tuple[int, int, int]:
    # Item sides are whole millimetres, so any packing fits the carton's whole-mm inside.
    return tuple(int(v) for v in carton.inner_mm)  # type: ignore[return-value]


def per_carton_cap(unit: Unit, carton: Carton, most: int) -> int:
    """At most how many copies of ``unit`` one carton holds (an upper bound, <= ``most``)."""
    size = _size(carton)
    if not any(all(o[a] <= size[a] for a in range(3)) for o in unit.orientations):
        return 0
    cap = min(most, math.prod(size) // unit.volume)
    if carton.capacity_g is not None:
        cap = min(cap, int(carton.capacity_g // unit.weight))
    if cap >= 2 and not small_orders._pair_fits(size, unit, unit):
        return 1
    return cap


def _product_bound(unit: Unit, count: int, cartons: Sequence[Carton]) -> tuple[int, str]:
    """Cartons ``count`` copies of ``unit`` need, and why."""
    caps = [per_carton_cap(unit, c, count) for c in cartons]
    if not max(caps):
        return 0, "fits no carton"
    bound = math.ceil(count / max(caps))
    name = f"{count} units of {'x'.join(map(str, unit.orientations[0]))} mm, {unit.weight} g"
    reason = f"{name}: at most {max(caps)} fit any one carton (weight, volume, pairs)"
    # One more carton if no carton type holds ceil(count / bound) copies (dual feasible
    # functions), the fewest one of `bound` cartons must take.
    target = math.ceil(count / bound)
    if 2 <= target <= DFF_UNITS and all(
        cap < target or not small_orders._dff_bound(_size(c), [unit] * target)
        for c, cap in zip(cartons, caps, strict=True)
    ):
        bound += 1
        reason = f"{name}: no carton holds {target} (dual feasible functions)"
    return bound, reason


def _largest_first(cartons: Sequence[Carton]) -> list[int]:
    # The largest carton is the likeliest to hold the units, which ends the check early.
    return sorted(range(len(cartons)), key=lambda k: -math.prod(cartons[k].inner_mm))


def order_bound(
    items: Sequence[Item], cartons: Sequence[Carton], reference: Reference
) -> tuple[int, int, str]:
    """(eligibility bound, proven bound, the reason for the proven bound)."""
    eligible = eligibility_bound(items, cartons)
    bound, reason = eligible, "eligibility (volume and weight by the carton types units fit)"
    products = _units(items)
    # Per product: identical units, at most so many per carton of any type.
    for unit, count in products:
        need, why = _product_bound(unit, count, cartons)
        if need > bound:
            bound, reason = need, why
    # Conflicts: products no carton holds together, one of each needs a carton of its own.
    fits_together = {
        (a, b): any(
            reference.feasible(k, [products[a][0], products[b][0]]) is not False
            for k in range(len(cartons))
        )
        for a in range(len(products))
        for b in range(len(products))
    }
    clique: list[int] = []
    for p in sorted(range(len(products)), key=lambda p: -products[p][0].volume):
        if all(not fits_together[p, q] for q in clique):
            clique.append(p)
    size = sum(products[p][1] if not fits_together[p, p] else 1 for p in clique)
    if size > bound:
        bound, reason = size, f"{size} units no carton holds two of"
    units = [u for u, n in products for _ in range(n)]
    if (
        bound == 1
        and len(units) <= ONE_CARTON_UNITS
        and all(reference.feasible(k, units) is False for k in _largest_first(cartons))
    ):
        bound, reason = 2, "no carton type holds the whole order (exact)"
    if bound == 2 and len(units) <= TWO_CARTON_UNITS:
        counts = tuple(n for _, n in products)
        splits = [
            part
            for part in itertools.product(*(range(n + 1) for n in counts))
            if 0 < sum(part) < len(units)
        ]

        def part_fits(part: tuple[int, ...]) -> bool:
            chosen = [u for (u, _), take in zip(products, part, strict=True) for _ in range(take)]
            return any(reference.feasible(k, chosen) is not False for k in _largest_first(cartons))

        if not any(
            part_fits(part) and part_fits(tuple(n - t for n, t in zip(counts, part, strict=True)))
            for part in splits
        ):
            bound, reason = 3, "no split into two parts fits two cartons (exact)"
    return eligible, bound, reason


def prove(data: Path, limit: int = 0) -> dict[str, Any]:
    """The proven bound per BoxPacker order and the totals."""
    cartons, orders = load_boxpacker(data)
    if limit:
        orders = orders[:limit]
    reference = Reference(cartons, BUDGET_NODES)
    rows = {}
    for oid, lines in orders:
        eligible, bound, reason = order_bound(items_of(lines), cartons, reference)
        rows[oid] = {"eligibility": eligible, "proven": bound, "reason": reason}
    return {
        "orders": len(rows),
        "eligibility_total": sum(r["eligibility"] for r in rows.values()),
        "proven_total": sum(r["proven"] for r in rows.values()),
        "above_eligibility": {oid: r for oid, r in rows.items() if r["proven"] > r["eligibility"]},
        "per_order": {oid: r["proven"] for oid, r in rows.items()},
    }


def markdown(proof: dict[str, Any], target: int = 4530, plans: dict[str, int] | None = None) -> str:
    """The proof's table: totals, the orders above the eligibility bound, plans above it."""
    total = proof["proven_total"]
    verdict = (
        f"above the target of {target:,}: the target cannot be met"
        if total > target
        else f"within the target of {target:,}"
    )
    lines = [
        f"Proven lower bound on BoxPacker's {proof['orders']:,} orders: **{total:,} cartons**"
        f" (eligibility bound {proof['eligibility_total']:,}); {verdict}.",
        "",
        "| order | eligibility | proven | why more cartons |",
        "|---|---:|---:|---|",
    ]
    for oid, row in sorted(proof["above_eligibility"].items()):
        lines.append(f"| {oid[:8]} | {row['eligibility']} | {row['proven']} | {row['reason']} |")
    if plans:
        over = {oid: n for oid, n in plans.items() if n > proof["per_order"].get(oid, n)}
        listed = ", ".join(
            f"{oid[:8]} {n} > {proof['per_order'][oid]}" for oid, n in sorted(over.items())
        )
        extra = sum(n - proof["per_order"][oid] for oid, n in over.items())
        lines += [
            "",
            f"Plans above the proven bound: {len(over)} orders, {extra} cartons ({listed}).",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--plans", type=Path, default=None, help="JSON: order id -> cartons")
    args = parser.parse_args(argv)
    proof = prove(args.data, args.limit)
    plans = json.loads(args.plans.read_text()) if args.plans else None
    print(markdown(proof, plans=plans))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
