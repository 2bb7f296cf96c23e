"""Picking zones in the simulation: zone pickers, consolidation, per-zone load and utilisation."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest

from ordercycle.simulation import (
    KPIS,
    Scenario,
    ScenarioError,
    Simulation,
    UnknownKpiError,
    ZoneSpec,
    compare,
    html_report,
    simulate,
)
from ordercycle.simulation.kpis import ZONE_KPIS, describe_kpi
from ordercycle.simulation.report import zone_rows

WAREHOUSES = ("WH-EAST", "WH-WEST")


def base(**changes: Any) -> Scenario:
    """A busy two days: slow picks, two pickers per warehouse from 06:00 to 22:00."""
    values: dict[str, Any] = {
        "orders": 120,
        "orders_per_day": 60.0,
        "pick_seconds_per_line": 120.0,
        "drain_days": 4,
        "return_rate": 0.0,
        "pickers": 2,
        "shift": (6, 22),
        "tour_orders": 4,
    }
    return Scenario.default(seed=11, **{**values, **changes})


def halves(front: int, back: int, **fields: Any) -> tuple[ZoneSpec, ...]:
    return (
        ZoneSpec(name="FRONT", aisles=range(5), pickers=front, **fields),
        ZoneSpec(name="BACK", aisles=range(5, 10), pickers=back, **fields),
    )


def test_one_zone_over_every_aisle_runs_exactly_as_no_zones() -> None:
    plain = simulate(base())
    one = simulate(base(zones=[ZoneSpec(name="ALL", aisles=range(10), pickers=2)]))
    # The same tours, walked by as many pickers on the same hours: the same log, but for
    # the zone named on each tour, and the same KPIs, plus the zone ones.
    unzoned = [attrs.evolve(e, note=e.note.removesuffix(", zone ALL")) for e in one.events]
    assert unzoned == list(plain.events)
    assert any(e.note.endswith(", zone ALL") for e in one.events if e.kind == "picked")
    assert {name: one.kpis[name] for name in KPIS} == plain.kpis
    assert one.kpis["consolidation_rate"] == 0
    # Both warehouses schedule the same hours, so the overall utilisation is the mean.
    shares = [one.kpis[f"zone_utilisation[{w}/ALL]"] for w in WAREHOUSES]
    assert plain.kpis["picker_utilisation"] == pytest.approx(sum(shares) / 2)  # type: ignore[operator]


def test_a_picker_moved_to_the_busy_zone_lowers_its_utilisation() -> None:
    even = simulate(base(zones=halves(1, 1)))
    lines = {z: even.kpis[f"zone_lines[WH-EAST/{z}]"] for z in ("FRONT", "BACK")}
    busy, quiet = sorted(lines, key=lambda z: lines[z] or 0.0, reverse=True)
    assert lines[busy] != lines[quiet]
    staff = {busy: 1, quiet: 2}
    before = simulate(base(zones=halves(staff["FRONT"], staff["BACK"])))
    after = simulate(base(zones=halves(staff["BACK"], staff["FRONT"])))  # one moved over
    for warehouse in WAREHOUSES:
        for zone in (busy, quiet):
            # The load of a zone is the orders' lines in its aisles, whoever picks them.
            name = f"zone_lines[{warehouse}/{zone}]"
            assert after.kpis[name] == before.kpis[name] == even.kpis[name]
    shares = {
        (run, zone): result.kpis[f"zone_utilisation[WH-EAST/{zone}]"]
        for run, result in (("before", before), ("after", after))
        for zone in (busy, quiet)
    }
    # The same work over twice (half) the scheduled hours.
    assert shares[("after", busy)] == pytest.approx(shares[("before", busy)] / 2)  # type: ignore[operator]
    assert shares[("after", quiet)] == pytest.approx(shares[("before", quiet)] * 2)  # type: ignore[operator]
    assert after.kpis["picker_utilisation"] == pytest.approx(before.kpis["picker_utilisation"])


def test_a_zone_picker_works_only_when_the_picker_calendar_has_someone_on_duty() -> None:
    scenario = base(zones=halves(3, 1))
    assert scenario.on_duty_hours("pickers", 0, 48, "WH-EAST") == [(6.0, 22.0), (30.0, 46.0)]
    assert scenario.zone_hours("FRONT", 0, 48, "WH-EAST") == 3 * 32
    assert scenario.scheduled_hours("pickers", 0, 48) == 2 * (3 + 1) * 32
    with pytest.raises(ScenarioError, match="a zone of WH-EAST \\(FRONT, BACK\\)"):
        scenario.zone_hours("MIDDLE", 0, 48, "WH-EAST")
    result = simulate(scenario)
    for event in result.events:
        if event.kind == "picked":
            began = (event.time - event.measure) % 24
            assert 6 <= round(began, 9) < 22


def test_orders_picked_in_several_zones_are_consolidated_before_packing() -> None:
    simulation = Simulation(base(zones=halves(1, 1), consolidation_seconds_per_order=300))
    result = simulation.run()
    layout = simulation.world.settings
    consolidated = [e for e in result.events if e.kind == "consolidated"]
    assert consolidated
    for event in consolidated:
        lines = [
            line
            for line in simulation.desk.pick_list(event.ref).lines
            if line.order_id == event.order_id
        ]
        zones = {layout.picking_bin(line.bin).aisle >= 5 for line in lines}
        assert event.quantity == len(zones) == 2
        assert event.measure == pytest.approx(300 / 3600)
    packed = {e.order_id for e in result.events if e.kind == "packed"}
    both = {e.order_id for e in consolidated}
    assert result.kpis["consolidation_rate"] == pytest.approx(len(both) / len(packed))
    quick = simulate(base(zones=halves(1, 1), consolidation_seconds_per_order=0))
    # Consolidating is packer work: it shows in the packers' utilisation.
    assert result.kpis["packer_utilisation"] > quick.kpis["packer_utilisation"]  # type: ignore[operator]
    assert quick.kpis["consolidation_rate"] == result.kpis["consolidation_rate"]


def test_zoned_runs_are_deterministic_for_a_seed() -> None:
    scenario = base(orders=60, zones=halves(1, 2))
    first, second = simulate(scenario), simulate(scenario)
    assert first == second
    assert first.events == second.events
    assert first.series == second.series


def test_zone_kpis_are_in_the_timeseries_and_the_tidy_tables() -> None:
    result = simulate(base(orders=60, zones=halves(1, 2)))
    rows = result.timeseries()
    for warehouse in WAREHOUSES:
        for zone in ("FRONT", "BACK"):
            tag = f"{warehouse}/{zone}"
            picked = sum(
                e.quantity
                for e in result.events
                if e.kind == "picked" and e.warehouse == warehouse and e.note.endswith(zone)
            )
            assert sum(row[f"zone_lines[{tag}]"] for row in rows) == picked
            assert all(0 <= row[f"zone_utilisation[{tag}]"] <= 1 for row in rows)
    records = {r["kpi"]: r for r in result.to_records()}
    assert records["zone_utilisation[WH-EAST/FRONT]"]["unit"] == "ratio"
    assert records["zone_lines[WH-WEST/BACK]"]["unit"] == "lines"
    assert records["consolidation_rate"]["value"] == result.kpis["consolidation_rate"]
    frame = result.to_pandas()
    assert set(frame["kpi"]) >= {"consolidation_rate", "zone_lines[WH-EAST/BACK]"}
    plain = simulate(base(orders=20))
    assert not [c for c in plain.timeseries()[0] if c.startswith("zone_")]
    assert not [k for k in plain.kpis if k.startswith("zone_") or k == "consolidation_rate"]
    assert [row["zone"] for row in zone_rows(result)] == ["FRONT", "BACK"] * 2
    assert zone_rows(plain) == []


def test_zone_kpi_names_are_described_and_others_refused() -> None:
    assert describe_kpi("zone_utilisation[WH-EAST/A]") == ZONE_KPIS["zone_utilisation"]
    assert describe_kpi("picker_utilisation") == KPIS["picker_utilisation"]
    for name in ("zone_utilisation", "zone_speed[WH-EAST/A]", "zone_lines[WH-EAST/A"):
        with pytest.raises(UnknownKpiError, match=f"Unknown KPI '{re.escape(name)}'"):
            describe_kpi(name)


def test_compare_pairs_zones_with_no_zones() -> None:
    plain = base(name="no zones", orders=60)
    zoned = base(name="two zones", orders=60, zones=halves(1, 1))
    comparison = compare(plain, zoned, replications=2)
    differences = {d.kpi: d for d in comparison.differences()}
    # Common random numbers: both see the same orders.
    assert differences["orders"].mean == 0
    assert differences["picker_utilisation"].n == 2
    # A zone KPI has no baseline value to pair with, so it has no difference...
    assert not [k for k in differences if k.startswith("zone_")]
    # ...but it has its interval in the zoned scenario's column.
    table = {row["kpi"]: row for row in comparison.table()}
    assert "two zones" in table["zone_utilisation[WH-EAST/FRONT]"]
    assert "no zones" not in table["zone_utilisation[WH-EAST/FRONT]"]
    kinds = [row["kpi"] for row in comparison.to_records()]
    assert kinds.index("cost_per_order") < kinds.index("consolidation_rate")
    values = comparison.replications[1].values("zone_lines[WH-EAST/BACK]")
    assert len(values) == 2
    assert comparison.replications[0].values("zone_lines[WH-EAST/BACK]") == []
    # Two zoned alternatives are paired zone by zone.
    moved = base(name="moved", orders=60, zones=halves(2, 1))
    paired = compare(zoned, moved, replications=2).differences()
    lines = next(d for d in paired if d.kpi == "zone_lines[WH-EAST/FRONT]")
    assert (lines.n, lines.mean) == (2, 0)


def test_the_report_shows_the_load_of_each_zone() -> None:
    pytest.importorskip("matplotlib").use("Agg")
    result = simulate(base(orders=30, zones=halves(1, 2)))
    text = html_report(result)
    assert "<h2>Picking zones</h2>" in text
    assert "FRONT" in text
    assert "0-4" in text
    assert "Picking zones" not in html_report(simulate(base(orders=10)))


def test_zones_are_read_from_toml() -> None:
    scenario = Scenario.from_toml(
        "consolidation_seconds_per_order = 45\n"
        '[[zones]]\nname = "FRONT"\naisles = [0, 1, 2, 3, 4]\npickers = 2\n'
        '[[zones]]\nname = "BACK"\naisles = [5, 6, 7, 8, 9]\nwarehouse = "WH-EAST"\n'
        '[[zones]]\nname = "REST"\naisles = [5, 6, 7, 8, 9]\nwarehouse = "WH-WEST"\n'
    )
    assert [z.name for z in scenario.zones_of("WH-WEST")] == ["FRONT", "REST"]
    assert scenario.zones[0].pickers == 2
    assert scenario.consolidation_seconds_per_order == 45
    assert Scenario.from_dict(scenario.to_dict()) == scenario


@pytest.mark.parametrize(
    ("zones", "field", "words"),
    [
        ([ZoneSpec(name="A", aisles=[0, 1, 10])], "zones[0].aisles", "10; expected aisles 0 to 9"),
        ([ZoneSpec(name="A", aisles=[-1])], "zones[0].aisles", "-1; expected aisles 0 to 9"),
        ([ZoneSpec(name="A", aisles=[])], "zones[0].aisles", "at least one of the aisles"),
        (
            [ZoneSpec(name="A", aisles=range(6)), ZoneSpec(name="B", aisles=range(5, 10))],
            "zones[1].aisles",
            "5; expected aisles no other zone of WH-EAST has (aisle 5 is in zone 'A')",
        ),
        (
            [ZoneSpec(name="A", aisles=range(10), pickers=0)],
            "zones[0].pickers",
            "0; expected at least 1 picker",
        ),
        (
            [ZoneSpec(name="A", aisles=range(10), pickers=1.5)],  # type: ignore[arg-type]
            "zones[0].pickers",
            "a whole number of pickers",
        ),
        (
            [ZoneSpec(name="A", aisles=range(8))],
            "zones",
            "'WH-EAST'; expected zones of WH-EAST that cover every aisle 0 to 9, so every bin"
            " can be picked (aisles 8, 9 are in no zone)",
        ),
        (
            [ZoneSpec(name="A", aisles=range(10), warehouse="WH-NORTH")],
            "zones[0].warehouse",
            "'WH-NORTH'; expected empty (every warehouse) or one of WH-EAST, WH-WEST",
        ),
        (
            [ZoneSpec(name="A", aisles=range(5)), ZoneSpec(name="A", aisles=range(5, 10))],
            "zones[1].name",
            "a zone name not already used in WH-EAST",
        ),
        ([ZoneSpec(name="", aisles=range(10))], "zones[0].name", "a non-empty name"),
        ("FRONT", "zones", "a list of ZoneSpec or of tables with name, aisles"),
    ],
)
def test_bad_zones_are_refused_naming_the_field(zones: Any, field: str, words: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        Scenario(zones=zones)
    assert refused.value.field == field
    assert f"Invalid {field} for scenario" in str(refused.value)
    assert words in str(refused.value)


def test_a_zone_for_one_warehouse_leaves_the_other_unzoned() -> None:
    only = [ZoneSpec(name="ALL", aisles=range(10), warehouse="WH-EAST")]
    scenario = base(orders=120, zones=only)
    assert scenario.zones_of("WH-WEST") == ()
    result = simulate(scenario)
    zones = {
        (e.warehouse, e.note.partition(", zone ")[2]) for e in result.events if e.kind == "picked"
    }
    assert zones == {("WH-EAST", "ALL"), ("WH-WEST", "")}
    assert "zone_lines[WH-EAST/ALL]" in result.kpis
    assert "zone_lines[WH-WEST/ALL]" not in result.kpis


def test_consolidation_time_is_validated() -> None:
    with pytest.raises(ScenarioError, match="consolidation_seconds_per_order"):
        Scenario(consolidation_seconds_per_order=-1)


def test_a_zone_whose_pickers_cannot_keep_up_is_flagged() -> None:
    heavy: dict[str, Any] = {"orders": 240, "orders_per_day": 120.0, "pick_seconds_per_line": 900.0}
    short = simulate(base(zones=halves(3, 1), **heavy), events=False)
    flagged = [w for w in short.warnings if "zone BACK of WH-EAST (1)" in w]
    assert flagged
    assert "move pickers to the zone" in flagged[0]
    staffed = simulate(base(zones=halves(1, 3), **heavy), events=False)
    assert not [w for w in staffed.warnings if "zone BACK" in w]
