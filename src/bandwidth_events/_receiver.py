"""A webhook receiver with no web framework: (method, headers, body) in, a `Reply` out.

In order: the Basic-auth challenge, the body size, the method, the content type, parsing,
the router's handler, and the answer Bandwidth expects. Whatever fails after authentication
is handed, with the raw body, to the failure hook before the short 4xx/5xx answer goes out:
Bandwidth does not send an event again once it got an answer.
"""

import contextvars
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import partial
from typing import Any, TypeVar, cast

import attrs

from ._api import AnyEvent
from ._auth import BasicAuth
from ._errors import EventParseError
from ._inbox import Inbox, InboxError, Taken
from ._query import request_event
from ._router import Outcome, Router

LOG = logging.getLogger("bandwidth_events")

#: The default bound on a body: far above any webhook Bandwidth sends.
ONE_MIB = 1024 * 1024

Headers = Mapping[str, str] | Iterable[tuple[str, str]]

_TEXT = ("content-type", "text/plain; charset=utf-8")
_BAD_BODY = "not a valid Bandwidth webhook body"
_HANDLER_FAILED = "the webhook handler failed"
_CANCELLED = "the request was cancelled"
_NOT_STORED = "the event could not be stored"
_NOT_READY = "this event is being handled already, and its answer is not ready"
#: How long a duplicate of a BXML event waits for the first delivery's answer.
ANSWER_WAIT = 10.0
_ACCEPT_JSON = ("accept-post", "application/json")
_MAX_DIGITS = 18


@attrs.frozen
class Reply:
    """An HTTP answer: what a web adapter sends back.

    Attributes:
        status: The HTTP status code.
        headers: The response headers, as (name, value) pairs.
        body: The response body.
    """

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def _text(status: int, message: str, *extra: tuple[str, str]) -> Reply:
    return Reply(status, (_TEXT, *extra), message.encode())


@attrs.frozen
class Failure:
    """A request the receiver could not handle, with everything needed to handle it later.

    Attributes:
        body: The request body, exactly as received.
        headers: The request headers, lower-case, the ``authorization`` header left out.
        status: The status the receiver answered.
        reason: What went wrong, in a few words (the answer's body).
        error: The exception: an `EventParseError` for a bad body, else what the handler raised.
        query: The query string of a callback Bandwidth sent with ``GET`` (its fields are
            there, and ``body`` is empty); ``None`` for a ``POST``. `parse_query` reads it.
    """

    body: bytes
    headers: Mapping[str, str]
    status: int
    reason: str
    error: BaseException
    query: str | None = None


