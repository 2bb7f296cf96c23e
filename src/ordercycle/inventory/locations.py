"""Where stock lives: warehouses, zones inside them, and bins inside zones.

Stock is always kept in a :class:`StorageBin`. A bin belongs to a :class:`StorageZone`,
which belongs to a :class:`Warehouse`; every id is unique across the whole
:class:`Network`. Bins may carry :class:`BinCoordinates` (aisle, position, side, level) as
plain integers and strings, so a picking layout can place them without this package knowing
about picking. (The names say "storage" to keep them apart from picking's
:class:`~ordercycle.picking.Bin`, a point in a layout, and :class:`~ordercycle.picking.Zone`,
the aisles one group of pickers works.)

>>> network = Network.build({"WH-A": {"PICK": ["A-01", "A-02"]}, "WH-B": {"PICK-B": ["B-01"]}})
>>> network.warehouse_of("A-02")
'WH-A'
>>> [b.id for b in network.bins_in("WH-A")]
['A-01', 'A-02']
>>> Network.simple(["WH-A", "WH-B"]).bin_ids
('WH-A/01', 'WH-B/01')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ordercycle.inventory.errors import LocationError, UnknownLocationError
from ordercycle.model.ids import LocationId

__all__ = ["SIDES", "BinCoordinates", "Network", "StorageBin", "StorageZone", "Warehouse"]

#: The sides of an aisle a bin can face.
SIDES = ("left", "right")


def _location_id(kind: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value.strip() or value != value.strip():
            raise LocationError.invalid(
                kind, attribute.name, value, "a non-empty id without surrounding spaces"
            )

    return check


def _non_negative(kind: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not int or value < 0:
            raise LocationError.invalid(kind, attribute.name, value, "an integer 0 or more")

    return check


@attrs.frozen
class BinCoordinates:
    """Where a bin is in its warehouse, in the terms a picking layout uses.

    Attributes:
        aisle: The aisle number, from 0.
        position: The position (cell) along the aisle, from 0.
        side: ``"left"`` or ``"right"`` of the aisle.
        level: The shelf level, from 0 (floor).

    >>> BinCoordinates(aisle=3, position=12, side="left")
    BinCoordinates(aisle=3, position=12, side='left', level=0)
    """

    aisle: int = attrs.field(validator=_non_negative("BinCoordinates"))
    position: int = attrs.field(validator=_non_negative("BinCoordinates"))
    side: str = attrs.field(default="left")
    level: int = attrs.field(default=0, validator=_non_negative("BinCoordinates"))

    @side.validator
    def _check_side(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in SIDES:
            raise LocationError.invalid("BinCoordinates", "side", value, "'left' or 'right'")


@attrs.frozen
class Warehouse:
    """A stock-holding site.

    Attributes:
        id: The warehouse id (``"WH-A"``).
        name: A display name.
        priority: Lower is preferred by the warehouse-priority rule (ties by id).
        position: Optional ``(x, y)`` coordinates for distance functions.
    """

    id: LocationId = attrs.field(validator=_location_id("Warehouse"))
    name: str = ""
    priority: int = attrs.field(default=0, validator=_non_negative("Warehouse"))
    position: tuple[float, float] | None = None


@attrs.frozen
class StorageZone:
    """An area of a warehouse (pick face, reserve, cold room).

    Attributes:
        id: The zone id, unique in the network.
        warehouse: The id of the warehouse the zone is in.
        name: A display name.
    """

    id: LocationId = attrs.field(validator=_location_id("StorageZone"))
    warehouse: LocationId = attrs.field(validator=_location_id("StorageZone"))
    name: str = ""


@attrs.frozen
class StorageBin:
    """A storage slot that holds stock.

    Attributes:
        id: The bin id, unique in the network (``"A-01-02"``).
        zone: The id of the zone the bin is in.
        coordinates: Where the bin is, for picking layouts (optional).
    """

    id: LocationId = attrs.field(validator=_location_id("StorageBin"))
    zone: LocationId = attrs.field(validator=_location_id("StorageBin"))
    coordinates: BinCoordinates | None = None


def _warehouses(values: Iterable[Warehouse]) -> tuple[Warehouse, ...]:
    return tuple(values)


def _zones(values: Iterable[StorageZone]) -> tuple[StorageZone, ...]:
    return tuple(values)


def _bins(values: Iterable[StorageBin]) -> tuple[StorageBin, ...]:
    return tuple(values)


@attrs.frozen
class Network:
    """Every warehouse, zone and bin, validated together.

    Build it with :meth:`build` or :meth:`simple`, or pass the three tuples directly.

    Raises:
        LocationError: Duplicate ids, or a zone or bin that points at an unknown parent.
    """

    warehouses: tuple[Warehouse, ...] = attrs.field(converter=_warehouses)
    zones: tuple[StorageZone, ...] = attrs.field(converter=_zones)
    bins: tuple[StorageBin, ...] = attrs.field(converter=_bins)
    _warehouse_by_id: dict[str, Warehouse] = attrs.field(init=False, repr=False, eq=False)
    _bin_by_id: dict[str, StorageBin] = attrs.field(init=False, repr=False, eq=False)
    _warehouse_of: dict[str, LocationId] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        seen: dict[str, str] = {}
        problems: list[str] = []
        for kind, items in (("warehouse", self.warehouses), ("zone", self.zones)):
            for item in items:
                if item.id in seen:
                    problems.append(f"{kind} id {item.id!r} is already used by a {seen[item.id]}")
                seen[item.id] = kind
        for bin_ in self.bins:
            if bin_.id in seen:
                problems.append(f"bin id {bin_.id!r} is already used by a {seen[bin_.id]}")
            seen[bin_.id] = "bin"
        warehouse_by_id = {w.id: w for w in self.warehouses}
        zone_home: dict[str, LocationId] = {}
        for zone in self.zones:
            if zone.warehouse not in warehouse_by_id:
                problems.append(f"zone {zone.id!r} is in unknown warehouse {zone.warehouse!r}")
            zone_home[zone.id] = zone.warehouse
        owner: dict[str, LocationId] = {w.id: w.id for w in self.warehouses}
        owner.update(zone_home)
        for bin_ in self.bins:
            if bin_.zone not in zone_home:
                problems.append(f"bin {bin_.id!r} is in unknown zone {bin_.zone!r}")
            else:
                owner[bin_.id] = zone_home[bin_.zone]
        if problems:
            raise LocationError(
                "Invalid Network: " + "; ".join(problems) + ".",
                subject="Network",
                value=problems,
                expected="unique ids and known parents",
            )
        object.__setattr__(self, "_warehouse_by_id", warehouse_by_id)
        object.__setattr__(self, "_bin_by_id", {b.id: b for b in self.bins})
        object.__setattr__(self, "_warehouse_of", owner)

    @classmethod
    def build(
        cls,
        layout: Mapping[str, Mapping[str, Iterable[str] | Mapping[str, BinCoordinates | None]]],
        *,
        priorities: Mapping[str, int] | None = None,
        positions: Mapping[str, tuple[float, float]] | None = None,
    ) -> Network:
        """Build a network from ``{warehouse: {zone: [bin, ...]}}``.

        A zone may map bin ids to :class:`BinCoordinates` instead of listing them.

        Args:
            layout: Warehouses, their zones and the zones' bins, in the order given.
            priorities: Warehouse priority by id (default 0; lower is preferred).
            positions: Warehouse ``(x, y)`` coordinates by id.
        """
        warehouses, zones, bins = [], [], []
        for warehouse_id, zone_map in layout.items():
            warehouses.append(
                Warehouse(
                    LocationId(warehouse_id),
                    priority=(priorities or {}).get(warehouse_id, 0),
                    position=(positions or {}).get(warehouse_id),
                )
            )
            for zone_id, zone_bins in zone_map.items():
                zones.append(StorageZone(LocationId(zone_id), LocationId(warehouse_id)))
                if isinstance(zone_bins, Mapping):
                    bins += [
                        StorageBin(LocationId(b), LocationId(zone_id), c)
                        for b, c in zone_bins.items()
                    ]
                else:
                    bins += [StorageBin(LocationId(b), LocationId(zone_id)) for b in zone_bins]
        return cls(warehouses, zones, bins)

    @classmethod
    def simple(
        cls,
        warehouses: Sequence[str],
        *,
        bins: int = 1,
        priorities: Mapping[str, int] | None = None,
    ) -> Network:
        """Build a network of warehouses with one zone ``"<w>/Z"`` and bins ``"<w>/01"``...

        >>> Network.simple(["WH-A"], bins=2).bin_ids
        ('WH-A/01', 'WH-A/02')
        """
        return cls.build(
            {w: {f"{w}/Z": [f"{w}/{i:02d}" for i in range(1, bins + 1)]} for w in warehouses},
            priorities=priorities,
        )

    @property
    def warehouse_ids(self) -> tuple[LocationId, ...]:
        """The warehouse ids, in definition order."""
        return tuple(w.id for w in self.warehouses)

    @property
    def bin_ids(self) -> tuple[LocationId, ...]:
        """The bin ids, in definition order."""
        return tuple(b.id for b in self.bins)

    def warehouse(self, warehouse_id: str) -> Warehouse:
        """Return the warehouse with this id.

        Raises:
            UnknownLocationError: No such warehouse.
        """
        try:
            return self._warehouse_by_id[warehouse_id]
        except KeyError:
            raise UnknownLocationError(
                warehouse_id, known=self._warehouse_by_id, kind="warehouse"
            ) from None

    def bin(self, bin_id: str) -> StorageBin:
        """Return the bin with this id.

        Raises:
            UnknownLocationError: No such bin (a warehouse or zone id is not a bin).
        """
        try:
            return self._bin_by_id[bin_id]
        except KeyError:
            raise UnknownLocationError(bin_id, known=self._bin_by_id, kind="bin") from None

    def has_bin(self, bin_id: str) -> bool:
        """Return whether ``bin_id`` is a bin of this network."""
        return bin_id in self._bin_by_id

    def warehouse_of(self, location_id: str) -> LocationId:
        """Return the id of the warehouse that holds a warehouse, zone or bin.

        Raises:
            UnknownLocationError: The id is not part of the network.
        """
        try:
            return self._warehouse_of[location_id]
        except KeyError:
            raise UnknownLocationError(location_id, known=self._warehouse_of) from None

    def bins_in(self, warehouse_id: str) -> tuple[StorageBin, ...]:
        """Return the bins of a warehouse, in definition order.

        Raises:
            UnknownLocationError: No such warehouse.
        """
        self.warehouse(warehouse_id)
        return tuple(b for b in self.bins if self._warehouse_of[b.id] == warehouse_id)
