"""Celery: receivers publish their stored events, real worker processes handle them.

A real Redis server is the broker, result backend and ledger; on a machine without
``redis-server`` (and not under CI), Kombu's filesystem broker and a SQLite ledger are.
"""

# pyright: reportPrivateUsage=false
# (The backoff test checks the private task runner directly.)

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Generator, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from kombu.serialization import dumps, loads

from bandwidth_events import Inbox, InboxStatus, Receiver, Router, parse_event, to_query
from bandwidth_events.celery import (
    CeleryForwarder,
    Claim,
    DeadLetter,
    Ledger,
    LedgerError,
    Message,
    RedisLedger,
    Result,
    SQLiteLedger,
    Verdict,
    _Handling,
    handle_with,
    publish,
    replay,
)

from .celery_app import TIMEOUT, Settings, Tasks, Worker, handled, make_app, run_worker
from .conftest import golden_dict
from .redis_server import free_port, redis_executable, redis_server
from .servers import serve_wsgi

if TYPE_CHECKING:
    from celery.result import AsyncResult


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Give a real Redis server's settings, or, without redis-server, the filesystem's."""
    files = tmp_path_factory.mktemp("celery")
    if redis_executable() is None:
        yield Settings.without_server(files)
        return
    with redis_server(files / "redis") as url:
        yield Settings.with_redis(url, files)


@pytest.fixture(scope="module")
def tasks(settings: Settings) -> Iterator[Tasks]:
    """Give the tests' app and tasks, as a receiver that publishes to them has them."""
    made = make_app(settings)
    yield made
    made.close()


@pytest.fixture(scope="module")
def worker(settings: Settings) -> Iterator[Worker]:
    """Run one solo worker on the default queue for the module's tests."""
    with run_worker(settings, "solo") as running:
        yield running


@pytest.fixture(scope="module")
def pool(settings: Settings) -> Iterator[Worker]:
    """Run one prefork worker (one child process) on the ``pool`` queue."""
    with run_worker(settings, "prefork", pool="prefork", queue="pool") as running:
        yield running


