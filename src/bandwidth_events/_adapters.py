"""ASGI and WSGI adapters for a `Receiver`, with no third-party dependency.

Both answer from the headers first (the checks of `Receiver.handle`), so a request without
credentials or with a too-large declared length is answered without reading its body, and both
read at most one byte more than the bound, so a body that lies about its length cannot fill the
memory. The headers are checked once per request.
"""

import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeAlias

from ._receiver import (
    TOO_SLOW,
    Receiver,
    Reply,
    Request,
    answer_request,
    answer_request_async,
    check_request,
    lower_headers,
    request_of,
)

if TYPE_CHECKING:
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

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"a webhook receiver serves HTTP, not {scope['type']!r}")
        method: str = scope["method"]
        headers = lower_headers(
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
        )
        reply = check_request(receiver, method, headers)
        if reply is None:
            import asyncio  # noqa: PLC0415 -- an event loop runs: it is imported already

            # A timeout on this task, not wait_for: on Python 3.11 that runs the read as a task
            # of its own, which costs more than the rest of a request's own work. It is caught
            # in this frame: coverage on 3.11 loses the later lines of a frame that the
            # timeout's cancellation only passed through.
            try:
                async with asyncio.timeout(receiver.read_timeout):
                    body = await _read(receive, receiver.max_body_size)
            except TimeoutError:
                reply = TOO_SLOW
            else:
                if body is None:
                    return  # the client went away mid-body: nobody to answer, nothing to handle
                reply = await answer_request_async(
                    receiver,
                    body,
                    request=_asgi_request(scope, method, headers),
                    run_sync_inline=run_sync_inline,
                )
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in reply.headers
                ],
            }
        )
        await send({"type": "http.response.body", "body": reply.body})

    return app


def _asgi_request(scope: Scope, method: str, headers: dict[str, str]) -> Request:
    # The path under the mount: servers and frameworks put the mount point in root_path.
    path: str = scope.get("path", "/")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return request_of(method, path, scope.get("query_string", b"").decode("latin-1"), headers)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read(receive: Receive, limit: int) -> bytes | None:
    """Read the body, stopping one byte past the limit (the receiver then answers 413).

    ``None`` when the client disconnected before the whole body came.
    """
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


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
        reply = check_request(receiver, method, headers)
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
    return request_of(
        method, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), headers
    )


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
