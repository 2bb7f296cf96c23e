"""Payments stored by 0.1.0 (``DeskPaymentReceived`` state events) decode into today's Payment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ordercycle.invoicing import Payment
from ordercycle.serialization import to_dict
from ordercycle.service import OrderDesk

FIXTURES = Path(__file__).parents[2] / "fixtures"


def test_payments_written_by_0_1_0_read_back_as_the_same_data(tmp_path: Path) -> None:
    stored = FIXTURES / "story-0.1.0.db"
    if not stored.exists():
        pytest.fail(
            f"{stored} is missing: it is the stored-data fixture (tests/fixtures/README.md)"
        )
    copy = tmp_path / "story.db"
    shutil.copy(stored, copy)
    expected = json.loads((FIXTURES / "story-0.1.0.json").read_text())["payments"]
    with OrderDesk.sqlite(copy) as desk:
        for payment_id, data in expected.items():
            payment = desk.payment(payment_id)
            assert isinstance(payment, Payment)
            assert to_dict(payment) == data
            assert payment.version == 1 + len(payment.applications)
