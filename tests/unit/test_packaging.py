"""The installed package: version from metadata, typed marker, public names."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import ordercycle


def test_version_comes_from_the_installed_metadata() -> None:
    assert ordercycle.__version__ == version("ordercycle")


def test_package_is_marked_as_typed() -> None:
    assert (Path(ordercycle.__file__).parent / "py.typed").exists()


def test_all_lists_each_public_name_once_and_every_name_exists() -> None:
    # The order of __all__ is checked by ruff (RUF022, isort-style).
    assert len(set(ordercycle.__all__)) == len(ordercycle.__all__)
    for name in ordercycle.__all__:
        assert hasattr(ordercycle, name), name
