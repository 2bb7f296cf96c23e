"""The module graph of ``ordercycle`` has no cycle.

A cycle between two modules means neither can be read, tested or moved without the other;
the layers checked by import-linter say which *packages* may import which, and this test
says the same of every *module*. grimp (import-linter's graph builder) counts every
import, including those inside functions and under ``TYPE_CHECKING``, so a circle cannot
hide behind a lazy import.
"""

from __future__ import annotations

import grimp


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


def test_the_module_graph_has_no_cycle() -> None:
    graph = grimp.build_graph("ordercycle")
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
