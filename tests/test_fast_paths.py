"""Every fast path pinned to the general one it stands in for: same result, or it steps aside.

A fast path may refuse anything (the general path then runs), but whatever it accepts it must
read exactly as the general path does.
"""

# pyright: reportPrivateUsage=false
# (These tests compare private fast and general paths directly.)

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bandwidth_events import (
    ConferenceCompleted,
    ConferenceCreated,
    ConferenceRecordingAvailable,
    PreciseDuration,
    VoiceEvent,
    parse_event,
    testing,
    to_dict,
)
from bandwidth_events._api import _READERS, converter
from bandwidth_events._durations import _parse_general as general_duration
from bandwidth_events._durations import format_duration, parse_duration
from bandwidth_events._events import MODEL_CLASSES
from bandwidth_events._json import may_be_inexact
from bandwidth_events._kinds import Kind, field_kinds
from bandwidth_events._reader import Refused
from bandwidth_events._timestamps import (
    BANDWIDTH_SKELETON,
    SKELETON_PLACES,
    ZONE_PLACE,
    format_timestamp,
    parse_timestamp,
    with_nanosecond,
)
from bandwidth_events._timestamps import _parse_general as general_timestamp
from bandwidth_events._writer import make_writer

from .conftest import assert_read_only_models, golden_dict
from .strategies import (
    EVENT_CLASSES,
    aware_datetimes,
    bandwidth_payloads,
    bandwidth_timestamps,
    durations,
    iso_shaped,
    json_values,
)


@st.composite
def blurred(draw: st.DrawFn, text: st.SearchStrategy[str]) -> str:
    """Change a few characters of a string to any others (non-ASCII digits, signs, spaces)."""
    chars = list(draw(text))
    for _ in range(draw(st.integers(0, 3))):
        chars[draw(st.integers(0, len(chars) - 1))] = draw(st.characters())
    return "".join(chars)


# Strings in or near Bandwidth's timestamp shape: any digits (impossible dates included), any
# length of fraction, any character in place of a digit, week dates, commas, other separators
# and zones.
near_timestamps = (
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{0,12}Z?\Z")
    | blurred(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\Z"))
    | blurred(
        st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,9}Z\Z")
    )
    | blurred(bandwidth_timestamps())
    | st.from_regex(r"\A[0-9]{4}-W[0-9]{2}-[0-9]T[0-9]{2}:[0-9]{2}:[0-9]{2}[.,][0-9]{3}Z\Z")
    | st.from_regex(r"\A[0-9]{4}-?[0-9W]{2,3}-?[0-9]{1,2}[T ][0-9:]{2,8}[.,]?[0-9]{0,4}Z?\Z")
    | iso_shaped
)
# Strings in or near Java's duration shape.
near_durations = (
    # Java's own minutes and seconds (under 60, no leading zero), with a fraction:
    st.from_regex(r"\APT([1-9]M|[1-5][0-9]M)?([0-9]|[1-5][0-9])\.[0-9]{1,9}S\Z")
    | st.from_regex(r"\APT([0-9]{1,9}H)?([0-9]{1,2}M)?([0-9]{1,2}(\.[0-9]{1,6})?S)?\Z")
    | st.from_regex(r"\APT[0-9]{1,2}\.[0-9]{1,3}S\Z")
    | st.from_regex(r"\APT([0-9]{1,2}M)?[0-9]{1,2}\.[0-9]{1,9}S\Z")
    | blurred(st.from_regex(r"\APT[0-9]{1,3}\.[0-9]{1,7}S\Z"))
    | st.from_regex(r"\A-?P([0-9]+D)?T?([0-9.]+H)?([0-9.]+M)?([0-9.,]+S)?\Z")
    | iso_shaped
)


def class_of(payload: dict[str, Any]) -> type[VoiceEvent]:
    """Give the class of a generated body, by its eventType (either spelling)."""
    event_type = payload["eventType"]
    return next(c for c in EVENT_CLASSES if event_type in (c.event_type, *c.event_type_aliases))


def outcome(read: Any, text: str) -> object:
    """Give what a reader makes of the text, or the type of error it raised."""
    try:
        return read(text)
    except (ValueError, OverflowError) as error:
        return type(error)


