"""The architecture, checked: the import graph and one home per concept.

- The module graph of ``ordercycle`` has no cycle. A cycle between two modules means
  neither can be read, tested or moved without the other; import-linter's layers
  (``lint-imports``, contracts in ``pyproject.toml``) say which *packages* may import
  which, and this says the same of every *module*. grimp (import-linter's graph builder)
  counts every import, including those inside functions and under ``TYPE_CHECKING``, so a
  circle cannot hide behind a lazy import.
- The foundation packages (``money``, ``lifecycle``, ``serialization``) keep their modules
  private, so the library uses exactly the API its users get; ``money`` and ``lifecycle``
  need nothing but the error tree.
- Values never import what draws them, the terms parser never imports the terms, and only
  the order package itself imports the order aggregate's module.
"""

from __future__ import annotations

import grimp
import pytest

FOUNDATION = ("ordercycle.money", "ordercycle.lifecycle", "ordercycle.serialization")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("ordercycle")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def _chain(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One import chain that closes the circle, for the failure message."""
    first, *rest = component
    for other in rest:
        back = graph.find_shortest_chain(importer=other, imported=first)
        there = graph.find_shortest_chain(importer=first, imported=other)
        if back and there:
            return " -> ".join([*there, *back[1:]])
    return ", ".join(component)


def test_the_module_graph_has_no_cycle(graph: grimp.ImportGraph) -> None:
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(_chain(graph, c) for c in cycles)


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.d", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert _chain(graph, ["pkg.a", "pkg.b", "pkg.c"]).startswith("pkg.a -> ")


def _private_modules(graph: grimp.ImportGraph, package: str) -> list[str]:
    return sorted(
        module
        for module in graph.find_children(package)
        if module.rpartition(".")[2].startswith("_")
    )


@pytest.mark.parametrize("package", FOUNDATION)
def test_only_the_package_imports_its_private_modules(
    graph: grimp.ImportGraph, package: str
) -> None:
    private = _private_modules(graph, package)
    assert private, f"{package} should keep its modules private"
    outside = {
        f"{importer} imports {module}"
        for module in private
        for importer in graph.find_modules_that_directly_import(module)
        if importer != package and not importer.startswith(f"{package}.")
    }
    assert not outside, sorted(outside)


@pytest.mark.parametrize("package", ["ordercycle.money", "ordercycle.lifecycle"])
def test_money_and_lifecycle_import_only_the_error_tree_and_the_limits(
    graph: grimp.ImportGraph, package: str
) -> None:
    modules = {package, *graph.find_descendants(package)}
    used = {
        imported
        for module in modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("ordercycle.") and imported not in modules
    }
    assert used <= {"ordercycle.errors", "ordercycle.limits"}


@pytest.mark.parametrize(
    ("drawer", "value"),
    [
        ("ordercycle.packing.drawing", "ordercycle.packing.packing_plan"),
        ("ordercycle.picking._svg", "ordercycle.picking.route"),
    ],
)
def test_the_drawers_do_not_import_the_values(
    graph: grimp.ImportGraph, drawer: str, value: str
) -> None:
    assert value not in graph.find_modules_directly_imported_by(drawer)
    assert drawer in graph.find_modules_directly_imported_by(value)


def test_the_terms_parser_does_not_import_the_terms(graph: grimp.ImportGraph) -> None:
    assert "ordercycle.invoicing.terms" not in graph.find_modules_directly_imported_by(
        "ordercycle.invoicing.terms_parser"
    )


def test_only_the_order_package_itself_imports_the_aggregate(graph: grimp.ImportGraph) -> None:
    package = "ordercycle.model.order"
    importers = {
        m
        for m in graph.find_modules_that_directly_import(f"{package}.aggregate")
        if m.startswith(package)
    }
    assert importers == {package}
