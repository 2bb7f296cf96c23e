"""Command line: ``python -m ordercycle demo | simulate``.

The CLI only parses arguments and prints; the work is done by the library. The demo runs
the whole order-to-cash story with :class:`~ordercycle.service.OrderDesk` on SQLite
(:mod:`ordercycle.examples.story`), then shows the building blocks chapter by chapter
(:mod:`ordercycle.examples.demo`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ordercycle import __version__

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m ordercycle``."""
    parser = argparse.ArgumentParser(
        prog="python -m ordercycle",
        description="ordercycle: the order-to-cash cycle as a Python library.",
    )
    parser.add_argument("--version", action="version", version=f"ordercycle {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    demo = commands.add_parser(
        "demo", help="tell the order-to-cash story with what the library can do today"
    )
    demo.add_argument(
        "--width", type=int, default=78, help="report width in characters (default 78)"
    )
    demo.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="storage to run the story in: a SQLite file path, sqlite:///PATH,"
        " postgresql://..., sqlalchemy+DIALECT://... or memory: (default: a temporary"
        " SQLite file)",
    )
    from ordercycle.simulation.cli import add_simulate_parser

    add_simulate_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from ordercycle.examples.demo import run_demo
        from ordercycle.storage import UnknownStorageURLError

        try:
            sys.stdout.write(run_demo(width=args.width, db=args.db))
        except UnknownStorageURLError as error:
            sys.stderr.write(f"python -m ordercycle demo: --db: {error}\n")
            return 2
        return 0
    if args.command == "simulate":
        from ordercycle.simulation.cli import run_simulate

        return run_simulate(args)
    return 2  # pragma: no cover - argparse rejects unknown commands first
