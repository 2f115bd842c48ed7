"""The ASGI and WSGI adapters driven directly, for the protocol corners servers rarely reach."""

import asyncio
import io
import pickle
from base64 import b64encode
from collections.abc import MutableMapping
from typing import Any, cast

import pytest

from bandwidth_events import (
    BasicAuth,
    ConferenceRedirect,
    Failure,
    Receiver,
    Request,
    Router,
    asgi_app,
    current_request,
    wsgi_app,
)

from .conftest import golden

AUTHORIZATION = "Basic " + b64encode(b"bandwidth:s3cret").decode()


def receiver(max_body_size: int = 1024) -> Receiver:
    """Give a receiver with credentials and no handlers (every event answers 204)."""
    return Receiver(
        router=Router(), auth=BasicAuth([("bandwidth", "s3cret")]), max_body_size=max_body_size
    )


def call_asgi(
    scope: dict[str, Any], messages: list[dict[str, Any]], served: Receiver | None = None
) -> list[dict[str, Any]]:
    """Run the ASGI app on one scope with the given incoming messages; give what it sent."""
    incoming = iter(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    async def main() -> None:
        await asgi_app(served or receiver())(scope, receive, send)

    asyncio.run(main())
    return sent


def http_scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    """Give an authenticated POST scope with JSON content and extra headers."""
    return {
        "type": "http",
        "method": "POST",
        "headers": [
            (b"content-type", b"application/json"),
            (b"authorization", AUTHORIZATION.encode()),
            *headers,
        ],
    }


class TestAsgi:
    def test_body_in_several_chunks(self) -> None:
        """A body sent in chunks is read whole."""
        body = golden("conferenceRedirect")
        chunks = [
            {"type": "http.request", "body": body[:10], "more_body": True},
            {"type": "http.request", "body": body[10:], "more_body": False},
        ]

        start, end = call_asgi(http_scope(), chunks)

        assert start["status"] == 204
        assert end["body"] == b""

    def test_undeclared_oversize_body_stops_reading(self) -> None:
        """Without a Content-Length, reading stops one byte past the bound: 413."""
        chunk = {"type": "http.request", "body": b" " * 600, "more_body": True}

        start, _ = call_asgi(http_scope(), [chunk, chunk, chunk])

        assert start["status"] == 413

    @pytest.mark.parametrize(
        "messages",
        [
            [{"type": "http.disconnect"}],
            [
                {"type": "http.request", "body": b'{"eventType": "conf', "more_body": True},
                {"type": "http.disconnect"},
            ],
        ],
    )
    def test_client_gone(self, messages: list[dict[str, Any]]) -> None:
        """A body cut short by a disconnect is neither handled nor reported, and not answered."""
        failures: list[Failure] = []
        served = Receiver(router=Router(), auth=None, on_failure=failures.append)

        assert call_asgi(http_scope(), messages, served) == []
        assert failures == []

    def test_a_body_not_in_time_is_answered_408(self) -> None:
        """A body whose rest does not come within the read timeout is answered 408, unhandled."""
        failures: list[Failure] = []
        served = Receiver(router=Router(), auth=None, on_failure=failures.append, read_timeout=0.05)
        sent: list[dict[str, Any]] = []
        first = {"type": "http.request", "body": b'{"eventType": "conf', "more_body": True}
        messages = iter([first])

        async def receive() -> dict[str, Any]:
            message = next(messages, None)
            if message is None:
                await asyncio.sleep(10)  # the rest never comes in time
                return {"type": "http.disconnect"}
            return message

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        async def main() -> None:
            await asgi_app(served)(http_scope(), receive, send)

        asyncio.run(main())

        assert sent[0]["status"] == 408
        assert sent[1]["body"] == b"the body did not come in time"
        assert failures == []

    def test_each_read_past_its_deadline_is_answered_408_and_the_others_are_not(self) -> None:
        """One timer ends every late read in turn; a body that comes in time is handled."""
        failures: list[Failure] = []
        served = asgi_app(
            Receiver(router=Router(), auth=None, on_failure=failures.append, read_timeout=0.5)
        )
        body = golden("conferenceRedirect")
        start = {"type": "http.request", "body": body[:10], "more_body": True}

        async def request(rest_after: float) -> list[dict[str, Any]]:
            """Send the body's start, and its rest after ``rest_after`` seconds."""
            sent: list[dict[str, Any]] = []
            messages = iter([start])

            async def receive() -> dict[str, Any]:
                message = next(messages, None)
                if message is None:
                    await asyncio.sleep(rest_after)
                    return {"type": "http.request", "body": body[10:], "more_body": False}
                return message

            async def send(message: MutableMapping[str, Any]) -> None:
                sent.append(dict(message))

            await served(http_scope(), receive, send)
            return sent

        async def late_after(delay: float) -> list[dict[str, Any]]:
            await asyncio.sleep(delay)
            return await request(rest_after=10)

        async def main() -> list[list[dict[str, Any]]]:
            # Two late reads whose deadlines are 50 ms apart, and one whose rest comes at once
            # (wall-clock margins wide enough for a loaded machine).
            return list(await asyncio.gather(late_after(0), late_after(0.05), request(0)))

        for _ in range(2):  # the app serves a second event loop as it did the first
            first, second, in_time = asyncio.run(main())
            assert [first[0]["status"], second[0]["status"], in_time[0]["status"]] == [
                408,
                408,
                204,
            ]
        assert failures == []

    def test_a_handler_slower_than_the_read_timeout_runs_to_its_end(self) -> None:
        """The read timeout bounds the read only: a slow handler is neither cancelled nor 408."""
        router = Router()
        handled: list[ConferenceRedirect] = []

        @router.on(ConferenceRedirect)
        async def slow(event: ConferenceRedirect) -> None:
            await asyncio.sleep(0.2)  # four read timeouts
            handled.append(event)

        app = asgi_app(Receiver(router=router, auth=None, read_timeout=0.05))
        body = golden("conferenceRedirect")

        async def main() -> list[list[dict[str, Any]]]:
            # Two requests, the second read while the first is handled: the timer set for its
            # deadline comes while a handler runs.
            async def one(after: float) -> list[dict[str, Any]]:
                await asyncio.sleep(after)
                sent: list[dict[str, Any]] = []

                async def receive() -> dict[str, Any]:
                    return {"type": "http.request", "body": body, "more_body": False}

                async def send(message: MutableMapping[str, Any]) -> None:
                    sent.append(dict(message))

                await app(http_scope(), receive, send)
                return sent

            return list(await asyncio.gather(one(0), one(0.03)))

        first, second = asyncio.run(main())

        assert [first[0]["status"], second[0]["status"]] == [204, 204]
        assert len(handled) == 2

    @pytest.mark.parametrize("also_at_the_deadline", [False, True])
    def test_a_read_cancelled_by_anyone_else_stays_cancelled(
        self, *, also_at_the_deadline: bool
    ) -> None:
        """A cancellation from outside is not taken for the timeout, before it or with it."""
        # The outside cancellation alone comes long before the deadline, even on a loaded
        # machine; with it, the deadline comes first.
        timeout = 0.05 if also_at_the_deadline else 5.0
        served = asgi_app(Receiver(router=Router(), auth=None, read_timeout=timeout))
        sent: list[dict[str, Any]] = []
        first = {"type": "http.request", "body": b'{"eventType": "conf', "more_body": True}
        messages = iter([first])

        async def receive() -> dict[str, Any]:
            message = next(messages, None)
            if message is not None:
                return message
            try:
                await asyncio.sleep(10)  # the rest never comes
            finally:
                if also_at_the_deadline:  # the server's cancellation comes with the timeout's
                    cast("asyncio.Task[Any]", asyncio.current_task()).cancel()
            raise AssertionError("the read was not cancelled")

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        async def main() -> None:
            async def serve() -> None:
                await served(http_scope(), receive, send)

            task = asyncio.create_task(serve())
            if not also_at_the_deadline:
                await asyncio.sleep(0.01)
                task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(main())

        assert sent == []

    def test_lifespan(self) -> None:
        """Startup and shutdown are acknowledged; other lifespan messages are ignored."""
        sent = call_asgi(
            {"type": "lifespan"},
            [
                {"type": "lifespan.startup"},
                {"type": "lifespan.something-new"},
                {"type": "lifespan.shutdown"},
            ],
        )

        assert [message["type"] for message in sent] == [
            "lifespan.startup.complete",
            "lifespan.shutdown.complete",
        ]

    def test_websockets_are_not_served(self) -> None:
        """A websocket scope is a mounting mistake, reported loudly."""
        with pytest.raises(ValueError, match="serves HTTP, not 'websocket'"):
            call_asgi({"type": "websocket"}, [])

    @staticmethod
    def seen_request(scope: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Request]]:
        """Serve one conferenceRedirect body; give what was sent and the request its handler saw."""
        router, seen = Router(), list[Request]()

        @router.on(ConferenceRedirect)
        def note(_event: ConferenceRedirect) -> None:
            seen.append(current_request())

        served = Receiver(router=router, auth=BasicAuth([("bandwidth", "s3cret")]))
        body = golden("conferenceRedirect")
        sent = call_asgi(scope, [{"type": "http.request", "body": body}], served)
        return sent, seen

    def test_the_headers_a_handler_sees(self) -> None:
        """A handler sees every header but the credentials, decoded: a dict in all but type."""
        length = str(len(golden("conferenceRedirect")))
        scope = http_scope(
            (b"x-place", b"caf\xe9"),  # latin-1, as HTTP header values are read
            (b"x-note", b"first"),
            (b"content-length", length.encode()),
            (b"x-note", b"last"),  # repeated: the last value, as a dict keeps it
        )
        sent, [request] = self.seen_request(scope)

        expected = {
            "content-type": "application/json",
            "x-place": "café",
            "x-note": "last",
            "content-length": length,
        }
        assert sent[0]["status"] == 204
        assert request.headers == expected
        assert request == Request("POST", "/", "", expected)
        assert list(request.headers) == list(expected)
        assert len(request.headers) == 4
        assert "authorization" not in request.headers
        assert request.headers.get("x-missing") is None
        assert repr(request.headers) == repr(expected)
        copied = pickle.loads(pickle.dumps(request.headers))  # noqa: S301 -- our own bytes
        assert (type(copied), copied) == (dict, expected)

    def test_a_failure_holds_the_headers_as_a_dict(self) -> None:
        """The failure hook gets a plain dict of the headers, as a store of failures wants it."""
        failures: list[Failure] = []
        served = Receiver(
            router=Router(), auth=BasicAuth([("bandwidth", "s3cret")]), on_failure=failures.append
        )
        scope = http_scope((b"x-note", b"kept"))
        sent = call_asgi(scope, [{"type": "http.request", "body": b"{}"}], served)

        assert sent[0]["status"] == 400
        [failure] = failures
        assert failure.headers == {"content-type": "application/json", "x-note": "kept"}
        assert type(failure.headers) is dict

    def test_header_names_in_capitals_are_lowered(self) -> None:
        """ASGI servers should lower header names; from one that does not, they are lowered."""
        length = str(len(golden("conferenceRedirect"))).encode()
        scope = {
            "type": "http",
            "method": "POST",
            "headers": [
                (b"Content-Type", b"application/json"),
                (b"Authorization", AUTHORIZATION.encode()),
                (b"Content-Length", length),
                (b"X-Note", b"kept"),
            ],
        }
        sent, [request] = self.seen_request(scope)

        assert sent[0]["status"] == 204
        assert dict(request.headers) == {
            "content-type": "application/json",
            "content-length": length.decode(),
            "x-note": "kept",
        }

    def test_checks_read_headers_sent_in_capitals(self) -> None:
        """A declared length too large is refused whatever the case its name came in."""
        scope = http_scope((b"Content-Length", b"999999"))
        sent = call_asgi(scope, [])

        assert sent[0]["status"] == 413


