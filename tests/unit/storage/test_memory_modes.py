"""What the modes of the memory adapter keep (event objects or JSON, read models or
none), and the decoded-event memo."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from ordercycle.errors import SerializationError, ValidationError
from ordercycle.inventory.events import StockReceived
from ordercycle.storage import MemoryStorage, _codec
from ordercycle.storage.ports import Projecting
from ordercycle.storage.views import ViewRow

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _received(version: int, quantity: int = 5) -> StockReceived:
    return StockReceived(
        aggregate_id="MUG",
        version=version,
        occurred_at=AT,
        sku="MUG",
        bin="WH-A/01",
        quantity=quantity,
    )


def _load_twice(storage: MemoryStorage) -> tuple[object, object, object]:
    event = _received(1)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [event], expected_version=0)
    with storage.unit_of_work() as uow:
        first = uow.events.load("stock", "MUG")[0]
        second = uow.outbox.read()[0].event
    return event, first, second


def test_the_default_mode_loads_a_decoded_copy() -> None:
    event, loaded, from_outbox = _load_twice(MemoryStorage())
    assert loaded == event
    assert from_outbox == event
    assert loaded is not event


def test_keeping_objects_loads_the_appended_event_itself() -> None:
    event, loaded, from_outbox = _load_twice(MemoryStorage(roundtrip=False))
    assert loaded is event
    assert from_outbox is event


def test_keeping_objects_still_refuses_an_event_type_that_cannot_be_stored() -> None:
    storage = MemoryStorage(roundtrip=False)
    broken = attrs.evolve(_received(1), quantity=object())  # type: ignore[arg-type]
    with storage.unit_of_work() as uow:
        for _ in range(2):  # a type that failed is still unproven: it fails again
            with pytest.raises(SerializationError):
                uow.events.append("stock", "MUG", [broken], expected_version=0)
        assert uow.events.version("stock", "MUG") == 0
        assert uow.outbox.last_position() == 0


def test_keeping_objects_encodes_one_event_of_each_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ordercycle.storage import memory

    encoded: list[object] = []

    def counting(event: object) -> str:
        encoded.append(event)
        return _codec.encode_event(event)  # type: ignore[arg-type]

    monkeypatch.setattr(memory, "encode_event", counting)
    storage = MemoryStorage(roundtrip=False)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received(1), _received(2)], expected_version=0)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received(3)], expected_version=2)
    assert encoded == [_received(1)]


@pytest.mark.parametrize("roundtrip", [True, False])
def test_both_modes_give_text_to_the_raw_primitives(roundtrip: bool) -> None:
    storage = MemoryStorage(roundtrip=roundtrip)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [_received(1), _received(2, 7)], expected_version=0)
        texts = uow._tx_events("stock", "MUG", 1)  # staged, not yet committed
        rows = uow._tx_outbox(0, 10)
    assert [_codec.decode_event(t) for t in texts] == [_received(2, 7)]
    assert [_codec.decode_event(row[5]) for row in rows] == [_received(1), _received(2, 7)]


def test_a_rolled_back_append_leaves_nothing_in_either_mode() -> None:
    for storage in (MemoryStorage(), MemoryStorage(roundtrip=False)):
        uow = storage.unit_of_work()
        with uow:
            uow.events.append("stock", "MUG", [_received(1)], expected_version=0)
            uow.rollback()
        with storage.unit_of_work() as uow:
            assert uow.events.load("stock", "MUG") == ()
            assert uow.outbox.read() == ()


def test_decoding_the_same_text_twice_reuses_the_first_result() -> None:
    text = _codec.encode_event(_received(3, 11))
    first = _codec.decode_event(text)
    again = _codec.decode_event(str(text))  # an equal text, not the same object
    assert first == _received(3, 11)
    assert again is first


def test_text_that_fails_to_decode_is_not_remembered() -> None:
    text = _codec.encode_event(_received(1)).replace('"quantity": 5', '"quantity": "five"')
    assert '"five"' in text
    for _ in range(2):
        with pytest.raises(SerializationError):
            _codec.decode_event(text)


def test_a_storage_without_read_models_has_no_projections_and_forgets_rows_as_nothing() -> None:
    storage = MemoryStorage(projections=False)
    for uow in (storage.unit_of_work(), storage.reading()):
        with uow:
            assert getattr(uow, "projections", None) is None
            assert not isinstance(uow, Projecting)
            with pytest.raises(AttributeError, match="keeps no read models"):
                uow.projections  # noqa: B018 (the attribute read is the test)
    storage.forget(rows=[("orders", "O-1")])  # no row was kept: nothing to do
    with MemoryStorage().unit_of_work() as uow:  # the default keeps them
        assert isinstance(uow, Projecting)
        row = ViewRow(view="orders", key="O-1", version=1, sort="a", terms=(), data="{}")
        assert uow.projections.put(row)


@pytest.mark.parametrize("given", ["no", 0, None])
def test_the_read_models_option_must_be_a_bool(given: object) -> None:
    with pytest.raises(
        ValidationError, match=r"Invalid projections for MemoryStorage: .*True or False"
    ):
        MemoryStorage(projections=given)  # type: ignore[arg-type]
