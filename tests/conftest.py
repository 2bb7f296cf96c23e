"""A throwaway PostgreSQL server for the suite, started by pytest itself.

The PostgreSQL tests read ``ORDERCYCLE_TEST_POSTGRES_DSN``. When it is not set and the
server binaries are installed (``pg_config --bindir``, ``/usr/lib/postgresql/*/bin`` or
``initdb`` on ``PATH``; ``ORDERCYCLE_TEST_POSTGRES_BIN`` names the directory instead),
``pytest_configure`` runs ``initdb`` in a temporary directory, starts the server on a
free loopback port, creates a database and sets the variable; ``pytest_unconfigure``
stops the server and removes the directory. PostgreSQL refuses to run as root, so as
root the server binaries run as the ``postgres`` user (or ``nobody``), which owns the
directory. When the variable is already set (CI sets it with ``.ci/postgres.sh``),
nothing is started. Without a server the tests that use the
:func:`postgres_dsn` fixture skip, all from one place, so ``-ra`` reports them on one
line that says how to enable them.

Setting ``ORDERCYCLE_TEST_POSTGRES_BIN=/nonexistent`` hides the binaries (to see the
suite as a machine without PostgreSQL would).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import attrs
import pytest

# Hypothesis imports its patch writer (hypothesis.extra._patching, through libcst) only when
# a test fails, inside a report hook; libcst then builds a mypy_extensions.TypedDict, whose
# DeprecationWarning is an error under -W error and turns the failure into a pluggy
# INTERNALERROR that hides it. Importing it here, with that warning silenced, makes the
# hook's import a no-op, so a failing property test reports its failing example.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "mypy_extensions.TypedDict", DeprecationWarning)
    with contextlib.suppress(ImportError):
        import hypothesis.extra._patching  # noqa: F401

DSN_VARIABLE = "ORDERCYCLE_TEST_POSTGRES_DSN"
BIN_VARIABLE = "ORDERCYCLE_TEST_POSTGRES_BIN"
HOW_TO_ENABLE = (
    f"PostgreSQL tests skipped: install the PostgreSQL server binaries (initdb, pg_ctl;"
    f" e.g. apt-get install postgresql) and pytest starts a throwaway server, or set"
    f' {DSN_VARIABLE} to a DSN (as root: eval "$(.ci/postgres.sh)")'
)
_ROLE = "ordercycle"
_DATABASE = "ordercycle_test"
_UNPRIVILEGED_USERS = ("postgres", "nobody")


@attrs.frozen
class _Server:
    """A running throwaway server: where it lives and how to stop it."""

    bindir: Path
    home: Path
    prefix: tuple[str, ...]
    dsn: str
    port: int

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    def stop(self) -> None:
        """Stop the server (fast) and remove its directory; safe to call twice."""
        if (self.datadir / "postmaster.pid").exists():
            command = [*self.prefix, str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir)]
            with contextlib.suppress(OSError):  # no runuser: the server never started either
                subprocess.run(
                    [*command, "-m", "fast", "-w", "-t", "60"], capture_output=True, check=False
                )
        shutil.rmtree(self.home, ignore_errors=True)


def _bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or ``None``."""
    named = os.environ.get(BIN_VARIABLE, "").strip()
    candidates: list[Path] = []
    if named:
        candidates.append(Path(named))
    else:
        pg_config = shutil.which("pg_config")
        if pg_config:
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=False
            )
            if found.returncode == 0:
                candidates.append(Path(found.stdout.strip()))
        # Newest version first: /usr/lib/postgresql/<major>/bin on Debian and Ubuntu.
        versions = glob.glob("/usr/lib/postgresql/*/bin")
        candidates += [Path(p) for p in sorted(versions, key=_major, reverse=True)]
        initdb = shutil.which("initdb")
        if initdb:
            candidates.append(Path(initdb).parent)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return directory
    return None


