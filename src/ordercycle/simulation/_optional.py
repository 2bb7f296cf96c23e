"""Import optional packages of the ``sim`` extra with a clear error when missing."""

from __future__ import annotations

import importlib
from typing import Any

from ordercycle.errors import MissingDependencyError

__all__ = ["require"]


def require(module: str, feature: str, package: str | None = None) -> Any:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the ``sim`` extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(feature, package or module.split(".")[0], "sim") from None
