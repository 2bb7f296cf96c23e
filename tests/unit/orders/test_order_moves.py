"""A warehouse command (``_move``) records what the general path (``_record``) records.

``Order._move`` builds and applies a line's warehouse event itself (the line found once,
only its ledger checked); the result, the event and every refusal must be those of
``_record`` with the same event, which is how every other command records.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ValidationError
from ordercycle.model.order import CommandNotAllowedError, Order
from ordercycle.model.order.aggregate import _WAREHOUSE
from ordercycle.model.order.events import OrderEvent

from .conftest import Story

_COMMANDS = {method: kind for kind, method in _WAREHOUSE.items()}
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(sorted(_COMMANDS)),
        st.sampled_from(["L1", "L2", "L9"]),
        st.one_of(st.integers(-1, 5), st.just(True), st.just(2.0)),
        st.sampled_from([5, 0, -5]),  # minutes after the last change
    ),
    max_size=25,
)


def _outcome(order: Order, general: bool, step: tuple[str, str, Any, datetime]) -> Any:
    """``("done", (order, events))`` or ``("refused", (error type, message))``."""
    command, line_id, quantity, at = step
    try:
        if general:
            fields = {"line_id": line_id, "sku": order.line(line_id).sku, "quantity": quantity}
            new, events = order._record(at, (_COMMANDS[command], fields))
        else:
            new, events = getattr(order, command)(line_id, quantity, at=at)
    except Exception as error:
        return "refused", (type(error), str(error))
    return "done", (new, events)


@settings(max_examples=150, deadline=None)
@given(steps=_STEPS, policy=st.sampled_from(["ordered", "delivered"]))
def test_a_move_records_what_the_general_path_records(
    steps: list[tuple[str, str, object, int]], policy: str
) -> None:
    story = Story()
    order = story.released(invoice_policy=policy)
    history: list[OrderEvent] = list(story.history)
    now = story.now
    for command, line_id, quantity, minutes in steps:
        at = now + timedelta(minutes=minutes)
        step = (command, line_id, quantity, at)
        fast = _outcome(order, False, step)
        slow = _outcome(order, True, step)
        assert fast == slow
        if line_id == "L9":
            assert fast[0] == "refused"
            assert "L9" in str(fast[1])
        if fast[0] == "done":
            order, events = fast[1]
            history.extend(events)
            now = at
            assert order.version == history[-1].version
    assert Order.replay(history) == order


def test_a_move_at_an_earlier_time_or_in_a_wrong_state_is_refused_as_before(
    story: Story,
) -> None:
    order = story.released()
    earlier = story.now - timedelta(minutes=1)
    with pytest.raises(ValidationError, match="a time at or after its last change") as moved:
        order.allocate("L1", 1, at=earlier)
    fields = {"line_id": "L1", "sku": "MUG-12", "quantity": 1}
    with pytest.raises(ValidationError, match="a time at or after its last change") as recorded:
        order._record(earlier, (_COMMANDS["allocate"], fields))
    assert type(moved.value) is type(recorded.value)
    assert str(moved.value) == str(recorded.value)
    naive = datetime(2026, 2, 1, 9)
    with pytest.raises(ValidationError) as caught:
        order.allocate("L1", 1, at=naive)
    assert "order O-17" in str(caught.value)
    story.create()
    with pytest.raises(CommandNotAllowedError, match="draft"):
        story.order.allocate("L1", 1, at=datetime(2026, 2, 1, 9, tzinfo=UTC))
