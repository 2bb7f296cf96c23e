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
* **volume and weight together**: for every way to choose k cartons (how many of each
  type), the weight that the chosen cartons of one type can take *within their volume* is at
  most a fractional knapsack (the densest units that fit that type first, at most as many
  of a product as those cartons hold), and likewise the volume within their weight
  capacity; if, for every choice, these add up to less than the order's weight or volume
  (or a unit fits none of the chosen types), k cartons are not enough. Unlike the
  eligibility bound, this couples volume and weight in each carton (a carton full of light
  units has no room left for the heavy ones);
* **the same with dual feasible functions**: as above, but a carton's room is measured
  after a dual feasible function per axis (Fekete and Schepers: the identity, or U_e,
  which rounds sides above 1 - e of the carton's side up to all of it and drops those
  below e), and units that fit only one chosen type must go there. A flat carton whose
  width and length a large sheet nearly fills then has no room beside the sheets, only
  above them;
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
from fractions import Fraction
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
#: The volume-and-weight check tries at most this many cartons above the bound it starts
#: from (each step refutes every choice of that many cartons).
KNAPSACK_STEPS = 4
#: The check with dual feasible functions runs for orders whose bound so far is from 2 to
#: this many cartons, with at most :data:`DFF_AXIS_THRESHOLDS` thresholds e per axis.
DFF_KNAPSACK_CARTONS = 4
DFF_AXIS_THRESHOLDS = 4


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


def _fits_carton(unit: Unit, carton: Carton) -> bool:
    size = _size(carton)
    if carton.capacity_g is not None and unit.weight > carton.capacity_g:
        return False
    return any(all(o[a] <= size[a] for a in range(3)) for o in unit.orientations)


def _most(
    products: Sequence[tuple[Unit, int]], carton: Carton, copies: int, by_weight: bool
) -> Fraction:
    """The most weight (``by_weight``) or volume ``copies`` cartons of one type can hold.

    A fractional knapsack: the units that fit the carton, densest first (weight per volume
    for weight, volume per weight for volume), at most as many of a product as the cartons
    hold, until the cartons' volume (or weight capacity) is used up; then at most the
    cartons' weight capacity (or volume). Any real packing holds no more.
    """
    volume = Fraction(copies * math.prod(_size(carton)))
    capacity = None if carton.capacity_g is None else Fraction(copies * carton.capacity_g)
    goods = []
    for unit, count in products:
        if not _fits_carton(unit, carton):
            continue
        most = min(count, copies * per_carton_cap(unit, carton, count))
        gain, cost = (unit.weight, unit.volume) if by_weight else (unit.volume, unit.weight)
        goods.append((Fraction(gain), Fraction(cost), most))
    room = volume if by_weight else capacity
    total = Fraction(0)
    for gain, cost, most in sorted(goods, key=lambda g: -g[0] / g[1] if g[1] else -math.inf):
        take = Fraction(most) if room is None or not cost else min(Fraction(most), room / cost)
        total += take * gain
        if room is not None:
            room -= take * cost
            if room <= 0:
                break
    limit = capacity if by_weight else volume
    return total if limit is None else min(total, limit)


def knapsack_bound(
    products: Sequence[tuple[Unit, int]], cartons: Sequence[Carton], start: int
) -> int:
    """The fewest cartons (from ``start``) whose volume and weight together can hold the order.

    Every choice of ``total`` cartons (counts per type) is refuted when a unit fits none of
    the chosen types, or when the weight (volume) the chosen types can take within their
    volume (weight capacity) adds up to less than the order's (:func:`_most`). More cartons
    only add room, so the first total not refuted is a lower bound; after
    :data:`KNAPSACK_STEPS` refuted totals the last one plus one is returned.
    """
    weight = sum(Fraction(unit.weight) * count for unit, count in products)
    volume = sum(unit.volume * count for unit, count in products)
    fits = [[_fits_carton(unit, c) for c in cartons] for unit, _ in products]
    most: dict[tuple[int, int, bool], Fraction] = {}

    def held(k: int, copies: int, by_weight: bool) -> Fraction:
        if (k, copies, by_weight) not in most:
            most[k, copies, by_weight] = _most(products, cartons[k], copies, by_weight)
        return most[k, copies, by_weight]

    for total in range(start, start + KNAPSACK_STEPS):
        for counts in itertools.product(range(total + 1), repeat=len(cartons)):
            if sum(counts) != total:
                continue
            if not all(any(f and n for f, n in zip(row, counts, strict=True)) for row in fits):
                continue
            chosen = [(k, n) for k, n in enumerate(counts) if n]
            if sum(held(k, n, True) for k, n in chosen) < weight:
                continue
            if sum(held(k, n, False) for k, n in chosen) < volume:
                continue
            return total
    return start + KNAPSACK_STEPS


