"""The durable inbox: every accepted webhook stored before it is answered, deduped, then handled."""

# pyright: reportPrivateUsage=false

import asyncio
import hashlib
import json
import logging
import math
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import pytest

from bandwidth_events import (
    Answer,
    BasicAuth,
    ConferenceCompleted,
    ConferenceMemberJoin,
    Disconnect,
    Dtmf,
    EventParseError,
    Failure,
    Inbox,
    InboxError,
    InboxStatus,
    InboxWorker,
    Receiver,
    RecordingAvailable,
    Reply,
    Request,
    Router,
    StoredEvent,
    UnknownEvent,
    current_request,
    dedupe_key,
    parse_event,
    parse_query,
    to_query,
)
from bandwidth_events._inbox import Abandoned, Taken, key_fields
from bandwidth_events.testing import deliver

from .conftest import golden, golden_dict
from .servers import serve_asgi, serve_wsgi

HEADERS = {"content-type": "application/json"}
CREDENTIALS = ("bandwidth", "s3cret")
BXML = "<Response><SpeakSentence>Welcome</SpeakSentence></Response>"
ANSWERED = Reply(200, (("content-type", "application/xml; charset=utf-8"),), BXML.encode())
TEXT = ("content-type", "text/plain; charset=utf-8")
NOT_READY = Reply(503, (TEXT,), b"this event is being handled already, and its answer is not ready")
NOT_STORED = Reply(503, (TEXT,), b"the event could not be stored")
BAD_BODY = Reply(400, (TEXT,), b"not a valid Bandwidth webhook body")
PENDING, HANDLING, DONE, DEAD = InboxStatus

Serve = Callable[..., AbstractContextManager[str]]
SERVERS = pytest.mark.parametrize("serve", [serve_asgi, serve_wsgi], ids=["asgi", "wsgi"])
MakeInbox = Callable[..., Inbox]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Give the inbox's SQLite file, in this test's own directory."""
    return tmp_path / "inbox.db"


@pytest.fixture
def inboxes(path: Path) -> Iterator[MakeInbox]:
    """Give a maker of inboxes on the one file, with millisecond backoffs; close them all after."""
    made: list[Inbox] = []

    def make(**options: Any) -> Inbox:
        settings: dict[str, Any] = {"wait_initial": 0.001, "wait_max": 0.002, **options}
        inbox = Inbox(path, **settings)
        made.append(inbox)
        return inbox

    yield make
    for inbox in made:
        inbox.close()


class Kit:
    """A receiver that stores into an inbox, its router, and the failures its hook got."""

    def __init__(self, inbox: Inbox, *, auth: BasicAuth | None = None) -> None:
        self.inbox = inbox
        self.router = Router()
        self.failures: list[Failure] = []
        self.receiver = Receiver(
            router=self.router, auth=auth, inbox=inbox, on_failure=self.failures.append
        )

    def post(self, body: bytes) -> Reply:
        """Answer a JSON POST of a body, as the WSGI app would."""
        return self.receiver.handle("POST", HEADERS, body)

    def worker(self, **options: Any) -> InboxWorker:
        """Give a worker on this inbox and router."""
        return InboxWorker(self.inbox, self.router, **options)

    def only(self) -> StoredEvent:
        """Give the one stored event, the test's subject."""
        [stored] = self.inbox.events()
        return stored


def variant(name: str, **changes: object) -> bytes:
    """Give a golden payload with some of its wire fields changed."""
    return json.dumps(golden_dict(name) | changes).encode()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait, up to 10 seconds, for something another thread does; fail if it never happens."""
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


class Blocker:
    """Another connection to the inbox file, that takes and frees its write lock when told."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.free()
        self.db.close()

    def hold(self) -> None:
        """Take the write lock, as a busy writer in another process would."""
        self.db.execute("BEGIN EXCLUSIVE")

    def free(self) -> None:
        """Free the write lock, if held."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")


def age(path: Path, row_id: int, days: float) -> None:
    """Make a stored event look received so many days earlier."""
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "UPDATE events SET received_at = received_at - ? WHERE id = ?", (days * 86400, row_id)
        )
        db.commit()


class Held:
    """A BXML handler for ConferenceMemberJoin that waits, once entered, until it is released."""

    def __init__(self, router: Router) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls: list[ConferenceMemberJoin] = []
        router.on(ConferenceMemberJoin)(self.handle)

    def handle(self, event: ConferenceMemberJoin) -> str:
        """Note the event, say so, and answer once released."""
        self.calls.append(event)
        self.entered.set()
        self.release.wait(10)
        return BXML


class TestKeys:
    def test_the_default_key_is_the_event_type_time_and_ids(self) -> None:
        """A modelled event's key is its eventType, eventTime and top-level ids that are set."""
        join = parse_event(golden("conferenceMemberJoin"))
        dtmf = parse_event(golden("dtmf"))

        assert key_fields(ConferenceMemberJoin) == (
            "eventType",
            "eventTime",
            "conferenceId",
            "callId",
        )
        assert dedupe_key(join) == (
            "conferenceMemberJoin|eventTime=2019-07-31T13:16:01.324Z"
            "|conferenceId=conf-59082d52-4a2ab5be-ce26-43ed-af94-431b8a19d4e3"
            "|callId=c-95ac8d6e-1a31c52e-b38f-4198-93c1-51633ec68f8d"
        )
        assert key_fields(Dtmf) == (
            "eventType",
            "eventTime",
            "callId",
            "accountId",
            "applicationId",
            "parentCallId",
            "transferCallerId",
        )
        assert dedupe_key(dtmf) == (
            "dtmf|eventTime=2019-06-20T15:54:48.992Z"
            "|callId=c-95ac8d6e-1a31c52e-b38f-4198-93c1-51633ec68f8d"
            "|accountId=55555555|applicationId=7fc9698a-b04a-468b-9e8f-91238c0d0086"
        )
        assert "recordingId" in key_fields(RecordingAvailable)

    def test_a_retry_has_the_same_key_and_another_event_another(self) -> None:
        """The same event sent again has the same key; another time or call id changes it."""
        key = dedupe_key(parse_event(golden("disconnect")))

        assert dedupe_key(parse_event(golden("disconnect"))) == key
        assert dedupe_key(parse_event(variant("disconnect", callId="c-other"))) != key
        retimed = variant("disconnect", eventTime="2019-06-20T15:55:56.000Z")
        assert dedupe_key(parse_event(retimed)) != key

    def test_an_unknown_event_is_keyed_by_its_whole_payload(self) -> None:
        """An UnknownEvent's key hashes its payload, whatever the order of its fields."""
        one = parse_event(b'{"eventType": "callQueued", "queue": {"id": "q-1", "at": [1, 2]}}')
        same = parse_event(b'{"queue": {"at": [1, 2], "id": "q-1"}, "eventType": "callQueued"}')
        other = parse_event(b'{"eventType": "callQueued", "queue": {"id": "q-2", "at": [1, 2]}}')

        assert isinstance(one, UnknownEvent)
        digest = hashlib.sha256(b'{"eventType":"callQueued","queue":{"at":[1,2],"id":"q-1"}}')
        assert dedupe_key(one) == f"callQueued|sha256={digest.hexdigest()}"
        assert dedupe_key(same) == dedupe_key(one)
        assert dedupe_key(other) != dedupe_key(one)

    def test_a_class_may_have_its_own_key(self, inboxes: MakeInbox) -> None:
        """keys={Dtmf: …} dedupes Dtmf by what it gives, after the event type; others by default."""

        def by_digit(event: Dtmf) -> str:
            return f"{event.call_id}|{event.digit}"

        kit = Kit(inboxes(keys={Dtmf: by_digit}))
        retimed = variant("dtmf", eventTime="2019-06-20T15:54:49.500Z")
        other_digit = variant("dtmf", digit="3")

        replies = [kit.post(body) for body in (golden("dtmf"), retimed, other_digit)]

        assert replies == [Reply(204)] * 3
        call = "c-95ac8d6e-1a31c52e-b38f-4198-93c1-51633ec68f8d"
        kept = {stored.key: stored.deliveries for stored in kit.inbox.events()}
        assert kept == {f"dtmf|{call}|2": 2, f"dtmf|{call}|3": 1}
        disconnect = parse_event(golden("disconnect"))
        assert kit.inbox.key_of(disconnect) == dedupe_key(disconnect)
        assert dedupe_key(parse_event(retimed)) != dedupe_key(parse_event(golden("dtmf")))


