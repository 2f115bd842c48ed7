"""Parse a webhook body into an event, and write an event back to the wire."""

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar, cast, overload

import orjson

from ._errors import BODY, EventParseError, describe
from ._events import EVENT_CLASS_SET, EVENT_CLASSES, UnknownEvent, VoiceEvent
from ._json import NotJsonError, copy_object, dumps, is_object, may_be_inexact
from ._naming import EVENT_TYPE, aliases, wire_name
from ._reader import DECLINED, Reader, make_reader
from ._structs import RawReader, raw_reader
from ._writer import Writer, make_writer, write_unknown

if TYPE_CHECKING:
    import cattrs

#: What `parse_event` reads: the raw body, or a mapping already decoded from it.
Body: TypeAlias = bytes | bytearray | memoryview | str | Mapping[str, object]

#: Every event class `parse_event` can return, and what `to_dict` writes.
AnyEvent: TypeAlias = VoiceEvent | UnknownEvent

_E = TypeVar("_E", bound=VoiceEvent)


@cache
def converter() -> "cattrs.Converter":
    """Give the converter that explains bad bodies and writes events, made on first use.

    A valid body in Bandwidth's format never needs it: importing cattrs is left to the first
    body the fast path refuses, or the first event written.
    """
    import cattrs  # noqa: PLC0415 -- see above

    from ._converter import configure_converter  # noqa: PLC0415

    made = cattrs.Converter(detailed_validation=True)
    configure_converter(made)
    return made


# The fast path: a body the reader refuses is read again by the converter, which names every
# bad field (see _reader).
_K = TypeVar("_K")


class _Readers(dict[_K, Reader]):
    """The generated readers, by event class or by ``eventType``, each made on first use.

    Generating all of them would cost every import some 20 ms for events it may never see.
    """

    __slots__ = ("_classes",)

    def __init__(self, classes: Mapping[_K, type[Any]]) -> None:
        super().__init__()
        self._classes = classes

    def __missing__(self, key: _K) -> Reader:
        # A KeyError for anything that is no event class: the fast path steps aside.
        reader = self[key] = make_reader(self._classes[key])
        return reader


class _Writers(dict[type[Any], Writer]):
    """The generated writers, by event class, each made on first use."""

    __slots__ = ()

    def __missing__(self, key: type[Any]) -> Writer:
        if key not in EVENT_CLASS_SET:
            raise KeyError(key)  # not an event: to_dict says so
        writer = self[key] = make_writer(key)
        return writer


_READERS: Final = _Readers[type[Any]]({cls: cls for cls in EVENT_CLASS_SET})
_READERS_BY_TYPE: Final = _Readers[str](EVENT_CLASSES)
#: The msgspec readers of raw bodies (``_structs``), by event class or for any (``None``), each
#: made on first use; ``None`` for each when msgspec is not installed. A plain dict, filled in by
#: `parse_event`: a subclass's ``__missing__`` would make every lookup cost more.
_RAW_READERS: Final[dict[type[Any] | None, RawReader | None]] = {}
# Every class to_dict writes, and its writer (see _writer), made on first use like the readers.
_WRITERS: Final = _Writers()
_WRITERS[UnknownEvent] = write_unknown

_MISSING = "required field is missing"


@overload
def parse_event(data: Body, cls: None = None) -> VoiceEvent | UnknownEvent: ...
@overload
def parse_event(data: Body, cls: type[_E]) -> _E: ...
def parse_event(data: Body, cls: type[_E] | None = None) -> AnyEvent:
    """Parse a webhook body into its typed event.

    Without ``cls``, the body's ``eventType`` picks the class through one table (no trial
    parsing): a `ConferenceEvent`, or an `UnknownEvent` for an ``eventType`` this version does
    not model, never an error. With ``cls``, the body must be that event.

    Every model class has a generated reader for bodies in Bandwidth's own format; anything
    else is read by the converter, which names every bad field (``machineDetectionResult.duration``
    for a nested one). With the ``fast`` extra installed, msgspec decodes a raw body first, into
    a struct of its event's shape that the reader builds the event from: the same event, sooner.

    Args:
        data: The raw body (``bytes`` or ``str`` of JSON) or a mapping already decoded from
            it. A mapping is never changed, and the event shares nothing mutable with it.
        cls: The event class the body must be, e.g. `Disconnect`.

    Returns:
        The event. With ``cls``, exactly an instance of ``cls``.

    Raises:
        EventParseError: The body is not a valid event (of ``cls``, if given). Every bad
            field is named; the body is kept on the error.
        TypeError: ``cls`` is not an event class this library models (a programming error,
            not a bad body).
    """
    # The fast paths: raw JSON (or a dict) in Bandwidth's format, decoded by msgspec if it is
    # installed, or by orjson. Whatever they decline (not JSON, not an object, an unknown
    # eventType, a field the reader does not take) is read again below, which explains or gives
    # an UnknownEvent. Anything else they raise is a bug, let out.
    raw: Any = data
    # A mapping is copied (and checked) first: nothing the caller's object does reaches past
    # here, and nothing it holds is kept that could not be written back.
    payload: Any = None if type(raw) in _RAW_TYPES or _is_raw(raw) else _plain(raw)
    try:
        if payload is None:
            try:
                read_raw = _RAW_READERS[cls]
            except KeyError:
                read_raw = _RAW_READERS[cls] = raw_reader(cls)
            if read_raw is not None:
                event = read_raw(raw)
                if event is not None:
                    return event  # type: ignore[no-any-return]
                # Declined: read by orjson and the dict reader, or explained.
            payload = _loads(raw)  # a subclass of a raw type is refused here, and read below
        if payload.__class__ is dict:
            reader = _READERS_BY_TYPE[payload[EVENT_TYPE]] if cls is None else _READERS[cls]
            return reader(payload)  # type: ignore[no-any-return]
    except DECLINED:
        pass
    return _parse_slowly(data, payload, cls)


