"""The ASGI receiver under uvicorn, with and without the durable inbox, and with Celery.

Async handlers, plain ones in the thread pool, plain ones inline; plain ones behind the SQLite
inbox (stored, answered, then handled by an in-process worker); and behind the inbox with a
Celery forwarder, a real Redis server (broker and ledger) and a real Celery worker process.

One interleaved run: each round sends the same batch of requests to each server, in a shuffled
order, from client threads on keep-alive connections. Prints, per setup, the median requests
answered per second (with an inbox: once stored and synced to disk) and handled per second
(until the round's last event was handled), the answered ratio to the thread-pool setup with
its spread, and the exactly-once counts (every event handled once, none lost).

    python benchmarks/receiving.py [--rounds N] [--requests N]

The Celery setup needs ``redis-server`` on the PATH (Debian's ``redis-server``); without it,
it is left out, and says so.
"""

import argparse
import asyncio
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import orjson
import uvicorn
from installed import add_any_install, require_source_tree

from bandwidth_events import (
    ConferenceRecordingAvailable,
    Inbox,
    InboxWorker,
    Receiver,
    Router,
    asgi_app,
)
from bandwidth_events.celery import CeleryForwarder

BODY = {
    "eventType": "conferenceRecordingAvailable",
    "eventTime": "2019-09-13T16:50:53.788Z",
    "conferenceId": "conf-95ac90b3-ac6cd003-85e4-466f-b2e2-3fc5462c5d0d",
    "name": "thisConference",
    "accountId": "55555555",
    "recordingId": "r-0",
    "channels": 1,
    "startTime": "2019-09-13T16:48:29.235Z",
    "endTime": "2019-09-13T16:48:48.890Z",
    "duration": "PT20.056S",
    "fileFormat": "wav",
    "mediaUrl": "https://voice.bandwidth.com/api/v2/accounts/55555555/recordings/r-0/media",
    "status": "complete",
}
CLIENTS = 8


class Counted:
    """A receiver whose one handler counts each recording id it sees."""

    def __init__(self, kind: str, inbox: Inbox | None = None) -> None:
        self.inbox = inbox
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        router = Router()
        if kind == "async":

            @router.on(ConferenceRecordingAvailable)
            async def stored(event: ConferenceRecordingAvailable) -> None:
                await asyncio.sleep(0)
                self.count(event.recording_id)

        else:

            @router.on(ConferenceRecordingAvailable)
            def stored_plainly(event: ConferenceRecordingAvailable) -> None:
                self.count(event.recording_id)

        self.router = router
        self.receiver = Receiver(router=router, auth=None, inbox=inbox)

    def count(self, key: str) -> None:
        """Count one handled event."""
        with self.lock:
            self.seen[key] += 1

    def handled(self) -> Counter[str]:
        """Give how many times each recording id was handled."""
        with self.lock:
            return Counter(self.seen)


class ByCelery(Counted):
    """A receiver whose inbox a Celery forwarder publishes; a worker process counts in Redis."""

    def __init__(self, inbox: Inbox, url: str) -> None:
        super().__init__("plain", inbox)
        os.environ["BENCH_REDIS"] = url
        sys.path.insert(0, str(HERE))
        import celery_tasks  # noqa: PLC0415 -- configured by the environment just set

        self.tasks = celery_tasks

    def handled(self) -> Counter[str]:
        """Give how many times the worker handled each recording id."""
        seen = self.tasks.counts.hgetall("seen")
        return Counter({key.decode(): int(count) for key, count in seen.items()})


HERE = Path(__file__).parent


@contextmanager
def redis_and_worker(folder: str) -> Iterator[str | None]:
    """Run redis-server and a Celery worker (4 threads) on it; give Redis's URL, or None."""
    executable = shutil.which("redis-server")
    if executable is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 -- our own arguments
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    worker = None
    try:
        while subprocess.run(  # noqa: S603 -- our own arguments
            [shutil.which("redis-cli") or "redis-cli", "-p", str(port), "ping"],
            capture_output=True,
            check=False,
        ).returncode:
            time.sleep(0.05)
        worker = subprocess.Popen(  # noqa: S603 -- our own arguments
            [
                *(sys.executable, "-m", "celery", "-A", "celery_tasks", "worker"),
                *("--pool=threads", "--concurrency=4", "--loglevel=WARNING"),
                *("--without-gossip", "--without-mingle"),
            ],
            cwd=HERE,
            env={**os.environ, "BENCH_REDIS": url},
        )
        yield url
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        server.terminate()
        server.wait(30)


