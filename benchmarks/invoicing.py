"""Invoicing throughput: invoices of 5 lines with taxes and a payment schedule, in memory.

Two measurements on the same fixed-seed inputs (2,000 distinct invoices: 5 lines each,
random quantities and prices, two VAT rates, one of six common payment terms):

* ``aggregate``: ``Invoice.draft(...)`` then ``.issue(series)``: line amounts, the tax
  computation, the payment schedule with its early discount, gap-free numbering, two
  immutable domain events and two aggregate versions.
* ``compute``: line amounts, ``TaxProfile.compute_raw`` and ``PaymentTerms.schedule`` only
  (the arithmetic, without the aggregate and its events).

Each measurement runs ``--rounds`` times over all invoices (same seed every time); the
table reports the median and best rate in CPU time (``time.process_time``: the time this
process spent on a core, which a shared, loaded machine distorts least), the median in
wall-clock time, and the CPU time per invoice divided by the CPU cost of one public
``Money`` construction measured right after each round (a ratio that cancels most of the
machine's speed and says how many ``Money`` objects' worth of work an invoice takes).
Target: at least 20,000 invoices per second on one core.

Run ``python benchmarks/invoicing.py`` (``--rounds 3`` for a quick run). It prints a
markdown table and writes ``benchmarks/results/invoicing.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordercycle.invoicing import (
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
)
from ordercycle.money import Money

SEED = 20_260_126
TARGET = 20_000
RESULTS = Path(__file__).parent / "results" / "invoicing.json"
TERMS = (
    "Net 30",
    "2/10 Net 30",
    "1/10 Net 30 EOM",
    "Net 10th prox",
    "21 MFI",
    "50% upfront, 50% Net 30",
)
PROFILE = TaxProfile("EU", [TaxRate("VAT21", Decimal(21)), TaxRate("VAT9", Decimal(9))])

Case = tuple[list[InvoiceLine], PaymentTerms, date]


def cases(count: int, seed: int = SEED) -> list[Case]:
    """``count`` invoices of 5 lines each, drawn from a fixed seed."""
    rng = random.Random(seed)
    parsed = [PaymentTerms.parse(text) for text in TERMS]
    result = []
    for n in range(count):
        lines = [
            InvoiceLine(
                f"SKU-{rng.randrange(10_000):05d}",
                f"item {k}",
                rng.randint(1, 24),
                Money.of_minor(rng.randint(50, 250_000), "EUR"),
                [rng.choice(("VAT21", "VAT9"))],
                discount=rng.choice((0, 0, 0, 5, 10)),
            )
            for k in range(5)
        ]
        day = date(2026, 1, 1) + timedelta(days=n % 365)
        result.append((lines, rng.choice(parsed), day))
    return result


def run_aggregate(items: list[Case]) -> None:
    series = NumberSeries("INV-")
    for n, (lines, terms, day) in enumerate(items):
        draft, _ = Invoice.draft(f"I-{n}", "C-1", lines, PROFILE, terms, day)
        _invoice, _ = draft.issue(series)
        series = series.next()


def run_compute(items: list[Case]) -> None:
    mode = PROFILE.rounding_mode
    for lines, terms, day in items:
        taxes = PROFILE.compute_raw(
            [line.raw_amount(mode=mode) for line in lines],
            [line.tax_codes for line in lines],
            "EUR",
            base_discount=terms.tax_base_discount,
        )
        terms.schedule(taxes.total, day, tax=taxes.tax)


def rates(
    work: Callable[[list[Case]], None], items: list[Case], rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """Invoices per second of each round (wall clock and CPU time), and cost in ``Money``.

    CPU time (``time.process_time``) counts only this process's time on a core, so it is
    what a shared, loaded machine distorts least. The third list divides each round's
    CPU time per invoice by the CPU cost of one ``Money`` construction measured right
    after it, which cancels most of the rest.
    """
    work(items[:50])  # warm up caches (parsed plans, currency table)
    wall = []
    cpu = []
    in_money = []
    for _ in range(rounds):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        work(items)
        elapsed_cpu = time.process_time() - started_cpu
        elapsed = time.perf_counter() - started
        wall.append(len(items) / elapsed)
        cpu.append(len(items) / elapsed_cpu)
        in_money.append(elapsed_cpu / len(items) * 1e6 / money_cost(20_000))
    return wall, cpu, in_money


def money_cost(repeats: int = 50_000) -> float:
    """CPU microseconds for one public ``Money(Decimal, Currency)`` construction."""
    amount = Decimal("123.45")
    unit = Money.zero("EUR").currency
    started = time.process_time()
    for _ in range(repeats):
        Money(amount, unit)
    return (time.process_time() - started) / repeats * 1e6


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):  # pragma: no cover - not on every platform
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    items = cases(args.invoices)
    rows: list[dict[str, Any]] = []
    for name, work in (("aggregate", run_aggregate), ("compute", run_compute)):
        wall, cpu, in_money = rates(work, items, args.rounds)
        median = statistics.median(cpu)
        rows.append(
            {
                "measurement": name,
                "median_cpu_per_s": round(median),
                "best_cpu_per_s": round(max(cpu)),
                "median_cpu_us_per_invoice": round(1e6 / median, 1),
                "median_wall_per_s": round(statistics.median(wall)),
                "best_wall_per_s": round(max(wall)),
                "target_per_s": TARGET,
                "median_cpu_vs_target": round(median / TARGET, 3),
                "median_cost_in_money_constructions": round(statistics.median(in_money), 1),
            }
        )
    money_us = money_cost()
    load = _load_average()
    print(f"Invoicing throughput: {args.invoices} invoices x 5 lines, {args.rounds} rounds,")
    print(f"one process, Python {platform.python_version()} ({platform.machine()})\n")
    print(f"Load average at the end: {load}\n")
    print(
        "| measurement | median invoices/s (CPU) | best (CPU) | µs/invoice (CPU, median) |"
        " median invoices/s (wall) | target | median CPU / target |"
        " cost in Money() constructions |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['measurement']} | {row['median_cpu_per_s']:,} | {row['best_cpu_per_s']:,} |"
            f" {row['median_cpu_us_per_invoice']} | {row['median_wall_per_s']:,} |"
            f" {TARGET:,} | {row['median_cpu_vs_target']} |"
            f" {row['median_cost_in_money_constructions']} |"
        )
    print(f"\nOne Money(Decimal, Currency) construction: {money_us:.2f} CPU µs on this machine.")
    payload = {
        "benchmark": "invoicing",
        "invoices": args.invoices,
        "lines_per_invoice": 5,
        "rounds": args.rounds,
        "seed": SEED,
        "terms": list(TERMS),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": rows,
        "money_construction_cpu_us": round(money_us, 3),
        "load_average_1_5_15_min": load,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
