"""Domain events: the common fields and the event-type registry."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest

from ordercycle.errors import DuplicateError, NotFoundError, ValidationError
from ordercycle.model.clock import NaiveDatetimeError
from ordercycle.model.events import DomainEvent, DuplicateEventTypeError, UnknownEventTypeError

AT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@attrs.frozen(kw_only=True)
class EvtTestCartonSealed(DomainEvent):
    carton: str


@attrs.frozen(kw_only=True)
class EvtTestRenamed(DomainEvent):
    event_type = "evt-test.renamed"
    new_name: str


@attrs.frozen(kw_only=True)
class EvtTestBase(DomainEvent, abstract=True):
    reason: str


@attrs.frozen(kw_only=True)
class EvtTestConcrete(EvtTestBase):
    pass


def sealed(**changes: object) -> EvtTestCartonSealed:
    fields: dict[str, object] = {"aggregate_id": "SHP-1", "version": 1, "occurred_at": AT}
    fields["carton"] = "M"
    fields.update(changes)
    return EvtTestCartonSealed(**fields)  # type: ignore[arg-type]


def test_subclasses_register_under_their_class_name_by_default():
    assert EvtTestCartonSealed.event_type == "EvtTestCartonSealed"
    assert DomainEvent.lookup("EvtTestCartonSealed") is EvtTestCartonSealed
    assert DomainEvent.registry()["EvtTestCartonSealed"] is EvtTestCartonSealed


def test_registered_class_is_the_final_slotted_attrs_class():
    assert "__slots__" in EvtTestCartonSealed.__dict__
    assert attrs.has(DomainEvent.lookup("EvtTestCartonSealed"))


def test_event_type_class_variable_overrides_the_name_and_is_not_a_field():
    assert EvtTestRenamed.event_type == "evt-test.renamed"
    assert DomainEvent.lookup("evt-test.renamed") is EvtTestRenamed
    assert "EvtTestRenamed" not in DomainEvent.registry()
    assert "event_type" not in attrs.fields_dict(EvtTestRenamed)


def test_abstract_intermediate_bases_are_not_registered_but_their_children_are():
    assert "EvtTestBase" not in DomainEvent.registry()
    assert DomainEvent.lookup("EvtTestConcrete") is EvtTestConcrete
    event = EvtTestConcrete(aggregate_id="O-1", version=1, occurred_at=AT, reason="x")
    assert event.reason == "x"


def test_registry_is_sorted_and_read_only():
    names = list(DomainEvent.registry())
    assert names == sorted(names)
    with pytest.raises(TypeError):
        DomainEvent.registry()["X"] = EvtTestRenamed  # type: ignore[index]


def test_duplicate_event_type_is_refused_at_class_definition():
    with pytest.raises(DuplicateEventTypeError) as info:

        @attrs.frozen(kw_only=True)
        class Other(DomainEvent):
            event_type = "EvtTestCartonSealed"

    error = info.value
    assert isinstance(error, DuplicateError)
    assert "Duplicate event type 'EvtTestCartonSealed'" in str(error)
    assert "test_model_events.EvtTestCartonSealed" in error.existing
    assert "Other" in error.new
    assert "set a distinct `event_type`" in str(error)
    assert DomainEvent.lookup("EvtTestCartonSealed") is EvtTestCartonSealed


def test_blank_event_type_is_refused():
    with pytest.raises(ValidationError, match="event_type"):

        class Blank(DomainEvent):
            event_type = " "


def test_unknown_event_type_lists_known_names():
    with pytest.raises(UnknownEventTypeError) as info:
        DomainEvent.lookup("NoSuchEvent")
    assert isinstance(info.value, NotFoundError)
    assert isinstance(info.value, LookupError)
    assert "Unknown event type 'NoSuchEvent'" in str(info.value)
    assert "EvtTestCartonSealed" in info.value.known


def test_unregister_forgets_a_name():
    @attrs.frozen(kw_only=True)
    class EvtTestThrowaway(DomainEvent):
        pass

    assert DomainEvent.lookup("EvtTestThrowaway") is EvtTestThrowaway
    DomainEvent._unregister("EvtTestThrowaway")
    with pytest.raises(UnknownEventTypeError):
        DomainEvent.lookup("EvtTestThrowaway")


def test_events_are_frozen_keyword_only_values():
    event = sealed()
    assert event == sealed()
    assert hash(event) == hash(sealed())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        EvtTestCartonSealed("SHP-1", 1, AT, "M")  # type: ignore[misc]


def test_occurred_at_is_stored_in_utc():
    plus_one = timezone(timedelta(hours=1))
    event = sealed(occurred_at=datetime(2026, 1, 5, 11, 0, tzinfo=plus_one))
    assert event.occurred_at == AT


@pytest.mark.parametrize(
    ("field", "bad", "error", "words"),
    [
        ("version", 0, ValidationError, "an integer >= 1"),
        ("version", True, ValidationError, "an integer >= 1"),
        ("version", "1", ValidationError, "an integer >= 1"),
        ("aggregate_id", "", ValidationError, "non-empty id"),
        ("aggregate_id", 17, ValidationError, "non-empty id"),
        ("occurred_at", datetime(2026, 1, 5), NaiveDatetimeError, "timezone-aware"),
        ("occurred_at", "2026-01-05T10:00:00Z", NaiveDatetimeError, "timezone-aware"),
    ],
)
def test_bad_common_fields_name_the_event_class(field, bad, error, words):
    with pytest.raises(error) as info:
        sealed(**{field: bad})
    assert f"Invalid {field} for event EvtTestCartonSealed" in str(info.value)
    assert words in str(info.value)


def test_events_and_their_errors_pickle():
    event = sealed()
    assert pickle.loads(pickle.dumps(event)) == event
    error = DuplicateEventTypeError("X", "a.X", "b.X")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.existing, copy.new) == (str(error), "a.X", "b.X")


def test_the_registry_view_follows_classes_defined_and_forgotten_after_a_read():
    before = DomainEvent.registry()
    assert DomainEvent.registry() is before  # read again without a change: the same view

    @attrs.frozen(kw_only=True)
    class EvtTestLateComer(DomainEvent):
        pass

    try:
        after = DomainEvent.registry()
        assert after["EvtTestLateComer"] is EvtTestLateComer
        assert "EvtTestLateComer" not in before
        assert list(after) == sorted(after)
    finally:
        DomainEvent._unregister("EvtTestLateComer")
    assert "EvtTestLateComer" not in DomainEvent.registry()
