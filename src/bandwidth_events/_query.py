"""Callbacks sent with ``GET``: the event's fields as query parameters, read and written.

Bandwidth sends a callback configured with ``…Method="GET"`` as query parameters: every value is
text. Each is read as its field's type says (its kind's ``from_text``): ``channels=1`` is the
integer 1, ``from=+15551112222`` stays text, timestamps and durations are read as from JSON.
Bandwidth documents no form for nested objects in a query: here a nested object (or an array, or
``sipHeaders``) is one parameter holding its JSON text, e.g.
``machineDetectionResult={"value":"human","duration":"PT2S"}``. The decoded fields then take the
same path as a JSON body, so a bad value is named as it would be there.
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, cast, overload
from urllib.parse import parse_qsl, urlencode

import orjson

from ._api import AnyEvent, parse_event, to_dict
from ._errors import BODY, EventParseError, describe
from ._events import EVENT_CLASSES, UnknownEvent, VoiceEvent
from ._kinds import Kind, field_kinds
from ._naming import EVENT_TYPE, aliases

#: What `parse_query` reads: the query string (``a=1&b=2``, with or without ``?``), or the
#: mapping a web framework split it into (one value, or a list of them, per name).
Query: TypeAlias = str | bytes | Mapping[str, str] | Mapping[str, Sequence[str]]

_E = TypeVar("_E", bound=VoiceEvent)

#: Past this many parameters a query is no callback (and parsing it would cost).
_MAX_FIELDS = 1000


@overload
def parse_query(query: Query, cls: None = None) -> VoiceEvent | UnknownEvent: ...
@overload
def parse_query(query: Query, cls: type[_E]) -> _E: ...
def parse_query(query: Query, cls: type[_E] | None = None) -> AnyEvent:
    """Parse a callback sent with ``GET`` (its query string) into its typed event.

    The same as `parse_event` for a JSON body: ``eventType`` picks the class (or ``cls`` must
    match), unknown parameters are kept in ``extra_fields``, an unmodelled ``eventType`` gives
    an `UnknownEvent` (its values the texts received).

    Raises:
        EventParseError: The query is not a valid event: each bad field named, as for JSON; a
            parameter given twice, or text that is not UTF-8, is named too. ``body`` is the
            query as given.
    """
    fields = _split(query)
    event_type = fields.get(EVENT_TYPE)
    target = cls if cls is not None else EVENT_CLASSES.get(event_type or "")
    decoded: dict[str, object] = dict(fields)
    if target is not None:
        kinds = _kinds(target)
        for key, text in fields.items():
            kind = kinds.get(key)
            if kind is not None and kind.from_text is not None:
                decoded[key] = kind.from_text(text)
    try:
        return parse_event(decoded, cls)
    except EventParseError as error:
        raise EventParseError(error.errors, event_type=error.event_type, body=query) from error


def request_event(method: str, query: str, body: bytes) -> AnyEvent:
    """Parse the event a request carries: a ``GET`` callback's in its query, else in its body.

    Raises:
        EventParseError: It is not a valid event.
    """
    return parse_query(query) if method == "GET" else parse_event(body)


def to_query(event: AnyEvent) -> str:
    """Write an event as Bandwidth's ``GET`` callbacks carry it: a query string (no ``?``).

    ``parse_query(to_query(event)) == event`` for every event; nested objects are JSON text.
    """
    pairs = [(key, _text(value)) for key, value in to_dict(event).items()]
    return urlencode(pairs)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    # Numbers as JSON writes them (1, 0.5), objects and arrays as their JSON text.
    return orjson.dumps(value).decode()


def _split(query: Query) -> dict[str, str]:
    """Give each parameter's one text; refuse a repeated name or text that is not UTF-8."""
    if isinstance(query, Mapping):
        return _from_mapping(query)
    try:
        text = query.decode() if isinstance(query, bytes) else query
        pairs = parse_qsl(
            text.removeprefix("?"),
            keep_blank_values=True,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise EventParseError(
            {BODY: f"not a query string: {exc}"}, event_type=None, body=query
        ) from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise EventParseError(
                {
                    name: f"given more than once, received {describe(fields[name])} and "
                    f"{describe(value)}"
                },
                event_type=fields.get(EVENT_TYPE),
                body=query,
            )
        fields[name] = value
    return fields


def _from_mapping(query: Mapping[str, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, given in cast("Mapping[object, object]", query).items():
        value = given
        if isinstance(given, list | tuple):
            values = cast("Sequence[object]", given)
            if len(values) != 1:
                problem = f"expected one value, received {len(values)}"
                raise EventParseError({str(name): problem}, event_type=None, body=query)
            value = values[0]
        if not isinstance(name, str) or not isinstance(value, str):
            problem = f"expected text, received {describe(value)}"
            raise EventParseError({str(name): problem}, event_type=None, body=query)
        fields[name] = value
    return fields


# Per class (a dict, not functools.cache: mypy types a cached function as taking Hashable).
_KINDS: dict[type, dict[str, Kind]] = {}


def _kinds(cls: type) -> dict[str, Kind]:
    """Give the kind of each wire key of a class, second spellings included."""
    kinds = _KINDS.get(cls)
    if kinds is None:
        kinds = {field.key: field.kind for field in field_kinds(cls)}
        kinds.update({alias: kinds[key] for key, alias in aliases(cls).items()})
        _KINDS[cls] = kinds
    return kinds
