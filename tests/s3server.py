"""A real S3-compatible server for the tests: moto's standalone server (`moto[server]` in
requirements-dev.txt) in a child process on a free loopback port, one bucket per test.

The server is started once per session by the `s3_server` fixture (tests/conftest.py) and
stopped by its own process group id; a test without it skips with the reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
ACCESS_KEY, SECRET_KEY, REGION = "jiebang-test", "jiebang/test+secret", "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class S3Server:
    endpoint: str
    proc: subprocess.Popen
    log: Path

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        name = f"jiebang-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def storage_url(self, bucket: str, prefix: str = "") -> str:
        """FILE_STORAGE_URL of `bucket` (the secret percent-encoded, as the README says)."""
        host = self.endpoint.removeprefix("http://")
        path = f"{bucket}/{prefix}" if prefix else bucket
        return (
            f"s3+http://{ACCESS_KEY}:{SECRET_KEY.replace('/', '%2F').replace('+', '%2B')}@{host}/{path}?region={REGION}"
        )

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start(log: Path) -> S3Server:
    """Start moto_server on 127.0.0.1 and wait until it answers; raises RuntimeError if it cannot."""
    if not MOTO_SERVER.exists():
        raise RuntimeError(f"{MOTO_SERVER.name} is not installed (pip install -r requirements-dev.txt)")
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = S3Server(endpoint=f"http://127.0.0.1:{port}", proc=proc, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("the S3 server did not start:\n" + log.read_text(errors="replace")[-2000:])
