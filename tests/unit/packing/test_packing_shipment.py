"""A shipment is a value with a lifecycle: packed, shipped, delivered, and nothing else."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import TransitionNotAllowedError, ValidationError
from ordercycle.packing import SHIPMENT_LIFECYCLE, Parcel, Shipment, ShipmentLine
from ordercycle.serialization import from_dict, to_dict

PACKED_AT = datetime(2026, 3, 2, 11, tzinfo=UTC)
LIFECYCLES_PAGE = Path(__file__).parents[3] / "docs" / "explanation" / "lifecycles.md"


def _packed() -> Shipment:
    return Shipment(
        shipment_id="SHP-1",
        order_id="O-1",
        warehouse="WH-EAST",
        pick_list_id="PL-1",
        lines=(ShipmentLine(line_id="L1", sku="MUG", quantity=2),),
        parcels=(
            Parcel(
                carton="S",
                contents=(("MUG", 2),),
                actual_weight_g=Fraction(900),
                billable_weight=Fraction(2),
                weight_unit="lb",
                reason="carton S chosen",
            ),
        ),
        carrier="UPS",
        packed_at=PACKED_AT,
    )


def test_the_lifecycle_is_packed_shipped_delivered() -> None:
    assert SHIPMENT_LIFECYCLE.initial == "packed"
    assert SHIPMENT_LIFECYCLE.state_names == ("packed", "shipped", "delivered")
    assert SHIPMENT_LIFECYCLE.final_states == ("delivered",)
    assert _packed().status == "packed"


def test_ship_then_deliver_returns_new_values() -> None:
    packed = _packed()
    shipped = packed.ship(tracking_number="1Z9", at=PACKED_AT.replace(hour=14))
    assert (shipped.status, shipped.tracking_number, shipped.carrier) == ("shipped", "1Z9", "UPS")
    assert shipped.shipped_at == PACKED_AT.replace(hour=14)
    assert packed.status == "packed"
    other = packed.ship(tracking_number="1Z9", carrier="DHL", at=PACKED_AT)
    assert other.carrier == "DHL"
    delivered = shipped.deliver(at=PACKED_AT.replace(day=4))
    assert (delivered.status, delivered.delivered_at) == ("delivered", PACKED_AT.replace(day=4))
    assert delivered.allowed_events() == ()
    assert shipped.billable_weight == Fraction(2)


@given(
    tracking=st.text(min_size=1).filter(str.strip),
    carrier=st.sampled_from(["", "DHL", "UPS"]),
    hours=st.integers(min_value=0, max_value=23),
)
def test_the_moves_build_what_attrs_evolve_builds(tracking: str, carrier: str, hours: int) -> None:
    # ship and deliver copy by the model's trusted_replace: the copy must be the value
    # (class, fields, equality and hash) evolve, with the status validator, would build.
    packed = _packed()
    at = PACKED_AT.replace(hour=hours)
    shipped = packed.ship(tracking_number=tracking, carrier=carrier, at=at)
    expected = attrs.evolve(
        packed,
        status="shipped",
        tracking_number=tracking,
        carrier=carrier or packed.carrier,
        shipped_at=at,
    )
    assert type(shipped) is Shipment
    assert attrs.asdict(shipped, recurse=False) == attrs.asdict(expected, recurse=False)
    assert shipped == expected
    assert hash(shipped) == hash(expected)
    delivered = shipped.deliver(at=at)
    expected_delivered = attrs.evolve(expected, status="delivered", delivered_at=at)
    assert type(delivered) is Shipment
    assert attrs.asdict(delivered, recurse=False) == attrs.asdict(expected_delivered, recurse=False)
    assert delivered == expected_delivered
    assert hash(delivered) == hash(expected_delivered)
    assert packed.status == "packed"
    assert shipped.status == "shipped"


def test_an_illegal_move_is_refused_with_the_lifecycle_error() -> None:
    packed = _packed()
    with pytest.raises(TransitionNotAllowedError) as caught:
        packed.deliver(at=PACKED_AT)
    assert str(caught.value) == ("Cannot deliver shipment SHP-1: it is packed; allowed now: ship.")
    assert (caught.value.subject, caught.value.event, caught.value.state) == (
        "shipment SHP-1",
        "deliver",
        "packed",
    )
    shipped = packed.ship(tracking_number="1Z9", at=PACKED_AT)
    with pytest.raises(
        TransitionNotAllowedError, match="Cannot ship shipment SHP-1: it is shipped"
    ):
        shipped.ship(tracking_number="1Z9", at=PACKED_AT)


def test_the_state_is_checked_before_the_tracking_number() -> None:
    shipped = _packed().ship(tracking_number="1Z9", at=PACKED_AT)
    with pytest.raises(TransitionNotAllowedError):
        shipped.ship(tracking_number=" ", at=PACKED_AT)
    with pytest.raises(ValidationError, match="tracking_number for shipment SHP-1"):
        _packed().ship(tracking_number=" ", at=PACKED_AT)


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="status for Shipment: 'lost'"):
        attrs.evolve(_packed(), status="lost")


def test_it_round_trips_as_plain_data_with_the_stored_field_names() -> None:
    shipped = _packed().ship(tracking_number="1Z9", at=PACKED_AT)
    data = to_dict(shipped)
    assert list(data) == [
        "shipment_id",
        "order_id",
        "warehouse",
        "pick_list_id",
        "lines",
        "parcels",
        "carrier",
        "packed_at",
        "status",
        "tracking_number",
        "shipped_at",
        "delivered_at",
    ]
    assert data["status"] == "shipped"
    assert from_dict(data, Shipment) == shipped


def test_the_lifecycles_page_shows_the_current_diagram() -> None:
    diagrams = re.findall(r"```mermaid\n(.*?)\n```", LIFECYCLES_PAGE.read_text(), re.DOTALL)
    assert SHIPMENT_LIFECYCLE.to_mermaid() in diagrams


_weights = st.one_of(
    st.integers(min_value=0, max_value=400).map(Fraction),
    st.fractions(min_value=0, max_value=400, max_denominator=20),
    st.integers(min_value=0, max_value=400),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(weights=st.lists(_weights, max_size=6))
def test_the_billable_weight_is_the_sum_in_fractions(weights: list[Fraction | int]) -> None:
    """Whole weights add up as ints (the fast path); the total is the Fractions' sum, as a
    Fraction, whatever the parcels hold (whole, fractional, plain ints, none at all)."""
    parcel = _packed().parcels[0]
    shipment = attrs.evolve(
        _packed(),
        parcels=tuple(attrs.evolve(parcel, billable_weight=w) for w in weights),
    )
    total = shipment.billable_weight
    expected = sum(weights, Fraction(0))
    assert (type(total), total, str(total)) == (Fraction, expected, str(expected))
