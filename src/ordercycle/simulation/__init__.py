"""Discrete-event fulfilment simulation on the real domain (extra ``sim``).

A seeded :class:`Scenario` drives an in-memory :class:`~ordercycle.service.OrderDesk`
through simulated time on SimPy: order arrivals, allocation, waves, picking, packing,
shipping, delivery, invoicing, payments, returns and replenishment. The result carries
KPIs, an event log and conservation counts; replications give confidence intervals and
:func:`compare` puts scenarios side by side.

>>> from ordercycle.simulation import Scenario, simulate
>>> result = simulate(Scenario.default(seed=3, orders=4, days=1, drain_days=40))
>>> result.conservation["orders"]
{'delivered': 4}
"""

from __future__ import annotations

from ordercycle.simulation._seeds import derive_seed
from ordercycle.simulation.conservation import check_conservation
from ordercycle.simulation.engine import STAGES, Simulation, simulate
from ordercycle.simulation.errors import (
    ConservationError,
    ScenarioError,
    SimulationStateError,
    UnknownKpiError,
)
from ordercycle.simulation.events import EVENT_KINDS, SimEvent
from ordercycle.simulation.experiments import (
    Comparison,
    PairedDifference,
    Replications,
    compare,
    confidence_interval,
    replicate,
    replication_seeds,
    run_many,
)
from ordercycle.simulation.kpis import KPIS, kpis_from_events, totals_from_desk, totals_from_events
from ordercycle.simulation.plots import (
    plot_costs,
    plot_inventory,
    plot_kpi_distribution,
    plot_timeseries,
    plot_zones,
)
from ordercycle.simulation.report import comparison_report, html_report
from ordercycle.simulation.results import SimulationResult
from ordercycle.simulation.scenario import (
    ALLOCATIONS,
    CarrierSpec,
    CartonSpec,
    CustomerSegment,
    Replenishment,
    Scenario,
    Shift,
    SkuSpec,
    WarehouseSpec,
    ZoneSpec,
)
from ordercycle.simulation.stability import BatchMeans, stability_warnings

__all__ = [
    "ALLOCATIONS",
    "EVENT_KINDS",
    "KPIS",
    "STAGES",
    "BatchMeans",
    "CarrierSpec",
    "CartonSpec",
    "Comparison",
    "ConservationError",
    "CustomerSegment",
    "PairedDifference",
    "Replenishment",
    "Replications",
    "Scenario",
    "ScenarioError",
    "Shift",
    "SimEvent",
    "Simulation",
    "SimulationResult",
    "SimulationStateError",
    "SkuSpec",
    "UnknownKpiError",
    "WarehouseSpec",
    "ZoneSpec",
    "check_conservation",
    "compare",
    "comparison_report",
    "confidence_interval",
    "derive_seed",
    "html_report",
    "kpis_from_events",
    "plot_costs",
    "plot_inventory",
    "plot_kpi_distribution",
    "plot_timeseries",
    "plot_zones",
    "replicate",
    "replication_seeds",
    "run_many",
    "simulate",
    "stability_warnings",
    "totals_from_desk",
    "totals_from_events",
]
