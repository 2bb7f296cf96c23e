"""The desk's read-model rows, built without ViewRow's checks, are the checked rows.

``service._views`` builds its rows directly (they come from aggregates the desk has just
checked); every row a run wrote must still be exactly what :class:`ViewRow`'s validating
constructor makes of the same fields, so no adapter ever sees a row it could not have
been given through the checked path.
"""

from __future__ import annotations

import json

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordercycle.model.order import Order
from ordercycle.service._views import (
    INVOICES,
    OPEN_ORDERS,
    ORDERS,
    PAYMENTS,
    SHIPMENTS,
    _data_around_state,
    _key_data,
    all_rows,
    invoice_data,
    invoice_row,
    projections,
    record_row,
)
from ordercycle.storage import MemoryStorage
from ordercycle.storage.views import ViewRow, sort_text

pytest.importorskip("simpy")


def test_every_row_a_run_writes_is_the_checked_row() -> None:
    from ordercycle.simulation import Scenario
    from ordercycle.simulation.engine import Simulation

    sim = Simulation(Scenario.default(seed=3, orders=25, orders_per_day=60.0))
    sim.run(events=False)
    seen: dict[str, int] = {}
    with sim.desk.storage.unit_of_work() as uow:
        for view in (ORDERS, INVOICES, PAYMENTS, SHIPMENTS, OPEN_ORDERS):
            for row in all_rows(uow, view, (), None, None):
                seen[view] = seen.get(view, 0) + 1
                checked = ViewRow(
                    view=row.view,
                    key=row.key,
                    version=row.version,
                    sort=row.sort,
                    terms=row.terms,
                    data=row.data,
                )
                assert checked == row
    assert set(seen) == {ORDERS, INVOICES, PAYMENTS, SHIPMENTS, OPEN_ORDERS}


def test_projections_of_a_unit_of_work_without_views_is_none() -> None:
    class Plain:
        pass

    assert projections(Plain()) is None  # type: ignore[arg-type]
    with MemoryStorage().unit_of_work() as uow:
        found = projections(uow)
        # The port is made when asked for (not kept: see storage._unit), so compare kinds.
        assert found is not None
        assert type(found) is type(uow.projections)


def test_order_rows_reused_by_a_run_equal_rows_built_afresh() -> None:
    from ordercycle.service._views import order_row
    from ordercycle.simulation import Scenario
    from ordercycle.simulation.engine import Simulation

    sim = Simulation(Scenario.default(seed=5, orders=25, orders_per_day=60.0))
    sim.run(events=False)
    desk = sim.desk
    ids = desk.order_ids()
    assert len(ids) == 25
    with desk.storage.unit_of_work() as uow:
        stored = {row.key: row for row in all_rows(uow, ORDERS, (), None, None)}
    assert sorted(stored) == sorted(ids)
    for order_id in ids:
        assert stored[order_id] == order_row(desk.order(order_id))


def _checked_order_row(order: Order) -> ViewRow:
    """The ``orders`` row of ``order`` written the plain way: the fields' dict as
    ``json.dumps`` writes it, the terms in any order, through ViewRow's checks."""
    on_order = [line for line in order.lines if line.ledger.active]
    skus = sorted({str(line.sku) for line in on_order})
    total = order.total
    data = {
        "order_id": str(order.id),
        "customer_id": str(order.customer_id),
        "channel": order.channel,
        "state": order.state,
        "placed_at": order.created_at.isoformat(),
        "currency": total.currency.code,
        "total": str(total.amount),
        "units": sum(line.ledger.active for line in on_order),
        "skus": skus,
    }
    return ViewRow(
        view=ORDERS,
        key=str(order.id),
        version=order.version,
        sort=sort_text(order.created_at),
        terms=(
            *(("sku", sku) for sku in reversed(skus)),
            ("state", order.state),
            ("customer", str(order.customer_id)),
            ("channel", order.channel),
        ),
        data=json.dumps(data, sort_keys=True),
    )


def test_order_rows_follow_every_change_of_an_order_through_its_history() -> None:
    from ordercycle.model.order.events import OrderEvent
    from ordercycle.service._views import OrderRows, order_row
    from ordercycle.simulation import Scenario
    from ordercycle.simulation.engine import Simulation

    sim = Simulation(Scenario.default(seed=5, orders=8, orders_per_day=60.0))
    sim.run(events=False)
    rows = OrderRows()
    reused = restated = 0
    with sim.desk.storage.unit_of_work() as uow:
        for order_id in sim.desk.order_ids():
            history = [e for e in uow.events.load("order", order_id) if isinstance(e, OrderEvent)]
            for cut in range(1, len(history) + 1):
                order = Order.replay(history[:cut])
                known = rows._parts.get(order_id)
                data = None if known is None else known.data
                row = rows.row(order)
                after = rows._parts[order_id]
                reused += row.data is data
                restated += row.data is not data and after is known
                assert row == order_row(order) == _checked_order_row(order)
    # Both reuse paths ran (the whole row; the lines' parts under a new state), and gave
    # the same rows as built afresh.
    assert reused > 0
    assert restated > 0


