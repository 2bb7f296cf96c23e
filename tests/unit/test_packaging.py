"""The installed package: version from metadata, typed marker, public names."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

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


def test_importing_the_package_does_not_load_the_service() -> None:
    code = "import sys, ordercycle; print('ordercycle.service' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_order_desk_is_importable_from_the_package() -> None:
    from ordercycle import OrderDesk
    from ordercycle.service import OrderDesk as Original

    assert OrderDesk is Original


def test_unknown_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        ordercycle.Nope  # noqa: B018
