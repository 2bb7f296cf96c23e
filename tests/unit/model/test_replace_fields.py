"""``model._replace.replace``: the same result as ``attrs.evolve``, by a cheaper path."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordercycle.model._replace import building_lines, replace, trusted_replace


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


def test_building_lines_assign_the_fields_of_a_builder_and_make_it_the_class() -> None:
    scope: dict[str, object] = {}
    lines = building_lines(Derived, [("a", "1"), ("b", "()"), ("c", "v")], scope)
    assert lines == [
        "    new = _new(_builder)",
        "    new.a = 1",
        "    new.b = ()",
        "    new.c = v",
        "    new.__class__ = cls",
    ]
    builder = scope["_builder"]
    assert isinstance(builder, type)
    assert issubclass(builder, Derived)
    assert builder.__dict__["__slots__"] == ()  # the layout of Derived: the class change works


def test_building_lines_set_slots_by_their_setters_where_a_class_has_no_builder() -> None:
    scope: dict[str, object] = {}
    lines = building_lines(Registering, [("a", "1")], scope)
    assert lines == ["    new = _new(cls)", "    _set_0(new, 1)"]
    assert scope["_set_0"] == Registering.__dict__["a"].__set__
    assert building_lines(Unslotted, [("a", "1"), ("b", "v")], {}) == [
        "    new = _new(cls)",
        "    _set(new, 'a', 1)",
        "    _set(new, 'b', v)",
    ]


_SUBCLASSES: list[type] = []


@attrs.frozen
class Registering:
    """A class that sees its subclasses (as the events' registry does): it gets no builder."""

    a: int

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)  # type: ignore[arg-type]
        _SUBCLASSES.append(cls)


def test_a_copy_made_by_a_builder_is_exactly_the_class_and_still_frozen() -> None:
    import weakref

    before = Derived(1, (2,), "y")
    after = replace(before, c="z")
    assert type(after) is Derived
    assert after == Derived(1, (2,), "z")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        after.a = 5  # type: ignore[misc]
    assert weakref.ref(after)() is after
    assert replace(Registering(1), a=2) == Registering(2)
    assert _SUBCLASSES == []  # no builder was made of it


def test_an_order_copied_by_its_builder_equals_its_evolved_copy() -> None:
    from datetime import UTC, datetime

    from ordercycle.model.address import Address
    from ordercycle.model.order import Order
    from ordercycle.model.order.lines import NewLine
    from ordercycle.money import Money

    home = Address(lines="1 Main St", city="Springfield", postal_code="62701", country="US")
    at = datetime(2026, 1, 5, tzinfo=UTC)
    order, _ = Order.create("O-1", customer_id="C-1", currency="USD", shipping_address=home, at=at)
    order, _ = order.add_line(NewLine("L1", "MUG", 3, Money("10.00", "USD")), at=at)
    changes = {"version": order.version + 3, "state": "placed"}
    copied = replace(order, **changes)
    assert type(copied) is Order
    assert copied == attrs.evolve(order, **changes)
    fields = {f.name: getattr(copied, f.name) for f in attrs.fields(Order)}
    assert fields == {**{f.name: getattr(order, f.name) for f in attrs.fields(Order)}, **changes}


@attrs.frozen
class Mixed:
    """A class ``replace`` hands to evolve: a converter and a validator on kept fields."""

    a: tuple[int, ...] = attrs.field(converter=tuple)
    b: int = attrs.field(validator=_positive)
    c: str = ""


@given(
    a=st.lists(st.integers(), max_size=4),
    b=st.integers(min_value=1, max_value=99),
    c=st.text(max_size=5),
    new_c=st.text(max_size=5),
)
def test_a_trusted_copy_equals_evolve_when_the_changed_fields_have_no_checks(
    a: list[int], b: int, c: str, new_c: str
) -> None:
    before = Mixed(a, b, c)
    after = trusted_replace(before, c=new_c)
    assert type(after) is Mixed
    assert after == attrs.evolve(before, c=new_c) == Mixed(tuple(a), b, new_c)
    assert after.a is before.a  # kept as it is, not converted again
    assert before == Mixed(a, b, c)


def test_a_trusted_copy_refuses_a_field_the_class_does_not_have() -> None:
    with pytest.raises(TypeError, match="Mixed has no field named d"):
        trusted_replace(Mixed((), 1), d=2)
