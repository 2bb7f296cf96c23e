"""``model._replace.replace``: the same result as ``attrs.evolve``, by a cheaper path."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.model._replace import replace, setting_lines


@attrs.frozen
class Plain:
    a: int
    b: tuple[int, ...] = ()


def _positive(instance: object, attribute: object, value: int) -> None:
    if value <= 0:
        raise ValueError(f"not positive: {value}")


@attrs.frozen
class Checked:
    a: int = attrs.field(validator=_positive)


@attrs.frozen
class Converted:
    a: int = attrs.field(converter=int)


def test_replace_of_a_plain_class_equals_evolve_and_keeps_the_original() -> None:
    before = Plain(1, (2, 3))
    after = replace(before, a=5)
    assert after == attrs.evolve(before, a=5) == Plain(5, (2, 3))
    assert type(after) is Plain
    assert before == Plain(1, (2, 3))
    assert after.b is before.b  # unchanged fields are shared, not rebuilt


def test_replace_with_no_change_gives_an_equal_copy() -> None:
    before = Plain(1)
    assert replace(before) == before


def test_replace_runs_validators_and_converters_through_evolve() -> None:
    with pytest.raises(ValueError, match="not positive: -1"):
        replace(Checked(1), a=-1)
    assert replace(Converted(1), a="7") == Converted(7)


def test_replace_refuses_a_field_the_class_does_not_have() -> None:
    with pytest.raises(TypeError, match="Plain has no field named c"):
        replace(Plain(1), c=2)


def test_an_order_line_replaced_equals_its_evolved_copy() -> None:
    from ordercycle.model.order.lines import NewLine, OrderLine
    from ordercycle.money import Money

    line = OrderLine.from_new(NewLine("L1", "MUG", 3, Money("10.00", "USD")))
    ledger = line.ledger.allocate(2, subject="line L1")
    assert replace(line, ledger=ledger) == attrs.evolve(line, ledger=ledger)


def test_each_set_of_changed_fields_gets_its_own_copy_with_the_same_result() -> None:
    before = Plain(1, (2, 3))
    assert replace(before, a=5, b=()) == replace(before, b=(), a=5) == Plain(5, ())
    assert replace(before, b=(9,)) == Plain(1, (9,))
    assert replace(before, a=7) == Plain(7, (2, 3))
    assert before == Plain(1, (2, 3))


def test_replace_still_refuses_an_unknown_field_after_known_ones_were_copied() -> None:
    replace(Plain(1), a=2)
    with pytest.raises(TypeError, match="Plain has no field named c, d"):
        replace(Plain(1), a=2, d=4, c=3)


@attrs.frozen(slots=False)
class Unslotted:
    a: int
    b: str = ""


@attrs.frozen
class Derived(Plain):
    c: str = "x"


def test_a_class_without_slots_and_one_with_inherited_slots_replace_as_evolve() -> None:
    assert replace(Unslotted(1, "b"), a=2) == attrs.evolve(Unslotted(1, "b"), a=2)
    assert replace(Unslotted(1, "b"), a=2).__dict__ == {"a": 2, "b": "b"}
    before = Derived(1, (2,), "y")
    assert replace(before, a=3, c="z") == attrs.evolve(before, a=3, c="z") == Derived(3, (2,), "z")
    assert replace(before, b=()) == Derived(1, (), "y")


def test_setting_lines_set_a_slot_by_its_own_setter_and_other_fields_by_setattr() -> None:
    scope: dict[str, object] = {}
    slotted = setting_lines(Derived, [("a", "1"), ("c", "v")], scope)
    assert slotted == ["    _set_0(new, 1)", "    _set_1(new, v)"]
    assert scope["_set_0"] == Plain.__dict__["a"].__set__  # the inherited slot's own
    assert scope["_set_1"] == Derived.__dict__["c"].__set__
    assert setting_lines(Unslotted, [("b", "v")], {}) == ["    _set(new, 'b', v)"]
