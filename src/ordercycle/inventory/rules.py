"""Allocation strategies: ordered chains of rules that rank warehouses and lots.

A strategy is a tuple of rules, applied in order like a ``sort`` key with tie-breaks:

* **warehouse rules** (:class:`WarehousePriority`, :class:`MostStock`, :class:`Closest`)
  rank the warehouses that could serve a line; the first rule decides, the next breaks
  ties, and the warehouse id breaks any tie left;
* **lot rules** (:class:`Fefo`, :class:`Fifo`, :class:`Lifo`, :class:`LeastPackages`) rank
  the bins and lots inside a chosen warehouse; ties end on bin id, then lot id;
* :class:`FewestShipments` is an order rule: it first looks for one warehouse that can
  ship the whole order, then pairs, then triples, up to its limit, trying sets in the
  order the warehouse rules rank them.

Write your own rule by subclassing :class:`WarehouseRule` or :class:`LotRule` (see the
how-to "write an allocation strategy").

>>> AllocationStrategy.fewest_shipments().describe()
'fewest shipments (up to 3 warehouses) → warehouse priority → FEFO'
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import attrs

from ordercycle.errors import ConfigurationError
from ordercycle.inventory.demand import Demand
from ordercycle.inventory.locations import Warehouse
from ordercycle.inventory.snapshot import StockSlot

__all__ = [
    "AllocationStrategy",
    "Closest",
    "Fefo",
    "FewestShipments",
    "Fifo",
    "LeastPackages",
    "Lifo",
    "LotRule",
    "MostStock",
    "Rule",
    "WarehouseOption",
    "WarehousePriority",
    "WarehouseRule",
]

_FAR_FUTURE = date.max


@attrs.frozen
class WarehouseOption:
    """A warehouse as a candidate for one line (or, for order rules, the whole order).

    Attributes:
        warehouse: The warehouse.
        available: Eligible units there (for the order: units of the order it can cover).
        demanded: Units still wanted (for the order: all units ordered).
    """

    warehouse: Warehouse
    available: int
    demanded: int

    @property
    def short(self) -> int:
        """Units this warehouse alone would be short: ``max(0, demanded - available)``."""
        return max(0, self.demanded - self.available)


class WarehouseRule(abc.ABC):
    """A rule that ranks warehouses: smaller keys are preferred."""

    name: str = "warehouse rule"

    @abc.abstractmethod
    def key(self, option: WarehouseOption, demand: Demand) -> Any:
        """Return the sort key of ``option`` (smaller is better)."""

    def explain(self, option: WarehouseOption, demand: Demand) -> str:
        """Say, in a few words, how this rule sees ``option`` (``"priority 1"``)."""
        return f"{self.name} {self.key(option, demand)}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LotRule(abc.ABC):
    """A rule that ranks the slots (bin and lot) inside a warehouse: smaller keys first."""

    name: str = "lot rule"

    @abc.abstractmethod
    def key(self, slot: StockSlot, needed: int) -> Any:
        """Return the sort key of ``slot`` when ``needed`` units are still wanted."""

    def explain(self, slot: StockSlot) -> str:
        """Say, in a few words, how this rule sees ``slot`` (``"expires 2026-03-01"``)."""
        return self.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class WarehousePriority(WarehouseRule):
    """Prefer the warehouse with the lowest :attr:`Warehouse.priority` number."""

    name = "warehouse priority"

    def key(self, option: WarehouseOption, demand: Demand) -> Any:
        """The warehouse's priority number."""
        return option.warehouse.priority

    def explain(self, option: WarehouseOption, demand: Demand) -> str:
        """``"priority 1"``."""
        return f"priority {option.warehouse.priority}"


class MostStock(WarehouseRule):
    """Prefer the warehouse with the most eligible stock of the line's sku."""

    name = "most stock"

    def key(self, option: WarehouseOption, demand: Demand) -> Any:
        """Minus the available quantity."""
        return -option.available

    def explain(self, option: WarehouseOption, demand: Demand) -> str:
        """``"12 available"``."""
        return f"{option.available} available"


class Closest(WarehouseRule):
    """Prefer the warehouse closest to the demand's destination.

    Attributes:
        distance: ``distance(warehouse, destination) -> number``; called with
            :attr:`Demand.destination`.
    """

    name = "closest"

    def __init__(self, distance: Callable[[Warehouse, Any], Any]) -> None:
        self.distance = distance

    def key(self, option: WarehouseOption, demand: Demand) -> Any:
        """The distance from the warehouse to the destination."""
        return self.distance(option.warehouse, demand.destination)

    def explain(self, option: WarehouseOption, demand: Demand) -> str:
        """``"distance 40"``."""
        return f"distance {self.key(option, demand)}"

    def __repr__(self) -> str:
        return f"Closest({getattr(self.distance, '__name__', repr(self.distance))})"


class Fefo(LotRule):
    """First expired, first out: the lot that expires first leaves first."""

    name = "FEFO"

    def key(self, slot: StockSlot, needed: int) -> Any:
        """The expiry date (lots without one go last)."""
        return slot.expires_on or _FAR_FUTURE

    def explain(self, slot: StockSlot) -> str:
        """``"expires 2026-03-01"``."""
        if slot.expires_on is None:
            return "does not expire"
        return f"expires {slot.expires_on.isoformat()}"


class Fifo(LotRule):
    """First in, first out: the lot received first leaves first."""

    name = "FIFO"

    def key(self, slot: StockSlot, needed: int) -> Any:
        """The receipt date (unknown dates go last)."""
        return slot.received_on or _FAR_FUTURE

    def explain(self, slot: StockSlot) -> str:
        """``"received 2026-01-05"``."""
        received = slot.received_on.isoformat() if slot.received_on else "on an unknown date"
        return f"received {received}"


