"""The stock machine again, with forks: a fork caught up with newer events, or joined from
per-sku forks, is always exactly the ledger a full replay builds, and a fork that runs its
own commands never changes its source (nor the source its fork)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule
from tests.stateful.test_stock_machine import NETWORK, SKUS, StockMachine

from ordercycle.errors import OrderCycleError
from ordercycle.inventory import StockLedger


class ForkingStockMachine(StockMachine):
    def __init__(self) -> None:
        super().__init__()
        self.base = self.ledger.fork()
        self.base_state = self.base.state()
        self.cut = 0

    @rule()
    def checkpoint(self) -> None:
        """Fork the ledger as it is now; later invariants catch this fork up."""
        self.base = self.ledger.fork()
        self.base_state = self.base.state()
        self.cut = len(self.ledger.events)
        assert self.base_state == self.ledger.state()

    @rule(
        sku=st.sampled_from(SKUS),
        command=st.sampled_from(["receive", "allocate", "hold", "sweep", "damage"]),
        quantity=st.integers(1, 5),
    )
    def work_on_a_fork(self, sku: str, command: str, quantity: int) -> None:
        """A fork of one sku, changed on its own, equals a replay of its own history."""
        fork = self.ledger.fork([sku])
        before = self.frozen()
        try:
            if command == "receive":
                fork.receive(sku, NETWORK.bin_ids[0], quantity, at=self.clock.now())
            elif command == "allocate":
                fork.allocate("FORK/1", sku, NETWORK.bin_ids[0], quantity, at=self.clock.now())
            elif command == "hold":
                fork.place_hold(
                    "FORK-H",
                    sku,
                    NETWORK.bin_ids[0],
                    quantity,
                    expires_at=self.clock.now() + timedelta(minutes=quantity),
                    at=self.clock.now(),
                )
            elif command == "sweep":
                fork.sweep(at=self.clock.now())
            else:
                fork.mark_damaged(sku, NETWORK.bin_ids[0], quantity, at=self.clock.now())
        except OrderCycleError:
            pass
        assert self.frozen() == before
        history = [e for e in self.ledger.events if e.sku == sku] + list(fork.events)
        rebuilt = StockLedger.replay(history, network=NETWORK, skus=SKUS)
        assert fork.state() == rebuilt.state()

    @invariant()
    def a_caught_up_fork_equals_the_ledger(self) -> None:
        newer = self.ledger.events[self.cut :]
        caught_up = StockLedger.replay(newer, base=self.base, skus=SKUS)
        assert caught_up.state() == self.ledger.state()
        assert caught_up.version == self.ledger.version
        assert self.base.state() == self.base_state, "catching up changed the base"

    @invariant()
    def per_sku_forks_join_into_the_ledger(self) -> None:
        parts = [self.ledger.fork([sku]) for sku in SKUS]
        joined = StockLedger.replay((), base=parts, skus=SKUS)
        assert joined.state() == self.ledger.state()
        for sku, part in zip(SKUS, parts, strict=True):
            mine = [e for e in self.ledger.events if e.sku == sku]
            assert part.state() == StockLedger.replay(mine, network=NETWORK).state()

    @invariant()
    def a_fork_answers_like_the_ledger(self) -> None:
        fork = self.ledger.fork()
        for sku in SKUS:
            assert fork.available(sku, at=self.clock.now()) == self.ledger.available(
                sku, at=self.clock.now()
            )
            assert fork.version_of(sku) == self.ledger.version_of(sku)
        mine, theirs = (
            fork.snapshot(SKUS, at=self.clock.now()),
            self.ledger.snapshot(SKUS, at=self.clock.now()),
        )
        assert (mine.slots, mine.versions) == (theirs.slots, theirs.versions)
        assert fork.holds() == self.ledger.holds()
        assert fork.receipts() == self.ledger.receipts()


ForkingStockMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestForkingStockMachine = ForkingStockMachine.TestCase
