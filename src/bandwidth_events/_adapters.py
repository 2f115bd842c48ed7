"""ASGI and WSGI adapters for a `Receiver`, with no third-party dependency.

Both answer from the headers first (the checks of `Receiver.handle`), so a request without
credentials or with a too-large declared length is answered without reading its body, and both
read at most one byte more than the bound, so a body that lies about its length cannot fill the
memory. The headers are checked once per request.
"""

import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from ._receiver import (
    TOO_SLOW,
    Receiver,
    Reply,
    Request,
    answer_request,
    answer_request_async,
    check_headers,
    check_request,
    lower_headers,
    request_of,
    shown_headers,
)

if TYPE_CHECKING:
    import asyncio
    from wsgiref.types import StartResponse, WSGIEnvironment

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
#: An ASGI application, as Starlette and FastAPI type it.
AsgiApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]
#: A WSGI application (PEP 3333).
WsgiApp: TypeAlias = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def asgi_app(receiver: Receiver, *, run_sync_inline: bool = False) -> AsgiApp:
    """Give an ASGI application serving the receiver: mount it in FastAPI or Starlette.

    ``async def`` handlers are awaited on the event loop. Plain handlers run in the loop's
    default thread pool, so a slow one does not stall other requests; with
    ``run_sync_inline=True`` they run on the loop itself, which saves the thread hop (about a
    tenth of the throughput) for handlers that never block. The failure hook always runs in the
    thread pool. A body cut short by the client is neither handled nor reported: Bandwidth
    resends a request whose connection failed.
    """
    reads: _Reads | None = None  # the reads in flight, on the loop that serves the last request

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal reads
        if scope["type"] != "http":
            await _not_http(scope, receive, send)
            return
        method: str = scope["method"]
        # The three headers the checks read, decoded; the others are decoded when a handler
        # looks at them (_AsgiHeaders). The dict is made in one call: ASGI servers give the
        # names in lower case, as the specification says they should.
        headers: dict[bytes, bytes] = dict(scope["headers"])
        if headers.keys() >= _CHECKED:
            authorization: str | None = headers[_AUTHORIZATION].decode("latin-1")
            length: str | None = headers[_CONTENT_LENGTH].decode("latin-1")
            content_type: str | None = headers[_CONTENT_TYPE].decode("latin-1")
        else:  # one is missing, or the server gave names in capitals
            authorization, length, content_type = _checked_headers(scope)
        reply = check_request(receiver, method, authorization, length, content_type)
        if reply is None:
            import asyncio  # noqa: PLC0415 -- an event loop runs: it is imported already

            # ASGI servers run each request in a task of its own.
            task = cast("asyncio.Task[Any]", asyncio.current_task())
            loop = task.get_loop()
            timer = reads if reads is not None and reads.loop is loop else _Reads(loop)
            reads = timer
            cancelling = timer.start(task, receiver.read_timeout)
            late = False
            # The timeout is caught in this frame: coverage on 3.11 loses the later lines of a
            # frame that a cancellation only passed through.
            try:
                try:
                    first = await receive()
                    if first["type"] == "http.request" and not first.get("more_body", False):
                        body = first.get("body", b"")  # in one message, as small bodies come
                    else:
                        body = await _read(receive, receiver.max_body_size, first)
                finally:
                    late = timer.forget(task)  # before the handler runs: it has no deadline
            except asyncio.CancelledError:
                if not late or task.uncancel() > cancelling:
                    raise  # cancelled by someone else (too): the server is stopping, say
                reply = TOO_SLOW
            else:
                if body is None:
                    return  # the client went away mid-body: nobody to answer, nothing to handle
                reply = await answer_request_async(
                    receiver,
                    body,
                    request=_asgi_request(scope, method),
                    run_sync_inline=run_sync_inline,
                )
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in reply.headers
                ]
                if reply.headers
                else [],
            }
        )
        await send({"type": "http.response.body", "body": reply.body})

    return app


