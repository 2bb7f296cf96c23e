"""Every Jupyter notebook in the documentation runs, top to bottom, on a fresh kernel.

The notebooks under ``docs/`` are kept with their outputs (the docs site renders them as
committed, without a kernel). Each test here executes a copy of one notebook with nbclient on a
new ``python3`` kernel, with every warning turned into an error inside the kernel, and then
checks that:

* no cell raised and no cell wrote to stderr;
* the committed outputs are the fresh ones: same text, same HTML tables, an image wherever
  the fresh run drew one (PNG bytes are not compared: they vary with matplotlib and FreeType
  versions, and the numbers they plot are checked through the text outputs);
* the committed notebook was executed in one go, top to bottom (execution counts 1, 2, 3...).

When a change to ``ordercycle`` changes what a notebook prints, regenerate the committed
outputs with ``python benchmarks/simulation.py --doc-assets`` and review the diff.
"""

from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path
from typing import Any

import nbclient
import nbclient.exceptions
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(ROOT.joinpath("docs").rglob("*.ipynb"))
REGENERATE = "python benchmarks/simulation.py --doc-assets"

# Run first and last in the kernel (never saved): the notebook's own cells must not warn, the
# same rule as `python -m pytest -W error` for the rest of the suite. The filters are put back
# after the last cell, because ipykernel's own shutdown code warns (PendingDeprecationWarning
# about `do_shutdown` in ipykernel 7), and that is jupyter's machinery, not the notebook.
_WARNINGS_ARE_ERRORS = (
    "import warnings\n_notebook_test_filters = warnings.filters[:]\nwarnings.simplefilter('error')"
)
_WARNINGS_AS_BEFORE = "warnings.filters[:] = _notebook_test_filters"


def execute(notebook: Any, directory: Path) -> Any:
    """Execute a copy of ``notebook`` on a fresh python3 kernel; return the executed copy."""
    fresh = copy.deepcopy(notebook)
    fresh.cells.insert(0, nbformat.v4.new_code_cell(_WARNINGS_ARE_ERRORS))
    fresh.cells.append(nbformat.v4.new_code_cell(_WARNINGS_AS_BEFORE))
    # The timeout (per cell) guards against a hung kernel, not slowness: a replicated sweep
    # cell takes a minute or two of two cores, several times that on a loaded machine.
    client = nbclient.NotebookClient(
        fresh,
        timeout=1800,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(directory)}},
    )
    client.execute()
    del fresh.cells[0], fresh.cells[-1]
    return fresh


def shown(cell: Any) -> list[Any]:
    """What a code cell shows, without volatile parts (execution counts, PNG bytes)."""
    outputs = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            # One print may reach the kernel's client in several stream messages (where it
            # splits depends on timing: a loaded machine split one at its newline), and
            # Jupyter shows them as one text: so are they compared.
            last = outputs[-1] if outputs else None
            if last is not None and last.get("stream") == output["name"]:
                last["text"] += output["text"]
            else:
                outputs.append({"stream": output["name"], "text": output["text"]})
        elif output["output_type"] in ("execute_result", "display_data"):
            data = {
                mime: "<image>" if mime.startswith("image/") else value
                for mime, value in sorted(output["data"].items())
            }
            outputs.append({output["output_type"]: data})
        else:
            outputs.append(dict(output))
    return outputs


def readable(outputs: list[Any]) -> list[str]:
    """``outputs`` as lines for a diff, with one HTML table row per line."""
    text = json.dumps(outputs, indent=1).replace("<tr>", "\n<tr>").replace("\\n", "\n")
    return text.splitlines()


def code_cells(notebook: Any) -> list[Any]:
    """The code cells of ``notebook``, in order."""
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_documentation_has_the_simulation_notebooks() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert "simulate-a-peak-week.ipynb" in names
    assert "net-30-vs-2-10-net-30.ipynb" in names
    assert "how-many-pickers.ipynb" in names


def test_shown_ignores_execution_counts_and_image_bytes() -> None:
    def cell(count: int, png: str) -> Any:
        result = nbformat.v4.new_output(
            "execute_result", data={"text/plain": "1", "image/png": png}, execution_count=count
        )
        return nbformat.v4.new_code_cell("1", outputs=[result], execution_count=count)

    assert shown(cell(1, "AAAA")) == shown(cell(7, "BBBB"))
    expected = {"image/png": "<image>", "text/plain": "1"}
    assert shown(cell(1, "AAAA")) == [{"execute_result": expected}]


def test_shown_joins_a_print_that_arrived_in_pieces() -> None:
    def cell(*pieces: str) -> Any:
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in pieces]
        return nbformat.v4.new_code_cell("print('a')", outputs=outputs)

    assert shown(cell("a.", "\n")) == shown(cell("a.\n")) == [{"stream": "stdout", "text": "a.\n"}]
    err = nbformat.v4.new_output("stream", name="stderr", text="warn\n")
    mixed = cell("a\n")
    mixed.outputs.append(err)
    assert [o["stream"] for o in shown(mixed)] == ["stdout", "stderr"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_and_its_committed_outputs_are_fresh(path: Path) -> None:
    where = path.relative_to(ROOT)
    committed = nbformat.read(path, as_version=4)
    nbformat.validate(committed)
    try:
        fresh = execute(committed, path.parent)
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{where}: a cell failed on a fresh kernel:\n{error}", pytrace=False)

    for n, cell in enumerate(code_cells(fresh), start=1):
        errors = [o for o in shown(cell) if o.get("stream") == "stderr"]
        assert not errors, f"{where}: code cell {n} wrote to stderr: {errors}"

    counts = [cell.execution_count for cell in code_cells(committed)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{where} was not executed in one go from the top (execution counts {counts}); "
        f"regenerate it with `{REGENERATE}`"
    )

    for n, (old, new) in enumerate(
        zip(code_cells(committed), code_cells(fresh), strict=True), start=1
    ):
        if shown(old) != shown(new):
            diff = difflib.unified_diff(
                readable(shown(old)),
                readable(shown(new)),
                "committed",
                "fresh",
                lineterm="",
            )
            pytest.fail(
                f"{where}: the committed outputs of code cell {n} are stale; regenerate them "
                f"with `{REGENERATE}` and review the diff:\n" + "\n".join(diff),
                pytrace=False,
            )