def test_order_rows_rebuild_when_the_header_or_the_lines_change_in_one_state() -> None:
    from datetime import UTC, datetime

    from ordercycle.model.address import Address
    from ordercycle.model.order import Order
    from ordercycle.model.order.lines import NewLine
    from ordercycle.money import Money
    from ordercycle.service._views import OrderRows, order_row

    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
    order, _ = Order.create(
        "O-1",
        customer_id="C-1",
        currency="USD",
        shipping_address=home,
        at=at,
        lines=[NewLine("L1", "MUG", 2, Money("5.00", "USD"))],
    )
    rows = OrderRows()
    assert rows.row(order) == order_row(order) == _checked_order_row(order)
    # The same state each time: a new channel, then a new line, then the same order again.
    order, _ = order.change_header(channel="phone", at=at)
    assert rows.row(order) == order_row(order) == _checked_order_row(order)
    assert '"channel": "phone"' in rows.row(order).data
    order, _ = order.add_line(NewLine("L2", "TEA", 3, Money("2.00", "USD")), at=at)
    row = rows.row(order)
    assert row == order_row(order) == _checked_order_row(order)
    assert ("sku", "TEA") in row.terms
    assert rows.row(order).data is row.data
    # A new state of the same lines reuses their parts and still equals a fresh row.
    order, _ = order.place(at=at)
    assert rows.row(order) == order_row(order) == _checked_order_row(order)
    assert ("state", "placed") in rows.row(order).terms
    # A line no longer on order leaves the skus, the units and the total.
    order, _ = order.cancel_line("L2", 3, at=at)
    row = rows.row(order)
    assert row == order_row(order) == _checked_order_row(order)
    assert ("sku", "TEA") not in row.terms


_TEXT = st.text(st.characters(), max_size=12)


@given(
    texts=st.lists(_TEXT, min_size=7, max_size=7),
    units=st.integers(-(10**20), 10**20),
    skus=st.lists(_TEXT, max_size=4),
)
def test_order_data_around_its_state_is_the_sorted_json_of_its_fields(
    texts: list[str], units: int, skus: list[str]
) -> None:
    names = ("order_id", "customer_id", "channel", "placed_at", "currency", "total", "state")
    fields = dict(zip(names, texts, strict=True))
    state = fields.pop("state")
    before, after = _data_around_state(**fields, units=units, skus=tuple(skus))
    written = before + json.dumps(state) + after
    assert written == json.dumps(
        {**fields, "state": state, "units": units, "skus": skus}, sort_keys=True
    )


@given(
    texts=st.lists(_TEXT, min_size=8, max_size=8),
    due_date=st.none() | _TEXT,
    number=st.none() | _TEXT,
)
def test_invoice_data_is_the_json_of_its_fields_in_order(
    texts: list[str], due_date: str | None, number: str | None
) -> None:
    names = (
        "balance",
        "currency",
        "customer_id",
        "invoice_date",
        "invoice_id",
        "order_id",
        "state",
        "total",
    )
    fields: dict[str, str | None] = dict(zip(names, texts, strict=True))
    fields.update(due_date=due_date, number=number)
    written = invoice_data(**fields)  # type: ignore[arg-type]
    assert written == json.dumps(fields, sort_keys=True)


def test_an_invoice_row_holds_its_dates_as_iso_text_and_sorts_by_its_due_date() -> None:
    from ordercycle.simulation import Scenario
    from ordercycle.simulation.engine import Simulation

    sim = Simulation(Scenario.default(seed=3, orders=25, orders_per_day=60.0))
    sim.run(events=False)
    with sim.desk.storage.unit_of_work() as uow:
        rows = list(all_rows(uow, INVOICES, (), None, None))
    assert rows
    for row in rows:
        invoice = sim.desk.invoice(row.key)
        due = invoice.schedule.final_due_date if invoice.schedule is not None else None
        data = row.loads()
        assert data["invoice_date"] == invoice.invoice_date.isoformat()
        assert data["due_date"] == (None if due is None else due.isoformat())
        assert row.sort == (invoice.invoice_date if due is None else due).isoformat()
    # An invoice without a schedule (a draft) sorts and is dated by its invoice date.
    draft = attrs.evolve(invoice, schedule=None)
    row = invoice_row(draft, "O-1")
    assert row.loads()["due_date"] is None
    assert row.sort == row.loads()["invoice_date"] == invoice.invoice_date.isoformat()


@given(key=_TEXT, name=st.sampled_from(["payment_id", "shipment_id", "order_id"]))
def test_a_record_rows_data_is_the_json_of_its_key(key: str, name: str) -> None:
    assert _key_data(name, key) == json.dumps({name: key})


def test_an_open_order_row_holds_its_order_id_as_json() -> None:
    from datetime import UTC, datetime

    from ordercycle.service.records import OpenOrder

    state = OpenOrder(customer_id="C-1", since=datetime(2026, 1, 5, tzinfo=UTC))
    row = record_row("open_order", 'O-\u00e9"1', state, 2)
    assert row is not None
    assert row.loads() == {"order_id": 'O-\u00e9"1'}
    assert row.data == json.dumps({"order_id": 'O-\u00e9"1'})
