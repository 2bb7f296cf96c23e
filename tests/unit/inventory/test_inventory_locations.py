"""Locations, lots and quantities: frozen values that refuse bad input."""

from __future__ import annotations

import pickle
from datetime import date

import attrs
import pytest

from ordercycle.errors import DimensionalityError, InvalidQuantityError, ValidationError
from ordercycle.inventory import (
    BinCoordinates,
    LocationError,
    Lot,
    Network,
    StorageBin,
    StorageZone,
    UnknownLocationError,
    Warehouse,
)
from ordercycle.inventory._quantity import as_count
from ordercycle.units import Q_


def test_network_maps_every_bin_and_zone_to_its_warehouse() -> None:
    network = Network.build(
        {"WH-A": {"PICK": {"A-01": BinCoordinates(aisle=1, position=4, side="right", level=2)}}},
        priorities={"WH-A": 3},
        positions={"WH-A": (1.0, 2.0)},
    )
    assert network.warehouse_of("A-01") == "WH-A"
    assert network.warehouse_of("PICK") == "WH-A"
    assert network.warehouse("WH-A").priority == 3
    assert network.bin("A-01").coordinates == BinCoordinates(1, 4, "right", 2)
    assert network.has_bin("A-01")
    assert not network.has_bin("PICK")


def test_locations_are_frozen_values() -> None:
    bin_ = StorageBin("A-01", "PICK")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        bin_.id = "B"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(Network.simple(["WH-A"]))) == Network.simple(["WH-A"])


def test_simple_network_names_zone_and_bins_after_the_warehouse() -> None:
    network = Network.simple(["WH-A", "WH-B"], bins=2, priorities={"WH-B": 1})
    assert network.bin_ids == ("WH-A/01", "WH-A/02", "WH-B/01", "WH-B/02")
    assert [b.id for b in network.bins_in("WH-B")] == ["WH-B/01", "WH-B/02"]
    assert network.warehouse_ids == ("WH-A", "WH-B")


def test_duplicate_ids_and_unknown_parents_are_all_reported() -> None:
    with pytest.raises(LocationError) as info:
        Network(
            [Warehouse("WH-A"), Warehouse("WH-A")],
            [StorageZone("Z", "WH-X")],
            [StorageBin("Z", "Z"), StorageBin("B", "NOPE")],
        )
    message = str(info.value)
    assert "warehouse id 'WH-A' is already used" in message
    assert "zone 'Z' is in unknown warehouse 'WH-X'" in message
    assert "bin 'B' is in unknown zone 'NOPE'" in message
    assert isinstance(info.value, ValueError)


def test_unknown_location_lookups_name_the_id_and_the_known_ones() -> None:
    network = Network.simple(["WH-A"])
    with pytest.raises(UnknownLocationError, match=r"Unknown bin 'WH-A'; known: WH-A/01"):
        network.bin("WH-A")
    with pytest.raises(UnknownLocationError, match="Unknown warehouse 'X'"):
        network.warehouse("X")
    with pytest.raises(UnknownLocationError, match="Unknown location 'X'"):
        network.warehouse_of("X")
    with pytest.raises(LookupError):
        network.bins_in("X")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"aisle": -1, "position": 0}, "aisle"),
        ({"aisle": 0, "position": 1.5}, "position"),
        ({"aisle": 0, "position": 0, "side": "up"}, "side"),
        ({"aisle": 0, "position": 0, "level": True}, "level"),
    ],
)
def test_bad_bin_coordinates_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(LocationError, match=f"Invalid {field} for BinCoordinates"):
        BinCoordinates(**kwargs)  # type: ignore[arg-type]


def test_blank_ids_and_negative_priorities_are_refused() -> None:
    with pytest.raises(LocationError, match="Invalid id for Warehouse"):
        Warehouse(" WH")  # type: ignore[arg-type]
    with pytest.raises(LocationError, match="Invalid priority for Warehouse: -1"):
        Warehouse("WH", priority=-1)  # type: ignore[arg-type]


def test_lot_shelf_life_and_expiry() -> None:
    lot = Lot("MILK", "L1", date(2026, 3, 1), date(2026, 3, 20))  # type: ignore[arg-type]
    assert lot.shelf_life_left(date(2026, 3, 19)) == 1
    assert not lot.is_expired(date(2026, 3, 19))
    assert lot.is_expired(date(2026, 3, 20))
    assert not lot.is_eligible(date(2026, 3, 20))
    assert lot.is_eligible(date(2026, 3, 1), min_shelf_life_days=19)
    forever = Lot("BOLT", "B1", date(2026, 1, 1))  # type: ignore[arg-type]
    assert forever.shelf_life_left(date(2099, 1, 1)) is None
    assert forever.is_eligible(date(2099, 1, 1), 365)


def test_lot_refuses_expiry_before_receipt_and_non_dates() -> None:
    with pytest.raises(ValidationError, match="expected a date on or after the receipt date"):
        Lot("MILK", "L1", date(2026, 3, 1), date(2026, 2, 1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Invalid received_on for Lot"):
        Lot("MILK", "L1", "2026-03-01")  # type: ignore[arg-type]


def test_counts_accept_ints_and_count_quantities_only() -> None:
    assert as_count(3, subject="x") == 3
    assert as_count(Q_(4, "count"), subject="x") == 4
    assert as_count(0, subject="x", allow_zero=True) == 0
    with pytest.raises(
        DimensionalityError, match="expected a dimensionless quantity, got 3 kilogram"
    ):
        as_count(Q_(3, "kg"), subject="x")
    for bad in (-1, 0, 2.0, True, "3", Q_("1.5", "count")):
        with pytest.raises(InvalidQuantityError):
            as_count(bad, subject="x")


def test_inventory_errors_pickle_with_their_attributes() -> None:
    from ordercycle.inventory import (
        ExpiredLotError,
        OverReleaseError,
        UnknownLotError,
        UnknownSkuError,
        UnknownStockHoldError,
    )

    errors = [
        ExpiredLotError("receive", "L1", date(2026, 3, 1), date(2026, 3, 2)),
        OverReleaseError("deallocate", "allocation O-1/1 of MUG at A-01", 3, 2),
        UnknownStockHoldError("H-9", known=["H-1"]),
        UnknownLotError("L9", known=["L1"]),
        UnknownSkuError("TEA", known=["MUG"]),
        UnknownLocationError("X", known=["A-01"], kind="bin"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.__dict__ == error.__dict__
