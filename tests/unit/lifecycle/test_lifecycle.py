"""Specification of ordercycle.lifecycle: declarative, validated state machines."""

from __future__ import annotations

import doctest
import pickle
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from ordercycle.errors import (
    ConfigurationError,
    DefinitionError,
    LifecycleError,
    OrderCycleError,
    TransitionNotAllowedError,
    ValidationError,
)
from ordercycle.lifecycle import (
    ANY,
    Guard,
    Lifecycle,
    Machine,
    State,
    Transition,
    UnknownStateError,
)

DOCS = Path(__file__).resolve().parents[3] / "docs"


def shipment() -> Lifecycle:
    return Lifecycle.build(
        "shipment",
        initial="created",
        final=["delivered"],
        transitions=[("ship", "created", "in_transit"), ("deliver", "in_transit", "delivered")],
    )


CREDIT_OK = Guard("credit_ok", lambda order: not order["on_hold"], refusal="it is on hold (credit)")


def ticket() -> Lifecycle:
    return Lifecycle.build(
        "ticket",
        initial="open",
        final=["closed"],
        transitions=[
            ("wait", "open", "waiting"),
            ("close", ["open", "waiting"], "closed"),
            ("resume", "waiting", "open"),
        ],
    )


def order() -> Lifecycle:
    return Lifecycle.build(
        "order",
        initial="placed",
        final=["delivered", "canceled"],
        states=[State("placed", "Received, not yet checked")],
        transitions=[
            ("confirm", "placed", "confirmed"),
            ("ship", "confirmed", "shipped", CREDIT_OK),
            ("deliver", "shipped", "delivered"),
            ("cancel", ANY, "canceled"),
        ],
    )


def problems_of(*args: Any) -> tuple[str, ...]:
    with pytest.raises(DefinitionError) as caught:
        Lifecycle(*args)
    return caught.value.problems


# --- the example from the README -----------------------------------------------------------


def test_build_and_next_state_as_in_the_readme() -> None:
    lifecycle = shipment()
    assert lifecycle.next_state("created", "ship") == "in_transit"
    assert lifecycle.next_state("in_transit", "deliver") == "delivered"
    assert lifecycle.state_names == ("created", "in_transit", "delivered")
    assert lifecycle.final_states == ("delivered",)
    assert lifecycle.initial == "created"
    assert lifecycle.events == ("ship", "deliver")


def test_mermaid_of_the_readme_example_is_exact() -> None:
    assert shipment().to_mermaid() == (
        "stateDiagram-v2\n"
        "    [*] --> created\n"
        "    created --> in_transit: ship\n"
        "    in_transit --> delivered: deliver\n"
        "    delivered --> [*]"
    )


def test_mermaid_shows_descriptions_guards_and_expanded_wildcards() -> None:
    assert order().to_mermaid() == (
        "stateDiagram-v2\n"
        "    [*] --> placed\n"
        "    placed : Received, not yet checked\n"
        "    placed --> confirmed: confirm\n"
        "    confirmed --> shipped: ship [credit_ok]\n"
        "    shipped --> delivered: deliver\n"
        "    placed --> canceled: cancel\n"
        "    confirmed --> canceled: cancel\n"
        "    shipped --> canceled: cancel\n"
        "    delivered --> [*]\n"
        "    canceled --> [*]"
    )


def test_build_takes_declared_states_first_and_marks_finals() -> None:
    lifecycle = Lifecycle.build(
        "ticket",
        initial="open",
        final=["closed"],
        states=["open", State("closed", "Done"), "waiting"],
        transitions=[("wait", "open", "waiting"), ("close", ["open", "waiting"], "closed")],
    )
    assert lifecycle.state_names == ("open", "closed", "waiting")
    assert lifecycle.state("closed") == State("closed", "Done", final=True)
    assert lifecycle.transitions[1].source == ("open", "waiting")


def test_constructor_takes_parts_and_tuples() -> None:
    lifecycle = Lifecycle(
        "shipment",
        ["created", "in_transit", State("delivered", final=True)],
        [("ship", "created", "in_transit"), Transition("deliver", "in_transit", "delivered")],
        "created",
    )
    assert lifecycle == shipment()
    assert hash(lifecycle) == hash(shipment())


