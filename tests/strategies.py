"""Hypothesis builders: events of every class, Bandwidth-format wire payloads, any JSON at all."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import UnionType
from typing import Any, TypeVar, get_args, get_type_hints

import attrs
from hypothesis import strategies as st

from bandwidth_events import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceEvent,
    ConferenceMemberExit,
    ConferenceMemberJoin,
    ConferenceRecordingAvailable,
    ConferenceRedirect,
    RecordingStatus,
)

_E = TypeVar("_E", bound=ConferenceEvent)

# The wire fields of each event, as Bandwidth documents them: an oracle written independently
# of the library's rename rule.
COMMON_KEYS = frozenset({"eventType", "eventTime", "conferenceId", "name", "tag"})
MEMBER_KEYS = COMMON_KEYS | {"callId", "from", "to"}
RECORDING_KEYS = COMMON_KEYS | {
    "accountId", "recordingId", "channels", "startTime", "endTime", "duration", "fileFormat",
    "mediaUrl", "status",
}  # fmt: skip
WIRE_KEYS: dict[type[ConferenceEvent], frozenset[str]] = {
    ConferenceCreated: COMMON_KEYS,
    ConferenceRedirect: COMMON_KEYS,
    ConferenceMemberJoin: MEMBER_KEYS,
    ConferenceMemberExit: MEMBER_KEYS,
    ConferenceCompleted: COMMON_KEYS,
    ConferenceRecordingAvailable: RECORDING_KEYS,
}
EVENT_TYPES = sorted(cls.event_type for cls in WIRE_KEYS)
OPTIONAL_KEYS = frozenset({"tag", "mediaUrl"})
ALL_KEYS = frozenset[str]().union(*WIRE_KEYS.values())


def required_keys(cls: type[ConferenceEvent]) -> list[str]:
    """Give the wire fields a body of this class must have, eventType aside."""
    return sorted(WIRE_KEYS[cls] - OPTIONAL_KEYS - {"eventType"})


# orjson's range: integers beyond 64 bits are a documented limitation (see docs/wire.md).
json_integers = st.integers(min_value=-(2**63), max_value=2**64 - 1)
json_scalars = (
    st.none()
    | st.booleans()
    | json_integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(), json_values, max_size=6)
extra_fields = st.dictionaries(
    st.text().filter(lambda key: key not in ALL_KEYS), json_values, max_size=3
)

aware_datetimes = st.datetimes(timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0))


def open_enum(members: type[StrEnum]) -> st.SearchStrategy[Any]:
    """Known members, their plain string values, or strings this version does not know."""
    return st.sampled_from(list(members)) | st.sampled_from([m.value for m in members]) | st.text()


_ATTRIBUTE_VALUES: dict[object, st.SearchStrategy[Any]] = {
    datetime: aware_datetimes,
    timedelta: durations,
    str: st.text(),
    str | None: st.none() | st.text(),
    int: json_integers,
}


def _attribute_values(field_type: object) -> st.SearchStrategy[Any]:
    if isinstance(field_type, UnionType):
        known, *rest = get_args(field_type)
        if rest == [str] and issubclass(known, StrEnum):
            return open_enum(known)
    return _ATTRIBUTE_VALUES[field_type]


def events(cls: type[_E]) -> st.SearchStrategy[_E]:
    """Any valid event of the class, built from its attribute types (a new class needs nothing)."""
    hints = get_type_hints(cls)
    values = {
        field.name: extra_fields
        if field.name == "extra_fields"
        else _attribute_values(hints[field.name])
        for field in attrs.fields(cls)
    }
    return st.builds(cls, **values)


conference_events: st.SearchStrategy[ConferenceEvent] = st.one_of(*map(events, WIRE_KEYS))


# Bandwidth's wire shapes, written here independently of the library's writer.
@st.composite
def bandwidth_timestamps(draw: st.DrawFn) -> str:
    """``2019-09-13T16:50:53.788Z``: UTC, exactly three fractional digits, ``Z``."""
    # Naive bounds, as st.datetimes requires; the value is written as UTC below.
    start, end = datetime(1970, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001
    moment = draw(st.datetimes(min_value=start, max_value=end))
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


@st.composite
def bandwidth_durations(draw: st.DrawFn) -> str:
    """Java's ``Duration.toString()``: ``PT1M52.217S``, no zero units, ``PT0S`` for zero."""
    hours = draw(st.integers(0, 10_000))
    minutes = draw(st.integers(0, 59))
    seconds = draw(st.integers(0, 59))
    fraction = draw(st.from_regex(r"\A([0-9]{0,5}[1-9])?\Z")) or ""
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or fraction:
        text += f"{seconds}" + (f".{fraction}" if fraction else "") + "S"
    return "PT0S" if text == "PT" else text


e164 = st.from_regex(r"\A\+[1-9][0-9]{6,14}\Z")

# How Bandwidth fills each wire field.
_WIRE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "eventTime": bandwidth_timestamps(),
    "conferenceId": st.text(),
    "name": st.text(),
    "tag": st.text(),
    "callId": st.text(),
    "from": e164 | st.sampled_from(["Anonymous", "Restricted"]) | st.text(),
    "to": e164,
    "accountId": st.from_regex(r"\A[0-9]{1,10}\Z"),
    "recordingId": st.text(),
    "channels": st.integers(1, 2),
    "startTime": bandwidth_timestamps(),
    "endTime": bandwidth_timestamps(),
    "duration": bandwidth_durations(),
    "fileFormat": st.sampled_from(["wav", "mp3"]) | st.text(),
    "mediaUrl": st.text(),
    "status": st.sampled_from([s.value for s in RecordingStatus]) | st.text(),
}


@st.composite
def bandwidth_payloads(draw: st.DrawFn, cls: type[ConferenceEvent]) -> dict[str, Any]:
    """A body of the class in Bandwidth's own format, optional fields or not, unknown fields too."""
    payload: dict[str, Any] = {"eventType": cls.event_type}
    for key in sorted(WIRE_KEYS[cls] - {"eventType"}):
        if key not in OPTIONAL_KEYS or draw(st.booleans()):
            payload[key] = draw(_WIRE_VALUES[key])
    payload.update(draw(extra_fields))
    return payload


conference_payloads = st.sampled_from(list(WIRE_KEYS)).flatmap(bandwidth_payloads)


# Strings shaped like ISO 8601, which reach deeper into the parsers than arbitrary text does.
iso_shaped = (
    st.text()
    | st.from_regex(r"\A-?P[0-9YMWDTHS.,:+-]{0,20}\Z")
    | st.from_regex(r"\A[0-9]{4}-?[0-9]{2}-?[0-9]{2}T[0-9:.,+Z-]{0,18}\Z")
)
