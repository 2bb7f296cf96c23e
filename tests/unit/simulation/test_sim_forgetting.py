"""A KPIs-only run forgets the orders it is finished with: same results, bounded storage."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

from ordercycle.errors import StorageError
from ordercycle.simulation import Scenario, simulate
from ordercycle.simulation.engine import Simulation


def _busy(seed: int, orders: int, **changes: Any) -> Scenario:
    """The built-in scenario with every path an order can take: credit holds and refusals,
    cancellations, short picks, backorders, returns, early and late payers."""
    values: dict[str, Any] = {
        "orders": orders,
        "orders_per_day": 60.0,
        "return_rate": 0.3,
        "short_pick_rate": 0.05,
        "cancel_rate": 0.05,
        "credit_refusal_rate": 0.3,
    }
    return Scenario.default(seed=seed, **{**values, **changes})


def _scarce(seed: int) -> Scenario:
    """Too little stock, so many orders wait on backorder and ship in several parts."""
    base = _busy(seed, 160)
    catalogue = tuple(
        attrs.evolve(item, initial_stock=20, reorder_point=10, order_up_to=40)
        for item in base.catalogue
    )
    return base.evolve(catalogue=catalogue)


def _run(scenario: Scenario, keep_finished: bool) -> tuple[Simulation, Any]:
    simulation = Simulation(scenario, keep_finished=keep_finished)
    return simulation, simulation.run(events=False)


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(_busy(11, 200), id="every path"),
        pytest.param(_scarce(12), id="backorders"),
        pytest.param(Scenario.default(seed=13, orders=150, orders_per_day=60.0), id="default"),
    ],
)
def test_forgetting_finished_orders_changes_no_result(scenario: Scenario) -> None:
    kept_run, kept = _run(scenario, keep_finished=True)
    forgot_run, forgot = _run(scenario, keep_finished=False)
    assert forgot.kpis == kept.kpis
    assert forgot.conservation == kept.conservation
    assert forgot.totals == kept.totals
    assert forgot.state_totals == kept.state_totals
    assert forgot.warnings == kept.warnings
    assert forgot.series == kept.series
    assert forgot == kept
    # The invoices payments read back are kept for their orders' finish checks only while
    # forgetting, and go with their orders.
    assert kept_run._paid_invoices == {}
    assert set(forgot_run._paid_invoices) <= set(forgot_run.final_due)
    # ... and it did forget: most orders are gone from the desk, all were counted.
    assert kept_run.finished_tally is None
    tally = forgot_run.finished_tally
    assert tally is not None
    assert sum(tally.orders.values()) > scenario.orders // 2
    left = len(forgot_run.desk.order_ids())
    assert left + sum(tally.orders.values()) == len(kept_run.desk.order_ids())


def test_a_kpis_only_run_forgets_and_a_run_with_events_keeps_everything() -> None:
    scenario = Scenario.default(seed=5, orders=120, orders_per_day=60.0)
    with_events = Simulation(scenario)
    with_events.run()
    assert len(with_events.desk.order_ids()) == 120
    kpis_only = simulate(scenario, events=False)
    assert kpis_only.kpis == simulate(scenario).kpis
    assert kpis_only.conservation["orders"] == {"delivered": 120}


def _most_kept(scenario: Scenario) -> dict[str, int]:
    """The most streams, stored events and outbox messages the desk held, and the most
    orders, keyed random draws and folded orders the run tracked, at the start of any
    simulated day of a KPIs-only run (what simulate() makes)."""
    simulation = Simulation(scenario, keep_finished=False, keep_events=False)
    state = simulation.desk.storage._state  # type: ignore[attr-defined]
    names = ("streams", "events", "stock events", "outbox", "orders tracked")
    names += ("draws", "folded orders", "invoices due")
    most = dict.fromkeys(names, 0)
    day = 0
    while simulation.now < simulation.horizon:
        day += 1
        simulation.advance(min(simulation.horizon, day * 24.0))
        seen = {
            "streams": len(state.streams),
            "events": sum(len(rows) for rows in state.streams.values()),
            "outbox": len(state.outbox_rows),
            "stock events": sum(len(r) for (k, _), r in state.streams.items() if k == "stock"),
            "orders tracked": len(simulation.orders),
            "draws": len(simulation.streams._drawn),
            "folded orders": len(simulation._fold._orders),  # type: ignore[union-attr]
            "invoices due": sum(len(heap) for heap in simulation._due_invoices.values()),
        }
        most = {name: max(most[name], seen[name]) for name in most}
    return most


def test_a_forgetting_run_keeps_no_read_models_and_a_keeping_run_does() -> None:
    scenario = Scenario.default(seed=4, orders=60, orders_per_day=60.0)
    kept = Simulation(scenario)
    kept.run()
    assert len(kept.desk.orders(limit=500).items) == 60
    forgot = Simulation(scenario, keep_finished=False, keep_events=False)
    forgot.run(events=False)
    state = forgot.desk.storage._state  # type: ignore[attr-defined]
    assert state.views == {}
    assert state.terms == {}
    with pytest.raises(StorageError, match="keeps no read models"):
        forgot.desk.orders()
    # The orders still open at the end are in the desk, read from their streams.
    assert all(forgot.desk.order(o).id == o for o in forgot.desk.order_ids())


def test_what_a_kpis_only_run_keeps_does_not_grow_with_its_length() -> None:
    # An order is in flight for about five weeks (delivery, then payment terms), so the runs
    # are long against that: 40 and 120 days of arrivals at 10 orders a day.
    short = _most_kept(Scenario.default(seed=3, orders=400, orders_per_day=10.0))
    long = _most_kept(Scenario.default(seed=3, orders=1200, orders_per_day=10.0))
    # Three times the orders over three times the days: what is kept at any one time is
    # about the same (the orders in flight), where keeping everything grows threefold.
    for name, most in short.items():
        assert long[name] < 1.5 * most, (name, most, long[name])


class _CheckedReads(Simulation):
    """A run that checks what it takes from payments' read-backs against the desk: at
    every finish check, that each invoice it kept is still what the desk holds; and each
    time it finds nothing due for a payment without reading, that the customer has no open
    invoice due by then."""

    checked = 0
    skipped = 0

    def _finish(self, order_id: str) -> None:
        for invoice_id in self.orders[order_id].invoices:
            kept = self._paid_invoices.get(invoice_id)
            if kept is not None:
                assert kept == self.desk.invoice(invoice_id), invoice_id
                self.checked += 1
        super()._finish(order_id)

    def _nothing_due(self, customer: str, due: date) -> bool:
        nothing = super()._nothing_due(customer, due)
        if nothing:
            self.skipped += 1
            for invoice_id in self.desk.open_invoice_ids(customer):
                schedule = self.desk.invoice(invoice_id).schedule
                assert schedule is None or schedule.installments[-1].due_date > due, invoice_id
        return nothing


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(_busy(21, 200), id="every path"),
        pytest.param(_busy(22, 200, return_rate=0.9, return_after_days=40), id="late returns"),
        pytest.param(_scarce(23), id="backorders"),
    ],
)
def test_what_a_run_takes_from_payments_read_backs_is_what_the_desk_holds(
    scenario: Scenario,
) -> None:
    simulation = _CheckedReads(scenario, keep_finished=False, keep_events=False)
    simulation.run(events=False)
    assert simulation.checked > 10
    assert simulation.skipped > 10
    for invoice_id, kept in simulation._paid_invoices.items():
        assert kept == simulation.desk.invoice(invoice_id), invoice_id
    # ... and every invoice it tracks but no longer looks at for its customer is paid.
    tracked = {i for track in simulation.orders.values() for i in track.invoices}
    waiting = {i for heap in simulation._due_invoices.values() for _, i in heap}
    for invoice_id in tracked - waiting:
        assert simulation.desk.invoice(invoice_id).state == "paid", invoice_id


def test_a_run_that_keeps_everything_reads_every_payments_invoices() -> None:
    simulation = _CheckedReads(_busy(24, 60), keep_finished=True, keep_events=False)
    simulation.run(events=False)
    assert simulation.skipped == 0
    assert simulation._paid_invoices == {} == simulation._due_invoices


def test_nothing_is_due_only_when_every_invoice_due_by_then_was_read_back_paid() -> None:
    simulation = Simulation(_busy(25, 10), keep_finished=False, keep_events=False)
    invoices = {"INV-1": date(2025, 1, 10), "INV-2": date(2025, 1, 20), "INV-3": date(2025, 1, 5)}
    simulation.final_due.update(invoices)
    simulation._due_invoices["C-1"] = sorted((due, i) for i, due in invoices.items())
    simulation._paid_invoices["INV-3"] = SimpleNamespace(state="paid")
    assert not simulation._nothing_due("C-1", date(2025, 1, 10))  # INV-1 not read back
    simulation._paid_invoices["INV-1"] = SimpleNamespace(state="partially_paid")
    assert not simulation._nothing_due("C-1", date(2025, 1, 10))
    assert simulation._nothing_due("C-1", date(2025, 1, 9))  # only INV-3 (paid) is due
    simulation._paid_invoices["INV-1"] = SimpleNamespace(state="paid")
    assert simulation._nothing_due("C-1", date(2025, 1, 10))
    assert simulation._nothing_due("C-1", date(2025, 1, 19))  # INV-2 is due later
    assert not simulation._nothing_due("C-1", date(2025, 1, 20))
    del simulation.final_due["INV-2"]  # forgotten (its order was finished with)
    assert simulation._nothing_due("C-1", date(2025, 1, 20))
    assert simulation._due_invoices["C-1"] == []  # each dropped when it came first
    simulation.final_due["INV-4"] = date(2025, 1, 25)
    simulation._due_invoices["C-1"].append((date(2025, 1, 25), "INV-4"))
    assert not simulation._nothing_due("C-1", date(2025, 1, 30))
    assert simulation._nothing_due("C-2", date(2025, 1, 30))  # no invoice at all
    keeping = Simulation(_busy(25, 10), keep_finished=True, keep_events=False)
    keeping.final_due.update(simulation.final_due)
    assert not keeping._nothing_due("C-2", date(2025, 1, 30))  # it never skips the reads
