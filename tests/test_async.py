"""Async handlers: awaited by dispatch_async and the ASGI app, refused where they cannot run."""

import asyncio
import json
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

import pytest

from bandwidth_events import (
    BasicAuth,
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    Disconnect,
    Failure,
    Receiver,
    Request,
    Router,
    UnknownEvent,
    asgi_app,
    current_request,
    parse_event,
    parse_query,
    wsgi_app,
)
from bandwidth_events.testing import deliver

from .conftest import golden
from .servers import serve_asgi, serve_wsgi

BXML = "<Response><SpeakSentence>Hi</SpeakSentence></Response>"
UNKNOWN = b'{"eventType": "callQueued"}'


def run(coroutine: Any) -> Any:
    """Run a coroutine to its end in a fresh event loop."""
    return asyncio.run(coroutine)


class TestRouter:
    def test_async_handlers_are_awaited(self) -> None:
        """dispatch_async awaits an async handler and answers with what it returned."""
        router = Router()

        @router.on(ConferenceCreated)
        async def greet(_event: ConferenceCreated) -> str:
            await asyncio.sleep(0)
            return BXML

        outcome = run(router.dispatch_async(golden("conferenceCreated")))

        assert (outcome.status, outcome.bxml, outcome.handled) == (200, BXML, True)
        assert router.has_async_handlers

    def test_plain_handlers_run_inline_or_as_told(self) -> None:
        """A plain handler runs on the loop by default, or through run_sync when one is given."""
        router, threads = Router(), list[str]()

        @router.on(ConferenceCompleted)
        def close(_event: ConferenceCompleted) -> None:
            threads.append(threading.current_thread().name)

        async def in_thread(handler: Callable[[Any], Any], event: object) -> Any:
            return await asyncio.to_thread(handler, event)

        run(router.dispatch_async(golden("conferenceCompleted")))
        run(router.dispatch_async(golden("conferenceCompleted"), run_sync=in_thread))

        assert threads[0] == threading.current_thread().name
        assert threads[1] != threading.current_thread().name
        assert not router.has_async_handlers

    def test_async_fallback(self) -> None:
        """An async fallback is awaited for events with no handler of their own."""
        router, seen = Router(), list[str]()

        @router.fallback
        async def everything(event: object) -> None:
            seen.append(type(event).__name__)

        outcome = run(router.dispatch_async(UNKNOWN))

        assert (outcome.status, outcome.handled, seen) == (204, True, ["UnknownEvent"])
        assert run(Router().dispatch_async(UNKNOWN)).handled is False

    def test_an_async_fallback_must_return_none(self) -> None:
        """A fallback that returns something is a mistake, awaited or not."""
        router = Router()

        async def answers(_event: object) -> str:
            return BXML

        router.fallback(answers)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]

        with pytest.raises(TypeError, match="a fallback must return None, not str"):
            run(router.dispatch_async(UNKNOWN))

    def test_sync_dispatch_names_the_async_handler(self) -> None:
        """Dispatch cannot await: it says which handler is async and what to call instead."""
        router = Router()

        @router.on(Disconnect)
        async def hung_up(_event: Disconnect) -> None: ...

        with pytest.raises(TypeError, match=r"hung_up\) is async: await router.dispatch_async"):
            router.dispatch(golden("disconnect"))

    def test_callable_objects_with_async_call(self) -> None:
        """An object whose __call__ is async is an async handler too."""

        class Handler:
            __hash__ = None  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]

            async def __call__(self, event: UnknownEvent) -> None:
                self.event = event

        handler, router = Handler(), Router()
        router.on(UnknownEvent)(handler)

        run(router.dispatch_async(UNKNOWN))

        assert handler.event == parse_event(UNKNOWN)
        assert router.has_async_handlers


class TestWhereAsyncCannotRun:
    def test_wsgi_app_refuses_an_async_handler_when_made(self) -> None:
        """Mounting a router with an async handler under WSGI fails at once, naming it."""
        router = Router()

        @router.on(ConferenceCreated)
        async def greet(_event: ConferenceCreated) -> None: ...

        with pytest.raises(TypeError, match=r"a WSGI app cannot await async handlers \(.*greet"):
            wsgi_app(Receiver(router=router, auth=None))

    def test_and_when_one_is_registered_later(self) -> None:
        """After wsgi_app, registering an async handler fails at registration."""
        router = Router()
        wsgi_app(Receiver(router=router, auth=None))

        async def greet(_event: ConferenceCreated) -> None: ...

        async def rest(_event: object) -> None: ...

        with pytest.raises(TypeError, match="greet is async, and this router is served by a WSGI"):
            router.on(ConferenceCreated)(greet)
        with pytest.raises(TypeError, match="rest is async"):
            router.fallback(rest)

    def test_receiver_handle_points_to_handle_async(self) -> None:
        """The synchronous Receiver.handle cannot run async handlers and says what can."""
        router = Router()

        @router.on(ConferenceCreated)
        async def greet(_event: ConferenceCreated) -> None: ...

        receiver = Receiver(router=router, auth=None)

        with pytest.raises(TypeError, match=r"await receiver\.handle_async"):
            receiver.handle("POST", {"content-type": "application/json"}, b"{}")
        reply = run(
            receiver.handle_async(
                "POST", {"content-type": "application/json"}, golden("conferenceCreated")
            )
        )
        assert reply.status == 204


