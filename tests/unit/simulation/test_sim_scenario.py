"""Scenarios are plain, validated data: defaults, dicts, TOML, and field-naming errors."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordercycle.errors import ConfigurationError, ParseError, SerializationError, ValidationError
from ordercycle.simulation import (
    CarrierSpec,
    CustomerSegment,
    Replenishment,
    Scenario,
    ScenarioError,
    Shift,
    SkuSpec,
    WarehouseSpec,
    derive_seed,
)


def test_default_scenario_is_complete_and_seeded() -> None:
    scenario = Scenario.default(seed=7)
    assert scenario.seed == 7
    assert [w.id for w in scenario.warehouses] == ["WH-EAST", "WH-WEST"]
    assert scenario.carrier in [c.name for c in scenario.carriers]
    assert scenario.start_at.tzinfo is not None


def test_dict_round_trip_gives_an_equal_scenario() -> None:
    scenario = Scenario.default(seed=3, demand_profile={"MUG": 5})
    assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_toml_text_and_file_load_with_defaults_for_the_rest(tmp_path: Path) -> None:
    text = """
name = "peak"
seed = 11
orders = 30
orders_per_day = 120.5
carrier = "DHL"
demand_profile = { MUG = 3.0 }

[replenishment]
policy = "RQ"
lead_time_days = 5