def test_lifecycle_is_frozen() -> None:
    lifecycle = shipment()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        lifecycle.initial = "delivered"  # type: ignore[misc]
    assert lifecycle.initial == "created"


# --- validation ----------------------------------------------------------------------------


def test_valid_definition_error_is_in_the_error_tree() -> None:
    with pytest.raises(DefinitionError) as caught:
        Lifecycle.build("Bad Name", initial="a", final=["b"], transitions=[("go", "a", "b")])
    error = caught.value
    assert isinstance(error, LifecycleError)
    assert isinstance(error, ConfigurationError)
    assert isinstance(error, ValueError)
    assert isinstance(error, OrderCycleError)
    assert error.lifecycle == "Bad Name"
    assert str(error) == (
        "Invalid lifecycle 'Bad Name': the lifecycle name 'Bad Name' is not a snake_case"
        " identifier."
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problems, str(copy)) == (error.problems, str(error))


def test_names_must_be_snake_case() -> None:
    problems = problems_of(
        "flow",
        [State("Start"), State("end", final=True)],
        [Transition("Go", "Start", "end", guard=Guard("Is-Ok", lambda _: True))],
        "Start",
    )
    assert problems == (
        "the state name 'Start' is not a snake_case identifier",
        "the event name 'Go' is not a snake_case identifier",
        "the guard name 'Is-Ok' of the transition 'Go' [Is-Ok] from 'Start' to 'end' is not"
        " a snake_case identifier",
    )


def test_initial_state_must_exist_and_there_must_be_one() -> None:
    states = [State("a"), State("b", final=True)]
    moves = [Transition("go", "a", "b")]
    assert "there is no initial state; exactly one is needed" in problems_of(
        "flow", states, moves, ""
    )
    assert "the initial state 'x' is not one of its states" in problems_of(
        "flow", states, moves, "x"
    )


def test_there_must_be_states_and_a_final_one() -> None:
    assert "it has no states" in problems_of("flow", [], [], "a")
    problems = problems_of("flow", [State("a"), State("b")], [Transition("go", "a", "b")], "a")
    assert "there is no final state; mark at least one state final" in problems


def test_sources_and_targets_must_be_states() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("b", final=True)],
        [Transition("go", "a", "b"), Transition("jump", "q", "z")],
        "a",
    )
    assert "the transition 'jump' from 'q' to 'z' starts from the unknown state 'q'" in problems
    assert "the transition 'jump' from 'q' to 'z' leads to the unknown state 'z'" in problems


def test_wildcard_must_stand_alone_and_sources_must_not_be_empty() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("b", final=True)],
        [Transition("go", "a", "b"), Transition("stop", ["*", "a"], "b"), Transition("x", [], "b")],
        "a",
    )
    assert (
        "the transition 'stop' from '*', 'a' to 'b' mixes the wildcard '*' with named source"
        " states" in problems
    )
    assert "the transition 'x' from nowhere to 'b' has no source state" in problems


def test_final_states_have_no_exits() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("b", final=True)],
        [Transition("go", "a", "b"), Transition("reopen", "b", "a")],
        "a",
    )
    assert problems == ("the final state 'b' has an exit: the transition 'reopen' from 'b' to 'a'",)


def test_every_state_must_be_reachable_from_the_initial_one() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("orphan"), State("b", final=True)],
        [Transition("go", "a", "b"), Transition("finish", "orphan", "b")],
        "a",
    )
    assert problems == ("the state 'orphan' is not reachable from the initial state 'a'",)


def test_dead_ends_are_reported() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("stuck"), State("b", final=True)],
        [Transition("go", "a", "b"), Transition("trap", "a", "stuck")],
        "a",
    )
    assert problems == ("the state 'stuck' is a dead end: no final state can be reached from it",)


def test_unguarded_duplicate_event_and_source_is_refused() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("b", final=True), State("c", final=True)],
        [Transition("go", "a", "b"), Transition("go", "a", "c")],
        "a",
    )
    assert problems == (
        "the transition 'go' from 'a' to 'c' can never be taken from 'a': the unguarded"
        " transition 'go' from 'a' to 'b' is tried first (guard one of them, or remove one)",
    )