class Recorder:
    """A receiver with async and plain handlers that note the thread each ran in."""

    def __init__(self) -> None:
        self.threads: dict[str, str] = {}
        self.failures: list[tuple[Failure, str]] = []
        router = Router()

        @router.on(ConferenceCreated)
        async def greet(_event: ConferenceCreated) -> str:
            self.threads["async"] = threading.current_thread().name
            await asyncio.sleep(0)
            return BXML

        @router.on(ConferenceCompleted)
        def close(_event: ConferenceCompleted) -> None:
            self.threads["plain"] = threading.current_thread().name

        @router.on(ConferenceMemberJoin)
        async def broken(_event: ConferenceMemberJoin) -> None:
            raise RuntimeError("async handler failed")

        self.receiver = Receiver(router=router, auth=None, on_failure=self.fail)

    def fail(self, failure: Failure) -> None:
        """Keep a failure and the thread the hook ran in."""
        self.failures.append((failure, threading.current_thread().name))


@pytest.mark.parametrize("inline", [False, True])
def test_asgi_runs_each_kind_where_it_belongs(inline: bool) -> None:  # noqa: FBT001
    """Under uvicorn: async handlers on the loop, plain ones in the pool or inline, hook off it."""
    recorder = Recorder()
    with serve_asgi(recorder.receiver, run_sync_inline=inline) as url:
        created = deliver(url, golden("conferenceCreated"))
        completed = deliver(url, golden("conferenceCompleted"))
        broken = deliver(url, golden("conferenceMemberJoin"))

    assert (created.last.status, created.last.body) == (200, BXML.encode())
    assert completed.last.status == 204
    assert broken.last.status == 500
    loop_thread = recorder.threads["async"]
    assert (recorder.threads["plain"] == loop_thread) is inline
    [(failure, hook_thread)] = recorder.failures
    assert failure.body == golden("conferenceMemberJoin")
    assert hook_thread != loop_thread


@pytest.mark.parametrize("raised", [KeyboardInterrupt, SystemExit, GeneratorExit])
@pytest.mark.parametrize("kind", ["plain", "async"])
def test_asgi_keeps_serving_whatever_a_handler_raises(
    raised: type[BaseException], kind: str
) -> None:
    """A handler's KeyboardInterrupt, SystemExit or GeneratorExit is its failure: 500, kept."""
    failures: list[Failure] = []
    router = Router()

    def plain(_event: ConferenceCompleted) -> None:
        raise raised

    async def awaited(_event: ConferenceCompleted) -> None:
        raise raised

    router.on(ConferenceCompleted)(plain if kind == "plain" else awaited)
    with serve_asgi(Receiver(router=router, auth=None, on_failure=failures.append)) as url:
        first = deliver(url, golden("conferenceCompleted"))
        second = deliver(url, golden("conferenceCompleted"))

    assert [first.last.status, second.last.status] == [500, 500]
    assert [type(failure.error) for failure in failures] == [raised, raised]


def test_wsgi_keeps_serving_in_its_threads() -> None:
    """Under a threaded WSGI server a handler's SystemExit is its failure: 500, kept."""
    failures: list[Failure] = []
    router = Router()

    @router.on(ConferenceCompleted)
    def stop(_event: ConferenceCompleted) -> None:
        raise SystemExit(3)

    with serve_wsgi(Receiver(router=router, auth=None, on_failure=failures.append)) as url:
        statuses = [deliver(url, golden("conferenceCompleted")).last.status for _ in range(2)]

    assert statuses == [500, 500]
    assert [type(failure.error) for failure in failures] == [SystemExit, SystemExit]


def test_in_the_main_thread_ctrl_c_still_stops_after_the_body_is_kept() -> None:
    """In the main thread, a KeyboardInterrupt is reported to the hook, then goes on."""
    failures: list[Failure] = []
    router = Router()

    @router.on(ConferenceCompleted)
    def interrupted(_event: ConferenceCompleted) -> None:
        raise KeyboardInterrupt

    receiver = Receiver(router=router, auth=None, on_failure=failures.append)

    with pytest.raises(KeyboardInterrupt):
        receiver.handle("POST", {"content-type": "application/json"}, golden("conferenceCompleted"))
    assert [failure.status for failure in failures] == [500]


