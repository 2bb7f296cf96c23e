"""Small orders against an exact reference: is the packer optimal, and how tight is its bound?

The reference is written here, apart from the library's own search. For an order of at
most 8 units it tries every partition of the units into cartons, each part in every carton
type (identical units are interchangeable, so the parts are sub-multisets of the order: a
dynamic programme over count vectors visits every partition). Each (carton, part) is
checked for 3D feasibility exactly: sizes, weight and volume first, then a depth-first
search over every orientation of every unit at every *normal-pattern* position (each
coordinate a sum of other units' sides; any packing pushed towards the origin is one), so
"infeasible" is a proof. Every answer is cached. A part whose search exceeds the node
budget is *unresolved*; orders with an unresolved part that could matter are counted and
left out of the figures.

The billable weight and the cost of a carton are worked out here from the carrier rule's
published arithmetic (``DimWeightRule.billable_weight_exact``) and the carton's cost plus
the rate, not from the packer's own scoring.

    python benchmarks/small_orders.py --random 400 --boxpacker 300

``library_values`` is importable under any version of ordercycle (it uses only ``pack`` and
the plan's public fields), so ``benchmarks/packing.py`` runs it for the version on ``main``
in a subprocess ("before") beside the current tree ("after").
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ordercycle.money import Money
from ordercycle.packing import BasePlusPerUnitRate, Carton, Item, carriers, pack

RULE = carriers.UPS_DAILY
RATE = BasePlusPerUnitRate(Money("6.00", "USD"), Money("0.90", "USD"), unit="lb")
NODE_BUDGET = 50_000_000

Counts = tuple[int, ...]


def default_cartons() -> list[Carton]:
    """The desk's default cartons (inches, tare, maximum weight, cost)."""
    return [
        Carton.from_inches(
            "S", 8, 6, 4, tare_lb="0.25", max_weight_lb=20, cost=Money("0.45", "USD")
        ),
        Carton.from_inches(
            "M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40, cost=Money("0.80", "USD")
        ),
        Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60, cost=Money("1.40", "USD")),
    ]


def random_orders(count: int, seed: int = 20261206) -> list[tuple[str, list[Item]]]:
    """E-commerce-like orders of 1 to 8 units, 1 to 4 products, that fit the L carton."""
    rng = random.Random(seed)
    orders = []
    while len(orders) < count:
        units = rng.randint(1, 8)
        kinds = rng.randint(1, min(4, units))
        split = sorted(rng.sample(range(1, units), kinds - 1))
        quantities = [b - a for a, b in zip([0, *split], [*split, units], strict=True)]
        items = []
        for k, quantity in enumerate(quantities):
            sides = sorted((rng.randint(40, 330), rng.randint(30, 260), rng.randint(15, 200)))
            weight = rng.randint(60, 4500)
            items.append(Item.from_mm(f"P{k}", *sides, weight, quantity=quantity))
        orders.append((f"R{len(orders) + 1}", items))
    return orders


# --- the reference ----------------------------------------------------------------------


class Unit:
    __slots__ = ("orientations", "volume", "weight")

    def __init__(self, item: Item) -> None:
        dims = item.dims_mm
        self.orientations = tuple(
            sorted({tuple(int(v) for v in o) for o in item.orientations_mm()})
        )
        self.volume = int(dims[0] * dims[1] * dims[2])
        self.weight = item.weight_g


def _pair_fits(size: tuple[int, int, int], a: Unit, b: Unit) -> bool:
    """Whether two units fit side by side along some axis (exact for two boxes)."""
    for oa in a.orientations:
        if any(oa[k] > size[k] for k in range(3)):
            continue
        for ob in b.orientations:
            if any(ob[k] > size[k] for k in range(3)):
                continue
            if any(oa[k] + ob[k] <= size[k] for k in range(3)):
                return True
    return False


