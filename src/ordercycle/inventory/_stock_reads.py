"""Reading a stock state: positions, availability, snapshots and plain data.

The functions behind :class:`~ordercycle.inventory.StockLedger`'s queries. They change
nothing but the two lookup caches they are handed (each bucket key list in sorted order,
each bin's warehouse), which only remember what the state and network already say.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from ordercycle.inventory._stock_state import Bucket, BucketKey, StockState
from ordercycle.inventory.locations import Network
from ordercycle.inventory.position import StockPosition
from ordercycle.inventory.snapshot import StockSlot, StockSnapshot
from ordercycle.model.ids import LotId, Sku

__all__ = [
    "KeyOrder",
    "available",
    "plain_state",
    "position",
    "positions",
    "skus",
    "snapshot",
    "sorted_keys",
]

#: Per sku: (how many buckets it had, their keys sorted by bin then lot).
KeyOrder = dict[str, tuple[int, list[BucketKey]]]


def sorted_keys(state: StockState, order: KeyOrder, sku: str) -> list[BucketKey]:
    """The bucket keys of ``sku`` by bin, then lot (cached until a bucket is added)."""
    buckets = state.buckets.get(sku, {})
    cached = order.get(sku)
    if cached is None or cached[0] != len(buckets):
        cached = (len(buckets), sorted(buckets, key=lambda k: (k[0], k[1] or "")))
        order[sku] = cached
    return cached[1]


def skus(state: StockState) -> tuple[Sku, ...]:
    """The skus with stock records, sorted."""
    return tuple(Sku(s) for s in sorted(state.buckets))


def position(
    network: Network, sku: Sku, bin: str, lot: str | None, bucket: Bucket, now: datetime
) -> StockPosition:
    """The :class:`StockPosition` of one bucket at ``now``."""
    return StockPosition(
        sku,
        bin,
        network.warehouse_of(bin),
        LotId(lot) if lot is not None else None,
        bucket.on_hand,
        bucket.allocated,
        bucket.held(now),
        bucket.unavailable_total,
        tuple(sorted(bucket.unavailable.items())),
    )


def positions(
    state: StockState, network: Network, order: KeyOrder, wanted: Iterable[Sku], now: datetime
) -> list[StockPosition]:
    """Every bucket of the ``wanted`` skus at ``now``, sorted by sku, bin, lot."""
    out = []
    for sku in wanted:
        buckets = state.buckets.get(sku, {})
        for key in sorted_keys(state, order, sku):
            out.append(position(network, sku, key[0], key[1], buckets[key], now))
    return out


def available(
    state: StockState, network: Network, sku: str, warehouse: str | None, now: datetime
) -> int:
    """Units of ``sku`` available at ``now``, in total or in one warehouse."""
    total = 0
    for (bin_id, _), bucket in state.buckets.get(Sku(sku), {}).items():
        if warehouse is None or network.warehouse_of(bin_id) == warehouse:
            total += bucket.available(now)
    return total


def snapshot(
    state: StockState,
    network: Network,
    order: KeyOrder,
    warehouses: dict[str, str],
    wanted: Iterable[str] | None,
    now: datetime,
) -> StockSnapshot:
    """Available stock of the ``wanted`` skus (default: all) at ``now``, with versions."""
    if wanted is None:
        names: list[str] = list(skus(state))
    else:
        names = list(wanted)
        if len(names) > 1:
            names = sorted(set(names))
    lots = state.lots
    all_buckets = state.buckets
    known_versions = state.versions
    slots: dict[str, tuple[StockSlot, ...]] = {}
    versions: dict[str, int] = {}
    for raw in names:
        sku = Sku(raw)
        versions[sku] = known_versions.get(sku, 0)
        buckets = all_buckets.get(sku)
        if not buckets:
            continue
        sku_lots = lots.get(sku)
        row = []
        for key in sorted_keys(state, order, sku):
            bin_id, lot_id = key
            info = sku_lots.get(lot_id) if sku_lots and lot_id is not None else None
            b = buckets[key]
            free = b.on_hand - b.allocated - b.unavailable_total
            if b.holds:
                free -= b.held(now)
            warehouse = warehouses.get(bin_id)
            if warehouse is None:
                warehouse = warehouses[bin_id] = network.warehouse_of(bin_id)
            row.append(
                StockSlot(
                    sku,
                    bin_id,
                    warehouse,
                    cast("LotId | None", lot_id),
                    info.received_on if info else None,
                    info.expires_on if info else None,
                    free,
                )
            )
        slots[sku] = tuple(row)
    return StockSnapshot(network, slots, versions, now)


def plain_state(state: StockState, order: KeyOrder) -> dict[str, Any]:
    """Every counter, hold, lot and receipt as plain sorted data (replay checks this)."""
    buckets = []
    for sku in skus(state):
        for key in sorted_keys(state, order, sku):
            b = state.buckets[sku][key]
            buckets.append(
                (
                    sku,
                    key[0],
                    key[1],
                    b.on_hand,
                    tuple(sorted(b.allocations.items())),
                    tuple(sorted(b.unavailable.items())),
                    tuple(sorted(b.holds)),
                )
            )
    return {
        "buckets": buckets,
        "holds": tuple(h for _, h in sorted(state.holds.items())),
        "lots": sorted(
            ((lot.sku, lot.id, lot) for per in state.lots.values() for lot in per.values()),
            key=lambda row: (row[0], row[1]),
        ),
        "receipts": tuple(sorted(state.receipts.values(), key=lambda r: (r.due_on, r.id))),
        "versions": sorted(state.versions.items()),
        "version": state.version,
    }
