"""The Celery crash test: two receivers and two workers SIGKILLed under load, one Redis.

Two receiver processes (uvicorn, each with its own inbox and, in the same process, a
`~bandwidth_events.celery.CeleryForwarder`) publish to one real Redis server, which is the
broker and the ledger both; a solo worker and a prefork worker (one pool process) handle what
they publish (tests/celery_crash_app.py). Deliveries go the way Bandwidth makes them (a POST,
sent once more only after a connection error), each to one receiver chosen at random, and one
in ten to the other receiver too, as Bandwidth's retry reaching another machine would. A tenth
of the events take BXML: the receiver that stored one handles it, and a worker only if that
receiver died in its handler. Meanwhile each receiver is SIGKILLed at random moments and
started again, and so is each worker, whole (the broker gives its message back after its
visibility timeout), or only the prefork worker's pool process (its message comes back at once).

Afterwards every event answered 2xx must have been handled (its effect written, once), nothing
may be left in an inbox or the broker nor kept dead in the ledger, and an event the workers
handle may have run more than once only for a run a kill ended. A lost event is shown with
what the inboxes, the ledger and the kills' times say of it.
"""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
import redis

from bandwidth_events import Inbox, InboxStatus, dedupe_key, parse_event
from bandwidth_events.celery import RedisLedger

from .celery_crash_app import PREFIX, SCHEMA
from .conftest import golden_dict
from .redis_server import free_port, redis_executable, redis_server
from .test_inbox_crash import deliver, listening

ROOT = Path(__file__).parent.parent
EVENTS = 3000
CLIENTS = 4
#: One event in this many is sent to both receivers.
CROSS = 10
#: One event in this many takes BXML.
BXML = 10
#: Each receiver and each worker is killed this many times at least, and the pool process too.
KILLS = 3
#: How long the test waits for a process to start.
START_TIMEOUT = 30.0
#: How long it waits for everything to be handled: a message whose worker was killed comes
#: back within seconds with Kombu 5.7's restore settings (celery_crash_app), and only at a
#: worker's next scan, every 100 s, with the Kombu 5.5 the dependency floors install.
SETTLE_TIMEOUT = 300.0
#: Each event: its body, and the receivers (0, 1) it goes to, in order.
Planned = tuple[bytes, tuple[int, ...]]


class Restarted:
    """A process, in a process group of its own, that the test SIGKILLs and starts again."""

    def __init__(
        self, name: str, command: list[str], env: dict[str, str], ready: Callable[[], bool]
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.ready = ready
        self.log = Path(env["CELERY_CRASH_LOGS"]) / f"{name}.log"
        #: When it was killed (``time.time()``).
        self.killed: list[float] = []
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def kills(self) -> int:
        """Give how many times it was killed."""
        return len(self.killed)

    def start(self) -> None:
        """Start the process and wait until it is ready."""
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 -- our own command line
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} did not start:\n{self.output()}")
            time.sleep(0.02)

    def output(self) -> str:
        """Give what it wrote so far, in all its lives."""
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL it and its children, as the out-of-memory killer or a lost machine would."""
        assert self.process is not None
        # Before the wait: until it is reaped, its id (its group's) cannot be anyone else's.
        os.killpg(self.process.pid, signal.SIGKILL)
        self.killed.append(time.time())
        self.process.wait()

    def stop(self) -> None:
        """Stop it with SIGTERM, as a deploy does; SIGKILL it if it does not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()


