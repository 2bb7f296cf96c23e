"""What one desk remembers for packing: plans, the items of products, parcels of plans.

:func:`~ordercycle.packing.pack` is a pure function of the request (items with their
rules, cartons, carrier rule), and the same baskets come back all day, so each
:class:`~ordercycle.service.OrderDesk` owns one :class:`DeskPacking` and hands it to the
sessions of its commands.
"""

from __future__ import annotations

import threading

from ordercycle.model.product import Product
from ordercycle.packing import DimWeightRule, Item, Package, PackingMemo, PackingPlan, Parcel

__all__ = ["PACKING_MEMO_SIZE", "DeskPacking"]

#: How many packing plans each desk remembers.
PACKING_MEMO_SIZE = 2048


class DeskPacking:
    """What one desk remembers for packing, all bounded: plans, items and parcels.

    Items are kept by the identity of the (immutable) product they were made from and
    the quantity; parcels by the identity of the (immutable) plan they describe. Each
    entry holds its object, so an id is never reused while the entry is here.
    """

    def __init__(self, size: int = PACKING_MEMO_SIZE) -> None:
        self.memo = PackingMemo(size)
        self._size = size
        self._items: dict[tuple[int, str, int], tuple[Product, Item]] = {}
        self._parcels: dict[int, tuple[PackingPlan, DimWeightRule, tuple[Parcel, ...]]] = {}
        self._lock = threading.Lock()

    def item(self, sku: str, goods: Product, quantity: int) -> Item:
        """The packing item for ``quantity`` units of ``goods`` (made once, then reused)."""
        key = (id(goods), sku, quantity)
        with self._lock:
            known = self._items.get(key)
        if known is not None and known[0] is goods:
            return known[1]
        made = Item(
            sku,
            goods.length,
            goods.width,
            goods.height,
            goods.weight,
            quantity=quantity,
            rotation=goods.rotation.value,
            max_load=goods.max_load_on_top,
            fragile=goods.fragile,
            ship_alone=goods.ship_alone,
            own_packaging=goods.ships_in_own_packaging,
        )
        with self._lock:
            if len(self._items) >= 2 * self._size:
                self._items.clear()
            self._items[key] = (goods, made)
        return made

    def parcels(self, plan: PackingPlan, carrier: DimWeightRule) -> tuple[Parcel, ...]:
        """The desk's parcels of ``plan`` under ``carrier`` (made once per plan)."""
        with self._lock:
            known = self._parcels.get(id(plan))
        if known is not None and known[0] is plan and known[1] is carrier:
            return known[2]
        made = tuple(_parcel(package, carrier) for package in plan.packages)
        with self._lock:
            if len(self._parcels) >= self._size:
                self._parcels.clear()
            self._parcels[id(plan)] = (plan, carrier, made)
        return made


def _parcel(package: Package, carrier: DimWeightRule) -> Parcel:
    contents: dict[str, int] = {}
    for placement in package.placements:
        contents[placement.item.sku] = contents.get(placement.item.sku, 0) + 1
    actual = package.actual_weight_g
    return Parcel(
        carton=package.carton.name,
        contents=tuple(sorted(contents.items())),
        actual_weight_g=actual,
        billable_weight=carrier.billable_weight_exact(package.carton.outer_mm, actual),
        weight_unit=carrier.weight_unit,
        reason=package.reason,
    )