def test_a_transition_declared_twice_is_refused() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("b", final=True)],
        [Transition("go", "a", "b"), Transition("go", "a", "b")],
        "a",
    )
    assert problems == ("the transition 'go' from 'a' to 'b' is declared more than once",)


def test_guarded_alternatives_before_an_unguarded_fallback_are_valid() -> None:
    express = Guard("express", lambda ctx: ctx == "express")
    lifecycle = Lifecycle.build(
        "parcel",
        initial="packed",
        final=["flown", "trucked"],
        transitions=[("send", "packed", "flown", express), ("send", "packed", "trucked")],
    )
    assert lifecycle.next_state("packed", "send", context="express") == "flown"
    assert lifecycle.next_state("packed", "send", context="standard") == "trucked"


def test_two_different_guards_may_not_share_a_name() -> None:
    problems = problems_of(
        "flow",
        [State("a"), State("b", final=True), State("c", final=True)],
        [
            Transition("go", "a", "b", guard=Guard("ok", lambda _: True)),
            Transition("go", "a", "c", guard=Guard("ok", lambda _: False)),
        ],
        "a",
    )
    assert problems == ("two different guards are named 'ok'",)


def test_all_problems_are_reported_together_in_a_fixed_order() -> None:
    with pytest.raises(DefinitionError) as caught:
        Lifecycle(
            "flow",
            [State("a"), State("B"), State("c", final=True), State("d"), State("a")],
            [("x", "a", "c"), ("x", "a", "d"), ("y", "c", "a"), ("z", "q", "c")],
            "a",
        )
    assert caught.value.problems == (
        "the state name 'B' is not a snake_case identifier",
        "the state 'a' is declared more than once",
        "the transition 'z' from 'q' to 'c' starts from the unknown state 'q'",
        "the final state 'c' has an exit: the transition 'y' from 'c' to 'a'",
        "the transition 'x' from 'a' to 'd' can never be taken from 'a': the unguarded"
        " transition 'x' from 'a' to 'c' is tried first (guard one of them, or remove one)",
        "the state 'B' is not reachable from the initial state 'a'",
        "the state 'B' is a dead end: no final state can be reached from it",
        "the state 'd' is a dead end: no final state can be reached from it",
    )
    assert str(caught.value).startswith("Invalid lifecycle 'flow': the state name 'B' is not")
    assert str(caught.value).count("; ") == 7


# --- illegal transitions -------------------------------------------------------------------


def test_guard_refusal_reads_like_a_sentence() -> None:
    lifecycle = order()
    with pytest.raises(TransitionNotAllowedError) as caught:
        lifecycle.next_state("confirmed", "ship", context={"on_hold": True}, subject="order O-17")
    error = caught.value
    assert str(error) == "Cannot ship order O-17: it is on hold (credit); allowed now: cancel."
    assert (error.subject, error.event, error.state) == ("order O-17", "ship", "confirmed")
    assert error.reason == "it is on hold (credit)"
    assert error.allowed == ("cancel",)
    assert isinstance(error, ValueError)
    assert isinstance(error, LifecycleError)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_event_not_declared_in_the_state_names_the_state() -> None:
    with pytest.raises(TransitionNotAllowedError) as caught:
        order().next_state("placed", "ship", context={"on_hold": False}, subject="order O-17")
    assert (
        str(caught.value) == "Cannot ship order O-17: it is placed; allowed now: cancel, confirm."
    )
    assert caught.value.reason == ""


def test_nothing_is_allowed_in_a_final_state() -> None:
    with pytest.raises(TransitionNotAllowedError, match=r"^Cannot ship order O-17: it is "):
        order().next_state("delivered", "ship", subject="order O-17")
    with pytest.raises(TransitionNotAllowedError) as caught:
        order().next_state("canceled", "cancel")
    assert str(caught.value) == "Cannot cancel order: it is canceled; no event is allowed now."


def test_unknown_event_is_named() -> None:
    with pytest.raises(TransitionNotAllowedError) as caught:
        shipment().next_state("created", "shipp", subject="shipment S-1")
    assert str(caught.value) == (
        "Cannot shipp shipment S-1: 'shipp' is not an event of the shipment lifecycle;"
        " allowed now: ship."
    )


