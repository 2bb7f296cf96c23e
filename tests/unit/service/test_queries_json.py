"""Every desk query through ``execute_json`` (issue 17): the same answer as the keyword
API, as a JSON document, and nothing written. On memory and SQLite; PostgreSQL for a
sample (skipped without a server)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from ordercycle.errors import SerializationError, ValidationError
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.invoicing import DunningLevel, DunningPolicy
from ordercycle.money import Money
from ordercycle.service import OrderDesk, UnknownCommandError
from ordercycle.service.queries import QUERIES, document, parse_query

from .conftest import outbox_position

MARCH = ("2026-03-01", "2026-03-31")
POLICY = {"levels": [{"level": 1, "days_overdue": 1, "fee": {"amount": "5.00", "currency": "USD"}}]}


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> OrderDesk:
    """The order-to-cash story, told once per adapter."""
    if request.param == "memory":
        desk = open_story_desk()
    else:
        desk = open_story_desk(tmp_path_factory.mktemp("story") / "story.db")
    order_to_cash_story(desk)
    return desk


def _json(value: Any) -> Any:
    """The keyword API's answer as JSON sees it (decimals and dates as text)."""
    return json.loads(json.dumps(value, default=str))


def _ask(desk: OrderDesk, **query: Any) -> dict[str, Any]:
    before = outbox_position(desk)
    result = desk.execute_json(json.dumps(query))
    assert outbox_position(desk) == before  # a query writes nothing
    assert (result.command, result.aggregate_id) == (query["type"], "")
    json.dumps(result.details)  # JSON types only
    assert result.details["query"] == query["type"]
    return result.details


def test_a_page_of_orders_and_the_next_page_by_cursor(story: OrderDesk) -> None:
    first = _ask(story, type="ListOrders", limit=3)
    page = story.orders(limit=3)
    assert [r["order_id"] for r in first["items"]] == [o.order_id for o in page]
    assert first["next_cursor"] == page.next_cursor is not None
    second = _ask(story, type="ListOrders", limit=3, after=first["next_cursor"])
    assert [r["order_id"] for r in second["items"]] == [
        o.order_id for o in story.orders(limit=3, after=page.next_cursor)
    ]
    customer = first["items"][0]["customer_id"]
    mine = _ask(story, type="ListOrders", customer_id=customer, placed_from=MARCH[0])
    assert {r["customer_id"] for r in mine["items"]} == {customer}
    assert len(mine["items"]) == len(
        story.orders(customer_id=customer, placed_from=date(2026, 3, 1))
    )


def test_invoice_listings(story: OrderDesk) -> None:
    found = _ask(story, type="ListInvoices", limit=50)
    assert found["items"] == _json(story.invoice_listings(limit=50).to_records())
    assert found["items"]
    assert found["next_cursor"] is None


def test_statement_history_money_and_report(story: OrderDesk) -> None:
    order = story.orders(limit=1).items[0]
    customer = order.customer_id
    statement = _ask(
        story, type="GetStatement", customer_id=customer, start=MARCH[0], end="2026-04-30"
    )
    expected = story.statement(customer, date(2026, 3, 1), date(2026, 4, 30)).to_records()
    assert statement["records"] == _json(expected)
    assert statement["records"]
    history = _ask(
        story, type="GetCustomerHistory", customer_id=customer, start=MARCH[0], end=MARCH[1]
    )
    expected = story.customer_history(customer, date(2026, 3, 1), date(2026, 3, 31)).to_records()
    assert history["records"] == _json(expected)
    money = _ask(story, type="GetOrderMoney", order_id=order.order_id)
    assert money["records"] == _json(story.order_money(order.order_id).to_records())
    report = _ask(story, type="GetOrderToCashReport", start=MARCH[0], end=MARCH[1])
    expected = story.order_to_cash_report(date(2026, 3, 1), date(2026, 3, 31)).to_records()
    assert report["records"] == _json(expected)


