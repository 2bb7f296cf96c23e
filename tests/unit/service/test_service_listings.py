"""desk.orders(...) and desk.invoice_listings(...): paged queries over the read models.

Every answer is checked against the aggregates themselves (loaded one by one), on memory,
SQLite, PostgreSQL and a database written by 0.1.0 (whose views are built on first use).
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ordercycle.errors import OrderCycleError, StorageError, ValidationError
from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.model import SteppableClock
from ordercycle.model.ids import SequentialIdFactory
from ordercycle.service import InvoiceListing, ListingPage, OrderDesk, OrderListing
from ordercycle.storage import MemoryStorage
from ordercycle.storage.views import ViewQuery

from .conftest import START

FIXTURES = Path(__file__).parents[2] / "fixtures"


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, OrderDesk]]:
    """The demo story told on memory and on SQLite (read-only below)."""
    folder = tmp_path_factory.mktemp("listings")
    desks = {"memory": open_story_desk(), "sqlite": open_story_desk(folder / "story.db")}
    for desk in desks.values():
        order_to_cash_story(desk)
    yield desks
    for desk in desks.values():
        desk.close()


@pytest.fixture(params=["memory", "sqlite"])
def story(request: pytest.FixtureRequest, told: dict[str, OrderDesk]) -> OrderDesk:
    return told[request.param]


def _all(desk: OrderDesk, **filters: Any) -> list[str]:
    """Every order id the listing gives, page by page (one order a page)."""
    found: list[str] = []
    after = None
    while True:
        page = desk.orders(limit=1, after=after, **filters)
        found += [o.order_id for o in page]
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def _expected(desk: OrderDesk, **filters: Any) -> list[str]:
    orders = [desk.order(i) for i in desk.order_ids()]
    low, high = filters.get("placed_from"), filters.get("placed_to")
    kept = [
        o
        for o in orders
        if filters.get("state") in (None, o.state)
        and filters.get("customer_id") in (None, o.customer_id)
        and filters.get("channel") in (None, o.channel)
        and (
            filters.get("sku") is None
            or any(line.sku == filters["sku"] and line.ledger.active for line in o.lines)
        )
        and (low is None or o.created_at >= low)
        and (high is None or o.created_at < high)
    ]
    return [o.id for o in sorted(kept, key=lambda o: (o.created_at, o.id))]


def _check_every_filter(desk: OrderDesk) -> int:
    orders = [desk.order(i) for i in desk.order_ids()]
    states = sorted({o.state for o in orders})
    customers = sorted({o.customer_id for o in orders})
    skus = sorted({line.sku for o in orders for line in o.lines})
    times = sorted({o.created_at for o in orders})
    checked = 0
    for state, customer, sku in itertools.product(
        [None, *states], [None, *customers], [None, *skus]
    ):
        filters = {"state": state, "customer_id": customer, "sku": sku}
        assert _all(desk, **filters) == _expected(desk, **filters), filters
        checked += 1
    for low, high in itertools.product([None, *times], [None, *times]):
        filters = {"placed_from": low, "placed_to": high}
        assert _all(desk, **filters) == _expected(desk, **filters), filters
    return checked


def test_orders_answer_every_filter_as_the_aggregates_do(story: OrderDesk) -> None:
    assert _check_every_filter(story) > 20


def test_a_listing_shows_each_order_as_it_is_now(story: OrderDesk) -> None:
    page = story.orders(limit=50)
    assert page.next_cursor is None
    assert [o.order_id for o in page] == list(story.order_ids())
    for listing in page:
        order = story.order(listing.order_id)
        assert listing.version == order.version
        assert (listing.state, listing.customer_id, listing.channel) == (
            order.state,
            order.customer_id,
            order.channel,
        )
        assert listing.total == order.total
        assert listing.placed_at == order.created_at
        assert listing.units == sum(line.ledger.active for line in order.lines)


def test_invoices_are_listed_by_due_date_and_filtered(story: OrderDesk) -> None:
    invoices = {i.invoice_id: i for i in story.invoices()}
    page = story.invoice_listings()
    due = [(i.due_date, i.invoice_id) for i in page]
    assert due == sorted(due)
    assert {i.invoice_id for i in page} == set(invoices)
    for listing in page:
        invoice = invoices[listing.invoice_id]
        assert (listing.state, listing.balance, listing.total) == (
            invoice.state,
            invoice.balance,
            invoice.total,
        )
        assert listing.number == invoice.number
        assert listing.version == invoice.version
        assert story.order(listing.order_id).customer_id == listing.customer_id
    for state in {i.state for i in invoices.values()}:
        found = {i.invoice_id for i in story.invoice_listings(state=state)}
        assert found == {k for k, v in invoices.items() if v.state == state}
    first = min(i.due_date for i in page if i.due_date is not None)
    later = story.invoice_listings(due_from=first + timedelta(days=1))
    assert {i.invoice_id for i in later} == {
        i.invoice_id for i in page if i.due_date is not None and i.due_date > first
    }
    assert story.invoice_listings(due_to=first).items == ()


def test_pages_are_stable_while_orders_are_placed(tmp_path: Path) -> None:
    desk = open_story_desk(tmp_path / "paging.db")
    order_to_cash_story(desk)
    first = desk.orders(limit=2)
    assert first.next_cursor is not None
    customer = first.items[0].customer_id
    placed = desk.place_order(customer, {"MUG": 1}).aggregate_id
    rest = _pages_after(desk, first.next_cursor)
    assert [o.order_id for o in first] + rest == [*desk.order_ids()[:4], placed]
    desk.close()


def _pages_after(desk: OrderDesk, cursor: str) -> list[str]:
    found: list[str] = []
    after: str | None = cursor
    while after is not None:
        page = desk.orders(limit=2, after=after)
        found += [o.order_id for o in page]
        after = page.next_cursor
    return found


def test_a_command_updates_the_listing_in_its_own_unit_of_work(memory_desk: OrderDesk) -> None:
    placed = memory_desk.place_order("C-ACME", {"MUG": 2})
    order_id = placed.aggregate_id
    (listing,) = memory_desk.orders(customer_id="C-ACME").items
    assert (listing.order_id, listing.state, listing.skus) == (order_id, "placed", ("MUG",))
    memory_desk.cancel_order(order_id, reason="changed mind")
    assert memory_desk.orders(state="placed").items == ()
    (canceled,) = memory_desk.orders(state="canceled").items
    assert canceled.version == memory_desk.order(order_id).version


def test_a_refused_command_changes_no_listing(memory_desk: OrderDesk) -> None:
    order_id = memory_desk.place_order("C-ACME", {"MUG": 2}).aggregate_id
    before = memory_desk.orders()
    with pytest.raises(OrderCycleError):
        memory_desk.cancel_order_line(order_id, "L-404", quantity=1)
    assert memory_desk.orders() == before


def test_rebuilding_gives_the_rows_the_commands_kept(story: OrderDesk) -> None:
    kept = (story.orders(limit=500), story.invoice_listings(limit=500))
    assert story.rebuild_views() == (len(kept[0]), len(kept[1]))
    assert (story.orders(limit=500), story.invoice_listings(limit=500)) == kept


def test_a_database_written_by_0_1_0_is_listed_after_a_first_rebuild(tmp_path: Path) -> None:
    copy = tmp_path / "story.db"
    shutil.copyfile(FIXTURES / "story-0.1.0.db", copy)
    with open_story_desk(copy) as desk:
        assert _all(desk) == _expected(desk) != []
        assert _check_every_filter(desk) > 20
        assert len(desk.invoice_listings()) == len(desk.invoices())


def test_bad_arguments_are_refused_with_the_field_named(memory_desk: OrderDesk) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"state": ""}, "state"),
        ({"customer_id": 7}, "customer_id"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": True}, "limit"),
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "c1.!!!"}, "after"),
        ({"placed_from": datetime(2026, 1, 1)}, "placed_from"),
        ({"placed_to": "2026-01-01"}, "placed_to"),
    ]
    for arguments, field in cases:
        with pytest.raises(ValidationError) as caught:
            memory_desk.orders(**arguments)
        assert caught.value.field == field, arguments
    with pytest.raises(ValidationError) as caught:
        memory_desk.invoice_listings(due_from=42)  # type: ignore[arg-type]
    assert caught.value.field == "due_from"


def test_dates_bound_whole_days_in_utc(memory_desk: OrderDesk, clock: SteppableClock) -> None:
    first = memory_desk.place_order("C-ACME", {"MUG": 1})
    clock.advance(timedelta(days=1))
    second = memory_desk.place_order("C-ACME", {"MUG": 1})
    day = START.date()
    assert [o.order_id for o in memory_desk.orders(placed_to=day + timedelta(days=1))] == [
        first.aggregate_id
    ]
    assert [o.order_id for o in memory_desk.orders(placed_from=day + timedelta(days=1))] == [
        second.aggregate_id
    ]
    assert len(memory_desk.orders(placed_from=day, placed_to=date(2030, 1, 1))) == 2


def test_a_page_is_data_for_notebooks(story: OrderDesk) -> None:
    page: ListingPage[OrderListing] = story.orders(limit=2)
    records = page.to_records()
    assert [r["order_id"] for r in records] == [o.order_id for o in page]
    assert "<table>" in page._repr_html_()
    assert "next_cursor" in page._repr_html_()
    frame = page.to_pandas()
    assert list(frame["order_id"]) == [o.order_id for o in page]
    invoices: ListingPage[InvoiceListing] = story.invoice_listings(limit=1)
    assert invoices.to_records()[0]["invoice_id"] == invoices.items[0].invoice_id


def test_a_storage_without_read_models_is_named() -> None:
    class Plain(MemoryStorage):
        def unit_of_work(self) -> Any:
            return _Bare(super().unit_of_work())

        def reading(self) -> Any:
            return _Bare(super().reading())

    desk = OrderDesk(Plain())
    with pytest.raises(StorageError, match="keeps no read models"):
        desk.orders()


class _Bare:
    """A unit of work without ``projections`` (as an adapter without read models)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.events, self.snapshots = inner.events, inner.snapshots
        self.commands, self.outbox = inner.commands, inner.outbox

    def __enter__(self) -> _Bare:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def commit(self) -> None:
        self._inner.commit()

    def rollback(self) -> None:
        self._inner.rollback()


def test_listings_on_postgres(postgres_dsn: str) -> None:
    import psycopg

    schema = f"oc_list_{uuid.uuid4().hex[:16]}"
    desk = OrderDesk.postgres(
        postgres_dsn,
        schema=schema,
        clock=SteppableClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
        ids=SequentialIdFactory(),
    )
    try:
        order_to_cash_story(desk)
        assert _check_every_filter(desk) > 20
        test_invoices_are_listed_by_due_date_and_filtered(desk)
        with desk.storage.unit_of_work() as uow:
            rows = uow.projections.find(ViewQuery(view="orders"))  # type: ignore[attr-defined]
        assert [r.key for r in rows] == list(desk.order_ids())
    finally:
        desk.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
