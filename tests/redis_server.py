"""A real Redis server on a free loopback port, started and stopped by the tests.

`.ci/run` installs Debian's ``redis-server``. Without it, `redis_or_nothing` gives ``None``
(the Celery tests then use brokers that need no server), except under ``CI``, where a missing
Redis fails the run rather than skip what it tests.
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

#: How long a Redis server may take to answer its first PING.
START_TIMEOUT = 30.0


def free_port() -> int:
    """Give a loopback TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def redis_executable() -> str | None:
    """Give the path of ``redis-server``; fail under CI if there is none, else give None."""
    found = shutil.which("redis-server")
    if found is None and os.environ.get("CI"):
        pytest.fail(
            "CI is set and redis-server is not on PATH: .ci/run installs Debian's redis-server "
            "(apt-get install redis-server); the Celery tests need a real Redis under CI"
        )
    return found


@contextmanager
def redis_server(directory: Path) -> Generator[str]:
    """Run ``redis-server`` on a free loopback port, without persistence; give its URL.

    Its output goes to ``redis.log`` in ``directory``; a server that does not start raises
    `RuntimeError` with it.
    """
    executable = redis_executable()
    if executable is None:
        raise FileNotFoundError("redis-server is not on PATH")
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "redis.log"
    for _ in range(5):  # another process may take the free port first
        port = free_port()
        with log.open("ab") as output:
            process = subprocess.Popen(  # noqa: S603 -- our own arguments
                [
                    executable,
                    *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)),
                    *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if _answers(process, port):
            break
        process.kill()
        process.wait()
    else:
        raise RuntimeError(f"redis-server did not start:\n{log.read_text(errors='replace')}")
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(process: "subprocess.Popen[bytes]", port: int) -> bool:
    """Wait until the server answers PING: True; or until it exited: False."""
    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                return bool(client.ping())  # pyright: ignore[reportUnknownMemberType]
            except redis.ConnectionError:
                time.sleep(0.02)
        return False
    finally:
        client.close()