@pytest.fixture(autouse=True)
def _worker_output(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print what the worker wrote during the test: pytest shows it when the test fails."""
    if "worker" not in request.fixturenames:
        yield
        return
    worker: Worker = request.getfixturevalue("worker")
    start = len(worker.output())
    yield
    print(worker.output()[start:])  # noqa: T201 -- captured, shown on failure


def disconnect(call_id: str) -> dict[str, Any]:
    """Give a disconnect event's body, with its own call id."""
    return {**golden_dict("disconnect"), "callId": call_id}


def call(prefix: str) -> str:
    """Give a new call id, its prefix telling the tests' handler what to do."""
    return f"{prefix}-{uuid.uuid4()}"


def message(call_id: str, body: bytes | None = None) -> Message:
    """Give the message of a disconnect event POSTed with that call id."""
    raw = json.dumps(disconnect(call_id)).encode() if body is None else body
    key = f"disconnect|callId={call_id}"
    return Message(key, "POST", "/", "", {"content-type": "application/json"}, raw)


def done(result: "AsyncResult[Result]") -> str:
    """Wait for a task's result; give it."""
    value: str = result.get(timeout=TIMEOUT, interval=0.02)
    return value


def records(settings: Settings, call_id: str) -> list[dict[str, Any]]:
    """Give what the handlers recorded for one call."""
    return [record for record in handled(settings.files) if record["call_id"] == call_id]


def drain(tasks: Tasks, worker: Worker) -> None:
    """Wait until the worker took every message published so far (one queue, in order)."""
    assert done(publish(tasks.handle, message(call("drain")))) == Result.HANDLED
    assert worker.process.poll() is None


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    """POST a webhook body to a receiver; give the answer's status."""
    request = urllib.request.Request(  # noqa: S310 -- a loopback URL the test made
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
        status: int = answer.status
    return status


def test_importing_the_package_does_not_import_celery() -> None:
    """The core, its receiver and its inbox included, imports neither Celery nor Kombu."""
    code = (
        "import sys, bandwidth_events as b; b.Receiver, b.Inbox, b.InboxWorker; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'celery', 'kombu'}); "
        "sys.exit(f'imported {bad}' if bad else None)"
    )
    result = subprocess.run(  # noqa: S603 -- our own code
        [sys.executable, "-c", code], capture_output=True, check=False
    )

    assert (result.returncode, result.stderr) == (0, b"")


@given(
    body=st.binary(),
    headers=st.dictionaries(st.sampled_from(["__type__", "__value__", "x-a"]), st.text()),
)
def test_the_json_serializer_carries_any_body_intact(body: bytes, headers: dict[str, str]) -> None:
    """Celery's JSON serializer gives a message's body back as the same bytes, headers too."""
    sent = Message("key", "POST", "/", "", headers, body)
    content_type, encoding, data = dumps(sent.kwargs(), serializer="json")

    received: dict[str, Any] = loads(data, content_type, encoding)

    assert type(received["body"]) is bytes
    assert received["body"] == body
    assert dict(received["headers"]) == headers
    assert received == {**sent.kwargs(), "body": body}


def test_an_event_goes_from_receiver_to_worker_once(
    tmp_path: Path, tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """A webhook POSTed twice is stored once, published, and handled once, headers and all."""
    call_id = call("ok")
    with (
        Inbox(tmp_path / "inbox.sqlite3") as inbox,
        serve_wsgi(Receiver(router=Router(), auth=None, inbox=inbox)) as url,
    ):
        # The lease must outlast a busy worker's time to take the message, or it is
        # published again (attempts 2); the event is marked done when the lease runs out.
        forwarder = CeleryForwarder(
            inbox, tasks.handle, ledger=tasks.ledger, poll_interval=0.05, confirm_after=2.0
        )
        with forwarder:
            statuses = [post(url, disconnect(call_id), {"x-trace": "t-1"}) for _ in range(2)]
            worker.wait(lambda: records(settings, call_id), "record of the event")
            # Done once the forwarder sees the worker's claim in the ledger.
            worker.wait(lambda: inbox.events()[0].status == InboxStatus.DONE, "the event done")

        [stored] = inbox.events()
        assert (stored.deliveries, stored.attempts) == (2, 1)

    assert statuses == [204, 204]
    [record] = records(settings, call_id)
    assert record["method"] == "POST"
    assert record["path"] == "/bandwidth/events"
    assert record["headers"]["x-trace"] == "t-1"
    assert "authorization" not in record["headers"]
    assert record["pid"] == worker.process.pid


def test_two_receivers_given_the_same_event_get_it_handled_once(
    tmp_path: Path, tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """Bandwidth's retry reaching a second receiver is published twice and handled once."""
    call_id = call("ok")
    with (
        Inbox(tmp_path / "a.sqlite3") as first,
        Inbox(tmp_path / "b.sqlite3") as second,
        serve_wsgi(Receiver(router=Router(), auth=None, inbox=first)) as url_a,
        serve_wsgi(Receiver(router=Router(), auth=None, inbox=second)) as url_b,
    ):
        assert post(url_a, disconnect(call_id)) == post(url_b, disconnect(call_id)) == 204
        forwarded = [
            CeleryForwarder(inbox, tasks.handle, ledger=tasks.ledger).run_once()
            for inbox in (first, second)
        ]
        drain(tasks, worker)

    assert forwarded == [1, 1]
    assert len(records(settings, call_id)) == 1


def test_a_get_callback_is_handled_from_its_query(
    tmp_path: Path, tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """A callback sent with GET reaches the worker as its query, and is parsed from it."""
    call_id = call("ok")
    with (
        Inbox(tmp_path / "inbox.sqlite3") as inbox,
        serve_wsgi(Receiver(router=Router(), auth=None, inbox=inbox)) as url,
    ):
        query = to_query(parse_event(json.dumps(disconnect(call_id))))
        with urllib.request.urlopen(f"{url}?{query}", timeout=TIMEOUT) as answer:  # noqa: S310
            assert answer.status == 204
        assert CeleryForwarder(inbox, tasks.handle, ledger=tasks.ledger).run_once() == 1
    worker.wait(lambda: records(settings, call_id), "record of the GET callback")

    [record] = records(settings, call_id)
    assert (record["method"], record["query"]) == ("GET", query)


def test_a_duplicate_publish_is_skipped(tasks: Tasks, worker: Worker, settings: Settings) -> None:
    """Of two messages with one key the first is handled; the other, or the first again, not."""
    call_id = call("ok")
    sent = message(call_id)
    first = publish(tasks.handle, sent)

    assert done(first) == Result.HANDLED
    assert done(publish(tasks.handle, sent)) == Result.DUPLICATE
    # Under the same id (its acknowledgement lost): the result store has the first's result.
    publish(tasks.handle, sent, task_id=first.id)
    drain(tasks, worker)

    assert len(records(settings, call_id)) == 1
    assert f"{sent.key}: skipped (done)" in worker.output()


def test_a_receiver_that_died_before_marking_done_publishes_again(
    tmp_path: Path, tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """An event published by a receiver that died before marking it is published once more."""
    call_id = call("ok")
    with Inbox(tmp_path / "inbox.sqlite3", lease=0) as inbox:
        inbox.take(message(call_id).request, message(call_id).body, message(call_id).event())
        claimed = inbox.claim()
        assert claimed is not None
        publish(tasks.handle, Message.of(claimed[0]))  # and the receiver dies: no done
        forwarder = CeleryForwarder(
            inbox, tasks.handle, ledger=tasks.ledger, confirm_after=CONFIRM_AFTER
        )

        assert forwarder.run_once() == 1  # published again: nothing said a worker took it
        drain(tasks, worker)
        lapse(CONFIRM_AFTER)
        assert forwarder.run_once() == 0  # a worker has it now: done, not published again

        [stored] = inbox.events()
        assert (stored.status, stored.attempts) == (InboxStatus.DONE, 1)
    assert len(records(settings, call_id)) == 1


def test_a_message_the_broker_lost_is_published_again(
    tmp_path: Path, tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """An event published whose key no worker claimed in time is published again, then done."""
    call_id = call("ok")
    with Inbox(tmp_path / "inbox.sqlite3") as inbox:
        inbox.take(message(call_id).request, message(call_id).body, message(call_id).event())
        claimed = inbox.claim()
        assert claimed is not None
        inbox.started(claimed[0].id, claimed[1], lease=0)  # "published", and lost on the way
        forwarder = CeleryForwarder(
            inbox, tasks.handle, ledger=tasks.ledger, confirm_after=CONFIRM_AFTER
        )

        assert forwarder.run_once() == 1
        drain(tasks, worker)
        lapse(2 * CONFIRM_AFTER)  # the second wait is twice the first
        assert forwarder.run_once() == 0

        [stored] = inbox.events()
        assert (stored.status, stored.attempts) == (InboxStatus.DONE, 2)
    assert len(records(settings, call_id)) == 1


def test_a_ledger_that_cannot_be_asked_leaves_the_event_pending(
    tmp_path: Path, tasks: Tasks
) -> None:
    """A forwarder that cannot ask the ledger whether a worker took an event keeps it pending."""
    call_id = call("ok")
    unusable = SQLiteLedger(tmp_path / "missing" / "ledger.sqlite3")
    with Inbox(tmp_path / "inbox.sqlite3", lease=0) as inbox:
        inbox.take(message(call_id).request, message(call_id).body, message(call_id).event())
        claimed = inbox.claim()
        assert claimed is not None
        inbox.started(claimed[0].id, claimed[1], lease=0)

        assert CeleryForwarder(inbox, tasks.handle, ledger=unusable).run_once() == 0

        [stored] = inbox.events()
        assert stored.status == InboxStatus.PENDING
        assert (stored.error or "").startswith("LedgerError: the ledger")


def test_the_forwarder_refuses_a_wait_that_is_not_a_number_of_seconds(
    tmp_path: Path, tasks: Tasks
) -> None:
    """A confirm_after that is not a positive number of seconds is refused."""
    with Inbox(tmp_path / "inbox.sqlite3") as inbox:
        for wrong in (0.0, float("nan")):
            with pytest.raises(ValueError, match="confirm_after must be a number of seconds"):
                CeleryForwarder(inbox, tasks.handle, ledger=tasks.ledger, confirm_after=wrong)


# How long a forwarder waits for a worker to take what it published: long enough that the
# lease it sets cannot run out while the same run_once is still looping, even on a busy
# machine (at a millisecond, one at the dependency floors under load claimed the event again
# and published it twice).
CONFIRM_AFTER = 0.25


def lapse(seconds: float) -> None:
    """Let a lease of so many seconds run out (the wait is the point, not a measure)."""
    time.sleep(seconds * 2)


@pytest.mark.usefixtures("worker")
def test_a_failing_handler_is_retried_then_kept_dead_then_replayed(
    tasks: Tasks, settings: Settings
) -> None:
    """A handler failing every attempt leaves a dead letter with the exact body, to replay."""
    call_id = call("fail")
    body = json.dumps(disconnect(call_id), ensure_ascii=False, indent="\t").encode()
    body = body.replace(b'"Callee is busy"', '"Appelé occupé \\u00e9 \U0001f4de"'.encode())
    sent = message(call_id, body)
    result = publish(tasks.handle, sent)

    assert done(result) == Result.DEAD
    letter = tasks.ledger.dead_letter(sent.key)
    assert letter.message == sent
    assert letter.message.body == body
    assert (letter.task_id, letter.attempts) == (result.id, 3)
    assert letter.error == f"RuntimeError: {call_id} fails until it is fixed"
    assert "RuntimeError" in letter.traceback
    assert letter in tasks.ledger.dead_letters()
    assert records(settings, call_id) == []

    (settings.files / "fixed").touch()
    try:
        assert done(replay(tasks.handle, letter)) == Result.HANDLED
    finally:
        (settings.files / "fixed").unlink()

    assert len(records(settings, call_id)) == 1
    with pytest.raises(LookupError, match="no dead letter"):
        tasks.ledger.dead_letter(sent.key)


@pytest.mark.usefixtures("worker")
def test_a_body_that_is_not_an_event_is_kept_dead_at_once(tasks: Tasks) -> None:
    """A message whose body cannot be parsed is a dead letter, with no attempt at a handler."""
    sent = message(call("ok"), b'{"eventType": "disconnect", "callId": 5}')

    assert done(publish(tasks.handle, sent)) == Result.DEAD

    letter = tasks.ledger.dead_letter(sent.key)
    assert letter.attempts == 0
    assert letter.error.startswith("EventParseError: ")
    tasks.ledger.forget(sent.key)
    assert sent.key not in {letter.key for letter in tasks.ledger.dead_letters()}


@pytest.mark.usefixtures("worker")
def test_a_message_whose_runs_all_died_is_kept_dead(tasks: Tasks) -> None:
    """A message claimed by three runs that never ended is a dead letter on the fourth."""
    sent = message(call("ok"))
    task_id = str(uuid.uuid4())
    claims = [tasks.ledger.claim(sent.key, task_id) for _ in range(3)]

    assert done(publish(tasks.handle, sent, task_id=task_id)) == Result.DEAD

    assert claims == [Claim(Verdict.NEW), Claim(Verdict.AGAIN, 1), Claim(Verdict.AGAIN, 2)]
    letter = tasks.ledger.dead_letter(sent.key)
    assert letter.error.startswith("Abandoned: its handler was started 3 times")
    assert letter.attempts == 3


def test_an_unreachable_ledger_is_waited_for(
    tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """While the ledger cannot be used the task is retried; once it can, it is handled."""
    call_id = call("ok")
    result = publish(tasks.handle_later, message(call_id))
    worker.wait(lambda: "the ledger could not be reached" in worker.output(), "ledger warning")

    (settings.files / "later").mkdir()

    assert done(result) == Result.HANDLED
    assert len(records(settings, call_id)) == 1


@pytest.mark.usefixtures("worker")
def test_async_handlers_run_on_the_worker(tasks: Tasks, settings: Settings) -> None:
    """An async handler runs on the worker, in an event loop, with its request."""
    call_id = call("ok")

    assert done(publish(tasks.handle_async, message(call_id))) == Result.HANDLED

    [record] = records(settings, call_id)
    assert record["async"] is True
    assert record["headers"] == {"content-type": "application/json"}


def test_a_worker_killed_in_a_handler_gets_its_message_again(
    tasks: Tasks, pool: Worker, settings: Settings
) -> None:
    """A prefork worker's process killed in a handler gives the message back; it is handled."""
    call_id = call("kill")
    victim = settings.files / f"{call_id}.pid"
    result = publish(tasks.handle_in_pool, message(call_id))
    pool.wait(victim.exists, "handler started")
    pid = int(victim.read_text())
    os.kill(pid, signal.SIGKILL)

    assert done(result) == Result.HANDLED

    [record] = records(settings, call_id)
    assert record["pid"] != pid


def test_a_message_that_kills_every_worker_process_is_kept_dead(tasks: Tasks, pool: Worker) -> None:
    """A handler that kills its process each time is given up on after two, not run forever."""
    poison = message(call("poison"))

    assert done(publish(tasks.handle_in_pool, poison)) == Result.DEAD

    assert tasks.ledger.dead_letter(poison.key).error.startswith("Abandoned: ")
    assert pool.output().count("exited with 'signal 9 (SIGKILL)'") >= 2


def test_a_task_called_directly_handles_the_event_here(tasks: Tasks, settings: Settings) -> None:
    """Calling the task as a function handles the event in this process."""
    call_id = call("ok")

    assert tasks.handle(**message(call_id).kwargs()) == Result.HANDLED

    [record] = records(settings, call_id)
    assert record["pid"] == os.getpid()


def test_the_forwarder_keeps_what_the_broker_refused(
    tmp_path: Path, tasks: Tasks, worker: Worker, settings: Settings
) -> None:
    """An event the broker does not take goes back to pending, with the error, until it does."""
    call_id = call("ok")
    down = attrs.evolve(settings, broker_url=f"redis://127.0.0.1:{free_port()}/0")
    with (
        closing(
            make_app(attrs.evolve(down, transport_options={}), ledger=tasks.ledger)
        ) as unreachable,
        Inbox(tmp_path / "inbox.sqlite3") as inbox,
    ):
        inbox.take(message(call_id).request, message(call_id).body, message(call_id).event())
        refused = CeleryForwarder(
            inbox, unreachable.handle, ledger=tasks.ledger, retry_policy={"max_retries": 0}
        )

        assert refused.run_once() == 0
        [stored] = inbox.events()
        assert stored.status == InboxStatus.PENDING
        assert stored.error is not None
        assert not inbox.arrived.is_set()

        assert CeleryForwarder(inbox, tasks.handle, ledger=tasks.ledger).run_once() == 1
    worker.wait(lambda: records(settings, call_id), "record of the event")


def test_handle_with_refuses_settings_that_mean_nothing(tasks: Tasks) -> None:
    """No attempt at all, or a wait that is not a number of seconds, is refused."""
    app, router, ledger = tasks.app, Router(), tasks.ledger
    with pytest.raises(ValueError, match="attempts must be at least 1, not 0"):
        handle_with(app, router, ledger=ledger, attempts=0)
    with pytest.raises(ValueError, match="wait_max must be a number of seconds, not nan"):
        handle_with(app, router, ledger=ledger, wait_max=float("nan"))


def test_the_wait_between_attempts_doubles_up_to_its_bound() -> None:
    """The backoff doubles from wait_initial, with jitter, and stays bounded however long."""
    handling = _Handling(Router(), SQLiteLedger("unused"), 5, 1.0, 60.0)

    waits = [handling.backoff(retries) for retries in (0, 3, 5000)]

    assert [int(wait) for wait in waits[:2]] == [1, 8]
    assert 60.0 <= waits[2] <= 61.0


@pytest.fixture(params=["sqlite", "redis"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Generator[Ledger]:
    """Give each kind of ledger: SQLite, and Redis (fakeredis where there is no Redis server)."""
    if request.param == "sqlite":
        yield SQLiteLedger(tmp_path / "ledger.sqlite3")
        return
    if redis_executable() is None:
        from fakeredis import FakeRedis  # noqa: PLC0415 -- only where Redis is missing

        yield RedisLedger(FakeRedis(), prefix="unit")
        return
    with redis_server(tmp_path / "redis") as url:
        yield RedisLedger(url, prefix="unit")


def letter(key: str, error: str = "RuntimeError: no", when: float = 0) -> DeadLetter:
    """Give a dead letter for a key."""
    failed_at = datetime.fromtimestamp(1_700_000_000 + when, UTC)
    sent = Message(key, "GET", "/cb", "eventType=x", {"x-a": "1"}, b"\xff\x00 not utf-8")
    return DeadLetter(sent, "task-1", 2, error, "Traceback ...", failed_at)


class TestLedgers:
    def test_claims_tell_new_again_duplicate_and_done(self, ledger: Ledger) -> None:
        """The first message claims a key; itself again may go on; others and done ones not."""
        assert ledger.claim("k", "t1") == Claim(Verdict.NEW)
        assert ledger.claim("k", "t2") == Claim(Verdict.DUPLICATE)
        ledger.release("k")
        assert ledger.claim("k", "t1") == Claim(Verdict.AGAIN, 0)
        assert ledger.claim("k", "t1") == Claim(Verdict.AGAIN, 1)
        ledger.done("k")
        assert ledger.claim("k", "t1") == Claim(Verdict.DONE)
        assert ledger.claim("k", "t2") == Claim(Verdict.DUPLICATE)
        assert ledger.claim("other", "t2") == Claim(Verdict.NEW)

    def test_a_ledger_knows_the_keys_workers_took(self, ledger: Ledger) -> None:
        """A key is known once claimed, and while its dead letter is kept; never before."""
        assert not ledger.knows("k")
        ledger.claim("k", "t1")
        assert ledger.knows("k")
        ledger.dead(letter("k"))
        assert ledger.knows("k")
        ledger.forget("k")
        assert not ledger.knows("k")

    def test_dead_letters_are_kept_listed_and_cleared(self, ledger: Ledger) -> None:
        """Dead letters round-trip, oldest first; a dead key is free for the next message."""
        ledger.claim("b", "task-1")
        ledger.claim("b", "task-1")
        ledger.dead(letter("b", when=2))
        ledger.dead(letter("a", when=1))
        ledger.dead(letter("c", when=3))

        assert ledger.dead_letters() == [
            letter("a", when=1),
            letter("b", when=2),
            letter("c", when=3),
        ]
        assert ledger.dead_letter("b") == letter("b", when=2)
        assert ledger.claim("b", "replay") == Claim(Verdict.NEW)
        assert ledger.claim("b", "task-1") == Claim(Verdict.DUPLICATE)
        ledger.done("b")
        ledger.forget("c")
        ledger.forget("never")
        assert [kept.key for kept in ledger.dead_letters()] == ["a"]
        with pytest.raises(LookupError, match="no dead letter for 'b'"):
            ledger.dead_letter("b")

    def test_a_dead_letter_reads_back_its_event(self) -> None:
        """A dead letter's message parses into its event, from its query for a GET."""
        event = parse_event(json.dumps(disconnect("c-1")))
        kept = DeadLetter(
            Message("k", "GET", "/", to_query(event), {}, b""), "t", 1, "e", "tb", datetime.now(UTC)
        )

        assert DeadLetter.from_json(kept.to_json()).message.event() == event

    def test_a_claim_past_its_retention_is_forgotten(self, tmp_path: Path) -> None:
        """Once a claim's retention ran out, another message with its key is handled."""
        ledger = SQLiteLedger(tmp_path / "ledger.sqlite3", retention=timedelta(0))
        ledger.claim("k", "t1")

        assert ledger.claim("k", "t2") == Claim(Verdict.NEW)
        assert repr(ledger) == f"SQLiteLedger({str(tmp_path / 'ledger.sqlite3')!r})"

    def test_a_ledger_that_cannot_be_used_raises_ledger_error(self, tmp_path: Path) -> None:
        """A SQLite file that cannot be opened, or a Redis nobody listens on, is a LedgerError."""
        url = f"redis://127.0.0.1:{free_port()}"
        for unusable in (SQLiteLedger(tmp_path / "missing" / "l.db"), RedisLedger(url)):
            with pytest.raises(LedgerError, match="could not be used"):
                unusable.claim("k", "t")
        assert repr(RedisLedger(url)) == f"RedisLedger({url!r}, prefix='bandwidth_events')"
