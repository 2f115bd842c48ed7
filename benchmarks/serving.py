"""Requests per second of the receiver and its peers, each under uvicorn, loaded by wrk.

Each app of `serving_apps` runs in its own uvicorn process (one worker, the same options for
all) on a free loopback port. wrk, a load generator written in C, posts the seed body with Basic
auth on keep-alive connections. Each round loads every app once for the same time, in a shuffled
order, so that the noise of a shared machine falls on all of them alike; the first round only
warms up. Any answer but 204 stops the run: a fast error is no result.
"""

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from serving_apps import PASSWORD, USERNAME

HERE = Path(__file__).parent
APPS = {"bandwidth_events": "ours", "bare Starlette": "bare", "FastAPI + pydantic": "fastapi"}
CONNECTIONS = 16
_WRK = shutil.which("wrk") or "wrk"
_REQUESTS = re.compile(r"Requests/sec:\s+([0-9.]+)")
_ERRORS = re.compile(r"Non-2xx or 3xx responses: ([0-9]+)|Socket errors: .*")


def wrk_missing() -> str | None:
    """Say why the section cannot run here, or None when it can."""
    if shutil.which(_WRK) is None:
        return "wrk is not on the PATH (Debian: apt-get install wrk)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(
    app: str, *, under: tuple[str, ...] = (), start_within: float = 60
) -> Iterator[tuple[int, int]]:
    """Run one app under uvicorn in its own process; give its port and pid once it answers.

    ``under``: a command the interpreter runs under (valgrind's), which may take longer than
    ``start_within`` seconds to start.
    """
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [
            *under,
            sys.executable,
            "-m",
            "uvicorn",
            f"serving_apps:{app}",
            "--app-dir",
            str(HERE),
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "on",
        ],
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    try:
        deadline = time.monotonic() + start_within
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start serving_apps:{app}") from None
                time.sleep(0.05)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(30)


#: The headers of every request: the body's type, and Basic auth.
HEADERS = {
    "Content-Type": "application/json",
    "Authorization": "Basic " + b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode(),
}


def _script(folder: str, body: bytes) -> str:
    """Write wrk's Lua script: POST the body with `HEADERS`."""
    path = Path(folder) / "post.lua"
    text = body.decode().replace("\\", "\\\\").replace("]]", "] ]")
    headers = "".join(f'wrk.headers["{name}"] = "{value}"\n' for name, value in HEADERS.items())
    path.write_text(f'wrk.method = "POST"\nwrk.body = [[{text}]]\n{headers}')
    return str(path)


def _load(port: int, script: str, seconds: float) -> float:
    """Load one app for ``seconds``; give the requests answered per second."""
    out = subprocess.run(  # noqa: S603 -- wrk, with our own arguments
        [
            _WRK,
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "-s",
            script,
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    errors = _ERRORS.search(out)
    if errors is not None:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    found = _REQUESTS.search(out)
    if found is None:
        raise RuntimeError(f"wrk printed no rate:\n{out}")
    return float(found[1])


def throughput(body: bytes, rounds: int, seconds: float) -> dict[str, list[float]]:
    """Give each app's requests per second in each round after the first (see the module)."""
    samples: dict[str, list[float]] = {name: [] for name in APPS}
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        script = _script(folder, body)
        ports = {name: stack.enter_context(served(app))[0] for name, app in APPS.items()}
        for round_number in range(rounds + 1):
            for name in random.sample(list(APPS), len(APPS)):
                rate = _load(ports[name], script, seconds)
                if round_number:  # the first round warms up
                    samples[name].append(rate)
    return samples
