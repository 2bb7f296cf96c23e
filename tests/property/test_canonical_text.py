"""``CanonicalText`` writes exactly what ``canonical_json`` makes of the converter's data.

The writer puts the canonical text of a value together field by field without building
its data; whatever it writes must be the plain text to the byte (the desk's invoice
snapshots are written with it and hashed), and what it cannot write it refuses.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pint
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordercycle.errors import SerializationError
from ordercycle.invoicing import (
    DueDateRule,
    Invoice,
    InvoiceLine,
    NumberSeries,
    PaymentTerms,
    TaxProfile,
    TaxRate,
    TermLine,
)
from ordercycle.model.address import Address
from ordercycle.model.events import DomainEvent
from ordercycle.model.product import Rotation
from ordercycle.money import Money
from ordercycle.serialization import make_converter, to_dict
from ordercycle.serialization._converter import OMIT_IF_DEFAULT
from ordercycle.serialization._text import (
    _DATE_TEXTS,
    DATES_KEPT,
    SHARED_KEPT,
    CanonicalText,
    _kept_date_text,
)
from ordercycle.storage.records import canonical_json
from ordercycle.testing import strategies as ost
from ordercycle.units import Q_

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@attrs.frozen(kw_only=True)
class CtKinds:
    """A value with a field of every kind the writer handles or hands to its hook."""

    name: str
    count: int
    flag: bool
    rate: Decimal
    ratio: Fraction
    price: Money
    length: pint.Quantity[Any]
    rotation: Rotation
    ship_to: Address
    ship_by: date
    at: datetime
    notes: tuple[str, ...] = ()
    prices: tuple[Money, ...] = ()
    discount: Money | None = None
    label: str | None = None
    extra: int | str = 0
    pairs: tuple[tuple[str, Decimal], ...] = ()
    hidden: bool = attrs.field(default=False, metadata={OMIT_IF_DEFAULT: True})
    note: str = attrs.field(default="", metadata={OMIT_IF_DEFAULT: True})
    later: int = attrs.field(init=False, default=7)


@attrs.frozen(kw_only=True)
class CtParcelShipped(DomainEvent):
    """A test event: the writer adds its tag in key order."""

    event_type = "ct.parcel-shipped"
    parcel: str
    price: Money
    weight: pint.Quantity[Any]
    by: date | None = None
    notes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CtNested:
    """A value holding others, an optional one and a sequence of events."""

    kinds: CtKinds
    maybe: CtKinds | None
    events: tuple[DomainEvent, ...]


def kinds() -> st.SearchStrategy[CtKinds]:
    return st.builds(
        CtKinds,
        name=st.text(max_size=12),
        count=st.integers(),
        flag=st.booleans(),
        rate=ost.decimals(),
        ratio=ost.fractions(),
        price=ost.money(),
        length=ost.lengths(),
        rotation=st.sampled_from(list(Rotation)),
        ship_to=ost.addresses(),
        ship_by=ost.dates(),
        at=ost.aware_datetimes(),
        notes=st.lists(st.text(max_size=5), max_size=3).map(tuple),
        prices=st.lists(ost.money(), max_size=3).map(tuple),
        discount=st.none() | ost.money(),
        label=st.none() | st.text(max_size=5),
        extra=st.integers() | st.text(max_size=5),
        pairs=st.lists(st.tuples(st.text(max_size=3), ost.decimals()), max_size=3).map(tuple),
        hidden=st.booleans(),
        note=st.sampled_from(["", "x", 'é\n"q"\\']),
    )


def plain(value: Any, type_: Any, converter: Any) -> str:
    return canonical_json(converter.unstructure(value, unstructure_as=type_))


@SETTINGS
@given(kinds())
def test_a_value_of_every_kind_is_written_as_its_plain_canonical_json(value: CtKinds) -> None:
    converter = make_converter()
    text = CanonicalText(converter, canonical_json)
    assert text.text(value, CtKinds) == plain(value, CtKinds, converter)


@SETTINGS
@given(kinds(), st.none() | kinds(), st.lists(ost.events([CtParcelShipped]), max_size=3))
def test_nested_values_optional_values_and_events_are_written_as_plain(
    value: CtKinds, maybe: CtKinds | None, events: list[DomainEvent]
) -> None:
    converter = make_converter()
    text = CanonicalText(converter, canonical_json, shared=(CtKinds,))
    nested = CtNested(kinds=value, maybe=maybe, events=tuple(events))
    expected = plain(nested, CtNested, converter)
    assert text.text(nested, CtNested) == expected
    assert text.text(nested, CtNested) == expected  # the shared texts kept, the same


@SETTINGS
@given(ost.events([CtParcelShipped]))
def test_an_event_is_written_with_its_tag_as_plain(event: DomainEvent) -> None:
    converter = make_converter()
    text = CanonicalText(converter, canonical_json)
    assert text.text(event, DomainEvent) == canonical_json(to_dict(event, converter=converter))


@SETTINGS
@given(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
def test_plain_data_is_written_as_canonical_json(value: Any) -> None:
    text = CanonicalText(make_converter(), canonical_json)
    assert text.raw(value) == canonical_json(value)
    assert text.raw([value, {"b": value, "a": [value]}]) == canonical_json(
        [value, {"b": value, "a": [value]}]
    )


def test_a_value_the_plain_way_cannot_write_is_refused_not_written() -> None:
    converter = make_converter()
    text = CanonicalText(converter, canonical_json)
    value = CtKinds(
        name="a",
        count=1,
        flag=True,
        rate=Decimal(1),
        ratio=Fraction(1, 3),
        price=Money("1.00", "USD"),
        length=Q_(3, "cm"),
        rotation=Rotation.ANY,
        ship_to=Address(lines="1 Main St", city="Springfield", postal_code="12345", country="US"),
        ship_by=date(2026, 1, 1),
        at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    naive = attrs.evolve(value, at=datetime(2026, 1, 1))
    with pytest.raises(SerializationError):
        text.text(naive, CtKinds)
    not_text = attrs.evolve(value, name=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        text.text(not_text, CtKinds)
    not_a_sequence = attrs.evolve(value, notes=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        text.text(not_a_sequence, CtKinds)
    short_pair = attrs.evolve(value, pairs=(("a",),))  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        text.text(short_pair, CtKinds)
    # A longer one is written as the hook reads it: its declared items only.
    long_pair = attrs.evolve(value, pairs=(("a", Decimal(1), "more"),))  # type: ignore[arg-type]
    assert text.text(long_pair, CtKinds) == plain(long_pair, CtKinds, converter)
    with pytest.raises(ValueError, match="JSON"):
        text.raw(float("nan"))


def test_shared_texts_are_kept_by_identity_and_bounded() -> None:
    converter = make_converter()
    text = CanonicalText(converter, canonical_json, shared=(TaxProfile,))
    profiles = [TaxProfile(f"P{n}", [TaxRate("VAT", n % 30)]) for n in range(SHARED_KEPT + 5)]
    for profile in profiles:
        assert text.text(profile, TaxProfile) == plain(profile, TaxProfile, converter)
    kept = text._kept[0]
    assert 0 < len(kept) <= SHARED_KEPT
    # An equal profile that is another object writes its own data (here: the same).
    again = TaxProfile("P1", [TaxRate("VAT", 1)])
    assert text.text(again, TaxProfile) == plain(again, TaxProfile, converter)
    text.forget()
    assert not kept
    assert text.text(profiles[0], TaxProfile) == plain(profiles[0], TaxProfile, converter)


@SETTINGS
@given(st.lists(ost.dates() | ost.aware_datetimes(), max_size=12))
def test_kept_date_texts_are_the_dates_own(days: list[date]) -> None:
    # Twice: written afresh, then (for plain dates) as kept.
    for _ in range(2):
        for day in days:
            assert _kept_date_text(day) == date.isoformat(day)
    assert all(type(day) is date and text == day.isoformat() for day, text in _DATE_TEXTS.items())


def test_date_texts_are_bounded_and_kept_for_plain_dates_only() -> None:
    for n in range(DATES_KEPT + 5):
        day = date.fromordinal(date(2026, 1, 1).toordinal() + n)
        assert _kept_date_text(day) == day.isoformat()
        assert len(_DATE_TEXTS) <= DATES_KEPT
    # The same instant in two zones: equal datetimes with other dates, each its own.
    late = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    early = late.astimezone(timezone(timedelta(hours=2)))
    assert late == early
    assert _kept_date_text(late) == "2026-01-01"
    assert _kept_date_text(early) == "2026-01-02"
    assert late not in _DATE_TEXTS


# --- invoices, as the desk snapshots them -------------------------------------------------


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    currency = draw(st.sampled_from(["USD", "JPY", "BHD"]))
    rates = draw(st.lists(st.integers(0, 25), max_size=2, unique=True))
    profile = TaxProfile(
        draw(st.sampled_from(["A", "B"])),
        [TaxRate(f"R{r}", r) for r in rates],
        prices_include_tax=draw(st.booleans()),
    )
    codes = [rate.code for rate in profile.rates]
    lines = [
        InvoiceLine(
            draw(st.sampled_from(["MUG", "LAMP"])),
            draw(st.text(max_size=8)),
            draw(st.integers(1, 9)),
            Money.of_minor(draw(st.integers(1, 10**6)), currency),
            draw(st.sets(st.sampled_from(codes)) if codes else st.just(set())),
            discount=draw(st.sampled_from([Decimal(0), Decimal(5), Decimal("12.5")])),
        )
        for _ in range(draw(st.integers(1, 4)))
    ]
    if draw(st.booleans()):
        terms = PaymentTerms.parse(draw(st.sampled_from(["Net 30", "2/10 Net 30", "Net 60"])))
    else:
        terms = PaymentTerms(
            [
                TermLine(DueDateRule.days_after(10), percent=Decimal(40)),
                TermLine(DueDateRule.days_after(40), percent=Decimal(60)),
            ],
            name="Split",
        )
    day = draw(ost.dates())
    invoice, _ = Invoice.draft("I-1", "C-1", lines, profile, terms, day)
    if draw(st.booleans()):
        invoice, _ = invoice.issue(NumberSeries("INV-"))
        for n in range(draw(st.integers(0, 3))):
            if invoice.state not in ("issued", "partially_paid"):
                break
            part = draw(st.integers(1, max(1, invoice.balance.minor_units)))
            invoice, _ = invoice.pay(f"P-{n}", Money.of_minor(part, currency), day)
    return invoice


@SETTINGS
@given(invoices())
def test_an_invoice_is_written_as_its_plain_canonical_json(invoice: Invoice) -> None:
    converter = make_converter()
    text = CanonicalText(
        converter, canonical_json, shared=(TaxProfile, PaymentTerms, tuple[InvoiceLine, ...])
    )
    expected = canonical_json(to_dict(invoice, converter=converter))
    assert text.text(invoice, Invoice) == expected
    assert text.text(invoice, Invoice) == expected
    assert json.loads(expected)  # JSON, as the desk's snapshot store expects