def test_the_interpreter_is_sound_after_handlers_raise_base_exceptions() -> None:
    """In a fresh interpreter, handlers raising KeyboardInterrupt in the pool leave it sound.

    A KeyboardInterrupt let out of a thread-pool worker through asyncio.run can leave CPython
    3.11's parser in a broken state (reported while reproducing issue 12); the receiver keeps it
    in the worker, so every request is a 500 with its body kept, and the process parses code and
    ends well.
    """
    script = textwrap.dedent(
        """
        import ast, asyncio, json
        from pathlib import Path
        from bandwidth_events import ConferenceCompleted, Receiver, Router

        router = Router()

        @router.on(ConferenceCompleted)
        def stop(event):
            raise KeyboardInterrupt

        failures = []
        receiver = Receiver(router=router, auth=None, on_failure=failures.append)
        body = Path("tests/payloads/conferenceCompleted.json").read_bytes()
        headers = {"content-type": "application/json"}

        async def main():
            return [await receiver.handle_async("POST", headers, body) for _ in range(20)]

        replies = asyncio.run(main())
        ast.parse("x = " + "[" * 50 + "]" * 50)
        print(json.dumps([len(failures), sorted({reply.status for reply in replies})]))
        """
    )

    result = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )

    assert (result.returncode, result.stdout.strip()) == (0, "[20, [500]]"), result.stderr
    assert "SystemError" not in result.stderr


def test_a_cancelled_request_keeps_its_body_and_stays_cancelled() -> None:
    """When the server cancels a request mid-handler, the body is kept and the cancel goes on."""
    failures: list[Failure] = []
    router = Router()
    started = asyncio.Event()

    @router.on(ConferenceCompleted)
    async def slow(_event: ConferenceCompleted) -> None:
        started.set()
        await asyncio.sleep(60)

    receiver = Receiver(router=router, auth=None, on_failure=failures.append)
    headers = {"content-type": "application/json"}

    async def main() -> None:
        task = asyncio.create_task(
            receiver.handle_async("POST", headers, golden("conferenceCompleted"))
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main())  # asyncio.run waits for the thread pool, where the hook ran

    assert [(failure.status, type(failure.error)) for failure in failures] == [
        (503, asyncio.CancelledError)
    ]
    assert failures[0].body == golden("conferenceCompleted")


def test_handle_async_answers_from_the_headers_first() -> None:
    """handle_async checks method, headers and credentials before any handler, as handle does."""
    receiver = Receiver(router=Router(), auth=None)

    reply = run(receiver.handle_async("POST", {"content-type": "text/plain"}, b"{}"))

    assert reply.status == 415


class MixedLoad:
    """A receiver with every kind of handler, counting what each saw, thread-safely."""

    def __init__(self, *, with_async: bool) -> None:
        self.lock = threading.Lock()
        self.seen: Counter[str] = Counter()
        self.failed: Counter[bytes] = Counter()
        router = Router()

        def count(key: str) -> None:
            with self.lock:
                self.seen[key] += 1

        if with_async:

            @router.on(ConferenceRecordingAvailable)
            async def stored(event: ConferenceRecordingAvailable) -> None:
                await asyncio.sleep(0)
                count(event.recording_id)

            @router.on(ConferenceMemberJoin)
            async def broken(_event: ConferenceMemberJoin) -> None:
                raise RuntimeError("async failure")

        else:

            @router.on(ConferenceRecordingAvailable)
            def stored_plainly(event: ConferenceRecordingAvailable) -> None:
                count(event.recording_id)

            @router.on(ConferenceMemberJoin)
            def broken_plainly(_event: ConferenceMemberJoin) -> None:
                raise RuntimeError("plain failure")

        @router.on(ConferenceCreated)
        def greet(event: ConferenceCreated) -> str:
            count(event.conference_id)
            return BXML

        @router.on(ConferenceCompleted)
        def crash(_event: ConferenceCompleted) -> None:
            raise SystemExit(1)

        self.receiver = Receiver(router=router, auth=None, on_failure=self.fail)

    def fail(self, failure: Failure) -> None:
        """Count a failed body."""
        with self.lock:
            self.failed[failure.body] += 1


def mixed_bodies(count: int) -> list[tuple[bytes, int]]:
    """Give bodies of every kind, good and bad, each with the status it must get."""
    recording = json.loads(golden("conferenceRecordingAvailable"))
    created = json.loads(golden("conferenceCreated"))
    join = json.loads(golden("conferenceMemberJoin"))
    completed = json.loads(golden("conferenceCompleted"))
    bodies: list[tuple[bytes, int]] = []
    for index in range(count):
        match index % 5:
            case 0 | 1:
                body, status = recording | {"recordingId": f"r-{index}"}, 204
            case 2:
                body, status = created | {"conferenceId": f"conf-{index}"}, 200
            case 3:
                body, status = (join if index % 2 else completed) | {"name": f"n-{index}"}, 500
            case _:
                body, status = {"eventType": "conferenceCreated", "name": f"bad-{index}"}, 400
        bodies.append((json.dumps(body).encode(), status))
    return bodies