def _parse_slowly(data: Body, decoded: Any, cls: type[Any] | None) -> AnyEvent:  # noqa: ANN401
    """Give an unknown event, or read a body the fast path refused and name what is wrong.

    ``decoded`` is what the fast path decoded, if it got that far.
    """
    if cls is not None and cls not in EVENT_CLASS_SET:
        raise TypeError(f"{cls!r} is not an event class of bandwidth_events")
    # Decoded already, or not yet (or not to an object: _decode says so); read again exactly
    # if orjson's floats may hide long integers.
    payload: Mapping[str, object]
    if decoded.__class__ is not dict:
        payload = _decode(cast("bytes | str", data))
    elif isinstance(data, _RAW) and may_be_inexact(decoded):
        payload = _exactly(data, data, refused=None)
    else:
        payload = decoded
    event_type = payload.get(EVENT_TYPE)
    if not isinstance(event_type, str):
        problem = f"expected a string, received {describe(event_type)}"
        raise EventParseError(
            {EVENT_TYPE: problem if EVENT_TYPE in payload else _MISSING},
            event_type=None,
            body=data,
        )
    target = EVENT_CLASSES.get(event_type) if cls is None else cls
    if target is not None and event_type not in (target.event_type, *target.event_type_aliases):
        raise EventParseError(
            {EVENT_TYPE: f"expected {target.event_type!r}, received {describe(event_type)}"},
            event_type=event_type,
            body=data,
        )
    try:
        if target is None:
            return UnknownEvent(payload)
        # Reads what the fast reader leaves to it (str subclasses, say), or raises naming
        # every bad field.
        event: AnyEvent = converter().structure(payload, target)
    except Exception as exc:
        problems = _problems(exc, _spelling(target, payload) if target else {})
        raise EventParseError(problems, event_type=event_type, body=data) from exc
    return event


def to_dict(event: AnyEvent) -> dict[str, Any]:
    """Give the wire form of an event: camelCase keys, JSON-ready values.

    For a body in Bandwidth's own format, ``to_dict(parse_event(body))`` equals the decoded
    body exactly, unknown fields included. The dict is new: changing it leaves the event alone.

    Raises:
        TypeError: ``event`` is not an event of this library (a dict, a body…).
    """
    try:
        write = _WRITERS[type(event)]
    except KeyError:
        raise TypeError(
            "to_dict and to_json take an event of bandwidth_events (from parse_event, or "
            f"built from its classes), not {type(event).__name__}"
        ) from None
    return write(event)


def to_json(event: AnyEvent) -> str:
    """Give the wire form of an event as compact JSON text; see `to_dict`."""
    # to_dict and dumps in one step, without their two calls; what it cannot write (no event,
    # an integer beyond 64 bits) they write, or explain.
    try:
        return _dumps(_WRITERS[type(event)](event)).decode()
    except (KeyError, orjson.JSONEncodeError):
        return dumps(to_dict(event))


_RAW: Final = (bytes, str, bytearray, memoryview)
# The exact types, for one set lookup on the fast path (subclasses take _decode's isinstance).
_RAW_TYPES: Final[frozenset[type]] = frozenset(_RAW)
_loads: Final = orjson.loads
_dumps: Final = orjson.dumps