def test_default_subject_is_the_lifecycle_name() -> None:
    with pytest.raises(TransitionNotAllowedError, match=r"^Cannot deliver shipment: it is created"):
        shipment().next_state("created", "deliver")


def test_unknown_state_is_a_lookup_error_naming_the_known_states() -> None:
    lifecycle = shipment()
    for call in (
        lambda: lifecycle.next_state("lost", "ship"),
        lambda: lifecycle.can("lost", "ship"),
        lambda: lifecycle.allowed_events("lost"),
        lambda: lifecycle.is_final("lost"),
        lambda: lifecycle.transitions_from("lost"),
        lambda: lifecycle.reachable_from("lost"),
    ):
        with pytest.raises(UnknownStateError) as caught:
            call()
        assert str(caught.value) == (
            "Unknown shipment state 'lost'; known: created, delivered, in_transit."
        )
        assert isinstance(caught.value, LookupError)
        assert isinstance(caught.value, LifecycleError)
        assert caught.value.lifecycle == "shipment"
        assert caught.value.key == "lost"
    assert lifecycle == shipment()


# --- guards --------------------------------------------------------------------------------


def test_guard_may_return_its_own_reason() -> None:
    def paid(invoice: dict[str, int]) -> bool | str:
        due = invoice["due"]
        return True if due == 0 else f"{due} is still due"

    lifecycle = Lifecycle.build(
        "invoice",
        initial="open",
        final=["closed"],
        transitions=[("close", "open", "closed", Guard("paid", paid))],
    )
    with pytest.raises(TransitionNotAllowedError) as caught:
        lifecycle.next_state("open", "close", context={"due": 5}, subject="invoice I-9")
    assert str(caught.value) == "Cannot close invoice I-9: 5 is still due; no event is allowed now."
    assert lifecycle.next_state("open", "close", context={"due": 0}) == "closed"


def test_guard_without_refusal_text_names_itself() -> None:
    guard = Guard("approved", lambda ctx: bool(ctx))
    assert guard.refuses(0) == "guard approved is not met"
    assert guard.refuses("") == "guard approved is not met"
    assert guard.refuses(1) is None
    assert Guard("x", lambda _: "").refuses(None) == "guard x is not met"


def test_refusals_of_all_alternatives_are_joined() -> None:
    lifecycle = Lifecycle.build(
        "parcel",
        initial="packed",
        final=["sent"],
        transitions=[
            ("send", "packed", "sent", Guard("paid", lambda _: False, refusal="it is unpaid")),
            ("send", "packed", "sent", Guard("light", lambda _: False, refusal="it is heavy")),
        ],
    )
    with pytest.raises(TransitionNotAllowedError) as caught:
        lifecycle.next_state("packed", "send", subject="parcel P-1")
    assert str(caught.value) == (
        "Cannot send parcel P-1: it is unpaid and it is heavy; no event is allowed now."
    )


def test_guards_decide_can_and_allowed_events() -> None:
    lifecycle = order()
    assert lifecycle.can("confirmed", "ship", {"on_hold": False})
    assert not lifecycle.can("confirmed", "ship", {"on_hold": True})
    assert lifecycle.allowed_events("confirmed", {"on_hold": False}) == ("ship", "cancel")
    assert lifecycle.allowed_events("confirmed", {"on_hold": True}) == ("cancel",)
    assert not lifecycle.can("confirmed", "fly", {"on_hold": False})


def test_errors_raised_by_a_guard_propagate() -> None:
    with pytest.raises(KeyError):
        order().next_state("confirmed", "ship", context={})


# --- wildcard ------------------------------------------------------------------------------


def test_wildcard_leaves_every_non_final_state() -> None:
    lifecycle = order()
    for state in ("placed", "confirmed", "shipped"):
        assert lifecycle.next_state(state, "cancel") == "canceled"
    assert not lifecycle.can("delivered", "cancel")
    assert not lifecycle.can("canceled", "cancel")


def test_wildcard_skips_its_own_target() -> None:
    lifecycle = Lifecycle.build(
        "ticket",
        initial="open",
        final=["closed"],
        transitions=[
            ("hold", ANY, "held"),
            ("resume", "held", "open"),
            ("close", "open", "closed"),
        ],
    )
    assert lifecycle.next_state("open", "hold") == "held"
    assert not lifecycle.can("held", "hold")


