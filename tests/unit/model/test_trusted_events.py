"""``model._trusted.event_maker``: the same events as the class, without the common checks."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from ordercycle.errors import ValidationError
from ordercycle.model._trusted import event_maker
from ordercycle.model.events import DomainEvent
from ordercycle.model.order.events import OrderLineAllocated, OrderPlaced

AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def test_a_made_event_equals_the_one_the_class_builds() -> None:
    fields = {"aggregate_id": "O-1", "version": 3, "occurred_at": AT}
    made = event_maker(OrderLineAllocated)(**fields, line_id="L1", sku="LAMP", quantity=2)
    built = OrderLineAllocated(**fields, line_id="L1", sku="LAMP", quantity=2)
    assert made == built
    assert type(made) is OrderLineAllocated
    assert attrs.asdict(made) == attrs.asdict(built)
    placed = event_maker(OrderPlaced)(**fields, source="draft", target="placed")
    assert placed == OrderPlaced(**fields, source="draft", target="placed")
    assert hash(placed) == hash(OrderPlaced(**fields, source="draft", target="placed"))


def test_the_class_still_checks_what_the_maker_trusts() -> None:
    with pytest.raises(ValidationError, match="version"):
        OrderLineAllocated(
            aggregate_id="O-1", version=0, occurred_at=AT, line_id="L1", sku="LAMP", quantity=2
        )


def test_defaults_apply_and_a_missing_field_is_refused_as_by_the_class() -> None:
    @attrs.frozen(kw_only=True)
    class NoteWritten(DomainEvent):
        text: str
        pinned: bool = False

    try:
        make = event_maker(NoteWritten)
        assert make is not NoteWritten
        made = make(aggregate_id="N-1", version=1, occurred_at=AT, text="hi")
        assert made == NoteWritten(aggregate_id="N-1", version=1, occurred_at=AT, text="hi")
        assert made.pinned is False
        with pytest.raises(TypeError):
            make(aggregate_id="N-1", version=1, occurred_at=AT)
    finally:
        DomainEvent._unregister("NoteWritten")


def test_a_class_with_checks_of_its_own_gets_the_class_itself() -> None:
    def _positive(_instance: object, _attribute: object, value: int) -> None:
        if value < 1:
            raise ValidationError.invalid("event", "count", value, "a positive count")

    @attrs.frozen(kw_only=True)
    class Counted(DomainEvent):
        count: int = attrs.field(validator=_positive)

    @attrs.frozen(kw_only=True)
    class Listed(DomainEvent):
        items: list[str] = attrs.field(factory=list)

    try:
        assert event_maker(Counted) is Counted
        assert event_maker(Listed) is Listed
        with pytest.raises(ValidationError):
            event_maker(Counted)(aggregate_id="C-1", version=1, occurred_at=AT, count=0)
    finally:
        DomainEvent._unregister("Counted")
        DomainEvent._unregister("Listed")


def test_an_event_class_without_slots_is_made_as_the_class_builds_it() -> None:
    @attrs.frozen(kw_only=True, slots=False)
    class Noted(DomainEvent):
        text: str

    try:
        made = event_maker(Noted)(aggregate_id="N-1", version=2, occurred_at=AT, text="hi")
        assert made == Noted(aggregate_id="N-1", version=2, occurred_at=AT, text="hi")
        assert made.__dict__ == {"text": "hi"}
    finally:
        DomainEvent._unregister("Noted")


def test_a_made_event_is_built_by_a_builder_the_registry_never_sees() -> None:
    from ordercycle.model import _replace

    before = dict(DomainEvent.registry())
    make = event_maker(OrderLineAllocated)
    made = make(aggregate_id="O-1", version=2, occurred_at=AT, line_id="L1", sku="LAMP", quantity=1)
    assert type(made) is OrderLineAllocated
    assert made == OrderLineAllocated(
        aggregate_id="O-1", version=2, occurred_at=AT, line_id="L1", sku="LAMP", quantity=1
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.quantity = 5  # type: ignore[misc]
    builder = _replace._BUILDERS[(OrderLineAllocated, (("abstract", True),))]
    assert builder is not None
    assert issubclass(builder, OrderLineAllocated)
    assert dict(DomainEvent.registry()) == before
    assert DomainEvent.lookup("OrderLineAllocated") is OrderLineAllocated
