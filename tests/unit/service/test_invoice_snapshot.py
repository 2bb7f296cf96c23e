"""An invoice snapshot's payload is the canonical JSON of the invoice's data, to the byte.

``service._views.invoice_snapshot`` writes the invoice as text straight from it (see
``serialization._text.CanonicalText``), keeping the text of tax profiles, payment terms and
lines by identity; what it writes must be exactly what ``canonical_json`` makes of the
library's own ``to_dict`` of the invoice, and what it cannot write goes the plain way.
"""

from __future__ import annotations

import json
from datetime import datetime

import attrs
import pytest

from ordercycle.errors import SerializationError
from ordercycle.invoicing import Invoice, TaxProfile
from ordercycle.serialization import from_dict, to_dict
from ordercycle.service import _views
from ordercycle.service._views import invoice_snapshot
from ordercycle.storage.records import canonical_json, is_written_json

pytest.importorskip("simpy")


def _plain(invoice: Invoice, order_id: str, line_ids: list[str]) -> str:
    return canonical_json({"order_id": order_id, "line_ids": line_ids, "invoice": to_dict(invoice)})


def _run_invoices() -> list[tuple[Invoice, str, list[str]]]:
    from ordercycle.simulation import Scenario
    from ordercycle.simulation.engine import Simulation

    scenario = Scenario.default(seed=5, orders=40, orders_per_day=60.0)
    sim = Simulation(attrs.evolve(scenario, return_rate=0.5))
    sim.run(events=False)
    found = []
    with sim.desk.storage.unit_of_work() as uow:
        for invoice_id in uow.events.aggregate_ids("invoice"):
            snapshot = uow.snapshots.latest("invoice", invoice_id)
            assert snapshot is not None
            data = json.loads(snapshot.payload)
            issued = from_dict(data["invoice"], Invoice)
            found.append((issued, data["order_id"], data["line_ids"]))
            # The invoice as it is now too (paid, credited), as a later snapshot holds it.
            found.append((sim.desk.invoice(invoice_id), data["order_id"], data["line_ids"]))
    return found


def test_the_snapshot_of_every_invoice_of_a_run_is_the_plain_canonical_json() -> None:
    invoices = _run_invoices()
    assert len(invoices) > 20
    assert any(invoice.payments for invoice, _, _ in invoices)
    assert any(invoice.credit_notes for invoice, _, _ in invoices)
    for invoice, order_id, line_ids in invoices:
        assert invoice_snapshot(invoice, order_id, line_ids) == _plain(invoice, order_id, line_ids)


def test_equal_profiles_that_are_other_objects_and_reused_ids_write_their_own_data() -> None:
    invoice, order_id, line_ids = _run_invoices()[0]
    profile = invoice.tax_profile
    for name in ("A", "B", "A"):  # a new object each time, some equal to an earlier one
        other = TaxProfile(
            name=name,
            rates=profile.rates,
            prices_include_tax=profile.prices_include_tax,
            rounding=profile.rounding,
            rounding_mode=profile.rounding_mode,
            exemptions=profile.exemptions,
        )
        changed = attrs.evolve(invoice, tax_profile=other)
        text = invoice_snapshot(changed, order_id, line_ids)
        assert text == _plain(changed, order_id, line_ids)
        assert json.loads(text)["invoice"]["tax_profile"]["name"] == name
        del other, changed  # the next profile may be made at the same address
    _views._SHARED.clear()  # a full memo is dropped: the data is made again
    assert invoice_snapshot(invoice, order_id, line_ids) == _plain(invoice, order_id, line_ids)


def test_an_invoice_the_text_writer_refuses_is_written_or_refused_the_plain_way() -> None:
    invoice, order_id, line_ids = _run_invoices()[0]
    # A number that is not text: the writer refuses it, the plain way writes it as data.
    odd = attrs.evolve(invoice, number=12)  # type: ignore[arg-type]
    assert invoice_snapshot(odd, order_id, line_ids) == _plain(odd, order_id, line_ids)
    # A naive time in an event (forced past its checks): both refuse it, with the
    # library's error.
    event = attrs.evolve(invoice.events[0])
    object.__setattr__(event, "occurred_at", datetime(2026, 1, 1))
    naive = attrs.evolve(invoice, events=(event,))
    with pytest.raises(SerializationError, match="naive datetime"):
        invoice_snapshot(naive, order_id, line_ids)


def test_a_snapshot_written_as_text_is_known_as_written_json() -> None:
    invoice, order_id, line_ids = _run_invoices()[0]
    assert is_written_json(invoice_snapshot(invoice, order_id, line_ids))


def test_the_kept_texts_of_lines_are_the_lines_own() -> None:
    invoice, order_id, line_ids = _run_invoices()[0]
    first = invoice_snapshot(invoice, order_id, line_ids)
    lines = (attrs.evolve(invoice.lines[0], description="other"), *invoice.lines[1:])
    other = attrs.evolve(invoice, lines=lines)
    text = invoice_snapshot(other, order_id, line_ids)
    assert text == _plain(other, order_id, line_ids)
    assert json.loads(text)["invoice"]["lines"][0]["description"] == "other"
    _views._SNAPSHOT_TEXT.forget()
    assert invoice_snapshot(invoice, order_id, line_ids) == first
