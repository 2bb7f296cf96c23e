"""Desk settings are checked when they are made, and name what is missing."""

from __future__ import annotations

import attrs
import pytest

from ordercycle.errors import ConfigurationError, NotFoundError
from ordercycle.inventory import Network
from ordercycle.service import DeskSettings, UnknownTaxProfileError


def test_the_default_settings_route_every_bin() -> None:
    settings = DeskSettings.default()
    labels = [settings.picking_bin(str(b.id)).label for b in settings.network.bins]
    assert len(labels) == 16
    assert labels[0] == "A00-005-L0"
    assert settings.home_bin("WH-WEST") == "WH-WEST/A1"


def test_a_warehouse_without_a_layout_is_refused() -> None:
    default = DeskSettings.default()
    with pytest.raises(ConfigurationError) as caught:
        attrs.evolve(default, layouts={"WH-EAST": default.layouts["WH-EAST"]})
    assert "warehouse 'WH-WEST' has no picking layout" in str(caught.value)


def test_empty_cartons_and_bad_attempts_are_refused() -> None:
    default = DeskSettings.default()
    with pytest.raises(ConfigurationError, match="carton catalogue is empty"):
        attrs.evolve(default, cartons=())
    with pytest.raises(ConfigurationError, match="max_attempts is 0, below 1"):
        attrs.evolve(default, max_attempts=0)


def test_a_bin_without_coordinates_cannot_be_routed() -> None:
    default = DeskSettings.default()
    plain = attrs.evolve(
        default,
        network=Network.simple(["WH-EAST", "WH-WEST"]),
    )
    with pytest.raises(ConfigurationError) as caught:
        plain.picking_bin("WH-EAST/01")
    assert "bin WH-EAST/01" in str(caught.value)
    assert "BinCoordinates" in str(caught.value)
    with pytest.raises(NotFoundError):
        default.picking_bin("WH-MOON/1")


def test_an_unknown_tax_profile_lists_the_known_ones() -> None:
    with pytest.raises(UnknownTaxProfileError) as caught:
        DeskSettings.default().tax_profile("MARS", subject="customer C-9")
    assert caught.value.known == ("EXEMPT", "US-NY")
    assert "customer C-9" in str(caught.value)


@pytest.mark.parametrize(
    ("limit", "message"),
    [(0, "pack_work_limit is 0, below 1"), (2.5, "pack_work_limit is 2.5, not an integer")],
)
def test_a_bad_pack_work_limit_is_refused(limit: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        attrs.evolve(DeskSettings.default(), pack_work_limit=limit)
    assert attrs.evolve(DeskSettings.default(), pack_work_limit=None).pack_work_limit is None