class TestDedupe:
    @SERVERS
    def test_a_retry_of_an_ignored_event_is_kept_once_and_handled_once(
        self, serve: Serve, inboxes: MakeInbox
    ) -> None:
        """Bandwidth's retry of a 204 event is counted on the stored one; a worker runs it once."""
        kit, handled = Kit(inboxes()), list[Disconnect]()

        @kit.router.on(Disconnect)
        def hung_up(event: Disconnect) -> None:
            handled.append(event)

        with serve(kit.receiver) as url:
            first = deliver(url, golden("disconnect"))
            retry = deliver(url, golden("disconnect"))

        assert (first.last.status, retry.last.status) == (204, 204)
        assert handled == []  # stored and answered: the worker handles it
        stored = kit.only()
        assert (stored.status, stored.deliveries, stored.attempts) == (PENDING, 2, 0)
        assert kit.worker().run_once() == 1
        assert handled == [parse_event(golden("disconnect"))]
        done = kit.inbox.get(stored.id)
        assert (done.status, done.attempts, done.answer, done.error) == (DONE, 1, None, None)
        assert kit.worker().run_once() == 0

    @SERVERS
    def test_a_retry_of_a_bxml_event_gets_the_same_answer(
        self, serve: Serve, inboxes: MakeInbox
    ) -> None:
        """A BXML event is handled before its answer, once; its retry gets the stored answer."""
        kit, handled = Kit(inboxes()), list[ConferenceMemberJoin]()

        @kit.router.on(ConferenceMemberJoin)
        def joined(event: ConferenceMemberJoin) -> str:
            handled.append(event)
            return BXML

        with serve(kit.receiver) as url:
            first = deliver(url, golden("conferenceMemberJoin"))
            retry = deliver(url, golden("conferenceMemberJoin"))

        for delivery in (first, retry):
            assert (delivery.last.status, delivery.last.body) == (200, BXML.encode())
            assert delivery.last.headers["content-type"] == "application/xml; charset=utf-8"
        assert len(handled) == 1
        stored = kit.only()
        assert (stored.status, stored.deliveries, stored.attempts) == (DONE, 2, 1)
        assert stored.answer == ANSWERED
        assert kit.worker().run_once() == 0

    def test_a_stored_204_is_sent_again(self, inboxes: MakeInbox) -> None:
        """A BXML handler's None is a 204 answer, kept and given to the retry as it is."""
        kit, handled = Kit(inboxes()), list[Answer]()

        @kit.router.on(Answer)
        def answered(event: Answer) -> None:
            handled.append(event)

        replies = [kit.post(golden("answer")), kit.post(golden("answer"))]

        assert replies == [Reply(204), Reply(204)]
        assert len(handled) == 1
        stored = kit.only()
        assert (stored.status, stored.deliveries, stored.answer) == (DONE, 2, Reply(204))

    def test_an_unknown_event_is_stored_and_deduped(self, inboxes: MakeInbox) -> None:
        """An eventType this version does not model is stored, its retry counted, then handled."""
        kit, handled = Kit(inboxes()), list[object]()
        kit.router.fallback(handled.append)
        body = b'{"eventType": "callQueued", "queue": "q-1", "position": 3}'
        reordered = b'{"position": 3, "queue": "q-1", "eventType": "callQueued"}'

        assert [kit.post(body), kit.post(reordered)] == [Reply(204), Reply(204)]
        stored = kit.only()
        assert (stored.event_type, stored.deliveries) == ("callQueued", 2)
        assert kit.worker().run_once() == 1
        assert handled == [parse_event(body)]

    @SERVERS
    def test_a_duplicate_waits_for_the_answer_of_the_running_handler(
        self, serve: Serve, inboxes: MakeInbox
    ) -> None:
        """A retry that comes while the first delivery's handler runs waits for its answer."""
        kit = Kit(inboxes())
        held = Held(kit.router)
        body = golden("conferenceMemberJoin")

        with serve(kit.receiver) as url, ThreadPoolExecutor(2) as pool:
            first = pool.submit(deliver, url, body)
            assert held.entered.wait(10)
            duplicate = pool.submit(deliver, url, body)
            wait_until(lambda: kit.only().deliveries == 2, "the duplicate to be counted")
            assert not duplicate.done()
            held.release.set()
            deliveries = [first.result(), duplicate.result()]

        for delivery in deliveries:
            assert (delivery.last.status, delivery.last.body) == (200, BXML.encode())
        assert len(held.calls) == 1
        assert kit.only().answer == ANSWERED

    def test_a_duplicate_after_the_lease_ran_out_gets_503(self, inboxes: MakeInbox) -> None:
        """A retry whose first delivery's lease ran out gets 503: the handler does not run twice."""
        kit = Kit(inboxes(lease=0))
        held = Held(kit.router)
        body = golden("conferenceMemberJoin")

        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(kit.post, body)
            assert held.entered.wait(10)
            duplicate = kit.post(body)
            held.release.set()
            answered = first.result()

        assert duplicate == NOT_READY
        assert answered == ANSWERED
        assert len(held.calls) == 1
        stored = kit.only()
        assert (stored.status, stored.deliveries, stored.answer) == (DONE, 2, ANSWERED)
        assert kit.failures == []

    def test_a_duplicate_gives_up_after_answer_wait(
        self, inboxes: MakeInbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A retry waits at most ANSWER_WAIT seconds for the running handler, then gets 503."""
        monkeypatch.setattr("bandwidth_events._receiver.ANSWER_WAIT", 0.05)
        kit = Kit(inboxes())
        held = Held(kit.router)
        body = golden("conferenceMemberJoin")

        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(kit.post, body)
            assert held.entered.wait(10)
            duplicate = kit.post(body)
            held.release.set()
            answered = first.result()

        assert (duplicate, answered) == (NOT_READY, ANSWERED)
        assert len(held.calls) == 1

    def test_a_duplicate_that_cannot_read_the_inbox_gets_503(
        self, inboxes: MakeInbox, path: Path
    ) -> None:
        """A retry waiting on an inbox it can no longer read answers 503; the hook has the body."""
        kit = Kit(inboxes())
        held = Held(kit.router)
        body = golden("conferenceMemberJoin")

        with ThreadPoolExecutor(2) as pool, closing(sqlite3.connect(path)) as other:
            first = pool.submit(kit.post, body)
            assert held.entered.wait(10)
            duplicate = pool.submit(kit.post, body)
            wait_until(lambda: kit.only().deliveries == 2, "the duplicate to be counted")
            other.execute("ALTER TABLE events RENAME TO elsewhere")  # its table is gone
            refused = duplicate.result()
            other.execute("ALTER TABLE elsewhere RENAME TO events")
            held.release.set()
            answered = first.result()

        assert (refused, answered) == (NOT_STORED, ANSWERED)
        [failure] = kit.failures
        assert (failure.status, failure.body) == (503, body)
        assert isinstance(failure.error, InboxError)
        assert "could not be read: no such table: events" in str(failure.error)
        assert kit.only().status == DONE

    @SERVERS
    def test_a_bxml_handler_that_raises_leaves_the_event_to_the_workers(
        self, serve: Serve, inboxes: MakeInbox
    ) -> None:
        """A BXML handler's failure answers 500 and frees the event; the worker's answer is kept."""
        kit, failing = Kit(inboxes()), [True]

        @kit.router.on(ConferenceMemberJoin)
        def joined(_event: ConferenceMemberJoin) -> str:
            if failing:
                failing.pop()
                raise RuntimeError("conference service down")
            return BXML

        with serve(kit.receiver) as url:
            failed = deliver(url, golden("conferenceMemberJoin"))
            stored = kit.only()
            early = deliver(url, golden("conferenceMemberJoin"))
            handled = kit.worker().run_once()
            late = deliver(url, golden("conferenceMemberJoin"))

        assert (failed.last.status, early.last.status, late.last.status) == (500, 503, 200)
        assert early.last.body == NOT_READY.body
        assert late.last.body == BXML.encode()
        assert (stored.status, stored.attempts) == (PENDING, 1)
        assert stored.error == "RuntimeError: conference service down"
        assert stored.traceback is not None
        assert "raise RuntimeError" in stored.traceback
        assert handled == 1
        done = kit.inbox.get(stored.id)
        assert (done.status, done.attempts, done.deliveries) == (DONE, 2, 3)
        assert (done.answer, done.error, done.traceback) == (ANSWERED, None, None)
        assert [(failure.status, type(failure.error)) for failure in kit.failures] == [
            (500, RuntimeError)
        ]

    def test_requests_stored_at_once_share_one_commit(self, inboxes: MakeInbox, path: Path) -> None:
        """Requests that come while a commit waits are stored together after it, each counted."""
        inbox = inboxes(busy_timeout=10)
        request = Request("POST", "/", "", HEADERS)
        first, dtmf = golden("disconnect"), golden("dtmf")

        def take(body: bytes) -> Taken:
            return inbox.take(request, body, parse_event(body))

        with Blocker(path) as blocker, ThreadPoolExecutor(3) as pool:
            blocker.hold()
            waiting = pool.submit(take, first)
            wait_until(
                lambda: inbox._commit_lock.locked() and not inbox._queue,
                "the first commit to wait for the lock",
            )
            together = [pool.submit(take, dtmf), pool.submit(take, dtmf)]
            wait_until(lambda: len(inbox._queue) == 2, "two requests queued behind it")
            blocker.free()
            alone, *retried = [future.result() for future in (waiting, *together)]

        assert alone.new
        assert sorted(taken.new for taken in retried) == [False, True]
        assert len({taken.id for taken in retried}) == 1
        kept = {stored.event_type: stored.deliveries for stored in inbox.events()}
        assert kept == {"disconnect": 1, "dtmf": 2}

    def test_a_request_sqlite_cannot_take_fails_alone(self, inboxes: MakeInbox, path: Path) -> None:
        """A request with text SQLite cannot store answers 503 alone; its batch is stored."""
        kit = Kit(inboxes(busy_timeout=10))
        odd = "/\udc80"  # a lone surrogate: only a direct caller of handle() can pass one

        with Blocker(path) as blocker, ThreadPoolExecutor(3) as pool:
            blocker.hold()
            waiting = pool.submit(kit.post, golden("disconnect"))
            wait_until(
                lambda: kit.inbox._commit_lock.locked() and not kit.inbox._queue,
                "the first commit to wait for the lock",
            )
            refused = pool.submit(kit.receiver.handle, "POST", HEADERS, golden("dtmf"), "", odd)
            stored = pool.submit(kit.post, golden("conferenceCompleted"))
            wait_until(lambda: len(kit.inbox._queue) == 2, "two requests queued behind it")
            blocker.free()
            replies = [future.result().status for future in (waiting, refused, stored)]

        assert replies == [204, 503, 204]
        assert sorted(event.event_type or "" for event in kit.inbox.events()) == [
            "conferenceCompleted",
            "disconnect",
        ]
        [failure] = kit.failures
        assert str(failure.error).startswith(
            "the request could not be stored: UnicodeEncodeError: 'utf-8' codec can't encode"
        )
        assert isinstance(failure.error.__cause__, UnicodeEncodeError)

    def test_headers_sqlite_cannot_take_are_refused_with_503(self, inboxes: MakeInbox) -> None:
        """Headers holding a lone surrogate cannot be kept: 503 with the body to the hook."""
        kit = Kit(inboxes())

        reply = kit.receiver.handle("POST", {**HEADERS, "x-odd": "\udc80"}, golden("dtmf"))

        assert reply == NOT_STORED
        [failure] = kit.failures
        assert str(failure.error) == (
            "the request could not be stored: TypeError: str is not valid UTF-8: "
            "surrogates not allowed"
        )
        assert kit.inbox.events() == []

    def test_an_interrupted_commit_fails_its_whole_batch(
        self, inboxes: MakeInbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A commit stopped by KeyboardInterrupt stores none of its batch, and the stop goes on."""
        inbox = inboxes()
        request = Request("POST", "/", "", HEADERS)
        follower = _Job_of(inbox)

        def interrupted(_db: sqlite3.Connection, _job: Any) -> Any:
            raise KeyboardInterrupt

        monkeypatch.setattr("bandwidth_events._inbox._run_one", interrupted)
        with pytest.raises(KeyboardInterrupt):
            inbox.take(request, golden("dtmf"), parse_event(golden("dtmf")))

        assert isinstance(follower.outcome, InboxError)
        assert str(follower.outcome) == "the request could not be stored: KeyboardInterrupt: "
        monkeypatch.undo()
        assert inbox.events() == []


def _Job_of(inbox: Inbox) -> Any:  # noqa: N802 -- reads as what it gives
    """Queue a statement as another thread would have, to be run by the next commit."""
    from bandwidth_events._inbox import _Job  # noqa: PLC0415 -- a private helper, for one test

    job = _Job("SELECT 1", ())
    inbox._queue.append(job)
    return job


class TestBadBodies:
    @SERVERS
    def test_a_bad_body_is_kept_dead_and_its_retry_counted(
        self, serve: Serve, inboxes: MakeInbox
    ) -> None:
        """A body that does not parse is answered 400 and kept as dead, once, its retry counted."""
        kit = Kit(inboxes())
        bad = golden("disconnect").replace(b'"eventTime"', b'"eventTim"')

        with serve(kit.receiver) as url:
            statuses = [deliver(url, body).last.status for body in (bad, bad, b"{")]
            query = deliver(url, "eventType=disconnect", method="GET").last.status

        assert (statuses, query) == ([400, 400, 400], 400)
        first, other, got = sorted(kit.inbox.events(DEAD), key=lambda stored: stored.id)
        digest = hashlib.sha256(b"POST\0\0" + bad).hexdigest()
        assert first.key == f"unreadable|sha256={digest}"
        assert (first.body, first.deliveries, first.attempts) == (bad, 2, 0)
        assert (first.event_type, first.answer, first.traceback) == ("disconnect", None, None)
        assert first.error == (
            "EventParseError: invalid disconnect webhook body: eventTime: required field is missing"
        )
        assert first.handled_at is not None
        assert (other.body, other.deliveries, other.event_type) == (b"{", 1, None)
        assert (got.method, got.query, got.body) == ("GET", "eventType=disconnect", b"")
        assert [failure.status for failure in kit.failures] == [400] * 4
        assert kit.failures[0].body == bad
        assert kit.worker().run_once() == 0  # the dead are not retried
        with pytest.raises(EventParseError):
            first.event()

    def test_a_bad_body_the_inbox_cannot_keep_still_goes_to_the_hook(
        self, inboxes: MakeInbox, path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """With the inbox locked, a bad body is still answered 400, logged, and given the hook."""
        kit = Kit(inboxes(busy_timeout=0.01))

        with Blocker(path) as blocker, caplog.at_level(logging.ERROR, "bandwidth_events"):
            blocker.hold()
            reply = kit.post(b"{")

        assert reply == BAD_BODY
        assert "the inbox could not keep a bad body: the failure hook has it" in caplog.text
        assert [failure.body for failure in kit.failures] == [b"{"]
        assert kit.inbox.events() == []

    def test_a_stored_body_that_no_longer_parses_is_dead(self, inboxes: MakeInbox) -> None:
        """A stored event the worker cannot parse is marked dead with the parse error, unhandled."""
        inbox = inboxes()
        event = parse_event(golden("disconnect"))
        inbox.take(Request("POST", "/", "", {}), b'{"eventType": "disconnect"}', event)

        assert InboxWorker(inbox, Router()).run_once() == 1
        [stored] = inbox.events()
        assert (stored.status, stored.attempts) == (DEAD, 0)
        assert stored.error is not None
        assert stored.error.startswith("EventParseError: ")


class TestGetCallbacks:
    def test_get_callbacks_are_kept_with_their_query_and_handled(self, inboxes: MakeInbox) -> None:
        """A GET callback is stored with its query and no body, then handled as a POST would be."""
        kit, handled = Kit(inboxes()), list[Disconnect]()
        disconnect, answer = parse_event(golden("disconnect")), parse_event(golden("answer"))

        @kit.router.on(Disconnect)
        def hung_up(event: Disconnect) -> None:
            handled.append(event)

        @kit.router.on(Answer)
        def answered(_event: Answer) -> str:
            return BXML

        with serve_asgi(kit.receiver) as url:
            got = deliver(url, disconnect, method="GET")
            bxml = deliver(url, answer, method="GET")

        assert (got.last.status, bxml.last.status, bxml.last.body) == (204, 200, BXML.encode())
        first, second = sorted(kit.inbox.events(), key=lambda stored: stored.id)
        assert (first.method, first.query, first.body) == ("GET", to_query(disconnect), b"")
        assert (first.status, first.event()) == (PENDING, disconnect)
        assert parse_query(first.request.query) == disconnect
        assert (second.method, second.status, second.answer) == ("GET", DONE, ANSWERED)
        assert kit.worker().run_once() == 1
        assert handled == [disconnect]


class TestWorker:
    def test_run_once_handles_what_is_due_oldest_first(self, inboxes: MakeInbox) -> None:
        """run_once handles every pending event, in the order received, and says how many."""
        kit, handled = Kit(inboxes()), list[str]()

        @kit.router.on(Disconnect)
        def hung_up(event: Disconnect) -> None:
            handled.append(event.call_id)

        for call in ("c-1", "c-2", "c-3"):
            kit.post(variant("disconnect", callId=call))

        assert kit.worker().run_once() == 3
        assert handled == ["c-1", "c-2", "c-3"]
        assert kit.inbox.counts() == {PENDING: 0, HANDLING: 0, DONE: 3, DEAD: 0}

    def test_threads_handle_events_as_they_come(self, inboxes: MakeInbox) -> None:
        """Started, the worker's threads handle each stored event once; stopped, they end."""
        kit, lock, handled = Kit(inboxes()), threading.Lock(), list[tuple[str, str]]()

        @kit.router.on(Disconnect)
        def hung_up(event: Disconnect) -> None:
            with lock:
                handled.append((event.call_id, threading.current_thread().name))

        # A minute between polls: storing an event wakes the threads, and stopping them too.
        worker = kit.worker(threads=2, poll_interval=60)
        with worker:
            with pytest.raises(RuntimeError, match="this worker is running already"):
                worker.start()
            for n in range(6):
                kit.post(variant("disconnect", callId=f"c-{n}"))
            wait_until(lambda: kit.inbox.counts()[DONE] == 6, "six events handled")
            worker.stop(timeout=10)

        assert sorted(call for call, _ in handled) == [f"c-{n}" for n in range(6)]
        assert {name for _, name in handled} <= {
            "bandwidth-events-inbox-0",
            "bandwidth-events-inbox-1",
        }
        assert not [t for t in threading.enumerate() if t.name.startswith("bandwidth-events-")]
        worker.start()  # a stopped worker starts again
        try:
            kit.post(variant("disconnect", callId="c-6"))
            wait_until(lambda: kit.inbox.counts()[DONE] == 7, "the seventh event handled")
        finally:
            worker.stop()

    def test_storing_wakes_the_worker(self, inboxes: MakeInbox) -> None:
        """Storing an event, or freeing one for a retry, wakes a worker waiting on `arrived`."""
        kit = Kit(inboxes())

        @kit.router.on(ConferenceMemberJoin)
        def joined(_event: ConferenceMemberJoin) -> str:
            kit.inbox.arrived.clear()  # stored already: only freeing it may set it now
            raise RuntimeError("down")

        kit.inbox.arrived.clear()
        kit.post(golden("disconnect"))
        stored = kit.inbox.arrived.is_set()
        kit.inbox.arrived.clear()
        kit.post(golden("disconnect"))  # a retry: nothing new to handle
        retried = kit.inbox.arrived.is_set()
        kit.post(golden("conferenceMemberJoin"))  # handled here, then freed for the workers

        assert (stored, retried, kit.inbox.arrived.is_set()) == (True, False, True)

    def test_async_handlers_run_in_the_worker(self, inboxes: MakeInbox) -> None:
        """A router's async handlers run in the worker, each in an event loop of its own."""
        kit, handled = Kit(inboxes()), list[Disconnect]()

        @kit.router.on(Disconnect)
        async def hung_up(event: Disconnect) -> None:
            await asyncio.sleep(0)
            handled.append(event)

        @kit.router.on(ConferenceMemberJoin)
        async def joined(_event: ConferenceMemberJoin) -> str:
            await asyncio.sleep(0)
            return BXML

        reply = asyncio.run(
            kit.receiver.handle_async("POST", HEADERS, golden("conferenceMemberJoin"))
        )
        asyncio.run(kit.receiver.handle_async("POST", HEADERS, golden("disconnect")))

        assert reply == ANSWERED
        assert kit.worker().run_once() == 1
        assert handled == [parse_event(golden("disconnect"))]
        join = next(stored for stored in kit.inbox.events() if stored.event_type != "disconnect")
        replayed = kit.inbox.replay(join.id, kit.router)
        assert (replayed.status, replayed.answer, replayed.attempts) == (DONE, ANSWERED, 2)

    def test_handlers_see_the_stored_request(self, inboxes: MakeInbox) -> None:
        """current_request() in a worker-run handler, plain or async, gives the stored request."""
        kit, seen = Kit(inboxes(), auth=BasicAuth([CREDENTIALS])), list[Any]()

        @kit.router.on(Disconnect)
        def plain(_event: Disconnect) -> None:
            seen.append(current_request())

        @kit.router.on(ConferenceCompleted)
        async def awaited(_event: ConferenceCompleted) -> None:
            seen.append(current_request())

        with serve_asgi(kit.receiver) as url:
            deliver(url + "?source=test", golden("disconnect"), credentials=CREDENTIALS)
            deliver(url, golden("conferenceCompleted"), credentials=CREDENTIALS)

        assert kit.worker().run_once() == 2
        first, second = sorted(kit.inbox.events(), key=lambda stored: stored.id)
        assert seen == [first.request, second.request]
        assert (seen[0].method, seen[0].path, seen[0].query) == (
            "POST",
            "/bandwidth/events",
            "source=test",
        )
        assert seen[0].headers["content-type"] == "application/json"
        assert "authorization" not in seen[0].headers
        with pytest.raises(LookupError):
            current_request()  # the worker set it for the handler only

    def test_a_failing_handler_is_retried_until_it_succeeds(self, inboxes: MakeInbox) -> None:
        """A handler that raises is run again after a backoff; each attempt is counted."""
        kit, tries = Kit(inboxes(attempts=5)), list[int]()

        @kit.router.on(Disconnect)
        def flaky(_event: Disconnect) -> None:
            tries.append(len(tries))
            if len(tries) < 3:
                raise ConnectionError("the CRM is down")

        kit.post(golden("disconnect"))

        assert kit.worker().run_once() == 1
        stored = kit.only()
        assert (stored.status, stored.attempts, len(tries)) == (DONE, 3, 3)
        assert (stored.error, stored.traceback) == (None, None)

    def test_a_handler_that_always_fails_ends_dead_with_its_traceback(
        self, inboxes: MakeInbox
    ) -> None:
        """After its last attempt, the event is dead with the error's line and its traceback."""
        kit, tries = Kit(inboxes(attempts=3)), list[int]()

        @kit.router.on(Disconnect)
        def broken(_event: Disconnect) -> None:
            tries.append(1)
            raise RuntimeError("database down")

        kit.post(golden("disconnect"))

        assert kit.worker().run_once() == 1
        stored = kit.only()
        assert (stored.status, stored.attempts, len(tries)) == (DEAD, 3, 3)
        assert stored.error == "RuntimeError: database down"
        assert stored.traceback is not None
        assert stored.traceback.startswith("Traceback (most recent call last):")
        assert "in broken" in stored.traceback
        assert stored.traceback.endswith("RuntimeError: database down\n")
        assert stored.handled_at is not None
        assert stored.handled_at >= stored.received_at
        assert kit.worker().run_once() == 0

    def test_an_expired_lease_is_taken_again_and_a_held_one_is_not(
        self, inboxes: MakeInbox
    ) -> None:
        """An event whose handler's process died is handled once its lease runs out, not before."""
        kit, handled = Kit(inboxes()), list[str]()
        crashed = inboxes(lease=0)  # another process, on the same file, that will die

        @kit.router.on(Disconnect)
        def hung_up(event: Disconnect) -> None:
            handled.append(event.call_id)

        kit.post(variant("disconnect", callId="c-held"))
        held = kit.inbox.claim()  # a live worker's, under a 60 s lease
        kit.post(variant("disconnect", callId="c-died"))
        died = crashed.claim()
        assert held is not None
        assert died is not None
        assert held[0].id < died[0].id  # the older one is not due: its lease is held
        crashed.started(died[0].id, died[1])  # its attempt, then the process died
        assert kit.inbox.get(died[0].id).status == HANDLING

        assert kit.worker().run_once() == 1
        assert handled == ["c-died"]
        stored = kit.inbox.get(died[0].id)
        assert (stored.status, stored.attempts) == (DONE, 2)
        crashed.dead(stored.id, died[1], RuntimeError("too late"))  # not its event any more
        assert kit.inbox.get(stored.id) == stored
        assert kit.inbox.get(held[0].id).status == HANDLING

    def test_a_crashed_attempt_counts(self, inboxes: MakeInbox) -> None:
        """The attempts a crashed process used are not given again: the worker has the rest."""
        kit, tries = Kit(inboxes(attempts=3)), list[int]()
        crashed = inboxes(lease=0)

        @kit.router.on(Disconnect)
        def broken(_event: Disconnect) -> None:
            tries.append(1)
            raise RuntimeError("still broken")

        kit.post(golden("disconnect"))
        claimed = crashed.claim()
        assert claimed is not None
        crashed.started(claimed[0].id, claimed[1])

        kit.worker().run_once()

        assert (kit.only().status, kit.only().attempts, len(tries)) == (DEAD, 3, 2)

    def test_an_event_that_killed_every_attempt_is_abandoned(self, inboxes: MakeInbox) -> None:
        """With every attempt ended by its process, the event is dead as Abandoned, not run."""
        kit, handled = Kit(inboxes(attempts=2)), list[Disconnect]()
        crashed = inboxes(lease=0)
        kit.router.on(Disconnect)(handled.append)

        kit.post(golden("disconnect"))
        for _ in range(2):
            claimed = crashed.claim()
            assert claimed is not None
            crashed.started(claimed[0].id, claimed[1])

        assert kit.worker().run_once() == 1
        stored = kit.only()
        assert handled == []
        assert (stored.status, stored.attempts) == (DEAD, 2)
        assert stored.error == (
            "Abandoned: its handler was started 2 times and never finished: each time, the "
            "process running it stopped (killed, out of memory, or restarted)"
        )
        assert str(Abandoned(2)) in stored.error

    def test_the_worker_needs_stamina_and_the_receiver_does_not(
        self, inboxes: MakeInbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without stamina the receiver still stores and answers; the worker names the extra."""
        monkeypatch.setitem(sys.modules, "stamina", None)
        kit = Kit(inboxes())
        kit.router.on(ConferenceMemberJoin)(lambda _event: BXML)

        assert kit.post(golden("conferenceMemberJoin")) == ANSWERED
        assert kit.post(golden("disconnect")) == Reply(204)
        with pytest.raises(ImportError, match=r"pip install 'bandwidth-events\[inbox\]'"):
            kit.worker().run_once()

    def test_the_loop_logs_an_inbox_error_and_carries_on(
        self, inboxes: MakeInbox, path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A worker thread that cannot reach the inbox logs it, waits, and goes on once it can."""
        kit, handled = Kit(inboxes(busy_timeout=0.01)), list[Disconnect]()
        kit.router.on(Disconnect)(handled.append)
        kit.post(golden("disconnect"))
        message = "the inbox worker could not read or update the inbox"

        def logged() -> list[logging.LogRecord]:
            return [record for record in caplog.records if record.getMessage() == message]

        with Blocker(path) as blocker, caplog.at_level(logging.ERROR, "bandwidth_events"):
            blocker.hold()
            with kit.worker(poll_interval=0.01):
                wait_until(lambda: bool(logged()), "the worker to log the locked inbox")
                assert handled == []
                blocker.free()
                wait_until(lambda: kit.inbox.counts()[DONE] == 1, "the event handled")

        exc_info = logged()[0].exc_info
        assert exc_info is not None
        assert exc_info[0] is InboxError
        assert len(handled) == 1

    def test_the_worker_purges_past_retention(self, inboxes: MakeInbox, path: Path) -> None:
        """A started worker deletes the handled events older than the inbox's retention."""
        kit = Kit(inboxes(retention=timedelta(days=1)))
        kit.post(variant("disconnect", callId="c-old"))
        kit.worker().run_once()
        age(path, kit.only().id, days=2)
        kit.post(variant("disconnect", callId="c-new"))  # pending: never purged

        with kit.worker(poll_interval=0.01):
            wait_until(lambda: kit.inbox.counts()[PENDING] == 0, "the new event handled")

        assert [stored.key.count("c-new") for stored in kit.inbox.events()] == [1]

    @pytest.mark.parametrize("threads", [0, -1])
    def test_at_least_one_thread(self, inboxes: MakeInbox, threads: int) -> None:
        """A worker with no thread is a configuration mistake."""
        with pytest.raises(ValueError, match=f"threads must be at least 1, not {threads}"):
            InboxWorker(inboxes(), Router(), threads=threads)

    @pytest.mark.parametrize("stop", [SystemExit, KeyboardInterrupt])
    def test_a_handler_that_exits_in_a_worker_thread_is_dead_and_the_worker_goes_on(
        self, inboxes: MakeInbox, stop: type[BaseException]
    ) -> None:
        """SystemExit or KeyboardInterrupt from a handler in a worker thread is its failure."""
        kit = Kit(inboxes())

        @kit.router.on(ConferenceCompleted)
        def exits(_event: ConferenceCompleted) -> None:
            raise stop

        assert kit.post(golden("conferenceCompleted")).status == 204
        assert kit.post(golden("disconnect")).status == 204
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(kit.worker().run_once).result() == 2

        statuses = {event.event_type: (event.status, event.error) for event in kit.inbox.events()}
        assert statuses == {
            "conferenceCompleted": (DEAD, f"{stop.__name__}: "),
            "disconnect": (DONE, None),
        }

    def test_ctrl_c_in_the_main_thread_gives_the_event_back_and_stops(
        self, inboxes: MakeInbox
    ) -> None:
        """Ctrl-C during a handler run in the main thread frees the event, and goes on."""
        kit = Kit(inboxes())

        @kit.router.on(ConferenceCompleted)
        def interrupted(_event: ConferenceCompleted) -> None:
            raise KeyboardInterrupt

        assert kit.post(golden("conferenceCompleted")).status == 204
        with pytest.raises(KeyboardInterrupt):
            kit.worker().run_once()

        stored = kit.only()
        assert (stored.status, stored.attempts, stored.error) == (PENDING, 1, "KeyboardInterrupt: ")


class TestReplay:
    def broken_then_fixed(self, kit: Kit) -> Router:
        """Register a handler that fails on the kit's router; give a router with the fix."""

        @kit.router.on(Disconnect)
        def broken(_event: Disconnect) -> None:
            raise KeyError("callId")

        fixed, self.handled = Router(), list[Disconnect]()
        fixed.on(Disconnect)(self.handled.append)
        return fixed

    def test_a_dead_event_is_handled_once_its_bug_is_fixed(self, inboxes: MakeInbox) -> None:
        """Replaying a dead event through the fixed router handles it: done, its error cleared."""
        kit = Kit(inboxes(attempts=1))
        fixed = self.broken_then_fixed(kit)
        kit.post(golden("disconnect"))
        kit.worker().run_once()
        dead = kit.only()
        assert (dead.status, dead.error) == (DEAD, "KeyError: 'callId'")

        replayed = kit.inbox.replay(dead.id, fixed)

        assert self.handled == [parse_event(golden("disconnect"))]
        assert (replayed.status, replayed.attempts) == (DONE, 2)
        assert (replayed.error, replayed.traceback) == (None, None)
        assert replayed == kit.inbox.get(dead.id)

    def test_a_replay_that_fails_again_stays_dead_with_the_new_error(
        self, inboxes: MakeInbox
    ) -> None:
        """A replay runs the handler once; if it raises again the event is dead with that error."""
        kit = Kit(inboxes(attempts=1))
        self.broken_then_fixed(kit)
        kit.post(golden("disconnect"))
        kit.worker().run_once()
        other = Router()

        @other.on(Disconnect)
        def still_broken(_event: Disconnect) -> None:
            raise ValueError("another bug")

        replayed = kit.inbox.replay(kit.only().id, other)

        assert (replayed.status, replayed.attempts) == (DEAD, 2)
        assert replayed.error == "ValueError: another bug"
        assert replayed.traceback is not None
        assert "still_broken" in replayed.traceback

    def test_an_event_under_a_lease_is_not_replayed(self, inboxes: MakeInbox) -> None:
        """An event being handled now cannot be replayed; once its lease ran out it can."""
        kit = Kit(inboxes())
        fixed = self.broken_then_fixed(kit)
        expired = inboxes(lease=0)
        kit.post(variant("disconnect", callId="c-held"))
        kit.post(variant("disconnect", callId="c-expired"))
        held, lapsed = kit.inbox.claim(), expired.claim()
        assert held is not None
        assert lapsed is not None

        with pytest.raises(ValueError, match=f"event {held[0].id} is being handled now"):
            kit.inbox.replay(held[0].id, fixed)
        assert kit.inbox.replay(lapsed[0].id, fixed).status == DONE
        assert kit.inbox.get(held[0].id).status == HANDLING

    def test_an_unknown_id_is_a_lookup_error(self, inboxes: MakeInbox) -> None:
        """Replaying, or getting, an id the inbox does not have raises LookupError."""
        inbox = inboxes()

        with pytest.raises(LookupError, match="has no event 42"):
            inbox.replay(42, Router())
        with pytest.raises(LookupError, match="has no event 42"):
            inbox.get(42)

    def test_replay_dead_replays_every_dead_event_oldest_first(self, inboxes: MakeInbox) -> None:
        """replay_dead replays each dead event, oldest first, and leaves the others alone."""
        kit = Kit(inboxes(attempts=1))
        fixed = self.broken_then_fixed(kit)
        for call in ("c-1", "c-2", "c-3"):
            kit.post(variant("disconnect", callId=call))
        kit.worker().run_once()
        kit.post(variant("disconnect", callId="c-pending"))

        replayed = kit.inbox.replay_dead(fixed)

        assert [stored.status for stored in replayed] == [DONE] * 3
        assert [stored.id for stored in replayed] == sorted(stored.id for stored in replayed)
        assert [event.call_id for event in self.handled] == ["c-1", "c-2", "c-3"]
        assert kit.inbox.counts() == {PENDING: 1, HANDLING: 0, DONE: 3, DEAD: 0}
        assert kit.inbox.replay_dead(fixed) == []


class TestInspection:
    def test_events_counts_and_get(self, inboxes: MakeInbox, path: Path) -> None:
        """events() lists newest first, by status and up to a limit; counts() has every status."""
        kit = Kit(inboxes())
        kit.router.on(ConferenceMemberJoin)(lambda _event: BXML)
        before = datetime.now(UTC)
        kit.post(golden("disconnect"))
        kit.post(golden("conferenceMemberJoin"))
        kit.post(b"{")

        listed = kit.inbox.events()

        assert [stored.event_type for stored in listed] == [
            None,
            "conferenceMemberJoin",
            "disconnect",
        ]
        assert [stored.id for stored in listed] == sorted((s.id for s in listed), reverse=True)
        assert [stored.status for stored in listed] == [DEAD, DONE, PENDING]
        assert kit.inbox.events(PENDING) == [listed[2]]
        assert kit.inbox.events(limit=1) == listed[:1]
        assert kit.inbox.events(limit=None) == listed
        assert kit.inbox.counts() == {PENDING: 1, HANDLING: 0, DONE: 1, DEAD: 1}
        pending = kit.inbox.get(listed[2].id)
        assert pending == listed[2]
        assert pending.request == Request("POST", "/", "", HEADERS)
        assert pending.event() == parse_event(golden("disconnect"))
        assert (pending.handled_at, pending.answer, pending.headers) == (None, None, HEADERS)
        assert pending.received_at.tzinfo is UTC
        assert before <= pending.received_at <= datetime.now(UTC)
        assert repr(kit.inbox) == f"Inbox({str(path)!r})"

    def test_purge_keeps_what_is_in_retention_and_all_that_is_not_handled(
        self, inboxes: MakeInbox, path: Path
    ) -> None:
        """Purging deletes done and dead events past retention; pending and leased ones never."""
        kit = Kit(inboxes(retention=timedelta(days=30), attempts=1))

        @kit.router.on(ConferenceCompleted)
        def broken(_event: ConferenceCompleted) -> None:
            raise RuntimeError("down")

        kit.post(variant("disconnect", callId="c-done-old"))
        kit.post(golden("conferenceCompleted"))
        kit.post(variant("disconnect", callId="c-done-new"))
        kit.worker().run_once()
        kit.post(variant("disconnect", callId="c-leased-old"))
        assert kit.inbox.claim() is not None
        kit.post(variant("disconnect", callId="c-pending-old"))
        for stored in kit.inbox.events():
            if "-new" not in stored.key:
                age(path, stored.id, days=31)
        assert kit.inbox.counts() == {PENDING: 1, HANDLING: 1, DONE: 2, DEAD: 1}

        def left() -> list[str]:
            return sorted(json.loads(stored.body)["callId"] for stored in kit.inbox.events())

        assert kit.inbox.purge() == 2
        assert left() == ["c-done-new", "c-leased-old", "c-pending-old"]
        assert kit.inbox.purge(older_than=timedelta(0)) == 1
        assert left() == ["c-leased-old", "c-pending-old"]

    def test_closing_closes_every_connection_and_using_it_again_reopens(self, path: Path) -> None:
        """close() closes the connections of every thread; the inbox reconnects when used again."""
        wal = Path(f"{path}-wal")
        with Inbox(path) as inbox, ThreadPoolExecutor(2) as pool:
            [pool.submit(inbox.counts).result() for _ in range(4)]
            inbox.take(
                Request("POST", "/", "", {}),
                golden("disconnect"),
                parse_event(golden("disconnect")),
            )
            assert wal.exists()
        assert not wal.exists()  # the last connection closed: SQLite folded the WAL back in

        assert inbox.counts()[PENDING] == 1
        inbox.close()

    def test_the_answer_of_an_event_purged_meanwhile_is_none(self, inboxes: MakeInbox) -> None:
        """A duplicate waiting on an event purged meanwhile finds no lease and no answer."""
        assert inboxes().answer_of(12345) == (False, None)


class TestInboxErrors:
    def test_a_directory_cannot_be_an_inbox(self, tmp_path: Path) -> None:
        """An inbox on a path SQLite cannot open fails at once, as InboxError."""
        with pytest.raises(InboxError, match="cannot be an inbox: unable to open database file"):
            Inbox(tmp_path)
        with pytest.raises(InboxError, match="unable to open database file"):
            Inbox(tmp_path / "missing" / "inbox.db")

    def test_a_file_that_is_not_a_database_cannot_be_an_inbox(self, path: Path) -> None:
        """An inbox on a file that is not SQLite's fails at once, and leaves the file alone."""
        path.write_bytes(b"not a database, only text " * 100)

        with pytest.raises(InboxError, match="cannot be an inbox: file is not a database"):
            Inbox(path)
        assert path.read_bytes() == b"not a database, only text " * 100

    @pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="lists open files in /proc")
    def test_a_failed_open_leaves_no_file_open(self, path: Path) -> None:
        """An inbox that cannot be made closes the file it opened, even while its error is kept."""
        path.write_bytes(b"not a database, only text " * 100)

        with pytest.raises(InboxError) as raised:
            Inbox(path)

        opened = {fd.resolve() for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink()}
        assert path.resolve() not in opened, raised.value

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("attempts", 0),
            ("wait_initial", -1.0),
            ("wait_max", math.nan),
            ("lease", -0.5),
            ("busy_timeout", -1),
        ],
    )
    def test_settings_are_checked_before_anything_is_made(
        self, path: Path, name: str, value: float
    ) -> None:
        """A setting out of range is a ValueError naming it; no file is made."""
        expected = "must be at least 1" if name == "attempts" else "must be a number of seconds"

        with pytest.raises(ValueError, match=f"{name} {expected}, not {value!r}"):
            Inbox(path, **dict[str, Any]({name: value}))
        assert not path.exists()

    def test_another_events_table_makes_every_store_fail_cleanly(self, path: Path) -> None:
        """On a file whose events table is another's, storing answers 503 and frees the lock."""
        with closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, status TEXT, name TEXT)")
            db.commit()
        with Inbox(path) as inbox, closing(sqlite3.connect(path, timeout=0)) as other:
            kit = Kit(inbox)

            replies = [kit.post(golden("disconnect")), kit.post(golden("dtmf"))]
            # The failed transaction was rolled back: another writer is not kept waiting.
            other.execute("INSERT INTO events (status, name) VALUES ('mine', 'x')")
            other.commit()

            with pytest.raises(InboxError, match="could not be read: no such column"):
                inbox.get(1)
        assert replies == [NOT_STORED, NOT_STORED]
        for failure in kit.failures:  # each time the same error, never a transaction left open
            assert "could not store the event: table events has no column named key" in str(
                failure.error
            )
        assert len(kit.failures) == 2

    @SERVERS
    def test_a_locked_inbox_answers_503_and_keeps_the_body(
        self, serve: Serve, inboxes: MakeInbox, path: Path
    ) -> None:
        """With another writer holding the file, nothing is acknowledged: 503, body to the hook."""
        kit, handled = Kit(inboxes(busy_timeout=0.05)), list[ConferenceMemberJoin]()

        @kit.router.on(ConferenceMemberJoin)
        def joined(event: ConferenceMemberJoin) -> str:
            handled.append(event)
            return BXML

        with serve(kit.receiver) as url:
            with Blocker(path) as blocker:
                blocker.hold()
                locked = [
                    deliver(url, golden(name)).last
                    for name in ("disconnect", "conferenceMemberJoin")
                ]
            after = deliver(url, golden("disconnect")).last

        assert [(a.status, a.body) for a in locked] == [(503, NOT_STORED.body)] * 2
        assert handled == []  # a BXML handler runs only once its event is stored
        assert [failure.body for failure in kit.failures] == [
            golden("disconnect"),
            golden("conferenceMemberJoin"),
        ]
        for failure in kit.failures:
            assert (failure.status, type(failure.error)) == (503, InboxError)
            assert "database is locked" in str(failure.error)
        assert after.status == 204
        assert kit.only().deliveries == 1  # the refused delivery left nothing behind

    def test_a_full_disk_answers_503_and_the_receiver_lives_on(
        self, path: Path, tmp_path: Path
    ) -> None:
        """A receiver whose inbox cannot grow (RLIMIT_FSIZE) answers 503, and stores once it can."""
        script = textwrap.dedent(
            """
            import json, resource, signal, sys
            from pathlib import Path
            from bandwidth_events import Inbox, Receiver, Router

            body = Path(sys.argv[2]).read_bytes()
            failures = []
            inbox = Inbox(sys.argv[1])
            receiver = Receiver(router=Router(), auth=None, inbox=inbox, on_failure=failures.append)
            headers = {"content-type": "application/json"}
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1024, hard))  # no file grows past 1 KiB
            full = receiver.handle("POST", headers, body)
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            freed = receiver.handle("POST", headers, body)
            print(json.dumps({
                "replies": [[full.status, full.body.decode()], [freed.status, freed.body.decode()]],
                "failures": [
                    [f.status, f.body == body, type(f.error).__name__, str(f.error.__cause__),
                     f.error.__cause__.sqlite_errorname]
                    for f in failures
                ],
                "kept": [[e.status, e.deliveries] for e in inbox.events()],
            }))
            inbox.close()
            """
        )
        payload = tmp_path / "body.json"
        payload.write_bytes(golden("disconnect"))

        result = subprocess.run(  # noqa: S603 -- our own interpreter and script
            [sys.executable, "-c", script, str(path), str(payload)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

        assert result.returncode == 0, result.stderr
        # SQLite reports the EFBIG of a write past the limit as an I/O error, not SQLITE_FULL.
        assert json.loads(result.stdout) == {
            "replies": [[503, "the event could not be stored"], [204, ""]],
            "failures": [[503, True, "InboxError", "disk I/O error", "SQLITE_IOERR_WRITE"]],
            "kept": [["pending", 1]],
        }


class TestInlineBookkeeping:
    def test_a_reply_goes_out_when_it_cannot_be_kept(
        self, inboxes: MakeInbox, path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If a BXML answer cannot be marked done, it is logged and sent; a worker runs it again."""
        kit, calls = Kit(inboxes(busy_timeout=0.01, lease=0)), list[int]()

        with Blocker(path) as blocker:

            @kit.router.on(ConferenceMemberJoin)
            def joined(_event: ConferenceMemberJoin) -> str:
                calls.append(len(calls))
                if len(calls) == 1:
                    blocker.hold()  # another writer takes the file while the handler runs
                return BXML

            with caplog.at_level(logging.ERROR, "bandwidth_events"):
                reply = kit.post(golden("conferenceMemberJoin"))

        assert reply == ANSWERED
        stored = kit.only()
        assert f"the inbox could not mark event {stored.id} handled" in caplog.text
        assert (stored.status, stored.answer, stored.attempts) == (HANDLING, None, 1)
        assert kit.worker().run_once() == 1  # its lease ran out: handled again, at least once
        again = kit.inbox.get(stored.id)
        assert (again.status, again.answer, again.attempts, len(calls)) == (DONE, ANSWERED, 2, 2)

    def test_a_failure_that_cannot_be_handed_on_is_logged(
        self, inboxes: MakeInbox, path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """If a raising BXML handler's event cannot be freed, that is logged; the 500 goes out."""
        kit = Kit(inboxes(busy_timeout=0.01))

        with Blocker(path) as blocker:

            @kit.router.on(ConferenceMemberJoin)
            def joined(_event: ConferenceMemberJoin) -> str:
                blocker.hold()
                raise RuntimeError("mixer down")

            with caplog.at_level(logging.ERROR, "bandwidth_events"):
                reply = kit.post(golden("conferenceMemberJoin"))

        assert reply.status == 500
        stored = kit.only()
        assert f"the inbox could not hand event {stored.id} to its workers" in caplog.text
        assert (stored.status, stored.error, stored.attempts) == (HANDLING, None, 1)
        assert [type(failure.error) for failure in kit.failures] == [RuntimeError]

    def test_a_cancelled_bxml_request_frees_its_event(self, inboxes: MakeInbox) -> None:
        """A BXML request cancelled mid-handler hands its stored event to the workers."""
        kit, started = Kit(inboxes()), asyncio.Event()

        @kit.router.on(ConferenceMemberJoin)
        async def slow(_event: ConferenceMemberJoin) -> str:
            started.set()
            await asyncio.sleep(60)
            return BXML

        async def main() -> None:
            task = asyncio.create_task(
                kit.receiver.handle_async("POST", HEADERS, golden("conferenceMemberJoin"))
            )
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(main())  # it waits for the thread pool, where the event was freed

        stored = kit.only()
        assert (stored.status, stored.error, stored.attempts) == (PENDING, "CancelledError: ", 1)
        assert [(f.status, type(f.error)) for f in kit.failures] == [(503, asyncio.CancelledError)]


@SERVERS
def test_end_to_end(serve: Serve, inboxes: MakeInbox) -> None:
    """Under a real server: delivered, answered 204 once stored, then handled by the worker."""
    kit, handled = Kit(inboxes(), auth=BasicAuth([CREDENTIALS])), list[RecordingAvailable]()
    kit.router.on(RecordingAvailable)(handled.append)

    with serve(kit.receiver) as url, kit.worker(poll_interval=0.01):
        delivery = deliver(url, golden("recordingAvailable"), credentials=CREDENTIALS)
        wait_until(lambda: kit.inbox.counts()[DONE] == 1, "the worker to handle the event")

    assert (delivery.delivered, delivery.last.status) == (True, 204)
    assert handled == [parse_event(golden("recordingAvailable"))]
    assert kit.only().body == golden("recordingAvailable")
