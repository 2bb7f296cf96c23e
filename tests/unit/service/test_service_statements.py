"""Statements of account and customer histories, checked against the documents themselves."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ordercycle.errors import ValidationError
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.money import Money
from ordercycle.service import OrderDesk, StatementEntry, UnknownAggregateError
from ordercycle.service.statements import build_statement

CUSTOMERS = ("C-ACME", "C-BOLT", "C-CAFE")
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(scope="module")
def story() -> OrderDesk:
    desk = open_story_desk()
    order_to_cash_story(desk)
    return desk


def _owed(desk: OrderDesk, customer_id: str) -> Money:
    """Open invoices less every credit the customer holds, from the documents."""
    invoices = [i for i in desk.invoices() if i.customer_id == customer_id]
    total = Money.zero("USD")
    for invoice in invoices:
        total = total + invoice.balance - invoice.customer_credit
    with desk.storage.unit_of_work() as uow:
        payment_ids = uow.events.aggregate_ids("payment")
    for payment_id in payment_ids:
        payment = desk.payment(payment_id)
        if payment.customer_id == customer_id:
            total = total - payment.unapplied
    return total


@pytest.mark.parametrize("customer_id", CUSTOMERS)
def test_a_statement_closes_at_what_the_customer_owes(story: OrderDesk, customer_id: str) -> None:
    statement = story.statement(customer_id, *YEAR)
    assert statement.closing == _owed(story, customer_id)
    assert statement.opening == Money.zero("USD")
    assert statement.closing == statement.opening + statement.debits - statement.credits
    running = statement.opening
    for entry in statement.entries:
        running = running + entry.debit - entry.credit
        assert entry.balance == running


def test_the_balance_brought_forward_is_the_movements_before_the_period(
    story: OrderDesk,
) -> None:
    whole = story.statement("C-ACME", *YEAR)
    days = sorted({e.on for e in whole.entries})
    assert len(days) >= 2
    later = story.statement("C-ACME", days[1], YEAR[1])
    before = [e for e in whole.entries if e.on < days[1]]
    assert later.opening == before[-1].balance
    assert later.closing == whole.closing
    assert [e.reference for e in later.entries] == [
        e.reference for e in whole.entries if e.on >= days[1]
    ]
    first_day = story.statement("C-ACME", days[0], days[0])
    assert first_day.closing == before[-1].balance
    assert "balance brought forward" in later.to_text()
    assert later.to_text().splitlines()[-1].split()[-1] == str(later.closing.amount)


def test_a_statement_shows_invoices_payments_discounts_and_credit_notes(
    story: OrderDesk,
) -> None:
    statement = story.statement("C-ACME", *YEAR)
    kinds = [e.kind for e in statement.entries]
    assert kinds == ["invoice", "credit_note", "payment", "discount"]
    (invoice,) = [i for i in story.invoices() if i.customer_id == "C-ACME"]
    assert statement.entries[0].debit == invoice.total
    assert statement.entries[0].reference == invoice.number
    assert statement.entries[3].credit == invoice.discount_taken
    records = statement.to_records()
    assert records[0]["kind"] == "opening"
    assert [r["reference"] for r in records[1:]] == [e.reference for e in statement.entries]
    frame = statement.to_pandas()
    assert list(frame["balance"])[-1] == statement.closing.amount
    assert "<table>" in statement._repr_html_()
    assert str(statement.closing.amount) in statement._repr_html_()


def test_cash_received_on_account_is_a_credit_balance(story: OrderDesk) -> None:
    desk = open_story_desk()
    order_to_cash_story(desk)
    desk.record_payment("C-BOLT", Money("50.00", "USD"))
    statement = desk.statement("C-BOLT", *YEAR)
    assert statement.entries[-1].kind == "payment"
    assert statement.closing == Money("-50.00", "USD") == _owed(desk, "C-BOLT")


def test_build_statement_orders_a_day_and_refuses_bad_input() -> None:
    usd = Money.zero("USD")
    day = date(2026, 2, 1)
    pay = StatementEntry(
        on=day, kind="payment", reference="P", description="", debit=usd, credit=Money(5, "USD")
    )
    bill = StatementEntry(
        on=day, kind="invoice", reference="I", description="", debit=Money(9, "USD"), credit=usd
    )
    statement = build_statement("C-1", [pay, bill], start=day, end=day, currency="USD")
    assert [e.reference for e in statement.entries] == ["I", "P"]
    assert [e.balance for e in statement.entries] == [Money(9, "USD"), Money(4, "USD")]
    with pytest.raises(ValidationError) as caught:
        build_statement("C-1", [], start=day, end=day - timedelta(days=1), currency="USD")
    assert caught.value.field == "end"
    euros = StatementEntry(
        on=day,
        kind="payment",
        reference="E",
        description="",
        debit=Money.zero("EUR"),
        credit=Money(1, "EUR"),
    )
    with pytest.raises(ValidationError) as wrong:
        build_statement("C-1", [euros], start=day, end=day, currency="USD")
    assert wrong.value.field == "currency"


def test_a_history_lists_orders_volumes_shipments_and_money(story: OrderDesk) -> None:
    for customer_id in CUSTOMERS:
        history = story.customer_history(customer_id, *YEAR)
        orders = [story.order(i) for i in story.order_ids()]
        mine = [o for o in orders if o.customer_id == customer_id]
        assert [o.order_id for o in history.orders] == [o.id for o in mine]
        for volume in history.products:
            lines = [line for o in mine for line in o.lines if line.sku == volume.sku]
            assert volume.ordered == sum(line.ledger.active for line in lines)
            assert volume.shipped == sum(line.ledger.shipped for line in lines)
            assert volume.delivered == sum(line.ledger.delivered for line in lines)
            assert volume.returned == sum(line.ledger.returned for line in lines)
        for shipment in history.shipments:
            assert shipment.order_id in {o.id for o in mine}
        invoices = {i.invoice_id for i in story.invoices() if i.customer_id == customer_id}
        assert {i.invoice_id for i in history.invoices} == invoices
        assert all(p.customer_id == customer_id for p in history.payments)
        assert history.statement == story.statement(customer_id, *YEAR)
        assert history.to_records() == [p.to_record() for p in history.products]
        assert customer_id in history.to_text()
        assert "<table>" in history._repr_html_()
    acme = story.customer_history("C-ACME", *YEAR)
    assert {p.sku for p in acme.products} == {"MUG", "TEAPOT"}
    assert len(acme.shipments) >= 1
    assert len(acme.credit_notes) == 1
    assert list(acme.to_pandas()["sku"]) == ["MUG", "TEAPOT"]


def test_a_history_outside_the_period_is_empty_but_keeps_the_balance(story: OrderDesk) -> None:
    later = story.customer_history("C-CAFE", date(2027, 1, 1), date(2027, 1, 31))
    assert (later.orders, later.products, later.shipments, later.payments) == ((), (), (), ())
    assert later.statement.entries == ()
    assert later.statement.opening == later.statement.closing == _owed(story, "C-CAFE")


def test_unknown_customers_and_bad_periods_are_refused(story: OrderDesk) -> None:
    with pytest.raises(UnknownAggregateError):
        story.statement("C-NOBODY", *YEAR)
    with pytest.raises(ValidationError) as caught:
        story.customer_history("C-ACME", date(2026, 2, 1), date(2026, 1, 1))
    assert caught.value.field == "end"
    with pytest.raises(ValidationError) as wrong:
        story.statement("C-ACME", "2026-01-01", YEAR[1])  # type: ignore[arg-type]
    assert wrong.value.field == "start"


def test_statements_on_postgres(postgres_dsn: str) -> None:
    import psycopg

    schema = f"oc_stmt_{uuid.uuid4().hex[:16]}"
    desk = OrderDesk.postgres(
        postgres_dsn,
        schema=schema,
        clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
        ids=SequentialIdFactory(),
    )
    try:
        order_to_cash_story(desk)
        for customer_id in CUSTOMERS:
            assert desk.statement(customer_id, *YEAR).closing == _owed(desk, customer_id)
        assert len(desk.customer_history("C-ACME", *YEAR).orders) == 1
    finally:
        desk.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_a_database_written_by_0_1_0_has_statements_and_histories(tmp_path: Path) -> None:
    copy = tmp_path / "story.db"
    shutil.copyfile(Path(__file__).parents[2] / "fixtures" / "story-0.1.0.db", copy)
    with open_story_desk(copy) as desk:
        for customer_id in CUSTOMERS:
            statement = desk.statement(customer_id, *YEAR)
            assert statement.entries != ()
            assert statement.closing == _owed(desk, customer_id)
            history = desk.customer_history(customer_id, *YEAR)
            assert len(history.shipments) == len(
                [s for o in history.orders for s in _shipments_of(desk, o.order_id)]
            )


def _shipments_of(desk: OrderDesk, order_id: str) -> list[str]:
    with desk.storage.unit_of_work() as uow:
        ids = uow.events.aggregate_ids("shipment")
    return [i for i in ids if desk.shipment(i).order_id == order_id]


def _ledger_balance(desk: OrderDesk, customer_id: str) -> Money:
    return desk.account_ledger(customer_id).balance.balance


def test_a_statement_reads_the_ledger_refunds_reversals_and_applications() -> None:
    desk = open_story_desk()
    order_to_cash_story(desk)
    usd = lambda amount: Money(amount, "USD")  # noqa: E731
    desk.refund_credit("C-ACME", usd("20.00"), "bank transfer", "BT-77")
    paid = desk.record_payment("C-BOLT", usd("50.00")).aggregate_id
    desk.reverse_payment("C-BOLT", paid, "paid twice")
    on_account = desk.record_payment("C-BOLT", usd("80.00")).aggregate_id
    order_id = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    desk.confirm_order(order_id)
    desk.allocate_order(order_id)
    for warehouse in desk.settings.network.warehouse_ids:
        try:
            wave = desk.release_wave(warehouse, [order_id])
        except ValueError:
            continue
        desk.confirm_picks(wave.aggregate_id)
        packed = desk.pack_order(order_id, wave.aggregate_id)
        desk.ship_shipment(packed.aggregate_id, f"1Z-{packed.aggregate_id}")
        desk.deliver_shipment(packed.aggregate_id)
    invoice = desk.invoice(desk.invoice_order(order_id).aggregate_id)
    desk.apply_credit("C-BOLT")
    acme = desk.statement("C-ACME", *YEAR)
    (refund,) = [e for e in acme.entries if e.kind == "refund"]
    assert refund.debit == usd("20.00")
    assert "BT-77" in refund.description
    bolt = desk.statement("C-BOLT", *YEAR)
    (reversal,) = [e for e in bolt.entries if e.kind == "reversal"]
    assert (reversal.reference, reversal.debit) == (paid, usd("50.00"))
    bolt = desk.statement("C-BOLT", *YEAR)
    (application,) = [e for e in bolt.entries if e.kind == "application"]
    assert application.reference == on_account
    assert application.debit.is_zero
    assert application.credit.is_zero
    assert str(invoice.number) in application.description
    for customer_id in CUSTOMERS:
        statement = desk.statement(customer_id, *YEAR)
        # The documents know nothing of refunds: the ledger is what the customer owes.
        assert statement.closing == _ledger_balance(desk, customer_id)
        assert statement.closing == statement.opening + statement.debits - statement.credits
    assert acme.closing == usd("-87.21") + usd("20.00")
    assert bolt.closing == invoice.total - usd("80.00")


def test_a_0_1_0_statement_closes_at_the_ledger_balance_before_and_after_it_posts(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "story.db"
    shutil.copyfile(Path(__file__).parents[2] / "fixtures" / "story-0.1.0.db", copy)
    with open_story_desk(copy) as desk:
        before = {c: desk.statement(c, *YEAR) for c in CUSTOMERS}
        for customer_id, statement in before.items():
            assert statement.closing == _ledger_balance(desk, customer_id)
        # The first posting stores the ledger, opened from the documents 0.1.0 wrote.
        desk.refund_credit("C-ACME", Money("7.21", "USD"), "card", "CB-1")
        after = desk.statement("C-ACME", *YEAR)
        assert after.closing == _ledger_balance(desk, "C-ACME")
        assert after.closing == before["C-ACME"].closing + Money("7.21", "USD")
        # The history 0.1.0 wrote stays on the statement, beside what the ledger posted.
        kinds = sorted(e.kind for e in after.entries)
        assert kinds == sorted([*(e.kind for e in before["C-ACME"].entries), "refund"])
        # An invoice 0.1.0 left open, paid short now and the rest written off: each once.
        desk.record_payment("C-CAFE", Money("17.50", "USD"), invoice_ids=["INV-000003"])
        written = desk.write_off_balance("C-CAFE", "INV-000003").aggregate_id
        cafe = desk.statement("C-CAFE", *YEAR)
        assert cafe.closing == _ledger_balance(desk, "C-CAFE") == Money.zero("USD")
        references = [e.reference for e in cafe.entries]
        assert references.count("INV-000003") == references.count(written) == 1
        assert "ledger_opened" not in {e.kind for e in cafe.entries}
        assert after.closing == after.opening + after.debits - after.credits
