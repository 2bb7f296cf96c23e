"""How the desk allocates: customer shelf-life rules on lots, reallocation after short picks."""

from __future__ import annotations

from datetime import date

import attrs

from ordercycle.examples.shop import sample_customers, sample_products
from ordercycle.model.ids import CustomerId, Sku
from ordercycle.money import Money
from ordercycle.service import OrderDesk

# The clock starts on 2 March 2026: the short lot has 8 days left, the long one 91.
SHORT_LOT = ("JAM-A", date(2026, 3, 10))
LONG_LOT = ("JAM-B", date(2026, 6, 1))


def _receive_lot(desk: OrderDesk, bin_id: str, lot_id: str, expires_on: date, units: int) -> None:
    """Receive ``units`` of JAM as a new lot."""
    desk.receive_stock("JAM", bin_id, units, lot=lot_id, expires_on=expires_on)


def _jam_shop(desk: OrderDesk) -> None:
    """A perishable product in two lots at one bin, and a customer wanting 30 days left."""
    product, _price = sample_products()[0]
    desk.register_product(attrs.evolve(product, sku=Sku("JAM"), name="Jam"), Money("4.00", "USD"))
    picky = attrs.evolve(
        sample_customers()[0], id=CustomerId("C-FRESH"), min_remaining_shelf_life_days=30
    )
    desk.register_customer(picky)
    for lot_id, expires_on in (SHORT_LOT, LONG_LOT):
        _receive_lot(desk, "WH-EAST/A1", lot_id, expires_on, 5)


def _allocated_lots(desk: OrderDesk) -> dict[str | None, int]:
    return {p.lot: p.allocated for p in desk.stock_positions("JAM") if p.allocated}


def test_a_customer_without_a_shelf_life_rule_gets_the_first_expiring_lot(
    desk: OrderDesk,
) -> None:
    _jam_shop(desk)
    order_id = desk.place_order("C-ACME", {"JAM": 3}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    assert _allocated_lots(desk) == {"JAM-A": 3}


def test_a_lot_with_too_little_shelf_life_left_is_skipped_for_the_customer(
    desk: OrderDesk,
) -> None:
    _jam_shop(desk)
    order_id = desk.place_order("C-FRESH", {"JAM": 3}).aggregate_id
    desk.confirm_order(order_id)
    result = desk.allocate_order(order_id)
    assert _allocated_lots(desk) == {"JAM-B": 3}
    assert any("JAM-A" in note and "30 required" in note for note in result.notes)


def test_when_only_short_lived_lots_are_left_the_customer_waits(desk: OrderDesk) -> None:
    _jam_shop(desk)
    order_id = desk.place_order("C-FRESH", {"JAM": 7}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    ledger = desk.order(order_id).line("L1").ledger
    assert (ledger.allocated, ledger.backordered) == (5, 2)
    assert _allocated_lots(desk) == {"JAM-B": 5}
    assert desk.available_units("JAM") == 5  # the short lot stays available to others
