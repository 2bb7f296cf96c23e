"""A :class:`Scenario`: everything a simulation run needs, as plain, validated data.

A scenario is frozen attrs data, so it pickles (for process pools), compares by value and
round-trips through dicts and TOML. Every field is checked when the scenario is built;
a problem raises :class:`~ordercycle.simulation.errors.ScenarioError` whose ``field`` is
the dotted path of the offending field.

>>> scenario = Scenario.default(seed=7, orders=50)
>>> scenario.seed, scenario.orders, scenario.carrier
(7, 50, 'UPS')
>>> Scenario.from_dict({**scenario.to_dict(), "orders_per_day": -1.0})
Traceback (most recent call last):
...
ordercycle.simulation.errors.ScenarioError: Invalid orders_per_day for scenario 'base': -1.0; ...
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import Any

import attrs

from ordercycle._memo import remember, remember_for
from ordercycle.errors import ParseError, ValidationError
from ordercycle.simulation.errors import ScenarioError

__all__ = [
    "ALLOCATIONS",
    "ROLES",
    "CarrierSpec",
    "CartonSpec",
    "CustomerSegment",
    "Replenishment",
    "Scenario",
    "Shift",
    "SkuSpec",
    "WarehouseSpec",
    "ZoneSpec",
]

#: Allocation strategies a scenario may name.
ALLOCATIONS = ("fewest_shipments", "warehouse_priority")
_ROUTES = ("s_shape", "return", "midpoint", "largest_gap", "combined", "optimal")
_POLICIES = ("sS", "RQ")
_BATCHING = ("fcfs", "seed", "savings", "seed+ls", "savings+ls")
_LEAD_TIMES = ("uniform", "gamma")
_SLOTS = 880  # bins of the Henn–Wäscher picking layout each warehouse uses
_AISLES = 10  # aisles of that layout, 0 to 9 (the simulation's _world builds it)
_DIM_RULES = ("DHL_EXPRESS", "FEDEX", "UPS_DAILY", "UPS_RETAIL", "USPS")
_ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
#: Layout units walked per pick line, as :meth:`Scenario.staffed_for_demand` estimates it
#: (the built-in scenario measured 17.6 at 60 orders a day and 12.8 at 600).
TRAVEL_PER_LINE = 15.0
#: How much more work than its expected share :meth:`Scenario.staffed_for_demand` staffs a
#: warehouse after the first for.
SPARE_SHARE = 1.3
_CALENDARS = (
    ("pickers", "picker_shifts"),
    ("packers", "packer_shifts"),
    ("dock_loaders", "dock_shifts"),
)
#: Fields that set the staff: :meth:`Scenario.default` leaves the staffing to them.
_STAFFING = {"pickers", "packers", "shift", "picker_shifts", "packer_shifts"}
#: The roles that work in shifts: their staff is a resource per warehouse.
ROLES = ("pickers", "packers", "dock")


def _refused(field: str, value: Any, expected: str) -> ValidationError:
    return ScenarioError.invalid("scenario", field, value, expected)


def _float_of(field: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise _refused(field, value, "a number of hours") from None


def _floats_of(field: str, value: Any) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in value)
    except (TypeError, ValueError, OverflowError):
        raise _refused(field, value, "a list of numbers") from None


def _days_of(field: str, value: Any) -> tuple[int, ...]:
    try:
        return tuple(sorted({int(x) for x in value}))
    except (TypeError, ValueError, OverflowError):
        raise _refused(field, value, "a list of weekdays 0 (Monday) to 6") from None


def _texts_of(field: str, value: Any) -> tuple[str, ...]:
    try:
        if isinstance(value, str | bytes):
            raise TypeError(field)
        return tuple(str(v) for v in value)
    except TypeError:
        raise _refused(field, value, "a list of ISO dates (YYYY-MM-DD)") from None


def _weights_of(field: str, value: Any) -> dict[str, float]:
    try:
        return {str(k): float(x) for k, x in sorted(dict(value).items())}
    except (TypeError, ValueError, OverflowError):
        raise _refused(field, value, "a table of sku = weight") from None


def _specs_of(cls: type[Any], field: str, value: Any) -> tuple[Any, ...]:
    """A list of ``cls`` values, each given as one or as a table of its fields."""
    try:
        if isinstance(value, str | bytes | Mapping):
            raise TypeError(field)
        return tuple(v if isinstance(v, cls) else cls(**v) for v in value)
    except (TypeError, ValueError, AttributeError):
        fields = ", ".join(a.name for a in attrs.fields(cls))
        expected = f"a list of {cls.__name__} or of tables with {fields}"
        raise _refused(field, value, expected) from None


# One named converter per field (attrs' mypy plugin reads only named functions), each
# refusing what it cannot convert with a ScenarioError that names its field.
def _to_start_hours(value: Any) -> float:
    return _float_of("start", value)


def _to_end_hours(value: Any) -> float:
    return _float_of("end", value)


def _to_days(value: Any) -> tuple[int, ...]:
    return _days_of("days", value)


def _to_pickups(value: Any) -> tuple[float, ...]:
    return _floats_of("pickups", value)


def _to_pickup_days(value: Any) -> tuple[int, ...]:
    return _days_of("pickup_days", value)


def _to_daily_profile(value: Any) -> tuple[float, ...]:
    return _floats_of("daily_profile", value)


def _to_weekly_profile(value: Any) -> tuple[float, ...]:
    return _floats_of("weekly_profile", value)


def _to_demand_profile(value: Any) -> dict[str, float]:
    return _weights_of("demand_profile", value)


def _to_catalogue(value: Any) -> tuple[SkuSpec, ...]:
    return _specs_of(SkuSpec, "catalogue", value)


def _to_warehouses(value: Any) -> tuple[WarehouseSpec, ...]:
    return _specs_of(WarehouseSpec, "warehouses", value)


def _to_segments(value: Any) -> tuple[CustomerSegment, ...]:
    return _specs_of(CustomerSegment, "segments", value)


def _to_carriers(value: Any) -> tuple[CarrierSpec, ...]:
    return _specs_of(CarrierSpec, "carriers", value)


def _to_cartons(value: Any) -> tuple[CartonSpec, ...]:
    return _specs_of(CartonSpec, "cartons", value)


def _to_wave_cutoffs(value: Any) -> tuple[float, ...]:
    return _floats_of("wave_cutoffs", value)


def _to_shift(value: Any) -> tuple[float, ...]:
    return _floats_of("shift", value)


def _to_picker_shifts(value: Any) -> tuple[Shift, ...]:
    return _specs_of(Shift, "picker_shifts", value)


def _to_packer_shifts(value: Any) -> tuple[Shift, ...]:
    return _specs_of(Shift, "packer_shifts", value)


def _to_dock_shifts(value: Any) -> tuple[Shift, ...]:
    return _specs_of(Shift, "dock_shifts", value)


def _to_holidays(value: Any) -> tuple[str, ...]:
    return _texts_of("holidays", value)


def _to_zones(value: Any) -> tuple[ZoneSpec, ...]:
    return _specs_of(ZoneSpec, "zones", value)


def _to_aisles(value: Any) -> tuple[int, ...]:
    # Kept as given (order and repeats), so validation can name a repeated or unknown
    # aisle; the engine reads them as a set.
    try:
        if isinstance(value, str | bytes):
            raise TypeError(value)
        return tuple(value)
    except TypeError:
        raise _refused("aisles", value, "a list of aisle numbers 0 to 9") from None


@attrs.frozen(kw_only=True)
class SkuSpec:
    """A product in the simulated catalogue, with its stock levels per warehouse.

    Attributes:
        sku: The stock-keeping unit.
        length_cm: Outer length in centimetres (also ``width_cm`` and ``height_cm``).
        weight_g: Weight in grams.
        price: List price as a decimal string in the scenario currency.
        initial_stock: Units on hand in every warehouse at the start.
        reorder_point: ``s`` of an (s, S) policy, or the trigger of (R, Q).
        order_up_to: ``S`` of an (s, S) policy.
        order_quantity: ``Q`` of an (R, Q) policy.
    """

    sku: str
    length_cm: int
    width_cm: int
    height_cm: int
    weight_g: int
    price: str
    initial_stock: int = 40
    reorder_point: int = 10
    order_up_to: int = 40
    order_quantity: int = 30


@attrs.frozen(kw_only=True)
class WarehouseSpec:
    """A warehouse: its id and allocation priority (lower is preferred)."""

    id: str
    priority: int = 0


@attrs.frozen(kw_only=True)
class Shift:
    """A block of working hours of one role, repeated on some weekdays.

    ``Shift(start=8, end=16, days=(0, 1, 2, 3, 4), staff=3)`` puts three workers on duty
    from 08:00 to 16:00, Monday to Friday, in every warehouse (or only in ``warehouse``).
    Shifts of a role may overlap (their staff adds up); none works on
    :attr:`Scenario.holidays`. A task begun inside a shift is finished even if it runs past
    its end.

    Attributes:
        start: Hour of the day the shift begins (0 to below 24).
        end: Hour of the day it ends (after ``start``, at most 24).
        days: Weekdays it works, Monday = 0 (every day by default).
        staff: Workers on duty (in each warehouse the shift applies to).
        warehouse: The warehouse whose shift it is; empty (the default) for every one.
    """

    start: float = attrs.field(converter=_to_start_hours)
    end: float = attrs.field(converter=_to_end_hours)
    days: tuple[int, ...] = attrs.field(default=_ALL_DAYS, converter=_to_days)
    staff: int = 1
    warehouse: str = ""

    @property
    def hours(self) -> float:
        """Length of the shift in hours."""
        return self.end - self.start


@attrs.frozen(kw_only=True)
class ZoneSpec:
    """A picking zone: aisles of a warehouse worked by pickers of their own.

    With zones, a warehouse picks by zone with consolidation (the picking package's
    :func:`~ordercycle.picking.zone_pick_lists`): each wave's pick list is split by zone,
    each zone's part is batched into tours and walked by the zone's own pickers, in
    parallel with the other zones; an order with lines in several zones is brought
    together by a packer (:attr:`Scenario.consolidation_seconds_per_order`) before it is
    packed. The zones of a warehouse cover each of its aisles exactly once.

    ``ZoneSpec(name="FRONT", aisles=range(0, 5), pickers=2)`` makes aisles 0 to 4 of every
    warehouse a zone with two pickers.

    Attributes:
        name: The zone's name (unique in its warehouse).
        aisles: Its aisles of the simulated layout (0 to 9).
        pickers: Pickers of the zone on duty whenever the warehouse's picker calendar has
            anyone on duty (:attr:`Scenario.picker_shifts`, or :attr:`Scenario.shift`):
            the calendar gives the hours, the zone the head count.
        warehouse: The warehouse of the zone; empty (the default) for every one.
    """

    name: str
    aisles: tuple[int, ...] = attrs.field(converter=_to_aisles)
    pickers: int = 1
    warehouse: str = ""


@attrs.frozen(kw_only=True)
class CustomerSegment:
    """A group of customers with the same terms and payment behaviour.

    Attributes:
        name: Segment name (customer ids are ``C-<NAME>-<n>``).
        customers: How many customers the segment has.
        share: Relative share of orders placed by the segment.
        payment_terms: Terms text, for example ``"Net 30"`` or ``"2/10 Net 30"``.
        early: Probability of paying early (at the discount deadline when the terms
            offer one, else ``early_days`` before the due date).
        on_time: Probability of paying on the due date.
        late: Probability of paying late (exponential delay, mean ``late_days_mean``).
        early_days: Days before the due date that an early payer pays without discount.
        late_days_mean: Mean days late for a late payer.
        credit_limit: Each customer's credit limit, a decimal string in the scenario
            currency; empty for no practical limit. An order that would take a customer
            over it goes on credit hold until :attr:`Scenario.credit_review_hours` later.
    """

    name: str
    customers: int = 5
    share: float = 1.0
    payment_terms: str = "Net 30"
    early: float = 0.2
    on_time: float = 0.6
    late: float = 0.2
    early_days: int = 10
    late_days_mean: float = 12.0
    credit_limit: str = ""


@attrs.frozen(kw_only=True)
class CarrierSpec:
    """A carrier: its dimensional-weight rule, rate and transit time.

    Attributes:
        name: Carrier name, referred to by :attr:`Scenario.carrier`.
        dim_rule: A preset of :data:`ordercycle.packing.carriers.PRESETS` (``"UPS_DAILY"``).
        base_rate: Price per parcel, decimal string.
        rate_per_unit: Price per billable weight unit (lb or kg, per the rule).
        transit_days: Days from shipping to delivery.
        delay_probability: Probability that a shipment arrives one day late.
        pickups: Hours of the day the carrier collects parcels from the dock; empty (the
            default) for a parcel leaving as soon as it is packed (and loaded). A parcel
            waits at the dock for the first pickup whose cut-off it makes; it *ships* then,
            so order-to-ship ends at the carrier pickup.
        cutoff_hours: How long before each pickup a parcel must be at the dock (loaded) to
            go with it.
        pickup_days: Weekdays with pickups, Monday = 0 (none on :attr:`Scenario.holidays`).
    """

    name: str
    dim_rule: str = "UPS_DAILY"
    base_rate: str = "6.50"
    rate_per_unit: str = "0.85"
    transit_days: int = 2
    delay_probability: float = 0.1
    pickups: tuple[float, ...] = attrs.field(default=(), converter=_to_pickups)
    cutoff_hours: float = 0.5
    pickup_days: tuple[int, ...] = attrs.field(default=_ALL_DAYS, converter=_to_pickup_days)


@attrs.frozen(kw_only=True)
class CartonSpec:
    """A carton of the catalogue, in inches and pounds."""

    name: str
    length_in: int
    width_in: int
    height_in: int
    tare_lb: str = "0.5"
    max_weight_lb: int = 50
    cost: str = "0.80"


@attrs.frozen(kw_only=True)
class Replenishment:
    """How stock is replenished, for every SKU in every warehouse.

    Attributes:
        policy: ``"sS"`` (when the position is at or below ``s``, order up to ``S``) or
            ``"RQ"`` (every review, order ``Q`` while the position is at or below the
            reorder point).
        review_days: Days between reviews (1 for a daily check).
        lead_time_days: Mean days from ordering to receipt.
        lead_time_spread: How much each supplier order's lead time varies, ``0`` (the
            default) for none. With ``lead_time_distribution = "uniform"`` it is a
            half-width in days: the lead time is uniform on ``lead_time_days ±
            lead_time_spread`` (so the spread may not exceed the mean); with ``"gamma"`` it
            is the coefficient of variation of a gamma distribution with the mean
            ``lead_time_days``. Each order placed with the supplier draws its own lead time
            from a random stream of its own (``"lead time"``), keyed by the SKU, the
            warehouse and the order's number, so alternatives see the same lead times.
        lead_time_distribution: ``"uniform"`` or ``"gamma"``.
    """

    policy: str = "sS"
    review_days: int = 1
    lead_time_days: int = 3
    lead_time_spread: float = 0.0
    lead_time_distribution: str = "uniform"


def _default_catalogue() -> tuple[SkuSpec, ...]:
    sizes = [
        ("MUG", 12, 9, 10, 350, "9.50"),
        ("TEAPOT", 20, 16, 15, 1200, "45.00"),
        ("LAMP", 30, 15, 12, 900, "79.00"),
        ("RUG", 40, 12, 12, 2000, "120.00"),
        ("BOWL", 15, 15, 7, 400, "12.00"),
        ("VASE", 12, 12, 28, 800, "35.00"),
        ("CLOCK", 25, 25, 6, 700, "42.00"),
        ("KETTLE", 22, 18, 24, 1100, "55.00"),
    ]
    return tuple(
        SkuSpec(sku=s, length_cm=length, width_cm=w, height_cm=h, weight_g=g, price=p)
        for s, length, w, h, g, p in sizes
    )


def _default_cartons() -> tuple[CartonSpec, ...]:
    return (
        CartonSpec(name="S", length_in=8, width_in=6, height_in=4, tare_lb="0.25", cost="0.45"),
        CartonSpec(name="M", length_in=12, width_in=10, height_in=8, tare_lb="0.5", cost="0.80"),
        CartonSpec(name="L", length_in=18, width_in=14, height_in=12, tare_lb="1", cost="1.40"),
    )


_DAILY = (0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 6, 5, 5, 4, 4, 3, 2, 1, 1, 0)
_WEEKLY = (1.2, 1.1, 1.0, 1.0, 1.1, 0.6, 0.5)


@attrs.frozen(kw_only=True)
class Scenario:
    """One simulated fulfilment setup, seeded; see the module docs.

    Attributes:
        name: A label for tables and plots.
        seed: The seed of every random draw of a run.
        orders: Orders that arrive: exactly this many, spread over the arrival days.
        days: Days over which the orders arrive, or ``None`` (the default) for
            ``ceil(orders / orders_per_day)`` (see :attr:`arrival_days`).
        start: The simulated start instant (ISO 8601 with a time zone; a Monday).
        orders_per_day: Mean arrival rate over a week.
        daily_profile: 24 relative weights of the arrival rate by hour of day.
        weekly_profile: 7 relative weights by weekday (Monday first).
        lines_mean: Mean lines per order (1 + Poisson).
        units_max: Units per line are uniform in ``1..units_max``.
        zipf_exponent: Skew of SKU popularity (weight of rank ``k`` is ``1 / k**s``).
        demand_profile: Optional relative demand weights by SKU (replace Zipf for them).
        catalogue: The products.
        warehouses: The warehouses (each stocks every SKU).
        segments: The customer mix.
        carriers: The carriers that can be used.
        carrier: The carrier whose dimensional-weight rule chooses the cartons (and that
            ships everything when ``carrier_selection`` is ``"fixed"``).
        carrier_selection: ``"fixed"`` or ``"cheapest"`` (rate-shop every shipment over
            all carriers, each with its own dimensional-weight rule, rate and transit).
        cartons: The carton catalogue.
        allocation: ``"warehouse_priority"`` or ``"fewest_shipments"``.
        routing: The picking route method (see :data:`ordercycle.picking.METHODS`).
        pickers: Pickers per warehouse (a SimPy resource each); each walks one tour at a
            time.
        tour_orders: Orders one picker collects on one tour (the totes on a cart): each
            wave's pick list in a warehouse is split into tours of at most this many
            orders, walked in parallel by the free pickers; 0 walks the whole list as one
            tour.
        batching: How a wave's orders are grouped into tours (a method of
            :data:`ordercycle.picking.BATCHING_METHODS`; ``"fcfs"`` by arrival is the
            quickest, ``"savings"`` walks less).
        zones: Picking zones (:class:`ZoneSpec`); empty (the default) for no zoning, each
            warehouse's tours then walked by any of its pickers. A warehouse with zones
            picks by zone, with the zones' pickers instead of :attr:`pickers` or the
            head counts of :attr:`picker_shifts`.
        consolidation_seconds_per_order: Time a packer takes to bring together the totes
            of an order picked in more than one zone, before packing it.
        packers: Packers per warehouse.
        wave_cutoffs: Hours of the day at which waves are released.
        shift: The hours of the day ``(start, end)`` in which pickers, packers and dock
            loaders work every day, when their role has no shifts of its own (below); a
            task begun inside the shift is finished even if it runs past its end.
            ``(0, 24)``, the default, is around the clock.
        picker_shifts: The pickers' :class:`Shift` calendar; empty (the default) for
            :attr:`pickers` on :attr:`shift` every day. When given, it replaces both.
        packer_shifts: The packers' calendar; empty for :attr:`packers` on :attr:`shift`.
        dock_shifts: The dock loaders' calendar; empty for :attr:`dock_loaders` on
            :attr:`shift`.
        holidays: ISO dates (``"2026-04-03"``) on which no one works and no carrier
            collects.
        dock_loaders: Loaders at each warehouse's dock (a resource, like pickers): a
            packed shipment waits for one, who takes ``load_seconds_per_parcel`` per
            carton to stage it for its carrier. 0 (the default) for no loading stage.
        load_seconds_per_parcel: Time a loader takes per carton.
        pick_seconds_per_line: Time to pick one line once at its location.
        travel_seconds_per_unit: Walking time per unit of route length.
        pack_seconds_per_order: Time to pack one order's shipment.
        replenishment: The replenishment policy.
        return_rate: Probability that a delivered order returns one unit.
        return_after_days: Days from delivery to the return request.
        short_pick_rate: Probability that a pick line comes up one unit short (the unit
            is put on quality hold; the desk reallocates it or backorders it).
        cancel_rate: Probability that a customer cancels an order before it is released
            to a wave (reserved stock goes back).
        cancel_after_hours: Hours from placement to the customer's cancellation request.
        credit_review_hours: Hours a credit controller takes to decide on an order put on
            credit hold (see :attr:`CustomerSegment.credit_limit`).
        credit_refusal_rate: Probability that the controller refuses a held order (it is
            canceled) instead of releasing it.
        promise_days: Days from order to promised delivery (for on-time-in-full).
        drain_days: Days simulated after the last arrival (to collect cash).
        warmup_days: Days at the start whose orders the KPIs leave out (the run starts
            empty, so its first orders meet no queues): only orders placed from this day
            on count (see :func:`~ordercycle.simulation.kpis.kpis_from_events`). Less than
            :attr:`arrival_days`.
        currency: The currency of prices and rates.
        labour_cost_per_hour: What a picker or packer costs per paid shift hour, a decimal
            string in the scenario currency (``"0"``, the default, leaves labour out).
        holding_cost_rate: Cost of holding stock per unit of stock value (at list price) and
            year, for example ``0.25`` for 25 % a year (``0``, the default, leaves it out).
        backorder_cost_per_unit_day: Cost of one unit waiting on backorder for one day, a
            decimal string (``"0"``, the default, leaves it out).
    """

    name: str = "base"
    seed: int = 0
    orders: int = 200
    days: int | None = None
    start: str = "2026-03-02T00:00:00+00:00"
    orders_per_day: float = 60.0
    daily_profile: tuple[float, ...] = attrs.field(default=_DAILY, converter=_to_daily_profile)
    weekly_profile: tuple[float, ...] = attrs.field(default=_WEEKLY, converter=_to_weekly_profile)
    lines_mean: float = 1.8
    units_max: int = 3
    zipf_exponent: float = 1.1
    demand_profile: dict[str, float] = attrs.field(factory=dict, converter=_to_demand_profile)
    catalogue: tuple[SkuSpec, ...] = attrs.field(
        factory=_default_catalogue, converter=_to_catalogue
    )
    warehouses: tuple[WarehouseSpec, ...] = attrs.field(
        default=(WarehouseSpec(id="WH-EAST", priority=0), WarehouseSpec(id="WH-WEST", priority=1)),
        converter=_to_warehouses,
    )
    segments: tuple[CustomerSegment, ...] = attrs.field(
        default=(
            CustomerSegment(name="RETAIL", customers=60, share=3.0, payment_terms="Net 30"),
            CustomerSegment(
                name="TRADE",
                customers=30,
                share=2.0,
                payment_terms="2/10 Net 30",
                early=0.5,
                on_time=0.3,
                late=0.2,
            ),
        ),
        converter=_to_segments,
    )
    carriers: tuple[CarrierSpec, ...] = attrs.field(
        default=(CarrierSpec(name="UPS"), CarrierSpec(name="FEDEX", dim_rule="FEDEX")),
        converter=_to_carriers,
    )
    carrier: str = "UPS"
    carrier_selection: str = "fixed"
    cartons: tuple[CartonSpec, ...] = attrs.field(factory=_default_cartons, converter=_to_cartons)
    allocation: str = "warehouse_priority"
    routing: str = "largest_gap"
    pickers: int = 2
    tour_orders: int = 10
    batching: str = "fcfs"
    zones: tuple[ZoneSpec, ...] = attrs.field(default=(), converter=_to_zones)
    consolidation_seconds_per_order: float = 30.0
    packers: int = 2
    wave_cutoffs: tuple[float, ...] = attrs.field(
        default=(10.0, 14.0, 18.0), converter=_to_wave_cutoffs
    )
    shift: tuple[float, ...] = attrs.field(default=(0.0, 24.0), converter=_to_shift)
    picker_shifts: tuple[Shift, ...] = attrs.field(default=(), converter=_to_picker_shifts)
    packer_shifts: tuple[Shift, ...] = attrs.field(default=(), converter=_to_packer_shifts)
    dock_shifts: tuple[Shift, ...] = attrs.field(default=(), converter=_to_dock_shifts)
    holidays: tuple[str, ...] = attrs.field(default=(), converter=_to_holidays)
    dock_loaders: int = 0
    load_seconds_per_parcel: float = 30.0
    pick_seconds_per_line: float = 20.0
    travel_seconds_per_unit: float = 1.2
    pack_seconds_per_order: float = 90.0
    replenishment: Replenishment = Replenishment()
    return_rate: float = 0.05
    return_after_days: int = 5
    short_pick_rate: float = 0.0
    cancel_rate: float = 0.0
    cancel_after_hours: float = 2.0
    credit_review_hours: float = 4.0
    credit_refusal_rate: float = 0.0
    promise_days: int = 4
    drain_days: int = 60
    warmup_days: int = 0
    currency: str = "USD"
    labour_cost_per_hour: str = "0"
    holding_cost_rate: float = 0.0
    backorder_cost_per_unit_day: str = "0"

    def __attrs_post_init__(self) -> None:
        _validate(self)

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def default(cls, **changes: Any) -> Scenario:
        """The built-in scenario (eight SKUs, two warehouses, two segments), with ``changes``.

        Unless ``changes`` bring a catalogue, its stock levels are sized for its own demand
        (:meth:`stocked_for_demand`), and unless they set the staff (``pickers``,
        ``packers``, ``shift`` or a role's shifts), its picker and packer shifts are too
        (:meth:`staffed_for_demand`). So the default runs at a plausible operating point at
        any ``orders_per_day``: about 95 % of orders filled at once (measured 95.0 % at 60
        orders a day and 96.3 % at 200, seed 7) instead of running dry as volume grows,
        and pickers and packers busy 60–85 % of their scheduled hours instead of idling.
        ``Scenario(...)`` keeps the fixed levels of :class:`SkuSpec` and the one
        around-the-clock :attr:`shift`.
        """
        scenario = cls(**changes)
        if "catalogue" not in changes:
            scenario = scenario.stocked_for_demand()
        if not _STAFFING & set(changes):
            scenario = scenario.staffed_for_demand()
        return scenario

    def daily_demand(self) -> dict[str, tuple[float, float]]:
        """Expected units ordered per day of each SKU, with the variance: ``{sku: (mean, var)}``.

        From the arrival rate, the basket model (``1 + Poisson(lines_mean - 1)`` lines, SKUs
        drawn by their Zipf or profile weights, ``1..units_max`` units a line) and a
        compound-Poisson variance. The chance that an order holds a SKU is taken as
        ``lines × share`` capped at 1, which is close for the skews scenarios use.
        """
        weights = [
            self.demand_profile.get(item.sku, 1.0 / (rank**self.zipf_exponent))
            for rank, item in enumerate(self.catalogue, 1)
        ]
        total = sum(weights) or 1.0
        lines = min(self.lines_mean, len(self.catalogue))
        units = (1 + self.units_max) / 2
        square = (self.units_max + 1) * (2 * self.units_max + 1) / 6
        demand = {}
        for item, weight in zip(self.catalogue, weights, strict=True):
            share = min(1.0, lines * weight / total)
            demand[item.sku] = (
                self.orders_per_day * share * units,
                self.orders_per_day * share * square,
            )
        return demand

    def stocked_for_demand(self, *, z: float = 0.0, cover_days: float = 2.0) -> Scenario:
        """A copy whose stock levels fit its demand (see :meth:`daily_demand`).

        Each SKU's reorder point ``s`` covers the mean demand over the lead time plus a
        review period, with ``z`` standard deviations of safety stock; ``S`` adds
        ``cover_days`` of demand, and the (R, Q) quantity is that cover. The levels are
        pooled over the warehouses (each holds its share), and every warehouse starts at
        ``S``. The defaults fill about 95 % of orders at once on the built-in scenario
        (the demand estimate is a little high, which stands in for safety stock); raise
        ``z`` or ``cover_days`` for more.

        Args:
            z: Safety factor, in standard deviations of the demand over the protection period.
            cover_days: Days of demand each replenishment order brings.
        """
        policy = self.replenishment
        protect = policy.lead_time_days + policy.review_days
        share = len(self.warehouses) or 1
        demand = self.daily_demand()
        catalogue = []
        for item in self.catalogue:
            mean, var = demand[item.sku]
            point = math.ceil((mean * protect + z * math.sqrt(var * protect)) / share)
            quantity = max(1, math.ceil(mean * max(cover_days, policy.review_days) / share))
            catalogue.append(
                attrs.evolve(
                    item,
                    reorder_point=point,
                    order_up_to=point + quantity,
                    order_quantity=quantity,
                    initial_stock=point + quantity,
                )
            )
        return self.evolve(catalogue=tuple(catalogue))

    def staffed_for_demand(self, *, utilisation: float = 0.8) -> Scenario:
        """A copy whose picker and packer shifts fit its demand, so each is busy for about
        ``utilisation`` of its scheduled hours (see *The operating point* in the
        simulation explanation).

        Each wave cut-off gets a picking session that starts at the cut-off and a packing
        session that starts when the picking should be done, in every warehouse, on
        weekdays and (shorter, for the lower weekend demand) on weekends. The expected
        work of a wave is the orders that arrive since the previous cut-off
        (:attr:`orders` over :attr:`arrival_days`, shaped by the daily and weekly
        profiles), times the warehouse's expected share of them, times the work per order
        (:attr:`pick_seconds_per_line` plus walking per line, and
        :attr:`pack_seconds_per_order` per shipment). A session is at most the time to the
        next cut-off long, with as many workers as that needs; sessions are rounded up to
        five minutes.

        The estimates are: walking of :data:`TRAVEL_PER_LINE` layout units a pick line,
        1.25 shipments an order, and warehouse shares halving by priority (2/3 and 1/3 for
        two warehouses), close to what the built-in scenario measured at 60 and 600 orders
        a day. The copy sets :attr:`pickers` and :attr:`packers` to the most workers of a
        session, for reference.

        Args:
            utilisation: The busy share of scheduled hours to size for, above 0 and below 1.

        Raises:
            ScenarioError: ``utilisation`` is not between 0 and 1.
        """
        if not 0 < utilisation < 1:
            raise _fail(self, "utilisation", utilisation, "a share above 0 and below 1")
        cuts = sorted(set(self.wave_cutoffs))
        daily = self.daily_profile
        total_daily = sum(daily)
        # Expected orders in each wave's window (previous cut-off to this one), per day.
        windows = []
        for n, cut in enumerate(cuts):
            before = cuts[n - 1] - (24 if n == 0 else 0)
            weight = sum(daily[h % 24] * _overlap(h, before, cut) for h in range(-24, 24))
            windows.append(weight / total_daily)
        weekly = self.weekly_profile
        # The arrivals are spread over the arrival days by their weekly weights, so the
        # rate of a weekday is the mean rate scaled by its weight over those days' mean.
        days_run = self.arrival_days
        mean_week = sum(weekly[self.weekday(d)] for d in range(days_run)) / days_run
        rate = self.orders / days_run if self.orders else self.orders_per_day
        groups = (
            ((0, 1, 2, 3, 4), sum(weekly[:5]) / 5 / mean_week),
            ((5, 6), sum(weekly[5:]) / 2 / mean_week),
        )
        ranked = sorted(self.warehouses, key=lambda w: w.priority)
        halves = [0.5**n for n in range(len(ranked))]
        shares = {w.id: h / sum(halves) for w, h in zip(ranked, halves, strict=True)}
        # A warehouse after the first takes what the ones before run out of, which varies
        # more than the first's share: it gets SPARE_SHARE times its estimate.
        shares = {w.id: shares[w.id] * (SPARE_SHARE if n else 1.0) for n, w in enumerate(ranked)}
        lines = min(1 + (self.lines_mean - 1), len(self.catalogue))
        pick = lines * (self.pick_seconds_per_line + TRAVEL_PER_LINE * self.travel_seconds_per_unit)
        pack = 1.25 * self.pack_seconds_per_order
        picker_shifts: list[Shift] = []
        packer_shifts: list[Shift] = []
        most = {"pickers": 1, "packers": 1}
        for warehouse in self.warehouses:
            for days, scale in groups:
                for n, cut in enumerate(cuts):
                    gap = (cuts[n + 1] if n + 1 < len(cuts) else cuts[0] + 24) - cut
                    orders = rate * scale * windows[n] * shares[warehouse.id]
                    start = cut
                    for role, seconds, found in (
                        ("pickers", pick, picker_shifts),
                        ("packers", pack, packer_shifts),
                    ):
                        work = orders * seconds / 3600 / utilisation
                        room = max(min(gap, 24 - start), 1 / 12)
                        staff = max(1, math.ceil(work / room))
                        length = max(1, math.ceil(work / staff * 12)) / 12
                        end = min(24.0, start + min(length, room))
                        found.append(
                            Shift(
                                start=round(start, 4),
                                end=round(end, 4),
                                days=days,
                                staff=staff,
                                warehouse=warehouse.id,
                            )
                        )
                        most[role] = max(most[role], staff)
                        # Packing starts when the wave's picking should be done.
                        start = min(end, 24 - 1 / 12)
        return self.evolve(
            picker_shifts=tuple(picker_shifts),
            packer_shifts=tuple(packer_shifts),
            pickers=most["pickers"],
            packers=most["packers"],
        )

    def evolve(self, **changes: Any) -> Scenario:
        """A copy with ``changes`` applied (validated again).

        A head count replaces its role's calendar: ``evolve(pickers=3)`` puts three
        pickers on :attr:`shift` and drops :attr:`picker_shifts` (unless ``changes`` give
        them too), so a staffing sweep over a default scenario changes the staff; a new
        :attr:`shift` drops every role's calendar.
        """
        for count, calendar in _CALENDARS:
            if (count in changes or "shift" in changes) and calendar not in changes:
                changes[calendar] = ()
        return attrs.evolve(self, **changes)

    # --- calendars --------------------------------------------------------------------------

    def shifts_of(self, role: str, warehouse: str | None = None) -> tuple[Shift, ...]:
        """The calendar of ``role`` (one of :data:`ROLES`): the shifts of ``warehouse``, or
        of every warehouse when it is ``None``.

        Its own shifts when the scenario gives them; else its head count (:attr:`pickers`,
        :attr:`packers`, :attr:`dock_loaders`) on :attr:`shift` every day. The dock with
        no loaders has no calendar (nothing to staff).

        >>> Scenario(pickers=3, shift=(8, 16)).shifts_of("pickers")
        (Shift(start=8.0, end=16.0, days=(0, 1, 2, 3, 4, 5, 6), staff=3, warehouse=''),)
        """
        own = {"pickers": self.picker_shifts, "packers": self.packer_shifts}.get(
            role, self.dock_shifts
        )
        if own:
            if warehouse is None:
                return own
            return tuple(x for x in own if x.warehouse in ("", warehouse))
        staff = {"pickers": self.pickers, "packers": self.packers, "dock": self.dock_loaders}
        if not staff[role]:
            return ()
        return (Shift(start=self.shift[0], end=self.shift[1], staff=staff[role]),)

    def indexed_zones(self, warehouse: str) -> tuple[tuple[int, ZoneSpec], ...]:
        """The zones of ``warehouse`` with their index in :attr:`zones`."""
        return tuple(
            (n, zone) for n, zone in enumerate(self.zones) if zone.warehouse in ("", warehouse)
        )

    def zones_of(self, warehouse: str) -> tuple[ZoneSpec, ...]:
        """The zones of ``warehouse`` (those for every warehouse and its own), in order.

        >>> zoned = Scenario(zones=[ZoneSpec(name="ALL", aisles=range(10), pickers=3)])
        >>> [z.name for z in zoned.zones_of("WH-EAST")], zoned.zones_of("WH-EAST")[0].pickers
        (['ALL'], 3)
        """
        return tuple(zone for _, zone in self.indexed_zones(warehouse))

    def on_duty_hours(
        self, role: str, begin: float, end: float, warehouse: str
    ) -> list[tuple[float, float]]:
        """The spans from ``begin`` to ``end`` hours in which ``role`` has anyone on duty in
        ``warehouse`` (overlapping shifts merged; holidays and days off left out).

        >>> Scenario(pickers=2, shift=(8, 16)).on_duty_hours("pickers", 0, 48, "WH-EAST")
        [(8.0, 16.0), (32.0, 40.0)]
        """
        spans: list[tuple[float, float]] = []
        shifts = self.shifts_of(role, warehouse)
        if not shifts or end <= begin:
            return spans
        for day in range(int(begin // 24), math.ceil(end / 24)):
            if self.closed_on(day):
                continue
            weekday, base = self.weekday(day), day * 24.0
            working = sorted(
                (max(begin, base + x.start), min(end, base + x.end))
                for x in shifts
                if weekday in x.days
            )
            for start, stop in working:
                if stop <= start:
                    continue
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(spans[-1][1], stop))
                else:
                    spans.append((start, stop))
        return spans

    def zone_hours(self, zone: str, begin: float, end: float, warehouse: str) -> float:
        """Picker hours the zone ``zone`` of ``warehouse`` had scheduled from ``begin`` to
        ``end``: its :attr:`ZoneSpec.pickers` whenever the warehouse's picker calendar has
        anyone on duty.

        Raises:
            ScenarioError: ``warehouse`` has no zone of that name.
        """
        found = next((z for z in self.zones_of(warehouse) if z.name == zone), None)
        if found is None:
            known = ", ".join(z.name for z in self.zones_of(warehouse)) or "none"
            raise _fail(self, "zone", zone, f"a zone of {warehouse} ({known})")
        duty = self.on_duty_hours("pickers", begin, end, warehouse)
        return found.pickers * sum(stop - start for start, stop in duty)

    def closed_on(self, day: int) -> bool:
        """Whether simulated ``day`` (0 = the start date) is one of the :attr:`holidays`."""
        if not self.holidays:
            return False
        when = (self.start_at.date() + timedelta(days=day)).isoformat()
        return when in self.holidays

    def weekday(self, day: int) -> int:
        """The weekday (Monday = 0) of simulated ``day``."""
        return (self.start_at.weekday() + day) % 7

    def staff_at(self, role: str, hour: float, warehouse: str) -> int:
        """Workers of ``role`` on duty in ``warehouse`` at ``hour`` hours since the start."""
        day = int(hour // 24)
        if self.closed_on(day):
            return 0
        clock = hour - day * 24
        # A run's calendar asks at every shift boundary of every day, the same few hours of
        # the week over and over: the answer is a pure function of the frozen scenario and
        # the key (the day of the week, as day % 7, and the hour), remembered by the
        # scenario's identity (hashing it would cost more).
        known = remember_for(_ON_DUTY, _SCENARIOS_KEPT, self, _new_table)
        return remember(
            known,
            _ON_DUTY_KEPT,
            (role, warehouse, day % 7, clock),
            lambda: self._on_duty(role, warehouse, self.weekday(day), clock),
        )

    def _on_duty(self, role: str, warehouse: str, weekday: int, clock: float) -> int:
        """:meth:`staff_at` on a working day, at ``clock`` hours into it (what it remembers)."""
        return sum(
            shift.staff
            for shift in self.shifts_of(role, warehouse)
            if weekday in shift.days and shift.start <= clock < shift.end
        )

    def most_staff(self, role: str, warehouse: str) -> int:
        """The most workers of ``role`` ever on duty at once in ``warehouse``."""
        shifts = self.shifts_of(role, warehouse)
        return max(
            (
                sum(s.staff for s in shifts if weekday in s.days and s.start <= begin.start < s.end)
                for begin in shifts
                for weekday in begin.days
            ),
            default=0,
        )

    def scheduled_hours(
        self, role: str, begin: float, end: float, warehouse: str | None = None
    ) -> float:
        """Worker hours of ``role`` scheduled from ``begin`` to ``end`` hours since the start,
        in ``warehouse`` or (``None``) in all the warehouses together.

        What utilisation is counted against: staff × the hours of their shifts inside the
        window, holidays and days off left out.

        >>> Scenario(pickers=2, shift=(8, 16)).scheduled_hours("pickers", 0, 48, "WH-EAST")
        32.0
        """
        if warehouse is None:
            return sum(self.scheduled_hours(role, begin, end, w.id) for w in self.warehouses)
        if role == "pickers" and self.zones_of(warehouse):
            # A zoned warehouse's pickers are the zones' head counts, on the calendar's hours.
            return sum(
                self.zone_hours(z.name, begin, end, warehouse) for z in self.zones_of(warehouse)
            )
        total = 0.0
        shifts = self.shifts_of(role, warehouse)
        if not shifts or end <= begin:
            return total
        for day in range(int(begin // 24), math.ceil(end / 24)):
            if self.closed_on(day):
                continue
            weekday, base = self.weekday(day), day * 24.0
            for shift in shifts:
                if weekday in shift.days:
                    inside = min(end, base + shift.end) - max(begin, base + shift.start)
                    if inside > 0:
                        total += shift.staff * inside
        return total

    def pickup_after(self, carrier: CarrierSpec, ready: float) -> float | None:
        """The first pickup of ``carrier`` whose cut-off a parcel at the dock at ``ready``
        hours makes, in hours since the start (``None`` if the carrier has no pickups).

        >>> ups = CarrierSpec(name="UPS", pickups=(12.0, 18.0), cutoff_hours=1.0)
        >>> s = Scenario(carriers=(ups,))
        >>> s.pickup_after(ups, 10.5), s.pickup_after(ups, 11.5), s.pickup_after(ups, 17.5)
        (12.0, 18.0, 36.0)
        """
        if not carrier.pickups:
            return None
        day = int(ready // 24)
        # Validation ensures a pickup day in every week; holidays may skip a few more.
        for _ in range(7 + len(self.holidays) + 1):
            if self.weekday(day) in carrier.pickup_days and not self.closed_on(day):
                for hour in carrier.pickups:
                    at = day * 24.0 + hour
                    if at - carrier.cutoff_hours >= ready:
                        return at
            day += 1
        return None

    @property
    def arrival_days(self) -> int:
        """Days over which the orders arrive: :attr:`days`, or what :attr:`orders` need.

        Unset, it is ``ceil(orders / orders_per_day)``, so the mean rate is
        ``orders_per_day``; set, the mean rate is ``orders / days`` and ``orders_per_day``
        only sizes the default stock (:meth:`stocked_for_demand`).

        >>> Scenario(orders=2000, orders_per_day=60.0).arrival_days
        34
        >>> Scenario(orders=2000, orders_per_day=60.0, days=40).arrival_days
        40
        """
        if self.days is not None:
            return self.days
        if self.orders_per_day <= 0:
            return 1
        return max(1, math.ceil(self.orders / self.orders_per_day))

    @property
    def start_at(self) -> datetime:
        """:attr:`start` as a timezone-aware datetime."""
        return datetime.fromisoformat(self.start)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build a scenario from plain data (as read from TOML or JSON).

        Like :meth:`default`, data without a ``catalogue`` gets the built-in one with stock
        levels sized for the scenario's demand (:meth:`stocked_for_demand`).

        Raises:
            ScenarioError: A field is invalid; ``field`` names it.
            SerializationError: The data has the wrong shape.
        """
        from ordercycle.errors import SerializationError
        from ordercycle.serialization import from_dict

        try:
            built: Scenario = from_dict(dict(data), cls)
        except SerializationError as error:
            found = _scenario_error(error.__cause__)
            if found is not None:
                raise found from None
            raise
        return built if "catalogue" in data else built.stocked_for_demand()

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` turns back into an equal scenario."""
        return attrs.asdict(self)

    @classmethod
    def from_toml(cls, source: str | PathLike[str], **changes: Any) -> Scenario:
        """Load a scenario from a TOML file path or TOML text (``[[catalogue]]`` tables...).

        A :class:`~pathlib.Path`, or a one-line string ending in ``.toml``, is read as a
        file; anything else is TOML text. Fields that are not given keep their defaults;
        ``changes`` (plain values, as in the file) replace the file's before the scenario
        is validated, so ``from_toml(path, orders=5000)`` is checked as one scenario.

        Raises:
            OSError: The file cannot be read.
            ParseError: The text is not TOML.
            ScenarioError: A field is invalid; ``field`` names it.
        """
        text = str(source)
        if isinstance(source, PathLike) or ("\n" not in text and text.endswith(".toml")):
            text = Path(text).read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ParseError(
                f"Cannot read the scenario: the text is not TOML ({error}).",
                text=text,
                accepted=["TOML such as 'seed = 7'"],
            ) from None
        return cls.from_dict({**data, **changes})


def _scenario_error(error: BaseException | None) -> ScenarioError | None:
    """The first :class:`ScenarioError` inside a (nested) cattrs exception group."""
    if isinstance(error, ScenarioError):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _scenario_error(inner)
            if found is not None:
                return found
    return None


# --- validation ----------------------------------------------------------------------------


def _fail(scenario: Scenario, field: str, value: object, expected: str) -> ScenarioError:
    subject = f"scenario {scenario.name!r}"
    return ScenarioError(
        f"Invalid {field} for {subject}: {value!r}; expected {expected}.",
        subject=subject,
        field=field,
        value=value,
        expected=expected,
    )


def _at_least(scenario: Scenario, field: str, value: float, low: float, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(scenario, field, value, f"a number, {what}")
    if value < low:
        raise _fail(scenario, field, value, what)


def _probability(scenario: Scenario, field: str, value: float) -> None:
    _at_least(scenario, field, value, 0, "a probability between 0 and 1")
    if value > 1:
        raise _fail(scenario, field, value, "a probability between 0 and 1")


#: What :meth:`Scenario.staff_at` remembers: for each of the last scenarios asked (by
#: identity), the staff on duty by (role, warehouse, day % 7, hour of the day).
_ON_DUTY: dict[int, tuple[object, dict[tuple[str, str, int, float], int]]] = {}
_SCENARIOS_KEPT = 16
_ON_DUTY_KEPT = 4096


def _new_table(_scenario: Scenario) -> dict[tuple[str, str, int, float], int]:
    return {}


#: Longest arrival period a scenario may have (ten years).
_MAX_DAYS = 3652


def _overlap(hour: int, begin: float, end: float) -> float:
    """How much of the clock hour ``[hour, hour + 1)`` lies in ``[begin, end)``."""
    return max(0.0, min(hour + 1.0, end) - max(float(hour), begin))


def _validate(s: Scenario) -> None:
    _at_least(s, "seed", s.seed, 0, "a seed of 0 or more")
    _at_least(s, "orders", s.orders, 0, "0 or more orders")
    _at_least(s, "orders_per_day", s.orders_per_day, 0, "a rate of 0 or more orders per day")
    if s.orders and not s.orders_per_day and s.days is None:
        raise _fail(s, "orders_per_day", s.orders_per_day, f"a positive rate for {s.orders} orders")
    if s.arrival_days > _MAX_DAYS:
        raise _fail(
            s,
            "days" if s.days is not None else "orders_per_day",
            s.days if s.days is not None else s.orders_per_day,
            f"at most {_MAX_DAYS} days of arrivals (a higher rate or fewer orders)",
        )
    if s.days is not None:
        _at_least(s, "days", s.days, 1, "at least 1 day, or None for as many as orders need")
    try:
        start = datetime.fromisoformat(s.start)
    except (TypeError, ValueError):
        raise _fail(s, "start", s.start, "an ISO 8601 datetime with a time zone") from None
    if start.tzinfo is None:
        raise _fail(s, "start", s.start, "an ISO 8601 datetime with a time zone")
    for field, profile, size in (
        ("daily_profile", s.daily_profile, 24),
        ("weekly_profile", s.weekly_profile, 7),
    ):
        if len(profile) != size:
            raise _fail(s, field, profile, f"{size} weights")
        for n, weight in enumerate(profile):
            _at_least(s, f"{field}[{n}]", weight, 0, "a weight of 0 or more")
        if not any(profile):
            raise _fail(s, field, profile, "at least one positive weight")
    open_days = [
        s.weekly_profile[(start.weekday() + day) % 7] for day in range(min(s.arrival_days, 7))
    ]
    if s.orders and not any(open_days):
        raise _fail(s, "weekly_profile", s.weekly_profile, "a positive weight on an arrival day")
    _at_least(s, "lines_mean", s.lines_mean, 1, "a mean of at least 1 line")
    _at_least(s, "units_max", s.units_max, 1, "at least 1 unit")
    _at_least(s, "zipf_exponent", s.zipf_exponent, 0, "an exponent of 0 or more")
    if not s.catalogue or len(s.catalogue) > _SLOTS:
        raise _fail(s, "catalogue", len(s.catalogue), f"1 to {_SLOTS} SKUs (one bin each)")
    skus: list[str] = []
    for n, item in enumerate(s.catalogue):
        where = f"catalogue[{n}]"
        if not item.sku or item.sku in skus:
            raise _fail(s, f"{where}.sku", item.sku, "a unique, non-empty SKU")
        skus.append(item.sku)
        for name in ("length_cm", "width_cm", "height_cm", "weight_g"):
            _at_least(s, f"{where}.{name}", getattr(item, name), 1, "a positive whole number")
        for name in ("initial_stock", "reorder_point", "order_up_to", "order_quantity"):
            _at_least(s, f"{where}.{name}", getattr(item, name), 0, "0 or more units")
        if item.order_up_to < item.reorder_point:
            raise _fail(s, f"{where}.order_up_to", item.order_up_to, "at least reorder_point")
        _decimal(s, f"{where}.price", item.price)
    for sku, weight in s.demand_profile.items():
        if sku not in skus:
            raise _fail(
                s, f"demand_profile[{sku!r}]", sku, f"a SKU of the catalogue ({', '.join(skus)})"
            )
        _at_least(s, f"demand_profile[{sku!r}]", weight, 0, "a weight of 0 or more")
    if not s.warehouses:
        raise _fail(s, "warehouses", (), "at least one warehouse")
    ids = [w.id for w in s.warehouses]
    for n, warehouse in enumerate(s.warehouses):
        if not warehouse.id or ids.count(warehouse.id) > 1:
            raise _fail(s, f"warehouses[{n}].id", warehouse.id, "a unique, non-empty id")
    if not s.segments:
        raise _fail(s, "segments", (), "at least one customer segment")
    for n, segment in enumerate(s.segments):
        where = f"segments[{n}]"
        _at_least(s, f"{where}.customers", segment.customers, 1, "at least 1 customer")
        _at_least(s, f"{where}.share", segment.share, 0, "a share of 0 or more")
        for name in ("early", "on_time", "late"):
            _probability(s, f"{where}.{name}", getattr(segment, name))
        total = segment.early + segment.on_time + segment.late
        if abs(total - 1) > 1e-9:
            raise _fail(s, f"{where}.early", total, "early + on_time + late = 1")
        _at_least(s, f"{where}.early_days", segment.early_days, 0, "0 or more days")
        _at_least(s, f"{where}.late_days_mean", segment.late_days_mean, 0, "0 or more days")
        _terms(s, f"{where}.payment_terms", segment.payment_terms)
        if segment.credit_limit:
            _decimal(s, f"{where}.credit_limit", segment.credit_limit)
    if not any(segment.share for segment in s.segments):
        raise _fail(s, "segments", [g.share for g in s.segments], "one positive share")
    names = [c.name for c in s.carriers]
    for n, carrier in enumerate(s.carriers):
        where = f"carriers[{n}]"
        if not carrier.name or names.count(carrier.name) > 1:
            raise _fail(s, f"{where}.name", carrier.name, "a unique, non-empty name")
        if carrier.dim_rule not in _DIM_RULES:
            raise _fail(s, f"{where}.dim_rule", carrier.dim_rule, f"one of {', '.join(_DIM_RULES)}")
        _decimal(s, f"{where}.base_rate", carrier.base_rate)
        _decimal(s, f"{where}.rate_per_unit", carrier.rate_per_unit)
        _at_least(s, f"{where}.transit_days", carrier.transit_days, 0, "0 or more days")
        _probability(s, f"{where}.delay_probability", carrier.delay_probability)
    if s.carrier not in names:
        listed = ", ".join(names) or "none are defined"
        raise _fail(s, "carrier", s.carrier, f"the name of one of the carriers ({listed})")
    if s.carrier_selection not in ("fixed", "cheapest"):
        raise _fail(s, "carrier_selection", s.carrier_selection, "'fixed' or 'cheapest'")
    if not s.cartons:
        raise _fail(s, "cartons", (), "at least one carton")
    for n, carton in enumerate(s.cartons):
        for name in ("length_in", "width_in", "height_in", "max_weight_lb"):
            _at_least(s, f"cartons[{n}].{name}", getattr(carton, name), 1, "a positive number")
        _decimal(s, f"cartons[{n}].tare_lb", carton.tare_lb)
        _decimal(s, f"cartons[{n}].cost", carton.cost)
    if s.allocation not in ALLOCATIONS:
        raise _fail(s, "allocation", s.allocation, f"one of {', '.join(ALLOCATIONS)}")
    if s.routing not in _ROUTES:
        raise _fail(s, "routing", s.routing, f"one of {', '.join(_ROUTES)}")
    _at_least(s, "pickers", s.pickers, 1, "at least 1 picker")
    _at_least(s, "tour_orders", s.tour_orders, 0, "0 (whole list) or more orders per tour")
    if s.batching not in _BATCHING:
        raise _fail(s, "batching", s.batching, f"one of {', '.join(_BATCHING)}")
    _at_least(s, "packers", s.packers, 1, "at least 1 packer")
    if not s.wave_cutoffs:
        raise _fail(s, "wave_cutoffs", (), "at least one cut-off hour")
    for n, hour in enumerate(s.wave_cutoffs):
        _at_least(s, f"wave_cutoffs[{n}]", hour, 0, "an hour from 0 to below 24")
        if hour >= 24:
            raise _fail(s, f"wave_cutoffs[{n}]", hour, "an hour from 0 to below 24")
    if len(s.shift) != 2 or not 0 <= s.shift[0] < s.shift[1] <= 24:
        raise _fail(s, "shift", s.shift, "(start, end) hours with 0 <= start < end <= 24")
    _calendars(s)
    _zones(s)
    for name in ("pick_seconds_per_line", "travel_seconds_per_unit", "pack_seconds_per_order"):
        _at_least(s, name, getattr(s, name), 0, "0 or more seconds")
    if s.replenishment.policy not in _POLICIES:
        raise _fail(s, "replenishment.policy", s.replenishment.policy, "'sS' or 'RQ'")
    _at_least(s, "replenishment.review_days", s.replenishment.review_days, 1, "at least 1 day")
    _at_least(
        s, "replenishment.lead_time_days", s.replenishment.lead_time_days, 0, "0 or more days"
    )
    _lead_time(s)
    _probability(s, "return_rate", s.return_rate)
    _at_least(s, "return_after_days", s.return_after_days, 0, "0 or more days")
    _probability(s, "short_pick_rate", s.short_pick_rate)
    if s.short_pick_rate >= 1:
        raise _fail(s, "short_pick_rate", s.short_pick_rate, "a probability from 0 to below 1")
    _probability(s, "cancel_rate", s.cancel_rate)
    _at_least(s, "cancel_after_hours", s.cancel_after_hours, 0, "0 or more hours")
    _at_least(s, "credit_review_hours", s.credit_review_hours, 0, "0 or more hours")
    _probability(s, "credit_refusal_rate", s.credit_refusal_rate)
    _at_least(s, "promise_days", s.promise_days, 0, "0 or more days")
    _at_least(s, "drain_days", s.drain_days, 0, "0 or more days")
    _at_least(s, "warmup_days", s.warmup_days, 0, "0 or more days")
    if s.warmup_days and s.warmup_days >= s.arrival_days:
        raise _fail(
            s,
            "warmup_days",
            s.warmup_days,
            f"fewer days than the {s.arrival_days} days of arrivals",
        )
    _decimal(s, "labour_cost_per_hour", s.labour_cost_per_hour)
    _at_least(s, "holding_cost_rate", s.holding_cost_rate, 0, "a rate of 0 or more a year")
    _decimal(s, "backorder_cost_per_unit_day", s.backorder_cost_per_unit_day)


def _calendars(s: Scenario) -> None:
    """The shifts, holidays, dock and carrier pickups: each valid, and able to work together."""
    for role, field in (
        ("pickers", "picker_shifts"),
        ("packers", "packer_shifts"),
        ("dock", "dock_shifts"),
    ):
        for n, shift in enumerate(getattr(s, field)):
            where = f"{field}[{n}]"
            _at_least(s, f"{where}.start", shift.start, 0, "an hour from 0 to below 24")
            if shift.start >= 24:
                raise _fail(s, f"{where}.start", shift.start, "an hour from 0 to below 24")
            _at_least(s, f"{where}.end", shift.end, 0, f"an hour after start ({shift.start})")
            if not shift.start < shift.end <= 24:
                raise _fail(
                    s, f"{where}.end", shift.end, f"an hour after start ({shift.start}), at most 24"
                )
            if not shift.days or not set(shift.days) <= set(_ALL_DAYS):
                raise _fail(
                    s, f"{where}.days", shift.days, "weekdays 0 (Monday) to 6, at least one"
                )
            _at_least(s, f"{where}.staff", shift.staff, 1, "at least 1 worker")
            ids = [w.id for w in s.warehouses]
            if shift.warehouse and shift.warehouse not in ids:
                raise _fail(
                    s,
                    f"{where}.warehouse",
                    shift.warehouse,
                    f"empty (every warehouse) or one of {', '.join(ids)}",
                )
        if getattr(s, field) and role != "dock":
            for warehouse in s.warehouses:
                if not s.shifts_of(role, warehouse.id):
                    raise _fail(
                        s, field, warehouse.id, f"at least one {role} shift in every warehouse"
                    )
    for n, day in enumerate(s.holidays):
        try:
            date.fromisoformat(str(day))
        except ValueError:
            raise _fail(s, f"holidays[{n}]", day, "an ISO date such as '2026-12-25'") from None
    _at_least(s, "dock_loaders", s.dock_loaders, 0, "0 (no loading stage) or more loaders")
    _at_least(s, "load_seconds_per_parcel", s.load_seconds_per_parcel, 0, "0 or more seconds")
    if s.picker_shifts:
        # Legacy scenarios (one `shift` for everyone) kept waves outside it; a calendar of
        # its own must have pickers on duty when each wave is released.
        for n, hour in enumerate(s.wave_cutoffs):
            for warehouse in s.warehouses:
                shifts = s.shifts_of("pickers", warehouse.id)
                if any(x.start <= hour < x.end for x in shifts):
                    continue
                spans = ", ".join(f"{x.start:g}-{x.end:g}" for x in shifts)
                raise _fail(
                    s,
                    f"wave_cutoffs[{n}]",
                    hour,
                    f"an hour inside a picker shift of {warehouse.id} ({spans}), or a"
                    " picker shift covering it",
                )
    handing = "dock" if s.dock_shifts else "packers"
    first = min((x.start for x in s.shifts_of(handing)), default=0.0)
    for n, carrier in enumerate(s.carriers):
        where = f"carriers[{n}]"
        for k, hour in enumerate(carrier.pickups):
            _at_least(s, f"{where}.pickups[{k}]", hour, 0, "an hour from 0 to below 24")
            if hour >= 24 or (k and hour <= carrier.pickups[k - 1]):
                raise _fail(
                    s, f"{where}.pickups[{k}]", hour, "hours from 0 to below 24, in rising order"
                )
            if hour - carrier.cutoff_hours <= first:
                raise _fail(
                    s,
                    f"{where}.pickups[{k}]",
                    hour,
                    f"a pickup whose cut-off ({carrier.cutoff_hours:g} h before) is after the"
                    f" first {handing} shift starts ({first:g}:00)",
                )
        _at_least(s, f"{where}.cutoff_hours", carrier.cutoff_hours, 0, "0 or more hours")
        if not carrier.pickup_days or not set(carrier.pickup_days) <= set(_ALL_DAYS):
            raise _fail(s, f"{where}.pickup_days", carrier.pickup_days, "weekdays 0 (Monday) to 6")


def _zones(s: Scenario) -> None:
    """Each zone valid, and the zones of each warehouse covering its aisles exactly once."""
    _at_least(
        s,
        "consolidation_seconds_per_order",
        s.consolidation_seconds_per_order,
        0,
        "0 or more seconds",
    )
    ids = [w.id for w in s.warehouses]
    layout = f"aisles 0 to {_AISLES - 1} of the simulated layout"
    for n, zone in enumerate(s.zones):
        where = f"zones[{n}]"
        if not isinstance(zone.name, str) or not zone.name:
            raise _fail(s, f"{where}.name", zone.name, "a non-empty name")
        if zone.warehouse and zone.warehouse not in ids:
            raise _fail(
                s,
                f"{where}.warehouse",
                zone.warehouse,
                f"empty (every warehouse) or one of {', '.join(ids)}",
            )
        if not zone.aisles:
            raise _fail(s, f"{where}.aisles", zone.aisles, f"at least one of the {layout}")
        for aisle in zone.aisles:
            if isinstance(aisle, bool) or not isinstance(aisle, int) or not 0 <= aisle < _AISLES:
                raise _fail(s, f"{where}.aisles", aisle, layout)
        if isinstance(zone.pickers, bool) or not isinstance(zone.pickers, int):
            raise _fail(s, f"{where}.pickers", zone.pickers, "a whole number of pickers, 1 or more")
        if zone.pickers < 1:
            raise _fail(s, f"{where}.pickers", zone.pickers, "at least 1 picker for the zone")
    for warehouse in s.warehouses:
        owner: dict[int, str] = {}
        names: set[str] = set()
        for n, zone in s.indexed_zones(warehouse.id):
            where = f"zones[{n}]"
            if zone.name in names:
                raise _fail(
                    s, f"{where}.name", zone.name, f"a zone name not already used in {warehouse.id}"
                )
            names.add(zone.name)
            for aisle in zone.aisles:
                if aisle in owner:
                    raise _fail(
                        s,
                        f"{where}.aisles",
                        aisle,
                        f"aisles no other zone of {warehouse.id} has (aisle {aisle} is in"
                        f" zone {owner[aisle]!r}); zones may not overlap",
                    )
                owner[aisle] = zone.name
        missing = [aisle for aisle in range(_AISLES) if aisle not in owner]
        if owner and missing:
            raise _fail(
                s,
                "zones",
                warehouse.id,
                f"zones of {warehouse.id} that cover every aisle 0 to {_AISLES - 1}, so every"
                f" bin can be picked ({_listed('aisle', missing)} in no zone)",
            )


def _listed(noun: str, numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"{noun} {numbers[0]} is"
    return f"{noun}s {', '.join(map(str, numbers))} are"


def _lead_time(s: Scenario) -> None:
    policy = s.replenishment
    kind = policy.lead_time_distribution
    if kind not in _LEAD_TIMES:
        raise _fail(s, "replenishment.lead_time_distribution", kind, "'uniform' or 'gamma'")
    what = "a half-width in days" if kind == "uniform" else "a coefficient of variation"
    _at_least(s, "replenishment.lead_time_spread", policy.lead_time_spread, 0, f"{what}, 0+")
    if kind == "uniform" and policy.lead_time_spread > policy.lead_time_days:
        raise _fail(
            s,
            "replenishment.lead_time_spread",
            policy.lead_time_spread,
            f"at most lead_time_days ({policy.lead_time_days}) for a uniform spread",
        )


def _decimal(s: Scenario, field: str, text: str) -> None:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise _fail(s, field, text, "a decimal string of 0 or more") from None
    if not value.is_finite() or value < 0:
        raise _fail(s, field, text, "a decimal string of 0 or more")


def _terms(s: Scenario, field: str, text: str) -> None:
    from ordercycle.errors import OrderCycleError
    from ordercycle.invoicing import PaymentTerms

    try:
        PaymentTerms.parse(text)
    except OrderCycleError as error:
        raise _fail(s, field, text, f"payment terms such as 'Net 30' ({error})") from None
