"""Route each webhook to the handler for its event class, and say what to answer Bandwidth.

Handlers are plain or ``async`` functions. `Router.dispatch` runs plain ones; `dispatch_async`
runs both, the plain ones as it is told (inline, or in a thread pool, as the ASGI app does).
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeAlias, TypeVar, cast, overload

import attrs

from ._api import AnyEvent, Body, parse_event
from ._events import EVENT_CLASSES, UnknownEvent


# The two kinds of event, told apart statically by their accepts_bxml literal, so that adding
# an event class needs no change here.
class _TakesBxml(Protocol):
    """An event whose ``200`` answer Bandwidth runs as BXML."""

    accepts_bxml: ClassVar[Literal[True]]


class _TakesNoContent(Protocol):
    """An event to answer with ``204`` only."""

    accepts_bxml: ClassVar[Literal[False]]


_B = TypeVar("_B", bound=_TakesBxml)
_A = TypeVar("_A", bound=_TakesNoContent)
_R = TypeVar("_R", bound=str | None)
_C = TypeVar("_C")

# Handlers are checked statically per class; at runtime Outcome checks what they return.
_Handler: TypeAlias = Callable[[Any], Any]
_Fallback: TypeAlias = Callable[[AnyEvent], None]
_AsyncFallback: TypeAlias = Callable[[AnyEvent], Awaitable[None]]
_Add: TypeAlias = Callable[[type[Any], _Handler], None]
#: How `Router.dispatch_async` runs a plain handler: ``await run_sync(handler, event)``.
RunSync: TypeAlias = Callable[[Callable[[Any], Any], Any], Awaitable[Any]]

_NO_CONTENT = 204
_OK = 200


def _check_bxml(outcome: "Outcome", _attribute: object, value: str | None) -> None:
    # Typed as the field is, but handlers in untyped code may return anything.
    bxml = cast("object", value)
    if bxml is None:
        return
    event_type = outcome.event.event_type
    if not outcome.event.accepts_bxml:
        raise TypeError(
            f"Bandwidth ignores any answer to {event_type}: its handler must return None, "
            f"not {type(bxml).__name__}"
        )
    if not isinstance(bxml, str):
        raise TypeError(
            f"a handler for {event_type} must return BXML text (str) or None, "
            f"not {type(bxml).__name__}"
        )
    if not bxml.strip():
        raise ValueError(f"a handler for {event_type} returned empty BXML: return None for 204")


@attrs.frozen(kw_only=True)
class Outcome:
    """What to send back to Bandwidth for one webhook, as a web adapter needs it.

    ``200`` with the BXML a handler returned, for an event whose class has ``accepts_bxml``
    true; otherwise an empty ``204``, which every event accepts.

    Attributes:
        event: The parsed event.
        bxml: The BXML document the handler returned, or ``None``. Only an event whose class
            has ``accepts_bxml`` true may have one, and it may not be blank: both are checked,
            as a handler's mistake Bandwidth would not report.
        handled: Whether a handler (registered or the fallback) ran for the event: `Router`
            answers ``204`` for an event nothing handles, and says so here.
    """

    event: AnyEvent
    bxml: str | None = attrs.field(default=None, validator=_check_bxml)
    handled: bool = False

    @property
    def status(self) -> int:
        """Give the HTTP status, ``200`` with BXML and ``204`` without."""
        return _NO_CONTENT if self.bxml is None else _OK

    @property
    def content_type(self) -> str | None:
        """Give the ``Content-Type``: XML with BXML, ``None`` for an empty ``204``."""
        return None if self.bxml is None else "application/xml; charset=utf-8"

    @property
    def body(self) -> bytes:
        """Give the answer body, the BXML as UTF-8 or nothing."""
        return b"" if self.bxml is None else self.bxml.encode()


# An event handled without BXML, the answer to nearly every webhook, has nothing for Outcome's
# validator to check: its slots are set directly, in 0.2 µs instead of the 0.5 µs attrs's frozen
# __init__ takes.
_new = object.__new__
_set_event = vars(Outcome)["event"].__set__
_set_bxml = vars(Outcome)["bxml"].__set__
_set_handled = vars(Outcome)["handled"].__set__


def _handled(event: AnyEvent) -> Outcome:
    """Give the outcome of an event handled without BXML: ``Outcome(event=event, handled=True)``."""
    outcome: Outcome = _new(Outcome)
    _set_event(outcome, event)
    _set_bxml(outcome, None)
    _set_handled(outcome, True)  # noqa: FBT003 -- the slot's value, not a flag
    return outcome


class _Registration(Generic[_C]):
    """What ``Router.on(cls)`` gives: called with the handler, it registers it for ``cls``."""

    __slots__ = ("_add", "_cls")

    def __init__(self, add: _Add, cls: type[_C]) -> None:
        self._add = add
        self._cls = cls


class _Register(_Registration[_A]):
    """Register a handler that returns nothing, for an event Bandwidth answers with ``204``."""

    __slots__ = ()

    @overload
    def __call__(
        self, handler: Callable[[_A], Awaitable[None]]
    ) -> Callable[[_A], Awaitable[None]]: ...
    @overload
    def __call__(self, handler: Callable[[_A], None]) -> Callable[[_A], None]: ...
    def __call__(self, handler: _Handler) -> _Handler:
        self._add(self._cls, handler)
        return handler


class _RegisterBxml(_Registration[_B]):
    """Register a handler that may return BXML, for an event whose answer Bandwidth runs."""

    __slots__ = ()

    @overload
    def __call__(self, handler: Callable[[_B], Awaitable[_R]]) -> Callable[[_B], Awaitable[_R]]: ...
    @overload
    def __call__(self, handler: Callable[[_B], _R]) -> Callable[[_B], _R]: ...
    def __call__(self, handler: _Handler) -> _Handler:
        self._add(self._cls, handler)
        return handler


def is_async(handler: object) -> bool:
    """Tell whether calling a handler gives an awaitable: an ``async def`` or an object with one."""
    call = getattr(handler, "__call__", None)  # noqa: B004 -- an object's async __call__
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(call)


class Router:
    """Call the handler registered for each event's class, with no web framework involved.

    Register one handler per event class with `on`, and optionally a `fallback` for
    everything else; `dispatch` parses a body once, calls the one handler for it, and gives
    the `Outcome` to send back. The type checker sees each handler's parameter and return
    types: a handler registered for `ConferenceMemberJoin` must take a `ConferenceMemberJoin`,
    and only events that accept BXML (``accepts_bxml``) may return BXML. Handlers may be
    ``async def``: `dispatch_async` awaits them (the ASGI app does); `dispatch` cannot.
    See :doc:`/receiving` for a whole receiver.
    """

    __slots__ = ("_async", "_fallback", "_handlers", "_sync_only")

    def __init__(self) -> None:
        self._handlers: dict[type[AnyEvent], _Handler] = {}
        self._fallback: _Handler | None = None
        self._async: dict[int, _Handler] = {}  # by id(): a callable object may not hash
        self._sync_only: str | None = None

    @overload
    def on(self, cls: type[_B]) -> _RegisterBxml[_B]: ...
    @overload
    def on(self, cls: type[_A]) -> _Register[_A]: ...
    def on(self, cls: type[Any]) -> _RegisterBxml[Any] | _Register[Any]:
        """Register the decorated function as the handler for one event class.

        The handler takes the event, and is a plain function or an ``async def``. For an
        event whose class has ``accepts_bxml`` true, it returns BXML text for a ``200`` answer
        or ``None`` for ``204``; for any other event (`UnknownEvent` included) it returns
        ``None``.

        Raises:
            TypeError: ``cls`` is not an event class of this library; or (when decorating) the
                handler is ``async`` and the router is served where it cannot be awaited.
            ValueError: ``cls`` has a handler already (when decorating).
        """
        if cls is not UnknownEvent and cls not in EVENT_CLASSES.values():
            raise TypeError(f"{cls!r} is not an event class of bandwidth_events")
        if cls.accepts_bxml:
            return _RegisterBxml(self._add, cls)
        return _Register(self._add, cls)

    @overload
    def fallback(self, handler: _AsyncFallback) -> _AsyncFallback: ...
    @overload
    def fallback(self, handler: _Fallback) -> _Fallback: ...
    def fallback(self, handler: _Handler) -> _Handler:
        """Register the decorated function for every event with no handler of its own.

        That includes `UnknownEvent` unless it has a handler. It returns ``None``: with no
        handler written for the event, ``204`` is the answer. Without a fallback such events
        are answered ``204`` and ``Outcome.handled`` is ``False``. It may be ``async``.

        Raises:
            ValueError: A fallback is registered already.
            TypeError: It is ``async`` and the router is served where it cannot be awaited.
        """
        if self._fallback is not None:
            raise ValueError(f"this router has a fallback already: {self._fallback!r}")
        self._check(handler)
        self._fallback = handler
        return handler

    @property
    def has_async_handlers(self) -> bool:
        """Tell whether a handler (or the fallback) is ``async``: only `dispatch_async` runs it."""
        return bool(self._async)

    def serve_sync_only(self, where: str) -> None:
        """Refuse ``async`` handlers from now on: the router is served where none can run.

        `wsgi_app` calls it, so an ``async`` handler is a mistake found when the app is made,
        or when the handler is registered later, never a ``500`` per request.

        Args:
            where: What serves the router, for the error message (``"a WSGI app"``).

        Raises:
            TypeError: A handler registered already is ``async``.
        """
        if self._async:
            names = ", ".join(sorted(map(_name, self._async.values())))
            raise TypeError(
                f"{where} cannot await async handlers ({names}): serve the router with "
                "asgi_app, or make them plain functions"
            )
        self._sync_only = where

    def dispatch(self, body: Body) -> Outcome:
        """Parse a webhook body once, run its handler, and give what to answer.

        Raises:
            EventParseError: The body is not a valid event; no handler ran. Keep
                ``EventParseError.body``: Bandwidth does not send an event twice.
            TypeError: The event's handler is ``async``: use `dispatch_async`.
            Exception: Whatever the handler raised, unchanged.
        """
        return self.handle(parse_event(body))

    def handle(self, event: AnyEvent) -> Outcome:
        """Run the handler for an event already parsed, and give what to answer.

        Raises:
            TypeError: The event's handler is ``async``: use `handle_async`.
        """
        handler, handled = self._handler(event)
        if handler is None:
            return Outcome(event=event)
        if id(handler) in self._async:
            raise TypeError(
                f"the handler for {event.event_type} ({_name(handler)}) is async: "
                "await router.dispatch_async(body) (or handle_async(event)) instead"
            )
        return self._outcome(event, handler(event), handled=handled)

    async def dispatch_async(self, body: Body, *, run_sync: RunSync | None = None) -> Outcome:
        """Parse a webhook body once, run its handler, plain or ``async``, and give the answer.

        Args:
            body: The webhook body.
            run_sync: How to run a plain handler: ``await run_sync(handler, event)``, e.g. in a
                thread pool so that a slow one does not stall the event loop. ``None`` calls it
                right here, on the loop.

        Raises:
            EventParseError: The body is not a valid event; no handler ran.
            Exception: Whatever the handler raised, unchanged.
        """
        return await self.handle_async(parse_event(body), run_sync=run_sync)

    async def handle_async(self, event: AnyEvent, *, run_sync: RunSync | None = None) -> Outcome:
        """Run the handler, plain or ``async``, of an event already parsed; see `dispatch_async`."""
        handler, handled = self._handler(event)
        if handler is None:
            return Outcome(event=event)
        if id(handler) in self._async:
            result = await handler(event)
        elif run_sync is None:
            result = handler(event)
        else:
            result = await run_sync(handler, event)
        return self._outcome(event, result, handled=handled)

    def _handler(self, event: AnyEvent) -> tuple[_Handler | None, bool]:
        """Give the event's handler (its own, or the fallback), and whether it is its own."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            return handler, True
        return self._fallback, False

    @staticmethod
    def _outcome(event: AnyEvent, result: object, *, handled: bool) -> Outcome:
        if result is None:
            return _handled(event)
        if handled:
            return Outcome(event=event, bxml=cast("str", result), handled=True)
        raise TypeError(f"a fallback must return None, not {type(result).__name__}")

    def _check(self, handler: _Handler) -> None:
        if is_async(handler):
            if self._sync_only is not None:
                raise TypeError(
                    f"{_name(handler)} is async, and this router is served by "
                    f"{self._sync_only}, which cannot await it: serve it with asgi_app, or "
                    "make the handler a plain function"
                )
            self._async[id(handler)] = handler

    def _add(self, cls: type[Any], handler: _Handler) -> None:
        if cls in self._handlers:
            raise ValueError(f"{cls.__name__} has a handler already: {self._handlers[cls]!r}")
        self._check(handler)
        self._handlers[cls] = handler


def _name(handler: object) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)
