"""Commands stored before the command table existed still replay by their ids.

``tests/fixtures/story-0.1.0.db`` was written by the demo story at 0.1.0 (see the
fixtures' README). Telling the story again on a copy of it runs every command with the
command id it had then: each must find its stored result by the hash of its payload, so
nothing new is written. A payload that hashed differently would raise
``CommandPayloadMismatchError`` instead.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ordercycle.examples.story import open_story_desk, order_to_cash_story
from ordercycle.service import CommandResult, OrderDesk
from ordercycle.service.commands import Command, command_payload

FIXTURE = Path(__file__).parents[2] / "fixtures" / "story-0.1.0.db"

_TABLES = ("ordercycle_events", "ordercycle_outbox", "ordercycle_commands")


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES}


class _Recording(OrderDesk):
    """A desk that keeps every command it ran and its result."""

    ran: list[tuple[Command, CommandResult]]

    def execute(self, command: Command) -> CommandResult:
        result = super().execute(command)
        self.ran.append((command, result))
        return result


def test_the_stories_commands_replay_their_first_results(tmp_path: Path) -> None:
    if not FIXTURE.exists():
        pytest.fail(f"{FIXTURE} is missing: it is the stored-data fixture of issue 13")
    copy = tmp_path / "story.db"
    shutil.copyfile(FIXTURE, copy)
    before = _counts(copy)
    opened = open_story_desk(copy)
    desk = _Recording(opened.storage, clock=opened.clock, settings=opened.settings)
    desk.ran = []
    with desk:
        order_to_cash_story(desk)
    assert len(desk.ran) == before["ordercycle_commands"] == 60
    fresh = [type(c).__name__ for c, result in desk.ran if not result.replayed]
    assert fresh == []
    assert all(c.command_id is not None for c, _ in desk.ran)
    assert {type(c).__name__ for c, _ in desk.ran} >= {"PlaceOrder", "InvoiceOrder", "ShipShipment"}
    assert all(command_payload(c)["type"] == type(c).__name__ for c, _ in desk.ran)
    assert _counts(copy) == before
