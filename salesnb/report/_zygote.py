"""A fork server for batch kernels (a "zygote").

Starting a kernel the usual way costs a new interpreter plus the imports every
report needs (ipykernel, pandas, matplotlib, scikit-learn, statsforecast, ...): about
2-4 s of CPU per kernel, paid again for every notebook of a pack. The zygote pays it
once per pack: a process that imports those modules, runs no other code, and forks a
child for each kernel the workers ask for (while it has no Python thread but its main
one; native pools such as OpenBLAS's are fork-safe). The child starts its own
session, points its standard streams at the kernel log, takes the environment and
working directory of the request and runs ``ipykernel`` exactly as the normal launch
command would. Memory is shared copy-on-write; a forked kernel is ready as fast as a
bare one (~0.4 s) with everything already imported, and holds no state but modules.

Protocol: one Unix-socket connection per kernel. The client sends one JSON line
``{"argv": [...], "env": {...}, "cwd": "...", "log": "...", "watch": <worker pid>}``
and reads one JSON line ``{"pid": N}`` (or ``{"error": "..."}``). The zygote reaps its children and writes
each exit status to ``<log>.exit`` so a non-parent can read it. It serves requests
between its preload imports (early kernels get what is imported so far) and exits
when its standard input closes (the runner ended or died). A kernel does not depend on
the zygote once forked: it ends when the worker that asked for it ends (``watch``), as
an ordinarily launched kernel ends with its parent. Should the zygote die, workers
start further kernels the ordinary way.

This module is imported by the runner's main process and workers; it imports
nothing heavy itself. The server side (:func:`main`) runs only in the zygote.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

from salesnb.config import KEEP_DATA_ENV

#: Modules the zygote imports after ipykernel and the notebooks' own imports: the heavy
#: libraries salesnb imports lazily inside its analyses. Missing ones are skipped.
HEAVY_MODULES = (
    "scipy.stats",
    "sklearn.ensemble",
    "sklearn.linear_model",
    "sklearn.model_selection",
    "sklearn.pipeline",
    "statsforecast.models",
)
#: Longest Unix socket path the platforms we run on accept (108 bytes with the NUL).
MAX_SOCKET_PATH = 100
#: Code the zygote process runs (``python -c``); argv: listening socket fd, JSON module list.
SERVER_CODE = (
    "import sys\n"
    "if sys.path and sys.path[0] == '':\n"
    "    del sys.path[0]\n"
    "sys.modules['debugpy'] = None\n"
    "from salesnb.report import _zygote\n"
    "_zygote.main(sys.argv[1], sys.argv[2])\n"
)


def supported() -> bool:
    """Return whether kernels can be forked here.

    True on Linux (POSIX with ``fork``); not on macOS, where forking a process that
    loaded system frameworks is unsafe.
    """
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def kernel_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a batch kernel (and of the zygote that forks kernels)."""
    env = dict(os.environ if base is None else base)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env[KEEP_DATA_ENV] = "1"  # a kernel keeps its dataset for its next page (salesnb.data.kept)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("TQDM_DISABLE", "1")  # read when tqdm is imported, which may be in the zygote
    return env


# ---------------------------------------------------------------------- runner side


class Zygote:
    """Handle on a running zygote process (owned by the runner's main process)."""

    def __init__(self, process: subprocess.Popen[bytes], path: str) -> None:
        self.process = process
        self.path = path

    @classmethod
    def start(cls, folder: str, modules: list[str]) -> Zygote | None:
        """Start a zygote serving at ``<folder>/zygote.sock``; None where unsupported."""
        path = os.path.join(folder, "zygote.sock")
        if not supported() or len(path) > MAX_SOCKET_PATH:
            return None
        # Bound and listening before the zygote starts: early requests queue up instead
        # of finding no socket.
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        log = open(os.path.join(folder, "zygote.log"), "wb")  # noqa: SIM115 - handed to the child
        try:
            sock.bind(path)
            sock.listen(64)
            process = subprocess.Popen(
                [sys.executable, "-c", SERVER_CODE, str(sock.fileno()), json.dumps(list(modules))],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=kernel_env(),
                pass_fds=[sock.fileno()],
                start_new_session=True,  # Ctrl-C in the terminal is the runner's to handle
            )
        except OSError:
            return None
        finally:
            log.close()
            sock.close()
        return cls(process, path)

    def stop(self) -> None:
        """End the zygote (closing its stdin; killed if it lingers).

        Its kernels are not touched here: the workers own and stop them.
        """
        with contextlib.suppress(OSError):
            if self.process.stdin:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)


