"""MemoryStorage.forget: what it releases, and that what it released is refused, not restarted."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle import OrderDesk
from ordercycle.errors import StorageError, ValidationError
from ordercycle.examples.shop import open_sample_shop
from ordercycle.inventory.events import StockReceived
from ordercycle.storage import ForgottenError, MemoryStorage
from ordercycle.storage.errors import StreamConflictError
from ordercycle.storage.memory import _Pairs
from ordercycle.storage.records import Snapshot
from ordercycle.storage.views import ViewQuery, ViewRow

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MODES = [pytest.param(True, id="roundtrip"), pytest.param(False, id="objects")]


def _received(sku: str, version: int) -> StockReceived:
    return StockReceived(
        aggregate_id=sku, version=version, occurred_at=AT, sku=sku, bin="WH-A/01", quantity=version
    )


def _storage(roundtrip: bool, streams: dict[str, int]) -> MemoryStorage:
    """A storage with ``streams[sku]`` stock events in each stream, one commit per event."""
    storage = MemoryStorage(roundtrip=roundtrip)
    for sku, count in streams.items():
        for version in range(1, count + 1):
            with storage.unit_of_work() as uow:
                uow.events.append(
                    "stock", sku, [_received(sku, version)], expected_version=version - 1
                )
    return storage


@pytest.mark.parametrize("roundtrip", MODES)
def test_a_forgotten_stream_is_refused_for_every_read_and_write(roundtrip: bool) -> None:
    storage = _storage(roundtrip, {"MUG": 3, "LAMP": 2})
    with storage.unit_of_work() as uow:
        uow.snapshots.save(Snapshot(kind="stock", aggregate_id="MUG", version=2, payload="{}"))
    storage.forget([("stock", "MUG")])
    with storage.unit_of_work() as uow:
        with pytest.raises(ForgottenError, match=r"the stock 'MUG'.*forgotten") as caught:
            uow.events.load("stock", "MUG")
        assert caught.value.subject == "the stock 'MUG'"
        with pytest.raises(ForgottenError, match="read the version of the stock 'MUG'"):
            uow.events.version("stock", "MUG")
        with pytest.raises(ForgottenError):
            uow.events.append("stock", "MUG", [_received("MUG", 1)], expected_version=0)
        with pytest.raises(ForgottenError, match="snapshot"):
            uow.snapshots.latest("stock", "MUG")
        # The others are untouched, and a stream never written is still new.
        assert [e.version for e in uow.events.load("stock", "LAMP")] == [1, 2]
        assert uow.events.version("stock", "RUG") == 0
        assert uow.events.aggregate_ids("stock") == ("LAMP",)
    assert "MUG" not in str(storage._state.streams)
    assert storage._state.snapshots == {}


def test_a_commit_that_appended_to_a_stream_forgotten_meanwhile_writes_nothing() -> None:
    storage = _storage(False, {"MUG": 1, "LAMP": 1})
    uow = storage.unit_of_work()
    with uow:
        uow.events.append("stock", "LAMP", [_received("LAMP", 2)], expected_version=1)
        uow.events.append("stock", "MUG", [_received("MUG", 2)], expected_version=1)
        storage.forget([("stock", "MUG")])
        with pytest.raises(ForgottenError):
            uow.commit()
    with storage.unit_of_work() as check:
        assert check.events.version("stock", "LAMP") == 1
        assert check.outbox.last_position() == 2


def test_a_new_stream_forgotten_after_it_was_read_is_refused_from_then_on() -> None:
    # A stream without events found not forgotten is remembered as such (it is asked about
    # several times in its first unit of work); forgetting it must end that.
    storage = _storage(False, {"MUG": 1})
    storage.forget([("stock", "MUG")])  # stock ids are now checked against forgotten ones
    uow = storage.unit_of_work()
    with uow:
        assert uow.events.version("stock", "LAMP") == 0
        assert uow.events.load("stock", "LAMP") == ()
        uow.events.append("stock", "LAMP", [_received("LAMP", 1)], expected_version=0)
        storage.forget([("stock", "LAMP")])
        with pytest.raises(ForgottenError, match="append to the stock 'LAMP'"):
            uow.commit()
    with storage.unit_of_work() as check:
        with pytest.raises(ForgottenError, match="read the version of the stock 'LAMP'"):
            check.events.version("stock", "LAMP")
        with pytest.raises(ForgottenError, match="read the stock 'LAMP'"):
            check.events.load("stock", "LAMP")
        assert check.outbox.last_position() == 1


@pytest.mark.parametrize("roundtrip", MODES)
def test_forgetting_history_keeps_the_newest_two_events_and_the_version(roundtrip: bool) -> None:
    storage = _storage(roundtrip, {"MUG": 5})
    with storage.unit_of_work() as uow:
        uow.snapshots.save(Snapshot(kind="stock", aggregate_id="MUG", version=2, payload="{}"))
    storage.forget(history=[("stock", "MUG"), ("stock", "NEVER")])
    with storage.unit_of_work() as uow:
        assert uow.events.version("stock", "MUG") == 5
        # A state record reads its newest event after the one before it.
        assert [e.version for e in uow.events.load("stock", "MUG", after_version=4)] == [5]
        with pytest.raises(ForgottenError, match="version 3 of the stock 'MUG'"):
            uow.events.load("stock", "MUG", after_version=3)
        with pytest.raises(ForgottenError):
            uow.events.load("stock", "MUG")
        # The snapshot stood for a forgotten version.
        assert uow.snapshots.latest("stock", "MUG") is None
        uow.events.append("stock", "MUG", [_received("MUG", 6)], expected_version=5)
    storage.forget(history=[("stock", "MUG")])  # again: the offsets add up
    with storage.unit_of_work() as uow:
        assert [e.version for e in uow.events.load("stock", "MUG", after_version=5)] == [6]
        with pytest.raises(ForgottenError):
            uow.events.load("stock", "MUG", after_version=4)
        assert uow.events.version("stock", "MUG") == 6
    assert len(storage._state.streams[("stock", "MUG")]) == 2


def test_forgotten_rows_are_gone_from_gets_and_finds() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        for key in ("O-1", "O-2"):
            uow.projections.put(
                ViewRow(view="orders", key=key, version=1, sort=key, terms=(("customer", "C-1"),))
            )
    storage.forget(rows=[("orders", "O-1"), ("orders", "O-9")])
    with storage.unit_of_work() as uow:
        assert uow.projections.get("orders", "O-1") is None
        found = uow.projections.find(ViewQuery(view="orders", where=(("customer", "C-1"),)))
        assert [row.key for row in found] == ["O-2"]
    assert storage._state.terms[("orders", "customer", "C-1")] == {"O-2"}


@pytest.mark.parametrize("roundtrip", MODES)
def test_the_outbox_releases_only_what_every_consumer_has_passed(roundtrip: bool) -> None:
    storage = _storage(roundtrip, {"MUG": 4})
    storage.forget(outbox=True)  # no consumer has a checkpoint: nothing is released
    with storage.unit_of_work() as uow:
        assert [m.position for m in uow.outbox.read()] == [1, 2, 3, 4]
        uow.outbox.save_checkpoint("a", 3)
        uow.outbox.save_checkpoint("b", 2)
    storage.forget(outbox=True)
    with storage.unit_of_work() as uow:
        # Positions do not move; what "b" has not read is kept.
        assert [m.position for m in uow.outbox.read(after=2)] == [3, 4]
        assert [m.event.version for m in uow.outbox.read(after=2, limit=1)] == [3]
        assert uow.outbox.last_position() == 4
        with pytest.raises(ForgottenError, match="outbox position 2"):
            uow.outbox.read(after=1)
        uow.events.append("stock", "MUG", [_received("MUG", 5)], expected_version=4)
        # Staged messages follow the kept ones.
        assert [m.position for m in uow.outbox.read(after=3)] == [4, 5]
        assert uow.outbox.last_position() == 5
    assert len(storage._state.outbox_rows) == 3


def test_nothing_is_forgotten_unless_asked() -> None:
    storage = _storage(False, {"MUG": 3})
    storage.forget()
    with storage.unit_of_work() as uow:
        assert [e.version for e in uow.events.load("stock", "MUG")] == [1, 2, 3]
        assert len(uow.outbox.read()) == 3


def test_the_error_pickles_with_its_attributes() -> None:
    error = pickle.loads(pickle.dumps(ForgottenError("the order 'O-1'", "read")))
    assert (error.subject, error.action) == ("the order 'O-1'", "read")
    assert isinstance(error, StorageError)
    assert isinstance(error, LookupError)
    assert "forgotten" in str(error)


def test_a_desk_forgets_an_order_in_its_cache_too() -> None:
    desk = OrderDesk.in_memory(roundtrip=False)
    open_sample_shop(desk)
    kept = desk.place_order("C-BOLT", {"MUG": 1}).aggregate_id
    order_id = desk.place_order("C-BOLT", {"MUG": 2}).aggregate_id
    assert desk.order(order_id).id == order_id  # now in the desk's cache
    desk.forget([("order", order_id)], rows=[("orders", order_id)])
    # Not the cached copy: the forgotten order is refused.
    with pytest.raises(ForgottenError, match=f"the order '{order_id}'"):
        desk.order(order_id)
    assert desk.order_ids() == (kept,)
    assert [listing.order_id for listing in desk.orders().items] == [kept]


def test_only_a_memory_desk_can_forget(tmp_path: object) -> None:
    desk = OrderDesk.sqlite(f"{tmp_path}/shop.db")
    with pytest.raises(StorageError, match="only the memory storage"):
        desk.forget([("order", "O-1")])
    desk.close()


@pytest.mark.parametrize("roundtrip", MODES)
def test_trimming_releases_a_streams_events_up_to_a_version(roundtrip: bool) -> None:
    storage = _storage(roundtrip, {"MUG": 6, "LAMP": 2})
    with storage.unit_of_work() as uow:
        uow.snapshots.save(Snapshot(kind="stock", aggregate_id="MUG", version=3, payload="{}"))
    storage.forget(trim=[("stock", "MUG", 5), ("stock", "NEVER", 9)])
    assert len(storage._state.streams[("stock", "MUG")]) == 2
    with storage.unit_of_work() as uow:
        # The version goes on counting; what follows the trimmed range reads as before.
        assert uow.events.version("stock", "MUG") == 6
        assert [e.version for e in uow.events.load("stock", "MUG", after_version=5)] == [6]
        with pytest.raises(ForgottenError, match="of the stock 'MUG'"):
            uow.events.load("stock", "MUG", after_version=4)
        with pytest.raises(ForgottenError):
            uow.events.load("stock", "MUG")
        assert uow.snapshots.latest("stock", "MUG") is None  # it stood for version 3
        # Other streams are untouched; a stream never written is not started by a trim.
        assert [e.version for e in uow.events.load("stock", "LAMP")] == [1, 2]
        assert uow.events.version("stock", "NEVER") == 0
    assert [row[0] for row in storage._state.streams[("stock", "MUG")]] == [5, 6]


@pytest.mark.parametrize("roundtrip", MODES)
def test_a_trimmed_stream_keeps_its_newest_event_and_takes_appends(roundtrip: bool) -> None:
    storage = _storage(roundtrip, {"MUG": 5})
    storage.forget(trim=[("stock", "MUG", 99)])  # past its version: all but the newest
    storage.forget(trim=[("stock", "MUG", 2)])  # already trimmed that far: nothing
    assert [row[0] for row in storage._state.streams[("stock", "MUG")]] == [5]
    with storage.unit_of_work() as uow:
        assert uow.events.load("stock", "MUG", after_version=5) == ()
        uow.events.append("stock", "MUG", [_received("MUG", 6)], expected_version=5)
    with storage.unit_of_work() as uow:
        assert [e.version for e in uow.events.load("stock", "MUG", after_version=5)] == [6]
    # A writer that read an older version still conflicts, as without the trim.
    stale = storage.unit_of_work()
    with pytest.raises(StreamConflictError), stale:
        stale.events.append("stock", "MUG", [_received("MUG", 6)], expected_version=5)
    storage.forget(trim=[("stock", "MUG", 6)])
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received("MUG", 7)], expected_version=6)
    with storage.unit_of_work() as uow:
        assert uow.events.version("stock", "MUG") == 7
        assert [e.quantity for e in uow.events.load("stock", "MUG", after_version=6)] == [7]
        with pytest.raises(ForgottenError):
            uow.events.load("stock", "MUG", after_version=5)


def test_retained_events_of_a_trimmed_stream_do_not_grow_with_its_length() -> None:
    # A reader that keeps the state and trims after each catch-up holds one event of the
    # stream however many were appended, and the versions go on counting.
    storage = _storage(False, {"MUG": 1})
    for version in range(2, 202):
        with storage.unit_of_work() as uow:
            uow.events.append(
                "stock", "MUG", [_received("MUG", version)], expected_version=version - 1
            )
        storage.forget(trim=[("stock", "MUG", version)])
        assert len(storage._state.streams[("stock", "MUG")]) == 1
    with storage.unit_of_work() as uow:
        assert uow.events.version("stock", "MUG") == 201


def test_forgotten_ids_are_remembered_exactly_however_they_are_kept() -> None:
    storage = MemoryStorage()
    forgotten = ["O-20", "O-7", "O-300", "PL-58/O-126", "PL-58/O-120", "INV-000434", "O-0"]
    forgotten += ["O-232/RMA-11", "plain", "x/y", "7", "O-8a"]
    storage.forget([("thing", aggregate_id) for aggregate_id in forgotten])
    # Neighbours, other paddings and other pairs were never forgotten.
    others = ["O-21", "O-19", "O-020", "O-6", "O-299", "O-301", "PL-58/O-125", "PL-57/O-126"]
    others += ["PL-58/O-0126", "INV-434", "INV-000435", "INV-00434", "O-232/RMA-12", "O-00"]
    others += ["plain2", "x/z", "8", "O-8", "P-20", "O-20/RMA-11", "O-1000000"]
    with storage.unit_of_work() as uow:
        for aggregate_id in forgotten:
            with pytest.raises(ForgottenError):
                uow.events.version("thing", aggregate_id)
        for aggregate_id in others:
            assert uow.events.version("thing", aggregate_id) == 0, aggregate_id
    kept = storage._state.forgotten["thing"]
    assert kept._others == {"plain", "x/y", "O-8a"}  # the rest are bits
    assert pickle.loads(pickle.dumps(storage._state)).forgotten["thing"].__contains__("O-300")


def test_an_id_with_other_scripts_digits_is_not_taken_for_its_ascii_twin() -> None:
    # int() reads "\u0663" (an Arabic-Indic three) as 3: such an id is kept as it is.
    storage = MemoryStorage()
    storage.forget([("order", "O-3"), ("order", "PL-\u0661/O-2")])
    with storage.unit_of_work() as uow:
        assert uow.events.version("order", "O-\u0663") == 0
        assert uow.events.version("order", "PL-1/O-2") == 0
    storage.forget([("order", "O-\u0663")])
    with storage.unit_of_work() as uow:
        for aggregate_id in ("O-\u0663", "PL-\u0661/O-2", "O-3"):
            with pytest.raises(ForgottenError):
                uow.events.version("order", aggregate_id)
    assert storage._state.forgotten["order"]._others == {"O-\u0663"}


def test_forgetting_rows_leaves_no_empty_terms_behind() -> None:
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        for key in ("S-1", "S-2"):
            terms = (("order", f"O-{key}"), ("status", "open"))
            uow.projections.put(
                ViewRow(view="shipments", key=key, version=1, sort=key, terms=terms)
            )
    storage.forget(rows=[("shipments", "S-1")])
    assert ("shipments", "order", "O-S-1") not in storage._state.terms
    assert storage._state.terms[("shipments", "status", "open")] == {"S-2"}


def test_many_forgotten_pairs_are_merged_and_still_found_exactly() -> None:
    storage = MemoryStorage()
    pairs = [f"PL-{n // 3}/O-{n}" for n in range(1, 3000, 2)]  # more than one merge
    huge = f"PL-1/O-{2**40}"  # too large a number for a pair: kept as it is
    storage.forget([("picked_order", aggregate_id) for aggregate_id in [*pairs, huge]])
    with storage.unit_of_work() as uow:
        for aggregate_id in [*pairs[::97], pairs[-1], huge]:
            with pytest.raises(ForgottenError):
                uow.events.version("picked_order", aggregate_id)
        for n in (2, 1500, 2998, 3001):
            assert uow.events.version("picked_order", f"PL-{n // 3}/O-{n}") == 0
        assert uow.events.version("picked_order", f"PL-2/O-{2**40}") == 0
    assert storage._state.forgotten["picked_order"]._others == {huge}


@settings(max_examples=200, deadline=None)
@given(
    numbers=st.lists(st.one_of(st.integers(0, 40), st.integers(0, 2**62 - 1)), max_size=60),
    probes=st.lists(st.integers(0, 2**62 - 1), max_size=10),
)
def test_forgotten_pairs_merged_at_any_order_are_found_exactly(
    numbers: list[int], probes: list[int]
) -> None:
    # A merge sorts only the kept tail from the smallest new number on: numbers in any
    # order, repeated, below or among the kept ones, must be found as a set finds them.
    pairs = _SmallPairs()
    for number in numbers:
        pairs.add(number)
    assert list(pairs.sorted) == sorted(set(pairs.sorted))  # sorted, no repeats
    for number in [*numbers, *probes, *(n + 1 for n in numbers)]:
        assert (number in pairs) == (number in set(numbers))


class _SmallPairs(_Pairs):
    """Merges every few numbers, so a short list runs through many merges."""

    __slots__ = ()
    MERGE = 3


def test_sparse_or_huge_forgotten_ids_do_not_stretch_a_bitmap() -> None:
    # One bit per number below the largest would take a terabyte for "O-<10**13>": ids far
    # from the others are kept as they are, and still found exactly.
    storage = MemoryStorage()
    far = ["O-1", f"O-{10**13}", f"O-{10**40}", "O-50000000", "O-3"]
    storage.forget([("order", aggregate_id) for aggregate_id in far])
    with storage.unit_of_work() as uow:
        for aggregate_id in far:
            with pytest.raises(ForgottenError):
                uow.events.version("order", aggregate_id)
        for aggregate_id in ("O-2", f"O-{10**13 + 1}", "O-49999999", f"O-{10**40 - 1}"):
            assert uow.events.version("order", aggregate_id) == 0, aggregate_id
    kept = storage._state.forgotten["order"]
    assert kept._others == {f"O-{10**13}", f"O-{10**40}", "O-50000000"}
    assert all(len(bits.bits) <= bits.SLACK for bits in kept._singles.values())


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"streams": [("order", 5)]}, "streams aggregate_id"),
        ({"streams": [("order", " O-1")]}, "streams aggregate_id"),
        ({"streams": ["order/O-1"]}, "streams"),
        ({"streams": "order"}, "streams"),
        ({"rows": [("orders",)]}, "rows"),
        ({"history": [("", "O-1")]}, "history kind"),
        ({"trim": [("stock", "SKU-1", 0)]}, "trim version"),
        ({"trim": [("stock", "SKU-1", True)]}, "trim version"),
        ({"trim": [("stock", "SKU-1", "2")]}, "trim version"),
        ({"trim": [("stock", "SKU-1", 2.0)]}, "trim version"),
        ({"rows": [("orders", "")]}, "rows key"),
        ({"history": [("account", "C-1 ")]}, "history aggregate_id"),
        ({"outbox": "yes"}, "outbox"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_forgotten(
    arguments: dict[str, object], named: str
) -> None:
    storage = _storage(True, {"SKU-1": 3})
    good = [("stock", "SKU-1")]
    with pytest.raises(ValidationError, match=f"Invalid {named} for MemoryStorage.forget"):
        storage.forget(**{"streams": good, **arguments})  # type: ignore[arg-type]
    with storage.unit_of_work() as uow:  # the good entry before the bad one stays
        assert uow.events.version("stock", "SKU-1") == 3