def _major(path: str) -> int:
    name = Path(path).parent.name
    return int(name) if name.isdigit() else 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_unprivileged(home: Path) -> tuple[str, ...]:
    """The command prefix that runs the server binaries as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return ()
    for user in _UNPRIVILEGED_USERS:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        for path in (home, *home.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return ("runuser", "-u", user, "--")
    raise RuntimeError(f"running as root and none of the users {_UNPRIVILEGED_USERS} exists")


def _start(bindir: Path) -> _Server:
    """initdb, start and create the test database; removes everything if a step fails."""
    home = Path(tempfile.mkdtemp(prefix="ordercycle-pg-"))
    home.chmod(0o755)  # the server's user must reach its data and socket directories
    password = secrets.token_hex(16)
    (home / "pwfile").write_text(password + "\n")
    (home / "pwfile").chmod(0o600)
    (home / "run").mkdir()
    port = _free_port()
    dsn = f"postgresql://{_ROLE}:{password}@127.0.0.1:{port}/{_DATABASE}"
    server = _Server(bindir, home, (), dsn, port)
    try:
        server = attrs.evolve(server, prefix=_as_unprivileged(home))
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port}"
            f" -c unix_socket_directories={home / 'run'} -c fsync=off"
        )
        steps = [
            [
                str(bindir / "initdb"),
                "-D",
                str(server.datadir),
                f"--username={_ROLE}",
                f"--pwfile={home / 'pwfile'}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            [
                str(bindir / "pg_ctl"),
                "start",
                "-D",
                str(server.datadir),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "-l",
                str(home / "server.log"),
            ],
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", _ROLE, _DATABASE],
        ]
        for step in steps:
            done = subprocess.run(
                [*server.prefix, *step],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PGPASSWORD": password},
            )
            if done.returncode != 0:
                detail = (done.stderr or done.stdout).strip().splitlines()[-1:]
                raise RuntimeError(f"{Path(step[0]).name} failed: {' '.join(detail)}")
    except BaseException:
        server.stop()
        raise
    return server


_server_key = pytest.StashKey[_Server]()
_unavailable_key = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Start a throwaway server before collection, unless a DSN is given or no binaries."""
    if _dsn():
        return
    bindir = _bindir()
    if bindir is None:
        config.stash[_unavailable_key] = HOW_TO_ENABLE
        return
    _interrupt_on_sigterm()
    try:
        server = _start(bindir)
    except (OSError, RuntimeError) as error:
        config.stash[_unavailable_key] = (
            f"PostgreSQL tests skipped: could not start a throwaway server from {bindir}"
            f" ({error}); set {DSN_VARIABLE} to a DSN instead"
        )
        return
    atexit.register(server.stop)  # also when pytest_unconfigure is never reached
    config.stash[_server_key] = server
    os.environ[DSN_VARIABLE] = server.dsn


def _interrupt_on_sigterm() -> None:
    """Let a SIGTERM (a CI timeout, ``kill``) stop pytest like Ctrl-C, so the server stops.

    By default SIGTERM ends Python at once, skipping ``pytest_unconfigure`` and ``atexit``.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the throwaway server and remove its directory."""
    server = config.stash.get(_server_key, None)
    if server is not None:
        del config.stash[_server_key]
        os.environ.pop(DSN_VARIABLE, None)
        server.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    """One header line saying which PostgreSQL server the tests use, if any."""
    server = config.stash.get(_server_key, None)
    if server is not None:
        return f"postgresql: throwaway server from {server.bindir} on 127.0.0.1:{server.port}"
    if _dsn():
        return f"postgresql: the server named by {DSN_VARIABLE}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the tests that need PostgreSQL when there is none, all from this one place.

    Skipped here rather than in :func:`postgres_dsn`, because pytest reports a fixture's
    skip at each test's own line, and ``-ra`` would then list one line per test.
    """
    if "postgres_dsn" in getattr(item, "fixturenames", ()) and not _dsn():
        pytest.skip(item.config.stash.get(_unavailable_key, HOW_TO_ENABLE))


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The DSN of the PostgreSQL server for the tests (those without one are skipped)."""
    return _dsn()


def _dsn() -> str:
    return os.environ.get(DSN_VARIABLE, "").strip()
