"""Reliability, measured as a whole: hostile input, concurrency races and crashes.

One run prints three tables (Markdown), the closing table of issue 14:

1. **Hostile input** per area (money, units, invoicing, packing, serialization, desk keyword
   API, ``execute_json`` fields, whole JSON documents): how many hostile inputs were tried
   and how each ended: a typed error, a generic exception, a silent accept (a value that
   fits none of the target's kinds accepted), a hang (no answer within ``--timeout``
   seconds, the child killed), slow (over 0.5 CPU seconds), and state changed after a
   refusal. It runs the cases of ``tests/property/test_hostile_input.py`` (its
   :func:`tally`), each in a forked child.
2. **Concurrency runs** on SQLite and PostgreSQL: the chaos workload of
   ``tests/chaos/test_chaos.py`` without kills. Its worker processes meet on the wall clock
   to receive returns at once (the restock race), confirm orders of a customer whose limit
   one order fills (the credit race) and send one command id from every worker (the
   same-command-id race), among a mix of the whole order-to-cash cycle. The table counts
   commands, the races' commands, and the violations the suite checks: oversells, phantom
   stock, credit breaches, lost and duplicated commands (a command refused to a sender
   although it ran counts as duplicated: the sender would send it again).
3. **Crash runs**: the same with a killer SIGKILLing a random worker every 0.3 to 1 s
   (each restarts and re-sends its unacknowledged command), with the kills and every
   violation. With ``--faults``, three more PostgreSQL runs each put one fixed race back
   in the workers (``tests/chaos/faults.py``) to show the checks find it.

Everything is seeded (``--seed``, the chaos seed; ids are sequential, the clocks fixed);
what varies between runs is only the operating system's timing. PostgreSQL runs need
``ORDERCYCLE_TEST_POSTGRES_DSN`` (each run uses a fresh schema, dropped afterwards);
without it they are left out. Run from the repository root::

    PYTHONPATH=src python benchmarks/reliability.py --seconds 6 --workers 3 --faults

``--only hostile|races|crash`` runs one table; ``--timeout`` is the hang limit.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def _adapter(kind: str) -> Iterator[tuple[Any, Any, Path]]:
    """``(opener, where, journal directory)`` of a fresh SQLite file or PostgreSQL schema."""
    from tests import races

    with tempfile.TemporaryDirectory(prefix="ordercycle-reliability-") as directory:
        path = Path(directory)
        if kind == "sqlite":
            yield races.sqlite_opener(path / "chaos.db"), path / "chaos.db", path
        else:
            dsn = os.environ["ORDERCYCLE_TEST_POSTGRES_DSN"]
            with races.postgres_schema(dsn, "oc_reliability") as where:
                yield races.postgres_opener(*where), where, path


def _count(run: Any, kind: str, test: Callable[[dict[str, Any]], bool]) -> int:
    """Acknowledged commands of type ``kind`` whose payload passes ``test``."""
    found = 0
    for entries in run.journals:
        sent = {e["send"]["command_id"]: e["send"] for e in entries if "send" in e}
        for entry in entries:
            payload = sent.get(entry.get("ack", ""))
            if "result" in entry and payload and payload["type"] == kind and test(payload):
                found += 1
    return found


def _chaos_row(kind: str, seconds: float, seed: int, *, kills: bool, fault: str = "") -> dict:
    from tests.chaos import test_chaos as chaos

    started = time.monotonic()
    with _adapter(kind) as (opener, where, path):
        run = chaos._chaos(opener, path, seconds, fault, seed, kills=kills)
        violations = chaos._violations(kind, where, opener, run)
    counts = {name: len(problems) for name, problems in violations.items()}
    return {
        "storage": kind + (f", {fault} race put back" if fault else ""),
        "commands": run.commands,
        "acknowledged": run.acknowledged,
        "refused": run.refused,
        "returns received": _count(run, "ReceiveReturn", lambda p: True),
        "tight confirmations": _count(run, "ConfirmOrder", lambda p: "tight" in p),
        "same-id sends": _count(run, "ReceiveStock", lambda p: p["command_id"][:7] == "shared-")
        + _count(run, "PlaceOrder", lambda p: p["command_id"][:7] == "shared-"),
        "kills": run.kills,
        "re-sent": run.resent,
        "oversells": counts.get("oversell", 0),
        "phantom stock": counts.get("phantom stock", 0),
        "credit breaches": counts.get("credit", 0),
        "lost": counts.get("lost", 0),
        "duplicated": counts.get("duplicated", 0) + counts.get("refused yet done", 0),
        "other violations": sum(
            n
            for name, n in counts.items()
            if name not in ("oversell", "phantom stock", "credit", "lost", "duplicated")
            and name != "refused yet done"
        ),
        "seconds": round(time.monotonic() - started, 1),
    }


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 1))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    print()


def hostile(timeout: float) -> None:
    """Print the hostile-input table."""
    from tests.property.test_hostile_input import tally

    started = time.monotonic()
    rows, examples = tally(timeout)
    total = dict.fromkeys([*next(iter(rows.values())), "accepted"], 0)
    table = []
    for area, row in rows.items():
        row["accepted"] = row["tried"] - row["typed"] - row["generic"] - row["silent"]
        row["accepted"] -= row["hangs"]
        table.append({"area": area, **row})
        for key, value in row.items():
            total[key] += value
    table.append({"area": "**total**", **total})
    print(
        f"### Hostile input ({time.monotonic() - started:.0f} s, hang = no answer in"
        f" {timeout:g} s)\n"
    )
    names = {
        "area": "area",
        "tried": "inputs tried",
        "typed": "typed errors",
        "accepted": "accepted (valid for the target)",
        "generic": "generic exceptions",
        "silent": "silent accepts",
        "hangs": "hangs",
        "slow": "slow (> 0.5 s CPU)",
        "changed": "state changed after refusal",
    }
    print("| " + " | ".join(names.values()) + " |")
    print("|---|" + "---:|" * (len(names) - 1))
    for row in table:
        print("| " + " | ".join(str(row[key]) for key in names) + " |")
    print()
    for area, errors in examples.items():
        print(f"generic exceptions in {area}: {dict(collections.Counter(errors))}")


RACE_COLUMNS = [
    "storage",
    "commands",
    "acknowledged",
    "refused",
    "returns received",
    "tight confirmations",
    "same-id sends",
    "oversells",
    "phantom stock",
    "credit breaches",
    "lost",
    "duplicated",
    "other violations",
    "seconds",
]


def _storages() -> list[str]:
    found = ["sqlite"]
    if os.environ.get("ORDERCYCLE_TEST_POSTGRES_DSN"):
        found.append("postgres")
    else:
        print("(ORDERCYCLE_TEST_POSTGRES_DSN is not set: PostgreSQL is left out)\n")
    return found


def concurrency(seconds: float, seed: int) -> None:
    """Print the concurrency table: the chaos workload without kills."""
    rows = [_chaos_row(kind, seconds, seed, kills=False) for kind in _storages()]
    print(f"### Concurrency runs (no kills, {seconds:g} s each, seed {seed})\n")
    _table(rows, RACE_COLUMNS)


def crash(seconds: float, seed: int, *, faults: bool) -> None:
    """Print the crash table: the chaos workload with SIGKILLs (and the races put back)."""
    from tests.chaos.faults import FAULTS

    rows = [_chaos_row(kind, seconds, seed, kills=True) for kind in _storages()]
    if faults and os.environ.get("ORDERCYCLE_TEST_POSTGRES_DSN"):
        rows += [_chaos_row("postgres", seconds, seed, kills=True, fault=fault) for fault in FAULTS]
    print(f"### Crash runs (SIGKILL every 0.3-1 s, {seconds:g} s each, seed {seed})\n")
    columns = [*RACE_COLUMNS[:4], "kills", "re-sent", *RACE_COLUMNS[4:]]
    _table(rows, columns)


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="seconds per chaos run")
    parser.add_argument("--workers", type=int, default=3, help="worker processes per run")
    parser.add_argument("--seed", type=int, default=14, help="the chaos seed")
    parser.add_argument("--timeout", type=float, default=2.0, help="hang limit per input (s)")
    parser.add_argument("--faults", action="store_true", help="also run with races put back")
    parser.add_argument("--only", choices=("hostile", "races", "crash"), default="")
    args = parser.parse_args(argv)
    # The chaos module reads its worker count when imported.
    os.environ["ORDERCYCLE_CHAOS_WORKERS"] = str(args.workers)
    os.environ["ORDERCYCLE_CHAOS_SECONDS"] = str(args.seconds)
    sys.path.insert(0, str(REPO))
    if args.only in ("", "hostile"):
        hostile(args.timeout)
    if args.only in ("", "races"):
        concurrency(args.seconds, args.seed)
    if args.only in ("", "crash"):
        crash(args.seconds, args.seed, faults=args.faults)


if __name__ == "__main__":
    main()
