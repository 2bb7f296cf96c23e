"""``pack``: choose cartons and place every item, minimising billable weight, cost or cartons.

>>> from ordercycle.units import Q_
>>> from ordercycle.packing import Carton, Item, carriers
>>> items = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]
>>> cartons = [Carton("S", inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")), tare=Q_(120, "g"),
...                   max_weight=Q_(10, "kg"))]
>>> plan = pack(items, cartons, carrier=carriers.UPS_DAILY)
>>> len(plan.packages), plan.packages[0].billable_weight
(1, <Quantity(4, 'pound')>)
>>> print(plan.packages[0].reason)
carton S chosen: 4 lb billable
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any, Final

from ordercycle._memo import remember
from ordercycle.errors import (
    ConfigurationError,
    DuplicateError,
    UnpackableItemError,
    ValidationError,
)
from ordercycle.model.clock import Clock
from ordercycle.money import Money
from ordercycle.packing._bins import fewer_of_one_type, improve_cartons
from ordercycle.packing._blocks import Box, block_layout
from ordercycle.packing._container import improve_partial
from ordercycle.packing._engine import STRATEGIES, CartonFill, EngineUnit
from ordercycle.packing._exact import ExactSearch
from ordercycle.packing._optimizer import (
    MEASURES,
    Block,
    Key,
    Objective,
    Solution,
    Solver,
    Spec,
    add_keys,
)
from ordercycle.packing.carriers import DimWeightRule
from ordercycle.packing.carton import Carton
from ordercycle.packing.item import Item
from ordercycle.packing.packing_plan import Package, PackingPlan, Placement, Unpacked
from ordercycle.packing.rates import RateModel
from ordercycle.packing.request import DEFAULT_WORK_LIMIT, PackRequest
from ordercycle.units import Q_, exact_magnitude, is_quantity, to_exact

__all__ = ["OBJECTIVES", "pack", "pack_request"]

#: The objectives :func:`pack` can minimise.
OBJECTIVES: Final = ("billable_weight", "cartons", "cost")


def _check_items(items: Iterable[Item]) -> tuple[Item, ...]:
    found = tuple(items)
    seen: set[str] = set()
    for item in found:
        if not isinstance(item, Item):
            raise ValidationError.invalid("pack", "items", item, "Item objects")
        if item.sku in seen:
            raise DuplicateError("item sku", item.sku)
        seen.add(item.sku)
    return found


def _check_cartons(cartons: Iterable[Carton]) -> tuple[Carton, ...]:
    found = tuple(cartons)
    if not found:
        raise ValidationError.invalid("pack", "cartons", (), "at least one Carton")
    seen: set[str] = set()
    for carton in found:
        if not isinstance(carton, Carton):
            raise ValidationError.invalid("pack", "cartons", carton, "Carton objects")
        if carton.name in seen:
            raise DuplicateError("carton name", carton.name)
        seen.add(carton.name)
    return found


def _scale(items: Sequence[Item], cartons: Sequence[Carton]) -> int:
    scale = 1
    for item in items:
        for side in item.dims_mm:
            scale = math.lcm(scale, side.denominator)
    for carton in cartons:
        for side in carton.inner_mm:
            scale = math.lcm(scale, side.denominator)
    return scale


#: Engine orientations by (id of an item's orientations tuple, scale): the tuple (which
#: Item.orientations_mm hands back the same for the same sides and rules) and its sides in
#: engine steps, so every pack of the same items skips the Fraction products.
_ORIENTED: dict[tuple[int, int], tuple[Any, tuple[tuple[int, int, int], ...]]] = {}
_ORIENTED_KEPT = 1024


def _engine_orientations(
    orientations_mm: tuple[tuple[Fraction, Fraction, Fraction], ...], scale: int
) -> tuple[tuple[int, int, int], ...]:
    """``orientations_mm`` in engine steps of 1/``scale`` mm (remembered by identity)."""
    key = (id(orientations_mm), scale)
    known = _ORIENTED.get(key)
    if known is not None and known[0] is orientations_mm:
        return known[1]
    found = tuple(
        (int(o[0] * scale), int(o[1] * scale), int(o[2] * scale)) for o in orientations_mm
    )
    if len(_ORIENTED) >= _ORIENTED_KEPT:
        _ORIENTED.clear()
    _ORIENTED[key] = (orientations_mm, found)
    return found


Dims = tuple[Fraction, Fraction, Fraction]
#: A placed box's corner and sides in millimetres by (box in engine steps, scale): the same
#: boxes come back pack after pack (the first-time packs of a 2,000-order run placed 1,872
#: units at 226 different boxes), so their Fractions are made once. Emptied when it holds
#: _IN_MM_KEPT boxes.
_IN_MM: dict[tuple[Box, int], tuple[Dims, Dims]] = {}
_IN_MM_KEPT = 4096


def _in_mm(box: Box, scale: int) -> tuple[Dims, Dims]:
    """The corner and the sides of ``box`` (engine steps of 1/``scale`` mm) in millimetres."""
    return remember(_IN_MM, _IN_MM_KEPT, (box, scale), lambda: _in_mm_of(box, scale))


def _in_mm_of(box: Box, scale: int) -> tuple[Dims, Dims]:
    """:func:`_in_mm`, worked out."""
    x0, y0, z0, x1, y1, z1 = box
    return (
        (Fraction(x0, scale), Fraction(y0, scale), Fraction(z0, scale)),
        (Fraction(x1 - x0, scale), Fraction(y1 - y0, scale), Fraction(z1 - z0, scale)),
    )


def _currency(cartons: Sequence[Carton], rate: RateModel | None) -> str:
    for carton in cartons:
        if carton.cost is not None:
            return carton.cost.currency.code
    if rate is not None:
        return rate.price(Q_(0, "g")).currency.code
    return ""


def _own_carton(item: Item) -> Carton:
    return Carton(
        f"own packaging ({item.sku})",
        inner=(item.length, item.width, item.height),
        tare=Q_(0, "g"),
    )


def _size_text(item: Item) -> str:
    sides = " x ".join(f"{float(s):g}" for s in item.dims_mm)
    return f"{sides} mm"


def _closest(item: Item, cartons: Sequence[Carton]) -> tuple[str, str]:
    """(reason, closest carton name) for an item that fits no carton."""
    weight = item.weight_g
    by_geometry = []
    for index, carton in enumerate(cartons):
        inner = carton.inner_mm
        worst = min(max(o[axis] / inner[axis] for axis in range(3)) for o in item.orientations_mm())
        by_geometry.append((worst, index, carton))
    by_geometry.sort(key=lambda t: (t[0], t[1]))
    shortfall, _, nearest = by_geometry[0]
    if shortfall > 1:
        return (
            f"its {_size_text(item)} fit no carton in any allowed orientation"
            f" ({item.orientation_rule.replace('_', ' ')})",
            nearest.name,
        )
    fitting = [c for worst, _, c in by_geometry if worst <= 1]
    strongest = max(
        fitting,
        key=lambda c: (math.inf if c.capacity_g is None else c.capacity_g, -cartons.index(c)),
    )
    cap = strongest.capacity_g
    return (
        f"it weighs {float(weight):g} g, more than the {float(cap or 0):g} g a carton it fits"
        " can hold",
        strongest.name,
    )


def pack(
    items: Iterable[Item],
    cartons: Iterable[Carton],
    carrier: DimWeightRule | None = None,
    *,
    objective: str | None = None,
    rate: RateModel | None = None,
    support: Any = None,
    on_unpackable: str = "raise",
    effort: int = 8,
    time_limit: Any = None,
    work_limit: int | None = DEFAULT_WORK_LIMIT,
    clock: Clock | None = None,
    exact: bool = True,
) -> PackingPlan:
    """Pack items into cartons, choosing the cartons that minimise the objective.

    The arguments are those of :class:`~ordercycle.packing.request.PackRequest`, where
    each is described; this is :func:`pack_request` of that request.

    Returns:
        A :class:`PackingPlan` that :func:`~ordercycle.packing.verify` accepts.

    Raises:
        UnpackableItemError: An item fits no carton (size or weight), naming the closest.
        DuplicateError: Two items share a sku, or two cartons a name.
        ConfigurationError: The objective, rate or options do not go together.
    """
    return pack_request(
        PackRequest(
            items,
            cartons,
            carrier,
            objective=objective,
            rate=rate,
            support=support,
            on_unpackable=on_unpackable,
            effort=effort,
            time_limit=time_limit,
            work_limit=work_limit,
            clock=clock,
            exact=exact,
        )
    )


def pack_request(request: PackRequest) -> PackingPlan:
    """Pack a :class:`~ordercycle.packing.request.PackRequest` (see :func:`pack`)."""
    carrier, objective, rate = request.carrier, request.objective, request.rate
    support, on_unpackable, effort = request.support, request.on_unpackable, request.effort
    time_limit, clock = request.time_limit, request.clock
    item_list = _check_items(request.items)
    catalogue = _check_cartons(request.cartons)
    if carrier is not None and not isinstance(carrier, DimWeightRule):
        raise ValidationError.invalid("pack", "carrier", carrier, "a DimWeightRule or None")
    chosen = objective or ("billable_weight" if carrier is not None else "cartons")
    if chosen not in OBJECTIVES:
        raise ValidationError.invalid(
            "pack", "objective", chosen, "one of " + ", ".join(OBJECTIVES)
        )
    if chosen == "cost" and rate is None and any(c.cost is None for c in catalogue):
        missing = ", ".join(c.name for c in catalogue if c.cost is None)
        raise ConfigurationError.invalid(
            "pack",
            "objective",
            chosen,
            f"a rate, or a cost on every carton (no cost on {missing})",
        )
    if on_unpackable not in ("raise", "report"):
        raise ValidationError.invalid("pack", "on_unpackable", on_unpackable, "'raise' or 'report'")
    if not isinstance(request.exact, bool):
        raise ValidationError.invalid("pack", "exact", request.exact, "True or False")
    if isinstance(effort, bool) or not isinstance(effort, int) or effort < 1:
        raise ValidationError.invalid("pack", "effort", effort, "a positive integer")
    work_limit = request.work_limit
    if work_limit is not None and (
        isinstance(work_limit, bool) or not isinstance(work_limit, int) or work_limit < 1
    ):
        raise ValidationError.invalid(
            "pack", "work_limit", work_limit, "a positive integer (work units) or None"
        )
    deadline = None
    if time_limit is not None:
        if clock is None:
            raise ConfigurationError.invalid(
                "pack", "clock", None, "a Clock (such as SystemClock()) to measure time_limit"
            )
        seconds = (
            to_exact(time_limit, "s", subject="pack", field="time_limit")
            if is_quantity(time_limit)
            else exact_magnitude(time_limit, subject="pack", field="time_limit")
        )
        if seconds <= 0:
            raise ValidationError.invalid("pack", "time_limit", time_limit, "a positive time")
        deadline = clock.now() + timedelta(seconds=float(seconds))
        effort = max(effort, len(STRATEGIES) * len(MEASURES))
    share: Fraction | None = None
    if support is not None:
        share = exact_magnitude(support, subject="pack", field="support")
        if not 0 < share <= 1:
            raise ValidationError.invalid("pack", "support", support, "a share in (0, 1], or None")

    scale = _scale(item_list, catalogue)
    weight_scale = 1
    for item in item_list:
        weight_scale = math.lcm(weight_scale, item.weight_g.denominator)
        if item.load_limit_g is not None:
            weight_scale = math.lcm(weight_scale, item.load_limit_g.denominator)
    specs = [Spec(index, carton, scale, weight_scale) for index, carton in enumerate(catalogue)]
    score = Objective(chosen, carrier, rate, weight_scale)
    currency = _currency(catalogue, rate)
    stock = {spec.index: spec.carton.stock for spec in specs}
    tracks_load = any(item.load_limit_g is not None for item in item_list)
    solver = Solver(specs, score, share, effort, stock, currency, tracks_load)
    solver.clock = clock
    solver.deadline = deadline
    solver.work_limit = work_limit

    owners: dict[int, tuple[Item, int]] = {}
    own: list[tuple[Item, int]] = []
    alone: list[EngineUnit] = []
    regular: list[EngineUnit] = []
    unpacked: list[Unpacked] = []
    uid = 0
    for index, item in enumerate(item_list):
        orientations = _engine_orientations(item.orientations_mm(), scale)
        weight = int(item.weight_g * weight_scale)
        load_limit = (
            None if item.load_limit_g is None else math.floor(item.load_limit_g * weight_scale)
        )
        # Whether a unit fits some empty carton depends on its orientations and weight
        # alone: the same for every unit of the item, so asked once (for its first unit).
        fits: bool | None = None
        for unit in range(1, item.quantity + 1):
            if item.own_packaging:
                own.append((item, unit))
                continue
            engine_unit = EngineUnit(
                uid, orientations, weight, load_limit, item.group, (index, unit)
            )
            owners[uid] = (item, unit)
            uid += 1
            if fits is None:
                fits = any(s.holds(engine_unit) for s in specs)
            if not fits:
                reason, nearest = _closest(item, catalogue)
                if on_unpackable == "raise":
                    raise UnpackableItemError(item.sku, reason, best_carton=nearest)
                unpacked.append(Unpacked(item, unit, f"{reason} (closest carton: {nearest})"))
                continue
            (alone if item.ship_alone else regular).append(engine_unit)

    used: dict[int, int] = {}
    proof = ""
    blocks_proven = False
    packages: list[Package] = []
    notes: list[str] = []
    bound: Any = 0

    def build(spec: Spec, box: CartonFill, reason: str) -> Package:
        placements = []
        for unit, placed in zip(box.units, box.boxes, strict=True):
            item, number = owners[unit.uid]
            placements.append(Placement(item, number, *_in_mm(placed, scale)))
        placements.sort(key=lambda p: (p.position_mm[2], p.position_mm[1], p.position_mm[0]))
        return Package(spec.carton, tuple(placements), carrier, rate, reason)

    def report(units: Sequence[EngineUnit], reason: str) -> None:
        for unit in units:
            item, number = owners[unit.uid]
            if on_unpackable == "raise":
                raise UnpackableItemError(item.sku, reason)
            unpacked.append(Unpacked(item, number, reason))

    # Regular units: groups move as one block.
    groups: dict[str, list[EngineUnit]] = {}
    group_blocks: list[Block] = []
    singles: list[EngineUnit] = []
    for member in regular:
        if member.group is None:
            singles.append(member)
        else:
            groups.setdefault(member.group, []).append(member)
    for name, members in sorted(groups.items()):
        if solver.single([tuple(members)], used) is None:
            report(members, f"the units of group {name!r} do not fit together in any carton")
            continue
        group_blocks.append(tuple(members))

    # Large quantities of one SKU: full cartons as blocks, the rest to the search. Two
    # ways to split (remainder alone, or with full cartons' worth); the better plan wins.
    splits = []
    seen_rests: set[tuple[int, ...]] = set()
    for extra, lighter in ((False, False), (True, False), (False, True)):
        split = _split_full(
            singles, item_list, specs, score, stock, share, currency, extra, lighter
        )
        rest_uids = tuple(u.uid for u in split[1])
        if rest_uids not in seen_rests:
            seen_rests.add(rest_uids)
            splits.append(split)
    full, rest = splits[0]
    blocks: list[Block] = [(u,) for u in rest] + group_blocks

    # Units that ship alone, one carton each.
    for loner in alone:
        found = solver.single([(loner,)], used)
        if found is None:
            report([loner], "no carton that holds it is left in stock")
            continue
        spec, box, reason = found
        used[spec.index] = used.get(spec.index, 0) + 1
        bound = _add(bound, solver.lower_bound([(loner,)]))
        packages.append(build(spec, box, reason + " (ships alone)"))

    if blocks or full:
        solution = solver.solve(blocks, used)
        for other_full, other_rest in splits[1:]:
            if solution is not None and not solution.leftover and solver.late():
                break  # out of time: the other splits are not tried
            other_blocks: list[Block] = [(u,) for u in other_rest] + group_blocks
            other = solver.solve(other_blocks, used)
            if other is None or other.leftover:
                continue
            if (
                solution is None
                or solution.leftover
                or add_keys(_keys(score, other_full), other.key)
                < add_keys(_keys(score, full), solution.key)
            ):
                full, blocks, solution = other_full, other_blocks, other
        if solution is not None and not full:
            # Hook (issue 15, MPV): one carton type, fewest cartons -> bin elimination.
            solution = improve_cartons(solver, blocks, solution)
        split_value: Any = _keys(score, full)[0]
        split_blocks: list[Block] = [(u,) for _, box, _ in full for u in box.units]
        search = ExactSearch(solver, blocks)
        if full:
            # The bound covers every unit, the split-off full cartons too.
            part_bound = solver.lower_bound(blocks + split_blocks)
        else:
            relaxed = search.relaxed() if search.affordable else None
            part_bound = solver.lower_bound(blocks)
            if relaxed is not None and relaxed > part_bound:
                part_bound = relaxed
            if (
                relaxed is None
                and chosen == "cartons"
                and solution is not None
                and not solution.leftover
                and len(solution.packages) > part_bound
                and search.needs_more_than(part_bound)
            ):
                # Too many units for the relaxation: ask only whether the bound is enough.
                part_bound += 1
            if solution is not None and chosen == "cartons" and len(solution.packages) > part_bound:
                # Several carton types, fewest cartons -> one carton fewer, of one type.
                solution = fewer_of_one_type(solver, blocks, solution)
        bound = _add(bound, part_bound)
        if solution is not None and not solution.leftover:
            if _add(split_value, solution.key[0]) <= part_bound:
                proof = "bound met"
            elif search.searchable and request.exact:
                better = search.solve(solution.key)
                if better is not None:
                    describe = solver.objective.describe
                    better.note = (
                        f"the exact search found {describe(better.key[0], solver.currency)}"
                        f" where the heuristic found {describe(solution.key[0], solver.currency)}"
                    )
                    _explain_exact(better, solver)
                    solution = better
                if _add(split_value, solution.key[0]) <= part_bound:
                    proof = "bound met"
                elif not search.unknown and not full:
                    proof = "search exhausted"
            if proof:
                blocks_proven = True
        if solution is None and on_unpackable == "report":
            # Not enough cartons in stock: pack what fits, report the rest.
            solution = solver.partial(blocks, used)
            if not used:
                # Hook (issue 15, container loading): one container, filled by blocks.
                solution = improve_partial(solver, blocks, solution)
            report(
                [u for b in solution.leftover for u in b],
                "no carton left in stock takes it",
            )
        if solution is None:
            report(
                [u for b in blocks for u in b],
                "no combination of the cartons left in stock holds these units",
            )
            packages[:0] = [build(spec, box, reason) for spec, box, reason in full]
        else:
            packages[:0] = [
                build(spec, box, reason) for spec, box, reason in [*full, *solution.packages]
            ]
            if solution.note:
                notes.append(solution.note)
            if full:
                notes.append(
                    f"{len(full)} full cartons packed as blocks of identical units; the"
                    " remaining units searched"
                )
            used_count = len(full) + len(solution.packages)
            # The bound of units is at least one carton, so a one-carton plan needs no note
            # and no bound (its eligibility search was 3 % of a first-time pack's CPU).
            if used_count > 1:
                count_bound = solver.count_bound(blocks + split_blocks, specs)
                if used_count > count_bound:
                    notes.append(
                        f"{used_count} cartons used; the volume and weight bound is {count_bound}"
                    )

    for item, number in own:
        carton = _own_carton(item)
        length, width, height = item.dims_mm
        package = Package(
            carton,
            (
                Placement(
                    item, number, (Fraction(0), Fraction(0), Fraction(0)), (length, width, height)
                ),
            ),
            carrier,
            rate,
            f"{item.sku} ships in its own packaging",
        )
        packages.append(package)
        if chosen == "cartons":
            bound = _add(bound, 1)
        else:
            own_spec = Spec(-1, carton, 1, weight_scale)
            fresh = Objective(chosen, carrier, rate, weight_scale)
            value = fresh.key(own_spec, int(item.weight_g * weight_scale))[0]
            bound = _add(bound, value)

    if solver.stopped:
        limit = (
            f"its time limit ({time_limit})"
            if solver.timed_out
            else f"its work budget ({work_limit} units)"
        )
        notes.append(f"the search stopped at {limit}; this is the best plan it found")
    optimal = not unpacked and (blocks_proven or not blocks)
    if optimal and not proof:
        proof = "each carton is the best single carton for its units"
    if not optimal:
        proof = ""
    return PackingPlan(
        optimal=optimal,
        proof=proof,
        packages=tuple(packages),
        items=item_list,
        objective=chosen,
        carrier=carrier,
        rate=rate,
        support=share,
        lower_bound=_bound_value(chosen, bound, score, currency),
        unpacked=tuple(unpacked),
        notes=tuple(notes),
        catalogue=catalogue,
    )


#: Units of one SKU left to the search after full cartons are split off: the remainder plus
#: as many full cartons' worth as keep the total at most this (the remainder alone if it
#: is larger). SKUs with at most this many units are not split at all.
SEARCH_UNITS: Final = 96

#: At most this many full cartons' worth are left to the search with the remainder.
EXTRA_CARTONS: Final = 2

#: A lighter full carton (see :func:`_split_full`) holds at most this many units fewer.
LIGHTER_STEPS: Final = 64


def _keys(score: Objective, packages: Sequence[tuple[Spec, CartonFill, str]]) -> Key:
    total: Key = (0, 0, 0)
    for spec, box, _ in packages:
        total = add_keys(total, score.key(spec, box.weight))
    return total


def _split_full(
    regular: list[EngineUnit],
    items: Sequence[Item],
    specs: Sequence[Spec],
    score: Objective,
    stock: dict[int, int | None],
    share: Fraction | None,
    currency: str,
    extra: bool,
    lighter: bool = False,
) -> tuple[list[tuple[Spec, CartonFill, str]], list[EngineUnit]]:
    """Split full cartons of identical units off large quantities of one SKU.

    For every SKU with more than :data:`SEARCH_UNITS` units (not in a group), each carton
    type without a stock limit gets its block arrangement (:func:`block_layout`, capped
    by the carton's weight limit), or the placement engine's fullest fill when that holds
    more (small cartons only, :data:`ENGINE_UNITS`); the type with the lowest objective
    per unit (ties: more units, then the earlier carton) is filled as full cartons. Left
    to the search: the remainder plus, when ``extra``, as many full cartons' worth (at
    most :data:`EXTRA_CARTONS`) as keep it within :data:`SEARCH_UNITS` units, so the
    search still chooses how to finish; else the remainder alone. With ``lighter``, each
    full carton holds the most units that score better than a full carton on the first two
    parts of the objective (one weight step less, at most :data:`LIGHTER_STEPS` units
    fewer), so the carrier's weight rounding is not paid on every full carton when the
    rest can take the difference. A remainder larger than
    :data:`SEARCH_UNITS` goes, as a block, into the carton type that holds it with the
    best objective.

    Returns:
        The packages ``(spec, bin, reason)`` and the units left for the search.
    """
    by_item: dict[int, list[EngineUnit]] = {}
    rest: list[EngineUnit] = []
    for unit in regular:
        if unit.group is None:
            by_item.setdefault(int(unit.key[0]), []).append(unit)  # type: ignore[call-overload]
        else:
            rest.append(unit)
    full: list[tuple[Spec, CartonFill, str]] = []
    for index in sorted(by_item):
        units = by_item[index]
        if len(units) <= SEARCH_UNITS:
            rest.extend(units)
            continue
        first = units[0]
        weight, limit = first.weight, first.load_limit
        stack = None if limit is None or weight == 0 else 1 + limit // weight
        layers = share is None and limit is None
        options: list[tuple[Any, int, int, Spec, list[Box]]] = []
        for spec in specs:
            if stock.get(spec.index) is not None:
                continue
            layout = block_layout(first.orientations, spec.size, stack, layers)
            engine = _engine_layout(spec, first, len(units), share)
            if len(engine) > len(layout):
                layout = engine
            count = len(layout)
            if spec.cap is not None and weight:
                count = min(count, spec.cap // weight)
            if count == 0:
                continue
            value = score.key(spec, count * weight)[0]
            options.append((Fraction(value) / count, -count, spec.index, spec, layout))
        if not options:
            rest.extend(units)
            continue
        _, minus, _, best, layout = min(options, key=lambda o: (o[0], o[1], o[2]))
        per = -minus
        if lighter:
            top = score.key(best, per * weight)[:2]
            fewer = per - 1
            while fewer > max(per // 2, per - LIGHTER_STEPS) and (
                score.key(best, fewer * weight)[:2] >= top
            ):
                fewer -= 1
            if fewer >= 1 and score.key(best, fewer * weight)[:2] < top:
                per = fewer
        cartons, remainder = divmod(len(units), per)
        if extra and remainder <= SEARCH_UNITS:
            # Leave the search as many full cartons' worth as fit in SEARCH_UNITS units.
            cartons -= min(cartons, EXTRA_CARTONS, (SEARCH_UNITS - remainder) // per)
        sku = items[index].sku
        describe = score.describe
        for number in range(cartons):
            chunk = units[number * per : (number + 1) * per]
            value = score.key(best, per * weight)[0]
            full.append(
                (
                    best,
                    _block_fill(best, chunk, layout, share),
                    f"carton {best.carton.name} chosen: a full carton of {per} x {sku} as a"
                    f" block, {describe(value, currency)}, the lowest per unit",
                )
            )
        left = units[cartons * per :]
        if len(left) <= SEARCH_UNITS:
            rest.extend(left)
            continue
        # A large remainder: one carton, the best that holds it as a block.
        fits = [
            (score.key(o[3], len(left) * weight), o[2], o[3], o[4])
            for o in options
            if -o[1] >= len(left)
        ]
        key, _, spec, layout = min(fits, key=lambda f: (f[0], f[1]))
        full.append(
            (
                spec,
                _block_fill(spec, left, layout, share),
                f"carton {spec.carton.name} chosen: the last {len(left)} x {sku} as a block,"
                f" {describe(key[0], currency)}",
            )
        )
    rest.sort(key=lambda u: u.uid)
    return full, rest


#: A carton type that could hold at most this many units (by volume and weight) is also
#: filled by the placement engine, once per strategy; the better fill is the template.
ENGINE_UNITS: Final = 200


def _engine_layout(
    spec: Spec, unit: EngineUnit, quantity: int, share: Fraction | None
) -> list[Box]:
    """The engine's fullest single-SKU carton (placement order), if the carton is small."""
    room = spec.volume // unit.volume if unit.volume else quantity
    if spec.cap is not None and unit.weight:
        room = min(room, spec.cap // unit.weight)
    room = min(room, quantity)
    if room > ENGINE_UNITS or room < 1:
        return []
    tracks = unit.load_limit is not None
    best: list[Box] = []
    for strategy in range(len(STRATEGIES)):
        box = CartonFill(spec.size, spec.cap, share, strategy, tracks)
        for number in range(room):
            copy = EngineUnit(number, unit.orientations, unit.weight, unit.load_limit, None, ())
            if not box.place(copy):
                break
        if len(box.boxes) > len(best):
            best = list(box.boxes)
    return best


def _block_fill(
    spec: Spec, units: Sequence[EngineUnit], layout: Sequence[Box], share: Fraction | None
) -> CartonFill:
    """A carton holding ``units`` at the first positions of ``layout``."""
    box = CartonFill(spec.size, spec.cap, share)
    box.units = list(units)
    box.boxes = list(layout[: len(units)])
    box.loads = [0] * len(units)
    box.weight = sum(u.weight for u in units)
    box.eps = []
    return box


def _explain_exact(solution: Solution, solver: Solver) -> None:
    """Give each package of an exact-search plan its reason."""
    describe = solver.objective.describe
    explained = []
    for spec, box, _ in solution.packages:
        value = solver.objective.key(spec, box.weight)[0]
        explained.append(
            (
                spec,
                box,
                f"carton {spec.carton.name} chosen by the exact search:"
                f" {describe(value, solver.currency)}",
            )
        )
    solution.packages = explained


def _add(total: Any, value: Any) -> Any:
    return total + value


def _bound_value(objective: str, value: Any, score: Objective, currency: str) -> Any:
    if objective == "cartons":
        return int(value)
    if objective == "cost":
        return Money(value, currency) if currency else value
    return score.billable_quantity(Fraction(value))
