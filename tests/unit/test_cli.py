"""The command line: ``python -m ordercycle demo`` and friends."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ordercycle import __version__
from ordercycle.cli import main


def test_demo_tells_the_story_chapter_by_chapter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "1. Money" in out
    assert "3.34 + 3.33 + 3.33 = 10.00 USD" in out
    assert "0.11 half-up, 0.10 half-even" in out
    assert "15 inch is exactly 381 mm" in out
    assert "Cannot ship shipment S-1: it is delivered" in out
    assert "stateDiagram-v2" in out


def test_demo_wraps_prose_to_the_report_width(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo", "--width", "60"])
    out = capsys.readouterr().out
    money = out[out.index("1. Money") : out.index("2. Units")]
    assert max(len(line) for line in money.splitlines()) <= 60
    assert "=" * 60 + "\n" in out


def test_demo_follows_an_order_to_completion(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    assert "Cannot release order O-17 to the warehouse: it is on hold (credit)" in out
    assert "complete: completed" in out
    assert "equals the live order: True" in out


def test_demo_ends_with_a_seeded_simulated_week(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    week = out[out.index("6. A simulated week") : out.index("7. ")]
    assert re.search(r"order_fill_rate +\d+\.\d%", week)
    assert re.search(r"at the end: orders (\d+ canceled, )?\d+ delivered; invoices", week)
    main(["demo"])
    again = capsys.readouterr().out
    assert again[again.index("6. A simulated week") : again.index("7. ")] == week  # seeded


def test_version_flag_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"ordercycle {__version__}"


def test_a_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_python_dash_m_runs_the_demo() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ordercycle", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "ordercycle demo" in done.stdout


def test_demo_explains_an_allocation_across_two_warehouses_with_a_backorder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    chapter = out[out.index("Stock across two warehouses") :]
    assert "lot A-0310 in WH-A/01 skipped: expires 2026-03-10" in chapter
    assert "WH-B taken" in chapter
    assert "1 backordered" in chapter
    assert "a plan made on the old snapshot is refused: Concurrent change" in chapter


def test_demo_runs_the_whole_order_to_cash_story_first(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    story = out[: out.index("Part 2. Under the hood")]
    for chapter in (
        "Waves and routed pick lists",
        "Cartons",
        "Invoices on terms",
        "Payments",
        "A return and its credit note",
        "Receivables aging",
    ):
        assert chapter in story
    assert "walk" in story
    assert "(optimal)" in story
    assert "billable" in story
    assert "early-payment discount" in story
    assert "days late" in story


def test_demo_on_a_named_database_replays_the_stored_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "shop.db"
    main(["demo", "--db", str(db)])
    first = capsys.readouterr().out
    assert db.exists()
    main(["demo", "--db", str(db)])
    second = capsys.readouterr().out

    def section(text: str, title: str, until: str) -> str:
        return text[text.index(title) : text.index(until)]

    # Commands are idempotent by id: the second run places no new orders and issues no
    # new invoices; it reads back what the first run stored.
    assert section(first, "Orders", "Waves") == section(second, "Orders", "Waves")
    assert section(first, "Invoices on terms", "Payments") == section(
        second, "Invoices on terms", "Payments"
    )
    assert "O-5" not in second


def test_simulate_prints_the_kpi_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--orders", "30", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "| unit_fill_rate |" in out
    assert "orders by end state" in out


def test_demo_takes_a_storage_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "by-url.db"
    assert main(["demo", "--db", f"sqlite:///{db}"]) == 0
    out = capsys.readouterr().out
    assert f"Order to cash with OrderDesk on sqlite:///{db}" in out
    assert db.exists()
    assert "credit note CN-RMA-1" in out


def test_demo_refuses_an_unknown_storage_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--db", "mysql://localhost/shop"]) == 2
    error = capsys.readouterr().err
    assert "'mysql://localhost/shop'" in error
    assert "sqlalchemy+DIALECT" in error


def test_demo_shows_an_amendment_a_count_and_a_discounted_order_with_freight(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["demo", "--width", "200"])
    out = capsys.readouterr().out
    changes = out[out.index("7. Changes after confirmation") : out.index("8. ")]
    assert re.search(r"amend O-\d+ \(revision 1\)", changes)
    assert re.search(r"counted \d+ TEAPOT in WH-WEST/A2, expected \d+: adjusted -\d+", changes)
    freight = out[out.index("8. A promotion code and a freight charge") :]
    assert re.search(r"10 MUG at 9\.50 USD with SPRING10 \(.*10 %", freight)
    goods = re.search(r"goods invoice INV-\d+: (\d+\.\d\d) USD", freight)
    charge = re.search(r"freight invoice INV-\d+: (\d+\.\d\d) USD", freight)
    due = re.search(r"amount due \(goods \+ freight\): (\d+\.\d\d) USD", freight)
    assert goods is not None
    assert charge is not None
    assert due is not None
    assert Decimal(charge[1]) > 0
    assert Decimal(goods[1]) + Decimal(charge[1]) == Decimal(due[1])