def _construct(size: tuple[int, int, int], units: Sequence[Unit]) -> bool:
    """A quick proof of feasibility: extreme-point first fit under a few unit orders.

    Each unit goes to the lowest, then nearest, corner point (the origin or a corner of a
    placed box) where some orientation fits without overlap, under a few unit orders and
    orientation preferences (as listed, or shortest or longest along each axis first). True
    means every unit was placed (a packing exists); False proves nothing.
    """
    orders = [
        sorted(units, key=lambda u: (-u.volume, u.orientations)),
        *(
            sorted(units, key=lambda u, a=axis: (-max(o[a] for o in u.orientations), -u.volume))
            for axis in range(3)
        ),
        sorted(units, key=lambda u: (-max(max(o) for o in u.orientations), -u.volume)),
    ]
    policies = [
        lambda o: 0,
        *(lambda o, a=axis: o[a] for axis in range(3)),
        *(lambda o, a=axis: -o[a] for axis in range(3)),
    ]
    for order, policy in itertools.product(orders, policies):
        placed: list[tuple[int, int, int, int, int, int]] = []
        points = [(0, 0, 0)]
        for unit in order:
            done = False
            for x, y, z in sorted(points, key=lambda p: (p[2], p[1], p[0])):
                for o in sorted(unit.orientations, key=policy):
                    x1, y1, z1 = x + o[0], y + o[1], z + o[2]
                    if x1 > size[0] or y1 > size[1] or z1 > size[2]:
                        continue
                    if any(
                        x < b[3] and b[0] < x1 and y < b[4] and b[1] < y1 and z < b[5] and b[2] < z1
                        for b in placed
                    ):
                        continue
                    placed.append((x, y, z, x1, y1, z1))
                    points.remove((x, y, z))
                    points.extend([(x1, y, z), (x, y1, z), (x, y, z1)])
                    done = True
                    break
                if done:
                    break
            if not done:
                break
        else:
            return True
    return False


def _stack_bound(size: tuple[int, int, int], units: Sequence[Unit]) -> bool:
    """Whether units that can only be apart along one axis overflow it (False: infeasible).

    Two boxes that do not overlap are apart along at least one axis. If, for every pair in
    a set, no orientations put them side by side along the two other axes, the set's
    extents along this axis are disjoint, so their smallest extents must add up to at most
    the carton's side (sheets of paper in a flat carton must be stacked).
    """
    count = len(units)
    if count < 2 or count > 12:
        return True
    fits = [[o for o in u.orientations if all(o[a] <= size[a] for a in range(3))] for u in units]

    def apart(i: int, j: int, axis: int) -> bool:
        return any(a[axis] + b[axis] <= size[axis] for a in fits[i] for b in fits[j])

    for axis in range(3):
        others = [b for b in range(3) if b != axis]
        conflict = [
            [i != j and not any(apart(i, j, b) for b in others) for j in range(count)]
            for i in range(count)
        ]
        least = [min(o[axis] for o in fits[i]) for i in range(count)]
        for mask in range(3, 1 << count):
            members = [i for i in range(count) if mask >> i & 1]
            if len(members) < 2 or sum(least[i] for i in members) <= size[axis]:
                continue
            if all(conflict[i][j] for n, i in enumerate(members) for j in members[n + 1 :]):
                return False
    return True


def _dff_tables(values: set[Fraction]) -> list[dict[Fraction, Fraction]]:
    """Dual feasible functions on the relative sides ``values`` (each a value table).

    A dual feasible function f maps [0, 1] to [0, 1] so that any set of sides summing to at
    most 1 still sums to at most 1 after f. Applied one per axis to every unit of a packing,
    the products f1(w/W) f2(h/H) f3(d/D) of the units sum to at most 1 (Fekete and Schepers,
    2004). Used here: the identity, u_k(x) = x when (k+1)x is whole, else floor((k+1)x)/k
    (k = 1..5), and U_e(x) = 1 above 1 - e, x from e to 1 - e, 0 below e, for every side
    e <= 1/2 that occurs.
    """
    tables = [{v: v for v in values}]
    for k in range(1, 6):
        tables.append(
            {
                v: v if ((k + 1) * v).denominator == 1 else Fraction(math.floor((k + 1) * v), k)
                for v in values
            }
        )
    small = sorted(v for v in values if v <= Fraction(1, 2))
    # At most six thresholds per axis, spread over the sides that occur: any subset of dual
    # feasible functions is still a valid test, and many units would make 3D triples slow.
    for e in small[:: max(1, math.ceil(len(small) / 6))]:
        tables.append(
            {v: Fraction(1) if v > 1 - e else (v if v >= e else Fraction(0)) for v in values}
        )
    return tables


