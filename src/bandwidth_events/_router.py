"""Route each webhook to the handler for its event class, and say what to answer Bandwidth."""

from collections.abc import Callable
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
_Handler: TypeAlias = Callable[[Any], str | None]
_Fallback: TypeAlias = Callable[[AnyEvent], None]
_Add: TypeAlias = Callable[[type[Any], _Handler], None]

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


class _Registration(Generic[_C]):
    """What ``Router.on(cls)`` gives: called with the handler, it registers it for ``cls``."""

    __slots__ = ("_add", "_cls")

    def __init__(self, add: _Add, cls: type[_C]) -> None:
        self._add = add
        self._cls = cls


class _Register(_Registration[_A]):
    """Register a handler that returns nothing, for an event Bandwidth answers with ``204``."""

    __slots__ = ()

    def __call__(self, handler: Callable[[_A], None]) -> Callable[[_A], None]:
        self._add(self._cls, handler)
        return handler


class _RegisterBxml(_Registration[_B]):
    """Register a handler that may return BXML, for an event whose answer Bandwidth runs."""

    __slots__ = ()

    def __call__(self, handler: Callable[[_B], _R]) -> Callable[[_B], _R]:
        self._add(self._cls, handler)
        return handler


class Router:
    """Call the handler registered for each event's class, with no web framework involved.

    Register one handler per event class with `on`, and optionally a `fallback` for
    everything else; `dispatch` parses a body once, calls the one handler for it, and gives
    the `Outcome` to send back. The type checker sees each handler's parameter and return
    types: a handler registered for `ConferenceMemberJoin` must take a `ConferenceMemberJoin`,
    and only events that accept BXML (``accepts_bxml``) may return BXML.
    See :doc:`/receiving` for a whole receiver.
    """

    __slots__ = ("_fallback", "_handlers")

    def __init__(self) -> None:
        self._handlers: dict[type[AnyEvent], _Handler] = {}
        self._fallback: _Handler | None = None

    @overload
    def on(self, cls: type[_B]) -> _RegisterBxml[_B]: ...
    @overload
    def on(self, cls: type[_A]) -> _Register[_A]: ...
    def on(self, cls: type[Any]) -> _RegisterBxml[Any] | _Register[Any]:
        """Register the decorated function as the handler for one event class.

        The handler takes the event. For an event whose class has ``accepts_bxml`` true, it
        returns BXML text for a ``200`` answer or ``None`` for ``204``; for any other event
        (`UnknownEvent` included) it returns ``None``.

        Raises:
            TypeError: ``cls`` is not an event class of this library.
            ValueError: ``cls`` has a handler already (when decorating).
        """
        if cls is not UnknownEvent and cls not in EVENT_CLASSES.values():
            raise TypeError(f"{cls!r} is not an event class of bandwidth_events")
        if cls.accepts_bxml:
            return _RegisterBxml(self._add, cls)
        return _Register(self._add, cls)

    def fallback(self, handler: _Fallback) -> _Fallback:
        """Register the decorated function for every event with no handler of its own.

        That includes `UnknownEvent` unless it has a handler. It returns ``None``: with no
        handler written for the event, ``204`` is the answer. Without a fallback such events
        are answered ``204`` and ``Outcome.handled`` is ``False``.

        Raises:
            ValueError: A fallback is registered already.
        """
        if self._fallback is not None:
            raise ValueError(f"this router has a fallback already: {self._fallback!r}")
        self._fallback = handler
        return handler

    def dispatch(self, body: Body) -> Outcome:
        """Parse a webhook body once, run its handler, and give what to answer.

        Raises:
            EventParseError: The body is not a valid event; no handler ran. Keep
                ``EventParseError.body``: Bandwidth does not send an event twice.
            Exception: Whatever the handler raised, unchanged.
        """
        return self.handle(parse_event(body))

    def handle(self, event: AnyEvent) -> Outcome:
        """Run the handler for an event already parsed, and give what to answer."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            return Outcome(event=event, bxml=handler(event), handled=True)
        if self._fallback is None:
            return Outcome(event=event)
        result = self._fallback(event)
        if result is not None:
            raise TypeError(f"a fallback must return None, not {type(result).__name__}")
        return Outcome(event=event, handled=True)

    def _add(self, cls: type[Any], handler: _Handler) -> None:
        if cls in self._handlers:
            raise ValueError(f"{cls.__name__} has a handler already: {self._handlers[cls]!r}")
        self._handlers[cls] = handler