class Worker(Restarted):
    """A Celery worker: ready once it made its ready file; its pool process may be killed."""

    def __init__(self, name: str, pool: str, env: dict[str, str]) -> None:
        logs = Path(env["CELERY_CRASH_LOGS"])
        self.ready_file = logs / f"{name}.ready"
        self.child_file = logs / f"{name}.child"
        env = {
            **env,
            "CELERY_CRASH_ROLE": "worker",
            "CELERY_CRASH_READY": str(self.ready_file),
            "CELERY_CRASH_CHILD": str(self.child_file),
        }
        command = [sys.executable, "-m", "celery", "-A", "tests.celery_crash_app", "worker"]
        command += [f"--pool={pool}", "--concurrency=1", f"--hostname={name}@%h"]
        command += ["--loglevel=WARNING", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat"]
        super().__init__(name, command, env, self.ready_file.exists)
        #: When its pool process was killed.
        self.children_killed: list[float] = []

    def start(self) -> None:
        """Start the worker and wait until it takes tasks."""
        self.ready_file.unlink(missing_ok=True)
        self.child_file.unlink(missing_ok=True)
        super().start()

    def kill_child(self) -> None:
        """SIGKILL its pool process, if it has one now, as a crash in a handler would."""
        assert self.process is not None
        try:
            pid = int(self.child_file.read_text())
            # Only a process of this worker's group: never one that took a dead child's id.
            if os.getpgid(pid) == self.process.pid:
                os.kill(pid, signal.SIGKILL)
                self.children_killed.append(time.time())
        except (OSError, ValueError):
            pass  # none yet, or gone already


def keep_killing(
    process: Restarted,
    until: threading.Event,
    pause: tuple[float, float],
    errors: list[Exception],
) -> None:
    """Kill the process (a worker: half the time its pool process) at random, and restart it.

    Until told to stop, once it was killed `KILLS` times at least (its pool process too).
    """
    children = isinstance(process, Worker) and "--pool=prefork" in process.command

    def enough() -> bool:
        if isinstance(process, Worker) and children:
            return min(process.kills, len(process.children_killed)) >= KILLS
        return process.kills >= KILLS

    try:
        while True:
            time.sleep(random.uniform(*pause))  # noqa: S311 -- a test's timing
            if until.is_set() and enough():
                return
            if isinstance(process, Worker) and children and random.random() < 0.5:  # noqa: S311
                process.kill_child()
            else:
                process.kill()
                process.start()
    except Exception as error:  # noqa: BLE001 -- the test fails with it once the load ends
        errors.append(error)


def plan() -> list[Planned]:
    """Give each event's body and which receivers it goes to: one, or for some both."""
    completed = golden_dict("conferenceCompleted")
    disconnect = golden_dict("disconnect")
    joined = golden_dict("conferenceMemberJoin")
    made: list[Planned] = []
    for n in range(EVENTS):
        first = random.randrange(2)  # noqa: S311 -- a test's choice
        targets: tuple[int, ...] = (first,)
        if n % BXML == 0:  # its dedupe is its receiver's: sent to one only
            body = {**joined, "callId": f"c-{n}"}
        else:
            body = (
                {**completed, "conferenceId": f"conf-{n}"}
                if n % 2
                else {**disconnect, "callId": f"c-{n}"}
            )
            if n % CROSS == 1:
                targets = (first, 1 - first)
        made.append((json.dumps(body).encode(), targets))
    return made


def settled(inboxes: list[Inbox], broker: redis.Redis) -> bool:
    """Tell whether every stored event was published and every message acknowledged."""
    for inbox in inboxes:
        counts = inbox.counts()
        if counts[InboxStatus.PENDING] or counts[InboxStatus.HANDLING]:
            return False
    return queued(broker) == 0


def queued(broker: redis.Redis) -> int:
    """Give how many messages the broker holds: queued, or taken and not acknowledged."""
    return broker.llen("celery") + broker.hlen("unacked")  # kombu's names


@contextmanager
def running(*processes: Restarted) -> Generator[None]:
    """Start the processes; stop them (SIGTERM) when the block ends, whatever happened."""
    with ExitStack() as stack:
        for process in processes:
            stack.callback(process.stop)
            process.start()
        yield


def explain(
    key: str,
    inboxes: list[Path],
    ledger: redis.Redis,
    kills: dict[str, list[float]],
    first_runs: dict[str, float],
) -> dict[str, Any]:
    """Tell what the inboxes, the ledger and the kills' times say of a lost event's key.

    Its neighbours (the events published nearest to it) show when the workers took it from the
    queue, had it been handled; the kills then are shown, in seconds after its publication.
    """
    published: dict[str, float] = {}
    stored: list[dict[str, Any]] = []
    for n, path in enumerate(inboxes):
        with closing(sqlite3.connect(path)) as db:
            rows = db.execute(
                "SELECT key, status, deliveries, received_at, handled_at FROM events"
            ).fetchall()
        for each, status, deliveries, received, handled_at in rows:
            if handled_at is not None:
                published[each] = min(handled_at, published.get(each, handled_at))
            if each == key:
                stored.append(
                    {"inbox": n, "status": status, "deliveries": deliveries, "received": received}
                )
    told: dict[str, Any] = {
        "key": key,
        "stored": stored,
        "ledger claim": ledger.hgetall(f"{PREFIX}:claim:{key}"),
    }
    when = published.get(key)
    if when is None:
        return told
    others = [other for other in published if other != key and other in first_runs]
    neighbours = sorted(others, key=lambda other: abs(published[other] - when))[:10]
    ran = sorted(round(first_runs[other] - when, 3) for other in neighbours)
    if ran:
        kills_then = {
            name: [round(at - when, 3) for at in times if ran[0] - 0.5 <= at - when <= ran[-1]]
            for name, times in kills.items()
        }
        told["its neighbours first ran (s)"] = ran
        told["kills then (s)"] = {name: times for name, times in kills_then.items() if times}
    return told


@pytest.mark.crash
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and SIGTERM are POSIX signals")
def test_nothing_answered_2xx_is_lost_across_two_receivers_and_killed_workers(  # noqa: PLR0915 -- one story
    tmp_path: Path,
) -> None:
    """Every event answered 2xx is handled once, through SIGKILLs of receivers and workers."""
    if redis_executable() is None:  # under CI, it fails instead
        pytest.skip("no redis-server on PATH: the requirement is about Redis as broker and ledger")
    effects = tmp_path / "effects.db"
    with closing(sqlite3.connect(effects)) as db:
        db.executescript(SCHEMA)
    logs = tmp_path / "logs"
    logs.mkdir()
    inbox_paths = [tmp_path / f"inbox-{n}.db" for n in range(2)]
    sent = plan()
    with redis_server(tmp_path / "redis") as url:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CELERY_CRASH_REDIS": url,
            "CELERY_CRASH_EFFECTS": str(effects),
            "CELERY_CRASH_LOGS": str(logs),
        }
        ports = [free_port(), free_port()]
        receivers = [
            Restarted(
                f"receiver-{n}",
                [
                    *(sys.executable, "-m", "uvicorn", "--factory"),
                    *("tests.celery_crash_app:receiver", "--port", str(port)),
                    *("--log-level", "critical", "--no-access-log"),
                ],
                {**env, "CELERY_CRASH_ROLE": "receiver", "CELERY_CRASH_INBOX": str(path)},
                listening(port),
            )
            for n, (port, path) in enumerate(zip(ports, inbox_paths, strict=True))
        ]
        solo, prefork = Worker("solo", "solo", env), Worker("prefork", "prefork", env)
        everyone = [*receivers, solo, prefork]
        broker = redis.Redis.from_url(f"{url}/0")  # pyright: ignore[reportUnknownMemberType]
        claims = redis.Redis.from_url(  # pyright: ignore[reportUnknownMemberType]
            f"{url}/1", decode_responses=True
        )

        def send(planned: Planned) -> tuple[int | None, ...]:
            body, targets = planned
            return tuple(deliver(ports[target], body) for target in targets)

        with running(*everyone), closing(broker), closing(claims):
            done = threading.Event()
            errors: list[Exception] = []
            pauses = [(0.5, 2.0), (0.5, 2.0), (1.0, 3.0), (0.5, 2.0)]
            killers = [
                threading.Thread(target=keep_killing, args=(process, done, pause, errors))
                for process, pause in zip(everyone, pauses, strict=True)
            ]
            for killer in killers:
                killer.start()
            started = time.monotonic()
            try:
                with ThreadPoolExecutor(CLIENTS) as clients:
                    statuses = list(clients.map(send, sent))
                took = time.monotonic() - started
                in_load = sum(p.kills for p in everyone) + len(prefork.children_killed)
            finally:
                done.set()
                for killer in killers:
                    killer.join()
            killing = time.monotonic() - started - took
            # Then calm receivers and workers finish what the killed ones left: the broker
            # gives a whole worker's message back after its visibility timeout.
            with closing(Inbox(inbox_paths[0])) as first, closing(Inbox(inbox_paths[1])) as second:
                deadline = time.monotonic() + SETTLE_TIMEOUT
                calm = 0
                while calm < 2 and time.monotonic() < deadline:  # twice, 0.5 s apart
                    calm = calm + 1 if settled([first, second], broker) else 0
                    time.sleep(0.5)
                counts = [first.counts(), second.counts()]
            left = queued(broker)
            settle = time.monotonic() - started - took - killing
            with closing(sqlite3.connect(effects)) as db:
                handled = {key for (key,) in db.execute("SELECT key FROM effects")}
                runs = Counter(key for (key,) in db.execute("SELECT key FROM runs"))
                first_runs = dict(
                    db.execute("SELECT key, min(at) FROM runs WHERE role = 'worker' GROUP BY key")
                )
                roles = Counter(role for (role,) in db.execute("SELECT role FROM runs"))
                (skipped,) = db.execute("SELECT count(*) FROM skips").fetchone()
            events = [parse_event(body) for body, _ in sent]
            keys = [dedupe_key(event) for event in events]
            acknowledged = {
                key
                for key, answers in zip(keys, statuses, strict=True)
                if {200, 204} & set(answers)
            }
            lost = sorted(acknowledged - handled)
            kills = {p.name: p.killed for p in everyone}
            kills["prefork pool process"] = prefork.children_killed
            lost_explained = [
                explain(key, inbox_paths, claims, kills, first_runs) for key in lost[:10]
            ]
            dead_letters = RedisLedger(f"{url}/1", prefix=PREFIX).dead_letters()
            claimed = cast(
                "Iterator[str]",
                claims.scan_iter(f"{PREFIX}:claim:*", count=1000),  # pyright: ignore[reportUnknownMemberType]
            )
            ended = sum(int(claims.hget(claim, "lost") or 0) for claim in claimed)
        stopped = time.monotonic() - started - took - killing - settle

    inline = {key for key, event in zip(keys, events, strict=True) if event.accepts_bxml}
    refused = Counter(
        status for answers in statuses for status in answers if status not in {200, 204}
    )
    again = {key: count for key, count in runs.items() if count > 1}
    worker_kills = solo.kills + prefork.kills + len(prefork.children_killed)
    figures = {
        "events": EVENTS,
        "deliveries": sum(len(targets) for _, targets in sent),
        "cross-machine duplicates sent": sum(len(targets) == 2 for _, targets in sent),
        "seconds": round(took, 1),
        "killing after the load": round(killing, 1),
        "settled": round(settle, 1),
        "stopped": round(stopped, 1),
        "receiver kills": [receiver.kills for receiver in receivers],
        "worker kills": {
            "solo": solo.kills,
            "prefork": prefork.kills,
            "prefork pool process": len(prefork.children_killed),
        },
        "kills after the load": worker_kills + sum(r.kills for r in receivers) - in_load,
        "acknowledged": len(acknowledged),
        "not acknowledged": len(set(keys) - acknowledged),
        "refused deliveries": {str(status): count for status, count in refused.items()},
        "handled": len(handled),
        "handled, not acknowledged": len(handled - acknowledged),
        "lost": len(lost),
        "handler runs": dict(roles),
        "events run twice or more": len(again),
        "of them BXML": len(again.keys() & inline),
        "runs a kill ended (ledger)": ended,
        "skipped duplicates": skipped,
        "dead letters": len(dead_letters),
        "inboxes": [{str(status): n for status, n in count.items() if n} for count in counts],
        "broker queued": left,
    }
    print(f"\ncelery crash test: {json.dumps(figures)}")  # noqa: T201 -- the figures to report

    assert errors == [], errors
    assert min(process.kills for process in everyone) >= KILLS
    assert len(prefork.children_killed) >= KILLS
    assert acknowledged, "no delivery was acknowledged at all"
    assert lost == [], json.dumps(lost_explained, indent=1)
    assert handled <= set(keys)
    for count in counts:
        assert count[InboxStatus.PENDING] == count[InboxStatus.HANDLING] == 0
        assert count[InboxStatus.DEAD] == 0
    assert left == 0
    assert dead_letters == []
    assert set(refused) <= {None, 503}
    # The ledger skips duplicates, the cross-machine ones too: an event the workers handle runs
    # again only for a run a kill ended, one at most per kill (each takes one task at a time).
    extra = sum(count - 1 for key, count in again.items() if key not in inline)
    assert extra <= worker_kills, (extra, worker_kills)
