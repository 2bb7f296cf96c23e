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

A second table measures the desk commands that change orders and stock one at a time, on
each storage, in one process: ``cancel_order_line`` (a whole line of an allocated order),
``amend_order`` (one ``set_quantity`` change, 2 to 3 mugs), ``count_stock`` (counts that
differ by one unit, so each posts an adjustment), ``move_stock`` (one unit between two bins),
``receive_purchase_order`` (a purchase order created, then received in full: two commands)
and ``transfer_stock`` (a transfer to the other warehouse, then ``receive_transfer``: two
commands). The order-entry and receivables rows beside them: a draft quote
(``create_draft_order``, ``send_quote``, ``place_draft_order``: three commands),
``place_order`` with an order discount and a promotion code, ``change_shipping_method``
(a placed order's method to none), ``ship_shipment`` of a packed order with a shipping
method (its freight invoice issued in the same unit of work; waves of 20 set up first),
``apply_credit`` (cash on account to one named invoice) and ``refund_credit`` (1.00 of
the credit a payment left). The orders they change are set up first and not timed. Each
run starts from a fresh store; ids are sequential and the clock fixed, so every run does
the same work (there is no randomness to seed). The table shows commands per second of the
median run and the CPU time of this process in it (the database server's CPU is not
counted); each check reads the result back (order states, stock per bin, invoices,
account balances).

``--only floor`` measures the desk against its storage instead. For SQLite and PostgreSQL
and two workloads (place + confirm + allocate over 50 customers; the full place -> pay
cycle) the desk runs with every statement its connections send recorded (a connection
wrapper); the *floor* then replays exactly those transactions, statements and parameters
through a raw ``sqlite3`` / ``psycopg`` connection on a fresh database set up by the same
recorded set-up. The table gives desk and floor commands per second, their ratio, and
statements and transactions per command, and the CPU per command of the same commands on an
in-memory desk (no storage at all: the desk's own Python cost, which alone is a floor under
the desk's ratio). On PostgreSQL the recorder also notes where the
desk's pipeline synced (a round trip), and the floor replays those round trips as they
were; a second table gives round trips per command and a *pipelined floor* that sends
each transaction in one round trip (the least pipelining could reach). Then PostgreSQL
workers (``--scale-workers``, 1 2 4 8 by default) place, confirm and allocate for
``--seconds`` each, on disjoint customers and SKUs and then all on one hot SKU, and the
floor replays each worker's
recorded transactions in parallel processes (the median of ``--rounds`` runs by desk
throughput, with the floor of the same run). Desk workers, and then floor replays, start
together after a barrier, so process start-up is outside both measured windows. CPU is
accounted on both sides: the client processes (``time.process_time``) and, for a server
on this machine, the PostgreSQL backends serving them (``/proc/<pid>/stat`` of each
connection's ``pg_backend_pid()``), per command and as cores kept busy; with both near
``os.cpu_count()`` the machine, not the code, is the limit. A third table samples
``pg_stat_activity`` every 20 ms during each desk run: how many of the desk's backends were
waiting for their client, running, waiting for the WAL flush of a commit or for a lock
(a hot row or stream shows there). ``--floor-storages postgres`` leaves SQLite out. Results
go to ``benchmarks/results/service_floor.json``.

Each configuration runs ``--rounds`` times (3 by default) and the tables show the median
run. Run ``python benchmarks/service.py`` (``--orders 40 --rounds 1`` for a quick run;
``--commands N`` sets the desk commands per row, ``--only orders`` or ``--only commands``
runs one table, ``--dsn`` names a PostgreSQL database instead of the environment variable).

A third table, only with ``--only confirm``, times ``confirm_order`` for a customer with
10, 100, 1,000 and 10,000 confirmed, uninvoiced orders (``--open-orders``; median of
``--samples`` confirmations, CPU and wall time): the credit check reads the customer's
account (gross exposure kept incrementally), not the orders, and the list of open orders
is a record of its own that a confirmation does not write, so the time stays flat. It
writes ``benchmarks/results/service-confirm.json``.
It prints markdown tables and writes ``benchmarks/results/service.json``. These machines
are shared and noisy: compare ratios, not absolute numbers.

``--only queries`` measures the listing queries instead (``desk.orders(...)``, one page of
50) on ``--query-orders`` orders (100,000 by default) on SQLite and PostgreSQL, and writes
``benchmarks/results/service-queries.json``. The rows are built fast: the ``orders`` rows
the desk would keep (the same terms, sort text and data as
``ordercycle.service._views.order_row``, for synthetic orders: 1,000 customers, 3
channels, 6 states, 1 to 3 of 50 skus, one order a minute) are bulk-inserted into the
adapter's two read-model tables with the driver's ``executemany`` in one transaction, then
analyzed (``VACUUM ANALYZE`` on PostgreSQL, ``ANALYZE`` on SQLite), plus the marker row the
desk checks; no events are written. Each query shape then runs 200
times on a fixed seed (random customers, skus and cursors) through the desk; the table
shows the median and 95th percentile wall time per page.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from ordercycle.errors import ConcurrencyError
from ordercycle.examples.shop import open_sample_shop, sample_products
from ordercycle.model import Address, Customer, SteppableClock
from ordercycle.model.ids import CustomerId, SequentialIdFactory, Sku
from ordercycle.money import Money
from ordercycle.service import OrderDesk

RESULTS = Path(__file__).parent / "results" / "service.json"
FLOOR_RESULTS = Path(__file__).parent / "results" / "service_floor.json"
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
    if kind == "memory":
        return OrderDesk.in_memory(clock=clock, ids=ids)
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
        _drop(where)
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


# --- desk commands, one at a time --------------------------------------------------------

DESK_COMMANDS = (
    "cancel_order_line",
    "amend_order",
    "count_stock",
    "move_stock",
    "receive_purchase_order",
    "transfer_stock",
    "draft_quote",
    "place_with_promotion",
    "change_shipping_method",
    "ship_with_freight",
    "apply_credit",
    "refund_credit",
)
#: How the table names a row whose unit is two or three commands.
LABELS = {
    "receive_purchase_order": "create_purchase_order + receive_purchase_order",
    "transfer_stock": "transfer_stock + receive_transfer",
    "draft_quote": "create_draft_order + send_quote + place_draft_order",
    "place_with_promotion": "place_order (discount + promotion code)",
    "ship_with_freight": "ship_shipment (freight invoice)",
}
#: Orders per wave when ``ship_with_freight`` sets up its shipments.
WAVE_SIZE = 20
EXPECTED = date(2026, 3, 9)

#: A scenario sets up a store for ``n`` commands and returns the timed body, the check and
#: the number of commands the body runs.
Scenario = tuple[Callable[[], None], Callable[[], str], int]


def _orders(desk: OrderDesk, n: int, mugs: int) -> list[str]:
    desk.receive_stock("MUG", "WH-EAST/A1", n * mugs, command_id="bench-desk-stock")
    placed = []
    for _ in range(n):
        order_id = desk.place_order("C-W0", {"MUG": MUGS_PER_ORDER}).aggregate_id
        desk.confirm_order(order_id)
        desk.allocate_order(order_id)
        placed.append(order_id)
    return placed


def _on_hand(desk: OrderDesk, sku: str, bin_id: str) -> int:
    return sum(p.on_hand for p in desk.stock_positions(sku) if p.bin == bin_id)


def _verdict(problems: list[str]) -> str:
    return "ok" if not problems else "; ".join(problems)


def _scenario(name: str, desk: OrderDesk, n: int) -> Scenario:
    """Set up ``desk`` for ``n`` commands of ``name`` (untimed)."""
    open_sample_shop(desk)
    desk.register_customer(_customer(0), command_id="bench-customer-0")
    if name == "cancel_order_line":
        orders = _orders(desk, n, MUGS_PER_ORDER)

        def cancel() -> None:
            for order_id in orders:
                desk.cancel_order_line(order_id, "L1", reason="bench")

        def canceled() -> str:
            left = [o for o in orders if desk.order(o).state != "canceled"]
            free = desk.available_units("MUG", warehouse="WH-EAST")
            return _verdict(
                ([f"{len(left)} orders not canceled"] if left else [])
                + ([f"MUG available {free}"] if free != 40 + n * MUGS_PER_ORDER else [])
            )

        return cancel, canceled, n
    if name == "amend_order":
        orders = _orders(desk, n, MUGS_PER_ORDER + 1)
        change = [{"action": "set_quantity", "line_id": "L1", "quantity": MUGS_PER_ORDER + 1}]

        def amend() -> None:
            for order_id in orders:
                desk.amend_order(order_id, change, note="bench")

        def amended() -> str:
            free = desk.available_units("MUG", warehouse="WH-EAST")
            return _verdict([f"MUG available {free}, expected 40"] if free != 40 else [])

        return amend, amended, n
    if name == "count_stock":
        counts = [41 if i % 2 == 0 else 40 for i in range(n)]

        def count() -> None:
            for counted in counts:
                desk.count_stock("MUG", "WH-EAST/A1", counted)

        def counted() -> str:
            found = _on_hand(desk, "MUG", "WH-EAST/A1")
            return _verdict(
                [f"A1 holds {found}, counted {counts[-1]}"] if found != counts[-1] else []
            )

        return count, counted, n
    if name == "move_stock":
        desk.receive_stock("MUG", "WH-EAST/A1", n, command_id="bench-desk-stock")

        def move() -> None:
            for _ in range(n):
                desk.move_stock("MUG", "WH-EAST/A1", "WH-EAST/A2", 1)

        def moved() -> str:
            a1, a2 = _on_hand(desk, "MUG", "WH-EAST/A1"), _on_hand(desk, "MUG", "WH-EAST/A2")
            return _verdict([f"A1 holds {a1}, A2 {a2}"] if (a1, a2) != (40, n) else [])

        return move, moved, n
    if name == "receive_purchase_order":

        def receive() -> None:
            for i in range(n):
                po = f"PO-B{i}"
                item = {"sku": "RUG", "quantity": 5}
                desk.create_purchase_order(
                    po, "Bench Supply", "WH-WEST", [{**item, "expected_on": EXPECTED}]
                )
                desk.receive_purchase_order(po, [{**item, "bin": "WH-WEST/A8"}])

        def received() -> str:
            found = _on_hand(desk, "RUG", "WH-WEST/A8")
            return _verdict([f"A8 holds {found} rugs"] if found != 4 + 5 * n else [])

        return receive, received, 2 * n
    if name == "transfer_stock":
        desk.receive_stock("MUG", "WH-EAST/A1", n, command_id="bench-desk-stock")

        def transfer() -> None:
            for i in range(n):
                desk.transfer_stock("MUG", "WH-EAST/A1", "WH-WEST/A2", 1, transfer_id=f"TR-B{i}")
                desk.receive_transfer(f"TR-B{i}")

        def transferred() -> str:
            a1, a2 = _on_hand(desk, "MUG", "WH-EAST/A1"), _on_hand(desk, "MUG", "WH-WEST/A2")
            return _verdict([f"A1 holds {a1}, WH-WEST/A2 {a2}"] if (a1, a2) != (40, n) else [])

        return transfer, transferred, 2 * n
    return _order_entry_scenario(name, desk, n)


def _order_entry_scenario(name: str, desk: OrderDesk, n: int) -> Scenario:
    """The order-entry and receivables rows (issue 16, 17): set up ``desk`` (untimed)."""
    mugs = {"MUG": MUGS_PER_ORDER}
    if name == "draft_quote":

        def quote() -> None:
            for _ in range(n):
                order_id = desk.create_draft_order("C-W0", mugs, channel="phone").aggregate_id
                desk.send_quote(order_id, EXPECTED)
                desk.place_draft_order(order_id)

        def quoted() -> str:
            placed = [o for o in desk.order_ids() if desk.order(o).state == "placed"]
            return _verdict([f"{len(placed)} orders placed"] if len(placed) != n else [])

        return quote, quoted, 3 * n
    if name == "place_with_promotion":
        desk.register_promotion("BENCH10", percent=10, scope="sku", target="MUG")
        discount = [{"percent": "5", "reason": "bench"}]

        def place() -> None:
            for _ in range(n):
                desk.place_order("C-W0", mugs, discounts=discount, promotion_code="BENCH10")

        def placed() -> str:
            # 2 mugs at 9.50, less 10 % (promotion), less 5 % (order discount): 16.245
            totals = {str(desk.order(o).total) for o in desk.order_ids()}
            used = desk.promotion("BENCH10").used
            return _verdict(
                ([f"totals {sorted(totals)}"] if totals != {"16.25 USD"} else [])
                + ([f"promotion used {used} times"] if used != n else [])
            )

        return place, placed, n
    if name == "change_shipping_method":
        orders = [
            desk.place_order("C-W0", mugs, shipping_method="UPS-GROUND").aggregate_id
            for _ in range(n)
        ]

        def change() -> None:
            for order_id in orders:
                desk.change_shipping_method(order_id, "")

        def changed() -> str:
            left = [o for o in orders if desk.order(o).shipping_method != ""]
            return _verdict([f"{len(left)} orders kept their method"] if left else [])

        return change, changed, n
    if name == "ship_with_freight":
        desk.receive_stock("MUG", "WH-EAST/A1", n * MUGS_PER_ORDER, command_id="bench-desk-stock")
        shipments = []
        orders = []
        for _ in range(n):
            order_id = desk.place_order("C-W0", mugs, shipping_method="UPS-GROUND").aggregate_id
            desk.confirm_order(order_id)
            desk.allocate_order(order_id)
            orders.append(order_id)
        for start in range(0, n, WAVE_SIZE):
            group = orders[start : start + WAVE_SIZE]
            wave = desk.release_wave("WH-EAST", group).aggregate_id
            desk.confirm_picks(wave)
            shipments += [desk.pack_order(o, wave).aggregate_id for o in group]

        def ship() -> None:
            for shipment in shipments:
                desk.ship_shipment(shipment, f"1Z-{shipment}")

        def shipped() -> str:
            charged = [o for o in orders if any(not d.quantities for d in desk.order(o).invoices)]
            freight = [i for i in desk.invoices() if i.lines[0].sku == "FREIGHT"]
            return _verdict(
                ([f"{len(charged)} orders charged freight"] if len(charged) != n else [])
                + ([f"{len(freight)} freight invoices"] if len(freight) != n else [])
            )

        return ship, shipped, n
    if name == "apply_credit":
        desk.record_payment("C-W0", Money(19 * n, "USD"), payment_id="PAY-BENCH")
        invoices = []
        for _ in range(n):
            order_id = desk.place_order("C-W0", mugs).aggregate_id
            desk.confirm_order(order_id)
            invoices.append(desk.invoice_order(order_id)["invoice_id"])

        def apply() -> None:
            for invoice_id in invoices:
                desk.apply_credit("C-W0", invoice_ids=[invoice_id])

        def applied() -> str:
            unpaid = [i for i in invoices if desk.invoice(i).state != "paid"]
            credit = desk.account_ledger("C-W0").balance.balance
            return _verdict(
                ([f"{len(unpaid)} invoices unpaid"] if unpaid else [])
                + ([f"balance {credit}"] if not credit.is_zero else [])
            )

        return apply, applied, n
    if name == "refund_credit":
        desk.record_payment("C-W0", Money(2 * n, "USD"), payment_id="PAY-BENCH")

        def refund() -> None:
            for i in range(n):
                desk.refund_credit("C-W0", Money("1.00", "USD"), "bank transfer", f"REF-{i}")

        def refunded() -> str:
            balance = desk.account_ledger("C-W0").balance.balance
            expected = Money(-n, "USD")
            wrong = balance != expected
            return _verdict([f"balance {balance}, expected {expected}"] if wrong else [])

        return refund, refunded, n
    raise ValueError(name)


def run_command(kind: str, name: str, n: int, folder: Path) -> dict[str, Any]:
    """One run of one desk command on a fresh store of ``kind``, in this process."""
    if kind == "memory":
        where = ""
        desk = OrderDesk.in_memory(clock=SteppableClock(START), ids=SequentialIdFactory())
    else:
        where = (
            str(folder / f"desk-{uuid.uuid4().hex[:8]}.db")
            if kind == "sqlite"
            else f"bench_{uuid.uuid4().hex[:12]}"
        )
        desk = _open(kind, where, 0)
    body, check, commands = _scenario(name, desk, n)
    cpu, began = time.process_time(), time.perf_counter()
    body()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    verdict = check()
    desk.close()
    if kind == "postgres":
        _drop(where)
    return {
        "storage": kind,
        "command": LABELS.get(name, name),
        "commands": commands,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "commands_per_second": round(commands / seconds, 1),
        "check": verdict,
    }


def _command_table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| storage | command | commands | seconds | commands/s | CPU s | rounds (commands/s)"
        " | check |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        rounds = ", ".join(str(x) for x in r["rounds"])
        out.append(
            f"| {r['storage']} | {r['command']} | {r['commands']} | {r['seconds']} |"
            f" {r['commands_per_second']} | {r['cpu_seconds']} | {rounds} | {r['check']} |"
        )
    return "\n".join(out)


# --- desk against its floor: the same transactions replayed through the raw driver --------


#: Recorded where the desk read results (PostgreSQL pipeline mode): one round trip.
SYNC = "-- round trip"


class Recorder:
    """Records every statement a storage's connections run, grouped into transactions.

    It wraps the connections a storage's pool opens (a proxy with ``execute`` and
    ``close``; on PostgreSQL the connection and its pipeline, whose syncs it records as
    :data:`SYNC`), so the desk runs unchanged; :meth:`transactions` gives, per
    transaction, the ``(sql, params)`` it sent from ``BEGIN`` to ``COMMIT`` or
    ``ROLLBACK`` (and the sync after it).
    """

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple[Any, ...]]] = []
        #: The PostgreSQL server process (backend) of each connection opened, for the
        #: server's CPU accounting (:func:`_backend_cpu`).
        self.backends: list[int] = []

    def install(self, storage: Any) -> None:
        pool = storage._pool
        connect = pool._connect
        recorder = self

        class Statements:
            def __init__(self, raw: Any) -> None:
                self.raw = raw
                if type(raw).__module__.startswith("psycopg"):  # a connection of its own
                    recorder.backends.append(raw.info.backend_pid)

            def execute(self, sql: str, params: Any = ()) -> Any:
                recorder.statements.append((sql, tuple(params)))
                return self.raw.execute(sql, params)

            def executemany(self, sql: str, rows: Any) -> Any:
                rows = Many(tuple(r) for r in rows)
                recorder.statements.append((sql, rows))
                return self.raw.executemany(sql, rows)

            def close(self) -> None:
                self.raw.close()

        class Syncs:
            def __init__(self, raw: Any) -> None:
                self.raw = raw

            def sync(self) -> None:
                recorder.statements.append((SYNC, ()))
                self.raw.sync()

        class Piped:  # PostgreSQL: a connection kept in pipeline mode, and its pipeline
            def __init__(self, raw: Any) -> None:
                self.raw = raw
                self.connection = Statements(raw.connection)
                self.pipeline = Syncs(raw.pipeline)

            def close(self) -> None:
                self.raw.close()

        def wrap() -> Any:
            raw = connect()
            # The adapter's pipelined connection holds its pipeline (a psycopg
            # connection's own ``pipeline`` is a method that opens one).
            piped = hasattr(raw, "pipeline") and not callable(raw.pipeline)
            return Piped(raw) if piped else Statements(raw)

        pool._connect = wrap
        pool._close = lambda c: c.close()

    def mark(self) -> int:
        return len(self.statements)

    def transactions(self, start: int = 0, end: int | None = None) -> list[list[Any]]:
        out: list[list[Any]] = []
        current: list[Any] | None = None
        for sql, params in self.statements[start:end]:
            head = sql.lstrip().upper()
            if head.startswith("BEGIN"):
                current = []
            if current is None:
                if sql == SYNC and out and out[-1][-1][0] != SYNC:
                    out[-1].append((sql, params))  # the round trip that sent the COMMIT
                continue  # outside a transaction (connection set-up)
            current.append((sql, params))
            if head.startswith(("COMMIT", "ROLLBACK")) and not head.startswith("ROLLBACK TO"):
                out.append(current)
                current = None
        return out


class Many(tuple):  # type: ignore[type-arg]
    """The parameter rows of one ``executemany`` call, recorded and replayed as one call."""


def _round_trips(transactions: list[list[Any]]) -> int:
    """Round trips of recorded transactions: each sync, or each statement without them."""
    trips = 0
    for statements in transactions:
        syncs = sum(1 for sql, _ in statements if sql == SYNC)
        trips += syncs or len(statements)
    return trips


def _backend_pid(connection: Any) -> int:
    return int(connection.info.backend_pid)


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _backend_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) of each PostgreSQL backend, read from ``/proc``.

    Only a server on this machine whose processes this user can read is counted; a
    backend that cannot be read (ended, remote server) is left out.
    """
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return out


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _execute_many(connection: Any, sql: str, rows: Many) -> None:
    """One ``executemany`` call, on a ``sqlite3`` connection or a psycopg cursor."""
    if hasattr(connection, "executemany"):
        connection.executemany(sql, rows)
    else:
        connection.cursor().executemany(sql, rows)


def _raw_connection(kind: str, where: str) -> Any:
    if kind == "sqlite":
        import sqlite3

        connection = sqlite3.connect(where, isolation_level=None, timeout=30)
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection
    import psycopg

    connection = psycopg.connect(os.environ[DSN_VARIABLE], autocommit=True)
    connection.execute(f'SET search_path TO "{where}"')
    return connection


def replay(
    kind: str,
    where: str,
    transactions: list[list[Any]],
    barrier: Any = None,
    *,
    pipelined: bool = False,
) -> dict[str, Any]:
    """Run ``transactions`` through a raw connection; CPU and wall seconds, failures.

    Transactions recorded with round trips (:data:`SYNC`, PostgreSQL) are sent the same
    way: in psycopg's pipeline mode, a sync where the desk synced. ``pipelined`` sends
    each transaction in one round trip instead: the least pipelining could give (the desk
    needs a read's result before it decides its next statement). ``server_cpu`` is the
    CPU time of the connection's PostgreSQL backend (``None`` when it cannot be read).
    With a ``barrier``, the replay starts when every party is ready.
    """
    connection = _raw_connection(kind, where)
    backends = [_backend_pid(connection)] if kind == "postgres" else []
    failed = 0
    piped = kind == "postgres" and (
        pipelined or any(sql == SYNC for statements in transactions for sql, _ in statements)
    )
    with contextlib.ExitStack() as stack:
        pipeline = stack.enter_context(connection.pipeline()) if piped else None
        _settle_heap()
        if barrier is not None:
            barrier.wait()
        server = _backend_cpu(backends)
        began, cpu = time.perf_counter(), time.process_time()
        for statements in transactions:
            try:
                if pipeline is None:
                    for sql, params in statements:
                        if isinstance(params, Many):
                            _execute_many(connection, sql, params)
                            continue
                        cursor = connection.execute(sql, params)
                        if cursor.description is not None:
                            cursor.fetchall()
                    continue
                sent = []
                for sql, params in statements:
                    if sql == SYNC:
                        if not pipelined:
                            pipeline.sync()
                        continue
                    if isinstance(params, Many):
                        _execute_many(connection, sql, params)
                        continue
                    sent.append(connection.execute(sql, params))
                if pipelined or statements[-1][0] != SYNC:
                    pipeline.sync()
                for cursor in sent:
                    if cursor.description is not None:
                        cursor.fetchall()
            except Exception:
                failed += 1
                if pipeline is not None:
                    with contextlib.suppress(Exception):
                        pipeline.sync()
                connection.execute("ROLLBACK")
                if pipeline is not None:
                    pipeline.sync()
        seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu
        server_cpu = _spent(server, _backend_cpu(backends)) if server else None
    connection.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": server_cpu,
        "failed": failed,
        "start": time.time() - seconds,
    }


def _fresh(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return str(folder / f"floor-{uuid.uuid4().hex[:8]}.db")
    return f"floor_{uuid.uuid4().hex[:12]}"


def _open_recorded(kind: str, where: str, worker: int) -> tuple[OrderDesk, Recorder]:
    """A desk whose connections record; opened after the schema exists, so only work shows."""
    _open(kind, where, worker).close()  # migrate first, unrecorded
    desk = _open(kind, where, worker)
    recorder = Recorder()
    recorder.install(desk.storage)  # the pool is still empty: every connection records
    return desk, recorder


FLOOR_CUSTOMERS = 50


def _floor_setup(desk: OrderDesk, orders: int, skus: list[str]) -> None:
    open_sample_shop(desk)
    for sku in skus:
        if sku not in ("MUG", "TEAPOT", "LAMP", "RUG"):
            product, price = sample_products()[0]
            desk.register_product(
                attrs.evolve(product, sku=Sku(sku)), price, command_id=f"bench-product-{sku}"
            )
        desk.receive_stock(sku, "WH-EAST/A1", orders * MUGS_PER_ORDER, command_id=f"bs-{sku}")
    for c in range(FLOOR_CUSTOMERS):
        desk.register_customer(_customer(c), command_id=f"bench-customer-{c}")


def _allocate_flow(desk: OrderDesk, customer: int, sku: str) -> int:
    order_id = desk.place_order(f"C-W{customer}", {sku: MUGS_PER_ORDER}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    return 3


def _cycle_flow(desk: OrderDesk, customer: int, sku: str) -> int:
    _cycle(desk, customer)
    return 10


FLOWS = {"allocate": _allocate_flow, "cycle": _cycle_flow}
FLOW_NAMES = {
    "allocate": f"place + confirm + allocate, {FLOOR_CUSTOMERS} customers",
    "cycle": "full place -> pay cycle",
}


def _settle_heap() -> None:
    """Collect everything before a timed window of the floor table.

    A full collection walks every live object of this process (30-70 ms here); at the
    default thresholds one comes every 4,000-6,000 desk commands, and which window it lands
    in depends on what the process ran before (earlier rounds, the in-memory desk, the
    replays). A window of 500 commands that caught one showed 0.06-0.14 ms more per command
    (issue 20: the record cache moved the third cycle round's collection into the desk's
    window). After a collection the generations' counts start from zero, so a window shows
    only the collections its own allocations make.
    """
    gc.collect()


def floor_run(kind: str, flow: str, orders: int, folder: Path) -> dict[str, Any]:
    """One process: the desk runs ``orders`` of ``flow``; the floor replays its transactions."""
    where = _fresh(kind, folder)
    desk, recorder = _open_recorded(kind, where, 0)
    _floor_setup(desk, orders, ["MUG"])
    setup = recorder.transactions()
    mark = recorder.mark()
    commands = 0
    server = _backend_cpu(recorder.backends)
    _settle_heap()
    began, cpu = time.perf_counter(), time.process_time()
    for n in range(orders):
        commands += FLOWS[flow](desk, n % FLOOR_CUSTOMERS if flow == "allocate" else 0, "MUG")
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu
    server_cpu = _spent(server, _backend_cpu(recorder.backends)) if server else None
    desk.close()
    work = recorder.transactions(mark)
    statements = sum(1 for t in work for sql, _ in t if sql != SYNC)
    memory_cpu = _memory_desk_cpu(flow, orders)
    floor_where = _fresh(kind, folder)
    _open(kind, floor_where, 0).close()
    replay(kind, floor_where, setup)
    floor = replay(kind, floor_where, work)
    piped: dict[str, Any] | None = None
    if kind == "postgres":
        # The same transactions again, each in one round trip (pipeline mode).
        piped_where = _fresh(kind, folder)
        _open(kind, piped_where, 0).close()
        replay(kind, piped_where, setup)
        piped = replay(kind, piped_where, work, pipelined=True)
        _drop(where)
        _drop(floor_where)
        _drop(piped_where)
    return {
        "storage": kind,
        "workload": flow,
        "commands": commands,
        "desk_commands_per_second": round(commands / seconds, 1),
        "desk_cpu_ms_per_command": round(1000 * cpu / commands, 3),
        "floor_commands_per_second": round(commands / floor["seconds"], 1),
        "desk_over_floor": round(seconds / floor["seconds"], 2),
        # The same ratio in CPU time of this process (on a loaded machine wall time mostly
        # measures the wait for a core; the database server's CPU is not counted).
        "floor_cpu_ms_per_command": round(1000 * floor["cpu"] / commands, 3),
        "desk_over_floor_cpu": round(cpu / max(floor["cpu"], 1e-9), 2),
        # The same commands on an in-memory desk: the desk's own Python cost per command
        # with no storage at all, against which the floor's ratio can be read.
        "memory_desk_cpu_ms_per_command": round(1000 * memory_cpu / commands, 3),
        "memory_desk_over_floor_cpu": round(memory_cpu / max(floor["cpu"], 1e-9), 2),
        "statements_per_command": round(statements / commands, 2),
        "transactions_per_command": round(len(work) / commands, 2),
        # PostgreSQL only: the CPU of the server processes serving the desk's and the
        # floor's connections (None when they cannot be read: SQLite, a remote server).
        "desk_server_cpu_ms_per_command": _per_command(server_cpu, commands),
        "floor_server_cpu_ms_per_command": _per_command(floor["server_cpu"], commands),
        # Every statement of the desk and of the floor is one round trip; the pipelined
        # floor sends each transaction's statements in one (PostgreSQL only).
        "round_trips_per_command": round(_round_trips(work) / commands, 2),
        "piped_round_trips_per_command": None if piped is None else round(len(work) / commands, 2),
        "piped_commands_per_second": None
        if piped is None
        else round(commands / piped["seconds"], 1),
        "piped_cpu_ms_per_command": None if piped is None else _per_command(piped["cpu"], commands),
        "piped_server_cpu_ms_per_command": (
            None if piped is None else _per_command(piped["server_cpu"], commands)
        ),
        "floor_failed": floor["failed"] + (0 if piped is None else piped["failed"]),
        "check": "ok" if floor["failed"] == 0 else f"{floor['failed']} replays failed",
    }


def _memory_desk_cpu(flow: str, orders: int) -> float:
    """CPU seconds of ``orders`` runs of ``flow`` on an in-memory desk set up the same way."""
    desk = _open("memory", "", 0)
    _floor_setup(desk, orders, ["MUG"])
    _settle_heap()
    cpu = time.process_time()
    for n in range(orders):
        FLOWS[flow](desk, n % FLOOR_CUSTOMERS if flow == "allocate" else 0, "MUG")
    cpu = time.process_time() - cpu
    desk.close()
    return cpu


def _per_command(seconds: float | None, commands: int) -> float | None:
    return None if seconds is None else round(1000 * seconds / max(commands, 1), 3)


def _floor_table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| storage / workload | desk commands/s | floor commands/s | desk ÷ floor"
        " | statements/command | transactions/command | desk CPU ms/command"
        " | floor CPU ms/command | desk ÷ floor, CPU | server CPU ms/command, desk | floor"
        " | in-memory desk CPU ms/command | in-memory desk ÷ floor, CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    piped = [
        "| storage / workload | round trips/command: desk and floor | pipelined floor"
        " | floor commands/s | pipelined | floor CPU ms/command, client | pipelined"
        " | server | pipelined |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r.get("piped_round_trips_per_command") is None:
            continue
        piped.append(
            f"| {r['storage']}, {FLOW_NAMES[r['workload']]} | {r['round_trips_per_command']} |"
            f" {r['piped_round_trips_per_command']} | {r['floor_commands_per_second']} |"
            f" {r['piped_commands_per_second']} | {r['floor_cpu_ms_per_command']} |"
            f" {r['piped_cpu_ms_per_command']} | {_cell(r['floor_server_cpu_ms_per_command'])} |"
            f" {_cell(r['piped_server_cpu_ms_per_command'])} |"
        )
    for r in rows:
        out.append(
            f"| {r['storage']}, {FLOW_NAMES[r['workload']]} | {r['desk_commands_per_second']} |"
            f" {r['floor_commands_per_second']} | {r['desk_over_floor']}x |"
            f" {r['statements_per_command']} | {r['transactions_per_command']} |"
            f" {r['desk_cpu_ms_per_command']} | {r['floor_cpu_ms_per_command']} |"
            f" {r['desk_over_floor_cpu']}x | {_cell(r.get('desk_server_cpu_ms_per_command'))} |"
            f" {_cell(r.get('floor_server_cpu_ms_per_command'))} |"
            f" {_cell(r.get('memory_desk_cpu_ms_per_command'))} |"
            f" {_times(r.get('memory_desk_over_floor_cpu'))} |"
        )
    if len(piped) > 2:
        out += ["", *piped]
    return "\n".join(out)


def _cell(value: float | None) -> str:
    return "n/a" if value is None else str(value)


def _times(value: float | None) -> str:
    return "n/a" if value is None else f"{value}x"


def _scale_worker(args: tuple[str, int, str, float, Any]) -> dict[str, Any]:
    where, worker, sku, seconds, barrier = args
    desk = _open("postgres", where, worker)
    recorder = Recorder()
    recorder.install(desk.storage)
    desk.customer(f"C-W{worker}")  # connect before the start, not inside the timed run
    commands, retries = 0, _counting_retries()
    gave_up = 0
    barrier.wait()  # every worker imported and connected: all start together
    server = _backend_cpu(recorder.backends)
    wall = time.time()
    began, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - began < seconds:
        try:
            commands += _allocate_flow(desk, worker, sku)
        except ConcurrencyError:  # every attempt met a concurrent change (hot data)
            gave_up += 1
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu
    server_cpu = _spent(server, _backend_cpu(recorder.backends)) if server else None
    desk.close()
    return {
        "commands": commands,
        "cpu": cpu,
        "server_cpu": server_cpu,
        "start": wall,
        "end": wall + elapsed,
        "retries": retries[0],
        "gave_up": gave_up,
        "transactions": recorder.transactions(),
    }


def _replay_worker(args: tuple[str, list[list[Any]], Any]) -> dict[str, Any]:
    where, transactions, barrier = args
    return replay("postgres", where, transactions, barrier)


class WaitSampler:
    """Samples what this database's busy backends wait for, every ``every`` seconds.

    It reads ``pg_stat_activity`` from a thread of the parent process while the workers
    run: a backend that is ``active`` and waits on a ``Lock`` or ``LWLock`` shows lock
    contention (``advisory``, ``transactionid``, ``tuple``: a hot row), ``IO`` shows
    commits waiting for the WAL flush, ``Client`` a backend idle in its transaction
    waiting for its client (the client's CPU).
    """

    def __init__(self, every: float = 0.02) -> None:
        import threading

        self.every = every
        self.samples = 0
        self.waits: dict[str, int] = {}
        self.lock_queries: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(os.environ[DSN_VARIABLE], autocommit=True) as connection:
            while not self._stop.wait(self.every):
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event, left(query, 90)"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend'"
                ).fetchall()
                self.samples += 1
                for state, kind, event, query in rows:
                    key = f"{state}: {kind or 'CPU'}/{event or '-'}"
                    self.waits[key] = self.waits.get(key, 0) + 1
                    if kind == "Lock":  # which statement waits: names the hot row
                        key = f"{event}: {' '.join(query.split())}"
                        self.lock_queries[key] = self.lock_queries.get(key, 0) + 1

    def per_sample(self) -> dict[str, float]:
        """How many backends were in each state and wait, on average over the samples
        (they sum to about the number of workers)."""
        n = max(self.samples, 1)
        return {k: round(v / n, 2) for k, v in sorted(self.waits.items(), key=lambda i: -i[1])}


def scale_run(workers: int, hot: bool, seconds: float, folder: Path) -> dict[str, Any]:
    """PostgreSQL: ``workers`` processes placing, confirming and allocating for ``seconds``.

    Each worker has its own customer; on disjoint data also its own SKU, on hot data all
    take the one SKU. The floor replays each worker's recorded transactions, the workers
    again in parallel, on a fresh schema set up by the same recorded set-up. Desk workers
    and floor replays each start together (a barrier after start-up), so process start-up
    is outside the measured window of both.
    """
    where = _fresh("postgres", folder)
    desk, recorder = _open_recorded("postgres", where, 99)
    skus = ["MUG"] if hot else [f"SKU-W{w}" for w in range(workers)]
    _floor_setup(desk, int(400 * seconds), skus)
    setup = recorder.transactions()
    desk.close()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(workers) as pool:
        # This process is a party too: it samples the backends from the start on.
        barrier = manager.Barrier(workers + 1)
        jobs = [(where, w, skus[0] if hot else skus[w], seconds, barrier) for w in range(workers)]
        running = pool.map_async(_scale_worker, jobs)
        barrier.wait()
        with WaitSampler() as sampler:
            parts = running.get()
        commands = sum(p["commands"] for p in parts)
        elapsed = max(p["end"] for p in parts) - min(p["start"] for p in parts)
        floor_where = _fresh("postgres", folder)
        _open("postgres", floor_where, 0).close()
        replay("postgres", floor_where, setup)
        barrier = manager.Barrier(workers)
        replays = pool.map(
            _replay_worker, [(floor_where, p["transactions"], barrier) for p in parts]
        )
    floor_elapsed = max(r["start"] + r["seconds"] for r in replays) - min(
        r["start"] for r in replays
    )
    _drop(where)
    _drop(floor_where)
    desk_cpu = sum(p["cpu"] for p in parts)
    floor_cpu = sum(r["cpu"] for r in replays)
    servers = [p["server_cpu"] for p in parts]
    desk_server = None if None in servers else sum(servers)
    floor_servers = [r["server_cpu"] for r in replays]
    floor_server = None if None in floor_servers else sum(floor_servers)
    return {
        "workers": workers,
        "data": "hot SKU" if hot else "disjoint",
        "commands": commands,
        "desk_commands_per_second": round(commands / elapsed, 1),
        "floor_commands_per_second": round(commands / floor_elapsed, 1),
        # CPU accounting: the client processes, and the server processes serving them
        # (their backends, read from /proc; None for a server on another machine), per
        # command and as cores kept busy on average (of the machine's os.cpu_count(): a
        # sum near that count means the machine, not the code, is the limit).
        "desk_cpu_ms_per_command": _per_command(desk_cpu, commands),
        "desk_client_cores": round(desk_cpu / elapsed, 2),
        "desk_server_cpu_ms_per_command": _per_command(desk_server, commands),
        "desk_server_cores": None if desk_server is None else round(desk_server / elapsed, 2),
        "floor_cpu_ms_per_command": _per_command(floor_cpu, commands),
        "floor_client_cores": round(floor_cpu / floor_elapsed, 2),
        "floor_server_cpu_ms_per_command": _per_command(floor_server, commands),
        "floor_server_cores": (
            None if floor_server is None else round(floor_server / floor_elapsed, 2)
        ),
        # What the desk's backends were doing, averaged over samples every 20 ms.
        "desk_backends": sampler.per_sample(),
        "desk_lock_waits": sampler.lock_queries,
        "retried_commands": sum(p["retries"] for p in parts),
        "gave_up": sum(p["gave_up"] for p in parts),
        "floor_failed": sum(r["failed"] for r in replays),
        "check": "ok" if not sum(r["failed"] for r in replays) else "floor replays failed",
    }


def _scale_table(rows: list[dict[str, Any]]) -> str:
    base: dict[str, dict[str, float]] = {}
    for r in rows:
        if r["workers"] == 1:
            base[r["data"]] = r
    out = [
        "| data | workers | desk commands/s | × 1 worker | floor commands/s | × 1 worker"
        " | desk gain ÷ floor gain | desk CPU ms/command, client | server"
        " | desk cores busy, client | server | floor cores busy, client | server"
        " | retried | gave up | floor replays failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b = base.get(r["data"])
        desk_x = r["desk_commands_per_second"] / b["desk_commands_per_second"] if b else 0
        floor_x = r["floor_commands_per_second"] / b["floor_commands_per_second"] if b else 0
        gain = (desk_x - 1) / (floor_x - 1) if floor_x > 1 and r["workers"] > 1 else float("nan")
        out.append(
            f"| {r['data']} | {r['workers']} | {r['desk_commands_per_second']} | {desk_x:.2f} |"
            f" {r['floor_commands_per_second']} | {floor_x:.2f} | {gain:.2f} |"
            f" {r['desk_cpu_ms_per_command']} | {_cell(r['desk_server_cpu_ms_per_command'])} |"
            f" {r['desk_client_cores']} | {_cell(r['desk_server_cores'])} |"
            f" {r['floor_client_cores']} | {_cell(r['floor_server_cores'])} |"
            f" {r['retried_commands']} | {r['gave_up']} | {r['floor_failed']} |"
        )
    return "\n".join(out)


#: How the sampled backend states group into the columns of :func:`_waits_table`.
WAIT_GROUPS = (
    # In pipeline mode a backend between the statements of one round trip is "active",
    # waiting for the rest from its client.
    (
        "in a transaction, waiting for its client",
        lambda k: k.startswith("idle in transaction") or k == "active: Client/ClientRead",
    ),
    ("between transactions", lambda k: k.startswith("idle:")),
    ("running a statement", lambda k: k == "active: CPU/-"),
    ("waiting for the WAL (commit)", lambda k: "WAL" in k),
    ("waiting for a lock", lambda k: ": Lock/" in k),
    ("other (LWLock, IO)", lambda k: True),
)


def _waits_table(rows: list[dict[str, Any]]) -> str:
    """What the desk's backends did during the scaling runs (averages over the samples)."""
    out = [
        "| data | workers | " + " | ".join(name for name, _ in WAIT_GROUPS) + " | locks seen |",
        "|---|---:|" + "---:|" * len(WAIT_GROUPS) + "---|",
    ]
    for r in rows:
        sums = [0.0] * len(WAIT_GROUPS)
        for key, share in r["desk_backends"].items():
            n = next(i for i, (_, test) in enumerate(WAIT_GROUPS) if test(key))
            sums[n] += share
        locks = ", ".join(
            f"{k.split('/', 1)[1]} {v}" for k, v in r["desk_backends"].items() if ": Lock/" in k
        )
        out.append(
            f"| {r['data']} | {r['workers']} | "
            + " | ".join(f"{x:.2f}" for x in sums)
            + f" | {locks or 'none'} |"
        )
    return "\n".join(out)


def floor_main(args: argparse.Namespace, kinds: list[str]) -> int:
    """The ``--only floor`` mode: the desk-vs-floor table and PostgreSQL scaling."""
    rows, scale = [], []
    with tempfile.TemporaryDirectory() as folder:
        for kind in [k for k in kinds if k in args.floor_storages]:
            for flow in FLOWS:
                orders = args.floor_orders if flow == "allocate" else max(args.floor_orders // 4, 1)
                runs = [floor_run(kind, flow, orders, Path(folder)) for _ in range(args.rounds)]
                row = _median(runs, "desk_commands_per_second")
                rows.append(row)
                print(
                    f"  {kind} {flow}: desk {row['desk_commands_per_second']}/s,"
                    f" floor {row['floor_commands_per_second']}/s",
                    flush=True,
                )
        if "postgres" in kinds and "postgres" in args.floor_storages:
            for hot in (False, True):
                for workers in args.scale_workers:
                    runs = [
                        scale_run(workers, hot, args.seconds, Path(folder))
                        for _ in range(args.rounds)
                    ]
                    row = _median(runs, "desk_commands_per_second")
                    row["floor_rounds"] = sorted(r["floor_commands_per_second"] for r in runs)
                    scale.append(row)
                    print(
                        f"  postgres x{workers} {row['data']}: desk"
                        f" {row['desk_commands_per_second']}/s,"
                        f" floor {row['floor_commands_per_second']}/s",
                        flush=True,
                    )
    tables = [_floor_table(rows)] + ([_scale_table(scale), _waits_table(scale)] if scale else [])
    print()
    print("\n\n".join(tables))
    FLOOR_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    FLOOR_RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "service floor",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "rows": rows,
                "table": tables[0],
                "scale_rows": scale,
                "scale_table": tables[1] if scale else "",
                "waits_table": tables[2] if scale else "",
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all(r["check"] == "ok" for r in rows) else 1


def _drop(schema: str) -> None:
    import psycopg

    with psycopg.connect(os.environ[DSN_VARIABLE], autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _median(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    runs = sorted(runs, key=lambda r: r[key])
    row = dict(runs[len(runs) // 2])
    row["rounds"] = [r[key] for r in runs]
    row["check"] = "ok" if all(r["check"] == "ok" for r in runs) else row["check"]
    return row


CONFIRM_RESULTS = Path(__file__).parent / "results" / "service-confirm.json"


def run_confirm(kind: str, open_orders: int, samples: int, folder: Path) -> dict[str, Any]:
    """Time ``confirm_order`` for one customer who already has ``open_orders`` confirmed,
    uninvoiced orders (the credit check's exposure): median CPU and wall time of
    ``samples`` confirmations; the orders behind them are placed first, untimed."""
    schema = f"bench_confirm_{uuid.uuid4().hex[:12]}"
    if kind == "memory":
        desk = OrderDesk.in_memory(
            clock=SteppableClock(START), ids=SequentialIdFactory(), roundtrip=False
        )
    else:
        where = str(folder / f"{schema}.db") if kind == "sqlite" else schema
        desk = _open(kind, where, 0)
    try:
        _prepare(desk, 1, open_orders + samples)
        customer_id = _customer(0).id
        for _ in range(open_orders):
            desk.confirm_order(desk.place_order(customer_id, {"MUG": 1}).aggregate_id)
        cpu, wall = [], []
        for _ in range(samples):
            order_id = desk.place_order(customer_id, {"MUG": 1}).aggregate_id
            c0, w0 = time.process_time(), time.perf_counter()
            result = desk.confirm_order(order_id)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
            assert result["credit"] == "approve", result.notes
        # The exposure kept in the account: every order confirmed, one mug (9.50) each.
        exposure = getattr(desk.account(customer_id), "exposure", None)
        expected = Money("9.50", "USD") * (open_orders + samples)
        check = "ok" if exposure in (expected, None) else f"exposure {exposure}"
    finally:
        if kind == "postgres":
            _drop(schema)
    return {
        "storage": kind,
        "open_orders": open_orders,
        "samples": samples,
        "cpu_ms_median": round(sorted(cpu)[len(cpu) // 2] * 1000, 2),
        "wall_ms_median": round(sorted(wall)[len(wall) // 2] * 1000, 2),
        "check": check,
    }


def _confirm_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| storage | open orders of the customer | confirm CPU ms (median) |"
        " confirm wall ms (median) | check |",
        "|---|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['storage']} | {r['open_orders']:,} | {r['cpu_ms_median']} |"
            f" {r['wall_ms_median']} | {r['check']} |"
        )
    return "\n".join(lines)


def main_confirm(kinds: list[str], open_orders: list[int], samples: int) -> int:
    """The confirmation table: ``confirm_order`` time against the open orders of the
    customer (flat: the credit check reads the account, not the orders)."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            for n in open_orders:
                row = run_confirm(kind, n, samples, Path(folder))
                rows.append(row)
                print(f"  {kind} {n}: {row['cpu_ms_median']} ms CPU ({row['check']})", flush=True)
    table = _confirm_table(rows)
    print()
    print(table)
    CONFIRM_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    CONFIRM_RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "service-confirm",
                "unit": "milliseconds per confirm_order, median of the samples",
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


def main(argv: list[str] | None = None) -> int:
    """Run every configuration, print the tables and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=120, help="orders per configuration")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=3, help="runs per configuration (median)")
    parser.add_argument("--commands", type=int, default=200, help="desk commands per row")
    parser.add_argument(
        "--only",
        choices=["orders", "commands", "confirm", "queries", "floor"],
        help="run one table only",
    )
    parser.add_argument(
        "--open-orders",
        type=int,
        nargs="+",
        default=[10, 100, 1000, 10000],
        help="open orders per customer for the confirmation table (--only confirm)",
    )
    parser.add_argument("--samples", type=int, default=15, help="timed confirmations per row")
    parser.add_argument(
        "--query-orders", type=int, default=100_000, help="orders in the listing benchmark"
    )
    parser.add_argument("--floor-orders", type=int, default=200, help="orders per floor row")
    parser.add_argument("--scale-workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per scaling run")
    parser.add_argument(
        "--floor-storages",
        nargs="+",
        choices=["sqlite", "postgres"],
        default=["sqlite", "postgres"],
        help="storages of the floor table (--only floor)",
    )
    parser.add_argument("--dsn", help=f"PostgreSQL database (default: ${DSN_VARIABLE})")
    args = parser.parse_args(argv)
    if args.dsn:
        os.environ[DSN_VARIABLE] = args.dsn  # the worker processes read it too
    kinds = ["memory", "sqlite"]
    if os.environ.get(DSN_VARIABLE):
        kinds.append("postgres")
    else:
        print(f"(PostgreSQL skipped: set {DSN_VARIABLE} or --dsn to include it)")
    if args.only == "confirm":
        return main_confirm(kinds, args.open_orders, args.samples)
    if args.only == "queries":
        return run_queries_table(kinds[1:], args.query_orders)
    if args.only == "floor":
        return floor_main(args, kinds)
    configs = [("memory", 1)] + [(k, w) for k in kinds[1:] for w in args.workers]
    rows, command_rows = [], []
    with tempfile.TemporaryDirectory() as folder:
        for kind, workers in configs if args.only != "commands" else []:
            runs = [run(kind, workers, args.orders, Path(folder)) for _ in range(args.rounds)]
            row = _median(runs, "orders_per_second")
            rows.append(row)
            print(
                f"  {kind} x{workers}: {row['orders_per_second']} orders/s ({row['check']})",
                flush=True,
            )
        for kind in kinds if args.only != "orders" else []:
            for name in DESK_COMMANDS:
                runs = [
                    run_command(kind, name, args.commands, Path(folder)) for _ in range(args.rounds)
                ]
                row = _median(runs, "commands_per_second")
                command_rows.append(row)
                print(
                    f"  {kind} {name}: {row['commands_per_second']} commands/s ({row['check']})",
                    flush=True,
                )
    tables = []
    if rows:
        tables.append(_table(rows))
    if command_rows:
        tables.append(_command_table(command_rows))
    print()
    print("\n\n".join(tables))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "service",
                "unit": "orders per second, place to pay (10 commands per order), median run;"
                " desk commands per second, one process, median run",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "rows": rows,
                "table": _table(rows) if rows else "",
                "command_rows": command_rows,
                "command_table": _command_table(command_rows) if command_rows else "",
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all(r["check"] == "ok" for r in rows + command_rows) else 1


# --- listing queries on 100,000 orders ---------------------------------------------------

QUERY_REPEATS = 200
STATES = ("placed", "confirmed", "allocated", "shipped", "completed", "canceled")
STATE_WEIGHTS = (10, 5, 5, 10, 68, 2)


def _view_rows(n: int) -> list[tuple[Any, ...]]:
    """``(key, version, sort, terms, data)`` of ``n`` synthetic orders (fixed seed)."""
    import random

    from ordercycle.storage.views import ViewRow, sort_text

    rng = random.Random(20261206)
    rows = []
    for i in range(n):
        placed = START + timedelta(minutes=i)
        skus = sorted({f"SKU-{rng.randrange(50):02d}" for _ in range(rng.randint(1, 3))})
        state = rng.choices(STATES, STATE_WEIGHTS)[0]
        customer = f"C-{rng.randrange(1000):04d}"
        channel = rng.choice(("web", "edi", "phone"))
        data = {
            "order_id": f"O-{i + 1}",
            "customer_id": customer,
            "channel": channel,
            "state": state,
            "placed_at": placed.isoformat(),
            "currency": "USD",
            "total": "19.00",
            "units": 2,
            "skus": skus,
        }
        row = ViewRow(
            view="orders",
            key=f"O-{i + 1}",
            version=5,
            sort=sort_text(placed),
            terms=(
                ("state", state),
                ("customer", customer),
                ("channel", channel),
                *(("sku", sku) for sku in skus),
            ),
            data=json.dumps(data, sort_keys=True),
        )
        rows.append((row.key, row.version, row.sort, row.terms, row.data))
    return rows


def _bulk_load(desk: OrderDesk, kind: str, n: int) -> float:
    """Insert the rows with the driver's ``executemany``; return the seconds it took."""
    from ordercycle.service._views import META, VIEWS_VERSION
    from ordercycle.storage.views import ViewRow

    rows = _view_rows(n)
    started = time.perf_counter()
    storage: Any = desk.storage
    if kind == "sqlite":
        import sqlite3

        connection: Any = sqlite3.connect(storage.path)
        mark, prefix = "?", ""
    else:
        import psycopg

        connection = psycopg.connect(os.environ[DSN_VARIABLE])
        mark, prefix = "%s", f'"{storage.schema}".'
    with connection:
        cursor = connection.cursor()
        cursor.executemany(
            f"INSERT INTO {prefix}ordercycle_view_rows"
            " (view_name, row_key, version, sort_key, terms, data)"
            f" VALUES ('orders', {mark}, {mark}, {mark}, {mark}, {mark})",
            [(k, v, s, json.dumps(t), d) for k, v, s, t, d in rows],
        )
        cursor.executemany(
            f"INSERT INTO {prefix}ordercycle_view_terms"
            " (view_name, field, value, sort_key, row_key)"
            f" VALUES ('orders', {mark}, {mark}, {mark}, {mark})",
            [(f, value, s, k) for k, _v, s, terms, _d in rows for f, value in terms],
        )
    connection.close()
    # A live database is vacuumed and analyzed as it goes; a bulk load is not yet, so do
    # it once here (otherwise autovacuum wakes up in the middle of the timed queries).
    if kind == "sqlite":
        maintenance: Any = sqlite3.connect(storage.path, isolation_level=None)
        maintenance.execute("ANALYZE")
    else:
        maintenance = psycopg.connect(os.environ[DSN_VARIABLE], autocommit=True)
        for table in ("ordercycle_view_rows", "ordercycle_view_terms"):
            maintenance.execute(f"VACUUM ANALYZE {prefix}{table}")
    maintenance.close()
    with desk.storage.unit_of_work() as uow:
        uow.projections.put(  # type: ignore[attr-defined]
            ViewRow(view=META, key="listings", version=VIEWS_VERSION, sort="")
        )
    return time.perf_counter() - started


def _query_shapes(rng: Any, n: int) -> dict[str, Callable[[], dict[str, Any]]]:
    def customer() -> str:
        return f"C-{rng.randrange(1000):04d}"

    def sku() -> str:
        return f"SKU-{rng.randrange(50):02d}"

    def day() -> date:
        return (START + timedelta(minutes=rng.randrange(n))).date()

    return {
        "all orders, first page": dict,
        "state (10 % of orders)": lambda: {"state": "placed"},
        "customer (0.1 %)": lambda: {"customer_id": customer()},
        "sku (about 4 %)": lambda: {"sku": sku()},
        "customer + state": lambda: {"customer_id": customer(), "state": "completed"},
        "sku + channel + state": lambda: {"sku": sku(), "channel": "web", "state": "shipped"},
        "channel + rare state (2 %)": lambda: {"channel": "edi", "state": "canceled"},
        "placed in one day": lambda: {
            "placed_from": (d := day()),
            "placed_to": d + timedelta(days=1),
        },
        "customer + 30 days": lambda: {
            "customer_id": customer(),
            "placed_from": (d := day()),
            "placed_to": d + timedelta(days=30),
        },
    }


def run_queries(kind: str, n: int, folder: Path) -> list[dict[str, Any]]:
    """Time each query shape on ``n`` orders of one storage."""
    import random

    where = str(folder / "queries.db") if kind == "sqlite" else f"oc_q_{uuid.uuid4().hex[:12]}"
    desk = _open(kind, where, 0)
    try:
        load = _bulk_load(desk, kind, n)
        print(f"  {kind}: {n} order rows loaded in {load:.1f} s", flush=True)
        rng = random.Random(7)
        rows = []
        cursors: list[str] = []
        for name, shape in _query_shapes(rng, n).items():
            times, cpu, sizes = [], [], []
            for _ in range(QUERY_REPEATS):
                filters = shape()
                started, started_cpu = time.perf_counter(), time.process_time()
                page = desk.orders(limit=50, **filters)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                sizes.append(len(page))
                if page.next_cursor is not None and len(cursors) < QUERY_REPEATS:
                    cursors.append(page.next_cursor)
            rows.append(_query_row(kind, name, n, times, cpu, sizes))
        times, cpu, sizes = [], [], []
        for cursor in cursors:
            started, started_cpu = time.perf_counter(), time.process_time()
            page = desk.orders(limit=50, after=cursor)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            sizes.append(len(page))
        rows.append(_query_row(kind, "next page (after a cursor)", n, times, cpu, sizes))
        return rows
    finally:
        desk.close()
        if kind == "postgres":
            _drop(where)


def _query_row(
    kind: str, name: str, n: int, times: list[float], cpu: list[float], sizes: list[int]
) -> dict[str, Any]:
    times, cpu = sorted(times), sorted(cpu)
    return {
        "storage": kind,
        "query": name,
        "orders": n,
        "runs": len(times),
        "mean_rows": round(sum(sizes) / max(len(sizes), 1), 1),
        "p50_ms": round(times[len(times) // 2] * 1000, 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 2),
        "cpu_p50_ms": round(cpu[len(cpu) // 2] * 1000, 2),
        "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95) - 1] * 1000, 2),
        "check": "ok" if times[int(len(times) * 0.95) - 1] < 0.020 else "over 20 ms",
    }


def _queries_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| storage | query (page of 50) | orders | rows/page | p50 ms | p95 ms"
        " | CPU p50 ms | CPU p95 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['storage']} | {r['query']} | {r['orders']:,} | {r['mean_rows']} |"
            f" {r['p50_ms']} | {r['p95_ms']} | {r['cpu_p50_ms']} | {r['cpu_p95_ms']} |"
        )
    return "\n".join(lines)


def run_queries_table(kinds: list[str], n: int) -> int:
    """Run the listing benchmark on each storage; print and write the table."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            rows += run_queries(kind, n, Path(folder))
    table = _queries_table(rows)
    print()
    print(table)
    path = RESULTS.with_name("service-queries.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "benchmark": "service queries",
                "unit": "wall milliseconds per desk.orders(limit=50) call",
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
