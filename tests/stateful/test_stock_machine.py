"""A state machine of interleaved reservers, expiring holds, receipts, counts and shipments.

Invariants checked after every step:

* at every bin and lot, allocated + active holds never exceed on hand - unavailable;
* replaying the recorded events rebuilds exactly the live state.

Rules check: FEFO never takes a later-expiring lot while an eligible earlier one in the
same warehouse still has free stock; an expired hold restores availability exactly once
(when its time passes, not again at the sweep); plans never allocate more than demanded;
a stale plan is refused with ``ConcurrencyError``; bad input raises a typed error and
changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ordercycle.errors import ConcurrencyError, OrderCycleError
from ordercycle.inventory import (
    AllocationPlan,
    AllocationPolicy,
    AllocationStrategy,
    Demand,
    DemandLine,
    Lot,
    Network,
    StockLedger,
    plan_allocation,
)
from ordercycle.model.clock import SteppableClock
from ordercycle.units import Q_

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
NETWORK = Network.simple(["WH-A", "WH-B"], bins=2, priorities={"WH-B": 1})
BINS = NETWORK.bin_ids
SKUS = ("MILK", "MUG")
LOTS = {
    "L1": Lot("MILK", "L1", date(2026, 2, 1), date(2026, 3, 6)),  # type: ignore[arg-type]
    "L2": Lot("MILK", "L2", date(2026, 2, 10), date(2026, 3, 20)),  # type: ignore[arg-type]
    "L3": Lot("MILK", "L3", date(2026, 2, 5), date(2026, 4, 30)),  # type: ignore[arg-type]
}
RESERVERS = ("R1", "R2", "R3")
STRATEGIES = (
    AllocationStrategy.warehouse_priority(),
    AllocationStrategy.fewest_shipments(),
    AllocationStrategy.most_stock(),
)
POLICIES = (
    AllocationPolicy.partial(),
    AllocationPolicy.all_or_nothing_per_line(),
    AllocationPolicy.all_or_nothing_per_order(backorders=False),
)


class StockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = SteppableClock(T0)
        self.ledger = StockLedger(NETWORK, skus=SKUS)
        self.pending: dict[str, AllocationPlan] = {}
        self.orders = 0
        self.holds = 0
        self.receipts = 0

    # --- helpers ---------------------------------------------------------------------------

    def frozen(self) -> Any:
        return (self.ledger.state(), len(self.ledger.events))

    def total_available(self) -> dict[str, int]:
        return {sku: self.ledger.available(sku, at=self.clock.now()) for sku in SKUS}

    def allocations(self) -> list[tuple[str, str, str | None, str, int]]:
        out = []
        for sku, bin_id, lot, _, allocations, _, _ in self.ledger.state()["buckets"]:
            out += [(sku, bin_id, lot, ref, qty) for ref, qty in allocations]
        return out

    # --- stock arrives and is counted ------------------------------------------------------

    @rule(
        bin_id=st.sampled_from(BINS),
        quantity=st.integers(1, 8),
        lot=st.sampled_from([None, "L1", "L2", "L3"]),
    )
    def receive(self, bin_id: str, quantity: int, lot: str | None) -> None:
        if lot is None:
            self.ledger.receive("MUG", bin_id, quantity, at=self.clock.now())
            return
        info = LOTS[lot]
        if info.is_expired(self.clock.today()):
            before = self.frozen()
            try:
                self.ledger.receive("MILK", bin_id, quantity, lot=info, at=self.clock.now())
            except OrderCycleError:
                assert self.frozen() == before
                return
            raise AssertionError("an expired lot was received")
        self.ledger.receive("MILK", bin_id, quantity, lot=info, at=self.clock.now())

    @rule(quantity=st.integers(1, 10), days=st.integers(0, 10), sku=st.sampled_from(SKUS))
    def schedule_receipt(self, quantity: int, days: int, sku: str) -> None:
        self.receipts += 1
        self.ledger.schedule_receipt(
            f"PO-{self.receipts}",
            sku,
            quantity,
            self.clock.today() + timedelta(days=days),
            at=self.clock.now(),
        )

    @rule(data=st.data(), bin_id=st.sampled_from(BINS))
    def receive_against_receipt(self, data: st.DataObject, bin_id: str) -> None:
        open_ = [r for r in self.ledger.receipts("MUG") if r.open]
        if not open_:
            return
        receipt = data.draw(st.sampled_from(open_))
        quantity = data.draw(st.integers(1, receipt.open))
        self.ledger.receive("MUG", bin_id, quantity, receipt=receipt.id, at=self.clock.now())
        after = {r.id: r.open for r in self.ledger.receipts("MUG")}
        assert after[receipt.id] == receipt.open - quantity

    @rule(data=st.data(), delta=st.integers(-4, 4))
    def cycle_count(self, data: st.DataObject, delta: int) -> None:
        positions = self.ledger.positions(at=self.clock.now())
        if not positions:
            return
        p = data.draw(st.sampled_from(positions))
        counted = max(0, p.on_hand + delta)
        committed = p.allocated + p.held + p.unavailable
        before = self.frozen()
        if counted < committed:
            try:
                self.ledger.adjust(
                    p.sku, p.bin, counted, lot=p.lot, reason="cycle count", at=self.clock.now()
                )
            except OrderCycleError:
                assert self.frozen() == before
                return
            raise AssertionError("a count below committed stock was accepted")
        self.ledger.adjust(
            p.sku, p.bin, counted, lot=p.lot, reason="cycle count", at=self.clock.now()
        )
        assert self.ledger.position(p.sku, p.bin, p.lot, at=self.clock.now()).on_hand == counted

    @rule(data=st.data(), quantity=st.integers(1, 3))
    def mark_damaged(self, data: st.DataObject, quantity: int) -> None:
        free = [p for p in self.ledger.positions(at=self.clock.now()) if p.available >= quantity]
        if free:
            p = data.draw(st.sampled_from(free))
            self.ledger.mark_damaged(p.sku, p.bin, quantity, lot=p.lot, at=self.clock.now())

    # --- reservers: plan against a snapshot, apply later -----------------------------------

    @rule(
        reserver=st.sampled_from(RESERVERS),
        quantities=st.lists(
            st.tuples(st.sampled_from(SKUS), st.integers(1, 9)), min_size=1, max_size=3
        ),
        strategy=st.sampled_from(STRATEGIES),
        policy=st.sampled_from(POLICIES),
        shelf=st.sampled_from([0, 0, 10]),
    )
    def plan(
        self,
        reserver: str,
        quantities: list[tuple[str, int]],
        strategy: AllocationStrategy,
        policy: AllocationPolicy,
        shelf: int,
    ) -> None:
        self.orders += 1
        lines = [DemandLine(str(i), sku, q) for i, (sku, q) in enumerate(quantities, 1)]  # type: ignore[arg-type]
        demand = Demand(f"O-{self.orders}", lines, min_shelf_life_days=shelf)
        snapshot = self.ledger.snapshot(SKUS, at=self.clock.now())
        plan = plan_allocation(demand, snapshot, strategy, policy)
        today = self.clock.today()
        for line, requested in zip(plan.lines, lines, strict=True):
            assert line.allocated + line.backordered + line.unfulfilled == requested.quantity
            assert 0 <= line.allocated <= requested.quantity
        self.check_fefo(plan, snapshot.slots_for("MILK"), today, shelf)
        self.pending[reserver] = plan

    def check_fefo(self, plan: AllocationPlan, slots: Any, today: date, shelf: int) -> None:
        used: dict[tuple[str, str | None], int] = {}
        for pick in plan.picks:
            used[(pick.bin, pick.lot)] = used.get((pick.bin, pick.lot), 0) + pick.quantity
        for pick in plan.picks:
            if pick.sku != "MILK" or pick.expires_on is None:
                continue
            for slot in slots:
                if slot.warehouse != pick.warehouse or slot.expires_on is None:
                    continue
                days = (slot.expires_on - today).days
                eligible = days > 0 and days >= shelf
                free = slot.available - used.get((slot.bin, slot.lot), 0)
                if eligible and slot.expires_on < pick.expires_on:
                    assert free == 0, f"FEFO took {pick.lot} while {slot.lot} had {free} free"

    @rule(reserver=st.sampled_from(RESERVERS))
    def apply(self, reserver: str) -> None:
        plan = self.pending.pop(reserver, None)
        if plan is None:
            return
        stale = any(self.ledger.version_of(sku) != v for sku, v in plan.versions)
        before = self.frozen()
        if stale:
            try:
                self.ledger.apply_plan(plan, at=self.clock.now())
            except ConcurrencyError:
                assert self.frozen() == before
                return
            raise AssertionError("a stale plan was applied")
        self.ledger.apply_plan(plan, at=self.clock.now())

    # --- carts: holds that expire as the clock moves ---------------------------------------

    @rule(data=st.data(), quantity=st.integers(1, 4), minutes=st.integers(1, 90))
    def hold(self, data: st.DataObject, quantity: int, minutes: int) -> None:
        free = [p for p in self.ledger.positions(at=self.clock.now()) if p.available >= quantity]
        if not free:
            return
        p = data.draw(st.sampled_from(free))
        self.holds += 1
        self.ledger.place_hold(
            f"H-{self.holds}",
            p.sku,
            p.bin,
            quantity,
            lot=p.lot,
            expires_at=self.clock.now() + timedelta(minutes=minutes),
            at=self.clock.now(),
        )

    def open_holds(self) -> list[Any]:
        now = self.clock.now()
        return [h for h in self.ledger.holds() if h.is_active(now)]

    @precondition(lambda self: bool(self.open_holds()))
    @rule(data=st.data(), commit=st.booleans())
    def finish_hold(self, data: st.DataObject, commit: bool) -> None:
        hold = data.draw(st.sampled_from(self.open_holds()))
        before = self.total_available()
        if commit:
            self.ledger.commit_hold(hold.id, f"CART-{hold.id}", at=self.clock.now())
            assert self.total_available() == before
        else:
            self.ledger.release_hold(hold.id, at=self.clock.now())
            before[hold.sku] += hold.quantity
            assert self.total_available() == before

    @rule(minutes=st.integers(1, 120), days=st.sampled_from([0, 0, 0, 3]))
    def time_passes(self, minutes: int, days: int) -> None:
        before = self.total_available()
        expiring = self.open_holds()
        self.clock.advance(minutes=minutes, days=days)
        still = {h.id for h in self.open_holds()}
        for hold in expiring:
            if hold.id not in still:
                before[hold.sku] += hold.quantity
        assert self.total_available() == before, "expired holds must restore availability"
        _, swept = self.ledger.sweep(at=self.clock.now())
        assert self.total_available() == before, "a sweep must not restore availability again"
        assert self.ledger.sweep(at=self.clock.now()).events == ()
        assert all(e.hold_id not in still for e in swept)  # type: ignore[attr-defined]

    # --- shipments and returns -------------------------------------------------------------

    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        allocations = self.allocations()
        if not allocations:
            return
        sku, bin_id, lot, ref, qty = data.draw(st.sampled_from(allocations))
        quantity = data.draw(st.integers(1, qty))
        on_hand = self.ledger.position(sku, bin_id, lot, at=self.clock.now()).on_hand
        self.ledger.consume(ref, sku, bin_id, quantity, lot=lot, at=self.clock.now())
        assert (
            self.ledger.position(sku, bin_id, lot, at=self.clock.now()).on_hand
            == on_hand - quantity
        )

    @rule(data=st.data())
    def deallocate(self, data: st.DataObject) -> None:
        allocations = self.allocations()
        if not allocations:
            return
        sku, bin_id, lot, ref, qty = data.draw(st.sampled_from(allocations))
        self.ledger.deallocate(ref, sku, bin_id, qty, lot=lot, at=self.clock.now())

    # --- bad input ---------------------------------------------------------------------------

    @rule(
        bad=st.sampled_from(
            [
                lambda led, at: led.receive("MUG", "WH-A/01", -1, at=at),
                lambda led, at: led.receive("MUG", "WH-A/01", Q_(1, "kg"), at=at),
                lambda led, at: led.receive("TEA", "WH-A/01", 1, at=at),
                lambda led, at: led.receive("MUG", "WH-Z/01", 1, at=at),
                lambda led, at: led.allocate("X/1", "MUG", "WH-A/01", 10_000, at=at),
                lambda led, at: led.deallocate("NOBODY/1", "MUG", "WH-A/01", 1, at=at),
                lambda led, at: led.consume("NOBODY/1", "MUG", "WH-A/01", 1, at=at),
                lambda led, at: led.release_hold("H-none", at=at),
                lambda led, at: led.write_off("MUG", "WH-A/01", 10_000, at=at),
            ]
        )
    )
    def bad_input(self, bad: Any) -> None:
        before = self.frozen()
        try:
            bad(self.ledger, self.clock.now())
        except OrderCycleError:
            assert self.frozen() == before
            return
        raise AssertionError("bad input was accepted")

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def never_oversold(self) -> None:
        for p in self.ledger.positions(at=self.clock.now()):
            assert p.on_hand >= 0
            assert p.allocated >= 0
            assert p.unavailable >= 0
            assert p.allocated + p.held <= p.on_hand - p.unavailable, p

    @invariant()
    def replay_equals_live_state(self) -> None:
        rebuilt = StockLedger.replay(self.ledger.events, network=NETWORK, skus=SKUS)
        assert rebuilt.state() == self.ledger.state()


StockMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStockMachine = StockMachine.TestCase