@contextmanager
def serve(receiver: Receiver, *, inline: bool) -> Iterator[tuple[str, int]]:
    """Run the receiver under uvicorn (one worker) on a free port; give host and port."""
    config = uvicorn.Config(
        asgi_app(receiver, run_sync_inline=inline),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        ws="none",
        http="h11",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield "127.0.0.1", server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)


def batch(address: tuple[str, int], bodies: list[bytes]) -> tuple[float, Counter[int]]:
    """Send the bodies from the client threads on keep-alive connections; give time, statuses."""
    chunks = [bodies[index::CLIENTS] for index in range(CLIENTS)]

    def client(chunk: list[bytes]) -> Counter[int]:
        statuses: Counter[int] = Counter()
        connection = http.client.HTTPConnection(*address, timeout=30)
        for body in chunk:
            connection.request("POST", "/", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            statuses[response.status] += 1
        connection.close()
        return statuses

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, chunks))
    return time.perf_counter() - started, sum(results, Counter())


def main() -> None:
    """Measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=2000)
    add_any_install(parser)
    args = parser.parse_args()
    require_source_tree(any_install=args.any_install)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        inbox = stack.enter_context(Inbox(f"{folder}/inbox.db"))
        setups: dict[str, tuple[Counted, bool]] = {
            "async handlers": (Counted("async"), False),
            "plain, thread pool": (Counted("plain"), False),
            "plain, inline": (Counted("plain"), True),
            "inbox (SQLite)": (Counted("plain", inbox), False),
        }
        stack.enter_context(InboxWorker(inbox, setups["inbox (SQLite)"][0].router, threads=2))
        url = stack.enter_context(redis_and_worker(folder))
        if url is None:
            print("redis-server is not on the PATH: the Celery setup is left out\n")
        else:
            spool = stack.enter_context(Inbox(f"{folder}/spool.db"))
            by_celery = ByCelery(spool, url)
            setups["inbox + Celery"] = (by_celery, False)
            stack.enter_context(
                CeleryForwarder(
                    spool, by_celery.tasks.handle, ledger=by_celery.tasks.ledger, threads=2
                )
            )
        addresses = {
            name: stack.enter_context(serve(counted.receiver, inline=inline))
            for name, (counted, inline) in setups.items()
        }
        answered: dict[str, list[float]] = {name: [] for name in setups}
        handled: dict[str, list[float]] = {name: [] for name in setups}
        sent: dict[str, int] = dict.fromkeys(setups, 0)
        for round_number in range(args.rounds):
            order = list(setups)
            random.shuffle(order)
            for name in order:
                counted = setups[name][0]
                first = sent[name]
                bodies = [
                    orjson.dumps(BODY | {"recordingId": f"r-{first + index}"})
                    for index in range(args.requests)
                ]
                started = time.perf_counter()
                elapsed, statuses = batch(addresses[name], bodies)
                assert statuses == Counter({204: args.requests}), statuses  # noqa: S101
                sent[name] += args.requests
                while sum(counted.handled().values()) < sent[name]:
                    time.sleep(0.002)
                drained = time.perf_counter() - started
                if round_number:  # the first round warms up
                    answered[name].append(args.requests / elapsed)
                    handled[name].append(args.requests / drained)
        print(f"uvicorn (h11, one worker), {CLIENTS} keep-alive clients, {args.rounds - 1} rounds")
        print(f"of {args.requests} requests each after one to warm up; per second:\n")
        print(f"  {'setup':<20} {'answered':>9} {'handled':>9}   answered vs thread pool")
        base = answered["plain, thread pool"]
        for name, (counted, _) in setups.items():
            ratios = sorted(
                mine / theirs for mine, theirs in zip(answered[name], base, strict=True)
            )
            low, high = ratios[len(ratios) // 4], ratios[-1 - len(ratios) // 4]
            seen = counted.handled()
            once = len(seen) == sent[name] and set(seen.values()) == {1}
            print(
                f"  {name:<20} {statistics.median(answered[name]):8.0f}  "
                f"{statistics.median(handled[name]):8.0f}   "
                f"{statistics.median(ratios):.2f}x ({low:.2f}-{high:.2f})   "
                f"{sent[name]} sent, {len(seen)} handled, each once: {once}"
            )


if __name__ == "__main__":
    main()
