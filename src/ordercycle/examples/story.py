"""The order-to-cash story the demo tells, as a readable terminal report.

:func:`order_to_cash_story` runs the whole cycle on a desk and returns the report's
lines (each under 78 characters): customers and products, orders over two warehouses
with a backorder, a credit hold, a wave with its routed pick list, cartons with billable
weights, shipments, invoices on terms, an early payment with its discount and a late
one, a return with its credit note, and the receivables aging.

Every command carries a command id, so telling the story twice on the same storage
replays the first results instead of placing new orders.

>>> desk = open_story_desk()
>>> lines = order_to_cash_story(desk)
>>> lines[0]
'Customers'
>>> any("credit hold" in line for line in lines)
True
"""

from __future__ import annotations

import tempfile
import textwrap
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from os import PathLike
from pathlib import Path

from ordercycle.examples.shop import open_sample_shop, sample_customers, sample_products
from ordercycle.invoicing.aging import UNAPPLIED
from ordercycle.model.clock import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.money import Money
from ordercycle.service.desk import OrderDesk
from ordercycle.service.results import CommandResult
from ordercycle.units import to_exact

__all__ = ["STORY_START", "open_story_desk", "order_to_cash_story", "story_on_sqlite"]

#: The story's first instant (a Monday morning); the story's clock starts here.
STORY_START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def open_story_desk(path: str | PathLike[str] | None = None) -> OrderDesk:
    """A desk for the story: on the storage ``path`` names (in memory when ``None``).

    ``path`` is a SQLite file path or any URL :meth:`OrderDesk.from_url
    <ordercycle.service.desk.OrderDesk.from_url>` opens (``sqlite:///story.db``,
    ``postgresql://...``, ``sqlalchemy+sqlite:///story.db``, ``memory:``). Its clock
    starts at :data:`STORY_START` and the story moves it forward, and ids are sequential
    on every storage, so the report is the same on every run.
    """
    clock = SteppableClock(STORY_START)
    if path is None:
        return OrderDesk.in_memory(clock=clock)
    return OrderDesk.from_url(path, clock=clock, ids=SequentialIdFactory())


def story_on_sqlite(path: str | PathLike[str] | None = None) -> list[str]:
    """Tell the story on ``path``, or on a temporary SQLite file when ``None``.

    ``path`` is a SQLite file path or a storage URL (see :func:`open_story_desk`). This is
    what ``python -m ordercycle demo [--db URL]`` prints. On a storage that already holds
    the story, the commands are replayed by their command ids: no new orders.
    """
    if path is None:
        with tempfile.TemporaryDirectory(prefix="ordercycle-demo-") as folder:
            return story_on_sqlite(Path(folder) / "demo.db")
    with open_story_desk(path) as desk:
        return order_to_cash_story(desk)


def _short_lines(notes: tuple[str, ...]) -> list[str]:
    """The planner's explanation of the lines that were backordered."""
    shown: list[str] = []
    keep = False
    for note in notes:
        if note.startswith("  line "):
            keep = "backordered 0," not in note
        if keep and note.startswith("  "):
            shown.append("  " + note)
    return shown


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, 76, initial_indent=indent, subsequent_indent=indent + "  ")


def _num(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}"


class _Teller:
    """Runs the story's commands with stable command ids and collects the report."""

    def __init__(self, desk: OrderDesk) -> None:
        self.desk = desk
        self.lines: list[str] = []
        self.clock = desk.clock if isinstance(desk.clock, SteppableClock) else None

    def say(self, *lines: str) -> None:
        self.lines.extend(lines)

    def chapter(self, title: str) -> None:
        if self.lines:
            self.lines.append("")
        self.lines.extend([title, "-" * len(title)])

    def later(self, *, days: int = 0, hours: int = 0) -> None:
        if self.clock is not None:
            self.clock.advance(timedelta(days=days, hours=hours))

    def today(self) -> date:
        return self.desk.clock.now().date()


