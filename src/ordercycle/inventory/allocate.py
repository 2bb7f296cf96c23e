"""Plan and apply in one step, replanning when the stock changed in between.

>>> from datetime import UTC, datetime
>>> from ordercycle.inventory import Network
>>> now = datetime(2026, 1, 5, tzinfo=UTC)
>>> ledger = StockLedger(Network.simple(["WH-A"]))
>>> _ = ledger.receive("MUG", "WH-A/01", 5, at=now)
>>> plan = allocate(ledger, Demand.of("O-1", {"MUG": 2}), at=now)
>>> plan.status, ledger.available("MUG", at=now)
('allocated', 3)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ordercycle.errors import ConcurrencyError, ValidationError
from ordercycle.inventory.allocation_plan import AllocationPlan
from ordercycle.inventory.demand import AllocationPolicy, Demand
from ordercycle.inventory.ledger import StockLedger
from ordercycle.inventory.rules import AllocationStrategy
from ordercycle.inventory.sourcing import plan_allocation

__all__ = ["allocate"]


def allocate(
    ledger: StockLedger,
    demand: Demand,
    strategy: AllocationStrategy | None = None,
    policy: AllocationPolicy | None = None,
    *,
    attempts: int = 3,
    hold_until: datetime | None = None,
    at: datetime,
    between: Callable[[AllocationPlan], None] | None = None,
) -> AllocationPlan:
    """Snapshot, plan and apply; on a version conflict, replan up to ``attempts`` times.

    Args:
        ledger: The stock ledger.
        demand: What to allocate.
        strategy: The rule chain (default: warehouse priority, FEFO).
        policy: Partial or all-or-nothing; backorders or not.
        attempts: How many plans to try before giving up (1 or more).
        hold_until: Place holds that expire then instead of hard allocations.
        at: The instant the stock is measured and changed at.
        between: Called with each plan before it is applied; other writers can act here
            (tests, simulations of concurrent reservers).

    Returns:
        The plan that was applied.

    Raises:
        ConcurrencyError: The stock changed under every attempt.
        ValidationError: ``attempts`` is not a positive integer.
    """
    if type(attempts) is not int or attempts < 1:
        raise ValidationError.invalid("allocate", "attempts", attempts, "an integer 1 or more")
    skus = [line.sku for line in demand.lines]
    for attempt in range(1, attempts + 1):
        snapshot = ledger.snapshot(skus, at=at)
        plan = plan_allocation(demand, snapshot, strategy, policy)
        if between is not None:
            between(plan)
        try:
            ledger.apply_plan(plan, hold_until=hold_until, at=at)
        except ConcurrencyError:
            if attempt == attempts:
                raise
            continue
        return plan
    raise AssertionError("unreachable")  # pragma: no cover