def call_wsgi(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the WSGI app on one environ; give status line, headers and body."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], _exc_info: object = None
    ) -> Any:
        started.append((status, headers))
        return None

    body = b"".join(wsgi_app(receiver())(environ, start_response))
    [(status, headers)] = started
    return status, headers, body


def wsgi_environ(body: bytes, **extra: Any) -> dict[str, Any]:
    """Give an authenticated JSON POST environ."""
    return {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/json",
        "HTTP_AUTHORIZATION": AUTHORIZATION,
        "wsgi.input": io.BytesIO(body),
        **extra,
    }


class TestWsgi:
    def test_declared_length(self) -> None:
        """With a Content-Length, exactly that much is read."""
        body = golden("conferenceRedirect")

        status, _, _ = call_wsgi(wsgi_environ(body + b"garbage", CONTENT_LENGTH=str(len(body))))

        assert status == "204 No Content"

    def test_terminated_stream_without_length(self) -> None:
        """A server that ends the stream itself lets a body without length be read, bounded."""
        status, _, _ = call_wsgi(
            wsgi_environ(golden("conferenceRedirect"), **{"wsgi.input_terminated": True})
        )

        assert status == "204 No Content"

    def test_no_length_no_terminated_stream(self) -> None:
        """Otherwise a body without length is not read (PEP 3333): it is answered as empty."""
        status, headers, body = call_wsgi(wsgi_environ(golden("conferenceRedirect")))

        assert status == "400 Bad Request"
        assert ("content-type", "text/plain; charset=utf-8") in headers
        assert body == b"not a valid Bandwidth webhook body"

    def test_unauthenticated_body_is_not_read(self) -> None:
        """Without credentials the challenge goes out and the body stays unread."""
        stream = io.BytesIO(b"{}")
        environ = wsgi_environ(b"", CONTENT_LENGTH="2")
        environ["wsgi.input"] = stream
        del environ["HTTP_AUTHORIZATION"]

        status, headers, _ = call_wsgi(environ)

        assert status == "401 Unauthorized"
        assert dict(headers)["www-authenticate"].startswith("Basic")
        assert stream.tell() == 0
