"""The receiver behind real servers on loopback, driven by the delivery simulator and http.client.

The ASGI app runs under uvicorn, the WSGI app under the standard library's threaded server;
every test runs against both.
"""

import http.client
import socket
import threading
import time
import urllib.parse
from base64 import b64encode
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager

import orjson
import pytest

from bandwidth_events import (
    BasicAuth,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    EventParseError,
    Failure,
    Receiver,
    Router,
    parse_event,
)
from bandwidth_events.testing import deliver

from .conftest import golden, golden_dict
from .servers import serve_asgi, serve_wsgi

CREDENTIALS = ("bandwidth", "s3cret")
FALLBACK = ("bandwidth", "previous-s3cret")
BXML = b"<Response><StartRecording/></Response>"
Serve = Callable[[Receiver], AbstractContextManager[str]]


class App:
    """A receiver whose handlers and failure hook record what they saw, thread-safely."""

    def __init__(self, *, max_body_size: int = 1024) -> None:
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.failures: list[Failure] = []
        router = Router()

        @router.on(ConferenceCreated)
        def record(event: ConferenceCreated) -> str:
            self.count(event.conference_id)
            return BXML.decode()

        @router.on(ConferenceRecordingAvailable)
        def download(event: ConferenceRecordingAvailable) -> None:
            self.count(event.recording_id)

        @router.on(ConferenceCompleted)
        def crash(_event: ConferenceCompleted) -> None:
            raise RuntimeError("database down")

        @router.on(ConferenceMemberJoin)
        def unencodable(_event: ConferenceMemberJoin) -> str:
            return "<Response><SpeakSentence>\ud800</SpeakSentence></Response>"

        self.receiver = Receiver(
            router=router,
            auth=BasicAuth([CREDENTIALS, FALLBACK]),
            max_body_size=max_body_size,
            on_failure=self.fail,
        )

    def count(self, key: str) -> None:
        """Count one handled event."""
        with self.lock:
            self.seen[key] += 1

    def fail(self, failure: Failure) -> None:
        """Keep a failure."""
        with self.lock:
            self.failures.append(failure)


@pytest.fixture(params=[serve_asgi, serve_wsgi], ids=["asgi-uvicorn", "wsgi-wsgiref"])
def serve(request: pytest.FixtureRequest) -> Serve:
    """Each test runs against both servers."""
    serving: Serve = request.param
    return serving


@pytest.fixture
def app() -> App:
    """A fresh recording receiver."""
    return App()


@pytest.fixture
def url(serve: Serve, app: App) -> Iterator[str]:
    """The URL of the app's receiver, served for the test."""
    with serve(app.receiver) as address:
        yield address


def basic(username: str, password: str) -> str:
    """Give a Basic Authorization header value."""
    return "Basic " + b64encode(f"{username}:{password}".encode()).decode()


