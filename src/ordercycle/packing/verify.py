"""``verify``: an independent check of a packing plan.

This module shares no code with the packer. It re-derives every rule from the items, the
cartons and the placements in exact millimetres and grams, and reports every problem it
finds at once.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from ordercycle.packing.errors import InvalidPlanError
from ordercycle.packing.packing_plan import Package, PackingPlan, Placement

__all__ = ["verify", "violations"]


def _overlap(a: Placement, b: Placement) -> bool:
    return all(
        a.position_mm[k] < b.position_mm[k] + b.size_mm[k]
        and b.position_mm[k] < a.position_mm[k] + a.size_mm[k]
        for k in range(3)
    )


def _footprint_overlap(a: Placement, b: Placement) -> Fraction:
    area = Fraction(1)
    for k in (0, 1):
        low = max(a.position_mm[k], b.position_mm[k])
        high = min(a.position_mm[k] + a.size_mm[k], b.position_mm[k] + b.size_mm[k])
        if high <= low:
            return Fraction(0)
        area *= high - low
    return area


def _package_problems(number: int, package: Package, plan: PackingPlan) -> list[str]:
    problems: list[str] = []
    carton = package.carton
    where = f"package {number} ({carton.name})"
    own = [p.item.own_packaging for p in package.placements]
    if any(own):
        if len(package.placements) != 1:
            problems.append(f"{where} mixes an item in its own packaging with other units")
        elif carton.inner_mm != package.placements[0].item.dims_mm:
            problems.append(f"{where} is not the item's own packaging")
    elif plan.catalogue and not any(
        c is carton or (c.name == carton.name and c.inner_mm == carton.inner_mm)
        for c in plan.catalogue
    ):
        problems.append(f"{where} uses a carton that is not in the catalogue")
    inner = carton.inner_mm
    for placement in package.placements:
        label = placement.label
        if tuple(placement.size_mm) not in placement.item.orientations_mm():
            problems.append(
                f"{label} in {where} has size {_mm(placement.size_mm)}, not an allowed"
                f" orientation ({placement.item.orientation_rule})"
            )
        for k, axis in enumerate("xyz"):
            low = placement.position_mm[k]
            high = low + placement.size_mm[k]
            if low < 0 or high > inner[k]:
                problems.append(
                    f"{label} in {where} sticks out along {axis}: {float(low):g}..{float(high):g}"
                    f" mm in an inner size of {float(inner[k]):g} mm"
                )
    placements = sorted(package.placements, key=lambda p: (p.position_mm[0], p.label))
    for i, a in enumerate(placements):
        a_end = a.position_mm[0] + a.size_mm[0]
        for b in placements[i + 1 :]:
            if b.position_mm[0] >= a_end:
                break
            if _overlap(a, b):
                problems.append(f"{a.label} and {b.label} overlap in {where}")
    gross = package.actual_weight_g
    if carton.max_weight_g is not None and gross > carton.max_weight_g:
        problems.append(
            f"{where} weighs {float(gross):g} g, above its maximum of"
            f" {float(carton.max_weight_g):g} g"
        )
    if any(p.item.ship_alone for p in package.placements) and len(package.placements) != 1:
        problems.append(f"{where} holds a unit that must ship alone together with other units")
    problems.extend(_stacking_problems(where, package, plan.support))
    return problems


def _stacking_problems(where: str, package: Package, support: Fraction | None) -> list[str]:
    problems: list[str] = []
    placements = package.placements
    for a in placements:
        bottom = a.position_mm[2]
        top = bottom + a.size_mm[2]
        if support is not None and bottom > 0:
            area = sum(
                (
                    _footprint_overlap(a, b)
                    for b in placements
                    if b is not a and b.position_mm[2] + b.size_mm[2] == bottom
                ),
                Fraction(0),
            )
            base = a.size_mm[0] * a.size_mm[1]
            if area < support * base:
                problems.append(
                    f"{a.label} in {where} rests on {float(area / base):.0%} of its base;"
                    f" the support rule needs {float(support):.0%}"
                )
        limit = a.item.load_limit_g
        if limit is None:
            continue
        load = sum(
            (
                b.item.weight_g
                for b in placements
                if b is not a and b.position_mm[2] >= top and _footprint_overlap(a, b) > 0
            ),
            Fraction(0),
        )
        if load > limit:
            problems.append(
                f"{a.label} in {where} carries {float(load):g} g on top; its limit is"
                f" {float(limit):g} g"
            )
    return problems


def _mm(values: tuple[Fraction, Fraction, Fraction]) -> str:
    return " x ".join(f"{float(v):g}" for v in values) + " mm"


def violations(plan: PackingPlan) -> tuple[str, ...]:
    """Every rule the plan breaks, one sentence each (empty when the plan is valid)."""
    problems: list[str] = []
    expected: dict[tuple[str, int], int] = {}
    items = {item.sku: item for item in plan.items}
    for item in plan.items:
        for unit in range(1, item.quantity + 1):
            expected[(item.sku, unit)] = 0
    seen: Counter[tuple[str, int]] = Counter()
    found_items: dict[tuple[str, int], object] = {}
    groups: dict[str, set[int]] = {}
    for number, package in enumerate(plan.packages, start=1):
        for placement in package.placements:
            key = (placement.item.sku, placement.unit)
            seen[key] += 1
            found_items[key] = placement.item
            if placement.item.group is not None:
                groups.setdefault(placement.item.group, set()).add(number)
        problems.extend(_package_problems(number, package, plan))
    for unpacked in plan.unpacked:
        seen[(unpacked.item.sku, unpacked.unit)] += 1
        found_items[(unpacked.item.sku, unpacked.unit)] = unpacked.item
    for key, count in sorted(seen.items()):
        if key not in expected or not _same(items[key[0]], found_items[key]):
            problems.append(f"{key[0]} #{key[1]} is not a unit of the order's items")
        elif count > 1:
            problems.append(f"{key[0]} #{key[1]} appears {count} times")
    for key in sorted(expected):
        if key not in seen:
            problems.append(f"{key[0]} #{key[1]} is neither packed nor reported unpacked")
    for group, numbers in sorted(groups.items()):
        if len(numbers) > 1:
            shown = ", ".join(str(n) for n in sorted(numbers))
            problems.append(f"group {group!r} is split over packages {shown}")
    counts = Counter(p.carton.name for p in plan.packages)
    for carton in plan.catalogue:
        if carton.stock is not None and counts[carton.name] > carton.stock:
            problems.append(
                f"carton {carton.name} is used {counts[carton.name]} times; stock is {carton.stock}"
            )
    return tuple(problems)


def _same(a: object, b: object) -> bool:
    return a is b or a == b


def verify(plan: PackingPlan) -> None:
    """Check a plan independently of the packer; return ``None`` when it is valid.

    Checks that every unit of every item is packed or reported exactly once; each unit lies
    inside its carton's inner space in an orientation its rotation rule allows; no two
    units overlap; no package is heavier than its carton allows; units that ship alone are
    alone; units in their own packaging are not in a carton; groups share one package;
    the support rule and every load limit hold; and no carton is used more often than its
    stock.

    Raises:
        InvalidPlanError: Listing every problem found (a :class:`~ordercycle.errors.PackingError`).
    """
    problems = violations(plan)
    if problems:
        raise InvalidPlanError(problems)