def _decode(data: bytes | str | bytearray | memoryview) -> Mapping[str, object]:
    """Decode raw JSON text into the object it must be (a mapping was copied already)."""
    # orjson takes the exact types only: a subclass (some frameworks hand one over) is
    # copied to its base type first.
    raw = data
    if type(raw) not in _RAW_TYPES:
        raw = str.__str__(raw) if isinstance(raw, str) else bytes(raw)
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson refuses numbers beyond a double's range: the standard library reads them.
        decoded = _exactly(raw, data, refused=exc)
    else:
        if may_be_inexact(decoded):
            decoded = _exactly(raw, data, refused=None)
    if not is_object(decoded):
        raise EventParseError(
            {BODY: f"expected a JSON object, received {describe(decoded)}"},
            event_type=None,
            body=data,
        )
    return decoded


def _is_raw(value: object) -> bool:
    return isinstance(value, _RAW)


def _exactly(
    raw: bytes | str | bytearray | memoryview, data: Body, refused: Exception | None
) -> Any:  # noqa: ANN401 -- any JSON value
    """Decode JSON with every integer exact, and check what it holds, as for a mapping.

    For the bodies orjson refused (``refused``: a number beyond a double's range, or not JSON
    at all), or read with a float that may have been an integer beyond 64 bits.

    Raises:
        EventParseError: It is not valid JSON (``NaN``, which the standard library takes,
            included; an integer beyond ``sys.get_int_max_str_digits()``; on Python 3.11,
            nesting deeper than the standard library reads, about 990 levels), saying orjson's
            reason if orjson refused it, unless the integer was the reason; or it holds text
            with a lone surrogate, or nests deeper than 1,024 levels, named by its path.
    """
    import json  # noqa: PLC0415 -- only for the rare body orjson cannot read exactly

    try:
        text = raw if isinstance(raw, str) else bytes(raw).decode()
        decoded = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        digits = isinstance(exc, ValueError) and "Exceeds the limit" in str(exc)
        reason = refused if refused is not None and not digits else exc
        raise EventParseError(
            {BODY: f"not valid JSON: {reason}"}, event_type=None, body=data
        ) from reason
    if not is_object(decoded):
        return decoded  # _decode says what it is
    return _plain(decoded, body=data)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _plain(data: object, body: object = None) -> dict[str, Any]:
    """Copy a mapping given in place of a body into a plain dict of JSON values, checked.

    Any exception the caller's mapping raises, and any value that could not be written back
    (text with a lone surrogate, an integer too long, NaN, a Python object), is an
    `EventParseError`, which keeps ``body`` (by default the mapping itself).
    """
    kept = data if body is None else body
    if not is_object(data):
        raise EventParseError(
            {BODY: f"expected a JSON object, received {describe(data)}"},
            event_type=None,
            body=kept,
        )
    try:
        return copy_object(data, "")
    except NotJsonError as exc:
        event_type = _event_type_of(data)
        raise EventParseError(
            {exc.path or BODY: exc.problem}, event_type=event_type, body=kept
        ) from exc
    except Exception as exc:
        problem = f"the mapping could not be read: {type(exc).__name__}: {exc}"
        raise EventParseError({BODY: problem}, event_type=None, body=kept) from exc


def _event_type_of(data: Mapping[str, object]) -> str | None:
    """Give a checked mapping's ``eventType``, if it is a string: it could be copied."""
    event_type = data.get(EVENT_TYPE)
    return event_type if isinstance(event_type, str) else None


def _problems(exc: Exception, keys: Mapping[str, str], path: str = "") -> dict[str, str]:
    """Name the wire field of each error cattrs collected, with what was wrong with it.

    A nested object's fields are named by their path (``machineDetectionResult.duration``),
    under the key the body used where a field has two (``keys``).
    """
    from cattrs.errors import AttributeValidationNote, ClassValidationError  # noqa: PLC0415

    # Anything else the converter raised is the body's own problem: a group of one.
    errors = exc.exceptions if isinstance(exc, ClassValidationError) else [exc]
    problems: dict[str, str] = {}
    for error in errors:
        notes = getattr(error, "__notes__", ())
        names = [note.name for note in notes if isinstance(note, AttributeValidationNote)]
        # cattrs names the attribute of every error it collects; an error of no attribute would
        # be the object's own.
        key = wire_name(names[0]) if names else ""
        field = ".".join(filter(None, (path, key if path else keys.get(key, key))))
        if isinstance(error, NotJsonError):
            # An unknown field's value, refused by its class's own check (a decoder laxer
            # than today's orjson let it through): named by its path in the object.
            problems[".".join(filter(None, (field, error.path)))] = error.problem
            continue
        field = field or BODY
        if isinstance(error, ClassValidationError):
            problems.update(_problems(error, {}, field))
        else:
            problems[field] = _MISSING if isinstance(error, KeyError) else str(error)
    return problems


def _spelling(cls: type[Any], payload: Mapping[str, object]) -> dict[str, str]:
    """Give the wire key each aliased field of a body arrived under, for error messages."""
    return {key: alias for key, alias in aliases(cls).items() if alias in payload}
