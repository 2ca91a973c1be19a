"""The processes a test run may start and must stop: nginx, PostgreSQL, the llama.cpp server
and the indexing worker, found by their command lines in /proc (Linux)."""

import re
import time
from pathlib import Path

# a PostgreSQL server, not its per-connection backends ("postgres: user db idle"), which a pool
# closes in its own time
KINDS = re.compile(r"\bnginx\b|\bpostgres\b(?!:)|llama_cpp\.server|multiprocessing\.spawn")


def running() -> dict[int, str]:
    """pid -> command line of every such process now running."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone while we looked, or not ours to read
            continue
        if cmdline and KINDS.search(cmdline):
            found[int(proc.name)] = cmdline
    return found


def left_behind(before: set[int], patience: float = 30.0) -> dict[int, str]:
    """Such processes not running at `before`, still running once `patience` seconds have
    passed for them to finish stopping (a bound on a hang, not a measure of speed)."""
    deadline = time.monotonic() + patience
    while True:
        left = {pid: cmd for pid, cmd in running().items() if pid not in before}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
