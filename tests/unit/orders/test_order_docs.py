"""The orders explanation page shows exactly the current lifecycle and ledger laws."""

from __future__ import annotations

import re
from pathlib import Path

from ordercycle.model.order.ledger import LAWS
from ordercycle.model.order.lifecycle import ORDER_LIFECYCLE

PAGE = Path(__file__).resolve().parents[3] / "docs" / "explanation" / "orders.md"


def test_the_page_shows_the_mermaid_diagram_of_the_current_definition() -> None:
    diagrams = re.findall(r"```mermaid\n(.*?)\n```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
    assert diagrams == [ORDER_LIFECYCLE.to_mermaid()]


def test_the_page_lists_every_ledger_law() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for law in LAWS:
        assert f"{law.name}: {law.statement}" in text
