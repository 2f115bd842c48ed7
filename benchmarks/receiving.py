"""The ASGI receiver under uvicorn, with and without the durable inbox.

Async handlers, plain ones in the thread pool, plain ones inline, and plain ones behind the
SQLite inbox (stored, answered, then handled by a worker).

One interleaved run: each round sends the same batch of requests to each server, in a shuffled
order, from client threads on keep-alive connections, and times it. Prints the median requests
per second (answered: for the inbox, once stored and fsynced), the ratios to the thread-pool
setup with their spread, and the exactly-once counts (every event handled once, none lost; the
inbox's worker is waited for).

    python benchmarks/receiving.py [--rounds N] [--requests N]
"""

import argparse
import asyncio
import http.client
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import orjson
import uvicorn

from bandwidth_events import (
    ConferenceRecordingAvailable,
    Inbox,
    InboxStatus,
    InboxWorker,
    Receiver,
    Router,
    asgi_app,
)

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
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    inbox = Inbox(f"{folder.name}/inbox.db")
    setups: dict[str, tuple[Counted, bool]] = {
        "async handlers": (Counted("async"), False),
        "plain, thread pool": (Counted("plain"), False),
        "plain, inline": (Counted("plain"), True),
        "inbox (SQLite)": (Counted("plain", inbox), False),
    }
    rates: dict[str, list[float]] = {name: [] for name in setups}
    sent: dict[str, int] = dict.fromkeys(setups, 0)
    with ExitStack() as stack:
        stack.callback(folder.cleanup)
        stack.callback(inbox.close)
        worker = stack.enter_context(InboxWorker(inbox, setups["inbox (SQLite)"][0].router))
        addresses = {
            name: stack.enter_context(serve(counted.receiver, inline=inline))
            for name, (counted, inline) in setups.items()
        }
        for round_number in range(args.rounds):
            order = list(setups)
            random.shuffle(order)
            for name in order:
                first = sent[name]
                bodies = [
                    orjson.dumps(BODY | {"recordingId": f"r-{first + index}"})
                    for index in range(args.requests)
                ]
                elapsed, statuses = batch(addresses[name], bodies)
                assert statuses == Counter({204: args.requests}), statuses  # noqa: S101
                sent[name] += args.requests
                if round_number:  # the first round warms up
                    rates[name].append(args.requests / elapsed)
        while (counts := inbox.counts())[InboxStatus.PENDING] or counts[InboxStatus.HANDLING]:
            time.sleep(0.05)
        worker.stop()
    print(f"uvicorn (h11, one worker), {CLIENTS} keep-alive clients, {args.rounds - 1} rounds")
    print(f"of {args.requests} requests each after one to warm up; requests per second:\n")
    base = rates["plain, thread pool"]
    for name, counted_inline in setups.items():
        counted = counted_inline[0]
        ratios = sorted(mine / theirs for mine, theirs in zip(rates[name], base, strict=True))
        low, high = ratios[len(ratios) // 4], ratios[-1 - len(ratios) // 4]
        once = len(counted.seen) == sent[name] and set(counted.seen.values()) == {1}
        print(
            f"  {name:<20} {statistics.median(rates[name]):8.0f}/s   vs thread pool "
            f"{statistics.median(ratios):.2f}x ({low:.2f}-{high:.2f})   "
            f"{sent[name]} sent, {len(counted.seen)} handled, each once: {once}"
        )


if __name__ == "__main__":
    main()
