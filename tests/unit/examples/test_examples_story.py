"""The demo's order-to-cash story: complete, readable, and the same on every run."""

from __future__ import annotations

from pathlib import Path

from ordercycle.examples.story import open_story_desk, order_to_cash_story, story_on_sqlite


def test_the_story_tells_every_chapter() -> None:
    lines = order_to_cash_story(open_story_desk())
    text = "\n".join(lines)
    for chapter in (
        "Customers",
        "Products and stock",
        "Orders",
        "Waves and routed pick lists",
        "Cartons",
        "Shipments",
        "A receipt serves the backorder",
        "Invoices on terms",
        "Payments",
        "A return and its credit note",
        "Receivables aging on 2026-04-17",
    ):
        assert chapter in lines
    assert "1 backordered" in text
    assert "credit hold: Exposure 278.00 USD" in text
    assert "walk 180 LU (optimal)" in text
    assert "22 lb billable" in text
    assert "9.08 USD early-payment discount" in text
    assert "12 days late" in text
    assert "credit note CN-RMA-1 on INV-000001: 87.21 USD" in text
    assert "  C-CAFE          0.00      18.00" in text
    assert all(len(line) <= 78 for line in lines)


def test_the_story_on_sqlite_is_the_same_and_replays_on_a_second_run(tmp_path: Path) -> None:
    in_memory = order_to_cash_story(open_story_desk())
    path = tmp_path / "story.db"
    with open_story_desk(path) as desk:
        first = order_to_cash_story(desk)
        orders = desk.order_ids()
    with open_story_desk(path) as desk:
        second = order_to_cash_story(desk)
        assert desk.order_ids() == orders
    assert first == in_memory
    assert second[: second.index("Orders")] != []


def test_the_demo_entry_point_uses_a_temporary_file_or_the_given_one(tmp_path: Path) -> None:
    told = story_on_sqlite()
    assert told == order_to_cash_story(open_story_desk())
    path = tmp_path / "kept.db"
    assert story_on_sqlite(path)[:3] == told[:3]
    assert path.exists()
