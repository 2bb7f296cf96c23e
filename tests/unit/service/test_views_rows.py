"""The desk's read-model rows, built without ViewRow's checks, are the checked rows.

``service._views`` builds its rows directly (they come from aggregates the desk has just
checked); every row a run wrote must still be exactly what :class:`ViewRow`'s validating
constructor makes of the same fields, so no adapter ever sees a row it could not have
been given through the checked path.
"""

from __future__ import annotations

import pytest

from ordercycle.service._views import (
    INVOICES,
    ORDERS,
    PAYMENTS,
    SHIPMENTS,
    all_rows,
    projections,
)
from ordercycle.storage import MemoryStorage
from ordercycle.storage.views import ViewRow

pytest.importorskip("simpy")


def test_every_row_a_run_writes_is_the_checked_row() -> None:
    from ordercycle.simulation import Scenario
    from ordercycle.simulation.engine import Simulation

    sim = Simulation(Scenario.default(seed=3, orders=25, orders_per_day=60.0))
    sim.run(events=False)
    seen: dict[str, int] = {}
    with sim.desk.storage.unit_of_work() as uow:
        for view in (ORDERS, INVOICES, PAYMENTS, SHIPMENTS):
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
    assert set(seen) == {ORDERS, INVOICES, PAYMENTS, SHIPMENTS}


def test_projections_of_a_unit_of_work_without_views_is_none() -> None:
    class Plain:
        pass

    assert projections(Plain()) is None  # type: ignore[arg-type]
    with MemoryStorage().unit_of_work() as uow:
        assert projections(uow) is uow.projections
