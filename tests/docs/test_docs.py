"""Every ```python block in the documentation (and the README) runs as a test.

Blocks of one page share a namespace and run top to bottom, the way a reader would type
them. Blocks with ``>>>`` prompts are checked as doctests (ELLIPSIS and NORMALIZE_WHITESPACE
on); other blocks must simply run. A block whose info string contains ``no-run`` is skipped
(prefer runnable examples).
"""

from __future__ import annotations

import doctest
import io
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*ROOT.joinpath("docs").rglob("*.md"), ROOT / "README.md"])

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def python_blocks(text: str) -> list[tuple[int, str]]:
    """Return ``(line number, code)`` for each runnable python block of a Markdown text."""
    blocks = []
    for match in _FENCE.finditer(text):
        info = match["info"].strip().strip("{}").split()
        language = info[0].lstrip(".") if info else ""
        if language not in {"python", "py", "pycon"} or "no-run" in match["info"]:
            continue
        line = text.count("\n", 0, match.start()) + 2
        body = textwrap.dedent(
            "\n".join(
                row[len(match["indent"]) :] if row.startswith(match["indent"]) else row
                for row in match["body"].splitlines()
            )
        )
        blocks.append((line, body))
    return blocks


def run_page(path: Path) -> None:
    """Run every python block of ``path`` in one namespace; fail with the block's location."""
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem.replace('-', '_')}"}
    for line, code in python_blocks(path.read_text(encoding="utf-8")):
        where = f"{path.relative_to(ROOT)}:{line}"
        if ">>>" in code:
            test = doctest.DocTestParser().get_doctest(code, namespace, where, str(path), line)
            output = io.StringIO()
            runner = doctest.DocTestRunner(optionflags=_FLAGS)
            result = runner.run(test, out=output.write, clear_globs=False)
            namespace.update(test.globs)  # DocTest copies its globals; share them onwards
            if result.failed:
                pytest.fail(f"doctest failed in {where}:\n{output.getvalue()}", pytrace=False)
        else:
            exec(compile(code, where, "exec", dont_inherit=True), namespace)


def test_the_block_finder_sees_fenced_python_and_skips_other_languages() -> None:
    text = "x\n```python\na = 1\n```\n```bash\nls\n```\n```python no-run\nboom\n```\n"
    assert python_blocks(text) == [(3, "a = 1")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_documentation_examples_run(page: Path) -> None:
    run_page(page)