@attrs.frozen
class Request:
    """The HTTP request an event came in: what `current_request` gives a handler.

    Attributes:
        method: ``POST``, or ``GET`` for a callback configured with ``…Method="GET"``.
        path: The request's path under the receiver's mount (``/`` at its root).
        query: The query string (a ``GET`` callback's fields, or anything on a POST's URL).
        headers: The request headers, names in lower case, ``authorization`` left out.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]


REQUEST: contextvars.ContextVar[Request] = contextvars.ContextVar("bandwidth_events_request")


def current_request() -> Request:
    """Give the request whose event the running handler handles.

    Handlers take only their event; one that needs the path it was called under, the query or
    a header asks for it here. It works in plain and ``async`` handlers alike, in any thread the
    receiver runs them in.

    Raises:
        LookupError: No handler run by a `Receiver` (or its ASGI/WSGI app) is running.
    """
    try:
        return REQUEST.get()
    except LookupError:
        raise LookupError(
            "current_request() is for handlers a Receiver runs: none is running"
        ) from None


def request_of(method: str, path: str, query: str, shown: Mapping[str, str]) -> Request:
    """Give the `Request` a handler sees: the method in capitals, the headers `shown_headers`."""
    return Request(method.upper(), path or "/", query, shown)


def shown_headers(lowered: dict[str, str]) -> dict[str, str]:
    """Give the (lowered) headers a handler sees: all but ``authorization``, in a copy."""
    shown = lowered.copy()
    shown.pop("authorization", None)
    return shown


def log_failure(failure: Failure) -> None:
    """Log a failure and its whole body at ERROR: the default `Receiver` failure hook."""
    LOG.error(
        "webhook answered %d (%s); body kept here: %r",
        failure.status,
        failure.reason,
        failure.body,
        exc_info=failure.error,
    )


def _is_json(content_type: str | None) -> bool:
    if content_type is None:
        return False
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


@attrs.frozen(kw_only=True)
class Receiver:
    """Receive Bandwidth's webhooks: authenticate, check, parse, route and answer.

    Use it through `asgi_app` or `wsgi_app`, or call `handle` from any web framework.

    Attributes:
        router: The `Router` whose handlers get the events.
        auth: The accepted credentials; ``None`` accepts any request (not recommended:
            Bandwidth's Basic auth is the only proof a request comes from it).
        max_body_size: The largest body read, in bytes; a larger one is answered ``413``.
        on_failure: Called with a `Failure` for every body that could not be parsed or whose
            handler raised, before the answer goes out. The default logs it, body included;
            give one that stores it. If the hook itself raises, that is logged too.
        read_timeout: Seconds the adapters wait for a whole body; a client slower than that is
            answered ``408``, so that a trickling client cannot hold a worker. Bandwidth sends
            its small bodies at once, and waits 15 seconds for the answer.
        inbox: Where every accepted request is stored before it is answered, deduped by its
            event's key; an `InboxWorker` then handles the events whose answer Bandwidth
            ignores. ``None`` (the default) handles each event before answering, and keeps
            nothing. See :doc:`/keeping`.
    """

    router: Router
    auth: BasicAuth | None
    max_body_size: int = attrs.field(default=ONE_MIB, validator=attrs.validators.gt(0))
    on_failure: Callable[[Failure], None] = log_failure
    read_timeout: float = attrs.field(default=10.0, validator=attrs.validators.gt(0))
    inbox: Inbox | None = None

    def check(self, method: str, headers: Headers) -> Reply | None:
        """Answer a request from its method and headers alone, or give None to read the body.

        Web adapters call this first, so that a request without credentials, or one too big,
        is answered without its body being read.
        """
        return check_headers(self, method, lower_headers(headers))

    def handle(
        self, method: str, headers: Headers, body: bytes, query: str = "", path: str = "/"
    ) -> Reply:
        """Answer one request, running plain handlers here.

        A ``POST`` carries the event as its JSON body; a ``GET`` (a callback configured with
        ``…Method="GET"``) as its ``query`` string.

        Never raises for anything a request can hold, nor for a handler that raises (but see
        :doc:`/receiving` for ``KeyboardInterrupt`` and ``SystemExit`` in the main thread).

        Raises:
            TypeError: The router has ``async`` handlers, which only `handle_async` can run.
        """
        if self.router.has_async_handlers:
            raise TypeError(
                "this router has async handlers: await receiver.handle_async(...) instead"
            )
        checked = self._check(method, headers, query, path)
        if isinstance(checked, Reply):
            return checked
        return answer_request(self, body, request=checked)

    async def handle_async(  # noqa: PLR0913 -- the request's parts, and one option
        self,
        method: str,
        headers: Headers,
        body: bytes,
        query: str = "",
        path: str = "/",
        *,
        run_sync_inline: bool = False,
    ) -> Reply:
        """Answer one request from an event loop.

        ``async`` handlers are awaited, plain ones run in the loop's thread pool (or right on
        the loop with ``run_sync_inline``). The failure hook runs in the thread pool, never on
        the loop. Never raises for anything a request can hold, nor for a handler that raises.
        """
        checked = self._check(method, headers, query, path)
        if isinstance(checked, Reply):
            return checked
        return await answer_request_async(
            self, body, request=checked, run_sync_inline=run_sync_inline
        )

    def _check(self, method: str, headers: Headers, query: str, path: str) -> Reply | Request:
        """Answer from the method and headers, or give the request to read the event from."""
        lowered = lower_headers(headers)
        early = check_headers(self, method, lowered)
        return request_of(method, path, query, shown_headers(lowered)) if early is None else early


# The two halves of Receiver.handle, for the adapters, which read the body in between: the
# headers are lowered and the credentials checked once per request.


def lower_headers(headers: Headers) -> dict[str, str]:
    """Give the headers as a dict with lower-case names."""
    if isinstance(headers, Mapping):
        pairs: Iterable[tuple[str, str]] = cast("Mapping[str, str]", headers).items()
    else:
        pairs = headers
    return {name.lower(): value for name, value in pairs}


def check_headers(receiver: Receiver, method: str, headers: dict[str, str]) -> Reply | None:
    """Answer from the method and the (lowered) headers, or give None to read the body."""
    return check_request(
        receiver,
        method,
        headers.get("authorization"),
        headers.get("content-length"),
        headers.get("content-type"),
    )


def check_request(
    receiver: Receiver,
    method: str,
    authorization: str | None,
    content_length: str | None,
    content_type: str | None,
) -> Reply | None:
    """Answer from the method and the headers the checks read, or give None to read the body."""
    auth = receiver.auth
    if auth is not None and not auth.accepts(authorization):
        # Missing or wrong, the same answer: the challenge Bandwidth resends after.
        return _text(401, "authentication required", ("www-authenticate", auth.challenge))
    wrong_length = _check_length(receiver, content_length)
    if wrong_length is not None:
        return wrong_length
    method = method.upper()
    if method == "GET":
        return None  # a callback configured with …Method="GET": the event is in the query
    if method != "POST":
        return _text(405, "webhooks are POSTed, or sent with GET", ("allow", "POST, GET"))
    if not _is_json(content_type):
        return _text(415, "webhook bodies are application/json", _ACCEPT_JSON)
    return None


def _check_length(receiver: Receiver, declared: str | None) -> Reply | None:
    """Answer a declared length that is not a number of bytes, or too large; else None."""
    if declared is None:
        return None
    declared = declared.strip()
    if not (declared.isascii() and declared.isdigit()):
        # "²" and "①" are digits to str.isdigit and int(): not to HTTP.
        return _text(400, "Content-Length must be a number of bytes")
    # Past 18 digits it is beyond any bound, and int() would refuse 5,000 of them.
    if len(declared) > _MAX_DIGITS or int(declared) > receiver.max_body_size:
        return _too_large(receiver)
    return None


def answer_request(receiver: Receiver, body: bytes, *, request: Request) -> Reply:
    """Answer a request that passed `check_request`: bound the body, parse, route.

    A ``GET``'s event is read from its query; a ``POST``'s from its body.
    """
    if len(body) > receiver.max_body_size:
        return _too_large(receiver)
    token = REQUEST.set(request)
    try:
        return _answer(receiver, body, request)
    finally:
        REQUEST.reset(token)


def _answer(receiver: Receiver, body: bytes, request: Request) -> Reply:
    inbox = receiver.inbox

    def fail(reply: Reply, error: BaseException) -> Reply:
        return _fail(receiver, body, request, reply, error)

    try:
        event = _read_event(request, body)
    except EventParseError as error:
        return _refuse(inbox, body, request, error, fail)
    taken = None
    if inbox is not None:
        stored = _store(inbox, body, request, event, fail)
        if isinstance(stored, Reply):
            return stored
        taken = stored
    try:
        answer = receiver.router.handle(event)
        # Encoded here, inside the try: BXML with a lone surrogate cannot be.
        content = answer.body
    except BaseException as error:  # any handler failure at all: keep the body, answer 500
        _retry_later(inbox, taken, error)
        reply = fail(_text(500, _HANDLER_FAILED), error)
        if isinstance(error, KeyboardInterrupt | SystemExit) and in_main_thread():
            # Ctrl-C and sys.exit() still stop a program serving in its main thread, once the
            # body is kept; in any other thread they would end only that thread.
            raise
        return reply
    return _answered(inbox, taken, reply_of(answer, content))


def _read_event(request: Request, body: bytes) -> AnyEvent:
    """Parse a request's event: a GET callback's from its query, a POST's from its body."""
    return request_event(request.method, request.query, body)