[[carriers]]
name = "DHL"
dim_rule = "DHL_EXPRESS"
base_rate = "7.10"
rate_per_unit = "1.30"
"""
    path = tmp_path / "peak.toml"
    path.write_text(text, encoding="utf-8")
    for source in (text, path, str(path)):
        scenario = Scenario.from_toml(source)
        assert scenario.name == "peak"
        assert scenario.seed == 11
        assert scenario.replenishment == Replenishment(policy="RQ", lead_time_days=5)
        assert scenario.carriers == (
            CarrierSpec(name="DHL", dim_rule="DHL_EXPRESS", base_rate="7.10", rate_per_unit="1.30"),
        )
        assert scenario.demand_profile == {"MUG": 3.0}
        # Without a catalogue: the built-in SKUs, stocked for this scenario's own demand.
        assert [i.sku for i in scenario.catalogue] == [i.sku for i in Scenario().catalogue]
        fixed = scenario.evolve(catalogue=Scenario().catalogue)
        assert scenario.catalogue == fixed.stocked_for_demand().catalogue
        assert scenario.catalogue != Scenario.default().catalogue  # 120.5 a day, MUG × 3


def test_scenarios_and_their_errors_pickle() -> None:
    scenario = Scenario.default(seed=5)
    assert pickle.loads(pickle.dumps(scenario)) == scenario
    with pytest.raises(ScenarioError) as caught:
        scenario.evolve(orders_per_day=-1.0)
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.field == "orders_per_day"
    assert str(again) == str(caught.value)


BAD: list[tuple[dict[str, Any], str, list[str]]] = [
    ({"orders_per_day": -2.0}, "orders_per_day", ["-2.0", "0 or more"]),
    ({"demand_profile": {"GHOST": 1.0}}, "demand_profile['GHOST']", ["GHOST", "MUG"]),
    ({"carrier": "DHL"}, "carrier", ["'DHL'", "UPS, FEDEX"]),
    ({"carriers": (), "carrier": "UPS"}, "carrier", ["none are defined"]),
    ({"daily_profile": (1.0,) * 23}, "daily_profile", ["24 weights"]),
    ({"weekly_profile": (1.0, 1, 1, 1, 1, 1, -1)}, "weekly_profile[6]", ["-1"]),
    ({"allocation": "closest"}, "allocation", ["fewest_shipments", "warehouse_priority"]),
    ({"routing": "zigzag"}, "routing", ["largest_gap", "optimal"]),
    ({"pickers": 0}, "pickers", ["at least 1 picker"]),
    ({"carrier_selection": "fastest"}, "carrier_selection", ["'fixed' or 'cheapest'"]),
    ({"catalogue": ()}, "catalogue", ["1 to 880 SKUs"]),
    ({"return_rate": 1.5}, "return_rate", ["probability"]),
    ({"wave_cutoffs": (10.0, 25.0)}, "wave_cutoffs[1]", ["below 24"]),
    ({"start": "2026-03-02T00:00:00"}, "start", ["time zone"]),
    ({"replenishment": Replenishment(policy="minmax")}, "replenishment.policy", ["'sS' or 'RQ'"]),
    ({"replenishment": Replenishment(lead_time_days=-1)}, "replenishment.lead_time_days", ["-1"]),
    (
        {"segments": (CustomerSegment(name="A", early=0.5, on_time=0.5, late=0.5),)},
        "segments[0].early",
        ["early + on_time + late = 1"],
    ),
    (
        {"segments": (CustomerSegment(name="A", payment_terms="whenever"),)},
        "segments[0].payment_terms",
        ["'whenever'", "Net 30"],
    ),
    (
        {
            "catalogue": (
                SkuSpec(sku="A", length_cm=1, width_cm=1, height_cm=1, weight_g=1, price="1"),
                SkuSpec(sku="B", length_cm=1, width_cm=1, height_cm=1, weight_g=-5, price="1"),
            )
        },
        "catalogue[1].weight_g",
        ["-5", "positive"],
    ),
    (
        {
            "catalogue": (
                SkuSpec(sku="A", length_cm=1, width_cm=1, height_cm=1, weight_g=1, price="x"),
            )
        },
        "catalogue[0].price",
        ["'x'", "decimal"],
    ),
    (
        {"carriers": (CarrierSpec(name="UPS", dim_rule="PIGEON"),)},
        "carriers[0].dim_rule",
        ["PIGEON", "UPS_DAILY"],
    ),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD)
def test_bad_scenarios_are_refused_naming_the_field(
    changes: dict[str, Any], field: str, words: list[str]
) -> None:
    base = Scenario.default(seed=1)
    before = base.to_dict()
    with pytest.raises(ScenarioError) as caught:
        base.evolve(**changes)
    error = caught.value
    assert isinstance(error, ConfigurationError | ValidationError | ValueError)
    assert error.field == field
    message = str(error)
    assert message.startswith(f"Invalid {field} for scenario 'base': ")
    for word in words:
        assert word in message
    assert base.to_dict() == before


def test_from_dict_raises_the_scenario_error_not_a_wrapped_one() -> None:
    data = {**Scenario.default().to_dict(), "demand_profile": {"GHOST": 2}}
    with pytest.raises(ScenarioError, match=r"demand_profile\['GHOST'\]"):
        Scenario.from_dict(data)


def test_from_dict_reports_shape_errors_at_their_path() -> None:
    data = {**Scenario.default().to_dict(), "catalogue": [{"sku": "A"}]}
    with pytest.raises(SerializationError, match=r"catalogue\[0\]\.length_cm"):
        Scenario.from_dict(data)


def test_from_toml_refuses_bad_values_naming_the_field() -> None:
    with pytest.raises(ScenarioError, match="Invalid units_max"):
        Scenario.from_toml("units_max = 0\n")


def test_derived_seeds_are_stable_and_distinct() -> None:
    seeds = {derive_seed(7, "replication", r) for r in range(100)}
    assert len(seeds) == 100
    assert derive_seed(7, "x") == derive_seed(7, "x")
    assert all(0 <= s < 2**63 for s in seeds)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    rate=st.floats(0.1, 500, allow_nan=False),
    units=st.integers(1, 9),
    zipf=st.floats(0, 3, allow_nan=False),
    terms=st.sampled_from(["Net 30", "2/10 Net 30", "Net 15", "COD"]),
)
def test_any_valid_scenario_round_trips_through_a_dict(
    seed: int, rate: float, units: int, zipf: float, terms: str
) -> None:
    segment = CustomerSegment(name="S", payment_terms=terms)
    scenario = Scenario.default(
        seed=seed, orders_per_day=rate, units_max=units, zipf_exponent=zipf, segments=(segment,)
    )
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    assert attrs.evolve(scenario) == scenario


def test_from_toml_refuses_text_that_is_not_toml_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not TOML") as caught:
        Scenario.from_toml("seed = = 3\n")
    assert caught.value.text == "seed = = 3\n"
    with pytest.raises(FileNotFoundError):
        Scenario.from_toml(str(tmp_path / "missing.toml"))
    with pytest.raises(FileNotFoundError):
        Scenario.from_toml(tmp_path / "missing.toml")


def test_default_stock_scales_with_the_demand_it_must_serve() -> None:
    slow = Scenario.default(orders_per_day=20.0)
    busy = Scenario.default(orders_per_day=200.0)
    for low, high in zip(slow.catalogue, busy.catalogue, strict=True):
        assert high.reorder_point > low.reorder_point
        assert high.order_up_to > low.order_up_to
    mug, teapot = busy.daily_demand()["MUG"], busy.daily_demand()["TEAPOT"]
    assert mug[0] > teapot[0] > 0  # the Zipf skew: the first SKU sells most
    fixed = Scenario.default(catalogue=Scenario().catalogue)
    assert fixed.catalogue == Scenario().catalogue  # a given catalogue is kept as it is


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("catalogue", [{"sku": "X"}]),
        ("carriers", ["UPS"]),
        ("warehouses", "WH-EAST"),
        ("segments", {"name": "RETAIL"}),
        ("cartons", [{"name": "S", "length_in": "eight"}]),
        ("picker_shifts", [(8, 16)]),
        ("daily_profile", "flat"),
        ("wave_cutoffs", [10, "noon"]),
        ("demand_profile", 5),
        ("holidays", "2026-12-25"),
    ],
)
def test_a_field_of_the_wrong_shape_is_refused_with_its_name(field: str, value: object) -> None:
    with pytest.raises(ScenarioError) as refused:
        Scenario(**{field: value})
    assert refused.value.field == field
    assert field in str(refused.value)
    assert "expected" in str(refused.value)


def test_nested_specs_may_be_given_as_tables() -> None:
    built = Scenario(
        warehouses=[{"id": "WH-1"}],
        carriers=[{"name": "UPS", "pickups": [17]}],
        picker_shifts=[{"start": 8, "end": 20, "staff": 2}],
        wave_cutoffs=[10, 14],
    )
    assert built.warehouses == (WarehouseSpec(id="WH-1"),)
    assert built.carriers[0].pickups == (17.0,)
    assert built.picker_shifts == (Shift(start=8, end=20, staff=2),)