@pytest.mark.parametrize(
    ("serve", "with_async"),
    [(serve_asgi, True), (serve_asgi, False), (serve_wsgi, False)],
    ids=["asgi-async", "asgi-plain", "wsgi-plain"],
)
def test_mixed_load_handles_each_event_once_and_keeps_each_failure_once(
    serve: Callable[[Receiver], AbstractContextManager[str]],
    with_async: bool,  # noqa: FBT001
) -> None:
    """3,000 requests, some bad, some raising, some async: each handled or kept exactly once."""
    load = MixedLoad(with_async=with_async)
    bodies = mixed_bodies(3000)
    with serve(load.receiver) as url:

        def post(item: tuple[bytes, int]) -> tuple[int | None, int]:
            return deliver(url, item[0], retry=False).last.status, item[1]

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(post, bodies))

    assert all(status == expected for status, expected in results)
    good = [json.loads(body) for body, status in bodies if status in {200, 204}]
    keys = {body.get("recordingId") or body["conferenceId"] for body in good}
    assert load.seen == Counter(dict.fromkeys(keys, 1))
    failing = [body for body, status in bodies if status in {400, 500}]
    assert load.failed == Counter(dict.fromkeys(failing, 1))


class TestCurrentRequest:
    def recorder(self) -> tuple[Router, list[Request]]:
        """Give a router whose handlers (plain, async, fallback) note the current request."""
        router, seen = Router(), list[Request]()

        @router.on(ConferenceCompleted)
        def plain(_event: ConferenceCompleted) -> None:
            seen.append(current_request())

        @router.on(ConferenceCreated)
        async def awaited(_event: ConferenceCreated) -> None:
            seen.append(current_request())

        return router, seen

    @pytest.mark.parametrize("inline", [False, True])
    def test_handlers_see_their_request_under_uvicorn(self, inline: bool) -> None:  # noqa: FBT001
        """Plain handlers (pooled or inline) and async ones see method, path, query, headers."""
        router, seen = self.recorder()
        with serve_asgi(Receiver(router=router, auth=None), run_sync_inline=inline) as url:
            deliver(url + "?source=test", golden("conferenceCompleted"))
            deliver(url, parse_event(golden("conferenceCreated")), method="GET")

        posted, got = seen
        assert (posted.method, posted.path, posted.query) == (
            "POST",
            "/bandwidth/events",
            "source=test",
        )
        assert posted.headers["content-type"] == "application/json"
        assert (got.method, got.path) == ("GET", "/bandwidth/events")
        assert parse_query(got.query) == parse_event(golden("conferenceCreated"))

    def test_handlers_see_their_request_under_wsgi(self) -> None:
        """Under WSGI the path is PATH_INFO; the credentials are never shown."""
        router = Router()
        seen: list[Request] = []

        @router.on(ConferenceCompleted)
        def plain(_event: ConferenceCompleted) -> None:
            seen.append(current_request())

        receiver = Receiver(router=router, auth=BasicAuth(("bandwidth", "s3cret")))
        with serve_wsgi(receiver) as url:
            deliver(url, golden("conferenceCompleted"), credentials=("bandwidth", "s3cret"))

        [request] = seen
        assert (request.method, request.path) == ("POST", "/bandwidth/events")
        assert "authorization" not in request.headers

    def test_the_path_under_the_mount(self) -> None:
        """Under a mount (ASGI root_path), the path is the part under it."""
        router, seen = self.recorder()
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/hooks/bandwidth/calls",
            "root_path": "/hooks",
            "query_string": b"",
            "headers": [(b"content-type", b"application/json")],
        }
        messages = iter([{"type": "http.request", "body": golden("conferenceCompleted")}])

        async def receive() -> dict[str, Any]:
            return next(messages)

        async def send(_message: Any) -> None: ...

        run(asgi_app(Receiver(router=router, auth=None))(scope, receive, send))

        assert seen[0].path == "/bandwidth/calls"

    def test_outside_a_handler_there_is_none(self) -> None:
        """current_request() outside a handler a receiver runs is a LookupError that says so."""
        with pytest.raises(LookupError, match="for handlers a Receiver runs"):
            current_request()
        router, seen = self.recorder()
        with pytest.raises(LookupError):
            router.dispatch(golden("conferenceCompleted"))  # the router alone: no request
        assert seen == []