def _dff_bound(size: tuple[int, int, int], units: Sequence[Unit]) -> bool:
    """Whether no triple of dual feasible functions shows the units overflow (False: infeasible).

    Each unit takes its orientation of smallest transformed volume, so the test holds
    whatever orientations a packing uses.
    """
    fits = [[o for o in u.orientations if all(o[a] <= size[a] for a in range(3))] for u in units]
    if any(not f for f in fits):
        return False
    rel = [[tuple(Fraction(o[a], size[a]) for a in range(3)) for o in f] for f in fits]
    axes = [_dff_tables({r[a] for f in rel for r in f}) for a in range(3)]
    for f0 in axes[0]:
        for f1 in axes[1]:
            for f2 in axes[2]:
                total = Fraction(0)
                for f in rel:
                    total += min(f0[r[0]] * f1[r[1]] * f2[r[2]] for r in f)
                    if total > 1:
                        return False
    return True


def _feasible_search(
    size: tuple[int, int, int], units: Sequence[Unit], budget_nodes: int = 0
) -> bool | None:
    """Exact 3D feasibility by a complete search over pairwise relations (None: budget spent).

    Two boxes that do not overlap are apart along at least one axis: one lies wholly before
    the other. So a packing exists if and only if there are orientations and, for every
    pair, an axis and a direction, such that along each axis the longest chain of boxes
    that must follow one another fits the carton's side (then each box's earliest start is
    a valid position). The search picks each unit's orientation (largest units first),
    then its relation to every unit already placed, and after each choice recomputes the
    earliest starts along the axis it constrained, cutting as soon as a chain overflows.
    Identical units are numbered in order of their x coordinate in some packing, so a later
    twin never lies wholly before an earlier one along x. A True answer comes with
    positions, checked here for overlap before it is believed.
    """
    order = sorted(units, key=lambda u: (-u.volume, u.orientations))
    count = len(order)
    options = [[o for o in u.orientations if all(o[a] <= size[a] for a in range(3))] for u in order]
    if any(not o for o in options):
        return False
    twin = [i > 0 and order[i].orientations == order[i - 1].orientations for i in range(count)]
    group = list(range(count))
    for i in range(1, count):
        if twin[i]:
            group[i] = group[i - 1]
    dims: list[tuple[int, ...]] = [()] * count
    before: list[list[list[int]]] = [[[] for _ in range(count)] for _ in range(3)]
    budget = [budget_nodes or NODE_BUDGET]

    def starts(axis: int, known: int) -> list[int] | None:
        """Earliest starts along ``axis`` of the first ``known`` units (None: a chain overflows)."""
        side = size[axis]
        earliest = [0] * known
        for _ in range(known + 1):
            changed = False
            for i in range(known):
                start = earliest[i]
                for j in before[axis][i]:
                    start = max(start, earliest[j] + dims[j][axis])
                if start != earliest[i]:
                    if start + dims[i][axis] > side:
                        return None
                    earliest[i] = start
                    changed = True
            if not changed:
                return earliest
        return None  # still growing: a cycle of "before"

    def place(i: int) -> bool | None:
        if i == count:
            return True
        for o in options[i]:
            dims[i] = o
            found = relate(i, 0)
            if found is None or found:
                return found
        return False

    def relate(i: int, j: int) -> bool | None:
        if j == i:
            return place(i + 1)
        budget[0] -= 1
        if budget[0] < 0:
            return None
        for axis in range(3):
            if dims[i][axis] + dims[j][axis] > size[axis]:
                continue
            for first, second in ((j, i), (i, j)):
                if first == i and axis == 0 and group[i] == group[j]:
                    continue  # a later twin never lies wholly before an earlier one along x
                before[axis][second].append(first)
                found = relate(i, j + 1) if starts(axis, i + 1) is not None else False
                if found:
                    return True  # the relations stay: the caller reads positions from them
                before[axis][second].remove(first)
                if found is None:
                    return None
        return False

    found = place(0)
    if found:
        corners = [starts(axis, count) for axis in range(3)]
        boxes = [
            tuple(corners[a][i] for a in range(3))
            + tuple(corners[a][i] + dims[i][a] for a in range(3))  # type: ignore[index]
            for i in range(count)
        ]
        for n, b in enumerate(boxes):
            assert all(b[3 + a] <= size[a] for a in range(3)), "box outside the carton"
            for c in boxes[n + 1 :]:
                assert not all(b[a] < c[3 + a] and c[a] < b[3 + a] for a in range(3)), "overlap"
    return found


