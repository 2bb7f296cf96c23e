"""The order package's modules import one another without a circle (checked with grimp).

The whole-library check belongs to the architecture tests; this one guards the order
package, where the old Order/after-sales/apply/report circle lived.
"""

from __future__ import annotations

import grimp

PACKAGE = "ordercycle.model.order"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as a path of modules, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_order_package_has_no_import_circle() -> None:
    imports = grimp.build_graph("ordercycle")
    modules = {m for m in imports.modules if m.startswith(PACKAGE + ".")}
    graph = {m: imports.find_modules_directly_imported_by(m) & modules for m in modules}
    assert len(modules) >= 10
    assert _cycle(graph) is None


def test_only_the_package_itself_imports_the_aggregate() -> None:
    imports = grimp.build_graph("ordercycle")
    importers = {
        m
        for m in imports.find_modules_that_directly_import(f"{PACKAGE}.aggregate")
        if m.startswith(PACKAGE)
    }
    assert importers == {PACKAGE}