class Lifo(LotRule):
    """Last in, first out: the lot received last leaves first."""

    name = "LIFO"

    def key(self, slot: StockSlot, needed: int) -> Any:
        """Minus the receipt date's ordinal (unknown dates go last)."""
        return -slot.received_on.toordinal() if slot.received_on else 0

    def explain(self, slot: StockSlot) -> str:
        """``"received 2026-01-05"``."""
        return Fifo().explain(slot)


class LeastPackages(LotRule):
    """Prefer one slot that covers what is still needed, else the fullest slot first.

    This keeps the number of picks (and so of packages from separate bins) low.
    """

    name = "least packages"

    def key(self, slot: StockSlot, needed: int) -> Any:
        """``(0, available)`` for a slot that covers the need, else ``(1, -available)``."""
        if slot.available >= needed:
            return (0, slot.available)
        return (1, -slot.available)

    def explain(self, slot: StockSlot) -> str:
        """``"7 in the slot"``."""
        return f"{slot.available} in the slot"


@attrs.frozen
class FewestShipments:
    """Ship the whole order from as few warehouses as possible.

    Tries each single warehouse, then each pair, then each triple, ... up to
    ``max_warehouses``, in the order the warehouse rules rank them; the first set that
    covers every line wins. If none does, the smallest set that covers as many units as
    all warehouses together could is used; failing that, lines are filled warehouse by
    warehouse in rank order.

    Coverage is counted per sku; when two lines of one sku need different shelf lives,
    the check is approximate (the filling itself is exact).

    Attributes:
        max_warehouses: The largest set of warehouses to try (1 or more).
    """

    max_warehouses: int = 3
    name: str = attrs.field(default="fewest shipments", init=False)

    def __attrs_post_init__(self) -> None:
        if type(self.max_warehouses) is not int or self.max_warehouses < 1:
            raise ConfigurationError.invalid(
                "FewestShipments", "max_warehouses", self.max_warehouses, "an integer 1 or more"
            )


Rule = WarehouseRule | LotRule | FewestShipments
"""Any rule a strategy can hold."""


def _rules(values: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(values)


@attrs.frozen
class AllocationStrategy:
    """An ordered chain of rules.

    Attributes:
        rules: Warehouse rules, lot rules and at most one :class:`FewestShipments`, in the
            order they apply within their kind.
        name: An optional display name.

    Raises:
        ConfigurationError: A rule of an unknown kind, or two :class:`FewestShipments`.
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    name: str = ""
    warehouse_rules: tuple[WarehouseRule, ...] = attrs.field(init=False, repr=False, eq=False)
    lot_rules: tuple[LotRule, ...] = attrs.field(init=False, repr=False, eq=False)
    fewest: FewestShipments | None = attrs.field(init=False, repr=False, eq=False)
    _description: str = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        warehouse, lot, fewest = [], [], []
        for rule in self.rules:
            if isinstance(rule, WarehouseRule):
                warehouse.append(rule)
            elif isinstance(rule, LotRule):
                lot.append(rule)
            elif isinstance(rule, FewestShipments):
                fewest.append(rule)
            else:
                raise ConfigurationError.invalid(
                    "AllocationStrategy",
                    "rules",
                    rule,
                    "WarehouseRule, LotRule or FewestShipments instances",
                )
        if len(fewest) > 1:
            raise ConfigurationError.invalid(
                "AllocationStrategy", "rules", fewest, "at most one FewestShipments rule"
            )
        object.__setattr__(self, "warehouse_rules", tuple(warehouse))
        object.__setattr__(self, "lot_rules", tuple(lot))
        object.__setattr__(self, "fewest", fewest[0] if fewest else None)
        object.__setattr__(self, "_description", self._describe())

    @classmethod
    def warehouse_priority(cls, lots: LotRule | None = None) -> AllocationStrategy:
        """Warehouse priority, then FEFO (or the given lot rule)."""
        return cls((WarehousePriority(), lots or Fefo()))

    @classmethod
    def most_stock(cls, lots: LotRule | None = None) -> AllocationStrategy:
        """Most stock first, then FEFO (or the given lot rule)."""
        return cls((MostStock(), lots or Fefo()))

    @classmethod
    def closest(
        cls, distance: Callable[[Warehouse, Any], Any], lots: LotRule | None = None
    ) -> AllocationStrategy:
        """Closest to the destination, then warehouse priority, then FEFO."""
        return cls((Closest(distance), WarehousePriority(), lots or Fefo()))

    @classmethod
    def fewest_shipments(
        cls, max_warehouses: int = 3, *, then: Iterable[Rule] | None = None
    ) -> AllocationStrategy:
        """Fewest shipments, then ``then`` (default: warehouse priority, FEFO)."""
        rest = tuple(then) if then is not None else (WarehousePriority(), Fefo())
        return cls((FewestShipments(max_warehouses), *rest))

    def describe(self) -> str:
        """The chain as text, such as ``"most stock → FEFO"``."""
        return self._description

    def _describe(self) -> str:
        if self.name:
            return self.name
        parts = []
        if self.fewest is not None:
            parts.append(f"fewest shipments (up to {self.fewest.max_warehouses} warehouses)")
        parts += [rule.name for rule in self.warehouse_rules]
        parts += [rule.name for rule in self.lot_rules]
        return " → ".join(parts) or "warehouse id → bin → lot"