class Reference:
    """The exact optimum of an order for billable weight and for cost.

    A dynamic programme over the order's count vectors (identical units are
    interchangeable): the best plan for a vector is, over every sub-multiset holding the
    first remaining kind and every carton, the package's value plus the best plan for the
    rest. Candidates are examined from the lowest total upward, and the first one whose
    (carton, sub-multiset) is feasible in 3D is the optimum, so feasibility is decided only
    where it matters. Feasibility is memoised per (carton, multiset), inferred from known
    answers (a sub-multiset of a feasible multiset is feasible, a super-multiset of an
    infeasible one is not), screened by volume, weight, pairs and sets that must be stacked
    along one axis (:func:`_stack_bound`), shown feasible by a quick construction
    (:func:`_construct`), and otherwise decided by
    a complete search over normal patterns within :data:`NODE_BUDGET` positions (none of
    this uses the library's packer or its search).
    """

    def __init__(self, cartons: Sequence[Carton], budget_nodes: int = 0) -> None:
        self.cartons = list(cartons)
        self.budget_nodes = budget_nodes
        self._feasible: dict[tuple[int, tuple[Any, ...]], bool | None] = {}

    def feasible(self, k: int, units: Sequence[Unit]) -> bool | None:
        carton = self.cartons[k]
        size = tuple(int(v) for v in carton.inner_mm)
        cap = carton.capacity_g
        if cap is not None and sum(u.weight for u in units) > cap:
            return False
        if sum(u.volume for u in units) > size[0] * size[1] * size[2]:
            return False
        key = (k, tuple(sorted((u.orientations, u.weight) for u in units)))
        if (
            key not in self._feasible
            and any(
                not _pair_fits(size, a, b)  # type: ignore[arg-type]
                for i, a in enumerate(units)
                for b in units[i + 1 :]
            )
        ):
            self._feasible[key] = False
        if key not in self._feasible and not _stack_bound(size, units):  # type: ignore[arg-type]
            self._feasible[key] = False
        if key not in self._feasible and _construct(size, units):  # type: ignore[arg-type]
            self._feasible[key] = True
        if key not in self._feasible and not _dff_bound(size, units):  # type: ignore[arg-type]
            self._feasible[key] = False
        if key not in self._feasible:
            self._feasible[key] = _feasible_search(size, units, self.budget_nodes)  # type: ignore[arg-type]
        return self._feasible[key]

    def package_value(self, k: int, units: Sequence[Unit], objective: str) -> Any:
        carton = self.cartons[k]
        gross = carton.tare_g + sum((u.weight for u in units), Fraction(0))
        billable = RULE.billable_weight_exact(carton.outer_mm, gross)
        if objective == "billable_weight":
            return billable
        amount = Decimal(0) if carton.cost is None else carton.cost.amount
        from ordercycle.units import from_exact

        return amount + RATE.price(from_exact(billable, "lb")).amount

    def optimum(self, items: Sequence[Item], objective: str) -> tuple[Any, bool]:
        """(optimal value, resolved).

        Parts whose feasibility search ran out of budget are first taken as infeasible
        (an upper bound on the optimum), then as feasible (a lower bound); when both give
        the same value, that value is the optimum and the order is resolved.
        """
        upper, unresolved = self._optimum(items, objective, optimistic=False)
        if not unresolved:
            return upper, True
        lower, _ = self._optimum(items, objective, optimistic=True)
        return upper, upper is not None and lower == upper

    def _optimum(self, items: Sequence[Item], objective: str, optimistic: bool) -> tuple[Any, bool]:
        kinds = [(Unit(i), i.quantity) for i in items]
        start = tuple(q for _, q in kinds)
        memo: dict[Counts, Any] = {}
        unresolved = [False]
        known: dict[int, list[tuple[Counts, bool]]] = {}

        def decide(k: int, part: Counts) -> bool | None:
            answers = known.setdefault(k, [])
            for other, fits in answers:
                if fits and all(a <= b for a, b in zip(part, other, strict=True)):
                    return True
                if not fits and all(a >= b for a, b in zip(part, other, strict=True)):
                    return False
            units = [u for (u, _), take in zip(kinds, part, strict=True) for _ in range(take)]
            answer = self.feasible(k, units)
            if answer is not None:
                answers.append((part, answer))
            return answer

        def best(counts: Counts) -> Any:
            if not any(counts):
                return 0
            if counts in memo:
                return memo[counts]
            first = next(i for i, c in enumerate(counts) if c)
            ranges = [range(1 if i == first else 0, c + 1) for i, c in enumerate(counts)]
            candidates = []
            for number, part in enumerate(itertools.product(*ranges)):
                rest = best(tuple(c - t for c, t in zip(counts, part, strict=True)))
                if rest is None:
                    continue
                units = [u for (u, _), take in zip(kinds, part, strict=True) for _ in range(take)]
                for k in range(len(self.cartons)):
                    total = rest + self.package_value(k, units, objective)
                    candidates.append((total, number, k, part))
            candidates.sort(key=lambda c: (c[0], c[1], c[2]))
            result: Any = None
            for total, _, k, part in candidates:
                answer = decide(k, part)
                if answer is None:
                    unresolved[0] = True
                    answer = optimistic
                if answer:
                    result = total
                    break
            memo[counts] = result
            return result

        return best(start), unresolved[0]