def _refuse(
    inbox: Inbox | None,
    body: bytes,
    request: Request,
    error: EventParseError,
    fail: Callable[[Reply, BaseException], Reply],
) -> Reply:
    """Answer 400 for a body that is not an event, after keeping it as a dead letter."""
    if inbox is not None:
        try:
            inbox.keep_bad(request, body, error)
        except InboxError:
            LOG.exception("the inbox could not keep a bad body: the failure hook has it")
    return fail(_text(400, _BAD_BODY), error)


def _store(
    inbox: Inbox,
    body: bytes,
    request: Request,
    event: AnyEvent,
    fail: Callable[[Reply, BaseException], Reply],
) -> Reply | Taken:
    """Store an event before it is answered; give the answer, or what to handle here.

    An event whose answer Bandwidth ignores is answered ``204`` once stored, for a worker to
    handle. A new BXML event is handled here, by the caller. A duplicate of one gets the answer
    its first delivery got, waiting for it while that one's handler runs. Blocks: the async
    path runs it in the thread pool.
    """
    try:
        taken = inbox.take(request, body, event)
    except InboxError as error:
        return fail(_text(503, _NOT_STORED), error)
    if not event.accepts_bxml:
        return _NO_CONTENT
    if taken.new:
        return taken
    deadline = time.monotonic() + ANSWER_WAIT
    while True:
        try:
            leased, answer = inbox.answer_of(taken.id)
        except InboxError as error:
            return fail(_text(503, _NOT_STORED), error)
        if answer is not None:
            return answer
        if not leased or time.monotonic() >= deadline:
            return _text(503, _NOT_READY)
        time.sleep(_POLL)