def request(
    url: str, method: str = "POST", body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send one plain HTTP request; give status, lower-case headers and body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request(method, parts.path, body=body, headers=headers or {})
        response = connection.getresponse()
        return (
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


class TestChallengeFlow:
    def test_bandwidth_resends_with_credentials_after_the_challenge(
        self, url: str, app: App
    ) -> None:
        """Unauthenticated first, 401 with the challenge, then the authorized resend is handled."""
        delivery = deliver(url, golden("conferenceCreated"), credentials=CREDENTIALS)

        first, second = delivery.attempts
        assert (first.authorized, first.status) == (False, 401)
        assert first.headers["www-authenticate"].startswith('Basic realm="bandwidth-events"')
        assert (second.authorized, second.status, second.body) == (True, 200, BXML)
        assert second.headers["content-type"] == "application/xml; charset=utf-8"
        assert delivery.delivered
        assert app.seen == Counter({golden_dict("conferenceCreated")["conferenceId"]: 1})

    def test_a_text_body_is_sent_as_it_is(self, url: str, app: App) -> None:
        """A body given as text is sent as its UTF-8 bytes, not written as a JSON string."""
        delivery = deliver(url, golden("conferenceCreated").decode(), credentials=CREDENTIALS)

        assert delivery.last.status == 200
        assert sum(app.seen.values()) == 1

    def test_fallback_credentials(self, url: str, app: App) -> None:
        """The fallback pair works the same way."""
        delivery = deliver(url, golden("conferenceRecordingAvailable"), credentials=FALLBACK)

        assert [attempt.status for attempt in delivery.attempts] == [401, 204]
        assert sum(app.seen.values()) == 1

    def test_wrong_credentials(self, url: str, app: App) -> None:
        """Wrong credentials end with a 401: the event is not handled."""
        delivery = deliver(url, golden("conferenceCreated"), credentials=("bandwidth", "nope"))

        assert [attempt.status for attempt in delivery.attempts] == [401, 401]
        assert not delivery.delivered
        assert not app.seen

    def test_missing_credentials(self, url: str, app: App) -> None:
        """Bandwidth with no credentials configured stops at the first 401."""
        delivery = deliver(url, golden("conferenceCreated"))

        assert [attempt.status for attempt in delivery.attempts] == [401]
        assert not app.seen


def authorized(**extra: str) -> dict[str, str]:
    """Give authenticated JSON headers, with changes."""
    value = "Basic " + b64encode(":".join(CREDENTIALS).encode()).decode()
    return {"Content-Type": "application/json", "Authorization": value, **extra}


class TestRequests:
    def test_oversize_body(self, url: str, app: App) -> None:
        """A body over the bound (1 KiB here) is answered 413 and not handled."""
        body = orjson.dumps(golden_dict("conferenceCreated") | {"padding": "x" * 2000})

        status, _, answer = request(url, body=body, headers=authorized())

        assert status == 413
        assert answer == b"webhook bodies are at most 1024 bytes"
        assert not app.seen

    def test_wrong_method(self, url: str) -> None:
        """PUT is answered 405 with Allow: POST, GET."""
        status, headers, _ = request(url, "PUT", headers=authorized())

        assert (status, headers["allow"]) == (405, "POST, GET")

    def test_wrong_content_type(self, url: str) -> None:
        """A form body is answered 415."""
        status, _, _ = request(
            url,
            body=b"a=1",
            headers=authorized(**{"Content-Type": "application/x-www-form-urlencoded"}),
        )

        assert status == 415

    def test_unparseable_body_is_kept(self, url: str, app: App) -> None:
        """A body that does not parse gets 400, and the hook has it byte for byte."""
        body = b'{"eventType": "conferenceCreated", "eventTime": "yesterday"}'

        status, _, answer = request(url, body=body, headers=authorized())

        assert (status, answer) == (400, b"not a valid Bandwidth webhook body")
        assert [failure.body for failure in app.failures] == [body]

    def test_handler_exception_is_kept(self, url: str, app: App) -> None:
        """A handler that raises gets 500 with no stack trace, and the body is kept."""
        delivery = deliver(url, golden("conferenceCompleted"), credentials=CREDENTIALS)

        assert (delivery.last.status, delivery.last.body) == (500, b"the webhook handler failed")
        assert b"Traceback" not in delivery.last.body
        assert [failure.body for failure in app.failures] == [golden("conferenceCompleted")]

    def test_bxml_that_cannot_be_encoded_is_kept(self, url: str, app: App) -> None:
        """BXML with a lone surrogate is the handler's failure: 500, and the body is kept."""
        delivery = deliver(url, golden("conferenceMemberJoin"), credentials=CREDENTIALS)

        assert delivery.last.status == 500
        assert [type(failure.error) for failure in app.failures] == [UnicodeEncodeError]
        assert app.failures[0].body == golden("conferenceMemberJoin")

    @pytest.mark.parametrize("length", ["\u00b2", "1\u00b2", "5" * 5000, "-1", "0x10"])
    def test_a_content_length_that_is_not_ascii_digits(self, url: str, length: str) -> None:
        """A Content-Length of other digits, or thousands of them, is refused, never a crash."""
        parts = urllib.parse.urlsplit(url)
        raw = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: {basic(*CREDENTIALS)}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n{{}}"
        ).encode("latin-1")
        assert parts.hostname is not None
        assert parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(raw)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk

        status = int(answer.split(b" ", 2)[1])
        assert status in {400, 413}, answer

    def test_a_body_cut_short_is_neither_handled_nor_reported(self, url: str, app: App) -> None:
        """A client that stops mid-body gets no handler run and no failure: Bandwidth resends."""
        body = golden("conferenceRecordingAvailable")
        parts = urllib.parse.urlsplit(url)
        head = (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: {basic(*CREDENTIALS)}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        assert parts.hostname is not None
        assert parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(head + body[:-5])  # all but the closing bytes
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
        time.sleep(0.2)  # for any handler that would (wrongly) still run

        assert app.seen == Counter()
        assert app.failures == []

    def test_get_callbacks_are_handled(self, url: str, app: App) -> None:
        """A callback sent with GET, the event in the query, is challenged and handled alike."""
        event = parse_event(golden("conferenceCreated"))

        delivery = deliver(url, event, credentials=CREDENTIALS, method="GET")

        assert [attempt.status for attempt in delivery.attempts] == [401, 200]
        assert delivery.last.body == BXML
        assert app.seen == Counter({golden_dict("conferenceCreated")["conferenceId"]: 1})

    def test_a_bad_get_callback_is_kept(self, url: str, app: App) -> None:
        """A GET whose query is not a valid event is answered 400, its query to the hook."""
        delivery = deliver(
            url, "eventType=conferenceCreated&name=x", credentials=CREDENTIALS, method="GET"
        )

        assert delivery.last.status == 400
        [failure] = app.failures
        assert (failure.query, failure.body) == ("eventType=conferenceCreated&name=x", b"")
        assert isinstance(failure.error, EventParseError)
        assert "eventTime" in failure.error.errors

    def test_unknown_event_type(self, url: str, app: App) -> None:
        """An eventType this version does not model is acknowledged with 204."""
        delivery = deliver(url, b'{"eventType": "callQueued"}', credentials=CREDENTIALS)

        assert delivery.last.status == 204
        assert delivery.last.body == b""
        assert not app.failures

    def test_recording_available_gets_204(self, url: str, app: App) -> None:
        """An asynchronous event is answered with an empty 204 and handled once."""
        delivery = deliver(url, golden("conferenceRecordingAvailable"), credentials=CREDENTIALS)

        assert (delivery.last.status, delivery.last.body) == (204, b"")
        assert app.seen == Counter({golden_dict("conferenceRecordingAvailable")["recordingId"]: 1})


class TestSimulator:
    def test_retries_once_on_a_connection_error(self) -> None:
        """Nothing listening: one retry, then the delivery fails."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]

        delivery = deliver(f"http://127.0.0.1:{port}/", golden("conferenceCompleted"))

        assert len(delivery.attempts) == 2
        assert all(attempt.status is None for attempt in delivery.attempts)
        assert delivery.attempts[0].error is not None
        assert delivery.attempts[0].error.startswith("connection failed")
        assert not delivery.delivered

    def test_no_retry_when_asked(self) -> None:
        """retry=False sends once."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]

        assert len(deliver(f"http://127.0.0.1:{port}/", b"{}", retry=False).attempts) == 1

    def test_timeout_is_not_retried(self) -> None:
        """A receiver that does not answer in time is not tried again."""
        with socket.create_server(("127.0.0.1", 0)) as silent:
            port = silent.getsockname()[1]

            delivery = deliver(f"http://127.0.0.1:{port}/", b"{}", timeout=0.2)

        [attempt] = delivery.attempts
        assert attempt.error == "no answer within 0.2 s"

    def test_events_are_written_with_to_json(self, serve: Serve, app: App) -> None:
        """An event object is sent as its wire form."""
        event = parse_event(golden("conferenceCreated"), ConferenceCreated)
        with serve(app.receiver) as address:
            delivery = deliver(address, event, credentials=CREDENTIALS)

        assert delivery.delivered
        assert app.seen[event.conference_id] == 1


def test_load_every_event_handled_exactly_once(serve: Serve) -> None:
    """2,000 authorized deliveries from 8 client threads: each event handled once, none lost."""
    app = App(max_body_size=4096)
    template = golden_dict("conferenceRecordingAvailable")
    bodies = [orjson.dumps(template | {"recordingId": f"r-{index:05d}"}) for index in range(2000)]
    with serve(app.receiver) as address:

        def post(body: bytes) -> int:
            return request(address, body=body, headers=authorized())[0]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(post, bodies))
        elapsed = time.perf_counter() - started

    assert Counter(statuses) == Counter({204: 2000})
    assert len(app.seen) == 2000
    assert set(app.seen.values()) == {1}
    assert not app.failures
    assert elapsed < 60  # a bound against hangs, not a speed claim


@pytest.mark.parametrize("serve", [serve_asgi, serve_wsgi], ids=["asgi-uvicorn", "wsgi-wsgiref"])
def test_a_trickling_client_is_answered_408(serve: Serve) -> None:
    """A client sending its body a byte at a time is cut off at the read timeout with a 408."""
    failures: list[Failure] = []
    receiver = Receiver(router=Router(), auth=None, on_failure=failures.append, read_timeout=0.3)
    body = golden("conferenceCompleted")
    with serve(receiver) as url:
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname is not None
        assert parts.port is not None
        with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
            sock.sendall(
                f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            )
            started = time.monotonic()
            answer = b""
            sock.settimeout(0.1)
            for byte in body:  # one byte every 0.1 s, until the server answers
                try:
                    sock.sendall(bytes([byte]))
                    answer += sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if answer:
                    break
            elapsed = time.monotonic() - started

    assert answer.split(b" ", 2)[1] == b"408", answer
    assert elapsed < 5
    assert failures == []