# --- the library ------------------------------------------------------------------------


def _number(value: Any) -> float:
    if value is None:
        return float("nan")
    if hasattr(value, "amount"):
        return float(value.amount)
    if hasattr(value, "magnitude"):
        return float(Fraction(value.magnitude))
    return float(value)


def library_values(
    orders: Sequence[tuple[str, Sequence[Item]]], cartons: Sequence[Carton]
) -> dict[str, dict[str, Any]]:
    """Each order's plan value, bound and time for billable weight and cost (any version)."""
    out: dict[str, dict[str, Any]] = {}
    for objective in ("billable_weight", "cost"):
        rows: dict[str, Any] = {}
        # As packing.settle_heap: a full collection of the caller's data (the reference
        # optima, earlier results) must not show as one order's time.
        gc.collect()
        gc.freeze()
        for oid, items in orders:
            start = time.process_time()
            plan = pack(items, cartons, RULE, objective=objective, rate=RATE)
            elapsed = time.process_time() - start
            rows[oid] = {
                "value": _number(plan.objective_value),
                "bound": _number(plan.lower_bound),
                "optimal": bool(getattr(plan, "optimal", False)),
                "seconds": elapsed,
            }
        out[objective] = rows
    return out


def references(
    orders: Sequence[tuple[str, Sequence[Item]]], cartons: Sequence[Carton]
) -> dict[str, dict[str, Any]]:
    """The exact optimum per order and objective (``None`` when unresolved)."""
    reference = Reference(cartons)
    out: dict[str, dict[str, Any]] = {"billable_weight": {}, "cost": {}}
    for oid, items in orders:
        for objective in out:
            value, resolved = reference.optimum(items, objective)
            out[objective][oid] = float(value) if resolved and value is not None else None
    return out


