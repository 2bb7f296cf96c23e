"""SQL adapters read back the events this process appended without decoding them again.

Sound because decoding an event's text gives an equal event that encodes to the same
text, for every domain event type (checked here on the contract's sample of them); the
memory adapter's default mode keeps decoding, so the contract still proves the round trip.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ordercycle.errors import SerializationError
from ordercycle.inventory.events import StockReceived
from ordercycle.model.events import DomainEvent
from ordercycle.serialization import from_json, to_json
from ordercycle.storage import MemoryStorage, SQLiteStorage, _codec
from ordercycle.testing.domain_events import sample_streams

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _received(quantity: int) -> StockReceived:
    return StockReceived(
        aggregate_id="MUG", version=1, occurred_at=AT, sku="MUG", bin="WH-A/01", quantity=quantity
    )


def test_every_domain_event_decodes_to_an_equal_event_with_the_same_text() -> None:
    for _kind, _aggregate_id, events in sample_streams():
        for event in events:
            text = to_json(event)
            decoded = from_json(text, DomainEvent)
            assert decoded == event
            assert type(decoded) is type(event)
            assert to_json(decoded) == text


def test_sqlite_loads_and_reads_the_appended_event_itself(tmp_path: Path) -> None:
    storage = SQLiteStorage(tmp_path / "memo.db")
    event = _received(7)
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [event], expected_version=0)
    with storage.unit_of_work() as uow:
        assert uow.events.load("stock", "MUG")[0] is event
        assert uow.outbox.read()[0].event is event
    storage.close()


def test_text_not_appended_here_is_decoded(tmp_path: Path) -> None:
    event = _received(8)
    text = to_json(event)  # encoded, but not by an append
    decoded = _codec.decode_stored(text)
    assert decoded == event
    assert decoded is not event


def test_the_memory_adapter_s_default_mode_still_decodes_a_copy() -> None:
    storage = MemoryStorage()
    event = _received(9)
    _codec.encode_stored(event)  # even when another adapter appended the same text
    with storage.unit_of_work() as uow:
        uow.events.append("stock", "MUG", [event], expected_version=0)
    with storage.unit_of_work() as uow:
        loaded = uow.events.load("stock", "MUG")[0]
    assert loaded == event
    assert loaded is not event


def test_encoding_an_event_writes_what_to_json_writes_the_first_time_and_after() -> None:
    # The first event of a class goes through to_json; later ones call the converter's
    # hook for the class directly (the same hook and encoder settings).
    for _kind, _aggregate_id, events in sample_streams():
        for event in events:
            assert _codec.encode_event(event) == to_json(event)
            assert _codec.encode_event(event) == to_json(event)
            assert _codec.encode_stored(event) == to_json(event)


def test_an_event_that_cannot_be_written_raises_what_to_json_raises() -> None:
    _codec.encode_event(_received(1))  # the class's hook is known from here on
    broken = _received(2)
    object.__setattr__(broken, "occurred_at", datetime(2026, 3, 2, 9, 0))  # naive
    with pytest.raises(SerializationError) as direct:
        to_json(broken)
    with pytest.raises(SerializationError) as encoded:
        _codec.encode_event(broken)
    assert str(encoded.value) == str(direct.value)