def test_a_named_source_overrides_the_wildcard() -> None:
    lifecycle = order().add_transition("cancel", "shipped", "confirmed")
    assert lifecycle.next_state("shipped", "cancel") == "confirmed"
    assert lifecycle.next_state("placed", "cancel") == "canceled"


# --- introspection -------------------------------------------------------------------------


def test_introspection() -> None:
    lifecycle = order()
    assert lifecycle.state_names == ("placed", "confirmed", "shipped", "delivered", "canceled")
    assert lifecycle.final_states == ("delivered", "canceled")
    assert lifecycle.events == ("confirm", "ship", "deliver", "cancel")
    assert lifecycle.guards == (CREDIT_OK,)
    assert lifecycle.is_final("canceled")
    assert not lifecycle.is_final("placed")
    assert [t.event for t in lifecycle.transitions_from("confirmed")] == ["ship", "cancel"]
    assert lifecycle.transitions_from("delivered") == ()
    assert lifecycle.reachable_from("shipped") == ("shipped", "delivered", "canceled")
    assert lifecycle.reachable_from("delivered") == ("delivered",)
    assert lifecycle.state("placed").description == "Received, not yet checked"


def test_describe_is_a_text_table() -> None:
    assert order().describe() == "\n".join(
        [
            "Lifecycle 'order': initial placed; final delivered, canceled",
            "",
            "States:",
            "  placed     Received, not yet checked (initial)",
            "  confirmed",
            "  shipped",
            "  delivered  (final)",
            "  canceled   (final)",
            "",
            "Transitions:",
            "  event    from       to         guard",
            "  confirm  placed     confirmed  -",
            "  ship     confirmed  shipped    credit_ok",
            "  deliver  shipped    delivered  -",
            "  cancel   any        canceled   -",
        ]
    )


def test_notebook_representations() -> None:
    lifecycle = shipment()
    assert lifecycle._repr_markdown_() == f"```mermaid\n{lifecycle.to_mermaid()}\n```\n"
    html = lifecycle._repr_html_()
    assert html.startswith('<div class="ordercycle-lifecycle" title="lifecycle shipment">')
    assert '<pre class="mermaid">stateDiagram-v2\n    [*] --&gt; created' in html


# --- extension -----------------------------------------------------------------------------


def test_insert_state_reroutes_the_original_event_by_default() -> None:
    original = order()
    before = original.to_dict()
    extended = original.insert_state(
        State("credit_review", "Waiting for the credit team"),
        between=("placed", "confirmed"),
        leave="approve_credit",
    )
    assert original.to_dict() == before
    assert original.next_state("placed", "confirm") == "confirmed"
    assert extended.next_state("placed", "confirm") == "credit_review"
    assert extended.next_state("credit_review", "approve_credit") == "confirmed"
    assert extended.next_state("credit_review", "cancel") == "canceled"
    assert extended.state_names[:3] == ("placed", "credit_review", "confirmed")


def test_insert_state_with_a_new_entering_event_retires_the_old_one() -> None:
    extended = order().insert_state(
        "credit_review",
        between=("placed", "confirmed"),
        enter="request_credit_review",
        leave="approve_credit",
    )
    assert extended.next_state("placed", "request_credit_review") == "credit_review"
    with pytest.raises(TransitionNotAllowedError) as caught:
        extended.next_state("placed", "confirm", subject="order O-17")
    assert str(caught.value) == (
        "Cannot confirm order O-17: 'confirm' is not an event of the order lifecycle;"
        " allowed now: cancel, request_credit_review."
    )


def test_insert_state_keeps_guards_and_takes_a_leave_guard() -> None:
    reviewed = Guard("reviewed", lambda ctx: ctx["reviewed"], refusal="credit is not reviewed")
    extended = order().insert_state(
        "packing", between=("confirmed", "shipped"), leave="hand_over", leave_guard=reviewed
    )
    assert extended.transitions_from("confirmed")[0] == Transition(
        "ship", "confirmed", "packing", guard=CREDIT_OK
    )
    assert not extended.can("packing", "hand_over", {"reviewed": False})
    assert extended.next_state("packing", "hand_over", context={"reviewed": True}) == "shipped"