def _axis_functions(side: int, lengths: set[int]) -> list[dict[int, int]]:
    """Dual feasible functions on one axis of ``side``, as integer maps of the lengths.

    The identity, and U_e for thresholds e (in millimetres, at most half the side) taken
    from the lengths that occur: lengths above ``side - e`` become ``side``, those below
    ``e`` become 0, the rest stay. Any lengths that fit side by side still do after the map.
    """
    maps = [{n: n for n in lengths}]
    small = sorted(n for n in lengths if 2 * n <= side)
    for e in small[:: max(1, math.ceil(len(small) / DFF_AXIS_THRESHOLDS))]:
        maps.append({n: side if n > side - e else (n if n >= e else 0) for n in lengths})
    return maps


def dff_knapsack_bound(
    products: Sequence[tuple[Unit, int]], cartons: Sequence[Carton], start: int
) -> int:
    """:func:`knapsack_bound` with a carton's room measured by dual feasible functions.

    For every choice of ``start`` cartons (counts per type), a chosen type takes at least
    the units that fit no other chosen type, and, for every triple of axis functions
    (:func:`_axis_functions`), units whose transformed volumes (the least over the
    orientations that fit) add up to at most the cartons' volume. The most volume (and
    weight) it can then hold is a fractional knapsack on the transformed volume; if the
    least of these over the triples, added over the chosen types, is below the order's
    volume (or weight), the choice is refuted. Returns ``start + 1`` when every choice is
    refuted, else ``start``.
    """
    weight = sum(Fraction(unit.weight) * count for unit, count in products)
    volume = sum(unit.volume * count for unit, count in products)
    fits = [[_fits_carton(unit, c) for c in cartons] for unit, _ in products]
    room: dict[int, list[list[int | None]]] = {}
    for k, carton in enumerate(cartons):
        size = _size(carton)
        shapes = [
            [o for o in unit.orientations if all(o[a] <= size[a] for a in range(3))]
            if fits[p][k]
            else []
            for p, (unit, _) in enumerate(products)
        ]
        axes = [
            _axis_functions(size[a], {o[a] for found in shapes for o in found}) for a in range(3)
        ]
        room[k] = [
            [min((f0[o[0]] * f1[o[1]] * f2[o[2]] for o in found), default=None) for found in shapes]
            for f0, f1, f2 in itertools.product(*axes)
        ]

    def most(k: int, copies: int, forced: list[bool], by_weight: bool) -> Fraction:
        capacity = copies * math.prod(_size(cartons[k]))
        best: Fraction | None = None
        for sizes in room[k]:
            got, used, goods = Fraction(0), 0, []
            for p, (unit, count) in enumerate(products):
                size = sizes[p]
                if size is None:
                    continue
                gain = Fraction(unit.weight) if by_weight else Fraction(unit.volume)
                if forced[p]:
                    got, used = got + gain * count, used + size * count
                else:
                    goods.append((gain, size, count))
            if used > capacity:
                return Fraction(-1)  # the forced units alone overflow: the choice fails
            left = Fraction(capacity - used)
            for gain, size, count in sorted(
                goods, key=lambda g: -g[0] / g[1] if g[1] else -math.inf
            ):
                take = Fraction(count) if not size else min(Fraction(count), left / size)
                got += take * gain
                left -= take * size
                if size and left <= 0:
                    break
            best = got if best is None else min(best, got)
        assert best is not None
        return best

    for counts in itertools.product(range(start + 1), repeat=len(cartons)):
        if sum(counts) != start:
            continue
        if not all(any(f and n for f, n in zip(row, counts, strict=True)) for row in fits):
            continue
        chosen = [k for k, n in enumerate(counts) if n]
        held = {True: Fraction(0), False: Fraction(0)}
        for k in chosen:
            forced = [
                fits[p][k] and not any(fits[p][j] for j in chosen if j != k)
                for p in range(len(products))
            ]
            for by_weight in (True, False):
                value = most(k, counts[k], forced, by_weight)
                cap = cartons[k].capacity_g
                limit = (
                    (None if cap is None else Fraction(counts[k] * cap))
                    if by_weight
                    else Fraction(counts[k] * math.prod(_size(cartons[k])))
                )
                if limit is not None and value >= 0:
                    value = min(value, limit)
                held[by_weight] = (
                    Fraction(-1) if value < 0 or held[by_weight] < 0 else held[by_weight] + value
                )
        if held[True] >= weight and held[False] >= volume:
            return start
    return start + 1


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
    # Volume and weight in the same carton: light bulky units leave no room for heavy ones.
    coupled = knapsack_bound(products, cartons, bound)
    if coupled > bound:
        bound, reason = (
            coupled,
            (
                f"no {coupled - 1} cartons hold the order's weight within their volume, or its"
                " volume within their weight capacity (fractional knapsack per carton type)"
            ),
        )
    if 2 <= bound <= DFF_KNAPSACK_CARTONS and dff_knapsack_bound(products, cartons, bound) > bound:
        bound, reason = (
            bound + 1,
            f"no {bound} cartons hold the order when each carton's room is measured by dual"
            " feasible functions and units that fit one chosen type must go there",
        )
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
