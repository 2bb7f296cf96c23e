"""The story told by ``python -m ordercycle demo``.

Each chapter is a function that uses the public API exactly as a user would and returns
the lines it prints, so the demo doubles as an end-to-end smoke test of the library.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from ordercycle import Q_
from ordercycle.money import Currency, Money, Rounding
from ordercycle.units import to_exact

__all__ = ["CHAPTERS", "run_demo"]

Chapter = Callable[[], list[str]]


class Pre(str):
    """A preformatted line (a table row, a diagram): printed as it is, never wrapped."""

    __slots__ = ()


def _money() -> list[str]:
    lines = ["Money is Decimal with ISO 4217 minor units, and splits sum exactly."]
    freight = Money("10.00", "USD")
    parts = freight.allocate([1, 1, 1])
    shown = " + ".join(str(part.amount) for part in parts)
    lines.append(f"  {freight} shared by 3 orders: {shown} = {Money.sum(parts, currency='USD')}")
    small = Money("0.07", "USD")
    largest = ", ".join(str(p.amount) for p in small.allocate([2, 3, 5]))
    robin = ", ".join(str(p.amount) for p in small.allocate([2, 3, 5], method="round_robin"))
    lines.append(f"  {small} split 2:3:5: {largest} by largest remainder, {robin} round-robin")
    tax = Money("1.50", "USD") * Decimal("0.07")
    lines.append(
        f"  7 % tax on 1.50 USD is {tax.amount} before rounding:"
        f" {tax.round().amount} half-up, {tax.round(Rounding.HALF_EVEN).amount} half-even"
    )
    exponents = ", ".join(
        f"{code} {Currency.of(code).exponent}" for code in ("JPY", "USD", "KWD", "CLF")
    )
    lines.append(f"  minor-unit digits: {exponents}")
    return lines


def _decimal(value: Fraction) -> str:
    """Show an exact fraction with a finite decimal expansion as a decimal number."""
    return str(Decimal(value.numerator) / Decimal(value.denominator))


def _units() -> list[str]:
    lines = ["Quantities carry units and are converted exactly, once, at the boundary."]
    side = Q_(15, "in")
    weight = Q_(5, "lb")
    lines.append(
        f"  {side} is exactly {_decimal(to_exact(side, 'mm'))} mm;"
        f" {weight} is exactly {_decimal(to_exact(weight, 'g'))} g"
    )
    volume = to_exact(Q_(12, "in"), "in") ** 3
    lines.append(f"  a 12 in cube holds exactly {volume} in³ (the USPS threshold is 1728)")
    return lines


def _lifecycle() -> list[str]:
    from ordercycle.errors import TransitionNotAllowedError
    from ordercycle.lifecycle import Lifecycle

    shipment = Lifecycle.build(
        "shipment",
        initial="created",
        final=["delivered", "returned_to_sender"],
        transitions=[
            ("ship", "created", "in_transit"),
            ("deliver", "in_transit", "delivered"),
            ("bounce", "in_transit", "returned_to_sender"),
        ],
    )
    lines = ["State machines are data: validated when defined, and they draw themselves."]
    state = "created"
    for event in ("ship", "deliver"):
        after = shipment.next_state(state, event, subject="shipment S-1")
        lines.append(f"  shipment S-1: {state} --{event}--> {after}")
        state = after
    try:
        shipment.next_state(state, "ship", subject="shipment S-1")
    except TransitionNotAllowedError as refused:
        lines.append(f"  refused: {refused}")
    lines.append("  Mermaid:")
    lines.extend(Pre("    " + row) for row in shipment.to_mermaid().splitlines())
    return lines


def _orders() -> list[str]:
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from ordercycle.errors import TransitionNotAllowedError
    from ordercycle.model.address import Address
    from ordercycle.model.order import Order
    from ordercycle.model.order.lines import NewLine
    from ordercycle.money import Money

    times = iter(datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(hours=h) for h in range(99))
    home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
    order, history = Order.create(
        "O-17",
        customer_id="C-3",
        currency="USD",
        shipping_address=home,
        at=next(times),
        lines=[
            NewLine("L1", "MUG-12", 4, Money("9.50", "USD")),
            NewLine("L2", "TEE-M", 2, Money("20.00", "USD")),
        ],
    )
    events = list(history)
    lines = ["An order is a frozen value; every command returns the new order and its events."]

    def run(command: str, *args: object, **kwargs: object) -> None:
        nonlocal order
        order, new = getattr(order, command)(*args, at=next(times), **kwargs)
        events.extend(new)
        names = ", ".join(type(e).__name__ for e in new)
        lines.append(f"  {command}: {order.state}, v{order.version} ({names})")

    run("place")
    run("confirm")
    run("hold", "credit", by="ana", note="over the limit")
    try:
        order.release(at=next(times))
    except TransitionNotAllowedError as refused:
        lines.append(f"  refused: {refused}")
    run("release_hold", "credit", by="ana")
    run("release")
    for step in ("allocate", "pick", "pack", "ship", "deliver"):
        run(step, "L1", 4)
        run(step, "L2", 2)
    run("record_invoice", "INV-1", {"L1": 4, "L2": 2})
    run("request_return", "RMA-1", line_id="L1", quantity=1, reason="chipped")
    run("authorize_return", "RMA-1", restocking_fee_rate=Decimal("0.15"))
    run("receive_return", "RMA-1", "damaged")
    run("record_credit", "CN-1", {"L1": 1}, restocking_fee_rate=Decimal("0.15"))
    run("record_payment", "PAY-1", order.amount_due)
    run("complete")
    lines.extend(Pre("  " + row) for row in order.describe().splitlines())
    lines.append(
        f"  replay of {len(events)} events equals the live order: {Order.replay(events) == order}"
    )
    return lines


def _allocation() -> list[str]:
    from datetime import UTC, date, datetime

    from ordercycle.errors import ConcurrencyError
    from ordercycle.inventory import (
        AllocationStrategy,
        Demand,
        Lot,
        Network,
        StockLedger,
        plan_allocation,
    )
    from ordercycle.model.ids import LotId, Sku

    def lot(name: str, received: date, expires: date) -> Lot:
        return Lot(Sku("MILK"), LotId(name), received, expires)

    network = Network.simple(["WH-A", "WH-B"], priorities={"WH-A": 0, "WH-B": 1})
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    ledger = StockLedger(network)
    for sku, bin_id, units, batch in (
        ("MILK", "WH-A/01", 4, lot("A-0310", date(2026, 2, 20), date(2026, 3, 10))),
        ("MILK", "WH-A/01", 3, lot("A-0401", date(2026, 2, 25), date(2026, 4, 1))),
        ("MILK", "WH-B/01", 6, lot("B-0415", date(2026, 2, 27), date(2026, 4, 15))),
        ("MUG", "WH-A/01", 6, None),
        ("MUG", "WH-B/01", 2, None),
    ):
        ledger.receive(sku, bin_id, units, lot=batch, at=now)
    lines = [
        "Allocation is a pure, explained plan over a stock snapshot; applying it is"
        " compare-and-set, so stock can never be oversold.",
    ]
    demand = Demand.of("O-17", {"MILK": 8, "MUG": 9}, min_shelf_life_days=14)
    snapshot = ledger.snapshot(at=now)
    plan = plan_allocation(demand, snapshot, AllocationStrategy.fewest_shipments())
    lines.extend(Pre("  " + row) for row in plan.explain().splitlines())
    ledger.apply_plan(plan, at=now)
    lines.append(
        f"  applied: MILK available {ledger.available('MILK', at=now)}, MUG available"
        f" {ledger.available('MUG', at=now)}; {plan.backordered} unit backordered"
    )
    rival = plan_allocation(
        Demand.of("O-18", {"MUG": 1}), snapshot, AllocationStrategy.fewest_shipments()
    )
    try:
        ledger.apply_plan(rival, at=now)
    except ConcurrencyError as stale:
        lines.append(f"  a plan made on the old snapshot is refused: {stale}")
    return lines


def _simulation() -> list[str]:
    try:
        from ordercycle.simulation import Scenario, simulate
    except ImportError:  # pragma: no cover - the demo extra is part of the quick start
        return ["The simulation needs SimPy: pip install 'ordercycle[demo]'."]

    scenario = Scenario.default(
        seed=7,
        orders=200,
        days=5,
        orders_per_day=40.0,
        drain_days=45,
        short_pick_rate=0.02,
        cancel_rate=0.03,
    )
    result = simulate(scenario)
    lines = [
        "The same desk, driven through five simulated days by SimPy: 200 orders from 90"
        " customers, two warehouses with (s, S) replenishment, waves at 10, 14 and 18 h,"
        " 2 % short picks and 3 % cancellations, then 45 days to deliver and collect."
        " Seeded: every run prints the same numbers.",
    ]
    shown = (
        ("order_fill_rate", "{:.1%}"),
        ("on_time_in_full", "{:.1%}"),
        ("cycle_time_mean", "{:.2f} days"),
        ("cartons_per_order", "{:.2f}"),
        ("shipping_cost_per_order", "{:.2f} USD"),
        ("dso", "{:.1f} days"),
        ("order_to_cash_days", "{:.1f} days"),
    )
    for name, form in shown:
        value = result.kpi(name)
        lines.append(Pre(f"  {name:<24} {form.format(value) if value is not None else '-'}"))
    orders = ", ".join(f"{n} {state}" for state, n in sorted(result.conservation["orders"].items()))
    invoices = ", ".join(
        f"{n} {state}" for state, n in sorted(result.conservation["invoices"].items())
    )
    lines.append(f"  at the end: orders {orders}; invoices {invoices}")
    return lines


def _changes() -> list[str]:
    from datetime import UTC, datetime

    from ordercycle.examples.shop import open_sample_shop
    from ordercycle.model import SteppableClock
    from ordercycle.service import OrderDesk

    desk = OrderDesk.in_memory(clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    open_sample_shop(desk)
    lines = [
        "After confirmation an order can still change: the desk amends it as a new revision"
        " and makes the stock and invoice corrections the change implies; a count keeps the"
        " books in step with the shelves and never oversells.",
    ]
    order_id = desk.place_order("C-BOLT", {"TEAPOT": 10, "MUG": 2}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    desk.invoice_order(order_id)
    amended = desk.amend_order(
        order_id,
        [
            {"action": "set_quantity", "line_id": "L1", "quantity": 6},
            {"action": "add_line", "sku": "LAMP", "quantity": 1},
        ],
        note="customer call",
    )
    lines.append(
        f"  amend {order_id} (revision {amended['revision']}): credit notes"
        f" {', '.join(amended['credit_notes'])}, extra invoice {amended['invoice_id']}"
    )
    lines.extend(Pre("    " + note) for note in amended.notes[:4])
    other = desk.place_order("C-ACME", {"TEAPOT": 6}).aggregate_id
    desk.confirm_order(other)
    desk.allocate_order(other)
    counted = desk.count_stock("TEAPOT", "WH-WEST/A2", 4)
    lines.extend(Pre("  " + note) for note in counted.notes)
    lines.append(f"  waiting for TEAPOT now: {', '.join(desk.backlog('TEAPOT')) or 'none'}")
    return lines


def _discount_and_freight() -> list[str]:
    from datetime import UTC, datetime

    from ordercycle.examples.shop import open_sample_shop
    from ordercycle.model import SteppableClock
    from ordercycle.service import OrderDesk

    desk = OrderDesk.in_memory(clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)))
    open_sample_shop(desk)
    lines = [
        "A promotion code takes its discount off the lines it covers at placement; the"
        " order's shipping method turns the cartons' billable weight into a freight charge,"
        " billed on an invoice of its own when the shipment ships.",
    ]
    desk.register_promotion("SPRING10", percent=10, scope="sku", target="MUG")
    placed = desk.place_order(
        "C-CAFE", {"MUG": 10}, promotion_code="SPRING10", shipping_method="UPS-GROUND"
    )
    order_id = placed.aggregate_id
    line = desk.order(order_id).line("L1")
    lines.append(
        f"  place {order_id}: 10 MUG at {line.unit_price} with {placed['promotion']}"
        f" ({line.price_terms}): {placed['total']}, shipping UPS-GROUND"
    )
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    goods = desk.invoice_order(order_id)
    wave = desk.release_wave("WH-EAST", [order_id]).aggregate_id
    desk.confirm_picks(wave)
    shipment_id = desk.pack_order(order_id, wave).aggregate_id
    cartons = ", ".join(
        f"{p.carton} ({p.billable_weight} lb billable)" for p in desk.shipment(shipment_id).parcels
    )
    shipped = desk.ship_shipment(shipment_id, "1Z-DEMO")
    lines.append(f"  ship {shipment_id} in {cartons}")
    lines.append(
        f"  goods invoice {goods['invoice_id']}: {goods['total']};"
        f" freight invoice {shipped['freight_invoice_id']}: {shipped['freight']}"
    )
    lines.append(f"  {order_id} amount due (goods + freight): {desk.order(order_id).amount_due}")
    return lines


CHAPTERS: tuple[tuple[str, Chapter], ...] = (
    ("Money", _money),
    ("Units", _units),
    ("Lifecycles", _lifecycle),
    ("An order's life", _orders),
    ("Stock across two warehouses", _allocation),
    ("A simulated week", _simulation),
    ("Changes after confirmation and a stock count", _changes),
    ("A promotion code and a freight charge", _discount_and_freight),
)


def _without_password(url: str) -> str:
    """The URL as the report shows it: its password, if any, replaced by ``***``.

    >>> _without_password("postgresql://shop:s3cret@db.example/shop")
    'postgresql://shop:***@db.example/shop'
    >>> _without_password("sqlite:///shop.db")
    'sqlite:///shop.db'
    """
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def run_demo(*, width: int = 78, db: str | None = None) -> str:
    """Run the order-to-cash story on SQLite, then the chapters, and return the report.

    Args:
        width: Report width in characters (prose is wrapped; tables are not).
        db: Storage for the story: a SQLite file path or a storage URL
            (:func:`~ordercycle.storage.urls.open_url`); a temporary SQLite file when
            ``None``. Running the demo again on the same storage replays the stored
            results of its idempotent commands. A password in the URL is not printed.
    """
    from ordercycle.examples.story import story_on_sqlite

    rule = "=" * width
    where = _without_password(db) if db is not None else "a temporary SQLite file"
    out = [rule, "ordercycle demo: the order-to-cash cycle as a library".center(width), rule]
    out += ["", f"Part 1. Order to cash with OrderDesk on {where}", "=" * width, ""]
    out.extend(story_on_sqlite(db))
    out += ["", "Part 2. Under the hood", "=" * width]
    for number, (title, chapter) in enumerate(CHAPTERS, start=1):
        out.append("")
        out.append(f"{number}. {title}")
        out.append("-" * width)
        for line in chapter():
            if isinstance(line, Pre):
                out.append(line)
            else:
                out.extend(textwrap.wrap(line, width, subsequent_indent="    ") or [""])
    out.append("")
    return "\n".join(out) + "\n"
