"""Zone picking: each picker works one zone of aisles; orders are consolidated afterwards.

An order whose lines lie in several zones is picked in parts, one per zone, into totes
that meet at the packing station. :func:`zone_pick_lists` batches and routes each zone on
its own and says, for every order, which pick lists hold its parts.

Examples:
    >>> layout = WarehouseLayout.henn_waescher()
    >>> zones = (Zone("Z1", range(0, 5)), Zone("Z2", range(5, 10)))
    >>> orders = [
    ...     PickOrder("A", (PickLine("1", "MUG", Bin(1, 3), 1),
    ...                     PickLine("2", "TEA", Bin(7, 9), 1))),
    ...     PickOrder("B", (PickLine("1", "PEN", Bin(2, 30), 2),)),
    ... ]
    >>> plan = zone_pick_lists(layout, orders, zones, PickerCapacity(items=10))
    >>> [sheet.name for sheet in plan.pick_lists]
    ['Z1-1', 'Z2-1']
    >>> plan.consolidation
    (('A', ('Z1-1', 'Z2-1')), ('B', ('Z1-1',)))
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ordercycle.picking.errors import InvalidPickError
from ordercycle.picking.layout import Bin, WarehouseLayout
from ordercycle.picking.orders import PickerCapacity, PickLine, PickOrder
from ordercycle.picking.picklist import PickList, PickRates, pick_lists

__all__ = ["Zone", "ZonePlan", "zone_pick_lists"]

_EXAMPLE_TYPES = (Bin, PickLine)


def _aisles(value: object) -> tuple[int, ...]:
    if not isinstance(value, Iterable) or isinstance(value, str):
        raise InvalidPickError("Zone", "aisles", value, "a range or tuple of aisle numbers")
    aisles = tuple(value)
    for aisle in aisles:
        if isinstance(aisle, bool) or not isinstance(aisle, int) or aisle < 0:
            raise InvalidPickError("Zone", "aisles", aisle, "non-negative aisle numbers")
    if not aisles:
        raise InvalidPickError("Zone", "aisles", aisles, "at least one aisle")
    return tuple(sorted(set(aisles)))


@attrs.frozen
class Zone:
    """A set of aisles worked by its own pickers.

    Attributes:
        name: The zone's name; its pick lists are named ``<name>-1``, ``<name>-2``, ...
        aisles: The aisles in the zone (in every block).
        depot: The depot (name) where the zone's tours start and end; the layout's first
            depot by default.
    """

    name: str
    aisles: tuple[int, ...] = attrs.field(converter=_aisles)
    depot: str | None = None


@attrs.frozen
class ZonePlan:
    """The pick lists of every zone and where each order's parts come from.

    Attributes:
        pick_lists: All pick lists, zone by zone.
        consolidation: ``(order id, names of the pick lists holding its parts)`` per order,
            in arrival order; orders with more than one list need consolidating.
    """

    pick_lists: tuple[PickList, ...]
    consolidation: tuple[tuple[str, tuple[str, ...]], ...]

    def lists_for(self, order_id: str) -> tuple[PickList, ...]:
        """The pick lists that hold parts of ``order_id``."""
        names = dict(self.consolidation).get(order_id, ())
        return tuple(sheet for sheet in self.pick_lists if sheet.name in names)


def zone_pick_lists(
    layout: WarehouseLayout,
    orders: Iterable[PickOrder],
    zones: Iterable[Zone],
    capacity: PickerCapacity,
    *,
    batching: str = "savings",
    method: str = "optimal",
    rates: PickRates | None = None,
) -> ZonePlan:
    """Split orders by zone, then batch and route each zone on its own.

    Raises:
        InvalidPickError: For zones that overlap, name an aisle the layout lacks or share
            a name, or a line whose aisle is in no zone.
        OrderTooLargeError, UnknownMethodError, DepotError: As :func:`pick_lists`.
    """
    zone_list = tuple(zones)
    owner: dict[int, Zone] = {}
    names: set[str] = set()
    for zone in zone_list:
        if zone.name in names:
            raise InvalidPickError("zone_pick_lists", "zones", zone.name, "unique zone names")
        names.add(zone.name)
        for aisle in zone.aisles:
            if aisle >= layout.aisles:
                raise InvalidPickError(
                    f"zone {zone.name!r}", "aisles", aisle, f"aisles 0..{layout.aisles - 1}"
                )
            if aisle in owner:
                raise InvalidPickError(
                    f"zone {zone.name!r}",
                    "aisles",
                    aisle,
                    f"aisles not already in zone {owner[aisle].name!r}",
                )
            owner[aisle] = zone
    listed = tuple(orders)
    parts: dict[str, list[PickOrder]] = {zone.name: [] for zone in zone_list}
    for order in listed:
        by_zone: dict[str, list[PickLine]] = {}
        for line in order.lines:
            zone_of = owner.get(line.bin.aisle)
            if zone_of is None:
                covered = ", ".join(str(a) for a in sorted(owner))
                raise InvalidPickError(
                    f"line {line.line_id!r} of order {order.order_id!r}",
                    "bin",
                    line.bin.label,
                    f"a bin in a zone's aisles ({covered})",
                )
            by_zone.setdefault(zone_of.name, []).append(line)
        for zone in zone_list:
            if zone.name in by_zone:
                parts[zone.name].append(attrs.evolve(order, lines=tuple(by_zone[zone.name])))
    sheets: list[PickList] = []
    for zone in zone_list:
        if parts[zone.name]:
            sheets += pick_lists(
                layout,
                parts[zone.name],
                capacity,
                name=zone.name,
                batching=batching,
                method=method,
                rates=rates,
                start=zone.depot,
            )
    holders: dict[str, list[str]] = {order.order_id: [] for order in listed}
    for sheet in sheets:
        for order_id in dict.fromkeys(line.order_id for line in sheet.lines):
            holders[order_id].append(sheet.name)
    consolidation = tuple((order.order_id, tuple(holders[order.order_id])) for order in listed)
    return ZonePlan(tuple(sheets), consolidation)
