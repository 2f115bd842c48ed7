"""Hypothesis strategies for every model class, derived from the field kinds (``_kinds``).

Public through `bandwidth_events.testing`; importing this module imports Hypothesis.
"""

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from types import UnionType
from typing import Any, NamedTuple, TypeVar, get_args, overload

import attrs
from hypothesis import strategies as st

from ._events import MODEL_CLASSES, VoiceEvent
from ._kinds import field_kinds
from ._naming import (
    EVENT_TYPE,
    EXTRA_FIELDS,
    WIRE_SPELLING,
    aliases,
    wire_keys,
)

_M = TypeVar("_M")

# JSON values as orjson reads them (integers beyond 64 bits are a documented limit).
_json_integers = st.integers(min_value=-(2**63), max_value=2**64 - 1)
_json_scalars = (
    st.none()
    | st.booleans()
    | _json_integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


#: Every wire key any model class reads: generated unknown fields never use one.
_MODELLED = frozenset[str]().union(*map(wire_keys, MODEL_CLASSES))
_unknown_fields = st.dictionaries(
    st.text().filter(lambda key: key not in _MODELLED), _json_values, max_size=3
)


def _spellings(cls: type) -> st.SearchStrategy[frozenset[str]]:
    """Every set of keys a class can have spelled the alternative way."""
    keys = {*aliases(cls)}
    keys |= {field.key for field in field_kinds(cls) if field.kind.alternative}
    if getattr(cls, "event_type_aliases", ()):
        keys.add(EVENT_TYPE)
    return st.frozensets(st.sampled_from(sorted(keys))) if keys else st.just(frozenset())


def _classes(cls: Any) -> list[type]:  # noqa: ANN401 -- a class or a union of classes
    members = list(get_args(cls)) if isinstance(cls, UnionType) else [cls]
    for member in members:
        if member not in MODEL_CLASSES:
            raise TypeError(f"{member!r} is not an event class of bandwidth_events")
    return members


@overload
def events() -> st.SearchStrategy[VoiceEvent]: ...
@overload
def events(cls: type[_M]) -> st.SearchStrategy[_M]: ...
@overload
def events(cls: Any) -> st.SearchStrategy[Any]: ...  # noqa: ANN401 -- a union of classes
def events(cls: Any = VoiceEvent) -> st.SearchStrategy[Any]:
    """Generate any valid event of a class, or of any class of a union (every event by default).

    Any text, any instant, unknown enum values and unknown fields included: what a handler
    must cope with. Built from the classes' attribute types; nested objects (`MediaStream`…)
    too.
    """
    return st.one_of(*map(_instances, _classes(cls)))


def _instances(cls: type) -> st.SearchStrategy[Any]:
    values = {field.field.name: field.kind.values(st) for field in field_kinds(cls)}
    values[EXTRA_FIELDS] = _unknown_fields
    if any(field.name == WIRE_SPELLING for field in attrs.fields(cls)):
        values[WIRE_SPELLING] = _spellings(cls)
    return st.builds(cls, **values)


@st.composite
def wire_timestamps(draw: st.DrawFn) -> str:
    """Generate timestamps as Bandwidth writes them: ``2019-09-13T16:50:53.788Z``.

    Now and then finer, as Java's ``Instant`` writes them: to the microsecond or the nanosecond.
    """
    moment = draw(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)))  # noqa: DTZ001
    fraction = f"{moment.microsecond // 1000:03d}"
    finer = draw(st.sampled_from(["", "", "", "micro", "nano"]))
    if finer == "micro" and moment.microsecond % 1000:
        fraction = f"{moment.microsecond:06d}"
    elif finer == "nano":
        fraction = f"{moment.microsecond:06d}{draw(st.integers(1, 999)):03d}"
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


@st.composite
def wire_durations(draw: st.DrawFn, fraction_digits: int = 9) -> str:
    """Generate durations as Bandwidth (Java's ``Duration.toString()``) writes them.

    ``PT1M52.217257456S``: hours, minutes, seconds, no zero units, no trailing fractional
    zeros, ``PT0S`` for zero, up to nine fractional digits (every one kept on a round trip).
    """
    hours, minutes = draw(st.integers(0, 10_000)), draw(st.integers(0, 59))
    seconds = draw(st.integers(0, 59))
    fraction = ""
    if fraction_digits > 0 and draw(st.booleans()):  # up to fraction_digits, the last not 0
        head = draw(st.text("0123456789", max_size=fraction_digits - 1))
        fraction = head + draw(st.sampled_from("123456789"))
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or fraction:
        text += f"{seconds}" + (f".{fraction}" if fraction else "") + "S"
    return "PT0S" if text == "PT" else text


# E.164: a plus and 7 to 15 digits, the first not a zero. Built from integers and text, not
# from_regex, whose draws cost about as much as the rest of a body's together.
_e164 = st.integers(10**6, 10**15 - 1).map("+{}".format)
# Values as Bandwidth fills these wire fields; others follow their attribute's kind.
_WIRE_VALUES: Mapping[str, st.SearchStrategy[Any]] = {
    "accountId": st.text("0123456789", min_size=1, max_size=10),
    "channels": st.integers(1, 2),
    "from": _e164 | st.sampled_from(["Anonymous", "Restricted", "Private"]) | st.text(),
    "to": _e164,
    "sipResponseCode": st.integers(100, 699),
}


@overload
def payloads() -> st.SearchStrategy[dict[str, Any]]: ...
@overload
def payloads(cls: Any) -> st.SearchStrategy[dict[str, Any]]: ...  # noqa: ANN401 -- class or union
def payloads(cls: Any = VoiceEvent) -> st.SearchStrategy[dict[str, Any]]:
    """Generate bodies of an event class, or of a union of them, in Bandwidth's own format.

    Every voice event by default, decoded: timestamps like ``2019-09-13T16:50:53.788Z``,
    durations like ``PT1M52.217257456S``, optional fields present or not, either wire key of a
    field that has two, unknown enum values and unknown fields now and then, nested objects
    alike. ``to_dict(parse_event(body)) == body`` holds for each; ``json.dumps`` one to get the
    bytes Bandwidth would POST.
    """
    return st.one_of(*map(_payloads, _classes(cls)))


class _WireField(NamedTuple):
    key: str
    optional: bool
    values: st.SearchStrategy[Any]
    #: The field's second wire key, if it has one.
    alias: str | None


@cache
def _wire_fields(cls: type) -> tuple[_WireField, ...]:
    # Each field's strategy, made once per class rather than again at every draw.
    alias_of = aliases(cls)
    return tuple(
        _WireField(
            field.key,
            field.optional,
            _WIRE_VALUES[field.key] if field.key in _WIRE_VALUES else field.kind.wire(st),
            alias_of.get(field.key),
        )
        for field in field_kinds(cls)
    )


@st.composite
def _payloads(draw: st.DrawFn, cls: type) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    event_type: str | None = getattr(cls, "event_type", None)
    if event_type is not None:
        others: tuple[str, ...] = getattr(cls, "event_type_aliases", ())
        payload[EVENT_TYPE] = draw(st.sampled_from([event_type, *others]))
    for key, optional, values, alias in _wire_fields(cls):
        if optional and not draw(st.booleans()):
            continue  # an optional field Bandwidth left out
        value = draw(values)
        payload[alias if alias is not None and draw(st.booleans()) else key] = value
    payload.update(draw(_unknown_fields))
    return payload