async def fork_kernel(path: str, *, argv: list[str], env: dict[str, str], cwd: str, log: str,
                      timeout: float = 30.0) -> int:
    """Ask the zygote at ``path`` for a kernel; return its pid.

    Raises ``OSError`` when the zygote cannot be reached or refuses (the caller then
    starts the kernel the ordinary way).
    """
    request = json.dumps({"argv": argv, "env": env, "cwd": cwd, "log": log, "watch": os.getpid(),
                          "deadline": time.time() + timeout}) + "\n"
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(path), timeout)
        try:
            writer.write(request.encode())
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), timeout)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
    except TimeoutError as exc:
        raise OSError(f"the kernel zygote did not answer within {timeout:g} s") from exc
    try:
        answer = json.loads(line or b"{}")
    except ValueError as exc:
        raise OSError("the kernel zygote sent an unreadable answer") from exc
    if "pid" not in answer:
        raise OSError(f"the kernel zygote could not fork: {answer.get('error', 'no answer')}")
    return int(answer["pid"])


class ForkedProcess:
    """A ``subprocess.Popen``-like view of a kernel forked by the zygote.

    The kernel is the zygote's child, not ours: liveness comes from ``/proc`` (a
    zombie counts as ended) and the exit status from the ``<log>.exit`` file the
    zygote writes when it reaps the kernel.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, log: str) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._exit_file = Path(f"{log}.exit")

    def poll(self) -> int | None:
        if self.returncode is None and not _alive(self.pid):
            self.returncode = self._read_exit()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def _read_exit(self) -> int:
        for _ in range(50):  # the zygote writes the file right after reaping
            with contextlib.suppress(OSError, ValueError):
                return int(self._exit_file.read_text().strip())
            time.sleep(0.01)
        return -1


def _alive(pid: int) -> bool:
    """Return True while ``pid`` runs (not ended, not a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    # "pid (comm) S ...": the state follows the last ')' (comm may hold spaces or parens)
    state = stat[stat.rfind(b")") + 2: stat.rfind(b")") + 3]
    return state not in (b"Z", b"X", b"")


# ---------------------------------------------------------------------- zygote side


def main(fd: str, modules_json: str) -> None:  # pragma: no cover - runs in the zygote process
    """Serve fork requests on the listening socket ``fd``; preload ``modules_json`` in between."""
    server = _Server(socket.socket(fileno=int(fd)))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, server.reap)
    for name in ["ipykernel.kernelapp", *json.loads(modules_json)]:
        if not server.serve(block=False):
            os._exit(0)
        # a module that fails to import is the notebook's business, not the zygote's
        with contextlib.suppress(BaseException):
            __import__(name)
    while server.serve(block=True):
        pass
    os._exit(0)


def _hung_up(conn: socket.socket) -> bool:  # pragma: no cover - runs in the zygote process
    """Return True when the client closed its end (a peek reads end-of-file without waiting)."""
    timeout = conn.gettimeout()
    conn.setblocking(False)
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True
    finally:
        conn.settimeout(timeout)


def _watch(pid: int) -> None:  # pragma: no cover - runs in a forked kernel
    """End this process within a second of ``pid`` ending (a daemon thread)."""
    if pid <= 1:
        return

    def run() -> None:
        while _alive(pid):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=run, name="salesnb-watch-worker", daemon=True).start()