def test_dunning_notices_and_dso(story: OrderDesk) -> None:
    found = _ask(story, type="ListDunningNotices", policy=POLICY, as_of="2026-06-30")
    policy = DunningPolicy((DunningLevel(1, 1, fee=Money("5.00", "USD")),))
    notices = story.dunning_notices(policy, date(2026, 6, 30))
    assert [n["invoice_id"] for n in found["items"]] == [n.invoice_id for n in notices]
    assert [n["total_due"] for n in found["items"]] == [
        {"amount": str(n.total_due.amount), "currency": "USD"} for n in notices
    ]
    dso = _ask(story, type="GetDaysSalesOutstanding", as_of="2026-04-30")
    assert dso["value"] == str(story.days_sales_outstanding(as_of=date(2026, 4, 30)))


def test_open_invoice_ids(story: OrderDesk) -> None:
    customers = {order.customer_id for order in story.orders(limit=50)}
    answers = {c: _ask(story, type="GetOpenInvoiceIds", customer_id=c)["items"] for c in customers}
    assert answers == {c: list(story.open_invoice_ids(c)) for c in customers}
    assert any(answers.values())  # the story leaves some invoice open


def test_every_query_is_answered_here() -> None:
    asked = {
        "ListOrders",
        "ListInvoices",
        "GetStatement",
        "GetCustomerHistory",
        "GetOrderMoney",
        "GetOpenInvoiceIds",
        "GetOrderToCashReport",
        "ListDunningNotices",
        "GetDaysSalesOutstanding",
    }
    assert set(QUERIES) == asked
    for cls in QUERIES.values():
        assert callable(getattr(OrderDesk, cls.method))


def test_unknown_fields_values_and_types_are_refused_like_commands(story: OrderDesk) -> None:
    before = outbox_position(story)
    with pytest.raises(SerializationError, match=r"extra fields found \(command_id\)"):
        story.execute_json({"type": "ListOrders", "command_id": "q-1"})
    with pytest.raises(SerializationError, match=r"\$\.limit"):
        story.execute_json({"type": "ListOrders", "limit": "ten"})
    with pytest.raises(SerializationError, match=r"\$\.start"):
        story.execute_json(
            {"type": "GetStatement", "customer_id": "C-1", "start": "soon", "end": "2026-03-31"}
        )
    with pytest.raises(ValidationError, match="limit"):
        story.execute_json({"type": "ListOrders", "limit": 0})
    with pytest.raises(UnknownCommandError, match="type 'ListOrder'") as unknown:
        story.execute_json({"type": "ListOrder"})
    assert {"ListOrders", "PlaceOrder"} <= set(unknown.value.known)
    assert outbox_position(story) == before


def test_document_of_a_listing_holds_only_json() -> None:
    query = parse_query({"type": "GetDaysSalesOutstanding"})
    from decimal import Decimal

    assert document(query, Decimal("12.50")) == {
        "query": "GetDaysSalesOutstanding",
        "value": "12.50",
    }


def test_a_sample_of_queries_on_postgresql(postgres_dsn: str) -> None:
    from ordercycle.examples.shop import open_sample_shop
    from ordercycle.model import SteppableClock
    from ordercycle.model.ids import SequentialIdFactory

    from .conftest import START

    schema = f"oc_queries_{uuid.uuid4().hex[:12]}"
    desk = OrderDesk.postgres(
        postgres_dsn, schema=schema, clock=SteppableClock(START), ids=SequentialIdFactory()
    )
    try:
        open_sample_shop(desk)
        for customer in ("C-ACME", "C-BOLT", "C-BOLT"):
            desk.confirm_order(desk.place_order(customer, {"MUG": 1}).aggregate_id)
        first = _ask(desk, type="ListOrders", customer_id="C-BOLT", limit=1)
        rest = _ask(desk, type="ListOrders", customer_id="C-BOLT", after=first["next_cursor"])
        listed = [r["order_id"] for r in (*first["items"], *rest["items"])]
        assert listed == [o.order_id for o in desk.orders(customer_id="C-BOLT")]
        assert len(listed) == 2
        money = _ask(desk, type="GetOrderMoney", order_id=listed[0])
        assert money["records"] == _json(desk.order_money(listed[0]).to_records())
        dso = _ask(desk, type="GetDaysSalesOutstanding", customer_id="C-BOLT")
        assert dso["value"] == str(desk.days_sales_outstanding("C-BOLT"))
    finally:
        desk.close()
        import psycopg

        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