_NO_CONTENT = Reply(204)
_POLL = 0.02


def _answered(inbox: Inbox | None, taken: Taken | None, reply: Reply) -> Reply:
    """Keep a BXML event's answer for its duplicates, and give it."""
    if inbox is not None and taken is not None and taken.owner is not None:
        try:
            inbox.done(taken.id, taken.owner, reply)
        except InboxError:
            # The handler ran: answer it. The worker runs it again once its lease runs out.
            LOG.exception("the inbox could not mark event %d handled", taken.id)
    return reply


def _retry_later(inbox: Inbox | None, taken: Taken | None, error: BaseException) -> None:
    """Hand a BXML event whose handler raised here to the inbox's workers, to retry."""
    if inbox is not None and taken is not None and taken.owner is not None:
        try:
            inbox.release(taken.id, taken.owner, error)
        except InboxError:
            LOG.exception("the inbox could not hand event %d to its workers", taken.id)


def _event_query(request: Request) -> str | None:
    """Give the query a GET callback carries its event in; None for a POST (the body does)."""
    return request.query if request.method == "GET" else None


def reply_of(answer: Outcome, content: bytes) -> Reply:
    """Give the HTTP answer of a handled event, its body encoded already."""
    if answer.content_type is None:
        return _NO_CONTENT
    return Reply(answer.status, (("content-type", answer.content_type),), content)