def test_insert_state_splits_a_transition_with_several_sources() -> None:
    lifecycle = Lifecycle.build(
        "ticket",
        initial="open",
        final=["closed"],
        transitions=[("wait", "open", "waiting"), ("close", ["open", "waiting"], "closed")],
    )
    extended = lifecycle.insert_state("closing", between=("open", "closed"), leave="finish")
    assert extended.next_state("open", "close") == "closing"
    assert extended.next_state("waiting", "close") == "closed"


def test_insert_state_refusals_leave_the_original_untouched() -> None:
    lifecycle = order()
    cases = {
        ("credit_review", ("placed", "nowhere")): [
            "cannot insert 'credit_review' between 'placed' and 'nowhere': 'nowhere' is not a state"
        ],
        ("shipped", ("placed", "confirmed")): ["cannot insert 'shipped': the state already exists"],
        ("credit_review", ("placed", "shipped")): [
            "cannot insert 'credit_review' between 'placed' and 'shipped': no transition leads"
            " from 'placed' to 'shipped'"
        ],
    }
    for (name, between), expected in cases.items():
        with pytest.raises(DefinitionError) as caught:
            lifecycle.insert_state(name, between=between, leave="go_on")
        assert list(caught.value.problems) == expected
    with pytest.raises(DefinitionError, match="as a final state"):
        lifecycle.insert_state(
            State("done", final=True), between=("placed", "confirmed"), leave="go_on"
        )
    with pytest.raises(DefinitionError) as caught:
        lifecycle.insert_state("Credit", between=("placed", "confirmed"), leave="go_on")
    assert caught.value.problems == ("the state name 'Credit' is not a snake_case identifier",)
    assert lifecycle == order()


def test_add_state_with_its_transitions() -> None:
    extended = order().add_state(
        State("lost", final=True), transitions=[("lose", "shipped", "lost")]
    )
    assert extended.next_state("shipped", "lose") == "lost"
    assert extended.state_names[-1] == "lost"
    assert order().to_dict()["states"] == extended.to_dict()["states"][:-1]


def test_add_state_without_a_way_in_is_refused() -> None:
    with pytest.raises(DefinitionError) as caught:
        order().add_state("limbo", transitions=[("leave_limbo", "limbo", "canceled")])
    assert caught.value.problems == (
        "the state 'limbo' is not reachable from the initial state 'placed'",
    )
    with pytest.raises(DefinitionError, match="'placed': the state already exists"):
        order().add_state("placed", transitions=[])


def test_non_final_added_state_goes_before_the_final_ones() -> None:
    extended = order().add_state(
        "on_hold",
        transitions=[("hold", "confirmed", "on_hold"), ("release", "on_hold", "confirmed")],
    )
    assert extended.state_names.index("on_hold") == 3


def test_add_transition_first_is_tried_before_the_others() -> None:
    rush = Guard("rush", lambda ctx: ctx == "rush")
    lifecycle = order()
    extended = lifecycle.add_transition("confirm", "placed", "shipped", guard=rush, first=True)
    assert extended.next_state("placed", "confirm", context="rush") == "shipped"
    assert extended.next_state("placed", "confirm", context=None) == "confirmed"
    with pytest.raises(DefinitionError, match="can never be taken"):
        lifecycle.add_transition("confirm", "placed", "shipped", guard=rush)


def test_remove_transition() -> None:
    lifecycle = ticket()
    edited = lifecycle.remove_transition("resume")
    assert edited.events == ("wait", "close")
    assert lifecycle.events == ("wait", "close", "resume")
    with pytest.raises(DefinitionError) as caught:
        order().remove_transition("refund")
    assert caught.value.problems == (
        "there is no transition 'refund' to remove (events: confirm, ship, deliver, cancel)",
    )
    with pytest.raises(DefinitionError, match="'canceled' is not reachable"):
        order().remove_transition("cancel")
    with pytest.raises(DefinitionError, match="'canceled' is not reachable"):
        order().remove_transition("cancel", source=ANY)
    with pytest.raises(DefinitionError, match="no transition 'cancel' from 'placed'"):
        order().remove_transition("cancel", source="placed")


