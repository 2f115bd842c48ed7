"""The Celery app of the tests, and real worker processes running it.

`Settings` says where the broker, the result backend and the shared ledger are: a real Redis
server (tests/redis_server.py), or, on a machine without one, Kombu's ``filesystem://`` broker,
a ``file://`` result backend and a `SQLiteLedger`. The test process and its workers build the
same app from them (`make_app`); a worker gets them in its environment (`run_worker`).

The handlers record each event they handle as a JSON line in ``handled.jsonl``, and act on
the event's ``callId``: ``fail-…`` raises until the file ``fixed`` exists, ``kill-…`` writes
its process id and waits to be killed (handled once the process is a new one), ``poison-…``
kills its own process every time.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
from celery import Celery

from bandwidth_events import Disconnect, Router, current_request
from bandwidth_events.celery import EventTask, Ledger, RedisLedger, SQLiteLedger, handle_with

ROOT = Path(__file__).parent.parent
_ENVIRONMENT = "BANDWIDTH_EVENTS_TEST_CELERY"
#: How long a test waits for a worker, a result or a file: a bound, not a measure.
TIMEOUT = 60.0


@attrs.frozen
class Settings:
    """Where the tests' broker, result backend and ledger are, and the handlers' files.

    Attributes:
        broker_url: Celery's ``broker_url``.
        backend_url: Celery's ``result_backend``.
        transport_options: Celery's ``broker_transport_options``.
        ledger_url: A Redis URL, or the path of a SQLite ledger.
        files: Where handlers record what they handled, and workers their logs.
    """

    broker_url: str
    backend_url: str
    transport_options: dict[str, Any]
    ledger_url: str
    files: Path

    @classmethod
    def with_redis(cls, url: str, files: Path) -> "Settings":
        """Use one Redis server for the broker, the results and the ledger."""
        return cls(f"{url}/0", f"{url}/1", {}, f"{url}/2", files)

    @classmethod
    def without_server(cls, files: Path) -> "Settings":
        """Use Kombu's filesystem broker, file results and a SQLite ledger: no server."""
        queue = files / "queue"
        for folder in (queue, files / "control", files / "results"):
            folder.mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(files / "control"),
            "polling_interval": 0.05,
        }
        return cls(
            "filesystem://", f"file://{files / 'results'}", options, str(files / "ledger"), files
        )

    def ledger(self) -> Ledger:
        """Give the shared ledger."""
        if self.ledger_url.startswith("redis://"):
            return RedisLedger(self.ledger_url, prefix="tests")
        return SQLiteLedger(self.ledger_url)

    def environment(self) -> dict[str, str]:
        """Give the environment variable a worker reads them from (see `from_environment`)."""
        fields = attrs.asdict(self)
        fields["files"] = str(self.files)
        return {_ENVIRONMENT: json.dumps(fields)}

    @classmethod
    def from_environment(cls) -> "Settings":
        """Read them from the environment `run_worker` gives a worker."""
        fields = json.loads(os.environ[_ENVIRONMENT])
        return cls(
            fields["broker_url"],
            fields["backend_url"],
            fields["transport_options"],
            fields["ledger_url"],
            Path(fields["files"]),
        )


@attrs.frozen
class Tasks:
    """The tests' Celery app and the tasks `handle_with` registered in it.

    Attributes:
        app: The app.
        ledger: The ledger every task but ``handle_later`` uses.
        handle: The plain handlers' task (3 attempts, short waits).
        handle_async: The same handlers, ``async``.
        handle_later: The plain handlers, with a SQLite ledger in the ``later`` folder, which
            does not exist until a test makes it.
        handle_in_pool: The plain handlers, on the ``pool`` queue (a prefork worker's), with 2
            attempts: each process killed costs the worker's check for lost ones (up to 5 s).
    """

    app: Celery
    ledger: Ledger
    handle: EventTask
    handle_async: EventTask
    handle_later: EventTask
    handle_in_pool: EventTask

    def close(self) -> None:
        """Let go of the result backend's subscriptions, while its server still runs.

        Celery's Redis result backend subscribes to each task's result as it is published,
        and unsubscribes when the result is read or its `AsyncResult` is finalised. A result
        a failed test never read is finalised whenever the garbage collector gets to it; if
        the server has stopped by then, Celery's reconnection fails inside ``__del__``, and
        pytest fails whichever test was running. So every subscription ends here, at once.
        """
        consumer = getattr(self.app.backend, "result_consumer", None)
        if consumer is not None:  # not the ``file://`` backend
            consumer.stop()
            consumer.subscribed_to.clear()
        self.app.close()


