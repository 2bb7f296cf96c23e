"""Order-to-cash KPIs on the desk's own data, measured by the simulation's KPI code."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.service import OrderDesk
from ordercycle.service.cycle_kpis import O2C_KPIS
from ordercycle.simulation import KPIS, Scenario, Simulation, kpis_from_events

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture(scope="module")
def story() -> OrderDesk:
    desk = open_story_desk()
    order_to_cash_story(desk)
    return desk


def test_a_simulated_run_measures_the_same_on_its_log_and_on_the_desk() -> None:
    scenario = attrs.evolve(Scenario(), days=2)
    simulation = Simulation(scenario)
    result = simulation.run()
    simulated = kpis_from_events(result.events, scenario)
    start = scenario.start_at.date()
    report = simulation.desk.order_to_cash_report(
        start,
        start + timedelta(days=scenario.days + scenario.drain_days),
        promise_days=scenario.promise_days,
        as_of=scenario.start_at + timedelta(days=scenario.days + scenario.drain_days),
    )
    real = report.overall()
    shared = [name for name in KPIS if name in O2C_KPIS]
    assert len(shared) == 19  # order_to_ship_mean and _p90 are one definition too
    assert simulated["orders"] > 50
    for name in shared:
        a, b = simulated[name], real[name]
        if a is None or b is None:
            assert a is b, name
        else:
            # Times agree to within a second: 1.2e-5 days, 2.8e-4 hours.
            tolerance = 1e-5 * (24 if O2C_KPIS[name][0] == "hours" else 1)
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=tolerance), (name, a, b)


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def test_cycle_times_per_customer_come_from_the_orders_and_shipments(story: OrderDesk) -> None:
    report = story.order_to_cash_report(*MARCH)
    for customer in report.groups("customer"):
        orders = [story.order(o.order_id) for o in story.orders(customer_id=customer, limit=500)]
        delivered = []
        for order in orders:
            shipments = [
                story.shipment(s.ref)
                for s in report.events
                if s.kind == "delivered" and s.order_id == order.id
            ]
            units = sum(line.ledger.ordered for line in order.lines)
            if shipments and sum(sum(x.quantity for x in s.lines) for s in shipments) == units:
                last = max(s.delivered_at for s in shipments if s.delivered_at is not None)
                delivered.append(_hours(last, order.created_at) / 24)
        value = report.value("cycle_time_mean", scope="customer", group=customer)
        if delivered:
            assert value == pytest.approx(sum(delivered) / len(delivered))
        else:
            assert value is None
        assert report.value("orders", scope="customer", group=customer) == len(orders)
    assert report.value("orders") == 4
    assert report.value("cancel_rate") == pytest.approx(1 / 4)
    assert report.groups("channel") == ("direct",)
    assert report.value("revenue_invoiced") == pytest.approx(
        float(sum(i.total.amount for i in story.invoices()))
    )


def test_cash_conversion_per_month_adds_up(story: OrderDesk) -> None:
    report = story.order_to_cash_report(*MARCH)
    invoiced = sum(p.invoiced for p in report.periods)
    collected = sum(p.collected for p in report.periods)
    assert float(invoiced) == pytest.approx(report.value("revenue_invoiced"))
    assert float(collected) == pytest.approx(report.value("cash_collected"))
    assert [p.period.day for p in report.periods] == [1] * len(report.periods)
    for period in report.periods:
        if period.invoiced:
            assert period.conversion == pytest.approx(float(period.collected / period.invoiced))


def test_a_report_is_tidy_data_text_and_html(story: OrderDesk) -> None:
    report = story.order_to_cash_report(*MARCH)
    records = report.to_records()
    scopes = 1 + len(report.groups("customer")) + len(report.groups("channel"))
    assert len(records) == scopes * len(O2C_KPIS)
    assert set(records[0]) == {"scope", "group", "kpi", "value", "unit"}
    frame = report.to_pandas()
    assert len(frame) == len(records)
    assert "cycle_time_mean" in report.to_text()
    page = report.to_html()
    assert "<svg" in page
    assert "cash conversion" in page
    assert "<svg" not in report._repr_html_()


def test_an_empty_period_has_no_values_but_no_error(story: OrderDesk) -> None:
    report = story.order_to_cash_report(date(2027, 1, 1), date(2027, 1, 31))
    assert report.value("orders") == 0
    assert report.value("cycle_time_mean") is None
    assert report.groups("customer") == ()
    assert report.periods == ()


def test_bad_arguments_are_refused(story: OrderDesk) -> None:
    cases = [
        ((MARCH[1], MARCH[0]), {}, "end"),
        (("2026-03-01", MARCH[1]), {}, "start"),
        (MARCH, {"promise_days": -1}, "promise_days"),
        (MARCH, {"as_of": datetime(2026, 4, 1)}, "as_of"),
    ]
    for arguments, keywords, field in cases:
        with pytest.raises(ValidationError) as caught:
            story.order_to_cash_report(*arguments, **keywords)  # type: ignore[arg-type]
        assert caught.value.field == field
    with pytest.raises(ValidationError) as missing:
        story.order_to_cash_report(*MARCH).value("no_such_kpi")
    assert missing.value.field == "kpi"


def test_the_report_is_the_same_on_postgres(postgres_dsn: str, story: OrderDesk) -> None:
    import psycopg

    schema = f"oc_kpi_{uuid.uuid4().hex[:16]}"
    desk = OrderDesk.postgres(
        postgres_dsn,
        schema=schema,
        clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
        ids=SequentialIdFactory(),
    )
    try:
        order_to_cash_story(desk)
        as_of = datetime(2026, 6, 1, tzinfo=UTC)
        here = story.order_to_cash_report(*MARCH, as_of=as_of)
        there = desk.order_to_cash_report(*MARCH, as_of=as_of)
        assert there.values == here.values
        assert there.periods == here.periods
    finally:
        desk.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
