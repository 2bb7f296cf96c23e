"""``python -m ordercycle simulate``: run a scenario and print its KPI table.

The lead's :mod:`ordercycle.cli` wires it in with two calls::

    from ordercycle.simulation.cli import add_simulate_parser, run_simulate
    add_simulate_parser(commands)            # in build_parser()
    if args.command == "simulate":           # in main()
        return run_simulate(args)
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from ordercycle.errors import OrderCycleError

__all__ = ["add_simulate_parser", "run_simulate"]


def add_simulate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``simulate`` command to an ``argparse`` sub-parser collection."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="simulate fulfilment and order-to-cash on the real domain (needs the sim extra)",
        description="Run a seeded scenario through an in-memory OrderDesk and print its KPIs.",
    )
    parser.add_argument("--orders", type=int, default=None, help="orders to place")
    parser.add_argument(
        "--orders-per-day",
        type=float,
        default=None,
        help="the mean arrival rate (the default scenario sizes stock and staff for it)",
    )
    parser.add_argument("--seed", type=int, default=None, help="the scenario seed")
    parser.add_argument("--scenario", default=None, help="a scenario TOML file")
    parser.add_argument("--report", default=None, help="write an HTML report with plots here")
    parser.add_argument(
        "--progress", action="store_true", help="show a progress bar over simulated days"
    )
    parser.add_argument("--timings", action="store_true", help="also print the run's time by stage")
    return parser


def run_simulate(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Run the ``simulate`` command; return the exit code (2 for a bad scenario)."""
    from ordercycle.simulation.engine import simulate
    from ordercycle.simulation.scenario import Scenario

    out = out or sys.stdout
    try:
        changes: dict[str, Any] = {}
        if args.seed is not None:
            changes["seed"] = args.seed
        if args.orders is not None:
            changes["orders"] = args.orders
        if getattr(args, "orders_per_day", None) is not None:
            changes["orders_per_day"] = args.orders_per_day
        scenario = (
            Scenario.from_toml(args.scenario, **changes)
            if args.scenario
            else Scenario.default(**changes)
        )
    except (OrderCycleError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    result = simulate(scenario, progress=getattr(args, "progress", False))
    out.write(f"Scenario {scenario.name!r}, seed {scenario.seed}: {len(result.events)} events\n\n")
    out.write(result.to_markdown() + "\n\n")
    counts = result.conservation
    out.write(f"orders by end state: {counts['orders']}\n")
    out.write(f"invoices by end state: {counts['invoices']}\n")
    for warning in result.warnings:
        out.write(f"warning: {warning}\n")
    if getattr(args, "timings", False):
        total = sum(result.timings.values()) or 1.0
        out.write("\ntime by stage (wall clock):\n")
        for stage, seconds in result.timings.items():
            out.write(f"  {stage:<20} {seconds:8.2f} s  {seconds / total:6.1%}\n")
    if args.report:
        from ordercycle.simulation.report import html_report

        html_report(result, args.report)
        out.write(f"report written to {args.report}\n")
    return 0