def make_app(settings: Settings, *, ledger: Ledger | None = None) -> Tasks:
    """Build the tests' app and its tasks, for a worker or for the test that publishes."""
    app = Celery("bandwidth_events_tests", set_as_current=False)
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=settings.backend_url,
        broker_transport_options=settings.transport_options,
        broker_connection_retry_on_startup=True,
        worker_prefetch_multiplier=1,
        # A killed pool process's task is given back after this wait for a result it sent.
        worker_lost_wait=0.5,
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
        task_routes={"tests.handle_in_pool": {"queue": "pool"}},
    )
    shared = settings.ledger() if ledger is None else ledger
    files = settings.files
    plain, in_async = Router(), Router()
    plain.on(Disconnect)(_handler(files, is_async=False))

    @in_async.on(Disconnect)
    async def disconnected(event: Disconnect) -> None:
        await asyncio.sleep(0)
        _handler(files, is_async=True)(event)

    options: dict[str, Any] = {"attempts": 3, "wait_initial": 0.05, "wait_max": 0.2}
    later = SQLiteLedger(files / "later" / "ledger.sqlite3")
    return Tasks(
        app,
        shared,
        handle_with(app, plain, ledger=shared, **options),
        handle_with(app, in_async, ledger=shared, name="tests.handle_async", **options),
        handle_with(app, plain, ledger=later, name="tests.handle_later", **options),
        handle_with(
            app, plain, ledger=shared, name="tests.handle_in_pool", **{**options, "attempts": 2}
        ),
    )


def _handler(files: Path, *, is_async: bool) -> Callable[[Disconnect], None]:
    def disconnected(event: Disconnect) -> None:
        call = event.call_id
        if call.startswith("fail-") and not (files / "fixed").exists():
            raise RuntimeError(f"{call} fails until it is fixed")
        if call.startswith("poison-"):
            os.kill(os.getpid(), signal.SIGKILL)
        victim = files / f"{call}.pid"
        if call.startswith("kill-") and not victim.exists():
            # Written whole, then named: the test reads the pid as soon as the file exists.
            partial = victim.with_suffix(".partial")
            partial.write_text(str(os.getpid()))
            partial.replace(victim)
            threading.Event().wait()  # until the test kills this process
        request = current_request()
        record = {
            "call_id": call,
            "event_type": event.event_type,
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": dict(request.headers),
            "pid": os.getpid(),
            "async": is_async,
        }
        with (files / "handled.jsonl").open("a") as out:
            out.write(json.dumps(record) + "\n")

    return disconnected


def handled(files: Path) -> list[dict[str, Any]]:
    """Give what the handlers recorded, in order."""
    path = files / "handled.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@attrs.define
class Worker:
    """A ``celery worker`` process running `make_app`'s app, and its log."""

    process: "subprocess.Popen[bytes]"
    log: Path

    def output(self) -> str:
        """Give what it wrote so far."""
        return self.log.read_text(errors="replace")

    def wait(self, done: Callable[[], object], what: str) -> None:
        """Wait until ``done()`` is true; else fail, saying what, with the worker's output."""
        deadline = time.monotonic() + TIMEOUT
        while not done():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"no {what}; the worker said:\n{self.output()}")
            time.sleep(0.02)


@contextmanager
def run_worker(
    settings: Settings, name: str, *, pool: str = "solo", queue: str = "celery"
) -> Generator[Worker]:
    """Run a worker process on one queue until the block ends; stop it warmly (SIGTERM).

    Its output goes to ``{name}.log`` in the settings' files; a worker that does not start,
    or does not exit 0, raises `AssertionError` with it. Stopped warmly, a worker measured
    by coverage (``patch = ["subprocess"]``) writes its data.
    """
    log = settings.files / f"{name}.log"
    ready = settings.files / f"{name}.ready"
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 -- our own arguments
            [
                *(sys.executable, "-m", "celery", "-A", "tests.celery_worker", "worker"),
                *(
                    f"--pool={pool}",
                    "--concurrency=1",
                    f"--queues={queue}",
                    f"--hostname={name}@%h",
                ),
                *("--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env={**os.environ, **settings.environment(), "BANDWIDTH_EVENTS_TEST_READY": str(ready)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(process, log)
    try:
        worker.wait(ready.exists, f"worker {name} ready")
        yield worker
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            status = process.wait()
        if status != 0:
            raise AssertionError(f"worker {name} exited {status}:\n{worker.output()}")
