"""Sourcing: which warehouses, bins and lots serve each line (the allocation planner).

A pure function from demand and a stock snapshot to an
:class:`~ordercycle.inventory.allocation_plan.AllocationPlan`.

>>> from datetime import UTC, date, datetime
>>> network = Network.simple(["WH-A", "WH-B"], priorities={"WH-A": 0, "WH-B": 1})
>>> snap = StockSnapshot.of(network, [
...     StockSlot("MUG", "WH-A/01", "WH-A", available=2),
...     StockSlot("MUG", "WH-B/01", "WH-B", available=3),
... ], at=datetime(2026, 1, 5, tzinfo=UTC))
>>> plan = plan_allocation(Demand.of("O-1", {"MUG": 6}), snap)
>>> [(p.warehouse, p.quantity) for p in plan.picks], plan.backordered, plan.status
([('WH-A', 2), ('WH-B', 3)], 1, 'partial')
>>> print(plan.line("1").reasons[0])
WH-A taken: 2 of 6, 4 short there (priority 0)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import combinations

from ordercycle.inventory.allocation_plan import AllocationPlan, LinePlan, Pick
from ordercycle.inventory.demand import AllocationPolicy, Completeness, Demand, DemandLine
from ordercycle.inventory.locations import Network
from ordercycle.inventory.rules import (
    AllocationStrategy,
    Fefo,
    WarehouseOption,
    WarehousePriority,
)
from ordercycle.inventory.snapshot import StockSlot, StockSnapshot
from ordercycle.model.ids import Sku

__all__ = ["DEFAULT_POLICY", "DEFAULT_STRATEGY", "plan_allocation"]

#: Warehouse priority, then FEFO.
DEFAULT_STRATEGY = AllocationStrategy((WarehousePriority(), Fefo()))
#: Partial allocation with backorders.
DEFAULT_POLICY = AllocationPolicy()


class _Line:
    """Working state of one line while planning (private, mutable)."""

    __slots__ = ("by_warehouse", "demand", "picks", "reasons")

    def __init__(self, demand: DemandLine) -> None:
        self.demand = demand
        self.by_warehouse: dict[str, list[StockSlot]] = {}
        self.picks: list[tuple[StockSlot, int]] = []
        self.reasons: list[str] = []


def plan_allocation(
    demand: Demand,
    snapshot: StockSnapshot,
    strategy: AllocationStrategy | None = None,
    policy: AllocationPolicy | None = None,
    *,
    on: date | None = None,
) -> AllocationPlan:
    """Plan where every line of ``demand`` is taken from.

    Args:
        demand: The order lines, destination and shelf-life rules.
        snapshot: Available stock (nothing is changed).
        strategy: The rule chain (default :data:`DEFAULT_STRATEGY`).
        policy: Partial, all-or-nothing per line or per order; backorders or not
            (default :data:`DEFAULT_POLICY`).
        on: The date shelf life is measured from (default: the snapshot's date).

    Returns:
        The plan, with a reason for every candidate taken or skipped. Lines never get
        more than they asked for, and no slot gives more than it has available.
    """
    strategy = strategy or DEFAULT_STRATEGY
    policy = policy or DEFAULT_POLICY
    on = on or snapshot.at.date()
    network = snapshot.network
    left: dict[int, int] = {}
    lines = [_Line(line) for line in demand.lines]
    for line in lines:
        _collect(line, demand, snapshot, on, left)
    strategy_text = strategy.describe()
    policy_text = policy.describe()
    order_reasons = ["strategy: " + strategy_text, "policy: " + policy_text]
    chosen: tuple[str, ...] | None = None
    if strategy.fewest is not None:
        chosen = _fewest(lines, demand, network, strategy, left, order_reasons)
    for line in lines:
        _fill(line, demand, network, strategy, left, chosen)
        if policy.completeness is Completeness.LINE:
            short = line.demand.quantity - sum(q for _, q in line.picks)
            if short and line.picks:
                _undo(line, left)
                line.reasons.append(
                    f"line {line.demand.line_id} not allocated: {short} short and the policy is"
                    " all or nothing per line"
                )
    if policy.completeness is Completeness.ORDER:
        short_lines = [
            x.demand.line_id for x in lines if sum(q for _, q in x.picks) < x.demand.quantity
        ]
        if short_lines and any(x.picks for x in lines):
            for line in lines:
                _undo(line, left)
            order_reasons.append(
                "nothing allocated: line(s) " + ", ".join(short_lines) + " short and the policy"
                " is all or nothing per order"
            )
    return _result(demand, snapshot, (strategy_text, policy_text), policy, lines, order_reasons)


def _collect(
    line: _Line, demand: Demand, snapshot: StockSnapshot, on: date, left: dict[int, int]
) -> None:
    required = line.demand.min_shelf_life_days
    if demand.min_shelf_life_days > required:
        required = demand.min_shelf_life_days
    for slot in snapshot.slots.get(line.demand.sku, ()):
        key = id(slot)
        if key not in left:
            left[key] = slot.available
        if slot.available <= 0:
            continue
        if slot.expires_on is not None:
            days = (slot.expires_on - on).days
            if days <= 0 or days < required:
                line.reasons.append(
                    f"{slot.label} skipped: expires {slot.expires_on.isoformat()},"
                    f" {max(days, 0)} days of shelf life left, {max(required, 1)} required"
                )
                continue
        group = line.by_warehouse.get(slot.warehouse)
        if group is None:
            line.by_warehouse[slot.warehouse] = [slot]
        else:
            group.append(slot)


def _available(slots: Iterable[StockSlot], left: dict[int, int]) -> int:
    total = 0
    for slot in slots:
        total += left[id(slot)]
    return total


def _rank(
    options: list[WarehouseOption], demand: Demand, strategy: AllocationStrategy
) -> list[WarehouseOption]:
    rules = strategy.warehouse_rules
    if len(options) < 2:
        return options
    if len(rules) == 1:
        rule = rules[0]
        return sorted(options, key=lambda o: (rule.key(o, demand), o.warehouse.id))
    return sorted(
        options,
        key=lambda o: (*[rule.key(o, demand) for rule in rules], o.warehouse.id),
    )


def _why(option: WarehouseOption, demand: Demand, strategy: AllocationStrategy) -> str:
    rules = strategy.warehouse_rules
    if not rules:
        return ""
    if len(rules) == 1:
        return f" ({rules[0].explain(option, demand)})"
    return f" ({'; '.join([rule.explain(option, demand) for rule in rules])})"


def _fewest(
    lines: list[_Line],
    demand: Demand,
    network: Network,
    strategy: AllocationStrategy,
    left: dict[int, int],
    reasons: list[str],
) -> tuple[str, ...] | None:
    assert strategy.fewest is not None
    need: dict[Sku, int] = {}
    stock: dict[Sku, dict[str, int]] = {}
    for line in lines:
        sku = line.demand.sku
        need[sku] = need.get(sku, 0) + line.demand.quantity
        per = stock.setdefault(sku, {})
        for warehouse, slots in line.by_warehouse.items():
            per[warehouse] = max(per.get(warehouse, 0), _available(slots, left))
    total = sum(need.values())
    warehouses = sorted({w for per in stock.values() for w in per})
    options = []
    pairs = [(stock[sku], qty) for sku, qty in need.items()]
    for w in warehouses:
        cover = 0
        for per, qty in pairs:
            have = per.get(w, 0)
            cover += have if have < qty else qty
        options.append(WarehouseOption(network.warehouse(w), cover, total))
    ranked = _rank(options, demand, strategy)
    ids: list[str] = [o.warehouse.id for o in ranked]
    limit = min(strategy.fewest.max_warehouses, len(ids))
    skus = list(need)
    wanted = [need[sku] for sku in skus]
    vectors: dict[str, list[int]] = {w: [stock[sku].get(w, 0) for sku in skus] for w in ids}
    capacity: dict[str, int] = {o.warehouse.id: o.available for o in ranked}

    def covered(combo: tuple[str, ...]) -> int:
        units = 0
        for i, q in enumerate(wanted):
            have = 0
            for w in combo:
                have += vectors[w][i]
            units += q if have >= q else have
        return units

    for size in range(1, limit + 1):
        for combo in combinations(ids, size):
            if size == 1:
                if capacity[combo[0]] == total:
                    reasons.append(f"fewest shipments: {combo[0]} alone covers the order")
                    return combo
                option = ranked[ids.index(combo[0])]
                reasons.append(
                    f"{combo[0]} skipped: {option.short} short{_why(option, demand, strategy)}"
                )
                continue
            if sum([capacity[w] for w in combo]) >= total and covered(combo) == total:
                reasons.append(
                    f"fewest shipments: no set of {size - 1} warehouse(s) covers the order;"
                    f" {' + '.join(combo)} cover it in {size} shipments"
                )
                return combo
    best: tuple[int, tuple[str, ...]] = (0, ())
    for size in range(1, limit + 1):
        for combo in combinations(ids, size):
            units = covered(combo)
            if units > best[0]:
                best = (units, combo)
    reachable = covered(tuple(ids))
    if best[0] and best[0] == reachable:
        reasons.append(
            f"fewest shipments: no set of up to {limit} warehouse(s) covers the order;"
            f" {' + '.join(best[1])} cover the most ({best[0]} of {total}) in"
            f" {len(best[1])} shipment(s)"
        )
        return best[1]
    reasons.append(
        f"fewest shipments: no set of up to {limit} warehouse(s) covers the order or all"
        f" {reachable} available units; filling each line in rank order"
    )
    return None


def _fill(
    line: _Line,
    demand: Demand,
    network: Network,
    strategy: AllocationStrategy,
    left: dict[int, int],
    chosen: tuple[str, ...] | None,
) -> None:
    wanted = line.demand.quantity
    remaining = wanted
    reasons = line.reasons
    picks = line.picks
    options = []
    for warehouse, slots in line.by_warehouse.items():
        if chosen is not None and warehouse not in chosen:
            reasons.append(f"{warehouse} skipped: not in the chosen shipment set")
            continue
        available = 0
        for slot in slots:
            available += left[id(slot)]
        if available <= 0:
            reasons.append(f"{warehouse} skipped: nothing left after earlier lines")
            continue
        options.append(WarehouseOption(network.warehouse(warehouse), available, wanted))
    lot_rules = strategy.lot_rules
    for option in _rank(options, demand, strategy):
        warehouse_id = option.warehouse.id
        if remaining == 0:
            reasons.append(f"{warehouse_id} skipped: line already covered")
            continue
        slots = line.by_warehouse[warehouse_id]
        if len(slots) > 1:
            need = remaining
            if len(lot_rules) == 1:
                lot_rule = lot_rules[0]
                slots = sorted(slots, key=lambda s: (lot_rule.key(s, need), s.bin, s.lot or ""))
            else:
                slots = sorted(
                    slots,
                    key=lambda s: (*[r.key(s, need) for r in lot_rules], s.bin, s.lot or ""),
                )
        before = remaining
        lot_reasons = []
        for slot in slots:
            key = id(slot)
            free = left[key]
            if free <= 0:
                continue
            if remaining == 0:
                lot_reasons.append(f"  {slot.label} skipped: not needed")
                continue
            take = free if free < remaining else remaining
            left[key] = free - take
            remaining -= take
            picks.append((slot, take))
            if len(lot_rules) == 1:
                lot_reasons.append(f"  {slot.label} taken: {take} ({lot_rules[0].explain(slot)})")
            elif lot_rules:
                how = "; ".join([r.explain(slot) for r in lot_rules])
                lot_reasons.append(f"  {slot.label} taken: {take} ({how})")
            else:
                lot_reasons.append(f"  {slot.label} taken: {take}")
        short = f", {remaining} short there" if remaining else ""
        reasons.append(
            f"{warehouse_id} taken: {before - remaining} of {before}{short}"
            f"{_why(option, demand, strategy)}"
        )
        reasons += lot_reasons


def _undo(line: _Line, left: dict[int, int]) -> None:
    for slot, quantity in line.picks:
        left[id(slot)] += quantity
    line.picks.clear()


def _result(
    demand: Demand,
    snapshot: StockSnapshot,
    texts: tuple[str, str],
    policy: AllocationPolicy,
    lines: list[_Line],
    order_reasons: list[str],
) -> AllocationPlan:
    plans = []
    allocated = requested = 0
    for line in lines:
        d = line.demand
        picks = tuple(
            [
                Pick(d.line_id, d.sku, s.warehouse, s.bin, s.lot, q, s.expires_on)
                for s, q in line.picks
            ]
        )
        taken = 0
        for _, q in line.picks:
            taken += q
        allocated += taken
        requested += d.quantity
        short = d.quantity - taken
        reasons = line.reasons
        if short:
            if policy.backorders:
                reasons.append(f"{short} backordered")
            else:
                reasons.append(f"{short} unfulfilled: backorders are not allowed")
        backordered = short if policy.backorders else 0
        plans.append(
            LinePlan(
                d.line_id,
                d.sku,
                d.quantity,
                picks,
                backordered,
                short - backordered,
                tuple(reasons),
            )
        )
    if allocated == requested:
        status = "allocated"
    elif allocated:
        status = "partial"
    elif policy.backorders:
        status = "backordered"
    else:
        status = "rejected"
    skus = sorted({line.demand.sku for line in lines}) if len(lines) > 1 else [lines[0].demand.sku]
    return AllocationPlan(
        demand.order_id,
        tuple(plans),
        status,
        texts[0],
        texts[1],
        tuple(order_reasons),
        tuple([(sku, snapshot.versions.get(sku, 0)) for sku in skus]),
        snapshot.at,
    )