@settings(max_examples=500)
@given(near_timestamps)
@example("2019-09-13T16:50:53.788Z")
@example("2019-09-13T16:49:40.500")
@example("2019-09-13T24:00:00.000")
@example("2019-09-13T16:50:53.788123456Z")
@example("2019-09-13T16:50:53.Z")
@example("2019-09-13T16:50:53.788+00:00:00Z")
@example("2019-02-29T00:00:00.000Z")
@example("2019-W37-5T16:50:53.788Z")
@example("2019-09-13T24:00:00.000Z")
def test_timestamp_fast_path_reads_as_dateutil(text: str) -> None:
    """With its fast path or without, a timestamp reads the same, or both ways refuse it.

    Where the shape check (which the readers inline) lets the standard library read it, the
    result is UTC, as dateutil's is once converted.
    """
    assert outcome(parse_timestamp, text) == outcome(general_timestamp, text)
    in_shape = text[SKELETON_PLACES] == BANDWIDTH_SKELETON and text[ZONE_PLACE] == "Z"
    fast = outcome(datetime.fromisoformat, text) if in_shape else None  # as the readers check
    if isinstance(fast, datetime):
        assert fast.tzinfo is UTC


# Every character a lenient digit parser might take: ASCII and Latin-1, and every character
# Python calls a digit or numeric in any script.
NOT_ASCII_DIGITS = [
    char
    for char in map(chr, range(sys.maxunicode + 1))
    if (char < "\u0100" or char.isnumeric() or char.isdigit()) and char not in "0123456789"
]


@pytest.mark.parametrize("shape", ["2019-09-13T16:50:53.788Z", "2019-09-13T16:49:40.500"])
@pytest.mark.parametrize(
    "position", [i for i, char in enumerate("2019-09-13T16:50:53.788") if char.isdigit()]
)
def test_standard_library_takes_only_ascii_digits_in_the_shape(shape: str, position: int) -> None:
    """Where the shape check trusts fromisoformat to refuse, it does (one position at a time).

    For Bandwidth's shape, and for the same without its ``Z`` (read as UTC): a value with any
    other character in a digit's place reads as dateutil reads it, or both refuse it.
    """
    differ: list[str] = []
    for char in NOT_ASCII_DIGITS:
        text = shape[:position] + char + shape[position + 1 :]
        assert text[SKELETON_PLACES] == BANDWIDTH_SKELETON
        if outcome(parse_timestamp, text) != outcome(general_timestamp, text):
            differ.append(char)
    assert differ == []


@settings(max_examples=500)
@given(near_durations)
@example("PT20.056S")
@example("PT0S")
@example("PT999999999H59M59.999999S")
@example("PT")
def test_duration_fast_path_reads_as_isodate(text: str) -> None:
    """With Java's shape read with integers or not, a duration reads the same, or both refuse.

    To the microsecond, exactly; past it, where isodate rounds to the nearest microsecond, the
    fast path keeps every nanosecond.
    """
    fast, general = outcome(parse_duration, text), outcome(general_duration, text)
    if isinstance(fast, PreciseDuration) and isinstance(general, timedelta):
        assert abs(nanoseconds(fast) - nanoseconds(general)) <= 500
    else:
        assert fast == general


def nanoseconds(value: timedelta) -> int:
    """Give a duration's length in nanoseconds, a PreciseDuration's to the last one."""
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    return micros * 1000 + (value.nanoseconds if isinstance(value, PreciseDuration) else 0)


@settings(max_examples=500)
@given(bandwidth_payloads(ConferenceRecordingAvailable), near_timestamps, near_durations)
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.7Z", "PT1.5S")
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.Z", "PT1.S")
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.7Z", "PT5.045329368S")
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.7Z", "PT5.0453290S")
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.7Z", "PT5.000000000S")
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.7Z", "PT1M52.217257456S")
@example(golden_dict("conferenceRecordingAvailable"), "2019-09-13T16:50:53.7Z", "PT59M5.5S")
def test_reader_reads_timestamps_and_durations_as_the_converter(
    payload: dict[str, Any], timestamp: str, duration: str
) -> None:
    """The shapes a reader reads inline come out as the converter reads them, or it refuses."""
    payload = payload | {"startTime": timestamp, "duration": duration}
    try:
        fast = _READERS[ConferenceRecordingAvailable](payload)
    except Exception:  # noqa: BLE001 -- any refusal is allowed: the converter runs instead
        return
    assert fast == converter().structure(payload, ConferenceRecordingAvailable)


