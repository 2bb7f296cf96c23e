"""How an :class:`~ordercycle.service.OrderDesk` is set up: warehouses, layouts, cartons, taxes.

Settings are configuration, not data: they are given when the desk is opened and are
not stored. :meth:`DeskSettings.default` builds a small, complete setup (two warehouses
with routed bins, three cartons, UPS daily rates, two tax profiles) that the tutorial,
the demo and the tests use.

>>> settings = DeskSettings.default()
>>> settings.network.warehouse_ids
('WH-EAST', 'WH-WEST')
>>> settings.picking_bin("WH-EAST/A1").label
'A00-005-L0'
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ordercycle.errors import ConfigurationError, NotFoundError
from ordercycle.inventory import (
    AllocationPolicy,
    AllocationStrategy,
    BinCoordinates,
    Network,
)
from ordercycle.invoicing import CreditPolicy, TaxProfile, TaxRate
from ordercycle.money import Money
from ordercycle.packing import (
    DEFAULT_WORK_LIMIT,
    Carton,
    DimWeightRule,
    ShippingMethod,
    WeightBracketRate,
    carriers,
)
from ordercycle.picking import Bin as PickingBin
from ordercycle.picking import WarehouseLayout
from ordercycle.service.errors import UnknownTaxProfileError

__all__ = ["DeskSettings"]


def _dict(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DeskSettings:
    """The configuration of one desk.

    Attributes:
        network: Warehouses, zones and bins (bins need :class:`BinCoordinates` to be
            routed).
        layouts: The picking layout of each warehouse, by warehouse id.
        cartons: The carton catalogue for packing.
        carrier: The carrier's dimensional-weight rule used to pick cartons.
        pack_work_limit: The packer's work budget per order (see
            :attr:`ordercycle.packing.PackRequest.work_limit`; ``None``: no budget). The
            default keeps every pack within about 100 ms of CPU; the same budget always
            gives the same plan.
        tax_profiles: Tax profiles by name; customers refer to them by name.
        currency: The currency of reports when there is nothing to report yet.
        strategy: The allocation rule chain (the planner's default when ``None``).
        policy: The allocation policy (partial with backorders when ``None``).
        credit_policy: What confirming an order over the credit limit does.
        invoice_prefix: The prefix of invoice numbers (``"INV-"`` gives ``INV-000001``).
        route_method: The picking route method (see :data:`ordercycle.picking.METHODS`).
        auto_dispatch: Run the outbox handlers after commands (after each one that
            recorded an event they react to, and now and then after the others; see
            :meth:`~ordercycle.service.OrderDesk.execute`).
        max_attempts: How often a command is tried when it meets a concurrent change.
        shipping_methods: The shipping methods orders may choose, by name; the chosen
            method's rate for the cartons of each shipment is billed as freight when the
            shipment ships.
        freight_tax_code: The tax rate code freight is taxed at (only that rate of the
            customer's profile, none if the profile has no such rate); empty: every rate
            of the customer's profile, like goods without a tax code.
        write_off_tolerance: The largest rest (of an invoice, or of a customer's credit)
            ``write_off_balance`` may write off, in the account's currency.
    """

    network: Network
    layouts: dict[str, WarehouseLayout] = attrs.field(converter=_dict)
    cartons: tuple[Carton, ...] = attrs.field(converter=_tuple)
    carrier: DimWeightRule = carriers.UPS_DAILY
    pack_work_limit: int | None = DEFAULT_WORK_LIMIT
    tax_profiles: dict[str, TaxProfile] = attrs.field(converter=_dict)
    currency: str = "USD"
    strategy: AllocationStrategy | None = None
    policy: AllocationPolicy | None = None
    credit_policy: CreditPolicy = CreditPolicy.HOLD
    invoice_prefix: str = "INV-"
    route_method: str = "optimal"
    auto_dispatch: bool = True
    max_attempts: int = 25
    shipping_methods: dict[str, ShippingMethod] = attrs.field(factory=dict, converter=_dict)
    freight_tax_code: str = ""
    write_off_tolerance: Decimal = attrs.field(default=Decimal("1.00"), converter=Decimal)

    def __attrs_post_init__(self) -> None:
        problems = [
            f"warehouse {w!r} has no picking layout"
            for w in self.network.warehouse_ids
            if w not in self.layouts
        ]
        if not self.cartons:
            problems.append("the carton catalogue is empty")
        limit = self.pack_work_limit
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            problems.append(f"pack_work_limit is {limit!r}, not an integer or None")
        elif limit is not None and limit < 1:
            problems.append(f"pack_work_limit is {limit}, below 1")
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            problems.append(f"max_attempts is {self.max_attempts!r}, not an integer")
        elif self.max_attempts < 1:
            problems.append(f"max_attempts is {self.max_attempts}, below 1")
        problems.extend(
            f"shipping method {name!r} is not a ShippingMethod of that name: {method!r}"
            for name, method in self.shipping_methods.items()
            if not isinstance(method, ShippingMethod) or method.name != name
        )
        if problems:
            raise ConfigurationError(
                "Invalid DeskSettings: " + "; ".join(problems) + ".",
                subject="DeskSettings",
                value=problems,
                expected=(
                    "a layout per warehouse, cartons, max_attempts >= 1, pack_work_limit >= 1"
                    " or None, and shipping methods under their own names"
                ),
            )

    @classmethod
    def default(cls) -> DeskSettings:
        """Two warehouses (``WH-EAST`` preferred, ``WH-WEST``) with eight routed bins each.

        Bins are ``WH-EAST/A1`` ... ``WH-EAST/A8`` (and the same in ``WH-WEST``), spread
        over the aisles of a Henn–Wäscher layout. Cartons ``S``, ``M`` and ``L`` (inches),
        UPS daily rates, tax profiles ``EXEMPT`` (no tax) and ``US-NY`` (8.875 %), and one
        shipping method, ``UPS-GROUND`` (UPS daily DIM rule, USD weight brackets to 70 lb).
        """
        spots = [(0, 5, "left"), (1, 20, "right"), (2, 40, "left"), (4, 12, "right")]
        spots += [(5, 33, "left"), (7, 8, "right"), (8, 27, "left"), (9, 44, "right")]
        layout: dict[str, dict[str, dict[str, BinCoordinates | None]]] = {}
        for warehouse in ("WH-EAST", "WH-WEST"):
            layout[warehouse] = {
                f"{warehouse}/PICK": {
                    f"{warehouse}/A{n}": BinCoordinates(aisle=a, position=p, side=s)
                    for n, (a, p, s) in enumerate(spots, 1)
                }
            }
        network = Network.build(layout, priorities={"WH-EAST": 0, "WH-WEST": 1})
        cartons = (
            Carton.from_inches("S", 8, 6, 4, tare_lb="0.25", max_weight_lb=20, cost=_usd("0.45")),
            Carton.from_inches("M", 12, 10, 8, tare_lb="0.5", max_weight_lb=40, cost=_usd("0.80")),
            Carton.from_inches("L", 18, 14, 12, tare_lb=1, max_weight_lb=60, cost=_usd("1.40")),
        )
        return cls(
            network=network,
            layouts={w: WarehouseLayout.henn_waescher() for w in network.warehouse_ids},
            cartons=cartons,
            tax_profiles={
                "EXEMPT": TaxProfile("EXEMPT", []),
                "US-NY": TaxProfile("US-NY", [TaxRate("NY", "8.875")]),
            },
            shipping_methods={"UPS-GROUND": _UPS_GROUND},
        )

    def shipping_method(self, name: str, *, subject: str) -> ShippingMethod:
        """The shipping method called ``name``.

        Raises:
            NotFoundError: The settings define no such method (the message lists them).
        """
        try:
            return self.shipping_methods[name]
        except (KeyError, TypeError):
            raise NotFoundError(
                f"shipping method for {subject}", name, known=self.shipping_methods
            ) from None

    def tax_profile(self, name: str, *, subject: str) -> TaxProfile:
        """The tax profile called ``name``.

        Raises:
            UnknownTaxProfileError: The settings define no such profile.
        """
        try:
            return self.tax_profiles[name]
        except KeyError:
            raise UnknownTaxProfileError(subject, name, self.tax_profiles) from None

    def picking_bin(self, bin_id: str) -> PickingBin:
        """The picking-layout bin of an inventory bin (from its coordinates).

        Raises:
            UnknownLocationError: ``bin_id`` is not a bin of the network.
            ConfigurationError: The bin has no coordinates, so it cannot be routed.
        """
        found = self.network.bin(bin_id)
        where = found.coordinates
        if where is None:
            raise ConfigurationError.invalid(
                f"bin {bin_id}", "coordinates", None, "BinCoordinates so pickers can be routed"
            )
        return PickingBin(where.aisle, where.position, where.side, where.level)

    def home_bin(self, warehouse: str | None = None) -> str:
        """The first bin of ``warehouse`` (or of the network): where returns go by default."""
        bins = self.network.bins_in(warehouse) if warehouse else self.network.bins
        return str(bins[0].id)


def _usd(amount: str) -> Money:
    return Money(amount, "USD")


_UPS_GROUND = ShippingMethod(
    "UPS-GROUND",
    carriers.UPS_DAILY,
    WeightBracketRate.from_table(
        "lb",
        "USD",
        [
            (1, "9.10"),
            (2, "9.85"),
            (5, "12.40"),
            (10, "16.20"),
            (20, "21.00"),
            (40, "31.50"),
            (70, "45.00"),
        ],
    ),
)
