"""Picking and packing have no import circle: the drawers read values, values never wait on them.

(Counted as grimp counts them: imports inside functions and under ``TYPE_CHECKING`` too.)
"""

from __future__ import annotations

import grimp
import pytest


def _circles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """The strongly connected components with more than one module inside ``package``."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.find_modules_directly_imported_by(module) & inside):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in order:
            visit(module)
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("ordercycle")


@pytest.mark.parametrize("package", ["ordercycle.packing", "ordercycle.picking"])
def test_the_area_has_no_import_circle(graph: grimp.ImportGraph, package: str) -> None:
    assert _circles(graph, package) == []


def test_the_drawers_do_not_import_the_values(graph: grimp.ImportGraph) -> None:
    assert "ordercycle.packing.packing_plan" not in graph.find_modules_directly_imported_by(
        "ordercycle.packing.drawing"
    )
    assert "ordercycle.picking.route" not in graph.find_modules_directly_imported_by(
        "ordercycle.picking._svg"
    )
