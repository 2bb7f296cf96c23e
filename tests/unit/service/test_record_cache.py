"""The desk keeps the state records it committed or read, and trusts them only while their
stream still ends at the version they were kept at."""

from __future__ import annotations

from pathlib import Path

import attrs

from ordercycle.examples.shop import open_sample_shop, sample_customers
from ordercycle.model import SteppableClock
from ordercycle.service import OrderDesk
from ordercycle.storage import MemoryStorage


def test_a_committed_record_is_read_back_as_the_state_it_stored(clock: SteppableClock) -> None:
    # A storage that decodes every event it loads: without the kept state the next read
    # would be a decoded copy, equal but not the same object.
    desk = OrderDesk(MemoryStorage(), clock=clock)
    open_sample_shop(desk)
    customer = attrs.evolve(sample_customers()[1], name="Bolt & Nut Holdings")
    desk.register_customer(customer)
    assert desk.customer("C-BOLT") is customer
    with desk.storage.unit_of_work() as uow:
        stored = uow.events.load("customer", "C-BOLT")[-1]
    assert getattr(stored, "state") == customer  # noqa: B009
    assert getattr(stored, "state") is not customer  # noqa: B009


def test_a_record_changed_by_another_desk_is_read_again(
    clock: SteppableClock, tmp_path: Path
) -> None:
    path = tmp_path / "shop.db"
    first = OrderDesk.sqlite(path, clock=clock)
    open_sample_shop(first)
    second = OrderDesk.sqlite(path, clock=clock)
    assert second.customer("C-BOLT").name == "Bolt & Nut Ltd"  # kept by the second desk
    renamed = attrs.evolve(sample_customers()[1], name="Bolt & Nut Holdings")
    first.register_customer(renamed)
    assert second.customer("C-BOLT") == renamed
    # The second desk's next command builds on the new state, at the new version.
    second.place_order("C-BOLT", {"MUG": 1})
    assert first.customer("C-BOLT") == renamed
    assert second.account("C-BOLT") == first.account("C-BOLT")
    # And the first desk's next change builds on the second desk's.
    first.place_order("C-BOLT", {"MUG": 1})
    assert len(second.account("C-BOLT").open_order_ids) == 2
    first.close()
    second.close()


def test_forgotten_streams_leave_the_desk_too(clock: SteppableClock) -> None:
    desk = OrderDesk.in_memory(clock=clock, roundtrip=False)
    open_sample_shop(desk)
    desk.customer("C-BOLT")
    assert desk._cache.record("customer", "C-BOLT") is not None
    desk.forget([("customer", "C-BOLT")])
    assert desk._cache.record("customer", "C-BOLT") is None