def order_to_cash_story(desk: OrderDesk) -> list[str]:
    """Tell the whole order-to-cash cycle on ``desk`` and return the report lines.

    Use a desk from :func:`open_story_desk` (or any desk with the default settings and
    a :class:`~ordercycle.model.clock.SteppableClock`, so days can pass).
    """
    t = _Teller(desk)
    open_sample_shop(desk)
    _cast(t)
    orders = _orders(t)
    waves = _waves(t, orders)
    shipments = _packing(t, orders, waves)
    _shipping(t, shipments)
    _backorder(t, orders)
    invoices = _invoices(t, orders)
    _payments(t, invoices)
    _returns(t, orders)
    _aging(t, invoices)
    return t.lines


def _cast(t: _Teller) -> None:
    t.chapter("Customers")
    for c in sample_customers():
        t.say(
            f"  {c.id:<7} {c.name:<15} {c.payment_terms:<12} limit {c.credit_limit!s:>12}"
            f"  tax {c.tax_profile}"
        )
    t.chapter("Products and stock")
    for product, price in sample_products():
        sides = " x ".join(
            _num(to_exact(q, "cm")) for q in (product.length, product.width, product.height)
        )
        grams = _num(to_exact(product.weight, "g"))
        where = ", ".join(
            f"{w} {t.desk.available_units(product.sku, warehouse=w)}"
            for w in t.desk.settings.network.warehouse_ids
        )
        t.say(f"  {product.sku:<7} {price!s:>10}  {sides} cm, {grams} g  ({where})")


def _orders(t: _Teller) -> dict[str, str]:
    t.chapter("Orders")
    wanted = {
        "acme": ("C-ACME", {"MUG": 6, "TEAPOT": 8}),
        "bolt": ("C-BOLT", {"LAMP": 6, "RUG": 1}),
        "cafe": ("C-CAFE", {"MUG": 4}),
        "cafe-big": ("C-CAFE", {"RUG": 2}),
    }
    ids: dict[str, str] = {}
    for key, (customer, items) in wanted.items():
        placed = t.desk.place_order(customer, items, command_id=f"story-place-{key}")
        ids[key] = placed.aggregate_id
        confirmed = t.desk.confirm_order(placed.aggregate_id, command_id=f"story-confirm-{key}")
        what = ", ".join(f"{n} {sku}" for sku, n in items.items())
        t.say(f"  {placed.aggregate_id} {customer}: {what} = {placed['total']}")
        if confirmed["on_hold"]:
            t.say(*_wrap(f"credit hold: {confirmed.notes[0]}", "    "))
            t.desk.cancel_order(
                placed.aggregate_id,
                reason="over the credit limit",
                command_id=f"story-cancel-{key}",
            )
            t.say("    canceled after a call with the customer")
            continue
        allocated = t.desk.allocate_order(placed.aggregate_id, command_id=f"story-allocate-{key}")
        where = " + ".join(allocated["warehouses"])
        back = f", {allocated['backordered']} backordered" if allocated["backordered"] else ""
        t.say(f"    allocated {allocated['allocated']} from {where}{back}")
        if allocated["backordered"]:
            t.say(*_short_lines(allocated.notes))
    del ids["cafe-big"]
    return ids


def _waves(t: _Teller, orders: dict[str, str]) -> list[CommandResult]:
    t.chapter("Waves and routed pick lists")
    t.later(hours=2)
    waves = []
    plan = {
        "WH-EAST": [orders["acme"], orders["bolt"], orders["cafe"]],
        "WH-WEST": [orders["acme"], orders["bolt"]],
    }
    for warehouse, wanted in plan.items():
        wave = t.desk.release_wave(warehouse, wanted, command_id=f"story-wave-{warehouse}")
        waves.append(wave)
        made = t.desk.pick_list(wave.aggregate_id)
        t.say(
            f"  {made.pick_list_id} in {warehouse}: {len(made.lines)} picks for"
            f" {', '.join(made.order_ids)}, walk {_num(made.route_length)} LU"
            f" ({'optimal' if made.route_exact else made.route_method})"
        )
        for n, line in enumerate(made.lines, 1):
            t.say(f"    {n}. {line.location}  {line.quantity:>2} x {line.sku:<7} {line.reference}")
        t.desk.confirm_picks(made.pick_list_id, command_id=f"story-picked-{warehouse}")
    t.say("  every pick confirmed, nothing short")
    return waves


