"""The kernel zygote: kernels forked from a process that has imported the pack's modules."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from salesnb.report import _zygote, run_pack

pytestmark = [pytest.mark.skipif(not _zygote.supported(), reason="kernels are forked only on Linux"), pytest.mark.slow]

#: Prints how this kernel was born, whether a heavy module was already imported and whether
#: the imports were frozen (the collector's permanent generation).
WHO_AM_I = (
    "import gc, os, sys\n"
    "parent = open(f'/proc/{os.getppid()}/cmdline', 'rb').read()\n"
    "print('born:', 'forked' if b'_zygote' in parent else 'launched', '| sklearn preloaded:', 'sklearn' in sys.modules)"
    "\nprint('imports frozen:', gc.get_freeze_count() > 10_000)"
)


def notebook(folder: Path, name: str, code: str) -> Path:
    cells = [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "outputs": [], "execution_count": None,
         "source": "lang: str = 'en'  # report language"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": code},
    ]
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def data_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "orders.csv").write_text("order_id\nO1\n", encoding="utf-8")
    return folder


def test_pack_kernels_are_forked_with_the_heavy_modules_already_imported(tmp_path):
    # The first kernels may be forked before the zygote finished importing (it serves
    # requests between imports); the first notebook waits so the last one cannot be.
    nbs = [notebook(tmp_path, "who0", "import time\ntime.sleep(5)\n" + WHO_AM_I),
           *(notebook(tmp_path, f"who{i}", WHO_AM_I) for i in (1, 2))]
    result = run_pack(nbs, data=str(data_folder(tmp_path / "d")), out=tmp_path / "out", jobs=1, progress=False)
    assert result.ok
    pages = [r.html_path.read_text(encoding="utf-8") for r in result.results]
    assert all("born: forked" in page for page in pages)
    assert "born: forked | sklearn preloaded: True" in pages[-1]
    # the zygote froze its imports before forking: a kernel's full collections skip them
    assert "imports frozen: True" in pages[-1]


def test_a_dead_zygote_costs_nothing_but_speed(tmp_path):
    kill_zygote = (
        "import os, signal, time\n"
        "os.kill(os.getppid(), signal.SIGKILL)  # this kernel's parent is the zygote\n"
        "time.sleep(2)\n"
        "print('kernel survived')"
    )
    nbs = [notebook(tmp_path, "a_kills", kill_zygote),
           *(notebook(tmp_path, f"b{i}", WHO_AM_I) for i in range(2))]
    result = run_pack(nbs, data=str(data_folder(tmp_path / "d")), out=tmp_path / "out", jobs=1, progress=False)
    assert result.ok, [r.error for r in result.results]
    pages = [r.html_path.read_text(encoding="utf-8") for r in result.results]
    assert "kernel survived" in pages[0]
    assert "born: launched" in pages[-1]  # no zygote left: the ordinary launch


def test_forked_kernel_status_and_stop(tmp_path):
    zygote = _zygote.Zygote.start(str(tmp_path), ["json"])
    assert zygote is not None
    try:
        def fork(*args: str, log: str) -> _zygote.ForkedProcess:
            argv = [sys.executable, "-c", "", *args]
            pid = asyncio.run(_zygote.fork_kernel(zygote.path, argv=argv, env=_zygote.kernel_env(),
                                                  cwd=str(tmp_path), log=str(tmp_path / log)))
            return _zygote.ForkedProcess(pid, str(tmp_path / log))

        helped = fork("--help", log="help.log")  # ipykernel prints its help and exits 0
        assert helped.wait(timeout=60) == 0
        assert "IPKernelApp" in (tmp_path / "help.log").read_text(encoding="utf-8", errors="replace")

        kernel = fork("-f", str(tmp_path / "conn.json"), log="kernel.log")  # a real, idle kernel
        assert kernel.poll() is None
        assert os.getpgid(kernel.pid) == kernel.pid  # its own session: killpg reaches it alone
        kernel.send_signal(signal.SIGKILL)
        assert kernel.wait(timeout=30) == -signal.SIGKILL
    finally:
        zygote.stop()
    assert zygote.process.poll() is not None  # it ends when the runner closes its stdin
    with pytest.raises(OSError):
        asyncio.run(_zygote.fork_kernel(zygote.path, argv=[sys.executable, "-c", ""], env={}, cwd=".",
                                        log=str(tmp_path / "x.log"), timeout=5))


def test_bad_request_is_answered_not_fatal(tmp_path):
    zygote = _zygote.Zygote.start(str(tmp_path), [])
    assert zygote is not None
    try:
        with pytest.raises(OSError, match="could not fork"):
            asyncio.run(_zygote.fork_kernel(zygote.path, argv=["not-python"], env={}, cwd=".",
                                            log=str(tmp_path / "x.log")))
        assert zygote.process.poll() is None  # still serving
    finally:
        zygote.stop()


def test_modules_next_to_a_notebook_are_not_preloaded(tmp_path):
    from salesnb.report import _notebooks

    (tmp_path / "helpers").mkdir()  # a package next to the notebook ...
    (tmp_path / "helpers" / "__init__.py").write_text("VALUE = 'next to the notebook'\n", encoding="utf-8")
    (tmp_path / "calendar.py").write_text("VALUE = 'next to the notebook'\n", encoding="utf-8")  # ... shadowing
    code = "import calendar, helpers, textwrap\nprint(helpers.VALUE, '|', getattr(calendar, 'VALUE', 'stdlib'))"
    nb = _notebooks.load_notebook(notebook(tmp_path, "local", code))
    preload = _notebooks.preload([nb])
    assert "textwrap" in preload and "sklearn.ensemble" in preload
    assert "calendar" not in preload and "helpers" not in preload
    result = run_pack([nb.path], data=str(data_folder(tmp_path / "d")), out=tmp_path / "out", jobs=1, progress=False)
    page = result.results[0].html_path.read_text(encoding="utf-8")
    assert "next to the notebook | " in page


def test_a_forked_kernel_that_does_not_come_up_is_launched_the_ordinary_way(tmp_path, monkeypatch):
    import socket
    import subprocess
    import threading

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that is no kernel: as if the forked child had died at once
    path = str(tmp_path / "fake.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.makefile("rb").readline()
                conn.sendall((json.dumps({"pid": gone.pid}) + "\n").encode())

    threading.Thread(target=answer, daemon=True).start()

    class Fake:
        def __init__(self) -> None:
            self.path = path

        def stop(self) -> None:
            server.close()

    monkeypatch.setattr(_zygote.Zygote, "start", classmethod(lambda cls, folder, modules: Fake()))
    nbs = [notebook(tmp_path, f"who{i}", WHO_AM_I) for i in range(2)]
    result = run_pack(nbs, data=str(data_folder(tmp_path / "d")), out=tmp_path / "out", jobs=1, progress=False)
    assert result.ok, [r.error for r in result.results]
    assert all("born: launched" in r.html_path.read_text(encoding="utf-8") for r in result.results)
