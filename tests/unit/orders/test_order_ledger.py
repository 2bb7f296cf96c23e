"""The per-line quantity ledger, as a specification."""

from __future__ import annotations

import pickle

import pytest

from ordercycle.errors import InvalidQuantityError
from ordercycle.model.order.errors import LedgerLawError, QuantityNotAvailableError
from ordercycle.model.order.ledger import LAWS, LineLedger, Release
from ordercycle.model.order.policies import InvoicePolicy, ReturnCondition


def test_a_fresh_line_has_every_unit_open() -> None:
    line = LineLedger.of(5)
    assert (line.ordered, line.open, line.unshipped, line.check()) == (5, 5, 5, ())


def test_units_flow_allocated_picked_packed_shipped_delivered() -> None:
    line = LineLedger.of(5).allocate(5).pick(4).pack(3).ship(2).deliver(1)
    assert (line.allocated, line.picked, line.packed, line.shipped, line.delivered) == (
        1,
        1,
        1,
        2,
        1,
    )
    assert line.open == 0
    assert line.picked_or_later == 4
    assert line.in_transit == 1


def test_allocation_takes_backordered_units_first() -> None:
    line = LineLedger.of(5).backorder(3).allocate(4)
    assert (line.backordered, line.allocated, line.open) == (0, 4, 1)


def test_cancel_takes_open_then_backordered_then_allocated_then_picked_then_packed() -> None:
    line = LineLedger.of(10).allocate(6).pick(4).pack(2).backorder(2)
    new, release = line.cancel(9)
    assert release == Release(allocated=2, picked=2, packed=1, backordered=2, open=2)
    assert release.to_stock == 5
    assert (new.canceled, new.packed, new.unshipped) == (9, 1, 1)
    assert new.check() == ()


def test_cancel_refuses_shipped_units_and_leaves_the_ledger_unchanged() -> None:
    line = LineLedger.of(3).allocate(3).pick(3).pack(3).ship(2)
    with pytest.raises(QuantityNotAvailableError, match="only 1 unshipped") as info:
        line.cancel(2, subject="line L1 of order O-17")
    assert "line L1 of order O-17" in str(info.value)
    assert info.value.requested == 2
    assert info.value.available == 1
    assert line.unshipped == 1


def test_cancel_refuses_invoiced_units_until_they_are_credited() -> None:
    line = LineLedger.of(4).invoice(3, InvoicePolicy.ORDERED)
    with pytest.raises(QuantityNotAvailableError, match="3 are invoiced; credit them first"):
        line.cancel(2)
    new, _ = line.credit(1).cancel(2)
    assert new.check() == ()


def test_decrease_takes_only_unpicked_units_and_keeps_one() -> None:
    line = LineLedger.of(5).allocate(3).pick(2)
    new, release = line.decrease(2)
    assert (new.ordered, release.open, release.allocated) == (3, 2, 0)
    with pytest.raises(QuantityNotAvailableError, match="2 picked or later"):
        line.decrease(4)


def test_zero_negative_and_non_integer_quantities_are_refused() -> None:
    line = LineLedger.of(2)
    for bad in (0, -1, 1.5, True, "1"):
        with pytest.raises(InvalidQuantityError, match="expected a positive integer"):
            line.allocate(bad)  # type: ignore[arg-type]
    assert line == LineLedger.of(2)


def test_returning_more_than_delivered_is_refused() -> None:
    line = LineLedger.of(3).allocate(3).pick(3).pack(3).ship(3).deliver(2)
    with pytest.raises(QuantityNotAvailableError, match="only 2 delivered and not yet returned"):
        line.request_return(3)
    line = line.request_return(2).receive_return(1, ReturnCondition.DAMAGED)
    assert (line.returned_damaged, line.return_requested, line.returnable) == (1, 1, 0)
    line = line.withdraw_return(1)
    assert line.returnable == 1


def test_receiving_resellable_units_counts_them_apart_from_damaged() -> None:
    line = LineLedger.of(2).allocate(2).pick(2).pack(2).ship(2).deliver(2).request_return(2)
    line = line.receive_return(1, ReturnCondition.RESELLABLE).receive_return(
        1, ReturnCondition.DAMAGED
    )
    assert (line.returned_resellable, line.returned_damaged, line.returned) == (1, 1, 2)


def test_delivered_policy_invoices_only_delivered_units() -> None:
    line = LineLedger.of(3).allocate(3).pick(3).pack(3).ship(3).deliver(1)
    with pytest.raises(QuantityNotAvailableError, match="only 1 delivered and not invoiced"):
        line.invoice(2, InvoicePolicy.DELIVERED)
    assert line.invoice(3, InvoicePolicy.ORDERED).invoiced == 3


def test_credit_cannot_exceed_invoiced() -> None:
    with pytest.raises(QuantityNotAvailableError, match="only 1 invoiced and not credited"):
        LineLedger.of(3).invoice(1, InvoicePolicy.ORDERED).credit(2)


def test_check_reports_every_broken_law_at_once() -> None:
    broken = LineLedger(ordered=2, shipped=3, delivered=4, invoiced=1, credited=2)
    violations = broken.check(InvoicePolicy.DELIVERED)
    assert [v.split(" is broken")[0] for v in violations] == [
        "canceled + allocated + backordered + picked + packed + shipped <= ordered",
        "delivered <= shipped",
        "credited <= invoiced",
    ]
    with pytest.raises(LedgerLawError, match="line L9") as info:
        broken.validate(subject="line L9")
    assert len(info.value.violations) == 3
    assert pickle.loads(pickle.dumps(info.value)).violations == info.value.violations


def test_non_integer_counters_are_reported() -> None:
    assert LineLedger(ordered=1.5).check() == (  # type: ignore[arg-type]
        "counters must be integers: ordered",
    )


def test_the_delivered_law_applies_only_to_the_delivered_policy() -> None:
    names = [law.name for law in LAWS if not law.applies(InvoicePolicy.ORDERED)]
    assert names == ["invoiced_delivered"]


@pytest.mark.parametrize("policy", list(InvoicePolicy))
def test_validate_agrees_with_check_on_every_ledger_of_small_counters(policy) -> None:
    # validate tests the laws before building check's sentences: the verdicts must agree.
    counters = [
        (o, s, d, i, c)
        for o in (0, 1, 2)
        for s in (0, 2)
        for d in (0, 1, 3)
        for i in (0, 2)
        for c in (0, 1, 3)
    ]
    for ordered, shipped, delivered, invoiced, credited in counters:
        ledger = LineLedger(
            ordered=ordered,
            shipped=shipped,
            delivered=delivered,
            invoiced=invoiced,
            credited=credited,
        )
        if ledger.check(policy):
            with pytest.raises(LedgerLawError):
                ledger.validate(policy)
        else:
            assert ledger.validate(policy) is ledger


def test_validate_refuses_a_counter_that_is_not_an_integer() -> None:
    with pytest.raises(LedgerLawError, match="counters must be integers: shipped"):
        LineLedger(ordered=1, shipped=True).validate()  # type: ignore[arg-type]
