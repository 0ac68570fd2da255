"""Helpers shared by the benchmarks that run the real server (gunicorn on loopback)."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, no debug toolbar, manifest static files) on plain HTTP."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": env.get("ALLOWED_HOSTS") or "127.0.0.1,localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",  # production refuses the file one
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_HSTS_SECONDS": "0",
            "REDIS_URL": env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
            "DB_CONN_MAX_AGE": env.get("DB_CONN_MAX_AGE", "60"),
            "LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore::UserWarning",
        }
    )
    env.update(extra)
    return env


def stop_process_group(proc: subprocess.Popen | None) -> None:
    """SIGTERM the process group a benchmark started, SIGKILL it after 30 s."""
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _processes():
    """(pid, parent pid, the stat fields after the command name) of every process (Linux /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield int(entry.name), int(fields[1]), fields


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds of a process, its live children and the children it reaped
    (Linux /proc): e.g. gunicorn and its workers, or the PostgreSQL server and its backends."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid, ppid, fields in _processes():
        if pid == root_pid:
            total += sum(int(f) for f in fields[11:15]) / ticks  # utime stime cutime cstime
        elif ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children_cpu_seconds(root_pid: int) -> dict[int, float]:
    """User + system CPU seconds of each live child of a process (e.g. gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    return {pid: (int(fields[11]) + int(fields[12])) / ticks for pid, ppid, fields in _processes() if ppid == root_pid}


def postgres_server_pid(connection) -> int | None:
    """The PostgreSQL server's own process id, when it runs on this machine and we may read it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            data_directory = cursor.fetchone()[0]
        return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    except Exception:
        return None


class Gunicorn:
    """`gunicorn config.wsgi` on 127.0.0.1 with the given workers, threads and worker class."""

    def __init__(
        self,
        *,
        workers: int,
        threads: int,
        worker_class: str = "gthread",
        keep_alive: int = 5,
        worker_connections: int | None = None,
        env: dict | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            str(BIN / "gunicorn"),
            "--config",
            str(BASE_DIR / "config" / "gunicorn.conf.py"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            worker_class,
            "--keep-alive",
            str(keep_alive),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.describe = f"gunicorn -k {worker_class} -w {workers} --threads {threads}"
        if keep_alive != 5:
            self.describe += f" --keep-alive {keep_alive}"
        if worker_connections is not None:
            self.args += ["--worker-connections", str(worker_connections)]
            self.describe += f" --worker-connections {worker_connections}"
        self.env = env or server_env()
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, cwd=BASE_DIR, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/health/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not answer /health/ within 60 s")

    def __exit__(self, *exc):
        stop_process_group(self.proc)

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by the master and its workers."""
        return process_tree_cpu_seconds(self.proc.pid)

    def worker_cpu_seconds(self) -> dict[int, float]:
        """CPU seconds used so far by each worker process."""
        return children_cpu_seconds(self.proc.pid)


def emit(result: dict) -> None:
    """The one machine-readable line bench/run_all.py reads."""
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


class CeleryWorker:
    """`celery -A config worker` with the given concurrency, logging to `log`, until the block ends."""

    def __init__(self, *, env: dict, log: Path, concurrency: int = 1, name: str = "bench"):
        self.env, self.log = env, log
        self.args = [
            str(BIN / "celery"), "-A", "config", "worker", "-c", str(concurrency), "--pool", "prefork",
            "-l", "info", "-n", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
            "--without-heartbeat",
        ]  # fmt: skip
        self.describe = f"celery worker -c {concurrency}"
        self.proc = None

    def cpu_seconds(self) -> float:
        return process_tree_cpu_seconds(self.proc.pid)

    def __enter__(self):
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.args, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while b" ready." not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit("worker did not start:\n" + self.log.read_text(errors="replace")[-3000:])
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        stop_process_group(self.proc)
