"""OrderDesk throughput: orders per second through the whole cycle, place to pay.

Every order goes through ten commands, each one unit of work: place, confirm (credit
check), allocate (planner), release a one-order wave (routed pick list), confirm picks,
pack (cartonization), ship, deliver, invoice (terms, taxes, numbering) and record the
payment (applied to open invoices; the outbox handler then updates the order). The outbox
handlers run after every command, as they do by default.

Storages:

* ``memory``: :class:`~ordercycle.storage.memory.MemoryStorage`, one process;
* ``sqlite``: one database file (WAL), with 1, 2 and 4 worker processes sharing it;
* ``postgres``: with 1, 2 and 4 worker processes, only when the environment variable
  ``ORDERCYCLE_TEST_POSTGRES_DSN`` names a database (each run uses a fresh schema).

Workers contend for the same stock (every order takes 2 mugs from one bin), the same
warehouse's open pick lists and the one invoice number series, so they meet concurrent
changes; those commands are run again (the table counts how many). Each worker has its
own customer and id prefixes. After each run the script checks the result: every order
paid, and the stock on hand equals what was received minus what was shipped.

Each configuration runs ``--rounds`` times (3 by default) and the table shows the median
run. Run ``python benchmarks/service.py`` (``--orders 40 --rounds 1`` for a quick run).
It prints a markdown table and writes ``benchmarks/results/service.json``. These machines
are shared and noisy: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model import Address, Customer, SteppableClock
from ordercycle.model.ids import CustomerId, SequentialIdFactory
from ordercycle.money import Money
from ordercycle.service import OrderDesk

RESULTS = Path(__file__).parent / "results" / "service.json"
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
MUGS_PER_ORDER = 2
DSN_VARIABLE = "ORDERCYCLE_TEST_POSTGRES_DSN"


def _counting_retries() -> list[int]:
    """Count the commands that met a concurrent change (logged at debug by the desk)."""
    hits = [0]

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "concurrent change" in record.getMessage():
                hits[0] += 1

    logger = logging.getLogger("ordercycle.service.desk")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Counter())
    logger.propagate = False
    return hits


def _open(kind: str, where: str, worker: int) -> OrderDesk:
    prefixes = {
        k: f"{p}{worker}"
        for k, p in {
            "order": "O",
            "invoice": "INV",
            "payment": "PAY",
            "pick_list": "PL",
            "shipment": "SHP",
            "return": "RMA",
            "credit_note": "CN",
        }.items()
    }
    ids = SequentialIdFactory(prefixes=prefixes)
    clock = SteppableClock(START)
    if kind == "sqlite":
        return OrderDesk.sqlite(where, clock=clock, ids=ids)
    if kind == "postgres":
        return OrderDesk.postgres(os.environ[DSN_VARIABLE], schema=where, clock=clock, ids=ids)
    raise ValueError(kind)


def _customer(worker: int) -> Customer:
    return Customer(
        id=CustomerId(f"C-W{worker}"),
        name=f"Worker {worker} Ltd",
        credit_limit=Money("100000000.00", "USD"),
        payment_terms="Net 30",
        tax_profile="EXEMPT",
        billing_address=Address(
            lines=("1 Bench St",), city="Albany", postal_code="12207", country="US"
        ),
    )


def _prepare(desk: OrderDesk, workers: int, orders: int) -> None:
    open_sample_shop(desk)
    desk.receive_stock("MUG", "WH-EAST/A1", orders * MUGS_PER_ORDER, command_id="bench-stock")
    for worker in range(workers):
        desk.register_customer(_customer(worker), command_id=f"bench-customer-{worker}")


def _cycle(desk: OrderDesk, worker: int) -> None:
    customer = f"C-W{worker}"
    order_id = desk.place_order(customer, {"MUG": MUGS_PER_ORDER}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment = desk.pack_order(order_id, wave).aggregate_id
    desk.ship_shipment(shipment, f"1Z-{shipment}")
    desk.deliver_shipment(shipment)
    invoice = desk.invoice_order(order_id)
    desk.record_payment(customer, Money(invoice["total"].split()[0], "USD"))


def _worker(args: tuple[str, str, int, int]) -> dict[str, Any]:
    kind, where, worker, count = args
    retries = _counting_retries()
    desk = _open(kind, where, worker)
    began = time.perf_counter()
    wall_start = time.time()
    for _ in range(count):
        _cycle(desk, worker)
    elapsed = time.perf_counter() - began
    desk.close()
    return {
        "worker": worker,
        "orders": count,
        "seconds": elapsed,
        "start": wall_start,
        "end": wall_start + elapsed,
        "retries": retries[0],
    }


def _check(desk: OrderDesk, orders: int) -> str:
    """Every order paid; on hand = received - shipped. Returns 'ok' or what is wrong."""
    problems = []
    ids = desk.order_ids()
    if len(ids) != orders:
        problems.append(f"{len(ids)} orders, expected {orders}")
    unpaid = [i for i in ids if desk.order(i).payment_status.value != "paid"]
    if unpaid:
        problems.append(f"{len(unpaid)} orders not paid")
    on_hand = sum(p.on_hand for p in desk.stock_positions("MUG"))
    expected = 40 + orders * MUGS_PER_ORDER - orders * MUGS_PER_ORDER
    if on_hand != expected:
        problems.append(f"MUG on hand {on_hand}, expected {expected}")
    return "ok" if not problems else "; ".join(problems)


def run(kind: str, workers: int, orders: int, folder: Path) -> dict[str, Any]:
    """One configuration: ``orders`` orders split over ``workers`` processes."""
    if kind == "memory":
        retries = _counting_retries()
        desk = OrderDesk.in_memory(clock=SteppableClock(START), ids=SequentialIdFactory())
        _prepare(desk, 1, orders)
        began = time.perf_counter()
        for _ in range(orders):
            _cycle(desk, 0)
        seconds = time.perf_counter() - began
        return _row(kind, 1, orders, seconds, retries[0], _check(desk, orders))
    where = (
        str(folder / f"bench-{workers}-{uuid.uuid4().hex[:8]}.db")
        if kind == "sqlite"
        else f"bench_{uuid.uuid4().hex[:12]}"
    )
    setup = _open(kind, where, 99)
    _prepare(setup, workers, orders)
    setup.close()
    shares = [orders // workers + (1 if w < orders % workers else 0) for w in range(workers)]
    jobs = [(kind, where, w, n) for w, n in enumerate(shares)]
    if workers == 1:
        parts = [_worker(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_worker, jobs)
    seconds = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    checker = _open(kind, where, 98)
    verdict = _check(checker, orders)
    checker.close()
    if kind == "postgres":
        import psycopg

        with psycopg.connect(os.environ[DSN_VARIABLE], autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{where}" CASCADE')
    return _row(kind, workers, orders, seconds, sum(p["retries"] for p in parts), verdict)


def _row(
    kind: str, workers: int, orders: int, seconds: float, retries: int, check: str
) -> dict[str, Any]:
    return {
        "storage": kind,
        "workers": workers,
        "orders": orders,
        "seconds": round(seconds, 3),
        "orders_per_second": round(orders / seconds, 2),
        "commands_per_second": round(10 * orders / seconds, 1),
        "retried_commands": retries,
        "check": check,
    }


def _table(rows: list[dict[str, Any]]) -> str:
    base = {r["storage"]: r["orders_per_second"] for r in rows if r["workers"] == 1}
    out = [
        "| storage | workers | orders | seconds | orders/s | commands/s | vs 1 worker"
        " | retried | check |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ratio = r["orders_per_second"] / base[r["storage"]]
        out.append(
            f"| {r['storage']} | {r['workers']} | {r['orders']} | {r['seconds']} |"
            f" {r['orders_per_second']} | {r['commands_per_second']} | {ratio:.2f}x |"
            f" {r['retried_commands']} | {r['check']} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run every configuration, print the table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=120, help="orders per configuration")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=3, help="runs per configuration (median)")
    args = parser.parse_args(argv)
    configs = [("memory", 1)] + [("sqlite", w) for w in args.workers]
    if os.environ.get(DSN_VARIABLE):
        configs += [("postgres", w) for w in args.workers]
    else:
        print(f"(PostgreSQL skipped: set {DSN_VARIABLE} to a database DSN to include it)")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, workers in configs:
            runs = [run(kind, workers, args.orders, Path(folder)) for _ in range(args.rounds)]
            runs.sort(key=lambda r: r["orders_per_second"])
            row = dict(runs[len(runs) // 2])  # the median run
            row["rounds"] = [r["orders_per_second"] for r in runs]
            row["check"] = "ok" if all(r["check"] == "ok" for r in runs) else row["check"]
            rows.append(row)
            print(
                f"  {kind} x{workers}: {row['orders_per_second']} orders/s ({row['check']})",
                flush=True,
            )
    table = _table(rows)
    print()
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "service",
                "unit": "orders per second, place to pay (10 commands per order), median run",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "rows": rows,
                "table": table,
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all(r["check"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