class _Reads:
    """The body reads in flight on one event loop, each ended at its deadline by one timer.

    A timer per request (``asyncio.timeout``) made a handle, pushed it on the loop's heap and
    cancelled it for every request: about 7 µs of the app's 25 µs in process. Here a read
    notes its deadline; one timer, set for the earliest, cancels the reads past theirs and sets
    itself for the next. The receiver's timeout is fixed, so the deadlines come in order. A
    read the timer cancelled is told apart from one cancelled by anyone else as
    ``asyncio.timeout`` does it, by the task's count of pending cancellations.
    """

    __slots__ = ("_deadlines", "_ended", "_when", "loop")

    def __init__(self, loop: "asyncio.AbstractEventLoop") -> None:
        self.loop = loop
        self._deadlines: dict[asyncio.Task[Any], float] = {}  # in the order they end
        self._ended: set[asyncio.Task[Any]] = set()
        self._when: float | None = None  # when the timer is set for, if it is

    def start(self, task: "asyncio.Task[Any]", seconds: float) -> int:
        """Note a read's deadline; give the task's pending cancellations, to tell them apart."""
        deadline = self.loop.time() + seconds
        self._deadlines[task] = deadline
        if self._when is None:
            self._set(deadline)
        return task.cancelling()

    def forget(self, task: "asyncio.Task[Any]") -> bool:
        """Forget a read that is over, one way or another; tell whether its deadline ended it."""
        if task in self._ended:
            self._ended.remove(task)
            return True
        del self._deadlines[task]
        return False

    def _set(self, when: float) -> None:
        self.loop.call_at(when, self._end_late_reads)
        self._when = when

    def _end_late_reads(self) -> None:
        # Up to the time the timer was set for: a loop may run a timer a little early.
        now = max(self.loop.time(), cast("float", self._when))
        self._when = None
        for task, deadline in list(self._deadlines.items()):
            if deadline > now:
                self._set(deadline)  # the earliest left
                return
            del self._deadlines[task]
            self._ended.add(task)
            task.cancel()


_AUTHORIZATION = b"authorization"
_CONTENT_LENGTH = b"content-length"
_CONTENT_TYPE = b"content-type"
_CHECKED_NAMES = (_AUTHORIZATION, _CONTENT_LENGTH, _CONTENT_TYPE)
_CHECKED = frozenset(_CHECKED_NAMES)


def _checked_headers(scope: Scope) -> tuple[str | None, str | None, str | None]:
    """Give the three headers the checks read, decoded, whatever the case of their names."""
    headers: dict[bytes, bytes] = {name.lower(): value for name, value in scope["headers"]}
    authorization, length, content_type = (
        None if value is None else value.decode("latin-1")
        for value in map(headers.get, _CHECKED_NAMES)
    )
    return authorization, length, content_type


class _AsgiHeaders(Mapping[str, str]):
    """An ASGI request's headers as a handler sees them, decoded only when it looks at them.

    Most handlers never do: the checks take the three headers they need on their own (see
    ``app``). Decoded, they are what `shown_headers` gives: ``authorization`` left out.
    """

    __slots__ = ("_decoded", "_raw")

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self._raw = raw  # the scope's headers, as the server gave them
        self._decoded: dict[str, str] | None = None

    def _dict(self) -> dict[str, str]:
        decoded = self._decoded
        if decoded is None:  # two threads may both decode: they make the same dict
            pairs = ((name.decode("latin-1"), value.decode("latin-1")) for name, value in self._raw)
            decoded = self._decoded = shown_headers(lower_headers(pairs))
        return decoded

    def __getitem__(self, name: str) -> str:
        return self._dict()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    def __repr__(self) -> str:
        return repr(self._dict())

    def __reduce__(self) -> tuple[object, ...]:
        return (dict, (self._dict(),))  # pickled as the dict it stands for


def _asgi_request(scope: Scope, method: str) -> Request:
    # The path under the mount: servers and frameworks put the mount point in root_path.
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    query: str = scope.get("query_string", b"").decode("latin-1")
    return request_of(method, path, query, _AsgiHeaders(scope["headers"]))


