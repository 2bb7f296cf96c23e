"""One name per concept: no public class name is defined twice in the library.

A public class is one listed in the ``__all__`` of a public module (no path part starting
with ``_``). Re-exports of the same class (``ordercycle.picking.Bin`` is
``ordercycle.picking.layout.Bin``) are one definition.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import ordercycle


def _public_modules() -> list[ModuleType]:
    modules = [ordercycle]
    for info in pkgutil.walk_packages(ordercycle.__path__, "ordercycle."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


def _public_classes() -> dict[str, dict[str, type]]:
    """Per class name, the distinct classes by ``module.qualname``, with where they are listed."""
    found: dict[str, dict[str, type]] = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, type) and value.__module__.startswith("ordercycle"):
                where = f"{value.__module__}.{value.__qualname__}"
                found.setdefault(name, {})[where] = value
    return found


def test_the_walk_sees_the_areas() -> None:
    names = _public_classes()
    assert {"Order", "StockLedger", "Route", "PackingPlan", "Invoice", "OrderDesk"} <= set(names)


def test_no_public_class_name_is_defined_twice() -> None:
    twice = {
        name: sorted(classes) for name, classes in _public_classes().items() if len(classes) > 1
    }
    assert twice == {}
