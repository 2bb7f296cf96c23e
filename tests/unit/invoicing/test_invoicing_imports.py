"""The invoicing modules import each other in one direction only (no import circle)."""

from __future__ import annotations

import grimp


def test_the_terms_parser_does_not_import_the_terms() -> None:
    graph = grimp.build_graph("ordercycle")
    assert "ordercycle.invoicing.terms" not in graph.find_modules_directly_imported_by(
        "ordercycle.invoicing.terms_parser"
    )
    for module in graph.find_children("ordercycle.invoicing"):
        upstream = graph.find_upstream_modules(module)
        downstream = graph.find_downstream_modules(module)
        assert not (upstream & downstream), f"{module} is in an import circle"