@given(st.sampled_from(EVENT_CLASSES).flatmap(bandwidth_payloads))
def test_reader_takes_every_body_in_bandwidth_format(payload: dict[str, Any]) -> None:
    """No body in Bandwidth's own format falls back to the converter: that is the point.

    But for one with an unknown field holding a whole float of 2**63 or more, which may be an
    integer orjson could not read exactly: the reader leaves it to the exact decoder.
    """
    cls = class_of(payload)
    if may_be_inexact(payload):
        with pytest.raises(Refused):
            _READERS[cls](payload)
        return

    assert _READERS[cls](payload) == parse_event(payload)


def test_reader_refuses_another_event_type() -> None:
    """A reader checks the eventType itself: parse_event(body, cls) relies on it."""
    payload = golden_dict("conferenceCompleted")

    with pytest.raises(Exception):  # noqa: B017, PT011 -- any refusal will do
        _READERS[ConferenceCreated](payload)
    assert type(_READERS[ConferenceCompleted](payload)) is ConferenceCompleted


@given(st.sampled_from(EVENT_CLASSES).flatmap(bandwidth_payloads), st.data())
def test_reader_gives_what_the_converter_gives(
    payload: dict[str, Any], data: st.DataObject
) -> None:
    """For any body, valid or broken, the fast reader gives the converter's event or refuses.

    (eventType is checked before a reader is chosen, so it is left as it is.)
    """
    cls = class_of(payload)
    if data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(payload.keys() - {"eventType"})))
        payload[key] = data.draw(json_values)
    try:
        fast = _READERS[cls](payload)
    except Exception:  # noqa: BLE001 -- any refusal is allowed: the converter runs instead
        return
    slow = converter().structure(payload, cls)
    assert fast == slow
    for field in attrs.fields(cls):
        assert type(getattr(fast, field.name)) is type(getattr(slow, field.name)), field.name


def test_reader_refuses_string_subclasses_the_converter_takes() -> None:
    """A str subclass in a decoded mapping is refused by the reader and read by the converter."""

    class Text(str):
        __slots__ = ()

    body = golden_dict("conferenceCreated") | {"name": Text("standup")}

    event = parse_event(body, ConferenceCreated)

    assert event.name == "standup"


def old_format_timestamp(value: datetime) -> str:
    """The first, plain writer: the oracle for the fast one."""
    utc = value.astimezone(UTC).replace(tzinfo=None)
    spec = "milliseconds" if utc.microsecond % 1000 == 0 else "microseconds"
    return utc.isoformat(timespec=spec) + "Z"


def old_format_duration(value: timedelta) -> str:
    """The first, plain duration writer: the oracle for the fast one."""
    total = value // timedelta(microseconds=1)
    if total == 0:
        return "PT0S"
    hours, total = divmod(total, 3_600_000_000)
    minutes, total = divmod(total, 60_000_000)
    seconds, micros = divmod(total, 1_000_000)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micros:
        text += f"{seconds}" + (f".{micros:06d}".rstrip("0") if micros else "") + "S"
    return text


@given(aware_datetimes | st.datetimes(timezones=st.timezones()))
def test_timestamp_writer_matches_the_plain_one(moment: datetime) -> None:
    """The fast timestamp writer writes what the plain one did, for any aware datetime."""
    try:
        expected = old_format_timestamp(moment)
    except OverflowError:
        return
    assert format_timestamp(moment) == expected


@given(durations)
@example(timedelta(0))
@example(timedelta(days=2, microseconds=10))
def test_duration_writer_matches_the_plain_one(value: timedelta) -> None:
    """The fast duration writer writes what the plain one did, for any duration."""
    assert format_duration(value) == old_format_duration(value)


