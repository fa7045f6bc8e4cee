"""A throwaway PostgreSQL server for the tests and the SQL benchmark.

:func:`start` runs ``initdb`` and ``pg_ctl`` (from ``/usr/lib/postgresql/*/bin`` or
the ``PATH``) on a temporary data directory, listening on 127.0.0.1 only, on a free
port, with password authentication; :meth:`PgServer.stop` stops it and removes the
folder. No system service is touched. As root the server runs as ``nobody`` (PostgreSQL
refuses to run as root), with the folder owned by it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: The superuser's password of a throwaway server (a test secret, never a real one).
PASSWORD = "s3cret-Pw.42"
USER = "salesnb"

INSTALL_HINT = ("PostgreSQL is not installed: run `apt-get install -y postgresql` (Debian/Ubuntu), "
                "or let `bash .ci/run` install it")


def find_bin() -> Path | None:
    """Return the folder holding ``initdb`` and ``pg_ctl``; None when PostgreSQL is not installed."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").is_file() and Path(folder, "pg_ctl").is_file():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A running throwaway server."""

    bin: Path
    folder: Path
    port: int
    prefix: list[str]

    def url(self, database: str = "postgres", *, password: str | None = PASSWORD) -> str:
        """Return the SQLAlchemy URL of ``database`` (with the password unless ``password`` is None)."""
        auth = USER if password is None else f"{USER}:{password}"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database ``name``; return its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_user() -> list[str]:
    """Return the command prefix that runs the server unprivileged (``runuser -u nobody --`` as root)."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "nobody", "--"]


def start() -> PgServer:
    """Start a throwaway server; raise RuntimeError (with the server's log) when it does not come up."""
    pg_bin = find_bin()
    if pg_bin is None:
        raise FileNotFoundError(INSTALL_HINT)
    folder = Path(tempfile.mkdtemp(prefix="salesnb-pg-"))
    prefix = _as_user()
    if prefix:
        shutil.chown(folder, user="nobody")
    (folder / "pw").write_text(PASSWORD + "\n")
    if prefix:
        shutil.chown(folder / "pw", user="nobody")
    run = [*prefix, str(pg_bin / "initdb"), "-D", str(folder / "data"), "-U", USER, "--pwfile", str(folder / "pw"),
           "-A", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync"]
    done = subprocess.run(run, capture_output=True, text=True, check=False, cwd=folder)
    if done.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
    port = free_port()
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
    done = subprocess.run([*prefix, str(pg_bin / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"),
                           "-o", options, "-w", "-t", "60", "start"], capture_output=True, text=True, check=False,
                          cwd=folder)
    server = PgServer(pg_bin, folder, port, prefix)
    if done.returncode:
        log = (folder / "log").read_text(errors="replace")[-2000:] if (folder / "log").exists() else done.stderr
        server.stop()
        raise RuntimeError(f"pg_ctl start failed: {log}")
    return server
