"""The processes a test run may start and must stop: nginx, PostgreSQL, the llama.cpp server
and the indexing worker, found by their command lines in /proc (Linux).

A run's own are those below its process, and those handed to init (ppid 1) after it began: a
worker whose master was killed is reparented there. Another test run on the same machine, or a
server started before this one, is not this run's.
"""

import os
import re
import time
from pathlib import Path

# a PostgreSQL server, not its per-connection backends ("postgres: user db idle"), which a pool
# closes in its own time
KINDS = re.compile(r"\bnginx\b|\bpostgres\b(?!:)|llama_cpp\.server|multiprocessing\.spawn")


def _stat(pid: int | str) -> tuple[int, int]:
    """(parent pid, start time in clock ticks since boot) of a process."""
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), int(fields[19])


def running(root: int | None = None) -> dict[int, str]:
    """pid -> command line of every such process now running that is this run's (root: the
    test run's process, by default this one)."""
    root = os.getpid() if root is None else root
    began = _stat(root)[1]
    parents: dict[int, tuple[int, int]] = {}
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(proc.name)] = _stat(proc.name)
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):  # gone while we looked
            continue
        if cmdline and KINDS.search(cmdline):
            found[int(proc.name)] = cmdline

    def ours(pid: int) -> bool:
        seen = set()
        while pid in parents and pid not in seen:
            seen.add(pid)
            parent, started = parents[pid]
            if parent == root or (parent == 1 and started >= began):
                return True
            pid = parent
        return False

    return {pid: cmd for pid, cmd in found.items() if ours(pid)}


def left_behind(before: set[int], patience: float = 30.0) -> dict[int, str]:
    """Such processes not running at `before`, still running once `patience` seconds have
    passed for them to finish stopping (a bound on a hang, not a measure of speed)."""
    deadline = time.monotonic() + patience
    while True:
        left = {pid: cmd for pid, cmd in running().items() if pid not in before}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