def summarise(
    values: dict[str, dict[str, Any]], optimum: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """% optimal, total gap, worst gap, bound gap, bound-below-optimum share, timings."""
    table: dict[str, dict[str, Any]] = {}
    for objective, rows in values.items():
        known = [(oid, r) for oid, r in rows.items() if optimum[objective].get(oid) is not None]
        opt_total = sum(optimum[objective][oid] for oid, _ in known)
        value_total = sum(r["value"] for _, r in known)
        eps = 1e-9
        at_optimum = sum(r["value"] <= optimum[objective][oid] + eps for oid, r in known)
        worst = max(
            ((r["value"] - optimum[objective][oid]) / optimum[objective][oid] for oid, r in known),
            default=0.0,
        )
        bound_gaps = [
            (optimum[objective][oid] - r["bound"]) / optimum[objective][oid] for oid, r in known
        ]
        below_optimum = [r["value"] < optimum[objective][oid] - eps for oid, r in known]
        times = sorted(r["seconds"] for r in rows.values())
        claimed = sum(r["optimal"] for _, r in known)
        wrong_claims = sum(
            r["optimal"] and r["value"] > optimum[objective][oid] + eps for oid, r in known
        )
        table[objective] = {
            "orders": len(known),
            "unresolved": len(rows) - len(known),
            "optimal_pct": round(100 * at_optimum / max(1, len(known)), 2),
            "total_gap_pct": round(100 * (value_total - opt_total) / max(eps, opt_total), 3),
            "worst_gap_pct": round(100 * worst, 1),
            "bound_gap_pct": round(100 * sum(bound_gaps) / max(1, len(bound_gaps)), 2),
            "bound_below_optimum_pct": round(
                100 * sum(g > eps for g in bound_gaps) / max(1, len(bound_gaps)), 1
            ),
            "claimed_optimal": claimed,
            "wrong_optimal_claims": wrong_claims,
            "beats_reference": sum(below_optimum),
            "p50_ms": round(1000 * times[len(times) // 2], 2) if times else None,
            "p99_ms": round(1000 * times[min(len(times) - 1, int(0.99 * len(times)))], 2)
            if times
            else None,
            "max_ms": round(1000 * times[-1], 2) if times else None,
        }
    return table


def boxpacker_small(
    data: Path, limit: int = 0
) -> tuple[list[Carton], list[tuple[str, list[Item]]]]:
    """BoxPacker's cartons and its orders of at most 8 units (the first ``limit`` of them)."""
    from packing import items_of, load_boxpacker  # benchmarks/packing.py reads the data set

    cartons, rows = load_boxpacker(data)
    orders = [
        (oid, items_of(lines)) for oid, lines in rows if sum(int(line[1]) for line in lines) <= 8
    ]
    return cartons, orders[:limit] if limit else orders


def order_set(
    name: str, count: int, data: Path
) -> tuple[list[Carton], list[tuple[str, list[Item]]]]:
    """``"random"`` (default cartons) or ``"boxpacker"`` (its cartons), ``count`` orders."""
    if name == "random":
        return default_cartons(), random_orders(count)
    return boxpacker_small(data, count)


def main(argv: Sequence[str] | None = None) -> int:
    """Print ``library_values`` as JSON (``packing.py`` runs this under main's code)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("random", "boxpacker"), default="random")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
    )
    args = parser.parse_args(argv)
    cartons, orders = order_set(args.set, args.count, args.data)
    json.dump(library_values(orders, cartons), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
