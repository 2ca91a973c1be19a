"""A class's setup on this one machine, for the load test and its test: app replicas (app.py,
each its own process and data folder) on one PostgreSQL, behind Debian's nginx with the
config we ship (deploy/nginx-coach.conf, sticky), everything on 127.0.0.1, candidates logging
in from a users file. Every wait is for a process to answer, bounded only to catch a hang.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.storage import users

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "deploy" / "nginx-coach.conf"
HANG = 300.0  # seconds a process may take to answer before it is called hung (not a speed bound)
# which replica served which browser, per request: the test reads it to see who moved where
# ($upstream_addr lists every replica tried, "a, b", so it goes last, in brackets)
LOG = "log_format coach '$cookie_coach_replica $coach_replica $status $request_method $uri [$upstream_addr]';"


@dataclass
class Replica:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Cluster:
    url: str  # nginx's
    folder: Path
    database_url: str
    users_file: Path
    env: dict[str, str]  # what each replica runs with, for a CLI run against the same setup
    replicas: list[Replica] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    def kill(self, n: int) -> None:
        """kill -9 replica n: no shutdown, no flush; what is in the database is all there is."""
        replica = self.replicas[n]
        replica.process.send_signal(signal.SIGKILL)
        replica.process.wait(timeout=HANG)

    def served(self) -> list[tuple[str, int]]:
        return served(self.folder)

    def stop(self) -> None:
        for p in [r.process for r in self.replicas]:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=HANG)
        if self.nginx:
            stop_nginx(self.nginx)


def stop_nginx(nginx: subprocess.Popen[bytes]) -> None:
    """nginx's master and its worker, both gone. SIGKILL to the master alone left the worker
    running, reparented and still listening (a CI run left one behind): the master is asked to
    stop (SIGTERM: it stops its workers, waits for them and exits last), then whatever of its
    process group remains (a hung master, the workers of one that died some other way) is
    killed. The master is reaped only after that, so its pid, the group's id, cannot have been
    reused by then."""
    if nginx.returncode is None:
        if not _exited(nginx.pid, 0):
            os.kill(nginx.pid, signal.SIGTERM)  # not terminate(): that reaps a master that died
            _exited(nginx.pid, HANG)
        try:
            os.killpg(nginx.pid, signal.SIGKILL)  # its own group (start_new_session): only nginx's
        except ProcessLookupError:
            pass
    nginx.wait(timeout=HANG)


def _exited(pid: int, timeout: float) -> bool:
    """Whether child `pid` exited within `timeout` seconds; it is left unreaped (WNOWAIT)."""
    deadline = time.monotonic() + timeout
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def served(folder: Path) -> list[tuple[str, int]]:
    """(the browser's sticky key, the replica's port) for each request nginx passed on."""
    out = []
    for line in (folder / "access.log").read_text().splitlines():
        cookie, key = line.split()[:2]
        ports = re.findall(r":(\d+)", line[line.rindex("[") :])
        if ports:  # the last one tried is the one that answered
            out.append((key if cookie == "-" else cookie, int(ports[-1])))
    return out


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    return found


def start(
    folder: Path,
    replicas: int,
    database_url: str,
    logins: dict[str, str],
    embedder: str = "fake",
    extra_env: dict[str, str] | None = None,
) -> Cluster:
    """Starts the replicas and nginx in front of them; returns once every one answers."""
    folder.mkdir(parents=True, exist_ok=True)
    users_file = folder / "users"
    for name, password in logins.items():
        users.add(users_file, name, password)
    env = {
        **os.environ,
        "COACH_DATABASE_URL": database_url,
        "COACH_USERS_FILE": str(users_file),
        "COACH_EMBEDDER": embedder,
        "COACH_LLM": "fake",
        **(extra_env or {}),
    }
    cluster = Cluster("", folder, database_url, users_file, env)
    try:
        for n in range(replicas):
            port = free_port()
            log = folder / f"replica-{n}.log"
            own = {**env, "COACH_DATA_DIR": str(folder / f"replica-{n}"), "COACH_PORT": str(port)}
            with open(log, "wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "app.py"], cwd=ROOT, env=own, stdout=out, stderr=subprocess.STDOUT
                )
            cluster.replicas.append(Replica(port, process, log))
        for replica in cluster.replicas:
            _wait_up(replica.process, f"http://127.0.0.1:{replica.port}/", replica.log)
        cluster.url, cluster.nginx = front(folder, [r.port for r in cluster.replicas])
    except BaseException:
        cluster.stop()
        raise
    return cluster


def front(folder: Path, ports: list[int]) -> tuple[str, subprocess.Popen[bytes]]:
    """nginx with the shipped config in front of the replicas on `ports`; its URL, once it answers."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = _nginx_conf(folder, port, ports)
    with open(folder / "nginx.log", "wb") as out:
        nginx = subprocess.Popen(
            [nginx_binary(), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, so stop_nginx() gets its worker too
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_up(nginx, url, folder / "error.log")
    except BaseException:
        stop_nginx(nginx)
        raise
    return url, nginx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _nginx_conf(folder: Path, port: int, ports: list[int]) -> Path:
    """The shipped config, its replicas and port swapped for ours, inside a main config that
    keeps nginx in the foreground and every file of it in `folder`."""
    shipped = SHIPPED.read_text()
    lines = re.findall(r"^ *server 127\.0\.0\.1:\d+ (.*);$", shipped, flags=re.M)
    assert lines and "listen 80;" in shipped, "deploy/nginx-coach.conf no longer looks as this expects"
    servers = "".join(f"    server 127.0.0.1:{p} {lines[0]};\n" for p in ports)
    ours = re.sub(r"(^ *server 127\.0\.0\.1:\d+ .*;\n)+", servers, shipped, flags=re.M)
    (folder / "coach.conf").write_text(ours.replace("listen 80;", f"listen 127.0.0.1:{port};"))
    temps = ""
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "temp" / temp).mkdir(parents=True, exist_ok=True)
        temps += f"    {temp}_temp_path {folder}/temp/{temp};\n"
    main = folder / "nginx.conf"
    main.write_text(
        f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n    include {folder}/coach.conf;\n    {LOG}\n    access_log {folder}/access.log coach;\n"
        f"{temps}}}\n"
    )
    return main


def _wait_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{url} exited ({process.returncode}) before answering:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except urllib.error.HTTPError as e:
            if e.code in (401, 403):  # up, and asking who we are
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer within {HANG:.0f} s")
