"""Properties of the per-line quantity ledger: every command keeps every law."""

from __future__ import annotations

import contextlib

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import InvalidQuantityError
from ordercycle.model.order.errors import QuantityNotAvailableError
from ordercycle.model.order.ledger import LineLedger
from ordercycle.model.order.policies import InvoicePolicy, ReturnCondition

OPS = (
    "increase",
    "decrease",
    "cancel",
    "allocate",
    "deallocate",
    "backorder",
    "pick",
    "pack",
    "ship",
    "deliver",
    "request_return",
    "withdraw_return",
    "receive_resellable",
    "receive_damaged",
    "invoice",
    "credit",
)


def apply(ledger: LineLedger, op: str, quantity: int, policy: InvoicePolicy) -> LineLedger:
    if op in {"decrease", "cancel"}:
        new, release = getattr(ledger, op)(quantity)
        assert release.total == quantity
        return new  # type: ignore[no-any-return]
    if op == "receive_resellable":
        return ledger.receive_return(quantity, ReturnCondition.RESELLABLE)
    if op == "receive_damaged":
        return ledger.receive_return(quantity, ReturnCondition.DAMAGED)
    if op == "invoice":
        return ledger.invoice(quantity, policy)
    return getattr(ledger, op)(quantity)  # type: ignore[no-any-return]


steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(-2, 8)), max_size=40)


@settings(max_examples=300)
@given(st.integers(1, 12), st.sampled_from(list(InvoicePolicy)), steps)
def test_every_accepted_command_keeps_every_law(
    ordered: int, policy: InvoicePolicy, ops: list[tuple[str, int]]
) -> None:
    ledger = LineLedger.of(ordered)
    accepted = 0
    for op, quantity in ops:
        before = ledger
        try:
            ledger = apply(ledger, op, quantity, policy)
        except InvalidQuantityError:
            assert ledger == before
            continue
        accepted += 1
        assert ledger.check(policy) == (), (op, quantity, ledger)
        assert ledger.open >= 0
        assert (
            ledger.open
            + ledger.allocated
            + ledger.backordered
            + ledger.picked
            + (ledger.packed + ledger.shipped + ledger.canceled)
            == ledger.ordered
        )


@given(st.integers(1, 20), st.integers(1, 20))
def test_cancel_releases_exactly_what_it_takes(ordered: int, canceled: int) -> None:
    ledger = LineLedger.of(ordered).allocate(ordered)
    if canceled > ordered:
        return
    new, release = ledger.cancel(canceled)
    assert release.allocated == canceled == release.to_stock
    assert new.canceled == canceled
    assert new.allocated == ordered - canceled


@given(
    st.builds(
        LineLedger,
        ordered=st.integers(-3, 10),
        canceled=st.integers(-3, 10),
        allocated=st.integers(-3, 10),
        shipped=st.integers(-3, 10),
        delivered=st.integers(-3, 10),
        returned_damaged=st.integers(-3, 10),
        invoiced=st.integers(-3, 10),
        credited=st.integers(-3, 10),
    )
)
def test_check_reports_every_broken_law_independently(ledger: LineLedger) -> None:
    violations = ledger.check(InvoicePolicy.DELIVERED)
    expected = [
        any(v < 0 for v in attrs.asdict(ledger).values()),
        ledger.ordered < 1,
        ledger.open < 0,
        ledger.delivered > ledger.shipped,
        ledger.returned > ledger.delivered,
        ledger.return_requested > ledger.delivered - ledger.returned,
        ledger.credited > ledger.invoiced,
        ledger.invoiced - ledger.credited > ledger.ordered - ledger.canceled,
        ledger.invoiced > ledger.delivered,
    ]
    assert len(violations) == sum(expected)


def _available(ledger: LineLedger, op: str, policy: InvoicePolicy) -> int:
    """How many units each command may take, by its documented rule."""
    return {
        "allocate": ledger.open + ledger.backordered,
        "deallocate": ledger.allocated,
        "backorder": ledger.open,
        "pick": ledger.allocated,
        "pack": ledger.picked,
        "ship": ledger.packed,
        "deliver": ledger.shipped - ledger.delivered,
        "request_return": ledger.delivered - ledger.returned - ledger.return_requested,
        "withdraw_return": ledger.return_requested,
        "receive_resellable": ledger.return_requested,
        "receive_damaged": ledger.return_requested,
        "invoice": ledger.invoiceable(policy),
        "credit": ledger.invoiced - ledger.credited,
        "cancel": min(ledger.unshipped, ledger.active - ledger.net_invoiced),
        "decrease": min(ledger.unpicked, ledger.ordered - 1, ledger.active - ledger.net_invoiced),
    }[op]


@settings(max_examples=200)
@given(st.integers(1, 12), st.sampled_from(list(InvoicePolicy)), steps)
def test_each_command_takes_exactly_what_is_available_and_not_one_more(
    ordered: int, policy: InvoicePolicy, ops: list[tuple[str, int]]
) -> None:
    ledger = LineLedger.of(ordered)
    for op, quantity in ops:
        with contextlib.suppress(InvalidQuantityError):
            ledger = apply(ledger, op, quantity, policy)
        for probe in OPS:
            if probe == "increase":
                continue
            room = _available(ledger, probe, policy)
            with pytest.raises(QuantityNotAvailableError):
                apply(ledger, probe, room + 1, policy)
            if room > 0:
                assert apply(ledger, probe, room, policy).check(policy) == ()