def _redirect_streams(log: str) -> None:  # pragma: no cover - runs in a forked kernel
    """Point stdin at /dev/null and stdout/stderr at the kernel log."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.close(null)


def _launch_kernel(argv: list[str]) -> None:  # pragma: no cover - runs in a forked kernel
    """Run ipykernel with the arguments of the launch command ``<python> -c <code> ...``."""
    args = [*argv[3:], "--IPKernelApp.parent_handle=0"]
    sys.argv = ["ipykernel_launcher", *args]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=args)


class _Server:  # pragma: no cover - runs in the zygote process
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.logs: dict[int, str] = {}
        self.env_at_start = dict(os.environ)

    def serve(self, *, block: bool) -> bool:
        """Answer every pending request; False when the runner is gone (stdin closed)."""
        while True:
            ready, _, _ = select.select([self.sock, sys.stdin.fileno()], [], [], None if block else 0)
            if not ready:
                return True
            if sys.stdin.fileno() in ready and not os.read(sys.stdin.fileno(), 4096):
                return False
            if self.sock in ready:
                conn, _ = self.sock.accept()
                with conn:
                    self._answer(conn)  # the fork's child closes its copy of conn
            if block:
                return True

    def _answer(self, conn: socket.socket) -> None:

        conn.settimeout(10)
        try:
            with conn.makefile("rb") as fh:
                request = json.loads(fh.readline())
            # A client that gave up (it starts the kernel itself) must not get a second
            # kernel on the same connection file.
            if time.time() > float(request.get("deadline") or "inf") or _hung_up(conn):
                return
            if threading.active_count() > 1:  # something imported started a thread: forking is unsafe
                raise RuntimeError("the zygote has threads; start kernels the ordinary way")
            pid = self._fork(request, conn)
            answer: dict[str, Any] = {"pid": pid}
        except Exception as exc:  # reported to the client, which falls back
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        with contextlib.suppress(OSError):
            conn.sendall((json.dumps(answer) + "\n").encode())

    def _fork(self, request: dict[str, Any], conn: socket.socket) -> int:
        """Fork the kernel ``request`` asks for; return its pid (in the zygote only)."""
        argv, log = list(request["argv"]), str(request["log"])
        if len(argv) < 3 or argv[1] != "-c":
            raise ValueError("expected a '<python> -c <code> ...' kernel command")
        sys.stdout.flush()
        sys.stderr.flush()
        # What is imported so far moves to the collector's permanent generation: a
        # kernel's full collections then skip those ~260,000 objects (each of the three
        # in a rep page's namespace reset took ~0.35 s of CPU, now a few ms), and they do
        # not write to the pages it shares with the zygote.
        gc.freeze()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid:
            self.logs[pid] = log
            os.close(ready_w)
            os.read(ready_r, 1)  # the child has its own session: killpg(pid) reaches it
            os.close(ready_r)
            return pid
        self._become_kernel(request, conn, (ready_r, ready_w))  # the child: never returns

    def _become_kernel(self, request: dict[str, Any], conn: socket.socket, ready: tuple[int, int]) -> NoReturn:
        """Turn the forked child into the kernel: own session, log, environment, ipykernel."""
        code = 1
        try:
            ready_r, ready_w = ready
            os.close(ready_r)
            os.setsid()
            os.write(ready_w, b"1")
            os.close(ready_w)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.sock.close()
            conn.close()
            _redirect_streams(str(request["log"]))
            os.chdir(request["cwd"])
            self._adopt_env(request["env"])
            # a fresh kernel seeds numpy's global generator from the OS; so does a forked one
            if "numpy.random" in sys.modules:
                sys.modules["numpy.random"].seed()
            # The kernel lives as long as the worker that asked for it (not the zygote,
            # its parent): ipykernel's own parent poller only watches the parent.
            _watch(int(request.get("watch") or 0))
            _launch_kernel(list(request["argv"]))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # last words go to the kernel log
            import traceback

            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    def _adopt_env(self, env: dict[str, str]) -> None:
        """Take the requested environment, keeping what the preloaded modules set at import."""
        # what the preloaded modules set at import (e.g. scikit-learn's KMP_* values) stays
        gained = {k: v for k, v in os.environ.items() if self.env_at_start.get(k) != v}
        os.environ.clear()
        os.environ.update(env)
        for key, value in gained.items():
            os.environ.setdefault(key, value)

    def reap(self, signum: int, frame: Any) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            log = self.logs.pop(pid, None)
            if log:
                with contextlib.suppress(OSError):
                    Path(f"{log}.exit").write_text(str(os.waitstatus_to_exitcode(status)))
