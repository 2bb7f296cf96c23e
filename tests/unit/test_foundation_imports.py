"""The foundation packages keep their modules private and their import graph acyclic.

``ordercycle.money``, ``ordercycle.lifecycle`` and ``ordercycle.serialization`` each have one
public path (the package); the modules inside start with ``_`` and only the package itself
imports them, so the library uses exactly the API its users get. The layering between
packages is checked by import-linter (``lint-imports``, contracts in ``pyproject.toml``).
"""

from __future__ import annotations

import grimp
import pytest

FOUNDATION = ("ordercycle.money", "ordercycle.lifecycle", "ordercycle.serialization")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("ordercycle")


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


@pytest.mark.parametrize("package", FOUNDATION)
def test_the_package_has_no_import_cycle(graph: grimp.ImportGraph, package: str) -> None:
    modules = {package, *graph.find_descendants(package)}
    edges = {
        module: {m for m in graph.find_modules_directly_imported_by(module) if m in modules}
        for module in modules
    }
    # Depth-first search; a module met again while still on the path closes a cycle.
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        if module in path:
            raise AssertionError(" -> ".join([*path[path.index(module) :], module]))
        if module in done:
            return
        path.append(module)
        for target in sorted(edges[module]):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(modules):
        visit(module)


@pytest.mark.parametrize("package", ["ordercycle.money", "ordercycle.lifecycle"])
def test_money_and_lifecycle_import_only_the_error_tree(
    graph: grimp.ImportGraph, package: str
) -> None:
    modules = {package, *graph.find_descendants(package)}
    used = {
        imported
        for module in modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("ordercycle.") and imported not in modules
    }
    assert used == {"ordercycle.errors"}