async def _not_http(scope: Scope, receive: Receive, send: Send) -> None:
    """Serve a lifespan; refuse any other scope that is not HTTP (a mounting mistake)."""
    if scope["type"] != "lifespan":
        raise ValueError(f"a webhook receiver serves HTTP, not {scope['type']!r}")
    await _lifespan(receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read(receive: Receive, limit: int, message: Message) -> bytes | None:
    """Read the body from its first message on, stopping one byte past the limit.

    (The receiver then answers 413.) ``None`` when the client disconnected before the whole
    body came.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False) or size > limit:
            return b"".join(chunks)
        message = await receive()


def wsgi_app(receiver: Receiver) -> WsgiApp:
    """Give a WSGI application serving the receiver: mount it in Flask or Django.

    WSGI cannot await: the router's handlers must be plain functions, now and later.

    Raises:
        TypeError: The router has an ``async`` handler (registering one later raises too).
    """
    receiver.router.serve_sync_only("a WSGI app")

    def app(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        method: str = environ.get("REQUEST_METHOD", "GET")
        headers = lower_headers(_wsgi_headers(environ))
        reply = check_headers(receiver, method, headers)
        if reply is None:
            body = _wsgi_body(environ, receiver.max_body_size, receiver.read_timeout)
            if body is _SLOW:
                reply = TOO_SLOW
            elif body is None:
                # Cut short: the client is gone (Bandwidth resends it); say so to whoever listens.
                reply = Reply(400, (("content-type", "text/plain; charset=utf-8"),), _CUT_SHORT)
            else:
                reply = answer_request(
                    receiver, body, request=_wsgi_request(environ, method, headers)
                )
        return _wsgi_reply(reply, start_response)

    return app


def _wsgi_request(environ: "WSGIEnvironment", method: str, headers: dict[str, str]) -> Request:
    # PATH_INFO is the path under the mount (SCRIPT_NAME).
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    return request_of(method, path, query, shown_headers(headers))


def _wsgi_headers(environ: "WSGIEnvironment") -> list[tuple[str, str]]:
    headers = [
        (key[5:].replace("_", "-"), value)
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    ]
    # WSGI gives these two without the HTTP_ prefix.
    headers.extend(
        (key.replace("_", "-"), environ[key])
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH")
        if environ.get(key)
    )
    return headers


_CUT_SHORT = b"the body ended before its Content-Length"


#: What `_wsgi_body` gives for a body that did not come within the read timeout.
_SLOW = b"\0slow"
_CHUNK = 65536


def _wsgi_body(environ: "WSGIEnvironment", limit: int, timeout: float) -> bytes | None:
    """Read the body; ``None`` when it ended before its declared length (a disconnect).

    It is read a chunk at a time, and `_SLOW` given once ``timeout`` seconds have passed
    between chunks in all: a trickling client cannot hold the worker. (A client that sends
    nothing at all is bounded by the server's own socket timeout.)
    """
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH", "").strip()
    if length.isascii() and length.isdigit():
        # The declared length (check() refused it when above the limit), never more.
        wanted, must_fill = int(length), True
    elif environ.get("wsgi.input_terminated"):
        # A server that ends the stream itself (chunked bodies): one byte past the limit at most.
        wanted, must_fill = limit + 1, False
    else:
        # No length and a stream that might not end: PEP 3333 says not to read it.
        return b""
    read = getattr(stream, "read1", None) or stream.read
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    while size < wanted:
        if time.monotonic() > deadline:
            return _SLOW
        chunk = bytes(read(min(wanted - size, _CHUNK)))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if must_fill and size < wanted:
        return None
    return b"".join(chunks)


def _wsgi_reply(reply: Reply, start_response: "StartResponse") -> list[bytes]:
    status = f"{reply.status} {HTTPStatus(reply.status).phrase}"
    start_response(status, list(reply.headers))
    return [reply.body]
