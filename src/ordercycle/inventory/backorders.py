"""Backorders: the part of a line that waits, and the order it is served in.

When stock arrives, :meth:`BackorderBook.fill` allocates waiting lines in this order:

1. **priority** (lower number first),
2. then the **requested date** (earlier first; lines without one go last),
3. then the **order time** (earlier first; unknown last),
4. then order id and line id (so ties are deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import attrs

from ordercycle.inventory.allocation_plan import AllocationPlan
from ordercycle.inventory.demand import AllocationPolicy, Demand, DemandLine
from ordercycle.inventory.ledger import StockLedger
from ordercycle.inventory.rules import AllocationStrategy
from ordercycle.inventory.sourcing import plan_allocation
from ordercycle.model.ids import Sku

__all__ = ["Backorder", "BackorderBook"]

_LATEST = datetime.max.replace(tzinfo=UTC)


@attrs.frozen
class Backorder:
    """Units of one order line waiting for stock.

    Attributes:
        order_id: The order.
        line_id: The line.
        sku: The sku.
        quantity: Units still waiting.
        priority: Lower is served first.
        requested_on: The date the customer asked for.
        placed_at: When the order was placed.
        min_shelf_life_days: Shelf life a lot must still have.
        destination: Passed on to distance rules.
    """

    order_id: str
    line_id: str
    sku: Sku
    quantity: int
    priority: int = 0
    requested_on: date | None = None
    placed_at: datetime | None = None
    min_shelf_life_days: int = 0
    destination: Any = None

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """``(priority, requested date, order time, order id, line id)``."""
        return (
            self.priority,
            self.requested_on or date.max,
            self.placed_at or _LATEST,
            self.order_id,
            self.line_id,
        )


class BackorderBook:
    """The waiting lines, kept in serving order.

    >>> book = BackorderBook()
    >>> book.add(Backorder("O-2", "1", "MUG", 3, priority=1))
    >>> book.add(Backorder("O-1", "1", "MUG", 2, priority=1, requested_on=date(2026, 2, 1)))
    >>> [b.order_id for b in book.queue()], book.waiting("MUG")
    (['O-1', 'O-2'], 5)
    """

    def __init__(self, backorders: Iterable[Backorder] = ()) -> None:
        self._entries: dict[tuple[str, str], Backorder] = {}
        for backorder in backorders:
            self.add(backorder)

    def add(self, backorder: Backorder) -> None:
        """Add waiting units (merged with what already waits for the same line)."""
        key = (backorder.order_id, backorder.line_id)
        known = self._entries.get(key)
        if known is not None:
            backorder = attrs.evolve(known, quantity=known.quantity + backorder.quantity)
        self._entries[key] = backorder

    def add_plan(self, plan: AllocationPlan, demand: Demand) -> None:
        """Add every backordered remainder of ``plan`` (made for ``demand``)."""
        by_id = {line.line_id: line for line in demand.lines}
        for line in plan.lines:
            if line.backordered:
                source = by_id[line.line_id]
                self.add(
                    Backorder(
                        plan.order_id,
                        line.line_id,
                        line.sku,
                        line.backordered,
                        demand.priority,
                        demand.requested_on,
                        demand.placed_at,
                        demand.shelf_life_for(source),
                        demand.destination,
                    )
                )

    def queue(self, sku: str | None = None) -> list[Backorder]:
        """The waiting lines (of one sku) in serving order."""
        found = [b for b in self._entries.values() if sku is None or b.sku == sku]
        return sorted(found, key=lambda b: b.sort_key)

    def waiting(self, sku: str) -> int:
        """Units of ``sku`` waiting."""
        return sum(b.quantity for b in self._entries.values() if b.sku == sku)

    def __len__(self) -> int:
        return len(self._entries)

    def fill(
        self,
        ledger: StockLedger,
        strategy: AllocationStrategy | None = None,
        *,
        skus: Iterable[str] | None = None,
        at: datetime,
    ) -> list[AllocationPlan]:
        """Allocate waiting lines from free stock, in serving order.

        Each line is planned on its own with a partial policy and applied at once (to
        ``"<order>/<line>"``), so an earlier line takes what it can before a later one.

        Returns:
            The applied plans that allocated something, in serving order.
        """
        wanted = None if skus is None else set(skus)
        done: list[AllocationPlan] = []
        for backorder in self.queue():
            if wanted is not None and backorder.sku not in wanted:
                continue
            if ledger.available(backorder.sku, at=at) <= 0:
                continue
            demand = Demand(
                backorder.order_id,
                [
                    DemandLine(
                        backorder.line_id,
                        backorder.sku,
                        backorder.quantity,
                        backorder.min_shelf_life_days,
                    )
                ],
                destination=backorder.destination,
            )
            snapshot = ledger.snapshot([backorder.sku], at=at)
            plan = plan_allocation(demand, snapshot, strategy, AllocationPolicy.partial())
            if not plan.allocated:
                continue
            ledger.apply_plan(plan, at=at)
            left = backorder.quantity - plan.allocated
            key = (backorder.order_id, backorder.line_id)
            if left:
                self._entries[key] = attrs.evolve(backorder, quantity=left)
            else:
                del self._entries[key]
            done.append(plan)
        return done