def test_remove_transition_from_one_of_several_sources() -> None:
    lifecycle = Lifecycle.build(
        "ticket",
        initial="open",
        final=["closed"],
        transitions=[("wait", "open", "waiting"), ("close", ["open", "waiting"], "closed")],
    )
    edited = lifecycle.remove_transition("close", source="open")
    assert edited.transitions[1] == Transition("close", "waiting", "closed")
    assert not edited.can("open", "close")


def test_remove_state() -> None:
    lifecycle = Lifecycle.build(
        "ticket",
        initial="open",
        final=["closed"],
        transitions=[
            ("wait", "open", "waiting"),
            ("close", ["open", "waiting"], "closed"),
            ("resume", "waiting", "open"),
        ],
    )
    edited = lifecycle.remove_state("waiting")
    assert edited.state_names == ("open", "closed")
    assert edited.transitions == (Transition("close", "open", "closed"),)
    with pytest.raises(DefinitionError, match="cannot remove the initial state 'open'"):
        lifecycle.remove_state("open")
    with pytest.raises(DefinitionError, match="cannot remove 'gone': no such state"):
        lifecycle.remove_state("gone")
    with pytest.raises(DefinitionError, match="there is no final state"):
        lifecycle.remove_state("closed")
    assert len(lifecycle.state_names) == 3


def test_evolve_revalidates() -> None:
    lifecycle = shipment()
    assert attrs.evolve(lifecycle, name="parcel").name == "parcel"
    with pytest.raises(DefinitionError, match="initial state 'lost'"):
        attrs.evolve(lifecycle, initial="lost")


# --- definitions as data -------------------------------------------------------------------


def test_to_dict_from_dict_round_trip() -> None:
    lifecycle = order()
    data = lifecycle.to_dict()
    assert data["transitions"][1] == {
        "event": "ship",
        "source": "confirmed",
        "target": "shipped",
        "guard": "credit_ok",
        "description": "",
    }
    assert data["transitions"][3]["source"] == "*"
    assert Lifecycle.from_dict(data, guards=[CREDIT_OK]) == lifecycle
    assert Lifecycle.from_dict(data, guards={"credit_ok": CREDIT_OK}) == lifecycle


def test_from_dict_accepts_state_names_and_lists_of_sources() -> None:
    data = {
        "name": "ticket",
        "initial": "open",
        "states": ["open", "waiting", {"name": "closed", "final": True}],
        "transitions": [
            {"event": "wait", "source": "open", "target": "waiting"},
            {"event": "close", "source": ["open", "waiting"], "target": "closed"},
        ],
    }
    lifecycle = Lifecycle.from_dict(data)
    assert lifecycle.next_state("waiting", "close") == "closed"
    assert Lifecycle.from_dict(lifecycle.to_dict()) == lifecycle


def test_from_dict_reports_every_shape_problem_with_its_path() -> None:
    data = {
        "name": "ticket",
        "states": ["open", 7, {"name": "closed", "final": "yes"}],
        "transitions": [
            {"event": "close", "source": 3, "target": "closed", "guard": "approved"},
            "wait",
        ],
    }
    with pytest.raises(DefinitionError) as caught:
        Lifecycle.from_dict(data, guards=[CREDIT_OK])
    assert caught.value.problems == (
        "expected a string, missing @ $.initial",
        "expected a state name or mapping @ $.states[1]",
        "expected true or false, got 'yes' @ $.states[2].final",
        "expected a state name or a list of them @ $.transitions[0].source",
        "unknown guard 'approved' (guards given: credit_ok) @ $.transitions[0].guard",
        "expected a mapping @ $.transitions[1]",
    )
    with pytest.raises(DefinitionError) as caught:
        Lifecycle.from_dict([])  # type: ignore[arg-type]
    assert caught.value.problems == ("expected a mapping, got list @ $",)
    assert caught.value.lifecycle == "<unnamed>"


def test_from_dict_validates_the_definition() -> None:
    data = shipment().to_dict()
    data["states"][2]["final"] = False
    with pytest.raises(DefinitionError, match="there is no final state"):
        Lifecycle.from_dict(data)


# --- Machine -------------------------------------------------------------------------------