@pytest.mark.parametrize("cls", EVENT_CLASSES)
def test_documented_bodies_take_the_fast_path(cls: type[VoiceEvent]) -> None:
    """The documented bodies are read by the reader itself, not by the fallback."""
    payload = golden_dict(cls.event_type)

    assert _READERS[cls](payload) == parse_event(payload)


@pytest.mark.parametrize("cls", EVENT_CLASSES)
def test_events_read_fast_are_read_only(cls: type[VoiceEvent]) -> None:
    """A reader fills in an event's unfrozen twin; what it gives is of the class itself."""
    assert_read_only_models(_READERS[cls](golden_dict(cls.event_type)))


def written_by_kind(kind: Kind, value: object) -> object:
    """Give a value's wire form through its kind's plain ``write``: the oracle for a writer."""
    return value if kind.write is None else kind.write(value)


def assert_written_by_kinds(model: object, wire: dict[str, Any]) -> None:
    """Check each field a writer wrote against its kind's plain ``write``, nested ones too."""
    respelled: frozenset[str] = getattr(model, "wire_spelling", frozenset())
    for field, key, _annotation, kind in field_kinds(type(model)):
        value = getattr(model, field.name)
        if value is None and field.default is None:
            assert key not in wire, key  # an optional field left out, as Bandwidth does
            continue
        if key in respelled:
            continue  # written in the spelling it arrived in: the round-trip tests pin those
        written = wire[key]
        if kind.model is not None:
            assert_written_by_kinds(value, written)
            continue
        expected = written_by_kind(kind, value)
        assert written == expected, key
        assert type(written) is type(expected), key


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=100)  # per class, under every profile: 3,500 events in all
@given(data=st.data())
def test_writer_writes_each_field_as_its_kind_does(cls: type[Any], data: st.DataObject) -> None:
    """Each generated writer's statements write what each kind's plain write does."""
    model = data.draw(testing.events(cls))
    assert_written_by_kinds(model, make_writer(cls)(model))


@given(aware_datetimes, st.integers(0, 999))
def test_writer_writes_any_timestamp_as_format_timestamp(moment: datetime, millis: int) -> None:
    """Whole milliseconds take the writer's inline path; everything else format_timestamp."""
    for value in (moment, moment.replace(microsecond=millis * 1000)):
        event = ConferenceCreated(event_time=value, conference_id="c", name="n")
        assert to_dict(event)["eventTime"] == format_timestamp(value)


# Every model class with several timestamps, which its writer writes in one go.
SEVERAL_TIMESTAMPS = [
    cls
    for cls in MODEL_CLASSES
    if sum(kind.write is format_timestamp for *_rest, kind in field_kinds(cls)) > 1
]


def _at_millisecond(moment: datetime, millis: int) -> datetime:
    return moment.replace(microsecond=millis * 1000)


# A timestamp in whole milliseconds (not none), which the writer writes together with the
# others; any other (whole seconds, microseconds, nanoseconds, which orjson refuses) makes it
# write each one by one. (An event holds its timestamps in UTC, whatever zone they are given in.)
in_milliseconds = st.builds(_at_millisecond, aware_datetimes, st.integers(1, 999))
other_timestamps = (
    aware_datetimes
    | st.builds(_at_millisecond, aware_datetimes, st.just(0))
    | st.builds(with_nanosecond, in_milliseconds, st.integers(1, 999))
)


@pytest.mark.parametrize("cls", SEVERAL_TIMESTAMPS, ids=lambda cls: cls.__name__)
@settings(max_examples=40)
@given(data=st.data())
def test_timestamps_written_together_are_each_written_as_format_timestamp(
    cls: type[Any], data: st.DataObject
) -> None:
    """All in whole milliseconds, one odd one or an absent one: each as format_timestamp."""
    model = data.draw(testing.events(cls))
    each = in_milliseconds | other_timestamps if data.draw(st.booleans()) else in_milliseconds
    changes: dict[str, object] = {}
    for field, _key, _annotation, kind in field_kinds(cls):
        if kind.write is format_timestamp:
            absent = st.none() if field.default is None else st.nothing()
            changes[field.name] = data.draw(each | absent)
    model = attrs.evolve(model, **changes)
    assert_written_by_kinds(model, make_writer(cls)(model))
