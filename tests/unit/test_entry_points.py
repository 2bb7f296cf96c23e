"""The stable entry points promised in the architecture page work as written there."""

from __future__ import annotations

from datetime import date

from ordercycle import Q_, Currency, Money, OrderDesk
from ordercycle.invoicing import PaymentTerms
from ordercycle.packing import Carton, Item, carriers, pack, verify
from ordercycle.picking import Bin, WarehouseLayout, route


def test_money_entry_points() -> None:
    parts = Money("10.00", "USD").allocate([1, 1, 1])
    assert parts == (Money("3.34", "USD"), Money("3.33", "USD"), Money("3.33", "USD"))
    assert Currency.of("JPY").exponent == 0


def test_packing_entry_points() -> None:
    items = [Item("MUG", Q_(12, "cm"), Q_(9, "cm"), Q_(10, "cm"), Q_(350, "g"), quantity=4)]
    cartons = [
        Carton(
            "S",
            inner=(Q_(20, "cm"), Q_(20, "cm"), Q_(15, "cm")),
            tare=Q_(120, "g"),
            max_weight=Q_(10, "kg"),
        )
    ]
    plan = pack(items, cartons, carrier=carriers.UPS_DAILY)
    placement = plan.packages[0].placements[0]
    assert len(placement.position) == 3
    assert sorted(side.to("mm").magnitude for side in placement.size) == [90, 100, 120]
    assert plan.packages[0].billable_weight.to("lb").magnitude >= 1
    verify(plan)
    usps = carriers.USPS.billable_weight(Q_(15, "in"), Q_(15, "in"), Q_(22, "in"), Q_(5, "lb"))
    assert usps == Q_(30, "lb")


def test_payment_terms_entry_point() -> None:
    terms = PaymentTerms.parse("2/10 Net 30")
    schedule = terms.schedule(Money("1000.00", "USD"), date(2026, 1, 15))
    [installment] = schedule.installments
    assert (installment.due_date, installment.amount) == (
        date(2026, 2, 14),
        Money("1000.00", "USD"),
    )
    assert schedule.discount_deadline == date(2026, 1, 25)
    assert schedule.discounted_amount == Money("980.00", "USD")


def test_routing_entry_point() -> None:
    layout = WarehouseLayout.henn_waescher()
    picks = [Bin(2, 10, "left"), Bin(7, 30, "right")]
    optimal = route(layout, picks, method="optimal")
    assert set(optimal.stops) == set(picks)
    assert optimal.length <= route(layout, picks, method="s_shape").length
    optimal.check()


def test_order_desk_entry_point() -> None:
    desk = OrderDesk.in_memory()
    assert isinstance(desk, OrderDesk)
