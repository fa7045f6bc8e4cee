"""Timeline of a report pack, for ``bench_cluster.py trace`` (never imported by salesnb).

Put this folder first on ``PYTHONPATH`` and set ``SALESNB_TRACE=<file>``: every Python
process of the run (the CLI, Dask and runner workers, the zygote) then appends one JSON
line per event to that file: wall time, pid, the process's CPU seconds so far, the event
and the report's name where there is one. Functions are wrapped when their module is
first imported; nothing else changes. Without ``SALESNB_TRACE`` this file does nothing.
"""

from __future__ import annotations

import atexit
import functools
import importlib.abc
import importlib.util
import inspect
import json
import os
import sys
import time
from typing import Any

TRACE = os.environ.get("SALESNB_TRACE")

#: module -> (qualified name, how to name the report from the call's arguments)
WRAP: dict[str, list[tuple[str, str]]] = {
    "salesnb.report._pack": [("run_pack", ""), ("_run", ""), ("_stamp", ""), ("_Progress.start", "a1"),
                             ("_Progress.done", "a1")],
    "salesnb.report._pool": [("run_tasks", ""), ("Scheduler.run", ""), ("Scheduler.spawn", "")],
    "salesnb.report._zygote": [("Zygote.start", ""), ("Zygote.stop", "")],
    "distributed.deploy.local": [("LocalCluster.__init__", "")],
    "distributed.client": [("Client.__init__", ""), ("Client.register_plugin", ""),
                           ("Client.unregister_worker_plugin", ""), ("Client.close", "")],
    "distributed.deploy.cluster": [("Cluster.close", "")],
    "salesnb.report._cluster": [("run_tasks", ""), ("ClusterRun.run", ""),
                                ("ClusterRun.submit", "job"), ("ClusterRun.on_outcome", "job")],
    "salesnb.report._cluster_worker": [("run_report", "a0"), ("Service.__init__", ""), ("Service.close", "")],
    "salesnb.report._engine": [("serve", ""), ("build_exporter", ""), ("run_task", "a0"), ("_acquire", "a0"),
                               ("_execute", "a1"), ("_export", "a1"), ("_save", "a1"), ("reset_namespace", ""),
                               ("KernelPool._start", "")],
}


def emit(event: str, **fields: Any) -> None:
    """Append one event line (a small ``O_APPEND`` write: lines of processes do not mix)."""
    line = {"t": time.time(), "pid": os.getpid(), "cpu": time.process_time(), "ev": event, **fields}
    fd = os.open(TRACE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)  # type: ignore[arg-type]
    try:
        os.write(fd, (json.dumps(line) + "\n").encode())
    finally:
        os.close(fd)


def _name(how: str, args: tuple[Any, ...]) -> str | None:
    try:
        if how == "job":
            return str(args[1].task["name"])
        if how.startswith("a"):
            return str(args[int(how[1])]["name"])
    except Exception:  # a trace never breaks the run
        return None
    return None


def _wrapped(func: Any, label: str, how: str) -> Any:
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            name = _name(how, args)
            emit(label + ":in", name=name)
            try:
                return await func(*args, **kwargs)
            finally:
                emit(label + ":out", name=name)
        return run_async

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        name = _name(how, args)
        emit(label + ":in", name=name)
        try:
            return func(*args, **kwargs)
        finally:
            emit(label + ":out", name=name)
    return run


def _patch(module: Any) -> None:
    for qualname, how in WRAP[module.__name__]:
        owner, _, attr = qualname.rpartition(".")
        target = getattr(module, owner, None) if owner else module
        raw = inspect.getattr_static(target, attr, None)
        if raw is None:  # another version of the code: nothing to time there
            continue
        if isinstance(raw, classmethod):
            setattr(target, attr, classmethod(_wrapped(raw.__func__, qualname, how)))
        else:
            setattr(target, attr, _wrapped(raw, qualname, how))


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in WRAP:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        execute = loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            _patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if TRACE:
    emit("process:start", argv=" ".join(sys.argv[:3])[:200], ppid=os.getppid())
    atexit.register(lambda: emit("process:exit"))
    sys.meta_path.insert(0, _Finder())
