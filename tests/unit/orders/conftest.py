"""Shared builders for the order tests: a ticking clock and orders at a given stage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from ordercycle.model.address import Address
from ordercycle.model.order import Order
from ordercycle.model.order.events import OrderEvent
from ordercycle.model.order.lines import NewLine
from ordercycle.money import Money

HOME = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
OFFICE = Address(lines="9 Elm St", city="Springfield", postal_code="62702", country="US")


class Story:
    """Runs commands on one order with increasing times, keeping the event history."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, tzinfo=UTC)
        self.history: list[OrderEvent] = []
        self.order: Order

    def at(self) -> datetime:
        self.now += timedelta(minutes=5)
        return self.now

    def create(self, lines: Iterable[NewLine] | None = None, **options: object) -> Order:
        if lines is None:
            lines = [
                NewLine("L1", "MUG-12", 4, Money("9.50", "USD")),
                NewLine("L2", "TEE-M", 2, Money("20.00", "USD"), tax_code="apparel"),
            ]
        self.order, events = Order.create(
            "O-17",
            customer_id="C-3",
            currency="USD",
            shipping_address=HOME,
            at=self.now,
            lines=list(lines),
            **options,  # type: ignore[arg-type]
        )
        self.history = list(events)
        return self.order

    def do(self, command: str, *args: object, **kwargs: object) -> tuple[OrderEvent, ...]:
        self.order, events = getattr(self.order, command)(*args, at=self.at(), **kwargs)
        self.history.extend(events)
        return events  # type: ignore[no-any-return]

    def released(self, **options: object) -> Order:
        self.create(**options)
        for event in ("place", "confirm", "release"):
            self.do(event)
        return self.order

    def delivered(self, **options: object) -> Order:
        self.released(**options)
        for step in ("allocate", "pick", "pack", "ship", "deliver"):
            for line in self.order.lines:
                self.do(step, line.line_id, line.ledger.ordered)
        return self.order


@pytest.fixture
def story() -> Story:
    return Story()
