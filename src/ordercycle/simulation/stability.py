"""Steady state: is a run stable, and batch means for one long run.

A simulation answers steady-state questions only when the system *has* a steady state.
:func:`stability_warnings` reads a run's daily series over its arrival period (after the
warm-up) and says, in plain sentences, when it has none: open orders growing without
bound, pickers or packers busy for (nearly) every shift hour, the order fill rate
collapsing. :func:`batch_means` splits one long run into consecutive batches of orders
and gives the KPI of each, whose mean and interval stand in for replications.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ordercycle.errors import ValidationError
from ordercycle.simulation._stats import t95
from ordercycle.simulation.events import SimEvent
from ordercycle.simulation.kpis import kpis_from_events, zone_tag
from ordercycle.simulation.scenario import Scenario

__all__ = ["BatchMeans", "batch_means", "busy_shares", "fill_rate_by_third", "stability_warnings"]

#: A worker busy for this share of the shift hours, or more, is at capacity.
SATURATED = 0.95


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def stability_warnings(
    scenario: Scenario,
    series: Sequence[dict[str, Any]],
    kpis_by_third: Sequence[float | None],
    busy: dict[tuple[str, str], float],
) -> tuple[str, ...]:
    """Sentences that flag an unstable run (empty when it looks stable).

    Args:
        scenario: The scenario that ran.
        series: Its daily :meth:`~ordercycle.simulation.SimulationResult.timeseries`.
        kpis_by_third: The order fill rate of the orders placed in the first, second and
            last third of the arrival period after the warm-up.
        busy: The share of shift hours ``("pickers" or "packers", warehouse)`` (and
            ``("zone", "<warehouse>/<zone>")`` with picking zones) were busy over the second
            half of the arrival days after the warm-up (see :func:`busy_shares`).

    The checks, over the arrival days after the warm-up:

    * open orders (placed, not yet delivered) in the last third average more than 1.5
      times the first third and more than a day of orders above it: the backlog grows;
    * the pickers or the packers of a warehouse are busy for at least 95 % of their shift
      hours over the second half of those days (the first half holds the empty start):
      the demand is at or over capacity, and queues grow (so are the pickers of a zone,
      with :attr:`~ordercycle.simulation.Scenario.zones`);
    * the order fill rate of the last third of orders is below 0.8 and 0.2 or more below
      the first third: stock runs out faster than it is replenished.
    """
    first = scenario.warmup_days
    days = [row for row in series if first <= row["day"] < scenario.arrival_days]
    warnings: list[str] = []
    if len(days) >= 3:
        third = len(days) // 3
        early = _mean([row["open_orders"] for row in days[:third]])
        late = _mean([row["open_orders"] for row in days[-third:]])
        if late > 1.5 * early and late - early > scenario.orders_per_day:
            warnings.append(
                f"Unstable: open orders grew from {early:.0f} to {late:.0f} on average between"
                f" the first and the last third of days {first}–{scenario.arrival_days - 1};"
                " the backlog grows without bound."
            )
    for (worker, warehouse), share in sorted(busy.items()):
        if share >= SATURATED and worker == "zone":
            where, _, zone = warehouse.partition("/")
            pickers = next(z.pickers for z in scenario.zones_of(where) if z.name == zone)
            warnings.append(
                f"At capacity: the pickers of zone {zone} of {where} ({pickers}) were busy"
                f" {share:.0%} of their shift hours over the second half of days {first}–"
                f"{scenario.arrival_days - 1}; their tours wait, move pickers to the zone,"
                " add staff or lower the load."
            )
        elif share >= SATURATED:
            most = scenario.most_staff(worker, warehouse)
            warnings.append(
                f"At capacity: the {worker} of {warehouse} ({most}) were busy"
                f" {share:.0%} of their shift hours over the second half of days {first}–"
                f"{scenario.arrival_days - 1}; their queue grows, add staff or lower the load."
            )
    start, end = kpis_by_third[0], kpis_by_third[-1]
    if start is not None and end is not None and end < 0.8 and start - end >= 0.2:
        warnings.append(
            f"Fill rate collapsing: {start:.0%} of the first third of orders were filled at"
            f" once but only {end:.0%} of the last third; stock runs out faster than it is"
            " replenished."
        )
    return tuple(warnings)


def fill_rate_by_third(events: Sequence[SimEvent], scenario: Scenario) -> list[float | None]:
    """The order fill rate of orders placed in each third of the arrival period (after warm-up)."""
    begin = scenario.warmup_days * 24.0
    span = (scenario.arrival_days * 24.0 - begin) / 3
    return [
        kpis_from_events(
            events,
            scenario,
            placed_from=begin + n * span,
            placed_until=begin + (n + 1) * span,
        )["order_fill_rate"]
        for n in range(3)
    ]


def busy_shares(events: Sequence[SimEvent], scenario: Scenario) -> dict[tuple[str, str], float]:
    """The share of shift hours each warehouse's pickers and packers (and each picking
    zone's pickers) were busy.

    Over the second half of the arrival days after the warm-up (the first half holds the
    run's empty start): busy hours of tours and packs in that span (a task that straddles
    its ends counts for the part inside), divided by the hours their shifts scheduled in it. Keys
    are ``("pickers" | "packers", warehouse)``, and ``("zone", "<warehouse>/<zone>")``
    for the zones of a scenario with picking zones. Consolidating an order's zone totes is
    packer work.
    """
    end = scenario.arrival_days * 24.0
    begin = (scenario.warmup_days * 24.0 + end) / 2
    pack = scenario.pack_seconds_per_order / 3600
    hours: dict[tuple[str, str], float] = {}
    for warehouse in scenario.warehouses:
        hours[("pickers", warehouse.id)] = 0.0
        hours[("packers", warehouse.id)] = 0.0
        for zone in scenario.zones_of(warehouse.id):
            hours[("zone", f"{warehouse.id}/{zone.name}")] = 0.0
    for event in events:
        if event.kind == "picked":
            keys, length = [("pickers", event.warehouse)], event.measure
            tag = zone_tag(event)
            if tag:
                keys.append(("zone", tag))
        elif event.kind == "packed":
            keys, length = [("packers", event.warehouse)], pack
        elif event.kind == "consolidated":
            keys, length = [("packers", event.warehouse)], event.measure
        else:
            continue
        inside = min(event.time, end) - max(event.time - length, begin)
        for key in keys:
            if inside > 0 and key in hours:
                hours[key] += inside
    return _shares(scenario, hours, begin, end)


def _shares(
    scenario: Scenario, hours: Mapping[tuple[str, str], float], begin: float, end: float
) -> dict[tuple[str, str], float]:
    """Busy hours by ``(role, where)`` as shares of the hours scheduled from begin to end."""
    shares = {}
    for (role, where), value in hours.items():
        if role == "zone":
            building, _, name = where.partition("/")
            scheduled = scenario.zone_hours(name, begin, end, building)
        else:
            scheduled = scenario.scheduled_hours(role, begin, end, where)
        shares[(role, where)] = value / scheduled if scheduled else 0.0
    return shares


@attrs.frozen(kw_only=True)
class BatchMeans:
    """A KPI by consecutive batches of the orders of one long run.

    Attributes:
        kpi: The KPI's name.
        values: Its value over the orders placed in each batch, in time order (``None``
            where it is undefined for the batch).
        bounds: Each batch's ``(from, until)`` placement hours.
        mean: Mean of the defined batch values.
        low: Lower end of the 95 % t interval of the mean (batches as observations).
        high: Upper end.
        lag1: Lag-1 autocorrelation of the batch values (near 0 when batches are long
            enough to be independent; ``None`` with fewer than three values).
    """

    kpi: str
    values: tuple[float | None, ...]
    bounds: tuple[tuple[float, float], ...]
    mean: float
    low: float
    high: float
    lag1: float | None


def batch_means(
    events: Sequence[SimEvent], scenario: Scenario, kpi: str, batches: int
) -> BatchMeans:
    """Split the arrival period after the warm-up into ``batches`` equal spans of placement
    time and compute ``kpi`` over the orders placed in each.

    Raises:
        ValidationError: ``batches`` is not an integer of 2 or more.
    """
    if isinstance(batches, bool) or not isinstance(batches, int) or batches < 2:
        raise ValidationError.invalid("batch_means", "batches", batches, "an integer of 2 or more")
    begin = scenario.warmup_days * 24.0
    span = (scenario.arrival_days * 24.0 - begin) / batches
    bounds = tuple((begin + n * span, begin + (n + 1) * span) for n in range(batches))
    values = tuple(
        kpis_from_events(events, scenario, placed_from=low, placed_until=high)[kpi]
        for low, high in bounds
    )
    defined = [v for v in values if v is not None]
    if not defined:
        nan = math.nan
        return BatchMeans(
            kpi=kpi, values=values, bounds=bounds, mean=nan, low=nan, high=nan, lag1=None
        )
    mean = statistics.fmean(defined)
    half = (
        t95(len(defined) - 1) * statistics.stdev(defined) / math.sqrt(len(defined))
        if len(defined) > 1
        else 0.0
    )
    low, high = mean - half, mean + half
    lag1 = None
    if len(defined) >= 3:
        deviations = [v - mean for v in defined]
        total = sum(d * d for d in deviations)
        if total:
            lag1 = sum(a * b for a, b in itertools.pairwise(deviations)) / total
    return BatchMeans(
        kpi=kpi, values=values, bounds=bounds, mean=mean, low=low, high=high, lag1=lag1
    )
