"""The crash test: thousands of deliveries while the receiver and the worker are SIGKILLed.

The receiver runs under uvicorn and the worker as ``python -m bandwidth_events inbox … work``,
each in a process of its own that a killer thread SIGKILLs at random moments and starts again.
Deliveries go the way Bandwidth makes them: a POST, sent once more only after a connection
error. Afterwards every event answered 2xx must have been handled (its effect written) and
none twice; the handlers' runs are counted too, for what at-least-once costs.
"""

import base64
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest

from bandwidth_events import Inbox, InboxStatus, dedupe_key, parse_event

from .conftest import golden_dict
from .crash_app import LEASE, PASSWORD, USER, router

DELIVERIES = 3000
CLIENTS = 8
ROOT = Path(__file__).parent.parent
AUTHORIZATION = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def free_port() -> int:
    """Give a loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Restarted:
    """A process the test starts, SIGKILLs at random moments, and starts again."""

    def __init__(self, command: list[str], env: dict[str, str], ready: Callable[[], bool]) -> None:
        self.command = command
        self.env = env
        self.ready = ready
        self.kills = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process and wait until it is ready."""
        self.process = subprocess.Popen(  # noqa: S603 -- our own command line
            self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while not self.ready():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{self.command} did not start")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the process, as the out-of-memory killer or a lost machine would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        """Stop the process with SIGTERM, as a deploy does."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        finally:
            self.process.kill()
            self.process.wait()

    def keep_killing(self, until: threading.Event, pause: tuple[float, float]) -> None:
        """Kill and restart the process at random moments until told to stop."""
        while not until.wait(random.uniform(*pause)):  # noqa: S311 -- a test's timing
            self.kill()
            self.start()


def listening(port: int) -> Callable[[], bool]:
    """Give a check that something accepts connections on the port."""

    def check() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return False
        return True

    return check


def deliver(port: int, body: bytes) -> int | None:
    """POST as Bandwidth does: once more after a connection error; give the status or None."""
    for attempt in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request(
                "POST",
                "/",
                body,
                {"content-type": "application/json", "authorization": AUTHORIZATION},
            )
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            if attempt == 0:
                time.sleep(0.3)
        else:
            return response.status
        finally:
            connection.close()
    return None


def bodies() -> list[bytes]:
    """Give the deliveries' bodies: each a distinct event, a third of them BXML (inline) ones."""
    completed = golden_dict("conferenceCompleted")
    joined = golden_dict("conferenceMemberJoin")
    made: list[dict[str, object]] = []
    for n in range(DELIVERIES):
        if n % 3:
            made.append({**completed, "conferenceId": f"conf-{n}"})
        else:
            made.append({**joined, "callId": f"c-{n}"})
    return [json.dumps(body).encode() for body in made]


@pytest.mark.crash
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and SIGTERM are POSIX signals")
def test_nothing_answered_2xx_is_lost_when_processes_are_killed(  # noqa: PLR0915 -- one story
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every event answered 2xx is handled once, through SIGKILLs of receiver and worker.

    An event whose every attempt a kill ended is dead (abandoned): the inbox cannot tell those
    kills from an event that kills its worker. It is kept, not lost: replayed once the kills
    stop, as after a crash loop, it is handled.
    """
    effects = tmp_path / "effects.db"
    with sqlite3.connect(effects) as db:
        db.execute("CREATE TABLE runs (key TEXT NOT NULL)")
        db.execute("CREATE TABLE effects (key TEXT PRIMARY KEY)")
    db.close()
    env = {
        **os.environ,
        "CRASH_INBOX": str(tmp_path / "inbox.db"),
        "CRASH_EFFECTS": str(effects),
        "PYTHONPATH": str(ROOT),
    }
    Inbox(env["CRASH_INBOX"]).close()
    port = free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "tests.crash_app:app"]
    receiver = Restarted(
        [*uvicorn, "--port", str(port), "--log-level", "critical", "--no-access-log"],
        env,
        listening(port),
    )
    worker_command = [sys.executable, "-m", "bandwidth_events", "inbox", env["CRASH_INBOX"]]
    worker_command += ["--lease", str(LEASE)]
    worker = Restarted(
        [*worker_command, "work", "--router", "tests.crash_app:router", "--threads", "2"],
        env,
        lambda: True,
    )
    receiver.start()
    worker.start()
    done = threading.Event()
    killers = [
        threading.Thread(target=receiver.keep_killing, args=(done, (0.3, 1.2))),
        threading.Thread(target=worker.keep_killing, args=(done, (0.2, 0.8))),
    ]
    for killer in killers:
        killer.start()
    sent = bodies()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(CLIENTS) as clients:
            statuses = list(clients.map(partial(deliver, port), sent))
    finally:
        done.set()
        for killer in killers:
            killer.join()
    took = time.monotonic() - started
    # Then a calm worker finishes what the killed ones left, once their leases run out.
    with Inbox(env["CRASH_INBOX"]) as inbox:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counts = inbox.counts()
            if counts[InboxStatus.PENDING] == counts[InboxStatus.HANDLING] == 0:
                break
            time.sleep(0.1)
        counts = inbox.counts()
    settled = time.monotonic() - started - took
    receiver.stop()
    worker.stop()
    stopped = time.monotonic() - started - took - settled

    def effects_written() -> tuple[set[str], Counter[str]]:
        with sqlite3.connect(effects) as db:
            written = {key for (key,) in db.execute("SELECT key FROM effects")}
            runs = Counter(key for (key,) in db.execute("SELECT key FROM runs"))
        db.close()
        return written, runs

    handled, _ = effects_written()
    with Inbox(env["CRASH_INBOX"]) as inbox:
        dead = inbox.events(InboxStatus.DEAD, limit=None)
        monkeypatch.setenv("CRASH_EFFECTS", str(effects))  # for the handlers, run here
        replayed = inbox.replay_dead(router)
        replayed_counts = inbox.counts()
    handled_after_replay, runs = effects_written()
    keys = [dedupe_key(parse_event(body)) for body in sent]
    acknowledged = [key for key, status in zip(keys, statuses, strict=True) if status in {200, 204}]
    refused = Counter(status for status in statuses if status not in {200, 204})
    kept = handled | {stored.key for stored in dead}
    lost = [key for key in acknowledged if key not in kept]
    figures = {
        "deliveries": DELIVERIES,
        "seconds": round(took, 1),
        "settled": round(settled, 1),
        "stopped": round(stopped, 1),
        "receiver kills": receiver.kills,
        "worker kills": worker.kills,
        "acknowledged": len(acknowledged),
        "not acknowledged": dict(refused),
        "handled": len(handled),
        "handled, not acknowledged": len(handled - set(acknowledged)),
        "dead (abandoned), then replayed": len(dead),
        "lost": len(lost),
        "handler runs": sum(runs.values()),
        "events run twice or more": sum(1 for count in runs.values() if count > 1),
        "inbox": {str(status): count for status, count in counts.items()},
    }
    print(f"\ncrash test: {json.dumps(figures)}")  # noqa: T201 -- the figures to report

    assert receiver.kills >= 3
    assert worker.kills >= 3
    assert acknowledged, "no delivery was acknowledged at all"
    assert lost == []
    assert counts[InboxStatus.PENDING] == counts[InboxStatus.HANDLING] == 0
    abandoned = [stored for stored in dead if (stored.error or "").startswith("Abandoned:")]
    assert abandoned == dead, "a dead event that no kill explains"
    assert [stored.status for stored in replayed] == [InboxStatus.DONE] * len(dead)
    assert replayed_counts[InboxStatus.DEAD] == 0
    assert set(acknowledged) <= handled_after_replay
    assert set(refused) <= {None, 503}
    assert handled_after_replay <= set(keys)
