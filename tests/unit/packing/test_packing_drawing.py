"""Drawings: every package draws itself as SVG; a plan shows its report and drawings."""

from __future__ import annotations

import xml.dom.minidom

from ordercycle.packing import Carton, Item, carriers, pack
from ordercycle.packing.drawing import PALETTE, package_svg


def plan_for_drawing() -> object:
    items = [
        Item.from_mm("MUG", 120, 90, 100, 350, quantity=3),
        Item.from_mm("BOOK", 210, 297, 30, 800, quantity=2),
    ]
    return pack(items, [Carton.from_mm("S", 300, 320, 250)], carriers.DHL_EXPRESS)


def test_a_package_draws_every_unit_as_a_titled_box() -> None:
    plan = plan_for_drawing()
    package = plan.packages[0]  # type: ignore[attr-defined]
    svg = package._repr_svg_()
    document = xml.dom.minidom.parseString(svg)  # well-formed XML
    assert document.documentElement.tagName == "svg"
    titles = [t.firstChild.data for t in document.getElementsByTagName("title")]
    assert titles[0] == "S"
    assert sum(t.startswith("MUG #") for t in titles) == 3
    assert sum(t.startswith("BOOK #") for t in titles) == 2
    assert len(document.getElementsByTagName("polygon")) == 3 * 5
    assert "billable" in svg
    assert PALETTE[0] in svg or PALETTE[1] in svg


def test_drawing_is_deterministic_and_sized() -> None:
    plan = plan_for_drawing()
    package = plan.packages[0]  # type: ignore[attr-defined]
    assert package_svg(package) == package_svg(package)
    assert 'width="300"' in package_svg(package, width=300)


def test_a_plan_shows_its_report_and_drawings_in_a_notebook() -> None:
    plan = plan_for_drawing()
    html = plan._repr_html_()  # type: ignore[attr-defined]
    assert html.count("<svg") == len(plan.packages)  # type: ignore[attr-defined]
    assert "total billable weight" in html
