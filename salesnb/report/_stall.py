"""What a stalled kernel last said and what state it was in, kept in the pack.

A notebook that overruns its timeout is retried once (``_pool.MAX_ATTEMPTS``); a
rare stall under load has been seen that nothing explained. For every timed-out run
the worker writes ``<report>.stall-<attempt>.json`` next to the page: the last
messages sent and received on each kernel channel (type, ids, time, a short
content), the kernel process's state from ``/proc`` (run state, wait channel,
threads, CPU seconds) taken before it is killed, and the last lines of its log.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

#: Messages kept per channel and direction.
KEEP = 12
#: Characters of a message's content kept.
CONTENT_CHARS = 300


class ChannelLog:
    """Keeps the last messages of a kernel client's shell, iopub and control channels.

    Wraps the channels' ``get_msg`` and ``send`` on the client instance; the client
    behaves as before.
    """

    def __init__(self, kc: Any) -> None:
        self.kept: dict[str, collections.deque[dict[str, Any]]] = {}
        for name in ("shell", "iopub", "control"):
            channel = getattr(kc, f"{name}_channel", None)
            if channel is not None:
                self._wrap(name, channel)

    def _wrap(self, name: str, channel: Any) -> None:
        received = self.kept.setdefault(f"{name}_received", collections.deque(maxlen=KEEP))
        sent = self.kept.setdefault(f"{name}_sent", collections.deque(maxlen=KEEP))
        get_msg, send = channel.get_msg, getattr(channel, "send", None)

        async def logged_get_msg(*args: Any, **kwargs: Any) -> Any:
            msg = await get_msg(*args, **kwargs)
            received.append(summary(msg))
            return msg

        channel.get_msg = logged_get_msg
        if send is not None:
            def logged_send(msg: Any) -> Any:
                sent.append(summary(msg))
                return send(msg)

            channel.send = logged_send

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Return the kept messages by channel and direction, oldest first."""
        return {key: list(messages) for key, messages in self.kept.items()}


def summary(msg: Any) -> dict[str, Any]:
    """Return the short form of a kernel message kept in a stall report."""
    if not isinstance(msg, dict):
        return {"raw": str(msg)[:CONTENT_CHARS]}
    header, parent = msg.get("header") or {}, msg.get("parent_header") or {}
    content = json.dumps(msg.get("content", {}), default=str, ensure_ascii=False)
    return {
        "msg_type": header.get("msg_type"),
        "msg_id": header.get("msg_id"),
        "parent_msg_id": parent.get("msg_id"),
        "date": str(header.get("date") or dt.datetime.now(dt.UTC).isoformat()),
        "content": content[:CONTENT_CHARS],
    }


def process_state(pid: int) -> dict[str, Any]:
    """Return what ``/proc`` says of a process (empty where there is no ``/proc``)."""
    state: dict[str, Any] = {"pid": pid, "taken": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    proc = Path(f"/proc/{pid}")
    try:
        status = dict(line.split(":\t", 1) for line in (proc / "status").read_text().splitlines() if ":\t" in line)
    except OSError:
        state["alive"] = False
        return state
    state.update(alive=True, state=status.get("State", "").strip(), threads=status.get("Threads", "").strip(),
                 vm_rss=status.get("VmRSS", "").strip())
    try:
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        state["cpu_user_s"], state["cpu_system_s"] = int(fields[11]) / ticks, int(fields[12]) / ticks
        state["wchan"] = (proc / "wchan").read_text().strip()
    except (OSError, IndexError, ValueError):
        pass
    return state


def log_tail(path: str, *, lines: int = 20) -> list[str]:
    """Return the last ``lines`` lines of a kernel log."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 8192))
            return fh.read().decode("utf-8", "replace").splitlines()[-lines:]
    except OSError:
        return []


def write_report(folder: Path, name: str, record: dict[str, Any]) -> str:
    """Write a stall report into the pack folder; return its file name."""
    file_name = f"{name}.json"
    (folder / file_name).write_text(json.dumps(record, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return file_name