def _packing(t: _Teller, orders: dict[str, str], waves: list[CommandResult]) -> list[CommandResult]:
    t.chapter("Cartons")
    packed = []
    for wave in waves:
        made = t.desk.pick_list(wave.aggregate_id)
        for order_id in made.order_ids:
            result = t.desk.pack_order(
                order_id, made.pick_list_id, command_id=f"story-pack-{order_id}-{made.pick_list_id}"
            )
            packed.append(result)
            shipment = t.desk.shipment(result.aggregate_id)
            t.say(f"  {shipment.shipment_id} {order_id} from {shipment.warehouse}:")
            for parcel in shipment.parcels:
                contents = ", ".join(f"{n} {sku}" for sku, n in parcel.contents)
                actual = float(parcel.actual_weight_g) / 1000
                t.say(
                    f"    carton {parcel.carton}: {contents}; {actual:.2f} kg actual,"
                    f" {_num(parcel.billable_weight)} {parcel.weight_unit} billable"
                )
    return packed


def _shipping(t: _Teller, shipments: list[CommandResult]) -> None:
    t.chapter("Shipments")
    t.later(hours=3)
    for n, packed in enumerate(shipments, 1):
        tracking = f"1Z999AA1{n:08d}"
        t.desk.ship_shipment(
            packed.aggregate_id, tracking, command_id=f"story-ship-{packed.aggregate_id}"
        )
    t.later(days=2)
    for packed in shipments:
        delivered = t.desk.deliver_shipment(
            packed.aggregate_id, command_id=f"story-deliver-{packed.aggregate_id}"
        )
        shipment = t.desk.shipment(packed.aggregate_id)
        t.say(
            f"  {shipment.shipment_id} {shipment.carrier}, tracking {shipment.tracking_number}:"
            f" delivered, {shipment.order_id} {delivered['order_state']}"
        )


def _backorder(t: _Teller, orders: dict[str, str]) -> None:
    t.chapter("A receipt serves the backorder")
    order_id = orders["bolt"]
    t.desk.receive_stock("LAMP", "WH-EAST/A7", 4, command_id="story-receive-lamps")
    line = t.desk.order(order_id).line("L1")
    t.say(
        "  4 LAMP received at WH-EAST/A7",
        f"  the handler allocated {order_id} line L1: {line.ledger.allocated} allocated,"
        f" {line.ledger.backordered} backordered",
    )
    wave = t.desk.release_wave("WH-EAST", [order_id], command_id="story-wave-backorder")
    t.desk.confirm_picks(wave.aggregate_id, command_id="story-picked-backorder")
    packed = t.desk.pack_order(order_id, wave.aggregate_id, command_id="story-pack-backorder")
    t.desk.ship_shipment(packed.aggregate_id, "1Z999AA199999999", command_id="story-ship-backorder")
    t.later(days=1)
    done = t.desk.deliver_shipment(packed.aggregate_id, command_id="story-deliver-backorder")
    t.say(
        f"  {packed.aggregate_id} ({packed['billable_weight']} billable) delivered:"
        f" {order_id} {done['order_state']}"
    )


def _invoices(t: _Teller, orders: dict[str, str]) -> dict[str, CommandResult]:
    t.chapter("Invoices on terms")
    invoices = {}
    for key, order_id in orders.items():
        issued = t.desk.invoice_order(order_id, command_id=f"story-invoice-{key}")
        invoices[key] = issued
        due = ", ".join(issued["due_dates"])
        t.say(
            f"  {issued['number']} {order_id} {issued['total']:>12}  {issued['terms']}, due {due}"
        )
        if "discount" in issued.details:
            t.say(f"    {issued['discount']} off if paid by {issued['discount_deadline']}")
    return invoices


