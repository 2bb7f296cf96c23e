"""Turn a :class:`Scenario` into desk settings, customers, products and stock bins."""

from __future__ import annotations

import random
from decimal import Decimal

import attrs

from ordercycle.inventory import (
    AllocationStrategy,
    BinCoordinates,
    Fefo,
    FewestShipments,
    Network,
    WarehousePriority,
)
from ordercycle.invoicing import TaxProfile
from ordercycle.model import Address, Customer, Product
from ordercycle.model.ids import CustomerId, Sku
from ordercycle.money import Money
from ordercycle.packing import Carton, carriers
from ordercycle.picking import WarehouseLayout
from ordercycle.service import DeskSettings
from ordercycle.simulation.scenario import Scenario
from ordercycle.units import Q_

__all__ = ["World", "build_world"]

#: The credit limit of a segment without one: far above any simulated exposure.
_NO_LIMIT = "1000000000"

_AISLES = 10
_CELLS = 45


@attrs.frozen
class World:
    """Everything derived from a scenario before the clock starts.

    Attributes:
        settings: The desk settings (network, layouts, cartons, carrier rule, strategy).
        customers: Customer and its segment index, in id order.
        products: Product and list price, in catalogue order.
        bins: The bin of each ``(sku, warehouse)``.
    """

    settings: DeskSettings
    customers: tuple[tuple[Customer, int], ...]
    products: tuple[tuple[Product, Money], ...]
    bins: dict[tuple[str, str], str]


def _strategy(name: str) -> AllocationStrategy:
    if name == "fewest_shipments":
        return AllocationStrategy([FewestShipments(), WarehousePriority(), Fefo()], name=name)
    return AllocationStrategy([WarehousePriority(), Fefo()], name=name)


def build_world(scenario: Scenario, rng: random.Random) -> World:
    """Build the world of ``scenario``; ``rng`` places SKUs in bins (slotting)."""
    slots = [
        (aisle, position, side)
        for aisle in range(_AISLES)
        for position in range(1, _CELLS)
        for side in ("left", "right")
    ]
    layout: dict[str, dict[str, dict[str, BinCoordinates | None]]] = {}
    bins: dict[tuple[str, str], str] = {}
    for warehouse in scenario.warehouses:
        chosen = rng.sample(slots, len(scenario.catalogue))
        zone: dict[str, BinCoordinates | None] = {}
        for item, (aisle, position, side) in zip(scenario.catalogue, chosen, strict=True):
            bin_id = f"{warehouse.id}/{item.sku}"
            zone[bin_id] = BinCoordinates(aisle=aisle, position=position, side=side)
            bins[(item.sku, warehouse.id)] = bin_id
        layout[warehouse.id] = {f"{warehouse.id}/PICK": zone}
    network = Network.build(layout, priorities={w.id: w.priority for w in scenario.warehouses})
    currency = scenario.currency
    cartons = tuple(
        Carton.from_inches(
            c.name,
            c.length_in,
            c.width_in,
            c.height_in,
            tare_lb=c.tare_lb,
            max_weight_lb=c.max_weight_lb,
            cost=Money(c.cost, currency),
        )
        for c in scenario.cartons
    )
    spec = next(c for c in scenario.carriers if c.name == scenario.carrier)
    settings = DeskSettings(
        network=network,
        layouts={w.id: WarehouseLayout.henn_waescher() for w in scenario.warehouses},
        cartons=cartons,
        carrier=carriers.PRESETS[spec.dim_rule],
        tax_profiles={"EXEMPT": TaxProfile("EXEMPT", [])},
        currency=currency,
        strategy=_strategy(scenario.allocation),
        route_method=scenario.routing,
        auto_dispatch=False,
    )
    customers = []
    for index, segment in enumerate(scenario.segments):
        for n in range(1, segment.customers + 1):
            customer = Customer(
                id=CustomerId(f"C-{segment.name}-{n}"),
                name=f"{segment.name.title()} customer {n}",
                credit_limit=Money(Decimal(segment.credit_limit or _NO_LIMIT), currency),
                payment_terms=segment.payment_terms,
                tax_profile="EXEMPT",
                billing_address=Address(
                    lines=(f"{n} Simulation Rd",), city="Albany", postal_code="12207", country="US"
                ),
            )
            customers.append((customer, index))
    products = tuple(
        (
            Product(
                sku=Sku(item.sku),
                name=item.sku.title(),
                length=Q_(item.length_cm, "cm"),
                width=Q_(item.width_cm, "cm"),
                height=Q_(item.height_cm, "cm"),
                weight=Q_(item.weight_g, "g"),
            ),
            Money(item.price, currency),
        )
        for item in scenario.catalogue
    )
    return World(settings, tuple(customers), products, bins)