def in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class _HandlerRaised(Exception):  # noqa: N818 -- never seen outside
    """A plain handler raised in the thread pool: what it raised, carried back to the loop."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def _call_guarded(handler: Callable[[Any], Any], event: object) -> Any:  # noqa: ANN401
    # Whatever a handler raises in a worker thread (KeyboardInterrupt, SystemExit included) is
    # caught there and carried back as a plain exception: a BaseException passed through the
    # thread pool's future and out of asyncio.run upsets CPython 3.11's parser state.
    try:
        return handler(event)
    except BaseException as error:  # noqa: BLE001 -- reported as the handler's failure
        raise _HandlerRaised(error) from None


_T = TypeVar("_T")


def _in_pool(call: Callable[..., _T], *args: Any) -> Awaitable[_T]:  # noqa: ANN401 -- call's own
    """Run ``call(*args)`` in the running loop's default thread pool.

    The loop is looked up here, on the paths that hand work to the pool only: on CPython 3.11
    each look-up is a getpid system call, and a request that needs no pool makes none.
    """
    import asyncio  # noqa: PLC0415 -- an event loop runs: it is imported already

    return asyncio.get_running_loop().run_in_executor(None, call, *args)


async def _in_thread(handler: Callable[[Any], Any], event: object) -> Any:  # noqa: ANN401
    """Run a plain handler in the loop's default thread pool; give what it returns."""
    # In a copy of this context, so that current_request() works in the worker thread too.
    context = contextvars.copy_context()

    def call() -> Any:  # noqa: ANN401 -- what the handler gives
        return context.run(_call_guarded, handler, event)

    return await _in_pool(call)


async def answer_request_async(
    receiver: Receiver, body: bytes, *, request: Request, run_sync_inline: bool
) -> Reply:
    """Answer a request that passed `check_request` on an event loop; see `handle_async`."""
    if len(body) > receiver.max_body_size:
        return _too_large(receiver)
    token = REQUEST.set(request)
    try:
        return await _answer_async(receiver, body, request, run_sync_inline)
    finally:
        REQUEST.reset(token)


async def _answer_async(
    receiver: Receiver,
    body: bytes,
    request: Request,
    run_sync_inline: bool,  # noqa: FBT001 -- a private helper's flag, passed through
) -> Reply:
    import asyncio  # noqa: PLC0415 -- an event loop runs: it is imported already

    run_sync = None if run_sync_inline else _in_thread
    inbox = receiver.inbox
    try:
        event = _read_event(request, body)
    except EventParseError as error:
        return await _in_pool(
            _refuse, inbox, body, request, error, partial(_fail, receiver, body, request)
        )
    taken = None
    if inbox is not None:
        stored = await _in_pool(
            _store, inbox, body, request, event, partial(_fail, receiver, body, request)
        )
        if isinstance(stored, Reply):
            return stored
        taken = stored
    try:
        answer = await receiver.router.handle_async(event, run_sync=run_sync)
        content = answer.body
    except asyncio.CancelledError as error:
        # The server is stopping this request: keep the body, and let the cancellation go on.
        cancelled = _text(503, _CANCELLED)
        _in_pool(_retry_later, inbox, taken, error)
        _in_pool(_fail, receiver, body, request, cancelled, error)
        raise
    except BaseException as error:  # noqa: BLE001 -- any handler failure: keep the body, 500
        raised = error.error if isinstance(error, _HandlerRaised) else error
        await _in_pool(_retry_later, inbox, taken, raised)
        # The hook may block (a database, a file): never on the event loop.
        failed = _text(500, _HANDLER_FAILED)
        return await _in_pool(_fail, receiver, body, request, failed, raised)
    reply = reply_of(answer, content)
    if taken is None:
        return reply
    return await _in_pool(_answered, inbox, taken, reply)


#: The answer to a client that did not send its body within the receiver's read_timeout.
TOO_SLOW = _text(408, "the body did not come in time")


def _too_large(receiver: Receiver) -> Reply:
    return _text(413, f"webhook bodies are at most {receiver.max_body_size} bytes")


def _fail(
    receiver: Receiver, body: bytes, request: Request, reply: Reply, error: BaseException
) -> Reply:
    query = _event_query(request)
    # A plain dict, whatever the request's mapping: hooks store it (json.dumps takes dicts).
    headers = dict(request.headers)
    failure = Failure(body, headers, reply.status, reply.body.decode(), error, query)
    try:
        receiver.on_failure(failure)
    except Exception:  # the hook failing must not lose the body either
        LOG.exception("the failure hook raised; the body was %r, the query %r", body, query)
    return reply