def _payments(t: _Teller, invoices: dict[str, CommandResult]) -> None:
    t.chapter("Payments")
    start = t.today()
    acme = t.desk.invoice(invoices["acme"].aggregate_id)
    early = start + timedelta(days=6)
    amount = Money(invoices["acme"]["total"].split()[0], acme.currency.code) - Money(
        invoices["acme"]["discount"].split()[0], acme.currency.code
    )
    paid = t.desk.record_payment("C-ACME", amount, paid_on=early, command_id="story-pay-acme")
    t.say(
        f"  C-ACME paid {amount} on {early}, early: {acme.number} settled",
        f"    with the {paid['discounts'][acme.invoice_id]} early-payment discount",
    )
    bolt = t.desk.invoice(invoices["bolt"].aggregate_id)
    schedule = bolt.schedule
    assert schedule is not None
    late = schedule.installments[-1].due_date + timedelta(days=12)
    t.desk.record_payment("C-BOLT", bolt.total, paid_on=late, command_id="story-pay-bolt")
    t.say(f"  C-BOLT paid {bolt.total} on {late}: 12 days late, {bolt.number} settled")
    cafe = t.desk.invoice(invoices["cafe"].aggregate_id)
    part = Money("20.00", cafe.currency.code)
    t.desk.record_payment(
        "C-CAFE", part, paid_on=start + timedelta(days=10), command_id="story-pay-cafe"
    )
    left = t.desk.invoice(cafe.invoice_id).balance
    t.say(f"  C-CAFE paid {part} of {cafe.total}; {left} still open on {cafe.number}")
    for key in ("acme", "bolt", "cafe"):
        order = t.desk.order(invoices[key]["order_id"])
        t.say(f"    {order.id} is {order.payment_status.value.replace('_', ' ')}")


def _returns(t: _Teller, orders: dict[str, str]) -> None:
    t.chapter("A return and its credit note")
    order_id = orders["acme"]
    before = t.desk.available_units("TEAPOT")
    asked = t.desk.request_return(order_id, "L2", 2, "wrong colour", command_id="story-rma")
    return_id = asked["return_id"]
    t.desk.authorize_return(
        order_id, return_id, restocking_fee_rate="0.10", command_id="story-rma-ok"
    )
    t.desk.receive_return(order_id, return_id, "resellable", command_id="story-rma-in")
    credit = t.desk.issue_credit_note(order_id, return_id, command_id="story-credit")
    t.say(
        f"  {return_id}: 2 TEAPOT back from {order_id} (wrong colour), 10 % restocking fee",
        f"  received resellable: TEAPOT available {before} -> {t.desk.available_units('TEAPOT')}",
        f"  credit note {credit.aggregate_id} on {t.desk.invoice(credit['invoice_id']).number}:"
        f" {credit['total']},"
        f" refundable {credit['refund']}",
    )


def _aging(t: _Teller, invoices: dict[str, CommandResult]) -> None:
    cafe = t.desk.invoice(invoices["cafe"].aggregate_id)
    schedule = cafe.schedule
    assert schedule is not None
    bolt = t.desk.invoice(invoices["bolt"].aggregate_id).schedule
    assert bolt is not None
    # After every payment of the story (the late one came 12 days after its due date),
    # so the report never shows money that has not been paid yet on its date.
    as_of = max(
        schedule.installments[-1].due_date + timedelta(days=20),
        bolt.installments[-1].due_date + timedelta(days=13),
    )
    t.chapter(f"Receivables aging on {as_of}")
    report = t.desk.aging_report(as_of)
    # The open amounts by age, then the credit on account (the report's last column).
    ages = len(report.buckets) - (report.buckets[-1].label == UNAPPLIED)
    names = [b.label for b in report.buckets[:ages]]
    t.say("  " + f"{'customer':<9}" + "".join(f"{n:>11}" for n in names) + f"{'total':>11}")
    for label, amounts in (
        *((row.customer_id, row.amounts[:ages]) for row in report.rows),
        ("total", report.totals[:ages]),
    ):
        if label != "total" and not any(amounts):
            continue
        total = Money.sum(amounts, currency=report.total.currency)
        cells = "".join(f"{a.amount!s:>11}" for a in amounts)
        t.say(f"  {label:<9}{cells}{total.amount!s:>11}")
    for row in report.rows:
        if ages < len(row.amounts) and row.amounts[-1]:
            t.say(f"  {row.customer_id} has {-row.amounts[-1]} of credit on account")