def test_machine_fires_events_and_returns_new_values() -> None:
    start = shipment().start("shipment S-1")
    moved = start.fire("ship")
    assert (start.state, moved.state) == ("created", "in_transit")
    assert moved.allowed_events() == ("deliver",)
    assert moved.can("deliver")
    done = moved.fire("deliver")
    assert done.is_final
    assert repr(done) == "Machine(lifecycle='shipment', state='delivered', subject='shipment S-1')"


def test_machine_refusal_leaves_it_unchanged() -> None:
    machine = order().start("order O-17").fire("confirm")
    with pytest.raises(TransitionNotAllowedError) as caught:
        machine.fire("ship", {"on_hold": True})
    assert (
        str(caught.value) == "Cannot ship order O-17: it is on hold (credit); allowed now: cancel."
    )
    assert machine.state == "confirmed"
    assert machine.fire("ship", {"on_hold": False}).state == "shipped"


def test_machine_state_must_belong_to_the_lifecycle() -> None:
    with pytest.raises(UnknownStateError, match="Unknown shipment state 'lost'"):
        Machine(shipment(), "lost")


# --- docs cannot drift ---------------------------------------------------------------------


def _blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", page.read_text(), flags=re.M | re.S)


def _run_python_blocks(page: Path) -> dict[str, Any]:
    """Run a page's python blocks (doctest blocks too) and return their namespace."""
    namespace: dict[str, Any] = {}
    for block in _blocks(page, "python"):
        if ">>>" in block:
            test = doctest.DocTestParser().get_doctest(block, namespace, page.name, None, 0)
            runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
            assert runner.run(test, out=lambda _: None, clear_globs=False).failed == 0
            namespace.update(test.globs)
        else:
            exec(block, namespace)
    return namespace


def test_explanation_diagram_is_what_the_code_draws() -> None:
    page = DOCS / "explanation" / "lifecycles.md"
    namespace = _run_python_blocks(page)
    diagrams = _blocks(page, "mermaid")
    assert diagrams, "the explanation page shows a Mermaid diagram"
    assert diagrams[0].rstrip("\n") == namespace["order"].to_mermaid()


def test_how_to_diagram_is_what_the_code_draws() -> None:
    page = DOCS / "how-to" / "extend-a-lifecycle.md"
    namespace = _run_python_blocks(page)
    assert _blocks(page, "mermaid")[0].rstrip("\n") == namespace["reviewed"].to_mermaid()


# --- input shapes --------------------------------------------------------------------------


def test_a_set_of_sources_is_stored_sorted() -> None:
    assert Transition("close", {"waiting", "open"}, "closed").source == ("open", "waiting")


def test_one_final_state_may_be_given_as_a_string() -> None:
    lifecycle = Lifecycle.build(
        "shipment",
        initial="created",
        final="delivered",
        transitions=[("deliver", "created", "delivered")],
    )
    assert lifecycle.final_states == ("delivered",)


def test_a_malformed_transition_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Lifecycle.build("flow", initial="a", final=["b"], transitions=[("go", "a")])  # type: ignore[list-item]
    assert str(caught.value) == (
        "Invalid transition for a lifecycle: ('go', 'a'); expected a Transition or a tuple"
        " (event, source, target) or (event, source, target, guard)."
    )
    with pytest.raises(ValidationError, match="Invalid transition"):
        Lifecycle.build("flow", initial="a", final=["b"], transitions=[("go", "a", "b", "ok")])  # type: ignore[list-item]


def test_insert_state_explains_that_wildcards_are_not_rerouted() -> None:
    with pytest.raises(DefinitionError) as caught:
        order().insert_state("cancel_review", between=("placed", "canceled"), leave="go_on")
    assert caught.value.problems == (
        "cannot insert 'cancel_review' between 'placed' and 'canceled': no transition leads"
        " from 'placed' to 'canceled' (wildcard transitions are not rerouted)",
    )


def test_lifecycles_and_machines_pickle_when_their_guards_do() -> None:
    lifecycle = shipment()
    copy = pickle.loads(pickle.dumps(lifecycle))
    assert copy == lifecycle
    assert copy.next_state("created", "ship") == "in_transit"
    machine = pickle.loads(pickle.dumps(lifecycle.start("shipment S-1")))
    assert machine.fire("ship").state == "in_transit"
