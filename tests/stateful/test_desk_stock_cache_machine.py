"""The desk machine again, checking the desk's stock cache after every command: what it
holds is committed stock (storage at the cached version), a read catches it up to exactly a
full replay of storage, and a desk with a cold cache on the same storage sees the same."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant
from tests.stateful.test_desk_machine import SKUS, DeskMachine

from ordercycle.inventory import StockLedger
from ordercycle.service import OrderDesk


class DeskStockCacheMachine(DeskMachine):
    def replayed(self, sku: str, upto: int | None = None) -> StockLedger:
        with self.desk.storage.unit_of_work() as uow:
            events = uow.events.load("stock", sku, after_version=0)
        chosen = [e for e in events if upto is None or e.version <= upto]
        return StockLedger.replay(chosen, network=self.desk.settings.network)

    @invariant()
    def the_stock_cache_holds_committed_stock_only(self) -> None:
        cold = OrderDesk(self.desk.storage, clock=self.clock, settings=self.desk.settings)
        for sku in SKUS:
            cached = self.desk._cache._stock.get(sku)
            if cached is not None:
                at = self.replayed(sku, upto=cached.version_of(sku))
                assert cached.state() == at.state(), sku
            assert self.desk.stock_positions(sku) == cold.stock_positions(sku)
            caught_up = self.desk._cache._stock[sku]
            assert caught_up.state() == self.replayed(sku).state(), sku


TestDeskStockCacheMachine = DeskStockCacheMachine.TestCase
TestDeskStockCacheMachine.settings = settings(
    max_examples=6,
    stateful_step_count=18,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
