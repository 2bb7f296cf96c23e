"""Real domain events, one or more of every type the library defines, for storage tests.

:func:`sample_streams` runs small real scenarios and gathers the events they record, as
per-aggregate streams ``(kind, aggregate_id, events)`` with versions ``1..n``:

- the demo's whole order-to-cash story on an in-memory
  :class:`~ordercycle.service.desk.OrderDesk` (customers, products, stock, orders, pick
  lists, shipments, invoices, payments, returns and the desk's own state events);
- orders taken through what the story does not do (draft edits, amendments, holds
  released, deallocation, line cancels, a rejected return, an expired draft, and a
  custom lifecycle event of an extended lifecycle);
- a stock ledger through receipts scheduled and cancelled, holds placed, released,
  committed and expired, allocations, consumption, restocking, moves, counts and
  write-offs;
- an invoice canceled, and a payment received, allocated and partly written off;
- a purchase order received in part and canceled, and a transfer sent and received.

:func:`domain_event_types` lists the event classes of the library's domain packages, so
a test can check that the sample misses none (see :data:`NOT_SAMPLED`).

>>> streams = sample_streams()
>>> {event_type for _, _, events in streams for event_type in
...  (type(event).event_type for event in events)} >= set(domain_event_types())
True
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import attrs

import ordercycle.inventory
import ordercycle.invoicing
import ordercycle.model
import ordercycle.service
from ordercycle.examples.shop import open_sample_shop
from ordercycle.examples.story import STORY_START, order_to_cash_story
from ordercycle.inventory import Network, StockLedger
from ordercycle.invoicing import (
    CustomerAccount,
    Invoice,
    InvoiceLine,
    NumberSeries,
    Payment,
    PaymentTerms,
    TaxProfile,
    apply_payment,
)
from ordercycle.lifecycle import Lifecycle
from ordercycle.model.address import Address
from ordercycle.model.clock import SteppableClock
from ordercycle.model.events import DomainEvent
from ordercycle.model.order import Order
from ordercycle.model.order.changes import AddLine, ChangeQuantity
from ordercycle.model.order.lifecycle import ORDER_LIFECYCLE
from ordercycle.model.order.lines import NewLine
from ordercycle.money import Money
from ordercycle.service.desk import OrderDesk
from ordercycle.service.records import (
    OpenOrdersChanged,
    QuarantinedMessage,
    QuarantinedMessageChanged,
)
from ordercycle.storage._observed import ObservedUnitOfWork
from ordercycle.storage.memory import MemoryStorage

__all__ = ["DOMAIN_PACKAGES", "NOT_SAMPLED", "Stream", "domain_event_types", "sample_streams"]

#: The packages whose modules define the library's domain events (all imported here).
DOMAIN_PACKAGES: tuple[str, ...] = (
    ordercycle.model.__name__,
    ordercycle.inventory.__name__,
    ordercycle.invoicing.__name__,
    ordercycle.service.__name__,
)

#: Event types of the domain packages that :func:`sample_streams` does not produce, with
#: the reason. Empty: every domain event type is sampled.
NOT_SAMPLED: Mapping[str, str] = {}

#: One aggregate's stream: ``(kind, aggregate_id, events with versions 1..n)``.
Stream = tuple[str, str, tuple[DomainEvent, ...]]

_START = datetime(2026, 3, 2, 9, tzinfo=UTC)
_HOME = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")


def domain_event_types() -> dict[str, type[DomainEvent]]:
    """The registered event classes defined in :data:`DOMAIN_PACKAGES`, by ``event_type``.

    Only classes reachable by name in their module count, so throwaway classes defined
    in doctests or tests are left out, as are the contract suite's own events.
    """
    found: dict[str, type[DomainEvent]] = {}
    for name, cls in DomainEvent.registry().items():
        module = sys.modules.get(cls.__module__)
        if not cls.__module__.startswith(tuple(f"{p}." for p in DOMAIN_PACKAGES)):
            continue
        if module is None or getattr(module, cls.__qualname__, None) is not cls:
            continue
        found[name] = cls
    return found


def _at(minutes: int) -> datetime:
    return _START + timedelta(minutes=minutes)


class _RecordingStorage:
    """Memory storage that remembers the events the desk appended, as they were made.

    The events the desk loads back went through serialization; the sample wants the
    originals, so that a storage test compares what the domain made with what came back.
    """

    def __init__(self) -> None:
        self.inner = MemoryStorage()
        self.seen: dict[tuple[str, str, int], DomainEvent] = {}

    def unit_of_work(self) -> ObservedUnitOfWork:
        return ObservedUnitOfWork(self.inner.unit_of_work(), self._record)

    def _record(self, kind: str, aggregate_id: str, events: tuple[DomainEvent, ...]) -> None:
        for event in events:  # a later append at the same version is the one committed
            self.seen[kind, aggregate_id, event.version] = event

    def close(self) -> None:
        self.inner.close()


def _purchasing_streams() -> list[Stream]:
    """A purchase order received and canceled, and a transfer sent and received."""
    storage = _RecordingStorage()
    desk = OrderDesk(storage, clock=SteppableClock(_START))
    try:
        open_sample_shop(desk)
        desk.create_purchase_order(
            "PO-S1",
            "Weaver & Co",
            "WH-WEST",
            [{"sku": "RUG", "quantity": 4, "expected_on": "2026-03-09"}],
        )
        desk.receive_purchase_order("PO-S1", [{"sku": "RUG", "quantity": 1, "bin": "WH-WEST/A8"}])
        desk.cancel_purchase_order("PO-S1", "supplier out of stock")
        desk.transfer_stock("MUG", "WH-EAST/A1", "WH-WEST/A2", 2, transfer_id="TR-S1")
        desk.receive_transfer("TR-S1")
        found = []
        for kind, key in (("purchase_order", "PO-S1"), ("transfer", "TR-S1")):
            n = max(v for k, a, v in storage.seen if (k, a) == (kind, key))
            found.append((kind, key, tuple(storage.seen[kind, key, v] for v in range(1, n + 1))))
        return found
    finally:
        desk.close()


def _quarantine_streams() -> list[Stream]:
    """An outbox message quarantined by the dispatcher, then released."""
    held = QuarantinedMessage(
        position=7,
        kind="stock",
        aggregate_id="MUG",
        version=3,
        event_type="StockReceived",
        reason="RuntimeError: the backlog service is down",
        attempts=3,
    )
    released = attrs.evolve(held, status="released", note="served by hand")
    events = tuple(
        QuarantinedMessageChanged(
            aggregate_id="7",
            version=version,
            occurred_at=_START,
            change=f"outbox message 7 {state.status}",
            state=state,
        )
        for version, state in ((1, held), (2, released))
    )
    return [("quarantine", "7", events)]


def _legacy_streams() -> list[Stream]:
    """Desk records still read but no longer written: a customer's whole list of open
    orders (each order keeps its own record now)."""
    listed = OpenOrdersChanged(
        aggregate_id="C-LEGACY",
        version=1,
        occurred_at=_START,
        change="order O-1",
        state=("O-1", "O-2"),
    )
    return [("open_orders", "C-LEGACY", (listed,))]


def _pricing_streams() -> list[Stream]:
    """A promotion registered and used by an order with a price override and discounts."""
    storage = _RecordingStorage()
    desk = OrderDesk(storage, clock=SteppableClock(_START))
    try:
        open_sample_shop(desk)
        desk.register_promotion("SPRING-S1", percent=10, limit_total=5)
        desk.place_order(
            "C-BOLT",
            {"MUG": 3, "LAMP": 1},
            order_id="O-PRICED",
            price_overrides=[{"line_id": "L2", "unit_price": "70.00 USD", "reason": "match"}],
            discounts=[{"amount": "1.00 USD", "reason": "loyalty"}],
            promotion_code="SPRING-S1",
        )
        found = []
        for kind, key in (
            ("promotion", "SPRING-S1"),
            ("promotion_use", "SPRING-S1/C-BOLT"),
            ("order", "O-PRICED"),
        ):
            n = max(v for k, a, v in storage.seen if (k, a) == (kind, key))
            found.append((kind, key, tuple(storage.seen[kind, key, v] for v in range(1, n + 1))))
        return found
    finally:
        desk.close()


def _story_streams() -> list[Stream]:
    """Every stream the demo story writes, with the events as the desk made them."""
    storage = _RecordingStorage()
    desk = OrderDesk(storage, clock=SteppableClock(STORY_START))
    try:
        order_to_cash_story(desk)
        # The story refunds nothing: a refund with an id of the integrator's writes the
        # record that claims the id (and the settlement of the payment it draws on).
        desk.record_payment("C-CAFE", Money("10000.00", "USD"), payment_id="P-SAMPLE")
        desk.refund_credit(
            "C-CAFE", Money("5.00", "USD"), "bank transfer", "SAMPLE-1", refund_id="RF-SAMPLE"
        )
        with storage.inner.unit_of_work() as uow:
            keys: dict[tuple[str, str], int] = {}
            after = 0
            while batch := uow.outbox.read(after=after, limit=500):
                for message in batch:
                    keys[message.kind, message.aggregate_id] = message.version
                after = batch[-1].position
        return [
            (
                kind,
                aggregate_id,
                tuple(storage.seen[kind, aggregate_id, v] for v in range(1, n + 1)),
            )
            for (kind, aggregate_id), n in keys.items()
        ]
    finally:
        desk.close()


class _Recorder:
    """Keeps an order and the events its commands recorded."""

    def __init__(self, outcome: tuple[Order, tuple[DomainEvent, ...]]) -> None:
        self.order, events = outcome
        self.events: list[DomainEvent] = list(events)

    def do(self, command: str, *args: Any, **kwargs: Any) -> None:
        self.order, events = getattr(self.order, command)(*args, **kwargs)
        self.events.extend(events)

    def stream(self) -> Stream:
        return ("order", self.order.id, tuple(self.events))


_REVIEWED = ORDER_LIFECYCLE.add_transition("review", "placed", "confirmed")


@attrs.frozen(kw_only=True)
class _ReviewedOrder(Order):
    """An order whose lifecycle has a custom event (it records ``OrderStateChanged``)."""

    lifecycle: ClassVar[Lifecycle] = _REVIEWED


def _new_order(order_id: str, cls: type[Order] = Order, **kwargs: Any) -> _Recorder:
    return _Recorder(
        cls.create(
            order_id,
            customer_id="C-1",
            currency="USD",
            shipping_address=_HOME,
            at=_at(0),
            lines=[NewLine("L1", "MUG", 5, Money("9.50", "USD"))],
            **kwargs,
        )
    )


def _order_streams() -> list[Stream]:
    """Orders through the edits, holds and outcomes the story does not reach."""
    edited = _new_order("O-EDIT")
    edited.do("add_line", NewLine("L2", "CUP", 2, Money("4.25", "USD")), at=_at(1))
    edited.do("place", at=_at(2))
    edited.do("confirm", at=_at(3))
    edited.do("hold", "credit", by="finance", at=_at(4), note="over limit")
    edited.do("release_hold", "credit", by="finance", at=_at(5))
    edited.do(
        "amend",
        [ChangeQuantity("L1", 4), AddLine(NewLine("L3", "PLATE", 1, Money("12.00", "USD")))],
        at=_at(6),
        by="sales",
        note="customer called",
    )
    edited.do("allocate", "L1", 4, at=_at(7))
    edited.do("deallocate", "L1", 1, at=_at(8))
    edited.do("cancel_line", "L2", 2, at=_at(9), reason="out of range")
    edited.do("release", at=_at(10))
    for step in ("pick", "pack", "ship", "deliver"):
        edited.do(step, "L1", 3, at=_at(11))
    edited.do("request_return", "R-1", line_id="L1", quantity=1, reason="chipped", at=_at(12))
    edited.do("reject_return", "R-1", at=_at(13), by="support", note="no photo")

    expired = _new_order("O-EXPIRED")
    expired.do("expire", at=_at(20))

    reviewed = _new_order("O-REVIEW", _ReviewedOrder)
    reviewed.do("place", at=_at(1))
    reviewed.do("fire", "review", at=_at(2))

    quoted = _new_order("O-QUOTE")
    quoted.do("change_header", at=_at(1), channel="phone", payment_terms="Net 15")
    quoted.do("change_shipping_method", "UPS-GROUND", at=_at(2))
    quoted.do("send_quote", date(2026, 3, 31), at=_at(3))
    quoted.do("place", at=_at(4))
    quoted.do("confirm", at=_at(5))
    quoted.do("record_charge", "INV-F1", "Freight UPS-GROUND", Money("12.40", "USD"), at=_at(6))
    quoted.do("record_payment", "P-F1@INV-F1", Money("12.40", "USD"), at=_at(7))
    quoted.do("reverse_payment", "P-F1@INV-F1", Money("12.40", "USD"), at=_at(8))
    return [edited.stream(), expired.stream(), reviewed.stream(), quoted.stream()]


def _stock_streams() -> list[Stream]:
    """A stock ledger through every kind of stock movement."""
    ledger = StockLedger(Network.simple(["WH-A"], bins=2))
    now = _START
    ledger.schedule_receipt("PO-1", "KETTLE", 10, date(2026, 3, 9), at=now)
    ledger.receive("KETTLE", "WH-A/01", 6, receipt="PO-1", at=now)
    ledger.cancel_receipt("PO-1", at=now)
    ledger.receive("KETTLE", "WH-A/01", 20, at=now)
    ledger.place_hold("H-1", "KETTLE", "WH-A/01", 2, expires_at=_at(15), at=now)
    ledger.release_hold("H-1", at=now)
    ledger.place_hold("H-2", "KETTLE", "WH-A/01", 3, expires_at=_at(15), at=now)
    ledger.commit_hold("H-2", "O-1", at=now)
    ledger.place_hold("H-3", "KETTLE", "WH-A/01", 1, expires_at=_at(15), at=now)
    now += timedelta(minutes=20)
    ledger.sweep(at=now)
    ledger.allocate("O-2", "KETTLE", "WH-A/01", 4, at=now)
    ledger.deallocate("O-2", "KETTLE", "WH-A/01", 1, at=now)
    ledger.consume("O-2", "KETTLE", "WH-A/01", 3, at=now)
    ledger.restock("KETTLE", "WH-A/01", 1, reference="R-1", at=now)
    ledger.move("KETTLE", "WH-A/01", "WH-A/02", 5, at=now)
    ledger.adjust("KETTLE", "WH-A/02", 4, reason="cycle count", at=now)
    ledger.mark_unavailable("KETTLE", "WH-A/01", 3, reason="quality_hold", at=now)
    ledger.make_available("KETTLE", "WH-A/01", 1, reason="quality_hold", at=now)
    ledger.mark_damaged("KETTLE", "WH-A/01", 2, at=now)
    ledger.write_off("KETTLE", "WH-A/01", 2, reason="damaged", at=now)
    by_sku: dict[str, list[DomainEvent]] = {}
    for event in ledger.events:
        by_sku.setdefault(event.aggregate_id, []).append(event)
    return [("stock", sku, tuple(events)) for sku, events in by_sku.items()]


def _billing_streams() -> list[Stream]:
    """An invoice issued and canceled; one paid, then its payment unapplied (a reversal);
    a payment received and allocated."""
    none = TaxProfile("none", [])
    line = InvoiceLine("MUG", "Mug", 2, Money("9.50", "USD"))
    series = NumberSeries()
    day = date(2026, 3, 2)
    canceled, _ = Invoice.draft("I-CANCEL", "C-1", [line], none, PaymentTerms.net(30), day)
    canceled, _ = canceled.issue(series)
    series = series.next()
    canceled, _ = canceled.cancel("billed twice", day)
    paid, _ = Invoice.draft("I-PAID", "C-1", [line], none, PaymentTerms.net(30), day)
    paid, _ = paid.issue(series)
    series = series.next()
    reopened, _ = Invoice.draft("I-REOPEN", "C-1", [line], none, PaymentTerms.net(30), day)
    reopened, _ = reopened.issue(series)
    reopened, _ = reopened.pay("P-REVERSED", Money("19.00", "USD"), day)
    reopened, _ = reopened.unapply("P-REVERSED", day, reason="the cheque bounced")
    payment, received = Payment.receive("P-1", "C-1", Money("19.55", "USD"), day)
    allocation = apply_payment([paid], "P-1", payment.unapplied, day)
    payment, allocated = payment.allocate(allocation)
    account = CustomerAccount.open("C-LEDGER", "USD")
    account, posted = account.post_payment("P-9", Money("30.00", "USD"), day)
    account, invoiced = account.post_invoice("I-9", Money("19.00", "USD"), day)
    account, applied = account.apply_credit(day)
    return [
        ("invoice", canceled.invoice_id, tuple(canceled.events)),
        ("invoice", reopened.invoice_id, tuple(reopened.events)),
        ("payment", payment.payment_id, (*received, *allocated)),
        ("customer_account", account.customer_id, (*posted, *invoiced, *applied)),
    ]


@functools.cache
def sample_streams() -> tuple[Stream, ...]:
    """Real event streams covering every domain event type (see the module docstring).

    Deterministic (fixed clocks and ids) and built once per process; the events are
    immutable. Kinds and ids are unique across the streams; each stream's versions are
    ``1..n``.
    """
    streams = [
        *_story_streams(),
        *_order_streams(),
        *_stock_streams(),
        *_billing_streams(),
        *_purchasing_streams(),
        *_quarantine_streams(),
        *_legacy_streams(),
        *_pricing_streams(),
    ]
    return tuple(streams)
