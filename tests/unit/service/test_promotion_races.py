"""A promotion's usage limits hold when placements race in OS processes (issue 16).

Each placement that uses a code counts the use on the promotion's stream and on the
customer's uses, each at the version it read; of placements at once, one appends and the
others conflict, run again, and then see the use. Processes meet at a barrier, and each
sleeps between reading the promotion and placing the order, so every run has them all
read the same uses first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests import races
from tests.races import Opener

from ordercycle.examples.shop import open_sample_shop
from ordercycle.model.ids import CustomerId
from ordercycle.money import Money
from ordercycle.service import PromotionRefusedError, _pricing

PROCESSES = 4
CODES = {"TWICE": {"limit_total": 2}, "ONCE-EACH": {"limit_per_customer": 1}}


@pytest.fixture
def slow_promotion_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read of a promotion waits a moment before the order is placed.

    Patched before the processes fork, so each of them inherits it.
    """
    read = _pricing._promotion_for

    def slow(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        time.sleep(0.2)
        return found

    monkeypatch.setattr(_pricing, "_promotion_for", slow)


def _setup(opener: Opener) -> None:
    desk = opener(90)
    open_sample_shop(desk)
    for worker in range(PROCESSES):
        desk.register_customer(
            attrs.evolve(
                desk.customer("C-BOLT"),
                id=CustomerId(f"C-PROMO-{worker}"),
                credit_limit=Money("100000.00", "USD"),
            )
        )
    for code, limits in CODES.items():
        desk.register_promotion(code, percent=10, **limits)
    desk.close()


def _race(opener: Opener) -> None:
    _setup(opener)

    def work(worker: int, barrier: Any) -> dict[str, str]:
        desk = opener(worker)
        outcome = {}
        try:
            for code in CODES:
                # TWICE: every process its own customer; ONCE-EACH: all the same one.
                who = f"C-PROMO-{worker}" if code == "TWICE" else "C-PROMO-0"
                barrier.wait(timeout=60)
                try:
                    placed = desk.place_order(who, {"MUG": 1}, promotion_code=code)
                    outcome[code] = placed.aggregate_id
                except PromotionRefusedError as error:
                    outcome[code] = f"refused: {error.why}"
        finally:
            desk.close()
        return outcome

    found = races.in_processes(work, PROCESSES)
    desk = opener(93)
    try:
        for code, allowed in (("TWICE", 2), ("ONCE-EACH", 1)):
            placed = sorted(o[code] for o in found.values() if not o[code].startswith("refused"))
            refusals = [o[code] for o in found.values() if o[code].startswith("refused")]
            assert len(placed) == allowed, (code, found)
            assert len(refusals) == PROCESSES - allowed
            assert all(("used up" in r) or ("limit per customer" in r) for r in refusals)
            assert desk.promotion(code).used == allowed
            uses = [
                order
                for worker in range(PROCESSES)
                for order in desk.promotion_use(code, f"C-PROMO-{worker}").order_ids
            ]
            assert sorted(uses) == placed
            for order_id in placed:
                reasons = [d.reason for d in desk.order(order_id).line("L1").discounts]
                assert reasons == [f"promotion {code}"]
        # The refused placements wrote no order.
        assert len(desk.order_ids()) == 3
    finally:
        desk.close()


@pytest.fixture
def pg_schema(postgres_dsn: str) -> Iterator[tuple[str, str]]:
    """``(dsn, schema)`` of a fresh PostgreSQL schema, dropped afterwards."""
    with races.postgres_schema(postgres_dsn, prefix="oc_promo") as where:
        yield where


@pytest.mark.usefixtures("slow_promotion_reads")
def test_placements_at_once_never_exceed_a_promotions_limits_on_postgres(
    pg_schema: tuple[str, str],
) -> None:
    _race(races.postgres_opener(*pg_schema))


@pytest.mark.usefixtures("slow_promotion_reads")
def test_placements_at_once_never_exceed_a_promotions_limits_on_sqlite(tmp_path: Path) -> None:
    _race(races.sqlite_opener(tmp_path / "shop.db"))
