"""Hostile input: only typed errors leave the public API, fast, and a refusal changes nothing.

Every public constructor and function of each area below, and every desk command (derived
from :data:`ordercycle.service.commands.COMMANDS`, so a new command is covered the day it
is added), is called with hostile values: wrong types, NaN, infinities, huge exponents,
far dates, bogus enum strings, deep and huge JSON, huge text. A call passes when it
either succeeds or raises an :class:`~ordercycle.errors.OrderCycleError`, within a CPU
budget (``time.process_time``, generous, so it catches hangs and is not a timing test),
and, for the desk, when a refused command left the stored state as it was.

Run as a script, the module measures instead: it tries every (target, hostile value)
pair, each in a forked child with a wall-clock timeout (so a real hang is counted, not
waited for), and prints a table per area (``python tests/property/test_hostile_input.py``,
with ``PYTHONPATH`` naming the source tree to measure).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ordercycle.errors import OrderCycleError

#: CPU seconds one call may take before it counts as a hang.
BUDGET = 0.5

_MISSING = object()


@attrs.frozen(repr=False)
class Hostile:
    """A hostile value; ``fits`` names the field kinds it may legitimately be valid for."""

    label: str
    value: Any
    fits: frozenset[str] = frozenset()
    json: Any = _MISSING  # the JSON form (``_MISSING``: same as value when JSON-able)

    def __repr__(self) -> str:
        return f"<{self.label}>"


def _deep(depth: int) -> Any:
    nested: Any = []
    for _ in range(depth):
        nested = [nested]
    return nested


HOSTILE: tuple[Hostile, ...] = (
    Hostile("None", None, frozenset({"optional"})),
    Hostile("bogus text", "bogus", frozenset({"str"})),
    Hostile("empty text", "", frozenset({"str"})),
    Hostile("huge text", "x" * 1_000_000),
    Hostile("huge digit text", "9" * 20_000),
    Hostile("text 1e-999999999", "1e-999999999", frozenset({"str"})),
    Hostile("text 1e999999999", "1e999999999", frozenset({"str"})),
    Hostile("text -1e-99999999", "-1e-99999999", frozenset({"str"})),
    Hostile("text 1e-999999999999999999", "1e-999999999999999999", frozenset({"str"})),
    Hostile("text NaN", "NaN", frozenset({"str"})),
    Hostile("text date", "2026-03-03", frozenset({"str", "date"})),
    Hostile("text Net 99999999", "Net 99999999", frozenset({"str"})),
    Hostile("float nan", math.nan, json="NaN"),
    Hostile("float inf", math.inf, json="Infinity"),
    Hostile("float -inf", -math.inf, json="-Infinity"),
    Hostile("float 0.1", 0.1, frozenset({"float"})),
    Hostile("int -1", -1, frozenset({"int"})),
    Hostile("int 0", 0, frozenset({"int"})),
    Hostile("int 10**30", 10**30, frozenset({"amount"})),
    Hostile("bool True", True, frozenset({"bool"})),
    Hostile("Decimal NaN", Decimal("NaN"), json="NaN"),
    Hostile("Decimal 1e999999999", Decimal("1e999999999"), json="1e999999999"),
    Hostile("Decimal 1e-999999999", Decimal("1e-999999999"), json="1e-999999999"),
    Hostile("Decimal 2", Decimal(2), frozenset({"decimal"}), json="2"),
    Hostile("date 9999-12-31", date(9999, 12, 31), json="9999-12-31"),
    Hostile("date 0001-01-01", date(1, 1, 1), json="0001-01-01"),
    Hostile("naive datetime", datetime(2026, 3, 3, 9), json="2026-03-03T09:00:00"),
    Hostile("empty list", [], frozenset({"tuple"})),
    Hostile("deep list", _deep(100_000), json=_MISSING),
    Hostile("mapping", {"a": 1}, frozenset({"mapping"})),
    Hostile("object", object()),
)

# --- the areas: public constructors and functions --------------------------------------------


def _area_targets() -> dict[str, list[tuple[str, Callable[[Any], Any]]]]:
    from ordercycle.invoicing import Invoice, InvoiceLine, PaymentTerms, TaxProfile, TaxRate
    from ordercycle.money import Money, Rounding
    from ordercycle.packing import Item
    from ordercycle.serialization import from_dict, from_json
    from ordercycle.service.commands import parse_command
    from ordercycle.units import Q_, get_registry, to_exact

    ten = Money("10.00", "USD")
    terms = PaymentTerms.parse("Net 30")
    profile = TaxProfile("T", (TaxRate("V", Decimal(21)),))

    def line(**changes: Any) -> Any:
        fields = {
            "sku": "MUG",
            "description": "mug",
            "quantity": Decimal(1),
            "unit_price": ten,
            **changes,
        }
        return InvoiceLine(**fields)

    def item(**changes: Any) -> Any:
        fields = {
            "sku": "MUG",
            "length": Q_(12, "cm"),
            "width": Q_(9, "cm"),
            "height": Q_(10, "cm"),
            "weight": Q_(350, "g"),
            **changes,
        }
        return Item(**fields)

    def text(value: Any) -> Any:
        try:
            return value if isinstance(value, str) else json.dumps(value, default=str)
        except RecursionError:  # the deep list: send its text
            return "[" * 100_000 + "]" * 100_000

    def quantity(value: Any, unit: str) -> Any:
        """A pint quantity if pint itself takes the magnitude, else the value as it is."""
        try:
            return get_registry().Quantity(value, unit)
        except Exception:
            return value

    return {
        "money": [
            ("Money(v, USD)", lambda v: Money(v, "USD")),
            ("Money(1, v)", lambda v: Money("1", v)),
            ("allocate([v, 1])", lambda v: ten.allocate([v, 1])),
            ("round_to(v)", lambda v: ten.round_to(v)),
            ("round(v)", lambda v: ten.round(v)),
            ("Money * v", lambda v: ten * v),
            ("Money / v", lambda v: ten / v),
            ("with_amount(v)", lambda v: ten.with_amount(v)),
            ("of_minor(v)", lambda v: Money.of_minor(v, "USD")),
            ("Money(1e-999999999) round", lambda v: Money("1e-999999999", "USD").round()),
            ("Money(v).round", lambda v: Money(v, "USD").round(Rounding.HALF_UP)),
        ],
        "units": [
            ("Q_(v, cm)", lambda v: Q_(v, "cm")),
            ("Q_(1, v)", lambda v: Q_("1", v)),
            ("Q_(12, cm/0)", lambda v: Q_("12", "cm/0")),
            (
                "to_exact(Quantity(v, mm))",
                lambda v: to_exact(quantity(v, "mm"), "mm"),
            ),
            ("to_exact(Q_(1, mm), v)", lambda v: to_exact(Q_(1, "mm"), v)),
        ],
        "invoicing": [
            ("PaymentTerms.parse(v)", lambda v: PaymentTerms.parse(v)),
            ("terms.schedule(m, v)", lambda v: terms.schedule(ten, v)),
            ("parse(v).schedule", lambda v: PaymentTerms.parse(v).schedule(ten, date(2026, 1, 1))),
            ("TaxProfile(rounding_mode=v)", lambda v: TaxProfile("T", (), rounding_mode=v)),
            ("TaxRate(V, v)", lambda v: TaxRate("V", v)),
            ("InvoiceLine(quantity=v)", lambda v: line(quantity=v)),
            ("InvoiceLine(discount=v)", lambda v: line(discount=v)),
            ("InvoiceLine(unit_price=v)", lambda v: line(unit_price=v)),
            (
                "Invoice.draft(..., v)",
                lambda v: Invoice.draft("INV-X", "C-1", [line()], profile, terms, v),
            ),
        ],
        "packing": [
            ("Item(length=v)", lambda v: item(length=v)),
            ("Item(length=Q_(v, mm))", lambda v: item(length=quantity(v, "mm"))),
            ("Item(quantity=v)", lambda v: item(quantity=v)),
            ("Item(fragile=v)", lambda v: item(fragile=v)),
            ("Item(rotation=v)", lambda v: item(rotation=v)),
        ],
        "serialization": [
            ("from_json(v, Money)", lambda v: from_json(text(v), Money)),
            (
                "from_dict({amount: v}, Money)",
                lambda v: from_dict({"amount": v, "currency": "USD"}, Money),
            ),
            ("parse_command(v)", lambda v: parse_command(text(v))),
            ("from_json(deep, Money)", lambda v: from_json("[" * 100_000 + "]" * 100_000, Money)),
        ],
    }


# --- the desk --------------------------------------------------------------------------------


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def story_desk() -> Any:
    """A memory desk after the demo story: orders, pick lists, shipments, invoices, returns."""
    from ordercycle.examples.story import open_story_desk, order_to_cash_story

    desk = open_story_desk()
    order_to_cash_story(desk)
    return desk


def fingerprint(desk: Any) -> tuple[Any, ...]:
    """What a command could change in a memory desk: streams, snapshots, commands, outbox."""
    with desk.storage.reading() as uow:
        last = uow.outbox.read(after=0, limit=1_000_000)
    state = desk.storage._state  # the memory adapter's committed state
    return (
        tuple(sorted((key, len(events)) for key, events in state.streams.items())),
        tuple(sorted(state.snapshots)),
        len(state.commands),
        len(last),
    )


_counter = iter(range(10**9))


def _baseline(name: str, kind: str) -> Any:
    """A plausible valid value for a command field of the story desk, by name then type."""
    from ordercycle.examples.shop import sample_customers, sample_products
    from ordercycle.money import Money

    n = next(_counter)
    by_name: dict[str, Any] = {
        "order_id": "O-4",
        "customer_id": "C-ACME",
        "sku": "MUG",
        "bin": "WH-EAST/A1",
        "quantity": 1,
        "items": {"MUG": 1},
        "warehouse": "WH-EAST",
        "order_ids": ("O-4",),
        "pick_list_id": "PL-3",
        "shipment_id": "SHP-6",
        "tracking_number": f"T-{n}",
        "amount": Money("1.00", "USD"),
        "reason": "damaged" if kind == "str" else "credit",
        "line_id": "L-1",
        "return_id": "R-1",
        "customer": attrs.evolve(sample_customers()[0], id=f"C-H{n}"),
        "product": attrs.evolve(sample_products()[0][0], sku=f"H{n}"),
        "price": Money("5.00", "USD"),
    }
    if name in by_name:
        return by_name[name]
    return {
        "str": f"X-{n}",
        "int": 1,
        "date": date(2026, 3, 3),
        "decimal": Decimal("0.1"),
        "tuple": (),
    }.get(kind)


def field_kinds(annotation: object) -> frozenset[str]:
    """The kinds of value a command field accepts, from its annotation text."""
    text = str(annotation)
    kinds = set()
    for pattern, kind in (
        (r"\bstr\b", "str"),
        (r"\bint\b", "int"),
        (r"\bdate\b", "date"),
        (r"\bDecimal\b", "decimal"),
        (r"\btuple\b", "tuple"),
        (r"None", "optional"),
        (r"\bbool\b", "bool"),
        (r"Policy|Reason|Condition", "str"),
        (r"Priority", "int"),
        (r"Decimal", "str"),
    ):
        if re.search(pattern, text):
            kinds.add(kind)
    if "tuple" in kinds:
        kinds.add("mapping")
    return frozenset(kinds)


def command_cases() -> list[tuple[str, str]]:
    """``(command type, field)`` for every field of every command in the table."""
    from ordercycle.service.commands import COMMANDS

    return [(kind, field.name) for kind, cls in COMMANDS.items() for field in attrs.fields(cls)]


def _json_form(hostile: Hostile) -> Any:
    from ordercycle.serialization import to_dict

    if hostile.json is not _MISSING:
        return hostile.json
    if hostile.label == "deep list" or hostile.label == "object":
        return _MISSING
    try:
        return to_dict(hostile.value)
    except Exception:
        return _MISSING


def desk_call(desk: Any, kind: str, field: str, hostile: Hostile, via: str) -> Callable[[], Any]:
    """The call of command ``kind`` with ``field`` set to the hostile value."""
    from ordercycle.serialization import to_dict
    from ordercycle.service.commands import COMMANDS

    cls = COMMANDS[kind]
    kinds = {f.name: _kind(f.type) for f in attrs.fields(cls)}
    arguments = {name: _baseline(name, k) for name, k in kinds.items()}
    if via == "keyword":
        arguments[field] = hostile.value
        method = getattr(desk, _snake(kind))
        return lambda: method(**arguments)
    payload = {name: to_dict(value) for name, value in arguments.items()}
    value = _json_form(hostile)
    if value is _MISSING:
        deep = "[" * 100_000 + "]" * 100_000
        text = json.dumps({**payload, "type": kind, field: 0}).replace("0}", deep + "}")
        return lambda: desk.execute_json(text)
    payload[field] = value
    text = json.dumps({**payload, "type": kind})
    return lambda: desk.execute_json(text)


def _kind(annotation: object) -> str:
    kinds = field_kinds(annotation)
    for kind in ("tuple", "date", "decimal", "int", "str"):
        if kind in kinds:
            return kind
    return "other"


# --- one call --------------------------------------------------------------------------------


@attrs.frozen
class Outcome:
    """What one hostile call did."""

    result: str  # "accepted", "typed", "generic", "hang"
    error: str = ""
    seconds: float = 0.0
    changed_after_refusal: bool = False


def attempt(call: Callable[[], Any], desk: Any = None) -> Outcome:
    """Run ``call``; classify how it ended, how long it took, and what a refusal changed."""
    before = fingerprint(desk) if desk is not None else None
    start = time.process_time()
    try:
        call()
    except OrderCycleError as error:
        elapsed = time.process_time() - start
        changed = desk is not None and fingerprint(desk) != before
        return Outcome("typed", type(error).__name__, elapsed, changed)
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        elapsed = time.process_time() - start
        changed = desk is not None and fingerprint(desk) != before
        return Outcome("generic", type(error).__name__, elapsed, changed)
    return Outcome("accepted", "", time.process_time() - start)


def check(outcome: Outcome, what: str, message_length: int | None = None) -> None:
    """Fail unless the call ended in a typed error or success, within budget, unchanged."""
    assert outcome.result != "generic", f"{what} raised {outcome.error}, not an OrderCycleError"
    assert outcome.seconds < BUDGET, f"{what} took {outcome.seconds:.2f} CPU s"
    assert not outcome.changed_after_refusal, f"{what} was refused but changed the desk"


# --- the property tests ------------------------------------------------------------------------

# No "explain" phase: it inspects every loaded module, which trips deprecation warnings
# (turned into errors) in third-party packages, and the failing call is named anyway.
_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)

_AREAS = _area_targets()
_CALLS = {(area, name): call for area, calls in _AREAS.items() for name, call in calls}


@settings(max_examples=300, deadline=None, derandomize=True, phases=_PHASES)
@given(case=st.sampled_from(sorted(_CALLS)), hostile=st.sampled_from(HOSTILE))
def test_area_functions_refuse_hostile_values_with_typed_errors(
    case: tuple[str, str], hostile: Hostile
) -> None:
    area, name = case
    call = _CALLS[case]
    outcome = attempt(lambda: call(hostile.value))
    check(outcome, f"{area}: {name} with {hostile.label}")


@pytest.fixture(scope="module")
def desk() -> Any:
    return story_desk()


_CASES = command_cases()


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    case=st.sampled_from(_CASES),
    hostile=st.sampled_from(HOSTILE),
    via=st.sampled_from(["keyword", "json"]),
)
def test_desk_commands_refuse_hostile_values_and_change_nothing(
    desk: Any, case: tuple[str, str], hostile: Hostile, via: str
) -> None:
    kind, field = case
    outcome = attempt(desk_call(desk, kind, field, hostile, via), desk)
    check(outcome, f"{kind}.{field} = {hostile.label} ({via})")


HOSTILE_JSON: tuple[tuple[str, Any], ...] = (
    ("deep arrays", "[" * 100_000 + "]" * 100_000),
    ("deep objects", '{"a":' * 50_000 + "1" + "}" * 50_000),
    ("huge document", '{"type": "ConfirmOrder", "order_id": "' + "x" * 5_000_000 + '"}'),
    (
        "huge integer",
        '{"type": "ReceiveStock", "sku": "MUG", "bin": "A", "quantity": ' + "9" * 100_000 + "}",
    ),
    ("not an object", "[1, 2, 3]"),
    ("no type", '{"order_id": "O-1"}'),
    ("bytes not utf-8", b"\xff\xfe{}"),
    ("unknown type", '{"type": "' + "Z" * 100_000 + '"}'),
    (
        "product length 1e-999999999 mm",
        json.dumps(
            {
                "type": "RegisterProduct",
                "product": {
                    "sku": "TINY",
                    "name": "Tiny",
                    "length": {"value": "1e-999999999", "unit": "mm"},
                    "width": {"value": "1", "unit": "mm"},
                    "height": {"value": "1", "unit": "mm"},
                    "weight": {"value": "1", "unit": "g"},
                },
                "price": {"amount": "1.00", "currency": "USD"},
            }
        ),
    ),
    (
        "payment amount 1e-999999999999999999",
        '{"type": "RecordPayment", "customer_id": "C-ACME",'
        ' "amount": {"amount": "1e-999999999999999999", "currency": "USD"}}',
    ),
    (
        "payment amount -1e-99999999",
        '{"type": "RecordPayment", "customer_id": "C-ACME",'
        ' "amount": {"amount": "-1e-99999999", "currency": "USD"}}',
    ),
    ("NaN literal", '{"type": "RecordPayment", "customer_id": "C-ACME", "amount": NaN}'),
)


@pytest.mark.parametrize(("label", "text"), HOSTILE_JSON, ids=[label for label, _ in HOSTILE_JSON])
def test_hostile_json_documents_are_refused_with_typed_errors(
    desk: Any, label: str, text: Any
) -> None:
    outcome = attempt(lambda: desk.execute_json(text), desk)
    check(outcome, f"execute_json({label})")
    assert outcome.result == "typed"


def test_every_command_field_is_driven() -> None:
    """The cases come from the command table: a new command is covered without edits."""
    from ordercycle.service.commands import COMMANDS

    driven = {kind for kind, _ in command_cases()}
    assert driven == set(COMMANDS)


# --- measuring (run as a script) -------------------------------------------------------------


def _forked(call: Callable[[], Outcome], timeout: float) -> Outcome:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, leave without cleanup
        os.close(read)
        try:
            outcome = call()
            line = json.dumps(
                [outcome.result, outcome.error, outcome.seconds, outcome.changed_after_refusal]
            )
        except BaseException as error:
            line = json.dumps(["generic", type(error).__name__, 0.0, False])
        os.write(write, line.encode())
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.005)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(read)
        return Outcome("hang", "timeout", timeout)
    data = os.read(read, 1 << 16)
    os.close(read)
    if not data:
        return Outcome("generic", "crashed", 0.0)
    result, error, seconds, changed = json.loads(data)
    return Outcome(result, error, seconds, changed)


# The kinds of value each area's targets may legitimately take (so accepting, say, a
# negative length or a zero amount is not counted as a silent accept).
_AREA_KINDS = {
    "money": frozenset({"amount", "int", "decimal"}),
    "units": frozenset({"int", "decimal", "float", "str", "optional"}),
    "invoicing": frozenset({"int", "decimal"}),
    "packing": frozenset({"int", "decimal", "float", "bool"}),
    "serialization": frozenset({"amount", "int"}),
}


def _cases() -> Iterator[tuple[str, Callable[[Any], Outcome], bool, str]]:
    for area, calls in _AREAS.items():
        for name, call in calls:
            for hostile in HOSTILE:
                # Accepting a value that fits none of the target's kinds is a silent accept.
                silent = not (hostile.fits & _AREA_KINDS.get(area, frozenset()))
                yield (
                    area,
                    (lambda _d, c=call, h=hostile: attempt(lambda: c(h.value))),
                    silent,
                    f"{name} <- {hostile.label}",
                )
    for kind, field in command_cases():
        from ordercycle.service.commands import COMMANDS

        ftype = next(f.type for f in attrs.fields(COMMANDS[kind]) if f.name == field)
        kinds = field_kinds(ftype)
        for hostile in HOSTILE:
            for via in ("keyword", "json"):
                # In JSON a date, a NaN or a number may travel as text, which an id takes.
                sent_as_text = via == "json" and isinstance(_json_form(hostile), str)
                silent = not (hostile.fits & kinds) and not (sent_as_text and "str" in kinds)
                yield (
                    f"desk ({via})",
                    (
                        lambda d, k=kind, f=field, h=hostile, v=via: attempt(
                            desk_call(d, k, f, h, v), d
                        )
                    ),
                    silent,
                    f"{kind}.{field} <- {hostile.label}",
                )
    for label, text in HOSTILE_JSON:
        yield (
            "desk (json documents)",
            (lambda d, t=text: attempt(lambda: d.execute_json(t), d)),
            True,
            label,
        )


def tally(
    timeout: float = 2.0, *, verbose: bool = False, only: str = ""
) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """Try every case forked; per area: tried, typed, generic, silent, hangs, slow, changed.

    Returns the rows by area and, by area, the names of the generic exceptions raised.
    ``only`` keeps the areas whose name contains it.
    """
    desk = story_desk()
    rows: dict[str, dict[str, int]] = {}
    examples: dict[str, list[str]] = {}
    for area, run, silent, what in _cases():
        if only and only not in area:
            continue
        outcome = _forked(lambda r=run: r(desk), timeout)
        if verbose and (
            outcome.result in ("generic", "hang")
            or (outcome.result == "accepted" and silent)
            or outcome.seconds >= BUDGET
            or outcome.changed_after_refusal
        ):
            print(f"  {area}: {what}: {outcome}", file=sys.stderr)
        row = rows.setdefault(
            area,
            dict.fromkeys(("tried", "typed", "generic", "silent", "hangs", "slow", "changed"), 0),
        )
        row["tried"] += 1
        if outcome.result == "typed":
            row["typed"] += 1
        elif outcome.result == "generic":
            row["generic"] += 1
            examples.setdefault(area, []).append(outcome.error)
        elif outcome.result == "hang":
            row["hangs"] += 1
        elif silent:
            row["silent"] += 1
        if outcome.result != "hang" and outcome.seconds >= BUDGET:
            row["slow"] += 1
        row["changed"] += outcome.changed_after_refusal
    return rows, examples


def measure(timeout: float = 2.0, *, verbose: bool = False, only: str = "") -> None:
    """Print the per-area table: tried, typed, generic, silent accepts, hangs, changed."""
    rows, examples = tally(timeout, verbose=verbose, only=only)
    print(
        "| area | inputs tried | typed errors | generic exceptions | silent accepts |"
        " hangs (> 2 s) | slow (> 0.5 s CPU) | changed after refusal |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = dict.fromkeys(next(iter(rows.values())), 0)
    for area, row in rows.items():
        print(f"| {area} | " + " | ".join(str(v) for v in row.values()) + " |")
        for key, value in row.items():
            total[key] += value
    print("| **total** | " + " | ".join(str(v) for v in total.values()) + " |")
    for area, errors in examples.items():
        counts: dict[str, int] = {}
        for error in errors:
            counts[error] = counts.get(error, 0) + 1
        print(f"{area}: {counts}", file=sys.stderr)


if __name__ == "__main__":
    measure(verbose="-v" in sys.argv, only=next((a for a in sys.argv[1:] if a != "-v"), ""))
